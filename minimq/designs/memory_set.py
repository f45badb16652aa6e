"""F1, an in-memory set: remember the order ids this process has already served.

Wrong. The set lives in the consumer process (here: at module level; minimq executes the
module afresh each time the coupon system starts, as a real deploy does), so:
- a crash or restart wipes it, and the broker redelivers everything after the last
  persisted offset (path: crash), and the copy is issued again;
- another consumer in the group (c2 after a rebalance) has its own empty set;
- the check and the add are not atomic: two copies handled at the same time both miss
  the set (upstream retry or lost reply with the copies on two queues).
It only absorbs a duplicate that reaches the same live process after the first copy
finished.
"""

import json

from minimq import ConsumeStatus

SEEN = set()  # dies with the process


async def handle(msg, db):
    data = json.loads(msg.body)
    order = data["order"]
    if order in SEEN:
        return ConsumeStatus.SUCCESS  # a duplicate is acknowledged, never retried
    await db.execute(
        "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
        (order, data["user"], 10, msg.msg_id, db.now_ms),
    )
    await db.commit()
    SEEN.add(order)
    return ConsumeStatus.SUCCESS
