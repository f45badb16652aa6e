"""The trace (JSON lines, digest) and the checkers over it, on small hand-built traces
(and, for the retry rules, a few real runs)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minimq import ConsumeStatus, Message, MessageExt, World, events
from minimq.check import (
    DeadLettered,
    DuplicateDelivery,
    DuplicateKey,
    EffectCount,
    LostMessage,
    OffsetRegression,
    RetryRule,
    RetryViolation,
    check,
    dead_lettered,
    duplicate_deliveries,
    duplicate_keys,
    effect_counts,
    lost_messages,
    offset_regressions,
    retry_violations,
    subscriptions,
)
from minimq.effects import EffectLedger
from minimq.errors import MinimqError
from minimq.events import (
    EVENT_TYPES,
    ConsumerStarted,
    ConsumeTimedOut,
    EffectApplied,
    EffectExpected,
    Event,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
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
        client_id="10.0.0.11@1234#5678",
        group=group,
        topics=topics or (TOPIC,),
        model="CLUSTERING",
        orderly=False,
        restart=False,
        max_reconsume_times=16,
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
        "retry_violations": 1,
    }
    assert report.lost == [LostMessage("coupon", "B", TOPIC)]
    # C was dead-lettered although no delivery of it ever failed
    assert [(v.rule, v.msg_id) for v in report.retry_violations] == [(RetryRule.TAKEN_BACK_WITHOUT_FAILURE, "C")]
    assert report.duplicate_deliveries == [DuplicateDelivery("coupon", "A", (), 2, 1)]
    assert report.duplicate_keys == [DuplicateKey("coupon", "order-9", ("D", "E"), 2)]
    assert check(Trace.from_jsonl(trace.to_jsonl())) == report


def test_an_empty_trace_has_nothing_to_report() -> None:
    report = check(Trace())
    assert set(report.summary().values()) == {0}
    assert report.exactly_once_effects


# -- retry rules ----------------------------------------------------------------------------------
MINUTE_MS, HOUR_MS = 60_000, 3_600_000


def _retry_world(handle: Callable[[MessageExt], object], keys: tuple[str, ...], ms: int, **options: Any) -> Trace:
    """The trace of group ``coupon`` consuming one message per key with ``handle`` for ``ms``."""
    with World(seed=1) as world:
        world.broker.create_topic(TOPIC)
        world.push_consumer("coupon", TOPIC, handle, name="c1", **options).start()
        producer = world.producer("order", client_id="order")
        for key in keys:
            world.run(producer.send(Message(TOPIC, key.encode(), keys=(key,))))
        world.run_for(ms)
        return world.trace


@cache
def retried_trace() -> Trace:
    """A real run: ``ok`` succeeds, ``flaky`` fails twice, ``poison`` always fails (16 retries
    over 4 h 45 min 40 s, then the DLQ)."""

    def handle(msg: MessageExt) -> ConsumeStatus:
        fails = {"flaky": 2, "poison": 10**6}.get(msg.keys[0], 0)
        return ConsumeStatus.RECONSUME_LATER if msg.reconsume_times < fails else ConsumeStatus.SUCCESS

    return _retry_world(handle, ("ok", "flaky", "poison"), 5 * HOUR_MS)


def test_a_real_run_through_the_whole_retry_ladder_breaks_no_retry_rule() -> None:
    trace = retried_trace()
    assert len(trace.of(MessageSentBack)) == 2 + 16 and len(trace.of(MessageDeadLettered)) == 1
    assert retry_violations(trace) == []
    assert retry_violations(Trace.from_jsonl(trace.to_jsonl())) == []
    assert check(trace).summary()["retry_violations"] == 0


def test_a_consume_timeout_sends_back_at_level_3_whatever_the_reconsume_times() -> None:
    async def handle(msg: MessageExt) -> ConsumeStatus:
        if msg.reconsume_times == 0:
            return ConsumeStatus.RECONSUME_LATER
        await asyncio.sleep(40 * 60)  # past the 15 min consumeTimeout at the scan every 15 min
        return ConsumeStatus.SUCCESS

    trace = _retry_world(handle, ("slow",), HOUR_MS)
    # the scans at 30 and 60 min (a fixed rate) each catch the copy running then
    assert [e.at_ms for e in trace.of(ConsumeTimedOut)] == [30 * MINUTE_MS, 60 * MINUTE_MS]
    assert [(b.reconsume_times, b.delay_level) for b in trace.of(MessageSentBack)] == [(0, 3), (1, 3), (2, 3)]
    assert retry_violations(trace) == []


def test_a_group_with_its_own_max_reconsume_times_is_read_from_the_trace() -> None:
    def handle(msg: MessageExt) -> ConsumeStatus:
        return ConsumeStatus.RECONSUME_LATER

    trace = _retry_world(handle, ("poison",), 5 * MINUTE_MS, max_reconsume_times=2)
    assert {e.max_reconsume_times for e in trace.of(ConsumerStarted)} == {2}
    assert retry_violations(trace) == []  # ConsumerStarted says the group lowered its maximum
    (early,) = retry_violations(trace, max_reconsume_times={"coupon": 16})  # a caller who says otherwise
    assert early.rule == RetryRule.WRONG_DLQ_RECONSUME_TIMES and early.group == "coupon"
    assert str(early).endswith("wrong_dlq_reconsume_times: at reconsume_times 2, max 16")


def test_a_retry_copy_is_missing_only_once_it_is_due() -> None:
    trace = retried_trace()
    first_back = trace.of(MessageSentBack)[0]
    cut = Trace(trace.events[: trace.events.index(first_back) + 1])
    assert retry_violations(cut) == []  # the trace ends before the copy is due
    assert retry_violations(cut, until_ms=first_back.due_ms) == []
    (missing,) = retry_violations(cut, until_ms=first_back.due_ms + 1)
    assert (missing.rule, missing.msg_id, missing.at_ms) == (
        RetryRule.RETRY_COPY_MISSING,
        first_back.msg_id,
        first_back.due_ms,
    )


def test_a_retry_copy_due_while_the_broker_is_down_is_missing_only_1_s_after_its_restart() -> None:
    # the broker dies before the copy is due (10 s): a dead broker stores nothing, and a
    # restarted one delivers every level FIRST_DELAY_TIME (1 s) after it starts
    crashed = events.BrokerCrashed(at_ms=9_000, broker="b", how="process", offsets_flushed_ms=5_000, delay_flushed_ms=0)
    down = [*failed("coupon", "A"), sent_back("coupon", "A"), crashed]
    assert retry_violations(Trace(down), until_ms=60_000) == [], "still down: nothing can be stored"
    restarted = events.BrokerRestarted(at_ms=20_000, broker="b", down_ms=11_000)
    assert retry_violations(Trace([*down, restarted]), until_ms=21_000) == []
    (missing,) = retry_violations(Trace([*down, restarted]), until_ms=21_001)
    assert (missing.rule, missing.at_ms) == (RetryRule.RETRY_COPY_MISSING, 10_000)
    # a copy due within the first second after the restart waits for that first run too
    back_at_9_500 = events.BrokerRestarted(at_ms=9_500, broker="b", down_ms=500)
    early = Trace([*down, back_at_9_500])
    assert retry_violations(early, until_ms=10_500) == []
    assert len(retry_violations(early, until_ms=10_501)) == 1


def test_the_checker_states_rocketmqs_delay_levels_as_the_engine_does() -> None:
    from minimq.check.retries import _delay_ms
    from minimq.core.delay import delay_ms

    assert [_delay_ms(level) for level in range(20)] == [delay_ms(level) for level in range(20)]


# -- hand-made retry traces: one good, and one bad per rule ---------------------------------------
def stored(msg_id: str, times: int = 0, topic: str = TOPIC, at: int = 0) -> MessageStored:
    return MessageStored(
        at_ms=at,
        topic=topic,
        queue_id=0,
        queue_offset=0,
        msg_id=msg_id,
        offset_msg_id=f"OFF-{msg_id}",
        real_topic=TOPIC,
        keys=(),
        reconsume_times=times,
    )


def sent_back(
    group: str, msg_id: str, times: int = 0, level: int = 3, at: int = 0, due: int = 10_000
) -> MessageSentBack:
    return MessageSentBack(
        at_ms=at,
        group=group,
        msg_id=msg_id,
        offset_msg_id=f"OFF-{msg_id}",
        reconsume_times=times,
        delay_level=level,
        due_ms=due,
    )


def retried_locally(group: str, msg_id: str, times: int, at: int = 0, reason: str = "send-back failed") -> Event:
    return events.RetriedLocally(
        at_ms=at, client=f"{group}-1", group=group, msg_id=msg_id, reconsume_times=times, delay_ms=5000, reason=reason
    )


def failed(group: str, msg_id: str, times: int = 0) -> list[Event]:
    """Deliveries at reconsume times 0 to ``times``, each answered ``RECONSUME_LATER`` (the
    retries in between are left out)."""
    attempts = [
        (delivered(group, msg_id, times=r), consumed(group, msg_id, "RECONSUME_LATER")) for r in range(times + 1)
    ]
    return [e for attempt in attempts for e in attempt]


RETRIED_ONCE = [  # A fails, is sent back at level 3 (10 s), comes back at reconsume times 1, succeeds
    stored("A"),
    *failed("coupon", "A"),
    sent_back("coupon", "A", at=5, due=10_005),
    stored("A", 1, "%RETRY%coupon", at=10_005),
    delivered("coupon", "A", at=10_006, times=1),
    consumed("coupon", "A", at=10_007),
]
DEAD_AT_16 = [*failed("coupon", "A", 16), dead("coupon", "A", 16)]


def test_a_hand_made_retry_and_dead_letter_break_no_rule() -> None:
    assert retry_violations(Trace(RETRIED_ONCE)) == []
    assert retry_violations(Trace(DEAD_AT_16)) == []


# one bad trace per rule; RETRY_COPY_MISSING needs a later event to show the copy was due
BAD_RETRY_TRACES: dict[RetryRule, list[Event]] = {
    RetryRule.RETRY_WITHOUT_FAILURE: [stored("A"), delivered("coupon", "A", times=1)],
    RetryRule.PAST_MAX_WITHOUT_LOCAL_RETRY: [*failed("coupon", "A", 16), delivered("coupon", "A", times=17)],
    RetryRule.ANOTHER_GROUPS_RETRY_TOPIC: [dataclasses.replace(delivered("coupon", "A"), topic="%RETRY%audit")],
    RetryRule.CONSUMED_WITHOUT_DELIVERY: [stored("A"), consumed("coupon", "A")],
    RetryRule.TAKEN_BACK_WITHOUT_FAILURE: [delivered("coupon", "A"), consumed("coupon", "A"), sent_back("coupon", "A")],
    RetryRule.SENT_BACK_PAST_MAX: [*failed("coupon", "A", 16), sent_back("coupon", "A", 16, level=19, due=7_200_000)],
    RetryRule.WRONG_DELAY_LEVEL: [*failed("coupon", "A"), sent_back("coupon", "A", level=4, due=30_000)],
    RetryRule.WRONG_DUE_TIME: [*failed("coupon", "A"), sent_back("coupon", "A", due=9_999)],
    RetryRule.WRONG_DLQ_RECONSUME_TIMES: [*failed("coupon", "A", 15), dead("coupon", "A", 15)],
    RetryRule.WRONG_DLQ_TOPIC: [
        *failed("coupon", "A", 16),
        dataclasses.replace(dead("coupon", "A"), dlq_topic="%DLQ%x"),
    ],
    RetryRule.RETRY_COPY_OUT_OF_RANGE: [stored("A", 17, "%RETRY%coupon")],
    RetryRule.RETRY_COPY_NOT_DUE: [*failed("coupon", "A"), stored("A", 1, "%RETRY%coupon", at=10_000)],
    RetryRule.RETRY_COPY_MISSING: [*failed("coupon", "A"), sent_back("coupon", "A"), persisted(1, at=10_001)],
    RetryRule.NEW_MESSAGE_WITH_RETRIES: [stored("A", 1)],
}
# what a bad trace cannot help breaking as well: no send-back could make a copy at 17 due
ALSO_BROKEN = {RetryRule.RETRY_COPY_OUT_OF_RANGE: [RetryRule.RETRY_COPY_NOT_DUE]}


def test_every_retry_rule_has_a_bad_trace() -> None:
    assert list(BAD_RETRY_TRACES) == list(RetryRule)


@pytest.mark.parametrize("rule", list(BAD_RETRY_TRACES), ids=str)
def test_a_bad_retry_trace_is_caught_by_its_rule(rule: RetryRule) -> None:
    trace = Trace(BAD_RETRY_TRACES[rule])
    found = retry_violations(trace)
    assert sorted(v.rule for v in found) == sorted([rule, *ALSO_BROKEN.get(rule, [])]), [str(v) for v in found]
    assert all(v.group in ("coupon", "") and v.msg_id == "A" and v.detail for v in found)
    assert check(trace).retry_violations == found


def test_a_local_retry_without_a_failure_is_caught_too() -> None:
    local = retried_locally("coupon", "A", 3)
    (found,) = retry_violations(Trace([delivered("coupon", "A"), consumed("coupon", "A"), local]))
    assert found.rule == RetryRule.RETRY_WITHOUT_FAILURE
    assert found.detail == "retried locally at reconsume_times 3, no attempt failed at 2"


def test_a_retry_after_a_local_retry_and_past_the_maximum_is_allowed() -> None:
    # a failed send-back makes the client retry locally, one reconsume time older (P9)
    local = retried_locally("coupon", "A", 17, at=1)
    trace = Trace([*failed("coupon", "A", 16), local, delivered("coupon", "A", at=5001, times=17)])
    assert retry_violations(trace) == []


def test_only_an_orderly_group_dead_letters_past_the_maximum() -> None:
    # an orderly consumer sends its own count, one more after each failed attempt (checkReconsumeTimes)
    orderly = dataclasses.replace(started("coupon"), orderly=True)
    late: list[Event] = []
    for r in range(4):  # attempts at 0, 1, 2 (the maximum), then 3 after the DLQ send-back failed
        if r:
            late.append(retried_locally("coupon", "A", r, reason="SUSPEND_CURRENT_QUEUE_A_MOMENT"))
        late += [delivered("coupon", "A", times=r), consumed("coupon", "A", "SUSPEND_CURRENT_QUEUE_A_MOMENT")]
    late.append(dead("coupon", "A", 3))
    assert retry_violations(Trace([orderly, *late]), max_reconsume_times={"coupon": 2}) == []
    (found,) = retry_violations(Trace([started("coupon"), *late]), max_reconsume_times={"coupon": 2})
    assert found.rule == RetryRule.WRONG_DLQ_RECONSUME_TIMES  # the broker counts from the stored copy


def test_a_retry_violation_is_a_frozen_value() -> None:
    v = RetryViolation(rule=RetryRule.WRONG_DUE_TIME, group="g", msg_id="A", at_ms=5, detail="late")
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.at_ms = 6  # type: ignore[misc]
    assert str(v) == "t=5 g A: wrong_due_time: late"
