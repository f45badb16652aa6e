"""A broker crashes and restarts (path P13): what it had not flushed is gone.

RocketMQ 5.x: consumer offsets are flushed 10 s after the broker starts, then every 5 s;
the delay progress of ``SCHEDULE_TOPIC_XXXX`` every 10 s, the first after 10 s; an OS
crash also loses the commit log's unflushed tail. A restarted broker goes back to those
flushes: a consumer that starts a queue from the restored offset consumes again what was
consumed since, and every retry copy delivered since the last delay flush is stored in
``%RETRY%<group>`` again (apache/rocketmq#3473).
"""

from __future__ import annotations

import pytest
from helpers import TOPIC, ok, send

from minimq import ConsumeStatus, Message, World, check
from minimq.check import retry_violations
from minimq.core.flush import CommitLogFlush, PeriodicFlush, commit_log_flush, offsets_flush
from minimq.core.schedule import ScheduleTopic
from minimq.core.send_back import Copy
from minimq.errors import ClientStateError, SendFailedError, ValidationError
from minimq.events import (
    BrokerCrashed,
    BrokerRestarted,
    CommitLogTruncated,
    ConsumerRegistered,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
    OffsetPersisted,
    OffsetRestored,
    PullFailed,
    ScheduleProgressRestored,
)
from minimq.i18n.describe import describe, lane
from minimq.model import MessageExt, MessageQueue

GROUP = "coupon"
RETRY = f"%RETRY%{GROUP}"


def keys_delivered(w: World, since_ms: int = 0, client: str | None = None) -> list[str]:
    return [
        e.keys[0]
        for e in w.trace.of(MessageDelivered)
        if e.at_ms >= since_ms and (client is None or e.client == client)
    ]


def two_batches(w: World) -> None:
    """k0..k3 (one per queue) at 1 s, m0..m3 at 16 s, each consumed at once. The consumer
    (started at 0) persists its offsets every 5 s from 10 s on: 1 reaches the broker at
    10.001 s (flushed at 15 s and 20 s), 2 at 20.001 s (flushed at 25 s)."""
    for q in range(4):
        send(w, f"k{q}", queue=q, at_ms=1000)
    for q in range(4):
        send(w, f"m{q}", queue=q, at_ms=16_000)


# -- the flush schedule, sans I/O ---------------------------------------------------------------
def test_a_periodic_flush_is_due_first_after_its_delay_then_every_interval() -> None:
    flush = offsets_flush(start_ms=3000)  # 5 s, the first 10 s after start
    assert [flush.last_due(t) for t in (12_999, 13_000, 17_999, 18_000, 30_500)] == [
        None,
        13_000,
        13_000,
        18_000,
        28_000,
    ]
    assert not flush.catch_up(12_000)
    assert flush.catch_up(14_000) and flush.taken_ms == 13_000
    assert not flush.catch_up(17_000), "that flush was taken already"
    assert flush.catch_up(40_000) and flush.taken_ms == 38_000


def test_the_commit_log_is_forced_at_4_dirty_pages_or_every_10_s() -> None:
    log = commit_log_flush(start_ms=0, writes=0, position=0)
    assert not log.due(3 * 4096), "3 dirty pages wait"
    assert log.due(4 * 4096 + 10)
    log.forced(200, 2, 4 * 4096 + 10)
    assert (log.writes, log.position, log.at_ms) == (2, 4 * 4096 + 10, 200)
    log.before_write(10_000, 5, 5 * 4096)
    assert (log.writes, log.position, log.at_ms) == (5, 5 * 4096, 10_000), "the thorough flush"
    assert isinstance(log, CommitLogFlush) and isinstance(log.thorough, PeriodicFlush)


def test_the_schedule_topic_delivers_each_level_in_order_and_reloads_its_flushed_offsets() -> None:
    topic = ScheduleTopic()
    src = MessageExt(
        topic=TOPIC,
        queue=MessageQueue(TOPIC, 0),
        queue_offset=0,
        body=b"x",
        tags=None,
        keys=("k",),
        properties=(),
        msg_id="M",
        offset_msg_id="O",
        born_ms=0,
        store_ms=0,
    )
    copy = Copy(source=src, queue=MessageQueue(RETRY, 0), reconsume_times=1, origin_msg_id="O")
    a = topic.put(copy, 3, 10_000, write=1)
    b = topic.put(copy, 3, 11_000, write=2)
    late = topic.put(copy, 20, 99_000, write=3)  # a level above 18 waits in level 18's queue
    assert (a.level, a.offset, b.offset, late.level) == (3, 0, 1, 18)
    assert topic.next_due(3, 9_999) is None and topic.next_due(3, 10_000) == a
    topic.delivered(a)
    topic.flush()
    topic.delivered(b)
    assert topic.pending() == 1
    assert topic.reload() == [(3, 1, 2)], "back to the flushed offset: b comes again"
    assert topic.waiting(3) == [b]
    assert topic.truncate(3) == 1 and topic.pending() == 1, "an OS crash lost the level-18 copy"


# -- consumer offsets go back to the last flush ----------------------------------------------------
@pytest.mark.parametrize(("crash_ms", "flushed_ms", "again"), [(24_000, 20_000, 4), (26_000, 25_000, 0)])
def test_a_restarted_consumer_consumes_again_what_the_last_offset_flush_missed(
    w: World, crash_ms: int, flushed_ms: int, again: int
) -> None:
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    two_batches(w)
    w.broker_crash(crash_ms, down_ms=6000)
    w.run_until(crash_ms + 500)
    c.crash()  # the coupon service goes down with it, before the broker is back
    w.run_until(crash_ms + 7000)
    c.restart()
    assert w.run_until_quiet(120_000)

    (crashed,) = w.trace.of(BrokerCrashed)
    assert (crashed.at_ms, crashed.how, crashed.offsets_flushed_ms) == (crash_ms, "process", flushed_ms)
    restored = [e for e in w.trace.of(OffsetRestored) if e.topic == TOPIC]
    assert [(e.offset, e.previous, e.flushed_ms) for e in restored] == [(1, 2, flushed_ms)] * len(restored)
    assert len(restored) == (4 if again else 0)
    replayed = keys_delivered(w, since_ms=crash_ms)
    assert sorted(replayed) == [f"m{q}" for q in range(again)]
    report = check(w.trace)
    assert sorted(d.keys[0] for d in report.duplicate_deliveries) == sorted(replayed)
    assert report.offset_regressions == [] and report.lost == []


def test_before_the_first_flush_nothing_is_on_disk_and_a_restart_consumes_everything_again(w: World) -> None:
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    for q in range(4):
        send(w, f"k{q}", queue=q, at_ms=1000)
    for q in range(4):  # the pulls these answer carry offset 1 to the broker
        send(w, f"n{q}", queue=q, at_ms=3000)
    w.broker_crash(9000, down_ms=5000)  # the first offset flush would come at 10 s
    w.run_until(9500)
    c.crash()
    w.run_until(20_000)
    c.restart()
    assert w.run_until_quiet(120_000)

    restored = [e for e in w.trace.of(OffsetRestored) if e.topic == TOPIC]
    assert [(e.queue_id, e.offset, e.previous, e.flushed_ms) for e in restored] == [(q, -1, 1, -1) for q in range(4)]
    again = sorted(keys_delivered(w, since_ms=9000))
    assert again == [f"{k}{q}" for k in "kn" for q in range(4)], "no offset: a new group starts at 0"


def test_an_offset_reset_after_a_flush_time_leaves_that_flush_with_the_offsets_before_it(w: World) -> None:
    """The flush of 15 s wrote the table as it stood then; an operator's reset at 16 s
    must not reach it (the reset asks for the flushes due first, as any change does)."""
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    for q in range(4):
        send(w, f"k{q}", queue=q, at_ms=1000)
    w.run_until(12_000)  # the persist of 10 s carried offset 1 of each queue
    c.shutdown()  # nothing writes the table after this but the reset
    w.run_until(16_000)
    w.broker.reset_offset_by_time(group=GROUP, topic=TOPIC, timestamp_ms=0)
    assert {v for (g, t, _), v in w.broker.offsets.snapshot().items() if (g, t) == (GROUP, TOPIC)} == {0}
    on_disk = w.broker.life.offsets_on_disk()
    assert {v for (g, t, _), v in on_disk.items() if (g, t) == (GROUP, TOPIC)} == {1}
    assert w.broker.life.offsets_written_ms == 15_000


def test_the_flushes_start_over_10_s_after_a_restart(w: World) -> None:
    """Restarted at 28 s, the broker flushes its offsets first at 38 s: a crash at 37 s
    goes back to the file written at 25 s, before the restart."""
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    two_batches(w)  # offsets 2 from 20.001 s on, on disk from 25 s
    w.broker_crash(26_000, down_ms=2000)
    for q in range(4):
        send(w, f"n{q}", queue=q, at_ms=29_000)  # offsets 3 from 30.001 s, never flushed
    w.broker_crash(37_000, down_ms=4000)
    w.run_until(37_500)
    c.crash()
    w.run_until(42_000)
    c.restart()
    assert w.run_until_quiet(120_000)

    first, second = w.trace.of(BrokerCrashed)
    assert (first.offsets_flushed_ms, second.offsets_flushed_ms) == (25_000, 25_000), "the file of 25 s"
    restored = [e for e in w.trace.of(OffsetRestored) if e.at_ms == 41_000 and e.topic == TOPIC]
    assert {(e.offset, e.previous, e.flushed_ms) for e in restored} == {(2, 3, 25_000)}
    assert sorted(keys_delivered(w, since_ms=37_000)) == [f"n{q}" for q in range(4)]


def test_a_live_consumer_keeps_its_offsets_and_puts_them_back_on_the_broker(w: World) -> None:
    """No replay without a restart or a reassignment: the consumer still owns its queues
    and commits its in-memory offsets again (the 5 s persist, its pulls)."""
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    two_batches(w)
    w.broker_crash(24_000, down_ms=3000)
    assert w.run_until_quiet(120_000)

    assert len([e for e in w.trace.of(OffsetRestored) if e.topic == TOPIC]) == 4
    assert keys_delivered(w, since_ms=24_000) == []
    assert [w.broker.query_offset(GROUP, MessageQueue(TOPIC, q)) for q in range(4)] == [2, 2, 2, 2]
    persisted = [e for e in w.trace.of(OffsetPersisted) if e.at_ms >= 27_000 and e.topic == TOPIC]
    assert {(e.offset, e.via) for e in persisted} == {(2, "timer")}
    assert min(e.at_ms for e in persisted) == 30_001, "the first 5 s persist after the restart"
    assert check(w.trace).offset_regressions == []


# -- the clients while the broker is down, and after -------------------------------------------------
def test_clients_see_the_broker_unreachable_then_register_again_when_they_reconnect(w: World) -> None:
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    send(w, "k0", queue=0, at_ms=1000)
    w.broker_crash(5000, down_ms=11_000)  # back at 16 s, between two pulls: 14 s and 17 s
    w.run_until(5000)
    assert not w.broker.alive and w.broker.stats().down and not w.quiet()
    assert w.broker.consumer_ids(GROUP) == [], "the registrations went with the process"
    with pytest.raises(SendFailedError):
        send(w, "lost", at_ms=6000)
    w.run_until(30_000)

    failed = w.trace.of(PullFailed)
    held = [e for e in failed if e.at_ms == 5000]
    assert len(held) == 5, "each held pull (4 queues and the retry queue) fails at the crash"
    down = [e for e in failed if 5000 < e.at_ms < 16_000]
    assert len(down) == 5 * 3 and all("the broker is down" in e.error for e in down)
    refused = [e for e in failed if e.at_ms >= 16_000]
    assert len(refused) == 5 and {e.at_ms for e in refused} == {17_002}
    assert all(e.error.startswith("SUBSCRIPTION_NOT_EXIST") for e in refused)
    (back,) = [e for e in w.trace.of(ConsumerRegistered) if e.at_ms > 5000]
    assert back.at_ms == 17_002, "the heartbeat the first pull's new connection sent (onChannelActive)"
    assert w.broker.consumer_ids(GROUP) == [c.client_id]
    send(w, "k1", queue=1, at_ms=31_000)
    w.run_until(32_000)
    assert keys_delivered(w) == ["k0", "k1"]


def test_the_world_is_quiet_only_once_the_broker_is_back_and_its_consumers_with_it(w: World) -> None:
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    send(w, "k0", queue=0, at_ms=1000)
    assert w.run_until_quiet(60_000)
    w.broker_crash(w.now_ms + 5000, down_ms=20_000)
    assert not w.quiet(), "a crash is still to come"
    w.run_for(10_000)
    assert not w.quiet(), "the broker is down"
    assert w.run_until_quiet(120_000)
    assert w.broker.alive and c.stats().done
    assert w.now_ms >= 25_000


def test_a_broker_left_down_keeps_the_world_busy_until_it_is_restarted(w: World) -> None:
    w.push_consumer(GROUP, TOPIC, ok, name="c1").start()
    w.broker_crash(2000)
    assert not w.run_until_quiet(60_000)
    w.broker.restart()
    assert w.run_until_quiet(60_000)
    (restarted,) = w.trace.of(BrokerRestarted)
    assert restarted.down_ms == restarted.at_ms - 2000 == 58_000


# -- delayed retries: #3473 -------------------------------------------------------------------------
def fail_once(seen: list[tuple[int, str, int]], w: World):  # type: ignore[no-untyped-def]
    def handle(msg: MessageExt) -> ConsumeStatus:
        seen.append((w.now_ms, msg.keys[0], msg.reconsume_times))
        return ConsumeStatus.RECONSUME_LATER if msg.reconsume_times == 0 else ConsumeStatus.SUCCESS

    return handle


def test_retries_delivered_since_the_last_delay_flush_are_delivered_again(w: World) -> None:
    seen: list[tuple[int, str, int]] = []
    w.push_consumer(GROUP, TOPIC, fail_once(seen, w), name="c1").start()
    sent = send(w, "k0", queue=0, at_ms=1000)  # fails at 1.5 s, comes back 10 s later
    w.broker_crash(15_000, down_ms=3000)  # the delay progress was flushed at 10 s
    assert w.run_until_quiet(120_000)

    assert [(key, times) for _, key, times in seen] == [("k0", 0), ("k0", 1), ("k0", 1)]
    (restored,) = w.trace.of(ScheduleProgressRestored)
    assert (restored.delay_level, restored.offset, restored.previous) == (3, 0, 1)
    assert restored.flushed_ms == 10_000
    (back,) = w.trace.of(MessageSentBack)
    copies = [e for e in w.trace.of(MessageStored) if e.topic == RETRY]
    assert [(e.at_ms, e.msg_id, e.reconsume_times, e.queue_offset) for e in copies] == [
        (back.due_ms, sent.msg_id, 1, 0),
        (19_000, sent.msg_id, 1, 1),  # 1 s after the restart (FIRST_DELAY_TIME)
    ]
    report = check(w.trace)
    assert [(d.keys, d.redelivered_after_success) for d in report.duplicate_deliveries] == [(("k0",), 1)]
    assert report.retry_violations == [], "the replay is RocketMQ's own, not a broken rule"
    assert report.offset_regressions == []


def test_a_retry_copy_due_while_the_broker_is_down_comes_1_s_after_it_restarts(w: World) -> None:
    seen: list[tuple[int, str, int]] = []
    w.push_consumer(GROUP, TOPIC, fail_once(seen, w), name="c1").start()
    send(w, "k0", queue=0, at_ms=1000)  # due at 11.5 s
    w.broker_crash(5000, down_ms=15_000)
    w.run_until(5000)
    assert w.broker.stats().scheduled_retries == 1
    assert w.run_until_quiet(120_000)

    (back,) = w.trace.of(MessageSentBack)
    (copy,) = [e for e in w.trace.of(MessageStored) if e.topic == RETRY]
    assert 5000 < back.due_ms < 20_000 and copy.at_ms == 21_000
    assert w.trace.of(ScheduleProgressRestored) == [], "nothing had been delivered: nothing to go back on"
    assert [(key, times) for _, key, times in seen] == [("k0", 0), ("k0", 1)]
    assert retry_violations(w.trace) == []


def test_a_normal_retry_keeps_its_timing_through_the_schedule_topic(w: World) -> None:
    seen: list[tuple[int, str, int]] = []
    w.push_consumer(GROUP, TOPIC, fail_once(seen, w), name="c1").start()
    send(w, "k0", queue=0, at_ms=1000)
    w.run_until(2000)
    assert w.broker.stats().scheduled_retries == 1
    assert w.run_until_quiet(60_000)
    assert w.broker.stats().scheduled_retries == 0
    (back,) = w.trace.of(MessageSentBack)
    (copy,) = [e for e in w.trace.of(MessageStored) if e.topic == RETRY]
    assert back.at_ms == seen[0][0] + 1 and copy.at_ms == back.due_ms == back.at_ms + 10_000


# -- an OS crash ------------------------------------------------------------------------------------
def test_an_os_crash_loses_what_the_commit_log_had_not_flushed(w: World) -> None:
    c = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    w.run_until(11_000)
    kept = w.run(w.producer("order").send(Message(TOPIC, b"x" * 20_000, keys=("big",))))  # 5 dirty pages
    gone = send(w, "small", queue=1, at_ms=11_500)
    w.broker_crash(12_000, down_ms=3000, lose_unflushed=True)
    assert w.run_until_quiet(120_000)

    (crashed,) = w.trace.of(BrokerCrashed)
    (truncated,) = w.trace.of(CommitLogTruncated)
    assert crashed.how == "os"
    assert (truncated.lost, truncated.scheduled_lost, truncated.flushed_ms) == (1, 0, kept_at(w, kept.msg_id))
    assert w.broker.query_by_msg_id(gone.msg_id) == []
    assert len(w.broker.query_by_msg_id(kept.msg_id)) == 1
    assert w.broker.max_offset(gone.queue) == gone.queue_offset, "the queue's max offset went back"


def kept_at(w: World, msg_id: str) -> int:
    return next(e.at_ms for e in w.trace.of(MessageStored) if e.msg_id == msg_id)


def test_an_os_crash_can_lose_a_scheduled_retry_copy_and_the_checker_excuses_it(w: World) -> None:
    seen: list[tuple[int, str, int]] = []
    w.push_consumer(GROUP, TOPIC, fail_once(seen, w), name="c1").start()
    w.run_until(10_500)  # the thorough flush at 10 s has nothing to force
    send(w, "k0", queue=0, at_ms=10_500)  # stored and sent back after it
    w.broker_crash(12_000, down_ms=3000, lose_unflushed=True)
    assert w.run_until_quiet(120_000)

    (truncated,) = w.trace.of(CommitLogTruncated)
    assert (truncated.lost, truncated.scheduled_lost) == (1, 1)
    assert [(key, times) for _, key, times in seen] == [("k0", 0)], "its retry copy is gone"
    assert retry_violations(w.trace) == []


# -- crash, restart, determinism and words ------------------------------------------------------------
def test_crash_and_restart_refuse_the_wrong_state_and_broker_crash_checks_its_arguments(w: World) -> None:
    with pytest.raises(ClientStateError):
        w.broker.restart()
    w.broker.crash()
    with pytest.raises(ClientStateError):
        w.broker.crash()
    w.broker.restart()
    w.run_until(1000)
    for bad in (
        {"at_ms": 999},
        {"at_ms": True},
        {"at_ms": 2000, "down_ms": 0},
        {"at_ms": 2000, "down_ms": 1.5},
        {"at_ms": 2000, "lose_unflushed": "yes"},
        {"at_ms": 2000, "broker": "broker-b"},
    ):
        with pytest.raises(ValidationError):
            w.broker_crash(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        w.broker.crash(lose_unflushed=1)  # type: ignore[arg-type]


def run_crash(seed: int) -> str:
    seen: list[tuple[int, str, int]] = []
    with World(seed=seed) as w:
        w.broker.create_topic(TOPIC)
        c = w.push_consumer(GROUP, TOPIC, fail_once(seen, w), name="c1")
        c.start()
        two_batches(w)
        w.broker_crash(24_000, down_ms=6000, lose_unflushed=seed % 2 == 0)
        w.run_until(24_500)
        c.crash()
        w.run_until(31_000)
        c.restart()
        w.run_until_quiet(300_000)
        return w.trace.sha256()


@pytest.mark.parametrize("seed", [1, 2])
def test_the_same_seed_gives_the_same_crash_byte_for_byte(seed: int) -> None:
    assert run_crash(seed) == run_crash(seed)


def test_every_crash_event_reads_in_both_languages_in_the_broker_lane(w: World) -> None:
    seen: list[tuple[int, str, int]] = []
    w.push_consumer(GROUP, TOPIC, fail_once(seen, w), name="c1").start()
    two_batches(w)  # every message fails once: retries at 11.5 s, 26 s
    w.broker_crash(18_000, down_ms=3000, lose_unflushed=True)
    assert w.run_until_quiet(120_000)
    kinds = (BrokerCrashed, BrokerRestarted, CommitLogTruncated, OffsetRestored, ScheduleProgressRestored)
    events = [e for e in w.trace.events if isinstance(e, kinds)]
    assert {type(e) for e in events} == set(kinds)
    for event in events:
        assert lane(event) == "broker"
        for lang in ("en", "zh"):
            assert describe(event, lang) != event.kind
            assert describe(event, lang, brief=True) != event.kind
    assert "CRASHED" in describe(w.trace.of(BrokerCrashed)[0])
    assert "宕机" in describe(w.trace.of(BrokerCrashed)[0], "zh")
