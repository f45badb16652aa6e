"""A reference answer to lessons/exercises/03_scale_out: the database decides, not a lock.

The per-order lock lived in one process: it held back the other consume threads of that
process and never saw a second instance (c2 after a scale-out, or c1 restarted while its
old handler's queue moved). Here the UNIQUE index on coupons(order_id) arbitrates every
copy, in any process: the second INSERT waits for the first transaction and then fails,
and the conflict is acknowledged with SUCCESS. The SELECT stays, as an optimisation only:
it spares the slow marketing call for a copy that comes after the coupon was committed,
and it decides nothing.
"""

import asyncio
import json
import sqlite3

from minimq import ConsumeStatus


def setup(db):
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS coupons_order_unique ON coupons (order_id)")


async def marketing_amount(order):
    """Ask the marketing service what this order's coupon is worth: 3 s during a sale."""
    await asyncio.sleep(3)
    return 10


async def handle(msg, db):
    data = json.loads(msg.body)
    order, user = data["order"], data["user"]
    try:
        found = await db.execute("SELECT id FROM coupons WHERE order_id = ?", (order,))
        if found.rows:
            return ConsumeStatus.SUCCESS  # already issued: skip the marketing call
        amount = await marketing_amount(order)
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, user, amount, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
        return ConsumeStatus.SUCCESS  # another copy, in any process, issued it first
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # nothing committed: let the broker retry
    return ConsumeStatus.SUCCESS
