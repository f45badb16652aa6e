"""Lesson 2, path B: the broker stores the message, the reply is lost, the producer sends again.

``send()`` has a 3000 ms budget; a timeout uses all of it and a 4.x producer does not
retry it, so the order system's own retry loop sends again: the broker holds two copies.
Re-sending the same ``Message`` object keeps its msg id; building a new one gets a new
id. A fast failure (the channel closes right after the store) is retried inside
``send()`` at once: two copies 2 ms apart, which beats query-then-insert. The coupon
side's UNIQUE key is the fix; the producer side cannot make a send exactly-once.
"""

from __future__ import annotations

from collections.abc import Callable

from minimq.apps.shop import Shop
from minimq.lessons.base import Lesson, Run, Step, pay_at, start_both

ORDER = "order-1001"
PAID_AT = 2000  # both groups have owned their queues since about 1 s (RocketMQ 5 rebalances 1 s after a start)
END_MS = PAID_AT + 8000


def _setup(how: str) -> Callable[[Shop], None]:
    def setup(shop: Shop) -> None:
        start_both(shop)
        shop.world.faults.lose_send_reply(key=ORDER, how=how)
        pay_at(ORDER, PAID_AT)(shop)

    return setup


LESSON = Lesson(
    number=2,
    slug="lost-reply",
    title="l2.title",
    setting="l2.setting",
    runs=(
        Run(
            "naive/same_object",
            "l2.run.same",
            "l2.explain.same",
            {"resend": "same"},
            _setup("timeout"),
            (
                Step("l2.same.1", PAID_AT + 1000, show=("queues",)),
                Step("l2.same.2", PAID_AT + 3200, show=("queues",)),
                Step("l2.same.3", END_MS, show=("coupons",)),
            ),
            "l2.moral.same",
        ),
        Run(
            "naive/new_object",
            "l2.run.new",
            "l2.explain.new",
            {"resend": "new"},
            _setup("timeout"),
            (Step("l2.new.1", END_MS, show=("queues", "coupons")),),
            "l2.moral.new",
        ),
        Run(
            "query_then_insert",
            "l2.run.qti",
            "l2.explain.qti",
            {"coupon_design": "query_then_insert"},
            _setup("fast_fail"),
            (Step("l2.qti.1", END_MS, show=("queues", "coupons")),),
            "l2.moral.qti",
        ),
        Run(
            "unique_key",
            "l2.run.right",
            "l2.explain.right",
            {"coupon_design": "unique_key", "resend": "new", "idempotent_red_packet": True},
            _setup("timeout"),
            (Step("l2.right.1", END_MS, show=("queues", "coupons")),),
            "l2.moral.right",
        ),
    ),
    diagnosis="l2.diagnosis",
    paths=("P1", "P2"),
    minutes=12,
    limits="l2.limits",
)
