"""What a plain ``def handle`` sees as ``db``: the contract's calls, without ``await``.

Owns: ``SyncDesignDB`` and its Redis view. They make the same calls as ``DesignDB``
(``minimq.apps.design_db``); each one waits on the simulation through
``greenlets.wait_for``, so a plain ``def`` handler has a switch point at every
statement, commit and Redis command, exactly where an ``async def`` handler has its
``await``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minimq.apps.design_db import DesignHandle
from minimq.apps.greenlets import wait_for
from minimq.apps.session import Result, Session


class SyncDesignDB(DesignHandle):
    """``db`` for a plain ``def handle(msg, db)``: the same calls, without ``await``."""

    __slots__ = ()

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.redis = SyncDesignRedis(session) if session.redis is not None else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        result: Result = wait_for(self._session.execute(sql, params))
        return result

    def commit(self) -> None:
        wait_for(self._session.commit())

    def rollback(self) -> None:
        wait_for(self._session.rollback())


class SyncDesignRedis(DesignHandle):
    """``db.redis`` for a plain ``def`` handler: the same commands, without ``await``."""

    __slots__ = ()

    def get(self, key: str) -> str | None:
        value: str | None = wait_for(self._redis().get(key))
        return value

    def exists(self, key: str) -> bool:
        return bool(wait_for(self._redis().exists(key)))

    def set(self, key: str, value: str, *, nx: bool = False, px: int | None = None, ex: int | None = None) -> bool:
        return bool(wait_for(self._redis().set(key, value, nx=nx, px=px, ex=ex)))

    def delete(self, *keys: str) -> int:
        return int(wait_for(self._redis().delete(*keys)))
