"""Exercise 5, the late redelivery: a dedupe record that forgets too soon.

This coupon consumer is right on every path that brings a duplicate within minutes: the
order id goes into a ``processed`` table in the coupon's own transaction, its primary
key refuses a second copy, and the conflict is acknowledged. But the table grew by a
million rows a day, so the team purges it as it goes: a record older than an hour is
deleted (an hour is the default of a popular dedupe library, and "RocketMQ retries
within seconds"). Weeks later, a user got a second coupon for an order paid the day
before. Fix it, then grade it:

    minimq check lessons/exercises/05_late_redelivery/coupon_ttl.py --paths late-redelivery

The instructions and hints are in README.md next to this file; the contract (``msg``,
``db``, ``setup``) in ../README.md.
"""

import json
import sqlite3

from minimq import ConsumeStatus

KEEP_MS = 60 * 60_000  # TODO: how long must a dedupe record live? What sets that number?


def setup(db):
    """Runs once, before any consumer starts, on a plain sqlite3.Connection."""
    db.execute("CREATE TABLE IF NOT EXISTS processed (order_id TEXT PRIMARY KEY, done_ms INTEGER NOT NULL)")


async def handle(msg, db):
    data = json.loads(msg.body)  # {"order": "order-1", "user": "user-order-1"}
    order, user = data["order"], data["user"]
    try:
        # Keep the table small: forget the orders done more than KEEP_MS ago.
        await db.execute("DELETE FROM processed WHERE done_ms < ?", (db.now_ms - KEEP_MS,))
        # TODO: which duplicates can arrive after the record is gone?
        await db.execute("INSERT INTO processed (order_id, done_ms) VALUES (?, ?)", (order, db.now_ms))
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, user, 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
        return ConsumeStatus.SUCCESS  # this order was processed: acknowledge the duplicate
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # nothing committed: let the broker retry
    return ConsumeStatus.SUCCESS
