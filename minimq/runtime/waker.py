"""A one-shot wake-up with a timeout: how a client thread 'waits or is notified'.

Owns: ``Waker``, the asyncio stand-in for ``ServiceThread.waitForRunning`` (RocketMQ's
rebalance service waits 20 s or until it is woken by a broker notification).
"""

from __future__ import annotations

import asyncio


class Waker:
    """Wait until woken or until a timeout; a wake with nobody waiting is remembered."""

    __slots__ = ("_fut", "_loop", "_pending")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._fut: asyncio.Future[None] | None = None
        self._pending = False

    async def wait(self, timeout_ms: int | None = None) -> None:
        if self._pending:
            self._pending = False
            return
        fut: asyncio.Future[None] = self._loop.create_future()
        self._fut = fut
        handle = None
        if timeout_ms is not None:
            handle = self._loop.call_later(timeout_ms / 1000, _resolve, fut)
        try:
            await fut
        finally:
            if handle is not None:
                handle.cancel()
            self._fut = None
            self._pending = False

    def wake(self) -> None:
        fut = self._fut
        if fut is not None and not fut.done():
            fut.set_result(None)
        else:
            self._pending = True


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
