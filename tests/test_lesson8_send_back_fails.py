"""Lesson 8 (P9): a send-back the broker cannot take, then one whose reply is lost.

For seeds 1 to 5: the naive run issues two coupons from two retry copies of one failure,
the Redis claim loses the coupon, the UNIQUE key issues one; asserted on the ``--json``
summary and on the trace, not on the prose. The story's clock (both groups own their queues
before the payment, the outage begins as the message is delivered, the steps end between
the events their narration names) is asserted against the lesson's own constants.
"""

from __future__ import annotations

import pytest
from lesson_traces import of, runs, summary

from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP
from minimq.check import retry_violations
from minimq.core.consume_result import SEND_BACK_FAILED_RETRY_MS
from minimq.core.rebalance import PULL_DELAY_AFTER_REBALANCE_MS
from minimq.events import (
    FaultInjected,
    MessageConsumed,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
    Rebalanced,
    RetriedLocally,
    SendBackFailed,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson
from minimq.lessons.lesson8 import DELIVERED_MS, LESSON, OUTAGE_FOR_MS, OUTAGE_MS, PAY_MS
from minimq.runtime.consumer_session import SEND_BACK_TIMEOUT_MS
from minimq.trace import Trace

SEEDS = [1, 2, 3, 4, 5]


def test_the_lesson_is_registered_as_number_8_on_path_p9(capsys: pytest.CaptureFixture[str]) -> None:
    assert find("8") is find("send-back-fails") is find("08_send_back_fails") is LESSON
    printed = summary(capsys, LESSON, 1)
    assert printed["lesson"] == "send-back-fails" and printed["paths"] == ["P9"]
    assert [r["design"] for r in printed["runs"]] == ["naive", "mark_first", "unique_key"]


@pytest.mark.parametrize("seed", SEEDS)
def test_naive_two_coupons_claim_first_none_unique_key_one(seed: int) -> None:
    lesson: Lesson = LESSON
    done = runs(lesson, seed)
    (naive, _), (claim, _), (right, _) = done["naive"], done["mark_first"], done["unique_key"]
    assert (naive["duplicate_effects"], naive["lost_effects"]) == (1, 0)
    assert naive["groups"][COUPON_GROUP]["duplicate_effects"] == 1
    assert (claim["duplicate_effects"], claim["lost_effects"]) == (0, 1)
    assert (right["duplicate_effects"], right["lost_effects"]) == (0, 0)
    assert right["duplicate_deliveries"] >= 2, "both retries still arrive"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_naive_run_retries_locally_then_stores_two_retry_copies(seed: int) -> None:
    events = runs(LESSON, seed)["naive"][1]
    (local,) = of(events, RetriedLocally)
    assert (local.delay_ms, local.reason, local.reconsume_times) == (5000, "send-back failed", 1)
    failed = [(f.request, f.attempt) for f in of(events, SendBackFailed)]
    assert failed == [
        ("CONSUMER_SEND_MSG_BACK", 1),  # the broker unreachable
        ("SEND_MESSAGE", 1),
        ("SEND_MESSAGE", 2),
        ("SEND_MESSAGE", 3),
        ("CONSUMER_SEND_MSG_BACK", 1),  # taken, reply lost: the timeout, 5000 ms later
    ]
    (lost,) = [f for f in of(events, FaultInjected) if f.fault == "lose_send_back_reply"]
    first, second = [b for b in of(events, MessageSentBack) if b.group == COUPON_GROUP]
    assert lost.at_ms == first.at_ms
    assert second.at_ms - first.at_ms == SEND_BACK_TIMEOUT_MS, "the fallback, after the 5000 ms timeout"
    assert (first.reconsume_times, first.delay_level) == (0, 3), "the broker counts from the stored message"
    assert (second.reconsume_times, second.delay_level) == (1, 4), "the client counts its local attempt"
    copies = [s for s in of(events, MessageStored) if s.topic == f"%RETRY%{COUPON_GROUP}"]
    assert [(c.reconsume_times, c.at_ms) for c in copies] == [(1, first.due_ms), (2, second.due_ms)]
    assert len({c.msg_id for c in copies}) == 1, "both carry the msgId"
    coupon = [d for d in of(events, MessageDelivered) if d.client == COUPON_CLIENT]
    assert [d.reconsume_times for d in coupon] == [0, 1, 1, 2]
    assert [c.status for c in of(events, MessageConsumed) if c.client == COUPON_CLIENT] == [
        "RECONSUME_LATER",
        "RECONSUME_LATER",
        "CONSUME_SUCCESS",
        "CONSUME_SUCCESS",
    ]
    assert retry_violations(Trace(events)) == [], "every take-back follows RocketMQ's rules"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_claim_first_run_never_sends_back_again(seed: int) -> None:
    events = runs(LESSON, seed)["mark_first"][1]
    assert of(events, MessageSentBack) == []
    assert len(of(events, RetriedLocally)) == 1
    coupon = [c for c in of(events, MessageConsumed) if c.client == COUPON_CLIENT]
    assert [c.status for c in coupon] == ["RECONSUME_LATER", "CONSUME_SUCCESS"], "the retry is skipped"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_outage_begins_as_the_message_is_delivered_long_after_the_start_up(seed: int) -> None:
    for design, (_, events) in runs(LESSON, seed).items():
        owned = [r.at_ms for r in of(events, Rebalanced) if r.topic == "order-paid" and r.before == ()]
        assert len(owned) == 2, design
        assert max(owned) + PULL_DELAY_AFTER_REBALANCE_MS < PAY_MS, "both groups pull before the user pays"
        (outage,) = [f for f in of(events, FaultInjected) if f.fault == "broker_outage"]
        first, again, *_ = [d for d in of(events, MessageDelivered) if d.client == COUPON_CLIENT]
        assert outage.at_ms == first.at_ms == DELIVERED_MS == OUTAGE_MS, design
        (local,) = of(events, RetriedLocally)
        assert OUTAGE_MS <= local.at_ms < OUTAGE_MS + OUTAGE_FOR_MS, "the send-back and its fallback fail in the outage"
        assert again.at_ms == local.at_ms + SEND_BACK_FAILED_RETRY_MS >= OUTAGE_MS + OUTAGE_FOR_MS, "the broker is back"


@pytest.mark.parametrize("seed", SEEDS)
def test_each_naive_step_ends_between_the_events_its_narration_names(seed: int) -> None:
    events = runs(LESSON, seed)["naive"][1]
    step1, step2, _ = (step.until_ms for step in LESSON.runs[0].steps)
    (local,) = of(events, RetriedLocally)
    coupon = [d for d in of(events, MessageDelivered) if d.client == COUPON_CLIENT]
    assert local.at_ms < step1 < coupon[1].at_ms, "step 1: the failed send-backs, not yet the local retry"
    first, second = [b for b in of(events, MessageSentBack) if b.group == COUPON_GROUP]
    assert second.at_ms < step2 < first.due_ms <= coupon[2].at_ms, "step 2: both copies taken, none delivered"
