"""A real SQLite database whose every statement is a point where the simulation moves on.

Owns: ``Database`` (a file on disk that outlives the systems using it, like a real
database across a deploy): its connections, its write lock as the sessions see it, and
its effects. The sessions that run statements live in ``minimq.apps.session`` (and are
re-exported here). Rules:
- Python's sqlite3 default is kept: a SELECT outside a transaction runs on its own; the
  first INSERT/UPDATE/DELETE opens a transaction that lasts until ``commit``.
- A writer that finds the database locked by another open transaction waits (in virtual
  time, up to ``BUSY_TIMEOUT_MS``) instead of failing at once, as a row lock would: it
  tries again as soon as that transaction commits or rolls back, and fails with
  "database is locked" if the lock is still held when the timeout runs out.
- A session's connection goes back to the database's pool when the session closes (as a
  server-side pool would keep it), so the next handler call does not pay for opening a
  file and parsing the schema again.
- Committed inserts into the ``audited`` tables are reported as effects (``EffectApplied``)
  at commit time, so checkers count what really reached the database; each in the
  ledger its ``audit`` names (the database's own name unless told otherwise).
- The audit is the checker's bookkeeping, out of the sessions' reach: an SQLite authorizer
  on every session connection refuses any statement that reads or writes an ``_audit_``
  table or trigger (except the audit trigger itself), drops or alters an audited table,
  writes ``sqlite_sequence`` or turns on ``writable_schema`` ("not authorized").
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minimq.apps.connections import ConnectionPool, WriteLock
from minimq.apps.session import BUSY_TIMEOUT_MS, Result, Session
from minimq.apps.session_redis import SessionRedis
from minimq.events import EffectApplied

if TYPE_CHECKING:
    from minimq.apps.kv import KeyValueStore
    from minimq.world import World

__all__ = ["BUSY_TIMEOUT_MS", "Database", "Result", "Session", "scratch_dir"]


def scratch_dir() -> str | None:
    """A RAM-backed directory for simulation databases when the machine has one (fast
    commits); None lets ``tempfile`` choose."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class Database:
    """One SQLite database file, named ``name`` in the trace."""

    def __init__(self, world: World, path: Path, name: str, *, latency_ms: int = 2) -> None:
        self.world = world
        self.path = path
        self.name = name
        self.latency_ms = latency_ms
        self.audits: dict[str, str] = {}  # audit table -> effect key column
        self.ledgers: dict[str, str] = {}  # audit table -> the ledger its effects are reported in
        self.audited: set[str] = set()  # the tables whose inserts are audited
        self._seen: dict[str, int] = {}
        self._admin = sqlite3.connect(path, isolation_level=None, timeout=0)
        self._admin.execute("PRAGMA journal_mode=WAL")
        self._admin.execute("PRAGMA synchronous=OFF")
        self.pool = ConnectionPool(path, self._authorize)  # the sessions' connections
        self.write_lock = WriteLock()  # writers waiting for the open transaction to end

    def _authorize(self, action: int, arg1: str | None, arg2: str | None, _db: str | None, source: str | None) -> int:
        """The session connections' authorizer: keep the audit out of their reach."""
        if not self.audits or (source is not None and source.startswith(AUDIT) and source[:-2] in self.audits):
            return sqlite3.SQLITE_OK  # nothing audited, or the audit trigger doing its job
        return sqlite3.SQLITE_DENY if touches_audit(action, arg1, arg2, self.audited) else sqlite3.SQLITE_OK

    def script(self, sql: str) -> None:
        """Run schema DDL at once (set-up, not part of the simulated timeline)."""
        self._admin.executescript(sql)

    def copy(self) -> sqlite3.Connection:
        """Everything committed so far, copied into an in-memory database (a template)."""
        template = sqlite3.connect(":memory:")
        self._admin.backup(template)
        return template

    def idle(self) -> bool:
        """No session holds a connection and no writer waits: safe to ``reset``."""
        return self.pool.lent == 0 and not self.write_lock.waiting()

    def reset(self, world: World, template: sqlite3.Connection) -> None:
        """Start over in ``world`` with the content of ``template`` (see ``copy``), as a
        fresh database would, without opening the file again. Pooled connections that
        made TEMP tables are closed rather than carried into the new run."""
        if not self.idle():
            raise RuntimeError(f"{self.name}: a session is still open; it cannot be reset")
        self.pool.drop_temp_tables()
        template.backup(self._admin)
        self.world = world
        self._seen = dict.fromkeys(self.audits, 0)

    def audit(self, table: str, key_column: str, *, ledger: str | None = None, create: bool = True) -> None:
        """Report every committed insert into ``table`` as an effect keyed by ``key_column``,
        in ``ledger`` (default: this database's name).

        A trigger copies each inserted row into ``_audit_<table>``; rolled-back inserts
        vanish with their transaction, so only committed effects are reported.
        """
        audit = f"{AUDIT}{table}"
        self.audits[audit] = key_column
        self.ledgers[audit] = ledger or self.name
        self.audited.add(table)
        self._seen[audit] = 0
        if not create:  # the file was copied from one that has it
            return
        self._admin.executescript(
            f"CREATE TABLE IF NOT EXISTS {audit} (seq INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT);"
            f"CREATE TRIGGER IF NOT EXISTS {audit}_t AFTER INSERT ON {table} "
            f"BEGIN INSERT INTO {audit}(k) VALUES (NEW.{key_column}); END;"
        )

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read at once, outside the simulation (for tables and checkers)."""
        return list(self._admin.execute(sql, params).fetchall())

    def session(self, by: str, *, redis: KeyValueStore | None = None, **options: Any) -> Session:
        """A session for one handler call; with ``redis``, its view of that store."""
        session = Session(self, by, **options)
        if redis is not None:
            session.redis = SessionRedis(redis, session)
        return session

    def report_effects(self, by: str) -> None:
        for audit in self.audits:
            rows = self._admin.execute(
                f"SELECT seq, k FROM {audit} WHERE seq > ? ORDER BY seq", (self._seen[audit],)
            ).fetchall()
            ledger = self.ledgers[audit]
            for seq, key in rows:
                self._seen[audit] = seq
                self.world.emit(EffectApplied(at_ms=self.world.now_ms, ledger=ledger, key=str(key), by=by, note=""))

    def close(self) -> None:
        self.pool.close()
        self._admin.close()


AUDIT = "_audit_"
_DROPS = {sqlite3.SQLITE_DROP_TABLE, sqlite3.SQLITE_DROP_TEMP_TABLE}
_WRITES = {sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE}


def touches_audit(action: int, arg1: str | None, arg2: str | None, audited: set[str]) -> bool:
    """Whether a statement's step would read or change the audit (an SQLite authorizer
    action and its two arguments, see ``sqlite3.Connection.set_authorizer``)."""
    names = {(arg1 or "").lower(), (arg2 or "").lower()}
    if any(name.startswith(AUDIT) for name in names):
        return True  # an audit table or trigger, in any schema, by any statement
    if action == sqlite3.SQLITE_ALTER_TABLE and (arg2 or "").lower() in audited:
        return True
    if action in _DROPS and (arg1 or "").lower() in audited:
        return True  # dropping an audited table (which drops its trigger)
    if action in _WRITES and (arg1 or "").lower() == "sqlite_sequence":
        return True  # rewinding AUTOINCREMENT would hide audit rows
    return action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() == "writable_schema"
