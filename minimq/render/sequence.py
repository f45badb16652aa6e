"""The timeline as a picture: one run drawn as a self-contained SVG sequence diagram.

Owns: ``sequence_svg(events, ...)``. One vertical lane per column (payment, order,
broker, each coupon process, red packet, coupon DB: ``lanes`` and ``columns`` as
``minimq.render.timeline.timeline`` takes them), virtual time running down the left
axis, arrows and notes as ``minimq.render.sequence_items`` reads them off the trace. Time
is compressed: a row per event, a little more room for a longer pause, and a marked break
(``2 min later``) instead of drawing a long quiet stretch to scale. The duplicate
delivery and the duplicate effect are red, thick and dash-dotted, with a warning
triangle and their reason, so the picture reads in black and white too.

Each event's group carries ``data-step="N"`` (from ``steps``: (number, until_ms)), and so
does the band behind each step (``class="sq-step-bg"``): a page highlights the current
step with CSS alone, e.g. ``.sq-step-bg[data-step="2"] {fill: #fff3c4}``. No script, no
remote font: a system font stack that renders Chinese; text widths are estimated from
``rich.cells.cell_len`` (a Chinese character is two cells) so labels wrap before they
collide. The same events give byte-identical SVG.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from xml.sax.saxutils import escape

from minimq import events as ev
from minimq.i18n import t
from minimq.i18n.describe import fmt_duration, fmt_ms
from minimq.render.sequence_items import Item, Style, items
from minimq.render.sequence_style import LINE, STYLE, lines_within, text_px

WIDTH = 1280
AXIS = 96  # the time axis, left of the first lane
BREAK_MS = 10_000  # a quiet stretch at least this long is a marked break, not drawn to scale


def _x(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "middle") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{klass}>{_x(text)}</text>'


class _Canvas:
    """Lays items out top to bottom and collects their SVG, one ``<g>`` per item."""

    def __init__(self, columns: Sequence[str], lang: str, top: int, width: int) -> None:
        self.lang = lang
        self.width = width
        self.columns = len(columns)
        self.lane_w = (width - AXIS - 8) / max(len(columns), 1)
        self.y = top
        self.parts: list[str] = []
        self.breaks: list[tuple[int, int]] = []  # (top, bottom) where the lanes are not drawn
        self.steps: dict[int, list[int]] = {}  # step: [top, bottom]
        self.last_time = ""
        self.step = -1
        self.down: dict[int, int] = {}  # column: where its process died
        self.dead: list[tuple[int, int, int]] = []  # (column, top, bottom) while a process was down

    def begin(self, step: int) -> None:
        """Room for a step's name above its first item, when ``step`` is a new one."""
        if step == self.step:
            return
        self.step = step
        if step:
            self.steps[step] = [self.y, self.y]
            self.y += 20

    def cx(self, column: int) -> float:
        return round(AXIS + self.lane_w * (column + 0.5), 1)

    def _group(self, item: Item, cls: str, body: list[str], top: int) -> None:
        step = f' data-step="{item.step}"' if item.step else ""
        self.parts.append(f'<g class="sq-ev sq-{cls}"{step}>{"".join(body)}</g>')
        span = self.steps.setdefault(item.step, [top, self.y])
        span[1] = self.y

    def pause(self, ms: int, step: int) -> None:
        """Room for ``ms`` of quiet before the next item: a little, or a marked break."""
        if ms >= BREAK_MS:
            top, self.y = self.y, self.y + 34
            self.breaks.append((top + 6, self.y - 6))
            said = t("seq.break", self.lang, span=fmt_duration(ms, self.lang))
            zigzag = "".join(
                f'<path d="M{x - 7:g} {top + 11} l14 -4 M{x - 7:g} {top + 27} l14 -4"/>'
                for x in (self.cx(c) for c in range(self.columns))
            )
            step_attr = f' data-step="{step}"' if step else ""
            mid = top + 17
            text = _text(AXIS + (self.width - AXIS) / 2, mid + 4, f"≈ {said} ≈")
            self.parts.append(f'<g class="sq-break"{step_attr}>{zigzag}{text}</g>')
        elif ms > 0:
            self.y += min(22, round(4 * (1 + ms / 100) ** 0.5))

    def time(self, at_ms: int, y: float) -> str:
        said = fmt_ms(at_ms)
        if said == self.last_time:
            return ""
        self.last_time = said
        return _text(AXIS - 10, y + 4, said, "sq-time", "end")

    def gap(self, item: Item) -> None:
        top = self.y
        self.y += 30
        width = text_px(item.label) + 24
        x = AXIS + (self.width - AXIS) / 2
        body = [
            f'<rect x="{x - width / 2:g}" y="{top + 4}" width="{width}" height="22" rx="11"/>',
            _text(x, top + 19, item.label),
            self.time(item.at_ms, top + 15),
        ]
        self._group(item, "gap", body, top)

    def arrow(self, item: Item) -> None:
        top = self.y
        x1, x2 = self.cx(item.src), self.cx(item.dst)
        room = max(abs(x2 - x1), 1.5 * self.lane_w) - 16  # a short arrow's label may overhang, haloed
        bold = item.style is Style.DUPLICATE
        label = lines_within(item.label, int(room), bold)
        mid = (x1 + x2) / 2
        body = [_text(mid, top + LINE * (n + 1) - 2, line) for n, line in enumerate(label)]
        y = top + LINE * len(label) + 5
        body.append(f'<line x1="{x1:g}" y1="{y}" x2="{x2:g}" y2="{y}"/>')
        way = 1 if x2 > x1 else -1
        if item.style is Style.FAILED:
            body.append(f'<path d="M{x2 - way * 14:g} {y - 6} l12 12 M{x2 - way * 14:g} {y + 6} l12 -12"/>')
        else:
            tip = x2 - way * 1
            body.append(f'<polygon points="{tip:g},{y} {tip - way * 10:g},{y - 5} {tip - way * 10:g},{y + 5}"/>')
        if item.style is Style.DUPLICATE:
            width = max(text_px(line, bold) for line in label)
            body.append(_warning(mid - width / 2 - 14, top + 1))
        self.y = y + 6
        self._why(item, mid, body, max(room, 3.5 * self.lane_w))
        body.append(self.time(item.at_ms, y))
        self._group(item, item.style.value, body, top)

    def note(self, item: Item) -> None:
        top = self.y
        x = self.cx(item.dst)
        mark = 18 if item.style in (Style.FAULT, Style.DUPLICATE) else 0
        # One item per row: a note may be wider than its lane and still clear the next lane's line.
        bold = item.style is Style.DUPLICATE
        label = lines_within(item.label, int(1.6 * self.lane_w - 14 - mark), bold)
        width = max(text_px(line, bold) for line in label) + 14 + mark
        height = LINE * len(label) + 6
        left = min(max(x - width / 2, AXIS - 4), self.width - 4 - width)  # inside the picture
        x = left + width / 2
        body = [f'<rect class="sq-note" x="{left:g}" y="{top + 2}" width="{width}" height="{height}" rx="4"/>']
        body += [_text(x + mark / 2, top + 2 + LINE * (n + 1) - 3, line) for n, line in enumerate(label)]
        if item.style is Style.FAULT:  # a cross: the process or the call died here
            body.append(f'<path d="M{left + 6:g} {top + 8} l10 10 M{left + 6:g} {top + 18} l10 -10"/>')
        elif item.style is Style.DUPLICATE:
            body.append(_warning(left + 12, top + 7))
        if item.life == "up" and item.dst in self.down:
            self.dead.append((item.dst, self.down.pop(item.dst), top))
        self.y = top + height + 6
        if item.life == "down":
            self.down[item.dst] = self.y - 4
        self._why(item, x, body, 3.5 * self.lane_w)
        body.append(self.time(item.at_ms, top + 2 + height / 2))
        self._group(item, item.style.value, body, top)

    def _why(self, item: Item, x: float, body: list[str], room: float) -> None:
        """The reason under a duplicate, kept inside the picture."""
        if not item.reason:
            return
        why = lines_within(item.reason, int(room))
        half = max(text_px(line) for line in why) / 2
        x = min(max(x, AXIS + half + 4), self.width - half - 4)
        body += [_text(x, self.y + LINE * (n + 1) - 4, line, "sq-why") for n, line in enumerate(why)]
        self.y += LINE * len(why) + 4


def _warning(x: float, y: float) -> str:
    """A warning triangle with a "!" whose top is at (x, y): a duplicate's mark in black and white."""
    points = f"{x:g},{y:g} {x - 8:g},{y + 14:g} {x + 8:g},{y + 14:g}"
    return f'<polygon class="sq-warn" points="{points}"/>' + _text(x, y + 12.5, "!", "sq-bang")


def sequence_svg(
    events: Sequence[ev.Event],
    *,
    lanes: Mapping[str, str],
    columns: Sequence[str],
    lang: str,
    steps: Sequence[tuple[int, int]] = (),
    title: str = "",
    skip: Collection[int] = (),
    width: int = WIDTH,
) -> str:
    """One run of ``events`` as an SVG sequence diagram (see the module's docstring).
    ``skip`` holds indexes of events not to draw (they still count for the duplicate
    marks), as ``timeline`` takes it: each stretch of them is one band saying how many.
    ``width`` in px: a narrower picture wraps its labels onto more lines, so that a page
    can draw it at its own size in a narrower panel. The lane headings' top and bottom
    are in ``data-head`` (a page may keep them in view while the picture scrolls)."""
    head = 40 if title else 8
    canvas = _Canvas(columns, lang, head + 42, width)
    previous: int | None = None
    for item in items(events, lanes=lanes, columns=columns, lang=lang, steps=steps, skip=skip):
        if previous is not None and not item.skipped:
            canvas.pause(item.at_ms - previous, item.step)
        canvas.begin(item.step)
        previous = item.until_ms
        if item.skipped:
            canvas.gap(item)
        elif item.src == item.dst:
            canvas.note(item)
        else:
            canvas.arrow(item)
    bottom = canvas.y + 12
    legend, rows = _legend(lang, bottom, width)
    height = bottom + 12 + 28 * rows
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sq" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" data-head="{head - 4} {head + 34}">',
        f"<title>{_x(title or t('seq.time', lang))}</title>",
        f"<style>{STYLE}</style>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    out += _step_bands(canvas, lang)
    if title:
        out.append(_text(16, 26, title, "sq-title", "start"))
    out += _lanes(canvas, columns, head, bottom, lang)
    out += canvas.parts
    out.append(legend)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _step_bands(canvas: _Canvas, lang: str) -> list[str]:
    """A band behind each step, its name on the axis; every other one lightly shaded."""
    out: list[str] = []
    for n, (number, (top, bottom)) in enumerate(sorted(canvas.steps.items())):
        if not number:
            continue
        alt = " sq-alt" if n % 2 else ""
        out.append(
            f'<g data-step="{number}"><rect class="sq-step-bg{alt}" data-step="{number}" x="0" y="{top}" '
            f'width="{canvas.width}" height="{bottom - top}"/>'
            + _text(8, top + 15, t("seq.step", lang, n=number), "sq-stepname", "start")
            + "</g>"
        )
    return out


def _lanes(canvas: _Canvas, columns: Sequence[str], head: int, bottom: int, lang: str) -> list[str]:
    """The lane headings and their vertical lines, interrupted at each break."""
    out = ['<g class="sq-head">', _text(AXIS - 10, head + 21, t("seq.time", lang), "sq-time", "end")]
    for n, name in enumerate(columns):
        x = canvas.cx(n)
        width = min(text_px(name) + 20, int(canvas.lane_w - 8))
        out.append(f'<rect x="{x - width / 2:g}" y="{head}" width="{width}" height="30" rx="5"/>')
        out.append(_text(x, head + 20, name))
    out.append("</g>")
    spans, start = [], head + 30
    for top, end in canvas.breaks:
        spans.append((start, top))
        start = end
    spans.append((start, bottom))
    for n in range(len(columns)):
        x = canvas.cx(n)
        out += [f'<line class="sq-lane" x1="{x:g}" y1="{a}" x2="{x:g}" y2="{b}"/>' for a, b in spans]
    # A process that is down has no lane: a dotted stretch from its crash to its restart.
    dead = [*canvas.dead, *((n, top, bottom) for n, top in sorted(canvas.down.items()))]
    for n, top, end in dead:
        x = canvas.cx(n)
        for cls in ("sq-gone", "sq-dead"):  # the lane's line wiped out, then dotted over
            out.append(f'<line class="{cls}" x1="{x:g}" y1="{top}" x2="{x:g}" y2="{end}"/>')
    return out


LEGEND = (
    (Style.PLAIN, "seq.legend.message"),
    (Style.OFFSET, "seq.legend.offset"),
    (Style.RETRY, "seq.legend.retry"),
    (Style.FAILED, "seq.legend.failed"),
    (Style.DUPLICATE, "seq.legend.duplicate"),
)


def _legend(lang: str, y: int, width: int) -> tuple[str, int]:
    """A key to the arrows along the bottom, so a printed page explains itself; a new row
    when the next entry would not fit. Returns the SVG and how many rows it took."""
    out, x, rows = ['<g class="sq-legend">'], AXIS, 1
    for style, key in LEGEND:
        said = t(key, lang)
        if x > AXIS and x + 44 + text_px(said) > width - 8:
            x, y, rows = AXIS, y + 28, rows + 1
        head = f'<polygon points="{x + 36},{y + 14} {x + 26},{y + 9} {x + 26},{y + 19}"/>'
        if style is Style.FAILED:
            head = f'<path d="M{x + 24} {y + 8} l12 12 M{x + 24} {y + 20} l12 -12"/>'
        out.append(f'<g class="sq-{style.value}"><line x1="{x}" y1="{y + 14}" x2="{x + 36}" y2="{y + 14}"/>{head}')
        out.append(_text(x + 44, y + 18, said, "", "start") + "</g>")
        x += 44 + text_px(said) + 28
    out.append("</g>")
    return "".join(out), rows
