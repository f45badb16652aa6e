"""A reference answer to lessons/exercises/05_late_redelivery: a dedupe record that outlives
every way a duplicate can come.

The record must live at least as long as a duplicate can arrive, and that is set by the
slowest path, not by how fast the consumer is: the payment platform retries its callback
for about 24 h, the broker's retry ladder takes 4 h 46 min, a consumer group can be down
for a day, and an operator can reset a group's offsets to anything the broker still
keeps (3 days by default on many clusters). So the purge keeps a week, which covers the
retention with room to spare; it could as well run as a nightly job. (A UNIQUE index on
coupons(order_id) would need no purge at all: the coupon itself is the record, and it
lives as long as the coupon.)
"""

import json
import sqlite3

from minimq import ConsumeStatus

KEEP_MS = 7 * 24 * 3_600_000  # longer than the broker keeps a message: 3 days, and a margin


def setup(db):
    db.execute("CREATE TABLE IF NOT EXISTS processed (order_id TEXT PRIMARY KEY, done_ms INTEGER NOT NULL)")


async def handle(msg, db):
    data = json.loads(msg.body)
    order, user = data["order"], data["user"]
    try:
        await db.execute("DELETE FROM processed WHERE done_ms < ?", (db.now_ms - KEEP_MS,))
        await db.execute("INSERT INTO processed (order_id, done_ms) VALUES (?, ?)", (order, db.now_ms))
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, user, 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
        return ConsumeStatus.SUCCESS  # this order was processed: acknowledge the duplicate
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # nothing committed: let the broker retry
    return ConsumeStatus.SUCCESS
