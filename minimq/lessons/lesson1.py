"""Lesson 1, path A: the upstream system retries, and one payment becomes two messages.

The order system marks the order paid and sends "order paid", then answers the payment
callback slowly; the payment system times out (1000 ms) and calls again; the second call
marks the order paid and sends again. The two messages have two msg ids, so
deduplicating by msg id does not help; a key on the order id does. The right fix makes
the callback a conditional state transition and gives the coupon table (and the red-packet
table) a UNIQUE key on the order id, written in the effect's own transaction.
"""

from __future__ import annotations

from minimq.apps.shop import Shop
from minimq.lessons.base import Lesson, Run, Step, pay_at, start_both

ORDER = "order-1001"
PAID_AT = 2000  # both groups have owned their queues since about 1 s (RocketMQ 5 rebalances 1 s after a start)
END_MS = PAID_AT + 6000
SLOW = {"first_callback_extra_ms": 1200}


def _setup(shop: Shop) -> None:
    start_both(shop)
    pay_at(ORDER, PAID_AT)(shop)


NAIVE_STEPS = (
    Step("l1.naive.1", PAID_AT + 900, show=("queues",)),
    Step("l1.naive.2", PAID_AT + 1200, show=("queues",)),
    Step("l1.naive.3", END_MS, show=("coupons",)),
)

LESSON = Lesson(
    number=1,
    slug="upstream-retry",
    title="l1.title",
    setting="l1.setting",
    runs=(
        Run("naive", "l1.run.naive", "l1.explain.naive", SLOW, _setup, NAIVE_STEPS, "l1.moral.naive"),
        Run(
            "dedupe_msg_id",
            "l1.run.msgid",
            "l1.explain.msgid",
            {**SLOW, "coupon_design": "msgid_table"},
            _setup,
            (Step("l1.msgid.1", END_MS, show=("coupons",)),),
            "l1.moral.msgid",
        ),
        Run(
            "query_then_insert",
            "l1.run.qti",
            "l1.explain.qti",
            {**SLOW, "coupon_design": "query_then_insert"},
            _setup,
            (Step("l1.qti.1", END_MS, show=("coupons",)),),
            "l1.moral.qti",
        ),
        Run(
            "unique_key",
            "l1.run.unique",
            "l1.explain.unique",
            {**SLOW, "coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            (Step("l1.unique.1", END_MS, show=("coupons",)),),
            "l1.moral.unique",
        ),
        Run(
            "conditional_update+unique_key",
            "l1.run.right",
            "l1.explain.right",
            {**SLOW, "coupon_design": "unique_key", "idempotent_callback": True, "idempotent_red_packet": True},
            _setup,
            (Step("l1.right.1", PAID_AT + 1200), Step("l1.right.2", END_MS, show=("queues", "coupons"))),
            "l1.moral.right",
        ),
    ),
    diagnosis="l1.diagnosis",
    limits="l1.limits",
    opening="l1.opening",
    paths=(),  # path A, an upstream retry, is not RocketMQ's: it happens before the broker
    minutes=15,
)
