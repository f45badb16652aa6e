"""Rebalancing, orderly consumption and broadcasting.

Reference: docs/semantics.md sections 7 (rebalance), 10 (orderly), 11 (broadcasting) and the
duplication paths P7 (rebalance overlap), P11 (orderly local retry), P12 (broadcasting
crash).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from helpers import TOPIC, ok, raised_here, send

from minimq import ConsumeStatus, MessageExt, MessageQueue, OrderlyStatus, World
from minimq.check import duplicate_deliveries, lost_messages, repeat_kinds
from minimq.events import (
    ConsumeFailureDropped,
    ConsumeResultDiscarded,
    ConsumerRegistered,
    ConsumerShutdown,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessageSentBack,
    OffsetPersisted,
    QueueLocked,
    QueueUnlocked,
    Rebalanced,
    RetriedLocally,
    SendBackFailed,
    TopicCreated,
)
from minimq.runtime.consumer_session import CHANNEL_EXPIRED_TIMEOUT_MS
from minimq.runtime.rebalance import LOCK_TIMEOUT_MS, REQUEST_TIMEOUT_MS

RETRY = MessageQueue("%RETRY%coupon", 0)


def delivered(w: World, client: str) -> list[str]:
    return [d.keys[0] for d in w.trace.of(MessageDelivered) if d.client == client]


def qs(*ids: int) -> list[MessageQueue]:
    return [MessageQueue(TOPIC, i) for i in ids]


# -- rebalance (P7) -----------------------------------------------------------------------
def slow_on(key: str, seconds: int) -> Callable[[MessageExt], Any]:
    async def handle(msg: MessageExt) -> ConsumeStatus:
        if msg.keys[0] == key:
            await asyncio.sleep(seconds)
        return ConsumeStatus.SUCCESS

    return handle


def test_second_consumer_joining_splits_the_queues_two_and_two(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c2 = w.push_consumer("coupon", TOPIC, ok, name="c2")
    c1.start()
    w.run_until(5000)
    assert c1.assigned() == [RETRY, *qs(0, 1, 2, 3)]
    c2.start()
    w.run_until(7000)

    moves = [(e.client, e.at_ms, e.before, e.after) for e in w.trace.of(Rebalanced) if e.topic == TOPIC]
    # c2's heartbeat reaches the broker at 5001 and the broker tells both members; c1 gives
    # queues 2 and 3 up at once, c2 may rebalance only 1 s after it started (minInterval).
    assert [(c, b, a) for c, _, b, a in moves] == [
        ("c1", (), (0, 1, 2, 3)),
        ("c1", (0, 1, 2, 3), (0, 1)),
        ("c2", (), (2, 3)),
    ]
    (joined,) = [e for e in w.trace.of(ConsumerRegistered) if e.client == "c2"]
    assert joined.at_ms == 5001 and joined.notified == 2
    assert 5001 < moves[1][1] < 5010, "the broker told c1 at once; nobody waited 20 s"
    assert 6000 <= moves[2][1] < 6020, "c2's first rebalance: 1 s after it started"
    assert c1.assigned() == [RETRY, *qs(0, 1)]
    assert c2.assigned() == qs(2, 3), "one retry queue: it goes to the first client"
    assert w.broker.consumer_ids("coupon") == sorted([c1.client_id, c2.client_id])


def test_queues_given_up_wait_for_the_new_owner_and_its_first_pull_comes_500_ms_later(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c2 = w.push_consumer("coupon", TOPIC, ok, name="c2")
    c1.start()
    w.run_until(5000)
    c2.start()
    send(w, "k3", queue=3, at_ms=5500)  # queue 3 has no owner now: c1 gave it up, c2 has not taken it
    w.run_until(8000)
    gained = next(e for e in w.trace.of(Rebalanced) if e.client == "c2" and e.topic == TOPIC)
    (got,) = w.trace.of(MessageDelivered)
    assert got.client == "c2" and got.keys == ("k3",)
    assert got.at_ms == gained.at_ms + 500 + 2, "dispatchPullRequest(…, 500), then one round trip"


def test_old_owner_result_is_discarded_and_the_new_owner_redelivers(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, slow_on("slow", 30), name="c1")
    c2 = w.push_consumer("coupon", TOPIC, slow_on("slow", 30), name="c2")
    c1.start()
    send(w, "slow", queue=3, at_ms=1000)
    w.run_until(5000)
    assert c1.in_flight()[MessageQueue(TOPIC, 3)] == [0]
    c2.start()
    w.run_until(60_000)

    assert delivered(w, "c1") == ["slow"]
    assert delivered(w, "c2") == ["slow"]
    (discarded,) = w.trace.of(ConsumeResultDiscarded)
    assert discarded.client == "c1" and "rebalance" in discarded.reason
    c1_done = [e for e in w.trace.of(MessageConsumed) if e.client == "c1"]
    assert c1_done and c1_done[0].at_ms == discarded.at_ms, "the listener did finish; its result was dropped"
    second = next(d for d in w.trace.of(MessageDelivered) if d.client == "c2")
    assert second.at_ms < discarded.at_ms, "both consumers ran the message at once"
    q3 = [e for e in w.trace.of(OffsetPersisted) if e.queue_id == 3 and e.topic == TOPIC]
    assert [e.client for e in q3] == ["c2"], "only the new owner moved queue 3's offset"
    (dup,) = duplicate_deliveries(w.trace)
    assert dup.deliveries == 2 and dup.keys == ("slow",)


def test_new_owner_resumes_at_the_persisted_offset(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c2 = w.push_consumer("coupon", TOPIC, ok, name="c2")
    c1.start()
    for n in range(4):
        send(w, f"k{n}", queue=n, at_ms=1000 + n)
    w.run_until(12_000)  # the 10 s timer persisted every offset
    c2.start()
    send(w, "k4", queue=2, at_ms=13_000)
    send(w, "k5", queue=0)
    w.run_until(20_000)
    assert delivered(w, "c2") == ["k4"]
    assert delivered(w, "c1") == ["k0", "k1", "k2", "k3", "k5"]
    assert duplicate_deliveries(w.trace) == []


def test_leaving_consumer_hands_its_queues_back(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c2 = w.push_consumer("coupon", TOPIC, ok, name="c2")
    c1.start()
    c2.start()
    send(w, "k2", queue=2, at_ms=1000)
    w.run_until(2000)
    c2.shutdown()
    send(w, "k3", queue=3, at_ms=3000)
    w.run_until(5000)
    last = [e for e in w.trace.of(Rebalanced) if e.client == "c1" and e.topic == TOPIC][-1]
    assert (last.before, last.after) == ((0, 1), (0, 1, 2, 3))
    assert c1.assigned() == [RETRY, *qs(0, 1, 2, 3)]
    assert delivered(w, "c2") == ["k2"] and delivered(w, "c1") == ["k3"], "c2's shutdown persist saved k2"


# -- orderly (P11) ------------------------------------------------------------------------
def test_orderly_keeps_queue_order_and_suspends_locally_for_1000_ms(w: World) -> None:
    seen: list[tuple[int, str, int]] = []

    def handle(msg: MessageExt) -> OrderlyStatus:
        seen.append((msg.queue_id, msg.keys[0], msg.reconsume_times))
        if msg.keys[0] == "o1-paid" and msg.reconsume_times < 2:
            return OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT
        return OrderlyStatus.SUCCESS

    c = w.push_consumer("coupon", TOPIC, handle, name="c1", orderly=True)
    c.start()
    w.run_until(1000)
    for step in ("created", "paid", "shipped"):
        for order in ("o1", "o2", "o3"):
            send(w, f"{order}-{step}", order=order)
    w.run_until(20_000)

    assert {e.queue_id for e in w.trace.of(QueueLocked) if e.topic == TOPIC} == {0, 1, 2, 3}
    for order in ("o1", "o2", "o3"):
        steps = [key.split("-")[1] for _, key, _ in seen if key.startswith(order)]
        deduped = [s for i, s in enumerate(steps) if i == 0 or steps[i - 1] != s]
        assert deduped == ["created", "paid", "shipped"], (order, steps)
    per_queue: dict[int, list[int]] = {}
    for d in w.trace.of(MessageDelivered):
        per_queue.setdefault(d.queue_id, []).append(d.queue_offset)
    assert all(offsets == sorted(offsets) for offsets in per_queue.values())

    retries = w.trace.of(RetriedLocally)
    assert [(r.reconsume_times, r.delay_ms, r.reason) for r in retries] == [
        (1, 1000, "SUSPEND_CURRENT_QUEUE_A_MOMENT"),
        (2, 1000, "SUSPEND_CURRENT_QUEUE_A_MOMENT"),
    ]
    paid = [d for d in w.trace.of(MessageDelivered) if d.keys == ("o1-paid",)]
    assert [d.reconsume_times for d in paid] == [0, 1, 2]
    assert len({d.offset_msg_id for d in paid}) == 1, "a local retry: no new copy on the broker"
    assert [b.at_ms - r.at_ms for r, b in zip(retries, paid[1:], strict=True)] == [1000, 1000]
    shipped = next(d for d in w.trace.of(MessageDelivered) if d.keys == ("o1-shipped",))
    assert shipped.at_ms >= paid[-1].at_ms, "o1's queue waited for o1-paid"
    assert w.trace.of(MessageSentBack) == [] and w.trace.of(MessageDeadLettered) == []


def test_orderly_exception_or_none_suspends_the_queue(w: World) -> None:
    def handle(msg: MessageExt) -> Any:
        if msg.reconsume_times == 0:
            raise KeyError("stock")
        if msg.reconsume_times == 1:
            return None
        return "SUCCESS"

    w.push_consumer("coupon", TOPIC, handle, name="c1", orderly=True).start()
    send(w, "o1", at_ms=1000)
    w.run_until(10_000)
    consumed = w.trace.of(MessageConsumed)
    assert [c.status for c in consumed] == ["SUSPEND_CURRENT_QUEUE_A_MOMENT"] * 2 + ["SUCCESS"]
    assert raised_here(consumed[0].note, "KeyError: 'stock'")
    assert [c.note for c in consumed[1:]] == ["returned None, which counts as a failure", ""]
    assert len(w.trace.of(RetriedLocally)) == 2


def test_orderly_with_max_reconsume_times_goes_to_dlq_and_moves_on(w: World) -> None:
    def handle(msg: MessageExt) -> OrderlyStatus:
        if msg.keys[0] == "poison":
            return OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT
        return OrderlyStatus.SUCCESS

    w.push_consumer("coupon", TOPIC, handle, name="c1", orderly=True, max_reconsume_times=2).start()
    send(w, "poison", queue=1, at_ms=1000)
    send(w, "next", queue=1)
    w.run_until(10_000)
    assert delivered(w, "c1") == ["poison", "poison", "poison", "next"]
    (dlq,) = w.trace.of(MessageDeadLettered)
    assert dlq.reconsume_times == 2 and dlq.dlq_topic == "%DLQ%coupon"
    (dead,) = w.broker.copies("%DLQ%coupon")
    # ConsumeMessageOrderlyService.sendMessageBack sends RECONSUME_TIME = its count + 1 (5.1.1+,
    # ISSUE #6163); the broker dead-letters it (the group holds a lock) and the copy keeps it
    assert dead.keys == ("poison",) and dead.reconsume_times == 3, "the client's local count + 1"
    assert w.trace.of(MessageSentBack) == [], "straight to the DLQ, no retry topic"


def test_orderly_dead_letter_that_cannot_be_sent_counts_the_attempt_and_tries_again(w: World) -> None:
    # checkReconsumeTimes: sendMessageBack failed -> suspend, reconsumeTimes + 1; the next
    # failure sends RECONSUME_TIME 3 + 1, and the DLQ copy keeps it
    def handle(msg: MessageExt) -> OrderlyStatus:
        if msg.reconsume_times == 2:
            w.faults.broker_outage(w.now_ms, 500)  # the DLQ send of this attempt fails
        return OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT

    w.push_consumer("coupon", TOPIC, handle, name="c1", orderly=True, max_reconsume_times=2).start()
    send(w, "poison", queue=1, at_ms=1000)
    w.run_until(10_000)
    assert [d.reconsume_times for d in w.trace.of(MessageDelivered)] == [0, 1, 2, 3]
    (dlq,) = w.trace.of(MessageDeadLettered)
    assert dlq.reconsume_times == 3
    (dead,) = w.broker.copies("%DLQ%coupon")
    assert dead.reconsume_times == 4
    assert [f.request for f in w.trace.of(SendBackFailed)] == ["SEND_MESSAGE"] * 3


def test_orderly_queue_changes_owner_only_through_the_broker_lock(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, lambda m: OrderlyStatus.SUCCESS, name="c1", orderly=True)
    c2 = w.push_consumer("coupon", TOPIC, lambda m: OrderlyStatus.SUCCESS, name="c2", orderly=True)
    c1.start()
    w.run_until(5000)
    c2.start()
    w.run_until(10_000)
    # A graceful hand-over: c1 unlocks what it dropped, then c2 can lock it.
    unlocked = {e.queue_id: e.at_ms for e in w.trace.of(QueueUnlocked) if e.client == c1.client_id}
    locked = {e.queue_id: e.at_ms for e in w.trace.of(QueueLocked) if e.client == c2.client_id and e.topic == TOPIC}
    assert sorted(unlocked) == sorted(locked) == [2, 3]
    assert all(unlocked[q] <= locked[q] for q in (2, 3))
    assert c2.assigned() == qs(2, 3)

    c1.crash()  # no unlock: c2 must wait until c1's broker locks expire
    w.run_until(100_000)
    taken = [
        e.at_ms for e in w.trace.of(QueueLocked) if e.client == c2.client_id and e.topic == TOPIC and e.queue_id < 2
    ]
    # c1 last renewed its locks 1 s after it started; the broker lets them live 60 s.
    assert len(taken) == 2 and all(61_000 < t < 63_000 for t in taken), taken
    assert c2.assigned() == [RETRY, *qs(0, 1, 2, 3)]


def test_orderly_shutdown_unlocks_and_waits_then_persists_then_unregisters(w: World) -> None:
    # ConsumeMessageOrderlyService.shutdown -> unlockAll(false) (a request, 1000 ms), then
    # DefaultMQPushConsumerImpl.persistConsumerOffset (oneway), then unregisterConsumer (a request)
    c1 = w.push_consumer("coupon", TOPIC, lambda m: OrderlyStatus.SUCCESS, name="c1", orderly=True)
    c1.start()
    send(w, "k1", queue=1, at_ms=3000)
    w.run_until(4000)
    c1.shutdown()
    w.run_until(4100)
    unlocked = sorted((e.at_ms, e.queue_id) for e in w.trace.of(QueueUnlocked) if e.topic == TOPIC)
    assert unlocked == [(4001, q) for q in range(4)], "the request arrives one latency later"
    (down,) = w.trace.of(ConsumerShutdown)
    assert down.at_ms == 4002, "after the unlock's answer came back"
    shutdown_persists = [e for e in w.trace.of(OffsetPersisted) if e.via == "shutdown"]
    assert shutdown_persists and {e.at_ms for e in shutdown_persists} == {4003}
    assert w.broker.consumer_ids("coupon") == []
    assert not w.broker.locks.holder("coupon", MessageQueue(TOPIC, 1))
    assert (LOCK_TIMEOUT_MS, REQUEST_TIMEOUT_MS) == (1000, 3000)


def test_a_concurrent_shutdown_persists_at_once_and_unregisters_by_request(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c2 = w.push_consumer("coupon", TOPIC, ok, name="c2")
    c1.start()
    c2.start()
    w.run_until(5000)
    w.faults.broker_outage(5000, 10)  # the unregister request fails to connect
    c2.shutdown()
    (down,) = w.trace.of(ConsumerShutdown)
    assert down.at_ms == 5000
    ids = sorted(str(c.client_id) for c in (c1, c2))
    w.run_until(6000)
    assert w.broker.consumer_ids("coupon") == ids, "c2's channel is still registered"
    w.run_until(5000 + CHANNEL_EXPIRED_TIMEOUT_MS + 1)
    assert w.broker.consumer_ids("coupon") == [c1.client_id], "until the broker expires it"


# -- broadcasting (P12) --------------------------------------------------------------------
def broadcasting(w: World, client: str, handler: Callable[[MessageExt], Any] = ok) -> Any:
    return w.push_consumer("stats", TOPIC, handler, name=client, model="BROADCASTING")


def test_broadcasting_gives_every_consumer_every_message_and_drops_failures(w: World) -> None:
    def handle(msg: MessageExt) -> ConsumeStatus:
        return ConsumeStatus.RECONSUME_LATER if msg.keys[0] == "o2" else ConsumeStatus.SUCCESS

    b1, b2 = broadcasting(w, "b1", handle), broadcasting(w, "b2", handle)
    b1.start()
    b2.start()
    w.run_until(1000)
    for order in ("o1", "o2", "o3", "o4"):
        send(w, order)
    w.run_until(20_000)

    for client in ("b1", "b2"):
        assert sorted(delivered(w, client)) == ["o1", "o2", "o3", "o4"]
    failed = [c for c in w.trace.of(MessageConsumed) if c.status == "RECONSUME_LATER"]
    assert len(failed) == 2
    dropped = w.trace.of(ConsumeFailureDropped)
    assert sorted((e.client, e.msg_id) for e in dropped) == sorted((c.client, c.msg_id) for c in failed)
    assert w.trace.of(MessageSentBack) == [] and w.trace.of(RetriedLocally) == []
    # The heartbeat creates the group's retry topic in broadcasting too; nothing is sent to it
    # and nobody subscribes to it (ClientManageProcessor.heartBeat).
    assert [e.topic for e in w.trace.of(TopicCreated) if e.topic.startswith("%")] == ["%RETRY%stats"]
    assert w.broker.copies("%RETRY%stats") == [] and b1.assigned() == qs(0, 1, 2, 3)
    assert sum(b1.local_offset(mq) or 0 for mq in qs(0, 1, 2, 3)) == 4, "the failure did not hold the offset"
    assert all(e.store == "local" for e in w.trace.of(OffsetPersisted))
    assert w.broker.offsets.snapshot() == {}, "broadcasting offsets never reach the broker"
    assert lost_messages(w.trace) == []
    assert repeat_kinds(w.trace.events) == {}, "each client gets each message once: no repeat"


def test_broadcasting_offsets_survive_a_restart(w: World) -> None:
    b1 = broadcasting(w, "b1")
    b1.start()
    # Every queue has had an empty pull, so each has a local offset: the first pulls were
    # held from ~10 ms and answered by the hold service's check at 20 s.
    w.run_until(21_000)
    send(w, "o1", queue=0)
    send(w, "o2", queue=1)
    w.run_until(22_000)
    b1.shutdown()
    down = [e for e in w.trace.of(OffsetPersisted) if e.at_ms == 22_000]
    assert {(e.via, e.store) for e in down} == {("shutdown", "local")}
    assert sorted((e.queue_id, e.offset) for e in down) == [(0, 1), (1, 1), (2, 0), (3, 0)]
    send(w, "o3", queue=0, at_ms=23_000)  # sent while b1 is down
    b1.restart()
    w.run_until(35_000)
    assert delivered(w, "b1") == ["o1", "o2", "o3"]


def test_broadcasting_crash_replays_what_the_offsets_file_missed(w: World) -> None:
    b1 = broadcasting(w, "b1")
    b1.start()
    send(w, "o1", queue=0, at_ms=1000)
    send(w, "o2", queue=1)
    w.run_until(10_500)
    assert [(e.at_ms, e.queue_id, e.offset) for e in w.trace.of(OffsetPersisted)] == [(10_000, 0, 1), (10_000, 1, 1)]
    send(w, "o3", queue=0, at_ms=11_000)
    w.run_until(12_000)
    b1.crash()  # offsets.json still says queue 0 is at 1
    b1.restart()
    w.run_until(30_000)
    assert delivered(w, "b1") == ["o1", "o2", "o3", "o3"]
    (dup,) = duplicate_deliveries(w.trace)
    assert dup.keys == ("o3",) and dup.redelivered_after_success == 1
    assert list(repeat_kinds(w.trace.events).values()) == ["duplicate"]


def test_broadcasting_first_start_begins_at_the_max_offset(w: World) -> None:
    # No offsets file yet: LocalFileOffsetStore reads -1 and CONSUME_FROM_LAST_OFFSET starts
    # at maxOffset (the broker's "offset 0 is in memory" answer applies to clustering only).
    send(w, "before", at_ms=1000)
    b1 = broadcasting(w, "b1")
    b1.start()  # its first rebalance, 1 s later, reads maxOffset: 1
    send(w, "after", at_ms=3000)
    w.run_until(10_000)
    assert delivered(w, "b1") == ["after"]
