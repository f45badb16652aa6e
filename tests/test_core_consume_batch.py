"""What a push consumer does with a batch listener's answer (``ackIndex``, whole-batch
retries, orderly batches), driven directly, without a loop."""

from __future__ import annotations

import pytest
from test_core_consume_result import LATER, MQ, NOW, OK, SUCCESS, SUSPEND, msg

from minimq.core import consume_batch as rule
from minimq.core.consume_result import Commit, Discard
from minimq.core.process_queue import ProcessQueue
from minimq.events import BatchConsumed, ConsumeFailureDropped, ConsumeResultDiscarded, MessageConsumed
from minimq.model import ACK_INDEX_ALL, MessageExt

WHO = {"client": "c1", "group": "coupon", "now_ms": NOW}


def batch(*offsets: int, reconsume_times: int = 0) -> tuple[ProcessQueue, list[MessageExt]]:
    msgs = [msg(o, reconsume_times) for o in offsets]
    pq = ProcessQueue()
    pq.put(msgs)
    return pq, msgs


@pytest.mark.parametrize(
    ("status", "ack_index", "orderly", "last"),
    [
        (OK, ACK_INDEX_ALL, False, 3),  # the default: the whole batch
        (OK, 1, False, 1),
        (OK, -1, False, -1),
        (OK, 7, False, 3),  # clamped to size - 1
        (LATER, 2, False, -1),  # ignored: the whole batch failed
        (SUCCESS, -1, True, 3),  # orderly: all or nothing
        (SUSPEND, -1, True, -1),
    ],
)
def test_ack_index_as_process_consume_result_applies_it(status: str, ack_index: int, orderly: bool, last: int) -> None:
    assert rule.ack_index_applied(status, ack_index, 4, orderly=orderly) == last


def test_read_batch_says_what_each_message_counts_as() -> None:
    _, msgs = batch(10, 11, 12)
    acked, events = rule.read_batch(MQ, msgs, OK, "", 0, orderly=False, **WHO)
    assert acked == 1
    head, *each = events
    assert head == BatchConsumed(
        at_ms=NOW,
        client="c1",
        group="coupon",
        topic=MQ.topic,
        queue_id=MQ.queue_id,
        msg_ids=("ID10", "ID11", "ID12"),
        status=OK,
        note="",
        ack_index=0,
    )
    assert all(isinstance(e, MessageConsumed) for e in each)
    assert [(e.msg_id, e.status, e.note) for e in each if isinstance(e, MessageConsumed)] == [
        ("ID10", OK, ""),
        ("ID11", LATER, "past ackIndex 0"),
        ("ID12", LATER, "past ackIndex 0"),
    ]
    acked, events = rule.read_batch(MQ, msgs, LATER, "raised KeyError: 'x'", ACK_INDEX_ALL, orderly=False, **WHO)
    assert acked == 0
    assert {(e.status, e.note) for e in events[1:] if isinstance(e, MessageConsumed)} == {
        (LATER, "raised KeyError: 'x'")
    }


def test_clustering_sends_back_what_follows_ack_index_and_still_in_the_process_queue() -> None:
    pq, msgs = batch(0, 1, 2, 3)
    pq.remove([msgs[3]])  # the consume-timeout scan took it
    step = rule.concurrent_batch_result(pq, msgs, 2, clustering=True, **WHO)  # ackIndex 1: two acknowledged
    assert step == rule.BatchSendBack(msgs=(msgs[2],), delay_level=0)
    assert pq.in_flight_offsets() == [0, 1, 2], "nothing leaves before the send-backs"


def test_nothing_to_send_back_commits_the_batch() -> None:
    pq, msgs = batch(5, 6)
    pq.put([msg(7)])
    assert rule.concurrent_batch_result(pq, msgs, 2, clustering=True, **WHO) == Commit(offset=7, increase_only=True)


def test_broadcasting_drops_what_follows_ack_index() -> None:
    pq, msgs = batch(0, 1, 2)
    step = rule.concurrent_batch_result(pq, msgs, 1, clustering=False, **WHO)
    assert isinstance(step, Commit) and step.offset == 3
    assert [(e.msg_id, type(e)) for e in step.events] == [
        ("ID1", ConsumeFailureDropped),
        ("ID2", ConsumeFailureDropped),
    ]


def test_a_dropped_queue_discards_every_message() -> None:
    pq, msgs = batch(0, 1)
    pq.dropped = True
    step = rule.concurrent_batch_result(pq, msgs, 0, clustering=True, **WHO)
    assert isinstance(step, Discard)
    assert [(type(e), e.msg_id) for e in step.events] == [
        (ConsumeResultDiscarded, "ID0"),
        (ConsumeResultDiscarded, "ID1"),
    ]


def test_messages_not_sent_back_stay_one_reconsume_time_older_and_hold_the_offset() -> None:
    pq, msgs = batch(0, 1, 2, 3)
    step, again = rule.concurrent_batch_sent_back(pq, msgs, [msgs[1], msgs[3]], **WHO)
    assert step == Commit(offset=1, increase_only=True)
    assert again is not None and again.delay_ms == 5000
    assert [(m.queue_offset, m.reconsume_times) for m in again.again] == [(1, 1), (3, 1)]
    assert [(e.msg_id, e.reconsume_times, e.reason) for e in again.events] == [
        ("ID1", 1, "send-back failed"),
        ("ID3", 1, "send-back failed"),
    ]
    assert pq.in_flight_offsets() == [1, 3] and pq.first() == again.again[0]


def test_a_queue_dropped_during_the_send_backs_discards_the_rest() -> None:
    pq, msgs = batch(0, 1, 2)
    pq.dropped = True
    step, again = rule.concurrent_batch_sent_back(pq, msgs, [msgs[2]], **WHO)
    assert isinstance(step, Discard) and [e.msg_id for e in step.events] == ["ID0", "ID1"]
    assert again is not None and [m.queue_offset for m in again.again] == [2]


def orderly(pq: ProcessQueue, msgs: list[MessageExt], acked: int, most: int = 2**31 - 1) -> object:
    return rule.orderly_batch_result(pq, msgs, acked, max_reconsume_times=most, suspend_ms=1000, **WHO)


def test_orderly_success_commits_the_whole_batch() -> None:
    pq, _ = batch(4, 5, 6)
    taken = pq.take(3)
    assert orderly(pq, taken, 3) == Commit(offset=7, increase_only=False)


def test_orderly_failure_puts_the_whole_batch_back_one_attempt_older() -> None:
    pq, _ = batch(4, 5)
    taken = pq.take(2)
    step = orderly(pq, taken, 0)
    assert isinstance(step, rule.BatchRetryLocally) and step.delay_ms == 1000
    assert [(m.queue_offset, m.reconsume_times) for m in pq.take(2)] == [(4, 1), (5, 1)]


def test_orderly_at_the_maximum_sends_those_then_puts_the_batch_back_with_them() -> None:
    pq = ProcessQueue()
    pq.put([msg(0, 2), msg(1, 0)])
    taken = pq.take(2)
    step = orderly(pq, taken, 0, most=2)
    assert step == rule.BatchSendBack(msgs=(taken[0],), as_normal_message=True)
    back = rule.orderly_batch_sent_back(pq, taken, [], max_reconsume_times=2, suspend_ms=1000, **WHO)
    assert isinstance(back, rule.BatchRetryLocally)
    assert [(e.msg_id, e.reconsume_times, e.reason) for e in back.events] == [
        ("ID0", 2, "dead-lettered, put back with its batch"),
        ("ID1", 1, "SUSPEND_CURRENT_QUEUE_A_MOMENT"),
    ]
    again = pq.take(2)
    failed = rule.orderly_batch_sent_back(pq, again, [again[0]], max_reconsume_times=2, suspend_ms=1000, **WHO)
    assert isinstance(failed, rule.BatchRetryLocally)
    assert [(e.reconsume_times, e.reason) for e in failed.events] == [
        (3, "DLQ send-back failed"),
        (2, "SUSPEND_CURRENT_QUEUE_A_MOMENT"),
    ]


def test_orderly_commits_when_every_message_was_at_the_maximum_and_sent() -> None:
    pq = ProcessQueue()
    pq.put([msg(0, 2), msg(1, 3)])
    taken = pq.take(2)
    back = rule.orderly_batch_sent_back(pq, taken, [], max_reconsume_times=2, suspend_ms=1000, **WHO)
    assert back == Commit(offset=2, increase_only=False)
