"""F4, do then mark, with a 1 h TTL: skip if Redis has a flag; issue the coupon and commit;
then set the flag for an hour (``SET coupon:<order> 1 EX 3600``), a common default of
dedupe annotations (couponking's ``@NoMQDuplicateConsume`` keeps its key 1 h).

Wrong. Everything that breaks ``redis_do_then_mark.py`` breaks it (overlapping copies
both find no flag; a crash between the commit and the SET leaves no flag), and the hour is
shorter than the windows in which a duplicate comes back: the retry ladder (4 h 46 min),
an operator's reset by time (as far back as the broker keeps messages, 3 days), a
payment platform's callbacks (24 h). Lesson 15 (offset-reset) replays over an hour of orders:
the ones older than an hour have lost their flag and get a second coupon.
"""

import json
import sqlite3

from minimq import ConsumeStatus

TTL_S = 3600


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
