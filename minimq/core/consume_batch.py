"""What a push consumer does with a batch listener's answer: ``ackIndex`` and whole-batch retries.

Mirrors RocketMQ's ``ConsumeMessageConcurrentlyService.processConsumeResult`` (the loops
over ``ackIndex``) and ``ConsumeMessageOrderlyService.processConsumeResult`` /
``checkReconsumeTimes`` over a list, for a consumer with ``consumeMessageBatchMaxSize > 1``
(``minimq.runtime.batch_consume`` performs them; tests/test_batch_consume.py runs them end
to end). With the default batch size of 1, ``minimq.core.consume_result`` decides alone.
How a batch is made (``submitConsumeRequest``; orderly ``takeMessages``):
- The messages of one pull (up to ``pullBatchSize`` = 32) are cut, in offset order, into
  requests of up to ``consumeMessageBatchMaxSize`` (default 1, 1..1024): a batch holds
  messages of one queue and never spans two pulls. An orderly queue takes up to that
  many cached messages at a time.
Concurrently (the listener sets ``ackIndex`` on its ``ConsumeConcurrentlyContext``,
default ``Integer.MAX_VALUE``):
- ``CONSUME_SUCCESS``: ``ackIndex`` is clamped to the batch (size - 1); messages
  0..ackIndex are acknowledged, the ones after it count as failed (their
  ``MessageConsumed`` says ``RECONSUME_LATER``, "past ackIndex k").
- ``RECONSUME_LATER`` (an exception, ``None``): ``ackIndex`` becomes -1 and **the whole
  batch counts as failed**, the messages the listener had finished included; in
  clustering they are all sent back and delivered again (path P8, its batch variant;
  apache/rocketmq #1815).
- Clustering: each failed message still in the process queue (the consume-timeout scan
  may have taken it) is sent back, one after the other, with delay level 0. Those whose
  send-back failed (both requests) stay in the process queue, one reconsume time older,
  holding the offset, and come back here after 5000 ms as one new request (cut again by
  the batch size). Broadcasting drops each failed message (``ConsumeFailureDropped``).
- The rest leave the process queue and the offset moves to the smallest offset still in
  flight. A queue dropped (a rebalance) before or during the send-backs discards it all.
Orderly (``ConsumeOrderlyContext``: no ``ackIndex``; auto-commit):
- ``SUCCESS`` commits the whole batch: the offset becomes its last offset + 1.
- ``SUSPEND_CURRENT_QUEUE_A_MOMENT``: each message below ``maxReconsumeTimes`` counts one
  more attempt; each at it is sent to ``%RETRY%<group>`` as a normal message (which the
  broker dead-letters). If any message was below the maximum, or one of those sends
  failed, **the whole batch is put back**, the messages just dead-lettered included (they
  keep their count, are consumed again, and are dead-lettered again at their next
  failure: Java's ``makeMessageToConsumeAgain(msgs)`` takes the whole list); otherwise the
  batch commits.
Simplified: ``delayLevelWhenNextConsume`` is always 0; ``ackIndex`` below -1 is refused
where the listener sets it (``minimq.model.ConsumeConcurrentlyContext``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from minimq.core.consume_result import SEND_BACK_FAILED_RETRY_MS, Commit, Discard, discard
from minimq.core.process_queue import ProcessQueue
from minimq.events import BatchConsumed, ConsumeFailureDropped, MessageConsumed, RetriedLocally
from minimq.model import ConsumeStatus, MessageExt, MessageQueue, OrderlyStatus
from minimq.records import record

_SUCCESS = ConsumeStatus.SUCCESS.value
_LATER = ConsumeStatus.RECONSUME_LATER.value
_ORDERLY_SUCCESS = OrderlyStatus.SUCCESS.value
PAST_ACK_INDEX = "past ackIndex"  # the note of a message after the last one acknowledged


@record
class BatchSendBack:
    """Send each of ``msgs`` back, one after the other (``as_normal_message``: an orderly
    consumer's send to the retry topic, to be dead-lettered); then tell the rule which
    were not sent."""

    msgs: tuple[MessageExt, ...]
    delay_level: int = 0
    as_normal_message: bool = False


@record
class BatchRetryLocally:
    """Consume ``again`` (the messages, their counts updated) here after ``delay_ms``."""

    again: tuple[MessageExt, ...]
    delay_ms: int
    events: tuple[RetriedLocally, ...]


# -- the answer ------------------------------------------------------------------------
def ack_index_applied(status: str, ack_index: int, size: int, *, orderly: bool) -> int:
    """The last message acknowledged, -1 for none: ``processConsumeResult``'s ``ackIndex``."""
    if orderly:
        return size - 1 if status == _ORDERLY_SUCCESS else -1
    if status != _SUCCESS:
        return -1
    return min(ack_index, size - 1)


def read_batch(
    mq: MessageQueue,
    msgs: list[MessageExt],
    status: str,
    note: str,
    ack_index: int,
    *,
    orderly: bool,
    client: str,
    group: str,
    now_ms: int,
) -> tuple[int, tuple[BatchConsumed | MessageConsumed, ...]]:
    """The listener answered ``status`` (and ``ack_index``) for ``msgs``: how many, from
    the first, are acknowledged, and the events: the batch's, then each message's."""
    last = ack_index_applied(status, ack_index, len(msgs), orderly=orderly)
    batch = BatchConsumed(
        at_ms=now_ms,
        client=client,
        group=group,
        topic=mq.topic,
        queue_id=mq.queue_id,
        msg_ids=tuple(m.msg_id for m in msgs),
        status=status,
        note=note,
        ack_index=last,
    )
    events: list[BatchConsumed | MessageConsumed] = [batch]
    for i, m in enumerate(msgs):
        past = status == _SUCCESS and i > last  # the listener said CONSUME_SUCCESS; RocketMQ reads a failure
        events.append(
            MessageConsumed(
                at_ms=now_ms,
                client=client,
                group=group,
                msg_id=m.msg_id,
                offset_msg_id=m.offset_msg_id,
                status=_LATER if past else status,
                note=f"{PAST_ACK_INDEX} {last}" if past else note,
            )
        )
    return last + 1, tuple(events)


# -- concurrently ----------------------------------------------------------------------
def concurrent_batch_result(
    pq: ProcessQueue, msgs: list[MessageExt], acked: int, *, clustering: bool, client: str, group: str, now_ms: int
) -> Commit | BatchSendBack | Discard:
    """``processConsumeResult`` for a batch whose first ``acked`` messages are acknowledged."""
    if pq.dropped:
        return discard(msgs, client, group, now_ms)
    failed = msgs[acked:]
    if not clustering:
        dropped = tuple(
            ConsumeFailureDropped(
                at_ms=now_ms, client=client, group=group, msg_id=m.msg_id, offset_msg_id=m.offset_msg_id
            )
            for m in failed
        )
        return Commit(offset=pq.remove(msgs), increase_only=True, events=dropped)
    back = tuple(m for m in failed if pq.contains(m))
    if back:
        return BatchSendBack(msgs=back)
    return Commit(offset=pq.remove(msgs), increase_only=True)


def concurrent_batch_sent_back(
    pq: ProcessQueue, msgs: list[MessageExt], not_sent: list[MessageExt], *, client: str, group: str, now_ms: int
) -> tuple[Commit | Discard, BatchRetryLocally | None]:
    """The rest of ``processConsumeResult`` once every send-back was tried: ``not_sent``
    are consumed again here later, the others leave the process queue."""
    again = None
    if not_sent:
        retried = [replace(m, reconsume_times=m.reconsume_times + 1) for m in not_sent]
        for m in retried:
            pq.replace(m)
        events = tuple(
            _retried(m, client, group, now_ms, SEND_BACK_FAILED_RETRY_MS, "send-back failed") for m in retried
        )
        again = BatchRetryLocally(again=tuple(retried), delay_ms=SEND_BACK_FAILED_RETRY_MS, events=events)
    kept = {m.queue_offset for m in not_sent}
    rest = [m for m in msgs if m.queue_offset not in kept]
    if pq.dropped:
        return discard(rest, client, group, now_ms), again
    return Commit(offset=pq.remove(rest), increase_only=True), again


# -- orderly ---------------------------------------------------------------------------
def orderly_batch_result(
    pq: ProcessQueue,
    msgs: list[MessageExt],
    acked: int,
    *,
    max_reconsume_times: int,
    suspend_ms: int,
    client: str,
    group: str,
    now_ms: int,
) -> Commit | BatchSendBack | BatchRetryLocally | Discard:
    """``processConsumeResult`` (auto-commit) for the batch ``msgs`` taken from ``pq``."""
    if pq.dropped:
        return discard(msgs, client, group, now_ms)
    if acked == len(msgs):
        return Commit(offset=pq.commit(), increase_only=False)
    at_max = tuple(m for m in msgs if m.reconsume_times >= max_reconsume_times)
    if at_max:
        return BatchSendBack(msgs=at_max, as_normal_message=True)
    return _put_back(pq, msgs, client, group, now_ms, suspend_ms)


def orderly_batch_sent_back(
    pq: ProcessQueue,
    msgs: list[MessageExt],
    not_sent: list[MessageExt],
    *,
    max_reconsume_times: int,
    suspend_ms: int,
    client: str,
    group: str,
    now_ms: int,
) -> Commit | BatchRetryLocally:
    """``checkReconsumeTimes`` once every message at its maximum was sent to the retry
    topic or not: commit if all were sent and none was below it, else put all back."""
    failed = {m.queue_offset for m in not_sent}
    if not failed and all(m.reconsume_times >= max_reconsume_times for m in msgs):
        return Commit(offset=pq.commit(), increase_only=False)
    gone = {m.queue_offset for m in msgs if m.reconsume_times >= max_reconsume_times} - failed
    return _put_back(pq, msgs, client, group, now_ms, suspend_ms, gone=gone, failed=failed)


# -- helpers ---------------------------------------------------------------------------
def _put_back(
    pq: ProcessQueue,
    msgs: list[MessageExt],
    client: str,
    group: str,
    now_ms: int,
    delay_ms: int,
    *,
    gone: Collection[int] = (),
    failed: Collection[int] = (),
) -> BatchRetryLocally:
    """``makeMessageToConsumeAgain(msgs)``: the whole batch goes back to the front; each
    message counts one more attempt, except those already sent to the retry topic
    (``gone``), which go back as they are."""
    again = [m if m.queue_offset in gone else replace(m, reconsume_times=m.reconsume_times + 1) for m in msgs]
    pq.put_back(again)
    events = tuple(_retried(m, client, group, now_ms, delay_ms, _why(m.queue_offset, gone, failed)) for m in again)
    return BatchRetryLocally(again=tuple(again), delay_ms=delay_ms, events=events)


def _why(offset: int, gone: Collection[int], failed: Collection[int]) -> str:
    if offset in gone:
        return "dead-lettered, put back with its batch"
    return "DLQ send-back failed" if offset in failed else "SUSPEND_CURRENT_QUEUE_A_MOMENT"


def _retried(msg: MessageExt, client: str, group: str, now_ms: int, delay_ms: int, reason: str) -> RetriedLocally:
    return RetriedLocally(
        at_ms=now_ms,
        client=client,
        group=group,
        msg_id=msg.msg_id,
        reconsume_times=msg.reconsume_times,
        delay_ms=delay_ms,
        reason=reason,
    )
