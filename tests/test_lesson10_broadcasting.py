"""Lesson 10 (broadcasting, P12), seed by seed: the naive run replays on the killed instance
and drops the failure, the idempotent broadcasting run still loses the coupon, the fix has
neither.

Reference: docs/semantics.md section 11 (LocalFileOffsetStore every 5 s; a failure dropped,
``ConsumeMessageConcurrentlyService.processConsumeResult`` case BROADCASTING). Asserts on the
``--json`` summary and on the trace, never on the narration.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import pytest

from minimq.apps.dashboard import DASHBOARD_CLIENTS, DASHBOARD_GROUP
from minimq.apps.incident import COUPON_GROUP, TOPIC
from minimq.apps.shop import Shop
from minimq.cli import main
from minimq.events import (
    ConsumeFailureDropped,
    ConsumerCrashed,
    ConsumerRegistered,
    ConsumerStarted,
    EffectApplied,
    Event,
    MessageConsumed,
    MessageDelivered,
    MessageSentBack,
    OffsetPersisted,
    Rebalanced,
)
from minimq.lessons.base import Lesson, Run
from minimq.lessons.lesson10 import DROPPED, EARLIER, KILL_MS, LESSON, REPLAYED, RESTART_MS
from minimq.lessons.runner import NullView, RunSummary, run_lesson

SEEDS = [1, 2, 3, 4, 5]
ORDERS = 6
KILLED, OTHER = DASHBOARD_CLIENTS[1], DASHBOARD_CLIENTS[0]


@dataclass(frozen=True)
class Ended:
    """What a run left behind, read before its shop is closed."""

    events: list[Event]
    shown: dict[str, int]
    coupons: Counter[str]
    broker_groups: set[str]


class Capture(NullView):
    def __init__(self) -> None:
        self.runs: list[Ended] = []

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        assert shop.dashboard is not None
        self.runs.append(
            Ended(
                events=list(shop.world.trace.events),
                shown={client: shop.dashboard.shown(client) for client in DASHBOARD_CLIENTS},
                coupons=Counter(row[1] for row in shop.coupons()),
                broker_groups={group for group, _topic, _queue in shop.world.broker.offsets.snapshot()},
            )
        )


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def lesson(request: pytest.FixtureRequest) -> tuple[dict[str, dict[str, object]], list[Ended]]:
    view = Capture()
    summaries = run_lesson(LESSON, request.param, view)
    return {s.design: s.as_dict() for s in summaries}, view.runs


def msg_of(events: list[Event], order: str) -> str:
    return next(e.msg_id for e in events if isinstance(e, MessageDelivered) and order in e.keys)


def deliveries(events: list[Event], client: str, order: str) -> list[MessageDelivered]:
    return [e for e in events if isinstance(e, MessageDelivered) and e.client == client and order in e.keys]


@pytest.mark.parametrize("seed", SEEDS)
def test_json_names_p12_and_the_naive_run_duplicates_and_loses(capsys: pytest.CaptureFixture[str], seed: int) -> None:
    assert main(["lesson", "broadcasting", "--json", "--seed", str(seed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lesson"] == "broadcasting" and summary["paths"] == ["P12"]
    naive, idempotent, right = summary["runs"]
    killed = naive["groups"][f"{DASHBOARD_GROUP}/{KILLED}"]
    assert killed["duplicate_deliveries"] >= 1 and killed["duplicate_effects"] >= 1
    assert naive["groups"][f"{DASHBOARD_GROUP}/{OTHER}"]["duplicate_effects"] == 0
    coupons = naive["groups"][COUPON_GROUP]
    assert coupons["duplicate_effects"] >= ORDERS - 1  # every instance issues one, the replay one more
    assert coupons["lost_effects"] == 1
    assert idempotent["duplicate_effects"] == 0 and idempotent["lost_effects"] == 1
    assert right["duplicate_effects"] == 0 and right["lost_effects"] == 0
    assert right["duplicate_deliveries"] >= 1, "the replay still arrives; the fix makes it harmless"


def test_the_killed_instance_replays_from_its_offsets_file(lesson: tuple[dict[str, object], list[Ended]]) -> None:
    _, runs = lesson
    for ended in runs:
        events = ended.events
        assert len(deliveries(events, KILLED, REPLAYED)) == 2
        assert len(deliveries(events, OTHER, REPLAYED)) == 1
        (crash,) = [e for e in events if isinstance(e, ConsumerCrashed) and e.client == KILLED]
        assert crash.at_ms == KILL_MS
        replay = deliveries(events, KILLED, REPLAYED)[1]
        queue = replay.queue_id
        restarted = [e for e in events if isinstance(e, ConsumerStarted) and e.client == KILLED and e.restart]
        assert restarted and restarted[0].at_ms < replay.at_ms
        written = [
            e.offset
            for e in events
            if isinstance(e, OffsetPersisted) and e.client == KILLED and e.queue_id == queue and e.at_ms < KILL_MS
        ]
        assert written[-1] == replay.queue_offset, "the file held the replayed message's own offset"
        assert all(e.store == "local" for e in events if isinstance(e, OffsetPersisted) and e.group == DASHBOARD_GROUP)
        assert DASHBOARD_GROUP not in ended.broker_groups, "broadcasting offsets never reach the broker"


def test_the_restart_keeps_its_client_id_and_replays_1_5_s_after_it(
    lesson: tuple[dict[str, object], list[Ended]],
) -> None:
    """A broadcasting consumer keeps the instance name DEFAULT: the killed instance comes back
    as the same IP@DEFAULT (so it finds its offsets file); RocketMQ 5's start-up makes it
    rebalance 1 s after its start and pull 500 ms later, before the marketing outage."""
    _, runs = lesson
    for ended in runs:
        events = ended.events
        starts = [e for e in events if isinstance(e, ConsumerStarted) and e.client == KILLED]
        assert [e.at_ms for e in starts] == [1000, RESTART_MS]
        assert starts[0].client_id == starts[1].client_id and starts[0].client_id.endswith("@DEFAULT")
        joined = [e for e in events if isinstance(e, ConsumerRegistered) and e.client == KILLED]
        assert [(e.at_ms, e.client_id, e.notified) for e in joined][-1] == (RESTART_MS + 1, starts[0].client_id, 0)
        rebalanced = [e.at_ms for e in events if isinstance(e, Rebalanced) and e.client == KILLED and e.topic == TOPIC]
        assert rebalanced[-1] == RESTART_MS + 1000
        assert deliveries(events, KILLED, REPLAYED)[1].at_ms == RESTART_MS + 1502
        other_ids = {e.client_id for e in events if isinstance(e, ConsumerStarted) and e.client == OTHER}
        assert len(other_ids) == 1 and other_ids.pop().endswith("@DEFAULT")
        for e in events:
            if isinstance(e, ConsumerStarted) and e.group == COUPON_GROUP:
                assert not e.client_id.endswith("@DEFAULT"), "a clustering consumer takes pid#nanoTime"


def test_the_coupon_system_owns_its_queues_before_the_first_order(
    lesson: tuple[dict[str, object], list[Ended]],
) -> None:
    _, (*_, right) = lesson
    for order in EARLIER:
        delivered = [e for e in right.events if isinstance(e, MessageDelivered) and order in e.keys]
        first = {e.client: e.at_ms for e in reversed(delivered)}
        assert first["coupon-1"] == first[OTHER], f"{order} reaches coupon-1 when it reaches the dashboards"


def test_naive_every_instance_issues_a_coupon_and_the_failure_is_dropped(
    lesson: tuple[dict[str, object], list[Ended]],
) -> None:
    _, (naive, idempotent, _right) = lesson
    assert naive.shown == {OTHER: ORDERS, KILLED: ORDERS + 1}
    assert naive.coupons[REPLAYED] == 3 and naive.coupons[DROPPED] == 0
    assert all(naive.coupons[f"order-100{i}"] == 2 for i in range(1, 5))
    for ended in (naive, idempotent):
        dropped_msg = msg_of(ended.events, DROPPED)
        dropped = [e for e in ended.events if isinstance(e, ConsumeFailureDropped)]
        assert sorted(e.client for e in dropped) == sorted(DASHBOARD_CLIENTS)
        assert {e.msg_id for e in dropped} == {dropped_msg}
        assert not [e for e in ended.events if isinstance(e, MessageSentBack)], "broadcasting never sends back"
        for client in DASHBOARD_CLIENTS:
            assert len(deliveries(ended.events, client, DROPPED)) == 1, "a dropped failure is never delivered again"
    assert idempotent.shown == {OTHER: ORDERS, KILLED: ORDERS}
    assert set(idempotent.coupons.values()) == {1} and DROPPED not in idempotent.coupons


def test_the_fix_retries_the_coupon_in_clustering_and_counts_each_order_once(
    lesson: tuple[dict[str, object], list[Ended]],
) -> None:
    _, (*_, right) = lesson
    events = right.events
    dropped_msg = msg_of(events, DROPPED)
    assert right.shown == {OTHER: ORDERS, KILLED: ORDERS}
    assert right.coupons == Counter({f"order-100{i}": 1 for i in range(1, ORDERS + 1)})
    (sent_back,) = [e for e in events if isinstance(e, MessageSentBack)]
    assert (sent_back.group, sent_back.msg_id) == (COUPON_GROUP, dropped_msg)
    attempts = [e for e in events if isinstance(e, MessageConsumed) and e.group == COUPON_GROUP]
    assert [e.status for e in attempts if e.msg_id == dropped_msg] == ["RECONSUME_LATER", "CONSUME_SUCCESS"]
    retried = [e for e in events if isinstance(e, MessageDelivered) and e.msg_id == dropped_msg and e.reconsume_times]
    assert [e.client for e in retried] == ["coupon-1"] and retried[0].real_topic == "order-paid"
    assert not [e for e in events if isinstance(e, ConsumeFailureDropped)]
    applied = Counter((e.ledger, e.key) for e in events if isinstance(e, EffectApplied))
    assert all(n == 1 for n in applied.values())
