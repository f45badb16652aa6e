"""Send-back routing: ``consumerSendMsgBack`` and a normal message to the retry topic
(``sendMessageBackAsNormalMessage``, ``handleRetryAndDLQ``): retry topic or DLQ, the
delay level, and what the copy carries; driven directly, without a loop."""

from __future__ import annotations

from dataclasses import replace

import pytest

from minimq.core import delay
from minimq.core.send_back import (
    DLQ_NUMS_PER_GROUP,
    RETRY_QUEUE_NUMS,
    DeadLetter,
    Retry,
    RetryMessage,
    decide_retry_message,
    decide_send_back,
    retry_message,
)
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


# -- a normal message to %RETRY% (the fallback; an orderly consumer's dead letter) ----------
def test_the_client_sends_its_own_count_plus_one_at_level_3_plus_its_count() -> None:
    # sendMessageBackAsNormalMessage: RECONSUME_TIME = n + 1, DELAY = 3 + n, whatever level
    # the send-back had asked for
    message = retry_message(stored(4, origin="OFF-FIRST"), max_reconsume_times=16)
    assert (message.reconsume_times, message.delay_level, message.max_reconsume_times) == (5, 7, 16)
    assert message.origin_msg_id == "OFF-FIRST"
    first = retry_message(stored(0), max_reconsume_times=16)
    assert first.origin_msg_id == "UNIQ7", "no origin yet: the client names the msg id"


def test_a_normal_retry_message_is_scheduled_like_a_send_back() -> None:
    decision = decide_retry_message(
        retry_message(stored(2, origin="OFF-FIRST"), max_reconsume_times=16),
        group=GROUP,
        now_ms=NOW,
        group_locked=False,
    )
    assert isinstance(decision, Retry)
    assert (decision.delay_level, decision.due_ms) == (5, NOW + delay.delay_ms(5))
    assert decision.copy.queue == MessageQueue("%RETRY%coupon", 0)
    assert (decision.copy.reconsume_times, decision.copy.origin_msg_id) == (3, "OFF-FIRST")
    assert decision.events == (
        MessageSentBack(
            at_ms=NOW,
            group=GROUP,
            msg_id="UNIQ7",
            offset_msg_id="OFF-THIS-COPY",
            reconsume_times=2,
            delay_level=5,
            due_ms=NOW + delay.delay_ms(5),
        ),
    )


@pytest.mark.parametrize(("held", "dead"), [(15, False), (16, True), (17, True)])
def test_the_broker_dead_letters_a_retry_message_above_the_max(held: int, dead: bool) -> None:
    # handleRetryAndDLQ: RECONSUME_TIME (held + 1) > maxReconsumeTimes, as consumerSendMsgBack's
    # held >= max
    message = retry_message(stored(held), max_reconsume_times=16)
    decision = decide_retry_message(message, group=GROUP, now_ms=NOW, group_locked=False)
    assert isinstance(decision, DeadLetter) is dead
    assert isinstance(concurrent(stored(held)), DeadLetter) is dead


def test_an_orderly_dead_letter_keeps_the_count_it_was_sent_with() -> None:
    # The stored copy was delivered once from the broker (reconsume_times 0), then retried
    # locally 3 times: the client sends 3 + 1 (5.1.1+, ISSUE #6163), and the DLQ copy has it.
    local = replace(stored(0), reconsume_times=3)
    decision = decide_retry_message(
        retry_message(local, max_reconsume_times=3), group=GROUP, now_ms=NOW, group_locked=True
    )
    assert isinstance(decision, DeadLetter)
    assert decision.copy.reconsume_times == 4
    assert decision.events[0].reconsume_times == 3


def test_a_group_holding_an_orderly_lock_dead_letters_whatever_the_count() -> None:
    message = RetryMessage(
        source=stored(0), reconsume_times=1, delay_level=3, max_reconsume_times=16, origin_msg_id="UNIQ7"
    )
    assert isinstance(decide_retry_message(message, group=GROUP, now_ms=NOW, group_locked=True), DeadLetter)
    assert isinstance(decide_retry_message(message, group=GROUP, now_ms=NOW, group_locked=False), Retry)


def test_deciding_changes_nothing_it_is_given() -> None:
    msg = stored(2, origin="OFF-FIRST")
    assert concurrent(msg) == concurrent(msg)
    assert msg.reconsume_times == 2
