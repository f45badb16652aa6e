"""A world: one broker, its clients, a virtual clock, one seed and one trace.

Owns: the wiring of a simulation and the entry points that run it. Everything random in
a world comes from ``world.rng``, a ``random.Random(seed)``; the module-level ``random``
is never used. Same seed, same program: same trace, byte for byte.

    world = World(seed=7)
    world.broker.create_topic("order-paid")
    producer = world.producer("order-system")
    consumer = world.push_consumer("coupon-system", "order-paid", handle)
    consumer.start()
    world.run(main())          # run a coroutine to completion on the virtual clock
    world.run_for(60_000)      # let a simulated minute pass
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from minimq.events import Event, WorldStarted
from minimq.sim.faults import FaultPlan
from minimq.sim.loop import VirtualTimeLoop
from minimq.sim.network import Network
from minimq.trace import Trace

if TYPE_CHECKING:
    from minimq.model import MessageExt
    from minimq.runtime.broker import Broker
    from minimq.runtime.producer import Producer
    from minimq.runtime.push_consumer import PushConsumer

T = TypeVar("T")
Handler = Callable[["MessageExt"], Any] | Callable[["MessageExt"], Awaitable[Any]]


def _quiet_about_abandoned_tasks(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A world that is dropped without ``close()`` leaves client tasks pending: that is
    the simulation ending, not an error. Everything else is reported as usual."""
    if str(context.get("message", "")).startswith("Task was destroyed but it is pending"):
        return
    loop.default_exception_handler(context)


class World:
    """The simulated deployment: clock, randomness, network, broker, clients, trace."""

    def __init__(self, seed: int = 0, *, latency_ms: int = 1, realtime_speed: float | None = None) -> None:
        from minimq.runtime.broker import Broker

        self.seed = seed
        self.rng = random.Random(seed)
        self.loop = VirtualTimeLoop(0, realtime_speed)
        self.loop.set_exception_handler(_quiet_about_abandoned_tasks)
        self.trace = Trace()
        self.faults = FaultPlan(self)
        self.network = Network(self, latency_ms)
        self.broker: Broker = Broker(self)
        self.disk: dict[str, dict[Any, int]] = {}  # broadcasting offsets.json per client
        self._client_seq = 0
        self._closed = False
        self.emit(WorldStarted(0, seed))

    # -- time and events ----------------------------------------------------------------
    @property
    def now_ms(self) -> int:
        return self.loop._now_ms  # read ~20 times a message: skip the loop's property

    def emit(self, event: Event) -> None:
        self.trace.emit(event)

    def call_later_ms(self, delay_ms: int, callback: Callable[[], object]) -> asyncio.TimerHandle:
        return self.loop.call_later(delay_ms / 1000, callback)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        return self.loop.create_task(coro, name=name)

    def next_client_seq(self) -> int:
        self._client_seq += 1
        return self._client_seq

    # -- clients -------------------------------------------------------------------------
    def producer(self, group: str, **options: Any) -> Producer:
        from minimq.runtime.producer import Producer

        return Producer(self, group, **options)

    def push_consumer(self, group: str, topics: str | Sequence[str], handler: Handler, **options: Any) -> PushConsumer:
        from minimq.runtime.push_consumer import PushConsumer

        return PushConsumer(self, group, topics, handler, **options)

    # -- running ---------------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` to completion on the virtual clock (clients keep running after)."""
        if self._closed:
            raise RuntimeError("this world is closed")
        return self.loop.run_until_complete(coro)  # type: ignore[no-any-return]

    def run_for(self, duration_ms: int) -> None:
        """Let ``duration_ms`` of virtual time pass: run until a timer set for then stops
        the loop (what is still ready at that moment runs on the next call)."""
        if self._closed:
            raise RuntimeError("this world is closed")
        loop = self.loop
        stop = loop.call_at((self.now_ms + duration_ms) / 1000, loop.stop)
        try:
            loop.run_forever()
        finally:
            stop.cancel()

    def run_until(self, at_ms: int) -> None:
        """Let virtual time pass until ``at_ms`` (no-op if it is already later)."""
        if at_ms > self.now_ms:
            self.run_for(at_ms - self.now_ms)

    def close(self) -> None:
        """Cancel every task still running and close the loop."""
        if self._closed:
            return
        self._closed = True
        loop = self.loop
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        left = len(pending)

        def one_done(_: asyncio.Task[Any]) -> None:
            nonlocal left
            left -= 1
            if not left:
                loop.stop()

        for task in pending:
            task.cancel()
            task.add_done_callback(one_done)
        if pending:
            loop.run_forever()  # until the last cancelled task has unwound (or nothing can run)
        loop.close()

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
