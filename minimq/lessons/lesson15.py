"""Lesson 15, path P15: an operator resets the coupon group's offsets by time, and hours of
orders come back.

The coupon system gives up on a marketing lookup after 3 s and skips the order (it
acknowledges the message, no coupon): at 00:20 the lookup for order-1002 hangs, and
order-1002 gets no coupon. At 01:30, to give that user the coupon, the on-call engineer
follows the runbook and resets coupon-system's offsets to 00:15 (``mqadmin
resetOffsetByTime``, RocketMQ 5.2.0+: the broker commits the offsets itself, and each
queue's next pull is answered ``PULL_OFFSET_MOVED``). Every order stored since 00:15 is
delivered again, with its msg id, up to 70 minutes after its first delivery: order-1002
gets its coupon, and order-1003 (00:25), order-1004 (01:00) and order-1005 (01:20) come
back too.

A Redis flag with a 1 h TTL catches order-1004 and order-1005, whose flags are younger than
an hour, but order-1003's expired at 01:25: a second coupon. A UNIQUE key on the order id
never expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minimq.apps.coupons import STORY_TIMING, CouponTiming
from minimq.apps.incident import COUPON_GROUP, TOPIC
from minimq.apps.shop import Shop
from minimq.lessons.base import COUPON_FOCUS, Lesson, Run, Step, pay_each

MIN = 60_000
HOUR = 60 * MIN
ORDERS = ("order-1001", "order-1002", "order-1003", "order-1004", "order-1005")
PAY_MS = (10 * MIN, 20 * MIN, 25 * MIN, 60 * MIN, 80 * MIN)
COUPON_START_MS = 3000
SLOW_ORDER = "order-1002"
RESET_MS = 90 * MIN
RESET_TO_MS = 15 * MIN
END_MS = RESET_MS + 2 * MIN
MARKETING_TIMEOUT_MS = 3000

TIMING = CouponTiming(
    marketing_ms=STORY_TIMING.marketing_ms,
    notify_ms=STORY_TIMING.notify_ms,
    slow_lookups=((SLOW_ORDER, 60_000),),
    marketing_timeout_ms=MARKETING_TIMEOUT_MS,
)


def _setup(shop: Shop) -> None:
    """The red-packet system from 0 s, the coupon system from 3 s; five orders between
    00:10 and 01:20; at 01:30 the operator resets coupon-system's offsets to 00:15."""
    shop.red_packet.start()
    world = shop.world
    world.call_later_ms(COUPON_START_MS, shop.start_coupon)
    pay_each(ORDERS, PAY_MS)(shop)

    def reset() -> None:  # mqadmin resetOffsetByTime -g coupon-system -t order-paid -s <00:15>
        world.broker.reset_offset_by_time(group=COUPON_GROUP, topic=TOPIC, timestamp_ms=RESET_TO_MS)

    world.call_later_ms(RESET_MS, reset)


SHOP: Mapping[str, Any] = {"timing": TIMING}
SCENE = Step("l15.scene", 9 * MIN, events=False)
HISTORY = Step("l15.history", RESET_MS - MIN, show=("coupons",), events=False, only=("EffectApplied", "AppEvent"))


def _run(design: str, prefix: str, shop: Mapping[str, Any]) -> Run:
    return Run(
        design,
        f"{prefix}.run",
        f"{prefix}.explain",
        shop,
        _setup,
        (
            SCENE,
            HISTORY,
            Step(f"{prefix}.1", RESET_MS + 1000, show=("queues",)),
            Step(f"{prefix}.2", END_MS, show=("queues", "coupons")),
        ),
        f"{prefix}.moral",
    )


LESSON = Lesson(
    number=15,
    slug="offset-reset",
    title="l15.title",
    setting="l15.setting",
    runs=(
        _run("naive", "l15.naive", SHOP),
        _run("redis_do_then_mark_1h", "l15.ttl", {**SHOP, "coupon_design": "redis_do_then_mark_1h"}),
        _run("unique_key", "l15.right", {**SHOP, "coupon_design": "unique_key", "idempotent_red_packet": True}),
    ),
    diagnosis="l15.diagnosis",
    limits="l15.limits",
    paths=("P15",),
    minutes=12,
    orders=ORDERS,
    quiet_lanes=COUPON_FOCUS,  # the reset is the coupon group's: the other systems stay out of the pictures
)
