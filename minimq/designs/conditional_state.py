"""F9, a conditional state transition: one row per order in ``grants``, moved from
PENDING to ISSUED by an UPDATE whose rowcount decides who issues the coupon.

Right. In ONE transaction: ``INSERT OR IGNORE`` a PENDING row for the order, then
``UPDATE grants SET state='ISSUED' WHERE order_id=? AND state='PENDING'``; only the copy
whose UPDATE changed a row (rowcount 1) inserts the coupon, then commits. The state row
is keyed by the business key (so an upstream retry or a new Message with a new msg id
is caught), it is written in the coupon's transaction (so a crash or a failed statement
rolls both back and the redelivery starts over, and a commit makes both visible), and
the database's write lock arbitrates overlapping copies (rebalance, consume timeout,
copies on two queues): the second one waits, then sees ISSUED and changes nothing.
A PENDING state is never committed on its own, so nothing can get stuck in it. A copy
that finds ISSUED is acknowledged with SUCCESS.
"""

import json
import sqlite3

from minimq import ConsumeStatus


def setup(db):
    db.execute("CREATE TABLE IF NOT EXISTS grants (order_id TEXT PRIMARY KEY, state TEXT NOT NULL)")


async def handle(msg, db):
    data = json.loads(msg.body)
    order = data["order"]
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
            (order, data["user"], 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # nothing committed: let the broker retry
    return ConsumeStatus.SUCCESS
