"""Exercise: make the coupon consumer give every paid order exactly one coupon.

This starter is the consumer as it was first written: it inserts a coupon for every
"order paid" message it receives. RocketMQ delivers at least once, so it hands out
duplicates. Fix it, then grade it:

    minimq check lessons/exercises/coupon_consumer.py

The instructions, the contract and some hints are in README.md next to this file.
"""

import json
import sqlite3  # noqa: F401  (you will probably want its exceptions)

from minimq import ConsumeStatus


def setup(db):
    """Runs once, before any consumer starts, on a plain sqlite3.Connection.

    TODO: create any table or index your design needs (the coupons table already exists).
    """


async def handle(msg, db):
    data = json.loads(msg.body)  # {"order": "order-1", "user": "user-order-1"}
    order, user = data["order"], data["user"]

    # TODO: this message may be the second (or third) copy of one payment. How would you
    #       know, and what must happen to the copy that is not the first?
    # TODO: copies can be handled at the same time by two threads or two consumers.
    # TODO: the process can die, or a statement can fail, between any two lines here.
    await db.execute(
        "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
        (order, user, 10, msg.msg_id, db.now_ms),
    )
    await db.commit()
    return ConsumeStatus.SUCCESS
