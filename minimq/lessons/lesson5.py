"""Lesson 5, paths P7 and P6: a deploy scales the coupon system out, then in.

The coupon system runs one process, ``coupon-1``; four earlier orders give its group a
committed offset of 1 on every queue. Four orders are paid, one to each queue, and each
handler needs 1.5 s (marketing 1.2 s, notifying the user 0.3 s). While all four are in
flight, a deploy starts ``coupon-2``: its heartbeat reaches the broker one round trip
later, the broker tells both members, ``coupon-1`` gives queues 2 and 3 up at once
(persisting offset 1: the messages in flight hold it back) and goes on running their
handlers, whose results are then discarded. ``coupon-2`` rebalances 1 s after it
started and pulls 500 ms later, from offset 1: the two orders are issued again (P7).
Later four more orders are paid and ``coupon-2`` is removed gracefully while its two
handlers have committed their coupons and are still notifying the users: shutdown
interrupts them and persists its offsets, held back at those two messages, so
``coupon-1``, which rebalances at once, delivers them again (P6). An in-memory set
cannot help: each process has its own. The UNIQUE key in the coupon's transaction does.
"""

from __future__ import annotations

from collections.abc import Callable

from minimq.apps.incident import RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.lessons.base import COUPON_FOCUS, Lesson, Run, Step, pay_each, start_both

COUPON_2 = "coupon-2"
EARLIER = ("order-0997", "order-0998", "order-0999", "order-1000")  # one to each queue
EARLIER_MS = (1500, 1520, 1540, 1560)
OUT = ("order-1001", "order-1002", "order-1003", "order-1004")  # paid before the scale-out
OUT_MS = (4000, 4020, 4040, 4060)
JOIN_MS = 5000  # the four handlers run until 5.51-5.57 s
IN = ("order-1005", "order-1006", "order-1007", "order-1008")  # paid before the scale-in
IN_MS = (10_000, 10_020, 10_040, 10_060)
LEAVE_MS = 11_400  # their coupons are committed at 11.21-11.27 s; the users are notified until 11.51-11.57 s
END_MS = 16_000


def _setup(shop: Shop) -> None:
    """Both groups run from 0 s (one coupon process) and consume four earlier orders, so
    the coupon group has a committed offset on every queue; then the orders of the story."""
    start_both(shop)
    shop.coupon.consumer(COUPON_2)  # the second process exists from the start (its host is known), not running
    pay_each(EARLIER + OUT + IN, EARLIER_MS + OUT_MS + IN_MS)(shop)


def _scale_out(shop: Shop) -> None:
    world = shop.world
    world.call_later_ms(JOIN_MS - world.now_ms, lambda: _deploy(shop, "scale_out", lambda: shop.start_coupon(COUPON_2)))


def _scale_in(shop: Shop) -> None:
    world = shop.world
    world.call_later_ms(
        LEAVE_MS - world.now_ms, lambda: _deploy(shop, "scale_in", shop.coupon.consumer(COUPON_2).shutdown)
    )


def _deploy(shop: Shop, action: str, then: Callable[[], None]) -> None:
    shop.event(COUPON_2, action)
    then()


HISTORY = Step("l5.history", 3500, show=("queues",), events=False)
NAIVE_STEPS = (
    HISTORY,
    Step("l5.out.1", 4900, show=("queues",)),
    Step("l5.out.2", 5900, action=_scale_out, show=("queues",)),
    Step("l5.out.3", 9500, show=("queues", "coupons")),
    Step("l5.in.1", 11_300, show=("queues",)),
    Step("l5.in.2", 11_800, action=_scale_in, show=("queues",)),
    Step("l5.in.3", END_MS, show=("queues", "coupons")),
)


def _both(text: str) -> tuple[Step, ...]:
    """A later run: the scene, then both deploys in one step."""

    def deploys(shop: Shop) -> None:
        _scale_out(shop)
        _scale_in(shop)

    return (HISTORY, Step(text, END_MS, action=deploys, show=("coupons",)))


ORDERS = OUT + IN

LESSON = Lesson(
    number=5,
    slug="scale-out",
    title="l5.title",
    setting="l5.setting",
    runs=(
        Run("naive", "l5.run.naive", "l5.explain.naive", {}, _setup, NAIVE_STEPS, "l5.moral.naive"),
        Run(
            "memory_set",
            "l5.run.memory",
            "l5.explain.memory",
            {"coupon_design": "memory_set"},
            _setup,
            _both("l5.memory.1"),
            "l5.moral.memory",
        ),
        Run(
            "unique_key",
            "l5.run.right",
            "l5.explain.right",
            {"coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            _both("l5.right.1"),
            "l5.moral.right",
        ),
    ),
    diagnosis="l5.diagnosis",
    limits="l5.limits",
    paths=("P6", "P7"),
    minutes=12,
    processes=("coupon-1", COUPON_2),
    orders=ORDERS,
    quiet_lanes=COUPON_FOCUS,
    quiet_groups=(RED_PACKET_GROUP,),
)
