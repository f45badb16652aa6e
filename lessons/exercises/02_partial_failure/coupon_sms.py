"""Exercise 2, a partial failure: one coupon AND one SMS per paid order.

The product team wants the user told: after the coupon, an SMS ("you got a coupon").
The SMS service sends one text per row of the table ``sms_outbox``, so this consumer
writes that row after it has issued the coupon. It was written as two steps, each in
its own transaction, so that a slow SMS could never hold up a coupon. When the second
step fails (the database connection drops, the process dies), RocketMQ delivers the
message again, and the first step runs again too. Fix it, then grade it:

    minimq check lessons/exercises/02_partial_failure/coupon_sms.py --paths reconsume-later,crash

The instructions and hints are in README.md next to this file; the contract (``msg``,
``db``, ``setup``) in ../README.md.
"""

import json
import sqlite3  # noqa: F401  (you will probably want its exceptions)

from minimq import ConsumeStatus

# This consumer also texts the user: minimq check counts the rows of sms_outbox as it
# counts coupons (every paid order: exactly one of each). Keep this line.
SENDS_SMS = True


def setup(db):
    """Runs once, before any consumer starts, on a plain sqlite3.Connection.

    TODO: create the indexes your design needs (coupons and sms_outbox already exist).
    """


async def handle(msg, db):
    data = json.loads(msg.body)  # {"order": "order-1", "user": "user-order-1"}
    order, user = data["order"], data["user"]

    # Step 1: the coupon, in its own transaction.
    # TODO: this message may be a retry of a delivery that already got this far.
    await db.execute(
        "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
        (order, user, 10, msg.msg_id, db.now_ms),
    )
    await db.commit()

    # Step 2: the SMS, a row in the outbox that the SMS service sends.
    # TODO: if this step fails, RocketMQ retries the whole message. What must the retry do,
    #       and what must it not do again?
    await db.execute(
        "INSERT INTO sms_outbox (order_id, user_id, text, created_ms) VALUES (?, ?, ?, ?)",
        (order, user, f"You got a coupon for {order}.", db.now_ms),
    )
    await db.commit()
    # TODO: a copy you recognise as a duplicate: which status does it get?
    return ConsumeStatus.SUCCESS
