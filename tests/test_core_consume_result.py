"""What a push consumer does after its listener answers (``processConsumeResult``, both
modes), the reading of the answer, and the consume-timeout scan; driven directly, without
a loop."""

from __future__ import annotations

import pytest

from minimq.core import consume_result as rule
from minimq.core.delay import ORDERLY_MAX_RECONSUME_TIMES
from minimq.core.process_queue import ProcessQueue
from minimq.events import ConsumeFailureDropped, ConsumeResultDiscarded, ConsumeTimedOut, RetriedLocally
from minimq.model import ConsumeStatus, MessageExt, MessageQueue, OrderlyStatus

MQ = MessageQueue("order-paid", 1)
NOW = 90_000
OK = ConsumeStatus.SUCCESS.value
LATER = ConsumeStatus.RECONSUME_LATER.value
SUCCESS = OrderlyStatus.SUCCESS.value
SUSPEND = OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT.value


def msg(offset: int, reconsume_times: int = 0) -> MessageExt:
    return MessageExt(
        topic="order-paid",
        queue=MQ,
        queue_offset=offset,
        body=b"x",
        tags=None,
        keys=(f"order-{offset}",),
        properties=(),
        msg_id=f"ID{offset}",
        offset_msg_id=f"OFF{offset}",
        born_ms=0,
        store_ms=0,
        reconsume_times=reconsume_times,
    )


def pq_with(*offsets: int) -> ProcessQueue:
    pq = ProcessQueue()
    pq.put([msg(o) for o in offsets])
    return pq


def concurrent(
    pq: ProcessQueue, m: MessageExt, status: str, clustering: bool = True
) -> rule.Commit | rule.SendBack | rule.Discard:
    return rule.concurrent_result(pq, m, status, clustering=clustering, now_ms=NOW, client="c1", group="coupon")


def sent_back(pq: ProcessQueue, m: MessageExt, sent: bool) -> rule.Commit | rule.RetryLocally | rule.Discard:
    return rule.concurrent_sent_back(pq, m, sent, now_ms=NOW, client="c1", group="coupon")


def expired(pq: ProcessQueue, now_ms: int) -> rule.TimedOut | None:
    return rule.expired_head(pq, now_ms=now_ms, client="c1", group="coupon")


def orderly(
    pq: ProcessQueue, m: MessageExt, status: str, max_times: int = ORDERLY_MAX_RECONSUME_TIMES
) -> rule.Commit | rule.SendBack | rule.RetryLocally | rule.Discard:
    return rule.orderly_result(
        pq, m, status, max_reconsume_times=max_times, suspend_ms=1000, now_ms=NOW, client="c1", group="coupon"
    )


def orderly_sent(pq: ProcessQueue, m: MessageExt, sent: bool) -> rule.Commit | rule.RetryLocally:
    return rule.orderly_sent_back(pq, m, sent, suspend_ms=1000, now_ms=NOW, client="c1", group="coupon")


# -- the answer ----------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [ConsumeStatus.SUCCESS, "CONSUME_SUCCESS", "SUCCESS"])
def test_success_by_member_value_or_name(answer: object) -> None:
    assert rule.read_status(answer, orderly=False) == ("CONSUME_SUCCESS", "")


@pytest.mark.parametrize("orderly", [False, True])
def test_none_and_non_statuses_are_failures_that_say_why(orderly: bool) -> None:
    failed = rule.failure(orderly=orderly).value
    assert failed == (SUSPEND if orderly else LATER)
    assert rule.read_status(None, orderly=orderly) == (failed, "returned None, which counts as a failure")
    status, note = rule.read_status(True, orderly=orderly)
    assert status == failed
    assert note.startswith("returned True (bool), not a ")
    assert rule.read_status("x" * 100, orderly=orderly)[1].startswith("returned '" + "x" * 56 + "...")


def test_a_status_of_the_other_mode_is_not_a_status() -> None:
    assert rule.read_status("SUSPEND_CURRENT_QUEUE_A_MOMENT", orderly=False)[0] == LATER
    assert rule.read_status("CONSUME_SUCCESS", orderly=True)[0] == SUSPEND
    assert rule.read_status(OrderlyStatus.SUCCESS, orderly=True) == ("SUCCESS", "")


# -- concurrently --------------------------------------------------------------------------
def test_success_commits_the_smallest_offset_still_in_flight() -> None:
    pq = pq_with(3, 4, 5)
    assert concurrent(pq, msg(4), OK) == rule.Commit(offset=3, increase_only=True)
    assert concurrent(pq, msg(3), OK) == rule.Commit(offset=5, increase_only=True)
    assert concurrent(pq, msg(5), OK) == rule.Commit(offset=6, increase_only=True)


def test_a_failure_in_clustering_is_sent_back_with_level_zero_and_holds_the_offset() -> None:
    pq = pq_with(3, 4)
    assert concurrent(pq, msg(3), LATER) == rule.SendBack(delay_level=0)
    assert pq.in_flight_offsets() == [3, 4]  # nothing removed before the send-back's answer
    assert sent_back(pq, msg(3), True) == rule.Commit(offset=4, increase_only=True)


def test_a_failure_in_broadcasting_is_dropped_and_the_offset_moves_on() -> None:
    pq = pq_with(3)
    dropped = ConsumeFailureDropped(at_ms=NOW, client="c1", group="coupon", msg_id="ID3", offset_msg_id="OFF3")
    assert concurrent(pq, msg(3), LATER, clustering=False) == rule.Commit(
        offset=4, increase_only=True, events=(dropped,)
    )
    assert pq.in_flight_offsets() == []


def test_a_success_in_broadcasting_drops_nothing() -> None:
    assert concurrent(pq_with(3), msg(3), OK, clustering=False) == rule.Commit(offset=4, increase_only=True)


def test_a_failure_already_sent_back_by_the_timeout_scan_is_not_sent_back_again() -> None:
    pq = pq_with(3, 4)
    pq.remove([msg(3)])  # the scan took it out
    assert concurrent(pq, msg(3), LATER) == rule.Commit(offset=4, increase_only=True)


def test_a_result_for_a_dropped_queue_is_discarded() -> None:
    pq = pq_with(3)
    pq.dropped = True
    discarded = ConsumeResultDiscarded(
        at_ms=NOW,
        client="c1",
        group="coupon",
        msg_id="ID3",
        offset_msg_id="OFF3",
        reason="process queue dropped by a rebalance",
    )
    assert concurrent(pq, msg(3), OK) == rule.Discard(events=(discarded,))
    assert concurrent(pq, msg(3), LATER) == rule.Discard(events=(discarded,))
    assert pq.in_flight_offsets() == [3]


def test_a_queue_dropped_during_the_send_back_discards_the_result() -> None:
    pq = pq_with(3)
    assert isinstance(concurrent(pq, msg(3), LATER), rule.SendBack)
    pq.dropped = True
    assert isinstance(sent_back(pq, msg(3), True), rule.Discard)


def test_a_failed_send_back_consumes_again_here_after_5_s_one_time_older() -> None:
    pq = pq_with(3, 4)
    step = sent_back(pq, msg(3, reconsume_times=2), False)
    assert isinstance(step, rule.RetryLocally)
    assert step.delay_ms == rule.SEND_BACK_FAILED_RETRY_MS == 5000
    assert step.again == msg(3, reconsume_times=3)
    assert step.events == (
        RetriedLocally(
            at_ms=NOW,
            client="c1",
            group="coupon",
            msg_id="ID3",
            reconsume_times=3,
            delay_ms=5000,
            reason="send-back failed",
        ),
    )
    first = pq.first()
    assert first is not None and first.reconsume_times == 3  # the older copy waits in the queue
    assert pq.remove([msg(4)]) == 3  # and holds the offset


# -- the consume-timeout scan --------------------------------------------------------------
def test_the_scan_takes_a_head_running_longer_than_15_min() -> None:
    pq = pq_with(3, 4)
    pq.mark_started(msg(3), 0)
    assert expired(pq, rule.CONSUME_TIMEOUT_MS) is None  # exactly 15 min: not yet
    timed_out = expired(pq, rule.CONSUME_TIMEOUT_MS + 1)
    assert timed_out is not None
    assert timed_out.msg == msg(3)
    assert timed_out.send_back == rule.SendBack(delay_level=3)
    assert timed_out.events == (
        ConsumeTimedOut(
            at_ms=rule.CONSUME_TIMEOUT_MS + 1,
            client="c1",
            group="coupon",
            msg_id="ID3",
            offset_msg_id="OFF3",
            started_ms=0,
        ),
    )
    assert rule.expired_sent_back(pq, msg(3), True)  # the scan goes on
    assert pq.in_flight_offsets() == [4]


def test_the_scan_looks_only_at_a_started_head() -> None:
    pq = pq_with(3, 4)
    pq.mark_started(msg(4), 0)  # the head (3) is not running
    assert expired(pq, 10 * rule.CONSUME_TIMEOUT_MS) is None
    assert expired(ProcessQueue(), 10 * rule.CONSUME_TIMEOUT_MS) is None


def test_a_failed_timeout_send_back_leaves_the_head_and_stops_the_scan() -> None:
    pq = pq_with(3, 4)
    assert not rule.expired_sent_back(pq, msg(3), False)
    assert pq.in_flight_offsets() == [3, 4]


def test_a_head_that_finished_during_the_send_back_is_not_removed_twice() -> None:
    pq = pq_with(3, 4)
    pq.remove([msg(3)])  # its listener finished meanwhile
    assert rule.expired_sent_back(pq, msg(3), True)
    assert pq.in_flight_offsets() == [4]


# -- orderly -------------------------------------------------------------------------------
@pytest.mark.parametrize(("configured", "used"), [(1000, 1000), (0, 10), (5, 10), (30_000, 30_000), (60_000, 30_000)])
def test_the_suspend_time_is_clamped_to_10_to_30000_ms(configured: int, used: int) -> None:
    assert rule.suspend_time_ms(configured) == used


def test_orderly_success_commits_the_last_taken_offset_plus_one_and_may_move_back() -> None:
    pq = pq_with(7, 8)
    (taken,) = pq.take(1)
    assert orderly(pq, taken, SUCCESS) == rule.Commit(offset=8, increase_only=False)
    assert pq.in_flight_offsets() == [8]


def test_orderly_failure_puts_the_message_back_first_one_time_older() -> None:
    pq = pq_with(7, 8)
    (taken,) = pq.take(1)
    step = orderly(pq, taken, SUSPEND)
    assert isinstance(step, rule.RetryLocally)
    assert step.delay_ms == 1000
    assert step.events[0].reason == "SUSPEND_CURRENT_QUEUE_A_MOMENT"
    assert pq.take(1) == [msg(7, reconsume_times=1)]  # next to run again, before 8


def test_orderly_retries_locally_for_ever_by_default() -> None:
    pq = pq_with(7)
    for times in range(200):
        (taken,) = pq.take(1)
        assert taken.reconsume_times == times
        assert isinstance(orderly(pq, taken, SUSPEND), rule.RetryLocally)


def test_at_an_explicit_max_orderly_sends_a_normal_message_to_the_retry_topic_and_moves_on() -> None:
    # ConsumeMessageOrderlyService.checkReconsumeTimes: reconsumeTimes >= max -> sendMessageBack,
    # a normal message (DELAY 3 + its count) that the broker dead-letters
    pq = pq_with(7, 8)
    (taken,) = pq.take(1)
    taken_again = msg(7, reconsume_times=2)
    pq.put_back([taken_again])
    (taken,) = pq.take(1)
    step = orderly(pq, taken, SUSPEND, max_times=2)
    assert step == rule.SendBack(delay_level=5, as_normal_message=True)
    sent = orderly_sent(pq, taken, True)
    assert sent == rule.Commit(offset=8, increase_only=False)


def test_a_failed_orderly_dead_letter_still_counts_as_an_attempt() -> None:
    pq = pq_with(7)
    (taken,) = pq.take(1)
    step = orderly_sent(pq, taken, False)
    assert isinstance(step, rule.RetryLocally)
    assert step.events[0].reason == "DLQ send-back failed"
    assert pq.take(1) == [msg(7, reconsume_times=1)]


def test_an_orderly_result_for_a_dropped_queue_is_discarded() -> None:
    pq = pq_with(7)
    (taken,) = pq.take(1)
    pq.dropped = True
    assert isinstance(orderly(pq, taken, SUCCESS), rule.Discard)
