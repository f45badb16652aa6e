"""Lesson 9 (P11): an orderly consumer retries a message whose coupon is done, and the
queue waits behind it.

For seeds 1 to 5: the naive run issues a coupon per attempt and stalls queue 3 (the
orders behind order-1001 get nothing), bounded retries free the queue after 4 attempts
and dead-letter the message, the UNIQUE key acknowledges the second attempt; asserted on
the ``--json`` summary and on the trace. The coupon consumer locks each queue at its first
rebalance, 1 s after it starts, and pulls before the first payment.
"""

from __future__ import annotations

import itertools

import pytest
from lesson_traces import of, runs, summary

from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP, RED_PACKET_GROUP, TOPIC
from minimq.core.rebalance import PULL_DELAY_AFTER_REBALANCE_MS, REBALANCE_MIN_INTERVAL_MS
from minimq.events import (
    Event,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
    QueueLocked,
    QueueUnlocked,
    Rebalanced,
    RetriedLocally,
)
from minimq.lessons import find
from minimq.lessons.lesson9 import LESSON, PAID

SEEDS = [1, 2, 3, 4, 5]
STUCK = ("order-1005", "order-1009")  # behind order-1001 in queue 3


def coupon_deliveries(events: list[Event]) -> list[tuple[str, int, int]]:
    """(order, queue id, reconsume times) of every delivery to the coupon system."""
    return [
        (d.keys[0], d.queue_id, d.reconsume_times) for d in of(events, MessageDelivered) if d.client == COUPON_CLIENT
    ]


def test_the_lesson_is_registered_as_number_9_on_path_p11(capsys: pytest.CaptureFixture[str]) -> None:
    assert find("9") is find("orderly") is find("09_orderly") is LESSON
    printed = summary(capsys, LESSON, 1)
    assert printed["lesson"] == "orderly" and printed["paths"] == ["P11"]
    assert [r["design"] for r in printed["runs"]] == ["naive", "naive/max_reconsume_times_3", "unique_key"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_coupon_consumer_locks_its_queues_at_its_first_rebalance_then_pulls_before_the_payments(seed: int) -> None:
    for design, (_, events) in runs(LESSON, seed).items():
        locked = [q for q in of(events, QueueLocked) if q.group == COUPON_GROUP and q.topic == TOPIC]
        assert [q.queue_id for q in locked] == [0, 1, 2, 3], f"{design}: one LOCK_BATCH_MQ per queue"
        owned = {r.group: r.at_ms for r in of(events, Rebalanced) if r.topic == TOPIC and r.before == ()}
        coupon, red_packet = owned[COUPON_GROUP], owned[RED_PACKET_GROUP]
        assert locked[0].at_ms >= REBALANCE_MIN_INTERVAL_MS and locked[-1].at_ms < coupon, "locked, then owned"
        assert red_packet < coupon, "the concurrent group needs no lock"
        assert coupon + PULL_DELAY_AFTER_REBALANCE_MS < PAID[0][1], "pulling before the first payment"
        assert of(events, QueueUnlocked) == [], "nobody else takes queue 3"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_first_naive_step_ends_after_the_red_packets_and_before_the_first_retry(seed: int) -> None:
    events = runs(LESSON, seed)["naive"][1]
    step1 = LESSON.runs[0].steps[0].until_ms
    red_packets = [c.at_ms for c in of(events, MessageConsumed) if c.group == RED_PACKET_GROUP]
    coupon = [d.at_ms for d in of(events, MessageDelivered) if d.client == COUPON_CLIENT]
    assert len(red_packets) == len(PAID) and max(red_packets) < step1 < coupon[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_naive_repeats_the_coupon_and_stalls_bounded_repeats_less_unique_key_once(seed: int) -> None:
    done = runs(LESSON, seed)
    (naive, _), (bounded, _), (right, _) = done["naive"], done["naive/max_reconsume_times_3"], done["unique_key"]
    assert naive["groups"][COUPON_GROUP]["duplicate_effects"] == 5, "a coupon per attempt, 6 attempts by 20 s"
    assert naive["lost_effects"] == len(STUCK), "the stalled orders have no coupon when the run ends"
    assert (bounded["duplicate_effects"], bounded["lost_effects"]) == (3, 0)
    assert (right["duplicate_effects"], right["lost_effects"]) == (0, 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_naive_run_retries_in_place_every_2_5_s_and_the_queue_behind_waits(seed: int) -> None:
    events = runs(LESSON, seed)["naive"][1]
    got = coupon_deliveries(events)
    assert got == [("order-1001", 3, r) for r in range(6)], "never order-1005 nor order-1009"
    suspends = of(events, RetriedLocally)
    assert {(s.delay_ms, s.reason) for s in suspends} == {(1000, "SUSPEND_CURRENT_QUEUE_A_MOMENT")}
    starts = [d.at_ms for d in of(events, MessageDelivered) if d.client == COUPON_CLIENT]
    assert {b - a for a, b in itertools.pairwise(starts)} <= {2504, 2505}, "1.5 s of work + 1 s"
    assert of(events, MessageSentBack) == [] and of(events, MessageDeadLettered) == [], "nothing leaves the client"
    stored = [s.keys[0] for s in of(events, MessageStored) if s.topic == "order-paid" and s.queue_id == 3]
    assert stored == ["order-1001", *STUCK]


@pytest.mark.parametrize("seed", SEEDS)
def test_bounded_retries_dead_letter_after_4_attempts_and_free_the_queue(seed: int) -> None:
    events = runs(LESSON, seed)["naive/max_reconsume_times_3"][1]
    (dead,) = of(events, MessageDeadLettered)
    assert dead.reconsume_times == 3
    (dlq,) = [s for s in of(events, MessageStored) if s.topic == f"%DLQ%{COUPON_GROUP}"]
    assert dlq.reconsume_times == 4, "the client sends RECONSUME_TIME 3 + 1 (5.1.1+)"
    got = coupon_deliveries(events)
    assert got == [*(("order-1001", 3, r) for r in range(4)), ("order-1005", 3, 0), ("order-1009", 3, 0)]
    after = [d.at_ms for d in of(events, MessageDelivered) if d.client == COUPON_CLIENT and d.keys[0] in STUCK]
    assert min(after) > dead.at_ms


@pytest.mark.parametrize("seed", SEEDS)
def test_the_unique_key_acknowledges_the_second_attempt(seed: int) -> None:
    events = runs(LESSON, seed)["unique_key"][1]
    got = coupon_deliveries(events)
    assert got == [("order-1001", 3, 0), ("order-1001", 3, 1), ("order-1005", 3, 0), ("order-1009", 3, 0)]
    statuses = [c.status for c in of(events, MessageConsumed) if c.client == COUPON_CLIENT]
    assert statuses == ["SUSPEND_CURRENT_QUEUE_A_MOMENT", "SUCCESS", "SUCCESS", "SUCCESS"]
