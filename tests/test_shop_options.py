"""The shop's options for lessons 8 and 9: a notification that is refused, an orderly
coupon consumer, and Redis for the designs that use one."""

from __future__ import annotations

from dataclasses import replace

from minimq.apps.coupons import STORY_TIMING
from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP
from minimq.apps.shop import Shop
from minimq.events import AppEvent, MessageConsumed, MessageDelivered, MessageStored, RetriedLocally
from minimq.lessons.base import pay_at, start_both


def actions(shop: Shop, action: str) -> list[AppEvent]:
    return [e for e in shop.world.trace.of(AppEvent) if e.action == action]


def test_a_refused_notification_throws_after_the_commit() -> None:
    shop = Shop(1, timing=replace(STORY_TIMING, notify_fails=("order-1001",)))
    try:
        start_both(shop)
        pay_at("order-1001", 5000)(shop)
        shop.world.run_until(9000)
        (refused,) = actions(shop, "notify_failed")
        (coupon,) = shop.coupons()
        assert coupon[4] < refused.at_ms, "the coupon was committed first"
        (consumed,) = [c for c in shop.world.trace.of(MessageConsumed) if c.group == COUPON_GROUP]
        assert consumed.status == "RECONSUME_LATER" and "NotificationError" in consumed.note
    finally:
        shop.close()


def test_an_orderly_coupon_system_gets_each_order_on_the_queue_its_id_hashes_to() -> None:
    # order-1001, order-1005 and order-1009 hash to queue 3 (Java's String.hashCode)
    timing = replace(STORY_TIMING, notify_fails=("order-1001",))
    shop = Shop(1, timing=timing, coupon_consumer={"orderly": True, "max_reconsume_times": 1})
    try:
        start_both(shop)
        for order, at_ms in (("order-1001", 5000), ("order-1005", 5500), ("order-1002", 6000)):
            pay_at(order, at_ms)(shop)
        shop.world.run_until(20_000)
        stored = {e.keys[0]: e.queue_id for e in shop.world.trace.of(MessageStored) if e.topic == "order-paid"}
        assert stored == {"order-1001": 3, "order-1005": 3, "order-1002": 0}
        assert shop.coupon.consumer().orderly
        coupon = [e for e in shop.world.trace.of(MessageDelivered) if e.client == COUPON_CLIENT]
        q3 = [(e.keys[0], e.reconsume_times) for e in coupon if e.queue_id == 3]
        assert q3 == [("order-1001", 0), ("order-1001", 1), ("order-1005", 0)], "order-1005 waits its turn"
        (suspend,) = shop.world.trace.of(RetriedLocally)
        assert suspend.delay_ms == 1000
        statuses = [c.status for c in shop.world.trace.of(MessageConsumed) if c.client == COUPON_CLIENT]
        assert "SUSPEND_CURRENT_QUEUE_A_MOMENT" in statuses and "SUCCESS" in statuses
    finally:
        shop.close()


def test_the_designs_that_use_redis_get_the_shop_s_redis() -> None:
    shop = Shop(1, coupon_design="mark_first")
    try:
        start_both(shop)
        pay_at("order-1001", 5000)(shop)
        shop.world.run_until(9000)
        assert [row[1] for row in shop.coupons()] == ["order-1001"]
        assert any(e.action == "redis_command" for e in shop.world.trace.of(AppEvent))
    finally:
        shop.close()
