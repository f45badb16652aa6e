"""The coupon system on RocketMQ 5.x's SimpleConsumer: receive, issue the coupon, ack.

Owns: ``PopCoupon`` (the deploy's settings) and ``PopCouponSystem``, the coupon system
of lesson 13 (pop-invisible-time, path P17). Each process (``coupon-1``, ``coupon-2``) is
a ``SimpleConsumer`` of group ``coupon-system`` on topic ``order-paid`` running the loop
the 5.x client's samples show: ``receive(batch, invisible duration)``, then for each
message the design's ``handle`` (through ``minimq.apps.coupons.StoryRunner``: a session
per call, the marketing lookup, a wallet lock to wait for), then ``ack`` if it answered
``CONSUME_SUCCESS``. A message whose call failed is not acked: it comes back when its
invisible duration is over. An ack refused because the handle expired
(``InvalidReceiptHandle``, ``AckRejected`` in the trace) is only logged: the coupon is
issued, and the message is, or will be, delivered again.

The processes share every queue (POP has no rebalance): a receive already waiting when
"order paid" is stored is woken, one per group, the one whose wait ends first.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.apps.incident import COUPON_GROUP, TOPIC
from minimq.errors import InvalidReceiptHandle
from minimq.model import ConsumeStatus
from minimq.runtime.listener import invoke

if TYPE_CHECKING:
    from minimq.apps.coupons import StoryRunner
    from minimq.runtime.simple_consumer import MessageView, SimpleConsumer
    from minimq.world import World


@dataclass(frozen=True, slots=True, kw_only=True)
class PopCoupon:
    """The coupon deploy on POP: the invisible duration each receive asks for, the batch,
    and the await duration of an empty receive."""

    invisible_ms: int = 30_000
    batch: int = 16
    await_ms: int = 20_000


class PopCouponSystem:
    """The coupon group as SimpleConsumers, one per process, each running the design."""

    def __init__(self, world: World, runner: StoryRunner, settings: PopCoupon) -> None:
        self.world = world
        self.runner = runner
        self.settings = settings
        self.consumers: dict[str, SimpleConsumer] = {}

    def start(self, client: str) -> None:
        """Start ``client``'s process with the design loaded afresh."""
        if client in self.consumers and self.consumers[client].running:
            return
        self.runner.load(client)
        consumer = self.world.simple_consumer(
            COUPON_GROUP, TOPIC, name=client, await_duration_ms=self.settings.await_ms
        )
        self.consumers[client] = consumer
        consumer.start()
        self.world.spawn(self._loop(client, consumer), f"{client}-loop")

    async def _loop(self, client: str, consumer: SimpleConsumer) -> None:
        listener = self.runner.handler(client)
        while consumer.running:
            for view in await consumer.receive(self.settings.batch, self.settings.invisible_ms):
                status, _note = await invoke(listener, view.message, orderly=False)
                if status == ConsumeStatus.SUCCESS.value:
                    await self._ack(consumer, view)

    async def _ack(self, consumer: SimpleConsumer, view: MessageView) -> None:
        """Ack ``view``; a refusal (the handle expired) is the application's log line, and
        the trace's ``AckRejected``: the coupon stays issued."""
        with contextlib.suppress(InvalidReceiptHandle):
            await consumer.ack(view)
