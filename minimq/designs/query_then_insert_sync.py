"""F2 with a plain ``def handle``: look for a coupon first, insert if there is none.

Wrong, exactly like query_then_insert.py: two copies that overlap both find nothing and
both insert. A synchronous handler races too: RocketMQ runs up to 20 consume threads, so
two copies can be between their SELECT and their INSERT at the same time. minimq runs a
plain ``def`` handler with a switch point at every statement, commit and Redis command,
so this race is found as fast as in the ``async def`` version.
"""

import json

from minimq import ConsumeStatus


def handle(msg, db):
    data = json.loads(msg.body)
    found = db.execute("SELECT id FROM coupons WHERE order_id = ?", (data["order"],))
    if found.rows:
        return ConsumeStatus.SUCCESS
    db.execute(
        "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
        (data["order"], data["user"], 10, msg.msg_id, db.now_ms),
    )
    db.commit()
    return ConsumeStatus.SUCCESS
