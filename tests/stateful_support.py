"""What the Hypothesis state machines share: the replay of their operations in a fresh
world, run aside in a forked child, and the byte-for-byte comparison of its trace.

``test_stateful.py`` (the 4.x remoting clients) and ``test_stateful_v5.py`` (POP,
transactions, broker crashes, batches) each keep a list of typed operations and a
``replay(seed, ops)`` that applies them to a fresh world; at teardown both demand the same
trace again. tests/README.md says how the machines are run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable


class ReplayAside:
    """``replay()`` (the trace of a fresh world, as JSON lines) in a forked child, so that
    it runs on the other core while this process drains its own world. ``collect()``
    returns the trace; ``close()`` (always call it) stops and reaps the child if the trace
    was not collected. Without ``fork``, or with other threads about, the replay simply
    runs in ``collect()``."""

    def __init__(self, replay: Callable[[], str]) -> None:
        self.replay = replay
        self.pid: int | None = None
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: replay, hand the trace over, leave without cleanup
            code = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as out:
                    out.write(replay().encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self.pipe = os.fdopen(read_end, "rb")

    def collect(self) -> str:
        if self.pid is None:
            return self.replay()
        text = self.pipe.read().decode()
        assert self._reap() == 0, "the replay raised in the child process"
        return text

    def close(self) -> None:
        if self.pid is not None:
            self.pipe.close()  # a child still writing gets a broken pipe and exits
            self._reap()

    def _reap(self) -> int:
        pid, self.pid = self.pid, None
        assert pid is not None
        self.pipe.close()
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def assert_same_trace(first: str, again: str) -> None:
    """``again`` (the replay's trace) is ``first``, byte for byte; otherwise say where the
    two part."""
    if first != again:
        a, b = first.splitlines(), again.splitlines()
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        shown_a = a[at] if at < len(a) else "<end>"
        shown_b = b[at] if at < len(b) else "<end>"
        raise AssertionError(f"replay diverged at trace line {at + 1}:\n  {shown_a}\n  {shown_b}")
