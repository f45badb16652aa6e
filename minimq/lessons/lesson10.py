"""Lesson 10, path P12: broadcasting replays after a crash and never retries a failure.

The marketing dashboard (``minimq.apps.dashboard``) is a BROADCASTING group of two
instances, each with a cache of today's paid orders on its own disk. Each instance takes
every queue and writes its consumer offsets to a local offsets file every 5 s, the first
time 10 s after start: dashboard-1 (started at 0 s) at 10, 15, 20, 25 s; dashboard-2
(started at 1 s) at 11, 16 s, and, after its restart at 16.5 s, at 26.5 s. Four orders
paid between 4 and 6 s go one to each queue, so both files hold 1 on every queue by 11 s.
order-1005 (12 s) lands at queue offset 1 of its queue; dashboard-1's file has 2 at 15 s,
dashboard-2's still 1 when it is killed at 15.5 s: restarted at 16.5 s under the same
client id (``IP@DEFAULT``: broadcasting keeps the instance name), it reads the same file,
takes its queues at its first rebalance 1 s later and replays order-1005 at 18 s. The
marketing service is down from 20 to 23 s; order-1006 (21 s) fails its coupon call
everywhere it is made. In run 3 coupon-1 starts at 1 s, so it owns its queues before the
first order.

Runs: the listener counts every message and issues the campaign coupon itself (every
instance issues one, the replay one more, order-1006 none: broadcasting drops the
failure); the same, idempotent (a set for the cache, the UNIQUE key on coupons): no
duplicate, but the coupon of order-1006 is still lost; the fix: the cache stays in the
broadcasting group, the coupon moves to the CLUSTERING group coupon-system, where the
failure is retried from ``%RETRY%coupon-system`` 10 s later.
"""

from __future__ import annotations

from collections import Counter

from minimq.apps.coupons import STORY_TIMING, CouponTiming
from minimq.apps.dashboard import DASHBOARD_CLIENTS, DASHBOARD_GROUP
from minimq.apps.incident import COUPON_GROUP, RED_PACKET_GROUP, TOPIC
from minimq.apps.shop import Shop
from minimq.i18n.describe import fmt_ms
from minimq.lessons.base import Action, Lesson, Run, Step, pay_at
from minimq.lessons.look import Label, Look, StateTable, SummaryColumn, VerdictLine
from minimq.lessons.runner import RunSummary

SECOND_INSTANCE_MS = 1000
COUPON_START_MS = 1000  # owns its queues at 2 s and pulls from 2.5 s, long before the first order
EARLIER = ("order-1001", "order-1002", "order-1003", "order-1004")  # one to each queue
EARLIER_MS = (4000, 4500, 5000, 5500)
REPLAYED, REPLAYED_MS = "order-1005", 12_000
KILL_MS = 15_500
RESTART_MS = 16_500
MARKETING_DOWN = (20_000, 23_000)
DROPPED, DROPPED_MS = "order-1006", 21_000
END_MS = 35_000
TIMING = CouponTiming(STORY_TIMING.marketing_ms, STORY_TIMING.notify_ms, marketing_down=(MARKETING_DOWN,))


def _setup(coupon_system: bool) -> Action:
    """Both dashboard instances from the start (the second 1 s later), the coupon
    system's clustering group from 1 s when it issues the coupons (it rebalances 1 s after
    its start and pulls 500 ms later, so it is ready before the first order at 4 s), the
    red-packet system as always; every order of the story paid on time."""

    def act(shop: Shop) -> None:
        assert shop.dashboard is not None
        world, dashboard = shop.world, shop.dashboard
        shop.red_packet.start()
        dashboard.start(DASHBOARD_CLIENTS[0])
        world.call_later_ms(SECOND_INSTANCE_MS, lambda: dashboard.start(DASHBOARD_CLIENTS[1]))
        if coupon_system:
            world.call_later_ms(COUPON_START_MS, shop.start_coupon)
        for order, at_ms in zip(EARLIER, EARLIER_MS, strict=True):
            pay_at(order, at_ms)(shop)
        pay_at(REPLAYED, REPLAYED_MS)(shop)
        pay_at(DROPPED, DROPPED_MS)(shop)
        world.call_later_ms(KILL_MS, lambda: dashboard.kill(DASHBOARD_CLIENTS[1]))
        world.call_later_ms(RESTART_MS, lambda: dashboard.start(DASHBOARD_CLIENTS[1]))

    return act


# -- the pictures ------------------------------------------------------------------------------
def _files(shop: Shop) -> StateTable:
    """Queue by queue: the max offset, and each instance's consumer offset in memory and
    in its offsets file."""
    assert shop.dashboard is not None
    broker, disk = shop.world.broker, shop.world.disk
    queues = broker.topic_queues(TOPIC)

    def shown(value: int | None) -> str:
        return "-" if value is None else str(value)

    rows: list[tuple[str | Label, ...]] = [
        (Label("l10.row.max_offset"), *(str(broker.max_offset(mq)) for mq in queues))
    ]
    for client in DASHBOARD_CLIENTS:
        consumer = shop.dashboard.consumers[client]
        rows.append((Label("l10.row.memory", {"client": client}), *(shown(consumer.local_offset(mq)) for mq in queues)))
        in_file = disk.get(client, {})
        rows.append(
            (Label("l10.row.file", {"client": client}), *(shown(in_file.get((DASHBOARD_GROUP, mq))) for mq in queues))
        )
    columns = (Label("l10.col.queue"), *(Label("l10.col.queue_id", {"id": mq.queue_id}) for mq in queues))
    return StateTable(Label("l10.files_title", {"topic": TOPIC}), columns, tuple(rows))


def _paid(shop: Shop) -> int:
    return int(shop.order_db.query("SELECT COUNT(*) FROM orders WHERE status = 'PAID'")[0][0])


def _screens(shop: Shop) -> StateTable:
    """What each dashboard screen shows against the orders really paid."""
    assert shop.dashboard is not None
    paid = _paid(shop)
    rows = []
    for client in DASHBOARD_CLIENTS:
        shown = shop.dashboard.shown(client)
        rows.append((client, str(shown), str(paid), f"{shown - paid:+d}" if shown != paid else "0"))
    columns = (Label("l10.col.instance"), Label("l10.col.shown"), Label("l10.col.paid"), Label("l10.col.off_by"))
    return StateTable(Label("l10.screens_title"), columns, tuple(rows))


def _coupon_counts(shop: Shop) -> dict[str, list[int]]:
    """Order id -> when each of its coupons was committed, for every paid order."""
    paid = [str(r[0]) for r in shop.order_db.query("SELECT id FROM orders WHERE status = 'PAID' ORDER BY id")]
    issued: dict[str, list[int]] = {order: [] for order in paid}
    for _cid, order, _user, _msg, at_ms in shop.coupons():
        issued.setdefault(order, []).append(at_ms)
    return issued


def _coupons(shop: Shop) -> StateTable:
    """Coupons per paid order, with the time each was committed."""
    rows = tuple(
        (order, str(len(times)), ", ".join(fmt_ms(ms) for ms in times) or "-")
        for order, times in _coupon_counts(shop).items()
    )
    columns = (Label("ui.order"), Label("l10.col.coupons"), Label("ui.issued_at"))
    return StateTable(Label("l10.coupons_title"), columns, rows)


def _verdict(shop: Shop) -> tuple[VerdictLine, ...]:
    assert shop.dashboard is not None
    issued = _coupon_counts(shop)
    counts = Counter(len(times) for times in issued.values())
    total, orders = sum(len(t) for t in issued.values()), len(issued)
    extra = sum(len(t) - 1 for t in issued.values() if len(t) > 1)
    missing = [order for order, times in issued.items() if not times]
    lines: list[VerdictLine] = []
    if extra:
        lines.append(
            VerdictLine(Label("l10.verdict.extra", {"coupons": total, "orders": orders, "extra": extra}), True)
        )
    if missing:
        lines.append(VerdictLine(Label("l10.verdict.lost", {"orders": ", ".join(missing)}), True))
    if counts == Counter({1: orders}):
        lines.append(VerdictLine(Label("l10.verdict.coupons_ok", {"orders": orders})))
    paid = _paid(shop)
    for client in DASHBOARD_CLIENTS:
        shown = shop.dashboard.shown(client)
        key = "l10.verdict.screen_ok" if shown == paid else "l10.verdict.screen_off"
        lines.append(VerdictLine(Label(key, {"client": client, "shown": shown, "paid": paid}), shown != paid))
    return tuple(lines)


def _screen_extra(s: RunSummary) -> int:
    return sum(g.duplicate_effects for name, g in s.groups.items() if name.startswith(f"{DASHBOARD_GROUP}/"))


LOOK = Look(
    # The payment and order systems work as in every lesson (the broker's "stored" line says
    # a message arrived); a cache's rows are told by its instance's own lines.
    lanes={
        "broker": "lane.broker",
        **{client: f"l10.lane.{client}" for client in DASHBOARD_CLIENTS},
        "coupon-1": "lane.coupon",
        "coupon DB": "lane.coupon_db",
    },
    columns=(
        "lane.broker",
        "l10.lane.dashboard-1",
        "l10.lane.dashboard-2",
        "lane.coupon",
        "lane.coupon_db",
    ),
    tables={"files": _files, "screens": _screens, "coupon_counts": _coupons},
    verdict=_verdict,
    summary=(
        SummaryColumn("l10.sum.deliveries", lambda s: s.duplicate_deliveries),
        SummaryColumn("ui.dup_effects", lambda s: s.groups[COUPON_GROUP].duplicate_effects),
        SummaryColumn("l10.sum.screen_extra", _screen_extra),
        SummaryColumn("ui.lost_effects", lambda s: s.groups[COUPON_GROUP].lost_effects),
    ),
    hidden_groups=frozenset({RED_PACKET_GROUP}),
)

# -- the runs ------------------------------------------------------------------------------------
NAIVE = {"coupon_design": "no_dedupe", "dashboard": "append", "dashboard_campaign": True, "timing": TIMING}
IDEMPOTENT = {"coupon_design": "unique_key", "dashboard": "set", "dashboard_campaign": True, "timing": TIMING}
RIGHT = {"coupon_design": "unique_key", "dashboard": "set", "timing": TIMING, "idempotent_red_packet": True}
AFTER_ORDER = REPLAYED_MS + 3200  # order-1005 consumed, dashboard-1's 15 s write done
AFTER_REPLAY = MARKETING_DOWN[0]

LESSON = Lesson(
    number=10,
    slug="broadcasting",
    title="l10.title",
    opening="l10.ticket",
    setting="l10.setting",
    runs=(
        Run(
            "naive/broadcasting",
            "l10.run.naive",
            "l10.explain.naive",
            NAIVE,
            _setup(coupon_system=False),
            (
                Step("l10.history.naive", 11_500, show=("files", "coupon_counts"), events=False),
                Step("l10.naive.order", AFTER_ORDER, show=("files",)),
                Step("l10.naive.kill", AFTER_REPLAY, show=("files", "screens")),
                Step("l10.naive.down", END_MS, show=("screens", "coupon_counts")),
            ),
            "l10.moral.naive",
        ),
        Run(
            "unique_key/broadcasting",
            "l10.run.idempotent",
            "l10.explain.idempotent",
            IDEMPOTENT,
            _setup(coupon_system=False),
            (
                Step("l10.history.idempotent", 11_500, show=("coupon_counts",), events=False),
                Step("l10.idempotent.kill", AFTER_REPLAY, show=("screens",)),
                Step("l10.idempotent.down", END_MS, show=("coupon_counts",)),
            ),
            "l10.moral.idempotent",
        ),
        Run(
            "unique_key/clustering",
            "l10.run.right",
            "l10.explain.right",
            RIGHT,
            _setup(coupon_system=True),
            (
                Step("l10.history.right", 11_500, show=("coupon_counts",), events=False),
                Step("l10.right.kill", AFTER_REPLAY, show=("screens",)),
                Step("l10.right.down", END_MS, show=("screens", "coupon_counts")),
            ),
            "l10.moral.right",
        ),
    ),
    diagnosis="l10.diagnosis",
    limits="l10.limits",
    order=REPLAYED,
    paths=("P12",),
    minutes=8,
    extra={"look": LOOK},
)
