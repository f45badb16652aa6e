"""Statistics of brokers and consumers, and ``World.quiet`` / ``run_until_quiet``: the one
place that decides that nothing is left to happen."""

from __future__ import annotations

import itertools

import pytest

from minimq import ConsumeStatus, World
from minimq.core.delay import retry_ladder_ms
from minimq.errors import ValidationError
from minimq.events import MessageDeadLettered, MessageDelivered
from minimq.model import MessageExt
from minimq.runtime.push_consumer import PushConsumer
from minimq.runtime.stats import QueueStats
from tests.helpers import TOPIC, ok, send


def _later(msg: MessageExt) -> ConsumeStatus:
    return ConsumeStatus.RECONSUME_LATER


def test_a_world_without_consumers_is_quiet_once_its_broker_is(w: World) -> None:
    assert w.quiet()
    send(w, "k1")
    assert w.quiet()
    assert w.broker.stats().stored == 1


def test_a_consumer_that_has_consumed_everything_is_done(w: World) -> None:
    c = w.push_consumer("g", TOPIC, ok, name="c1")
    c.start()
    assert not w.quiet()  # nobody owns a queue before the first rebalance
    send(w, "k1", queue=2)
    assert w.run_until_quiet(60_000)
    stats = c.stats()
    assert stats.running and stats.done and stats.in_flight == 0 and stats.incarnations == 1
    assert [(q.queue_id, q.max_offset, q.local_offset) for q in stats.queues if q.max_offset] == [(2, 1, 1)]
    assert w.broker.stats().held_pulls > 0  # its idle pulls wait at the broker


def test_a_queue_with_a_message_in_flight_is_not_done() -> None:
    assert not QueueStats(topic=TOPIC, queue_id=0, max_offset=1, local_offset=1, in_flight=1).done
    assert not QueueStats(topic=TOPIC, queue_id=0, max_offset=2, local_offset=1, in_flight=0).done
    assert QueueStats(topic=TOPIC, queue_id=0, max_offset=0, local_offset=None, in_flight=0).done


def test_a_retry_waiting_at_the_broker_keeps_the_world_busy_until_the_dead_letter(w: World) -> None:
    w.push_consumer("g", TOPIC, _later, name="c1").start()
    send(w, "k1")
    w.run_for(15_000)  # delivered, failed, sent back: the first retry waits 10 s
    assert w.broker.stats().scheduled_retries == 1
    assert not w.quiet()
    assert not w.run_until_quiet(60_000)  # the ladder is hours long
    assert w.run_until_quiet(sum(retry_ladder_ms()) + 600_000)
    assert len(w.trace.of(MessageDeadLettered)) == 1
    assert w.broker.stats().scheduled_retries == 0


def test_the_application_can_say_it_is_still_busy(w: World) -> None:
    w.push_consumer("g", TOPIC, ok, name="c1").start()
    w.run_for(5_000)
    assert w.quiet()
    assert not w.quiet(busy=lambda: True)
    start = w.now_ms
    assert not w.run_until_quiet(10_000, busy=lambda: True)
    assert w.now_ms == start + 10_000


def test_consumers_that_are_all_down_are_not_quiet(w: World) -> None:
    c = w.push_consumer("g", TOPIC, ok, name="c1")
    c.start()
    w.run_for(5_000)
    c.crash()
    assert not c.stats().running and c.stats().queues == ()
    assert not w.quiet()


def test_between_runs_after_each_stretch_and_may_end_the_run(w: World) -> None:
    w.push_consumer("g", TOPIC, _later, name="c1").start()
    send(w, "k1")
    seen: list[int] = []

    class Enough(Exception):
        pass

    def between() -> None:
        seen.append(w.now_ms)
        if len(seen) == 3:
            raise Enough

    with pytest.raises(Enough):
        w.run_until_quiet(3_600_000, between=between)
    assert [b - a for a, b in itertools.pairwise(seen)] == [2_000, 4_000]  # doubling looks


@pytest.mark.parametrize("limit", [-1, 1.5, True, "60000"])
def test_a_bad_limit_is_refused(w: World, limit: object) -> None:
    with pytest.raises(ValidationError, match="limit_ms"):
        w.run_until_quiet(limit)  # type: ignore[arg-type]


def _two_members(w: World) -> tuple[PushConsumer, PushConsumer]:
    c1, c2 = (w.push_consumer("g", TOPIC, ok, name=c) for c in ("c1", "c2"))
    c1.start()
    c2.start()
    assert w.run_until_quiet(60_000)
    assert [q.queue_id for q in c2.stats().queues] == [2, 3]
    return c1, c2


def test_a_crashed_members_queues_keep_the_world_busy_until_another_member_owns_them(w: World) -> None:
    # The run of `minimq check unique_key --seed 3 --examples 500` ended here: c1 owned its
    # two queues and had consumed them, so the world looked quiet, while c2's queues held
    # a message nobody owned until c1's rebalance, 8 ms later.
    c1, c2 = _two_members(w)
    c2.crash()
    assert not w.quiet()  # the broker still lists c2: its channel closes one hop later
    send(w, "k1", queue=3)  # stored on c2's queue, which nobody owns now
    assert w.broker.consumer_ids("g") == [c1.client_id]
    assert not w.quiet()  # queues 2 and 3 have no owner yet
    assert w.run_until_quiet(60_000)
    assert [q.queue_id for q in c1.stats().queues if q.topic == TOPIC] == [0, 1, 2, 3]
    assert [e.client for e in w.trace.of(MessageDelivered)] == ["c1"]


def test_a_member_that_joins_keeps_the_world_busy_until_it_has_its_queues(w: World) -> None:
    c1 = w.push_consumer("g", TOPIC, ok, name="c1")
    c1.start()
    assert w.run_until_quiet(60_000)
    c2 = w.push_consumer("g", TOPIC, ok, name="c2")
    c2.start()
    assert not w.quiet()  # c1 owns every queue, c2 none: a rebalance is due
    assert w.run_until_quiet(60_000)
    assert [q.queue_id for q in c2.stats().queues] == [2, 3]
