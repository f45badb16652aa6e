"""Transactional messages end to end (path P16): the half message, the producer's local
transaction and its oneway end, the broker's check-back, and the two ways one
transaction becomes two messages with the same msg id.

RocketMQ 5.3 defaults: a scan every 30 s (``transactionCheckInterval``) checks the halves
older than 6 s (``transactionTimeOut``), at most 15 times (``transactionCheckMax``), then
discards them; op records are written every 3 s (``transactionOpBatchInterval``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from helpers import TOPIC, ok

from minimq import LocalTransactionState, Message, TransactionSendResult, World, check
from minimq.errors import ValidationError
from minimq.events import (
    FaultInjected,
    HalfMessageCommitted,
    HalfMessageDiscarded,
    HalfMessageRolledBack,
    HalfMessageStored,
    MessageDelivered,
    MessageStored,
    OpMessageWritten,
    ProducerRegistered,
    ProducerUnregistered,
    SendAttempted,
    TransactionChecked,
    TransactionEnded,
)
from minimq.i18n.describe import describe, lane
from minimq.model import MessageExt
from minimq.trace import Trace

COMMIT = LocalTransactionState.COMMIT_MESSAGE
ROLLBACK = LocalTransactionState.ROLLBACK_MESSAGE
UNKNOW = LocalTransactionState.UNKNOW
GROUP = "order-system"
HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC"


class Orders:
    """The order system's database, as far as a check listener can read it: the orders
    whose local transaction has committed."""

    def __init__(self) -> None:
        self.paid: set[str] = set()

    def check(self, msg: MessageExt) -> LocalTransactionState:
        """The check listener: COMMIT once the order is paid; not known before."""
        return COMMIT if msg.keys[0] in self.paid else UNKNOW

    def pay(self, *, takes_ms: int = 5, answer: LocalTransactionState = COMMIT) -> Callable[[Message], Any]:
        """A local transaction that marks the order paid after ``takes_ms`` and answers ``answer``."""

        async def local(msg: Message) -> LocalTransactionState:
            await asyncio.sleep(takes_ms / 1000)
            self.paid.add(msg.keys[0])
            return answer

        return local


_worlds: list[World] = []


@pytest.fixture(autouse=True)
def _close_worlds() -> Iterator[None]:
    yield
    while _worlds:
        _worlds.pop().close()


def shop(seed: int = 7, **producer_options: Any) -> tuple[World, Orders, Any]:
    w = World(seed=seed)
    _worlds.append(w)
    w.broker.create_topic(TOPIC)
    orders = Orders()
    producer = w.transaction_producer(GROUP, orders.check, **producer_options)
    w.push_consumer("coupon-system", TOPIC, ok, name="coupon-1").start()
    return w, orders, producer


def pay_at(w: World, at_ms: int, coro: Coroutine[Any, Any, TransactionSendResult]) -> TransactionSendResult:
    w.run_until(at_ms)
    return w.run(coro)


def order(key: str = "o-1") -> Message:
    return Message(TOPIC, b'{"order": "o-1"}', keys=(key,))


def delivered(w: World) -> list[str]:
    return [e.msg_id for e in w.trace.of(MessageDelivered)]


def stored_in_topic(w: World) -> list[MessageStored]:
    return [e for e in w.trace.of(MessageStored) if e.topic == TOPIC]


# -- one transaction, one message -----------------------------------------------------------
def test_a_committed_transaction_is_delivered_once_and_never_checked() -> None:
    w, orders, producer = shop()
    result = pay_at(w, 1000, producer.send_in_transaction(order(), orders.pay()))
    assert result.local_state is COMMIT and result.queue_offset == 0  # the half's offset
    assert w.run_until_quiet(600_000)
    assert delivered(w) == [result.msg_id]
    half = w.trace.of(HalfMessageStored)[0]
    assert (half.half_offset, half.real_topic, half.group) == (0, TOPIC, GROUP)
    assert [(e.half_offset, e.commits, e.from_check) for e in w.trace.of(HalfMessageCommitted)] == [(0, 1, False)]
    assert [e.half_offsets for e in w.trace.of(OpMessageWritten)] == [(0,)]
    assert w.trace.of(OpMessageWritten)[0].at_ms == 6000  # the first op record waits 3 s, for a 3 s tick
    assert w.trace.of(TransactionChecked) == []
    report = check(w.trace)
    assert report.lost == [] and report.duplicate_deliveries == []


def test_the_half_is_invisible_until_the_commit() -> None:
    w, orders, producer = shop()
    w.run_until(1000)
    w.spawn(producer.send_in_transaction(order(), orders.pay(takes_ms=20_000)), "pay")
    w.run_until(15_000)
    assert len(w.broker.copies(HALF_TOPIC)) == 1
    assert stored_in_topic(w) == [] and delivered(w) == []
    assert not w.quiet(), "a half not resolved yet keeps the world busy"
    w.run_until(22_000)
    assert len(delivered(w)) == 1


def test_a_rolled_back_transaction_is_never_delivered_and_not_lost() -> None:
    w, orders, producer = shop()
    pay_at(w, 1000, producer.send_in_transaction(order(), orders.pay(answer=ROLLBACK)))
    assert w.run_until_quiet(600_000)
    assert stored_in_topic(w) == [] and delivered(w) == []
    assert [(e.half_offset, e.from_check) for e in w.trace.of(HalfMessageRolledBack)] == [(0, False)]
    assert check(w.trace).lost == [], "a rolled-back message is owed to no one"


def test_an_unknown_answer_is_committed_by_the_check_back() -> None:
    w, orders, producer = shop()
    pay_at(w, 1000, producer.send_in_transaction(order(), orders.pay(answer=UNKNOW)))
    assert w.run_until_quiet(600_000)
    checked = w.trace.of(TransactionChecked)
    assert [(e.at_ms, e.half_offset, e.copy_offset, e.check_times, e.producer) for e in checked] == [
        (30_000, 0, 1, 1, GROUP)
    ]
    ends = w.trace.of(TransactionEnded)
    assert [(e.state, e.from_check, e.half_offset) for e in ends] == [("UNKNOW", False, 0), ("COMMIT_MESSAGE", True, 1)]
    assert [(e.half_offset, e.from_check, e.commits) for e in w.trace.of(HalfMessageCommitted)] == [(1, True, 1)]
    assert len(delivered(w)) == 1


def test_a_local_transaction_that_raises_is_unknown_and_checked_back() -> None:
    w, orders, producer = shop()

    def broken(msg: Message) -> LocalTransactionState:
        orders.paid.add(msg.keys[0])
        raise RuntimeError("connection reset after COMMIT")

    pay_at(w, 1000, producer.send_in_transaction(order(), broken))
    assert w.run_until_quiet(600_000)
    first = w.trace.of(TransactionEnded)[0]
    assert (first.state, first.note) == ("UNKNOW", "raised RuntimeError: connection reset after COMMIT")
    assert len(delivered(w)) == 1


def test_a_lost_end_is_committed_by_the_check_back() -> None:
    w, orders, producer = shop()
    w.faults.lose_end_transaction(key="o-1")
    pay_at(w, 1000, producer.send_in_transaction(order(), orders.pay()))
    assert [e.fault for e in w.trace.of(FaultInjected)] == ["lose_end_transaction"]
    assert w.run_until_quiet(600_000)
    assert [e.from_check for e in w.trace.of(HalfMessageCommitted)] == [True]
    assert len(delivered(w)) == 1 and check(w.trace).duplicate_deliveries == []


# -- P16 (a): a COMMIT races a check-back -----------------------------------------------------
def test_a_slow_local_transaction_and_a_check_back_both_commit() -> None:
    w, orders, producer = shop()
    result = pay_at(w, 5000, producer.send_in_transaction(order(), orders.pay(takes_ms=40_000)))
    assert w.run_until_quiet(600_000)
    # 30 s: the half is 25 s old, the order not paid yet: UNKNOW, but the half was written back
    checks = [(e.at_ms, e.half_offset, e.copy_offset) for e in w.trace.of(TransactionChecked)]
    assert checks == [(30_000, 0, 1), (60_000, 1, 2)]
    commits = w.trace.of(HalfMessageCommitted)
    assert [(e.half_offset, e.from_check, e.commits) for e in commits] == [(0, False, 1), (2, True, 2)]
    stored = stored_in_topic(w)
    assert [e.msg_id for e in stored] == [result.msg_id] * 2
    assert stored[0].offset_msg_id != stored[1].offset_msg_id
    assert delivered(w) == [result.msg_id] * 2
    assert [d.msg_id for d in check(w.trace).duplicate_deliveries] == [result.msg_id]
    assert w.broker.transactions.table.commits(result.msg_id) == 2


def test_a_commit_whose_op_record_is_not_written_yet_races_the_scan() -> None:
    # the END arrives at 29.5 s; op records are written every 3 s, so at the 30 s scan the
    # half has none yet: it is checked, and the order is paid by then
    w, orders, producer = shop()
    pay_at(w, 1000, producer.send_in_transaction(order(), orders.pay(takes_ms=28_500)))
    assert w.run_until_quiet(600_000)
    assert [e.at_ms for e in w.trace.of(TransactionChecked)] == [30_000]
    assert w.trace.of(OpMessageWritten)[0].at_ms > 30_000
    assert [(e.half_offset, e.commits) for e in w.trace.of(HalfMessageCommitted)] == [(0, 1), (1, 2)]
    assert len(delivered(w)) == 2


def test_a_longer_transaction_timeout_narrows_the_race_but_does_not_close_it() -> None:
    for takes_ms, commits in ((40_000, 1), (100_000, 2)):
        w, orders, producer = shop()
        w.broker.transactions.configure(timeout_ms=60_000)
        pay_at(w, 5000, producer.send_in_transaction(order(), orders.pay(takes_ms=takes_ms)))
        assert w.run_until_quiet(600_000)
        assert len(w.trace.of(HalfMessageCommitted)) == commits, takes_ms
        w.close()


# -- P16 (b): a retried half send -------------------------------------------------------------
def test_a_retried_half_send_leaves_two_halves_and_both_are_committed() -> None:
    w, orders, producer = shop()
    w.faults.lose_send_reply(how="fast_fail", key="o-1")
    result = pay_at(w, 1000, producer.send_in_transaction(order(), orders.pay()))
    assert [e.attempt for e in w.trace.of(SendAttempted)] == [1, 2]
    halves = w.trace.of(HalfMessageStored)
    assert [(e.half_offset, e.msg_id) for e in halves] == [(0, result.msg_id), (1, result.msg_id)]
    assert result.queue_offset == 1, "the reply names the second half: only that one is ended"
    assert w.run_until_quiet(600_000)
    commits = w.trace.of(HalfMessageCommitted)
    assert [(e.half_offset, e.from_check, e.commits) for e in commits] == [(1, False, 1), (2, True, 2)]
    assert [e.half_offset for e in w.trace.of(TransactionChecked)] == [0]
    assert delivered(w) == [result.msg_id] * 2


# -- checks run out -----------------------------------------------------------------------------
def test_fifteen_checks_then_the_half_is_discarded_never_delivered() -> None:
    w, orders, producer = shop()
    producer.check_listener = lambda msg: UNKNOW  # whatever the database says
    pay_at(w, 1000, producer.send_in_transaction(order(), orders.pay(answer=UNKNOW)))
    assert w.run_until_quiet(3_600_000)
    checked = w.trace.of(TransactionChecked)
    assert [e.check_times for e in checked] == list(range(1, 16))
    assert [e.at_ms for e in checked] == [30_000 * n for n in range(1, 16)]
    discarded = w.trace.of(HalfMessageDiscarded)
    assert [(e.at_ms, e.half_offset, e.check_times) for e in discarded] == [(480_000, 15, 15)]
    assert len(w.broker.copies("TRANS_CHECK_MAX_TIME_TOPIC")) == 1
    assert delivered(w) == [] and check(w.trace).lost == []


def test_with_no_producer_online_nobody_is_asked_and_the_checks_still_count() -> None:
    w, orders, producer = shop()
    pay_at(w, 1000, producer.send_in_transaction(order(), orders.pay(answer=UNKNOW)))
    producer.shutdown()
    assert [e.producer for e in w.trace.of(ProducerUnregistered)] == [GROUP]
    w.broker.transactions.configure(check_max=2)
    assert w.run_until_quiet(600_000)
    assert [(e.check_times, e.producer) for e in w.trace.of(TransactionChecked)] == [(1, ""), (2, "")]
    assert [e.check_times for e in w.trace.of(HalfMessageDiscarded)] == [2]
    assert "no producer of order-system online" in describe(w.trace.of(TransactionChecked)[0])


# -- the trace -----------------------------------------------------------------------------------
def race(seed: int) -> World:
    w, orders, producer = shop(seed)
    w.faults.lose_send_reply(how="fast_fail", key="o-2")
    pay_at(w, 5000, producer.send_in_transaction(order("o-1"), orders.pay(takes_ms=40_000)))
    pay_at(w, 50_000, producer.send_in_transaction(order("o-2"), orders.pay()))
    assert w.run_until_quiet(600_000)
    w.close()
    return w


def test_same_seed_same_trace() -> None:
    first, second = race(3), race(3)
    assert first.trace.sha256() == second.trace.sha256()
    assert race(4).trace.sha256() != first.trace.sha256()
    assert Trace.from_jsonl(first.trace.to_jsonl()).sha256() == first.trace.sha256()


def test_every_transaction_event_reads_in_both_languages_and_has_a_lane() -> None:
    w = race(3)
    kinds = (
        ProducerRegistered,
        HalfMessageStored,
        TransactionEnded,
        TransactionChecked,
        HalfMessageCommitted,
        OpMessageWritten,
    )
    for kind in kinds:
        events = w.trace.of(kind)
        assert events, kind.__name__
        for event in events:
            for lang in ("en", "zh"):
                assert describe(event, lang) != event.kind
                assert describe(event, lang, brief=True) != event.kind
    assert lane(w.trace.of(TransactionEnded)[0]) == GROUP
    assert lane(w.trace.of(TransactionChecked)[0]) == "broker"
    again = next(e for e in w.trace.of(HalfMessageCommitted) if e.commits == 2)
    assert "nothing checks (#5574)" in describe(again)
    assert "不做去重" in describe(again, "zh")


def test_a_world_without_transactions_has_no_transaction_timer() -> None:
    w = World(seed=1)
    _worlds.append(w)
    w.broker.create_topic(TOPIC)
    w.transaction_producer(GROUP, Orders().check)
    assert w.quiet()
    assert w.broker.transactions._scan_due is None and w.broker.transactions._ops_due is None


# -- bad input -------------------------------------------------------------------------------------
def test_bad_callbacks_and_settings_are_refused() -> None:
    w, _, producer = shop()
    with pytest.raises(ValidationError, match="check_listener must be a function"):
        w.transaction_producer("other", "not callable")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="local_transaction must be a function"):
        w.run(producer.send_in_transaction(order(), None))
    with pytest.raises(ValidationError, match=r"takes a minimq\.Message"):
        w.run(producer.send_in_transaction("order", lambda m: COMMIT))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="timeout_ms"):
        w.broker.transactions.configure(timeout_ms=-1)
    with pytest.raises(ValidationError, match="check_max"):
        w.broker.transactions.configure(check_max=0)
    with pytest.raises(ValidationError, match="check_interval_ms"):
        w.broker.transactions.configure(check_interval_ms=True)  # type: ignore[arg-type]
    assert w.trace.of(HalfMessageStored) == []


def test_an_answer_that_is_not_a_state_counts_as_unknown() -> None:
    w, _, producer = shop()
    pay_at(w, 1000, producer.send_in_transaction(order(), lambda m: "yes"))
    first = w.trace.of(TransactionEnded)[0]
    assert (first.state, first.note) == ("UNKNOW", "returned 'yes'")
    pay_at(w, 2000, producer.send_in_transaction(order("o-2"), lambda m: "ROLLBACK_MESSAGE"))
    assert w.trace.of(TransactionEnded)[1].state == "ROLLBACK_MESSAGE"
