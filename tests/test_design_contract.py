"""One design contract: the lessons run the shipped design files that ``minimq check``
grades, with the story's timing around them as data; the order system's retry loop is
written once."""

from __future__ import annotations

import pytest

from minimq.apps.coupons import STORY_TIMING, CouponTiming
from minimq.apps.design import DESIGNS_DIR, builtin, builtin_names
from minimq.apps.incident import COUPON_LEDGER, TOPIC
from minimq.apps.orders import OrderSender
from minimq.apps.shop import Shop
from minimq.events import AppEvent, EffectApplied, MessageConsumed, MessageDelivered, SendSucceeded
from minimq.lessons import LESSONS
from minimq.lessons.fix_matrix import MatrixLesson
from minimq.testing.design import DesignError, load_design
from minimq.world import World

ORDER = "order-1"


def _paid_twice(shop: Shop, gap_ms: int) -> None:
    """Two "order paid" messages for one order, ``gap_ms`` apart (an upstream retry)."""
    shop.new_order(ORDER, "alice")
    shop.start_coupon()
    world = shop.world
    world.run_until(3000)  # the coupon system owns its queues (first rebalance 1 s after the start)
    world.spawn(shop.order.send_order_paid(ORDER), "send-1")
    world.call_later_ms(gap_ms, lambda: world.spawn(shop.order.send_order_paid(ORDER), "send-2"))
    world.run_until(13_000)


def test_every_lesson_runs_a_shipped_design_file() -> None:
    names = set(builtin_names())
    for lesson in LESSONS:
        if isinstance(lesson, MatrixLesson):
            assert set(lesson.designs) <= names, lesson.designs
            continue
        for run in lesson.runs:
            assert run.shop.get("coupon_design", "no_dedupe") in names, (lesson.number, run.design)


def test_a_shipped_design_is_named_by_its_file() -> None:
    design = builtin("unique_key")
    assert design.path == str(DESIGNS_DIR / "unique_key.py")
    assert design.is_async and design.has_setup
    assert load_design("unique_key").code.co_filename == design.path


def test_an_unknown_name_lists_the_shipped_designs() -> None:
    with pytest.raises(DesignError) as caught:
        load_design("uniq_key")
    assert "'uniq_key'" in str(caught.value) and "unique_key" in str(caught.value)


def test_the_story_timing_holds_before_the_first_write_so_a_select_races() -> None:
    """query-then-insert: each copy SELECTs at once, then waits for marketing before its
    INSERT, so two copies 200 ms apart both find nothing: two coupons."""
    shop = Shop(1, coupon_design="query_then_insert")
    try:
        _paid_twice(shop, 200)
        assert [row[1] for row in shop.coupons()] == [ORDER, ORDER]
    finally:
        shop.close()


def test_without_the_story_timing_the_same_copies_do_not_overlap() -> None:
    shop = Shop(1, coupon_design="query_then_insert", timing=CouponTiming())
    try:
        _paid_twice(shop, 200)
        assert [row[1] for row in shop.coupons()] == [ORDER]
    finally:
        shop.close()


def test_a_coupon_is_committed_after_the_marketing_lookup_and_the_handler_returns_after_notifying() -> None:
    shop = Shop(3, coupon_design="no_dedupe")
    try:
        shop.new_order(ORDER, "alice")
        shop.start_coupon()
        shop.world.spawn(shop.order.send_order_paid(ORDER), "send")
        shop.world.run_until(5_000)
        trace = shop.world.trace
        delivered = next(e.at_ms for e in trace.of(MessageDelivered) if e.group == "coupon-system")
        committed = next(e.at_ms for e in trace.of(EffectApplied) if e.ledger == COUPON_LEDGER)
        latency = shop.coupon_db.latency_ms
        assert committed == delivered + latency + STORY_TIMING.marketing_ms + latency
        assert shop.coupons()[0][4] == committed  # "issued at" is the commit
        returned = next(e.at_ms for e in trace.of(MessageConsumed) if e.group == "coupon-system")
        assert returned == committed + STORY_TIMING.notify_ms
    finally:
        shop.close()


@pytest.mark.parametrize(("resend", "ids"), [("same", 1), ("new", 2)])
def test_the_order_systems_retry_loop_resends_the_same_or_a_new_message(resend: str, ids: int) -> None:
    world = World(5)
    world.broker.create_topic(TOPIC)
    world.faults.lose_send_reply(key=ORDER, how="timeout")
    sender = OrderSender(world, resend="new" if resend == "new" else "same")
    attempts: list[int] = []
    result = world.run(sender.send_order_paid(ORDER, "alice", report=lambda n, _outcome: attempts.append(n)))
    assert result is not None and attempts == [1, 2]
    stored = world.broker.query_by_key(TOPIC, ORDER)
    assert len(stored) == 2 and len({m.msg_id for m in stored}) == ids
    assert [e.msg_id for e in world.trace.of(SendSucceeded)] == [result.msg_id]
    assert sender.sending == 0
    world.close()


def test_the_lessons_say_which_design_file_runs() -> None:
    shop = Shop(1, coupon_design="memory_set")
    try:
        shop.start_coupon()
        said = [e for e in shop.world.trace.of(AppEvent) if e.action == "design"]
        assert said and dict(said[0].args)["design"] == "memory_set"
    finally:
        shop.close()
