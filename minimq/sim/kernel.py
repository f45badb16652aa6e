"""The simulation kernel: a virtual clock, one seed, one trace, the network and the faults.

Owns: what every simulated thing shares and nothing else: ``Simulation`` knows no broker
and no client. It holds the virtual-time loop (``loop``), the only randomness
(``rng``, a ``random.Random(seed)``; the module-level ``random`` is never used), the
trace, the fault plan, the network (which carries requests to endpoints registered by
name), the simulated disk of the client hosts, and the entry points that run the loop.
Same seed, same program: same trace, byte for byte. ``minimq.world.World`` builds the
brokers and hands out clients on top of it.

Arguments are checked, and a bad one raises ``ValidationError`` naming it and its value:
- ``seed`` is an ``int`` (not a bool, a float, a str or None); ``latency_ms`` an ``int``
  >= 0; ``realtime_speed`` None or a finite number above 0.
- Times are milliseconds: ``run_for(ms)`` and ``call_later_ms(ms, cb)`` take a duration
  >= 0, ``run_until(at_ms)`` a time >= 0, each a finite int or float (not a bool) that
  keeps the clock within ``MAX_VIRTUAL_MS``. A float is accepted and rounded up to the
  next whole millisecond by the loop, as every delay is (``run_for(1.5)`` lets 2 ms
  pass); the clock itself stays an integer.
- After ``close()`` the simulation only answers questions: ``trace``, ``now_ms``,
  ``seed`` and the rest can be read, but everything that would act (``run``,
  ``run_for``, ``run_until``, ``spawn``, ``call_later_ms``, ``emit``, making a client, a
  client's ``start()``) raises ``WorldClosedError``. ``close()`` may be called again and
  does nothing. While ``close()`` unwinds the cancelled tasks it still records what they
  do (a handler's rollback, say).
- ``run``, ``run_for``, ``run_until`` and ``close`` drive the loop, so they cannot be
  called from inside the simulation (a handler or a task): that raises
  ``ClientStateError``; await instead.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable, Coroutine
from typing import Any, Self, TypeVar

from minimq.core.client_id import host_ip
from minimq.errors import ClientStateError, ValidationError, WorldClosedError
from minimq.events import Event, WorldStarted
from minimq.model import MAX_VIRTUAL_MS
from minimq.sim.faults import FaultPlan
from minimq.sim.loop import VirtualTimeLoop, check_realtime_speed
from minimq.sim.network import Network
from minimq.trace import Trace

T = TypeVar("T")


def _int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be an int", value)
    return value


def _ms(what: str, value: object, now_ms: int = 0) -> float:
    """``value`` if it is a finite number of milliseconds >= 0 that keeps the clock (at
    ``now_ms``) within its limit."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValidationError(f"{what} must be a finite number of milliseconds >= 0", value)
    if now_ms + value > MAX_VIRTUAL_MS:
        raise ValidationError(
            f"{what} would take the clock from t={now_ms} ms past its limit of {MAX_VIRTUAL_MS} ms (about 3 years)",
            value,
        )
    return value


def _quiet_about_abandoned_tasks(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A world that is dropped without ``close()`` leaves client tasks pending: that is
    the simulation ending, not an error. Everything else is reported as usual."""
    if str(context.get("message", "")).startswith("Task was destroyed but it is pending"):
        return
    loop.default_exception_handler(context)


class Simulation:
    """The kernel of a simulated deployment: clock, randomness, network, faults, trace."""

    def __init__(self, seed: int = 0, *, latency_ms: int = 1, realtime_speed: float | None = None) -> None:
        # checked before anything is built, so a refused world leaves no open loop behind
        _int("World seed (the same seed gives the same run)", seed)
        if _int("latency_ms", latency_ms) < 0:
            raise ValidationError("latency_ms must be >= 0", latency_ms)
        check_realtime_speed(realtime_speed)
        self.seed = seed
        self.rng = random.Random(seed)
        self.loop = VirtualTimeLoop(0, realtime_speed)
        # the virtual time in integer ms, set by the loop as it advances: a plain attribute,
        # not a property, because a message reads it about 20 times (read it, never set it)
        self.now_ms = 0
        self.loop.on_advance = self._tick
        self.loop.set_exception_handler(_quiet_about_abandoned_tasks)
        self.trace = Trace()
        self.faults = FaultPlan(self)
        self.network = Network(self, latency_ms)
        self.disk: dict[str, dict[Any, int]] = {}  # broadcasting offsets.json per client
        self._client_seq = 0
        self._host_seq = 0
        self._closing = False  # close() has begun: the cancelled tasks may still record events
        self._closed = False  # close() has finished: nothing may act any more
        self.emit(WorldStarted(at_ms=0, seed=seed))

    # -- time and events ----------------------------------------------------------------
    def _tick(self, now_ms: int) -> None:
        self.now_ms = now_ms

    def emit(self, event: Event) -> None:
        if self._closed:
            raise WorldClosedError(f"record {type(event).__name__}")
        self.trace.emit(event)

    def call_later_ms(self, delay_ms: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        """Call ``callback`` after ``delay_ms`` of virtual time (rounded up to a whole ms)."""
        self._check_open("schedule a callback")
        if type(delay_ms) is not int or not 0 <= delay_ms <= MAX_VIRTUAL_MS - self.now_ms:  # the common case first
            _ms("call_later_ms delay_ms", delay_ms, self.now_ms)
        return self.loop.call_later(delay_ms / 1000, callback)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        self._check_open("start a task", coro)
        return self.loop.create_task(coro, name=name)

    def next_client_seq(self) -> int:
        self._check_open("number a new client")
        self._client_seq += 1
        return self._client_seq

    def next_host_ip(self) -> str:
        """The address of a new client host (``minimq.core.client_id.host_ip``)."""
        self._check_open("make a client host")
        self._host_seq += 1
        return host_ip(self._host_seq)

    def _check_open(self, action: str, coro: Coroutine[Any, Any, Any] | None = None) -> None:
        if self._closed:
            if coro is not None:
                coro.close()  # refused, not forgotten: no "coroutine was never awaited" warning
            raise WorldClosedError(action)

    def _check_outside(self, call: str, coro: Coroutine[Any, Any, Any] | None = None) -> None:
        """``call`` drives the loop, so it cannot run on the loop itself."""
        if self.loop.is_running():
            if coro is not None:
                coro.close()
            raise ClientStateError(
                f"{call} was called from inside the simulation (a handler or a task), where the loop is "
                "already running; await there instead, or call it once world.run() has returned"
            )

    # -- running ---------------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to completion on the virtual clock (clients keep running after)."""
        self._check_open("run a coroutine", coro)
        self._check_outside("world.run()", coro)
        return self.loop.run_until_complete(coro)  # type: ignore[no-any-return]

    def run_for(self, duration_ms: float) -> None:
        """Let ``duration_ms`` of virtual time pass: run until a timer set for then stops
        the loop (what is still ready at that moment runs on the next call)."""
        self._check_open("let time pass")
        _ms("run_for duration_ms", duration_ms, self.now_ms)
        self._check_outside("world.run_for()")
        loop = self.loop
        stop = loop.call_at((self.now_ms + duration_ms) / 1000, loop.stop)
        try:
            loop.run_forever()
        finally:
            stop.cancel()

    def run_until(self, at_ms: float) -> None:
        """Let virtual time pass until ``at_ms`` (no-op if it is already later)."""
        self._check_open("let time pass")
        _ms("run_until at_ms", at_ms)
        self._check_outside("world.run_until()")
        if at_ms > self.now_ms:
            self.run_for(at_ms - self.now_ms)

    def close(self) -> None:
        """Cancel every task still running and close the loop. Idempotent."""
        if self._closing:
            return
        self._check_outside("world.close()")
        self._closing = True
        loop = self.loop
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        left = len(pending)

        def one_done(_: asyncio.Task[Any]) -> None:
            nonlocal left
            left -= 1
            if not left:
                loop.stop()

        try:
            for task in pending:
                task.cancel()
                task.add_done_callback(one_done)
            if pending:
                loop.run_forever()  # until the last cancelled task has unwound (or nothing can run)
        finally:
            loop.close()
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
