"""The live feed of ``minimq demo --realtime``: each event, one line, when the run reaches it.

Owns: ``LiveFeed``. The command lets the demo's minute pass in slices, sleeping between
them, and calls ``show`` after each: the feed prints what the trace gained since the last
call, one line an event (virtual time, lane, the sentence the timeline would draw, with
its duplicate mark), and leaves out the bookkeeping the timeline leaves out
(``timeline.is_noise``). On a terminal, the virtual clock ticks on the last line through
the quiet stretches, so that a silent screen still says the run goes on; it is erased
before the next line. The feed only reads the trace; it never acts on the world.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from minimq import events as ev
from minimq.i18n import t
from minimq.i18n.describe import fmt_ms, lane
from minimq.render.timeline import duplicate_marks, event_text, is_noise
from minimq.render.wrap import wrap

LANE_WIDTH = 12  # "order-system", "red-packet-1": the demo's longest lanes
ERASE_LINE = "\r\x1b[2K"


class LiveFeed:
    """Prints a growing trace, one event a line, in ``lang``."""

    def __init__(self, console: Console, lang: str = "en", *, lane_width: int = LANE_WIDTH) -> None:
        self.console = console
        self.lang = lang
        self.lane_width = lane_width
        self._shown = 0  # events of the trace already looked at
        self._ticking = False  # the clock is on the last line

    def show(self, events: Sequence[ev.Event], now_ms: int) -> None:
        """Print the events after the last call's, then (on a terminal) the clock at ``now_ms``."""
        if len(events) > self._shown:
            marks = duplicate_marks(events)  # a mark depends only on earlier events: stable as the trace grows
            for i in range(self._shown, len(events)):
                e = events[i]
                if lane(e) is not None and not is_noise(e):
                    self._erase_clock()
                    self.console.print(self._line(e, marks.get(i)))
            self._shown = len(events)
        if self.console.is_terminal:
            self._erase_clock()
            self.console.file.write(f"{fmt_ms(now_ms)} …")
            self._ticking = True
        self.console.file.flush()

    def close(self, now_ms: int) -> None:
        """The run is over: erase the clock and say so."""
        self._erase_clock()
        self.console.print(t("demo.live_end", self.lang, at=fmt_ms(now_ms)), style="dim", markup=False)
        self.console.file.flush()

    def _erase_clock(self) -> None:
        if self._ticking:
            self.console.file.write(ERASE_LINE)
            self._ticking = False

    def _line(self, e: ev.Event, mark: str | None) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(width=self.lane_width, no_wrap=True, overflow="ellipsis")
        grid.add_column(ratio=1, overflow="fold")
        at = fmt_ms(e.at_ms)
        text = event_text(e, mark, self.lang)
        room = max(self.console.width - cell_len(at) - self.lane_width - 4, 10)
        # broken by minimq's rules, not rich's: a Chinese sentence has no space to break at
        fitted = Text(wrap(text.plain, room), style=text.style, no_wrap=True)
        if text.spans:  # a fault's sentence is styled whole
            fitted.stylize(text.spans[0].style)
        grid.add_row(at, lane(e) or "", fitted)
        return grid
