"""Lesson 4, slow-message: one stuck handler holds its queue's consumer offset, a graceful
deploy replays everything finished behind it; a smaller consumeConcurrentlyMaxSpan changes
nothing, skipping on a timeout loses the coupon, the UNIQUE key makes the replay harmless.

Checked for seeds 1 to 5 on the ``--json`` summary and on the trace of each run (the
producer's first queue is random, so which queue gets stuck changes with the seed; the
offsets, times and counts do not).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import pytest

from minimq.apps.incident import COUPON_GROUP, COUPON_LEDGER, RED_PACKET_GROUP, TOPIC
from minimq.apps.shop import Shop
from minimq.cli import main
from minimq.events import (
    AppEvent,
    ConsumerRegistered,
    ConsumerShutdown,
    ConsumerStarted,
    ConsumerUnregistered,
    EffectApplied,
    Event,
    MessageConsumed,
    MessageDelivered,
    OffsetPersisted,
    PullFlowControlled,
    Rebalanced,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson, Run, Step
from minimq.lessons.lesson4 import LESSON, MORE, ORDER
from minimq.lessons.runner import NullView, RunSummary, run_lesson
from minimq.model import MessageQueue

SEEDS = [1, 2, 3, 4, 5]
BEHIND = ["order-1005", "order-1009", "order-1013", "order-1017", "order-1021", "order-1025"]


@dataclass
class QueueState:
    max_offset: int
    on_broker: int | None
    local: int | None
    in_flight: list[int]


@dataclass
class Seen:
    """What each run left behind: its trace, and the stuck queue after each step."""

    events: dict[str, list[Event]] = field(default_factory=dict)
    after_step: dict[str, QueueState] = field(default_factory=dict)
    stuck: dict[str, MessageQueue] = field(default_factory=dict)


class Recorder(NullView):
    def __init__(self) -> None:
        self.seen = Seen()

    def step(self, lesson: Lesson, run: Run, n: int, step: Step, events: list[Event], shop: Shop) -> None:
        delivered = [e for e in shop.world.trace.of(MessageDelivered) if e.keys == (ORDER,)]
        if not delivered:
            return
        mq = MessageQueue(TOPIC, delivered[0].queue_id)
        self.seen.stuck[run.design] = mq
        coupon = shop.coupon.consumer()
        self.seen.after_step[step.text] = QueueState(
            shop.world.broker.max_offset(mq),
            shop.world.broker.query_offset(COUPON_GROUP, mq),
            coupon.local_offset(mq),
            coupon.in_flight().get(mq, []),
        )

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        self.seen.events[run.design] = list(shop.world.trace.events)


_cache: dict[int, tuple[list[RunSummary], Seen]] = {}


def lesson4(seed: int) -> tuple[dict[str, RunSummary], Seen]:
    if seed not in _cache:
        view = Recorder()
        _cache[seed] = (run_lesson(LESSON, seed, view), view.seen)
    summaries, seen = _cache[seed]
    return {s.design: s for s in summaries}, seen


def coupons_per_order(events: list[Event]) -> Counter[str]:
    return Counter(e.key for e in events if isinstance(e, EffectApplied) and e.ledger == COUPON_LEDGER)


def test_registered_with_its_paths() -> None:
    assert find("4") is find("slow-message") is find("04_slow_message") is LESSON
    assert LESSON.paths == ("P4", "P6")
    assert [r.design for r in LESSON.runs] == ["naive", "naive/max_span_2", "skip_on_timeout", "unique_key"]
    assert LESSON.runs[-1].shop["idempotent_red_packet"] is True


def test_json_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lesson", "4", "--json", "--seed", "3"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lesson"] == "slow-message"
    assert summary["paths"] == ["P4", "P6"]
    runs = {r["design"]: r for r in summary["runs"]}
    assert (runs["naive"]["duplicate_effects"], runs["naive"]["lost_effects"]) == (6, 0)
    assert (runs["skip_on_timeout"]["duplicate_effects"], runs["skip_on_timeout"]["lost_effects"]) == (0, 1)
    assert (runs["unique_key"]["duplicate_effects"], runs["unique_key"]["lost_effects"]) == (0, 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_one_slow_message_six_duplicate_coupons(seed: int) -> None:
    runs, seen = lesson4(seed)
    naive = runs["naive"]
    coupon = naive.groups[COUPON_GROUP]
    assert (coupon.duplicate_deliveries, coupon.duplicate_effects, coupon.lost_effects) == (7, 6, 0)
    assert naive.groups[RED_PACKET_GROUP].duplicate_deliveries == 0, "only the coupon system was deployed"

    events = seen.events["naive"]
    # The marketing service hangs once, 60 s, on order-1001's first call; the redelivery asks again.
    asked = [dict(e.args)["ms"] for e in events if isinstance(e, AppEvent) and e.action == "marketing"]
    assert asked.count("60000") == 1
    # Every fourth order lands behind it, in its queue, at offsets 2 to 7.
    stuck = seen.stuck["naive"]
    first = {}
    for e in events:
        if isinstance(e, MessageDelivered) and e.group == COUPON_GROUP and e.keys[0] not in first:
            first[e.keys[0]] = e
    behind = sorted((e.queue_offset, key) for key, e in first.items() if e.queue_id == stuck.queue_id)
    assert behind == [(0, "order-0997"), (1, ORDER), *((n, o) for n, o in zip(range(2, 8), BEHIND, strict=True))]
    assert all(o in MORE for o in BEHIND)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_consumer_offset_stays_at_the_slow_message(seed: int) -> None:
    _, seen = lesson4(seed)
    # After the busy stretch: max offset 8, only offset 1 in flight, yet offset 1 locally and on the broker.
    assert seen.after_step["l4.naive.2"] == QueueState(8, 1, 1, [1])
    # The graceful shutdown persisted 1; the process is gone.
    assert seen.after_step["l4.naive.3"] == QueueState(8, 1, None, [])
    # The new process resumed from 1 and delivered offsets 1 to 7 again.
    assert seen.after_step["l4.naive.4"].local == 8
    events = seen.events["naive"]
    shutdown = [e.at_ms for e in events if isinstance(e, ConsumerShutdown)]
    assert shutdown == [35_000]
    again = [
        e.queue_offset
        for e in events
        if isinstance(e, MessageDelivered) and e.group == COUPON_GROUP and e.at_ms > 35_000
    ]
    assert again == list(range(1, 8))
    per_order = coupons_per_order(events)
    assert {o: per_order[o] for o in BEHIND} == dict.fromkeys(BEHIND, 2)
    assert per_order[ORDER] == 1, "the slow call was interrupted before its insert; the redelivery issued it"
    slow = [e for e in events if isinstance(e, MessageDelivered) and e.keys == (ORDER,) and e.group == COUPON_GROUP]
    returned = [
        e.at_ms
        for e in events
        if isinstance(e, MessageConsumed) and e.group == COUPON_GROUP and e.msg_id == slow[0].msg_id
    ]
    assert len(slow) == 2 and returned == [39_016], "the first delivery of order-1001 never returned"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_new_version_joins_under_a_new_client_id_and_pulls_1_5_s_after_its_start(seed: int) -> None:
    _, seen = lesson4(seed)
    for design, events in seen.events.items():
        mine = [e for e in events if getattr(e, "group", None) == COUPON_GROUP]
        starts = [(e.at_ms, e.client_id) for e in mine if isinstance(e, ConsumerStarted)]
        assert [at for at, _ in starts] == [0, 36_000], design
        assert starts[0][1] != starts[1][1], "a clustering consumer left at DEFAULT gets a new client id per start"
        left = [(e.at_ms, e.client_id, e.members) for e in mine if isinstance(e, ConsumerUnregistered)]
        assert left == [(35_001, starts[0][1], ())], "the graceful shutdown unregisters; nobody is left"
        joined = [(e.at_ms, e.client_id) for e in mine if isinstance(e, ConsumerRegistered) and e.at_ms > 35_000]
        assert joined == [(36_001, starts[1][1])]
        rebalanced = [e.at_ms for e in mine if isinstance(e, Rebalanced) and e.topic == TOPIC and e.at_ms > 35_000]
        assert rebalanced == [37_010], "the first rebalance, 1 s after the start"
        again = [e.at_ms for e in mine if isinstance(e, MessageDelivered) and e.at_ms > 35_000]
        assert set(again) == ({37_512} if design != "skip_on_timeout" else set()), "pulled 500 ms after it"


@pytest.mark.parametrize("seed", SEEDS)
def test_a_smaller_max_span_fires_flow_control_and_changes_nothing(seed: int) -> None:
    runs, seen = lesson4(seed)
    assert runs["naive/max_span_2"].groups[COUPON_GROUP].duplicate_effects == 6
    stuck = seen.stuck["naive/max_span_2"]
    warned = [e for e in seen.events["naive/max_span_2"] if isinstance(e, PullFlowControlled)]
    assert [
        (e.at_ms, e.queue_id, e.reason, e.min_offset, e.max_offset, e.value, e.threshold, e.times) for e in warned
    ] == [
        (21_506, stuck.queue_id, "span", 1, 4, 3, 2, 1),  # order-1013 pulled while offset 1 is stuck
        (37_512, stuck.queue_id, "span", 1, 7, 6, 2, 1),  # the new process pulls 1..7 in one batch
    ]
    assert seen.after_step["l4.span.1"] == QueueState(8, 1, 1, [1]), "the queue ran ahead all the same"
    carried = [
        (e.at_ms, e.queue_id, e.offset, e.via)
        for e in seen.events["naive/max_span_2"]
        if isinstance(e, OffsetPersisted) and e.group == COUPON_GROUP and e.at_ms > 35_000
    ]
    assert carried == [(39_063, stuck.queue_id, 8, "pull")], "the held-back pull carries 8, after the replay"
    assert not any(isinstance(e, PullFlowControlled) for e in seen.events["naive"]), "2000 is never reached"


@pytest.mark.parametrize("seed", SEEDS)
def test_skipping_on_a_timeout_frees_the_queue_and_loses_the_coupon(seed: int) -> None:
    runs, seen = lesson4(seed)
    skip = runs["skip_on_timeout"]
    assert (skip.duplicate_deliveries, skip.duplicate_effects, skip.lost_effects) == (0, 0, 1)
    events = seen.events["skip_on_timeout"]
    gave_up = [e for e in events if isinstance(e, AppEvent) and e.action == "marketing_gave_up"]
    assert [(e.at_ms, dict(e.args)["ms"]) for e in gave_up] == [(15_008, "3000")]
    skipped = dict(gave_up[0].args)["msg_id"]
    answers = [
        (e.at_ms, e.status)
        for e in events
        if isinstance(e, MessageConsumed) and e.group == COUPON_GROUP and e.msg_id == skipped
    ]
    assert answers == [(15_008, "CONSUME_SUCCESS")]
    assert seen.after_step["l4.skip.1"].local == 2
    assert seen.after_step["l4.skip.2"] == QueueState(8, 8, 8, [])
    assert coupons_per_order(events)[ORDER] == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_the_unique_key_lets_the_replay_come_and_makes_it_harmless(seed: int) -> None:
    runs, seen = lesson4(seed)
    right = runs["unique_key"]
    assert (right.duplicate_deliveries, right.duplicate_effects, right.lost_effects) == (7, 0, 0)
    assert all(g.duplicate_effects == 0 and g.lost_effects == 0 for g in right.groups.values())
    events = seen.events["unique_key"]
    per_order = coupons_per_order(events)
    assert set(per_order.values()) == {1} and len(per_order) == 4 + 1 + len(MORE)
    refused = [e for e in events if isinstance(e, AppEvent) and e.action == "db_constraint"]
    assert len(refused) == 6
    assert seen.after_step["l4.right.2"].local == 8
