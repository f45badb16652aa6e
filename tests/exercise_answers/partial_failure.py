"""A reference answer to lessons/exercises/02_partial_failure: the coupon and its SMS in one
transaction, each under a UNIQUE key on the order id, a duplicate acknowledged.

The SMS row is an outbox row: writing it in the coupon's transaction makes the two
effects commit together or not at all, so a failure between them leaves nothing behind
and the retry starts over. The UNIQUE keys make each effect refuse a second row of its
own; a key conflict means this order is done (both rows committed together), so the
duplicate is acknowledged with SUCCESS. A transient database error commits nothing and
returns RECONSUME_LATER. (Two transactions would do as well if each step were
idempotent on its own and a conflict on the coupon went on to the SMS step.)
"""

import json
import sqlite3

from minimq import ConsumeStatus

SENDS_SMS = True


def setup(db):
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS coupons_order_unique ON coupons (order_id)")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS sms_outbox_order_unique ON sms_outbox (order_id)")


async def handle(msg, db):
    data = json.loads(msg.body)
    order, user = data["order"], data["user"]
    try:
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, user, 10, msg.msg_id, db.now_ms),
        )
        await db.execute(
            "INSERT INTO sms_outbox (order_id, user_id, text, created_ms) VALUES (?, ?, ?, ?)",
            (order, user, f"You got a coupon for {order}.", db.now_ms),
        )
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
        return ConsumeStatus.SUCCESS  # the coupon and its SMS are committed: acknowledge
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER  # nothing committed: let the broker retry
    return ConsumeStatus.SUCCESS
