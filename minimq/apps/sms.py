"""The SMS gateway the coupon system tells its users through ("your coupon has arrived").

Owns: ``SmsGateway`` (the company's notification service, as the coupon handler sees it),
its settings (``SmsSettings``) and ``SmsTimeout``, what the handler's SMS client raises.
Lesson 6 (partial failure, path P8) runs the shop with it; without it the coupon system
only spends ``notify_ms`` notifying the user (``minimq.apps.coupons``).

Rules, every one an event in the trace:
- The gateway hands the SMS to the carrier the moment a request arrives: an effect in
  ledger ``SMS`` keyed by the order (``EffectApplied``), so the checkers count a second
  SMS for one order as a duplicate effect, like a second coupon.
- It answers after ``answer_ms`` (300 ms, the story's notification time); the first
  ``slow`` requests are answered only after ``slow_answer_ms`` (a ``FaultInjected``
  ``slow_sms``). The handler's client waits ``timeout_ms`` (1000 ms) and then raises
  ``SmsTimeout``: a failure although the SMS went out, the ambiguous kind a retry doubles.
  A late answer that finds no one waiting is an ``sms_late_answer`` event.
- With ``keyed``, each request carries an idempotency key (the order id) and the gateway
  sends at most one SMS per key: a request whose key it has already sent is answered OK
  without sending (``sms_key_seen``). Keys are kept for ever (a real gateway keeps them
  for a while: a day, say).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimq.apps.incident import SMS_GATEWAY, SMS_LEDGER
from minimq.events import AppEvent, EffectApplied, FaultInjected

if TYPE_CHECKING:
    from minimq.world import World


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsSettings:
    """How the gateway behaves and how the coupon handler's SMS client calls it."""

    keyed: bool = False  # each request carries the order id as an idempotency key
    answer_ms: int = 300  # the gateway's usual answer time
    timeout_ms: int = 1000  # the handler's SMS client gives up after this long
    slow: int = 0  # how many requests, from the first, are answered late
    slow_answer_ms: int = 3000  # how late


@dataclass(frozen=True, slots=True, kw_only=True)
class SentSms:
    """One SMS the gateway handed to the carrier."""

    order: str
    user: str
    key: str  # "" without an idempotency key
    at_ms: int


class SmsTimeout(Exception):
    """The handler's SMS client heard nothing from the gateway in time."""


class SmsGateway:
    """The notification service: hands each SMS to the carrier, answers the caller."""

    def __init__(self, world: World, settings: SmsSettings) -> None:
        self.world = world
        self.settings = settings
        self.requests = 0
        self.sent_ms: dict[str, int] = {}  # idempotency key -> when its SMS went out
        self.log: list[SentSms] = []  # every SMS handed to the carrier, in order

    async def send(self, *, order: str, user: str, by: str, msg_id: str) -> None:
        """The coupon handler's SMS call for ``order``; raises ``SmsTimeout`` when the
        gateway does not answer within ``timeout_ms`` (the SMS may still have gone out)."""
        world, settings = self.world, self.settings
        key = order if settings.keyed else ""
        if key:
            self._say(by, "sms_keyed", msg_id=msg_id, user=user, order=order, key=key, ms=settings.timeout_ms)
        else:
            self._say(by, "sms", msg_id=msg_id, user=user, order=order, ms=settings.timeout_ms)
        request = world.spawn(self._handle(order=order, user=user, by=by, key=key), f"sms-{order}")
        try:
            await asyncio.wait_for(asyncio.shield(request), settings.timeout_ms / 1000)
        except TimeoutError:
            self._say(by, "sms_timeout", msg_id=msg_id, order=order, ms=settings.timeout_ms)
            raise SmsTimeout(f"no answer from the SMS gateway in {settings.timeout_ms} ms") from None

    async def _handle(self, *, order: str, user: str, by: str, key: str) -> None:
        """The gateway's side of one request."""
        world, settings = self.world, self.settings
        self.requests += 1
        if key and key in self.sent_ms:
            self._say(SMS_GATEWAY, "sms_key_seen", key=key, at_ms=self.sent_ms[key])
        else:
            if key:
                self.sent_ms[key] = world.now_ms
            self.log.append(SentSms(order=order, user=user, key=key, at_ms=world.now_ms))
            world.emit(EffectApplied(at_ms=world.now_ms, ledger=SMS_LEDGER, key=order, by=by, note=""))
        answer_ms = settings.answer_ms
        if self.requests <= settings.slow:
            answer_ms = settings.slow_answer_ms
            detail = f"answers the request for {order} after {answer_ms} ms"
            world.emit(FaultInjected(at_ms=world.now_ms, fault="slow_sms", target=SMS_GATEWAY, detail=detail))
        await asyncio.sleep(answer_ms / 1000)
        if answer_ms > settings.timeout_ms:
            self._say(SMS_GATEWAY, "sms_late_answer", order=order, late=answer_ms - settings.timeout_ms)

    def _say(self, system: str, action: str, **args: object) -> None:
        world = self.world
        values = tuple((k, str(v)) for k, v in args.items())
        world.emit(AppEvent(at_ms=world.now_ms, system=system, action=action, args=values))
