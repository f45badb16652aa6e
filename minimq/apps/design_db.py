"""What a design sees as ``db``: the contract's handle on the coupon database.

Owns: ``DesignDB`` (for ``async def handle``), its Redis view, and ``DesignHandle``,
what both kinds of ``db`` share (the kind for a plain ``def handle`` is
``minimq.apps.design_db_sync``: it needs greenlet, which only the test extra installs).
Each wraps one ``minimq.apps.session.Session`` and shows the design the contract and
nothing else: ``execute(sql, params)``, ``commit()``, ``rollback()``,
``in_transaction``, ``now_ms`` and ``redis`` (``get``, ``exists``, ``set(key, value,
nx=, px=, ex=)``, ``delete``, ``ttl_ms``). The checker's own bookkeeping (the database
object, its audit of committed coupons) is not reachable through it, and the database
refuses SQL that touches the audit (``Database.audit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minimq.apps.session import Result, Session


class DesignHandle:
    """What both kinds of ``db`` share: the session, and what reads it without waiting."""

    __slots__ = ("__session", "redis")

    def __init__(self, session: Session) -> None:
        self.__session = session

    @property
    def _session(self) -> Session:
        return self.__session

    @property
    def in_transaction(self) -> bool:
        return self.__session.in_transaction

    @property
    def now_ms(self) -> int:
        """The virtual time, in milliseconds."""
        return self.__session.now_ms

    def ttl_ms(self, key: str) -> int | None:
        """(on ``db.redis``) Milliseconds left for ``key``, None without a key or a TTL."""
        ttl: int | None = self._redis().ttl_ms(key)
        return ttl

    def _redis(self) -> Any:
        return self.__session.redis


class DesignDB(DesignHandle):
    """``db`` for ``async def handle(msg, db)``."""

    __slots__ = ()

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.redis = DesignRedis(session) if session.redis is not None else None

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        return await self._session.execute(sql, params)

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


class DesignRedis(DesignHandle):
    """``db.redis`` for an ``async def`` handler: a Redis-like store on the virtual clock."""

    __slots__ = ()

    async def get(self, key: str) -> str | None:
        value: str | None = await self._redis().get(key)
        return value

    async def exists(self, key: str) -> bool:
        return bool(await self._redis().exists(key))

    async def set(
        self, key: str, value: str, *, nx: bool = False, px: int | None = None, ex: int | None = None
    ) -> bool:
        return bool(await self._redis().set(key, value, nx=nx, px=px, ex=ex))

    async def delete(self, *keys: str) -> int:
        return int(await self._redis().delete(*keys))
