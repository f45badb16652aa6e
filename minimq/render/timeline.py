"""The timeline picture: one column per lane, one row per event, duplicates marked.

Owns: ``timeline(trace)``, a rich ``Table`` with lanes producer | broker | each consumer
| each effect ledger. A second delivery of a msg id to the same group, and a second
effect for the same key, are marked in red: that is the duplicate the lesson is about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rich.table import Table
from rich.text import Text

from minimq import events as ev
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
        if name is None:
            continue
        if isinstance(e, ev.SendAttempted | ev.SendFailed | ev.SendSucceeded | ev.SendGaveUp):
            bucket = producers
        elif isinstance(e, ev.EffectApplied):
            bucket = ledgers
        elif name == "broker":
            continue
        else:
            bucket = consumers
        if name not in bucket:
            bucket.append(name)
    return [*producers, "broker", *consumers, *ledgers]


def timeline(events: Iterable[ev.Event], *, title: str = "Timeline", quiet: bool = True) -> Table:
    """Lay ``events`` out in lanes."""
    items = [e for e in events if lane(e) is not None and not (quiet and is_noise(e))]
    lanes = lanes_of(items)
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("t", style="dim", no_wrap=True)
    for name in lanes:
        table.add_column(name, overflow="fold", ratio=1)
    deliveries: Counter[tuple[str, str]] = Counter()
    effects: Counter[tuple[str, str]] = Counter()
    for e in items:
        text = Text(describe(e))
        if isinstance(e, ev.MessageDelivered):
            deliveries[(e.group, e.msg_id)] += 1
            if deliveries[(e.group, e.msg_id)] > 1:
                text = Text("DUPLICATE: " + describe(e), style="bold red")
        elif isinstance(e, ev.EffectApplied):
            effects[(e.ledger, e.key)] += 1
            if effects[(e.ledger, e.key)] > 1:
                text = Text("DUPLICATE EFFECT: " + describe(e), style="bold red")
        elif isinstance(e, ev.FaultInjected | ev.ConsumerCrashed):
            text.stylize("bold yellow")
        row: list[Text | str] = [fmt_ms(e.at_ms), *("" for _ in lanes)]
        row[1 + lanes.index(lane(e) or "broker")] = text
        table.add_row(*row)
    return table
