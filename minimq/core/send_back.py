"""Where a message sent back by a consumer goes: a retry copy later, or the DLQ now.

Mirrors RocketMQ's two ways a message comes back to the broker (5.x, remoting), with
``minimq.core.delay`` holding the delay table; lesson 6 (partial-failure) shows the whole
ladder into the DLQ, and tests/test_consumer_retry.py runs it.

**``CONSUMER_SEND_MSG_BACK``** (``AbstractSendMessageProcessor.consumerSendMsgBack``),
what a concurrent consumer sends first (``decide_send_back``):
- The request names a stored copy by its offset msg id and carries a delay level and
  the consumer's ``maxReconsumeTimes`` (-1 resolved by the consumer: 16). The broker
  counts retries from that stored copy's ``reconsume_times``.
- **Dead letter** when ``reconsume_times >= maxReconsumeTimes`` or the delay level is
  below 0: the copy goes at once to ``%DLQ%<group>``, queue 0 of 1
  (``DLQ_NUMS_PER_GROUP``), created on demand, with ``reconsume_times + 1``. Event:
  ``MessageDeadLettered``, told once the copy is stored.
- **Retry** otherwise: delay level 0 means "let the broker decide", level
  ``3 + reconsume_times`` (10 s, 30 s, 1 m, ... 2 h). Event: ``MessageSentBack`` at
  once; the copy appears in ``%RETRY%<group>``, queue 0 of 1 (``retryQueueNums``), at
  ``due_ms``, with ``reconsume_times + 1``.
- The copy carries ``ORIGIN_MESSAGE_ID``: the first stored copy's offset msg id (this
  copy's own when it has none yet).

**A normal message to ``%RETRY%<group>``** (``SendMessageProcessor.handleRetryAndDLQ``),
what a concurrent consumer sends when the request above failed
(``sendMessageBackAsNormalMessage``), and all an orderly consumer ever sends
(``ConsumeMessageOrderlyService.sendMessageBack``): ``retry_message`` builds it on the
client, ``decide_retry_message`` routes it on the broker:
- The client copies the message it holds (body, properties, msg id) and sets
  ``RECONSUME_TIME`` to its reconsume times + 1, ``DELAY`` to level 3 + its reconsume
  times (whatever level it was sending back with), ``MAX_RECONSUME_TIMES`` and
  ``ORIGIN_MESSAGE_ID`` (the message's own, or its msg id when it has none).
- The broker dead-letters it when that ``RECONSUME_TIME`` is **above** the maximum, or
  when the group holds an orderly lock that has not expired (5.1.1+); the DLQ copy keeps
  ``RECONSUME_TIME``. Otherwise the copy appears in the retry topic once its delay level
  is over, with ``RECONSUME_TIME``. The events are the same as above, naming the
  reconsume times the client held.

Each decision reads nothing but its arguments and returns a ``Retry`` or a
``DeadLetter``, each with its events. The broker's shell (``minimq.runtime.send_back``)
performs it: it creates the topic if needed, stores the dead letter's copy or waits
``due_ms`` to store the retry's, and records the events.
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
DLQ_NUMS_PER_GROUP = 1  # AbstractSendMessageProcessor.DLQ_NUMS_PER_GROUP


@record
class Copy:
    """A copy of the stored message ``source`` to append to ``queue``. The store adds the
    rest: the queue offset, a new offset msg id and the store time. ``origin_msg_id`` is
    None for a copy that is not a retry (a transaction's commit), and for a POP revival of
    a first copy (``minimq.core.pop``: no ``ORIGIN_MESSAGE_ID`` is set)."""

    source: MessageExt
    queue: MessageQueue
    reconsume_times: int
    origin_msg_id: str | None


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


@record
class RetryMessage:
    """The normal message a consumer sends to ``%RETRY%<group>`` in place of ``source``:
    ``reconsume_times`` (``RECONSUME_TIME``), ``delay_level`` (``DELAY``),
    ``max_reconsume_times`` (``MAX_RECONSUME_TIMES``) and ``origin_msg_id``."""

    source: MessageExt
    reconsume_times: int
    delay_level: int
    max_reconsume_times: int
    origin_msg_id: str


def decide_send_back(
    original: MessageExt,
    *,
    group: str,
    now_ms: int,
    delay_level: int,
    max_reconsume_times: int,
) -> Retry | DeadLetter:
    """``consumerSendMsgBack`` for the stored copy ``original``: see the module's rules."""
    times = original.reconsume_times
    origin = original.origin_msg_id or original.offset_msg_id
    if delay.goes_to_dlq(times, max_reconsume_times, delay_level):
        return _dead_letter(original, group, now_ms, times, origin)
    return _retry(original, group, now_ms, times, delay_level or delay.retry_delay_level(times), origin)


def retry_message(msg: MessageExt, *, max_reconsume_times: int) -> RetryMessage:
    """What the client sends to the retry topic for ``msg`` (its own reconsume times)."""
    return RetryMessage(
        source=msg,
        reconsume_times=msg.reconsume_times + 1,
        delay_level=delay.retry_delay_level(msg.reconsume_times),
        max_reconsume_times=max_reconsume_times,
        origin_msg_id=msg.origin_msg_id or msg.msg_id,
    )


def decide_retry_message(message: RetryMessage, *, group: str, now_ms: int, group_locked: bool) -> Retry | DeadLetter:
    """``handleRetryAndDLQ`` for a normal message sent to ``%RETRY%<group>``;
    ``group_locked``: the group holds an orderly lock that has not expired."""
    held = message.reconsume_times - 1  # the reconsume times of the message the client held
    if message.reconsume_times > message.max_reconsume_times or group_locked:
        return _dead_letter(message.source, group, now_ms, held, message.origin_msg_id)
    return _retry(message.source, group, now_ms, held, message.delay_level, message.origin_msg_id)


def _dead_letter(source: MessageExt, group: str, now_ms: int, times: int, origin: str) -> DeadLetter:
    """Dead-letter ``source``, failed at reconsume times ``times``: the copy has one more."""
    dead = MessageDeadLettered(
        at_ms=now_ms,
        group=group,
        msg_id=source.msg_id,
        offset_msg_id=source.offset_msg_id,
        reconsume_times=times,
        dlq_topic=dlq_topic(group),
    )
    copy = Copy(source=source, queue=MessageQueue(dead.dlq_topic, 0), reconsume_times=times + 1, origin_msg_id=origin)
    return DeadLetter(copy=copy, queue_nums=DLQ_NUMS_PER_GROUP, events=(dead,))


def _retry(source: MessageExt, group: str, now_ms: int, times: int, level: int, origin: str) -> Retry:
    """Retry ``source``, failed at reconsume times ``times``, after delay level ``level``."""
    due = now_ms + delay.delay_ms(level)
    sent_back = MessageSentBack(
        at_ms=now_ms,
        group=group,
        msg_id=source.msg_id,
        offset_msg_id=source.offset_msg_id,
        reconsume_times=times,
        delay_level=level,
        due_ms=due,
    )
    copy = Copy(
        source=source, queue=MessageQueue(retry_topic(group), 0), reconsume_times=times + 1, origin_msg_id=origin
    )
    return Retry(copy=copy, queue_nums=RETRY_QUEUE_NUMS, delay_level=level, due_ms=due, events=(sent_back,))
