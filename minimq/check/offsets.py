"""Checkers of offsets: a group's committed offset moving back, other than by an operator
(``OffsetReset``), by a broker restart that loaded an older flush (``OffsetRestored``,
path P13: RocketMQ's own regression, which the consumers then replay), by the
broker's correction of an offset past the queue's end (``OffsetCorrected``, P15), or by
a slave's sync from its master (``OffsetSyncedFromMaster``, P14). A slave's table
(``OffsetPersisted`` with ``store="slave"``) is followed apart from its master's."""

from __future__ import annotations

from dataclasses import dataclass

from minimq.events import OffsetCorrected, OffsetPersisted, OffsetReset, OffsetRestored, OffsetSyncedFromMaster
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
    slave: dict[tuple[str, str, int], int] = {}  # a slave's table (P14), apart from its master's
    reset_to: dict[tuple[str, str, int], int] = {}
    out: list[OffsetRegression] = []
    for e in trace.events:
        if isinstance(e, OffsetReset):
            last[(e.group, e.topic, e.queue_id)] = reset_to[(e.group, e.topic, e.queue_id)] = e.offset
            continue
        if isinstance(e, OffsetCorrected):  # out of range: the client will store the broker's offset
            reset_to[(e.group, e.topic, e.queue_id)] = e.offset
            continue
        if isinstance(e, OffsetRestored):  # the table as flushed: what comes next starts from there
            k = (e.group, e.topic, e.queue_id)
            reset_to.pop(k, None)  # reset marks are not flushed
            if e.offset >= 0:
                last[k] = e.offset
            else:
                last.pop(k, None)
            continue
        if isinstance(e, OffsetSyncedFromMaster):  # the slave's table becomes the master's
            slave[(e.group, e.topic, e.queue_id)] = e.offset
            continue
        if not isinstance(e, OffsetPersisted) or e.store == "local":
            continue
        k = (e.group, e.topic, e.queue_id)
        if e.store == "slave":
            if k in slave and e.offset < slave[k]:
                out.append(OffsetRegression(e.group, e.topic, e.queue_id, slave[k], e.offset, e.at_ms))
            slave[k] = e.offset
            continue
        applies_reset = e.via == "offset moved" and reset_to.pop(k, None) == e.offset
        if k in last and e.offset < last[k] and not applies_reset:
            out.append(OffsetRegression(e.group, e.topic, e.queue_id, last[k], e.offset, e.at_ms))
        last[k] = e.offset
    return out
