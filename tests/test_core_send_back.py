"""Send-back routing (``consumerSendMsgBack``): retry topic or DLQ, the delay level, and
what the copy carries; driven directly, without a loop."""

from __future__ import annotations

import pytest

from minimq.core import delay
from minimq.core.send_back import DLQ_NUMS_PER_GROUP, RETRY_QUEUE_NUMS, DeadLetter, Retry, decide_send_back
from minimq.events import MessageDeadLettered, MessageSentBack
from minimq.model import MessageExt, MessageQueue

S = 1000
NOW = 50_000
GROUP = "coupon"


def stored(reconsume_times: int = 0, origin: str | None = None) -> MessageExt:
    return MessageExt(
        topic="order-paid",
        queue=MessageQueue("order-paid", 2) if origin is None else MessageQueue("%RETRY%coupon", 0),
        queue_offset=7,
        body=b"order-7",
        tags="paid",
        keys=("order-7",),
        properties=(("region", "eu"),),
        msg_id="UNIQ7",
        offset_msg_id="OFF-THIS-COPY",
        born_ms=1_000,
        store_ms=2_000,
        reconsume_times=reconsume_times,
        origin_msg_id=origin,
    )


def concurrent(msg: MessageExt, delay_level: int = 0) -> Retry | DeadLetter:
    return decide_send_back(
        msg,
        group=GROUP,
        now_ms=NOW,
        delay_level=delay_level,
        max_reconsume_times=delay.max_reconsume_times(-1, orderly=False),
    )


def test_a_first_failure_is_retried_after_10_s_in_the_retry_topic() -> None:
    decision = concurrent(stored())
    assert isinstance(decision, Retry)
    assert decision.delay_level == 3
    assert decision.due_ms == NOW + 10 * S
    assert decision.copy.queue == MessageQueue("%RETRY%coupon", 0)
    assert decision.queue_nums == RETRY_QUEUE_NUMS == 1
    assert decision.events == (
        MessageSentBack(
            at_ms=NOW,
            group=GROUP,
            msg_id="UNIQ7",
            offset_msg_id="OFF-THIS-COPY",
            reconsume_times=0,
            delay_level=3,
            due_ms=NOW + 10 * S,
        ),
    )


@pytest.mark.parametrize("times", range(16))
def test_level_zero_means_3_plus_reconsume_times(times: int) -> None:
    decision = concurrent(stored(times, origin="OFF-FIRST"))
    assert isinstance(decision, Retry)
    assert decision.delay_level == 3 + times
    assert decision.due_ms - NOW == delay.delay_ms(3 + times) == delay.retry_ladder_ms()[times]
    assert decision.copy.reconsume_times == times + 1


def test_a_level_the_consumer_chose_is_kept() -> None:
    decision = concurrent(stored(5, origin="OFF-FIRST"), delay_level=3)  # the consume-timeout scan's level
    assert isinstance(decision, Retry)
    assert (decision.delay_level, decision.due_ms) == (3, NOW + 10 * S)


def test_the_copy_keeps_the_message_and_points_to_the_first_stored_copy() -> None:
    first = concurrent(stored())
    assert first.copy.origin_msg_id == "OFF-THIS-COPY"  # no origin yet: this copy is the first
    again = concurrent(stored(3, origin="OFF-FIRST"))
    assert again.copy.origin_msg_id == "OFF-FIRST"
    source = again.copy.source
    assert (source.topic, source.body, source.tags, source.keys, source.properties) == (
        "order-paid",
        b"order-7",
        "paid",
        ("order-7",),
        (("region", "eu"),),
    )
    assert (source.msg_id, source.born_ms) == ("UNIQ7", 1_000)


def test_the_17th_failure_goes_to_the_dlq_at_once_with_reconsume_times_plus_one() -> None:
    decision = concurrent(stored(16, origin="OFF-FIRST"))
    assert isinstance(decision, DeadLetter)
    assert decision.copy.queue == MessageQueue("%DLQ%coupon", 0)
    assert decision.queue_nums == DLQ_NUMS_PER_GROUP == 1
    assert decision.copy.reconsume_times == 17
    assert decision.copy.origin_msg_id == "OFF-FIRST"
    assert decision.events == (
        MessageDeadLettered(
            at_ms=NOW,
            group=GROUP,
            msg_id="UNIQ7",
            offset_msg_id="OFF-THIS-COPY",
            reconsume_times=16,
            dlq_topic="%DLQ%coupon",
        ),
    )


def test_the_16th_failure_still_gets_its_retry_after_2_hours() -> None:
    decision = concurrent(stored(15, origin="OFF-FIRST"))
    assert isinstance(decision, Retry)
    assert (decision.delay_level, decision.due_ms - NOW) == (18, 7200 * S)


def test_a_negative_delay_level_dead_letters_at_once() -> None:
    assert isinstance(concurrent(stored(), delay_level=-1), DeadLetter)


@pytest.mark.parametrize(("max_times", "dead_at"), [(0, 0), (1, 1), (3, 3)])
def test_an_explicit_max_dead_letters_the_failure_of_the_delivery_with_that_count(max_times: int, dead_at: int) -> None:
    def decide(times: int) -> Retry | DeadLetter:
        return decide_send_back(stored(times), group=GROUP, now_ms=NOW, delay_level=0, max_reconsume_times=max_times)

    assert all(isinstance(decide(n), Retry) for n in range(dead_at))
    assert isinstance(decide(dead_at), DeadLetter)


def test_an_orderly_dead_letter_carries_its_own_count_as_is() -> None:
    # The stored copy was delivered once from the broker (reconsume_times 0), then retried
    # locally: the consumer's count is what the broker takes.
    decision = decide_send_back(
        stored(0), group=GROUP, now_ms=NOW, delay_level=-1, max_reconsume_times=3, reconsume_times=3
    )
    assert isinstance(decision, DeadLetter)
    assert decision.copy.reconsume_times == 3
    assert decision.events[0].reconsume_times == 3


def test_deciding_changes_nothing_it_is_given() -> None:
    msg = stored(2, origin="OFF-FIRST")
    assert concurrent(msg) == concurrent(msg)
    assert msg.reconsume_times == 2
