"""Push consumer offsets: how they move, when they reach the broker, what a crash replays.

Reference: docs/semantics.md sections 4 to 6, and the duplication paths P4 (offset held by the
slowest in-flight message), P5 (offset-commit lag on a crash) and P6 (graceful shutdown).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from helpers import TOPIC, ok, send

from minimq import ConsumeStatus, CrashPoint, Message, MessageExt, MessageQueue, World
from minimq.check import check, duplicate_deliveries, lost_messages
from minimq.effects import EffectLedger
from minimq.errors import ValidationError
from minimq.events import (
    ConsumerCrashed,
    ConsumerShutdown,
    ConsumerStarted,
    FaultInjected,
    MessageConsumed,
    MessageDelivered,
    OffsetCommittedLocally,
    OffsetPersisted,
    PullFlowControlled,
)
from minimq.runtime.push_consumer import PushConsumer

Q0 = MessageQueue(TOPIC, 0)


def delivered(w: World, group: str = "coupon") -> list[str]:
    return [d.keys[0] for d in w.trace.of(MessageDelivered) if d.group == group]


def persisted(w: World, via: str, queue_id: int = 0, group: str = "coupon") -> list[tuple[int, int]]:
    """(at_ms, offset) of each broker offset update for ``queue_id`` that came ``via``."""
    return [
        (e.at_ms, e.offset)
        for e in w.trace.of(OffsetPersisted)
        if e.via == via and e.queue_id == queue_id and e.group == group and e.topic == TOPIC
    ]


# -- when offsets reach the broker -----------------------------------------------------
def test_offsets_are_persisted_first_after_10s_then_every_5s(w: World) -> None:
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    for n, at in enumerate((1000, 11_000, 16_000, 21_000)):
        send(w, f"k{n}", queue=0, at_ms=at)
    w.run_until(30_000)

    # Each timer round persists what was consumed since the last one (oneway, 1 ms).
    assert persisted(w, "timer") == [(10_001, 1), (15_001, 2), (20_001, 3), (25_001, 4)]
    timer = [e for e in w.trace.of(OffsetPersisted) if e.via == "timer"]
    assert timer and all(e.at_ms >= 10_001 and (e.at_ms - 1) % 5000 == 0 for e in timer)
    assert all(e.client == "c1" for e in timer)
    assert w.broker.query_offset("coupon", Q0) == 4


def test_offsets_piggyback_on_the_next_pull(w: World) -> None:
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    send(w, "k0", queue=0, at_ms=1000)
    send(w, "k1", queue=0, at_ms=3000)  # wakes the held pull; the next pull carries offset 1
    send(w, "k2", queue=0, at_ms=5000)
    w.run_until(9000)

    pulls = persisted(w, "pull")
    assert [offset for _, offset in pulls] == [1, 2]
    assert all(3000 < at < 3010 or 5000 < at < 5010 for at, _ in pulls)
    assert persisted(w, "timer") == [], "all before the first timer round"
    assert w.broker.query_offset("coupon", Q0) == 2
    assert c.local_offset(Q0) == 3, "k2 is consumed, but no pull has carried it yet"


def test_committed_offset_is_the_next_offset_to_consume(w: World) -> None:
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    for n in range(3):
        send(w, f"k{n}", queue=0, at_ms=1000 + n)
    w.run_until(11_000)
    assert c.local_offset(Q0) == 3
    assert w.broker.query_offset("coupon", Q0) == 3
    local = [e.offset for e in w.trace.of(OffsetCommittedLocally) if e.queue_id == 0 and e.topic == TOPIC]
    assert local == sorted(local), "a concurrent consumer's offset only moves forward"


# -- P4: the slowest in-flight message holds the offset -----------------------------------
def test_slow_message_holds_the_offset_while_later_ones_finish(w: World) -> None:
    w.faults.slow_handler(60_000, key="k0")
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    for n in range(4):
        send(w, f"k{n}", queue=0, at_ms=1000 + n)
    w.run_until(12_000)

    finished = {e.msg_id for e in w.trace.of(MessageConsumed)}
    assert finished == {d.msg_id for d in w.trace.of(MessageDelivered) if d.keys != ("k0",)}
    assert c.in_flight()[Q0] == [0]
    assert c.local_offset(Q0) == 0, "k1..k3 succeeded, but k0 (offset 0) is still in flight"
    assert w.broker.query_offset("coupon", Q0) == 0
    assert persisted(w, "timer")[0] == (10_001, 0)

    w.run_until(70_000)
    assert c.in_flight()[Q0] == []
    assert c.local_offset(Q0) == 4
    assert w.broker.query_offset("coupon", Q0) == 4


def test_a_small_max_span_flow_controls_but_cannot_hold_a_queue_behind_a_stuck_message(w: World) -> None:
    """``consumeConcurrentlyMaxSpan`` measures the cached messages (``msgTreeMap.lastKey() -
    firstKey()``): with a stuck head and a fast tail, each finished message leaves the tree,
    the span falls back and the queue runs on however far (apache/rocketmq #1404). Like
    Java's WARN line, only the first flow control and every 1000th are recorded."""
    w.faults.slow_handler(60_000, key="k0")

    async def takes_a_second(msg: MessageExt) -> ConsumeStatus:
        await asyncio.sleep(1)
        return ConsumeStatus.SUCCESS

    c = w.push_consumer("coupon", TOPIC, takes_a_second, name="c1", consume_concurrently_max_span=2)
    c.start()
    for n in range(8):
        send(w, f"k{n}", queue=0, at_ms=1000 + 2000 * n)
    w.run_until(30_000)

    assert delivered(w) == [f"k{n}" for n in range(8)], "every message got through"
    assert c.in_flight()[Q0] == [0]
    assert c.local_offset(Q0) == 0
    warned = w.trace.of(PullFlowControlled)
    assert [(e.reason, e.min_offset, e.max_offset, e.value, e.threshold, e.times) for e in warned] == [
        ("span", 0, 3, 3, 2, 1)
    ]


def test_max_span_is_checked_like_java(w: World) -> None:
    for bad in (0, 65536, True):
        with pytest.raises(ValidationError, match=r"consumeConcurrentlyMaxSpan Out of range \[1, 65535\]"):
            w.push_consumer("coupon", TOPIC, ok, consume_concurrently_max_span=bad)
    assert w.push_consumer("coupon", TOPIC, ok).consume_concurrently_max_span == 2000


def test_restart_with_a_slow_message_in_flight_redelivers_everything_after_it(w: World) -> None:
    w.faults.slow_handler(60_000, key="k0")
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    for n in range(4):
        send(w, f"k{n}", queue=0, at_ms=1000 + n)
    w.run_until(30_000)
    c.crash()
    c.restart()
    w.run_until(60_000)

    assert delivered(w) == ["k0", "k1", "k2", "k3", "k0", "k1", "k2", "k3"]
    dups = {d.keys[0]: d for d in duplicate_deliveries(w.trace)}
    assert sorted(dups) == ["k0", "k1", "k2", "k3"]
    assert dups["k1"].redelivered_after_success == 1
    assert dups["k0"].redelivered_after_success == 0, "k0 never finished the first time"


# -- P5: a crash replays what was not persisted --------------------------------------------
def test_crash_before_persist_redelivers_while_a_persisted_group_is_unaffected(w: World) -> None:
    coupon = w.push_consumer("coupon", TOPIC, ok, name="coupon-1")
    points = w.push_consumer("points", TOPIC, ok, name="points-1")
    coupon.start()
    points.start()
    sent = send(w, "order-1", at_ms=1000)
    w.run_until(5000)
    assert sorted(d.group for d in w.trace.of(MessageDelivered)) == ["coupon", "points"]
    assert coupon.local_offset(sent.queue) == 1

    coupon.crash()
    w.run_until(20_000)
    assert w.broker.query_offset("coupon", sent.queue) is None, "the crash took the offset with it"
    assert w.broker.query_offset("points", sent.queue) == 1
    (crashed,) = w.trace.of(ConsumerCrashed)
    assert crashed.client == "coupon-1" and crashed.at_ms == 5000

    coupon.restart()
    w.run_until(40_000)

    assert delivered(w, "coupon") == ["order-1", "order-1"]
    assert delivered(w, "points") == ["order-1"]
    (dup,) = duplicate_deliveries(w.trace)
    assert (dup.group, dup.msg_id, dup.deliveries, dup.redelivered_after_success) == ("coupon", sent.msg_id, 2, 1)
    assert lost_messages(w.trace) == []


def test_crash_after_a_persist_does_not_redeliver(w: World) -> None:
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    sent = send(w, "order-1", at_ms=1000)
    w.run_until(12_000)
    assert w.broker.query_offset("coupon", sent.queue) == 1
    c.crash()
    c.restart()
    w.run_until(30_000)
    assert delivered(w) == ["order-1"]


def test_restart_right_after_a_crash_stays_in_the_group(w: World) -> None:
    # The dead process's channel closes 1 ms after the crash; that must not unregister the
    # new process, which registers through a channel of its own, here with the same client
    # id (an instance name is set).
    c = w.push_consumer("coupon", TOPIC, ok, name="c1", instance_name="coupon")
    c.start()
    w.run_until(1000)
    c.crash()
    c.restart()
    w.run_until(3000)
    assert c.client_id == "10.0.0.11@coupon"
    assert w.broker.consumer_ids("coupon") == ["10.0.0.11@coupon"]
    assert [mq.queue_id for mq in c.assigned() if mq.topic == TOPIC] == [0, 1, 2, 3]
    send(w, "order-1", at_ms=3000)
    w.run_until(4000)
    assert delivered(w) == ["order-1"]


def test_a_restarted_process_gets_a_new_client_id_unless_an_instance_name_is_set(w: World) -> None:
    # changeInstanceNameToPID: DEFAULT becomes pid#nanoTime at every start.
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    w.run_until(1000)
    first = c.client_id
    c.crash()
    c.restart()
    w.run_until(3000)
    assert first is not None and c.client_id is not None and first != c.client_id
    assert first.startswith("10.0.0.11@") and c.client_id.startswith("10.0.0.11@")
    assert w.broker.consumer_ids("coupon") == [c.client_id], "the old id left with its channel"
    started = [e.client_id for e in w.trace.of(ConsumerStarted)]
    assert started == [first, c.client_id]


def test_lost_offset_persist_is_unseen_and_replays_after_a_crash(w: World) -> None:
    w.faults.lose_offset_persist(group="coupon", times=10)
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    send(w, "order-1", queue=0, at_ms=1000)
    w.run_until(12_000)
    assert persisted(w, "timer") == []
    assert any(f.fault == "lose_offset_persist" for f in w.trace.of(FaultInjected))
    c.crash()
    c.restart()
    w.run_until(30_000)
    assert delivered(w) == ["order-1", "order-1"]


# -- crash points ------------------------------------------------------------------------
@dataclass
class CrashRun:
    consumer: PushConsumer
    started: list[int] = field(default_factory=list)
    finished: list[int] = field(default_factory=list)


def crash_run(w: World, point: CrashPoint) -> CrashRun:
    """One consumer with an async handler; it dies at ``point`` while consuming order-1."""
    ledger = EffectLedger(w, "coupons")

    async def handle(msg: MessageExt) -> ConsumeStatus:
        run.started.append(w.now_ms)
        await asyncio.sleep(0.5)
        ledger.apply(msg.keys[0], by="coupon")
        run.finished.append(w.now_ms)
        return ConsumeStatus.SUCCESS

    run = CrashRun(w.push_consumer("coupon", TOPIC, handle, name="c1"))
    w.faults.crash_consumer("c1", point, key="order-1")
    run.consumer.start()
    ledger.expect("order-1")
    send(w, "order-1", queue=0, at_ms=1000)
    w.run_until(5000)
    return run


def restart_and_settle(w: World, run: CrashRun) -> None:
    run.consumer.restart()
    w.run_until(w.now_ms + 30_000)


def test_crash_before_handler(w: World) -> None:
    run = crash_run(w, CrashPoint.BEFORE_HANDLER)
    (crashed,) = w.trace.of(ConsumerCrashed)
    assert crashed.point == CrashPoint.BEFORE_HANDLER.value
    assert len(w.trace.of(MessageDelivered)) == 1
    assert run.started == [] and w.trace.of(MessageConsumed) == []
    assert not run.consumer.running

    restart_and_settle(w, run)
    assert delivered(w) == ["order-1", "order-1"]
    assert len(run.finished) == 1
    assert check(w.trace).exactly_once_effects, "the first delivery never reached the handler"


def test_crash_in_handler_stops_it_at_its_next_await(w: World) -> None:
    run = crash_run(w, CrashPoint.IN_HANDLER)
    (crashed,) = w.trace.of(ConsumerCrashed)
    assert crashed.point == CrashPoint.IN_HANDLER.value
    (start,) = run.started
    assert crashed.at_ms == start, "the process died while the handler was awaiting"
    assert run.finished == [] and w.trace.of(MessageConsumed) == []
    assert w.broker.query_offset("coupon", Q0) is None

    restart_and_settle(w, run)
    assert len(run.started) == 2 and len(run.finished) == 1
    assert check(w.trace).exactly_once_effects


def test_crash_after_handler_duplicates_the_effect(w: World) -> None:
    run = crash_run(w, CrashPoint.AFTER_HANDLER)
    (crashed,) = w.trace.of(ConsumerCrashed)
    assert crashed.point == CrashPoint.AFTER_HANDLER.value
    (consumed,) = w.trace.of(MessageConsumed)
    assert consumed.status == ConsumeStatus.SUCCESS.value and consumed.at_ms == crashed.at_ms
    assert len(run.finished) == 1
    assert [e for e in w.trace.of(OffsetCommittedLocally) if e.queue_id == 0 and e.offset > 0] == []

    restart_and_settle(w, run)
    assert len(run.finished) == 2
    (effect,) = check(w.trace).duplicated_effects
    assert (effect.key, effect.count) == ("order-1", 2)


def test_crash_after_local_commit_duplicates_the_effect(w: World) -> None:
    run = crash_run(w, CrashPoint.AFTER_LOCAL_COMMIT)
    (crashed,) = w.trace.of(ConsumerCrashed)
    assert crashed.point == CrashPoint.AFTER_LOCAL_COMMIT.value
    commits = [e for e in w.trace.of(OffsetCommittedLocally) if e.queue_id == 0 and e.topic == TOPIC]
    assert commits[-1].offset == 1 and commits[-1].at_ms == crashed.at_ms
    assert persisted(w, "timer") == persisted(w, "pull") == []
    assert w.broker.query_offset("coupon", Q0) is None

    restart_and_settle(w, run)
    assert delivered(w) == ["order-1", "order-1"]
    (effect,) = check(w.trace).duplicated_effects
    assert effect.count == 2


# -- P6: graceful shutdown -------------------------------------------------------------
def test_shutdown_persists_offsets_and_redelivers_only_interrupted_messages(w: World) -> None:
    finished: list[str] = []

    async def handle(msg: MessageExt) -> ConsumeStatus:
        if msg.keys[0] == "slow":
            await asyncio.sleep(60)
        finished.append(msg.keys[0])
        return ConsumeStatus.SUCCESS

    c = w.push_consumer("coupon", TOPIC, handle, name="c1")
    c.start()
    send(w, "fast-1", queue=0, at_ms=1000)
    send(w, "fast-2", queue=0)
    send(w, "slow", queue=3)
    w.run_until(5000)
    c.shutdown()
    (down,) = w.trace.of(ConsumerShutdown)
    assert down.at_ms == 5000 and not c.running
    w.run_until(6000)
    assert persisted(w, "shutdown") == [(5001, 2)]
    assert w.broker.query_offset("coupon", MessageQueue(TOPIC, 3)) is None
    assert w.broker.consumer_ids("coupon") == []

    c.restart()
    w.run_until(70_000)
    assert delivered(w) == ["fast-1", "fast-2", "slow", "slow"]
    assert finished == ["fast-1", "fast-2", "slow"], "the first 'slow' was interrupted"


def test_shutdown_redelivers_finished_messages_above_the_min_in_flight(w: World) -> None:
    w.faults.slow_handler(60_000, key="k0")
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    for n in range(3):
        send(w, f"k{n}", queue=0, at_ms=1000 + n)
    w.run_until(5000)
    c.shutdown()
    w.run_until(6000)
    assert persisted(w, "shutdown") == [(5001, 0)]
    c.restart()
    w.run_until(20_000)
    assert delivered(w) == ["k0", "k1", "k2", "k0", "k1", "k2"]


# -- the checkers on a fault-free run ---------------------------------------------------
def test_fault_free_run_loses_and_duplicates_nothing(w: World) -> None:
    for client in ("c1", "c2"):
        w.push_consumer("coupon", TOPIC, ok, name=client).start()
    w.push_consumer("points", TOPIC, ok, name="p1").start()
    w.run_until(1000)
    p = w.producer("order")

    async def main() -> None:
        for n in range(20):
            await p.send(Message(TOPIC, b"x", keys=(f"order-{n}",)))

    w.run(main())
    w.run_for(60_000)

    report = check(w.trace)
    assert report.lost == []
    assert report.duplicate_deliveries == [] and report.duplicate_keys == []
    assert report.dead_lettered == [] and report.offset_regressions == []
    assert len(w.trace.of(MessageDelivered)) == 40
    assert sum(1 for d in w.trace.of(MessageDelivered) if d.client == "c1") > 0
    assert sum(1 for d in w.trace.of(MessageDelivered) if d.client == "c2") > 0


def test_lost_message_checker_sees_an_undelivered_message(w: World) -> None:
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    w.run_until(1000)
    c.crash()
    sent = send(w, "order-1", at_ms=2000)
    w.run_until(10_000)
    (lost,) = lost_messages(w.trace)
    assert (lost.group, lost.msg_id, lost.topic) == ("coupon", sent.msg_id, TOPIC)
