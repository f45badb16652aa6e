"""Checkers of effects: every expected key of an effect ledger done exactly once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from minimq.events import EffectApplied, EffectExpected
from minimq.trace import Trace


@dataclass(frozen=True, slots=True)
class EffectCount:
    ledger: str
    key: str
    count: int


def effects_by_key(trace: Trace) -> Counter[tuple[str, str]]:
    """How many effects each (ledger, key) had."""
    return Counter((e.ledger, e.key) for e in trace.of(EffectApplied))


def effect_counts(trace: Trace) -> tuple[list[EffectCount], list[EffectCount]]:
    """(duplicated, lost) effects over every ledger's expected keys."""
    applied = effects_by_key(trace)
    expected = sorted({(e.ledger, e.key) for e in trace.of(EffectExpected)})
    duplicated = [EffectCount(lg, k, n) for (lg, k), n in sorted(applied.items()) if n > 1]
    lost = [EffectCount(lg, k, 0) for lg, k in expected if applied[(lg, k)] == 0]
    return duplicated, lost
