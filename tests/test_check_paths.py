"""``minimq check``'s RocketMQ 5 paths: ``pop``, ``transaction`` and ``reset``.

- ``pop``: the lab's coupon system on SimpleConsumers (``Schedule(consumer="pop")``,
  ``minimq.apps.pop_coupons``): a call held past the 30 s invisible duration, a failed
  call, a crash before the ack; the message is revived into
  ``%RETRY%coupon-system_order-paid`` and delivered again, maybe to the other process.
- ``transaction``: the order system sends "order paid" in a transaction
  (``Schedule(producer="transaction")``, ``minimq.apps.order_tx``): a slow local
  transaction with a check-back scan inside it is committed twice, one msg id (#5574);
  a lost END_TRANSACTION is committed by the check-back.
- ``reset``: an operator's ``resetOffsetByTime``, its own path; a late redelivery too
  only when it brings back a message an hour old.

Each hand-written schedule is replayed to a known verdict per design; the new steps and
fields go through JSON and back; tokens stored before them still read the same; a run
is a function of its schedule and seed. Exploration is kept to a few dozen schedules.
"""

from __future__ import annotations

import hashlib

import pytest

from minimq.apps.design import DESIGNS_DIR
from minimq.cli import main
from minimq.events import (
    AckRejected,
    HalfMessageCommitted,
    MessageConsumed,
    MessageDelivered,
    MessagePopped,
    MessageRevived,
    OffsetReset,
    TransactionChecked,
)
from minimq.testing import Schedule, explore, load_design, replay, run_schedule
from minimq.testing.design import LoadedDesign
from minimq.testing.lab import GROUP, TOPIC
from minimq.testing.schedule import READY_MS
from minimq.testing.schedule_check import ScheduleError
from minimq.testing.stats import run_statistics
from minimq.testing.steps import (
    Crash,
    Down,
    Fail,
    Join,
    Kill,
    Leave,
    LostEnd,
    LostReply,
    Pay,
    Reset,
    Slow,
    SlowTx,
    UpstreamRetry,
)
from minimq.testing.story import schedule_in_words, violation_in_words
from minimq.testing.strategies import schedules

T0 = READY_MS
O1 = "order-1"
PAY = Pay(at_ms=T0, order=O1)
MIN = 60_000
HOUR = 60 * MIN
RETRY = f"%RETRY%{GROUP}_{TOPIC}"  # where POP revives a message


def design(name: str) -> LoadedDesign:
    return load_design(DESIGNS_DIR / f"{name}.py")


def run(name: str, *steps: object, seed: int = 0, **how: str) -> dict[str, int]:
    """Coupons per paid order for ``name`` under the schedule of ``steps``."""
    outcome = run_schedule(design(name), Schedule((O1,), tuple(steps), **how), seed)  # type: ignore[arg-type]
    return outcome.coupons


# -- pop ---------------------------------------------------------------------------------
HELD_PAST_INVISIBLE = (PAY, Slow(at_ms=T0, order=O1, statement=2, delay_ms=40_000), Join(at_ms=T0, client="c2"))

POP_VERDICTS = {  # coupons for order-1: held 40 s mid-work while c2 runs; a failed statement 2
    "no_dedupe": (2, 1),
    "memory_set": (2, 1),
    "query_then_insert": (2, 1),
    "mark_first": (1, 0),  # the claim stays, the revived copy skips the order
    "redis_do_then_mark": (2, 1),
    "msgid_table": (1, 1),
    "unique_key": (1, 1),
    "unique_key_sync": (1, 1),
    "conditional_state": (1, 1),
}


@pytest.mark.parametrize("name", sorted(POP_VERDICTS))
def test_pop_a_held_call_and_a_failed_call_per_design(name: str) -> None:
    held, failed = POP_VERDICTS[name]
    assert run(name, *HELD_PAST_INVISIBLE, consumer="pop") == {O1: held}
    assert run(name, PAY, Fail(at_ms=T0, order=O1, statement=2), consumer="pop") == {O1: failed}


def test_pop_a_call_past_its_invisible_duration_is_revived_and_the_other_process_gets_it() -> None:
    outcome = run_schedule(design("unique_key"), Schedule((O1,), HELD_PAST_INVISIBLE, consumer="pop"))
    trace = outcome.trace
    assert outcome.ok, outcome.violations
    first, second = trace.of(MessageDelivered)
    assert (first.client, first.reconsume_times) == ("c2", 0)
    assert (second.client, second.topic, second.reconsume_times) == ("c1", RETRY, 1)
    (revived,) = trace.of(MessageRevived)
    assert revived.retry_topic == RETRY and revived.at_ms < second.at_ms
    assert [r.client for r in trace.of(AckRejected)] == ["c2"]  # its handle expired while it was held
    assert all(e.group == GROUP for e in trace.of(MessagePopped))
    assert {c.status for c in trace.of(MessageConsumed)} == {"CONSUME_SUCCESS"}  # the lab records each call


def test_pop_a_crash_before_the_ack_and_a_kill_bring_the_message_back() -> None:
    before_ack = Crash(at_ms=T0, order=O1, client="c1", point="AFTER_HANDLER", restart_after=500)
    assert run("memory_set", PAY, before_ack, consumer="pop") == {O1: 2}  # the restart empties the set
    assert run("unique_key", PAY, before_ack, consumer="pop") == {O1: 1}
    after_ack = Crash(at_ms=T0, order=O1, client="c1", point="AFTER_LOCAL_COMMIT", restart_after=500)
    outcome = run_schedule(design("memory_set"), Schedule((O1,), (PAY, after_ack), consumer="pop"))
    assert outcome.ok and len(outcome.trace.of(MessageDelivered)) == 1  # right after the ack: nothing lost
    killed = run_schedule(design("no_dedupe"), Schedule((O1,), (PAY, Kill(at_ms=T0 + 3, client="c1")), "pop"))
    assert killed.ok and [d.reconsume_times for d in killed.trace.of(MessageDelivered)] == [0, 1]


def test_pop_a_graceful_leave_stops_the_call_and_the_message_comes_back() -> None:
    steps = (PAY, Slow(at_ms=T0, order=O1, statement=1, delay_ms=5000), Leave(at_ms=T0 + 1000, client="c1"))
    outcome = run_schedule(design("unique_key"), Schedule((O1,), steps, consumer="pop"))
    assert outcome.ok and outcome.coupons == {O1: 1}
    deliveries = outcome.trace.of(MessageDelivered)
    assert [d.reconsume_times for d in deliveries] == [0, 1]  # the lab restarts c1; the revived copy is done


def test_pop_verdict_words_say_what_pop_does_next() -> None:
    outcome = run_schedule(
        design("unique_key_reconsume"), Schedule((O1,), (PAY, UpstreamRetry(at_ms=T0, order=O1)), "pop")
    )
    words = violation_in_words(outcome, "en")
    assert any("on POP the message is then not acked" in line for line in words), words
    assert any("POP 下这条消息就不会被 ack" in line for line in violation_in_words(outcome, "zh"))


# -- transaction -------------------------------------------------------------------------------
SLOW_TX = (PAY, SlowTx(at_ms=T0, order=O1, delay_ms=40_000))


def test_transaction_a_slow_local_transaction_is_committed_twice_with_one_msg_id() -> None:
    outcome = run_schedule(design("no_dedupe"), Schedule((O1,), SLOW_TX, producer="transaction"))
    assert outcome.coupons == {O1: 2}
    trace = outcome.trace
    commits = trace.of(HalfMessageCommitted)
    assert [c.from_check for c in commits] == [False, True] and commits[1].commits == 2
    assert commits[0].msg_id == commits[1].msg_id
    assert len({d.msg_id for d in trace.of(MessageDelivered)}) == 1
    assert [c.check_times for c in trace.of(TransactionChecked)] == [1, 2]  # UNKNOW at 0:30, COMMIT at 1:00


@pytest.mark.parametrize(
    ("name", "coupons"),
    [("no_dedupe", 2), ("memory_set", 1), ("query_then_insert", 1), ("msgid_table", 1), ("unique_key", 1)],
)
def test_transaction_dedupe_by_msg_id_catches_the_second_commit(name: str, coupons: int) -> None:
    # the two copies come 18 s apart, one msg id: only no dedupe issues twice
    assert run(name, *SLOW_TX, producer="transaction") == {O1: coupons}


def test_transaction_a_lost_end_is_committed_by_the_check_back() -> None:
    steps = (PAY, LostEnd(at_ms=T0, order=O1))
    outcome = run_schedule(design("no_dedupe"), Schedule((O1,), steps, producer="transaction"))
    assert outcome.ok and outcome.coupons == {O1: 1}
    (commit,) = outcome.trace.of(HalfMessageCommitted)
    assert commit.from_check and commit.at_ms > 30_000  # the first scan, at 0:30


def test_transaction_a_new_msg_id_breaks_the_msg_id_table() -> None:
    # an upstream retry during the slow local transaction waits for the order's row lock,
    # fails (UNKNOW), and the check-back commits that second half: a new msg id
    retry = UpstreamRetry(at_ms=T0 + 1000, order=O1)
    assert run("msgid_table", *SLOW_TX, retry, producer="transaction") == {O1: 2}
    assert run("unique_key", *SLOW_TX, retry, producer="transaction") == {O1: 1}
    new_message = LostReply(at_ms=T0, order=O1, how="timeout", resend="new")
    assert run("msgid_table", new_message, producer="transaction") == {O1: 2}
    assert run("msgid_table", LostReply(at_ms=T0, order=O1, how="fast_fail"), producer="transaction") == {O1: 1}


def test_transaction_an_order_whose_local_transaction_failed_is_not_paid() -> None:
    # SQLite locks the whole order database: order-2's local transaction times out behind
    # order-1's; it stays UNPAID, nothing is sent for it, and no coupon is expected
    steps = (PAY, Pay(at_ms=T0, order="order-2"), SlowTx(at_ms=T0, order=O1, delay_ms=40_000))
    outcome = run_schedule(design("unique_key"), Schedule((O1, "order-2"), steps, producer="transaction"))
    assert outcome.ok and outcome.coupons == {O1: 1}


# -- reset -------------------------------------------------------------------------------------
def test_reset_back_to_the_start_delivers_again() -> None:
    later = Reset(at_ms=T0 + 10_000, delay_ms=0)
    assert run("no_dedupe", PAY, later) == {O1: 2}
    assert run("memory_set", PAY, later) == {O1: 1}  # the same process still has it in its set
    busy = (PAY, Slow(at_ms=T0, order=O1, statement=2, delay_ms=3000), Reset(at_ms=T0 + 2, delay_ms=0))
    assert run("query_then_insert", *busy) == {O1: 2}  # the queue pulled again while the first copy works
    assert run("unique_key", *busy) == {O1: 1}


def test_reset_on_pop_the_group_is_known_from_its_first_pop() -> None:
    outcome = run_schedule(design("no_dedupe"), Schedule((O1,), (PAY, Reset(at_ms=T0 + 10_000)), consumer="pop"))
    assert outcome.coupons == {O1: 2}
    assert len(outcome.trace.of(OffsetReset)) == 4  # one per queue


def test_reset_is_its_own_path_and_late_only_when_it_brings_back_an_hour_old_copy() -> None:
    assert Schedule((O1,), (PAY, Reset(at_ms=T0 + 10_000))).paths() == ["reset"]
    assert Schedule((O1,), (PAY, Reset(at_ms=T0 + 65 * MIN))).paths() == ["late-redelivery", "reset"]
    assert Schedule((O1,), (PAY, Reset(at_ms=T0 + 65 * MIN, delay_ms=T0 + 1))).paths() == ["reset"]


# -- how a schedule's paths are named ----------------------------------------------------------
def test_on_pop_every_consumer_side_fault_is_the_pop_path() -> None:
    steps = (PAY, Kill(at_ms=T0, client="c1"), Fail(at_ms=T0, order=O1), Join(at_ms=T0, client="c2"))
    assert Schedule((O1,), steps).paths() == ["crash", "rebalance", "reconsume-later"]
    assert Schedule((O1,), steps, consumer="pop").paths() == ["pop"]
    assert Schedule((O1,), (PAY, Slow(at_ms=T0, order=O1, delay_ms=31 * MIN))).paths() == ["consume-timeout"]
    assert Schedule((O1,), (PAY, Down(at_ms=T0, restart_after=65 * MIN)), "pop").paths() == ["late-redelivery", "pop"]
    assert Schedule((O1,), SLOW_TX, producer="transaction").paths() == ["transaction"]
    assert Schedule((O1,), (PAY,), producer="transaction").paths() == ["transaction"]


def test_the_paths_are_listed_in_the_check_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help", "--lang", "zh"])
    out = capsys.readouterr().out
    assert "重复消息路径（--paths）：" in out
    assert "pop: 优惠券系统跑在 RocketMQ 5 的 SimpleConsumer 上" in out


# -- JSON, tokens, determinism -----------------------------------------------------------------
NEW = Schedule(
    (O1, "order-2"),
    (
        PAY,
        Pay(at_ms=T0, order="order-2"),
        SlowTx(at_ms=T0, order=O1, delay_ms=27_000),
        LostEnd(at_ms=T0, order="order-2"),
        Reset(at_ms=T0 + 10_000, delay_ms=T0),
        Slow(at_ms=T0, order="order-2", statement=1, delay_ms=40_000),
        Join(at_ms=T0, client="c2"),
    ),
    consumer="pop",
    producer="transaction",
)


def test_the_new_steps_and_fields_go_through_json_and_a_token() -> None:
    text = NEW.to_json()
    assert text.startswith('{"consumer":"pop","orders":["order-1","order-2"],"producer":"transaction",')
    assert '{"at_ms":2000,"kind":"lost_end","order":"order-2"}' in text
    assert '{"at_ms":2000,"delay_ms":27000,"kind":"slow_tx","order":"order-1"}' in text
    assert Schedule.from_json(text) == NEW
    assert Schedule.from_token(NEW.token()) == NEW
    assert Schedule.from_token(NEW.token()).token() == NEW.token()
    # dropping an order keeps how the shop runs
    assert NEW.without_order(O1).consumer == "pop" and NEW.without_order(O1).producer == "transaction"
    assert NEW.without_step(0).consumer == "pop"


def test_the_defaults_are_left_out_so_old_tokens_stay_the_same() -> None:
    old = Schedule((O1,), (PAY, UpstreamRetry(at_ms=T0, order=O1)))
    assert old.to_json() == '{"orders":["order-1"],"steps":[{"at_ms":2000,"kind":"pay","order":"order-1"},' + (
        '{"at_ms":2000,"kind":"upstream_retry","order":"order-1"}]}'
    )
    said = Schedule.from_json('{"consumer":"push","orders":["order-1"],"producer":"plain","steps":[]}')
    assert said == Schedule((O1,)) and said.to_json() == '{"orders":["order-1"],"steps":[]}'


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ('{"consumer":"pull","orders":["a"],"steps":[]}', "consumer", "must be one of push, pop, got 'pull'"),
        ('{"orders":["a"],"producer":1,"steps":[]}', "producer", "must be one of plain, transaction, got 1"),
        (
            '{"orders":["a"],"steps":[{"at_ms":0,"kind":"lost_end","order":"a"}]}',
            "steps[0].kind",
            "a lost_end step needs a schedule whose producer is transaction, got 'plain'",
        ),
        (
            '{"orders":["a"],"producer":"transaction","steps":[{"at_ms":0,"kind":"slow_tx","order":"a"}]}',
            "steps[0].delay_ms",
            "must be from 1 to 604800000, got 0",
        ),
    ],
)
def test_a_bad_token_is_refused_with_the_field_named(text: str, where: str, message: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        Schedule.from_json(text)
    assert refused.value.where == where
    assert str(refused.value) == f"not a stored schedule: {where} {message}"


def test_a_schedule_refuses_a_deploy_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="consumer must be one of push, pop"):
        Schedule((O1,), consumer="pull")
    with pytest.raises(ValueError, match="producer must be one of plain, transaction"):
        Schedule((O1,), producer="tx")
    with pytest.raises(ValueError, match="slow_tx and lost_end steps need producer='transaction'"):
        Schedule((O1,), SLOW_TX)


# Tokens stored before the RocketMQ 5 paths (tests/test_schedule_tokens.py), replayed with
# query_then_insert at seed 0: the sha256 of each trace's JSON lines, as the code before
# them printed it. The push consumer and the plain producer run exactly as they did.
OLD_TRACES = {0: "ab72ea6ce85625d2", 1: "00823dab3f4cc4b8", 2: "18d6dd152cd81687"}


@pytest.mark.parametrize("index", sorted(OLD_TRACES))
def test_an_old_token_replays_byte_for_byte(index: int) -> None:
    from test_schedule_tokens import TOKENS

    outcome = replay(design("query_then_insert"), Schedule.from_token(TOKENS[index]), seed=0)
    assert hashlib.sha256(outcome.trace.to_jsonl().encode()).hexdigest()[:16] == OLD_TRACES[index]


def test_same_seed_same_trace_on_every_new_path() -> None:
    for schedule in (
        NEW,
        Schedule((O1,), HELD_PAST_INVISIBLE, "pop"),
        Schedule((O1,), SLOW_TX, producer="transaction"),
    ):
        first = run_schedule(design("no_dedupe"), schedule, seed=5).trace.to_jsonl()
        again = run_schedule(design("no_dedupe"), schedule, seed=5).trace.to_jsonl()
        other = run_schedule(design("no_dedupe"), schedule, seed=6).trace.to_jsonl()
        assert first == again
        assert first != other  # other msg ids, other queues


# -- the story, the figures, the strategies ------------------------------------------------------
def test_the_story_tells_the_new_steps_in_english_and_chinese() -> None:
    en, zh = schedule_in_words(NEW, "en"), schedule_in_words(NEW, "zh")
    assert en[0].startswith("00:00.000 the coupon system's processes are RocketMQ 5 SimpleConsumers (POP)")
    assert en[1].startswith("00:00.000 the order system sends every 'order paid' as a transactional message")
    assert any("the local transaction of order-1 takes 27 s" in line for line in en)
    assert any("END_TRANSACTION (COMMIT) for order-2 is lost" in line for line in en)
    assert any("is held 40 s before database statement 1, past its 30 s invisible duration" in line for line in en)
    assert any("c2 starts: a second SimpleConsumer of the group" in line for line in en)
    assert zh[0].startswith("00:00.000 优惠券系统的进程都是 RocketMQ 5 的 SimpleConsumer（POP）")
    assert any("order-1 的本地事务要执行 27 秒" in line for line in zh)
    assert any("二次确认）在路上丢了" in line for line in zh)
    crash = Schedule((O1,), (PAY, Crash(at_ms=T0, order=O1, client="c1", point="AFTER_HANDLER")), "pop")
    assert "after the handler returned, before its ack" in schedule_in_words(crash, "en")[-1]
    assert "消费逻辑返回之后、ack 之前" in schedule_in_words(crash, "zh")[-1]


def test_the_figures_count_what_the_new_paths_did() -> None:
    pop = run_schedule(design("unique_key"), Schedule((O1,), HELD_PAST_INVISIBLE, "pop"))
    stats = run_statistics(pop.trace, GROUP, TOPIC, pop.coupons, pop.schedule.paths())
    assert (stats.revived, stats.acks_refused) == (1, 1)
    tx = run_schedule(design("unique_key"), Schedule((O1,), SLOW_TX, producer="transaction"))
    stats = run_statistics(tx.trace, GROUP, TOPIC, tx.coupons, tx.schedule.paths())
    assert (stats.checks, stats.commits_again) == (2, 1)
    reset = run_schedule(design("unique_key"), Schedule((O1,), (PAY, Reset(at_ms=T0 + 10_000))))
    stats = run_statistics(reset.trace, GROUP, TOPIC, reset.coupons, reset.schedule.paths())
    assert stats.resets == 1 and stats.to_dict()["per_path"] == {"reset": 1}
    assert "resets" in stats.to_dict() and "revived" not in stats.to_dict()  # a figure is shown once it counts


def test_the_classic_paths_draw_no_deploy_and_pop_alone_always_pop() -> None:
    classic = [
        "upstream-retry",
        "lost-reply",
        "crash",
        "rebalance",
        "reconsume-later",
        "consume-timeout",
        "late-redelivery",
    ]
    drawn: list[Schedule] = []

    from hypothesis import given, settings

    @settings(max_examples=30, derandomize=True, database=None)
    @given(schedules(classic), schedules(["pop"]), schedules(["transaction"]))
    def draw(plain: Schedule, pop: Schedule, tx: Schedule) -> None:
        assert (plain.consumer, plain.producer) == ("push", "plain")
        assert pop.consumer == "pop" and pop.producer == "plain"
        assert tx.producer == "transaction" and tx.consumer == "push"
        assert not any(isinstance(s, SlowTx | LostEnd) for s in plain.steps + pop.steps)
        drawn.append(pop)

    draw()
    assert any(isinstance(s, Slow) and s.delay_ms > 30_000 for p in drawn for s in p.steps)


# -- exploring, and the fix matrix's new columns ---------------------------------------------------
@pytest.mark.parametrize("name", ["unique_key", "conditional_state"])
def test_a_right_design_passes_the_new_paths(name: str) -> None:
    result = explore(design(name), examples=30, seed=0, paths=["pop", "transaction", "reset"])
    assert result.ok, result.counterexample and result.counterexample.schedule.to_json()
    assert result.paths_seen == {"pop", "transaction", "reset"}


@pytest.mark.parametrize(
    ("name", "path"), [("query_then_insert", "pop"), ("mark_first", "pop"), ("no_dedupe", "transaction")]
)
def test_a_wrong_design_fails_the_new_path(name: str, path: str) -> None:
    result = explore(design(name), examples=60, seed=0, paths=[path])
    assert result.counterexample is not None
    assert path in result.counterexample.schedule.paths()


@pytest.mark.parametrize("column", ["G1", "H1", "R1"])
def test_minimq_check_replays_a_new_column(capsys: pytest.CaptureFixture[str], column: str) -> None:
    assert main(["check", "no_dedupe", "--replay", column, "--no-color", "--width", "200"]) == 1
    assert "order-1 got 2 coupons: a duplicate coupon." in capsys.readouterr().out
    assert main(["check", "unique_key", "--replay", column, "--no-color", "--width", "200"]) == 0
