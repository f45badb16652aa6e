"""The retry checker and an orderly batch put back whole after one of its messages was
dead-lettered (``minimq.check.retries``; docs/semantics.md, the orderly batch row).

``ConsumeMessageOrderlyService.checkReconsumeTimes`` sends every message of a failed
batch that is at ``maxReconsumeTimes`` to the retry topic (to be dead-lettered); when one
of those sends fails, ``makeMessageToConsumeAgain`` puts the whole batch back, and a
message whose send went through goes back with its count unchanged
(``RetriedLocally`` reason "dead-lettered, put back with its batch"). Its local retry
follows the attempt that just failed, at the same count: it is not a retry without a
failure.
"""

from __future__ import annotations

from helpers import to_queue

from minimq import ConsumeOrderlyContext, Message, MessageExt, OrderlyStatus, World
from minimq.check import retry_violations
from minimq.check.retries import _PUT_BACK_WITH_BATCH
from minimq.core.consume_batch import _why
from minimq.events import MessageDeadLettered, RetriedLocally, SendBackFailed

TOPIC = "order-paid"


def _run(max_reconsume_times: int) -> tuple[World, list[tuple[str, ...]]]:
    """Two messages in one orderly batch; the first attempt fails, and the broker is
    unreachable from just after the first message's send to the retry topic, so the
    second's fails and the batch is put back whole."""
    w = World(seed=7)
    w.broker.create_topic(TOPIC)
    producer = w.producer("order", client_id="order")
    for key in ("a", "b"):
        w.run(producer.send(Message(TOPIC, key.encode(), keys=(key,)), selector=to_queue, arg=0))
    calls: list[tuple[str, ...]] = []

    def handle(msgs: list[MessageExt], context: ConsumeOrderlyContext) -> OrderlyStatus:
        calls.append(tuple(f"{m.keys[0]}/{m.reconsume_times}" for m in msgs))
        if len(calls) <= max_reconsume_times + 1:
            if len(calls) == max_reconsume_times + 1:  # the attempt that reaches the maximum
                w.faults.broker_outage(w.now_ms + 3, 2000)
            return OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT
        return OrderlyStatus.SUCCESS

    w.push_consumer(
        "coupon",
        TOPIC,
        handle,
        name="c1",
        orderly=True,
        batch=True,
        consume_message_batch_max_size=4,
        max_reconsume_times=max_reconsume_times,
    ).start()
    w.run_until(30_000)
    return w, calls


def test_a_message_put_back_with_its_batch_after_its_dead_letter_is_no_retry_without_failure() -> None:
    w, calls = _run(max_reconsume_times=0)
    try:
        assert calls == [("a/0", "b/0"), ("a/0", "b/1")]
        (dead,) = w.trace.of(MessageDeadLettered)
        assert w.trace.of(SendBackFailed)  # the second message's send failed
        reasons = [(r.msg_id == dead.msg_id, r.reconsume_times, r.reason) for r in w.trace.of(RetriedLocally)]
        assert reasons == [(True, 0, "dead-lettered, put back with its batch"), (False, 1, "DLQ send-back failed")]
        assert retry_violations(w.trace) == []
    finally:
        w.close()


def test_the_same_with_a_maximum_above_zero() -> None:
    w, calls = _run(max_reconsume_times=1)
    try:
        assert calls[-2:] == [("a/1", "b/1"), ("a/1", "b/2")]
        assert retry_violations(w.trace) == []
    finally:
        w.close()


def test_the_checker_states_the_engines_reason_again() -> None:
    # the oracle keeps its own copy of the reason (as of the delay levels): the two agree
    assert _why(0, gone={0}, failed=()) == _PUT_BACK_WITH_BATCH
