"""The coupon database a design under test writes to: built once per design, then reused.

Owns: ``open_coupon_db(design, world)`` and ``give_back(design, db)``, and the same for
the order system's own database, which a schedule whose producer is ``transaction``
needs (its local transaction marks the order PAID there, its check listener reads it):
``open_order_db(world)``, ``give_back_order_db(db)``. The first run of
a design creates the fixed ``coupons`` and ``sms_outbox`` tables, runs the design's
``setup`` and installs the audit trigger that reports committed coupon rows as effects
(and, for a design with ``SENDS_SMS = True``, committed SMS rows in ``SMS_LEDGER``);
what that leaves is kept as an in-memory template. Every later run gets a database whose content is a fresh copy
of that template, exactly what a new file would hold. When a run is over, its database
(the file, and the connections the sessions used) goes back to a free list for the
next run of the same design instead of being deleted and created again: exploring
runs hundreds of schedules a second, and opening SQLite files was a fifth of a run.

A database is only reused when no session still holds a connection; connections that
created TEMP tables are closed, not reused (see ``Database.reset``). The files live in
this process's scratch directory (``scratch``), removed however the run ends.

``setup`` is user code: an error in it (a typo in its SQL) is a ``DesignError`` naming
the error and the design's line; it runs on a connection that may not create anything
named like the audit. The state kept here belongs to one process: a forked child (a
``minimq check --jobs`` worker, or any fork) starts with none of it, and never touches
its parent's files or connections (SQLite forbids carrying a connection across a fork).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from minimq.apps.db import Database, touches_audit
from minimq.apps.design import COUPON_SCHEMA, SMS_SCHEMA
from minimq.apps.incident import COUPON_LEDGER
from minimq.testing.design import user_code
from minimq.testing.scratch import process_dir

if TYPE_CHECKING:
    from minimq.testing.design import LoadedDesign
    from minimq.world import World

LEDGER = COUPON_LEDGER  # the coupon database, as the trace names it
SMS_LEDGER = "SMS outbox"  # the SMS rows of a design that sends them, as the trace names them
FIXED_TABLES = {"coupons", "sms_outbox"}  # the contract's tables: setup may not drop or alter them
KEEP_PER_DESIGN = 4  # free databases kept per design (one lab at a time needs one)

ORDER_LEDGER = "order DB"  # the order system's database, as the trace names it
ORDERS = object()  # the key of the order database's template and free list
_templates: dict[object, sqlite3.Connection] = {}  # a LoadedDesign's, and ORDERS'
_free: dict[object, list[Database]] = {}
_numbers = itertools.count(1)
_inherited: list[object] = []  # a parent's state, after a fork: kept alive, never closed here


def _forget_after_fork() -> None:
    """In a forked child: drop the parent's templates and databases without closing them
    (closing the last connection of a WAL database deletes its -wal and -shm files, which
    the parent still uses)."""
    global _templates, _free
    _inherited.extend([_templates, _free])
    _templates, _free = {}, {}


os.register_at_fork(after_in_child=_forget_after_fork)


def open_coupon_db(design: LoadedDesign, world: World) -> Database:
    """A coupon database for one run of ``design`` in ``world``, as if just created."""
    template = _templates.get(design)
    free = _free.get(design)
    if template is not None and free:
        db = free.pop()
        db.reset(world, template)
        return db
    db = Database(world, process_dir() / f"coupon-{next(_numbers)}.db", LEDGER)
    if template is None:
        db.script(COUPON_SCHEMA + SMS_SCHEMA)
        if design.has_setup:
            try:
                _setup(design, db.path)
            except BaseException:
                _remove(db)
                raise
        _audit(design, db, create=True)
        _templates[design] = db.copy()
    else:
        _audit(design, db, create=False)
        db.reset(world, template)
    return db


def open_order_db(world: World) -> Database:
    """The order system's database for one run in ``world``: table ``orders``, empty."""
    from minimq.apps.shop import ORDER_SCHEMA

    free = _free.get(ORDERS)
    template = _templates.get(ORDERS)
    if template is not None and free:
        db = free.pop()
        db.reset(world, template)
        return db
    db = Database(world, process_dir() / f"order-{next(_numbers)}.db", ORDER_LEDGER)
    if template is None:
        db.script(ORDER_SCHEMA)
        _templates[ORDERS] = db.copy()
    else:
        db.reset(world, template)
    return db


def give_back_order_db(db: Database) -> None:
    """The run is over: keep the order database for the next run, or delete it."""
    free = _free.setdefault(ORDERS, [])
    if db.idle() and len(free) < KEEP_PER_DESIGN:
        free.append(db)
    else:
        _remove(db)


def _audit(design: LoadedDesign, db: Database, *, create: bool) -> None:
    """Count the committed coupons; and the SMS rows, when the design says it sends them
    (only then: every audited table costs a query at each commit)."""
    db.audit("coupons", "order_id", create=create)
    if design.sends_sms:
        db.audit("sms_outbox", "order_id", ledger=SMS_LEDGER, create=create)


def _setup(design: LoadedDesign, path: Path) -> None:
    """Run the design's ``setup(db)`` on a plain connection; any failure is the design's."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.set_authorizer(_setup_guard)
    try:
        with user_code(design.path, "doing.setup"):
            design.instance().setup(conn)
    finally:
        conn.close()


def _setup_guard(action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None) -> int:
    return sqlite3.SQLITE_DENY if touches_audit(action, arg1, arg2, FIXED_TABLES) else sqlite3.SQLITE_OK


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
