"""Lesson 9, path P11: an orderly consumer retries a message whose effect is done, and the
queue waits behind it.

Both groups start at 0 s and take their queues at their first rebalance, 1 s later; the
coupon system consumes in order, so it first locks each queue on the broker
(``LOCK_BATCH_MQ``), and pulls only queues it holds. It consumes one message at a time
(``consumeMessageBatchMaxSize`` = 1), and the order system sends each order to the queue
its id hashes to. order-1001, order-1005 and order-1009 share queue 3. The coupon for
order-1001 is committed, then the SMS gateway refuses the order's phone number and the
handler throws: ``SUSPEND_CURRENT_QUEUE_A_MOMENT``. The message is put back and consumed
again after ``suspendCurrentQueueTimeMillis`` (1000 ms), for ever by default
(``maxReconsumeTimes`` = ``Integer.MAX_VALUE``): every attempt issues another coupon,
and order-1005 and order-1009 wait. Bounding the retries (``maxReconsumeTimes`` = 3)
frees the queue after 4 attempts and 4 coupons, and dead-letters a message whose coupon
was issued. The UNIQUE key acknowledges the second attempt: one coupon, and the queue
moves on.
"""

from __future__ import annotations

from dataclasses import replace

from minimq.apps.coupons import STORY_TIMING
from minimq.apps.shop import Shop
from minimq.lessons.base import Lesson, Run, Step, pay_at, start_both

ORDER = "order-1001"
# Both groups start at 0 s and take their queues at their first rebalance, 1 s later; the
# orderly coupon consumer locks each one on the broker first (1.003 to 1.015 s for order-paid)
# and pulls it from 1.5 s. All three payments come well after that, and hash to queue 3.
PAID = (("order-1001", 5000), ("order-1005", 6000), ("order-1009", 7000))
LAST_PAID_MS = PAID[-1][1]
TIMING = replace(STORY_TIMING, notify_fails=(ORDER,))  # the SMS gateway rejects order-1001's phone number
ORDERLY = {"coupon_consumer": {"orderly": True}, "timing": TIMING}
# The locks taken at 1.0 s are first renewed at 21 s (the renewal at 1 s came before the
# rebalance had locked anything): at 20 s they are 19 s old, young enough for the client
# (30 s) and the broker (60 s).
END_MS = 20_000


def _setup(shop: Shop) -> None:
    start_both(shop)
    for order, at_ms in PAID:
        pay_at(order, at_ms)(shop)


LESSON = Lesson(
    number=9,
    slug="orderly",
    title="l9.title",
    setting="l9.setting",
    runs=(
        Run(
            "naive",
            "l9.run.naive",
            "l9.explain.naive",
            ORDERLY,
            _setup,
            (
                Step("l9.naive.1", LAST_PAID_MS + 200, show=("queues", "coupons")),
                Step("l9.naive.2", END_MS, show=("queues", "coupons")),
            ),
            "l9.moral.naive",
        ),
        Run(
            "naive/max_reconsume_times_3",
            "l9.run.bounded",
            "l9.explain.bounded",
            {"coupon_consumer": {"orderly": True, "max_reconsume_times": 3}, "timing": TIMING},
            _setup,
            (Step("l9.bounded.1", END_MS, show=("queues", "retries", "coupons")),),
            "l9.moral.bounded",
        ),
        Run(
            "unique_key",
            "l9.run.right",
            "l9.explain.right",
            {**ORDERLY, "coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            (Step("l9.right.1", END_MS, show=("queues", "coupons")),),
            "l9.moral.right",
        ),
    ),
    diagnosis="l9.diagnosis",
    limits="l9.limits",
    paths=("P11",),
    minutes=8,
)
