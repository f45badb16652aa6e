"""The simulated database: statements on the virtual clock, lock waits, pooled sessions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from minimq.apps.db import BUSY_TIMEOUT_MS, Database
from minimq.events import EffectApplied
from minimq.world import World

SCHEMA = "CREATE TABLE coupons (order_id TEXT NOT NULL);"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    world = World(seed=1)
    database = Database(world, tmp_path / "coupon.db", "coupon DB")
    database.script(SCHEMA)
    database.audit("coupons", "order_id")
    yield database
    world.close()
    database.close()


def _insert(db: Database, by: str, order: str, *, hold_ms: int = 0) -> asyncio.Task[int]:
    """A handler that inserts a row, keeps its transaction open ``hold_ms``, commits,
    and returns the virtual time of its commit."""

    async def handler() -> int:
        async with db.session(by) as s:
            await s.execute("INSERT INTO coupons(order_id) VALUES (?)", (order,))
            await asyncio.sleep(hold_ms / 1000)
            await s.commit()
            return db.world.now_ms

    return db.world.spawn(handler(), by)


def test_a_second_writer_waits_for_the_lock_and_goes_on_when_it_is_released(db: Database) -> None:
    first = _insert(db, "c1", "order-1", hold_ms=1000)
    second = _insert(db, "c2", "order-2")
    db.world.run(asyncio.wait([first, second]))
    # c1: INSERT at 2 ms, commit at 2 + 1000 + 2 ms. c2 tries at 2 ms, waits, and its
    # INSERT runs the moment c1's transaction ends; then its commit costs 2 ms.
    assert first.result() == 1004
    assert second.result() == 1006
    assert [e.key for e in db.world.trace.of(EffectApplied)] == ["order-1", "order-2"]


def test_a_writer_gives_up_with_database_is_locked_after_the_busy_timeout(db: Database) -> None:
    holder = _insert(db, "c1", "order-1", hold_ms=BUSY_TIMEOUT_MS + 1000)
    waiter = _insert(db, "c2", "order-2")
    db.world.run(asyncio.wait([holder, waiter]))
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        waiter.result()
    assert holder.result() == BUSY_TIMEOUT_MS + 1000 + 4
    assert [e.key for e in db.world.trace.of(EffectApplied)] == ["order-1"]


def test_a_cancelled_handler_rolls_back_and_frees_the_lock(db: Database) -> None:
    crashed = _insert(db, "c1", "order-1", hold_ms=60_000)
    waiter = _insert(db, "c2", "order-2")
    db.world.call_later_ms(500, crashed.cancel)  # kill -9 in the middle of the transaction
    db.world.run(asyncio.wait([crashed, waiter]))
    assert crashed.cancelled()
    assert waiter.result() == 502  # INSERT at 500 ms when the lock was freed, COMMIT 2 ms later
    assert db.query("SELECT order_id FROM coupons") == [("order-2",)]


def test_a_commit_written_as_sql_frees_the_lock_too(db: Database) -> None:
    async def sql_commit() -> None:
        async with db.session("c1") as s:
            await s.execute("INSERT INTO coupons(order_id) VALUES ('order-1')")
            await asyncio.sleep(1)
            await s.execute("COMMIT")

    first = db.world.spawn(sql_commit(), "c1")
    second = _insert(db, "c2", "order-2")
    db.world.run(asyncio.wait([first, second]))
    assert second.result() == 1006  # not the 5 s busy timeout


def test_a_closed_session_cannot_be_used_and_its_connection_serves_the_next(db: Database) -> None:
    async def scenario() -> None:
        s1 = db.session("c1")
        await s1.execute("INSERT INTO coupons(order_id) VALUES ('order-1')")
        s1.close()  # an open transaction is rolled back, as a dropped connection would be
        with pytest.raises(sqlite3.ProgrammingError):
            await s1.execute("SELECT 1")
        s2 = db.session("c2")
        assert not s2.in_transaction
        assert (await s2.execute("SELECT count(*) FROM coupons")).rows == [(0,)]
        s2.close()

    db.world.run(scenario())
