"""The virtual-time event loop: simulated hours in milliseconds of wall time.

Owns: the clock of a simulation. ``VirtualTimeLoop`` is a plain asyncio event loop
whose ``time()`` is a virtual integer-millisecond counter. When no callback is ready,
the loop does not wait: it jumps the clock straight to the next timer. So
``await asyncio.sleep(7200)`` returns at once in wall time, and ``asyncio.timeout``,
``asyncio.wait_for`` and ``loop.call_later`` all run on the virtual clock.

Rules this module keeps:
- Time is an integer number of milliseconds; a delay that is not a whole number of
  milliseconds is rounded up to the next one.
- There is no I/O and no thread: the loop has no self-pipe and no selector, so a
  simulation cannot touch a socket or the wall clock.
- Ready callbacks run in FIFO order, and timers due at the same moment run in the order
  they were scheduled (a sequence number breaks ties; asyncio's heap alone would not be
  first-in-first-out). So two requests sent in the same millisecond over one simulated
  channel arrive in the order they were sent, and the same program runs the same way
  every time.
- If nothing is ready and no timer is pending, the simulation can never progress:
  ``run_until_complete`` raises ``SimulationStalled`` instead of hanging.
- Real-time mode (opt-in, for live demos) paces the jumps against the wall clock with a
  speed factor; the virtual times, and so the trace, are the same as without it.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import heapq
import math
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from minimq.errors import SimulationStalled

T = TypeVar("T")


class _TimerHandle(asyncio.TimerHandle):
    """A timer that sorts by (when, scheduling order) instead of by when alone."""

    __slots__ = ("_seq",)

    def __init__(self, seq: int, when: float, callback: Any, args: Any, loop: Any, context: Any) -> None:
        super().__init__(when, callback, args, loop, context)
        self._seq = seq

    def __lt__(self, other: object) -> bool:
        if isinstance(other, _TimerHandle):
            mine, theirs = self.when(), other.when()
            return mine < theirs or (mine == theirs and self._seq < other._seq)
        return super().__lt__(other)  # type: ignore[operator]


class _VirtualSelector:
    """Stands in for the I/O selector: 'waiting' for ``timeout`` advances the clock."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        self._loop = loop

    def select(self, timeout: float | None) -> list[Any]:
        if timeout is None:
            self._loop._stalled = True
            self._loop.stop()
            return []
        if timeout > 0:
            self._loop._advance(math.ceil(timeout * 1000 - 1e-4))
        return []

    def close(self) -> None:  # pragma: no cover - nothing to release
        pass


class VirtualTimeLoop(asyncio.base_events.BaseEventLoop):
    """An asyncio loop on a virtual clock that starts at ``start_ms``."""

    def __init__(self, start_ms: int = 0, realtime_speed: float | None = None) -> None:
        super().__init__()
        self._now_ms = start_ms
        self._selector = _VirtualSelector(self)
        self._clock_resolution = 1e-7
        self._stalled = False
        self._timer_seq = 0
        if realtime_speed is not None and realtime_speed <= 0:
            raise ValueError(f"realtime speed must be positive, got {realtime_speed!r}")
        self._realtime_speed = realtime_speed

    # -- the clock -------------------------------------------------------------
    def time(self) -> float:
        return self._now_ms / 1000

    @property
    def now_ms(self) -> int:
        """The virtual time in integer milliseconds."""
        return self._now_ms

    def _advance(self, delta_ms: int) -> None:
        if delta_ms <= 0:
            return
        if self._realtime_speed is not None:
            time.sleep(delta_ms / 1000 / self._realtime_speed)
        self._now_ms += delta_ms

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:  # type: ignore[override]
        """``BaseEventLoop.call_at`` with a first-in-first-out tie-break."""
        if when is None:
            raise TypeError("when cannot be None")
        self._check_closed()  # type: ignore[attr-defined]
        self._timer_seq += 1
        timer = _TimerHandle(self._timer_seq, when, callback, args, self, context)
        heapq.heappush(self._scheduled, timer)  # type: ignore[attr-defined]
        timer._scheduled = True  # type: ignore[attr-defined]
        return timer

    # -- hooks BaseEventLoop needs ----------------------------------------------
    def _process_events(self, event_list: list[Any]) -> None:
        return None

    def _write_to_self(self) -> None:
        return None

    # -- running -----------------------------------------------------------------
    def run_until_complete(self, future: Any) -> Any:
        self._stalled = False
        task = asyncio.ensure_future(future, loop=self)
        try:
            return super().run_until_complete(task)
        except RuntimeError:
            if self._stalled and not task.done():
                task.cancel()
                raise SimulationStalled(self._now_ms) from None
            raise


def run(coro: Coroutine[Any, Any, T], *, start_ms: int = 0) -> T:
    """Run ``coro`` to completion on a fresh virtual-time loop and close the loop."""
    loop = VirtualTimeLoop(start_ms)
    try:
        return loop.run_until_complete(coro)  # type: ignore[no-any-return]
    finally:
        loop.close()
