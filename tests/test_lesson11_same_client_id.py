"""Lesson 11 (same client id, path P19), for seeds 1 to 5: two containers with one client
id both take queues 0 and 1 and the retry queue, so those orders are issued twice (a
failure four times: the retry copies double), and nobody takes queues 2 and 3, whose
backlog grows with no consumer offset; the UNIQUE key alone hides the duplicates, not the
backlog; a client id per container with the UNIQUE key leaves nothing duplicated or
waiting.

Reference: docs/semantics.md sections 6 and 7 and path P19; minimq/lessons/lesson11.py.
"""

from __future__ import annotations

import json

import lesson_traces
import pytest

from minimq.apps.incident import COUPON_GROUP, TOPIC
from minimq.cli import main
from minimq.events import (
    ConsumerRegistered,
    Event,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
    OffsetPersisted,
    Rebalanced,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson

SEEDS = [1, 2, 3, 4, 5]
LESSON = find("same-client-id")
assert isinstance(LESSON, Lesson)
SHARED_ID = "172.17.0.1@coupon-system"


def traces(seed: int) -> dict[str, list[Event]]:
    assert isinstance(LESSON, Lesson)
    return lesson_traces.traces(LESSON, seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_one_client_id_duplicates_half_the_orders_and_leaves_the_other_half_unconsumed(
    capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    assert main(["lesson", "11", "--json", "--seed", str(seed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["paths"] == ["P19"]
    runs = {r["design"]: r["groups"][COUPON_GROUP] for r in summary["runs"]}
    assert list(runs) == ["naive", "query_then_insert", "unique_key_only", "client_id_per_process+unique_key"]
    # queues 0 and 1: two orders issued twice, two failed ones issued four times; 2 and 3: four orders waiting
    for wrong in ("naive", "query_then_insert"):
        assert (runs[wrong]["duplicate_effects"], runs[wrong]["lost_effects"]) == (8, 4), (seed, wrong)
    assert (runs["unique_key_only"]["duplicate_effects"], runs["unique_key_only"]["lost_effects"]) == (0, 4)
    right = summary["runs"][-1]
    assert (right["duplicate_effects"], right["lost_effects"]) == (0, 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_both_containers_take_the_first_share_and_queues_2_and_3_build_a_silent_backlog(seed: int) -> None:
    trace = traces(seed)["naive"]
    joined = [e for e in trace if isinstance(e, ConsumerRegistered) and e.group == COUPON_GROUP]
    assert [e.client_id for e in joined] == [SHARED_ID, SHARED_ID]
    assert joined[-1].members == (SHARED_ID, SHARED_ID), "listed once per connection"
    moves = [e for e in trace if isinstance(e, Rebalanced) and e.topic == TOPIC and e.group == COUPON_GROUP]
    shares = {e.client: e.after for e in moves}
    assert shares == {"coupon-1": (0, 1), "coupon-2": (0, 1)}
    coupon = [e for e in trace if isinstance(e, MessageDelivered) and e.group == COUPON_GROUP]
    assert not [e for e in coupon if e.topic == TOPIC and e.queue_id in (2, 3)], "nobody consumes queues 2 and 3"
    stored = [e for e in trace if isinstance(e, MessageStored) and e.topic == TOPIC and e.queue_id in (2, 3)]
    assert len(stored) == 4, "the backlog: two orders on each"
    offsets = [e for e in trace if isinstance(e, OffsetPersisted) and e.group == COUPON_GROUP and e.topic == TOPIC]
    assert {e.queue_id for e in offsets} == {0, 1}, "no consumer offset ever reaches queues 2 and 3"
    firsts = {(e.msg_id, e.client) for e in coupon if e.topic == TOPIC}
    assert len(firsts) == 8, "each of the four messages on queues 0 and 1 reaches both containers"


@pytest.mark.parametrize("seed", SEEDS)
def test_a_failure_in_both_containers_doubles_in_the_retry_topic(seed: int) -> None:
    runs = traces(seed)
    naive, right = runs["naive"], runs["client_id_per_process+unique_key"]
    backs = [e for e in naive if isinstance(e, MessageSentBack)]
    assert len(backs) == 4 and len({e.msg_id for e in backs}) == 2, "each failed message sent back by both"
    retries = [e for e in naive if isinstance(e, MessageDelivered) and e.topic.startswith("%RETRY%")]
    assert len(retries) == 8, "two copies each, both consumed by both containers"
    assert len([e for e in right if isinstance(e, MessageSentBack)]) == 4, "four failed orders, each sent back once"
    fixed = [e for e in right if isinstance(e, MessageDelivered) and e.topic.startswith("%RETRY%")]
    assert len(fixed) == 4 and len({e.msg_id for e in fixed}) == 4
    ids = {e.client_id for e in right if isinstance(e, ConsumerRegistered) and e.group == COUPON_GROUP}
    assert len(ids) == 2 and all(i.startswith("172.17.0.1@") and "#" in i for i in ids), "pid#nanoTime"
