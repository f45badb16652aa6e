"""Coupon consumer designs, from naive to idempotent: the fixes the lessons compare.

Owns: the fixed coupon schema and the built-in designs. A design is what an engineer
writes: ``async def handle(msg, db)`` returning a ``ConsumeStatus`` (``db`` is one
``minimq.apps.db.Session``), and optionally ``setup(db)`` that creates its own tables and
indexes. A design object is built afresh each time the coupon system (re)starts, so
whatever it keeps in memory dies with the process, like a real deploy.

Every design first looks up the coupon rule at the marketing service, which takes
``MARKETING_MS`` (1200 ms) in the lesson world: long enough for two copies of one
message to overlap. After committing a coupon it notifies the user (``NOTIFY_MS``,
300 ms) before it returns: a coupon can be in the database while its message is still
in flight.

The ladder (../shared/reference/idempotency.md, F0..F9):
- ``naive``: insert a coupon for every message (F0).
- ``memory_set``: remember processed order ids in a Python set (F1): forgets on restart.
- ``query_then_insert``: SELECT, and INSERT if nothing was found, with no UNIQUE key (F2):
  two overlapping copies both find nothing.
- ``dedupe_msg_id``: a processed-message table keyed by msg id, in the same transaction
  (F6): misses copies that carry a new msg id (upstream retry, a new Message object).
- ``unique_key``: a UNIQUE index on the order id, inserted in the same transaction as
  the coupon (F7); a violation means "already issued" and is acknowledged as success.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from minimq.apps.db import Database, Session
from minimq.model import ConsumeStatus, MessageExt

MARKETING_MS = 1200
NOTIFY_MS = 300

COUPON_SCHEMA = """
CREATE TABLE IF NOT EXISTS coupons (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    amount      INTEGER NOT NULL,
    msg_id      TEXT    NOT NULL,
    issued_ms   INTEGER NOT NULL
);
"""

Handler = Callable[[MessageExt, Session], Awaitable[object]]


def order_of(msg: MessageExt) -> tuple[str, str]:
    """(order id, user id) from an "order paid" message body."""
    data = json.loads(msg.body)
    return str(data["order"]), str(data["user"])


async def look_up_coupon_rule() -> int:
    """Ask the marketing service what coupon a paid order earns (slow today)."""
    await asyncio.sleep(MARKETING_MS / 1000)
    return 10


async def notify_user() -> None:
    """Push "you got a coupon" to the user's phone."""
    await asyncio.sleep(NOTIFY_MS / 1000)


async def insert_coupon(msg: MessageExt, db: Session, amount: int, now_ms: int) -> None:
    order, user = order_of(msg)
    await db.execute(
        "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)",
        (order, user, amount, msg.msg_id, now_ms),
    )


@dataclass
class Design:
    """A named coupon consumer design; ``make()`` builds one per process start."""

    name: str
    make: Callable[[Callable[[], int]], Handler]
    setup_sql: str = ""
    right: bool = False

    def setup(self, db: Database) -> None:
        if self.setup_sql:
            db.script(self.setup_sql)


def _naive(now: Callable[[], int]) -> Handler:
    async def handle(msg: MessageExt, db: Session) -> ConsumeStatus:
        amount = await look_up_coupon_rule()
        await insert_coupon(msg, db, amount, now())
        await db.commit()
        await notify_user()
        return ConsumeStatus.SUCCESS

    return handle


def _memory_set(now: Callable[[], int]) -> Handler:
    seen: set[str] = set()  # lives exactly as long as this process

    async def handle(msg: MessageExt, db: Session) -> ConsumeStatus:
        order, _ = order_of(msg)
        if order in seen:
            return ConsumeStatus.SUCCESS
        amount = await look_up_coupon_rule()
        await insert_coupon(msg, db, amount, now())
        await db.commit()
        seen.add(order)
        await notify_user()
        return ConsumeStatus.SUCCESS

    return handle


def _query_then_insert(now: Callable[[], int]) -> Handler:
    async def handle(msg: MessageExt, db: Session) -> ConsumeStatus:
        order, _ = order_of(msg)
        found = await db.execute("SELECT id FROM coupons WHERE order_id = ?", (order,))
        if found.rows:
            return ConsumeStatus.SUCCESS
        amount = await look_up_coupon_rule()
        await insert_coupon(msg, db, amount, now())
        await db.commit()
        await notify_user()
        return ConsumeStatus.SUCCESS

    return handle


def _dedupe_msg_id(now: Callable[[], int]) -> Handler:
    async def handle(msg: MessageExt, db: Session) -> ConsumeStatus:
        amount = await look_up_coupon_rule()
        try:
            await db.execute("INSERT INTO processed_msgs (msg_id) VALUES (?)", (msg.msg_id,))
            await insert_coupon(msg, db, amount, now())
            await db.commit()
        except sqlite3.IntegrityError:
            await db.rollback()  # this msg id was processed: acknowledge it
            return ConsumeStatus.SUCCESS
        await notify_user()
        return ConsumeStatus.SUCCESS

    return handle


def _unique_key(now: Callable[[], int]) -> Handler:
    async def handle(msg: MessageExt, db: Session) -> ConsumeStatus:
        amount = await look_up_coupon_rule()
        try:
            await insert_coupon(msg, db, amount, now())
            await db.commit()
        except sqlite3.IntegrityError:
            await db.rollback()  # a coupon for this order exists: the duplicate is acknowledged
            return ConsumeStatus.SUCCESS
        await notify_user()
        return ConsumeStatus.SUCCESS

    return handle


DESIGNS: dict[str, Design] = {
    d.name: d
    for d in (
        Design("naive", _naive),
        Design("memory_set", _memory_set),
        Design("query_then_insert", _query_then_insert),
        Design(
            "dedupe_msg_id",
            _dedupe_msg_id,
            "CREATE TABLE IF NOT EXISTS processed_msgs (msg_id TEXT PRIMARY KEY);",
        ),
        Design(
            "unique_key",
            _unique_key,
            "CREATE UNIQUE INDEX IF NOT EXISTS coupons_order_unique ON coupons (order_id);",
            right=True,
        ),
    )
}
