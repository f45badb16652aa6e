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

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from minimq import events as ev
from minimq.check import repeat_kinds
from minimq.i18n import t
from minimq.i18n.describe import describe, fmt_ms, lane
from minimq.render.wrap import words

QUIET = (ev.OffsetCommittedLocally,)
GAP = "\0gap"  # the column of a row that stands for a stretch of skipped events


def is_noise(event: ev.Event) -> bool:
    """Bookkeeping a picture can leave out: local offset moves, retry-topic set-up, the
    retry topic's offsets (persisted, restored by a broker restart, or synced to a slave),
    and persists of offset 0 (nothing consumed yet)."""
    if isinstance(event, QUIET):
        return True
    kinds = ev.Rebalanced | ev.OffsetPersisted | ev.OffsetRestored | ev.OffsetSyncedFromMaster
    if isinstance(event, kinds) and event.topic.startswith("%"):
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
        if isinstance(e, ev.SendAttempted | ev.SendFailed | ev.SendSucceeded | ev.SendGaveUp | ev.TransactionEnded):
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
    width: int | None = None,
) -> Table:
    """Lay ``events`` out in lanes. ``lanes`` maps an event's lane to a column name (events
    of unmapped lanes are left out); ``columns`` gives the column order; ``ids`` names msg
    ids; ``fold`` folds long runs of redeliveries (see ``folds``); ``fit`` sizes each lane to
    what it holds instead of giving every lane the same width; ``broadcasting`` names the
    groups whose deliveries count per client (by default, those started among ``events``);
    ``skip`` holds indexes of events to leave out (they still count for the duplicate
    marks): a stretch of them after a drawn row is one row saying how many events it held.
    With ``width``, no word is cut: each lane is at least as wide as its longest word, and
    when the lanes cannot all have that in ``width`` columns the timeline is a list (time,
    lane, what happened) instead."""
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
    cells: list[list[Text | str]] = []
    for i, e, column in rows:
        if column == "…":
            cells.append(_folded_row(folded[i], names, lanes, lang, ids))
        elif column == GAP:
            n, start = gaps[i]
            cells.append([fmt_ms(start), Text(t("ui.timeline_gap", lang, n=n), style="dim"), *("" for _ in names[1:])])
        elif column in names:
            cells.append(_row(e, names, column, marks.get(i), lang, brief, ids))
    if width is None:
        return _lanes_table(title, names, cells, lang, None if fit else 1, {})
    least = [_longest_word([names[i], *(str(row[1 + i]) for row in cells)]) for i in range(len(names))]
    most = [max([least[i], *(cell_len(str(row[1 + i])) for row in cells)]) for i in range(len(names))]
    room = width - TIME_CELLS - 2 * (len(names) + 1) - (len(names) + 2)  # padding and borders
    if sum(least) > room:
        return _list_table(title, names, cells, lang)
    return _lanes_table(title, names, cells, lang, None, dict(enumerate(_share(room, least, most))))


TIME_CELLS = 9  # 00:00.000


def _share(room: int, least: list[int], most: list[int]) -> list[int]:
    """Lane widths that add up to at most ``room``: each lane its longest word, then the
    rest handed out a cell at a time to the lanes whose text is still wider."""
    widths = list(least)
    spare = room - sum(widths)
    while spare > 0:
        wanting = [i for i, w in enumerate(widths) if w < most[i]]
        if not wanting:
            break
        for i in wanting[:spare]:
            widths[i] += 1
        spare = room - sum(widths)
    return widths


def _longest_word(texts: list[str]) -> int:
    """The widest piece no line may break inside: an English word, a number, one Chinese character."""
    return max((cell_len(token) for text in texts for token in words(text)), default=1)


def _lanes_table(
    title: str, names: list[str], cells: list[list[Text | str]], lang: str, ratio: int | None, least: dict[int, int]
) -> Table:
    """A column per lane; ``least`` fixes a lane's width (never under its longest word)."""
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column(t("ui.t", lang), style="dim", no_wrap=True)
    for i, name in enumerate(names):
        table.add_column(name, overflow="fold", ratio=ratio, width=least.get(i))
    for row in cells:
        table.add_row(*row)
    return table


def _list_table(title: str, names: list[str], cells: list[list[Text | str]], lang: str) -> Table:
    """Too narrow for a column per lane: one line per row, its lane named."""
    table = Table(title=title, box=box.SIMPLE, show_header=False, title_justify="left")
    table.add_column(style="dim", no_wrap=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for row in cells:
        lane_index = next((i for i, cell in enumerate(row[1:]) if str(cell)), 0)
        table.add_row(row[0], names[lane_index], row[1 + lane_index])
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
