"""The trace (JSON lines, digest) and the checkers over it, on small hand-built traces."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minimq import World, events
from minimq.check import (
    DeadLettered,
    DuplicateDelivery,
    DuplicateKey,
    EffectCount,
    LostMessage,
    OffsetRegression,
    check,
    dead_lettered,
    duplicate_deliveries,
    duplicate_keys,
    effect_counts,
    lost_messages,
    offset_regressions,
    subscriptions,
)
from minimq.effects import EffectLedger
from minimq.errors import MinimqError
from minimq.events import (
    EVENT_TYPES,
    ConsumerStarted,
    EffectApplied,
    EffectExpected,
    Event,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    OffsetPersisted,
    OffsetReset,
    Rebalanced,
    SendAttempted,
    SendSucceeded,
    TopicCreated,
    WorldStarted,
)
from minimq.model import MAX_VIRTUAL_MS
from minimq.trace import Trace, TraceFormatError

TOPIC = "order-paid"


# -- event builders ------------------------------------------------------------------------------
def started(group: str, *topics: str, at: int = 0, client: str = "") -> ConsumerStarted:
    return ConsumerStarted(
        at_ms=at,
        client=client or f"{group}-1",
        group=group,
        topics=topics or (TOPIC,),
        model="CLUSTERING",
        orderly=False,
        restart=False,
    )


def sent(msg_id: str, topic: str = TOPIC, at: int = 0) -> SendSucceeded:
    return SendSucceeded(
        at_ms=at,
        producer="order-system",
        msg_id=msg_id,
        offset_msg_id=f"OFF-{msg_id}",
        topic=topic,
        queue_id=0,
        queue_offset=0,
        status="SEND_OK",
    )


def delivered(group: str, msg_id: str, keys: tuple[str, ...] = (), at: int = 0, times: int = 0) -> MessageDelivered:
    return MessageDelivered(
        at_ms=at,
        client=f"{group}-1",
        group=group,
        topic=TOPIC,
        queue_id=0,
        queue_offset=0,
        msg_id=msg_id,
        offset_msg_id=f"OFF-{msg_id}",
        real_topic=TOPIC,
        keys=keys,
        reconsume_times=times,
    )


def consumed(group: str, msg_id: str, status: str = "CONSUME_SUCCESS", at: int = 0) -> MessageConsumed:
    return MessageConsumed(
        at_ms=at, client=f"{group}-1", group=group, msg_id=msg_id, offset_msg_id=f"OFF-{msg_id}", status=status, note=""
    )


def dead(group: str, msg_id: str, times: int = 16) -> MessageDeadLettered:
    return MessageDeadLettered(
        at_ms=0,
        group=group,
        msg_id=msg_id,
        offset_msg_id=f"OFF-{msg_id}",
        reconsume_times=times,
        dlq_topic=f"%DLQ%{group}",
    )


def persisted(
    offset: int, at: int = 0, group: str = "g", queue_id: int = 0, via: str = "timer", store: str = "broker"
) -> OffsetPersisted:
    return OffsetPersisted(
        at_ms=at, group=group, topic=TOPIC, queue_id=queue_id, offset=offset, via=via, client=f"{group}-1", store=store
    )


# -- JSON lines -----------------------------------------------------------------------------------
def sample_trace() -> Trace:
    return Trace(
        [
            WorldStarted(at_ms=0, seed=7),
            TopicCreated(at_ms=0, topic=TOPIC, queue_nums=4),
            SendAttempted(
                at_ms=3,
                producer="order-system",
                msg_id="ID1",
                topic=TOPIC,
                queue_id=2,
                attempt=1,
                budget_left_ms=3000,
                keys=("order-1", "订单-1"),
            ),
            sent("ID1", at=5),
            started("coupon", at=6),
            Rebalanced(at_ms=7, client="coupon-1", group="coupon", topic=TOPIC, before=(), after=(0, 1, 2, 3)),
            delivered("coupon", "ID1", ("order-1", "订单-1"), at=9),
            consumed("coupon", "ID1", at=10),
            persisted(1, at=10_000),
        ]
    )


def test_jsonl_round_trip_gives_equal_events_and_digest() -> None:
    trace = sample_trace()
    text = trace.to_jsonl()
    back = Trace.from_jsonl(text)
    assert back.events == trace.events
    assert [type(e) for e in back] == [type(e) for e in trace]
    assert back.to_jsonl() == text
    assert back.sha256() == trace.sha256()
    assert len(trace.sha256()) == 64


def test_tuples_come_back_as_tuples() -> None:
    back = Trace.from_jsonl(sample_trace().to_jsonl())
    (rebalanced,) = back.of(Rebalanced)
    assert rebalanced.before == () and rebalanced.after == (0, 1, 2, 3)
    assert isinstance(rebalanced.after, tuple)
    (delivery,) = back.of(MessageDelivered)
    assert delivery.keys == ("order-1", "订单-1")
    hash(delivery)  # frozen events with tuple fields stay hashable


def test_one_json_object_per_line_with_its_type_first() -> None:
    lines = sample_trace().to_jsonl().splitlines()
    assert len(lines) == 9
    first = json.loads(lines[0])
    assert first == {"type": "WorldStarted", "at_ms": 0, "seed": 7}
    assert list(json.loads(lines[3]))[:2] == ["type", "at_ms"]
    assert "订单" in lines[2]  # written as UTF-8, not escaped


def test_the_digest_changes_with_any_event() -> None:
    a, b = sample_trace(), sample_trace()
    assert a.sha256() == b.sha256()
    b.emit(persisted(2, at=15_000))
    assert a.sha256() != b.sha256()
    c = Trace([*a.events[:-1], persisted(1, at=10_001)])
    assert c.sha256() != a.sha256()


def test_write_and_read_a_file(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    sample_trace().write(path)
    assert Trace.read(path).events == sample_trace().events
    assert Trace.read(str(path)).sha256() == sample_trace().sha256()


def test_unicode_line_separators_inside_strings_do_not_split_a_line() -> None:
    # JSON keeps U+0085 / U+2028 / U+2029 raw with ensure_ascii=False; str.splitlines() splits on them
    trace = Trace([delivered("coupon", "A", ("a\x85b", "c\u2028d", "e\u2029f", "g\rh\ni"))])
    assert len(trace.to_jsonl().split("\n")) == 2
    assert Trace.from_jsonl(trace.to_jsonl()).events == trace.events


def test_blank_lines_are_skipped() -> None:
    text = "\n" + sample_trace().to_jsonl().replace("\n", "\n\n")
    assert Trace.from_jsonl(text).events == sample_trace().events


@st.composite
def any_event(draw: st.DrawFn) -> Event:
    cls = draw(st.sampled_from(sorted(EVENT_TYPES.values(), key=lambda c: c.__name__)))
    return draw(st.builds(cls, at_ms=st.integers(0, MAX_VIRTUAL_MS)))  # a time a world can reach


@given(st.lists(any_event(), max_size=12))
def test_any_events_round_trip(evs: list[Event]) -> None:
    trace = Trace(evs)
    back = Trace.from_jsonl(trace.to_jsonl())
    assert back.events == evs
    assert back.sha256() == trace.sha256()


def test_every_event_type_is_registered_frozen_and_past_tense_stamped() -> None:
    classes = [obj for obj in vars(events).values() if isinstance(obj, type) and issubclass(obj, Event)]
    classes.remove(Event)
    assert sorted(EVENT_TYPES) == sorted(c.__name__ for c in classes)
    for cls in classes:
        assert EVENT_TYPES[cls.__name__] is cls
        assert cls.kind == cls.__name__
        assert dataclasses.fields(cls)[0].name == "at_ms"
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen, cls
        assert "__slots__" in vars(cls), cls


def test_trace_of_len_iter_and_listeners() -> None:
    seen: list[Event] = []
    trace = Trace()
    trace.subscribe(seen.append)
    for event in sample_trace():
        trace.emit(event)
    assert len(trace) == 9
    assert seen == trace.events == list(trace)
    assert [e.msg_id for e in trace.of(SendSucceeded)] == ["ID1"]
    assert trace.of(MessageDeadLettered) == []


# -- reading errors -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json\n", r"^line 1: not JSON \("),
        ('{"type": "WorldStarted", "at_ms": 0, "seed": 1}\n{oops\n', r"^line 2: not JSON"),
        ("[1, 2]\n", r"^line 1: expected a JSON object, got list$"),
        ('"WorldStarted"\n', r"^line 1: expected a JSON object, got str$"),
        ('{"type": "MessageEaten", "at_ms": 0}\n', r"^line 1: unknown event type 'MessageEaten'$"),
        ('{"at_ms": 0, "seed": 1}\n', r'^line 1: the object has no "type" key naming its event$'),
        ('{"type": "Event", "at_ms": 0}\n', r"^line 1: unknown event type 'Event'$"),
        ('{"type": "TopicCreated", "at_ms": 0}\n', r"^line 1: TopicCreated lacks field\(s\) topic, queue_nums$"),
        ('\n\n{"type": "WorldStarted", "seed": 3}\n', r"^line 3: WorldStarted lacks field\(s\) at_ms$"),
    ],
)
def test_bad_lines_raise_trace_format_error_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(TraceFormatError, match=message):
        Trace.from_jsonl(text)


def test_trace_format_error_is_a_value_error_of_minimq() -> None:
    with pytest.raises(ValueError) as info:
        Trace.from_jsonl("{")
    assert isinstance(info.value, MinimqError)


# -- lost messages --------------------------------------------------------------------------------
def test_a_message_never_delivered_to_a_subscribed_group_is_lost() -> None:
    trace = Trace(
        [
            started("coupon"),
            started("points"),
            sent("A"),
            sent("B"),
            delivered("coupon", "A"),
            delivered("points", "A"),
            delivered("coupon", "B"),
        ]
    )
    assert lost_messages(trace) == [LostMessage("points", "B", TOPIC)]


def test_dead_lettered_is_not_lost_and_a_twice_sent_id_is_counted_once() -> None:
    trace = Trace([started("coupon"), sent("A"), sent("A"), dead("coupon", "A"), sent("B"), sent("B")])
    assert lost_messages(trace) == [LostMessage("coupon", "B", TOPIC)]


def test_only_groups_subscribed_to_the_topic_can_lose_it() -> None:
    trace = Trace([started("coupon", "other-topic"), started("audit", "other-topic", TOPIC), sent("A")])
    assert subscriptions(trace) == {"other-topic": {"coupon", "audit"}, TOPIC: {"audit"}}
    assert lost_messages(trace) == [LostMessage("audit", "A", TOPIC)]
    assert lost_messages(Trace([sent("A")])) == []  # nobody subscribed: nobody lost it


def test_lost_messages_come_out_sorted_by_group() -> None:
    trace = Trace([started("zeta"), started("alpha"), sent("A")])
    assert [m.group for m in lost_messages(trace)] == ["alpha", "zeta"]


# -- duplicate deliveries -------------------------------------------------------------------------
def test_a_retry_after_failure_is_a_duplicate_but_not_after_success() -> None:
    trace = Trace(
        [
            delivered("coupon", "A", ("order-1",)),
            consumed("coupon", "A", "RECONSUME_LATER"),
            delivered("coupon", "A", ("order-1",), times=1),
            consumed("coupon", "A"),
        ]
    )
    assert duplicate_deliveries(trace) == [DuplicateDelivery("coupon", "A", ("order-1",), 2, 0)]


def test_deliveries_after_a_success_are_counted() -> None:
    trace = Trace(
        [
            delivered("coupon", "A"),
            consumed("coupon", "A"),
            delivered("coupon", "A"),
            consumed("coupon", "A"),
            delivered("coupon", "A"),
            delivered("coupon", "B"),
        ]
    )
    assert duplicate_deliveries(trace) == [DuplicateDelivery("coupon", "A", (), 3, 2)]


def test_an_orderly_success_counts_as_success() -> None:
    trace = Trace([delivered("g", "A"), consumed("g", "A", "SUCCESS"), delivered("g", "A")])
    assert duplicate_deliveries(trace) == [DuplicateDelivery("g", "A", (), 2, 1)]
    suspended = Trace([delivered("g", "A"), consumed("g", "A", "SUSPEND_CURRENT_QUEUE_A_MOMENT"), delivered("g", "A")])
    assert duplicate_deliveries(suspended) == [DuplicateDelivery("g", "A", (), 2, 0)]


def test_one_delivery_per_group_is_not_a_duplicate() -> None:
    trace = Trace([delivered("coupon", "A"), delivered("points", "A"), consumed("coupon", "A")])
    assert duplicate_deliveries(trace) == []


def test_a_success_in_one_group_does_not_count_for_another() -> None:
    trace = Trace([delivered("a", "X"), consumed("a", "X"), delivered("b", "X"), delivered("b", "X")])
    assert duplicate_deliveries(trace) == [DuplicateDelivery("b", "X", (), 2, 0)]


# -- duplicate business keys ----------------------------------------------------------------------
def test_one_business_key_under_two_msg_ids_is_a_duplicate_key() -> None:
    trace = Trace(
        [
            delivered("coupon", "B", ("order-1", "user-9")),
            delivered("coupon", "A", ("order-1",)),
            delivered("coupon", "C", ("order-2",)),
            delivered("points", "A", ("order-1",)),
        ]
    )
    assert duplicate_keys(trace) == [DuplicateKey("coupon", "order-1", ("A", "B"), 2)]
    assert duplicate_deliveries(trace) == []  # every msg id was delivered once: only the key shows it


# -- dead letters and effects ---------------------------------------------------------------------
def test_dead_lettered_lists_every_dead_letter() -> None:
    trace = Trace([dead("coupon", "A", 16), sent("B"), dead("points", "B", 3)])
    assert dead_lettered(trace) == [DeadLettered("coupon", "A", 16), DeadLettered("points", "B", 3)]


def test_duplicated_and_lost_effects() -> None:
    trace = Trace(
        [
            EffectExpected(at_ms=0, ledger="coupons", key="order-1"),
            EffectExpected(at_ms=0, ledger="coupons", key="order-2"),
            EffectExpected(at_ms=0, ledger="coupons", key="order-3"),
            EffectExpected(at_ms=0, ledger="points", key="order-1"),
            EffectApplied(at_ms=1, ledger="coupons", key="order-1", by="coupon-1", note=""),
            EffectApplied(at_ms=2, ledger="coupons", key="order-2", by="coupon-1", note=""),
            EffectApplied(at_ms=3, ledger="coupons", key="order-2", by="coupon-2", note="again"),
            EffectApplied(at_ms=4, ledger="points", key="order-1", by="points-1", note=""),
        ]
    )
    duplicated, lost = effect_counts(trace)
    assert duplicated == [EffectCount("coupons", "order-2", 2)]
    assert lost == [EffectCount("coupons", "order-3", 0)]
    assert not check(trace).exactly_once_effects


def test_an_expected_key_with_one_effect_is_exactly_once() -> None:
    trace = Trace(
        [
            EffectExpected(at_ms=0, ledger="coupons", key="k"),
            EffectExpected(at_ms=1, ledger="coupons", key="k"),
            EffectApplied(at_ms=2, ledger="coupons", key="k", by="", note=""),
        ]
    )
    assert effect_counts(trace) == ([], [])
    assert check(trace).exactly_once_effects


def test_effect_ledger_writes_the_events_the_checker_reads(w: World) -> None:
    coupons = EffectLedger(w, "coupons")
    coupons.expect("order-1")
    coupons.expect("order-2")
    w.run_for(1500)
    coupons.apply("order-1", by="coupon-1", note="first")
    coupons.apply("order-1", by="coupon-2")
    assert coupons.counts == {"order-1": 2}
    applied = w.trace.of(EffectApplied)
    assert applied[0] == EffectApplied(at_ms=1500, ledger="coupons", key="order-1", by="coupon-1", note="first")
    duplicated, lost = effect_counts(w.trace)
    assert duplicated == [EffectCount("coupons", "order-1", 2)]
    assert lost == [EffectCount("coupons", "order-2", 0)]


# -- offset regressions ---------------------------------------------------------------------------
def test_a_committed_offset_that_moves_back_is_a_regression() -> None:
    trace = Trace([persisted(5, at=10), persisted(5, at=20), persisted(3, at=30), persisted(4, at=40)])
    assert offset_regressions(trace) == [OffsetRegression("g", TOPIC, 0, 5, 3, 30)]


def test_regressions_are_per_group_and_queue() -> None:
    trace = Trace(
        [
            persisted(9, group="g", queue_id=0),
            persisted(2, group="g", queue_id=1),
            persisted(1, group="h", queue_id=0),
            persisted(10, group="g", queue_id=0),
        ]
    )
    assert offset_regressions(trace) == []


def test_broadcasting_local_file_offsets_are_not_the_brokers() -> None:
    trace = Trace([persisted(8), persisted(2, via="timer", store="local"), persisted(9)])
    assert offset_regressions(trace) == []


def test_an_operators_reset_and_the_persist_that_applies_it_are_not_regressions() -> None:
    def reset(offset: int, at: int) -> OffsetReset:
        return OffsetReset(at_ms=at, group="g", topic=TOPIC, queue_id=0, offset=offset, previous=9, timestamp_ms=0)

    trace = Trace(
        [
            persisted(9, at=10),
            reset(3, at=20),  # the operator moves the offset back
            persisted(9, at=30, via="pull"),  # the first pull after it stores its stale commit
            persisted(3, at=31, via="offset moved"),  # the client applies the reset
            persisted(2, at=40, via="offset moved"),  # a second move back is one
        ]
    )
    assert offset_regressions(trace) == [OffsetRegression("g", TOPIC, 0, 3, 2, 40)]


# -- the whole report -----------------------------------------------------------------------------
def test_check_runs_every_checker_and_survives_a_jsonl_round_trip() -> None:
    trace = Trace(
        [
            started("coupon"),
            sent("A"),
            sent("B"),
            sent("C"),
            sent("D"),
            sent("E"),
            delivered("coupon", "A"),
            consumed("coupon", "A"),
            delivered("coupon", "A"),
            dead("coupon", "C"),
            delivered("coupon", "D", ("order-9",)),
            delivered("coupon", "E", ("order-9",)),
            EffectExpected(at_ms=0, ledger="coupons", key="order-1"),
            EffectApplied(at_ms=0, ledger="coupons", key="order-1", by="", note=""),
            EffectApplied(at_ms=0, ledger="coupons", key="order-1", by="", note=""),
            persisted(1),
            persisted(0),
        ]
    )
    report = check(trace)
    assert report.summary() == {
        "lost_messages": 1,
        "duplicate_deliveries": 1,
        "duplicate_keys": 1,
        "dead_lettered": 1,
        "duplicate_effects": 1,
        "lost_effects": 0,
        "offset_regressions": 1,
    }
    assert report.lost == [LostMessage("coupon", "B", TOPIC)]
    assert report.duplicate_deliveries == [DuplicateDelivery("coupon", "A", (), 2, 1)]
    assert report.duplicate_keys == [DuplicateKey("coupon", "order-9", ("D", "E"), 2)]
    assert check(Trace.from_jsonl(trace.to_jsonl())) == report


def test_an_empty_trace_has_nothing_to_report() -> None:
    report = check(Trace())
    assert set(report.summary().values()) == {0}
    assert report.exactly_once_effects
