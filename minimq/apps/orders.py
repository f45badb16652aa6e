"""The order system's "never lose a message" loop: send "order paid", and on an error
send it again.

Owns: ``OrderSender``, the one send-with-retry loop of the coupon incident (path B, a
lost reply). ``send()`` raises when the producer gives up on an attempt (its own
``retryTimesWhenSendFailed`` included): the request timed out after the broker stored
the message, or failed. The application cannot tell "not stored" from "stored, reply
lost", so it sends again, up to ``SEND_ATTEMPTS`` times in all, either:
- the same ``Message`` object (``resend="same"``): RocketMQ keeps the msg id it gave it,
  so the broker ends up with two copies under one msg id; or
- a new ``Message`` with the same body (``resend="new"``): a new msg id, so deduplicating
  by msg id cannot see the copy.
Either way the broker may now hold the message twice.
``ordered``: each send picks the queue by the order id (``SelectMessageQueueByHash``), as
a producer must for an orderly consumer: every message of one order in one queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from minimq.apps.incident import ORDER_GROUP, order_paid
from minimq.errors import SendFailedError, SendTimeoutError
from minimq.model import SendResult
from minimq.runtime.producer import select_by_hash
from minimq.world import World

SEND_ATTEMPTS = 3
Resend = Literal["same", "new"]
Report = Callable[[int, "SendResult | Exception"], None]  # (attempt, its result or error)


class OrderSender:
    """The order system's producer (group ``order-system``) and its retry loop."""

    def __init__(self, world: World, *, resend: Resend = "same", ordered: bool = False) -> None:
        self.producer = world.producer(ORDER_GROUP)
        self.resend = resend
        self.ordered = ordered
        self.sending = 0  # send loops still running

    async def send_order_paid(
        self, order: str, user: str, *, resend: Resend | None = None, report: Report | None = None
    ) -> SendResult | None:
        """Send "order paid" for ``order``, again after each error (``report`` is told
        each attempt's result or error); the result of the attempt that got a reply, or
        None when every attempt raised."""
        how = resend or self.resend
        msg = order_paid(order, user)
        self.sending += 1
        try:
            for attempt in range(1, SEND_ATTEMPTS + 1):
                try:
                    if self.ordered:
                        result = await self.producer.send(msg, selector=select_by_hash, arg=order)
                    else:
                        result = await self.producer.send(msg)
                except (SendTimeoutError, SendFailedError) as exc:
                    if report is not None:
                        report(attempt, exc)
                    if how == "new":
                        msg = order_paid(order, user)
                    continue
                if report is not None:
                    report(attempt, result)
                return result
            return None
        finally:
            self.sending -= 1
