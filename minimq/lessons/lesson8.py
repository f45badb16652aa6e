"""Lesson 8, path P9: the send-back fails, and a lost send-back reply makes two retry copies.

Both groups start at 0 s and own their queues from their first rebalance, at 1 s. The user
pays at 5 s; order-1001 is delivered at 5.006 s, as the broker becomes unreachable. The
coupon handler fails (the marketing service answers 503 until 13 s) and throws, which
RocketMQ reads as RECONSUME_LATER. The first time, at 5.008 s, the broker is unreachable
(5.006 to 7.006 s): ``CONSUMER_SEND_MSG_BACK`` fails, so does the fallback (the message
sent to ``%RETRY%coupon-system`` as a normal message), and the client consumes it again
itself 5 s later. That attempt fails too, at 10.010 s; this time the broker takes the
message back (retry 1, due in 10 s) but its reply is lost: after 5000 ms the client falls
back and sends its own copy (retry 2, level 4: due in 30 s). Both copies are
delivered, the marketing service is back, and the naive design issues two coupons. A
Redis claim taken before the work (mark first) loses the coupon instead: the failed
attempt left its claim and every retry is skipped. The UNIQUE key issues one.
"""

from __future__ import annotations

from dataclasses import replace

from minimq.apps.coupons import STORY_TIMING
from minimq.apps.incident import COUPON_GROUP
from minimq.apps.shop import Shop
from minimq.core.consume_result import SEND_BACK_FAILED_RETRY_MS
from minimq.lessons.base import Lesson, Run, Step, pay_at, start_both
from minimq.runtime.consumer_session import SEND_BACK_TIMEOUT_MS

ORDER = "order-1001"
# Both groups start at 0 s, take their queues at their first rebalance (1 s) and pull from
# 1.5 s: the payment comes well after that, and the broker answers their held pulls at once.
PAY_MS = 5000
# The callback's UPDATE commits at +4 ms and the order system sends; the broker stores the
# message at +5 ms and answers both groups' held pulls at +6 ms.
DELIVERED_MS = PAY_MS + 6
# The broker becomes unreachable as the message is delivered (the pull's answer is already
# out), before the handler fails (+2 ms): the send-back and its fallback both fail.
OUTAGE_MS, OUTAGE_FOR_MS = DELIVERED_MS, 2000  # 5.006 s to 7.006 s
# The failure, then the local retry SEND_BACK_FAILED_RETRY_MS later (10.008 s), whose
# send-back is taken but whose reply is lost: the fallback comes SEND_BACK_TIMEOUT_MS after
# that (15.011 s). Step 2 ends a second later.
FALLBACK_BY_MS = PAY_MS + SEND_BACK_FAILED_RETRY_MS + SEND_BACK_TIMEOUT_MS + 1000  # 16 s
# 503 for every lookup before 13 s: the local retry fails too, retry 1 (20.011 s) does not.
TIMING = replace(STORY_TIMING, marketing_down=((0, 13_000),))
END_MS = 50_000  # retry 2 (level 4, 30 s) is due at 45.011 s


def _setup(shop: Shop) -> None:
    start_both(shop)
    faults = shop.world.faults
    faults.broker_outage(OUTAGE_MS, OUTAGE_FOR_MS)
    faults.lose_send_back_reply(group=COUPON_GROUP, key=ORDER)
    pay_at(ORDER, PAY_MS)(shop)


LESSON = Lesson(
    number=8,
    slug="send-back-fails",
    title="l8.title",
    setting="l8.setting",
    runs=(
        Run(
            "naive",
            "l8.run.naive",
            "l8.explain.naive",
            {"timing": TIMING},
            _setup,
            (
                Step("l8.naive.1", PAY_MS + 1000, show=("queues",)),
                Step("l8.naive.2", FALLBACK_BY_MS, show=("queues", "retries")),
                Step("l8.naive.3", END_MS, show=("retries", "coupons")),
            ),
            "l8.moral.naive",
        ),
        Run(
            "mark_first",
            "l8.run.mark",
            "l8.explain.mark",
            {"timing": TIMING, "coupon_design": "mark_first"},
            _setup,
            (Step("l8.mark.1", END_MS, show=("retries", "coupons")),),
            "l8.moral.mark",
        ),
        Run(
            "unique_key",
            "l8.run.right",
            "l8.explain.right",
            {"timing": TIMING, "coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            (Step("l8.right.1", END_MS, show=("retries", "coupons")),),
            "l8.moral.right",
        ),
    ),
    diagnosis="l8.diagnosis",
    limits="l8.limits",
    paths=("P9",),
    minutes=8,
)
