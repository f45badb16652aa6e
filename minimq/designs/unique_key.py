"""F7, a UNIQUE index on coupons(order_id), the coupon inserted in one transaction.

Right. The "already issued" fact is the coupon row itself, keyed by the business key and
arbitrated by the database, so it closes every duplication path:
- any copy, whatever its msg id (upstream retry, lost reply with a same or new Message),
  finds the row and its insert fails;
- two copies that overlap (rebalance, consume timeout, copies on two queues) race on
  the index: the second insert waits for the first transaction and then fails;
- a crash or a failed statement before the commit rolls everything back, so the
  redelivery starts from nothing; after the commit the row is there.
A key conflict is acknowledged with SUCCESS, never RECONSUME_LATER (that would retry a
message that can never succeed, up to 16 times and into the dead-letter queue). A
transient database error commits nothing and returns RECONSUME_LATER.
"""

import json
import sqlite3

from minimq import ConsumeStatus


def setup(db):
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS coupons_order_unique ON coupons (order_id)")


async def handle(msg, db):
    data = json.loads(msg.body)
    try:
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (data["order"], data["user"], 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
        return ConsumeStatus.SUCCESS  # this order has its coupon: the duplicate is acknowledged
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # nothing committed: let the broker retry
    return ConsumeStatus.SUCCESS
