"""Lesson 12 (path P17): a SimpleConsumer's invisible duration runs out while its handler works.

For seeds 1 to 5, read from the ``--json`` summary and from each run's trace: coupon-1
pops order-1001's message at 12:00 and waits for the wallet lock; its checkpoint is
revived 2 to 3 s after its invisible duration, into ``%RETRY%coupon-system_order-paid``
with the same msg id; coupon-2's held receive is not woken by the revival and pops the copy
only when its wait ends, while coupon-1 still waits; each expiry is one more delivery; the
late acks are refused. No dedupe issues three coupons with 30 s, two with 5 min; the
UNIQUE key issues one from three deliveries; the red-packet group is never doubled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from minimq.apps.incident import COUPON_GROUP, COUPON_LEDGER, RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.check import retry_violations
from minimq.cli import main
from minimq.core.pop import REVIVE_LAG_MS, pop_retry_topic
from minimq.events import (
    AckRejected,
    EffectApplied,
    Event,
    MessageAcked,
    MessageDelivered,
    MessagePopped,
    MessageRevived,
)
from minimq.lessons import find
from minimq.lessons.base import Lesson, Run
from minimq.lessons.lesson12 import INVISIBLE_MS, LESSON, LOCK, LONGER_MS, PAY_MS
from minimq.lessons.runner import NullView, RunSummary, run_lesson
from minimq.trace import Trace

SEEDS = [1, 2, 3, 4, 5]


@dataclass
class Ran:
    summary: RunSummary
    events: list[Event]
    coupons: int


class Keep(NullView):
    """Keeps each run's trace and coupon count before the shop is closed."""

    def __init__(self) -> None:
        self.runs: dict[str, Ran] = {}

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        self.runs[run.design] = Ran(summary, list(shop.world.trace.events), len(shop.coupons()))


def ran(seed: int) -> dict[str, Ran]:
    keep = Keep()
    run_lesson(LESSON, seed, keep)
    return keep.runs


def of(events: list[Event], kind: type[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, kind) and getattr(e, "group", COUPON_GROUP) == COUPON_GROUP]


def test_registered_with_its_path_and_script() -> None:
    assert find("12") is find("pop-invisible-time") is find("12_pop_invisible_time") is LESSON
    assert LESSON.paths == ("P17",) and LESSON.processes == ("coupon-1", "coupon-2")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_message_comes_back_to_the_other_process_while_the_first_still_waits(seed: int) -> None:
    naive = ran(seed)["naive"]
    pops = of(naive.events, MessagePopped)
    revived = of(naive.events, MessageRevived)
    assert [(p.client, p.reconsume_times) for p in pops] == [("coupon-1", 0), ("coupon-2", 1), ("coupon-1", 2)]
    assert len({p.msg_id for p in pops}) == 1
    assert PAY_MS <= pops[0].at_ms < PAY_MS + 100 and pops[0].visible_ms == pops[0].at_ms + INVISIBLE_MS
    for pop, back in zip(pops, revived, strict=False):  # the first two expire and are revived
        assert pop.visible_ms + REVIVE_LAG_MS < back.at_ms <= pop.visible_ms + REVIVE_LAG_MS + 1000
        assert back.retry_topic == pop_retry_topic(COUPON_GROUP, "order-paid")
    assert len(revived) == 2
    # coupon-2's receive was held when the copy came back: it pops only when its wait ends
    assert 5_000 < pops[1].at_ms - revived[0].at_ms <= 20_000
    # ...and coupon-1 was still waiting for the lock: the second delivery overlaps the first
    coupons = [e for e in naive.events if isinstance(e, EffectApplied) and e.ledger == COUPON_LEDGER]
    assert pops[1].at_ms < LOCK.until_ms <= coupons[0].at_ms


@pytest.mark.parametrize("seed", SEEDS)
def test_no_dedupe_gives_three_coupons_and_two_acks_refused(seed: int) -> None:
    naive = ran(seed)["naive"]
    assert naive.coupons == 3
    refused = of(naive.events, AckRejected)
    assert [(r.client, r.request) for r in refused] == [("coupon-1", "ack"), ("coupon-2", "ack")]
    assert all(r.at_ms >= r.visible_ms for r in refused)
    assert [a.client for a in of(naive.events, MessageAcked)] == ["coupon-1"]  # the third, in time
    assert naive.summary.groups[COUPON_GROUP].duplicate_effects == 2
    assert naive.summary.groups[RED_PACKET_GROUP].duplicate_effects == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_a_five_minute_invisible_duration_still_gives_two_coupons(seed: int) -> None:
    longer = ran(seed)["naive/invisible_5min"]
    pops = of(longer.events, MessagePopped)
    assert [p.invisible_ms for p in pops] == [LONGER_MS, LONGER_MS]
    (revived,) = of(longer.events, MessageRevived)
    assert revived.at_ms == PAY_MS + LONGER_MS + 3000  # popped at 12:00.00x, revived at the 17:03 pass
    assert longer.coupons == 2 and len(of(longer.events, AckRejected)) == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_the_unique_key_turns_three_deliveries_into_one_coupon(seed: int) -> None:
    right = ran(seed)["unique_key"]
    assert len(of(right.events, MessageDelivered)) == 3
    assert right.coupons == 1
    assert right.summary.duplicate_effects == 0 and right.summary.lost_effects == 0
    assert retry_violations(Trace(right.events)) == []


def test_json_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lesson", "12", "--json"]) == 0
    runs = {r["design"]: r for r in json.loads(capsys.readouterr().out)["runs"]}
    assert [runs[d]["groups"][COUPON_GROUP]["duplicate_effects"] for d in runs] == [2, 1, 0]
    assert [runs[d]["retries"] for d in runs] == [2, 1, 2]
