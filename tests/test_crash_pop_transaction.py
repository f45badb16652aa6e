"""A broker crash stops its POP revive service and its transaction check-back with it.

What RocketMQ keeps on disk survives (the checkpoints in the revive log, the halves in
the half topic: both in the commit log), but a dead broker revives nothing and checks
nothing: a popped message comes back only after the restart, a half is checked only
after it. A receive the broker held when it died fails, its connection reset.

An OS crash cuts the commit log back to its last flush (docs/semantics.md section 16,
path P13): a half written since is gone from the half queue (the next half takes its
offset), a checkpoint goes with the message it names, and a group's pop offset left
past a queue's new end is moved to it by the next pop (``OFFSET_OVERFLOW_BADLY``, P15).
Found by the state machine of tests/test_stateful_v5.py."""

from __future__ import annotations

import asyncio

import pytest

from minimq import ConsumeStatus, LocalTransactionState, Message, World
from minimq.core.transaction import CID_RMQ_SYS_TRANS, TRANS_HALF_TOPIC
from minimq.errors import MinimqError
from minimq.events import (
    BrokerCrashed,
    BrokerRestarted,
    CommitLogTruncated,
    HalfMessageCommitted,
    MessageRevived,
    MessageStored,
    OffsetCorrected,
    OffsetRestored,
    OpRecordsLost,
    TransactionChecked,
)
from minimq.model import MessageQueue


def _world() -> World:
    world = World(seed=3)
    world.broker.create_topic("order-paid")
    return world


def test_a_popped_message_is_revived_only_after_the_restart() -> None:
    world = _world()
    consumer = world.simple_consumer("coupon-system", "order-paid", name="c1")
    consumer.start()
    world.run(world.producer("order-system").send(Message("order-paid", b"{}", keys=("order-1",))))

    async def receive() -> int:
        return len(await consumer.receive(4, invisible_duration_ms=10_000))

    assert world.run(receive()) == 1
    world.broker_crash(world.now_ms + 1_000, down_ms=60_000)
    world.run_for(120_000)
    (crashed,) = world.trace.of(BrokerCrashed)
    (restarted,) = world.trace.of(BrokerRestarted)
    revived = world.trace.of(MessageRevived)
    assert revived, "the checkpoint survives the crash: the message comes back"
    assert all(restarted.at_ms <= e.at_ms <= restarted.at_ms + 1_000 for e in revived), (crashed, revived)
    world.close()


def test_a_receive_held_when_the_broker_dies_fails() -> None:
    world = _world()
    consumer = world.simple_consumer("coupon-system", "order-paid", name="c1", await_duration_ms=20_000)
    consumer.start()
    world.broker_crash(5_000, down_ms=30_000)

    async def receive() -> object:
        return await consumer.receive(4, invisible_duration_ms=10_000)

    with pytest.raises(MinimqError):
        world.run(receive())  # held since 0 s: the connection is reset at 5 s
    assert world.now_ms < 6_000
    world.close()


def test_the_check_back_waits_for_the_restart() -> None:
    world = _world()

    def check(msg: object) -> LocalTransactionState:
        return LocalTransactionState.COMMIT_MESSAGE

    producer = world.transaction_producer("order-system", check)

    async def unknown(msg: object) -> LocalTransactionState:
        await asyncio.sleep(0)
        return LocalTransactionState.UNKNOW

    world.run(producer.send_in_transaction(Message("order-paid", b"{}", keys=("order-1",)), unknown))
    world.broker_crash(20_000, down_ms=50_000)  # down over the 30 s and 60 s scans
    world.run_until_quiet(300_000)
    checks = world.trace.of(TransactionChecked)
    (restarted,) = world.trace.of(BrokerRestarted)
    assert checks and all(e.at_ms >= restarted.at_ms for e in checks)
    world.close()


# -- an OS crash cuts the half queue and the checkpoints with the commit log -------------------
def _errors(world: World) -> list[str]:
    """What the world's callbacks and tasks raise from now on (the loop only logs it)."""
    errors: list[str] = []
    world.loop.set_exception_handler(lambda loop, context: errors.append(repr(context.get("exception"))))
    return errors


def _unknown(msg: object) -> LocalTransactionState:
    return LocalTransactionState.UNKNOW


def test_an_os_crash_cuts_an_unflushed_half_and_the_next_half_takes_its_offset() -> None:
    with _world() as world:
        errors = _errors(world)
        producer = world.transaction_producer("order-system", lambda msg: LocalTransactionState.COMMIT_MESSAGE)
        world.run_until(1_000)
        first = world.run(producer.send_in_transaction(Message("order-paid", b"{}", keys=("order-1",)), _unknown))
        world.broker_crash(2_000, down_ms=1_000, lose_unflushed=True)  # the first flush is due at 10 s
        world.run_until(3_000)
        (cut,) = world.trace.of(CommitLogTruncated)
        assert cut.lost == 1, "the half was in the commit log"
        second = world.run(producer.send_in_transaction(Message("order-paid", b"{}", keys=("order-2",)), _unknown))
        assert (first.queue_offset, second.queue_offset) == (0, 0), "the next half takes the offset of the one cut"
        assert world.run_until_quiet(300_000)
        assert {e.msg_id for e in world.trace.of(TransactionChecked)} == {second.msg_id}
        assert [e.msg_id for e in world.trace.of(HalfMessageCommitted)] == [second.msg_id]
        assert errors == []


def test_a_half_written_after_a_flush_fell_due_is_not_in_that_flush() -> None:
    with _world() as world:
        producer = world.transaction_producer("order-system", _unknown)
        world.run_until(12_000)  # the commit log's flush at 10 s found nothing written
        world.run(producer.send_in_transaction(Message("order-paid", b"{}", keys=("order-1",)), _unknown))
        world.broker_crash(15_000, down_ms=1_000, lose_unflushed=True)
        world.run_until(16_000)
        (cut,) = world.trace.of(CommitLogTruncated)
        assert (cut.lost, cut.flushed_ms) == (1, 10_000)


def _to_queue_0(mqs: list[MessageQueue], msg: Message, arg: object) -> MessageQueue:
    return mqs[0]


def test_an_os_crash_cuts_the_checkpoint_of_a_popped_message_it_cut_and_the_others_revive() -> None:
    with _world() as world:
        errors = _errors(world)
        consumer = world.simple_consumer("coupon-system", "order-paid", name="c1")
        consumer.start()
        producer = world.producer("order-system")
        world.run_until(11_000)
        kept = world.run(producer.send(Message("order-paid", b"x" * 20_000, keys=("order-1",))))  # 5 pages: flushed
        world.run_until(11_500)
        cut = world.run(producer.send(Message("order-paid", b"{}", keys=("order-2",))))  # not flushed

        async def receive() -> list[str]:
            return [view.msg_id for view in await consumer.receive(4, invisible_duration_ms=10_000)]

        assert sorted(world.run(receive())) == sorted([kept.msg_id, cut.msg_id])
        world.broker_crash(12_000, down_ms=1_000, lose_unflushed=True)
        world.run_until(60_000)
        (revived,) = world.trace.of(MessageRevived)
        assert revived.msg_id == kept.msg_id, "the checkpoint of the message cut went with it"
        assert revived.visible_ms + 2_000 < revived.at_ms <= revived.visible_ms + 3_000, "the revive service goes on"
        assert world.broker.stats().pop_checkpoints == 0
        assert errors == []


def test_a_pop_past_the_max_offset_after_an_os_crash_is_corrected_to_it() -> None:
    with _world() as world:
        consumer = world.simple_consumer("coupon-system", "order-paid", name="c1")
        consumer.start()
        producer = world.producer("order-system")

        def send(key: str, at_ms: int) -> str:
            world.run_until(at_ms)
            return world.run(producer.send(Message("order-paid", b"{}", keys=(key,)), selector=_to_queue_0)).msg_id

        async def receive_and_ack() -> list[str]:
            views = await consumer.receive(4, invisible_duration_ms=10_000)
            for view in views:
                await consumer.ack(view)
            return [view.keys[0] for view in views]

        send("order-1", 5_000)  # on disk at the flush at 10 s
        send("order-2", 11_000)  # not yet at 16 s (the next flush is at 20 s) ...
        assert world.run(receive_and_ack()) == ["order-1", "order-2"]  # ... but the pop offset 2 is (15 s)
        world.broker_crash(16_000, down_ms=1_000, lose_unflushed=True)
        world.run_until(18_000)
        q0 = world.broker.store.queue("order-paid", 0)
        assert (world.broker.max_offset(q0), world.broker.query_offset("coupon-system", q0)) == (1, 2)
        assert world.run(receive_and_ack()) == []  # the pop finds offset 2 past the max offset 1
        (corrected,) = world.trace.of(OffsetCorrected)
        assert (corrected.pull_offset, corrected.offset, corrected.status) == (2, 1, "OFFSET_OVERFLOW_BADLY")
        assert world.broker.query_offset("coupon-system", q0) == 1
        send("order-3", 20_000)  # stored at offset 1: popped, not skipped
        assert world.run(receive_and_ack()) == ["order-3"]


def test_a_pop_offset_left_past_an_empty_queue_stays_and_the_world_still_gets_quiet() -> None:
    # NO_MESSAGE_IN_QUEUE is not among the statuses a pop corrects: the offset stays past
    # the end, a message stored below it is skipped, and there is nothing left to pop
    with _world() as world:
        consumer = world.pop_push_consumer("points", "order-paid", lambda msg: ConsumeStatus.SUCCESS, name="p1")
        consumer.start()
        producer = world.producer("order-system")
        world.run_until(11_000)
        world.run(producer.send(Message("order-paid", b"{}", keys=("order-1",)), selector=_to_queue_0))
        world.broker_crash(16_000, down_ms=1_000, lose_unflushed=True)  # offsets flushed at 15 s, the log at 10 s
        assert world.run_until_quiet(120_000), "nothing is left for the consumer to pop"
        q0 = world.broker.store.queue("order-paid", 0)
        assert (world.broker.max_offset(q0), world.broker.query_offset("points", q0)) == (0, 1)
        assert world.broker.pops.backlog("points", "order-paid") == 0
        assert world.trace.of(OffsetCorrected) == []


# -- a process crash takes the check-back back to its last offsets flush ---------------------
def _commits_after_a_check(crash_ms: int | None) -> World:
    """order-1's local transaction answers UNKNOW; the scan of 30 s checks it and the
    listener answers COMMIT; the broker process dies at ``crash_ms`` (None: never)."""
    world = _world()
    producer = world.transaction_producer("order-system", lambda msg: LocalTransactionState.COMMIT_MESSAGE)
    world.run_until(1_000)
    world.run(producer.send_in_transaction(Message("order-paid", b"{}", keys=("order-1",)), _unknown))
    if crash_ms is not None:
        world.broker_crash(crash_ms, down_ms=1_000)
    assert world.run_until_quiet(300_000)
    return world


def test_a_process_crash_before_the_offsets_flush_checks_the_half_again_and_commits_it_twice_more() -> None:
    """The scan of 30 s wrote @0 back as @1 (checked) and moved its offset to 1; the
    COMMIT's op record for @1 waits for the batch of 36 s. The process dies at 32 s: the op
    record dies with it, and the restart takes the scan back to offset 0, flushed at 30 s.
    The scan of 60 s checks @0 and @1 again: the listener answers COMMIT twice more."""
    with _commits_after_a_check(None) as calm:
        (msg_id,) = {e.msg_id for e in calm.trace.of(HalfMessageCommitted)}
        assert len(calm.trace.of(HalfMessageCommitted)) == 1
    with _commits_after_a_check(32_000) as world:
        (lost,) = world.trace.of(OpRecordsLost)
        assert (lost.at_ms, lost.half_offsets) == (32_000, (1,))
        (back,) = [e for e in world.trace.of(OffsetRestored) if e.group == CID_RMQ_SYS_TRANS]
        assert (back.topic, back.queue_id, back.offset, back.previous, back.flushed_ms) == (
            TRANS_HALF_TOPIC,
            0,
            0,
            1,
            30_000,
        )
        checks = world.trace.of(TransactionChecked)
        assert [(e.at_ms // 1000, e.half_offset) for e in checks] == [(30, 0), (60, 0), (60, 1)]
        commits = world.trace.of(HalfMessageCommitted)
        assert [e.commits for e in commits] == [1, 2, 3] and {e.msg_id for e in commits} == {msg_id}
        stored = [e for e in world.trace.of(MessageStored) if e.topic == "order-paid"]
        assert [e.msg_id for e in stored] == [msg_id] * 3, "three messages, one msg id (#5574)"


def test_a_crash_after_the_offsets_flush_took_the_scan_checks_nothing_again() -> None:
    """Dead at 37 s: the flush of 35 s holds offset 1 and the op record of @1 was written
    at 36 s; the restart changes nothing the scan will see."""
    with _commits_after_a_check(37_000) as world:
        assert world.trace.of(OpRecordsLost) == []
        assert [e for e in world.trace.of(OffsetRestored) if e.group == CID_RMQ_SYS_TRANS] == []
        assert len(world.trace.of(HalfMessageCommitted)) == 1
