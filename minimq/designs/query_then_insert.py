"""F2, query-then-insert: look for a coupon first, insert if there is none. No UNIQUE key.

Wrong: two copies that overlap both find nothing and both insert.
"""

import json

from minimq import ConsumeStatus


async def handle(msg, db):
    data = json.loads(msg.body)
    found = await db.execute("SELECT id FROM coupons WHERE order_id = ?", (data["order"],))
    if found.rows:
        return ConsumeStatus.SUCCESS
    await db.execute(
        "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
        (data["order"], data["user"], 10, msg.msg_id, db.now_ms),
    )
    await db.commit()
    return ConsumeStatus.SUCCESS
