"""A lesson as a learner or a workshop sees it: panels, state tables, a timeline per run.

Owns: ``LessonView``, the ``View`` that prints a lesson with rich, in English or Chinese,
pausing after each step when asked. Everything goes through one ``Console(record=True)``
so the whole run can be exported as SVG, HTML or text (``minimq.render.export``); the
state tables are ``shop_tables``'s and the verdict ``shop_verdict``'s. A lesson with a
``Look`` (``minimq.lessons.look``) brings its own lanes, state tables, verdict and closing
columns; the others get the coupon and red-packet pictures of lessons 1 to 3. A lesson
with several coupon processes (``Lesson.processes``) gets a lane per process and a queues
table with each one's local offset and messages in flight (blank where it does not own
the queue); ``quiet_lanes`` and ``quiet_groups`` keep its pictures on the coupon group; a
verdict counts the coupons of every order in ``Lesson.orders``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from minimq.apps.incident import COUPON_CLIENT, COUPON_GROUP, RED_PACKET_CLIENT, RED_PACKET_GROUP
from minimq.apps.shop import Shop
from minimq.apps.wallet_lock import BATCH_JOB
from minimq.events import (
    ConsumerStarted,
    Event,
    Rebalanced,
    SendSucceeded,
)
from minimq.i18n import t
from minimq.i18n.describe import describe, fmt_ms, lane
from minimq.lessons.base import Lesson, Run, Step
from minimq.lessons.look import Label, Look
from minimq.lessons.runner import RunSummary
from minimq.model import MessageModel
from minimq.render import shop_tables as tables
from minimq.render.shop_verdict import look_verdict, verdict
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


def hidden(lesson: Lesson, look: Look | None, event: Event) -> bool:
    """An event the lesson leaves out of its pictures: of a quiet lane or group, or of a
    group its ``Look`` hides."""
    if not shown(lesson, event):
        return True
    return look is not None and getattr(event, "group", None) in look.hidden_groups


def set_up(event: Event) -> bool:
    """Start-up and bookkeeping a timeline picture leaves out (the narration shows them)."""
    if isinstance(event, ConsumerStarted):
        return not event.restart
    if isinstance(event, Rebalanced):
        return not event.before
    return isinstance(event, SendSucceeded)


def summary_rows(
    lesson: Lesson, look: Look | None, summaries: Sequence[RunSummary], lang: str
) -> tuple[list[str], list[tuple[list[str], bool]]]:
    """The closing table as data: its headers, and per run its cells and whether the run
    left no duplicate and no lost effect (the lesson site reads it too)."""
    if look is not None:
        keys = ("ui.design", *(col.title for col in look.summary))
    else:
        keys = ("ui.design", "ui.dup_deliveries_all", "ui.dup_effects", "ui.dup_red_packets", "ui.lost_all")
    headers = [t(key, lang) for key in (*keys, "ui.virtual_time")]
    rows: list[tuple[list[str], bool]] = []
    for run, s in zip(lesson.runs, summaries, strict=True):
        if look is not None:
            numbers = [col.value(s) for col in look.summary]
        else:
            coupon, red = s.groups[COUPON_GROUP], s.groups[RED_PACKET_GROUP]
            numbers = [s.duplicate_deliveries, coupon.duplicate_effects, red.duplicate_effects, s.lost_effects]
        ok = not s.duplicate_effects and not s.lost_effects
        rows.append(([t(run.title, lang), *map(str, numbers), fmt_ms(s.virtual_ms)], ok))
    return headers, rows


def summary_point(summaries: Sequence[RunSummary]) -> bool:
    """Whether a fix row still counts extra deliveries (``ui.summary_point`` says why that is right)."""
    return any(s.duplicate_deliveries and not s.duplicate_effects and not s.lost_effects for s in summaries)


def page_count(lesson: Lesson) -> int:
    """How many pages ``LessonView`` tells ``lesson`` in, one per pause: the opening, each
    step, each run's timeline and verdict, the summary. Step mode numbers pages by it."""
    return 2 + sum(len(run.steps) + 1 for run in lesson.runs)


class LessonView:
    """Prints a lesson; ``pause`` ends a page (step mode asks there what to show next)."""

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
        return self._lesson is not None and hidden(self._lesson, self._look, event)

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
            if len(lesson.processes) == 1:
                for table in tables.queues(shop, self.lang, c.width):
                    c.print(table)
            else:
                names = lane_names(lesson, self.lang, self._lanes)
                c.print(tables.process_queues(shop, lesson.processes, names, self.lang))
        if "retries" in step.show:
            c.print(tables.retries(shop, self.lang))
        if "disk" in step.show:
            c.print(tables.disk(shop, self.lang))
        if "replicas" in step.show:
            c.print(tables.replicas(shop, self.lang))
        if "coupons" in step.show:
            c.print(tables.coupons(shop, lesson.order, self.lang))
        for name in step.show:
            if self._look is not None and name in self._look.tables:
                c.print(tables.state_table(self._look.tables[name](shop), self.lang))
        self._wait()

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        c = self.console
        lanes = lane_names(lesson, self.lang, self._lanes)
        title = self._t("ui.timeline", n=n, title=self._t(run.title), seed=self.seed)
        # Every event counts for the duplicate marks (a copy is a duplicate of one delivered
        # during the scene or a stretch not drawn); the scene and those stretches get no rows.
        events = [e for e in shop.world.trace.events if not set_up(e) and not self._hidden(e)]
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
                width=c.width,
            )
        )
        width = c.width - 4
        if self._look is None:
            c.print(verdict(lesson, run, shop, self.lang, width))
        else:
            c.print(look_verdict(self._look, run, shop, self.lang, width))
        self._wait()

    def lesson_end(self, lesson: Lesson, summaries: list[RunSummary]) -> None:
        c = self.console
        table = Table(title=self._t("ui.summary_title", n=lesson.number), box=box.SIMPLE_HEAVY)
        headers, rows = summary_rows(lesson, self._look, summaries, self.lang)
        for i, head in enumerate(headers):
            # fold, not "…": a Chinese line may break between any two characters
            table.add_column(head, justify="left" if i == 0 else "right", overflow="fold")
        for cells, ok in rows:
            table.add_row(Text(cells[0], style="green" if ok else "red"), *cells[1:])
        c.print(table)
        if summary_point(summaries):
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
