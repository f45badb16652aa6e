"""A broker crash stops its POP revive service and its transaction check-back with it.

What RocketMQ keeps on disk survives (the checkpoints in the revive log, the halves in
the half topic: both in the commit log), but a dead broker revives nothing and checks
nothing: a popped message comes back only after the restart, a half is checked only
after it. A receive the broker held when it died fails, its connection reset."""

from __future__ import annotations

import asyncio

import pytest

from minimq import LocalTransactionState, Message, World
from minimq.errors import MinimqError
from minimq.events import BrokerCrashed, BrokerRestarted, MessageRevived, TransactionChecked


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
