"""Lesson 7, path P10: the consume-timeout scan sends back a message whose handler still runs.

A push consumer schedules ``cleanExpireMsg`` at a fixed rate of ``consumeTimeout`` (15 min),
the first time 15 min after it starts: the coupon system starts at 3 s, so its scans run at
15:03, 30:03, 45:03, ... ``start()`` schedules the scan before the first heartbeat, so the
first rebalance (4.01 s) and the first pull (4.51 s) do not move it. Each scan looks at the
head message of every process queue and, if its listener started more than 15 min ago,
sends it back with delay level 3 (10 s) and removes it from the process queue; the
listener is not stopped.

The coupon-expiry batch job takes alice's wallet lock at 11:00 and hangs until 32:00. The
user pays for order-1001 at 12:00; the coupon handler starts at once and, before it
inserts, waits for that lock. At the 15:03 scan it has run 3 min: young enough. At the
30:03 scan it has run 18 min: sent back, redelivered from ``%RETRY%coupon-system`` at about
30:13, and the retry waits for the same lock. At 32:00 both go on: two coupons with no
dedupe and with query-then-insert (both SELECTs found nothing), one with the UNIQUE key
(the retry's INSERT hits the key and is acknowledged with CONSUME_SUCCESS).
"""

from __future__ import annotations

from minimq.apps.shop import Shop
from minimq.apps.wallet_lock import WalletLock
from minimq.lessons.base import Lesson, Run, Step, pay_at

ORDER = "order-1001"
MIN = 60_000
COUPON_START_MS = 3000
PAY_MS = 12 * MIN
LOCK = WalletLock(user="alice", from_ms=11 * MIN, until_ms=32 * MIN)
FIRST_SCAN_MS = COUPON_START_MS + 15 * MIN  # 15:03
SECOND_SCAN_MS = COUPON_START_MS + 30 * MIN  # 30:03
END_MS = 33 * MIN


def _setup(shop: Shop) -> None:
    """The red-packet system runs from 0 s, the coupon system from 3 s; order-1001 is paid at 12:00."""
    shop.red_packet.start()
    shop.world.call_later_ms(COUPON_START_MS, shop.start_coupon)
    pay_at(ORDER, PAY_MS)(shop)


SHOP = {"wallet_lock": LOCK}
SCENE = Step("l7.scene", PAY_MS - 1)  # the consumers start, the batch job takes the lock

LESSON = Lesson(
    number=7,
    slug="consume-timeout",
    title="l7.title",
    setting="l7.setting",
    runs=(
        Run(
            "naive",
            "l7.run.naive",
            "l7.explain.naive",
            SHOP,
            _setup,
            (
                SCENE,
                Step("l7.naive.1", PAY_MS + 10_000, show=("queues",)),
                Step("l7.naive.2", FIRST_SCAN_MS + 1000, show=("queues",)),
                Step("l7.naive.3", SECOND_SCAN_MS + 20_000, show=("queues",)),
                Step("l7.naive.4", END_MS, show=("queues", "coupons")),
            ),
            "l7.moral.naive",
        ),
        Run(
            "query_then_insert",
            "l7.run.qti",
            "l7.explain.qti",
            {**SHOP, "coupon_design": "query_then_insert"},
            _setup,
            (
                SCENE,
                Step("l7.qti.1", SECOND_SCAN_MS + 20_000),
                Step("l7.qti.2", END_MS, show=("coupons",)),
            ),
            "l7.moral.qti",
        ),
        Run(
            "unique_key",
            "l7.run.right",
            "l7.explain.right",
            {**SHOP, "coupon_design": "unique_key", "idempotent_red_packet": True},
            _setup,
            (
                SCENE,
                Step("l7.right.1", END_MS, show=("queues", "coupons")),
            ),
            "l7.moral.right",
        ),
    ),
    diagnosis="l7.diagnosis",
    limits="l7.limits",
    paths=("P10",),
    minutes=12,
)
