"""The demo scenario: one order paid, one send reply lost, two coupons.

Owns: the world of the quickstart demo, built with the public API only. It is the
coupon incident's path B (docs/story.md): the order system sends "order paid",
the broker stores it but the reply is lost, the order system's own retry loop sends the
same ``Message`` again, the broker now holds two copies with one msg id, and a coupon
system with no idempotency issues two coupons. The lessons (``minimq.lessons``) tell this
and the other paths step by step; this module is the engine's smoke test a learner can
run.

``run`` lets the simulated minute pass in one go, or in slices with a call between them
(``minimq demo --realtime`` prints what the trace gained and sleeps there, outside the
world). The order system's send loop is a task of the world either way, so the slices do
not change the run: the same seed gives the same trace, however the minute is cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP, RED_PACKET_CLIENT, RED_PACKET_GROUP, TOPIC
from minimq.apps.orders import OrderSender
from minimq.check import Report, check
from minimq.effects import EffectLedger
from minimq.model import ConsumeStatus, MessageExt, SendResult
from minimq.world import World

ORDER = "order-1001"
RUN_MS = 60_000  # the demo's simulated minute


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """One attempt of the order system's send loop: the reply it got, or the error send() raised."""

    attempt: int
    status: str | None = None  # SendStatus value (SEND_OK, ...) when a reply came
    queue_offset: int | None = None
    error: str | None = None  # the exception's class name when send() raised


@dataclass
class Demo:
    """A built demo world and what its systems did."""

    world: World
    coupons: list[tuple[str, str, int]] = field(default_factory=list)  # (order, msg id, at ms)
    red_packets: list[str] = field(default_factory=list)
    sends: list[SendOutcome] = field(default_factory=list)

    def report(self) -> Report:
        return check(self.world.trace)


def build(seed: int = 42) -> Demo:
    world = World(seed)
    demo = Demo(world)
    world.broker.create_topic(TOPIC)
    ledger = EffectLedger(world, "coupons")

    def issue_coupon(msg: MessageExt) -> ConsumeStatus:
        order = msg.keys[0]
        demo.coupons.append((order, msg.msg_id, world.now_ms))  # no idempotency check
        ledger.apply(order, by=COUPON_CLIENT, note=f"coupon #{len(demo.coupons)}")
        return ConsumeStatus.SUCCESS

    def pay_red_packet(msg: MessageExt) -> ConsumeStatus:
        demo.red_packets.append(msg.keys[0])
        return ConsumeStatus.SUCCESS

    world.push_consumer(COUPON_GROUP, TOPIC, issue_coupon, name=COUPON_CLIENT).start()
    world.push_consumer(RED_PACKET_GROUP, TOPIC, pay_red_packet, name=RED_PACKET_CLIENT).start()
    ledger.expect(ORDER)
    world.faults.lose_send_reply(key=ORDER, how="timeout")
    return demo


async def order_system_sends(demo: Demo) -> SendResult | None:
    """The order system's 'never lose a message' loop (``minimq.apps.orders``): on an
    error, send the same ``Message`` object again."""

    def log(attempt: int, outcome: SendResult | Exception) -> None:
        if isinstance(outcome, SendResult):
            demo.sends.append(SendOutcome(attempt, status=outcome.status.value, queue_offset=outcome.queue_offset))
        else:
            demo.sends.append(SendOutcome(attempt, error=type(outcome).__name__))

    sender = OrderSender(demo.world, resend="same")
    return await sender.send_order_paid(ORDER, "alice", report=log)


def run(seed: int = 42, *, slice_ms: int | None = None, between: Callable[[Demo], None] | None = None) -> Demo:
    """Build the demo world, let a simulated minute pass, and return it. With ``slice_ms``,
    the minute passes ``slice_ms`` at a time and ``between(demo)`` is called after each
    slice (and once before the first)."""
    demo = build(seed)
    world = demo.world
    sending = world.spawn(order_system_sends(demo), "order-system")
    step = slice_ms or RUN_MS
    if between is not None:
        between(demo)
    while world.now_ms < RUN_MS:
        world.run_until(min(world.now_ms + step, RUN_MS))
        if between is not None:
            between(demo)
    sending.result()  # an error of the send loop is the demo's error, not a silent task
    return demo
