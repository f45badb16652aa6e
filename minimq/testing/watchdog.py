"""A wall-clock watchdog for one run of a design: user code cannot hang the checker.

Owns: ``Watchdog``, ``WatchdogExpired`` and ``design_line``. Virtual time is free, but a
design can still burn real time: ``while True: pass``, a blocking ``time.sleep``, a
socket read, a ``setup()`` that never returns. The watchdog arms a real-time interval
timer (``SIGALRM``) for the run; when it fires, the signal handler, which Python runs in
the main thread between two bytecodes of whatever is running, notes where the design
was (the innermost frame of the design's file), stops the simulation's loop and raises
``WatchdogExpired`` there to unwind the stuck code. If the design swallows that (a bare
``except BaseException``) and goes on, the timer fires again every second and raises
again; after ``GIVE_UP`` firings it calls ``on_give_up`` (a worker process reports and
exits; its parent kills a worker that stops answering altogether, as code stuck inside
C never lets a signal handler run).

Only the main thread of a process can receive signals, and only POSIX has ``SIGALRM``:
elsewhere the watchdog does nothing, and says so (``armed``).
"""

from __future__ import annotations

import asyncio
import linecache
import signal
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import Any, ClassVar

REFIRE_S = 1.0  # after the first firing, again every second
GIVE_UP = 4  # firings before ``on_give_up``


class WatchdogExpired(BaseException):  # it is not an error of ours: it unwinds user code
    """Raised into user code that ran past the wall-clock timeout."""


@dataclass(frozen=True, slots=True)
class Where:
    """A line of the design: ``file:line`` and its source text."""

    file: str
    line: int
    code: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def keyboard_can_interrupt() -> bool:
    """Whether Ctrl-C can raise ``KeyboardInterrupt`` here. A checker's worker process
    ignores SIGINT (its parent handles Ctrl-C), so there a ``KeyboardInterrupt`` can only
    have been raised by the design itself."""
    return signal.getsignal(signal.SIGINT) is not signal.SIG_IGN


def design_line(frame: FrameType | None, path: str) -> Where | None:
    """The innermost frame of ``path`` in the stack that ends at ``frame``."""
    while frame is not None:
        if frame.f_code.co_filename == path:
            return Where(path, frame.f_lineno, linecache.getline(path, frame.f_lineno).strip())
        frame = frame.f_back
    return None


def traceback_line(tb: TracebackType | None, path: str) -> Where | None:
    """The innermost line of ``path`` in a traceback (where the design raised, or called what raised)."""
    found: Where | None = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            found = Where(path, tb.tb_lineno, linecache.getline(path, tb.tb_lineno).strip())
        tb = tb.tb_next
    return found


class Watchdog:
    """``with Watchdog(seconds, path) as dog:`` runs the block under a wall-clock limit;
    afterwards ``dog.expired`` says whether it fired and ``dog.where`` where the design
    was when it did (None if it was not in the design's file). ``on_give_up_default`` is
    what every watchdog of this process does when the design swallows its interrupts
    (a worker process sets it: report, then exit)."""

    on_give_up_default: ClassVar[Callable[[Watchdog], None] | None] = None

    def __init__(
        self,
        seconds: float | None,
        path: str,
        *,
        on_give_up: Callable[[Watchdog], None] | None = None,
    ) -> None:
        self.seconds = seconds
        self.path = path
        self.on_give_up = on_give_up or Watchdog.on_give_up_default
        self.loop: asyncio.AbstractEventLoop | None = None  # stopped when the timer fires
        self.expired = False
        self.where: Where | None = None
        self.firings = 0
        self.stuck: tuple[object, object] = (None, None)  # (asyncio task, greenlet) running when it fired
        self.armed = False
        self._previous: Any = None
        self._previous_timer: tuple[float, float] = (0.0, 0.0)

    def __enter__(self) -> Watchdog:
        if self.seconds is None or not hasattr(signal, "SIGALRM"):
            return self
        try:
            self._previous = signal.signal(signal.SIGALRM, self._fire)
        except ValueError:  # not the main thread: signals cannot reach us here
            return self
        self._previous_timer = signal.setitimer(signal.ITIMER_REAL, self.seconds, REFIRE_S)
        self.armed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.armed:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)
        if self._previous_timer[0] > 0:  # somebody else's timer was running: let it go on
            signal.setitimer(signal.ITIMER_REAL, *self._previous_timer)
        self.armed = False

    def _fire(self, signum: int, frame: FrameType | None) -> None:
        self.firings += 1
        if not self.expired:
            self.expired = True
            self.where = design_line(frame, self.path)
            self.stuck = (_current_task(self.loop), _current_greenlet())
        if self.loop is not None and not self.loop.is_closed():
            self.loop.stop()
        if self.firings >= GIVE_UP and self.on_give_up is not None:
            self.on_give_up(self)
        raise WatchdogExpired(f"the design ran longer than {self.seconds} s of wall-clock time")


def _current_task(loop: asyncio.AbstractEventLoop | None) -> object:
    if loop is None or loop.is_closed():
        return None
    return asyncio.current_task(loop)


def _current_greenlet() -> object:
    from greenlet import getcurrent

    return getcurrent()
