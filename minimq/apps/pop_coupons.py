"""The coupon system on RocketMQ 5.x's SimpleConsumer: receive, issue the coupon, ack.

Owns: ``PopCoupon`` (the deploy's settings) and ``PopCouponSystem``, the coupon system
of lesson 12 (pop-invisible-time, path P17) and of ``minimq check``'s path ``pop``. Each
process (``coupon-1``, ``coupon-2``; ``c1``, ``c2`` in the lab) is a ``SimpleConsumer``
of group ``coupon-system`` on topic ``order-paid`` running the loop the 5.x client's
samples show: ``receive(batch, invisible duration)``, then for each message, one after
the other, the design's ``handle`` (through a ``DesignRunner``: the lessons'
``StoryRunner``, with a session per call, the marketing lookup and a wallet lock to
wait for, or the lab's ``DesignCalls``), then ``ack`` if it answered
``CONSUME_SUCCESS``. A message whose call failed is not acked: it comes back when its
invisible duration is over. An ack refused because the handle expired
(``InvalidReceiptHandle``, ``AckRejected`` in the trace) is only logged: the coupon is
issued, and the message is, or will be, delivered again.

The processes share every queue (POP has no rebalance): a receive already waiting when
"order paid" is stored is woken, one per group, the one whose wait ends first.

A process can die (``crash``: ``kill -9``, or the fault plan's ``CrashPoint`` of a
message: before the handler, inside it, after it returned and before the ack, and
``AFTER_LOCAL_COMMIT``, which has no POP counterpart, right after the ack) or be shut
down (``shutdown``); either way its loop stops at once, the call in progress with it,
and whatever it popped and did not ack comes back after its invisible duration. A
``SlowHandler`` fault holds a message before its call. ``report`` (optional) is told each
call's status, as a push consumer records ``MessageConsumed``: the lab of ``minimq check``
records it too; the lessons do not.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.apps.incident import COUPON_GROUP, TOPIC
from minimq.errors import InvalidReceiptHandle
from minimq.model import ConsumeStatus
from minimq.runtime.listener import invoke
from minimq.sim.faults import CrashPoint

if TYPE_CHECKING:
    from minimq.apps.coupons import DesignRunner, Listener
    from minimq.runtime.simple_consumer import MessageView, SimpleConsumer
    from minimq.world import World

Report = Callable[[str, "MessageView", str, str], None]  # (client, message, status, note)


@dataclass(frozen=True, slots=True, kw_only=True)
class PopCoupon:
    """The coupon deploy on POP: the invisible duration each receive asks for, the batch,
    and the await duration of an empty receive."""

    invisible_ms: int = 30_000
    batch: int = 16
    await_ms: int = 20_000


class PopCouponSystem:
    """The coupon group as SimpleConsumers, one per process, each running the design."""

    def __init__(self, world: World, runner: DesignRunner, settings: PopCoupon, *, report: Report | None = None):
        self.world = world
        self.runner = runner
        self.settings = settings
        self.report = report
        self.consumers: dict[str, SimpleConsumer] = {}  # each process's current consumer
        self._loops: dict[str, asyncio.Task[None]] = {}

    def start(self, client: str) -> None:
        """Start ``client``'s process with the design loaded afresh, unless it runs already
        (a SimpleConsumer cannot start twice: each process start makes a new one)."""
        if client in self.consumers and self.consumers[client].running:
            return
        if self.runner.load(client) is False:  # the design cannot start (the lab's DesignCalls says why)
            return
        consumer = self.world.simple_consumer(
            COUPON_GROUP, TOPIC, name=client, await_duration_ms=self.settings.await_ms
        )
        self.consumers[client] = consumer
        consumer.start()
        self._loops[client] = self.world.spawn(self._loop(client, consumer), f"{client}-loop")

    def crash(self, client: str, point: CrashPoint | str = "now") -> None:
        """``client``'s process dies now: its loop stops, the call in progress with it."""
        consumer = self.consumers.get(client)
        if consumer is not None and consumer.running:
            consumer.crash(str(getattr(point, "value", point)))
            self._stop(client)

    def shutdown(self, client: str) -> None:
        """``client``'s process closes its consumer and stops its loop at once."""
        consumer = self.consumers.get(client)
        if consumer is not None and consumer.running:
            consumer.shutdown()
            self._stop(client)

    def _stop(self, client: str) -> None:
        task = self._loops.pop(client, None)
        if task is not None and task is not asyncio.current_task(self.world.loop):
            task.cancel()

    async def _loop(self, client: str, consumer: SimpleConsumer) -> None:
        listener = self.runner.handler(client)
        while consumer.running:
            for view in await consumer.receive(self.settings.batch, self.settings.invisible_ms):
                await self._consume(client, consumer, listener, view)

    async def _consume(self, client: str, consumer: SimpleConsumer, listener: Listener, view: MessageView) -> None:
        """One message: the handler, then the ack on ``CONSUME_SUCCESS``; the fault plan's
        crash points and hold around it."""
        world, msg = self.world, view.message
        self._crash_at(client, CrashPoint.BEFORE_HANDLER, view)
        extra = world.faults.extra_delay(COUPON_GROUP, msg)
        if extra:
            await asyncio.sleep(extra / 1000)
        if world.faults.crash_at(client, CrashPoint.IN_HANDLER, msg):
            world.loop.call_soon(self.crash, client, CrashPoint.IN_HANDLER)
        status, note = await invoke(listener, msg, orderly=False)
        if self.report is not None:
            self.report(client, view, status, note)
        self._crash_at(client, CrashPoint.AFTER_HANDLER, view)
        if status == ConsumeStatus.SUCCESS.value:
            await self._ack(consumer, view)
            self._crash_at(client, CrashPoint.AFTER_LOCAL_COMMIT, view)

    def _crash_at(self, client: str, point: CrashPoint, view: MessageView) -> None:
        if self.world.faults.crash_at(client, point, view.message):
            self.crash(client, point)
            raise asyncio.CancelledError

    async def _ack(self, consumer: SimpleConsumer, view: MessageView) -> None:
        """Ack ``view``; a refusal (the handle expired) is the application's log line, and
        the trace's ``AckRejected``: the coupon stays issued."""
        with contextlib.suppress(InvalidReceiptHandle):
            await consumer.ack(view)
