"""The demo scenario: one order paid, one send reply lost, two coupons.

Owns: the world of the quickstart demo, built with the public API only. It is the
coupon incident's path B (docs/story.md): the order system sends "order paid",
the broker stores it but the reply is lost, the order system's own retry loop sends the
same ``Message`` again, the broker now holds two copies with one msg id, and a coupon
system with no idempotency issues two coupons. The lessons (``minimq.lessons``) tell this
and the other paths step by step; this module is the engine's smoke test a learner can
run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP, RED_PACKET_CLIENT, RED_PACKET_GROUP, TOPIC
from minimq.apps.orders import OrderSender
from minimq.check import Report, check
from minimq.effects import EffectLedger
from minimq.model import ConsumeStatus, MessageExt, SendResult
from minimq.world import World

ORDER = "order-1001"


@dataclass
class Demo:
    """A built demo world and what its systems did."""

    world: World
    coupons: list[tuple[str, str, int]] = field(default_factory=list)  # (order, msg id, at ms)
    red_packets: list[str] = field(default_factory=list)
    send_log: list[str] = field(default_factory=list)

    def report(self) -> Report:
        return check(self.world.trace)


def build(seed: int = 42, realtime_speed: float | None = None) -> Demo:
    world = World(seed, realtime_speed=realtime_speed)
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


def order_system_sends(demo: Demo) -> None:
    """The order system's 'never lose a message' loop (``minimq.apps.orders``): on an
    error, send the same ``Message`` object again."""

    def log(attempt: int, outcome: SendResult | Exception) -> None:
        if isinstance(outcome, SendResult):
            demo.send_log.append(f"attempt {attempt}: {outcome.status.value} offset {outcome.queue_offset}")
        else:
            demo.send_log.append(f"attempt {attempt}: {type(outcome).__name__}")

    sender = OrderSender(demo.world, resend="same")
    demo.world.run(sender.send_order_paid(ORDER, "alice", report=log))


def run(seed: int = 42, realtime_speed: float | None = None) -> Demo:
    """Build the demo world, run it for a simulated minute, and return it."""
    demo = build(seed, realtime_speed)
    order_system_sends(demo)
    demo.world.run_until(60_000)
    return demo
