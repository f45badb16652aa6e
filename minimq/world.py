"""A world: the brokers and the clients of one simulated deployment, on one kernel.

Owns: the composition root. ``World`` is a ``Simulation`` (the kernel: clock, seed,
trace, network, faults) that builds the brokers, registers each on the network under its
name, and hands out clients that address a broker by that name. Nothing below this
module knows that brokers and clients meet here; the runtime sees only the kernel.

    world = World(seed=7)
    world.broker.create_topic("order-paid")
    producer = world.producer("order-system")
    consumer = world.push_consumer("coupon-system", "order-paid", handle)
    consumer.start()
    world.run(main())          # run a coroutine to completion on the virtual clock
    world.run_for(60_000)      # let a simulated minute pass

One broker, ``broker-a`` (the name RocketMQ's sample configurations give the first
broker), is built with every world; ``world.broker`` is it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from minimq.runtime.broker import Broker
from minimq.sim.kernel import Simulation

if TYPE_CHECKING:
    from minimq.model import MessageExt
    from minimq.runtime.producer import Producer
    from minimq.runtime.push_consumer import PushConsumer

DEFAULT_BROKER = "broker-a"
Handler = Callable[["MessageExt"], Any] | Callable[["MessageExt"], Awaitable[Any]]


class World(Simulation):
    """The simulated deployment: the kernel, its brokers and its clients."""

    def __init__(self, seed: int = 0, *, latency_ms: int = 1, realtime_speed: float | None = None) -> None:
        super().__init__(seed, latency_ms=latency_ms, realtime_speed=realtime_speed)
        self.brokers: dict[str, Broker] = {}
        self.broker: Broker = self._add_broker(DEFAULT_BROKER)

    def _add_broker(self, name: str) -> Broker:
        broker = Broker(self, name)
        self.brokers[name] = broker
        self.network.register(name, broker)
        return broker

    def producer(self, group: str, **options: Any) -> Producer:
        from minimq.runtime.producer import Producer

        self._check_open("create a producer")
        return Producer(self, group, broker=DEFAULT_BROKER, **options)

    def push_consumer(self, group: str, topics: str | Sequence[str], handler: Handler, **options: Any) -> PushConsumer:
        from minimq.runtime.push_consumer import PushConsumer

        self._check_open("create a push consumer")
        return PushConsumer(self, group, topics, handler, broker=DEFAULT_BROKER, **options)
