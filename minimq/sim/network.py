"""The simulated network between clients and the broker.

Owns: request/reply and oneway delivery, their latency and the faults that hit them.
Mirrors what RocketMQ's ``NettyRemotingClient`` lets happen, shown in lesson 2:
- A request costs ``latency_ms`` each way (default 1 ms).
- While the broker is unreachable (``FaultPlan.broker_outage``) a request fails at once
  with ``RemotingConnectError`` and a oneway request is silently dropped.
- A reply can be lost *after* the broker acted (``lose_send_reply``): either the caller
  waits its whole budget and gets ``RemotingTimeoutError``, or the channel closes at
  once and it gets ``RemotingSendRequestError``. The broker's work is not undone.
- Oneway requests (offset persists, unlocks) get no reply, so their loss is unseen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from minimq.errors import RemotingConnectError, RemotingSendRequestError, RemotingTimeoutError
from minimq.sim.faults import ReplyLoss

if TYPE_CHECKING:
    from minimq.sim.world import World

T = TypeVar("T")


class Network:
    """Carries requests from clients to the one broker of a world."""

    def __init__(self, world: World, latency_ms: int = 1) -> None:
        if latency_ms < 0:
            raise ValueError(f"network latency must be >= 0 ms, got {latency_ms}")
        self._world = world
        self.latency_ms = latency_ms

    async def _hop(self) -> None:
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)

    def _check_reachable(self, what: str) -> None:
        if self._world.faults.broker_down(self._world.now_ms):
            raise RemotingConnectError(f"connect to broker failed: broker unreachable ({what})")

    async def call(
        self,
        handler: Callable[[], T],
        *,
        what: str,
        timeout_ms: int,
        reply_loss: Callable[[T], ReplyLoss | None] | None = None,
    ) -> T:
        """Send a request, let the broker handle it at once, and bring its reply back."""

        async def run() -> T:
            return handler()

        return await self.call_async(run, what=what, timeout_ms=timeout_ms, reply_loss=reply_loss)

    async def call_async(
        self,
        handler: Callable[[], Awaitable[T]],
        *,
        what: str,
        timeout_ms: int,
        reply_loss: Callable[[T], ReplyLoss | None] | None = None,
    ) -> T:
        """Like ``call`` for a handler that may wait (a held pull)."""
        begin = self._world.now_ms
        self._check_reachable(what)
        await self._hop()
        self._check_reachable(what)
        result = await handler()
        loss = reply_loss(result) if reply_loss is not None else None
        if loss is ReplyLoss.TIMEOUT:
            left = max(timeout_ms - (self._world.now_ms - begin), 0)
            await asyncio.sleep(left / 1000)
            raise RemotingTimeoutError(f"wait response on the channel timeout, {timeout_ms}(ms) ({what})")
        await self._hop()
        if loss is ReplyLoss.FAST_FAIL:
            raise RemotingSendRequestError(f"channel closed before the reply ({what})")
        return result

    def oneway(self, handler: Callable[[], object], *, what: str, lost: bool = False) -> bool:
        """Send a request with no reply; return False if it was dropped on the way."""
        if lost or self._world.faults.broker_down(self._world.now_ms):
            return False
        if self.latency_ms:
            self._world.loop.call_later(self.latency_ms / 1000, handler)
        else:
            handler()
        return True
