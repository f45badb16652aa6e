"""The demo as a learner sees it: the setting, the timeline, the data, the verdict."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from minimq.apps.incident import COUPON_GROUP, RED_PACKET_GROUP, TOPIC
from minimq.demo import ORDER, Demo
from minimq.i18n.describe import fmt_ms, short
from minimq.render.state import queues_table
from minimq.render.timeline import timeline

SETTING = (
    "The payment system has told the order system that [bold]{order}[/] is paid.\n"
    "The order system sends an 'order paid' message to topic [bold]{topic}[/] and, so that no\n"
    "message is ever lost, sends it again whenever send() raises.\n"
    "Two consumer groups read the topic: [bold]{coupon}[/] gives one coupon per paid order,\n"
    "[bold]{red}[/] gives a red packet. Neither checks for duplicates.\n"
    "Fault armed: the broker will store the first send, but its reply will be lost."
)


def render(demo: Demo, console: Console) -> None:
    world = demo.world
    console.print(
        Panel(
            SETTING.format(order=ORDER, topic=TOPIC, coupon=COUPON_GROUP, red=RED_PACKET_GROUP),
            title="minimq demo: one payment, two coupons",
        )
    )
    console.print(timeline(world.trace, title=f"What happened (virtual time, seed {world.seed})"))
    console.print(_coupons(demo))
    console.print(queues_table(world.broker, TOPIC, [COUPON_GROUP, RED_PACKET_GROUP]))
    console.print(_verdict(demo))


def _coupons(demo: Demo) -> Table:
    table = Table(title="Coupon system: coupons issued")
    table.add_column("#", justify="right")
    table.add_column("order")
    table.add_column("from msg id")
    table.add_column("at")
    for n, (order, msg_id, at) in enumerate(demo.coupons, 1):
        table.add_row(str(n), order, short(msg_id), fmt_ms(at))
    return table


def _verdict(demo: Demo) -> Panel:
    report = demo.report()
    copies = demo.world.broker.query_by_key(TOPIC, ORDER)
    lines = [
        f"Send attempts by the order system: {'; '.join(demo.send_log)}.",
        f"The broker holds {len(copies)} copies of the message for {ORDER}: msg id "
        f"{', '.join(sorted({short(c.msg_id) for c in copies}))} (the same object was re-sent), "
        f"offset msg ids {', '.join(short(c.offset_msg_id) for c in copies)}.",
        f"Coupons issued for {ORDER}: {len(demo.coupons)}. "
        f"Duplicate effects: {len(report.duplicated_effects)}; lost effects: {len(report.lost_effects)}.",
        "Why: RocketMQ delivers at least once. The reply was lost after the broker stored the message,",
        "so the producer could not know, and sending again stored a second copy. Every consumer with a",
        "side effect must be idempotent; the lessons show how (minimq tour).",
    ]
    style = "red" if report.duplicated_effects else "green"
    return Panel(Group(*lines), title="Verdict", border_style=style)
