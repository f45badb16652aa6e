"""Lesson 14, path P13: the broker crashes, and its consumer offsets go back to its last flush.

The broker writes its consumer-offset table to disk every 5 s, the first time 10 s after it
starts (``flushConsumerOffsetInterval``): at 10, 15, 20, 25 s. The coupon system (started
at 3 s) persists its offsets to the broker every 5 s from 13 s: 13, 18, 23 s. Six orders
are paid between 12 and 21 s, one every 1.8 s; each coupon is issued about 1.3 s later.
At 23 s the offsets of order-1004 to order-1006 reach the broker, which crashes at 24 s,
before its 25 s flush. During the outage the coupon system's pod is restarted (its health
check needs the broker; a graceful shutdown's persist would reach no broker either). The broker comes
back at 34 s with the offsets of its 20 s flush. The new coupon process first reaches it
at its next rebalance (50 s), registers, takes the queues at 51 s and starts them from
those offsets: order-1004 to order-1006 are consumed again. The red-packet system kept
running, so it puts its in-memory offsets back and pays nothing twice.

The tempting fix persists the client's offsets every second: fewer orders come back, but
the broker's own 5 s flush is what the crash goes back to. The UNIQUE key makes the replay
harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minimq.apps.shop import Shop
from minimq.lessons.base import Lesson, Run, Step, pay_each

ORDERS = tuple(f"order-{n}" for n in range(1001, 1007))
PAY_MS = (12_000, 13_800, 15_600, 17_400, 19_200, 21_000)
COUPON_START_MS = 3000
CRASH_MS = 24_000
DOWN_MS = 10_000
RESTART_MS = CRASH_MS + DOWN_MS  # 34 s
POD_RESTART_MS = 28_000
END_MS = 60_000


def _setup(shop: Shop) -> None:
    """The red-packet system runs from 0 s, the coupon system from 3 s; six orders are paid
    from 12 s; the broker crashes at 24 s and is back at 34 s; the coupon pod is restarted
    at 28 s, while the broker is down."""
    shop.red_packet.start()
    world = shop.world
    world.call_later_ms(COUPON_START_MS, shop.start_coupon)
    pay_each(ORDERS, PAY_MS)(shop)
    world.broker_crash(CRASH_MS, down_ms=DOWN_MS)

    def restart_pod() -> None:
        shop.event("coupon-1", "pod_restart")
        shop.coupon.consumer().crash("pod restarted")
        shop.start_coupon()

    world.call_later_ms(POD_RESTART_MS, restart_pod)


SHOP: Mapping[str, Any] = {}
SCENE = Step("l14.scene", 11_900, events=False)


# The six orders: listed are only the moments their coupons were committed and their
# offsets reached the broker; the tables show the rest.
ORDERS_STEP_ONLY = ("EffectApplied", "OffsetPersisted")


def _steps(prefix: str) -> tuple[Step, ...]:
    return (
        SCENE,
        Step(f"{prefix}.1", CRASH_MS - 500, show=("queues", "disk"), events=False, only=ORDERS_STEP_ONLY),
        Step(f"{prefix}.2", POD_RESTART_MS + 1000, show=("disk",)),  # the broker's memory is gone
        Step(f"{prefix}.3", RESTART_MS + 2000, show=("queues",)),
        Step(f"{prefix}.4", END_MS, show=("queues", "coupons")),
    )


LESSON = Lesson(
    number=14,
    slug="broker-crash",
    title="l14.title",
    setting="l14.setting",
    runs=(
        Run("naive", "l14.run.naive", "l14.explain.naive", SHOP, _setup, _steps("l14.naive"), "l14.moral.naive"),
        Run(
            "naive/persist_every_second",
            "l14.run.persist",
            "l14.explain.persist",
            {**SHOP, "coupon_consumer": {"persist_interval_ms": 1000}},
            _setup,
            (
                SCENE,
                Step("l14.persist.1", CRASH_MS - 500, show=("disk",), events=False, only=ORDERS_STEP_ONLY),
                Step("l14.persist.2", END_MS, show=("coupons",)),
            ),
            "l14.moral.persist",
        ),
        Run(
            "unique_key",
            "l14.run.right",
            "l14.explain.right",
            {**SHOP, "coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            (
                SCENE,
                Step("l14.right.1", CRASH_MS - 500, events=False, only=ORDERS_STEP_ONLY),
                Step("l14.right.2", END_MS, show=("queues", "coupons")),
            ),
            "l14.moral.right",
        ),
    ),
    diagnosis="l14.diagnosis",
    limits="l14.limits",
    paths=("P13",),
    minutes=12,
    orders=ORDERS,
)
