"""POP end to end (paths P17, P18): a SimpleConsumer's invisible duration, its revival into
``%RETRY%<group>_<topic>``, late acks, changes of invisible time, the DLQ after 17
attempts, the proxy's bounds, long polling, and the 5.x push consumer's auto-renew."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from minimq import ConsumeStatus, Message, World
from minimq.check import duplicate_deliveries, lost_messages, retry_violations
from minimq.core.pop import pop_retry_topic
from minimq.errors import ClientStateError, InvalidReceiptHandle, ValidationError
from minimq.events import (
    AckRejected,
    InvisibleTimeChanged,
    MessageAcked,
    MessageDeadLettered,
    MessageDelivered,
    MessagePopped,
    MessageRevived,
    MessageStored,
)
from minimq.model import MessageExt, MessageQueue
from minimq.runtime.simple_consumer import MessageView, SimpleConsumer
from tests.helpers import TOPIC, send

GROUP = "coupon-system"
RETRY = pop_retry_topic(GROUP, TOPIC)


def run_all(w: World, *coros: Coroutine[Any, Any, Any]) -> list[Any]:
    async def main() -> list[Any]:
        return list(await asyncio.gather(*coros))

    return w.run(main())


async def receive_until(c: SimpleConsumer, invisible_ms: int, n: int = 1) -> list[MessageView]:
    """Receive until something comes (each empty receive waits out its await duration)."""
    while True:
        views = await c.receive(n, invisible_ms)
        if views:
            return views


def stored_in(w: World, topic: str) -> list[MessageStored]:
    return [e for e in w.trace.of(MessageStored) if e.topic == topic]


# -- P17: the invisible duration runs out while the first consumer still works ---------------------
def test_an_unacked_message_comes_back_with_attempt_2_to_another_consumer_while_the_first_still_works(
    w: World,
) -> None:
    sent = send(w, "k1")
    c1 = w.simple_consumer(GROUP, TOPIC, name="c1")
    c2 = w.simple_consumer(GROUP, TOPIC, name="c2")
    c1.start()
    c2.start()
    rejected: list[InvalidReceiptHandle] = []

    async def slow_first() -> MessageView:
        (view,) = await c1.receive(16, invisible_duration_ms=30_000)
        await asyncio.sleep(60)  # the coupon call takes a minute
        try:
            await c1.ack(view)
        except InvalidReceiptHandle as exc:
            rejected.append(exc)
        return view

    async def second() -> MessageView:
        await asyncio.sleep(1)
        (view,) = await receive_until(c2, 30_000)
        return view

    first, again = run_all(w, slow_first(), second())
    popped = w.trace.of(MessagePopped)[0]
    assert first.delivery_attempt == 1 and first.msg_id == sent.msg_id
    assert popped.visible_ms == popped.at_ms + 30_000 == first.receipt_handle.visible_ms
    # revived 2 to 3 s after the handle expired, same msg id, one more reconsume time
    (revived,) = w.trace.of(MessageRevived)
    (copy,) = stored_in(w, RETRY)
    assert popped.visible_ms + 2000 < revived.at_ms <= popped.visible_ms + 3000
    assert (copy.at_ms, copy.queue_id, copy.msg_id, copy.reconsume_times) == (revived.at_ms, 0, sent.msg_id, 1)
    assert copy.offset_msg_id != sent.offset_msg_id
    # the second consumer has it while the first is still at work; the first one's ack is refused
    assert (again.msg_id, again.delivery_attempt, again.message.queue) == (sent.msg_id, 2, MessageQueue(RETRY, 0))
    deliveries = w.trace.of(MessageDelivered)
    assert [(d.client, d.reconsume_times) for d in deliveries] == [("c1", 0), ("c2", 1)]
    (refusal,) = w.trace.of(AckRejected)
    assert deliveries[1].at_ms < refusal.at_ms and refusal.visible_ms == popped.visible_ms
    assert "receipt handle is expired" in str(rejected[0])
    assert [d.deliveries for d in duplicate_deliveries(w.trace)] == [2]
    assert retry_violations(w.trace) == [] and lost_messages(w.trace) == []


def test_the_group_position_moves_at_pop_time_not_at_ack_time(w: World) -> None:
    sent = send(w, "k1", queue=2)
    c = w.simple_consumer(GROUP, TOPIC, name="c1")
    c.start()
    w.run(c.receive(16, 60_000))
    assert w.broker.query_offset(GROUP, MessageQueue(TOPIC, 2)) == sent.queue_offset + 1
    assert w.broker.stats().pop_checkpoints == 1 and not w.quiet()  # invisible, not acked


def test_an_ack_is_rejected_from_exactly_pop_time_plus_the_invisible_duration() -> None:
    with World(seed=7, latency_ms=0) as w:
        w.broker.create_topic(TOPIC)
        send(w, "k1")
        send(w, "k2")
        c = w.simple_consumer(GROUP, TOPIC, name="c1")
        c.start()

        async def main() -> None:
            early, late = await c.receive(2, 10_000)
            await asyncio.sleep((early.receipt_handle.visible_ms - 1 - w.now_ms) / 1000)
            await c.ack(early)  # 1 ms before: accepted
            await asyncio.sleep((late.receipt_handle.visible_ms - w.now_ms) / 1000)
            with pytest.raises(InvalidReceiptHandle):
                await c.ack(late)

        w.run(main())
        assert [(e.msg_id, e.took_effect) for e in w.trace.of(MessageAcked)] == [
            (w.trace.of(MessagePopped)[0].msg_id, True)
        ]
        (refusal,) = w.trace.of(AckRejected)
        assert refusal.at_ms == refusal.visible_ms and refusal.request == "ack"
        w.run_for(4000)
        assert [e.msg_id for e in w.trace.of(MessageRevived)] == [refusal.msg_id]


# -- P18: a change of invisible time makes a new checkpoint; the old handle is useless ------------
def test_after_a_change_of_invisible_duration_the_old_handle_acks_nothing(w: World) -> None:
    send(w, "k1")
    c = w.simple_consumer(GROUP, TOPIC, name="c1")
    c.start()

    async def main() -> None:
        (view,) = await c.receive(1, 10_000)
        old = view.receipt_handle
        await c.change_invisible_duration(view, 60_000)
        assert view.receipt_handle != old and view.receipt_handle.visible_ms == w.now_ms - 1 + 60_000
        await c.ack(MessageView(view.message, old, view.delivery_attempt))  # answers OK...

    w.run(main())
    (changed,) = w.trace.of(InvisibleTimeChanged)
    (acked,) = w.trace.of(MessageAcked)
    assert changed.took_effect and changed.reason == "client"
    assert not acked.took_effect  # ...and acks nothing: the message comes back after 60 s
    w.run_for(70_000)
    (revived,) = w.trace.of(MessageRevived)
    assert changed.visible_ms + 2000 < revived.at_ms <= changed.visible_ms + 3000


def test_the_new_handle_acks_and_the_message_never_comes_back(w: World) -> None:
    send(w, "k1")
    c = w.simple_consumer(GROUP, TOPIC, name="c1")
    c.start()

    async def main() -> None:
        (view,) = await c.receive(1, 10_000)
        await c.change_invisible_duration(view, 30_000)
        await asyncio.sleep(20)  # past the first invisible duration: the new handle holds
        await c.ack(view)

    w.run(main())
    assert [e.took_effect for e in w.trace.of(MessageAcked)] == [True]
    assert w.run_until_quiet(120_000) and w.trace.of(MessageRevived) == []


def test_changing_again_with_the_old_handle_writes_a_checkpoint_of_its_own(w: World) -> None:
    # ChangeInvisibleTimeProcessor writes the new checkpoint before it acks the one the
    # handle names: an old handle's change still writes one, and both are revived
    send(w, "k1")
    c = w.simple_consumer(GROUP, TOPIC, name="c1")
    c.start()

    async def main() -> None:
        (view,) = await c.receive(1, 30_000)
        stale = MessageView(view.message, view.receipt_handle, view.delivery_attempt)
        await c.change_invisible_duration(view, 20_000)
        await c.change_invisible_duration(stale, 20_000)

    w.run(main())
    assert [e.took_effect for e in w.trace.of(InvisibleTimeChanged)] == [True, False]
    w.run_for(30_000)
    assert len(w.trace.of(MessageRevived)) == 2 and len(stored_in(w, RETRY)) == 2


def test_a_change_after_the_handle_expired_is_refused(w: World) -> None:
    send(w, "k1")
    c = w.simple_consumer(GROUP, TOPIC, name="c1")
    c.start()

    async def main() -> None:
        (view,) = await c.receive(1, 10_000)
        await asyncio.sleep(11)
        with pytest.raises(InvalidReceiptHandle):
            await c.change_invisible_duration(view, 60_000)

    w.run(main())
    assert [e.request for e in w.trace.of(AckRejected)] == ["change_invisible_duration"]
    assert w.trace.of(InvisibleTimeChanged) == []


# -- the DLQ after maxAttempts = 17 ------------------------------------------------------------------
def test_a_message_never_acked_is_delivered_17_times_then_dead_lettered_at_the_18th_pop(w: World) -> None:
    sent = send(w, "k1")
    c = w.simple_consumer(GROUP, TOPIC, name="c1")
    c.start()
    attempts: list[int] = []

    async def never_ack() -> None:
        while not w.trace.of(MessageDeadLettered):
            attempts.extend(v.delivery_attempt for v in await c.receive(16, 10_000))

    w.run(never_ack())
    assert attempts == list(range(1, 18))
    (dead,) = w.trace.of(MessageDeadLettered)
    (copy,) = stored_in(w, f"%DLQ%{GROUP}")
    assert (dead.msg_id, dead.reconsume_times, copy.reconsume_times) == (sent.msg_id, 17, 18)
    assert [e.via for e in w.trace.of(MessageAcked)] == ["dead letter"]
    assert len(w.trace.of(MessagePopped)) == 18 and len(w.trace.of(MessageDelivered)) == 17
    assert w.run_until_quiet(120_000)
    assert retry_violations(w.trace) == []


# -- the proxy's bounds ------------------------------------------------------------------------------
@pytest.mark.parametrize("invisible_ms", [9_999, 12 * 3600_000 + 1, 0, -1, 10.5, True, None])
def test_a_receive_outside_10_s_to_12_h_of_invisible_time_is_refused(w: World, invisible_ms: Any) -> None:
    c = w.simple_consumer(GROUP, TOPIC)
    c.start()
    with pytest.raises(ValidationError, match="invisible"):
        w.run(c.receive(1, invisible_ms))
    assert w.trace.of(MessagePopped) == []


def test_the_bounds_themselves_are_accepted_and_a_change_may_go_down_to_0(w: World) -> None:
    send(w, "k1")
    send(w, "k2")
    c = w.simple_consumer(GROUP, TOPIC)
    c.start()

    async def main() -> None:
        (a,) = await c.receive(1, 10_000)
        (b,) = await c.receive(1, 12 * 3600_000)
        await c.change_invisible_duration(a, 0)  # a nack: visible again at once (then revived)
        with pytest.raises(ValidationError, match="too large"):
            await c.change_invisible_duration(b, 12 * 3600_000 + 1)

    w.run(main())
    assert [e.invisible_ms for e in w.trace.of(InvisibleTimeChanged)] == [0]


@pytest.mark.parametrize("num", [0, -1, True, "1"])
def test_max_message_num_must_be_positive(w: World, num: Any) -> None:
    c = w.simple_consumer(GROUP, TOPIC)
    c.start()
    with pytest.raises(ValidationError, match="maxMessageNum"):
        w.run(c.receive(num, 10_000))


def test_a_consumer_must_run_to_receive_and_cannot_start_twice(w: World) -> None:
    c = w.simple_consumer(GROUP, TOPIC)
    with pytest.raises(ClientStateError):
        w.run(c.receive(1, 10_000))
    c.start()
    with pytest.raises(ClientStateError):
        c.start()
    c.shutdown()
    with pytest.raises(ClientStateError):
        c.start()


def test_a_receive_takes_at_most_32(w: World) -> None:
    p = w.producer("order")
    for i in range(40):
        w.run(p.send(Message(TOPIC, b"x", keys=(f"k{i}",))))
    c = w.simple_consumer(GROUP, TOPIC)
    c.start()
    assert len(w.run(c.receive(100, 60_000))) == 32


# -- long polling ------------------------------------------------------------------------------------
def test_an_empty_receive_waits_for_a_new_message(w: World) -> None:
    c = w.simple_consumer(GROUP, TOPIC, name="c1")
    c.start()

    async def later() -> None:
        await asyncio.sleep(5)
        await w.producer("order").send(Message(TOPIC, b"x", keys=("k1",)))

    views, _ = run_all(w, c.receive(1, 10_000), later())
    assert len(views) == 1 and 5000 < w.trace.of(MessageDelivered)[0].at_ms < 5010


def test_an_empty_receive_gives_up_after_the_await_duration_clamped_to_5_to_20_s(w: World) -> None:
    for await_ms, waited in [(1_000, 5_000), (8_000, 8_000), (60_000, 20_000)]:
        c = w.simple_consumer(GROUP, TOPIC, await_duration_ms=await_ms)
        c.start()
        begin = w.now_ms
        assert w.run(c.receive(1, 10_000)) == []
        assert w.now_ms - begin == waited + 2  # a millisecond each way


def test_a_held_receive_is_not_woken_by_a_revival(w: World) -> None:
    send(w, "k1")
    c1 = w.simple_consumer(GROUP, TOPIC, name="c1")
    c2 = w.simple_consumer(GROUP, TOPIC, name="c2")
    c1.start()
    c2.start()
    w.run(c1.receive(1, 10_000))  # never acked: revived at 13 s
    asked = w.now_ms
    (view,) = w.run(c2.receive(1, 10_000))  # held for its 20 s, then pops again
    (revived,) = w.trace.of(MessageRevived)
    assert revived.at_ms == 13_000 and w.trace.of(MessageDelivered)[-1].at_ms == asked + 20_002
    assert view.delivery_attempt == 2


# -- two SimpleConsumers of one group share every queue -------------------------------------------
def test_two_simple_consumers_of_one_group_both_receive_from_every_queue(w: World) -> None:
    p = w.producer("order")
    for i in range(40):
        w.run(p.send(Message(TOPIC, b"x", keys=(f"k{i}",))))
    c1 = w.simple_consumer(GROUP, TOPIC, name="c1")
    c2 = w.simple_consumer(GROUP, TOPIC, name="c2")
    c1.start()
    c2.start()

    async def take(c: SimpleConsumer) -> set[int]:
        queues = set()
        for _ in range(10):
            for view in await c.receive(2, 60_000):
                queues.add(view.message.queue_id)
                await c.ack(view)
        return queues

    queues1, queues2 = run_all(w, take(c1), take(c2))
    assert queues1 == queues2 == {0, 1, 2, 3}  # no rebalance, no queue of one's own
    assert duplicate_deliveries(w.trace) == []  # the broker's position keeps them apart
    # a push consumer group divides the queues instead: each member pulls only its own
    for name in ("p1", "p2"):
        w.push_consumer("audit", TOPIC, lambda m: ConsumeStatus.SUCCESS, name=name).start()
    assert w.run_until_quiet(60_000)
    owned = {n: {d.queue_id for d in w.trace.of(MessageDelivered) if d.client == n} for n in ("p1", "p2")}
    assert owned["p1"].isdisjoint(owned["p2"]) and owned["p1"] | owned["p2"] == {0, 1, 2, 3}


# -- a client that goes away -------------------------------------------------------------------------
def test_a_simple_consumer_that_goes_away_leaves_its_messages_invisible_until_their_time_ends(w: World) -> None:
    send(w, "k1")
    c1 = w.simple_consumer(GROUP, TOPIC, name="c1")
    c1.start()
    (view,) = w.run(c1.receive(1, 60_000))
    c1.shutdown()  # the proxy tracks no SimpleConsumer handle: nothing is cleared
    w.run_for(70_000)
    (revived,) = w.trace.of(MessageRevived)
    assert revived.at_ms > view.receipt_handle.visible_ms + 2000
    assert w.trace.of(InvisibleTimeChanged) == []


def test_a_push_consumer_that_crashes_has_its_messages_visible_again_after_1_s(w: World) -> None:
    async def slow(msg: MessageExt) -> ConsumeStatus:
        await asyncio.sleep(600)
        return ConsumeStatus.SUCCESS

    c1 = w.pop_push_consumer(GROUP, TOPIC, slow, name="c1")
    c1.start()
    send(w, "k1")
    w.run_for(5_000)
    c2 = w.pop_push_consumer(GROUP, TOPIC, lambda m: ConsumeStatus.SUCCESS, name="c2")
    c2.start()
    w.run_for(1_000)
    crashed_at = w.now_ms
    c1.crash()
    assert w.run_until_quiet(120_000)
    (cleared,) = w.trace.of(InvisibleTimeChanged)
    (revived,) = w.trace.of(MessageRevived)
    assert (cleared.reason, cleared.invisible_ms, cleared.at_ms) == ("client gone", 1000, crashed_at + 1)
    assert cleared.visible_ms + 2000 < revived.at_ms <= cleared.visible_ms + 3000  # not after 60 s
    assert [(d.client, d.reconsume_times) for d in w.trace.of(MessageDelivered)] == [("c1", 0), ("c2", 1)]


# -- determinism -------------------------------------------------------------------------------------
def pop_story(seed: int) -> str:
    with World(seed=seed) as w:
        w.broker.create_topic(TOPIC)
        p = w.producer("order")
        for i in range(12):
            w.run(p.send(Message(TOPIC, b"x", keys=(f"k{i}",))))
        c1 = w.simple_consumer(GROUP, TOPIC, name="c1")
        c2 = w.simple_consumer(GROUP, TOPIC, name="c2")
        c1.start()
        c2.start()

        async def work(c: SimpleConsumer, ack_every: int) -> None:
            for n in range(8):
                for view in await c.receive(3, 10_000):
                    if n % ack_every == 0:
                        await c.ack(view)
                    else:
                        await c.change_invisible_duration(view, 15_000)
                await asyncio.sleep(4)

        run_all(w, work(c1, 2), work(c2, 3))
        w.run_for(60_000)
        return w.trace.sha256()


def test_the_same_seed_gives_the_same_trace() -> None:
    assert pop_story(3) == pop_story(3)
    assert pop_story(3) != pop_story(4)  # the pop order is drawn from the seed
