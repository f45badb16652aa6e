"""What a lesson page shows, recorded while the lesson runs: a ``View`` that keeps data.

Owns: ``SiteView`` and ``collect_lesson``. Where ``minimq.render.lesson_view`` prints, this
view keeps, per run and step: the narration (catalog text), the step's events as rows
(time, lane, sentence, duplicate mark from ``minimq.render.timeline.duplicate_marks``),
the state after the step as plain tables (``minimq.render.shop_tables`` read back by
``table_data``: the queues with max, broker and local offsets and messages in flight,
the coupons, a lesson's own tables), and per run its verdict and moral; per lesson its
setting, diagnosis, limits, closing table and speaker notes. The events of a step are filtered as the
terminal filters them (quiet lanes and groups, bookkeeping noise), so page and terminal
tell the same story. Every value is a str, int, bool, list or dict: ``json.dumps`` takes it.

The timeline picture of a run is ``minimq.render.sequence.sequence_svg`` of the events the
steps listed, in the lanes they use, with each step's band (``data-step``): ``svg`` for the
verdict slide and the handout (1280 px), ``svg_steps`` for the step slides (``STEP_PX``).
"""

from __future__ import annotations

from typing import Any

from minimq.apps.shop import Shop
from minimq.events import ConsumerStarted, Event
from minimq.i18n import CATALOG, t
from minimq.i18n.describe import describe, fmt_ms, lane
from minimq.lessons.base import Lesson, Run, Step
from minimq.lessons.look import Look
from minimq.lessons.runner import RunSummary, run_lesson
from minimq.model import MessageModel
from minimq.render import shop_tables as tables
from minimq.render.lesson_view import (
    COLUMNS,
    LANES,
    hidden,
    lane_columns,
    lane_names,
    summary_point,
    summary_rows,
)
from minimq.render.sequence import WIDTH, sequence_svg
from minimq.render.shop_verdict import look_verdict_lines, verdict_lines
from minimq.render.table_data import TableData, table_data
from minimq.render.timeline import duplicate_marks, is_noise

Data = dict[str, Any]
WIDE = 10_000  # columns: the queues table stays one table (the page scrolls inside its panel)
STEP_PX = 700  # the picture on a step slide, drawn at its own size in the player's right column


def _table(data: TableData) -> Data:
    return {
        "title": data.title,
        "headers": list(data.headers),
        "rows": [list(r) for r in data.rows],
        "caption": data.caption,
    }


def _used_columns(columns: list[str], names: dict[str, str], events: list[Event]) -> list[str]:
    """The lanes that hold at least one drawn event, in the lesson's order."""
    used = {names[raw] for e in events if (raw := lane(e)) in names}
    return [c for c in columns if c in used]


class SiteView:
    """Records a lesson for its page, in one language; ``data`` is the result."""

    def __init__(self, lang: str, seed: int) -> None:
        self.lang = lang
        self.seed = seed
        self.data: Data = {}
        self._look: Look | None = None
        self._names: dict[str, str] = {}
        self._pending: list[tuple[Data, Event]] = []  # rows waiting for their duplicate mark
        self._drawn: list[Event] = []  # the run's listed events, for its timeline picture

    def _t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    # -- the View protocol ------------------------------------------------------------
    def lesson_start(self, lesson: Lesson) -> None:
        look = lesson.extra.get("look")
        self._look = look if isinstance(look, Look) else None
        self._lanes = dict(self._look.lanes) if self._look else LANES
        self._order = list(self._look.columns) if self._look else COLUMNS
        self._names = lane_names(lesson, self.lang, self._lanes)
        self.data = {
            "kind": "lesson",
            "lang": self.lang,
            "seed": self.seed,
            "number": lesson.number,
            "slug": lesson.slug,
            "title": self._t(lesson.title),
            "paths": list(lesson.paths),
            "opening": self._t(lesson.opening) if lesson.opening else "",
            "world": self._t("setting.world"),
            "setting": self._t(lesson.setting),
            "legend": self._t("ui.legend"),
            "diagnosis": self._t(lesson.diagnosis),
            "limits": self._t(lesson.limits),
            "runs": [],
        }

    def run_start(self, lesson: Lesson, n: int, run: Run) -> None:
        self._pending = []
        self._drawn = []
        self._steps: list[tuple[int, int]] = []
        self._pictured: list[Event] = []  # what the picture gets: the drawn events, and the scenes
        self._skipped: set[int] = set()  # indexes in it of the scenes' events: bands, not rows
        self.data["runs"].append(
            {
                "n": n,
                "design": run.design,
                "title": self._t(run.title),
                "heading": self._t("ui.run", n=n, total=len(lesson.runs), title=self._t(run.title)),
                "explain": self._t(run.explain),
                "steps": [],
            }
        )

    def step(self, lesson: Lesson, run: Run, n: int, step: Step, events: list[Event], shop: Shop) -> None:
        self._steps.append((n, step.until_ms))
        listed = events if step.events else [e for e in events if e.kind in step.only]
        if not step.events:  # a scene the steps do not list: one band in the picture
            self._skipped.update(range(len(self._pictured), len(self._pictured) + len(events)))
            self._pictured.extend(events)
        rows: list[Data] = []
        for e in listed:
            raw = lane(e)
            if raw is None or raw not in self._names or is_noise(e) or hidden(lesson, self._look, e):
                continue
            row: Data = {"t": fmt_ms(e.at_ms), "ms": e.at_ms, "lane": self._names[raw], "text": describe(e, self.lang)}
            row["mark"] = ""
            rows.append(row)
            self._pending.append((row, e))
            self._drawn.append(e)
            if step.events:
                self._pictured.append(e)
        note = ""
        if not step.events:
            key = "ui.events_not_listed" if not self.data["runs"][-1]["steps"] else "ui.events_not_drawn"
            note = self._t(key, n=len(events) - len(listed))
        self.data["runs"][-1]["steps"].append(
            {
                "n": n,
                "narration": self._t(step.text),
                "events": rows,
                "note": note,
                "tables": self._state(lesson, step, shop),
            }
        )

    def run_end(self, lesson: Lesson, n: int, run: Run, shop: Shop, summary: RunSummary) -> None:
        every = shop.world.trace.events
        broadcasting = {e.group for e in shop.world.trace.of(ConsumerStarted) if e.model == MessageModel.BROADCASTING}
        marks = duplicate_marks(every, broadcasting)
        mark_of = {id(every[i]): kind for i, kind in marks.items()}
        for row, event in self._pending:
            row["mark"] = mark_of.get(id(event), "")
        if self._look is None:
            lines, ok = verdict_lines(lesson, shop, self.lang)
        else:
            lines, ok = look_verdict_lines(self._look, shop, self.lang)
        record = self.data["runs"][-1]
        record["verdict"] = {"lines": [{"text": text, "strong": bad} for text, bad in lines], "ok": ok}
        record["moral"] = self._t(run.moral)
        record["timeline_title"] = self._t("ui.timeline", n=n, title=self._t(run.title), seed=self.seed)
        columns = _used_columns(lane_columns(lesson, self.lang, self._lanes, self._order), self._names, self._drawn)
        record["svg"], record["svg_steps"] = (
            sequence_svg(
                self._pictured,
                lanes=self._names,
                columns=columns,
                lang=self.lang,
                steps=self._steps,
                skip=self._skipped,
                width=px,
            )
            for px in (WIDTH, STEP_PX)
        )
        record["summary"] = summary.as_dict()

    def lesson_end(self, lesson: Lesson, summaries: list[RunSummary]) -> None:
        self.data["notes"] = speaker_notes(lesson, self.lang)
        headers, rows = summary_rows(lesson, self._look, summaries, self.lang)
        self.data["summary"] = {
            "title": self._t("ui.summary_title", n=lesson.number),
            "headers": headers,
            "rows": [{"cells": cells, "ok": ok} for cells, ok in rows],
            "point": self._t("ui.summary_point") if summary_point(summaries) else "",
        }

    # -- pieces ---------------------------------------------------------------------------
    def _state(self, lesson: Lesson, step: Step, shop: Shop) -> list[Data]:
        """The state after a step: the tables the step names, and for the coupon incident's
        lessons the queues and coupons always (a page has room for them at every step)."""
        out: list[TableData] = []
        if self._look is None or "queues" in step.show:
            if len(lesson.processes) == 1:
                out += [table_data(tb) for tb in tables.queues(shop, self.lang, WIDE)]
            else:
                out.append(table_data(tables.process_queues(shop, lesson.processes, self._names, self.lang)))
        if "retries" in step.show:
            out.append(table_data(tables.retries(shop, self.lang)))
        if "disk" in step.show:
            out.append(table_data(tables.disk(shop, self.lang)))
        if self._look is None or "coupons" in step.show:
            out.append(table_data(tables.coupons(shop, lesson.order, self.lang)))
        if self._look is not None:
            for name, build in self._look.tables.items():
                if name in step.show:
                    out.append(table_data(tables.state_table(build(shop), self.lang)))
        return [_table(d) for d in out]


def slide_ids(lesson: Lesson) -> list[str]:
    """The player's slides in order: ``intro``, each run's steps (``r1s1`` ...) and verdict
    (``r1end``), then ``end``; a speaker note's key ends with one of them."""
    ids = ["intro"]
    for n, run in enumerate(lesson.runs, 1):
        ids += [f"r{n}s{k}" for k in range(1, len(run.steps) + 1)] + [f"r{n}end"]
    return [*ids, "end"]


def speaker_notes(lesson: Lesson, lang: str) -> dict[str, str]:
    """What the instructor asks at each slide (``note.<slug>.<slide>`` in the catalog, from
    docs/workshop.md's questions): shown in presenter mode, never on the projected slide."""
    keys = {slide: f"note.{lesson.slug}.{slide}" for slide in slide_ids(lesson)}
    return {slide: t(key, lang) for slide, key in keys.items() if key in CATALOG}


def collect_lesson(lesson: Lesson, lang: str, seed: int = 1) -> Data:
    """Run ``lesson`` once in ``lang`` and return what its page shows."""
    view = SiteView(lang, seed)
    run_lesson(lesson, seed, view)
    return view.data
