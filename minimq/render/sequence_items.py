"""What a sequence diagram draws for each event: an arrow between two lanes or a mark on one.

Owns: ``items(events, ...)``, the trace read as drawable ``Item``s, before any layout.
Arrows are the messages between systems: the payment callback (payment → order), a
send (producer → broker: stored), a delivery (broker → consumer), a persisted consume
offset (consumer → broker), a send-back to the retry topic (consumer → broker), a POP
ack or change of invisible time (consumer → broker), an effect (consumer → its
database), and a transaction's half message and end (producer → broker) and check-back
(broker → producer). Everything else is a note on its own lane; a crash,
an injected fault or a consume timeout is a fault note. A repeated delivery is marked as
``minimq.render.timeline.duplicate_marks`` marks it (a duplicate, a retry the consumer
asked for, a repeated effect), a duplicate with its reason read off the trace: when the
same business key was first delivered to that group, under the same msg id or another.
Events in ``skip`` are not drawn (they still count for the marks); a stretch of them is
one ``gap`` item saying how many.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from minimq import events as ev
from minimq.i18n import t
from minimq.i18n.describe import describe, fmt_ms, lane
from minimq.render.timeline import MARKS, duplicate_marks, is_noise


class Style(StrEnum):
    """How an item is drawn; each differs by shape or pattern as well as by colour."""

    PLAIN = "plain"
    OFFSET = "offset"  # a persist: dashed, like a reply
    RETRY = "retry"  # dotted
    DUPLICATE = "dup"  # thick, dash-dot, red, a warning triangle
    FAILED = "failed"  # dashed grey, crossed at its head
    FAULT = "fault"  # a cross on the lane


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to draw: an arrow from column ``src`` to ``dst`` (a note when they are the
    same), or a ``gap`` of ``skipped`` events; ``step`` is the lesson step it belongs to."""

    at_ms: int
    step: int
    src: int
    dst: int
    label: str
    style: Style
    reason: str = ""
    skipped: int = 0
    until_ms: int = 0  # the last event's time: a gap's end, an event's own time
    life: str = ""  # "down": the lane's process died here; "up": it started again


def step_of(at_ms: int, steps: Sequence[tuple[int, int]]) -> int:
    """The first step (number, until_ms) whose clock reached ``at_ms``; 0 without steps."""
    for number, until in steps:
        if at_ms <= until:
            return number
    return steps[-1][0] if steps else 0


def _ends(e: ev.Event, every: list[ev.Event], i: int) -> tuple[str | None, str | None]:
    """The raw lanes an arrow for ``e`` runs between (``(None, own lane)`` for a note)."""
    match e:
        case ev.AppEvent(system="payment", action="callback_sent"):
            return "payment", "order"
        case ev.MessageStored(reconsume_times=0) | ev.HalfMessageStored():
            sends = (s for s in reversed(every[:i]) if isinstance(s, ev.SendAttempted) and s.msg_id == e.msg_id)
            sender = next(sends, None)
            return (sender.producer if sender else None), "broker"
        case ev.TransactionEnded():
            return e.producer, "broker"
        case ev.TransactionChecked() if e.producer:
            return "broker", e.producer
        case ev.MessageDelivered():
            return "broker", e.client
        case ev.OffsetPersisted(store="broker"):
            return e.client, "broker"
        case ev.MessageSentBack():
            by = next((c for c in reversed(every[:i]) if _tried(c, e.msg_id, e.group)), None)
            return (lane(by) if by else None), "broker"
        case ev.SendBackFailed() | ev.SendFailed():
            return lane(e), "broker"
        case ev.MessageAcked(via="client") | ev.InvisibleTimeChanged(reason="client"):  # POP: the client's request
            return e.client, "broker"
        case ev.EffectApplied():
            return e.by, e.ledger
    return None, lane(e)


def _tried(e: ev.Event, msg_id: str, group: str) -> bool:
    """``e`` is a consume attempt of ``msg_id`` by ``group`` (whose lane sent it back)."""
    if isinstance(e, ev.MessageConsumed | ev.ConsumeTimedOut):
        return e.msg_id == msg_id and e.group == group
    return False


def _style(e: ev.Event, mark: str | None) -> Style:
    if mark in ("duplicate", "effect") or (isinstance(e, ev.HalfMessageCommitted) and e.commits > 1):
        return Style.DUPLICATE
    if mark == "retry" or isinstance(e, ev.MessageSentBack | ev.MessageRevived):
        return Style.RETRY
    if isinstance(e, ev.MessageStored) and e.reconsume_times:
        return Style.RETRY
    if isinstance(e, ev.SendFailed | ev.SendBackFailed):
        return Style.FAILED
    if isinstance(e, ev.ConsumerCrashed | ev.FaultInjected | ev.ConsumeTimedOut | ev.ConsumerShutdown):
        return Style.FAULT
    if isinstance(e, ev.BrokerCrashed | ev.CommitLogTruncated | ev.OffsetRestored | ev.ScheduleProgressRestored):
        return Style.FAULT
    if isinstance(e, ev.OffsetPersisted):
        return Style.OFFSET
    return Style.PLAIN


def _life(e: ev.Event) -> str:
    """A process that died here ("down") or started again ("up"): a consumer, or the broker."""
    if isinstance(e, ev.ConsumerCrashed | ev.BrokerCrashed):
        return "down"
    if isinstance(e, ev.ConsumerStarted | ev.BrokerRestarted):
        return "up"
    return ""


class _Firsts:
    """When each business key was first delivered to each receiver, and each effect first applied."""

    def __init__(self) -> None:
        self.delivered: dict[tuple[str, str], tuple[int, str]] = {}
        self.effects: dict[tuple[str, str], list[int]] = {}

    def see(self, e: ev.Event, broadcasting: Collection[str]) -> None:
        if isinstance(e, ev.MessageDelivered):
            self.delivered.setdefault(_receiver(e, broadcasting), (e.at_ms, e.msg_id))
        elif isinstance(e, ev.EffectApplied):
            self.effects.setdefault((e.ledger, e.key), []).append(e.at_ms)

    def reason(self, e: ev.Event, lang: str, broadcasting: Collection[str]) -> str:
        if isinstance(e, ev.MessageDelivered):
            first, msg_id = self.delivered[_receiver(e, broadcasting)]
            key = "seq.dup_same" if msg_id == e.msg_id else "seq.dup_other"
            return t(key, lang, key=e.keys[0] if e.keys else msg_id[-6:], first=fmt_ms(first))
        if isinstance(e, ev.EffectApplied):
            times = self.effects[(e.ledger, e.key)]
            return t("seq.dup_effect", lang, n=len(times), key=e.key, first=fmt_ms(times[0]))
        return ""


def _receiver(e: ev.MessageDelivered, broadcasting: Collection[str]) -> tuple[str, str]:
    who = f"{e.group}/{e.client}" if e.group in broadcasting else e.group
    return who, e.keys[0] if e.keys else e.msg_id


def items(
    events: Sequence[ev.Event],
    *,
    lanes: Mapping[str, str],
    columns: Sequence[str],
    lang: str,
    steps: Sequence[tuple[int, int]] = (),
    skip: Collection[int] = (),
) -> list[Item]:
    """The drawable items of ``events`` in order (see the module's docstring)."""
    every = list(events)
    marks = duplicate_marks(every)
    broadcasting = {e.group for e in every if isinstance(e, ev.ConsumerStarted) and e.model == "BROADCASTING"}
    firsts = _Firsts()
    out: list[Item] = []
    gap: list[ev.Event] = []
    place = {name: n for n, name in enumerate(columns)}
    for i, e in enumerate(every):
        firsts.see(e, broadcasting)
        if gap and (i not in skip or step_of(e.at_ms, steps) != step_of(gap[0].at_ms, steps)):
            out.append(_gap(gap, steps, lang))  # a stretch ends where drawing resumes or a step begins
            gap = []
        if i in skip:
            gap.append(e)
            continue
        src_raw, dst_raw = _ends(e, every, i)
        dst = place.get(lanes.get(dst_raw or "", ""))
        if dst is None or is_noise(e):
            continue
        src = place.get(lanes.get(src_raw or "", ""), dst)
        mark = marks.get(i)
        label = describe(e, lang, brief=True)
        if mark in ("duplicate", "effect"):
            label = t(MARKS[mark][0], lang) + label
        reason = firsts.reason(e, lang, broadcasting) if mark in ("duplicate", "effect") else ""
        step = step_of(e.at_ms, steps)
        life = _life(e)
        out.append(Item(e.at_ms, step, src, dst, label, _style(e, mark), reason, until_ms=e.at_ms, life=life))
    if gap:
        out.append(_gap(gap, steps, lang))
    return out


def _gap(gap: list[ev.Event], steps: Sequence[tuple[int, int]], lang: str) -> Item:
    first, last = gap[0].at_ms, gap[-1].at_ms
    label = t("seq.skipped", lang, n=len(gap), start=fmt_ms(first), end=fmt_ms(last))
    return Item(first, step_of(first, steps), -1, -1, label, Style.PLAIN, skipped=len(gap), until_ms=last)
