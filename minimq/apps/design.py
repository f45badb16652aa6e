"""A coupon consumer design: the file an engineer writes, compiled once, run per process.

Owns: ``Design``, ``COUPON_SCHEMA`` and the designs that ship with minimq
(``builtin``). The contract, the same for the lessons and for ``minimq check``: a design
is a Python file that defines

    async def handle(msg, db) -> ConsumeStatus      # or a plain ``def``
    def setup(db) -> None                           # optional: create tables and indexes

``msg`` is a ``minimq.MessageExt`` whose body is JSON ``{"order": ..., "user": ...}`` and
whose ``keys`` hold the order id; ``db`` is one session on the coupon database
(``minimq.apps.design_db``); ``setup`` gets a plain ``sqlite3.Connection``. Every
design writes its coupons to one fixed table, ``COUPON_SCHEMA``.

A design that also tells the user by SMS says so at module level, ``SENDS_SMS = True``
(``Design.sends_sms``): it writes one row per paid order into a second fixed table,
``SMS_SCHEMA`` (an outbox: a relay sends one SMS per committed row), and ``minimq
check`` counts those rows as it counts coupons. A design without the flag may leave the
table alone.

A design's module is executed afresh each time the coupon system (re)starts
(``instance``), so module-level state dies with the process, as in a real deploy.

The same ``handle`` runs whether the coupon system is a push consumer's listener or a
RocketMQ 5.x SimpleConsumer's loop (POP: lesson 12, and ``minimq check``'s path
``pop``). On POP its answer decides the ack: ``CONSUME_SUCCESS`` acks the message;
anything else (``RECONSUME_LATER``, an exception, a value that is not a status) leaves it
un-acked, so it is revived and delivered again once its invisible duration is over,
with ``msg.reconsume_times`` one higher, up to 17 times before the dead-letter queue.
Nothing new is asked of a design.

The shipped designs live in ``minimq/designs/``: the ladder of fixes from no dedupe to
the UNIQUE key, each file's docstring saying why it is right or wrong. The lessons run
them, and ``minimq check`` grades them (``minimq check unique_key`` names one).
Checking a file a person wrote, with clear words for whatever is wrong in it, is
``minimq.testing.design.load_design``.
"""

from __future__ import annotations

import inspect
import sqlite3
import types
from dataclasses import dataclass
from pathlib import Path

from minimq.apps.db import touches_audit

DESIGNS_DIR = Path(__file__).resolve().parent.parent / "designs"

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

SMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS sms_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);
"""
SENDS_SMS = "SENDS_SMS"  # the module-level flag of a design that owns the SMS too


@dataclass(frozen=True)
class Design:
    """A design's source, compiled once; ``instance()`` runs it in a fresh module."""

    name: str
    path: str
    code: types.CodeType
    is_async: bool
    has_setup: bool
    sends_sms: bool = False  # ``SENDS_SMS = True``: judged on ``sms_outbox`` too

    def instance(self) -> types.ModuleType:
        module = types.ModuleType(f"minimq_design_{self.name}")
        module.__file__ = self.path
        exec(self.code, module.__dict__)
        return module


def builtin_names() -> list[str]:
    """The designs that ship with minimq, by name (the file's stem)."""
    return sorted(p.stem for p in DESIGNS_DIR.glob("*.py"))


def builtin_path(name: str) -> Path | None:
    """The file of the shipped design ``name``, or None when there is none."""
    path = DESIGNS_DIR / f"{name}.py"
    return path if name in builtin_names() else None


_compiled: dict[str, Design] = {}


def builtin(name: str) -> Design:
    """The shipped design ``name``, compiled (once per process)."""
    if name not in _compiled:
        path = builtin_path(name)
        if path is None:
            raise KeyError(f"no design named {name!r}; the shipped ones are {', '.join(builtin_names())}")
        code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
        probe = Design(name, str(path), code, False, False).instance()
        _compiled[name] = Design(
            name,
            str(path),
            code,
            inspect.iscoroutinefunction(probe.handle),
            callable(getattr(probe, "setup", None)),
            getattr(probe, SENDS_SMS, False) is True,
        )
    return _compiled[name]


def run_setup(design: Design, path: Path) -> None:
    """Run the design's ``setup(db)`` on a plain connection to the database at ``path``.

    The connection may not touch the checker's audit (``db.touches_audit``): a setup
    that tries fails like any other SQL error."""

    def guard(action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None) -> int:
        return sqlite3.SQLITE_DENY if touches_audit(action, arg1, arg2, {"coupons"}) else sqlite3.SQLITE_OK

    conn = sqlite3.connect(path, isolation_level=None)
    conn.set_authorizer(guard)
    try:
        design.instance().setup(conn)
    finally:
        conn.close()
