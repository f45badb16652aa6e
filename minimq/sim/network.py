"""The simulated network between clients and the brokers.

Owns: the endpoints a request can be sent to, by name (``register``, ``route``),
request/reply and oneway delivery, their latency and the faults that hit them. A client
holds a broker's *name*, never the broker object: the name is resolved when the request
arrives, so a broker that restarts, or a name that fails over to another broker, is what
the next request reaches. ``route(name)`` is the synchronous lookup a client makes of a
broker's topic routes (what RocketMQ's name server answers; minimq has no name server).
Mirrors what RocketMQ's ``NettyRemotingClient`` lets happen, shown in lesson 2:
- A request costs ``latency_ms`` each way (default 1 ms).
- While the broker is unreachable (``FaultPlan.broker_outage``) a request fails at once
  with ``RemotingConnectError`` and a oneway request is silently dropped.
- A reply can be lost *after* the broker acted (``lose_send_reply``): either the caller
  waits its whole budget and gets ``RemotingTimeoutError``, or the channel closes at
  once and it gets ``RemotingSendRequestError``. The broker's work is not undone.
- Oneway requests (offset persists, unlocks) get no reply, so their loss is unseen.
- An endpoint whose process died (``take_down``, a broker crash) is unreachable like one
  in an outage until it is back (``bring_up``); a oneway request still on the wire when
  it dies is lost with its connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from minimq.errors import MinimqError, RemotingConnectError, RemotingSendRequestError, RemotingTimeoutError
from minimq.sim.faults import ReplyLoss

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

T = TypeVar("T")


def _set_result_unless_cancelled(fut: asyncio.Future[None]) -> None:
    if not fut.cancelled():
        fut.set_result(None)


def _fail_unless_cancelled(fut: asyncio.Future[None], error: Exception) -> None:
    if not fut.cancelled():
        fut.set_exception(error)


class UnknownEndpoint(MinimqError, LookupError):
    """A request was addressed to a name no endpoint is registered under."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(f"no broker named {name!r} on the network (known: {', '.join(known) or 'none'})")


class Network:
    """Carries requests from clients to the endpoints (brokers) registered on it."""

    def __init__(self, world: Simulation, latency_ms: int = 1) -> None:
        if latency_ms < 0:
            raise ValueError(f"network latency must be >= 0 ms, got {latency_ms}")
        self._world = world
        self.latency_ms = latency_ms
        self._endpoints: dict[str, Any] = {}
        self._down: set[str] = set()  # endpoints whose process is dead (a crashed broker)

    def register(self, name: str, endpoint: object) -> None:
        """Requests to ``name`` reach ``endpoint`` from now on (a new broker, a restarted one)."""
        self._endpoints[name] = endpoint

    def take_down(self, name: str) -> None:
        """The process behind ``name`` died: it is unreachable until ``bring_up``."""
        self._down.add(name)

    def bring_up(self, name: str) -> None:
        """The process behind ``name`` runs again."""
        self._down.discard(name)

    def is_down(self, name: str) -> bool:
        return name in self._down

    def route(self, name: str) -> Any:
        """The endpoint ``name`` stands for now (a route lookup: no time, no fault)."""
        endpoint = self._endpoints.get(name)
        if endpoint is None:
            raise UnknownEndpoint(name, sorted(self._endpoints))
        return endpoint

    def _on_the_wire(self) -> asyncio.Future[None]:
        """One way across the network: a future the loop resolves ``latency_ms`` from now.

        Awaited directly by ``call``/``call_async`` (no coroutine of its own: a pull waits
        on the wire twice per round trip, so every frame counts). If the caller is
        cancelled meanwhile, the future is cancelled and the timer finds it so."""
        loop = self._world.loop
        fut = loop.create_future()
        loop.call_at(loop.time() + self.latency_ms / 1000, _set_result_unless_cancelled, fut)
        return fut

    def _check_reachable(self, what: str, to: str) -> None:
        faults = self._world.faults
        if faults.outages and faults.broker_down(self._world.now_ms):
            raise RemotingConnectError(f"connect to broker failed: broker unreachable ({what})")
        if self._down and to in self._down:
            raise RemotingConnectError(f"connect to {to} failed: connection refused, the broker is down ({what})")

    async def call(
        self,
        to: str,
        handler: Callable[[Any], T],
        *,
        what: str,
        timeout_ms: int,
        reply_loss: Callable[[T], ReplyLoss | None] | None = None,
    ) -> T:
        """Send a request to ``to``, let it handle it at once (``handler(endpoint)``), and
        bring its reply back. It must be reachable both when the request leaves and when
        it arrives."""
        begin = self._world.now_ms
        if self._world.faults.outages or self._down:  # ``_check_reachable``: nothing to check most of the time
            self._check_reachable(what, to)
        if self.latency_ms:
            await self._on_the_wire()
        if self._world.faults.outages or self._down:  # ``_check_reachable``: nothing to check most of the time
            self._check_reachable(what, to)
        try:
            endpoint = self._endpoints[to]  # ``route``, inlined: every request comes this way
        except KeyError:
            raise UnknownEndpoint(to, sorted(self._endpoints)) from None
        result = handler(endpoint)
        await self._reply(result, begin, what, timeout_ms, reply_loss)
        return result

    async def call_async(
        self,
        to: str,
        handler: Callable[[Any], Awaitable[T]],
        *,
        what: str,
        timeout_ms: int,
        reply_loss: Callable[[T], ReplyLoss | None] | None = None,
    ) -> T:
        """``call`` for a handler that may wait (a held pull); the same steps."""
        begin = self._world.now_ms
        if self._world.faults.outages or self._down:  # ``_check_reachable``: nothing to check most of the time
            self._check_reachable(what, to)
        if self.latency_ms:
            await self._on_the_wire()
        if self._world.faults.outages or self._down:  # ``_check_reachable``: nothing to check most of the time
            self._check_reachable(what, to)
        try:
            endpoint = self._endpoints[to]
        except KeyError:
            raise UnknownEndpoint(to, sorted(self._endpoints)) from None
        result = await handler(endpoint)
        await self._reply(result, begin, what, timeout_ms, reply_loss)
        return result

    def _reply(
        self,
        result: T,
        begin: int,
        what: str,
        timeout_ms: int,
        reply_loss: Callable[[T], ReplyLoss | None] | None,
    ) -> asyncio.Future[None]:
        """The way back: a future that the loop resolves when the reply arrives, or fails
        when it is lost (at the end of the caller's budget on a timeout, one latency later
        when the channel closes)."""
        loop, now = self._world.loop, self._world.now_ms
        loss = reply_loss(result) if reply_loss is not None else None
        if loss is None:
            if self.latency_ms:
                return self._on_the_wire()
            done: asyncio.Future[None] = loop.create_future()
            done.set_result(None)
            return done
        lost: asyncio.Future[None] = loop.create_future()
        if loss is ReplyLoss.TIMEOUT:
            error: Exception = RemotingTimeoutError(f"wait response on the channel timeout, {timeout_ms}(ms) ({what})")
            at = max(begin + timeout_ms, now)
        else:
            error = RemotingSendRequestError(f"channel closed before the reply ({what})")
            at = now + self.latency_ms
        loop.call_at(at / 1000, _fail_unless_cancelled, lost, error)
        return lost

    def oneway(self, to: str, handler: Callable[[Any], object], *, what: str, lost: bool = False) -> bool:
        """Send a request with no reply to ``to``; return False if it was dropped on the way."""
        return self.oneway_all(to, [(handler, lost)], what=what)[0]

    def oneway_all(self, to: str, requests: Sequence[tuple[Callable[[Any], object], bool]], *, what: str) -> list[bool]:
        """Send oneway requests to ``to`` back to back (``handler``, ``lost``); they arrive
        together, in order, one latency later. Return, per request, False if it was dropped."""
        if self._world.faults.broker_down(self._world.now_ms) or to in self._down:
            return [False] * len(requests)
        sent = [handler for handler, lost in requests if not lost]
        if sent and self.latency_ms:
            self._world.loop.call_later(self.latency_ms / 1000, self._arrive_all, to, sent)
        else:
            self._arrive_all(to, sent)
        return [not lost for _, lost in requests]

    def push(self, channel: Callable[[], object], *, what: str) -> bool:
        """A oneway request from a broker down one client's channel (the connection the
        client registered through, not a name); dropped while the broker is unreachable."""
        if self._world.faults.broker_down(self._world.now_ms):
            return False
        if self.latency_ms:
            self._world.loop.call_later(self.latency_ms / 1000, channel)
        else:
            channel()
        return True

    def _arrive_all(self, to: str, handlers: list[Callable[[Any], object]]) -> None:
        if self._down and to in self._down:  # it died meanwhile: the connection went with it
            return
        endpoint = self.route(to)
        for handler in handlers:
            handler(endpoint)
