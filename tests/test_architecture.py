"""The layering and determinism rules of docs/design.md, checked by walking every module's
imports and names with ``ast``.

- Every module belongs to one layer of ``LAYERS`` (bottom first), and imports nothing of a
  layer above its own: not at the top of the file, not inside a function. Only a
  type-only import (under ``if TYPE_CHECKING:``) may name a module above.
- No modules import each other in a loop, type-only imports left out: within a layer,
  a module that another one uses may name that user's type only under ``TYPE_CHECKING``
  (the consume service names ``ConsumerSession``, which builds it).
- ``minimq/core`` is sans-I/O: it imports only the standard library (never asyncio, time,
  random, rich, threads, sockets or other sources of entropy) and the values (minimq.records,
  minimq.model, minimq.errors, minimq.events: a rule returns the events it decides on) and
  minimq.core.
- Only ``minimq/render/`` imports rich.
- Randomness comes from ``world.rng`` only: ``random.Random`` is constructed in
  ``minimq/sim/kernel.py`` and nowhere else; no module-level ``random.<fn>()``.
- No wall clock (``time.time``, ``time.monotonic``, ``datetime.now``, ...): the one use of
  the ``time`` module is ``time.sleep`` in ``minimq/sim/no_wall_sleep.py`` (kept for real-time
  mode, guarded inside simulations).
- No threads, no sockets. One narrow exception: ``minimq/sim/no_threads.py`` imports
  ``threading`` to refuse threads inside a simulation (it wraps ``Thread.start``); it may
  name ``threading.Thread`` and ``threading.Thread.start`` and call nothing of threading.
- The checker's supervision, outside every simulation (``SUPERVISION``): ``minimq check``
  forks worker processes (each runs one deterministic loop) and watches them against the
  wall clock, and its progress display is paced by it. ``minimq demo --realtime`` (``PACING``)
  reads the wall clock between the slices of its run, and sleeps there with ``wall_sleep``.

Each violation is reported as ``path:line: what is wrong``.
"""

from __future__ import annotations

import ast
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "minimq"
DESIGNS = "minimq/designs/"  # the shipped coupon designs: user code that lessons and check run

CORE_ALLOWED_MINIMQ = ("minimq.records", "minimq.model", "minimq.errors", "minimq.events", "minimq.core")
CORE_FORBIDDEN_STDLIB = frozenset(
    {
        "asyncio",
        "time",
        "random",
        "secrets",
        "uuid",
        "datetime",
        "os",
        "threading",
        "_thread",
        "concurrent",
        "multiprocessing",
        "subprocess",
        "socket",
        "ssl",
        "selectors",
    }
)
# The layers, bottom first: a module may import its own layer and the layers below it.
# docs/design.md draws the same order (``test_the_design_doc_draws_these_layers``).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("values", ("minimq.records", "minimq.model", "minimq.errors", "minimq.events")),
    ("trace", ("minimq.trace",)),
    ("core", ("minimq.core",)),
    ("sim", ("minimq.sim",)),
    ("runtime", ("minimq.runtime",)),
    ("world", ("minimq.world",)),
    ("verdicts", ("minimq.check", "minimq.effects")),
    ("apps", ("minimq.apps", "minimq.demo")),
    ("words", ("minimq.i18n",)),
    ("testing", ("minimq.testing",)),
    ("lessons", ("minimq.lessons",)),
    ("presentation", ("minimq.render", "minimq.site")),
    ("cli", ("minimq.cli", "minimq.__main__", "minimq")),
)
NO_THREADS = ("threading", "_thread", "concurrent.futures", "multiprocessing")
NO_SOCKETS = ("socket", "ssl")
WALL_CLOCK = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
    }
)
OTHER_ENTROPY = frozenset({"os.urandom", "os.getrandom", "uuid.uuid1", "uuid.uuid4"})
RANDOM_CONSTRUCTOR_HOME = "minimq/sim/kernel.py"
# Outside any simulation, the explorer seeds Hypothesis's own generator (find(random=...)),
# so that one --seed fixes which schedules are tried; no world ever sees it.
EXPLORER = "minimq/testing/shards.py"
# Outside any simulation, ``minimq check`` forks worker processes (each runs simulations,
# one deterministic loop at a time) and watches them against the wall clock, and paces its
# progress display by it. No world ever sees these.
SUPERVISION = frozenset({"minimq/testing/workers.py", "minimq/render/progress.py"})
# Outside any simulation too, ``minimq demo --realtime`` reads the wall clock between the
# slices of its run, to know how long to sleep (with no_wall_sleep's ``wall_sleep``).
PACING = frozenset({"minimq/cli/demo.py"})
TIME_SLEEP_HOME = "minimq/sim/no_wall_sleep.py"
# The guard that refuses threads inside a simulation wraps threading.Thread.start, so it
# must import threading; it is held to naming Thread and Thread.start (no call, no other name).
THREAD_GUARD_HOME = "minimq/sim/no_threads.py"
THREAD_GUARD_NAMES = frozenset({"threading.Thread", "threading.Thread.start"})


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@dataclass
class Module:
    """One source file: its dotted name and what it imports and uses."""

    path: str  # relative to the repository root, with forward slashes
    name: str
    is_package: bool
    tree: ast.Module
    imports: list[tuple[str, int]] = field(default_factory=list)
    type_only: set[int] = field(default_factory=set)  # lines of imports under ``if TYPE_CHECKING:``


def layer_of(dotted: str) -> tuple[int, str] | None:
    """(rank, name) of the layer a module of minimq belongs to (the longest prefix wins).

    ``minimq`` itself (the facade, ``minimq/__init__.py``) names that module only: a new
    module at the top of the package must be given a layer."""
    best: tuple[int, int, str] | None = None
    for rank, (name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            covers = dotted == prefix or (prefix != "minimq" and dotted.startswith(prefix + "."))
            if covers and (best is None or len(prefix) > best[0]):
                best = (len(prefix), rank, name)
    return None if best is None else (best[1], best[2])


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """The lines of the imports inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        lines.add(sub.lineno)
    return lines


def upward_imports(module: Module) -> list[str]:
    """Imports of a layer above the module's own, type-only ones excepted."""
    own = layer_of(module.name)
    if own is None:
        return []
    out = []
    for name, line in module.imports:
        theirs = layer_of(name) if name.startswith("minimq") else None
        if theirs is not None and theirs[0] > own[0] and line not in module.type_only:
            out.append(
                f"{module.path}:{line}: {module.name} ({own[1]}) imports {name} ({theirs[1]}), a layer above its own"
            )
    return out


def _module_name(rel: str) -> tuple[str, bool]:
    parts = rel.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _is_submodule(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _resolve_from(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def parse_module(source: str, rel: str) -> Module:
    name, is_package = _module_name(rel)
    module = Module(rel, name, is_package, ast.parse(source, filename=rel))
    module.type_only = _type_checking_lines(module.tree)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            module.imports.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                module.imports.append((sub if base.startswith("minimq") and _is_submodule(sub) else base, node.lineno))
    return module


def _bindings(module: Module) -> dict[str, str]:
    """Local name -> fully qualified name, for every import in the module."""
    names: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, node)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _qualified(node: ast.expr, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _qualified(node.value, names)
        return f"{base}.{node.attr}" if base else None
    return None


def uses(module: Module) -> list[tuple[str, int, bool]]:
    """(qualified name, line, is called) of every imported name the module refers to,
    including the imports themselves."""
    names = _bindings(module)
    called = {id(n.func) for n in ast.walk(module.tree) if isinstance(n, ast.Call)}
    found: list[tuple[str, int, bool]] = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, node)
            found.extend((f"{base}.{alias.name}", node.lineno, False) for alias in node.names)
        elif isinstance(node, ast.Name | ast.Attribute) and not (
            isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
        ):
            qualified = _qualified(node, names)
            if qualified:
                found.append((qualified, node.lineno, id(node) in called))
    return found


# -- the rules ----------------------------------------------------------------------------------
def layering_violations(module: Module) -> list[str]:
    out: list[str] = upward_imports(module)
    in_core = _within(module.name, ("minimq.core",))
    for name, line in module.imports:
        where = f"{module.path}:{line}"
        top = name.split(".")[0]
        if in_core:
            if top == "minimq":
                if not _within(name, CORE_ALLOWED_MINIMQ):
                    out.append(f"{where}: core imports {name} (core may import only the values and core)")
            elif top not in sys.stdlib_module_names:
                out.append(f"{where}: core imports {name}, which is not in the standard library")
            elif top in CORE_FORBIDDEN_STDLIB:
                out.append(f"{where}: core imports {name} (core is sans-I/O: time enters as an argument)")
        if top == "rich" and not _within(module.name, ("minimq.render",)):
            out.append(f"{where}: imports {name} (only minimq/render/ may import rich)")
        guard = module.path == THREAD_GUARD_HOME and name == "threading"
        supervisor = module.path in SUPERVISION and _within(name, ("multiprocessing",))
        if _within(name, NO_THREADS) and not (guard or supervisor):
            out.append(f"{where}: imports {name} (no threads: a simulation is one deterministic loop)")
        if _within(name, NO_SOCKETS):
            out.append(f"{where}: imports {name} (no real sockets in a simulation)")
    return out


def determinism_violations(module: Module) -> list[str]:
    out: list[str] = []
    for name, line, is_call in uses(module):
        where = f"{module.path}:{line}"
        if name == "random.Random":
            if is_call and module.path not in (RANDOM_CONSTRUCTOR_HOME, EXPLORER):
                out.append(f"{where}: constructs random.Random (only {RANDOM_CONSTRUCTOR_HOME} does; use world.rng)")
        elif name.startswith("random.") or name.startswith("secrets.") or name in OTHER_ENTROPY:
            out.append(f"{where}: uses {name} (module-level randomness; use world.rng)")
        elif name == "time.sleep":
            if module.path != TIME_SLEEP_HOME:
                out.append(f"{where}: uses time.sleep (only {TIME_SLEEP_HOME} paces real-time mode)")
        elif (name.startswith("time.") or name in WALL_CLOCK) and module.path not in SUPERVISION | PACING:
            out.append(f"{where}: uses {name} (wall clock; use the world's virtual now_ms)")
        elif name.startswith("threading.") and (is_call or name not in THREAD_GUARD_NAMES):
            out.append(f"{where}: uses {name} (only {THREAD_GUARD_HOME} names threading, to refuse threads)")
    return out


def package_modules(root: Path = ROOT) -> list[Module]:
    """Every module of minimq; the shipped designs (``DESIGNS``) are user code, not modules."""
    modules = []
    for path in sorted((root / "minimq").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(DESIGNS):
            modules.append(parse_module(path.read_text(encoding="utf-8"), rel))
    return modules


MODULES = package_modules()


def test_shipped_designs_use_only_the_public_api() -> None:
    """A design in minimq/designs/ is written as a user writes one: the standard library
    and ``from minimq import ...``, nothing from inside the package."""
    found = []
    for path in sorted((ROOT / DESIGNS).glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            found += [f"{path.name}:{node.lineno}: {n}" for n in names if n.startswith("minimq.")]
    assert found == []
    assert len(list((ROOT / DESIGNS).glob("*.py"))) >= 5


def _report(violations: list[str]) -> str:
    return "\n" + "\n".join(violations)


# -- the package keeps the rules ----------------------------------------------------------------
def test_the_package_is_found() -> None:
    names = {m.name for m in MODULES}
    assert {
        "minimq",
        "minimq.core.store",
        "minimq.sim.loop",
        "minimq.sim.kernel",
        "minimq.world",
        "minimq.check",
    } <= names
    core = [m for m in MODULES if m.name.startswith("minimq.core.")]
    assert len(core) >= 7


def test_layering() -> None:
    violations = [v for m in MODULES for v in layering_violations(m)]
    assert not violations, _report(violations)


def test_every_module_belongs_to_a_layer() -> None:
    assert [m.path for m in MODULES if layer_of(m.name) is None] == []


def import_circles(modules: list[Module]) -> list[list[str]]:
    """Sets of modules that import each other in a loop, type-only imports left out
    (a service may name the type of the session that owns it under ``TYPE_CHECKING``)."""
    names = {m.name for m in modules}
    graph: dict[str, set[str]] = {}
    for m in modules:
        deps = set()
        for name, line in m.imports:
            target = name
            while target and target not in names:
                target = target.rpartition(".")[0]
            if target and target != m.name and line not in m.type_only:
                deps.add(target)
        graph[m.name] = deps
    circles: list[list[str]] = []
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        order[v] = low[v] = len(order)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in order:
            visit(v)
    return circles


def test_no_modules_import_each_other_in_a_loop() -> None:
    assert import_circles(MODULES) == []


def test_a_loop_of_imports_is_found() -> None:
    a = parse_module("from minimq.runtime.b import B\n", "minimq/runtime/a.py")
    b = parse_module("import minimq.runtime.a\n", "minimq/runtime/b.py")
    typed = parse_module(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from minimq.runtime.a import A\n",
        "minimq/runtime/b.py",
    )
    assert import_circles([a, b]) == [["minimq.runtime.a", "minimq.runtime.b"]]
    assert import_circles([a, typed]) == []


def test_an_upward_import_anywhere_in_a_copy_of_the_package_is_caught(tmp_path: Path) -> None:
    """The rule bites: copy the package, add upward imports (at the top, inside a
    function), and the checker names each one; a type-only import is let through."""
    shutil.copytree(PACKAGE, tmp_path / "minimq")
    network = tmp_path / "minimq" / "sim" / "network.py"
    source = network.read_text(encoding="utf-8")
    lines = source.count("\n")
    network.write_text(
        source
        + "from minimq.runtime.broker import Broker\n"
        + "def sneak():\n    from minimq.testing import explore\n"
        + "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from minimq.world import World\n",
        encoding="utf-8",
    )
    found = [v for m in package_modules(tmp_path) for v in layering_violations(m)]
    assert found == [
        f"minimq/sim/network.py:{lines + 1}: minimq.sim.network (sim) imports minimq.runtime.broker (runtime), "
        "a layer above its own",
        f"minimq/sim/network.py:{lines + 3}: minimq.sim.network (sim) imports minimq.testing.explore (testing), "
        "a layer above its own",
    ]


def test_the_design_doc_draws_these_layers() -> None:
    """docs/design.md's diagram lists the layers in this order, top first."""
    doc = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    drawn = doc.split("<!-- layers -->")[1].split("<!-- /layers -->")[0]
    names = [line.split()[0] for line in drawn.strip().splitlines() if line.strip() and not line.startswith("```")]
    assert names == [name for name, _ in reversed(LAYERS)]


def test_determinism() -> None:
    violations = [v for m in MODULES for v in determinism_violations(m)]
    assert not violations, _report(violations)


def test_the_allowed_uses_are_where_the_rules_say() -> None:
    by_path = {m.path: m for m in MODULES}
    world_uses = {(n, c) for n, _, c in uses(by_path[RANDOM_CONSTRUCTOR_HOME])}
    assert ("random.Random", True) in world_uses  # the rule above is not vacuous
    loop_uses = {(n, c) for n, _, c in uses(by_path[TIME_SLEEP_HOME])}
    assert ("time.sleep", False) in loop_uses  # kept for real-time mode, and guarded inside simulations
    core_imports = {n for m in MODULES if m.name.startswith("minimq.core") for n, _ in m.imports}
    assert "minimq.model" in core_imports
    guard_uses = {(n, c) for n, _, c in uses(by_path[THREAD_GUARD_HOME])}
    assert ("threading.Thread.start", False) in guard_uses  # the exception below is used, and narrow
    assert {n for n, _ in guard_uses if n.startswith("threading.")} <= THREAD_GUARD_NAMES


def test_the_thread_guard_may_import_threading_only_to_refuse_threads() -> None:
    guard = """
        import threading
        def install(wrapped):
            start = threading.Thread.start
            threading.Thread.start = wrapped
        def check(thread: threading.Thread) -> None: ...
    """
    assert check_source(guard, THREAD_GUARD_HOME) == []
    assert check_source("import threading\nthreading.Thread(target=print).start()\n", THREAD_GUARD_HOME) == [
        f"{THREAD_GUARD_HOME}:2: uses threading.Thread (only {THREAD_GUARD_HOME} names threading, to refuse threads)"
    ]
    assert check_source("import threading\nlock = threading.Lock\n", THREAD_GUARD_HOME) != []
    assert check_source("import _thread\n", THREAD_GUARD_HOME) != []
    assert check_source("from concurrent.futures import ThreadPoolExecutor\n", THREAD_GUARD_HOME) != []
    assert check_source("import threading\n", "minimq/sim/loop.py") != []  # nowhere else


# -- the checker itself finds violations, with file and line ------------------------------------
def check_source(source: str, rel: str) -> list[str]:
    module = parse_module(textwrap.dedent(source), rel)
    return layering_violations(module) + determinism_violations(module)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import asyncio\n", "minimq/core/bad.py:1: core imports asyncio"),
        ("x = 1\nimport time\n", "minimq/core/bad.py:2: core imports time"),
        ("from random import Random\n", "minimq/core/bad.py:1: core imports random"),
        ("import rich.console\n", "minimq/core/bad.py:1: core imports rich.console, which is not in the standard"),
        ("from minimq.runtime import broker\n", "minimq/core/bad.py:1: core imports minimq.runtime.broker"),
        ("from minimq.world import World\n", "minimq/core/bad.py:1: core imports minimq.world"),
        ("from .. import trace\n", "minimq/core/bad.py:1: core imports minimq.trace"),
        ("def f():\n    import asyncio\n", "minimq/core/bad.py:2: core imports asyncio"),
    ],
)
def test_core_import_violations_are_reported_with_file_and_line(source: str, expected: str) -> None:
    violations = check_source(source, "minimq/core/bad.py")
    assert any(v.startswith(expected) for v in violations), violations


def test_core_may_import_the_values_core_and_plain_stdlib() -> None:
    source = """
        from __future__ import annotations
        import enum, re, heapq
        from collections import OrderedDict
        from minimq.model import MessageQueue
        from minimq.errors import ValidationError
        from minimq.events import QueueLocked
        from minimq.records import record
        from minimq.core.delay import delay_ms
        from . import store
        from .offsets import ConsumeFromWhere
    """
    assert check_source(source, "minimq/core/good.py") == []


def test_only_render_may_import_rich() -> None:
    assert check_source("from rich.table import Table\n", "minimq/render/table.py") == []
    assert check_source("from rich.table import Table\n", "minimq/render/deep/table.py") == []
    assert check_source("import rich\n", "minimq/cli.py") == [
        "minimq/cli.py:1: imports rich (only minimq/render/ may import rich)"
    ]
    assert check_source("import rich\n", "minimq/rendering.py") != []


def test_the_bottom_layer_and_the_engine_import_nothing_above_them() -> None:
    assert check_source("from minimq.world import World\n", "minimq/events.py") == [
        "minimq/events.py:1: minimq.events (values) imports minimq.world (world), a layer above its own"
    ]
    assert check_source("from minimq.errors import MinimqError\n", "minimq/model.py") == []
    assert check_source("from minimq.render import timeline\n", "minimq/sim/kernel.py") == [
        "minimq/sim/kernel.py:1: minimq.sim.kernel (sim) imports minimq.render.timeline (presentation), "
        "a layer above its own"
    ]
    assert check_source("from minimq.world import World\n", "minimq/render/timeline.py") == []
    assert check_source("from minimq.render import timeline\n", "minimq/testing/story.py") != []
    assert check_source("def f():\n    from minimq.cli import main\n", "minimq/lessons/runner.py") != []
    type_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from minimq.world import World\n"
    assert check_source(type_only, "minimq/runtime/broker.py") == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import random\nx = random.random()\n", "minimq/runtime/x.py:2: uses random.random"),
        ("import random\nrandom.shuffle([])\n", "minimq/runtime/x.py:2: uses random.shuffle"),
        ("import random as r\nr.randint(1, 2)\n", "minimq/runtime/x.py:2: uses random.randint"),
        ("from random import choice\n", "minimq/runtime/x.py:1: uses random.choice"),
        ("import random\nrng = random.Random(1)\n", "minimq/runtime/x.py:2: constructs random.Random"),
        ("from random import Random\n\n\nr = Random()\n", "minimq/runtime/x.py:4: constructs random.Random"),
        ("import random\nf = random.choice\n", "minimq/runtime/x.py:2: uses random.choice"),
        ("import secrets\nsecrets.token_hex()\n", "minimq/runtime/x.py:2: uses secrets.token_hex"),
        ("import uuid\nuuid.uuid4()\n", "minimq/runtime/x.py:2: uses uuid.uuid4"),
        ("import time\ntime.time()\n", "minimq/runtime/x.py:2: uses time.time (wall clock"),
        ("import time\nt = time.monotonic()\n", "minimq/runtime/x.py:2: uses time.monotonic"),
        ("from time import perf_counter\n", "minimq/runtime/x.py:1: uses time.perf_counter"),
        ("import time\ntime.sleep(1)\n", "minimq/runtime/x.py:2: uses time.sleep (only minimq/sim/no_wall_sleep.py"),
        ("from datetime import datetime\nnow = datetime.now()\n", "minimq/runtime/x.py:2: uses datetime.datetime.now"),
        ("import datetime\ndatetime.datetime.utcnow()\n", "minimq/runtime/x.py:2: uses datetime.datetime.utcnow"),
        ("import datetime as dt\ndt.date.today()\n", "minimq/runtime/x.py:2: uses datetime.date.today"),
        ("import threading\n", "minimq/runtime/x.py:1: imports threading (no threads"),
        ("from concurrent.futures import ThreadPoolExecutor\n", "minimq/runtime/x.py:1: imports concurrent.futures"),
        ("import socket\n", "minimq/runtime/x.py:1: imports socket (no real sockets"),
    ],
)
def test_determinism_violations_are_reported_with_file_and_line(source: str, expected: str) -> None:
    violations = check_source(source, "minimq/runtime/x.py")
    assert any(v.startswith(expected) for v in violations), violations


def test_what_the_determinism_rules_allow() -> None:
    world = """
        import random
        class World:
            rng: random.Random
            def __init__(self, seed: int) -> None:
                self.rng = random.Random(seed)
    """
    assert check_source(world, RANDOM_CONSTRUCTOR_HOME) == []
    annotated = """
        from __future__ import annotations
        import random
        def pick(rng: random.Random, items: list[int]) -> int:
            return rng.choice(items)
    """
    assert check_source(annotated, "minimq/runtime/x.py") == []
    assert check_source("import time\ntime.sleep(0.1)\n", TIME_SLEEP_HOME) == []
    assert check_source("import time\ntime.monotonic()\n", TIME_SLEEP_HOME) != []
    assert check_source("import asyncio\nasyncio.get_running_loop().time()\n", "minimq/runtime/x.py") == []
    # a local variable that happens to be called ``time`` is not the time module
    assert check_source("def f(time: int) -> int:\n    return time\n", "minimq/runtime/x.py") == []
