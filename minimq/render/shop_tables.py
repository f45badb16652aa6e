"""The shop's state as tables a step shows: the queues with each group's offsets (or each
coupon process's), the coupons, the retries, and a lesson's own tables (``Look``).

Owns: ``queues``, ``process_queues``, ``coupons``, ``retries``, ``disk`` (the broker's
consumer offsets as last flushed, lesson 14), ``replicas`` (a master and its slave, lesson
16) and ``state_table``, each read from the shop
at the moment a step ends, in English or Chinese.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from minimq.apps.incident import COUPON_GROUP, RED_PACKET_GROUP, TOPIC
from minimq.apps.shop import Shop
from minimq.events import MessageDeadLettered, MessageSentBack, MessageStored
from minimq.i18n import t
from minimq.i18n.describe import fmt_ms, short
from minimq.lessons.look import Label, StateTable

OFFSET_COLUMN = 8  # cells
COUPON_ROWS = 12  # a longer coupons table shows only the orders that went wrong, and the lesson's


def _queues_title(shop: Shop, lang: str) -> str:
    """The title names the topic once; the rows are its queues, q0 .. qN."""
    last = len(shop.world.broker.topic_queues(TOPIC)) - 1
    return t("ui.queues_title", lang, topic=TOPIC, last=last)


def _label(label: Label, lang: str) -> str:
    return t(label.key, lang, **label.values)


def queues(shop: Shop, lang: str, width: int) -> list[Table]:
    """The topic's queues with the coupon and red-packet groups' offsets side by side; when
    that is wider than ``width`` (60 columns), one table per group."""
    broker = shop.world.broker
    coupon, red = shop.coupon.consumer(), shop.red_packet.consumer
    mqs = broker.topic_queues(TOPIC)
    in_flight = coupon.in_flight()

    def offset(value: int | None) -> str:
        return "-" if value is None else str(value)

    coupon_name, red_name = t("ui.coupon_group", lang), t("ui.red_packet_group", lang)
    groups = [
        [
            (
                t("ui.committed_on_broker", lang, group=coupon_name),
                [offset(broker.query_offset(COUPON_GROUP, q)) for q in mqs],
            ),
            (t("ui.local_offset", lang, client=coupon_name), [offset(coupon.local_offset(q)) for q in mqs]),
            (
                t("ui.in_flight", lang, client=coupon_name),
                [",".join(map(str, in_flight.get(q, []))) or "-" for q in mqs],
            ),
        ],
        [
            (
                t("ui.committed_on_broker", lang, group=red_name),
                [offset(broker.query_offset(RED_PACKET_GROUP, q)) for q in mqs],
            ),
            (t("ui.local_offset", lang, client=red_name), [offset(red.local_offset(q)) for q in mqs]),
        ],
    ]
    lead = [
        (t("ui.queue", lang), [f"q{q.queue_id}" for q in mqs]),
        (t("ui.max_offset", lang), [str(broker.max_offset(q)) for q in mqs]),
    ]
    every = [*lead, *groups[0], *groups[1]]
    if _width_of(every) <= width:
        return [_offsets_table(_queues_title(shop, lang), every)]
    return [_offsets_table(_queues_title(shop, lang) if i == 0 else None, [*lead, *g]) for i, g in enumerate(groups)]


def _width_of(columns: list[tuple[str, list[str]]]) -> int:
    """The narrowest rich can draw the table of these columns (every offsets column keeps
    ``OFFSET_COLUMN`` cells, a header wraps between its words)."""
    probe = Console(width=1000, file=io.StringIO())
    return probe.measure(_offsets_table(None, columns)).minimum  # headers wrap at their spaces


def _offsets_table(title: str | None, columns: list[tuple[str, list[str]]]) -> Table:
    # At 80 columns every header word still fits whole: the offsets columns take at least
    # 8 cells (a four-character Chinese word), and the headers name each group shortly.
    table = Table(title=None if title is None else Text(title, overflow="fold"), box=box.SIMPLE_HEAVY)
    for i, (head, _) in enumerate(columns):
        if i == 0:
            table.add_column(head, no_wrap=True)
        else:
            table.add_column(head, justify="right", min_width=OFFSET_COLUMN)
    for row in zip(*(cells for _, cells in columns), strict=True):
        table.add_row(*row)
    return table


def process_queues(shop: Shop, processes: tuple[str, ...], names: Mapping[str, str], lang: str) -> Table:
    """The queues with the coupon group's offset on the broker and, per coupon process,
    its local offset and what it has in flight; a blank cell: the process does not
    own that queue (a queue blank for every process is consumed by nobody)."""
    broker = shop.world.broker
    table = Table(title=_queues_title(shop, lang), box=box.SIMPLE_HEAVY)
    table.add_column(t("ui.queue", lang), no_wrap=True)
    table.add_column(t("ui.pq_max", lang), justify="right")
    table.add_column(t("ui.pq_group", lang), justify="right")
    consumers = [shop.coupon.consumers.get(p) for p in processes]
    for process in processes:
        table.add_column(t("ui.pq_local", lang, client=names[process]), justify="right")
        table.add_column(t("ui.pq_flight", lang, client=names[process]), justify="right")
    owned = [set(c.assigned()) if c is not None else set() for c in consumers]
    flights = [c.in_flight() if c is not None else {} for c in consumers]
    for mq in broker.topic_queues(TOPIC):
        committed = broker.query_offset(COUPON_GROUP, mq)
        cells = [f"q{mq.queue_id}", str(broker.max_offset(mq)), "-" if committed is None else str(committed)]
        for consumer, mine, flight in zip(consumers, owned, flights, strict=True):
            if consumer is None or mq not in mine:
                cells += ["", ""]
                continue
            local = consumer.local_offset(mq)
            cells += ["-" if local is None else str(local), ",".join(map(str, flight.get(mq, []))) or "-"]
        table.add_row(*cells)
    return table


def coupons(shop: Shop, order: str, lang: str) -> Table:
    """Every coupon; past ``COUPON_ROWS`` rows, only the lesson's order and the orders
    with more than one coupon, the others counted in a last row."""
    table = Table(title=t("ui.coupons_title", lang), box=box.SIMPLE_HEAVY)
    for key in ("ui.coupon_id", "ui.order", "ui.user", "ui.msg_id", "ui.issued_at"):
        table.add_column(t(key, lang))
    rows = shop.coupons()
    per_order = Counter(row[1] for row in rows)
    shown = rows
    if len(rows) > COUPON_ROWS:
        shown = [row for row in rows if row[1] == order or per_order[row[1]] > 1]
    for cid, row_order, user, msg_id, issued in shown:
        table.add_row(str(cid), row_order, user, short(msg_id), fmt_ms(issued))
    left_out = {row[1] for row in rows} - {row[1] for row in shown}
    if left_out:
        if not per_order[order]:  # the lesson's order is the one that went wrong: say so in the table
            table.add_row("", order, Text(t("ui.no_coupon", lang), style="bold"), "", "")
        table.caption = t("ui.coupons_left_out", lang, n=len(left_out))
        table.caption_justify = "left"
    if not rows:
        table.add_row("", t("ui.no_rows", lang), "", "", "")
    return table


def retries(shop: Shop, lang: str) -> Table:
    """What the coupon group's consumers sent back: each copy the broker took, when it
    is due, and where it was stored (``%RETRY%``, or ``%DLQ%`` for a dead letter)."""
    trace = shop.world.trace.events
    stored = [e for e in trace if isinstance(e, MessageStored) and e.topic.startswith("%")]
    table = Table(title=t("ui.retries_title", lang, group=COUPON_GROUP), box=box.SIMPLE_HEAVY)
    for key in ("ui.taken_back_at", "ui.retry_no", "ui.due_at", "ui.stored_at"):
        table.add_column(t(key, lang), justify="left" if key == "ui.stored_at" else "right")
    for e in trace:
        if isinstance(e, MessageSentBack) and e.group == COUPON_GROUP:
            where = next(
                (
                    f"{s.topic}#{s.queue_id}@{s.queue_offset}"
                    for s in stored
                    if s.msg_id == e.msg_id and s.reconsume_times == e.reconsume_times + 1 and s.at_ms == e.due_ms
                ),
                t("ui.waiting", lang),
            )
            table.add_row(fmt_ms(e.at_ms), str(e.reconsume_times + 1), fmt_ms(e.due_ms), where)
        elif isinstance(e, MessageDeadLettered) and e.group == COUPON_GROUP:
            where = next(
                (f"{s.topic}#{s.queue_id}@{s.queue_offset}" for s in stored if s.topic == e.dlq_topic),
                e.dlq_topic,
            )
            table.add_row(fmt_ms(e.at_ms), t("ui.dead_letter", lang), "-", where)
    if not table.row_count:
        table.add_row("", t("ui.no_rows", lang), "", "")
    return table


def disk(shop: Shop, lang: str) -> Table:
    """The consumer offsets the broker last wrote to its disk, per queue and group: what a
    broker crash goes back to (``minimq.runtime.broker_life``)."""
    broker = shop.world.broker
    on_disk = broker.life.offsets_on_disk()
    written = broker.life.offsets_written_ms
    when = t("ui.disk_never", lang) if written is None else t("ui.disk_when", lang, time=fmt_ms(written))
    table = Table(title=t("ui.disk_title", lang, when=when), box=box.SIMPLE_HEAVY)
    table.add_column(t("ui.queue", lang))
    groups = ((COUPON_GROUP, "ui.coupon_group"), (RED_PACKET_GROUP, "ui.red_packet_group"))
    for _, name in groups:
        table.add_column(t("ui.on_disk", lang, group=t(name, lang)), justify="right")
    for mq in broker.topic_queues(TOPIC):
        cells = [str(on_disk.get((group, mq.topic, mq.queue_id), "-")) for group, _ in groups]
        table.add_row(f"q{mq.queue_id}", *cells)
    return table


def replicas(shop: Shop, lang: str) -> Table:
    """broker-a and its slave side by side (lesson 16): each queue's max offset on both, the
    coupon group's offset on both, and the coupon process's own. A master that is down shows
    what it will come back with: the offsets on its disk (``minimq.runtime.replication``)."""
    world = shop.world
    master = world.broker
    slave = world.slaves[master.name]
    coupon = shop.coupon.consumer()
    group = t("ui.coupon_group", lang)
    on_master = master.offsets.snapshot() if master.alive else master.life.offsets_on_disk()
    head = "ui.replica_offset" if master.alive else "ui.replica_offset_disk"
    table = Table(title=t("ui.replicas_title", lang, topic=TOPIC), box=box.SIMPLE_HEAVY)
    table.add_column(t("ui.queue", lang), no_wrap=True)
    table.add_column(t("ui.replica_max", lang, broker=master.name), justify="right", min_width=OFFSET_COLUMN)
    table.add_column(t("ui.replica_max", lang, broker=slave.name), justify="right", min_width=OFFSET_COLUMN)
    table.add_column(t(head, lang, group=group, broker=master.name), justify="right", min_width=OFFSET_COLUMN)
    table.add_column(t("ui.replica_offset", lang, group=group, broker=slave.name), justify="right")
    table.add_column(t("ui.local_offset", lang, client=group), justify="right", min_width=OFFSET_COLUMN)
    for mq in master.topic_queues(TOPIC):
        key = (COUPON_GROUP, mq.topic, mq.queue_id)
        local = coupon.local_offset(mq)
        table.add_row(
            f"q{mq.queue_id}",
            str(master.max_offset(mq)),
            str(slave.max_offset(mq)) if mq.topic in slave.store.topics else "-",
            str(on_master.get(key, "-")),
            str(slave.offsets.snapshot().get(key, "-")),
            "-" if local is None else str(local),
        )
    return table


def state_table(spec: StateTable, lang: str) -> Table:
    """A table a lesson's ``Look`` describes as data."""
    table = Table(title=_label(spec.title, lang), box=box.SIMPLE_HEAVY)
    for i, column in enumerate(spec.columns):
        table.add_column(_label(column, lang), justify="left" if i == 0 else "right")
    for row in spec.rows:
        table.add_row(*(_label(cell, lang) if isinstance(cell, Label) else cell for cell in row))
    return table
