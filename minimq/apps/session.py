"""A session: one connection of a ``Database``, used by one handler call.

Owns: ``Session`` and ``Result``. Rules:
- Each statement and each commit costs the database's ``latency_ms`` of virtual time and
  is an ``await``: other tasks run meanwhile, so two handlers can interleave between a
  SELECT and an INSERT, exactly as on a real database server.
- A writer blocked by another open transaction waits for it (``WriteLock``), up to
  ``BUSY_TIMEOUT_MS``.
- A session that is closed, cancelled or crashed with an open transaction rolls it back,
  as a dropped connection does, and gives its connection back to the database's pool.
- Every statement, COMMIT and Redis command is counted; a fault plan's hooks run before
  each (crash, fail, hold) and after each (lose the reply of one that ran).
- A session opened with ``trace_as`` (the lab does, with the msg id it handles) reports
  each statement, commit and Redis command as an ``AppEvent`` in the handler's lane, so
  a race between two handlers can be read off the timeline instead of guessed.
- ``kill()``: the process that owned the session died. The open transaction is rolled
  back (the connection dropped) and every later call raises ``CancelledError``, so a
  handler that swallowed its cancellation cannot go on writing as a zombie.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from minimq.events import AppEvent

if TYPE_CHECKING:
    from minimq.apps.connections import ConnectionPool, WriteLock
    from minimq.apps.session_redis import SessionRedis
    from minimq.sim.kernel import Simulation

BUSY_TIMEOUT_MS = 5000
T = TypeVar("T")


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


class Host(Protocol):
    """What a session needs of its database (``minimq.apps.db.Database``)."""

    @property
    def world(self) -> Simulation: ...
    @property
    def name(self) -> str: ...
    @property
    def latency_ms(self) -> int: ...
    @property
    def pool(self) -> ConnectionPool: ...
    @property
    def write_lock(self) -> WriteLock: ...
    def report_effects(self, by: str) -> None: ...


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
        db: Host,
        by: str,
        *,
        before_statement: StatementHook | None = None,
        after_statement: AfterHook | None = None,
        trace_as: str | None = None,
    ) -> None:
        self.db = db
        self.by = by
        self.redis: SessionRedis | None = None  # its view of Redis, given by ``Database.session``
        self._hook = before_statement
        self._after_hook = after_statement
        self._label = trace_as
        self._killed = False
        self.waiting: str | None = None  # the statement a call is waiting on, while it is
        self.lock_timeouts = 0  # statements that gave up waiting for the write lock
        self.commits = 0  # transactions this session committed (a COMMIT with nothing open is not one)
        self._statements = 0
        self._pooled: sqlite3.Connection | None = db.pool.take()

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

    def _alive(self) -> None:
        if self._killed:
            raise asyncio.CancelledError("the consumer process that owned this session is gone")

    def report(self, action: str, **args: str) -> None:
        """With ``trace_as``: put what a statement did in the trace, in the handler's lane."""
        if self._label is None:
            return
        world = self.db.world
        fields = (("by", self.by), ("msg_id", self._label), *args.items())
        world.emit(AppEvent(at_ms=world.now_ms, system=self.db.name, action=action, args=fields))

    def _count(self, sql: str) -> int:
        """Count the statement, let the hook act on it; return how long to hold first (ms)."""
        self._alive()
        self._statements += 1
        if self._hook is not None:
            return self._hook(self._statements, sql) or 0
        return 0

    async def before(self, sql: str) -> None:
        """Count a statement (or a command), let the hooks act on it, and hold if told to."""
        held = self._count(sql)
        if held:
            await asyncio.sleep(held / 1000)

    def after(self, sql: str) -> None:
        """The statement counted last has run; the hook may make its reply go missing."""
        if self._after_hook is not None:
            self._after_hook(self._statements, sql)

    def _run(self, sql: str, params: Sequence[Any]) -> Result:
        conn = self._conn
        had = conn.in_transaction
        try:
            cur = conn.execute(sql, params)
            result = Result(cur.fetchall(), cur.rowcount, cur.lastrowid)
        except sqlite3.IntegrityError as exc:
            world = self.db.world
            about = (("msg_id", self._label),) if self._label is not None else ()
            world.emit(
                AppEvent(
                    at_ms=world.now_ms, system=self.db.name, action="db_constraint", args=(("error", str(exc)), *about)
                )
            )
            self.report("db_failed", statement=statement_head(sql), error=str(exc))
            raise
        except sqlite3.Error as exc:
            if "locked" not in str(exc):  # a lock wait is not a failure yet: the caller waits
                self.report("db_failed", statement=statement_head(sql), error=str(exc))
            raise
        else:
            self._report_statement(sql, cur.description is not None, result)
            return result
        finally:
            if had and not conn.in_transaction:  # a COMMIT or ROLLBACK written as SQL
                self.db.write_lock.released()

    def _report_statement(self, sql: str, read: bool, result: Result) -> None:
        head = statement_head(sql)
        if read:
            self.report("db_read", statement=head, rows=str(len(result.rows)))
        elif head.split()[0] in ("INSERT", "UPDATE", "DELETE"):
            self.report("db_write", statement=head, changed=str(max(result.rowcount, 0)))
        else:
            self.report("db_statement", statement=head)

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        """Run one statement after the database's latency; wait while it is locked."""
        self._alive()
        self.waiting = statement_head(sql)
        try:
            await asyncio.sleep(self.db.latency_ms / 1000)
            await self.before(sql)
            result = await self._run_waiting_for_lock(sql, params)
        finally:
            self.waiting = None
        self.after(sql)
        return result

    async def _run_waiting_for_lock(self, sql: str, params: Sequence[Any]) -> Result:
        begin = self.now_ms
        while True:
            try:
                return self._run(sql, params)
            except sqlite3.OperationalError as exc:
                waited = self.now_ms - begin
                if "locked" not in str(exc):
                    raise
                if waited >= BUSY_TIMEOUT_MS:
                    self.lock_timeouts += 1
                    self.report("db_failed", statement=statement_head(sql), error=str(exc))
                    raise
                await self.db.write_lock.wait(self.db.world.loop, BUSY_TIMEOUT_MS - waited)

    async def commit(self) -> None:
        self._alive()
        self.waiting = "COMMIT"
        try:
            await asyncio.sleep(self.db.latency_ms / 1000)
            await self.before("COMMIT")
        finally:
            self.waiting = None
        if self._conn.in_transaction:
            self.commits += 1
        self._end(self._conn.commit)
        self.report("db_commit")
        self.db.report_effects(self.by)
        self.after("COMMIT")

    async def rollback(self) -> None:
        self._alive()
        await asyncio.sleep(self.db.latency_ms / 1000)
        self._end(self._conn.rollback)

    def _end(self, how: Callable[[], None]) -> None:
        """Commit or roll back; if that ended a transaction, its lock is free now."""
        had = self._conn.in_transaction
        how()
        if had:
            self.db.write_lock.released()

    def kill(self) -> None:
        """The owner's process died: roll back, close, and refuse every later call."""
        self._killed = True
        self.close()

    def close(self) -> None:
        """Roll back whatever is still open (a dropped connection) and close."""
        conn, self._pooled = self._pooled, None
        if conn is None:
            return
        if conn.in_transaction:
            conn.rollback()
            world = self.db.world
            world.emit(
                AppEvent(at_ms=world.now_ms, system=self.db.name, action="db_rolled_back", args=(("by", self.by),))
            )
            self.db.write_lock.released()
        self.db.pool.give(conn)


_HEAD = re.compile(
    r"\s*(?:(INSERT)(?:\s+OR\s+\w+)?\s+INTO|(UPDATE)(?:\s+OR\s+\w+)?|(DELETE)\s+FROM|(SELECT)\b.*?\bFROM)\s+([\w.\"]+)",
    re.IGNORECASE | re.DOTALL,
)


def statement_head(sql: str) -> str:
    """What a statement does, in two words: ``SELECT coupons``, ``INSERT coupons``, ``COMMIT``."""
    match = _HEAD.match(sql)
    if match is not None:
        verb = next(g for g in match.groups()[:4] if g)
        return f"{verb.upper()} {match.group(5).strip(chr(34))}"
    words = sql.split()
    return words[0].upper() if words else "?"
