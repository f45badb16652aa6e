"""An operator resets a group's offsets by time (``mqadmin resetOffsetByTime``, path P15).

RocketMQ 5.2.0+ (broker and client): the broker commits the reset offsets at once and
answers the next pull of each queue ``PULL_OFFSET_MOVED``; the client drops the queue,
persists the reset offset and rebalances at once. Every message stored since the time
is delivered again, with the same msg id, long after it was first consumed.
"""

from __future__ import annotations

import pytest
from helpers import TOPIC, ok, send

from minimq import ConsumeStatus, MessageQueue, OrderlyStatus, World, check
from minimq.errors import UnknownGroup, UnknownTopic, ValidationError
from minimq.events import MessageDelivered, OffsetPersisted, OffsetReset, PullOffsetMoved
from minimq.i18n.describe import describe, lane
from minimq.model import MessageExt
from minimq.trace import Trace

GROUP = "coupon"
RETRY = f"%RETRY%{GROUP}"


def fill(w: World) -> tuple[list[str], list[str]]:
    """Batch A at 1 s (one message per queue), batch B at 5 s (one per queue) and one more
    on queue 0 at 9 s. Return (msg ids stored before 3 s, msg ids stored after)."""
    before = [send(w, f"a{q}", queue=q, at_ms=1000).msg_id for q in range(4)]
    after = [send(w, f"b{q}", queue=q, at_ms=5000).msg_id for q in range(4)]
    after.append(send(w, "c0", queue=0, at_ms=9000).msg_id)
    return before, after


def deliveries(w: World, *, since_ms: int = 0, topic: str = TOPIC) -> list[MessageDelivered]:
    return [e for e in w.trace.of(MessageDelivered) if e.at_ms >= since_ms and e.topic == topic]


def offsets(w: World, topic: str = TOPIC) -> list[int | None]:
    return [w.broker.query_offset(GROUP, mq) for mq in w.broker.topic_queues(topic)]


# -- a running consumer ---------------------------------------------------------------------------
def test_a_running_consumer_consumes_again_exactly_what_was_stored_since_the_time(w: World) -> None:
    w.push_consumer(GROUP, TOPIC, ok, name="coupon-1").start()
    before, after = fill(w)
    w.run_until(60_000)
    assert sorted(e.msg_id for e in deliveries(w)) == sorted(before + after)
    assert offsets(w) == [3, 2, 2, 2]

    reset = w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=3000)
    assert reset == {MessageQueue(TOPIC, q): 1 for q in range(4)}
    w.run_until(120_000)

    again = deliveries(w, since_ms=60_000)
    assert sorted(e.msg_id for e in again) == sorted(after), "each message stored since 3 s, once more"
    assert offsets(w) == [3, 2, 2, 2], "the consumer caught up again"
    report = check(w.trace)
    assert sorted(d.msg_id for d in report.duplicate_deliveries) == sorted(after)
    assert {d.redelivered_after_success for d in report.duplicate_deliveries} == {1}
    assert report.lost == [] and report.offset_regressions == []


def test_the_broker_ignores_the_consumers_commits_until_its_next_pull(w: World) -> None:
    w.push_consumer(GROUP, TOPIC, ok, name="coupon-1").start()
    fill(w)
    w.run_until(50_500)  # every pull is held (long polling): the queues are idle
    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=3000)
    w.run_until(64_000)  # the 5 s persister sent the stale offsets at 55 s and 60 s
    assert offsets(w) == [1, 1, 1, 1]
    assert w.trace.of(PullOffsetMoved) == []
    assert [e for e in w.trace.of(OffsetPersisted) if e.at_ms > 50_500] == []

    w.run_until(66_000)  # the held pulls are answered by the 5 s hold check at 65 s
    moved = sorted(w.trace.of(PullOffsetMoved), key=lambda e: e.queue_id)
    assert [(e.queue_id, e.pull_offset, e.offset, e.at_ms) for e in moved] == [
        (q, 3 if q == 0 else 2, 1, 65_001) for q in range(4)
    ]
    assert min(e.at_ms for e in deliveries(w, since_ms=50_500)) > 65_001


def test_a_pull_sent_after_the_reset_stores_its_stale_commit_then_the_reset_wins(w: World) -> None:
    """A busy queue: the first pull after the reset carries the old local offset, which
    the broker stores (it took the mark first); the client then persists the reset."""
    seen: dict[str, int] = {}

    def count(msg: MessageExt) -> ConsumeStatus:
        seen[msg.msg_id] = seen.get(msg.msg_id, 0) + 1
        return ConsumeStatus.SUCCESS

    w.push_consumer(GROUP, TOPIC, count, name="coupon-1").start()
    for i in range(21):  # k9..k20 are stored at or after 10 s
        send(w, f"k{i}", queue=0, at_ms=1000 + 1000 * i if i < 20 else 30_000)
    # The held pull returned k20 as the send returned: the next pull is on the wire.
    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=10_000)
    w.run_until(90_000)

    q0 = [e for e in w.trace.events if isinstance(e, OffsetPersisted | OffsetReset) and e.queue_id == 0]
    after = [(e.kind, e.offset, getattr(e, "via", ""), e.at_ms) for e in q0 if e.at_ms >= 30_000]
    assert after[:3] == [
        ("OffsetReset", 9, "", 30_002),
        ("OffsetPersisted", 20, "pull", 30_003),
        ("OffsetPersisted", 9, "offset moved", 30_005),
    ]
    assert offsets(w)[0] == 21
    assert list(seen.values()) == [1] * 9 + [2] * 12
    assert check(w.trace).offset_regressions == []


# -- a consumer that is down ------------------------------------------------------------------------
@pytest.mark.parametrize("stop", ["shutdown", "crash"])
def test_a_consumer_down_during_the_reset_starts_from_the_reset_offsets(w: World, stop: str) -> None:
    consumer = w.push_consumer(GROUP, TOPIC, ok, name="coupon-1")
    consumer.start()
    _, after = fill(w)
    w.run_until(60_000)
    consumer.shutdown() if stop == "shutdown" else consumer.crash()
    w.run_until(61_000)
    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=3000)
    assert offsets(w) == [1, 1, 1, 1]
    w.run_until(70_000)
    assert deliveries(w, since_ms=60_000) == []

    consumer.restart()
    w.run_until(100_000)
    assert sorted(e.msg_id for e in deliveries(w, since_ms=70_000)) == sorted(after)
    assert {(e.pull_offset, e.offset) for e in w.trace.of(PullOffsetMoved)} == {(1, 1)}
    assert offsets(w) == [3, 2, 2, 2]


def test_a_reset_to_a_time_after_the_last_message_skips_everything_unconsumed(w: World) -> None:
    consumer = w.push_consumer(GROUP, TOPIC, ok, name="coupon-1")
    consumer.start()
    w.run_until(100)
    consumer.shutdown()
    fill(w)
    reset = w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=w.now_ms)
    assert list(reset.values()) == [3, 2, 2, 2]
    consumer.restart()
    w.run_until(60_000)
    assert deliveries(w) == []


# -- the retry topic ----------------------------------------------------------------------------------
def test_the_retry_topic_is_reset_only_when_named(w: World) -> None:
    failed: set[str] = set()

    def fail_a1_once(msg: MessageExt) -> ConsumeStatus:
        if msg.keys == ("a1",) and "a1" not in failed:
            failed.add("a1")
            return ConsumeStatus.RECONSUME_LATER
        return ConsumeStatus.SUCCESS

    w.push_consumer(GROUP, TOPIC, fail_a1_once, name="coupon-1").start()
    fill(w)
    w.run_until(60_000)
    assert offsets(w, RETRY) == [1], "the retry copy of a1 was consumed"

    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=0)
    assert {e.topic for e in w.trace.of(OffsetReset)} == {TOPIC}
    w.run_until(120_000)
    assert offsets(w, RETRY) == [1]
    assert deliveries(w, since_ms=60_000, topic=RETRY) == []
    assert len(deliveries(w, since_ms=60_000)) == 9, "the whole business topic, again"

    assert w.broker.reset_offset_by_time(group=GROUP, topic=RETRY, timestamp_ms=0) == {MessageQueue(RETRY, 0): 0}
    w.run_until(180_000)
    assert [e.keys for e in deliveries(w, since_ms=120_000, topic=RETRY)] == [("a1",)]


# -- orderly -------------------------------------------------------------------------------------------
def test_an_orderly_consumer_relocks_and_consumes_again_in_order(w: World) -> None:
    keys: list[str] = []

    def record(msg: MessageExt) -> OrderlyStatus:
        keys.append(msg.keys[0])
        return OrderlyStatus.SUCCESS

    w.push_consumer(GROUP, TOPIC, record, name="coupon-1", orderly=True).start()
    for i in range(5):
        send(w, f"k{i}", queue=2, at_ms=1000 * (i + 1))
    w.run_until(60_000)
    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=2500)
    w.run_until(120_000)
    assert keys == ["k0", "k1", "k2", "k3", "k4", "k2", "k3", "k4"]
    assert offsets(w)[2] == 5


# -- broadcasting ----------------------------------------------------------------------------------------
def test_in_broadcasting_only_the_first_member_to_pull_a_queue_takes_its_reset(w: World) -> None:
    """The broker marks (group, queue), not clients: whoever pulls first takes the mark."""
    members = [w.push_consumer(GROUP, TOPIC, ok, name=f"bc-{i}", model="BROADCASTING") for i in range(2)]
    for member in members:
        member.start()
    _, after = fill(w)
    w.run_until(60_000)
    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=3000)
    w.run_until(120_000)
    again = deliveries(w, since_ms=60_000)
    assert {e.client for e in w.trace.of(PullOffsetMoved)} == {e.client for e in again} == {"bc-0"}
    assert sorted(e.msg_id for e in again) == sorted(after)


# -- the trace -----------------------------------------------------------------------------------------
def test_the_reset_is_in_the_trace_and_reads_in_both_languages(w: World) -> None:
    w.push_consumer(GROUP, TOPIC, ok, name="coupon-1").start()
    fill(w)
    w.run_until(60_000)
    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=3000)
    w.run_until(90_000)

    resets = w.trace.of(OffsetReset)
    assert resets[0] == OffsetReset(
        at_ms=60_000, group=GROUP, topic=TOPIC, queue_id=0, offset=1, previous=3, timestamp_ms=3000
    )
    assert [e.queue_id for e in resets] == [0, 1, 2, 3]
    moved = w.trace.of(PullOffsetMoved)[0]
    assert (lane(resets[0]), lane(moved)) == ("broker", "coupon-1")
    assert describe(resets[0]) == (
        "operator reset coupon offset order-paid#0 to 1 (was 3): first message stored at or after 00:03.000"
    )
    assert describe(resets[0], "zh", brief=True) == "coupon 消费位点 order-paid#0 重置为 1"
    for event in (resets[0], moved):
        for lang in ("en", "zh"):
            assert describe(event, lang) != event.kind
            assert describe(event, lang, brief=True) != event.kind
    applied = [e for e in w.trace.of(OffsetPersisted) if e.via == "offset moved"]
    assert "OFFSET_MOVED" in describe(applied[0])
    assert Trace.from_jsonl(w.trace.to_jsonl()).events == w.trace.events


def test_the_group_must_be_known_and_a_group_with_no_offsets_gets_them(w: World) -> None:
    w.push_consumer(GROUP, TOPIC, ok, name="coupon-1")  # built, never started: unknown
    with pytest.raises(UnknownGroup, match=r"'coupon'.*known groups: none"):
        w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=0)
    consumer = w.push_consumer(GROUP, TOPIC, ok, name="coupon-2")
    consumer.start()
    w.run_until(100)  # its heartbeat registered the group (Java's start() returns after it)
    consumer.shutdown()
    w.run_until(200)
    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=0)
    assert [e.previous for e in w.trace.of(OffsetReset)] == [-1, -1, -1, -1]
    assert "was -" in describe(w.trace.of(OffsetReset)[0])


def run_with_reset(seed: int) -> str:
    with World(seed=seed) as world:
        world.broker.create_topic(TOPIC)
        world.push_consumer(GROUP, TOPIC, ok).start()
        fill(world)
        world.run_until(30_000)
        world.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=3000)
        world.run_until(90_000)
        return world.trace.sha256()


def test_same_seed_same_trace_with_a_reset() -> None:
    assert run_with_reset(11) == run_with_reset(11)


# -- refusals ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"group": "nobody"}, UnknownGroup, r"'nobody' does not exist.*known groups: coupon"),
        ({"topic": "no-such-topic"}, UnknownTopic, r"'no-such-topic' does not exist"),
        ({"topic": "%DLQ%coupon"}, UnknownTopic, r"'%DLQ%coupon'"),
        ({"group": "bad group"}, ValidationError, r"group name must match.*'bad group'"),
        ({"topic": ""}, ValidationError, r"topic name must not be empty"),
        ({"timestamp_ms": -1}, ValidationError, r"reset time must be >= 0 ms: got -1"),
        ({"timestamp_ms": 1.5}, ValidationError, r"must be an int of virtual milliseconds: got 1.5"),
        ({"timestamp_ms": "3000"}, ValidationError, r"got '3000'"),
        ({"timestamp_ms": True}, ValidationError, r"got True"),
        ({"timestamp_ms": None}, ValidationError, r"got None"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_changes(
    w: World, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    w.push_consumer(GROUP, TOPIC, ok, name="coupon-1").start()
    fill(w)
    w.run_until(30_000)
    before, events = w.broker.offsets.snapshot(), len(w.trace)
    args: dict[str, object] = {"group": GROUP, "topic": TOPIC, "timestamp_ms": 3000, **kwargs}
    with pytest.raises(error, match=match):
        w.broker.reset_offset_by_time(**args)  # type: ignore[arg-type]
    assert w.broker.offsets.snapshot() == before and len(w.trace) == events


def test_the_arguments_are_keyword_only(w: World) -> None:
    with pytest.raises(TypeError):
        w.broker.reset_offset_by_time(GROUP, TOPIC, 0)  # type: ignore[misc]
