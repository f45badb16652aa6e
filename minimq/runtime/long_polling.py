"""Long polling: the pulls the broker holds while their queue has nothing new.

Owns: ``PullRequestHoldService``, RocketMQ's class of the same name as the broker's
``PullMessageProcessor`` uses it. Rules:
- A pull that finds nothing is suspended for at most its suspend timeout: 15 s, the
  ``BROKER_SUSPEND_MAX_TIME_MILLIS`` a push consumer sends (``longPollingEnable=true``).
- A message stored in that queue answers every pull held on it at once
  (``notifyMessageArriving``, called when the new message is dispatched).
- Otherwise a held pull is answered by the service's check, which runs every 5 s
  (``run``: ``waitForRunning(5 * 1000)``, then ``checkHoldRequest``): at the first check
  at which ``now >= suspendTimestamp + timeoutMillis``. So an idle queue's pull is
  answered after 15 to 20 s; once idle, the next pull arrives a moment after the check
  that answered the last one and waits until the check 20 s later.
- When the broker process dies, every held pull's connection closes: each fails at once
  (``fail_all``), and the client tries again later.

Simplifications: the check runs at exact multiples of 5 s of virtual time (the Java
thread drifts by the time each check takes), and it is only scheduled while a pull is
held, so that a world with nothing left to do still stops (``SimulationStalled``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from minimq.model import MessageQueue

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

CHECK_INTERVAL_MS = 5_000  # PullRequestHoldService.run: waitForRunning(5 * 1000)


def _answer(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class PullRequestHoldService:
    """The broker's held pulls, per queue, each with the time it must be answered by."""

    def __init__(self, world: Simulation) -> None:
        self._world = world
        self._held: dict[MessageQueue, list[tuple[asyncio.Future[None], int]]] = {}
        self._check: asyncio.TimerHandle | None = None

    def held(self) -> int:
        """Pulls held now, over every queue."""
        return sum(len(entries) for entries in self._held.values())

    async def hold(self, mq: MessageQueue, timeout_ms: int) -> None:
        """``suspendPullRequest``: return when a message arrives in ``mq``, or at the first
        check after ``timeout_ms`` have passed."""
        fut: asyncio.Future[None] = self._world.loop.create_future()
        entry = (fut, self._world.now_ms + timeout_ms)
        self._held.setdefault(mq, []).append(entry)
        if self._check is None:
            self._schedule_check()
        try:
            await fut
        finally:
            held = self._held.get(mq)
            if held and entry in held:  # the caller went away before an answer
                held.remove(entry)
                if not held:
                    del self._held[mq]

    def notify_arriving(self, mq: MessageQueue) -> None:
        """``notifyMessageArriving``: a message was stored in ``mq``."""
        held = self._held.pop(mq, None)
        if held:
            for fut, _ in held:
                _answer(fut)

    def fail_all(self, error: Exception) -> None:
        """The broker died: every held pull fails with ``error``; the check stops."""
        held, self._held = self._held, {}
        for entries in held.values():
            for fut, _ in entries:
                if not fut.done():
                    fut.set_exception(error)
        if self._check is not None:
            self._check.cancel()
            self._check = None

    def _schedule_check(self) -> None:
        now = self._world.now_ms
        next_check = (now // CHECK_INTERVAL_MS + 1) * CHECK_INTERVAL_MS
        self._check = self._world.call_later_ms(next_check - now, self._run_check)

    def _run_check(self) -> None:
        """``checkHoldRequest``: answer every held pull whose timeout has passed."""
        self._check = None
        now = self._world.now_ms
        for mq in list(self._held):
            waiting = []
            for fut, deadline in self._held[mq]:
                if now >= deadline:
                    _answer(fut)
                else:
                    waiting.append((fut, deadline))
            if waiting:
                self._held[mq] = waiting
            else:
                del self._held[mq]
        if self._held:
            self._schedule_check()
