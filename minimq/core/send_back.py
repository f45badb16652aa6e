"""Where a message sent back by a consumer goes: a retry copy later, or the DLQ now.

Mirrors RocketMQ ``AbstractSendMessageProcessor.consumerSendMsgBack`` (broker), and for
an orderly consumer's dead letter ``SendMessageProcessor.handleRetryAndDLQ``; no lesson
shows it yet, tests/test_consumer_retry.py runs the whole ladder. The delay table itself
is ``minimq.core.delay``.
Rules:
- The request names a stored copy by its offset msg id and carries a delay level and
  the consumer's ``maxReconsumeTimes`` (-1 resolved by the consumer: 16 concurrently,
  ``Integer.MAX_VALUE`` orderly). The broker counts retries from that stored copy's
  ``reconsume_times``; an orderly consumer's request carries its own local count
  instead, which the broker takes as is.
- **Dead letter** when ``reconsume_times >= maxReconsumeTimes`` or the delay level is
  below 0: the copy goes at once to ``%DLQ%<group>``, queue 0 of 1
  (``DLQ_NUMS_PER_GROUP``), created on demand. It has ``reconsume_times + 1`` (an orderly
  count: as carried). Event: ``MessageDeadLettered``, told once the copy is stored.
- **Retry** otherwise: delay level 0 means "let the broker decide", level
  ``3 + reconsume_times`` (10 s, 30 s, 1 m, ... 2 h). Event: ``MessageSentBack`` at
  once; the copy appears in ``%RETRY%<group>``, queue 0 of 1 (``retryQueueNums``), at
  ``due_ms``, with ``reconsume_times + 1``.
- Every copy keeps the business topic, body, tags, keys, user properties, born time and
  msg id (UNIQ_KEY), and carries ``ORIGIN_MESSAGE_ID``: the offset msg id of the first
  stored copy (the original's own when it has none yet).

``decide_send_back`` is the whole rule: it reads nothing but its arguments and returns a
``Retry`` or a ``DeadLetter``, each with its events. The broker's shell
(``minimq.runtime.send_back``) performs it: it creates the topic if needed, stores the
dead letter's copy or waits ``due_ms`` to store the retry's, and records the events.
Simplifications: the delayed copy waits in a timer, not in ``SCHEDULE_TOPIC_XXXX``;
``RETRY_TOPIC`` and the other system properties are not added to the copy.
"""

from __future__ import annotations

from minimq.core import delay
from minimq.core.validators import dlq_topic, retry_topic
from minimq.events import MessageDeadLettered, MessageSentBack
from minimq.model import MessageExt, MessageQueue
from minimq.records import record

RETRY_QUEUE_NUMS = 1  # SubscriptionGroupConfig.retryQueueNums
DLQ_NUMS_PER_GROUP = 1  # MixAll.DLQ_NUMS_PER_GROUP


@record
class Copy:
    """A copy of the stored message ``source`` to append to ``queue``. The store adds the
    rest: the queue offset, a new offset msg id and the store time."""

    source: MessageExt
    queue: MessageQueue
    reconsume_times: int
    origin_msg_id: str


@record
class Retry:
    """Store ``copy`` in the retry topic at ``due_ms`` (delay level ``delay_level``).
    ``queue_nums`` is the number of queues the topic gets if it must be created."""

    copy: Copy
    queue_nums: int
    delay_level: int
    due_ms: int
    events: tuple[MessageSentBack]


@record
class DeadLetter:
    """Store ``copy`` in the DLQ topic now, creating it with ``queue_nums`` queues if needed."""

    copy: Copy
    queue_nums: int
    events: tuple[MessageDeadLettered]


def decide_send_back(
    original: MessageExt,
    *,
    group: str,
    now_ms: int,
    delay_level: int,
    max_reconsume_times: int,
    reconsume_times: int | None = None,
) -> Retry | DeadLetter:
    """``consumerSendMsgBack`` for the stored copy ``original``: see the module's rules.

    ``reconsume_times`` is the orderly consumer's own count; None (a concurrent
    consumer's request) counts from ``original``."""
    times = original.reconsume_times if reconsume_times is None else reconsume_times
    origin = original.origin_msg_id or original.offset_msg_id
    if delay.goes_to_dlq(times, max_reconsume_times, delay_level):
        copy_times = times + 1 if reconsume_times is None else times
        dead = MessageDeadLettered(
            at_ms=now_ms,
            group=group,
            msg_id=original.msg_id,
            offset_msg_id=original.offset_msg_id,
            reconsume_times=times,
            dlq_topic=dlq_topic(group),
        )
        copy = Copy(
            source=original, queue=MessageQueue(dead.dlq_topic, 0), reconsume_times=copy_times, origin_msg_id=origin
        )
        return DeadLetter(copy=copy, queue_nums=DLQ_NUMS_PER_GROUP, events=(dead,))
    level = delay_level or delay.retry_delay_level(times)
    due = now_ms + delay.delay_ms(level)
    sent_back = MessageSentBack(
        at_ms=now_ms,
        group=group,
        msg_id=original.msg_id,
        offset_msg_id=original.offset_msg_id,
        reconsume_times=times,
        delay_level=level,
        due_ms=due,
    )
    copy = Copy(
        source=original, queue=MessageQueue(retry_topic(group), 0), reconsume_times=times + 1, origin_msg_id=origin
    )
    return Retry(copy=copy, queue_nums=RETRY_QUEUE_NUMS, delay_level=level, due_ms=due, events=(sent_back,))
