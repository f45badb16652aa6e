"""Statistics of brokers and consumers, and ``World.quiet`` / ``run_until_quiet``: the one
place that decides that nothing is left to happen."""

from __future__ import annotations

import itertools

import pytest

from minimq import ConsumeStatus, World
from minimq.core.delay import retry_ladder_ms
from minimq.errors import ValidationError
from minimq.events import MessageDeadLettered
from minimq.model import MessageExt
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
