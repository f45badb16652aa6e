"""The timeline picture: one column per lane, one row per event, duplicates marked.

Owns: ``timeline(events)``, a rich ``Table`` with lanes (producer | broker | each
consumer | each effect ledger, or the lanes a lesson names). A second delivery of the
same business key (or msg id) to the same group, and a second effect for the same key,
are marked in red: that is the duplicate the lesson is about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from rich.table import Table
from rich.text import Text

from minimq import events as ev
from minimq.i18n import t
from minimq.render.describe import describe, fmt_ms, lane

QUIET = (ev.OffsetCommittedLocally,)


def is_noise(event: ev.Event) -> bool:
    """Bookkeeping a picture can leave out: local offset moves, retry-topic set-up, and
    persists of offset 0 (nothing consumed yet)."""
    if isinstance(event, QUIET):
        return True
    if isinstance(event, ev.Rebalanced | ev.OffsetPersisted) and event.topic.startswith("%"):
        return True
    return isinstance(event, ev.OffsetPersisted) and event.offset == 0


def lanes_of(events: Iterable[ev.Event]) -> list[str]:
    """Lanes in a stable order: producers, broker, consumers, ledgers."""
    producers: list[str] = []
    consumers: list[str] = []
    ledgers: list[str] = []
    for e in events:
        name = lane(e)
        if name is None or name == "broker":
            continue
        if isinstance(e, ev.SendAttempted | ev.SendFailed | ev.SendSucceeded | ev.SendGaveUp):
            bucket = producers
        elif isinstance(e, ev.EffectApplied):
            bucket = ledgers
        else:
            bucket = consumers
        if name not in bucket:
            bucket.append(name)
    return [*producers, "broker", *consumers, *ledgers]


def duplicate_marks(events: Iterable[ev.Event]) -> set[int]:
    """Indexes (in ``events``) of repeated deliveries and repeated effects."""
    deliveries: Counter[tuple[str, str]] = Counter()
    effects: Counter[tuple[str, str]] = Counter()
    marked: set[int] = set()
    for i, e in enumerate(events):
        if isinstance(e, ev.MessageDelivered):
            key = (e.group, e.keys[0] if e.keys else e.msg_id)
            deliveries[key] += 1
            if deliveries[key] > 1:
                marked.add(i)
        elif isinstance(e, ev.EffectApplied):
            effects[(e.ledger, e.key)] += 1
            if effects[(e.ledger, e.key)] > 1:
                marked.add(i)
    return marked


def timeline(
    events: Iterable[ev.Event],
    *,
    title: str = "Timeline",
    quiet: bool = True,
    lang: str = "en",
    lanes: Mapping[str, str] | None = None,
    columns: list[str] | None = None,
    brief: bool = False,
) -> Table:
    """Lay ``events`` out in lanes. ``lanes`` maps an event's lane to a column name (events
    of unmapped lanes are left out); ``columns`` gives the column order."""
    every = list(events)
    marks = duplicate_marks(every)
    rows: list[tuple[int, ev.Event, str]] = []
    for i, e in enumerate(every):
        raw = lane(e)
        if raw is None or (quiet and is_noise(e)):
            continue
        column = lanes.get(raw) if lanes is not None else raw
        if column is not None:
            rows.append((i, e, column))
    names = columns or lanes_of(e for _, e, _ in rows)
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column(t("ui.t", lang), style="dim", no_wrap=True)
    for name in names:
        table.add_column(name, overflow="fold", ratio=1)
    for i, e, column in rows:
        if column not in names:
            continue
        said = describe(e, lang, brief=brief)
        text = Text(said)
        if i in marks:
            key = "ui.dup_effect_mark" if isinstance(e, ev.EffectApplied) else "ui.dup_mark"
            text = Text(t(key, lang) + said, style="bold red")
        elif isinstance(e, ev.FaultInjected | ev.ConsumerCrashed | ev.ConsumerShutdown):
            text.stylize("bold yellow")
        row: list[Text | str] = [fmt_ms(e.at_ms), *("" for _ in names)]
        row[1 + names.index(column)] = text
        table.add_row(*row)
    return table
