"""A real SQLite database whose every statement is a point where the simulation moves on.

Owns: ``Database`` (a file on disk that outlives the systems using it, like a real
database across a deploy) and ``Session`` (one connection, used by one handler call).
Rules:
- Each statement and each commit costs ``latency_ms`` of virtual time and is an
  ``await``: other tasks run meanwhile, so two handlers can interleave between a SELECT
  and an INSERT, exactly as on a real database server.
- Python's sqlite3 default is kept: a SELECT outside a transaction runs on its own; the
  first INSERT/UPDATE/DELETE opens a transaction that lasts until ``commit``.
- A writer that finds the database locked by another open transaction waits (in virtual
  time, up to ``BUSY_TIMEOUT_MS``) instead of failing at once, as a row lock would: it
  tries again as soon as that transaction commits or rolls back, and fails with
  "database is locked" if the lock is still held when the timeout runs out.
- A session that is closed, cancelled or crashed with an open transaction rolls it back,
  as a dropped connection does. Its connection then goes back to the database's pool
  (as a server-side pool would keep it), so the next handler call does not pay for
  opening a file and parsing the schema again.
- Committed inserts into the ``audited`` tables are reported as effects (``EffectApplied``)
  at commit time, so checkers count what really reached the database.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minimq.apps.kv import KeyValueStore
from minimq.events import AppEvent, EffectApplied

if TYPE_CHECKING:
    from minimq.sim.world import World

BUSY_TIMEOUT_MS = 5000


def scratch_dir() -> str | None:
    """A RAM-backed directory for simulation databases when the machine has one (fast
    commits); None lets ``tempfile`` choose."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


@dataclass(frozen=True, slots=True)
class Result:
    """What a statement returned: every row (fetched at once), rows changed, last row id."""

    rows: list[tuple[Any, ...]]
    rowcount: int
    lastrowid: int | None

    def one(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None


class Database:
    """One SQLite database file, named ``name`` in the trace."""

    def __init__(self, world: World, path: Path, name: str, *, latency_ms: int = 2) -> None:
        self.world = world
        self.path = path
        self.name = name
        self.latency_ms = latency_ms
        self.audits: dict[str, str] = {}  # audit table -> effect key column
        self._seen: dict[str, int] = {}
        self._admin = sqlite3.connect(path, isolation_level=None, timeout=0)
        self._admin.execute("PRAGMA journal_mode=WAL")
        self._admin.execute("PRAGMA synchronous=OFF")
        self._pool: list[sqlite3.Connection] = []  # idle session connections, no open transaction
        self._lent = 0  # connections sessions hold now
        self._lock_waiters: list[asyncio.Future[None]] = []  # writers waiting for the write lock

    def _connect(self) -> sqlite3.Connection:
        self._lent += 1
        if self._pool:
            return self._pool.pop()
        conn = sqlite3.connect(self.path, timeout=0)
        conn.execute("PRAGMA synchronous=OFF")  # a simulation needs no fsync
        return conn

    def _release(self, conn: sqlite3.Connection) -> None:
        self._lent -= 1
        self._pool.append(conn)

    async def _wait_for_lock(self, timeout_ms: int) -> None:
        """Wait until a transaction ends (``_transaction_ended``) or ``timeout_ms`` pass."""
        loop = self.world.loop
        fut = loop.create_future()
        self._lock_waiters.append(fut)
        timer = loop.call_later(timeout_ms / 1000, _wake, fut)
        try:
            await fut
        finally:
            timer.cancel()
            if fut in self._lock_waiters:
                self._lock_waiters.remove(fut)

    def _transaction_ended(self) -> None:
        """A write transaction committed or rolled back: every waiting writer tries again
        (in the order they came; the first one takes the lock, the others wait on)."""
        waiters, self._lock_waiters = self._lock_waiters, []
        for fut in waiters:
            _wake(fut)

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
        return self._lent == 0 and not self._lock_waiters

    def reset(self, world: World, template: sqlite3.Connection) -> None:
        """Start over in ``world`` with the content of ``template`` (see ``copy``), as a
        fresh database would, without opening the file again. Pooled connections that
        made TEMP tables are closed rather than carried into the new run."""
        if not self.idle():
            raise RuntimeError(f"{self.name}: a session is still open; it cannot be reset")
        for conn in list(self._pool):
            if conn.execute("SELECT 1 FROM temp.sqlite_master LIMIT 1").fetchone() is not None:
                self._pool.remove(conn)
                conn.close()
        template.backup(self._admin)
        self.world = world
        self._seen = dict.fromkeys(self.audits, 0)

    def audit(self, table: str, key_column: str, *, create: bool = True) -> None:
        """Report every committed insert into ``table`` as an effect keyed by ``key_column``.

        A trigger copies each inserted row into ``_audit_<table>``; rolled-back inserts
        vanish with their transaction, so only committed effects are reported.
        """
        audit = f"_audit_{table}"
        self.audits[audit] = key_column
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

    def session(self, by: str, **options: Any) -> Session:
        return Session(self, by, **options)

    def report_effects(self, by: str) -> None:
        for audit in self.audits:
            rows = self._admin.execute(
                f"SELECT seq, k FROM {audit} WHERE seq > ? ORDER BY seq", (self._seen[audit],)
            ).fetchall()
            for seq, key in rows:
                self._seen[audit] = seq
                self.world.emit(EffectApplied(self.world.now_ms, self.name, str(key), by, ""))

    def close(self) -> None:
        for conn in self._pool:
            conn.close()
        self._pool.clear()
        self._admin.close()


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


StatementHook = Callable[[int, str], int | None]  # returns ms to hold before it runs, or None
AfterHook = Callable[[int, str], None]  # may raise: the reply of a statement that ran is lost


class Session:
    """One connection to a ``Database``, for one handler call (use ``async with``).

    ``before_statement(n, sql)`` is called before the n-th statement (a commit counts as
    one, and so does each command to ``redis``); a fault plan uses it to crash the consumer
    between two statements, to make a statement fail, or (by returning milliseconds) to
    hold the handler right there, in the middle of its work. ``after_statement(n, sql)`` is
    called once the n-th statement has run and may raise: the connection dropped before
    its reply came back, so the handler sees an error although a COMMIT went through (an
    ambiguous commit) or a Redis command was applied.
    """

    def __init__(
        self,
        db: Database,
        by: str,
        *,
        redis: KeyValueStore | None = None,
        before_statement: StatementHook | None = None,
        after_statement: AfterHook | None = None,
    ) -> None:
        self.db = db
        self.by = by
        self.redis = _SessionRedis(redis, self) if redis is not None else None
        self._hook = before_statement
        self._after_hook = after_statement
        self._statements = 0
        self._pooled: sqlite3.Connection | None = db._connect()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    @property
    def now_ms(self) -> int:
        return self.db.world.now_ms

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._pooled is None:  # its connection may serve another session by now
            raise sqlite3.ProgrammingError("Cannot operate on a closed database session.")
        return self._pooled

    @property
    def in_transaction(self) -> bool:
        return self._pooled is not None and self._pooled.in_transaction

    def _before(self, sql: str) -> int:
        """Count the statement, let the hook act on it; return how long to hold first (ms)."""
        self._statements += 1
        if self._hook is not None:
            return self._hook(self._statements, sql) or 0
        return 0

    async def _hold(self, sql: str) -> None:
        held = self._before(sql)
        if held:
            await asyncio.sleep(held / 1000)

    def _after(self, sql: str) -> None:
        """The statement counted last has run; the hook may make its reply go missing."""
        if self._after_hook is not None:
            self._after_hook(self._statements, sql)

    def _run(self, sql: str, params: Sequence[Any]) -> Result:
        conn = self._conn
        had = conn.in_transaction
        try:
            cur = conn.execute(sql, params)
            return Result(cur.fetchall(), cur.rowcount, cur.lastrowid)
        except sqlite3.IntegrityError as exc:
            world = self.db.world
            world.emit(AppEvent(world.now_ms, self.db.name, "db_constraint", (("error", str(exc)),)))
            raise
        finally:
            if had and not conn.in_transaction:  # a COMMIT or ROLLBACK written as SQL
                self.db._transaction_ended()

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        """Run one statement after the database's latency; wait while it is locked."""
        await asyncio.sleep(self.db.latency_ms / 1000)
        await self._hold(sql)
        begin = self.now_ms
        while True:
            try:
                result = self._run(sql, params)
                break
            except sqlite3.OperationalError as exc:
                waited = self.now_ms - begin
                if "locked" not in str(exc) or waited >= BUSY_TIMEOUT_MS:
                    raise
                await self.db._wait_for_lock(BUSY_TIMEOUT_MS - waited)
        self._after(sql)
        return result

    async def commit(self) -> None:
        await asyncio.sleep(self.db.latency_ms / 1000)
        await self._hold("COMMIT")
        self._end(self._conn.commit)
        self.db.report_effects(self.by)
        self._after("COMMIT")

    async def rollback(self) -> None:
        await asyncio.sleep(self.db.latency_ms / 1000)
        self._end(self._conn.rollback)

    def _end(self, how: Callable[[], None]) -> None:
        """Commit or roll back; if that ended a transaction, its lock is free now."""
        had = self._conn.in_transaction
        how()
        if had:
            self.db._transaction_ended()

    def close(self) -> None:
        """Roll back whatever is still open (a dropped connection) and close."""
        conn, self._pooled = self._pooled, None
        if conn is None:
            return
        if conn.in_transaction:
            conn.rollback()
            world = self.db.world
            world.emit(AppEvent(world.now_ms, self.db.name, "db_rolled_back", (("by", self.by),)))
            self.db._transaction_ended()
        self.db._release(conn)


class _SessionRedis:
    """The session's view of the Redis store: every command is also a point where the
    fault plan may crash the consumer (counted with the SQL statements)."""

    def __init__(self, store: KeyValueStore, session: Session) -> None:
        self._store = store
        self._session = session

    async def get(self, key: str) -> str | None:
        command = f"REDIS GET {key}"
        await self._session._hold(command)
        value = await self._store.get(key)
        self._session._after(command)
        return value

    async def exists(self, key: str) -> bool:
        command = f"REDIS EXISTS {key}"
        await self._session._hold(command)
        found = await self._store.exists(key)
        self._session._after(command)
        return found

    async def set(
        self, key: str, value: str, *, nx: bool = False, px: int | None = None, ex: int | None = None
    ) -> bool:
        command = f"REDIS SET {key}"
        await self._session._hold(command)
        done = await self._store.set(key, value, nx=nx, px=px, ex=ex)
        self._session._after(command)
        return done

    async def delete(self, *keys: str) -> int:
        command = f"REDIS DEL {' '.join(keys)}"
        await self._session._hold(command)
        removed = await self._store.delete(*keys)
        self._session._after(command)
        return removed

    def ttl_ms(self, key: str) -> int | None:
        return self._store.ttl_ms(key)


class SyncSession:
    """The same session for a plain ``def`` handler: no ``await``, no interleaving."""

    def __init__(self, session: Session) -> None:
        self._s = session
        self.redis = session.redis

    @property
    def now_ms(self) -> int:
        return self._s.now_ms

    @property
    def in_transaction(self) -> bool:
        return self._s.in_transaction

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        self._s._before(sql)
        result = self._s._run(sql, params)
        self._s._after(sql)
        return result

    def commit(self) -> None:
        self._s._before("COMMIT")
        self._s._end(self._s._conn.commit)
        self._s.db.report_effects(self._s.by)
        self._s._after("COMMIT")

    def rollback(self) -> None:
        self._s._end(self._s._conn.rollback)
