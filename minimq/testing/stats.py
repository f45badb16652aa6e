"""What an exploration exercised: the figures a passing check reports, like Hypothesis's statistics.

Owns: ``Statistics`` and ``run_statistics``. "No violation in 200 schedules" means
little unless the schedules did something: these say how many schedules exercised each
duplication path, how many duplicate deliveries the design received and absorbed (a
repeated delivery that the consumer did not ask for, see ``minimq.check.repeat_kinds``),
how many retries and dead letters the broker produced, how many crashes and rebalances
happened, and how much virtual time the runs covered. The paths of RocketMQ 5 add their
own: POP messages revived after their invisible duration and acks refused because the
receipt handle had expired (``pop``), check-backs and second COMMITs of a transactional
"order paid" (``transaction``), operators' offset resets (``reset``), and broker
crashes with the queues whose offsets the restarted broker put back behind what it held
(``broker-crash``); these figures
are reported only when they are not zero, so a check that explores none of those paths
reports what it always did. Counted from each run's trace, so the figures are the same
whichever process ran it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields

from minimq import events as ev
from minimq.check import repeat_kinds
from minimq.trace import Trace

FIGURES = (
    "schedules",
    "deliveries",
    "duplicates",
    "absorbed",
    "sms_checked",
    "retries",
    "dead_letters",
    "crashes",
    "rebalances",
    "faults",
    "revived",
    "acks_refused",
    "checks",
    "commits_again",
    "resets",
    "broker_crashes",
    "offsets_back",
    "virtual_ms",
)
SHOWN_IF_ANY = frozenset(
    {"sms_checked", "revived", "acks_refused", "checks", "commits_again", "resets", "broker_crashes", "offsets_back"}
)


@dataclass
class Statistics:
    """Totals over the runs of an exploration (plus schedules per path)."""

    schedules: int = 0
    deliveries: int = 0
    duplicates: int = 0  # repeated deliveries the consumer did not ask for
    absorbed: int = 0  # of them, those whose order still ended with exactly one coupon
    sms_checked: int = 0  # paid orders whose SMS rows were counted (designs with SENDS_SMS)
    retries: int = 0  # sent back (RECONSUME_LATER, consume timeout) or retried locally
    dead_letters: int = 0
    crashes: int = 0
    rebalances: int = 0  # group membership changes that moved a queue
    faults: int = 0  # faults injected by the schedule
    revived: int = 0  # POP: popped, not acked within the invisible duration, revived into the retry topic
    acks_refused: int = 0  # POP: acks refused, the receipt handle had expired
    checks: int = 0  # transactional producer: the broker's check-backs
    commits_again: int = 0  # transactional producer: a msg id committed a second time (#5574)
    resets: int = 0  # an operator's resetOffsetByTime of the group
    broker_crashes: int = 0  # the broker crashed (and restarted from its flushes)
    offsets_back: int = 0  # a restarted broker's offsets of the group behind what it held at the crash (queues)
    virtual_ms: int = 0
    per_path: Counter[str] = field(default_factory=Counter)

    def add(self, other: Statistics) -> None:
        for f in fields(self):
            if f.name != "per_path":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.per_path.update(other.per_path)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            name: getattr(self, name) for name in FIGURES if name not in SHOWN_IF_ANY or getattr(self, name)
        }
        data["per_path"] = dict(sorted(self.per_path.items()))
        return data


def run_statistics(
    trace: Trace, group: str, topic: str, coupons: dict[str, int], paths: list[str], sms: dict[str, int] | None = None
) -> Statistics:
    """The figures of one run of a schedule exercising ``paths`` (``sms``: SMS rows per
    paid order, for a design that sends them)."""
    events = trace.events
    stats = Statistics(schedules=1, per_path=Counter(paths), sms_checked=len(sms or {}))
    repeats = repeat_kinds(events)
    for i, e in enumerate(events):
        if isinstance(e, ev.MessageDelivered) and e.group == group:
            stats.deliveries += 1
            if repeats.get(i) == "duplicate":
                stats.duplicates += 1
                stats.absorbed += coupons.get(e.keys[0] if e.keys else "", 1) == 1
        elif isinstance(e, ev.MessageSentBack | ev.RetriedLocally) and e.group == group:
            stats.retries += 1
        elif isinstance(e, ev.MessageDeadLettered) and e.group == group:
            stats.dead_letters += 1
        elif isinstance(e, ev.ConsumerCrashed):
            stats.crashes += 1
        elif isinstance(e, ev.Rebalanced) and e.topic == topic and e.before and e.before != e.after:
            stats.rebalances += 1
        elif isinstance(e, ev.FaultInjected):
            stats.faults += 1
        else:
            _rocketmq5(stats, e, group, topic)
    stats.virtual_ms = events[-1].at_ms if events else 0
    return stats


def _rocketmq5(stats: Statistics, e: ev.Event, group: str, topic: str) -> None:
    """The figures of the POP, transaction, reset and broker-crash paths."""
    if isinstance(e, ev.MessageRevived) and e.group == group:
        stats.revived += 1
    elif isinstance(e, ev.AckRejected) and e.group == group:
        stats.acks_refused += 1
    elif isinstance(e, ev.TransactionChecked):
        stats.checks += 1
    elif isinstance(e, ev.HalfMessageCommitted) and e.commits > 1:
        stats.commits_again += 1
    elif isinstance(e, ev.OffsetReset) and e.group == group and e.topic == topic and e.queue_id == 0:
        stats.resets += 1  # one event per queue: counted once, at queue 0
    elif isinstance(e, ev.BrokerCrashed):
        stats.broker_crashes += 1
    elif isinstance(e, ev.OffsetRestored) and e.group == group and e.topic == topic and e.offset < e.previous:
        stats.offsets_back += 1
