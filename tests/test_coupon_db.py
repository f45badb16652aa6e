"""The lab's coupon databases: every run starts from the design's empty database."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from minimq.apps.db import Database
from minimq.events import EffectApplied
from minimq.testing import load_design
from minimq.testing.coupon_db import give_back, open_coupon_db
from minimq.testing.design import LoadedDesign
from minimq.world import World

INSERT = "INSERT INTO coupons(order_id, user_id, amount, msg_id, issued_ms) VALUES (?, 'u', 1, 'm', 0)"


@pytest.fixture
def design(tmp_path: Path) -> LoadedDesign:
    path = tmp_path / "design.py"
    path.write_text(
        textwrap.dedent(
            """
            from minimq import ConsumeStatus

            def setup(db):
                db.execute("CREATE TABLE seen (msg_id TEXT PRIMARY KEY)")
                db.execute("INSERT INTO seen VALUES ('from-setup')")

            async def handle(msg, db):
                return ConsumeStatus.CONSUME_SUCCESS
            """
        )
    )
    return load_design(path)


def _write(world: World, orders: list[str], design: LoadedDesign) -> Database:
    db = open_coupon_db(design, world)

    async def work() -> None:
        async with db.session("c1") as s:
            for order in orders:
                await s.execute(INSERT, (order,))
            await s.execute("INSERT INTO seen VALUES ('from-run')")
            await s.commit()

    world.run(work())
    return db


def test_each_run_starts_from_the_empty_database_of_the_design(design: LoadedDesign) -> None:
    first = World(seed=1)
    db = _write(first, ["order-1", "order-2"], design)
    first.close()
    give_back(design, db)

    second = World(seed=1)
    again = open_coupon_db(design, second)
    try:
        assert again is db, "the file and its connections are reused"
        assert again.query("SELECT count(*) FROM coupons") == [(0,)]
        assert again.query("SELECT msg_id FROM seen") == [("from-setup",)]
        assert again.world is second

        async def one() -> None:
            async with again.session("c1") as s:
                await s.execute(INSERT, ("order-9",))
                await s.commit()

        second.run(one())
        # effects are counted from the start again, and reach the new world's trace only
        assert [e.key for e in second.trace.of(EffectApplied)] == ["order-9"]
        assert [e.key for e in first.trace.of(EffectApplied)] == ["order-1", "order-2"]
    finally:
        second.close()
        give_back(design, again)


def test_a_database_with_a_session_still_open_is_not_reused(design: LoadedDesign) -> None:
    world, next_world = World(seed=2), World(seed=3)
    db = open_coupon_db(design, world)
    session = db.session("c1")  # never closed: a handler that leaked its session
    give_back(design, db)
    other = open_coupon_db(design, next_world)
    try:
        assert other is not db
    finally:
        session.close()
        give_back(design, other)
        world.close()
        next_world.close()


def test_a_connection_that_made_a_temp_table_is_not_carried_into_the_next_run(design: LoadedDesign) -> None:
    world = World(seed=4)
    db = open_coupon_db(design, world)

    async def temp() -> None:
        async with db.session("c1") as s:
            await s.execute("CREATE TEMP TABLE scratch (x)")

    world.run(temp())
    world.close()
    give_back(design, db)
    nxt = World(seed=5)
    again = open_coupon_db(design, nxt)
    try:

        async def check() -> list[tuple[object, ...]]:
            async with again.session("c1") as s:
                return (await s.execute("SELECT name FROM temp.sqlite_master")).rows

        assert nxt.run(check()) == []
    finally:
        nxt.close()
        give_back(design, again)


def test_the_lab_gives_its_database_back_after_a_run(design: LoadedDesign) -> None:
    from minimq.testing.lab import Lab
    from minimq.testing.schedule import Schedule
    from minimq.testing.steps import Pay

    schedule = Schedule(("order-1",), (Pay(at_ms=0, order="order-1"),))
    first = Lab(design)
    assert first.run(schedule).coupons == {"order-1": 0}  # this design never writes a coupon
    second = Lab(design)
    assert second.db is first.db
    assert second.run(schedule).coupons == {"order-1": 0}
