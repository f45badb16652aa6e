"""F3, mark first: claim the order in Redis with SET NX, then issue the coupon.

Wrong, the other way round: it never issues two coupons, it can issue none. The claim
is atomic, so overlapping copies are serialised and later copies are skipped. But the
claim is written before the coupon and never released: if the consumer crashes after
the SET and before the commit (path: crash), or a database statement fails after it
(path: reconsume-later; the design returns RECONSUME_LATER and the broker retries), every
redelivery finds the mark, acknowledges the message and moves on. The coupon is LOST.
Releasing the claim on failure (F5) narrows the hole but does not close it; putting the
claim and the coupon into one database transaction (F7, F9) does.
"""

import json
import sqlite3

from minimq import ConsumeStatus


async def handle(msg, db):
    data = json.loads(msg.body)
    order = data["order"]
    if not await db.redis.set(f"coupon:{order}", "1", nx=True):
        return ConsumeStatus.SUCCESS  # somebody claimed it: assume the coupon was issued
    try:
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, data["user"], 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # ...but the claim stays, so the retry skips
    return ConsumeStatus.SUCCESS
