"""A session: one connection of a ``Database``, used by one handler call.

Owns: ``Session`` (``async``), ``SyncSession`` (the same for a plain ``def`` handler) and
``Result``. Rules:
- Each statement and each commit costs the database's ``latency_ms`` of virtual time and
  is an ``await``: other tasks run meanwhile, so two handlers can interleave between a
  SELECT and an INSERT, exactly as on a real database server.
- A writer blocked by another open transaction waits for it (``Database``), up to
  ``BUSY_TIMEOUT_MS``.
- A session that is closed, cancelled or crashed with an open transaction rolls it back,
  as a dropped connection does, and gives its connection back to the database's pool.
- Every statement, COMMIT and Redis command is counted; a fault plan's hooks run before
  each (crash, fail, hold) and after each (lose the reply of one that ran).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from minimq.apps.kv import KeyValueStore
from minimq.events import AppEvent

if TYPE_CHECKING:
    from minimq.apps.db import Database

BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True, slots=True)
class Result:
    """What a statement returned: every row (fetched at once), rows changed, last row id."""

    rows: list[tuple[Any, ...]]
    rowcount: int
    lastrowid: int | None

    def one(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None


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
