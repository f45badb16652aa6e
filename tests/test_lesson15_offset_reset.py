"""Lesson 15 (path P15): an operator's reset by time replays hours of orders.

For seeds 1 to 5, read from the ``--json`` summary and from each run's trace: the coupon
system skips order-1002 on a marketing timeout at 00:20; at 01:30 the operator resets
coupon-system's offsets to 00:15 (RocketMQ 5.2.0+: the broker commits the offsets and the
next pull of each queue is answered ``PULL_OFFSET_MOVED``); order-1002 to order-1005 are
delivered again with their msg ids, 10 min to 1 h 10 min after their first delivery. No
dedupe issues three extra coupons; a Redis flag with a 1 h TTL catches order-1004 and
order-1005 but not order-1003, whose flag expired at 01:25; the UNIQUE key refuses the
three and issues order-1002's coupon. The red-packet group is not reset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from minimq.apps.incident import COUPON_GROUP, RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.cli import main
from minimq.events import AppEvent, Event, MessageDelivered, OffsetReset, PullOffsetMoved
from minimq.lessons import find
from minimq.lessons.base import Lesson, Run
from minimq.lessons.lesson15 import END_MS, LESSON, ORDERS, PAY_MS, RESET_MS, RESET_TO_MS, SLOW_ORDER
from minimq.lessons.runner import NullView, RunSummary, run_lesson

SEEDS = [1, 2, 3, 4, 5]
AGAIN = ORDERS[1:]  # stored since 00:15
EXTRA = {"naive": ORDERS[2:], "redis_do_then_mark_1h": ("order-1003",), "unique_key": ()}


@dataclass
class Ran:
    summary: RunSummary
    events: list[Event]
    coupons: list[str]


class Keep(NullView):
    def __init__(self) -> None:
        self.runs: dict[str, Ran] = {}

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        self.runs[run.design] = Ran(summary, list(shop.world.trace.events), [row[1] for row in shop.coupons()])


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def ran(request: pytest.FixtureRequest) -> dict[str, Ran]:
    view = Keep()
    run_lesson(LESSON, request.param, view)
    return view.runs


def test_the_lesson_is_registered_with_its_path() -> None:
    assert find("15") is find("offset-reset") is find("15_offset_reset") is LESSON
    assert LESSON.paths == ("P15",)
    assert [r.design for r in LESSON.runs] == ["naive", "redis_do_then_mark_1h", "unique_key"]
    assert [r.shop.get("coupon_design", "no_dedupe") for r in LESSON.runs] == [
        "no_dedupe",
        "redis_do_then_mark_1h",
        "unique_key",
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_json_the_reset_doubles_what_a_short_ttl_forgot(capsys: pytest.CaptureFixture[str], seed: int) -> None:
    assert main(["lesson", "offset-reset", "--json", "--seed", str(seed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lesson"] == "offset-reset" and summary["paths"] == ["P15"]
    runs = {r["design"]: r for r in summary["runs"]}
    for design, extra in EXTRA.items():
        coupon = runs[design]["groups"][COUPON_GROUP]
        assert coupon["duplicate_effects"] == len(extra), design
        assert coupon["lost_effects"] == 0, "order-1002 gets its coupon in every run"
        assert coupon["duplicate_deliveries"] == len(AGAIN)
        assert runs[design]["groups"][RED_PACKET_GROUP]["duplicate_deliveries"] == 0
        assert runs[design]["virtual_ms"] == END_MS


def test_the_reset_moves_every_queue_back_to_the_first_message_since_00_15(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        resets = [e for e in r.events if isinstance(e, OffsetReset)]
        assert len(resets) == 4 and {(e.at_ms, e.timestamp_ms, e.group) for e in resets} == {
            (RESET_MS, RESET_TO_MS, COUPON_GROUP)
        }, design
        moved = [e for e in r.events if isinstance(e, PullOffsetMoved)]
        assert {e.queue_id for e in moved} == {0, 1, 2, 3}
        assert all(RESET_MS <= e.at_ms <= RESET_MS + 20_000 for e in moved), "the next pull of each queue"


def test_the_orders_since_00_15_come_back_with_their_msg_ids_hours_later(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        deliveries = [e for e in r.events if isinstance(e, MessageDelivered) and e.group == COUPON_GROUP]
        first = {e.keys[0]: e for e in deliveries if e.at_ms < RESET_MS}
        again = [e for e in deliveries if e.at_ms > RESET_MS]
        assert sorted(e.keys[0] for e in again) == list(AGAIN), design
        for e in again:
            assert e.msg_id == first[e.keys[0]].msg_id and e.reconsume_times == 0
            assert e.at_ms - first[e.keys[0]].at_ms >= 10 * 60_000
        assert PAY_MS[1] > RESET_TO_MS > PAY_MS[0]


def test_each_design_leaves_its_coupons(ran: dict[str, Ran]) -> None:
    for design, extra in EXTRA.items():
        assert sorted(ran[design].coupons) == sorted([*ORDERS, *extra]), design


def test_the_timeout_skipped_order_1002_and_the_ttl_forgot_order_1003(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        skipped = [e for e in r.events if isinstance(e, AppEvent) and e.action == "marketing_gave_up"]
        assert len(skipped) == 1 and skipped[0].at_ms < PAY_MS[2], design
    flags = [e for e in ran["redis_do_then_mark_1h"].events if isinstance(e, AppEvent) and e.action == "redis_command"]
    found = {dict(e.args)["command"]: dict(e.args)["result"] for e in flags if e.at_ms > RESET_MS}
    assert found["EXISTS coupon:order-1003"] == "0" and found["EXISTS coupon:order-1004"] == "1"
    assert SLOW_ORDER == "order-1002"
