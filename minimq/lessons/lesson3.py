"""Lesson 3, path C: the coupon system restarts before its offset reaches the broker.

A push consumer persists its offsets every 5 s (the first time 10 s after start). The
red-packet system started at 0 s persists at 10, 15, 20 s; the coupon system started at
3 s persists at 13, 18, 23 s. Four earlier orders (4-6 s, one per queue) give the coupon
group a committed offset of 1 on every queue. "Order paid" for order-1001 arrives at 14 s. Both groups consume it; at
15 s the red-packet offset reaches the broker, the coupon offset is still local when the
coupon system is killed at 16.5 s. After the restart the broker hands the message out
again. A graceful shutdown persists offsets, but a message still in flight holds the
offset back (min in-flight) and comes back too. An in-memory set forgets on restart; the
UNIQUE key remembers.
"""

from __future__ import annotations

from collections.abc import Callable

from minimq.apps.shop import Shop
from minimq.lessons.base import Lesson, Run, Step, pay_at

ORDER = "order-1001"
COUPON_START_MS = 3000
PAY_MS = 14_000
KILL_MS = 16_500
SHUTDOWN_MS = 15_400
END_MS = 25_000


EARLIER = ("order-0997", "order-0998", "order-0999", "order-1000")  # one to each queue
EARLIER_MS = (4000, 4500, 5000, 5500)


def _setup(shop: Shop) -> None:
    """Both groups consume four earlier orders first, so the coupon group has a real
    committed consumer offset on every queue when order-1001 arrives (a brand-new group
    would start by RocketMQ's rule for new groups instead)."""
    shop.red_packet.start()
    world = shop.world
    world.call_later_ms(COUPON_START_MS, shop.start_coupon)
    for order, at_ms in zip(EARLIER, EARLIER_MS, strict=True):
        pay_at(order, at_ms)(shop)
    pay_at(ORDER, PAY_MS)(shop)


def _deploy(at_ms: int, graceful: bool) -> Callable[[Shop], None]:
    """Stop the coupon system at ``at_ms`` (kill -9 or graceful) and start it 1 s later."""

    def act(shop: Shop) -> None:
        world = shop.world

        def stop() -> None:
            shop.event("coupon-1", "deploy_graceful" if graceful else "deploy_kill")
            if graceful:
                shop.coupon.consumer().shutdown()
            else:
                shop.coupon.consumer().crash("kill -9")

        world.call_later_ms(at_ms - world.now_ms, stop)
        world.call_later_ms(at_ms + 1000 - world.now_ms, shop.start_coupon)

    return act


HISTORY = Step("l3.history", 13_500, show=("queues",), events=False)
KILL_STEPS = (
    HISTORY,
    Step("l3.kill.1", 15_800, show=("queues",)),
    Step("l3.kill.2", 17_000, action=_deploy(KILL_MS, graceful=False), show=("queues",)),
    Step("l3.kill.3", END_MS, show=("queues", "coupons")),
)

LESSON = Lesson(
    number=3,
    slug="consumer-restart",
    title="l3.title",
    setting="l3.setting",
    runs=(
        Run("naive/kill", "l3.run.kill", "l3.explain.kill", {}, _setup, KILL_STEPS, "l3.moral.kill"),
        Run(
            "naive/graceful_shutdown",
            "l3.run.graceful",
            "l3.explain.graceful",
            {},
            _setup,
            (
                HISTORY,
                Step("l3.graceful.1", 15_450, action=_deploy(SHUTDOWN_MS, graceful=True), show=("queues",)),
                Step("l3.graceful.2", END_MS, show=("queues", "coupons")),
            ),
            "l3.moral.graceful",
        ),
        Run(
            "memory_set",
            "l3.run.memory",
            "l3.explain.memory",
            {"coupon_design": "memory_set"},
            _setup,
            (
                HISTORY,
                Step("l3.memory.1", END_MS, action=_deploy(KILL_MS, graceful=False), show=("coupons",)),
            ),
            "l3.moral.memory",
        ),
        Run(
            "unique_key",
            "l3.run.right",
            "l3.explain.right",
            {"coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            (
                HISTORY,
                Step("l3.right.1", END_MS, action=_deploy(KILL_MS, graceful=False), show=("queues", "coupons")),
            ),
            "l3.moral.right",
        ),
    ),
    diagnosis="l3.diagnosis",
    paths=("P4", "P5", "P6"),
    minutes=15,
    limits="l3.limits",
)
