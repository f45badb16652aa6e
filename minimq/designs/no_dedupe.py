"""F0, no dedupe: insert a coupon for every message that arrives.

Wrong. RocketMQ delivers at least once, so every duplication path (an upstream retry,
a lost send reply, a crash or restart before the offset is persisted, a rebalance, a
RECONSUME_LATER after the insert, a consume timeout) hands this consumer a second copy,
and each copy issues another coupon. The simplest break: the payment system calls the
order system back twice, so two "order paid" messages arrive for one order (upstream
retry) and the order gets two coupons.
"""

import json

from minimq import ConsumeStatus


async def handle(msg, db):
    data = json.loads(msg.body)
    await db.execute(
        "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
        (data["order"], data["user"], 10, msg.msg_id, db.now_ms),
    )
    await db.commit()
    return ConsumeStatus.SUCCESS
