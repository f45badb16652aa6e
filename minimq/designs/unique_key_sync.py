"""F7 with a plain ``def handle``: the UNIQUE index on coupons(order_id), synchronously.

Right, for the same reasons as unique_key.py: the coupon row is its own dedupe record,
keyed by the order id and arbitrated by the database inside the coupon's transaction,
so every duplication path ends at a key conflict that is acknowledged with SUCCESS.
It shows that a synchronous handler works: ``db.execute``, ``db.commit``,
``db.rollback`` and ``db.redis`` are called without ``await``. It is tested as hard as the
``async def`` version: each of its statements is a switch point where another consume
thread runs.
"""

import json
import sqlite3

from minimq import ConsumeStatus


def setup(db):
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS coupons_order_unique ON coupons (order_id)")


def handle(msg, db):
    data = json.loads(msg.body)
    try:
        db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (data["order"], data["user"], 10, msg.msg_id, db.now_ms),
        )
        db.commit()
    except sqlite3.IntegrityError:
        db.rollback()
        return ConsumeStatus.SUCCESS  # already issued: acknowledge the duplicate
    except sqlite3.OperationalError:
        db.rollback()
        return ConsumeStatus.RECONSUME_LATER
    return ConsumeStatus.SUCCESS
