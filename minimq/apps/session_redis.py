"""A session's view of the Redis store: every command is a statement of the session.

Owns: ``SessionRedis``. Each command to ``db.redis`` is counted with the SQL statements of
the same handler call, so the fault plan can crash the consumer before it, make it fail,
hold the handler there, or lose its reply after it ran (``Session.before``/``after``);
and, on a traced session, it is reported in the handler's lane with its result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from minimq.apps.kv import KeyValueStore
    from minimq.apps.session import Session

T = TypeVar("T")


class SessionRedis:
    """The session's view of the Redis store: every command is also a point where the
    fault plan may crash the consumer (counted with the SQL statements)."""

    def __init__(self, store: KeyValueStore, session: Session) -> None:
        self._store = store
        self._session = session

    async def _command(self, command: str, run: Awaitable[T], shown: Callable[[T], str]) -> T:
        session = self._session
        session.waiting = f"REDIS {command}"
        try:
            await session.before(f"REDIS {command}")
        except BaseException:
            session.waiting = None
            _discard(run)
            raise
        try:
            value = await run
        finally:
            session.waiting = None
        session.report("redis_command", command=command, result=shown(value))
        session.after(f"REDIS {command}")
        return value

    async def get(self, key: str) -> str | None:
        return await self._command(f"GET {key}", self._store.get(key), lambda v: "nil" if v is None else repr(v))

    async def exists(self, key: str) -> bool:
        return await self._command(f"EXISTS {key}", self._store.exists(key), lambda v: str(int(v)))

    async def set(
        self, key: str, value: str, *, nx: bool = False, px: int | None = None, ex: int | None = None
    ) -> bool:
        options = "".join(f" {name} {n}" for name, n in (("PX", px), ("EX", ex)) if n is not None)
        command = f"SET {key}{' NX' if nx else ''}{options}"
        return await self._command(command, self._store.set(key, value, nx=nx, px=px, ex=ex), _ok)

    async def delete(self, *keys: str) -> int:
        return await self._command(f"DEL {' '.join(keys)}", self._store.delete(*keys), str)

    def ttl_ms(self, key: str) -> int | None:
        return self._store.ttl_ms(key)


def _ok(done: bool) -> str:
    return "OK" if done else "nil"


def _discard(awaitable: Awaitable[Any]) -> None:
    """A command that never ran: close its coroutine (no "never awaited" warning)."""
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()
