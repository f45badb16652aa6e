"""Exercise 3, survive the scale-out: a consumer that is right in one process, and only there.

This coupon consumer served the shop for a year as one process. Its author knew that
RocketMQ runs a listener on up to 20 consume threads, so two copies of one payment can
be handled at once; a lock per order makes the check and the insert one step, and no
test, review or load test ever found a duplicate. Then, before a sale, the team scaled
the coupon system out to a second instance, and the coupons doubled during the deploy.
Fix it, then grade it:

    minimq check lessons/exercises/03_scale_out/coupon_scale_out.py --paths rebalance,crash

The instructions and hints are in README.md next to this file; the contract (``msg``,
``db``, ``setup``) in ../README.md.
"""

import asyncio
import json
import sqlite3  # noqa: F401  (you will probably want its exceptions)
from collections import defaultdict

from minimq import ConsumeStatus

# One lock per order id, so that two consume threads never check and insert the same order
# at the same time. TODO: which threads does it hold back, and which can it never see?
LOCKS = defaultdict(asyncio.Lock)


def setup(db):
    """Runs once, before any consumer starts, on a plain sqlite3.Connection.

    TODO: create any table or index your design needs (the coupons table already exists).
    """


async def marketing_amount(order):
    """Ask the marketing service what this order's coupon is worth: 3 s during a sale."""
    await asyncio.sleep(3)
    return 10


async def handle(msg, db):
    data = json.loads(msg.body)  # {"order": "order-1", "user": "user-order-1"}
    order, user = data["order"], data["user"]
    async with LOCKS[order]:
        # TODO: is "no coupon yet" still true when the INSERT commits? Who else could be
        #       between these two statements?
        found = await db.execute("SELECT id FROM coupons WHERE order_id = ?", (order,))
        if found.rows:
            return ConsumeStatus.SUCCESS  # a duplicate is acknowledged, never retried
        amount = await marketing_amount(order)
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, user, amount, msg.msg_id, db.now_ms),
        )
        await db.commit()
    return ConsumeStatus.SUCCESS
