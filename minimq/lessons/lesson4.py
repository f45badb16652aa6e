"""Lesson 4, a slow message: one stuck handler holds its queue's consumer offset back, and a
deploy replays everything that finished behind it.

The coupon system's marketing lookup for order-1001 hangs for 60 s (``CouponTiming
.slow_lookups``). Orders keep coming, one every 0.5 s; the producer takes the four queues
in turn, so every fourth order lands behind order-1001 in its queue. The other consume
threads finish them, but a push consumer commits one number per queue, the smallest offset
still in its process queue (``ProcessQueue.removeMessage``), so that queue's consumer offset
stays at order-1001, locally and on the broker. A graceful deploy at 35 s persists exactly
that offset; the new process resumes from it and issues every coupon after it again.

Runs, all with the same seed: the naive coupon system; the same with
``consumeConcurrentlyMaxSpan`` lowered to 2 (flow control fires, as its WARN line shows, yet
nothing changes: the span is measured over messages still cached, and the finished ones
have left); a 3 s timeout on the marketing call that skips the order (the offset moves on,
and the coupon is lost); the UNIQUE key, which lets the replay arrive and makes it harmless.
"""

from __future__ import annotations

from minimq.apps.coupons import STORY_TIMING, CouponTiming
from minimq.apps.shop import Shop
from minimq.lessons.base import Lesson, Run, Step, pay_at

ORDER = "order-1001"
EARLIER = ("order-0997", "order-0998", "order-0999", "order-1000")  # one to each queue
EARLIER_MS = (4000, 4500, 5000, 5500)
PAY_MS = 12_000
SLOW_LOOKUP_MS = 60_000
MORE = tuple(f"order-{n}" for n in range(1002, 1026))  # 24 orders, every fourth behind order-1001
MORE_FROM_MS = 16_000
MORE_EVERY_MS = 500
BUSY_UNTIL_MS = 31_000  # after the 30 s persist
DEPLOY_MS = 35_000
RESTART_MS = 36_000
END_MS = 45_000
SMALL_SPAN = 2  # consumeConcurrentlyMaxSpan in run 2 (RocketMQ's default: 2000)
MARKETING_TIMEOUT_MS = 3000  # run 3

SLOW = CouponTiming(
    marketing_ms=STORY_TIMING.marketing_ms,
    notify_ms=STORY_TIMING.notify_ms,
    slow_lookups=((ORDER, SLOW_LOOKUP_MS),),
)
SKIP = CouponTiming(
    marketing_ms=STORY_TIMING.marketing_ms,
    notify_ms=STORY_TIMING.notify_ms,
    slow_lookups=((ORDER, SLOW_LOOKUP_MS),),
    marketing_timeout_ms=MARKETING_TIMEOUT_MS,
)


def _setup(shop: Shop) -> None:
    """Both groups from 0 s; four earlier orders give them a committed offset on every
    queue; order-1001 at 12 s, then 24 more orders, one every 0.5 s from 16 s."""
    shop.red_packet.start()
    shop.start_coupon()
    for order, at_ms in zip(EARLIER, EARLIER_MS, strict=True):
        pay_at(order, at_ms)(shop)
    pay_at(ORDER, PAY_MS)(shop)
    for i, order in enumerate(MORE):
        pay_at(order, MORE_FROM_MS + i * MORE_EVERY_MS)(shop)


def _deploy(shop: Shop) -> None:
    """The coupon team deploys: a graceful shutdown at 35 s, the new version 1 s later."""
    world = shop.world

    def stop() -> None:
        shop.event("coupon-1", "deploy_graceful")
        shop.coupon.consumer().shutdown()

    world.call_later_ms(DEPLOY_MS - world.now_ms, stop)
    world.call_later_ms(RESTART_MS - world.now_ms, shop.start_coupon)


HISTORY = Step("l4.history", PAY_MS - 100, show=("queues",), events=False)

LESSON = Lesson(
    number=4,
    slug="slow-message",
    title="l4.title",
    setting="l4.setting",
    runs=(
        Run(
            "naive",
            "l4.run.naive",
            "l4.explain.naive",
            {"timing": SLOW},
            _setup,
            (
                HISTORY,
                Step("l4.naive.1", 15_900, show=("queues",)),
                Step("l4.naive.2", BUSY_UNTIL_MS, show=("queues",), events=False),
                Step("l4.naive.3", DEPLOY_MS + 500, action=_deploy, show=("queues",)),
                Step("l4.naive.4", END_MS, show=("queues", "coupons")),
            ),
            "l4.moral.naive",
        ),
        Run(
            f"naive/max_span_{SMALL_SPAN}",
            "l4.run.span",
            "l4.explain.span",
            {"timing": SLOW, "coupon_consumer": {"consume_concurrently_max_span": SMALL_SPAN}},
            _setup,
            (
                HISTORY,
                Step("l4.span.1", BUSY_UNTIL_MS, show=("queues",), events=False, only=("PullFlowControlled",)),
                Step("l4.span.2", END_MS, action=_deploy, show=("queues", "coupons")),
            ),
            "l4.moral.span",
        ),
        Run(
            "skip_on_timeout",
            "l4.run.skip",
            "l4.explain.skip",
            {"timing": SKIP},
            _setup,
            (
                HISTORY,
                Step("l4.skip.1", 15_900, show=("queues",)),
                Step("l4.skip.2", BUSY_UNTIL_MS, show=("queues",), events=False),
                Step("l4.skip.3", END_MS, action=_deploy, show=("queues", "coupons")),
            ),
            "l4.moral.skip",
        ),
        Run(
            "unique_key",
            "l4.run.right",
            "l4.explain.right",
            {"timing": SLOW, "coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            (
                HISTORY,
                Step("l4.right.1", BUSY_UNTIL_MS, show=("queues",), events=False),
                Step("l4.right.2", END_MS, action=_deploy, show=("queues", "coupons")),
            ),
            "l4.moral.right",
        ),
    ),
    diagnosis="l4.diagnosis",
    limits="l4.limits",
    order=ORDER,
    paths=("P4", "P6"),
    minutes=15,
)
