"""Consumption failures of a concurrent clustering consumer: send-back, retry ladder, DLQ.

Reference: docs/semantics.md sections 8 and 9, and the duplication paths P8 (consumption
failure retry), P9 (send-back failure) and P10 (consume timeout).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from helpers import raised_here

from minimq import ConsumeStatus, Message, MessageExt, SendResult, World
from minimq.check import dead_lettered, lost_messages, retry_violations
from minimq.core.delay import retry_ladder_ms
from minimq.events import (
    ConsumeTimedOut,
    FaultInjected,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
    RetriedLocally,
    SendBackFailed,
)

TOPIC = "order-paid"
SECOND, MINUTE, HOUR = 1000, 60_000, 3_600_000


def start(w: World, handler: Callable[[MessageExt], Any], **options: Any) -> None:
    w.push_consumer("coupon", TOPIC, handler, name="c1", **options).start()


def send(w: World, key: str, at_ms: int = 1000) -> SendResult:
    w.run_until(at_ms)
    return w.run(w.producer("order", client_id="order").send(Message(TOPIC, key.encode(), keys=(key,))))


def fail_first(times: int, seen: list[MessageExt]) -> Callable[[MessageExt], ConsumeStatus]:
    def handle(msg: MessageExt) -> ConsumeStatus:
        seen.append(msg)
        return ConsumeStatus.RECONSUME_LATER if msg.reconsume_times < times else ConsumeStatus.SUCCESS

    return handle


# -- P8: RECONSUME_LATER ----------------------------------------------------------------
def test_reconsume_later_sends_back_and_the_retry_copy_comes_10s_later(w: World) -> None:
    seen: list[MessageExt] = []
    start(w, fail_first(1, seen))
    sent = send(w, "order-1")
    w.run_until(30 * SECOND)

    first, retry = w.trace.of(MessageDelivered)
    (back,) = w.trace.of(MessageSentBack)
    assert (back.group, back.msg_id, back.offset_msg_id) == ("coupon", sent.msg_id, sent.offset_msg_id)
    assert back.reconsume_times == 0 and back.delay_level == 3
    assert back.due_ms - back.at_ms == 10 * SECOND
    assert back.at_ms - first.at_ms <= 2, "sent back as soon as the listener returned"

    copy = [s for s in w.trace.of(MessageStored) if s.topic == "%RETRY%coupon"]
    assert len(copy) == 1 and copy[0].at_ms == back.due_ms
    assert copy[0].reconsume_times == 1 and copy[0].real_topic == TOPIC
    assert 0 <= retry.at_ms - back.due_ms <= 2
    assert retry.msg_id == sent.msg_id, "a retry keeps the UNIQ_KEY"
    assert retry.offset_msg_id != sent.offset_msg_id, "but it is another stored copy"
    assert retry.reconsume_times == 1
    assert (retry.topic, retry.real_topic) == ("%RETRY%coupon", TOPIC)

    # What the listener saw: the original topic, the retry queue, the origin id.
    assert [m.reconsume_times for m in seen] == [0, 1]
    assert seen[1].topic == TOPIC and seen[1].queue.topic == "%RETRY%coupon"
    assert seen[1].msg_id == seen[0].msg_id
    assert seen[1].origin_msg_id == sent.offset_msg_id
    assert seen[1].body == seen[0].body and seen[1].keys == ("order-1",)
    assert [c.status for c in w.trace.of(MessageConsumed)] == ["RECONSUME_LATER", "CONSUME_SUCCESS"]
    # The failed message no longer holds its queue: the send-back took it over.
    assert w.broker.query_offset("coupon", sent.queue) == 1
    assert lost_messages(w.trace) == []


def test_always_failing_message_is_delivered_17_times_then_dead_lettered(w: World) -> None:
    seen: list[MessageExt] = []
    start(w, fail_first(10**6, seen))
    sent = send(w, "order-1")
    w.run_until(5 * HOUR)  # wall time of this ladder is measured in bench/retry_ladder.py

    deliveries = w.trace.of(MessageDelivered)
    assert len(deliveries) == 17
    assert [d.reconsume_times for d in deliveries] == list(range(17))
    assert {d.msg_id for d in deliveries} == {sent.msg_id}
    assert len({d.offset_msg_id for d in deliveries}) == 17

    ladder = [10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200]
    assert retry_ladder_ms() == [s * SECOND for s in ladder]
    gaps = [b.at_ms - a.at_ms for a, b in itertools.pairwise(deliveries)]
    assert all(0 <= gap - s * SECOND <= 5 for gap, s in zip(gaps, ladder, strict=True)), gaps
    assert [b.delay_level for b in w.trace.of(MessageSentBack)] == list(range(3, 19))

    (dlq,) = w.trace.of(MessageDeadLettered)
    assert (dlq.group, dlq.msg_id, dlq.reconsume_times, dlq.dlq_topic) == ("coupon", sent.msg_id, 16, "%DLQ%coupon")
    total = 4 * HOUR + 45 * MINUTE + 40 * SECOND
    assert sum(ladder) * SECOND == total
    assert 0 <= dlq.at_ms - deliveries[0].at_ms - total <= 17 * 5
    (dead,) = w.broker.copies("%DLQ%coupon")
    assert dead.msg_id == sent.msg_id and dead.topic == TOPIC
    assert [d.msg_id for d in dead_lettered(w.trace)] == [sent.msg_id]
    assert lost_messages(w.trace) == [], "a dead-lettered message is not lost"


def test_max_reconsume_times_can_be_lowered(w: World) -> None:
    start(w, fail_first(10**6, []), max_reconsume_times=2)
    send(w, "order-1")
    w.run_until(5 * MINUTE)
    assert len(w.trace.of(MessageDelivered)) == 3
    (dlq,) = w.trace.of(MessageDeadLettered)
    assert dlq.reconsume_times == 2


@pytest.mark.parametrize(
    ("outcome", "note"),
    [
        ("raise", "ValueError: coupon service down"),
        ("none", "returned None, which counts as a failure"),
        ("int", "returned 42 (int), not a ConsumeStatus; counted as a failure"),
        ("bool", "returned True (bool), not a ConsumeStatus; counted as a failure"),
    ],
)
def test_exception_none_or_other_value_counts_as_reconsume_later(w: World, outcome: str, note: str) -> None:
    def handle(msg: MessageExt) -> Any:
        if msg.reconsume_times:
            return ConsumeStatus.SUCCESS
        if outcome == "raise":
            raise ValueError("coupon service down")
        return {"none": None, "int": 42, "bool": True}[outcome]

    start(w, handle)
    sent = send(w, "order-1")
    w.run_until(30 * SECOND)

    first, second = w.trace.of(MessageConsumed)
    assert first.status == "RECONSUME_LATER"
    assert raised_here(first.note, note) if outcome == "raise" else first.note == note
    assert (second.status, second.note) == ("CONSUME_SUCCESS", "")
    (back,) = w.trace.of(MessageSentBack)
    assert back.msg_id == sent.msg_id and back.delay_level == 3


@pytest.mark.parametrize("returned", ["CONSUME_SUCCESS", "SUCCESS"])
def test_status_strings_are_read_as_statuses(w: World, returned: str) -> None:
    start(w, lambda msg: returned)
    send(w, "order-1")
    w.run_until(30 * SECOND)
    (consumed,) = w.trace.of(MessageConsumed)
    assert (consumed.status, consumed.note) == ("CONSUME_SUCCESS", "")
    assert w.trace.of(MessageSentBack) == []


def test_async_handler_failure_is_sent_back(w: World) -> None:
    async def handle(msg: MessageExt) -> ConsumeStatus:
        await asyncio.sleep(2)
        if msg.reconsume_times == 0:
            raise RuntimeError("late failure")
        return ConsumeStatus.SUCCESS

    start(w, handle)
    send(w, "order-1")
    w.run_until(30 * SECOND)
    first, _ = w.trace.of(MessageConsumed)
    assert raised_here(first.note, "RuntimeError: late failure")
    (back,) = w.trace.of(MessageSentBack)
    delivered = w.trace.of(MessageDelivered)
    assert back.at_ms - delivered[0].at_ms >= 2000
    assert delivered[1].reconsume_times == 1


# -- P9: send-back failure -----------------------------------------------------------------
def test_failed_send_back_is_consumed_again_locally_after_5s(w: World) -> None:
    seen: list[MessageExt] = []
    start(w, fail_first(1, seen))
    sent = send(w, "order-1", at_ms=3000)  # the pull is parked at the broker: delivered at once
    (first_delivery,) = w.trace.of(MessageDelivered)
    assert first_delivery.at_ms == 3002
    w.faults.broker_outage(3002, 2000)  # the send-back and its fallback both fail
    w.run_until(20 * SECOND)

    assert w.trace.of(MessageSentBack) == []
    (local,) = w.trace.of(RetriedLocally)
    assert (local.delay_ms, local.reconsume_times, local.reason) == (5000, 1, "send-back failed")
    first, again = w.trace.of(MessageDelivered)
    assert again.at_ms - local.at_ms == 5000
    assert again.offset_msg_id == first.offset_msg_id, "the same stored copy, consumed again locally"
    assert again.reconsume_times == 1 and seen[1].reconsume_times == 1
    assert w.broker.query_offset("coupon", sent.queue) == 1

    failed = w.trace.of(SendBackFailed)
    assert [(f.request, f.attempt) for f in failed] == [
        ("CONSUMER_SEND_MSG_BACK", 1),
        ("SEND_MESSAGE", 1),  # the inner producer: 3 tries, each refused at once
        ("SEND_MESSAGE", 2),
        ("SEND_MESSAGE", 3),
    ]
    assert {f.at_ms for f in failed} == {local.at_ms}
    assert retry_violations(w.trace) == []


@pytest.mark.parametrize(("how", "fallback_after_ms"), [("timeout", 5000), ("fast_fail", 2)])
def test_a_lost_send_back_reply_makes_the_fallback_store_a_second_retry_copy(
    w: World, how: str, fallback_after_ms: int
) -> None:
    # DefaultMQPushConsumerImpl.sendMessageBack: CONSUMER_SEND_MSG_BACK raised (the broker
    # had stored the retry copy), so sendMessageBackAsNormalMessage sends another (P9)
    seen: list[MessageExt] = []
    start(w, fail_first(1, seen))
    w.faults.lose_send_back_reply(group="coupon", key="order-1", how=how)
    sent = send(w, "order-1")
    w.run_until(40 * SECOND)

    (fault,) = [f for f in w.trace.of(FaultInjected) if f.fault == "lose_send_back_reply"]
    first_back, second_back = w.trace.of(MessageSentBack)
    (failed,) = w.trace.of(SendBackFailed)
    assert failed.request == "CONSUMER_SEND_MSG_BACK" and failed.offset_msg_id == sent.offset_msg_id
    assert fault.at_ms == first_back.at_ms, "the broker took the copy, then the reply was lost"
    assert failed.at_ms - first_back.at_ms == fallback_after_ms - 1
    assert second_back.at_ms - failed.at_ms == 1, "the fallback reaches the broker one latency later"
    assert (first_back.delay_level, second_back.delay_level) == (3, 3)
    assert (first_back.reconsume_times, second_back.reconsume_times) == (0, 0)

    retries = [s for s in w.trace.of(MessageStored) if s.topic == "%RETRY%coupon"]
    assert [(r.at_ms, r.reconsume_times) for r in retries] == [
        (first_back.due_ms, 1),
        (second_back.due_ms, 1),
    ]
    assert {r.msg_id for r in retries} == {sent.msg_id}, "both copies keep the UNIQ_KEY"
    assert [m.reconsume_times for m in seen] == [0, 1, 1], "one failure, two retries"
    assert [c.status for c in w.trace.of(MessageConsumed)] == ["RECONSUME_LATER", *["CONSUME_SUCCESS"] * 2]
    assert w.trace.of(RetriedLocally) == [], "the fallback succeeded: no local retry"
    assert retry_violations(w.trace) == [], "a second take-back for an unanswered send-back is RocketMQ's"


def test_a_send_back_after_a_local_retry_copies_the_broker_and_the_client_counts(w: World) -> None:
    # The broker counts from the stored copy (reconsume times 0); the fallback carries the
    # client's count, one more after each failed send-back: the two copies differ.
    calls: list[int] = []

    def fail_twice(msg: MessageExt) -> ConsumeStatus:
        calls.append(msg.reconsume_times)
        return ConsumeStatus.RECONSUME_LATER if len(calls) <= 2 else ConsumeStatus.SUCCESS

    start(w, fail_twice)
    sent = send(w, "order-1", at_ms=2000)  # the consumer owns its queues from 1.51 s
    w.faults.broker_outage(2002, 2000)
    w.faults.lose_send_back_reply(key="order-1")
    w.run_until(60 * SECOND)

    first_back, second_back = w.trace.of(MessageSentBack)
    assert (first_back.reconsume_times, first_back.delay_level) == (0, 3)
    assert (second_back.reconsume_times, second_back.delay_level) == (1, 4)
    assert second_back.at_ms - first_back.at_ms == 5000
    retries = [s for s in w.trace.of(MessageStored) if s.topic == "%RETRY%coupon"]
    assert [(r.at_ms - first_back.at_ms, r.reconsume_times) for r in retries] == [(10_000, 1), (35_000, 2)]
    assert all(r.msg_id == sent.msg_id for r in retries)
    assert calls == [0, 1, 1, 2]
    assert retry_violations(w.trace) == []


def test_a_lost_reply_to_a_dead_letter_makes_two_dlq_copies(w: World) -> None:
    start(w, lambda msg: ConsumeStatus.RECONSUME_LATER, max_reconsume_times=0)
    w.faults.lose_send_back_reply(how="fast_fail")
    send(w, "order-1")
    w.run_until(10 * SECOND)
    dead = w.trace.of(MessageDeadLettered)
    assert [d.reconsume_times for d in dead] == [0, 0]
    assert [s.reconsume_times for s in w.trace.of(MessageStored) if s.topic == "%DLQ%coupon"] == [1, 1]
    assert retry_violations(w.trace) == []


# -- P10: consume timeout ------------------------------------------------------------------
def slow_first_attempt(minutes: int, result: ConsumeStatus, log: list[tuple[str, int, int]], w: World) -> Any:
    async def handle(msg: MessageExt) -> ConsumeStatus:
        log.append(("start", msg.reconsume_times, w.now_ms))
        if msg.reconsume_times == 0:
            await asyncio.sleep(minutes * 60)
            log.append(("end", 0, w.now_ms))
            return result
        log.append(("end", msg.reconsume_times, w.now_ms))
        return ConsumeStatus.SUCCESS

    return handle


def test_consume_timeout_sends_back_while_the_first_attempt_still_runs(w: World) -> None:
    # The cleanExpireMsg scan runs every 15 min from the consumer's start and sends back a
    # head message that has run *more* than 15 min: a 20-min handler started at 12 min is
    # caught by the scan at 30 min (18 min in) and its retry copy comes at 30 min 10 s.
    log: list[tuple[str, int, int]] = []
    start(w, slow_first_attempt(20, ConsumeStatus.SUCCESS, log, w))
    sent = send(w, "order-1", at_ms=12 * MINUTE)
    w.run_until(40 * MINUTE)

    first, retry = w.trace.of(MessageDelivered)
    (timed_out,) = w.trace.of(ConsumeTimedOut)
    assert timed_out.at_ms == 30 * MINUTE
    assert (timed_out.msg_id, timed_out.started_ms) == (sent.msg_id, first.at_ms)
    assert timed_out.at_ms - timed_out.started_ms > 15 * MINUTE
    (back,) = w.trace.of(MessageSentBack)
    assert back.delay_level == 3 and back.at_ms - timed_out.at_ms <= 2
    assert retry.msg_id == sent.msg_id and retry.reconsume_times == 1
    assert 0 <= retry.at_ms - back.due_ms <= 2

    first_end = next(at for what, times, at in log if what == "end" and times == 0)
    assert retry.at_ms < first_end == first.at_ms + 20 * MINUTE, "two executions overlap"
    assert [(what, times) for what, times, _ in log] == [("start", 0), ("start", 1), ("end", 1), ("end", 0)]
    assert w.broker.query_offset("coupon", sent.queue) == 1


def test_consume_timeout_needs_more_than_15_min_at_a_scan(w: World) -> None:
    log: list[tuple[str, int, int]] = []
    start(w, slow_first_attempt(20, ConsumeStatus.SUCCESS, log, w))
    send(w, "order-1", at_ms=1000)  # running at the 15-min scan for under 15 min, done by 30 min
    w.run_until(40 * MINUTE)
    assert w.trace.of(ConsumeTimedOut) == []
    assert len(w.trace.of(MessageDelivered)) == 1


def test_consume_timeout_scan_runs_at_a_fixed_rate(w: World) -> None:
    # scheduleAtFixedRate(cleanExpireMsg, 15, 15, MINUTES): the scans are due at 15, 30 and
    # 45 min after the start, although the one at 30 min spent 2 ms on a send-back round trip.
    log: list[tuple[str, int, int]] = []
    start(w, slow_first_attempt(40, ConsumeStatus.SUCCESS, log, w))
    early = send(w, "order-1", at_ms=1000)  # expired at the 30-min scan
    late = send(w, "order-2", at_ms=1_000_000)  # running 13 min at 30 min, 28 min at 45 min
    w.run_until(50 * MINUTE)

    timed_out = w.trace.of(ConsumeTimedOut)
    assert [(e.msg_id, e.at_ms) for e in timed_out] == [(early.msg_id, 30 * MINUTE), (late.msg_id, 45 * MINUTE)]
    backs = w.trace.of(MessageSentBack)
    assert [b.at_ms for b in backs] == [30 * MINUTE + 1, 45 * MINUTE + 1]


def test_timed_out_message_that_later_fails_is_not_sent_back_twice(w: World) -> None:
    log: list[tuple[str, int, int]] = []
    start(w, slow_first_attempt(20, ConsumeStatus.RECONSUME_LATER, log, w))
    send(w, "order-1", at_ms=12 * MINUTE)
    w.run_until(40 * MINUTE)

    statuses = [c.status for c in w.trace.of(MessageConsumed)]
    assert statuses == ["CONSUME_SUCCESS", "RECONSUME_LATER"], "retry done first; the first attempt fails late"
    assert len(w.trace.of(MessageSentBack)) == 1, "the timeout scan already sent it back (5.1.0+)"
    assert len(w.trace.of(MessageDelivered)) == 2
