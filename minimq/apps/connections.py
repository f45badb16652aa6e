"""A database's connections and its write lock, as the sessions see them.

Owns: ``ConnectionPool`` and ``WriteLock``. A session takes a connection from the pool
for one handler call and gives it back when it closes (as a server-side pool keeps it):
the next call does not pay for opening a file and parsing the schema again. Every new
connection runs without fsync (a simulation needs none) and under the database's
authorizer. SQLite lets one transaction write at a time; a writer that finds the
database locked waits on the ``WriteLock`` until a transaction ends (commit or
rollback), then tries again, as a row-lock wait would, or gives up after its timeout.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

Authorizer = Callable[[int, str | None, str | None, str | None, str | None], int]


class ConnectionPool:
    """Idle connections to one database file, and how many sessions hold one now."""

    def __init__(self, path: Path, authorizer: Authorizer) -> None:
        self.path = path
        self._authorizer = authorizer
        self._idle: list[sqlite3.Connection] = []  # no open transaction
        self.lent = 0

    def take(self) -> sqlite3.Connection:
        self.lent += 1
        if self._idle:
            return self._idle.pop()
        conn = sqlite3.connect(self.path, timeout=0)
        conn.execute("PRAGMA synchronous=OFF")  # a simulation needs no fsync
        conn.set_authorizer(self._authorizer)
        return conn

    def give(self, conn: sqlite3.Connection) -> None:
        self.lent -= 1
        self._idle.append(conn)

    def drop_temp_tables(self) -> None:
        """Close the idle connections that made TEMP tables (a reset must not carry them)."""
        for conn in list(self._idle):
            if conn.execute("SELECT 1 FROM temp.sqlite_master LIMIT 1").fetchone() is not None:
                self._idle.remove(conn)
                conn.close()

    def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()


class WriteLock:
    """The writers waiting for the database's write lock, woken when a transaction ends."""

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] = []

    def waiting(self) -> bool:
        return bool(self._waiters)

    async def wait(self, loop: asyncio.AbstractEventLoop, timeout_ms: int) -> None:
        """Wait until a transaction ends (``released``) or ``timeout_ms`` pass."""
        fut = loop.create_future()
        self._waiters.append(fut)
        timer = loop.call_later(timeout_ms / 1000, _wake, fut)
        try:
            await fut
        finally:
            timer.cancel()
            if fut in self._waiters:
                self._waiters.remove(fut)

    def released(self) -> None:
        """A write transaction committed or rolled back: every waiting writer tries again
        (in the order they came; the first one takes the lock, the others wait on)."""
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            _wake(fut)


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
