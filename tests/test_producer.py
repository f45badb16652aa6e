"""Producer behaviour (``DefaultMQProducer`` sync send), read from the trace and the broker.

Each test drives a world on the virtual clock and asserts on ``minimq.events`` and on
what the broker stored. Reference: docs/semantics.md sections 2 and 3, and the
duplication paths P1 (fast-failure retry) and P2 (timeout).
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import TOPIC, to_queue

from minimq import (
    Message,
    SendFailedError,
    SendStatus,
    SendTimeoutError,
    UnknownTopic,
    ValidationError,
    World,
)
from minimq.events import (
    FaultInjected,
    MessageStored,
    SendAttempted,
    SendFailed,
    SendGaveUp,
    SendSucceeded,
)
from minimq.runtime.producer import select_by_hash


def stored(world: World) -> list[MessageStored]:
    return world.trace.of(MessageStored)


# -- msg id (UNIQ_KEY) and offset msg id -------------------------------------------------
def test_msg_id_is_assigned_on_first_send_and_written_into_the_message(w: World) -> None:
    p = w.producer("order")
    msg = Message(TOPIC, b"paid", keys=("order-1",))
    assert msg.msg_id is None

    result = w.run(p.send(msg))

    assert result.status is SendStatus.SEND_OK
    assert msg.msg_id == result.msg_id
    (attempt,) = w.trace.of(SendAttempted)
    (store,) = stored(w)
    (ok,) = w.trace.of(SendSucceeded)
    assert attempt.msg_id == store.msg_id == ok.msg_id == msg.msg_id
    assert ok.offset_msg_id == store.offset_msg_id == result.offset_msg_id
    assert result.offset_msg_id != result.msg_id


def test_internal_retry_keeps_msg_id(w: World) -> None:
    p = w.producer("order")
    w.faults.lose_send_reply(key="order-1", how="fast_fail")
    msg = Message(TOPIC, b"paid", keys=("order-1",))

    result = w.run(p.send(msg))

    attempts = w.trace.of(SendAttempted)
    assert [a.attempt for a in attempts] == [1, 2]
    assert {a.msg_id for a in attempts} == {msg.msg_id} == {result.msg_id}


def test_app_resend_of_same_object_keeps_msg_id(w: World) -> None:
    p = w.producer("order")
    w.faults.lose_send_reply(key="order-1", how="timeout")
    msg = Message(TOPIC, b"paid", keys=("order-1",))

    async def main() -> str:
        with pytest.raises(SendTimeoutError):
            await p.send(msg)
        first_id = msg.msg_id
        result = await p.send(msg)
        assert result.msg_id == first_id
        return result.msg_id

    msg_id = w.run(main())

    assert [s.msg_id for s in stored(w)] == [msg_id, msg_id]
    assert len({s.offset_msg_id for s in stored(w)}) == 2


def test_new_message_object_gets_new_msg_id(w: World) -> None:
    p = w.producer("order")
    w.faults.lose_send_reply(key="order-1", how="timeout")
    first = Message(TOPIC, b"paid", keys=("order-1",))

    async def main() -> None:
        with pytest.raises(SendTimeoutError):
            await p.send(first)
        await p.send(Message(TOPIC, b"paid", keys=("order-1",)))

    w.run(main())

    ids = [s.msg_id for s in stored(w)]
    assert len(ids) == 2 and ids[0] == first.msg_id and ids[1] != first.msg_id
    assert len(w.broker.query_by_key(TOPIC, "order-1")) == 2


def test_offset_msg_id_differs_per_stored_copy(w: World) -> None:
    p = w.producer("order")
    msg = Message(TOPIC, b"paid", keys=("order-1",))

    async def main() -> list[str]:
        return [(await p.send(msg)).offset_msg_id for _ in range(3)]

    offset_ids = w.run(main())

    assert len(set(offset_ids)) == 3
    assert [s.offset_msg_id for s in stored(w)] == offset_ids
    assert {s.msg_id for s in stored(w)} == {msg.msg_id}


def test_msg_ids_differ_between_messages_and_producers(w: World) -> None:
    p1, p2 = w.producer("order"), w.producer("refund")

    async def main() -> list[str]:
        return [(await p.send(Message(TOPIC, b"x"))).msg_id for p in (p1, p1, p2, p2)]

    ids = w.run(main())
    assert len(set(ids)) == 4


# -- P2: a lost reply that times out -------------------------------------------------------
def test_lost_reply_timeout_raises_after_exactly_the_budget_and_is_not_retried(w: World) -> None:
    p = w.producer("order")
    w.faults.lose_send_reply(key="order-1", how="timeout")
    msg = Message(TOPIC, b"paid", keys=("order-1",))
    begin = w.now_ms

    async def main() -> SendTimeoutError:
        with pytest.raises(SendTimeoutError) as info:
            await p.send(msg)
        return info.value

    error = w.run(main())

    assert w.now_ms - begin == 3000
    assert msg.msg_id is not None and msg.msg_id in str(error)
    assert "may have stored" in str(error)
    assert len(w.trace.of(SendAttempted)) == 1, "a full timeout uses the budget: no internal retry"
    (failed,) = w.trace.of(SendFailed)
    assert failed.at_ms == 3000 and "timeout" in failed.error
    (gave_up,) = w.trace.of(SendGaveUp)
    assert gave_up.at_ms == 3000 and gave_up.msg_id == msg.msg_id
    assert not w.trace.of(SendSucceeded)
    (copy,) = stored(w)
    assert copy.msg_id == msg.msg_id and copy.at_ms < 3000, "the broker stored it although the send failed"
    (fault,) = w.trace.of(FaultInjected)
    assert fault.fault == "lose_send_reply" and fault.target == msg.msg_id


def test_timeout_respects_a_custom_send_timeout(w: World) -> None:
    p = w.producer("order", send_timeout_ms=1200)
    w.faults.lose_send_reply(how="timeout")

    async def main() -> None:
        with pytest.raises(SendTimeoutError):
            await p.send(Message(TOPIC, b"paid"))

    w.run(main())
    assert w.now_ms == 1200
    assert len(w.trace.of(SendAttempted)) == 1


# -- P1: a reply lost by a fast failure ----------------------------------------------------
def test_fast_fail_is_retried_and_leaves_two_copies_with_one_msg_id(w: World) -> None:
    p = w.producer("order")
    w.faults.lose_send_reply(key="order-1", how="fast_fail")
    msg = Message(TOPIC, b"paid", keys=("order-1",))

    result = w.run(p.send(msg))

    assert result.status is SendStatus.SEND_OK
    assert w.now_ms < 3000, "a fast failure is retried at once, well inside the budget"
    (failed,) = w.trace.of(SendFailed)
    assert failed.attempt == 1 and "channel closed" in failed.error
    attempts = w.trace.of(SendAttempted)
    assert [a.attempt for a in attempts] == [1, 2]
    assert attempts[1].queue_id == (attempts[0].queue_id + 1) % 4, "a retry takes the next queue"
    assert attempts[1].budget_left_ms < attempts[0].budget_left_ms == 3000
    copies = w.broker.query_by_msg_id(msg.msg_id or "")
    assert len(copies) == 2
    assert len({c.offset_msg_id for c in copies}) == 2
    assert copies[1].offset_msg_id == result.offset_msg_id
    assert not w.trace.of(SendGaveUp)


def test_query_by_key_finds_both_copies(w: World) -> None:
    p = w.producer("order")
    w.faults.lose_send_reply(key="order-1", how="fast_fail")
    msg = Message(TOPIC, b"paid", keys=("order-1", "user-9"))

    w.run(p.send(msg))
    w.run(p.send(Message(TOPIC, b"other", keys=("order-2",))))

    for key in ("order-1", "user-9"):
        hits = w.broker.query_by_key(TOPIC, key)
        assert [h.msg_id for h in hits] == [msg.msg_id, msg.msg_id]
        assert len({h.offset_msg_id for h in hits}) == 2
    assert len(w.broker.query_by_key(TOPIC, "order-2")) == 1
    assert w.broker.query_by_key(TOPIC, "order-3") == []


# -- broker unreachable ----------------------------------------------------------------
def test_broker_outage_fails_after_three_attempts_and_stores_nothing(w: World) -> None:
    p = w.producer("order")
    w.faults.broker_outage(0, 10_000)
    msg = Message(TOPIC, b"paid", keys=("order-1",))

    async def main() -> SendFailedError:
        with pytest.raises(SendFailedError) as info:
            await p.send(msg)
        return info.value

    error = w.run(main())

    assert "Send [3] times" in str(error)
    assert TOPIC in str(error)
    assert [a.attempt for a in w.trace.of(SendAttempted)] == [1, 2, 3]
    assert [f.attempt for f in w.trace.of(SendFailed)] == [1, 2, 3]
    assert all("connect" in f.error for f in w.trace.of(SendFailed))
    assert len(w.trace.of(SendGaveUp)) == 1
    assert stored(w) == []
    assert w.broker.query_by_key(TOPIC, "order-1") == []


def test_send_after_outage_succeeds(w: World) -> None:
    p = w.producer("order")
    w.faults.broker_outage(0, 500)

    async def main() -> None:
        with pytest.raises(SendFailedError):
            await p.send(Message(TOPIC, b"early"))

    w.run(main())
    w.run_until(500)
    result = w.run(p.send(Message(TOPIC, b"late")))
    assert result.status is SendStatus.SEND_OK
    assert len(stored(w)) == 1


def test_retry_times_zero_gives_one_attempt(w: World) -> None:
    p = w.producer("order", retry_times_when_send_failed=0)
    w.faults.broker_outage(0, 10_000)

    async def main() -> None:
        with pytest.raises(SendFailedError, match=r"Send \[1\] times"):
            await p.send(Message(TOPIC, b"paid"))

    w.run(main())
    assert len(w.trace.of(SendAttempted)) == 1


# -- queue selection ---------------------------------------------------------------------
def queues_chosen(seed: int, n: int) -> list[int]:
    with World(seed=seed) as world:
        world.broker.create_topic(TOPIC)
        p = world.producer("order")

        async def main() -> list[int]:
            return [(await p.send(Message(TOPIC, b"x"))).queue.queue_id for _ in range(n)]

        return world.run(main())


def test_round_robin_from_a_seeded_start() -> None:
    chosen = queues_chosen(1, 8)
    start = chosen[0]
    assert chosen == [(start + i) % 4 for i in range(8)]
    assert queues_chosen(1, 8) == chosen, "same seed, same queues"
    starts = {queues_chosen(seed, 1)[0] for seed in range(12)}
    assert len(starts) > 1, "the start index is drawn from the seed"


def test_selector_picks_the_queue(w: World) -> None:
    p = w.producer("order")

    async def main() -> list[int]:
        out = []
        for order in ("o-1", "o-2", "o-1", "o-1"):
            r = await p.send(Message(TOPIC, order.encode()), selector=select_by_hash, arg=order)
            out.append(r.queue.queue_id)
        return out

    qids = w.run(main())
    assert qids[0] == qids[2] == qids[3]
    assert [s.queue_id for s in stored(w)] == qids


@pytest.mark.parametrize("how", ["fast_fail", "timeout"])
def test_selector_sends_are_not_retried(w: World, how: str) -> None:
    p = w.producer("order")
    w.faults.lose_send_reply(how=how)

    async def main() -> None:
        with pytest.raises((SendFailedError, SendTimeoutError)):
            await p.send(Message(TOPIC, b"paid"), selector=to_queue, arg=2)

    w.run(main())

    (attempt,) = w.trace.of(SendAttempted)
    assert attempt.queue_id == 2
    assert len(w.trace.of(SendGaveUp)) == 1
    (copy,) = stored(w)
    assert copy.queue_id == 2, "the broker stored it once; nobody retried"


def test_selector_outage_is_not_retried(w: World) -> None:
    p = w.producer("order")
    w.faults.broker_outage(0, 10_000)

    async def main() -> None:
        with pytest.raises(SendFailedError, match=r"Send \[1\] times"):
            await p.send(Message(TOPIC, b"paid"), selector=to_queue, arg=1)

    w.run(main())
    assert len(w.trace.of(SendAttempted)) == 1
    assert stored(w) == []


# -- refused before anything is stored ---------------------------------------------------
def test_unknown_topic_names_the_topic_and_stores_nothing(w: World) -> None:
    p = w.producer("order")
    msg = Message("no-such-topic", b"paid")

    async def main() -> UnknownTopic:
        with pytest.raises(UnknownTopic) as info:
            await p.send(msg)
        return info.value

    error = w.run(main())

    assert error.topic == "no-such-topic"
    assert "'no-such-topic'" in str(error) and TOPIC in str(error)
    assert stored(w) == []
    assert w.trace.of(SendAttempted) == []
    assert not w.broker.has_topic("no-such-topic"), "no auto-creation"


@pytest.mark.parametrize(
    "body",
    [b"", "text, not bytes", 42, b"x" * (4 * 1024 * 1024 + 1)],
    ids=["empty", "str", "int", "over-4MiB"],
)
def test_bad_body_is_refused(w: World, body: Any) -> None:
    p = w.producer("order")

    async def main() -> None:
        with pytest.raises(ValidationError, match="body"):
            await p.send(Message(TOPIC, body))

    w.run(main())
    assert stored(w) == []
    assert w.trace.of(SendAttempted) == []


def test_body_of_exactly_4_mib_is_accepted(w: World) -> None:
    p = w.producer("order")
    result = w.run(p.send(Message(TOPIC, b"x" * (4 * 1024 * 1024))))
    assert result.status is SendStatus.SEND_OK


@pytest.mark.parametrize(
    "topic",
    ["", "order paid", "order/paid", "t" * 128, "SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC", "%RETRY%coupon"],
)
def test_bad_topic_is_refused(w: World, topic: str) -> None:
    p = w.producer("order")

    async def main() -> None:
        with pytest.raises(ValidationError, match="topic"):
            await p.send(Message(topic, b"paid"))

    w.run(main())
    assert stored(w) == []
    assert w.trace.of(SendAttempted) == []


@pytest.mark.parametrize("topic", ["TBW102", "RMQ_SYS_TRACE_TOPIC", "BenchmarkTest", "rmq_sys_x"])
def test_a_system_topic_open_to_sends_is_refused_only_for_want_of_a_route(w: World, topic: str) -> None:
    """``Validators.checkMessage`` refuses only ``NOT_ALLOWED_SEND_TOPIC_SET``; the other
    system topics pass, and fail like any topic the broker does not have (minimq's
    broker creates none of them, and an application may not)."""
    p = w.producer("order")

    async def main() -> None:
        with pytest.raises(UnknownTopic):
            await p.send(Message(topic, b"paid"))

    w.run(main())
    with pytest.raises(ValidationError, match="system topic"):
        w.broker.create_topic(topic)
    assert stored(w) == []


def test_topic_name_of_127_characters_is_accepted() -> None:
    name = "t" * 127
    with World(seed=1) as world:
        world.broker.create_topic(name)
        result = world.run(world.producer("order").send(Message(name, b"x")))
        assert result.queue.topic == name


def test_bad_key_is_refused(w: World) -> None:
    p = w.producer("order")

    async def main() -> None:
        with pytest.raises(ValidationError, match="key"):
            await p.send(Message(TOPIC, b"x", keys=("a", "")))

    w.run(main())
    assert stored(w) == []


def test_keys_string_is_split_on_spaces() -> None:
    assert Message(TOPIC, b"x", keys="order-1 user-9").keys == ("order-1", "user-9")  # type: ignore[arg-type]


def test_same_seed_same_trace() -> None:
    def run(seed: int) -> str:
        with World(seed=seed) as world:
            world.broker.create_topic(TOPIC)
            world.faults.lose_send_reply(key="k2", how="fast_fail")
            p = world.producer("order")

            async def main() -> None:
                for i in range(4):
                    await p.send(Message(TOPIC, b"x", keys=(f"k{i}",)))

            world.run(main())
            return world.trace.sha256()

    assert run(3) == run(3)
    assert run(3) != run(4)
