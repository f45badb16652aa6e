"""A broker name's master and slave: replication, the slave's offset sync, reads from the slave.

Owns: ``HAService``, one per broker name with a slave (``World.add_slave``): the master's
asynchronous replication to the slave (RocketMQ's ``DefaultHAService``,
``DefaultHAConnection``, ``DefaultHAClient``), the slave's name-server registrations and
its periodic sync (``BrokerController``, ``SlaveSynchronize``), the pulls a slave answers
(``PullMessageProcessor`` on a ``SLAVE``), and what the master's death and return do to
them. The rules and their defaults are ``minimq.core.replication``'s, the routes
``minimq.runtime.route``'s; tests/test_failover.py runs them and lesson 16
(broker-failover) tells them (path P14).
Rules:
- Every write to the master reaches the slave at the HA write service's next turn (it
  waits 100 ms while there is nothing to send), one network hop later
  (``MessagesReplicated``).
- When the master dies the HA connection goes with it: the slave keeps what it copied
  (``ReplicationLagged`` counts what it lacks), and the master leaves the name server's
  route one hop later. A restarted master registers again; the slave's HA client, which
  tries every 5 s, connects again and copies the rest. A master whose disk is lost
  (``World.lose_master``) never comes back, and what the slave lacked is lost.
- A slave answers pulls only with ``slaveReadEnable`` (otherwise ``SYSTEM_BUSY``), and
  never corrects an offset past its queue's end (``offsetCheckInSlave=false``): such a
  pull waits for the copies.
- The slave registers with the name server when it starts and every 30 s from 10 s, and
  learns from each registration where the master is (nowhere while the master is out of
  the route). It checks every 3 s from 10 s whether to sync; when more than 60 s have
  passed since the last sync it asks that master for its consumer offsets and puts every
  one of them into its own table (``OffsetSyncedFromMaster`` for each entry that changed),
  newer or older than its own. A master that does not answer changes nothing, and the
  next sync is 60 s later all the same (4.9.8: every 10 s).
Simplifications: the slave never crashes, restarts or is promoted (no controller, no
slave acting master: ``enableSlaveActingMaster=false``); a slave that has nothing to
answer holds the pull like a master (5.x answers ``PULL_RETRY_IMMEDIATELY`` and the client
pulls again at once, a loop of round trips until a copy arrives: the same deliveries,
without the loop); the slave learns the master's topics with each transfer (RocketMQ
syncs topic configs in ``syncAll``), and of ``syncAll`` only the consumer offsets are
modelled; a master with a slave cannot take an OS crash (``lose_unflushed``): its slave
would hold copies the recovered master lacks.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from minimq.core.replication import (
    MASTER_ID,
    REGISTER_FIRST_MS,
    REGISTER_NAME_SERVER_PERIOD_MS,
    SLAVE_ID,
    BrokerRole,
    SyncTiming,
    next_transfer_ms,
    put_all,
    reconnect_ms,
    reject_pull,
    sync_due,
)
from minimq.errors import ClientStateError, RemotingError, ValidationError
from minimq.events import MessagesReplicated, OffsetSyncedFromMaster, ReplicationLagged
from minimq.runtime.broker import PullResult

if TYPE_CHECKING:
    from minimq.model import MessageQueue
    from minimq.runtime.broker import Broker
    from minimq.runtime.route import NameServer
    from minimq.sim.kernel import Simulation

SYNC_TIMEOUT_MS = 3000  # BrokerOuterAPI.getAllConsumerOffset: invokeSync(..., 3000)


class HAService:
    """The master and the slave of one broker name, and the link between them."""

    def __init__(
        self, world: Simulation, master: Broker, slave: Broker, name_server: NameServer, timing: SyncTiming
    ) -> None:
        self._world = world
        self.master, self.slave, self.name_server = master, slave, name_server
        self.name = master.name
        self._timing = timing
        self.disk_lost = False
        self._losing_disk = False
        self._connected_ms: int | None = world.now_ms  # when the HA connection (re)opened; None: none
        self._lost_ms = 0
        self._sent = 0  # master commit-log entries sent to the slave so far
        self._transfer: asyncio.TimerHandle | None = None
        self._started_ms = world.now_ms
        self._last_sync_ms = world.now_ms  # lastSyncTimeMs: set when the slave is made
        master.role, slave.role = BrokerRole.ASYNC_MASTER, BrokerRole.SLAVE
        master.ha = slave.ha = self
        name_server.register(self.name, MASTER_ID, master.name)
        name_server.register(self.name, SLAVE_ID, slave.name)
        self._master_address = name_server.master_address(self.name)  # SlaveSynchronize.masterAddr
        world.call_later_ms(REGISTER_FIRST_MS, lambda: self._register(1))
        world.call_later_ms(timing.first_ms, lambda: self._check_sync(1))
        if master.store.writes:
            self.written()  # a slave added to a running master copies its commit log from the start

    @property
    def master_live(self) -> bool:
        """Whether the name server lists the master (the slave then mirrors it)."""
        return self.name_server.master_address(self.name) is not None

    @property
    def behind(self) -> int:
        """Stored copies the master holds and the slave does not (yet)."""
        return self.master.store.copies_after(self.slave.store.writes)

    # -- replication (HAConnection, HAClient) ----------------------------------------------
    def written(self) -> None:
        """The master wrote: the write service sends it at its next turn."""
        if self._transfer is None and self._connected_ms is not None:
            now = self._world.now_ms
            self._transfer = self._world.call_later_ms(next_transfer_ms(now, self._connected_ms) - now, self._send)

    def _send(self) -> None:
        self._transfer = None
        self._sent = upto = self.master.store.writes
        self._world.call_later_ms(self._world.network.latency_ms, lambda: self._receive(upto))

    def _receive(self, upto: int) -> None:
        copied = self.slave.store.replicate(self.master.store, upto)
        if not copied:
            return
        w = self._world
        w.emit(
            MessagesReplicated(
                at_ms=w.now_ms, master=self.master.name, slave=self.slave.name, count=len(copied), writes=upto
            )
        )
        for mq in dict.fromkeys(m.queue for m in copied):
            self.slave.holds.notify_arriving(mq)

    # -- the master's death and return (hooks of BrokerLife) --------------------------------
    def check_crash(self, broker: Broker, lose_unflushed: bool) -> None:
        """Refuse what is not modelled: the slave's crash, the master's OS crash."""
        if broker is self.slave:
            raise ClientStateError(f"the crash of a slave ({broker.name!r}) is not modelled; crash its master")
        if lose_unflushed:
            raise ValidationError(
                "an OS crash of a master with a slave is not modelled (its slave would hold copies the recovered "
                "master lacks); crash its process, or lose it with its disk: World.lose_master",
                lose_unflushed,
            )

    def master_crashed(self) -> None:
        """The master process died: the HA connection and its name-server channel close."""
        w = self._world
        if self._transfer is not None:
            self._transfer.cancel()
            self._transfer = None
        self._connected_ms, self._lost_ms = None, w.now_ms
        self.disk_lost = self._losing_disk
        not_copied = self.master.store.copies_after(self._sent)
        if not_copied or self.disk_lost:
            w.emit(
                ReplicationLagged(
                    at_ms=w.now_ms,
                    master=self.master.name,
                    slave=self.slave.name,
                    not_copied=not_copied,
                    disk_lost=self.disk_lost,
                )
            )
        w.call_later_ms(w.network.latency_ms, self._channel_closed)

    def _channel_closed(self) -> None:
        if not self.master.alive:
            self.name_server.unregister(self.name, MASTER_ID)

    def lose_master(self) -> None:
        """The master's machine is lost with its disk: it dies now and never returns."""
        self._losing_disk = True
        self.master.crash()

    def check_restart(self) -> None:
        if self.disk_lost:
            raise ClientStateError(f"broker {self.name!r} lost its disk: it cannot restart (its slave holds the data)")

    def master_restarted(self) -> None:
        """The master is back: it registers (one hop later); the slave reconnects at its
        next try and copies what it lacks."""
        w = self._world
        w.call_later_ms(w.network.latency_ms, self._registered)
        back = reconnect_ms(self._lost_ms, w.now_ms)
        w.call_later_ms(back - w.now_ms, self._reconnected)

    def _registered(self) -> None:
        if self.master.alive:
            self.name_server.register(self.name, MASTER_ID, self.master.name)

    def _reconnected(self) -> None:
        if self.master.alive and self._connected_ms is None:
            self._connected_ms = self._world.now_ms
            if self.master.store.writes > self._sent:
                self.written()

    # -- the slave: registrations and sync (BrokerController, SlaveSynchronize) -------------
    def _register(self, n: int) -> None:
        """The slave's n-th scheduled registration: it learns where the master is."""
        self.name_server.register(self.name, SLAVE_ID, self.slave.name)
        self._master_address = self.name_server.master_address(self.name)
        due = self._started_ms + REGISTER_FIRST_MS + n * REGISTER_NAME_SERVER_PERIOD_MS
        self._world.call_later_ms(due - self._world.now_ms, lambda: self._register(n + 1))

    def _check_sync(self, n: int) -> None:
        """The n-th check of the slave's sync task."""
        w, timing = self._world, self._timing
        due = self._started_ms + timing.first_ms + n * timing.check_ms
        w.call_later_ms(due - w.now_ms, lambda: self._check_sync(n + 1))
        if sync_due(timing, w.now_ms, self._last_sync_ms):
            w.spawn(self._sync(), f"{self.slave.name}-sync")

    async def _sync(self) -> None:
        """``syncConsumerOffset``: the master's whole table, put into the slave's."""
        w, address = self._world, self._master_address
        table: dict[tuple[str, str, int], int] | None = None
        if address is not None:
            try:
                table = await w.network.call(
                    address, _offset_table, what="get all consumer offset", timeout_ms=SYNC_TIMEOUT_MS
                )
            except RemotingError:
                table = None  # logged by RocketMQ: "SyncConsumerOffset Exception"
        if table is not None:
            for (group, topic, queue_id), offset, previous in put_all(self.slave.offsets, table):
                w.emit(
                    OffsetSyncedFromMaster(
                        at_ms=w.now_ms,
                        master=address or "",
                        slave=self.slave.name,
                        group=group,
                        topic=topic,
                        queue_id=queue_id,
                        offset=offset,
                        previous=-1 if previous is None else previous,
                    )
                )
        self._last_sync_ms = w.now_ms

    # -- a pull the slave answers -----------------------------------------------------------
    async def slave_pull(self, mq: MessageQueue, offset: int, max_nums: int, suspend_ms: int) -> PullResult:
        """``PullMessageProcessor`` on the slave: refused without ``slaveReadEnable``; held
        while there is nothing at ``offset``; never moved back to the queue's end."""
        slave = self.slave
        if reject_pull(slave.role, slave.slave_read_enable):
            return PullResult([], offset, slave.store.max_offset(mq), refused="SYSTEM_BUSY")
        if mq.topic not in slave.store.topics:  # not copied yet
            return PullResult([], offset, 0, refused="TOPIC_NOT_EXIST")
        msgs = slave.store.get(mq, offset, max_nums)
        if not msgs and suspend_ms > 0:
            await slave.holds.hold(mq, suspend_ms)
            msgs = slave.store.get(mq, offset, max_nums)
        return PullResult(msgs, offset + len(msgs), slave.store.max_offset(mq))


def _offset_table(broker: Broker) -> dict[tuple[str, str, int], int]:
    """``GET_ALL_CONSUMER_OFFSET`` on the master: its table as it is in memory."""
    return broker.offsets.snapshot()
