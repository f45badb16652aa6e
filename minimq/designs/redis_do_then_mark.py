"""F4, do then mark: skip if Redis has a flag; issue the coupon and commit; then set the
flag with a TTL (72 h).

Wrong. The check ("is the flag there?") and the write of the flag are two commands with
the coupon transaction between them, so:
- two copies that overlap (an upstream retry or a lost reply whose copies land on two
  queues, a rebalance, a consume timeout) both find no flag and both issue a coupon;
- a crash after the commit and before the SET leaves a coupon with no flag, and the
  redelivery issues a second one;
- the flag expires: a duplicate that arrives after the TTL (the WeChat Pay callback window
  is 24 h 4 min, broker retention 3 days) is issued again.
The flag lives outside the coupon database, so no TTL and no ordering of the two writes
makes it exact.
"""

import json
import sqlite3

from minimq import ConsumeStatus

TTL_S = 72 * 3600


async def handle(msg, db):
    data = json.loads(msg.body)
    order = data["order"]
    if await db.redis.exists(f"coupon:{order}"):
        return ConsumeStatus.SUCCESS
    try:
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, data["user"], 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER
    await db.redis.set(f"coupon:{order}", "1", ex=TTL_S)
    return ConsumeStatus.SUCCESS
