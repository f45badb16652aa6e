"""POP on the broker: checkpoints, receipt handles, acks, changes of invisible time, revival.

Owns: the checkpoint table and the rules RocketMQ 5.x's broker keeps for POP consumption
(``PopMessageProcessor``, ``AckMessageProcessor``, ``ChangeInvisibleTimeProcessor``,
``PopReviveService``, ``KeyBuilder.buildPopRetryTopicV1``, ``PopCheckPoint``,
``ReceiptHandle``), as synchronous decisions; ``minimq.runtime.pop_service`` performs
them and ``minimq.core.pop_proxy`` holds the proxy's rules in front of them. Lesson 12
(pop-invisible-time) shows them.

Rules (defaults of ``BrokerConfig`` and ``PopAckConstants``):
- **Pop order.** One draw ``randomQ`` in [0, 100) per pop: the group's POP retry topic is
  read first when ``randomQ < popFromRetryProbability = 20``, otherwise after the
  business queues if the batch is not full; the business queues are read from queue
  ``randomQ % n`` on (``popMsgFromTopic``). A pop takes at most 32 messages.
- **The position moves at pop time.** Each queue's batch gets one checkpoint (pop time,
  invisible time, start offset, the offsets popped, a bitmap of those acked), and the
  group's offset moves past the batch at once, not at ack time. A queue the group never
  consumed starts at 0 (``ConsumeInitMode.MAX`` with ``initPopOffsetByCheckMsgInMem``:
  offset 0 is in memory), the retry topic at its min offset, 0.
- **Receipt handle.** It names its checkpoint (topic, queue, start offset, pop time) and
  its message's queue offset; it expires at pop time + invisible time
  (``ReceiptHandle.isExpired``: ``nextVisibleTime <= now``).
- **Ack** sets the message's bit in its checkpoint; a fully acked checkpoint is done. A
  handle whose checkpoint is gone acks nothing (the broker still answers OK).
- **changeInvisibleTime** writes a new checkpoint for that one message (pop time = now,
  the new invisible time), then acks the one the handle names
  (``appendCheckPointThenAckOrigin``). The old handle is useless from then on; used to
  change the time again, it would write yet another checkpoint, revived on its own.
- **Revive.** The revive service looks every ``reviveInterval = 1000`` ms; a checkpoint
  is revived once the revive log has passed its revive time (pop + invisible time) by
  more than ``ackTimeInterval + 1 s = 2000`` ms (``mergeAndRevive``), so about pop +
  D + 2 to 3 s. Each un-acked message is stored again in ``%RETRY%<group>_<topic>``
  (``buildPopRetryTopicV1``; the ``+`` form needs ``enableRetryTopicV2``, off), queue 0
  of 1 (``PopAckConstants.retryQueueNum``), with ``reconsumeTimes + 1`` and the same
  msg id (``reviveRetry``); a checkpoint of a retry topic revives into that topic. An
  offset with no message left (an OS crash cut it) is skipped ("can not get biz msg,
  then continue").
- **An OS crash** cuts a checkpoint with the messages it names (it was written after
  them, ``cut``).

Simplifications: checkpoints and acks are a table, not timer messages in the 8 queues of
``rmq_sys_REVIVE_LOG_<cluster>`` (one revive pass, at exact seconds, in checkpoint
order), so an OS crash spares the checkpoints and acks of the messages it spares (in
RocketMQ those written since the last flush are cut as well); the revive service's idle
back-off (``reviveMaxSlow``) is not modelled; the copy does not get ``FIRST_POP_TIME``;
FIFO pop (``ConsumerOrderInfoManager``), buffer merging (``enablePopBufferMerge``, off)
and the KV pop service (off) are not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from minimq.core.send_back import Copy
from minimq.core.validators import RETRY_GROUP_TOPIC_PREFIX
from minimq.events import MessageRevived
from minimq.model import MessageExt, MessageQueue
from minimq.records import record

REVIVE_INTERVAL_MS = 1000  # BrokerConfig.reviveInterval
REVIVE_LAG_MS = 2000  # PopAckConstants.ackTimeInterval (1000) + PopAckConstants.SECOND
POP_FROM_RETRY_PROBABILITY = 20  # BrokerConfig.popFromRetryProbability, in percent
POP_RETRY_QUEUE_NUMS = 1  # PopAckConstants.retryQueueNum
MAX_POP_NUMS = 32  # PopMessageProcessor: "pop message's num is greater than 32"

CkKey = tuple[str, str, int, int, int]  # group, topic, queue id, start offset, pop time


def pop_retry_topic(group: str, topic: str) -> str:
    """``KeyBuilder.buildPopRetryTopicV1``: where ``group``'s revived messages of ``topic`` go."""
    return f"{RETRY_GROUP_TOPIC_PREFIX}{group}_{topic}"


@record
class ReceiptHandle:
    """What a popped message is acked with: its checkpoint and its own queue offset."""

    group: str
    topic: str  # where the popped copy is stored
    queue_id: int
    queue_offset: int
    ck_offset: int  # the start offset of its checkpoint
    pop_ms: int
    invisible_ms: int

    @property
    def visible_ms(self) -> int:
        """``nextVisibleTime``: when the message may be delivered again."""
        return self.pop_ms + self.invisible_ms

    @property
    def ck_key(self) -> CkKey:
        return (self.group, self.topic, self.queue_id, self.ck_offset, self.pop_ms)

    def is_expired(self, now_ms: int) -> bool:
        """``ReceiptHandle.isExpired``: ``nextVisibleTime <= now``."""
        return self.visible_ms <= now_ms

    def __str__(self) -> str:  # the fields of RocketMQ's extra info, in its order
        return f"{self.ck_offset} {self.pop_ms} {self.invisible_ms} 0 {self.topic} {self.queue_id} {self.queue_offset}"


@record
class Checkpoint:
    """``PopCheckPoint``: one popped batch of one queue, and which of it is acked."""

    group: str
    client: str  # who popped it, for the trace (RocketMQ keeps no client in a checkpoint)
    topic: str
    queue_id: int
    start_offset: int
    offsets: tuple[int, ...]
    pop_ms: int
    invisible_ms: int
    acked: int = 0  # bitmap: bit i set when offsets[i] is acked

    @property
    def key(self) -> CkKey:
        return (self.group, self.topic, self.queue_id, self.start_offset, self.pop_ms)

    @property
    def revive_ms(self) -> int:
        return self.pop_ms + self.invisible_ms

    def handle(self, offset: int) -> ReceiptHandle:
        return ReceiptHandle(
            group=self.group,
            topic=self.topic,
            queue_id=self.queue_id,
            queue_offset=offset,
            ck_offset=self.start_offset,
            pop_ms=self.pop_ms,
            invisible_ms=self.invisible_ms,
        )

    def unacked(self) -> tuple[int, ...]:
        return tuple(o for i, o in enumerate(self.offsets) if not self.acked >> i & 1)


@record
class PopPlan:
    """Where one pop reads, in order: the retry topic first or last, then the business
    queues from ``queue_order[0]`` on."""

    retry_first: bool
    queue_order: tuple[int, ...]


def pop_plan(random_q: int, queue_nums: int) -> PopPlan:
    """``processRequest``/``popMsgFromTopic`` for the draw ``randomQ`` in [0, 100)."""
    order = tuple((random_q + i) % queue_nums for i in range(queue_nums))
    return PopPlan(retry_first=random_q < POP_FROM_RETRY_PROBABILITY, queue_order=order)


class CheckpointTable:
    """Every checkpoint not yet done (fully acked or revived), in the order written."""

    def __init__(self) -> None:
        self._cks: dict[CkKey, Checkpoint] = {}

    def __len__(self) -> int:
        return len(self._cks)

    def pending(self, group: str | None = None) -> int:
        """Un-acked messages waiting in checkpoints (of ``group``, or of all)."""
        return sum(len(ck.unacked()) for ck in self._cks.values() if group is None or ck.group == group)

    def add(self, ck: Checkpoint) -> None:
        """Write a checkpoint; one with the same key replaces it, as the revive service's
        merge map keeps the last (``map.put`` by topic, group, queue, offset, pop time)."""
        self._cks.pop(ck.key, None)
        self._cks[ck.key] = ck

    def ack(self, handle: ReceiptHandle) -> bool:
        """Set ``handle``'s bit in its checkpoint; False when that changes nothing."""
        ck = self._cks.get(handle.ck_key)
        if ck is None or handle.queue_offset not in ck.offsets:
            return False
        bit = 1 << ck.offsets.index(handle.queue_offset)
        if ck.acked & bit:
            return False
        done = ck.acked | bit
        if done == (1 << len(ck.offsets)) - 1:
            del self._cks[ck.key]
        else:
            self._cks[ck.key] = replace(ck, acked=done)
        return True

    def change(self, handle: ReceiptHandle, client: str, now_ms: int, invisible_ms: int) -> tuple[ReceiptHandle, bool]:
        """``appendCheckPointThenAckOrigin``: a new checkpoint for the message alone, then
        an ack of the old one. Returns the new handle and whether that ack took effect."""
        ck = Checkpoint(
            group=handle.group,
            client=client,
            topic=handle.topic,
            queue_id=handle.queue_id,
            start_offset=handle.queue_offset,
            offsets=(handle.queue_offset,),
            pop_ms=now_ms,
            invisible_ms=invisible_ms,
        )
        self.add(ck)
        return ck.handle(handle.queue_offset), self.ack(handle)

    def cut(self, max_offsets: Mapping[tuple[str, int], int]) -> list[Checkpoint]:
        """An OS crash cut the queues back to ``max_offsets`` ((topic, queue id) -> max
        offset): a checkpoint that names a message past the end was written after it, so
        it is cut too. Returns the checkpoints dropped."""
        cut = [
            ck
            for ck in self._cks.values()
            if (ck.topic, ck.queue_id) in max_offsets and max(ck.offsets) >= max_offsets[(ck.topic, ck.queue_id)]
        ]
        for ck in cut:
            del self._cks[ck.key]
        return cut

    def revive_due(self, now_ms: int) -> list[Checkpoint]:
        """Take out every checkpoint the revive service revives at ``now_ms``."""
        due = [ck for ck in self._cks.values() if now_ms - ck.revive_ms > REVIVE_LAG_MS]
        for ck in due:
            del self._cks[ck.key]
        return due


def revive(source: MessageExt, ck: Checkpoint, now_ms: int) -> tuple[Copy, MessageRevived]:
    """``reviveRetry``: the copy of the un-acked ``source`` (from ``ck``) to store, and its event."""
    retry = ck.topic if ck.topic.startswith(RETRY_GROUP_TOPIC_PREFIX) else pop_retry_topic(ck.group, ck.topic)
    copy = Copy(
        source=source,
        queue=MessageQueue(retry, 0),
        reconsume_times=source.reconsume_times + 1,
        origin_msg_id=source.origin_msg_id,
    )
    event = MessageRevived(
        at_ms=now_ms,
        group=ck.group,
        client=ck.client,
        topic=ck.topic,
        queue_id=ck.queue_id,
        queue_offset=source.queue_offset,
        msg_id=source.msg_id,
        offset_msg_id=source.offset_msg_id,
        reconsume_times=source.reconsume_times,
        visible_ms=ck.revive_ms,
        retry_topic=retry,
    )
    return copy, event
