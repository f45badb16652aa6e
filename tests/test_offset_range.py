"""Offsets out of range, and where a new group starts (path P15).

RocketMQ 5.x: a pull from past a queue's max offset is answered ``PULL_OFFSET_MOVED``
with the max offset (``OFFSET_OVERFLOW_BADLY``; ``NO_MESSAGE_IN_QUEUE`` for an empty
queue, moved to 0); up to 4.9.3 a queue whose min offset was 0 sent the consumer back to
0, to consume it all again (#2181, #4215). Such an offset comes from a commit log that
lost its tail (an OS crash here). A group with no offset starts at 0 while the queue's
offset 0 is in memory, whatever its ``ConsumeFromWhere``; otherwise LAST starts at the
max offset, FIRST at 0, TIMESTAMP at the first message stored at or after its
``consumeTimestamp`` (by default 30 minutes before the consumer was made).
"""

from __future__ import annotations

import pytest
from helpers import TOPIC, ok, send

from minimq import World, check
from minimq.core.offsets import CONSUME_TIMESTAMP_BEFORE_MS, ConsumeFromWhere, needs_search, pull_from_where
from minimq.errors import ValidationError
from minimq.events import (
    CommitLogTruncated,
    MessageDelivered,
    OffsetCorrected,
    OffsetPersisted,
    OffsetRestored,
    PullOffsetMoved,
)
from minimq.i18n.describe import describe, lane
from minimq.model import MessageQueue

GROUP = "coupon"
MINUTE = 60_000
Q0 = MessageQueue(TOPIC, 0)


def delivered(w: World, group: str = GROUP, since_ms: int = 0) -> list[str]:
    return [e.keys[0] for e in w.trace.of(MessageDelivered) if e.group == group and e.at_ms >= since_ms]


# -- out of range after an OS crash ------------------------------------------------------------------
def test_a_live_consumer_past_the_truncated_end_is_moved_back_to_the_max_offset(w: World) -> None:
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    send(w, "k0", queue=0, at_ms=1000)  # on disk from the commit log's 10 s flush
    send(w, "m0", queue=0, at_ms=11_000)  # never flushed
    w.broker_crash(12_000, down_ms=3000, lose_unflushed=True)
    assert w.run_until_quiet(120_000)

    (truncated,) = w.trace.of(CommitLogTruncated)
    assert (truncated.lost, truncated.flushed_ms) == (1, 10_000)
    (corrected,) = w.trace.of(OffsetCorrected)
    assert (corrected.queue_id, corrected.pull_offset, corrected.offset) == (0, 2, 1)
    assert (corrected.status, corrected.client) == ("OFFSET_OVERFLOW_BADLY", "c1")
    (moved,) = w.trace.of(PullOffsetMoved)
    assert (moved.pull_offset, moved.offset) == (2, 1) and moved.at_ms == corrected.at_ms + 1
    back = [e for e in w.trace.of(OffsetPersisted) if e.via == "offset moved"]
    assert [(e.queue_id, e.offset) for e in back] == [(0, 1)]
    assert w.broker.query_offset(GROUP, Q0) == 1 and c.stats().done

    later = send(w, "n0", queue=0, at_ms=w.now_ms + 1000)
    assert later.queue_offset == 1, "the next message takes the lost one's queue offset"
    w.run_for(2000)
    assert delivered(w) == ["k0", "m0", "n0"]
    report = check(w.trace)
    assert report.duplicate_deliveries == [] and report.offset_regressions == []


def test_a_message_stored_at_a_reused_offset_before_the_correction_is_skipped(w: World) -> None:
    """The consumer's offset is past the new message too: its pull from there is in range
    again, and the message below it is never delivered (a loss, not a duplicate)."""
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    send(w, "k0", queue=0, at_ms=1000)
    send(w, "m0", queue=0, at_ms=11_000)
    send(w, "m1", queue=0, at_ms=11_100)
    w.broker_crash(12_000, down_ms=3000, lose_unflushed=True)
    w.run_until(15_000)
    for key in ("n0", "n1"):  # offsets 1 and 2, while the consumer waits to pull from 3
        send(w, key, queue=0)
    assert w.run_until_quiet(120_000)
    assert delivered(w) == ["k0", "m0", "m1"]
    assert w.trace.of(OffsetCorrected) == [], "3 is the max offset again: nothing to correct"
    assert [m.keys[0] for m in w.broker.store.log(Q0)] == ["k0", "n0", "n1"]


def test_a_restored_offset_past_the_truncated_end_is_corrected_for_the_restarted_consumer(w: World) -> None:
    """The offset table was flushed at 15 s, the commit log at 10 s: after an OS crash the
    committed offset points past the queue's end."""
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    send(w, "k0", queue=0, at_ms=1000)
    send(w, "m0", queue=0, at_ms=11_000)
    send(w, "p0", queue=0, at_ms=12_000)  # the pull this answers carries offset 2 to the broker
    w.broker_crash(17_000, down_ms=3000, lose_unflushed=True)
    w.run_until(17_500)
    c.crash()
    w.run_until(25_000)
    c.restart()
    assert w.run_until_quiet(120_000)

    restored = [e for e in w.trace.of(OffsetRestored) if e.queue_id == 0 and e.topic == TOPIC]
    assert [(e.offset, e.flushed_ms) for e in restored] == [(2, 15_000)]
    (corrected,) = w.trace.of(OffsetCorrected)
    assert (corrected.pull_offset, corrected.offset, corrected.status) == (2, 1, "OFFSET_OVERFLOW_BADLY")
    assert delivered(w) == ["k0", "m0", "p0"], "nothing is consumed again: 5.x moves to the max offset"


def test_an_emptied_queue_moves_the_consumer_to_0(w: World) -> None:
    w.push_consumer(GROUP, TOPIC, ok, name="c1").start()
    send(w, "k0", queue=0, at_ms=1000)
    w.broker_crash(5000, down_ms=3000, lose_unflushed=True)  # before the first flush
    assert w.run_until_quiet(120_000)
    (corrected,) = w.trace.of(OffsetCorrected)
    assert (corrected.pull_offset, corrected.offset, corrected.status) == (1, 0, "NO_MESSAGE_IN_QUEUE")
    assert lane(corrected) == "broker"
    for lang in ("en", "zh"):
        assert describe(corrected, lang) != corrected.kind
        assert describe(corrected, lang, brief=True) != corrected.kind


# -- where a group with no offset starts -------------------------------------------------------------
def three_messages(w: World) -> None:
    """a0 at 1 min, b0 at 10 min, c0 at 20 min, all on queue 0."""
    for key, at in (("a0", 1), ("b0", 10), ("c0", 20)):
        send(w, key, queue=0, at_ms=at * MINUTE)


def start_late(w: World, where: str, **options: object) -> None:
    w.run_until(21 * MINUTE)
    w.push_consumer("audit", TOPIC, ok, name="audit-1", consume_from_where=where, **options).start()  # type: ignore[arg-type]
    assert w.run_until_quiet(10 * MINUTE)


@pytest.mark.parametrize("where", list(ConsumeFromWhere))
def test_a_new_group_starts_at_0_while_offset_0_is_in_memory_whatever_its_setting(w: World, where: str) -> None:
    three_messages(w)
    start_late(w, where, consume_timestamp_ms=15 * MINUTE)
    assert delivered(w, "audit") == ["a0", "b0", "c0"]
    assert w.broker.query_consumer_offset("nobody", MessageQueue(TOPIC, 1)) == 0, "an empty queue: 0"


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CONSUME_FROM_LAST_OFFSET", []),
        ("CONSUME_FROM_FIRST_OFFSET", ["a0", "b0", "c0"]),
        ("CONSUME_FROM_TIMESTAMP", ["c0"]),
    ],
)
def test_once_offset_0_left_memory_the_setting_decides(w: World, where: str, expected: list[str]) -> None:
    three_messages(w)
    w.broker.store.memory_bytes = 0  # the page cache no longer holds offset 0
    assert w.broker.query_consumer_offset("audit", Q0) is None
    start_late(w, where, consume_timestamp_ms=15 * MINUTE)
    assert delivered(w, "audit") == expected


def test_consume_timestamp_defaults_to_30_minutes_before_the_consumer_was_made(w: World) -> None:
    three_messages(w)
    w.broker.store.memory_bytes = 0
    w.run_until(45 * MINUTE + 700)
    consumer = w.push_consumer("audit", TOPIC, ok, name="audit-1", consume_from_where="CONSUME_FROM_TIMESTAMP")
    assert consumer.consume_timestamp_ms == 15 * MINUTE, "to the second, like Java's yyyyMMddHHmmss"
    consumer.start()
    assert w.run_until_quiet(10 * MINUTE)
    assert delivered(w, "audit") == ["c0"]
    assert CONSUME_TIMESTAMP_BEFORE_MS == 30 * MINUTE


def test_pull_from_where_with_a_timestamp() -> None:
    ts = ConsumeFromWhere.CONSUME_FROM_TIMESTAMP
    assert needs_search(ts, TOPIC, None) and not needs_search(ts, TOPIC, 4)
    assert not needs_search(ts, "%RETRY%coupon", None)
    assert not needs_search(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET, TOPIC, None)
    assert pull_from_where(ts, TOPIC, None, 100, offset_zero_in_memory=False, searched=42) == 42
    assert pull_from_where(ts, "%RETRY%coupon", None, 100, offset_zero_in_memory=False) == 100
    assert pull_from_where(ts, TOPIC, None, 100) == 0, "the broker's 0 comes first"
    assert pull_from_where(ts, TOPIC, 7, 100, offset_zero_in_memory=False) == 7
    with pytest.raises(ValueError):
        pull_from_where(ts, TOPIC, None, 100, offset_zero_in_memory=False)


def test_a_consumer_refuses_an_unknown_start_setting_or_a_timestamp_that_is_not_an_int(w: World) -> None:
    with pytest.raises(ValidationError):
        w.push_consumer(GROUP, TOPIC, ok, consume_from_where="CONSUME_FROM_MIDDLE")
    for bad in (True, 1.5, "20250101000000"):
        with pytest.raises(ValidationError):
            w.push_consumer(GROUP, TOPIC, ok, consume_timestamp_ms=bad)  # type: ignore[arg-type]
