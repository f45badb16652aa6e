"""Long polling: a held pull is answered on arrival, or by the 5 s check after 15 s."""

from __future__ import annotations

import asyncio

from minimq.model import Message, MessageQueue
from minimq.runtime.broker import BROKER_SUSPEND_MAX_TIME_MS
from minimq.runtime.long_polling import CHECK_INTERVAL_MS
from minimq.world import World

TOPIC = "order-paid"


def _pull_at(world: World, at_ms: int, queue_id: int = 0) -> asyncio.Task[tuple[int, int]]:
    """A pull arriving at the broker at ``at_ms``; returns (answered at, messages)."""
    mq = MessageQueue(TOPIC, queue_id)

    async def pull() -> tuple[int, int]:
        await asyncio.sleep(at_ms / 1000)
        result = await world.broker.pull("g", "c1", mq, 0, 32, None)
        return world.now_ms, len(result.msgs)

    return world.spawn(pull(), f"pull-{at_ms}")


def test_an_idle_pull_is_answered_by_the_first_check_after_15_s() -> None:
    with World(seed=1) as world:
        world.broker.create_topic(TOPIC)
        early = _pull_at(world, 0)  # 15 s later is exactly a check: answered then
        late = _pull_at(world, 2)  # 15.002 s: the check at 15 s is too early, 20 s answers
        world.run(asyncio.wait([early, late]))
    assert early.result() == (BROKER_SUSPEND_MAX_TIME_MS, 0)
    assert late.result() == (BROKER_SUSPEND_MAX_TIME_MS + CHECK_INTERVAL_MS, 0)


def test_a_message_answers_the_held_pull_at_once() -> None:
    with World(seed=1) as world:
        world.broker.create_topic(TOPIC)
        held = _pull_at(world, 0)
        world.call_later_ms(7_000, lambda: world.broker.put_message(Message(TOPIC, b"x", msg_id="m1"), 0, 7_000))
        world.run(held)
    assert held.result() == (7_000, 1)


def test_no_check_is_scheduled_while_nothing_is_held() -> None:
    with World(seed=1) as world:
        world.broker.create_topic(TOPIC)
        world.run(_pull_at(world, 0))
        world.run_for(60_000)
        assert world.loop._scheduled == [], "an idle broker keeps no timer: a stalled world still stalls"
