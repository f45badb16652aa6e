"""The timeline picture: one column per lane, one row per event, duplicates marked.

Owns: ``timeline(events)``, a rich ``Table`` with lanes (producer | broker | each
consumer | each effect ledger, or the lanes a lesson names). A second delivery of the
same business key (or msg id) to the same group, and a second effect for the same key,
are marked in red: that is the duplicate the lesson is about. A repeated delivery that
the consumer asked for (the last attempt of that msg id failed: ``minimq.check.repeat_kinds``)
is marked as a retry instead. With ``fold``, a message delivered many times (a retry
ladder, a handler that never returns) shows its first ``fold`` deliveries and its last;
the rounds between are one row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping

from rich.table import Table
from rich.text import Text

from minimq import events as ev
from minimq.check import repeat_kinds
from minimq.i18n import t
from minimq.i18n.describe import describe, fmt_ms, lane

QUIET = (ev.OffsetCommittedLocally,)
GAP = "\0gap"  # the column of a row that stands for a stretch of skipped events


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


def duplicate_marks(events: Iterable[ev.Event], broadcasting: Collection[str] | None = None) -> dict[int, str]:
    """Indexes (in ``events``) of repeated deliveries ("duplicate" or "retry"; counted per
    client in a ``broadcasting`` group, see ``repeat_kinds``) and of repeated effects
    ("effect")."""
    every = list(events)
    marked = repeat_kinds(every, broadcasting)
    effects: Counter[tuple[str, str]] = Counter()
    for i, e in enumerate(every):
        if isinstance(e, ev.EffectApplied):
            effects[(e.ledger, e.key)] += 1
            if effects[(e.ledger, e.key)] > 1:
                marked[i] = "effect"
    return marked


def _about(e: ev.Event) -> str | None:
    """The msg id an event is about, if any."""
    msg_id = getattr(e, "msg_id", None)
    if isinstance(msg_id, str):
        return msg_id
    if isinstance(e, ev.AppEvent):
        return dict(e.args).get("msg_id")
    return None


def folds(events: list[ev.Event], keep: int) -> dict[int, tuple[str, int, int, int, str]]:
    """Rounds to fold: for a msg id delivered more than ``keep + 2`` times, the events about
    it from its (keep+1)-th delivery to just before its last. Returns, at the index of the
    first folded event, (msg id, deliveries folded, first and last folded time, the lane
    of those deliveries); every other folded index maps to an empty marker."""
    deliveries: dict[str, list[int]] = {}
    for i, e in enumerate(events):
        if isinstance(e, ev.MessageDelivered):
            deliveries.setdefault(e.msg_id, []).append(i)
    out: dict[int, tuple[str, int, int, int, str]] = {}
    for msg_id, at in deliveries.items():
        if len(at) <= keep + 2:
            continue
        start, end = at[keep], at[-1]
        inside = [i for i in range(start, end) if _about(events[i]) == msg_id]
        first = events[start]
        out[inside[0]] = (msg_id, len(at) - keep - 1, first.at_ms, events[at[-2]].at_ms, lane(first) or "")
        for i in inside[1:]:
            out[i] = ("", 0, 0, 0, "")
    return out


def timeline(
    events: Iterable[ev.Event],
    *,
    title: str = "Timeline",
    quiet: bool = True,
    lang: str = "en",
    lanes: Mapping[str, str] | None = None,
    columns: list[str] | None = None,
    brief: bool = False,
    ids: Mapping[str, str] | None = None,
    fold: int | None = None,
    fit: bool = False,
    broadcasting: Collection[str] | None = None,
    skip: Collection[int] = (),
) -> Table:
    """Lay ``events`` out in lanes. ``lanes`` maps an event's lane to a column name (events
    of unmapped lanes are left out); ``columns`` gives the column order; ``ids`` names msg
    ids; ``fold`` folds long runs of redeliveries (see ``folds``); ``fit`` sizes each lane to
    what it holds instead of giving every lane the same width; ``broadcasting`` names the
    groups whose deliveries count per client (by default, those started among ``events``);
    ``skip`` holds indexes of events to leave out (they still count for the duplicate
    marks): a stretch of them after a drawn row is one row saying how many events it held."""
    every = list(events)
    marks = duplicate_marks(every, broadcasting)
    folded = folds(every, fold) if fold is not None else {}
    rows: list[tuple[int, ev.Event, str]] = []
    gaps: dict[int, tuple[int, int]] = {}  # index of a stretch's last skipped event: its length, first time
    gap: list[ev.Event] = []  # events skipped since the last row drawn
    for i, e in enumerate(every):
        if i in skip:
            if rows:  # a stretch before the first row is the scene: nothing to say
                gap.append(e)
            continue
        if gap:
            rows.append((i - 1, gap[-1], GAP))
            gaps[i - 1] = (len(gap), gap[0].at_ms)
            gap = []
        raw = lane(e)
        if i in folded:
            if folded[i][0]:
                rows.append((i, e, "…"))
            continue
        if raw is None or (quiet and is_noise(e)):
            continue
        column = lanes.get(raw) if lanes is not None else raw
        if column is not None:
            rows.append((i, e, column))
    if gap:
        rows.append((len(every) - 1, gap[-1], GAP))
        gaps[len(every) - 1] = (len(gap), gap[0].at_ms)
    names = columns or lanes_of(e for _, e, c in rows if c != GAP)
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column(t("ui.t", lang), style="dim", no_wrap=True)
    for name in names:
        table.add_column(name, overflow="fold", ratio=None if fit else 1)
    for i, e, column in rows:
        if column == "…":
            table.add_row(*_folded_row(folded[i], names, lanes, lang, ids))
            continue
        if column == GAP:
            n, start = gaps[i]
            said = Text(t("ui.timeline_gap", lang, n=n), style="dim")
            table.add_row(fmt_ms(start), said, *("" for _ in names[1:]))
            continue
        if column not in names:
            continue
        table.add_row(*_row(e, names, column, marks.get(i), lang, brief, ids))
    return table


# How a repeat is marked: a catalog prefix and a style. A retry has no prefix: its cell
# already says "retry n", and the consumer asked for it.
MARKS = {
    "duplicate": ("ui.dup_mark", "bold red"),
    "effect": ("ui.dup_effect_mark", "bold red"),
    "retry": ("", "yellow"),
}


def _folded_row(
    fold: tuple[str, int, int, int, str],
    names: list[str],
    lanes: Mapping[str, str] | None,
    lang: str,
    ids: Mapping[str, str] | None,
) -> list[Text | str]:
    """One row for the folded rounds of a message, in the lane of its deliveries."""
    msg_id, n, start, end, raw = fold
    said = t("check.folded", lang, n=n, msg=(ids or {}).get(msg_id, msg_id), start=fmt_ms(start), end=fmt_ms(end))
    column = lanes.get(raw, raw) if lanes is not None else raw
    row: list[Text | str] = [fmt_ms(start), *("" for _ in names)]
    row[1 + (names.index(column) if column in names else 0)] = Text(said, style="dim")
    return row


def _row(
    e: ev.Event, names: list[str], column: str, mark: str | None, lang: str, brief: bool, ids: Mapping[str, str] | None
) -> list[Text | str]:
    row: list[Text | str] = [fmt_ms(e.at_ms), *("" for _ in names)]
    row[1 + names.index(column)] = event_text(e, mark, lang, brief=brief, ids=ids)
    return row


def event_text(
    e: ev.Event, mark: str | None, lang: str, *, brief: bool = False, ids: Mapping[str, str] | None = None
) -> Text:
    """What a row says about ``e``: its sentence, marked as a repeat (``duplicate_marks``)
    or styled as a fault; the demo's live feed prints the same words."""
    said = describe(e, lang, brief=brief, ids=ids)
    if mark is not None:
        key, style = MARKS[mark]
        return Text((t(key, lang) if key else "") + said, style=style)
    text = Text(said)
    if isinstance(e, ev.FaultInjected | ev.ConsumerCrashed | ev.ConsumerShutdown):
        text.stylize("bold yellow")
    return text
