"""How ``minimq check`` looks on a terminal: the verdict, the figures, the counterexample.

Owns: ``show_pass``, ``show_counterexample`` and the lanes of the counterexample's
timeline (the order system | the broker | each coupon consumer | the coupon database |
the SMS outbox, for a design that sends SMS).
The words come from the catalog; this module lays them out with rich.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from minimq import events as ev
from minimq.i18n import t
from minimq.i18n.describe import fmt_duration, lane
from minimq.render.timeline import timeline

# the lanes of the lab (``minimq.testing.lab``), and the catalog entry of each title
LANES = {
    "order-system": "order",
    "broker": "broker",
    "c1": "c1",
    "c2": "c2",
    "coupon DB": "coupon DB",
    "SMS outbox": "SMS outbox",
}
TITLES = {"order": "lane.order", "broker": "lane.broker", "coupon DB": "lane.coupon_db", "SMS outbox": "lane.sms"}
FOLD_AFTER = 2  # deliveries of one message shown before the rest of its rounds fold into one row


def show_pass(console: Console, headline: str, paths_line: str, figures: Mapping[str, object], lang: str) -> None:
    console.print(Text.assemble((t("check.ok_word", lang), "bold green"), " ", headline))
    console.print(paths_line)
    console.print()
    console.print(figure_table(figures, lang))


def figure_table(figures: Mapping[str, object], lang: str) -> Table:
    """What the schedules did, one figure a row; schedules per path last."""
    table = Table(
        title=t("check.stats_title", lang), title_justify="left", title_style="bold", show_header=False, box=None
    )
    table.add_column(t("check.stats_figure", lang))
    table.add_column(t("check.stats_total", lang), justify="right")
    for name, value in figures.items():
        if name == "per_path":
            continue
        shown = fmt_duration(int(str(value)), lang) if name == "virtual_ms" else str(value)
        table.add_row(t(f"check.stats.{name}", lang), shown)
    per_path = figures.get("per_path", {})
    assert isinstance(per_path, Mapping)
    for path, count in per_path.items():
        table.add_row(t("check.stats.path", lang, path=path), str(count))
    return table


def show_counterexample(
    console: Console,
    headline: str,
    sections: Iterable[tuple[str, list[str]]],
    events: list[ev.Event],
    names: Mapping[str, str],
    replay: str,
    lang: str,
) -> None:
    """The headline, then each (title key, lines) section, the timeline, the replay command."""
    console.print(Text.assemble((t("check.fail_word", lang), "bold red"), " ", headline))
    for title, lines in sections:
        if not lines:
            continue
        console.print(f"\n[bold]{t(title, lang)}[/]")
        for line in lines:  # wrapped under their own start; a hint (indented) further in
            indent = 2 + len(line) - len(line.lstrip(" "))
            console.print(Padding(Text(line.lstrip(" ")), (0, 0, 0, indent), expand=False))
    console.print(counterexample_timeline(events, names, lang))
    console.print(f"\n[bold]{t('check.h_replay', lang)}[/]")
    console.print(replay, soft_wrap=True, markup=False)


def counterexample_timeline(events: list[ev.Event], names: Mapping[str, str], lang: str) -> Table:
    present = {LANES[r] for e in events if (r := lane(e)) in LANES}
    columns = [c for c in dict.fromkeys(LANES.values()) if c in present]
    titled = {raw: _title(column, lang) for raw, column in LANES.items()}
    return timeline(
        events,
        title=t("check.h_timeline", lang),
        lang=lang,
        lanes=titled,
        columns=[_title(c, lang) for c in columns],
        brief=True,
        ids=names,
        fold=FOLD_AFTER,
        fit=True,
    )


def _title(column: str, lang: str) -> str:
    key = TITLES.get(column)
    return t(key, lang) if key else column
