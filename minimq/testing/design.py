"""Loading a design under test: the coupon consumer an engineer (or a learner) wrote.

Owns: ``load_design`` and ``DesignError``: reading a design file a person wrote (or
naming a shipped one, ``unique_key``), with clear words for whatever is wrong in it.
The contract itself (``handle``, ``setup``, the fixed ``coupons`` table) is
``minimq.apps.design``; what ``db`` offers is ``minimq.apps.design_db``.

The checker counts committed coupon rows per paid order: one is right, none is a lost
coupon, two or more a duplicate. A design that declares ``SENDS_SMS = True`` is judged
on its rows in ``sms_outbox`` the same way. The module is executed afresh each time the coupon
system (re)starts, so module-level state dies with the process, as in a real deploy.
"""

from __future__ import annotations

import contextlib
import inspect
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from minimq.apps.design import SENDS_SMS, Design, builtin_names, builtin_path
from minimq.errors import MinimqError
from minimq.i18n import t
from minimq.testing.watchdog import Watchdog, WatchdogExpired, Where, keyboard_can_interrupt, traceback_line


class DesignError(MinimqError, ValueError):
    """The design file cannot be used: it says what is wrong and where (``where``: the
    design's file:line, when the problem is on one of its lines). The words come from the
    catalog (``design.<key>``), so the command line tells it in English or Chinese;
    ``doing`` is itself a catalog key (``doing.*``: importing, ``setup``, ...)."""

    def __init__(self, key: str, where: Where | None = None, **values: object) -> None:
        self.key, self.where, self.values = key, where, values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        values = dict(self.values)
        if "doing" in values:
            values["doing"] = t(str(values["doing"]), lang, path=values.get("path", ""))
        if "stuck" in values:
            values["stuck"] = t("design.stuck_at", lang, where=self.where, code=values["stuck"]) if self.where else ""
        return t(f"design.{self.key}", lang, **values)

    def __reduce__(self) -> tuple[Any, ...]:  # crosses from a worker process to its parent
        return (_rebuild, (self.key, self.where, self.values))

    @classmethod
    def from_exception(cls, path: str, doing: str, exc: BaseException) -> DesignError:
        """``design.py:12 (the line): setup(db) raised OperationalError: near "CRATE": syntax error``."""
        where = traceback_line(exc.__traceback__, path)
        at = f"{where} ({where.code})" if where and where.code else str(where) if where else path
        return cls("raised", where, at=at, doing=doing, path=path, error=describe_exception(exc))


def _rebuild(key: str, where: Where | None, values: dict[str, object]) -> DesignError:
    return DesignError(key, where, **values)


@contextlib.contextmanager
def user_code(path: str, doing: str) -> Iterator[None]:
    """Run a piece of the design (its import, ``setup``): whatever it raises becomes a
    ``DesignError`` naming it and the design's line, ``SystemExit`` included; only the
    watchdog's interruption and a real Ctrl-C go through."""
    try:
        yield
    except WatchdogExpired:
        raise
    except BaseException as exc:  # user code: report whatever it raised
        if isinstance(exc, KeyboardInterrupt) and keyboard_can_interrupt():
            raise  # the person at the keyboard, not the design
        raise DesignError.from_exception(path, doing, exc) from None


def describe_exception(exc: BaseException) -> str:
    """``OperationalError: disk I/O error``, ``SystemExit(3)``, ``KeyboardInterrupt``."""
    name = type(exc).__name__
    if isinstance(exc, Exception):
        text = str(exc)
        return f"{name}: {text}" if text else name
    if exc.args:
        return f"{name}({', '.join(repr(a) for a in exc.args)})"
    return name


LoadedDesign = Design  # a design file as ``load_design`` read, compiled and checked it


def _positional(fn: Callable[..., Any]) -> int:
    params = inspect.signature(fn).parameters.values()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in params if p.kind in kinds and p.default is inspect.Parameter.empty)


def _check(module: types.ModuleType, path: str) -> tuple[bool, bool, bool]:
    handle = getattr(module, "handle", None)
    if handle is None:
        raise DesignError("no_handle", path=path)
    if not callable(handle):
        raise DesignError("handle_kind", path=path, kind=type(handle).__name__)
    if _positional(handle) != 2:
        raise DesignError("handle_signature", path=path, signature=str(inspect.signature(handle)))
    setup = getattr(module, "setup", None)
    if setup is not None and (not callable(setup) or _positional(setup) != 1 or inspect.iscoroutinefunction(setup)):
        raise DesignError("setup_signature", path=path)
    sends_sms = getattr(module, SENDS_SMS, False)
    if not isinstance(sends_sms, bool):
        raise DesignError("sends_sms", path=path, value=repr(sends_sms)[:40])
    return inspect.iscoroutinefunction(handle), setup is not None, sends_sms


def load_design(path: str | Path, *, timeout_s: float | None = None) -> LoadedDesign:
    """Read, compile and check a design file; raise ``DesignError`` naming the problem.

    Importing runs the design's module-level code: whatever it raises (``SystemExit``
    too) is a ``DesignError``, and with ``timeout_s`` an import that does not finish in
    that much wall-clock time is one too."""
    file = Path(path)
    if not file.is_file():
        shipped = builtin_path(str(path))
        if shipped is None:
            raise DesignError("not_found", path=repr(str(path)), names=", ".join(builtin_names()))
        file = shipped
    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DesignError("unreadable", path=repr(str(path)), error=str(exc)) from None
    try:
        code = compile(source, str(file), "exec")
    except (SyntaxError, ValueError) as exc:  # ValueError: a NUL byte in the source
        line = getattr(exc, "lineno", None)
        error = str(getattr(exc, "msg", exc))
        raise DesignError("syntax" if line else "syntax_noline", path=str(path), line=line, error=error) from None
    loaded = Design(file.stem, str(file), code, False, False)
    dog = Watchdog(timeout_s, str(file))
    try:
        with dog, user_code(str(file), "doing.import"):
            module = loaded.instance()
    except WatchdogExpired:
        stuck = dog.where.code if dog.where else ""
        raise DesignError("import_timeout", dog.where, path=str(path), seconds=timeout_s, stuck=stuck) from None
    is_async, has_setup, sends_sms = _check(module, str(path))
    return Design(file.stem, str(file), code, is_async, has_setup, sends_sms)
