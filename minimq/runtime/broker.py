"""The broker: stores messages, answers pulls, keeps offsets, retries and dead-letters.

Owns: the request handlers of RocketMQ's broker, over the sans-I/O core. Mirrors
``SendMessageProcessor``, ``PullMessageProcessor`` (holding pulls in ``long_polling``),
``ConsumerManageProcessor``, ``AbstractSendMessageProcessor.consumerSendMsgBack``,
``ScheduleMessageService``, ``ConsumerManager`` and ``RebalanceLockManager``.
Rules kept here:
- Topics are created explicitly (``autoCreateTopicEnable=false``); a send to an unknown
  topic is refused and nothing is stored.
- A pull that finds nothing is held (long polling, ``minimq.runtime.long_polling``):
  answered as soon as a message arrives in that queue, or by the hold service's 5 s
  check once 15 s have passed.
- A pull carries the consumer's offset, which the broker stores (piggyback commit).
- The next pull of a queue reset by an operator gets ``PULL_OFFSET_MOVED`` (``admin``).
- A send-back goes to ``%RETRY%<group>`` (1 queue) after delay level ``3 +
  reconsume_times`` with ``reconsume_times + 1``, the same msg id and the origin id; once
  ``reconsume_times >= maxReconsumeTimes`` it goes to ``%DLQ%<group>`` instead, at once.
- A clustering consumer's registration creates its group's retry topic. Group
  membership and orderly locks live in ``minimq.runtime.groups``.

Simplifications: one broker, always master; delayed copies wait in a timer, not in
``SCHEDULE_TOPIC_XXXX``; a dead consumer's channel closes at once (process crash), so
it leaves the group without the 120 s channel expiry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.core import delay
from minimq.core.offsets import ConsumerOffsetTable
from minimq.core.store import MessageStore
from minimq.core.validators import check_group, check_topic, dlq_topic, retry_topic
from minimq.errors import UnknownTopic, ValidationError
from minimq.events import (
    MessageDeadLettered,
    MessageSentBack,
    MessageStored,
    OffsetPersisted,
    TopicCreated,
)
from minimq.model import Message, MessageExt, MessageQueue, SendResult, SendStatus
from minimq.runtime import admin
from minimq.runtime.groups import ConsumerManager, LockManager
from minimq.runtime.long_polling import PullRequestHoldService

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

DEFAULT_TOPIC_QUEUE_NUMS = 4  # min(producer 4, broker TBW102 8)
RETRY_QUEUE_NUMS = 1  # SubscriptionGroupConfig.retryQueueNums
DLQ_NUMS_PER_GROUP = 1
BROKER_SUSPEND_MAX_TIME_MS = 15_000


@dataclass(slots=True)
class PullResult:
    msgs: list[MessageExt]
    next_offset: int
    max_offset: int
    offset_moved: bool = False  # PULL_OFFSET_MOVED: restart the queue from next_offset


class Broker:
    """A broker (``BrokerController``), registered on the network under ``name``."""

    def __init__(self, world: Simulation, name: str) -> None:
        self._world = world
        self.name = name
        self.store = MessageStore()
        self.offsets = ConsumerOffsetTable()
        self.groups = ConsumerManager(world)
        self.locks = LockManager(world)
        self.holds = PullRequestHoldService(world)
        self.scheduled = 0  # retry copies waiting for their delay

    # -- topics ------------------------------------------------------------------------
    def create_topic(self, topic: str, queue_nums: int = DEFAULT_TOPIC_QUEUE_NUMS) -> None:
        """Create a business topic with ``queue_nums`` queues (default 4)."""
        check_topic(topic)
        if not isinstance(queue_nums, int) or not 1 <= queue_nums <= 1024:
            raise ValidationError("a topic must have 1 to 1024 queues", queue_nums)
        self._create(topic, queue_nums)

    def _create(self, topic: str, queue_nums: int) -> None:
        if self.store.create_topic(topic, queue_nums):
            self._world.emit(TopicCreated(at_ms=self._world.now_ms, topic=topic, queue_nums=queue_nums))

    def has_topic(self, topic: str) -> bool:
        return topic in self.store.topics

    def topic_queues(self, topic: str) -> list[MessageQueue]:
        """The route of ``topic``: its queues, sorted."""
        if topic not in self.store.topics:
            raise UnknownTopic(topic, self.business_topics())
        return self.store.queues(topic)

    def business_topics(self) -> list[str]:
        return sorted(t for t in self.store.topics if not t.startswith("%"))

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
        now = self._world.now_ms
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
        reset since the last pull gets ``PULL_OFFSET_MOVED``, its stale commit stored anyway."""
        moved = self.offsets.take_reset(group, mq.topic, mq.queue_id)
        if commit_offset is not None and commit_offset > 0:
            self.update_offset(group, mq, commit_offset, client, "pull")
        if moved is not None:
            return PullResult([], moved, self.store.max_offset(mq), offset_moved=True)
        if mq.topic not in self.store.topics:
            raise UnknownTopic(mq.topic, self.business_topics())
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
                    store="broker",
                    client=client,
                )
            )

    def query_offset(self, group: str, mq: MessageQueue) -> int | None:
        return self.offsets.query(group, mq.topic, mq.queue_id)

    def reset_offset_by_time(self, *, group: str, topic: str, timestamp_ms: int) -> dict[MessageQueue, int]:
        """``mqadmin resetOffsetByTime``: see ``minimq.runtime.admin``."""
        return admin.reset_offset_by_time(self._world, self, group=group, topic=topic, timestamp_ms=timestamp_ms)

    # -- consumer groups (ConsumerManager) --------------------------------------------
    def register(self, group: str, client: str, clustering: bool, notify: Callable[[], None]) -> None:
        """A consumer's heartbeat: a clustering group gets its retry topic, and the other
        members are told to rebalance (see ``minimq.runtime.groups.ConsumerManager``)."""
        check_group(group)
        if clustering:
            self._create(retry_topic(group), RETRY_QUEUE_NUMS)
        self.groups.register(group, client, notify)

    def unregister(self, group: str, client: str, notify: Callable[[], None] | None = None) -> None:
        self.groups.unregister(group, client, notify)

    def consumer_ids(self, group: str) -> list[str]:
        return self.groups.consumer_ids(group)

    # -- consumer retries -------------------------------------------------------------
    def send_back(
        self,
        group: str,
        offset_msg_id: str,
        delay_level: int,
        max_reconsume_times: int,
        reconsume_times: int | None = None,
    ) -> None:
        """``CONSUMER_SEND_MSG_BACK``: schedule a retry copy, or dead-letter the message.

        The broker counts retries from the stored copy it reads back; an orderly consumer
        instead sends a normal message carrying its own local count (``reconsume_times``),
        which the broker keeps as is (``SendMessageProcessor.handleRetryAndDLQ``)."""
        original = self.store.look_up(offset_msg_id)
        if original is None:
            raise ValidationError("no stored message has this offset msg id", offset_msg_id)
        now = self._world.now_ms
        origin = original.origin_msg_id or original.offset_msg_id
        times = original.reconsume_times if reconsume_times is None else reconsume_times
        if delay.goes_to_dlq(times, max_reconsume_times, delay_level):
            topic = dlq_topic(group)
            self._create(topic, DLQ_NUMS_PER_GROUP)
            self._copy(original, MessageQueue(topic, 0), times + 1 if reconsume_times is None else times, origin)
            self._world.emit(
                MessageDeadLettered(
                    at_ms=now,
                    group=group,
                    msg_id=original.msg_id,
                    offset_msg_id=original.offset_msg_id,
                    reconsume_times=times,
                    dlq_topic=topic,
                )
            )
            return
        level = delay_level or delay.retry_delay_level(times)
        due = now + delay.delay_ms(level)
        self._world.emit(
            MessageSentBack(
                at_ms=now,
                group=group,
                msg_id=original.msg_id,
                offset_msg_id=original.offset_msg_id,
                reconsume_times=times,
                delay_level=level,
                due_ms=due,
            )
        )
        retry_mq = MessageQueue(retry_topic(group), 0)
        self._create(retry_mq.topic, RETRY_QUEUE_NUMS)
        self.scheduled += 1
        self._world.call_later_ms(due - now, lambda: self._deliver_scheduled(original, retry_mq, times + 1, origin))

    def _deliver_scheduled(self, original: MessageExt, mq: MessageQueue, times: int, origin: str) -> None:
        self.scheduled -= 1
        self._copy(original, mq, times, origin)

    def _copy(self, original: MessageExt, mq: MessageQueue, times: int, origin: str) -> MessageExt:
        return self._append(
            mq,
            original.topic,
            original.body,
            original.tags,
            original.keys,
            original.properties,
            original.msg_id,
            original.born_ms,
            times,
            origin,
        )

    # -- orderly locks (RebalanceLockManager) ---------------------------------------------
    def lock(self, group: str, client: str, mqs: list[MessageQueue]) -> set[MessageQueue]:
        """``LOCK_BATCH_MQ`` (see ``minimq.runtime.groups.LockManager``)."""
        return self.locks.lock(group, client, mqs)

    def unlock(self, group: str, client: str, mqs: list[MessageQueue]) -> None:
        self.locks.unlock(group, client, mqs)

    # -- queries -----------------------------------------------------------------------
    def query_by_key(self, topic: str, key: str, max_num: int = 32) -> list[MessageExt]:
        """``queryMessage``: stored copies of ``topic`` carrying business key ``key``."""
        return self.store.query_by_key(topic, key, max_num)

    def query_by_msg_id(self, msg_id: str) -> list[MessageExt]:
        return self.store.query_by_msg_id(msg_id)

    def copies(self, topic: str) -> list[MessageExt]:
        """Every stored copy in ``topic``, queue by queue."""
        return [m for mq in self.store.queues(topic) for m in self.store.log(mq)]
