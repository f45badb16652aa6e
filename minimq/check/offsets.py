"""Checkers of offsets: a group's committed offset moving back, other than by an operator."""

from __future__ import annotations

from dataclasses import dataclass

from minimq.events import OffsetPersisted, OffsetReset
from minimq.trace import Trace


@dataclass(frozen=True, slots=True)
class OffsetRegression:
    group: str
    topic: str
    queue_id: int
    from_offset: int
    to_offset: int
    at_ms: int


def offset_regressions(trace: Trace) -> list[OffsetRegression]:
    last: dict[tuple[str, str, int], int] = {}
    reset_to: dict[tuple[str, str, int], int] = {}
    out: list[OffsetRegression] = []
    for e in trace.events:
        if isinstance(e, OffsetReset):
            last[(e.group, e.topic, e.queue_id)] = reset_to[(e.group, e.topic, e.queue_id)] = e.offset
            continue
        if not isinstance(e, OffsetPersisted) or e.store == "local":
            continue
        k = (e.group, e.topic, e.queue_id)
        applies_reset = e.via == "offset moved" and reset_to.pop(k, None) == e.offset
        if k in last and e.offset < last[k] and not applies_reset:
            out.append(OffsetRegression(e.group, e.topic, e.queue_id, last[k], e.offset, e.at_ms))
        last[k] = e.offset
    return out
