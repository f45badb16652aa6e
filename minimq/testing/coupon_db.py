"""The coupon database a design under test writes to: built once per design, then reused.

Owns: ``open_coupon_db(design, world)`` and ``give_back(design, db)``. The first run of
a design creates the fixed ``coupons`` table, runs the design's ``setup`` and installs
the audit trigger that reports committed rows as effects; what that leaves is kept as
an in-memory template. Every later run gets a database whose content is a fresh copy
of that template, exactly what a new file would hold. When a run is over, its database
(the file, and the connections the sessions used) goes back to a free list for the
next run of the same design instead of being deleted and created again: exploring
runs hundreds of schedules a second, and opening SQLite files was a fifth of a run.

A database is only reused when no session still holds a connection; connections that
created TEMP tables are closed, not reused (see ``Database.reset``). The files live in
one scratch directory per process (RAM-backed when the machine has /dev/shm), removed
when the process exits.
"""

from __future__ import annotations

import atexit
import itertools
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from minimq.apps.db import Database, scratch_dir
from minimq.apps.designs import COUPON_SCHEMA

if TYPE_CHECKING:
    from minimq.sim.world import World
    from minimq.testing.design import LoadedDesign

LEDGER = "coupon DB"
KEEP_PER_DESIGN = 4  # free databases kept per design (one lab at a time needs one)

_templates: dict[LoadedDesign, sqlite3.Connection] = {}
_free: dict[LoadedDesign, list[Database]] = {}
_numbers = itertools.count(1)
_dir: Path | None = None


def _scratch() -> Path:
    global _dir
    if _dir is None:
        _dir = Path(tempfile.mkdtemp(prefix="minimq-lab-", dir=scratch_dir()))
        atexit.register(_remove_all)
    return _dir


def open_coupon_db(design: LoadedDesign, world: World) -> Database:
    """A coupon database for one run of ``design`` in ``world``, as if just created."""
    template = _templates.get(design)
    free = _free.get(design)
    if template is not None and free:
        db = free.pop()
        db.reset(world, template)
        return db
    db = Database(world, _scratch() / f"coupon-{next(_numbers)}.db", LEDGER)
    if template is None:
        db.script(COUPON_SCHEMA)
        if design.has_setup:
            _setup(design, db.path)
        db.audit("coupons", "order_id")
        _templates[design] = db.copy()
    else:
        db.audit("coupons", "order_id", create=False)
        db.reset(world, template)
    return db


def _setup(design: LoadedDesign, path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        design.instance().setup(conn)
    finally:
        conn.close()


def give_back(design: LoadedDesign, db: Database) -> None:
    """The run is over: keep ``db`` for the next run of ``design``, or delete it."""
    free = _free.setdefault(design, [])
    if db.idle() and len(free) < KEEP_PER_DESIGN:
        free.append(db)
    else:
        _remove(db)


def _remove(db: Database) -> None:
    db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db.path}{suffix}").unlink(missing_ok=True)


def _remove_all() -> None:
    for free in _free.values():
        for db in free:
            db.close()
        free.clear()
    if _dir is not None:
        shutil.rmtree(_dir, ignore_errors=True)
