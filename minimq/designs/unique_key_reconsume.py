"""F7, a UNIQUE index on coupons(order_id), but a key conflict answered with RECONSUME_LATER.

Wrong: retried after its coupon was issued. The database recognises the duplicate (the
insert fails on the key) and the handler answers it like any other error, as the
catch-all of many Java listeners does (`catch (Exception e) { return RECONSUME_LATER; }`
catches the DuplicateKeyException too). No order gets two coupons, but a duplicate can
never succeed: RocketMQ retries it 16 times, 10 s, 30 s, 1 min, ... 2 h apart (4 h 45 min
40 s in all), then moves it to %DLQ%coupon-system, where an alarm goes off over a message
that was handled hours ago. Whatever the handler does after the coupon (the SMS of lesson
6) never runs again for that message. The fix is unique_key.py: a conflict is
acknowledged with SUCCESS.
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
    except sqlite3.Error:  # the key conflict as well: "something went wrong, try again later"
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER
    return ConsumeStatus.SUCCESS
