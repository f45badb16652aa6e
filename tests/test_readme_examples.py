"""README's engine examples run as written: each ```python block, in order, in one
namespace (the second builds on the first's world), printing what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_python_examples_run_and_print_what_they_promise() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README.md has no python example"
    namespace: dict[str, object] = {}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            for block in blocks:
                exec(compile(block, str(README), "exec"), namespace)  # our own README
    finally:
        world = namespace.get("world")
        if world is not None:
            world.close()  # type: ignore[attr-defined]  # the examples' World
    promised = [m.group(1) for block in blocks for m in re.finditer(r"^print\(.*\)\s+# (.+)$", block, re.M)]
    assert promised and out.getvalue().split("\n")[: len(promised)] == promised
