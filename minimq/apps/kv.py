"""A Redis-like key-value store on the virtual clock, for designs that dedupe in Redis.

Owns: ``KeyValueStore``. It is an external service: it survives consumer restarts and
crashes (only its TTLs end entries), and every command is an ``await`` that costs
``latency_ms`` of virtual time, so a crash can fall between "issue the coupon" and "mark
it done". Commands follow Redis: ``SET key value [NX] [PX ms | EX s]`` returns True when
it wrote, ``GET`` returns the value or None, ``DEL`` returns the number removed, and an
expired key is gone exactly at its deadline.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from minimq.errors import ValidationError

if TYPE_CHECKING:
    from minimq.world import World


class KeyValueStore:
    """One Redis instance shared by every consumer of a world."""

    def __init__(self, world: World, latency_ms: int = 1) -> None:
        self._world = world
        self.latency_ms = latency_ms
        self._data: dict[str, tuple[str, int | None]] = {}  # key -> (value, deadline ms)

    async def _round_trip(self) -> None:
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)

    def _live(self, key: str) -> str | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        value, deadline = entry
        if deadline is not None and self._world.now_ms >= deadline:
            del self._data[key]
            return None
        return value

    async def get(self, key: str) -> str | None:
        await self._round_trip()
        return self._live(key)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def set(
        self, key: str, value: str, *, nx: bool = False, px: int | None = None, ex: int | None = None
    ) -> bool:
        """``SET``; with ``nx`` only if absent. ``px``/``ex``: time to live in ms / s."""
        if px is not None and ex is not None:
            raise ValidationError("SET takes PX or EX, not both", (px, ex))
        ttl = px if px is not None else (ex * 1000 if ex is not None else None)
        if ttl is not None and ttl <= 0:
            raise ValidationError("a TTL must be positive", ttl)
        await self._round_trip()
        if nx and self._live(key) is not None:
            return False
        self._data[key] = (str(value), None if ttl is None else self._world.now_ms + ttl)
        return True

    async def delete(self, *keys: str) -> int:
        await self._round_trip()
        removed = 0
        for key in keys:
            if self._live(key) is not None:
                del self._data[key]
                removed += 1
        return removed

    def ttl_ms(self, key: str) -> int | None:
        """Milliseconds left for ``key`` (None: no key or no TTL); no round trip."""
        if self._live(key) is None:
            return None
        deadline = self._data[key][1]
        return None if deadline is None else deadline - self._world.now_ms
