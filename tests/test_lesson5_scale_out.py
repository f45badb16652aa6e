"""Lesson 5 (scale-out, paths P7 and P6), for seeds 1 to 5: the naive run and the in-memory
set issue a second coupon for every order in flight when its queue moved, the UNIQUE key
none; and the trace shows RocketMQ 5's timing: the heartbeat, the old owner giving the
queues up at once, the new one rebalancing a second after its start and pulling 500 ms
later from the offset the messages in flight held back.

Reference: docs/semantics.md section 7 and paths P6, P7; minimq/lessons/lesson5.py.
"""

from __future__ import annotations

import json

import lesson_traces
import pytest

from minimq.apps.incident import COUPON_GROUP, TOPIC
from minimq.cli import main
from minimq.events import (
    ConsumeResultDiscarded,
    ConsumerRegistered,
    ConsumerUnregistered,
    Event,
    MessageDelivered,
    OffsetPersisted,
    Rebalanced,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson
from minimq.lessons.lesson5 import IN_MS, JOIN_MS, LEAVE_MS

SEEDS = [1, 2, 3, 4, 5]
LESSON = find("scale-out")
assert isinstance(LESSON, Lesson)


def traces(seed: int) -> dict[str, list[Event]]:
    assert isinstance(LESSON, Lesson)
    return lesson_traces.traces(LESSON, seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_order_in_flight_when_its_queue_moves_is_issued_twice_unless_the_key_is_unique(
    capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    assert main(["lesson", "5", "--json", "--seed", str(seed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["paths"] == ["P6", "P7"]
    runs = {r["design"]: r for r in summary["runs"]}
    assert list(runs) == ["naive", "memory_set", "unique_key"]
    for wrong in ("naive", "memory_set"):  # two at the scale-out, two at the scale-in
        assert runs[wrong]["groups"][COUPON_GROUP]["duplicate_effects"] == 4, (seed, wrong)
    right = runs["unique_key"]
    assert right["duplicate_effects"] == 0 and right["lost_effects"] == 0
    assert right["groups"][COUPON_GROUP]["duplicate_deliveries"] == 4, "the same deliveries, made harmless"
    assert all(r["lost_effects"] == 0 for r in runs.values())


@pytest.mark.parametrize("seed", SEEDS)
def test_the_scale_out_follows_rocketmq_5s_timing(seed: int) -> None:
    trace = traces(seed)["naive"]
    (joined,) = [e for e in trace if isinstance(e, ConsumerRegistered) and e.client == "coupon-2"]
    assert joined.at_ms == JOIN_MS + 1, "a heartbeat: one network latency"
    assert joined.notified == 2
    moves = [e for e in trace if isinstance(e, Rebalanced) and e.topic == TOPIC and e.at_ms > JOIN_MS]
    given_up, taken = moves[0], moves[1]
    assert (given_up.client, given_up.before, given_up.after) == ("coupon-1", (0, 1, 2, 3), (0, 1))
    assert given_up.at_ms - joined.at_ms < 10, "the old owner gives the queues up at once"
    assert (taken.client, taken.after) == ("coupon-2", (2, 3))
    assert JOIN_MS + 1000 <= taken.at_ms < JOIN_MS + 1020, "minInterval: a second after coupon-2 started"
    again = [e for e in trace if isinstance(e, MessageDelivered) and e.client == "coupon-2" and e.at_ms < IN_MS[0]]
    assert len(again) == 2 and all(e.queue_offset == 1 for e in again), "from the offset held back"
    assert all(e.at_ms - taken.at_ms in range(500, 510) for e in again), "the first pull 500 ms after the rebalance"
    discarded = [e for e in trace if isinstance(e, ConsumeResultDiscarded) and e.client == "coupon-1"]
    assert len(discarded) == 2 and all(e.at_ms < taken.at_ms for e in discarded)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_graceful_scale_in_persists_offsets_held_back_by_the_messages_in_flight(seed: int) -> None:
    trace = traces(seed)["naive"]
    saved = [e for e in trace if isinstance(e, OffsetPersisted) and e.via == "shutdown" and e.client == "coupon-2"]
    assert saved == [] or all(e.offset == 2 for e in saved)  # the broker had 2 already from the pulls
    (left,) = [e for e in trace if isinstance(e, ConsumerUnregistered)]
    assert (left.client, left.via, left.at_ms, left.notified) == ("coupon-2", "unregister", LEAVE_MS + 1, 1)
    back = [e for e in trace if isinstance(e, Rebalanced) and e.topic == TOPIC and e.at_ms > LEAVE_MS]
    assert [(e.client, e.after) for e in back] == [("coupon-1", (0, 1, 2, 3))]
    assert back[0].at_ms - left.at_ms < 10, "coupon-1's last rebalance was long ago: at once"
    again = [e for e in trace if isinstance(e, MessageDelivered) and e.client == "coupon-1" and e.at_ms > LEAVE_MS]
    assert len(again) == 2 and all(e.queue_offset == 2 and e.at_ms - back[0].at_ms >= 500 for e in again)
