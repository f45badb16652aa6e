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
broker), is built with every world; ``world.broker`` is it. ``broker_crash(at_ms, ...)``
plans its crash and restart (path P13, ``minimq.runtime.broker_life``).
``World(slave=True)`` or ``add_slave("broker-a", slave_read_enable=...)`` gives it a slave,
``broker-a-s``, and a name server that routes clients to it while the master is gone
(path P14, ``minimq.runtime.replication``, ``minimq.runtime.route``); ``lose_master``
loses the master with its disk.

``quiet()`` says whether anything is left to happen, from the brokers' and the
consumers' statistics (``minimq.runtime.stats``), and ``run_until_quiet(limit_ms)`` lets
time pass until it is so: the one place that decides "the run is over".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from minimq.core.replication import SYNC_TIMINGS
from minimq.errors import ClientStateError, ValidationError
from minimq.runtime.broker import Broker
from minimq.runtime.pop_push_consumer import PopPushConsumer
from minimq.runtime.replication import HAService
from minimq.runtime.route import NameServer
from minimq.sim.kernel import Simulation

if TYPE_CHECKING:
    from minimq.model import MessageExt
    from minimq.runtime.producer import Producer
    from minimq.runtime.push_consumer import PushConsumer
    from minimq.runtime.simple_consumer import SimpleConsumer
    from minimq.runtime.transaction_producer import CheckListener, TransactionProducer

DEFAULT_BROKER = "broker-a"
QUIET_CHECK_MS = 1000  # the first look at whether the world is quiet
QUIET_CHECK_MAX_MS = 60_000  # the looks then come at doubling intervals, up to this
Handler = (
    Callable[["MessageExt"], Any]
    | Callable[["MessageExt"], Awaitable[Any]]
    | Callable[[list["MessageExt"], Any], Any]  # a batch listener (batch=True): handler(msgs, context)
)
MessageHandler = Callable[["MessageExt"], Any]  # one message at a time (a coroutine function too)


class World(Simulation):
    """The simulated deployment: the kernel, its brokers and its clients."""

    def __init__(
        self, seed: int = 0, *, latency_ms: int = 1, realtime_speed: float | None = None, slave: bool = False
    ) -> None:
        if not isinstance(slave, bool):
            raise ValidationError("slave must be True or False", slave)
        super().__init__(seed, latency_ms=latency_ms, realtime_speed=realtime_speed)
        self.brokers: dict[str, Broker] = {}
        self.broker: Broker = self._add_broker(DEFAULT_BROKER)
        self.slaves: dict[str, Broker] = {}  # broker name -> its slave (add_slave)
        self.name_server: NameServer | None = None  # made with the first slave
        self.consumers: list[PushConsumer] = []  # every push consumer handed out, in order
        self.pop_consumers: list[SimpleConsumer | PopPushConsumer] = []  # every POP client handed out
        self._planned = 0  # broker crashes and restarts still to come (broker_crash)
        if slave:
            self.add_slave(DEFAULT_BROKER)

    def _add_broker(self, name: str) -> Broker:
        broker = Broker(self, name)
        self.brokers[name] = broker
        self.network.register(name, broker)
        return broker

    def add_slave(self, broker: str = DEFAULT_BROKER, *, slave_read_enable: bool = False, sync: str = "5.x") -> Broker:
        """Give ``broker`` a slave (``brokerId`` 1, named ``<broker>-s``), replicated from it
        asynchronously, and a name server that routes clients to the slave while the master
        is out of the route. ``slave_read_enable`` is ``BrokerConfig.slaveReadEnable`` of the
        pair (5.x default False: the slave refuses pulls); ``sync`` the slave's offset sync
        timing, ``"5.x"`` (every 63 s) or ``"4.9.8"`` (every 10 s). See
        ``minimq.runtime.replication``."""
        self._check_open("add a slave")
        master = self.brokers.get(broker)
        if master is None:
            raise ValidationError(f"no broker of that name (brokers: {', '.join(self.brokers)})", broker)
        if broker in self.slaves:
            raise ClientStateError(f"broker {broker!r} has a slave already: {self.slaves[broker].name}")
        if not master.alive:
            raise ClientStateError(f"broker {broker!r} is down; a slave connects to a running master")
        if not isinstance(slave_read_enable, bool):
            raise ValidationError("slave_read_enable must be True or False", slave_read_enable)
        if sync not in SYNC_TIMINGS:
            raise ValidationError(f"sync must be one of {', '.join(SYNC_TIMINGS)}", sync)
        if self.name_server is None:
            self.name_server = NameServer(self)
        slave = Broker(self, f"{broker}-s")
        self.network.register(slave.name, slave)
        master.slave_read_enable = slave.slave_read_enable = slave_read_enable
        HAService(self, master, slave, self.name_server, SYNC_TIMINGS[sync])
        self.slaves[broker] = slave
        return slave

    def lose_master(self, at_ms: int, *, broker: str = DEFAULT_BROKER) -> None:
        """Plan the loss of ``broker``'s master at ``at_ms``, disk and all: it never comes
        back, its slave serves reads, and what the slave had not copied yet is lost."""
        self._check_open("lose a master")
        if broker not in self.slaves:
            raise ValidationError("only a broker with a slave can be lost (add_slave first)", broker)
        if isinstance(at_ms, bool) or not isinstance(at_ms, int) or at_ms < self.now_ms:
            raise ValidationError(f"at_ms must be a whole millisecond, now ({self.now_ms}) or later", at_ms)
        ha = self.brokers[broker].ha
        assert ha is not None

        def lose() -> None:
            self._planned -= 1
            ha.lose_master()

        self._planned += 1
        self.call_later_ms(at_ms - self.now_ms, lose)

    def serving(self, broker: str) -> Broker:
        """The broker that serves ``broker``'s readers now: the master while it runs, else
        its slave (if it has one)."""
        master = self.brokers[broker]
        return master if master.alive or broker not in self.slaves else self.slaves[broker]

    def producer(self, group: str, **options: Any) -> Producer:
        from minimq.runtime.producer import Producer

        self._check_open("create a producer")
        return Producer(self, group, broker=DEFAULT_BROKER, **options)

    def transaction_producer(self, group: str, check_listener: CheckListener, **options: Any) -> TransactionProducer:
        """A transactional producer of ``group``, started: the broker checks back with
        ``check_listener`` (``minimq.runtime.transaction_producer``)."""
        from minimq.runtime.transaction_producer import TransactionProducer

        self._check_open("create a producer")
        return TransactionProducer(self, group, check_listener, broker=DEFAULT_BROKER, **options)

    def push_consumer(self, group: str, topics: str | Sequence[str], handler: Handler, **options: Any) -> PushConsumer:
        from minimq.runtime.push_consumer import PushConsumer

        self._check_open("create a push consumer")
        consumer = PushConsumer(self, group, topics, handler, broker=DEFAULT_BROKER, **options)
        self.consumers.append(consumer)
        return consumer

    def simple_consumer(self, group: str, topics: str | Sequence[str], **options: Any) -> SimpleConsumer:
        """A RocketMQ 5.x ``SimpleConsumer`` (POP): ``receive``, ``ack``,
        ``change_invisible_duration`` (``minimq.runtime.simple_consumer``)."""
        from minimq.runtime.simple_consumer import SimpleConsumer

        self._check_open("create a simple consumer")
        consumer = SimpleConsumer(self, group, topics, broker=DEFAULT_BROKER, **options)
        self.pop_consumers.append(consumer)
        return consumer

    def pop_push_consumer(self, group: str, topic: str, handler: MessageHandler, **options: Any) -> PopPushConsumer:
        """A RocketMQ 5.x gRPC ``PushConsumer``: POP with the proxy's auto-renew, a
        listener, ack or nack (``minimq.runtime.pop_push_consumer``)."""
        self._check_open("create a push consumer")
        consumer = PopPushConsumer(self, group, topic, handler, broker=DEFAULT_BROKER, **options)
        self.pop_consumers.append(consumer)
        return consumer

    def broker_crash(
        self,
        at_ms: int,
        *,
        down_ms: int | None = None,
        lose_unflushed: bool = False,
        broker: str = DEFAULT_BROKER,
    ) -> None:
        """Plan a crash of ``broker`` at ``at_ms`` and, ``down_ms`` later, its restart (None:
        it stays down until ``world.broker.restart()``). ``lose_unflushed``: the machine
        goes down too (an OS crash, a power loss), and the commit log loses what it had not
        flushed. See ``minimq.runtime.broker_life``."""
        self._check_open("plan a broker crash")
        target = self.brokers.get(broker)
        if target is None:
            raise ValidationError(f"no broker of that name (brokers: {', '.join(self.brokers)})", broker)
        if isinstance(at_ms, bool) or not isinstance(at_ms, int) or at_ms < self.now_ms:
            raise ValidationError(f"at_ms must be a whole millisecond, now ({self.now_ms}) or later", at_ms)
        if down_ms is not None and (isinstance(down_ms, bool) or not isinstance(down_ms, int) or down_ms < 1):
            raise ValidationError("down_ms must be a whole number of milliseconds, 1 or more (or None)", down_ms)
        if not isinstance(lose_unflushed, bool):
            raise ValidationError("lose_unflushed must be True or False", lose_unflushed)

        def crash() -> None:
            self._planned -= 1
            target.crash(lose_unflushed=lose_unflushed)

        def restart() -> None:
            self._planned -= 1
            target.restart()

        self._planned += 1
        self.call_later_ms(at_ms - self.now_ms, crash)
        if down_ms is not None:
            self._planned += 1
            self.call_later_ms(at_ms + down_ms - self.now_ms, restart)

    # -- is anything left to happen? ---------------------------------------------------
    def quiet(self, busy: Callable[[], bool] | None = None) -> bool:
        """Nothing is left to happen, as far as the brokers and the consumers can tell:
        - every broker runs (but a master lost with its disk, which never will), no crash
          or restart planned by ``broker_crash`` or ``lose_master`` is still to come, and
          every running master's slave has copied all it stores;
        - no broker holds a retry copy waiting for its delay (in
          ``SCHEDULE_TOPIC_XXXX``), or a half message not
          resolved yet (its transaction still to be committed, rolled back or
          discarded, or its op record still to be written), or a POP checkpoint neither
          acked nor revived (a popped message still invisible);
        - every running POP push consumer has nothing cached or being consumed, and nothing
          left to receive (a SimpleConsumer receives when its application says: that is
          the application's ``busy()``);
        - every running consumer has consumed every queue it owns up to the broker's max
          offset, no operator's reset of it waits for the next pull, and nothing is in
          flight (a handler still running counts: the consume-timeout scan and a
          rebalance take a message out of the process queue while its handler goes on,
          but it stays in flight until it returns);
        - no running consumer has a rebalance due (it started, or a member joined or left,
          and it has not rebalanced since: a queue one member gave up waits for the other,
          which may rebalance only 1 s after its last round);
        - every group has settled (``_settled``): each has a running member (a group
          whose consumers are all down is not quiet: they are expected back), and every
          queue of its topics is owned by the member a rebalance would give it now.
          Before the first rebalance nobody owns anything; after a member crashes or
          joins, its queues have no owner or the wrong one until the others rebalance,
          and the new owner then delivers again from the broker's offset. A world with
          no consumer at all is quiet once its brokers are;
        - and ``busy()``, the application's own say (a task still sending, a handler of
          its own still running, a process it will restart), is false."""
        if self._planned or any(
            s.down or s.scheduled_retries or s.unresolved_halves or s.pop_checkpoints
            for s in (b.stats() for b in self.brokers.values() if b.ha is None or not b.ha.disk_lost)
        ):
            return False
        if any(b.ha is not None and b.alive and b.ha.behind for b in self.brokers.values()):
            return False  # the slave has copies still to take
        if busy is not None and busy():
            return False
        running = [c for c in self.consumers if c.running]
        if not all(c.stats().done for c in running):
            return False
        if not all(c.done for c in self.pop_consumers if isinstance(c, PopPushConsumer) and c.running):
            return False
        return all(self._settled(group) for group in sorted({c.group for c in self.consumers}))

    def _settled(self, group: str) -> bool:
        """``group``'s queues have the owners a rebalance would give them now: the broker
        lists exactly the group's running members (a crashed member leaves the list one
        network hop after it dies), and each of them owns what its allocation gives it."""
        running = [c for c in self.consumers if c.group == group and c.running]
        if not running:
            return False
        clustering = [c.session.client_id for c in running if c.clustering and c.session is not None]
        broker = self.serving(running[0].broker_name)
        if clustering and broker.consumer_ids(group) != sorted(clustering):
            return False
        return all(c.assigned() == c.due_queues() for c in running)

    def run_until_quiet(
        self,
        limit_ms: int,
        *,
        busy: Callable[[], bool] | None = None,
        between: Callable[[], None] | None = None,
    ) -> bool:
        """Let time pass until the world is ``quiet(busy)``, for at most ``limit_ms``;
        True when it is. It looks after ``QUIET_CHECK_MS`` (1 s), then at doubling
        intervals up to ``QUIET_CHECK_MAX_MS`` (a minute): a retry ladder of hours needs no
        look every second, so the run may go on up to that long after the last event.
        ``between()`` is called after each stretch and may raise to end the run early."""
        if isinstance(limit_ms, bool) or not isinstance(limit_ms, int) or limit_ms < 0:
            raise ValidationError("limit_ms must be a whole number of milliseconds, 0 or more", limit_ms)
        deadline = self.now_ms + limit_ms
        interval = QUIET_CHECK_MS
        while not self.quiet(busy):
            if self.now_ms >= deadline:
                return False
            self.run_for(min(interval, deadline - self.now_ms))
            if between is not None:
                between()
            interval = min(interval * 2, QUIET_CHECK_MAX_MS)
        return True
