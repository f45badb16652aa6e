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
  simulation cannot touch a socket or the wall clock. One turn of the loop
  (``_run_once``) is asyncio's without the I/O poll: drop cancelled timers; if nothing is
  ready, jump the clock to the earliest timer; move the timers now due to the ready
  queue; run the callbacks that were ready at the start of the turn.
- Ready callbacks run in FIFO order, and timers due at the same moment run in the order
  they were scheduled: the timer heap holds ``(when, sequence number, timer)``, so ties
  are broken by scheduling order (asyncio's heap of ``TimerHandle`` alone would not be
  first-in-first-out), and comparing two entries compares numbers, not Python objects.
  So two requests sent in the same millisecond over one simulated channel arrive in the
  order they were sent, and the same program runs the same way every time.
- If nothing is ready and no timer is pending, the simulation can never progress:
  ``run_until_complete`` raises ``SimulationStalled`` instead of hanging.
- The clock stops at ``MAX_VIRTUAL_MS`` (10**11 ms, about 3 years): a jump past it raises
  ``ClockOverflow`` (asyncio's float seconds would no longer find the timer due, and the
  loop would spin). A sleep that long is almost always seconds taken for milliseconds.
- Real-time mode (opt-in, for live demos) paces the jumps against the wall clock with a
  speed factor, a finite number above 0; the virtual times, and so the trace, are the same
  as without it.
- No thread may start inside a simulation: a thread runs on the wall clock, so the same
  seed would no longer give the same run. ``run_in_executor`` (and so
  ``asyncio.to_thread``) raises ``ThreadInSimulationError``, and so does
  ``threading.Thread.start()`` called while a ``VirtualTimeLoop`` runs on the calling
  thread: importing this module installs that guard (``minimq.sim.no_threads``).
- No wall-clock sleep inside a simulation either: ``time.sleep`` called while a
  ``VirtualTimeLoop`` runs raises ``SleepInSimulationError`` (``minimq.sim.no_wall_sleep``
  installs that guard when this module is imported).
- Once closed, the loop refuses to schedule or run anything with ``WorldClosedError``
  (asyncio's own "Event loop is closed" is a bare ``RuntimeError``).
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import contextvars
import heapq
import math
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from minimq.errors import ClockOverflow, SimulationStalled, ValidationError, WorldClosedError
from minimq.model import MAX_VIRTUAL_MS
from minimq.sim.no_threads import executor_refused, refuse_thread_start_in
from minimq.sim.no_wall_sleep import refuse_wall_sleep_in, wall_sleep

T = TypeVar("T")


# asyncio's rule for purging cancelled timers (base_events._MIN_SCHEDULED_TIMER_HANDLES and
# _MIN_CANCELLED_TIMER_HANDLES_FRACTION): rebuild the heap when more than half of more
# than 100 entries are cancelled.
_MIN_SCHEDULED_TIMERS = 100
_MIN_CANCELLED_FRACTION = 0.5


class _Handle(asyncio.Handle):
    """``asyncio.Handle`` built without the debug-mode checks (a simulation creates
    about two of these per message hop; the loop uses the stock ones in debug mode)."""

    __slots__ = ()

    def __init__(self, callback: Any, args: tuple[Any, ...], loop: Any, context: Any) -> None:
        self._context = contextvars.copy_context() if context is None else context
        self._loop = loop
        self._callback = callback
        self._args = args
        self._cancelled = False
        self._repr = None
        self._source_traceback = None


class _TimerHandle(asyncio.TimerHandle):
    """``asyncio.TimerHandle`` built the same lean way."""

    __slots__ = ()

    def __init__(self, when: float, callback: Any, args: tuple[Any, ...], loop: Any, context: Any) -> None:
        _Handle.__init__(self, callback, args, loop, context)  # type: ignore[arg-type]  # the slots they share
        self._when = when
        self._scheduled = True


class VirtualTimeLoop(asyncio.base_events.BaseEventLoop):
    """An asyncio loop on a virtual clock that starts at ``start_ms``."""

    # BaseEventLoop state that ``call_at`` and ``_run_once`` below work on.
    _ready: deque[asyncio.Handle]
    _scheduled: list[tuple[float, int, asyncio.TimerHandle]]
    _stopping: bool
    _timer_cancelled_count: int

    def __init__(self, start_ms: int = 0, realtime_speed: float | None = None) -> None:
        super().__init__()
        try:
            if isinstance(start_ms, bool) or not isinstance(start_ms, int) or not 0 <= start_ms <= MAX_VIRTUAL_MS:
                raise ValidationError(
                    f"start_ms must be a whole number of milliseconds, 0 to {MAX_VIRTUAL_MS}", start_ms
                )
            check_realtime_speed(realtime_speed)
        except ValidationError:
            self.close()  # a refused loop is not left open (asyncio would warn when it is collected)
            raise
        self._now_ms = start_ms
        self.on_advance: Callable[[int], None] | None = None  # told the new time after each advance
        self._clock_resolution = 1e-7
        self._stalled = False
        self._timer_seq = 0
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
        if self._now_ms + delta_ms > MAX_VIRTUAL_MS:
            raise ClockOverflow(self._now_ms, self._now_ms + delta_ms, MAX_VIRTUAL_MS)
        if self._realtime_speed is not None:
            wall_sleep(delta_ms / 1000 / self._realtime_speed)
        self._now_ms += delta_ms
        if self.on_advance is not None:
            self.on_advance(self._now_ms)

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:  # type: ignore[override]
        """``BaseEventLoop.call_at`` with a first-in-first-out tie-break."""
        if when is None:
            raise TypeError("when cannot be None")
        if self._closed:  # type: ignore[attr-defined]
            self._check_closed()
        self._timer_seq += 1
        if self._debug:  # type: ignore[attr-defined]
            timer = asyncio.TimerHandle(when, callback, args, self, context)
            timer._scheduled = True  # type: ignore[attr-defined]
        else:
            timer = _TimerHandle(when, callback, args, self, context)
        heapq.heappush(self._scheduled, (when, self._timer_seq, timer))
        return timer

    def call_later(self, delay: float, callback: Any, *args: Any, context: Any = None) -> asyncio.TimerHandle:  # type: ignore[override]
        if delay is None:
            raise TypeError("delay must not be None")
        return self.call_at(self._now_ms / 1000 + delay, callback, *args, context=context)

    def call_soon(self, callback: Any, *args: Any, context: Any = None) -> asyncio.Handle:  # type: ignore[override]
        if self._debug or self._closed:  # type: ignore[attr-defined]
            return super().call_soon(callback, *args, context=context)  # its checks and messages
        handle = _Handle(callback, args, self, context)
        self._ready.append(handle)
        return handle

    # -- one turn of the loop ------------------------------------------------------
    def _run_once(self) -> None:
        scheduled = self._scheduled
        if (
            len(scheduled) > _MIN_SCHEDULED_TIMERS
            and self._timer_cancelled_count / len(scheduled) > _MIN_CANCELLED_FRACTION
        ):
            kept = []
            for entry in scheduled:
                if entry[2]._cancelled:
                    entry[2]._scheduled = False  # type: ignore[attr-defined]
                else:
                    kept.append(entry)
            heapq.heapify(kept)
            self._scheduled = scheduled = kept
            self._timer_cancelled_count = 0
        else:
            while scheduled and scheduled[0][2]._cancelled:
                self._timer_cancelled_count -= 1
                heapq.heappop(scheduled)[2]._scheduled = False  # type: ignore[attr-defined]

        if not self._ready and not self._stopping:
            if not scheduled:  # nothing can ever happen again
                self._stalled = True
                self.stop()
            else:
                wait = max(0, scheduled[0][0] - self.time())
                if wait > 0:
                    self._advance(math.ceil(wait * 1000 - 1e-4))

        ready = self._ready
        end_time = self.time() + self._clock_resolution
        while scheduled and scheduled[0][0] < end_time:
            timer = heapq.heappop(scheduled)[2]
            timer._scheduled = False  # type: ignore[attr-defined]
            ready.append(timer)
        # Only what is ready now runs in this turn; what it schedules waits for the next.
        # (``Handle._run`` inlined: this is the loop's innermost line.)
        popleft = ready.popleft
        for _ in range(len(ready)):
            handle = popleft()
            if handle._cancelled:
                continue
            try:
                handle._context.run(handle._callback, *handle._args)  # type: ignore[attr-defined]
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                self._report(handle, exc)

    def _report(self, handle: asyncio.Handle, exc: BaseException) -> None:
        """What ``Handle._run`` does with an exception a callback raised."""
        callback = handle._callback  # type: ignore[attr-defined]
        self.call_exception_handler(
            {"message": f"Exception in callback {callback!r}", "exception": exc, "handle": handle}
        )

    # -- hooks BaseEventLoop needs ----------------------------------------------
    def _write_to_self(self) -> None:
        return None

    def _check_closed(self) -> None:
        """What every scheduling and running method of ``BaseEventLoop`` calls first."""
        if self._closed:  # type: ignore[attr-defined]
            raise WorldClosedError("schedule or run anything on its event loop")

    # -- no threads ----------------------------------------------------------------
    def run_in_executor(self, executor: Any, func: Any, *args: Any) -> asyncio.Future[Any]:  # type: ignore[override]
        """Refused: an executor runs ``func`` in a thread, outside virtual time."""
        raise executor_refused(func)

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


def check_realtime_speed(speed: object) -> None:
    """``None`` (virtual time only) or a finite number above 0: 1 is real time, 10 ten
    times faster."""
    if speed is None:
        return
    if isinstance(speed, bool) or not isinstance(speed, int | float) or not (0 < speed < math.inf):
        raise ValidationError(
            "realtime_speed must be None or a finite positive number (1 = real time, 10 = ten times faster)", speed
        )


# Importing this module wraps threading.Thread.start, once (see minimq.sim.no_threads).
refuse_thread_start_in(VirtualTimeLoop)


# Importing this module wraps time.sleep, once (see minimq.sim.no_wall_sleep).
refuse_wall_sleep_in(VirtualTimeLoop)


def run(coro: Coroutine[Any, Any, T], *, start_ms: int = 0) -> T:
    """Run ``coro`` to completion on a fresh virtual-time loop and close the loop."""
    loop = VirtualTimeLoop(start_ms)
    try:
        return loop.run_until_complete(coro)  # type: ignore[no-any-return]
    finally:
        loop.close()
