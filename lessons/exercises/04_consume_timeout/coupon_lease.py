"""Exercise 4, the consume timeout: a careful distributed lock that still lets two copies in.

This coupon consumer learned from exercise 3 that a lock in one process does not hold
back another process, so it takes a lock in Redis, shared by every instance: ``SET NX``
with a lease (so that a crashed holder cannot block the order for ever), a token (so
that it only ever releases its own lock), then the query-then-insert under the lock.
Its lease is 5 minutes, thousands of times longer than the handler has ever taken. Then
one handler hung for half an hour on a database lock, and the order got two coupons.
Fix it, then grade it:

    minimq check lessons/exercises/04_consume_timeout/coupon_lease.py --paths consume-timeout

The instructions and hints are in README.md next to this file; the contract (``msg``,
``db``, ``setup``) in ../README.md.
"""

import asyncio
import json
import sqlite3  # noqa: F401  (you will probably want its exceptions)

from minimq import ConsumeStatus

LEASE_MS = 5 * 60_000  # the handler takes 40 ms at p99: 5 minutes is more than enough?


def setup(db):
    """Runs once, before any consumer starts, on a plain sqlite3.Connection.

    TODO: create any table or index your design needs (the coupons table already exists).
    """


async def handle(msg, db):
    data = json.loads(msg.body)  # {"order": "order-1", "user": "user-order-1"}
    order, user = data["order"], data["user"]
    lock = f"lock:coupon:{order}"

    # Take the order's lock, shared by every consumer process; wait while another holds it.
    while not await db.redis.set(lock, msg.msg_id, nx=True, px=LEASE_MS):
        await asyncio.sleep(0.1)
    try:
        # TODO: the lock is only yours for LEASE_MS. What if this handler is paused longer
        #       than that, here or on the next statement, and RocketMQ delivers the message
        #       again meanwhile?
        found = await db.execute("SELECT id FROM coupons WHERE order_id = ?", (order,))
        if found.rows:
            return ConsumeStatus.SUCCESS  # a duplicate is acknowledged, never retried
        await db.execute(
            "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
            (order, user, 10, msg.msg_id, db.now_ms),
        )
        await db.commit()
    finally:
        if await db.redis.get(lock) == msg.msg_id:  # release only our own lock
            await db.redis.delete(lock)
    return ConsumeStatus.SUCCESS
