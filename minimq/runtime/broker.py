"""The broker: stores messages, answers pulls, keeps offsets and consumer groups.

Owns: the request handlers of RocketMQ's broker, over the sans-I/O core. Mirrors
``SendMessageProcessor``, ``PullMessageProcessor`` (holding pulls in ``long_polling``),
``ConsumerManageProcessor``, and the broker's doors to ``ConsumerManager`` and
``RebalanceLockManager`` (``minimq.core.groups``); a consumer's send-back is handled by
``minimq.runtime.send_back``, POP consumption (5.x) by ``minimq.runtime.pop_service``.
Rules kept here:
- Topics are created explicitly (``autoCreateTopicEnable=false``); a send to an unknown
  topic is refused and nothing is stored.
- A pull that finds nothing is held (long polling, ``minimq.runtime.long_polling``):
  answered as soon as a message arrives in that queue, or by the hold service's 5 s
  check once 15 s have passed.
- A pull carries the consumer's offset, which the broker stores (piggyback commit).
- The next pull of a queue reset by an operator gets ``PULL_OFFSET_MOVED`` (``admin``).
- A half message (``TRAN_MSG``) goes to ``minimq.runtime.transaction``, which also
  answers ``END_TRANSACTION`` and checks back with the producers.
- A consumer's heartbeat creates its group's retry topic (1 queue). The members a
  registration or an unregistration concerns are told to rebalance
  (``NOTIFY_CONSUMER_IDS_CHANGED``, oneway, down each member's channel).
- A pull from a group with no member registered is refused (``SUBSCRIPTION_NOT_EXIST``):
  after a restart, until the consumers' heartbeats come back. A pull from an offset past
  the queue's max offset is answered ``PULL_OFFSET_MOVED`` (``offset_range``).
- The broker can crash and restart (``crash``, ``restart``: ``broker_life``); what it
  changes is flushed to disk on RocketMQ's schedule, and a restart goes back to that.
- A broker is a master (``ASYNC_MASTER``) unless ``World.add_slave`` made it the slave of
  its broker name (``minimq.runtime.replication``): a slave answers pulls only with
  ``slaveReadEnable``, stores the offset updates it gets (``OffsetPersisted`` with
  ``store="slave"``), and gets its copies and topics from its master.

Simplifications: a dead consumer's channel closes at once (process crash), so it leaves
the group without the 120 s channel expiry; only a broker that has restarted refuses a
pull from a group it lists no member of (one that never did takes it: a test's direct
pull, a broadcasting consumer whose first heartbeat failed); a slave's topics and group
members are not in the trace while its master is in the route (they mirror the
master's: every consumer heartbeats both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.core.groups import ConsumerManager, RebalanceLockManager
from minimq.core.offsets import ConsumerOffsetTable
from minimq.core.replication import SLAVE_READ_ENABLE, BrokerRole
from minimq.core.send_back import RETRY_QUEUE_NUMS, Copy, RetryMessage
from minimq.core.store import MessageStore
from minimq.core.transaction import PROPERTY_TRANSACTION_PREPARED
from minimq.core.validators import check_group, check_new_topic, is_system_topic, retry_topic
from minimq.errors import UnknownTopic, ValidationError
from minimq.events import ConsumerRegistered, ConsumerUnregistered, MessageStored, OffsetPersisted, TopicCreated
from minimq.model import Message, MessageExt, MessageQueue, SendResult, SendStatus
from minimq.runtime import admin, offset_range
from minimq.runtime.broker_life import BrokerLife
from minimq.runtime.long_polling import PullRequestHoldService
from minimq.runtime.pop_service import PopService
from minimq.runtime.send_back import SendBackService
from minimq.runtime.stats import BrokerStats
from minimq.runtime.transaction import TransactionService

if TYPE_CHECKING:
    from minimq.runtime.replication import HAService
    from minimq.sim.kernel import Simulation

Channel = Callable[[], None]  # a client's connection: the broker pushes notifications down it
DEFAULT_TOPIC_QUEUE_NUMS = 4  # min(producer 4, broker TBW102 8)
BROKER_SUSPEND_MAX_TIME_MS = 15_000


@dataclass(slots=True)
class PullResult:
    msgs: list[MessageExt]
    next_offset: int
    max_offset: int
    offset_moved: bool = False  # PULL_OFFSET_MOVED: restart the queue from next_offset
    refused: str | None = None  # a response code the client takes as an error (MQBrokerException)


class Broker:
    """A broker (``BrokerController``), registered on the network under ``name``."""

    def __init__(self, world: Simulation, name: str) -> None:
        self._world = world
        self.name = name
        self.store = MessageStore()
        self.life = BrokerLife(world, self)  # flushes, crash, restart: before the tables it flushes
        self.offsets = ConsumerOffsetTable(before_change=self.life.catch_up)
        self.groups: ConsumerManager[Channel] = ConsumerManager()
        self._names: dict[Channel, str] = {}  # the process behind each member's channel, for the trace
        self.locks = RebalanceLockManager()
        self.holds = PullRequestHoldService(world)
        self.send_backs = SendBackService(world, self)
        self.transactions = TransactionService(world, self)
        self.pops = PopService(world, self)
        self.role = BrokerRole.ASYNC_MASTER  # MessageStoreConfig.brokerRole
        self.slave_read_enable = SLAVE_READ_ENABLE  # BrokerConfig.slaveReadEnable
        self.ha: HAService | None = None  # the master/slave pair this broker is in (World.add_slave)

    # -- life ---------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        """Whether the broker process runs (False between ``crash`` and ``restart``)."""
        return self.life.alive

    @property
    def epoch(self) -> int:
        """The broker's incarnation: 0 at its first start, one more at each restart."""
        return self.life.epoch

    def crash(self, *, lose_unflushed: bool = False) -> None:
        """The broker process dies now (``lose_unflushed``: an OS crash that loses the
        commit log's unflushed tail too): see ``minimq.runtime.broker_life``."""
        self.life.crash(lose_unflushed=lose_unflushed)

    def restart(self) -> None:
        """Start the broker again from what it had flushed to disk."""
        self.life.restart()

    # -- topics ------------------------------------------------------------------------
    def create_topic(self, topic: str, queue_nums: int = DEFAULT_TOPIC_QUEUE_NUMS) -> None:
        """Create a business topic with ``queue_nums`` queues (default 4); a system topic's
        name is refused (``Validators.isSystemTopic``)."""
        check_new_topic(topic)
        if not isinstance(queue_nums, int) or not 1 <= queue_nums <= 1024:
            raise ValidationError("a topic must have 1 to 1024 queues", queue_nums)
        self.ensure_topic(topic, queue_nums)

    def ensure_topic(self, topic: str, queue_nums: int) -> None:
        """Create ``topic`` unless it exists: the broker's own creations (retry and DLQ
        topics) skip the checks of ``create_topic``."""
        if self.store.create_topic(topic, queue_nums) and self._traced():
            self._world.emit(TopicCreated(at_ms=self._world.now_ms, topic=topic, queue_nums=queue_nums))
            if self.ha is not None and self.role is not BrokerRole.SLAVE:
                self.ha.written()  # the slave learns it with the next transfer

    def has_topic(self, topic: str) -> bool:
        return topic in self.store.topics

    def topic_queues(self, topic: str) -> list[MessageQueue]:
        """The route of ``topic``: its queues, sorted."""
        if topic not in self.store.topics:
            raise UnknownTopic(topic, self.business_topics())
        return self.store.queues(topic)

    def business_topics(self) -> list[str]:
        return sorted(t for t in self.store.topics if not t.startswith("%") and not is_system_topic(t))

    def max_offset(self, mq: MessageQueue) -> int:
        return self.store.max_offset(mq)

    # -- send --------------------------------------------------------------------------
    def put_message(self, msg: Message, queue_id: int, born_ms: int) -> SendResult:
        """Store a producer's message (``SendMessageProcessor``)."""
        queues = self.store.topics.get(msg.topic)
        if queues is None:
            raise UnknownTopic(msg.topic, self.business_topics())
        mq = self.store.queue(msg.topic, queue_id % queues)
        assert msg.msg_id is not None
        if msg.properties.get(PROPERTY_TRANSACTION_PREPARED) == "true":
            return self.transactions.prepare(msg, mq, born_ms)  # a half message
        stored = self._append(
            mq,
            msg.topic,
            msg.body,
            msg.tags,
            msg.keys,
            tuple(sorted(msg.properties.items())),
            msg.msg_id,
            born_ms,
            0,
            None,
        )
        return SendResult(SendStatus.SEND_OK, msg.msg_id, stored.offset_msg_id, mq, stored.queue_offset)

    def _append(
        self,
        mq: MessageQueue,
        real_topic: str,
        body: bytes,
        tags: str | None,
        keys: tuple[str, ...],
        props: tuple[tuple[str, str], ...],
        msg_id: str,
        born_ms: int,
        reconsume_times: int,
        origin: str | None,
    ) -> MessageExt:
        life, now = self.life, self._world.now_ms
        if now >= life.next_ms:  # a flush fell due: taken before the write (``BrokerLife.catch_up``)
            life.catch_up()
        stored = MessageExt(
            topic=real_topic,
            queue=mq,
            queue_offset=self.store.max_offset(mq),
            body=body,
            tags=tags,
            keys=keys,
            properties=props,
            msg_id=msg_id,
            offset_msg_id=self.store.next_offset_msg_id(len(body)),
            born_ms=born_ms,
            store_ms=now,
            reconsume_times=reconsume_times,
            origin_msg_id=origin,
        )
        self.store.append(stored)
        life.written(self.store.position)
        if self.ha is not None:
            self.ha.written()
        self._world.emit(
            MessageStored(
                at_ms=now,
                topic=mq.topic,
                queue_id=mq.queue_id,
                queue_offset=stored.queue_offset,
                msg_id=msg_id,
                offset_msg_id=stored.offset_msg_id,
                real_topic=real_topic,
                keys=keys,
                reconsume_times=reconsume_times,
            )
        )
        self.holds.notify_arriving(mq)
        self.pops.notify_arriving(mq)
        return stored

    # -- pull --------------------------------------------------------------------------
    async def pull(
        self,
        group: str,
        client: str,
        mq: MessageQueue,
        offset: int,
        max_nums: int,
        commit_offset: int | None,
        suspend_ms: int = BROKER_SUSPEND_MAX_TIME_MS,
    ) -> PullResult:
        """Answer a pull, holding it while the queue has nothing new (long polling); a queue
        reset since the last pull gets ``PULL_OFFSET_MOVED``, its stale commit stored anyway;
        so does a pull from past the max offset (``offset_range``). A slave answers
        through ``minimq.runtime.replication``."""
        if self.role is BrokerRole.SLAVE and self.ha is not None:
            return await self.ha.slave_pull(mq, offset, max_nums, suspend_ms)
        if self.life.epoch and not self.groups.has_members(group):  # only after a restart: see the module's docstring
            return PullResult([], offset, self.store.max_offset(mq), refused="SUBSCRIPTION_NOT_EXIST")
        moved = self.offsets.take_reset(group, mq.topic, mq.queue_id)
        if commit_offset is not None and commit_offset > 0:
            self.update_offset(group, mq, commit_offset, client, "pull")
        if moved is not None:
            return PullResult([], moved, self.store.max_offset(mq), offset_moved=True)
        if mq.topic not in self.store.topics:
            raise UnknownTopic(mq.topic, self.business_topics())
        max_offset = self.store.max_offset(mq)
        if offset > max_offset:  # out of range: moved (offset_range)
            corrected = offset_range.correct_pull_offset(self._world, self, group, client, mq, offset)
            if corrected is not None:
                return PullResult([], corrected, max_offset, offset_moved=True)
        msgs = self.store.get(mq, offset, max_nums)
        if not msgs and suspend_ms > 0:
            await self.holds.hold(mq, suspend_ms)
            moved = self.offsets.take_reset(group, mq.topic, mq.queue_id)
            if moved is not None:
                return PullResult([], moved, self.store.max_offset(mq), offset_moved=True)
            msgs = self.store.get(mq, offset, max_nums)
            max_offset = self.store.max_offset(mq)
        next_offset = offset + len(msgs) if msgs else min(offset, max_offset)
        return PullResult(msgs, next_offset, max_offset)

    # -- offsets -----------------------------------------------------------------------
    def update_offset(self, group: str, mq: MessageQueue, offset: int, client: str, via: str) -> None:
        """``UPDATE_CONSUMER_OFFSET`` (or a pull's piggyback commit)."""
        if self.offsets.update(group, mq.topic, mq.queue_id, offset):
            self._world.emit(
                OffsetPersisted(
                    at_ms=self._world.now_ms,
                    group=group,
                    topic=mq.topic,
                    queue_id=mq.queue_id,
                    offset=offset,
                    via=via,
                    store="slave" if self.role is BrokerRole.SLAVE else "broker",
                    client=client,
                )
            )

    def query_offset(self, group: str, mq: MessageQueue) -> int | None:
        """The group's committed offset of ``mq`` (None: none)."""
        return self.offsets.query(group, mq.topic, mq.queue_id)

    def query_consumer_offset(self, group: str, mq: MessageQueue) -> int | None:
        """``QUERY_CONSUMER_OFFSET``: the committed offset, or 0 while offset 0 is in memory
        (``offset_range``)."""
        return offset_range.query_consumer_offset(self, group, mq)

    def search_offset(self, mq: MessageQueue, timestamp_ms: int) -> int:
        """``SEARCH_OFFSET_BY_TIMESTAMP`` (``offset_range``)."""
        return offset_range.search_offset(self, mq, timestamp_ms)

    def reset_offset_by_time(self, *, group: str, topic: str, timestamp_ms: int) -> dict[MessageQueue, int]:
        """``mqadmin resetOffsetByTime``: see ``minimq.runtime.admin``."""
        return admin.reset_offset_by_time(self._world, self, group=group, topic=topic, timestamp_ms=timestamp_ms)

    # -- consumer groups (ConsumerManager, RebalanceLockManager) ------------------------
    def register(self, group: str, client_id: str, clustering: bool, channel: Channel, client: str) -> None:
        """A consumer's heartbeat (``ClientManageProcessor.heartBeat``): the group gets its
        retry topic (broadcasting too), and a new channel makes every member of a
        clustering group rebalance (``minimq.core.groups.ConsumerManager``). ``client`` is
        the process's name, for the trace only (the broker knows ``client_id``)."""
        check_group(group)
        self.ensure_topic(retry_topic(group), RETRY_QUEUE_NUMS)
        is_new = self.groups.client_of(group, channel) is None
        notify = self.groups.register(group, client_id, channel, clustering=clustering)
        if is_new and self._traced():
            self._names[channel] = client
            self._world.emit(
                ConsumerRegistered(
                    at_ms=self._world.now_ms,
                    group=group,
                    client=client,
                    client_id=client_id,
                    members=tuple(self.groups.consumer_ids(group)),
                    notified=len(notify),
                )
            )
        self._notify(notify)

    def unregister(self, group: str, channel: Channel) -> None:
        """``UNREGISTER_CLIENT``: the member that registered through ``channel`` leaves."""
        client_id = self.groups.client_of(group, channel)
        self._left(group, channel, client_id, "unregister", self.groups.unregister(group, channel))

    def close_channel(self, group: str, channel: Channel) -> None:
        """The connection of a dead process closed (``doChannelCloseEvent``)."""
        client_id = self.groups.client_of(group, channel)
        self._left(group, channel, client_id, "channel closed", self.groups.close_channel(group, channel))

    def expire_channel(self, group: str, channel: Channel) -> None:
        """A silent channel expired (``scanNotActiveChannel``): nobody is told."""
        client_id = self.groups.client_of(group, channel)
        self.groups.expire_channel(group, channel)
        self._left(group, channel, client_id, "channel expired", [])

    def _left(self, group: str, channel: Channel, client_id: str | None, via: str, notify: list[Channel]) -> None:
        if client_id is not None and self._traced():
            self._world.emit(
                ConsumerUnregistered(
                    at_ms=self._world.now_ms,
                    group=group,
                    client=self._names.pop(channel, client_id),
                    client_id=client_id,
                    via=via,
                    members=tuple(self.groups.consumer_ids(group)),
                    notified=len(notify),
                )
            )
        self._notify(notify)

    def _traced(self) -> bool:
        """Whether this broker's topics and members go into the trace: a master's always, a
        slave's while its master is out of the route (before, they mirror the master's)."""
        return self.role is not BrokerRole.SLAVE or self.ha is None or not self.ha.master_live

    def _notify(self, channels: list[Channel]) -> None:
        for channel in channels:
            self._world.network.push(channel, what="notify consumer ids changed")

    def consumer_ids(self, group: str) -> list[str]:
        return self.groups.consumer_ids(group)

    def lock(self, group: str, client: str, mqs: list[MessageQueue]) -> frozenset[MessageQueue]:
        """``LOCK_BATCH_MQ`` (``minimq.core.groups.RebalanceLockManager``): the queues granted."""
        locked = self.locks.lock(group, client, mqs, self._world.now_ms)
        for event in locked.events:
            self._world.emit(event)
        return locked.granted

    def unlock(self, group: str, client: str, mqs: list[MessageQueue]) -> None:
        """``UNLOCK_BATCH_MQ``."""
        for event in self.locks.unlock(group, client, mqs, self._world.now_ms):
            self._world.emit(event)

    # -- consumer retries ---------------------------------------------------------------
    def send_back(self, group: str, offset_msg_id: str, delay_level: int, max_reconsume_times: int) -> None:
        """``CONSUMER_SEND_MSG_BACK``: see ``minimq.runtime.send_back``."""
        self.send_backs.send_back(group, offset_msg_id, delay_level, max_reconsume_times)

    def put_retry_message(self, group: str, message: RetryMessage) -> None:
        """``SEND_MESSAGE`` to ``%RETRY%<group>`` (``handleRetryAndDLQ``): see
        ``minimq.runtime.send_back``."""
        self.send_backs.put_retry_message(group, message)

    def stats(self) -> BrokerStats:
        """What this broker holds and still has to do, now."""
        return BrokerStats(
            name=self.name,
            stored=self.store.message_count(),
            scheduled_retries=self.send_backs.scheduled,
            held_pulls=self.holds.held(),
            unresolved_halves=self.transactions.unresolved(),
            pop_checkpoints=self.pops.checkpoints.pending(),
            held_receives=self.pops.held(),
            down=not self.alive,
        )

    def store_copy(self, copy: Copy) -> MessageExt:
        """Store a copy of a stored message (a retry or a dead letter) where ``copy`` says."""
        src = copy.source
        return self._append(
            copy.queue,
            src.topic,
            src.body,
            src.tags,
            src.keys,
            src.properties,
            src.msg_id,
            src.born_ms,
            copy.reconsume_times,
            copy.origin_msg_id,
        )

    # -- queries -----------------------------------------------------------------------
    def query_by_key(self, topic: str, key: str, max_num: int = 32) -> list[MessageExt]:
        """``queryMessage``: stored copies of ``topic`` carrying business key ``key``."""
        return self.store.query_by_key(topic, key, max_num)

    def query_by_msg_id(self, msg_id: str) -> list[MessageExt]:
        return self.store.query_by_msg_id(msg_id)

    def copies(self, topic: str) -> list[MessageExt]:
        """Every stored copy in ``topic``, queue by queue."""
        return [m for mq in self.store.queues(topic) for m in self.store.log(mq)]
