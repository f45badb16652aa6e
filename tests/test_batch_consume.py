"""Batch consumption: ``consumeMessageBatchMaxSize > 1``, ``ackIndex`` and whole-batch retries.

Reference: docs/semantics.md section 8 (the batch rows) and path P8, its batch variant: a
batch that fails part-way is retried as a whole, so the messages the listener finished
are delivered again. The rule is ``minimq.core.consume_batch``; here it runs end to end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from helpers import raised_here, to_queue

from minimq import (
    ConsumeConcurrentlyContext,
    ConsumeOrderlyContext,
    ConsumeStatus,
    CrashPoint,
    EffectLedger,
    Message,
    MessageExt,
    OrderlyStatus,
    Trace,
    ValidationError,
    World,
    check,
)
from minimq.check import lost_messages, retry_violations
from minimq.events import (
    BatchConsumed,
    ConsumeFailureDropped,
    ConsumeTimedOut,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessageSentBack,
    OffsetCommittedLocally,
    RetriedLocally,
)
from minimq.i18n.describe import describe
from minimq.model import MessageQueue

TOPIC = "order-paid"
Q0 = MessageQueue(TOPIC, 0)
BatchHandler = Callable[[list[MessageExt], Any], Any]


def send_to_q0(w: World, *keys: str) -> None:
    """Store ``keys`` in queue 0 before anyone pulls, so one pull brings them all."""
    p = w.producer("order", client_id="order")
    for key in keys:
        w.run(p.send(Message(TOPIC, key.encode(), keys=(key,)), selector=to_queue, arg=0))


def batch_consumer(w: World, handler: BatchHandler, size: int = 4, **options: Any) -> None:
    w.push_consumer("coupon", TOPIC, handler, name="c1", batch=True, consume_message_batch_max_size=size, **options)
    w.consumers[-1].start()


def naive(ledger: EffectLedger, fail_at: int | None = None) -> BatchHandler:
    """Issue a coupon per message; on the first delivery, raise at message ``fail_at``."""

    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        for i, msg in enumerate(msgs):
            if i == fail_at and msg.reconsume_times == 0:
                raise RuntimeError("coupon service down")
            ledger.apply(msg.keys[0])
        return ConsumeStatus.SUCCESS

    return handle


KEYS = ("order-0", "order-1", "order-2", "order-3")


# -- P8, batch variant: a partly successful batch is retried as a whole ------------------------
def test_a_batch_that_fails_after_its_second_message_is_retried_whole(w: World) -> None:
    ledger = EffectLedger(w, "coupon")
    for key in KEYS:
        ledger.expect(key)
    send_to_q0(w, *KEYS)
    batch_consumer(w, naive(ledger, fail_at=2))
    w.run_until(60_000)

    first = w.trace.of(BatchConsumed)[0]
    assert first.msg_ids == tuple(d.msg_id for d in w.trace.of(MessageDelivered)[:4])
    assert (first.status, first.ack_index, first.topic, first.queue_id) == ("RECONSUME_LATER", -1, TOPIC, 0)
    assert raised_here(first.note, "RuntimeError: coupon service down")
    consumed = w.trace.of(MessageConsumed)[:4]
    assert [c.status for c in consumed] == ["RECONSUME_LATER"] * 4
    assert all(c.note == first.note for c in consumed), "each message failed with its batch"

    backs = w.trace.of(MessageSentBack)
    assert [b.msg_id for b in backs] == list(first.msg_ids), "all four go back, in order, one after the other"
    assert [b.at_ms for b in backs] == sorted(b.at_ms for b in backs)
    retries = [d for d in w.trace.of(MessageDelivered) if d.reconsume_times == 1]
    assert sorted(d.keys[0] for d in retries) == list(KEYS)
    assert w.consumers[0].local_offset(Q0) == 4

    # The two coupons issued before the failure are issued again: two duplicated effects.
    assert ledger.counts == {"order-0": 2, "order-1": 2, "order-2": 1, "order-3": 1}
    report = check(w.trace)
    assert sorted(e.key for e in report.duplicated_effects) == ["order-0", "order-1"]
    assert report.lost == [] and report.lost_effects == []
    assert report.retry_violations == [], "every copy taken back had failed: its batch did"


def test_ack_index_1_with_success_sends_back_only_the_last_two(w: World) -> None:
    ledger = EffectLedger(w, "coupon")

    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        assert context.ack_index == 2**31 - 1 and context.message_queue.topic in (TOPIC, "%RETRY%coupon")
        for i, msg in enumerate(msgs):
            if i == 2 and msg.reconsume_times == 0:
                context.ack_index = i - 1  # the last message this call finished
                return ConsumeStatus.SUCCESS
            ledger.apply(msg.keys[0])
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS)
    batch_consumer(w, handle)
    w.run_until(60_000)

    first = w.trace.of(BatchConsumed)[0]
    assert (first.status, first.ack_index) == ("CONSUME_SUCCESS", 1)
    consumed = w.trace.of(MessageConsumed)[:4]
    assert [c.status for c in consumed] == ["CONSUME_SUCCESS"] * 2 + ["RECONSUME_LATER"] * 2
    assert [c.note for c in consumed] == ["", "", "past ackIndex 1", "past ackIndex 1"]
    assert [b.msg_id for b in w.trace.of(MessageSentBack)] == list(first.msg_ids[2:])
    retried = [d.keys[0] for d in w.trace.of(MessageDelivered) if d.reconsume_times == 1]
    assert sorted(retried) == ["order-2", "order-3"]
    assert ledger.counts == dict.fromkeys(KEYS, 1), "no coupon twice"
    assert w.consumers[0].local_offset(Q0) == 4
    assert retry_violations(w.trace) == [] and lost_messages(w.trace) == []


def test_ack_index_minus_1_with_success_fails_the_whole_batch(w: World) -> None:
    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        if msgs[0].reconsume_times == 0:
            context.ack_index = -1
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS[:2])
    batch_consumer(w, handle)
    w.run_until(60_000)
    assert w.trace.of(BatchConsumed)[0].ack_index == -1
    assert len(w.trace.of(MessageSentBack)) == 2


def test_ack_index_past_the_batch_is_clamped_and_reconsume_later_ignores_it(w: World) -> None:
    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        context.ack_index = 100
        return ConsumeStatus.RECONSUME_LATER if msgs[0].keys[0] == "order-0" else ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS)
    batch_consumer(w, handle, size=2)
    w.run_until(5_000)
    batches = w.trace.of(BatchConsumed)
    assert [(b.status, b.ack_index, len(b.msg_ids)) for b in batches] == [
        ("RECONSUME_LATER", -1, 2),
        ("CONSUME_SUCCESS", 1, 2),
    ]
    assert [b.msg_id for b in w.trace.of(MessageSentBack)] == list(batches[0].msg_ids)


def test_a_bad_ack_index_is_refused_in_the_listener_which_then_fails(w: World) -> None:
    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        if msgs[0].reconsume_times == 0:
            context.ack_index = -2
        return ConsumeStatus.SUCCESS

    send_to_q0(w, "order-0")
    batch_consumer(w, handle)
    w.run_until(5_000)
    (first, *_) = w.trace.of(BatchConsumed)
    assert first.status == "RECONSUME_LATER"
    assert first.note.startswith("raised ValidationError: ack_index must be an int: -1 (nothing acknowledged)")
    context = ConsumeConcurrentlyContext(Q0)
    for bad in (True, 1.0, "1", None):
        with pytest.raises(ValidationError, match="ack_index"):
            context.ack_index = bad  # type: ignore[assignment]
    context.ack_index = 0
    assert (
        repr(context)
        == "ConsumeConcurrentlyContext(message_queue=MessageQueue(topic='order-paid', queue_id=0), ack_index=0)"
    )


def test_broadcasting_drops_what_follows_ack_index_and_sends_nothing_back(w: World) -> None:
    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        context.ack_index = 1
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS)
    batch_consumer(w, handle, model="BROADCASTING", consume_from_where="CONSUME_FROM_FIRST_OFFSET")
    w.run_until(60_000)
    assert [d.msg_id for d in w.trace.of(ConsumeFailureDropped)] == list(w.trace.of(BatchConsumed)[0].msg_ids[2:])
    assert w.trace.of(MessageSentBack) == []
    assert len(w.trace.of(MessageDelivered)) == 4, "nothing is delivered again"
    assert w.consumers[0].local_offset(Q0) == 4


# -- how batches are made -----------------------------------------------------------------------
def test_a_batch_is_cut_from_one_pull_and_never_spans_two(w: World) -> None:
    sizes: list[int] = []

    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        assert [m.queue_offset for m in msgs] == list(range(msgs[0].queue_offset, msgs[0].queue_offset + len(msgs)))
        assert {m.queue for m in msgs} == {context.message_queue}
        sizes.append(len(msgs))
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *(f"order-{n}" for n in range(35)))
    batch_consumer(w, handle, size=10)
    w.run_until(10_000)
    assert sizes == [10, 10, 10, 2, 3], "pullBatchSize = 32: 10+10+10+2 from the first pull, 3 from the next"
    assert w.consumers[0].local_offset(Q0) == 35


def test_default_batch_size_1_hands_a_one_message_handler_one_message(w: World) -> None:
    seen: list[object] = []

    def handle(msg: MessageExt) -> ConsumeStatus:
        seen.append(msg)
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS)
    consumer = w.push_consumer("coupon", TOPIC, handle, name="c1")
    assert (consumer.batch, consumer.consume_message_batch_max_size) == (False, 1)
    consumer.start()
    w.run_until(5_000)
    assert all(isinstance(m, MessageExt) for m in seen) and len(seen) == 4
    assert w.trace.of(BatchConsumed) == []


def run_default(seed: int, **options: Any) -> Trace:
    w = World(seed=seed)
    w.broker.create_topic(TOPIC)
    send_to_q0(w, *KEYS)
    handler: Callable[[MessageExt], ConsumeStatus] = lambda m: (  # noqa: E731
        ConsumeStatus.RECONSUME_LATER if m.reconsume_times == 0 and "order-1" in m.keys else ConsumeStatus.SUCCESS
    )
    w.push_consumer("coupon", TOPIC, handler, name="c1", **options).start()
    w.run_until(60_000)
    w.close()
    return w.trace


def test_saying_the_defaults_changes_nothing_in_the_trace() -> None:
    assert run_default(3).sha256() == run_default(3, batch=False, consume_message_batch_max_size=1).sha256()


def test_batch_true_with_size_1_hands_lists_of_one(w: World) -> None:
    sizes: list[int] = []

    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        sizes.append(len(msgs))
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS)
    batch_consumer(w, handle, size=1)
    w.run_until(5_000)
    assert sizes == [1, 1, 1, 1]


@pytest.mark.parametrize(
    ("options", "rule"),
    [
        ({"consume_message_batch_max_size": 4}, "needs a batch listener: pass batch=True"),
        ({"batch": True, "consume_message_batch_max_size": 0}, r"consumeMessageBatchMaxSize Out of range \[1, 1024\]"),
        ({"batch": True, "consume_message_batch_max_size": 1025}, "consumeMessageBatchMaxSize Out of range"),
        ({"batch": True, "consume_message_batch_max_size": True}, "consumeMessageBatchMaxSize Out of range"),
        ({"batch": "yes"}, "batch must be True"),
    ],
)
def test_bad_batch_options_are_refused(w: World, options: dict[str, Any], rule: str) -> None:
    with pytest.raises(ValidationError, match=rule):
        w.push_consumer("coupon", TOPIC, lambda msgs, context: "CONSUME_SUCCESS", **options)


# -- send-back failure, consume timeout, crash ----------------------------------------------------
def test_messages_whose_send_back_failed_come_back_here_as_one_batch_after_5s(w: World) -> None:
    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        if msgs[0].reconsume_times == 0:
            w.faults.broker_outage(w.now_ms, 3_000)  # every send-back of this batch fails
            return ConsumeStatus.RECONSUME_LATER
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS)
    batch_consumer(w, handle)
    w.run_until(30_000)
    local = w.trace.of(RetriedLocally)
    assert [(r.reconsume_times, r.delay_ms, r.reason) for r in local] == [(1, 5000, "send-back failed")] * 4
    first, again = w.trace.of(BatchConsumed)
    assert again.msg_ids == first.msg_ids and again.at_ms - local[-1].at_ms == 5000
    assert [d.reconsume_times for d in w.trace.of(MessageDelivered)] == [0] * 4 + [1] * 4
    assert w.trace.of(MessageSentBack) == []
    assert w.consumers[0].local_offset(Q0) == 4
    assert retry_violations(w.trace) == []


def test_the_consume_timeout_scan_takes_a_whole_batch_and_its_failure_sends_nothing_more(w: World) -> None:
    async def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        if msgs[0].reconsume_times == 0:
            await asyncio.sleep(30 * 60)  # past the second scan, 30 min after the start
            return ConsumeStatus.RECONSUME_LATER
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS[:2])
    batch_consumer(w, handle)
    w.run_until(32 * 60_000)
    batch = w.trace.of(BatchConsumed)[0]
    # Every message of the batch started with it, so each head in turn has run too long.
    timed_out = w.trace.of(ConsumeTimedOut)
    assert [t.msg_id for t in timed_out] == list(batch.msg_ids)
    assert all(t.at_ms - t.started_ms > 15 * 60_000 and t.at_ms < batch.at_ms for t in timed_out)
    backs = w.trace.of(MessageSentBack)
    assert [(b.msg_id, b.delay_level) for b in backs] == [(m, 3) for m in batch.msg_ids], "not sent back twice"
    assert retry_violations(w.trace) == []


def test_a_crash_after_the_handler_redelivers_the_whole_batch(w: World) -> None:
    ledger = EffectLedger(w, "coupon")
    w.faults.crash_consumer("c1", CrashPoint.AFTER_HANDLER, key="order-3")
    send_to_q0(w, *KEYS)
    batch_consumer(w, naive(ledger))
    w.run_until(5_000)
    assert w.trace.of(OffsetCommittedLocally) == []
    w.consumers[0].restart()
    w.run_until(20_000)
    assert ledger.counts == dict.fromkeys(KEYS, 2)


# -- orderly --------------------------------------------------------------------------------------
def test_an_orderly_batch_commits_whole_or_is_put_back_whole(w: World) -> None:
    seen: list[tuple[str, ...]] = []

    def handle(msgs: list[MessageExt], context: ConsumeOrderlyContext) -> OrderlyStatus:
        assert isinstance(context, ConsumeOrderlyContext) and context.message_queue == Q0
        seen.append(tuple(f"{m.keys[0]}/{m.reconsume_times}" for m in msgs))
        if len(seen) == 1:
            raise KeyError("stock")
        return OrderlyStatus.SUCCESS

    send_to_q0(w, *KEYS)
    batch_consumer(w, handle, orderly=True)
    w.run_until(10_000)
    assert seen == [tuple(f"{k}/0" for k in KEYS), tuple(f"{k}/1" for k in KEYS)]
    local = w.trace.of(RetriedLocally)
    assert [(r.reconsume_times, r.delay_ms, r.reason) for r in local] == [
        (1, 1000, "SUSPEND_CURRENT_QUEUE_A_MOMENT")
    ] * 4
    assert [c.status for c in w.trace.of(MessageConsumed)] == ["SUSPEND_CURRENT_QUEUE_A_MOMENT"] * 4 + ["SUCCESS"] * 4
    assert [b.ack_index for b in w.trace.of(BatchConsumed)] == [-1, 3]
    assert w.consumers[0].local_offset(Q0) == 4
    assert retry_violations(w.trace) == []


def test_orderly_dead_lettered_messages_are_put_back_with_their_batch(w: World) -> None:
    """``checkReconsumeTimes`` sends the messages at the maximum to the DLQ path, then
    ``makeMessageToConsumeAgain`` puts the whole batch back: they are consumed again."""
    calls: list[tuple[str, ...]] = []
    producer = w.producer("order", client_id="order")

    def handle(msgs: list[MessageExt], context: ConsumeOrderlyContext) -> OrderlyStatus:
        calls.append(tuple(f"{m.keys[0]}/{m.reconsume_times}" for m in msgs))
        if len(calls) == 1:  # a message that joins the batch of the retry, 1000 ms later
            w.spawn(producer.send(Message(TOPIC, b"late", keys=("late",)), selector=to_queue, arg=0), "late")
        return OrderlyStatus.SUCCESS if len(calls) > 2 else OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT

    w.push_consumer(
        "coupon",
        TOPIC,
        handle,
        name="c1",
        orderly=True,
        batch=True,
        consume_message_batch_max_size=4,
        max_reconsume_times=1,
    ).start()
    send_to_q0(w, "a", "b")
    w.run_until(10_000)
    assert calls == [("a/0", "b/0"), ("a/1", "b/1", "late/0"), ("a/1", "b/1", "late/1")]
    assert [d.msg_id for d in w.trace.of(MessageDeadLettered)] == list(w.trace.of(BatchConsumed)[0].msg_ids)
    reasons = [(r.reconsume_times, r.reason) for r in w.trace.of(RetriedLocally)][2:]
    assert reasons == [(1, "dead-lettered, put back with its batch")] * 2 + [(1, "SUSPEND_CURRENT_QUEUE_A_MOMENT")]
    assert w.consumers[0].local_offset(Q0) == 3


# -- words and determinism ------------------------------------------------------------------------
def test_the_batch_reads_in_english_and_chinese(w: World) -> None:
    def handle(msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> ConsumeStatus:
        context.ack_index = 0 if msgs[0].reconsume_times == 0 else context.ack_index
        return ConsumeStatus.SUCCESS

    send_to_q0(w, *KEYS[:3])
    batch_consumer(w, handle)
    w.run_until(30_000)
    part = w.trace.of(BatchConsumed)[0]
    assert describe(part) == (
        "handler returned CONSUME_SUCCESS for a batch of 3 from order-paid#0 with ackIndex = 0: "
        "the first 1 consumed, the other 2 count as failed"
    )
    assert "ackIndex = 0：前 1 条消费成功，后 2 条按消费失败处理" in describe(part, "zh")
    assert describe(part, brief=True) == "batch of 3: ackIndex = 0, 2 failed"
    failed = w.trace.of(MessageConsumed)[1]
    assert describe(failed).endswith("(after ackIndex = 0: counts as failed)")
    assert "排在 ackIndex = 0 之后：按消费失败处理" in describe(failed, "zh")


def scenario(seed: int) -> Trace:
    w = World(seed=seed)
    w.broker.create_topic(TOPIC)
    ledger = EffectLedger(w, "coupon")
    w.faults.lose_send_back_reply(group="coupon", key="order-5")
    for n in range(8):
        w.run(w.producer("order").send(Message(TOPIC, f"o{n}".encode(), keys=(f"order-{n}",))))
    batch_consumer(w, naive(ledger, fail_at=1), size=3)
    w.run_until(120_000)
    w.close()
    return w.trace


def test_same_seed_same_trace_and_it_reads_back() -> None:
    one, two = scenario(11), scenario(11)
    assert one.to_jsonl() == two.to_jsonl()
    assert Trace.from_jsonl(one.to_jsonl()).sha256() == one.sha256()
    assert scenario(12).sha256() != one.sha256()
    assert one.of(BatchConsumed), "the scenario consumes in batches"
