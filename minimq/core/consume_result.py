"""What a push consumer does with a listener's answer: commit, send back, or retry here.

Mirrors RocketMQ's ``ConsumeMessageConcurrentlyService.processConsumeResult`` and
``ConsumeMessageOrderlyService.processConsumeResult``/``checkReconsumeTimes`` (client),
with ``ConsumeRequest.run``'s reading of the answer and ``ProcessQueue.cleanExpiredMsg``;
lesson 3 shows a message in flight holding the offset back, lesson 10 a broadcasting failure
dropped, and tests/test_consumer_retry.py
and tests/test_consumer_modes.py run the rest end to end.
The answer:
- A handler's ``None``, or anything that is not a status, counts as a failure:
  ``RECONSUME_LATER`` (orderly: ``SUSPEND_CURRENT_QUEUE_A_MOMENT``), and the note says
  why. So does an exception (``minimq.runtime.listener`` reads that one). Java's types
  make a non-status impossible; the status strings are accepted for the members they name.
Concurrently (``consumeMessageBatchMaxSize = 1``, the default, so ``ackIndex`` is 0 on
``CONSUME_SUCCESS`` and -1 on ``RECONSUME_LATER``: the one message failed or it did not;
a batch listener's answer is ``minimq.core.consume_batch``, which uses the records here):
- If the queue was dropped while the listener ran (a rebalance), the result is discarded:
  no offset update, no send-back (``ConsumeResultDiscarded``).
- A failed message is sent back (clustering) with delay level 0, unless the consume-timeout
  scan already took it out of the process queue (5.1.0+). Broadcasting never sends back:
  the failure is dropped (``ConsumeFailureDropped``, Java's log line "BROADCASTING, the
  message consume failed, drop it") and the offset moves past it as after a success.
- If the send-back fails, the message stays in the process queue, one reconsume time
  older, and is consumed again here after 5000 ms (``submitConsumeRequestLater``,
  ``RetriedLocally``); it keeps holding the offset. If the queue was dropped during the
  send-back, the result is discarded.
- Otherwise the message leaves the process queue and the local offset moves to the
  smallest offset still in flight (``ProcessQueue.remove``), forward only.
- The consume-timeout scan, every 15 min (``consumeTimeout``), takes the head message of
  a queue whose listener has run longer than 15 min, sends it back with delay level 3 and
  removes it if it is still the head, up to 16 heads per queue; a failed send-back stops
  the scan of that queue (Java's ``sendMessageBack`` throws). The listener runs on.
Orderly:
- A dropped queue discards the result, as above.
- ``SUCCESS`` commits: the offset becomes the last taken offset + 1, and may move back.
- ``SUSPEND_CURRENT_QUEUE_A_MOMENT`` puts the message back, one reconsume time older, to
  be consumed again after ``suspendCurrentQueueTimeMillis`` (1000 ms, clamped to
  10..30000): for ever by default (``maxReconsumeTimes = Integer.MAX_VALUE``). At an
  explicit maximum it is sent to ``%RETRY%<group>`` as a normal message carrying its own
  reconsume times + 1 (``ConsumeMessageOrderlyService.sendMessageBack``, 5.1.1+), which
  the broker dead-letters, and the queue commits and moves on; if that send fails, the
  attempt still counts and the message is put back as for a suspend.

Each function takes the process queue (the state), the time and the input, applies the
change to the queue and returns what the runtime must do (``minimq.runtime
.consume_service``): ``Commit``, ``SendBack`` (then ask the matching ``*_sent_back``
function with the outcome), ``RetryLocally`` or ``Discard``, with their events.
"""

from __future__ import annotations

from dataclasses import replace

from minimq.core.delay import RETRY_BASE_LEVEL
from minimq.core.process_queue import ProcessQueue
from minimq.events import ConsumeFailureDropped, ConsumeResultDiscarded, ConsumeTimedOut, RetriedLocally
from minimq.model import ConsumeStatus, MessageExt, OrderlyStatus
from minimq.records import record

SEND_BACK_FAILED_RETRY_MS = 5000  # submitConsumeRequestLater
CONSUME_TIMEOUT_MS = 15 * 60 * 1000  # consumeTimeout = 15 min
CLEAN_EXPIRE_LOOP = 16  # heads looked at per queue and scan
TIMEOUT_DELAY_LEVEL = 3
SUSPEND_MIN_MS = 10
SUSPEND_MAX_MS = 30_000
DISCARDED = "process queue dropped by a rebalance"

_RECONSUME_LATER = ConsumeStatus.RECONSUME_LATER.value  # an enum member's .value is slow: read once
_ORDERLY_SUCCESS = OrderlyStatus.SUCCESS.value
_CONCURRENT = {s.value: s for s in ConsumeStatus} | {s.name: s for s in ConsumeStatus}
_ORDERLY = {s.value: s for s in OrderlyStatus} | {s.name: s for s in OrderlyStatus}


@record
class Commit:
    """Move the queue's local offset to ``offset`` (-1: nothing to commit);
    ``increase_only``: never backwards; ``events``: a failure dropped (broadcasting)."""

    offset: int
    increase_only: bool
    events: tuple[ConsumeFailureDropped, ...] = ()


@record
class SendBack:
    """Send the message back with ``delay_level`` (``CONSUMER_SEND_MSG_BACK``, then, if
    that fails, as a normal message to the retry topic); ``as_normal_message``: only the
    normal message (an orderly consumer). Then tell the rule whether it was sent."""

    delay_level: int
    as_normal_message: bool = False


@record
class RetryLocally:
    """Consume ``again`` (the message, one reconsume time older) here after ``delay_ms``."""

    again: MessageExt
    delay_ms: int
    events: tuple[RetriedLocally]


@record
class Discard:
    """The queue is gone: forget the result."""

    events: tuple[ConsumeResultDiscarded, ...]


@record
class TimedOut:
    """The head message ``msg`` ran past ``consumeTimeout``: send it back (``send_back``)."""

    msg: MessageExt
    send_back: SendBack
    events: tuple[ConsumeTimedOut]


_SEND_BACK_LATER = SendBack(delay_level=0)  # "let the broker decide": level 3 + reconsume times
_SEND_BACK_TIMED_OUT = SendBack(delay_level=TIMEOUT_DELAY_LEVEL)


# -- the answer ------------------------------------------------------------------------
def read_status(result: object, *, orderly: bool) -> tuple[str, str]:
    """Return (status value, note) for what a handler returned."""
    table = _ORDERLY if orderly else _CONCURRENT
    if isinstance(result, str) and result in table:
        return table[result].value, ""
    failed = failure(orderly=orderly).value
    if result is None:
        return failed, "returned None, which counts as a failure"
    wanted = "OrderlyStatus" if orderly else "ConsumeStatus"
    shown = repr(result)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return failed, f"returned {shown} ({type(result).__name__}), not a {wanted}; counted as a failure"


def failure(*, orderly: bool) -> ConsumeStatus | OrderlyStatus:
    """The status a failed listener counts as in each mode."""
    return OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT if orderly else ConsumeStatus.RECONSUME_LATER


# -- concurrently ----------------------------------------------------------------------
def concurrent_result(
    pq: ProcessQueue, msg: MessageExt, status: str, *, clustering: bool, client: str, group: str, now_ms: int
) -> Commit | SendBack | Discard:
    """``processConsumeResult`` for one message that ``status`` answered."""
    if pq.dropped:
        return _discard(msg, client, group, now_ms)
    if status == _RECONSUME_LATER:
        if not clustering:
            dropped = ConsumeFailureDropped(
                at_ms=now_ms, client=client, group=group, msg_id=msg.msg_id, offset_msg_id=msg.offset_msg_id
            )
            return Commit(offset=pq.remove([msg]), increase_only=True, events=(dropped,))
        if pq.contains(msg):
            return _SEND_BACK_LATER
    return Commit(offset=pq.remove([msg]), increase_only=True)


def concurrent_sent_back(
    pq: ProcessQueue, msg: MessageExt, sent: bool, *, client: str, group: str, now_ms: int
) -> Commit | RetryLocally | Discard:
    """The rest of ``processConsumeResult`` once the send-back of ``msg`` was ``sent`` or not."""
    if not sent:
        again = _again(msg, client, group, now_ms, SEND_BACK_FAILED_RETRY_MS, "send-back failed")
        pq.replace(again.again)
        return again
    if pq.dropped:
        return _discard(msg, client, group, now_ms)
    return Commit(offset=pq.remove([msg]), increase_only=True)


def expired_head(pq: ProcessQueue, *, client: str, group: str, now_ms: int) -> TimedOut | None:
    """``cleanExpiredMsg``, one step: the head message if it has run past the timeout."""
    msg = pq.first()
    started = pq.start_ms.get(msg.queue_offset) if msg is not None else None
    if msg is None or started is None or now_ms - started <= CONSUME_TIMEOUT_MS:
        return None
    timed_out = ConsumeTimedOut(
        at_ms=now_ms, client=client, group=group, msg_id=msg.msg_id, offset_msg_id=msg.offset_msg_id, started_ms=started
    )
    return TimedOut(msg=msg, send_back=_SEND_BACK_TIMED_OUT, events=(timed_out,))


def expired_sent_back(pq: ProcessQueue, msg: MessageExt, sent: bool) -> bool:
    """After the timed-out head ``msg`` was ``sent`` back or not: remove it if it is still
    the head; return whether the scan of this queue goes on."""
    if not sent:
        return False  # the message stays, and so does the offset
    head = pq.first()
    if head is not None and head.queue_offset == msg.queue_offset:
        pq.remove([msg])
    return True


# -- orderly ---------------------------------------------------------------------------
def suspend_time_ms(configured_ms: int) -> int:
    """``suspendCurrentQueueTimeMillis`` as the orderly service uses it: 10..30000 ms."""
    return min(max(configured_ms, SUSPEND_MIN_MS), SUSPEND_MAX_MS)


def orderly_result(
    pq: ProcessQueue,
    msg: MessageExt,
    status: str,
    *,
    max_reconsume_times: int,
    suspend_ms: int,
    client: str,
    group: str,
    now_ms: int,
) -> Commit | SendBack | RetryLocally | Discard:
    """``processConsumeResult`` (auto-commit) for the message ``msg`` taken from ``pq``."""
    if pq.dropped:
        return _discard(msg, client, group, now_ms)
    if status == _ORDERLY_SUCCESS:
        return Commit(offset=pq.commit(), increase_only=False)
    if msg.reconsume_times < max_reconsume_times:
        return _put_back(pq, msg, client, group, now_ms, suspend_ms, "SUSPEND_CURRENT_QUEUE_A_MOMENT")
    return SendBack(delay_level=RETRY_BASE_LEVEL + msg.reconsume_times, as_normal_message=True)


def orderly_sent_back(
    pq: ProcessQueue, msg: MessageExt, sent: bool, *, suspend_ms: int, client: str, group: str, now_ms: int
) -> Commit | RetryLocally:
    """``checkReconsumeTimes`` once the message ``msg``, past its maximum, was ``sent`` to
    the retry topic (to be dead-lettered) or not: a failed send still counts as a consume
    attempt."""
    if sent:
        return Commit(offset=pq.commit(), increase_only=False)
    return _put_back(pq, msg, client, group, now_ms, suspend_ms, "DLQ send-back failed")


# -- helpers ---------------------------------------------------------------------------
def _again(msg: MessageExt, client: str, group: str, now_ms: int, delay_ms: int, reason: str) -> RetryLocally:
    again = replace(msg, reconsume_times=msg.reconsume_times + 1)
    retried = RetriedLocally(
        at_ms=now_ms,
        client=client,
        group=group,
        msg_id=msg.msg_id,
        reconsume_times=again.reconsume_times,
        delay_ms=delay_ms,
        reason=reason,
    )
    return RetryLocally(again=again, delay_ms=delay_ms, events=(retried,))


def _put_back(
    pq: ProcessQueue, msg: MessageExt, client: str, group: str, now_ms: int, delay_ms: int, reason: str
) -> RetryLocally:
    """``makeMessageToConsumeAgain``: the message goes back to the front of the queue."""
    again = _again(msg, client, group, now_ms, delay_ms, reason)
    pq.put_back([again.again])
    return again


def _discard(msg: MessageExt, client: str, group: str, now_ms: int) -> Discard:
    return discard([msg], client, group, now_ms)


def discard(msgs: list[MessageExt], client: str, group: str, now_ms: int) -> Discard:
    """Forget the results of ``msgs``: their queue was dropped (a batch's too)."""
    return Discard(
        events=tuple(
            ConsumeResultDiscarded(
                at_ms=now_ms,
                client=client,
                group=group,
                msg_id=m.msg_id,
                offset_msg_id=m.offset_msg_id,
                reason=DISCARDED,
            )
            for m in msgs
        )
    )
