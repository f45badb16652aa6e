"""Lesson 16 (path P14): the master is down, the coupon system works from the slave, and the
master comes back with older offsets.

For seeds 1 to 5, read from the ``--json`` summary and from each run's trace: the coupon
system is stopped at 25 s with its offsets on broker-a; the slave copies them at its 01:01
sync; broker-a dies at 01:08; the coupon system, started again at 01:30, has only the slave
in its route, pulls order-1002 to order-1005 from it and persists their offsets there;
broker-a comes back at 05:05 with the offsets of the stop, and the slave's 05:13 sync puts
them over its newer ones; the deploy at 05:15 persists the old pod's offsets to the slave
(its route has no master until 05:30), and the new pod, whose route has the master, asks
broker-a and consumes the four orders again: four extra coupons, with or without persisting
every second. The UNIQUE key refuses them. A deploy after the running process's route poll
(05:40) replays nothing, and nor does the 5.x default, slaveReadEnable=false.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import pytest

from minimq.apps.incident import COUPON_GROUP, RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.cli import main
from minimq.events import (
    BrokerCrashed,
    BrokerRestarted,
    ConsumerRegistered,
    Event,
    MessageConsumed,
    MessageDelivered,
    OffsetPersisted,
    OffsetSyncedFromMaster,
    PullFailed,
    RouteChanged,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson, Run
from minimq.lessons.lesson16 import (
    COUPON_BACK_MS,
    CRASH_MS,
    DEPLOY_MS,
    END_MS,
    LESSON,
    NEW_POD_MS,
    ORDERS,
    RETURN_MS,
    STOP_MS,
    story,
)
from minimq.lessons.runner import NullView, RunSummary, run_lesson

SEEDS = [1, 2, 3, 4, 5]
TOPIC = "order-paid"
OUTAGE = ORDERS[1:]  # paid while the coupon system was stopped, consumed from the slave
SLAVE_SYNC_MS = 313_002  # the slave's first sync after it learnt (05:10) that the master is back


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
        self.runs[run.design] = Ran(summary, list(shop.world.trace.events), [row[1] for row in shop.coupons()])


def play(lesson: Lesson, seed: int) -> dict[str, Ran]:
    view = Keep()
    run_lesson(lesson, seed, view)
    return view.runs


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def ran(request: pytest.FixtureRequest) -> dict[str, Ran]:
    return play(LESSON, request.param)


def coupon(events: list[Event], kind: type[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, kind) and getattr(e, "group", COUPON_GROUP) == COUPON_GROUP]


def delivered(events: list[Event], since_ms: int, until_ms: int) -> list[str]:
    return sorted(
        e.keys[0]
        for e in coupon(events, MessageDelivered)
        if isinstance(e, MessageDelivered) and since_ms <= e.at_ms < until_ms and e.topic == TOPIC
    )


def test_the_lesson_is_registered_with_its_path() -> None:
    assert find("16") is find("broker-failover") is find("16_broker_failover") is LESSON
    assert LESSON.paths == ("P14",)
    assert [r.design for r in LESSON.runs] == ["naive", "naive/persist_every_second", "unique_key"]
    assert all(r.shop["slave"] == {"slave_read_enable": True} for r in LESSON.runs)
    assert LESSON.runs[1].shop["coupon_consumer"] == {"persist_interval_ms": 1000}
    assert LESSON.runs[-1].shop["coupon_design"] == "unique_key"


@pytest.mark.parametrize("seed", SEEDS)
def test_json_the_deploy_doubles_the_outages_coupons_and_the_unique_key_absorbs_it(
    capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    assert main(["lesson", "broker-failover", "--json", "--seed", str(seed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lesson"] == "broker-failover" and summary["paths"] == ["P14"] and summary["seed"] == seed
    for run in summary["runs"]:
        groups = run["groups"]
        assert groups[COUPON_GROUP]["duplicate_deliveries"] == len(OUTAGE), run["design"]
        expected = 0 if run["design"] == "unique_key" else len(OUTAGE)
        assert groups[COUPON_GROUP]["duplicate_effects"] == expected, run["design"]
        assert groups[COUPON_GROUP]["lost_effects"] == 0
        assert groups[RED_PACKET_GROUP] == {"duplicate_deliveries": 0, "duplicate_effects": 0, "lost_effects": 0}
        assert run["virtual_ms"] == END_MS


def test_the_master_dies_and_comes_back_and_the_route_follows(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        (crashed,) = [e for e in r.events if isinstance(e, BrokerCrashed)]
        (back,) = [e for e in r.events if isinstance(e, BrokerRestarted)]
        assert (crashed.at_ms, crashed.broker, back.at_ms) == (CRASH_MS, "broker-a", RETURN_MS), design
        routes = [(e.at_ms, e.broker_ids) for e in r.events if isinstance(e, RouteChanged) and e.at_ms > 0]
        assert routes == [(CRASH_MS + 1, (1,)), (RETURN_MS + 1, (0, 1))], design


def test_the_outage_is_consumed_from_the_slave_and_its_offsets_stay_there(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        assert delivered(r.events, STOP_MS, COUPON_BACK_MS) == [], "stopped: the orders wait"
        assert delivered(r.events, COUPON_BACK_MS, RETURN_MS) == list(OUTAGE), design
        joined = [e.at_ms for e in coupon(r.events, ConsumerRegistered) if COUPON_BACK_MS <= e.at_ms < RETURN_MS]
        assert joined == [COUPON_BACK_MS + 1], "registered with the slave, the only broker of its route"
        persisted = [e for e in coupon(r.events, OffsetPersisted) if isinstance(e, OffsetPersisted)]
        during = [e for e in persisted if CRASH_MS < e.at_ms < RETURN_MS and e.topic == TOPIC]
        assert during and all(e.store == "slave" and e.via.startswith("timer") for e in during), design
        assert not [e for e in persisted if e.via == "pull" and e.store == "slave"], "no piggyback to a slave"
        assert not [e for e in r.events if isinstance(e, PullFailed) and e.client == "coupon-1"], (
            "its route never had the dead master"
        )


def test_the_slaves_sync_puts_the_masters_older_offsets_over_its_own(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        synced = [e for e in coupon(r.events, OffsetSyncedFromMaster) if isinstance(e, OffsetSyncedFromMaster)]
        back = [e for e in synced if e.at_ms > RETURN_MS and e.topic == TOPIC]
        assert [e.queue_id for e in back] == [0, 1, 2, 3], "each queue got one of the outage's orders"
        assert all(e.at_ms == SLAVE_SYNC_MS and e.offset == e.previous - 1 for e in back), design


def test_the_deploy_reads_the_masters_offsets_and_replays_the_outage(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        persisted = [e for e in coupon(r.events, OffsetPersisted) if isinstance(e, OffsetPersisted)]
        shutdown = [e for e in persisted if e.via == "shutdown" and e.at_ms == DEPLOY_MS + 1]
        if design == "naive":
            assert shutdown and all(e.store == "slave" for e in shutdown), "the old pod's route has no master"
        assert delivered(r.events, NEW_POD_MS, END_MS) == list(OUTAGE), design
        coupons = sorted(r.coupons)
        if design == "unique_key":
            assert coupons == list(ORDERS)
            statuses = [e.status for e in coupon(r.events, MessageConsumed) if e.at_ms > NEW_POD_MS]
            assert statuses and set(statuses) == {"CONSUME_SUCCESS"}, "a duplicate is acknowledged"
        else:
            assert coupons == sorted([*ORDERS, *OUTAGE]), design
        after = [e for e in persisted if e.at_ms > NEW_POD_MS + 2000 and e.topic == TOPIC]
        assert after and all(e.store == "broker" for e in after), "the new pod commits to the master"


def test_a_deploy_after_the_route_poll_replays_nothing() -> None:
    """By 05:40 the running process has polled its route (05:30), pulled from the master with
    its offsets and persisted them there: the new pod resumes where it left off."""
    late = dataclasses.replace(LESSON, runs=(dataclasses.replace(LESSON.runs[0], setup=story(340_000)),))
    r = play(late, 1)["naive"]
    assert sorted(r.coupons) == list(ORDERS)


def test_with_the_5x_default_the_slave_refuses_the_pulls_and_nothing_is_replayed() -> None:
    run = LESSON.runs[0]
    default = dataclasses.replace(LESSON, runs=(dataclasses.replace(run, shop={"slave": {}}),))
    r = play(default, 1)["naive"]
    assert delivered(r.events, COUPON_BACK_MS, RETURN_MS) == [], "SYSTEM_BUSY during the outage"
    busy = [e for e in r.events if isinstance(e, PullFailed) and "SYSTEM_BUSY" in e.error and e.client == "coupon-1"]
    assert busy and all(COUPON_BACK_MS < e.at_ms < DEPLOY_MS for e in busy)
    assert sorted(r.coupons) == list(ORDERS), "each order once: the coupons of the outage came after it"


def test_the_trace_is_the_same_for_the_same_seed() -> None:
    first, again = play(LESSON, 2), play(LESSON, 2)
    assert {d: r.summary.trace_sha256 for d, r in first.items()} == {
        d: r.summary.trace_sha256 for d, r in again.items()
    }
