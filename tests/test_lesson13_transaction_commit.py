"""Lesson 13 (path P16): a transactional "order paid" is committed twice.

For seeds 1 to 5, read from the ``--json`` summary and from each run's trace: the broker's
scans run every 30 s from its start; a local transaction longer than transactionTimeOut
with a scan inside it is checked (the half written back as a new entry, the check
listener answering UNKNOW from the unpaid order), the producer's COMMIT resolves the
original entry only, and the next scan's check commits the written-back one: two stored
messages with one msg id per order, two coupons and two red packets with the naive
design. A 60 s transactionTimeOut leaves order-1001 (40 s) alone and still doubles
order-1002 (100 s). The UNIQUE key issues one coupon per order although both messages
still arrive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from minimq.apps.incident import COUPON_GROUP, COUPON_LEDGER, RED_PACKET_GROUP, TOPIC
from minimq.apps.shop import Shop
from minimq.cli import main
from minimq.events import (
    AppEvent,
    EffectApplied,
    Event,
    HalfMessageCommitted,
    HalfMessageStored,
    MessageDelivered,
    MessageStored,
    TransactionChecked,
    TransactionEnded,
)
from minimq.lessons import LESSONS, find
from minimq.lessons.base import Lesson, Run
from minimq.lessons.lesson13 import INVOICE_MS, LESSON, LONGER_TIMEOUT_MS, ORDERS, PAID_MS, SCAN_MS
from minimq.lessons.runner import NullView, RunSummary, run_lesson

SEEDS = [1, 2, 3, 4, 5]


@dataclass
class Ran:
    summary: RunSummary
    events: list[Event]
    coupons: dict[str, int]


class Keep(NullView):
    """Keeps each run's trace and coupons per order before the shop is closed."""

    def __init__(self) -> None:
        self.runs: dict[str, Ran] = {}

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        coupons = {order: sum(1 for row in shop.coupons() if row[1] == order) for order in ORDERS}
        self.runs[run.design] = Ran(summary, list(shop.world.trace.events), coupons)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def ran(request: pytest.FixtureRequest) -> dict[str, Ran]:
    view = Keep()
    run_lesson(LESSON, request.param, view)
    return view.runs


def of(events: list[Event], kind: type[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, kind)]


def order_of(events: list[Event]) -> dict[str, str]:
    """msg id -> order, from the halves the order system stored."""
    return {e.msg_id: e.keys[0] for e in events if isinstance(e, HalfMessageStored)}


def test_the_lesson_is_registered_with_its_path() -> None:
    assert find("13") is find("transaction-commit") is find("13_transaction_commit") is LESSON
    assert LESSON.paths == ("P16",) and LESSON in LESSONS
    assert [r.design for r in LESSON.runs] == ["naive", "transaction_timeout_60s", "unique_key"]
    assert LESSON.runs[-1].shop["idempotent_red_packet"] is True
    assert LESSONS[-1].slug == "fix-matrix", "the fix matrix stays the capstone"


@pytest.mark.parametrize("seed", SEEDS)
def test_json_the_naive_run_doubles_both_orders_the_timeout_one_the_key_none(
    capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    assert main(["lesson", "transaction-commit", "--json", "--seed", str(seed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["lesson"] == "transaction-commit" and summary["paths"] == ["P16"] and summary["seed"] == seed
    runs = {r["design"]: r for r in summary["runs"]}
    for design, doubled in (("naive", 2), ("transaction_timeout_60s", 1)):
        for group in (COUPON_GROUP, RED_PACKET_GROUP):  # made on the broker: every group gets it
            assert runs[design]["groups"][group] == {
                "duplicate_deliveries": doubled,
                "duplicate_effects": doubled,
                "lost_effects": 0,
            }, (design, group)
    right = runs["unique_key"]
    assert right["duplicate_effects"] == 0 and right["lost_effects"] == 0
    assert right["duplicate_deliveries"] == 4  # both messages of both orders, to both groups: harmless


def test_a_check_inside_the_local_transaction_leaves_an_entry_the_commit_does_not_resolve(
    ran: dict[str, Ran],
) -> None:
    for design in ("naive", "unique_key"):
        events = ran[design].events
        orders = order_of(events)
        paid_1001 = next(m for m, o in orders.items() if o == "order-1001")
        checks = [e for e in of(events, TransactionChecked) if e.msg_id == paid_1001]
        assert [(e.at_ms, e.half_offset, e.copy_offset, e.check_times) for e in checks] == [
            (SCAN_MS, 0, 1, 1),
            (2 * SCAN_MS, 1, 2, 2),
        ], design
        ends = [e for e in of(events, TransactionEnded) if e.msg_id == paid_1001]
        assert [(e.state, e.from_check, e.half_offset) for e in ends] == [
            ("UNKNOW", True, 1),  # 0:30: the order is not paid yet
            ("COMMIT_MESSAGE", False, 0),  # 0:50: the producer ends the entry its send result named
            ("COMMIT_MESSAGE", True, 2),  # 1:00: the check of the written-back entry
        ]
        assert PAID_MS[0] + INVOICE_MS["order-1001"] <= ends[1].at_ms < PAID_MS[0] + INVOICE_MS["order-1001"] + 50
        commits = [e for e in of(events, HalfMessageCommitted) if e.msg_id == paid_1001]
        assert [(e.half_offset, e.from_check, e.commits) for e in commits] == [(0, False, 1), (2, True, 2)]


def test_each_order_is_stored_twice_in_order_paid_with_one_msg_id(ran: dict[str, Ran]) -> None:
    for design in ("naive", "unique_key"):
        r = ran[design]
        orders = order_of(r.events)
        assert sorted(orders.values()) == sorted(ORDERS), "one transaction per order, one msg id each"
        stored = [e for e in of(r.events, MessageStored) if e.topic == TOPIC]
        assert sorted(orders[e.msg_id] for e in stored) == sorted(ORDERS * 2), design
        for msg_id in orders:
            copies = [e for e in stored if e.msg_id == msg_id]
            assert len({e.offset_msg_id for e in copies}) == 2 and len({e.queue_id for e in copies}) == 1


def test_a_longer_transaction_timeout_leaves_the_shorter_transaction_alone(ran: dict[str, Ran]) -> None:
    events = ran["transaction_timeout_60s"].events
    orders = order_of(events)
    checked = [
        (orders[e.msg_id], e.at_ms, e.at_ms - PAID_MS[ORDERS.index(orders[e.msg_id])])
        for e in of(events, TransactionChecked)
    ]
    assert [(o, at) for o, at, _ in checked] == [("order-1002", 7 * SCAN_MS), ("order-1002", 8 * SCAN_MS)]
    assert all(age > LONGER_TIMEOUT_MS for _, _, age in checked)
    assert ran["transaction_timeout_60s"].coupons == {"order-1001": 1, "order-1002": 2}
    assert ran["naive"].coupons == {"order-1001": 2, "order-1002": 2}


def test_the_check_listener_answers_from_the_order_database(ran: dict[str, Ran]) -> None:
    for design, r in ran.items():
        answers = [dict(e.args) for e in of(r.events, AppEvent) if isinstance(e, AppEvent) and e.action == "tx_check"]
        assert answers, design
        assert {(a["status"], a["answer"]) for a in answers} == {("UNPAID", "UNKNOW"), ("PAID", "COMMIT_MESSAGE")}


def test_the_unique_key_refuses_the_second_delivery_which_is_acknowledged(ran: dict[str, Ran]) -> None:
    r = ran["unique_key"]
    assert r.coupons == {"order-1001": 1, "order-1002": 1}
    refused = [
        e
        for e in of(r.events, AppEvent)
        if isinstance(e, AppEvent) and e.system == COUPON_LEDGER and e.action == "db_failed"
    ]
    assert len(refused) == 2
    deliveries = [
        e for e in of(r.events, MessageDelivered) if isinstance(e, MessageDelivered) and e.group == COUPON_GROUP
    ]
    assert len(deliveries) == 4
    assert (
        len([e for e in of(r.events, EffectApplied) if isinstance(e, EffectApplied) and e.ledger == COUPON_LEDGER]) == 2
    )
