"""The client-side process queue (RocketMQ ``ProcessQueue``): the offset it lets a consumer
commit, flow control, and orderly take / commit / put back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from minimq.core.process_queue import CONSUME_CONCURRENTLY_MAX_SPAN, PULL_THRESHOLD_FOR_QUEUE, ProcessQueue
from minimq.model import MessageExt, MessageQueue

MQ = MessageQueue("order-paid", 0)


def msg(offset: int, reconsume_times: int = 0) -> MessageExt:
    return MessageExt(
        topic="order-paid",
        queue=MQ,
        queue_offset=offset,
        body=b"x",
        tags=None,
        keys=(),
        properties=(),
        msg_id=f"ID{offset}",
        offset_msg_id=f"OFF{offset}",
        born_ms=0,
        store_ms=0,
        reconsume_times=reconsume_times,
    )


def msgs(offsets: range | list[int]) -> list[MessageExt]:
    return [msg(o) for o in offsets]


def pq_with(offsets: range | list[int]) -> ProcessQueue:
    pq = ProcessQueue()
    pq.put(msgs(offsets))
    return pq


# -- removeMessage -------------------------------------------------------------------------------
def test_remove_on_an_empty_queue_returns_minus_one() -> None:
    assert ProcessQueue().remove([msg(0)]) == -1


def test_remove_returns_the_smallest_offset_still_in_flight() -> None:
    pq = pq_with(range(5))
    assert pq.remove([msg(2)]) == 0  # offset 0 still runs: the commit stays at 0
    assert pq.remove([msg(3), msg(4)]) == 0
    assert pq.remove([msg(0)]) == 1
    assert pq.in_flight_offsets() == [1]


def test_remove_returns_queue_offset_max_plus_one_when_nothing_is_left() -> None:
    pq = pq_with(range(10, 13))
    assert pq.remove(msgs([11, 12, 10])) == 13
    assert pq.count == 0
    assert pq.remove([msg(10)]) == -1  # already empty


def test_one_slow_message_holds_the_offset_however_many_succeed_after_it() -> None:
    pq = pq_with(range(100))
    for o in range(1, 100):
        assert pq.remove([msg(o)]) == 0
    assert pq.remove([msg(0)]) == 100


def test_removing_a_message_that_is_not_cached_changes_nothing() -> None:
    pq = pq_with([3, 4])
    assert pq.remove([msg(99)]) == 3
    assert pq.count == 2


@given(st.lists(st.integers(0, 39), unique=True))
def test_remove_matches_rocketmqs_rule_for_any_finishing_order(finished: list[int]) -> None:
    pq = pq_with(range(40))
    left = set(range(40))
    for o in finished:
        left.discard(o)
        expected = min(left) if left else 40
        assert pq.remove([msg(o)]) == expected


def test_queue_offset_max_follows_the_puts() -> None:
    pq = ProcessQueue()
    assert pq.queue_offset_max == -1
    pq.put([])
    assert pq.queue_offset_max == -1
    pq.put(msgs([0, 1, 2]))
    pq.put(msgs([3, 4]))
    assert pq.queue_offset_max == 4


def test_replace_keeps_the_position_and_first_is_the_head() -> None:
    pq = pq_with([5, 6, 7])
    pq.replace(msg(5, reconsume_times=1))
    pq.replace(msg(42, reconsume_times=1))  # not cached: ignored
    head = pq.first()
    assert head is not None and (head.queue_offset, head.reconsume_times) == (5, 1)
    assert pq.contains(msg(6)) and not pq.contains(msg(42))
    assert pq.in_flight_offsets() == [5, 6, 7]
    assert ProcessQueue().first() is None


def test_mark_started_is_forgotten_when_the_message_is_removed() -> None:
    pq = pq_with([0, 1])
    pq.mark_started(msg(0), 1000)
    pq.mark_started(msg(1), 1500)
    pq.remove([msg(0)])
    assert pq.start_ms == {1: 1500}


# -- flow control ----------------------------------------------------------------------------------
def test_flow_control_starts_above_1000_cached_messages() -> None:
    assert PULL_THRESHOLD_FOR_QUEUE == 1000
    pq = pq_with(range(1000))
    assert not pq.needs_flow_control()
    pq.put([msg(1000)])
    assert pq.count == 1001
    assert pq.needs_flow_control()
    pq.remove([msg(1000)])
    assert not pq.needs_flow_control()


def test_flow_control_starts_when_the_span_exceeds_2000() -> None:
    assert CONSUME_CONCURRENTLY_MAX_SPAN == 2000
    pq = pq_with([0, 2000])
    assert pq.span == 2000
    assert not pq.needs_flow_control()
    pq.put([msg(2001)])
    assert pq.span == 2001
    assert pq.count == 3  # far below 1000: it is the span that stops the pull
    assert pq.needs_flow_control()


def test_the_span_rule_is_for_concurrent_consumption_only() -> None:
    pq = pq_with([0, 2500])
    assert pq.needs_flow_control()
    assert not pq.needs_flow_control(orderly=True)
    pq.put(msgs(range(3000, 3999)))
    assert pq.needs_flow_control(orderly=True)  # 1001 cached: the count rule holds for both


def test_span_is_measured_between_first_and_last_cached_offsets() -> None:
    # ProcessQueue.getMaxSpan is msgTreeMap.lastKey() - msgTreeMap.firstKey(): once the tail
    # is consumed the span shrinks, even while a slow head stays.
    pq = pq_with([0, *range(1990, 2030)])
    assert pq.needs_flow_control()
    assert pq.remove(msgs(range(1990, 2030))) == 0
    assert pq.span == 0
    assert not pq.needs_flow_control()
    assert ProcessQueue().span == 0


def test_a_slow_head_releases_the_span_when_it_finishes() -> None:
    pq = pq_with([0, *range(2000, 2010)])
    assert pq.needs_flow_control()
    assert pq.remove([msg(0)]) == 2000
    assert pq.span == 9
    assert not pq.needs_flow_control()


# -- orderly -------------------------------------------------------------------------------------
def test_take_moves_messages_lowest_first_and_they_still_count() -> None:
    pq = pq_with(range(5))
    taken = pq.take(2)
    assert [m.queue_offset for m in taken] == [0, 1]
    assert pq.count == 5  # msgCount drops only at commit
    assert pq.in_flight_offsets() == [0, 1, 2, 3, 4]
    assert [m.queue_offset for m in pq.take(10)] == [2, 3, 4]
    assert pq.take(1) == []


def test_commit_returns_last_taken_plus_one_and_forgets_them() -> None:
    pq = pq_with(range(5))
    pq.take(3)
    pq.mark_started(msg(1), 7)
    assert pq.commit() == 3
    assert pq.count == 2
    assert pq.start_ms == {}
    assert pq.commit() == -1  # nothing taken


def test_put_back_returns_the_batch_to_the_front_in_order() -> None:
    pq = pq_with(range(6))
    batch = pq.take(3)
    retried = [msg(m.queue_offset, reconsume_times=1) for m in batch]
    pq.put_back(retried)
    assert pq.count == 6
    again = pq.take(4)
    assert [(m.queue_offset, m.reconsume_times) for m in again] == [(0, 1), (1, 1), (2, 1), (3, 0)]
    assert pq.commit() == 4


def test_newly_pulled_messages_go_after_a_put_back_batch() -> None:
    pq = pq_with([0, 1])
    batch = pq.take(2)
    pq.put(msgs([2, 3]))
    pq.put_back(batch)
    assert [m.queue_offset for m in pq.take(4)] == [0, 1, 2, 3]


def test_dropped_locked_and_clear() -> None:
    pq = pq_with(range(3))
    assert (pq.dropped, pq.locked) == (False, False)
    pq.take(1)
    pq.mark_started(msg(2), 5)
    pq.clear()
    assert pq.count == 0
    assert pq.in_flight_offsets() == []
    assert pq.start_ms == {}
    assert pq.commit() == -1


def test_flow_control_says_which_rule_holds_the_pull_and_takes_the_consumers_span() -> None:
    pq = pq_with([0, 3])
    assert pq.flow_control() is None
    assert pq.flow_control(max_span=2) == "span"  # consumeConcurrentlyMaxSpan set to 2: 3 > 2
    assert pq.flow_control(orderly=True, max_span=2) is None
    pq.put(msgs(range(4, 1003)))
    assert pq.count == 1001
    assert pq.flow_control(max_span=2) == "count", "the count rule is checked first, as pullMessage does"
