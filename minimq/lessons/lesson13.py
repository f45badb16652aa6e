"""Lesson 13, path P16: a transactional "order paid" is committed twice.

The order system now sends "order paid" as a transactional message
(``minimq.apps.order_tx``): the half message, then the local transaction (mark the order
PAID, ask the invoicing service for its invoice, COMMIT), then a oneway COMMIT. The
broker's check-back scan runs every 30 s from its start (0:30, 1:00, ...) and checks the
halves older than ``transactionTimeOut`` (6 s). The invoicing service is slow today:
order-1001's call (paid at 0:10) takes 40 s, order-1002's (paid at 2:00) 100 s.

order-1001: the 0:30 scan finds the half 20 s old: it writes it back as a new entry (@1)
and asks; the order is not PAID yet, so the check listener answers UNKNOW. At 0:50 the
local transaction commits and the producer's COMMIT copies @0 into order-paid: a coupon.
@1 is still open: the 1:00 scan checks it, the order is PAID now, COMMIT: the same msg
id a second time, a second coupon. order-1002 goes the same way with three UNKNOWs
(2:30, 3:00, 3:30), its COMMIT at 3:40 and a second one at 4:00.

Runs: the naive coupon system (two coupons per order); the broker's ``transactionTimeOut``
raised to 60 s (order-1001 is never checked, one coupon; order-1002's half is 90 s old at
the 3:30 scan, still inside its local transaction: two coupons); the fix: the UNIQUE key
on the coupon's order id, in the coupon's own transaction (and the red packet's), with
RocketMQ's defaults: the two messages still come, one coupon each.
"""

from __future__ import annotations

from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP, RED_PACKET_GROUP
from minimq.apps.order_tx import OrderTx
from minimq.apps.shop import Shop
from minimq.core.transaction import TRANS_HALF_TOPIC
from minimq.i18n.describe import short
from minimq.lessons.base import Lesson, Run, Step, pay_each, start_both
from minimq.lessons.look import Label, Look, StateTable, SummaryColumn, VerdictLine

ORDERS = ("order-1001", "order-1002")
PAID_MS = (10_000, 120_000)
INVOICE_MS = {"order-1001": 40_000, "order-1002": 100_000}
LONGER_TIMEOUT_MS = 60_000  # the wrong fix: transactionTimeOut 6 s -> 60 s
SCAN_MS = 30_000  # transactionCheckInterval
COMMIT_1001_MS = PAID_MS[0] + INVOICE_MS["order-1001"]  # about 0:50
COMMIT_1002_MS = PAID_MS[1] + INVOICE_MS["order-1002"]  # about 3:40
END_MS = 250_000  # 4:10: the 4:00 scan's COMMIT has been consumed

_setup = pay_each(ORDERS, PAID_MS)


def setup(shop: Shop) -> None:
    """Both consumer groups from 0 s; alice pays for order-1001 at 0:10 and order-1002 at 2:00."""
    start_both(shop)
    _setup(shop)


def _halves(shop: Shop) -> StateTable:
    """The half queue, RMQ_SYS_TRANS_HALF_TOPIC#0: each entry, its checks, its state, its op record."""
    table, store = shop.world.broker.transactions.table, shop.world.broker.store
    keys = {m.queue_offset: m.keys[0] for m in store.log(store.queue(TRANS_HALF_TOPIC, 0))}
    rows: list[tuple[str | Label, ...]] = []
    for half in table.halves:
        op = "written" if table.op_written(half.half_offset) else "queued" if table.op_queued(half.half_offset) else ""
        rows.append(
            (
                f"@{half.half_offset}",
                keys[half.half_offset],
                short(half.msg_id),
                str(half.check_times),
                Label(f"l13.state.{half.state.name.lower()}"),
                Label(f"l13.op.{op}") if op else "-",
            )
        )
    if not rows:
        rows.append(("-", Label("ui.no_rows"), "", "", "", ""))
    columns = ("l13.col.entry", "ui.order", "ui.msg_id", "l13.col.checks", "l13.col.state", "l13.col.op")
    return StateTable(Label("l13.halves_title"), tuple(Label(c) for c in columns), tuple(rows))


def _verdict(shop: Shop) -> tuple[VerdictLine, ...]:
    """Per order: how many "order paid" messages the broker committed, and the coupons
    issued; then the red packets (every group gets every message the broker commits)."""
    transactions, store = shop.world.broker.transactions.table, shop.world.broker.store
    halves = store.log(store.queue(TRANS_HALF_TOPIC, 0))
    lines: list[VerdictLine] = []
    red_extra = 0
    for order in ORDERS:
        messages = sum(transactions.commits(m) for m in {h.msg_id for h in halves if h.keys[0] == order})
        coupons = len(shop.coupon_db.query("SELECT id FROM coupons WHERE order_id = ?", (order,)))
        values = {"order": order, "messages": messages, "coupons": coupons}
        lines.append(VerdictLine(Label("l13.verdict.order", values), coupons != 1))
        red = len(shop.red_packet_db.query("SELECT id FROM red_packets WHERE order_id = ?", (order,)))
        red_extra += max(red - 1, 0)
    key = "l13.verdict.red_dup" if red_extra else "l13.verdict.red_ok"
    lines.append(VerdictLine(Label(key, {"extra": red_extra, "orders": len(ORDERS)}), red_extra > 0))
    return tuple(lines)


LOOK = Look(
    lanes={
        "payment": "lane.payment",
        "order": "lane.order",
        "order-system": "lane.order",
        "broker": "lane.broker",
        COUPON_CLIENT: "lane.coupon",
        "coupon DB": "lane.coupon_db",
    },
    columns=("lane.payment", "lane.order", "lane.broker", "lane.coupon", "lane.coupon_db"),
    tables={"halves": _halves},
    verdict=_verdict,
    summary=(
        SummaryColumn("ui.dup_deliveries_all", lambda s: s.duplicate_deliveries),
        SummaryColumn("ui.dup_effects", lambda s: s.groups[COUPON_GROUP].duplicate_effects),
        SummaryColumn("ui.dup_red_packets", lambda s: s.groups[RED_PACKET_GROUP].duplicate_effects),
        SummaryColumn("ui.lost_all", lambda s: s.lost_effects),
    ),
    hidden_groups=frozenset({RED_PACKET_GROUP}),
)

DAY = OrderTx(invoice_ms=INVOICE_MS)
ONLY = ("HalfMessageCommitted", "EffectApplied")  # order-1002's story, told in short
SCENE = Step("l13.scene", PAID_MS[0] - 1, events=False)

LESSON = Lesson(
    number=13,
    slug="transaction-commit",
    title="l13.title",
    setting="l13.setting",
    runs=(
        Run(
            "naive",
            "l13.run.naive",
            "l13.explain.naive",
            {"order_tx": DAY},
            setup,
            (
                SCENE,
                Step("l13.naive.1", SCAN_MS - 1, show=("halves",)),
                Step("l13.naive.2", SCAN_MS + 1000, show=("halves",)),
                Step("l13.naive.3", 2 * SCAN_MS - 1, show=("halves", "coupons")),
                Step("l13.naive.4", 2 * SCAN_MS + 5000, show=("halves", "coupons")),
                Step(
                    "l13.naive.5",
                    END_MS,
                    show=("halves", "coupons"),
                    events=False,
                    only=("TransactionChecked", *ONLY),
                ),
            ),
            "l13.moral.naive",
        ),
        Run(
            "transaction_timeout_60s",
            "l13.run.timeout",
            "l13.explain.timeout",
            {"order_tx": OrderTx(invoice_ms=INVOICE_MS, transaction_timeout_ms=LONGER_TIMEOUT_MS)},
            setup,
            (
                SCENE,
                Step("l13.timeout.1", PAID_MS[1] - 1, show=("halves", "coupons")),
                Step("l13.timeout.2", END_MS, show=("halves", "coupons")),
            ),
            "l13.moral.timeout",
        ),
        Run(
            "unique_key",
            "l13.run.right",
            "l13.explain.right",
            {"order_tx": DAY, "coupon_design": "unique_key", "idempotent_red_packet": True},
            setup,
            (
                SCENE,
                Step("l13.right.1", 2 * SCAN_MS + 5000, show=("coupons",)),
                Step("l13.right.2", END_MS, show=("coupons",), events=False, only=ONLY),
            ),
            "l13.moral.right",
        ),
    ),
    diagnosis="l13.diagnosis",
    limits="l13.limits",
    orders=ORDERS,
    paths=("P16",),
    minutes=12,
    extra={"look": LOOK},
)
