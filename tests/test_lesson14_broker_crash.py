"""Lesson 14 (path P13): the broker crashes and its consumer offsets go back to its last flush.

For seeds 1 to 5, read from the ``--json`` summary and from each run's trace: the broker
flushes its offsets at 20 s and dies at 24 s, before its 25 s flush; the coupon offsets of
order-1004 to order-1006 reached it at the 23 s persist only, so the restarted broker (34 s)
no longer has them; the coupon pod restarted during the outage first reaches the broker at
its 49 s rebalance, registers through the new connection's heartbeat, takes the queues and
consumes those three orders again: three extra coupons. Persisting the client's offsets
every second saves order-1004 only (its offset reached the broker at 19 s, before the 20 s
flush): two extra coupons. The UNIQUE key refuses the three replays, acknowledged with
CONSUME_SUCCESS. The red-packet group, which kept running, re-commits its offsets from
memory and pays nothing twice, although its offsets on the broker went back too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from minimq.apps.incident import COUPON_GROUP, COUPON_LEDGER, RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.check import check
from minimq.cli import main
from minimq.events import (
    AppEvent,
    BrokerCrashed,
    BrokerRestarted,
    ConsumerCrashed,
    ConsumerRegistered,
    EffectApplied,
    Event,
    MessageConsumed,
    MessageDelivered,
    OffsetPersisted,
    OffsetRestored,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson, Run
from minimq.lessons.lesson14 import CRASH_MS, END_MS, LESSON, ORDERS, POD_RESTART_MS, RESTART_MS
from minimq.lessons.runner import NullView, RunSummary, run_lesson

SEEDS = [1, 2, 3, 4, 5]
TOPIC = "order-paid"
REPLAYED = {"naive": ORDERS[3:], "naive/persist_every_second": ORDERS[4:], "unique_key": ORDERS[3:]}


@dataclass
class Ran:
    summary: RunSummary
    events: list[Event]
    coupons: list[str]  # the order of each coupon row


class Keep(NullView):
    """Keeps each run's trace and coupons before the shop is closed."""

    def __init__(self) -> None:
        self.runs: dict[str, Ran] = {}

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        coupons = [row[1] for row in shop.coupons()]
        self.runs[run.design] = Ran(summary, list(shop.world.trace.events), coupons)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def ran(request: pytest.FixtureRequest) -> dict[str, Ran]:
    view = Keep()
    run_lesson(LESSON, request.param, view)
    return view.runs


def of(events: list[Event], kind: type[Event], group: str = COUPON_GROUP) -> list[Event]:
    return [e for e in events if isinstance(e, kind) and getattr(e, "group", group) == group]


def order_of(events: list[Event], msg_id: str) -> str:
    """The order id a message carries (its key), from the deliveries."""
    return next(e.keys[0] for e in events if isinstance(e, MessageDelivered) and e.msg_id == msg_id)


def test_the_lesson_is_registered_with_its_path() -> None:
    assert find("14") is find("broker-crash") is find("14_broker_crash") is LESSON
    assert LESSON.paths == ("P13",)
    assert [r.design for r in LESSON.runs] == ["naive", "naive/persist_every_second", "unique_key"]
    assert LESSON.runs[1].shop["coupon_consumer"] == {"persist_interval_ms": 1000}
    assert LESSON.runs[-1].shop["coupon_design"] == "unique_key"
    assert LESSON.runs[-1].shop["idempotent_red_packet"] is True


@pytest.mark.parametrize("seed", SEEDS)
def test_json_the_replay_doubles_coupons_and_the_unique_key_absorbs_it(
    capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    assert main(["lesson", "broker-crash", "--json", "--seed", str(seed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lesson"] == "broker-crash" and summary["paths"] == ["P13"] and summary["seed"] == seed
    runs = {r["design"]: r for r in summary["runs"]}
    for design, replayed in REPLAYED.items():
        coupon = runs[design]["groups"][COUPON_GROUP]
        assert coupon["duplicate_deliveries"] == len(replayed), design
        assert coupon["duplicate_effects"] == (0 if design == "unique_key" else len(replayed)), design
        assert coupon["lost_effects"] == 0
        assert runs[design]["groups"][RED_PACKET_GROUP] == {
            "duplicate_deliveries": 0,
            "duplicate_effects": 0,
            "lost_effects": 0,
        }, "the red-packet group kept running: it replays nothing"
        assert runs[design]["virtual_ms"] == END_MS


def test_the_broker_dies_between_two_offset_flushes_and_comes_back_with_the_older_one(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        (crashed,) = of(r.events, BrokerCrashed)
        (restarted,) = of(r.events, BrokerRestarted)
        assert isinstance(crashed, BrokerCrashed) and isinstance(restarted, BrokerRestarted)
        assert (crashed.at_ms, crashed.how, crashed.offsets_flushed_ms) == (CRASH_MS, "process", 20_000), design
        assert (restarted.at_ms, restarted.down_ms) == (RESTART_MS, RESTART_MS - CRASH_MS)
        restored = [e for e in of(r.events, OffsetRestored) if isinstance(e, OffsetRestored) and e.topic == TOPIC]
        assert restored and all(e.at_ms == RESTART_MS and e.flushed_ms == 20_000 for e in restored)
        assert all(e.offset < e.previous for e in restored), "every restored offset went back"


def test_exactly_the_orders_committed_after_the_flush_are_consumed_again(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        again = [e for e in of(r.events, MessageDelivered) if e.at_ms > RESTART_MS]
        assert sorted(order_of(r.events, e.msg_id) for e in again) == list(REPLAYED[design]), design
        # each was consumed before the crash, and its offset reached the broker after the 20 s flush
        persisted = [e for e in of(r.events, OffsetPersisted) if isinstance(e, OffsetPersisted) and e.topic == TOPIC]
        assert max(e.at_ms for e in persisted if e.at_ms < CRASH_MS) > 20_000


def test_the_restarted_coupon_process_registers_at_its_next_rebalance_not_before(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        (killed,) = of(r.events, ConsumerCrashed)
        assert killed.at_ms == POD_RESTART_MS, design
        joins = [e.at_ms for e in of(r.events, ConsumerRegistered) if e.at_ms > CRASH_MS]
        assert joins == [POD_RESTART_MS + 1000 + 20_000 + 2], "the rebalance of 49 s opens the connection"
        first_again = min(e.at_ms for e in of(r.events, MessageDelivered) if e.at_ms > RESTART_MS)
        assert joins[0] < first_again < joins[0] + 2000


def test_the_red_packet_group_put_its_offsets_back_and_paid_nothing_twice(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        restored = [e for e in of(r.events, OffsetRestored, RED_PACKET_GROUP) if getattr(e, "topic", "") == TOPIC]
        assert restored, design  # its offsets went back too ...
        back = [e for e in of(r.events, OffsetPersisted, RED_PACKET_GROUP) if RESTART_MS < e.at_ms < RESTART_MS + 2000]
        assert back, design  # ... and its 35 s persist put them back
        assert not [e for e in of(r.events, MessageDelivered, RED_PACKET_GROUP) if e.at_ms > CRASH_MS]


def test_the_coupons_each_design_leaves(ran: dict[str, Ran]) -> None:
    assert sorted(ran["naive"].coupons) == sorted([*ORDERS, *ORDERS[3:]])
    assert sorted(ran["naive/persist_every_second"].coupons) == sorted([*ORDERS, *ORDERS[4:]])
    assert sorted(ran["unique_key"].coupons) == sorted(ORDERS)


def test_the_unique_key_refuses_each_replay_which_is_acknowledged(ran: dict[str, Ran]) -> None:
    r = ran["unique_key"]
    refused = [
        e
        for e in r.events
        if isinstance(e, AppEvent) and e.system == COUPON_LEDGER and e.action == "db_failed" and e.at_ms > RESTART_MS
    ]
    assert len(refused) == 3 and all("UNIQUE" in dict(e.args)["error"] for e in refused)
    done = [e for e in of(r.events, MessageConsumed) if isinstance(e, MessageConsumed) and e.at_ms > RESTART_MS]
    assert len(done) == 3 and {e.status for e in done} == {"CONSUME_SUCCESS"}
    commits = [e for e in r.events if isinstance(e, EffectApplied) and e.ledger == COUPON_LEDGER]
    assert len(commits) == len(ORDERS) and all(e.at_ms < CRASH_MS for e in commits)


def test_the_checker_sees_the_replay_as_duplicates_not_as_a_broken_rule() -> None:
    run = LESSON.runs[0]
    shop = Shop(1, **run.shop)
    try:
        run.setup(shop)
        shop.world.run_until(END_MS)
        report = check(shop.world.trace)
        assert report.offset_regressions == [] and report.retry_violations == [] and report.lost == []
        assert {d.keys[0] for d in report.duplicate_deliveries if d.group == COUPON_GROUP} == set(ORDERS[3:])
    finally:
        shop.close()
