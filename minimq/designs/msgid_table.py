"""F6, a processed-message table keyed by msg id, written in the same transaction as the
coupon.

Wrong, but only just. The primary key arbitrates overlapping copies and the mark commits
or rolls back together with the coupon, so every redelivery of the SAME message (lost
reply with the same Message object, crash, restart, rebalance, RECONSUME_LATER, consume
timeout) is absorbed. But the key is the wrong identity: when the payment system calls
back twice, the order system sends a second, NEW message for the same order (path:
upstream retry), and a producer loop that builds a new Message after a lost reply does
the same (path: lost-reply with a new message). A new Message carries a new msg id, the
insert succeeds, and the order gets a second coupon. Dedupe on the business key (the
order id), not on msg id.
"""

import json
import sqlite3

from minimq import ConsumeStatus


def setup(db):
    db.execute("CREATE TABLE IF NOT EXISTS processed_msgs (msg_id TEXT PRIMARY KEY)")


async def handle(msg, db):
    data = json.loads(msg.body)
    try:
        await db.execute("INSERT INTO processed_msgs (msg_id) VALUES (?)", (msg.msg_id,))
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (data["order"], data["user"], 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
        return ConsumeStatus.SUCCESS  # this msg id was processed: acknowledge it
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # nothing committed: let the broker retry
    return ConsumeStatus.SUCCESS
