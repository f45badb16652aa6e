"""A reference answer to lessons/exercises/04_consume_timeout: the database decides who issues
the coupon, so no lease, however long or short, matters.

A lock with a lease is only a lock while its holder runs faster than the lease: a
handler held past the 15 min consume timeout (a database lock, a GC pause, a slow
downstream) is sent back by RocketMQ and delivered again while it still runs, and by
then its lease has run out. Here the decision is a conditional state transition in the
coupon's own transaction: one row per order in ``grants``, moved from PENDING to ISSUED
by an UPDATE whose rowcount says who issues the coupon. Two copies that overlap are
serialised by the database's write lock (the second waits, or fails with "database is
locked" and is retried later), and whichever comes second finds ISSUED and is
acknowledged. The Redis lock is gone: it could stay in front as an optimisation, but it
decides nothing.
"""

import json
import sqlite3

from minimq import ConsumeStatus


def setup(db):
    db.execute("CREATE TABLE IF NOT EXISTS grants (order_id TEXT PRIMARY KEY, state TEXT NOT NULL)")


async def handle(msg, db):
    data = json.loads(msg.body)
    order, user = data["order"], data["user"]
    try:
        await db.execute("INSERT OR IGNORE INTO grants (order_id, state) VALUES (?, 'PENDING')", (order,))
        moved = await db.execute(
            "UPDATE grants SET state = 'ISSUED' WHERE order_id = ? AND state = 'PENDING'", (order,)
        )
        if moved.rowcount != 1:
            await db.rollback()
            return ConsumeStatus.SUCCESS  # already ISSUED: acknowledge the duplicate
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, user, 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # nothing committed: let the broker retry
    return ConsumeStatus.SUCCESS
