"""A lesson as a learner or a workshop sees it: panels, state tables, a timeline per run.

Owns: ``LessonView``, the ``View`` that prints a lesson with rich, in English or Chinese,
pausing after each step when asked. Everything goes through one ``Console(record=True)``
so the whole run can be exported as SVG, HTML or text (``export``). A lesson with a
``Look`` (``minimq.lessons.look``) brings its own lanes, state tables, verdict and closing
columns; the others get the coupon and red-packet pictures of lessons 1 to 3. A lesson
with several coupon processes (``Lesson.processes``) gets a lane per process and a queues
table with each one's local offset and messages in flight (blank where it does not own
the queue); ``quiet_lanes`` and ``quiet_groups`` keep its pictures on the coupon group; a
verdict counts the coupons of every order in ``Lesson.orders``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP, RED_PACKET_CLIENT, RED_PACKET_GROUP, TOPIC
from minimq.apps.shop import Shop
from minimq.apps.wallet_lock import BATCH_JOB
from minimq.events import (
    ConsumerStarted,
    EffectExpected,
    Event,
    MessageDeadLettered,
    MessageSentBack,
    MessageStored,
    Rebalanced,
    SendSucceeded,
)
from minimq.i18n import t
from minimq.i18n.describe import describe, fmt_ms, lane, short
from minimq.lessons.base import Lesson, Run, Step
from minimq.lessons.look import Label, Look, StateTable
from minimq.lessons.runner import RunSummary
from minimq.model import MessageModel
from minimq.render.timeline import is_noise, timeline
from minimq.render.wrap import wrap

LANES = {
    "payment": "lane.payment",
    "order": "lane.order",
    "order-system": "lane.order",
    "order DB": "lane.order",
    "broker": "lane.broker",
    COUPON_CLIENT: "lane.coupon",
    RED_PACKET_CLIENT: "lane.red_packet",
    "red-packet DB": "lane.red_packet",
    "coupon DB": "lane.coupon_db",
    BATCH_JOB: "lane.batch",  # told in the step's events; no column of its own in the timeline
}
BROADCASTING = MessageModel.BROADCASTING.value
OFFSET_COLUMN = 8  # cells
COUPON_ROWS = 12  # a longer coupons table shows only the orders that went wrong, and the lesson's
COLUMNS = ["lane.payment", "lane.order", "lane.broker", "lane.coupon", "lane.red_packet", "lane.coupon_db"]


def lane_names(lesson: Lesson, lang: str, lanes: Mapping[str, str] = LANES) -> dict[str, str]:
    """Each lane's heading (``lanes``: trace lane -> catalog key); a lesson with several
    coupon processes names them "coupon 1", "coupon 2", ..., in its ``processes`` order."""
    names = {raw: t(key, lang) for raw, key in lanes.items()}
    if len(lesson.processes) > 1:
        names.pop(COUPON_CLIENT, None)
        for n, process in enumerate(lesson.processes, 1):
            names[process] = t("lane.coupon_n", lang, n=n)
    return names


def lane_columns(
    lesson: Lesson, lang: str, lanes: Mapping[str, str] = LANES, order: Sequence[str] = COLUMNS
) -> list[str]:
    """The timeline's columns in ``order``, one per coupon process, without the quiet lanes."""
    names = lane_names(lesson, lang, lanes)
    quiet = {t(lanes[raw], lang) for raw in lesson.quiet_lanes if raw in lanes}
    columns: list[str] = []
    for key in order:
        if key == "lane.coupon" and len(lesson.processes) > 1:
            columns += [names[p] for p in lesson.processes]
        elif t(key, lang) not in quiet:
            columns.append(t(key, lang))
    return columns


def shown(lesson: Lesson, event: Event) -> bool:
    """Whether the lesson's pictures show ``event`` (not in a quiet lane or group)."""
    if lane(event) in lesson.quiet_lanes:
        return False
    return not lesson.quiet_groups or getattr(event, "group", None) not in lesson.quiet_groups


def _set_up(event: Event) -> bool:
    """Start-up and bookkeeping a timeline picture leaves out (the narration shows them)."""
    if isinstance(event, ConsumerStarted):
        return not event.restart
    if isinstance(event, Rebalanced):
        return not event.before
    return isinstance(event, SendSucceeded)


class LessonView:
    """Prints a lesson; ``pause`` waits for Enter after each step."""

    def __init__(self, console: Console, lang: str, seed: int, pause: Callable[[], None] | None = None) -> None:
        self.console = console
        self.lang = lang
        self.seed = seed
        self.pause = pause
        self._run = 0  # the run being told, from 1
        self._scene_ms = 0  # where a run's timeline starts: after the steps that only set the scene
        self._in_scene = True  # no step of this run has listed its events yet
        self._unlisted: set[int] = set()  # ids of events a later step did not list: not drawn either
        self._first_run: set[tuple[int, str, str]] = set()  # what run 1 showed: (time, lane, line)
        self._look: Look | None = None  # the lesson's own pictures, if it brings them
        self._lesson: Lesson | None = None
        self._lanes: dict[str, str] = LANES  # trace lane -> column title's catalog key
        self._columns: list[str] = COLUMNS

    def _hidden(self, event: Event) -> bool:
        """An event of a group or a lane the lesson leaves out of its pictures."""
        if self._lesson is not None and not shown(self._lesson, event):
            return True
        return self._look is not None and getattr(event, "group", None) in self._look.hidden_groups

    def _label(self, label: Label) -> str:
        return self._t(label.key, **label.values)

    def _t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def _para(self, *keys: str) -> Text:
        """Catalog paragraphs, pre-wrapped to fit inside a panel, blank lines between."""
        width = self.console.width - 4
        return Text("\n\n".join(wrap(self._t(k), width) for k in keys), no_wrap=True)

    def _wait(self) -> None:
        if self.pause is not None:
            self.pause()

    # -- the View protocol ------------------------------------------------------------
    def lesson_start(self, lesson: Lesson) -> None:
        c = self.console
        look = lesson.extra.get("look")
        self._look = look if isinstance(look, Look) else None
        self._lesson = lesson
        self._lanes = dict(self._look.lanes) if self._look else LANES
        self._columns = list(self._look.columns) if self._look else COLUMNS
        c.print(Rule(self._t(lesson.title), style="bold"))
        if lesson.opening is not None:
            c.print(
                Panel(self._para(lesson.opening), title=self._t("ui.ticket"), title_align="left", border_style="yellow")
            )
        c.print(Panel(self._para("setting.world", lesson.setting), border_style="cyan"))
        c.print(Panel(self._para("ui.legend"), title=self._t("ui.legend_title"), title_align="left", style="dim"))
        self._run = 0
        self._first_run = set()
        self._wait()

    def run_start(self, lesson: Lesson, n: int, run: Run) -> None:
        self._run = n
        self._scene_ms = 0
        self._in_scene = True
        self._unlisted = set()
        title = self._t("ui.run", n=n, total=len(lesson.runs), title=self._t(run.title))
        self.console.print(Rule(title, style="cyan"))
        self.console.print(Panel(self._para(run.explain), border_style="blue"))

    def step(self, lesson: Lesson, run: Run, n: int, step: Step, events: list[Event], shop: Shop) -> None:
        c = self.console
        c.print(Panel(self._para(step.text), title=self._t("ui.step", n=n), title_align="left", border_style="green"))
        if step.events:
            self._in_scene = False
            c.print(self._events(events, lesson))
        else:
            shown = [e for e in events if e.kind in step.only]
            if shown:
                c.print(self._events(shown, lesson))
            rest = len(events) - len(shown)
            if self._in_scene:  # the scene: the timeline starts after it
                key = "ui.events_not_listed_others" if shown else "ui.events_not_listed"
                self._scene_ms = step.until_ms
            else:  # a busy stretch in the middle of the story: the tables sum it up
                key = "ui.events_not_drawn_others" if shown else "ui.events_not_drawn"
                self._unlisted.update(id(e) for e in events if e.kind not in step.only)
            c.print(Text(self._t(key, n=rest), style="dim"))
        if "queues" in step.show:
            c.print(self._queues(shop) if len(lesson.processes) == 1 else self._process_queues(shop, lesson))
        if "retries" in step.show:
            c.print(self._retries(shop))
        if "coupons" in step.show:
            c.print(self._coupons(shop, lesson.order))
        for name in step.show:
            if self._look is not None and name in self._look.tables:
                c.print(self._state_table(self._look.tables[name](shop)))
        self._wait()

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        c = self.console
        lanes = lane_names(lesson, self.lang, self._lanes)
        title = self._t("ui.timeline", n=n, title=self._t(run.title), seed=self.seed)
        # Every event counts for the duplicate marks (a copy is a duplicate of one delivered
        # during the scene or a stretch not drawn); the scene and those stretches get no rows.
        events = [e for e in shop.world.trace.events if not _set_up(e) and not self._hidden(e)]
        skip = {i for i, e in enumerate(events) if e.at_ms < self._scene_ms or id(e) in self._unlisted}
        columns = lane_columns(lesson, self.lang, self._lanes, self._columns)
        if self._look is not None:  # a lane this run does not use takes no room
            drawn = (e for i, e in enumerate(events) if i not in skip)
            used = {lanes.get(lane(e) or "") for e in drawn if not is_noise(e)}
            columns = [name for name in columns if name in used]
        broadcasting = {e.group for e in shop.world.trace.of(ConsumerStarted) if e.model == BROADCASTING}
        c.print(
            timeline(
                events,
                title=title,
                lang=self.lang,
                lanes=lanes,
                columns=columns,
                brief=True,
                broadcasting=broadcasting,
                skip=skip,
            )
        )
        c.print(self._verdict(lesson, run, shop, summary) if self._look is None else self._look_verdict(run, shop))
        self._wait()

    def lesson_end(self, lesson: Lesson, summaries: list[RunSummary]) -> None:
        c = self.console
        table = Table(title=self._t("ui.summary_title", n=lesson.number), box=box.SIMPLE_HEAVY)
        if self._look is not None:
            keys = ("ui.design", *(col.title for col in self._look.summary))
        else:
            keys = ("ui.design", "ui.dup_deliveries_all", "ui.dup_effects", "ui.dup_red_packets", "ui.lost_all")
        for key in (*keys, "ui.virtual_time"):
            # fold, not "…": a Chinese line may break between any two characters
            table.add_column(self._t(key), justify="left" if key == "ui.design" else "right", overflow="fold")
        for run, s in zip(lesson.runs, summaries, strict=True):
            style = "green" if not s.duplicate_effects and not s.lost_effects else "red"
            if self._look is not None:
                numbers = [col.value(s) for col in self._look.summary]
            else:
                coupon, red = s.groups[COUPON_GROUP], s.groups[RED_PACKET_GROUP]
                numbers = [s.duplicate_deliveries, coupon.duplicate_effects, red.duplicate_effects, s.lost_effects]
            table.add_row(Text(self._t(run.title), style=style), *map(str, numbers), fmt_ms(s.virtual_ms))
        c.print(table)
        if any(s.duplicate_deliveries and not s.duplicate_effects and not s.lost_effects for s in summaries):
            c.print(Text(wrap(self._t("ui.summary_point"), self.console.width), no_wrap=True))
        c.print(Panel(self._para(lesson.diagnosis, lesson.limits), border_style="magenta"))
        self._wait()

    # -- pieces ---------------------------------------------------------------------------
    def _events(self, events: list[Event], lesson: Lesson) -> Table:
        table = Table(title=self._t("ui.happened"), box=box.SIMPLE, show_header=False, title_justify="left")
        table.add_column(style="dim", no_wrap=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")  # never cut a line short (rich can, at the edge, with CJK)
        names = lane_names(lesson, self.lang, self._lanes)
        repeated: list[tuple[int, str, str]] = []  # lines in a row that run 1 showed too

        def flush() -> None:  # three or more of them are told once, as "as in run 1"
            if len(repeated) >= 3:
                table.add_row("", "", Text(self._t("ui.as_in_run_1", n=len(repeated)), style="dim"))
            else:
                for at, who, line in repeated:
                    table.add_row(fmt_ms(at), who, line)
            repeated.clear()

        for e in events:
            raw = lane(e)
            if raw is None or raw not in names or is_noise(e) or self._hidden(e):
                continue
            row = (e.at_ms, names[raw], describe(e, self.lang))
            if self._run == 1:
                self._first_run.add(row)
            elif row in self._first_run:
                repeated.append(row)
                continue
            flush()
            table.add_row(fmt_ms(row[0]), row[1], row[2])
        flush()
        if not table.row_count:
            table.add_row("", "", self._t("ui.nothing_happened"))
        return table

    def _queues(self, shop: Shop) -> Table:
        broker = shop.world.broker
        coupon, red = shop.coupon.consumer(), shop.red_packet.consumer
        table = Table(title=self._t("ui.queues_title", topic=TOPIC), box=box.SIMPLE_HEAVY)
        # At 80 columns every header word and queue name still fits whole: the queue column
        # keeps its width, the offsets columns at least 8 cells (a four-character Chinese
        # word), and the headers name each group shortly.
        table.add_column(self._t("ui.queue"), no_wrap=True, min_width=len(f"{TOPIC}#0"))
        table.add_column(self._t("ui.max_offset"), justify="right", min_width=OFFSET_COLUMN)
        coupon_name, red_name = self._t("ui.coupon_group"), self._t("ui.red_packet_group")
        for key, who in (
            ("ui.committed_on_broker", coupon_name),
            ("ui.local_offset", coupon_name),
            ("ui.in_flight", coupon_name),
            ("ui.committed_on_broker", red_name),
            ("ui.local_offset", red_name),
        ):
            table.add_column(self._t(key, group=who, client=who), justify="right", min_width=OFFSET_COLUMN)
        in_flight = coupon.in_flight()
        for mq in broker.topic_queues(TOPIC):
            cells = [str(mq), str(broker.max_offset(mq))]
            for value in (broker.query_offset(COUPON_GROUP, mq), coupon.local_offset(mq)):
                cells.append("-" if value is None else str(value))
            cells.append(",".join(map(str, in_flight.get(mq, []))) or "-")
            for value in (broker.query_offset(RED_PACKET_GROUP, mq), red.local_offset(mq)):
                cells.append("-" if value is None else str(value))
            table.add_row(*cells)
        return table

    def _state_table(self, spec: StateTable) -> Table:
        table = Table(title=self._label(spec.title), box=box.SIMPLE_HEAVY)
        for i, column in enumerate(spec.columns):
            table.add_column(self._label(column), justify="left" if i == 0 else "right")
        for row in spec.rows:
            table.add_row(*(self._label(cell) if isinstance(cell, Label) else cell for cell in row))
        return table

    def _look_verdict(self, run: Run, shop: Shop) -> Panel:
        assert self._look is not None
        width = self.console.width - 4
        lines = self._look.verdict(shop)
        body = Group(
            *(Text(wrap(self._label(line.text), width), style="bold" if line.bad else "") for line in lines),
            "",
            Text(wrap(self._t(run.moral), width), no_wrap=True),
        )
        ok = not any(line.bad for line in lines)
        return Panel(body, title=self._t("ui.verdict"), border_style="green" if ok else "red")

    def _retries(self, shop: Shop) -> Table:
        """What the coupon group's consumers sent back: each copy the broker took, when it
        is due, and where it was stored (``%RETRY%``, or ``%DLQ%`` for a dead letter)."""
        trace = shop.world.trace.events
        stored = [e for e in trace if isinstance(e, MessageStored) and e.topic.startswith("%")]
        table = Table(title=self._t("ui.retries_title", group=COUPON_GROUP), box=box.SIMPLE_HEAVY)
        for key in ("ui.taken_back_at", "ui.retry_no", "ui.due_at", "ui.stored_at"):
            table.add_column(self._t(key), justify="left" if key == "ui.stored_at" else "right")
        for e in trace:
            if isinstance(e, MessageSentBack) and e.group == COUPON_GROUP:
                where = next(
                    (
                        f"{s.topic}#{s.queue_id}@{s.queue_offset}"
                        for s in stored
                        if s.msg_id == e.msg_id and s.reconsume_times == e.reconsume_times + 1 and s.at_ms == e.due_ms
                    ),
                    self._t("ui.waiting"),
                )
                table.add_row(fmt_ms(e.at_ms), str(e.reconsume_times + 1), fmt_ms(e.due_ms), where)
            elif isinstance(e, MessageDeadLettered) and e.group == COUPON_GROUP:
                where = next(
                    (f"{s.topic}#{s.queue_id}@{s.queue_offset}" for s in stored if s.topic == e.dlq_topic),
                    e.dlq_topic,
                )
                table.add_row(fmt_ms(e.at_ms), self._t("ui.dead_letter"), "-", where)
        if not table.row_count:
            table.add_row("", self._t("ui.no_rows"), "", "")
        return table

    def _process_queues(self, shop: Shop, lesson: Lesson) -> Table:
        """The queues with the coupon group's offset on the broker and, per coupon process,
        its local offset and what it has in flight; a blank cell: the process does not
        own that queue (a queue blank for every process is consumed by nobody)."""
        broker = shop.world.broker
        names = lane_names(lesson, self.lang, self._lanes)
        table = Table(title=self._t("ui.queues_title", topic=TOPIC), box=box.SIMPLE_HEAVY)
        table.add_column(self._t("ui.queue"), no_wrap=True, min_width=cell_len(f"{TOPIC}#0"))
        table.add_column(self._t("ui.pq_max"), justify="right")
        table.add_column(self._t("ui.pq_group"), justify="right")
        consumers = [shop.coupon.consumers.get(p) for p in lesson.processes]
        for process in lesson.processes:
            table.add_column(self._t("ui.pq_local", client=names[process]), justify="right")
            table.add_column(self._t("ui.pq_flight", client=names[process]), justify="right")
        owned = [set(c.assigned()) if c is not None else set() for c in consumers]
        flights = [c.in_flight() if c is not None else {} for c in consumers]
        for mq in broker.topic_queues(TOPIC):
            committed = broker.query_offset(COUPON_GROUP, mq)
            cells = [str(mq), str(broker.max_offset(mq)), "-" if committed is None else str(committed)]
            for consumer, mine, flight in zip(consumers, owned, flights, strict=True):
                if consumer is None or mq not in mine:
                    cells += ["", ""]
                    continue
                local = consumer.local_offset(mq)
                cells += ["-" if local is None else str(local), ",".join(map(str, flight.get(mq, []))) or "-"]
            table.add_row(*cells)
        return table

    def _coupons(self, shop: Shop, order: str) -> Table:
        """Every coupon; past ``COUPON_ROWS`` rows, only the lesson's order and the orders
        with more than one coupon, the others counted in a last row."""
        table = Table(title=self._t("ui.coupons_title"), box=box.SIMPLE_HEAVY)
        for key in ("ui.coupon_id", "ui.order", "ui.user", "ui.msg_id", "ui.issued_at"):
            table.add_column(self._t(key))
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
                table.add_row("", order, Text(self._t("ui.no_coupon"), style="bold"), "", "")
            table.caption = self._t("ui.coupons_left_out", n=len(left_out))
            table.caption_justify = "left"
        if not rows:
            table.add_row("", self._t("ui.no_rows"), "", "", "")
        return table

    def _verdict(self, lesson: Lesson, run: Run, shop: Shop, s: RunSummary) -> Panel:
        orders = lesson.verdict_orders()
        counts = {order: 0 for order in orders}
        for row in shop.coupons():
            if row[1] in counts:
                counts[row[1]] += 1
        red = {o: len(shop.red_packet_db.query("SELECT id FROM red_packets WHERE order_id = ?", (o,))) for o in orders}
        width = self.console.width - 4
        if len(orders) == 1:
            order = orders[0]
            coupons, n_red = counts[order], red[order]
            if coupons == 0:
                line = self._t("ui.verdict_lost", order=order)
            elif coupons > 1:
                line = self._t("ui.verdict_dup", order=order, coupons=coupons, dups=coupons - 1)
            else:
                line = self._t("ui.verdict_ok", order=order)
            if n_red > 1:  # every group gets every duplicate: a doubled red packet is the same bug
                red_text = self._t("ui.red_packets_dup", order=order, n=n_red, dups=n_red - 1)
            else:
                red_text = self._t("ui.red_packets", order=order, n=n_red)
        else:
            line = self._orders_line(counts)
            red_text = self._red_packets_line(red)
        red_line = Text(wrap(red_text, width), style="bold" if any(n > 1 for n in red.values()) else "")
        others = self._other_orders(shop, orders)
        body = Group(
            Text(wrap(line, width), style="bold"),
            red_line,
            *(Text(wrap(other, width), style="bold") for other in others),
            "",
            Text(wrap(self._t(run.moral), width), no_wrap=True),
        )
        ok = all(n == 1 for n in counts.values()) and all(n == 1 for n in red.values()) and not others
        return Panel(body, title=self._t("ui.verdict"), border_style="green" if ok else "red")

    def _other_orders(self, shop: Shop, orders: tuple[str, ...]) -> list[str]:
        """What went wrong for the paid orders other than the lesson's own: orders with more
        than one coupon or red packet, and orders without one."""
        lines: list[str] = []
        sep = self._t("ui.list_sep")
        ledger = shop.coupon_db.name
        paid = [e.key for e in shop.world.trace.of(EffectExpected) if e.ledger == ledger and e.key not in orders]
        ledgers = (
            ("coupons", shop.coupon_db.query("SELECT order_id FROM coupons")),
            ("red_packets", shop.red_packet_db.query("SELECT order_id FROM red_packets")),
        )
        for what, rows in ledgers:
            count = Counter(str(r[0]) for r in rows)
            doubled = [o for o in paid if count[o] > 1]
            missing = [o for o in paid if count[o] == 0]
            if doubled:
                extra = sum(count[o] - 1 for o in doubled)
                lines.append(self._t(f"ui.others_dup_{what}", n=len(doubled), orders=sep.join(doubled), extra=extra))
            if missing:
                lines.append(self._t(f"ui.others_lost_{what}", n=len(missing), orders=sep.join(missing)))
        return lines

    def _orders_line(self, counts: dict[str, int]) -> str:
        """Coupons per paid order, then how many are duplicates and which orders got none."""
        each = self._t("ui.list_sep").join(self._t("ui.order_count", order=o, n=n) for o, n in counts.items())
        line = self._t("ui.verdict_orders", n=len(counts), counts=each)
        dups = sum(n - 1 for n in counts.values() if n > 1)
        lost = [o for o, n in counts.items() if n == 0]
        more: list[str] = []
        if dups:
            more.append(self._t("ui.verdict_orders_dup", dups=dups))
        if lost:
            more.append(self._t("ui.verdict_orders_lost", n=len(lost), orders=self._t("ui.list_sep").join(lost)))
        if not dups and not lost:
            more.append(self._t("ui.verdict_orders_ok"))
        for sentence in more:  # a space after an English full stop, none after a Chinese 。
            line += sentence if line.endswith("。") else " " + sentence
        return line

    def _red_packets_line(self, red: dict[str, int]) -> str:
        dups = sum(n - 1 for n in red.values() if n > 1)
        if dups:
            return self._t("ui.red_packets_orders_dup", n=sum(red.values()), orders=len(red), dups=dups)
        return self._t("ui.red_packets_orders", n=sum(red.values()), orders=len(red))


_SVG_TEXT = re.compile(r'(<text[^>]*?textLength=")([0-9.]+)("[^>]*>)([^<]*)(</text>)')


def _fix_wide_text(svg: str) -> str:
    """Rich sizes each SVG text run by its number of characters; a Chinese character takes
    two terminal cells, so runs with Chinese were squeezed to half width. Size them by cells."""

    def widen(m: re.Match[str]) -> str:
        text = html.unescape(m.group(4))
        if not text or cell_len(text) == len(text):
            return m.group(0)
        per_char = float(m.group(2)) / len(text)
        return f"{m.group(1)}{per_char * cell_len(text):.1f}{m.group(3)}{m.group(4)}{m.group(5)}"

    return _SVG_TEXT.sub(widen, svg)


def export(console: Console, path: str, title: str, *, clear: bool = False) -> None:
    """Write what ``console`` recorded to ``path`` as .svg, .html or .txt (``clear``: and
    start a new recording, for the next page)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        svg = console.export_svg(title=title, clear=clear)
        Path(path).write_text(_fix_wide_text(svg), encoding="utf-8")
    elif suffix in (".html", ".htm"):
        console.save_html(path, clear=clear)
    else:
        console.save_text(path, clear=clear)
