"""One running incarnation of a push consumer: from start to shutdown or crash.

Owns: the session's tasks and tables, the offset table and its persistence, send-back,
and what a crash or a shutdown leaves behind (pulling is in ``pull``, rebalancing in
``rebalance``, consuming in ``consume_service``). Everything here dies with the
process; only what reached the broker (or, broadcasting, the local offsets file)
survives into the next incarnation. Mirrors RocketMQ's
``MQClientInstance.persistAllConsumerOffset`` and ``DefaultMQPushConsumerImpl.shutdown``;
shown in lesson 3.
Rules:
- At start the session sends a heartbeat, which makes it a member of its group
  (``heartbeat``), then rebalances (``rebalance``); nothing is registered before the
  heartbeat arrives.
- Offsets are persisted every 5 s (``persist_interval_ms``), the first time 10 s after
  start, as oneway requests.
- A request that reaches a broker restarted since this process last reached it travels
  on a new connection: the client sends a heartbeat and rebalances at once
  (``onChannelActive``, ``enableHeartbeatChannelEventListener=true``, 5.2.0 and later).
- Graceful shutdown interrupts running listeners (``shutdownNow``), unlocks an orderly
  consumer's queues (and waits for the answer), persists offsets (oneway) and leaves the
  group (a request). A crash does none of that.
- Each request goes to the address the process's copy of the route gives
  (``minimq.runtime.route``): with a slave, offsets go to the slave while the master is
  out of that copy, and the unregistration and a dead process's closed channel reach
  every broker of the name.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from minimq.core import delay
from minimq.core.offset_store import PERSIST_INITIAL_DELAY_MS, PERSIST_INTERVAL_MS, OffsetStore
from minimq.core.process_queue import ProcessQueue
from minimq.core.send_back import retry_message
from minimq.core.validators import retry_topic
from minimq.errors import RemotingError, RemotingTimeoutError
from minimq.events import (
    ConsumerCrashed,
    ConsumerShutdown,
    ConsumerStarted,
    OffsetCommittedLocally,
    OffsetPersisted,
    SendBackFailed,
)
from minimq.model import MessageExt, MessageQueue
from minimq.runtime.consume_service import ConcurrentConsumeService, OrderlyConsumeService
from minimq.runtime.heartbeat import Heartbeats
from minimq.runtime.producer import RETRY_TIMES_WHEN_SEND_FAILED, SEND_MSG_TIMEOUT_MS
from minimq.runtime.pull import Puller
from minimq.runtime.rebalance import LOCK_TIMEOUT_MS, REQUEST_TIMEOUT_MS, Rebalancer
from minimq.runtime.route import client_route
from minimq.runtime.waker import Waker
from minimq.sim.faults import CrashPoint

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.runtime.push_consumer import PushConsumer

SEND_BACK_TIMEOUT_MS = 5000
CHANNEL_EXPIRED_TIMEOUT_MS = 120_000  # BrokerConfig.channelExpiredTimeout


class ConsumerSession:
    """The volatile state of one consumer process."""

    def __init__(self, consumer: PushConsumer, client_id: str, restart: bool) -> None:
        c = consumer
        self.consumer = c
        self.world = c.world
        self.broker_name = c.broker_name  # the broker is reached by name, through the network
        self.client = c.name  # the process in the trace
        self.client_id = client_id  # what the broker knows this incarnation by (registration, allocation, locks)
        self.group = c.group
        self.handler = c.handler
        self.clustering = c.clustering
        self.orderly = c.orderly
        self.max_reconsume_times = delay.max_reconsume_times(c.max_reconsume_times, orderly=c.orderly)
        self.alive = True
        self.tasks: dict[asyncio.Task[Any], None] = {}  # insertion-ordered: cancel order is deterministic
        self.pq_table: dict[MessageQueue, ProcessQueue] = {}
        self.offset_store = OffsetStore()
        self.rebalance_waker = Waker(self.world.loop)
        self.service: ConcurrentConsumeService | OrderlyConsumeService = (
            OrderlyConsumeService(self, c.suspend_ms)
            if c.orderly
            else ConcurrentConsumeService(self, c.consume_threads)
        )
        self.topics = list(c.topics) + ([retry_topic(c.group)] if c.clustering else [])
        self.rebalancer = Rebalancer(self)
        self.heartbeats = Heartbeats(self)
        self.puller = Puller(self)
        self._restart = restart
        self.route = client_route(self.world, self.client, self.broker_name)  # MQClientInstance.brokerAddrTable
        # the incarnation of each broker this process is connected to
        self.broker_epochs = {name: self.world.network.route(name).epoch for name in self.route.addresses()}

    # -- life -------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = self.world.spawn(coro, name)
        self.tasks[task] = None
        task.add_done_callback(lambda done: self.tasks.pop(done, None))

    def start(self) -> None:
        w = self.world
        w.emit(
            ConsumerStarted(
                at_ms=w.now_ms,
                client=self.client,
                client_id=self.client_id,
                group=self.group,
                topics=tuple(self.consumer.topics),
                model=self.consumer.model.value,
                orderly=self.orderly,
                restart=self._restart,
                max_reconsume_times=self.max_reconsume_times,
            )
        )
        self.service.start()
        self.spawn(self.rebalancer.loop(), f"{self.client}-rebalance")
        self.spawn(self.heartbeats.loop(), f"{self.client}-heartbeat")  # joins the group
        self.spawn(self._persist_loop(), f"{self.client}-persist")
        if self.route.polled:
            self.spawn(self.route.poll_loop(), f"{self.client}-route")
        if self.orderly and self.clustering:
            self.spawn(self.rebalancer.lock_renew_loop(), f"{self.client}-lock")

    @property
    def channel(self) -> Callable[[], None]:
        """This process's connection to the broker: what the broker registers it by and
        pushes ``NOTIFY_CONSUMER_IDS_CHANGED`` down (it wakes the rebalance service)."""
        return self.rebalancer.wake

    def connected(self, broker: Broker) -> None:
        """A request of this process reached ``broker``: if the broker restarted since the
        last one (or this process never reached it: a master back in its route), the
        request opened a new connection, and the client heartbeats and rebalances
        (``MQClientInstance``'s ``ChannelEventListener.onChannelActive``)."""
        epoch = broker.life.epoch
        if epoch != self.broker_epochs.get(broker.name):
            self.broker_epochs[broker.name] = epoch
            self.spawn(self.heartbeats.channel_active(broker.name), f"{self.client}-reconnect")

    @property
    def broker(self) -> Broker:
        """The broker's route (its topics, queues and max offsets), looked up by name: the
        broker this process reads from (the slave while its route has no master)."""
        found = self.route.subscribe_target("route")
        broker: Broker = self.world.network.route(found.address if found is not None else self.broker_name)
        return broker

    def _stop_tasks(self) -> None:
        self.alive = False
        current = asyncio.current_task(self.world.loop)
        for task in list(self.tasks):
            if task is not current:
                task.cancel()
        for pq in self.pq_table.values():
            pq.dropped = True

    def crash(self, point: CrashPoint | str = "now") -> None:
        """The process dies: nothing is persisted, running listeners stop where they are."""
        if not self.alive:
            return
        w = self.world
        w.emit(
            ConsumerCrashed(
                at_ms=w.now_ms, client=self.client, group=self.group, point=str(getattr(point, "value", point))
            )
        )
        self._stop_tasks()
        # Each broker it was connected to sees the channel close and tells the other members.
        channel = self.channel
        for name in self.route.addresses():
            close = w.network.route(name).close_channel
            w.call_later_ms(w.network.latency_ms, functools.partial(close, self.group, channel))

    def maybe_crash(self, point: CrashPoint, msg: MessageExt) -> None:
        if self.world.faults.crash_at(self.client, point, msg):
            self.crash(point)
            raise asyncio.CancelledError

    def shutdown(self) -> None:
        """Graceful shutdown (``awaitTerminationMillisWhenShutdown = 0``), in
        ``DefaultMQPushConsumerImpl.shutdown``'s order: the listeners are interrupted; an
        orderly consumer unlocks all its queues (``unlockAll(false)``: a request, 1000 ms)
        and waits for the answer; the offsets are persisted (oneway); the consumer
        unregisters (``UNREGISTER_CLIENT``: a request, ``mqClientApiTimeout`` 3000 ms)."""
        if not self.alive:
            return
        self._stop_tasks()
        if self.orderly and self.clustering:
            self.world.spawn(self._unlock_all_then_leave(), f"{self.client}-shutdown")
        else:
            self._leave()

    async def _unlock_all_then_leave(self) -> None:
        mqs = sorted(self.pq_table)
        if mqs:
            # a failure is logged by RocketMQ; the broker's locks expire after 60 s
            with contextlib.suppress(RemotingError):
                await self.world.network.call(
                    self.route.master("unlock batch mq"),
                    lambda b: b.unlock(self.group, self.client_id, mqs),
                    what="unlock batch mq",
                    timeout_ms=LOCK_TIMEOUT_MS,
                )
        self._leave()

    def _leave(self) -> None:
        """Persist the offsets, then unregister (the request goes on after this returns)."""
        w = self.world
        self.persist_all("shutdown")
        w.emit(ConsumerShutdown(at_ms=w.now_ms, client=self.client, group=self.group))
        w.spawn(self._unregister(), f"{self.client}-unregister")

    async def _unregister(self) -> None:
        """``unregisterClient``: to every broker of the route, one after the other."""
        w = self.world
        channel = self.channel

        def unregister(broker: Broker) -> None:
            broker.unregister(self.group, channel)

        for name in self.route.addresses():
            try:
                await w.network.call(name, unregister, what="unregister client", timeout_ms=REQUEST_TIMEOUT_MS)
            except RemotingError:
                # The process is gone: the broker drops its silent channel when it expires
                # (ClientHousekeepingService, channelExpiredTimeout).
                expire = w.network.route(name).expire_channel
                w.call_later_ms(CHANNEL_EXPIRED_TIMEOUT_MS, functools.partial(expire, self.group, channel))

    # -- offsets ------------------------------------------------------------------------
    def commit_local(
        self,
        mq: MessageQueue,
        offset: int,
        *,
        increase_only: bool,
        msg: MessageExt | None,
        batch: Sequence[MessageExt] = (),
    ) -> None:
        """Move the local offset of ``mq``; then the crash point after a local commit of
        ``msg`` or of any message of ``batch`` (a batch listener's)."""
        if offset < 0 or not self.alive:
            return
        pq = self.pq_table.get(mq)
        if pq is None or pq.dropped:
            return
        if self.offset_store.update(mq, offset, increase_only):
            self.world.emit(
                OffsetCommittedLocally(
                    at_ms=self.world.now_ms,
                    client=self.client,
                    group=self.group,
                    topic=mq.topic,
                    queue_id=mq.queue_id,
                    offset=offset,
                )
            )
        if msg is not None:
            self.maybe_crash(CrashPoint.AFTER_LOCAL_COMMIT, msg)
        for each in batch:
            self.maybe_crash(CrashPoint.AFTER_LOCAL_COMMIT, each)

    def persist_all(self, via: str) -> None:
        """``persistAll``: one ``UPDATE_CONSUMER_OFFSET`` per owned queue, sent together."""
        items = self.offset_store.items(only=set(self.pq_table))
        if not self.clustering:
            for mq, offset in items:
                self.persist(mq, offset, via)
            return
        requests = [self._offset_request(mq, offset, via) for mq, offset in items]
        self._update_offsets(requests)

    def persist(self, mq: MessageQueue, offset: int, via: str) -> None:
        w = self.world
        if not self.clustering:  # LocalFileOffsetStore: write offsets.json
            disk = w.disk.setdefault(self.client, {})
            if disk.get((self.group, mq)) != offset:
                disk[(self.group, mq)] = offset
                w.emit(
                    OffsetPersisted(
                        at_ms=w.now_ms,
                        group=self.group,
                        topic=mq.topic,
                        queue_id=mq.queue_id,
                        offset=offset,
                        via=via,
                        client=self.client,
                        store="local",
                    )
                )
            return
        self._update_offsets([self._offset_request(mq, offset, via)])

    def _update_offsets(self, requests: list[tuple[Callable[[Broker], None], bool]]) -> None:
        """``updateConsumeOffsetToBroker`` (oneway): to the master, or to the slave while the
        route has no master (``findBrokerAddressInSubscribe(…, MASTER_ID, false)``). The
        client makes its channel as it sends (``getAndCreateChannel``): after a broker
        restart the batch opens a new one, which ``connected`` notices, even when a fault
        loses every request on it."""
        found = self.route.pull_target or self.route.subscribe_target("update consumer offset")
        if found is not None and requests:  # the batch goes down one channel, made anew after a restart
            requests.insert(0, (self.connected, False))
            self.world.network.oneway_all(found.address, requests, what="update consumer offset")

    def _offset_request(self, mq: MessageQueue, offset: int, via: str) -> tuple[Callable[[Broker], None], bool]:
        """The oneway request that stores ``offset`` at the broker, and whether it is lost."""
        lost = self.world.faults.offset_persist_lost(self.group, offset, mq, via)

        def update(broker: Broker) -> None:
            broker.update_offset(self.group, mq, offset, self.client, via)

        return update, lost

    async def _persist_loop(self) -> None:
        interval = self.consumer.persist_interval_ms
        via = "timer" if interval == PERSIST_INTERVAL_MS else f"timer {interval}"  # an interval of its own
        await asyncio.sleep(PERSIST_INITIAL_DELAY_MS / 1000)
        while True:
            self.persist_all(via)
            await asyncio.sleep(interval / 1000)

    # -- send-back ---------------------------------------------------------------------
    async def send_message_back(self, msg: MessageExt, delay_level: int) -> bool:
        """``DefaultMQPushConsumerImpl.sendMessageBack``: ``CONSUMER_SEND_MSG_BACK``
        (5000 ms), and if that raises, whatever the broker did meanwhile, the message to
        the retry topic as a normal message. A lost reply (``lose_send_back_reply``) makes
        the broker keep the copy it took and the fallback store a second one (P9)."""

        def send_back(broker: Broker) -> None:
            broker.send_back(self.group, msg.offset_msg_id, delay_level, self.max_reconsume_times)

        world = self.world
        try:
            await world.network.call(
                self.route.master("consumer send msg back"),
                send_back,
                what="consumer send msg back",
                timeout_ms=SEND_BACK_TIMEOUT_MS,
                reply_loss=lambda _: world.faults.send_back_reply_loss(self.group, msg),
            )
            return True
        except RemotingError as exc:
            self._send_back_failed(msg, "CONSUMER_SEND_MSG_BACK", 1, exc)
            return await self.send_as_normal_message(msg)

    async def send_as_normal_message(self, msg: MessageExt) -> bool:
        """``sendMessageBackAsNormalMessage`` (orderly: ``sendMessageBack``): the client's
        inner producer (``CLIENT_INNER_PRODUCER``, default settings) sends ``msg`` to
        ``%RETRY%<group>`` with its reconsume times + 1: up to 3 tries within 3000 ms, a
        fast failure tried again at once, a timeout not."""
        message = retry_message(msg, max_reconsume_times=self.max_reconsume_times)
        world = self.world
        begin = world.now_ms
        for attempt in range(1, RETRY_TIMES_WHEN_SEND_FAILED + 2):
            cost = world.now_ms - begin
            if attempt > 1 and cost >= SEND_MSG_TIMEOUT_MS:
                break
            try:
                await world.network.call(
                    self.route.master("send back as normal message"),
                    lambda b: b.put_retry_message(self.group, message),
                    what="send back as normal message",
                    timeout_ms=SEND_MSG_TIMEOUT_MS - cost,
                )
                return True
            except RemotingError as exc:
                self._send_back_failed(msg, "SEND_MESSAGE", attempt, exc)
                if isinstance(exc, RemotingTimeoutError):
                    break
        return False

    def _send_back_failed(self, msg: MessageExt, request: str, attempt: int, error: Exception) -> None:
        w = self.world
        w.emit(
            SendBackFailed(
                at_ms=w.now_ms,
                client=self.client,
                group=self.group,
                msg_id=msg.msg_id,
                offset_msg_id=msg.offset_msg_id,
                request=request,
                attempt=attempt,
                error=str(error),
            )
        )
