"""``minimq check``'s broker-fault paths: ``broker-crash`` (P13) and ``failover`` (P14).

The broker crashes (``BrokerCrash``: the process, or with ``how="os"`` its machine) and
restarts 10 s later with the consumer offsets of its last 5 s flush; a coupon process
killed in the window starts the queue from there and consumes again. Each hand-written
schedule is replayed to a known verdict for a right and a wrong design; the step goes
through JSON and back; tokens stored before it still read the same; exploration is kept
to a few dozen schedules. With a ``master_down`` step the lab's broker has a slave that
serves reads; the master's loss and a deploy just after it is back duplicate the outage
(lesson 16's shape, the fix matrix's J1).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from minimq.apps.design import DESIGNS_DIR
from minimq.cli import main
from minimq.errors import ValidationError
from minimq.events import BrokerCrashed, OffsetPersisted, OffsetRestored
from minimq.testing import Schedule, explore, load_design, run_schedule
from minimq.testing.lab import GROUP, TOPIC
from minimq.testing.matrix import column_named, schedule_of
from minimq.testing.schedule import PATHS, READY_MS
from minimq.testing.schedule_check import ScheduleError
from minimq.testing.stats import run_statistics
from minimq.testing.steps import BrokerCrash, Kill, MasterDown, Pay
from minimq.testing.story import schedule_in_words

PAY = Pay(at_ms=READY_MS, order="order-1")


def design(name: str) -> str:
    return str(DESIGNS_DIR / f"{name}.py")


def crash_then_kill(kill_at: int, how: str = "") -> Schedule:
    """The broker down from 11 s to 21 s (before its 15 s flush of c1's 10 s persist);
    c1 killed at ``kill_at`` and back 500 ms later."""
    steps = (PAY, BrokerCrash(at_ms=11_000, how=how), Kill(at_ms=kill_at, client="c1", restart_after=500))
    return Schedule(("order-1",), steps)


@pytest.mark.parametrize(
    ("kill_at", "how"),
    [(12_000, ""), (22_000, ""), (13_000, "os")],  # in the window, just after the restart, an OS crash
)
def test_a_restart_around_a_broker_crash_duplicates_only_a_wrong_design(kill_at: int, how: str) -> None:
    schedule = crash_then_kill(kill_at, how)
    assert schedule.paths() == ["crash", "broker-crash"]
    wrong = run_schedule(load_design(design("no_dedupe")), schedule)
    assert wrong.coupons == {"order-1": 2}
    assert wrong.kinds() == {"duplicate"}
    for name in ("unique_key", "unique_key_sync", "conditional_state"):
        right = run_schedule(load_design(design(name)), schedule)
        assert right.ok, (name, right.kinds())
        assert right.coupons == {"order-1": 1}
    crashed = wrong.trace.of(BrokerCrashed)
    assert [(e.at_ms, e.how) for e in crashed] == [(11_000, "os" if how else "process")]
    assert any(e.offset < e.previous for e in wrong.trace.of(OffsetRestored) if e.group == GROUP)


def test_a_broker_crash_alone_brings_nothing_back() -> None:
    """The running coupon process keeps its offsets in memory and persists them again."""
    schedule = Schedule(("order-1",), (PAY, BrokerCrash(at_ms=11_000)))
    outcome = run_schedule(load_design(design("no_dedupe")), schedule)
    assert outcome.ok and outcome.coupons == {"order-1": 1}
    stats = run_statistics(outcome.trace, GROUP, TOPIC, outcome.coupons, schedule.paths())
    assert stats.broker_crashes == 1
    assert stats.to_dict()["per_path"] == {"broker-crash": 1}


def test_the_fix_matrix_column_i1() -> None:
    column = column_named("i1")
    assert column is not None and column.path == "P13"
    schedule = schedule_of(column)
    assert run_schedule(load_design(design("memory_set")), schedule).coupons == {"order-1": 2}
    assert run_schedule(load_design(design("query_then_insert")), schedule).ok  # the copies do not overlap


def test_minimq_check_replays_i1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "no_dedupe", "--replay", "I1", "--no-color", "--width", "200"]) == 1
    out = capsys.readouterr().out
    assert "order-1 got 2 coupons: a duplicate coupon." in out
    assert "the broker crashes (the process dies), back 10 s later" in out
    assert main(["check", "unique_key", "--replay", "I1", "--no-color", "--width", "200"]) == 0


def test_the_step_goes_through_json_and_back() -> None:
    schedule = Schedule(
        ("order-1",), (PAY, BrokerCrash(at_ms=11_000), BrokerCrash(at_ms=40_000, how="os", restart_after=30_000))
    )
    assert Schedule.from_json(schedule.to_json()) == schedule
    assert Schedule.from_token(schedule.token()) == schedule
    assert '{"at_ms":11000,"kind":"broker_crash"}' in schedule.to_json()  # defaults left out


def test_a_stored_broker_crash_is_checked() -> None:
    base = '{"orders":["order-1"],"steps":[%s]}'
    with pytest.raises(ScheduleError, match=r"steps\[0\]\.how"):
        Schedule.from_json(base % '{"at_ms":1,"kind":"broker_crash","how":"power"}')
    with pytest.raises(ScheduleError, match=r"steps\[0\]\.order"):
        Schedule.from_json(base % '{"at_ms":1,"kind":"broker_crash","order":"order-1"}')
    overlapping = '{"at_ms":1000,"kind":"broker_crash"},{"at_ms":5000,"kind":"broker_crash"}'
    with pytest.raises(ScheduleError, match=r"steps\[1\]\.at_ms"):
        Schedule.from_json(base % overlapping)
    with pytest.raises(ValidationError):
        Schedule(("order-1",), (BrokerCrash(at_ms=1000), BrokerCrash(at_ms=11_000)))
    Schedule(("order-1",), (BrokerCrash(at_ms=1000), BrokerCrash(at_ms=11_001)))  # back at 11 s: fine


def test_a_token_stored_before_the_path_reads_the_same() -> None:
    old = Schedule(("order-1",), (PAY, Kill(at_ms=READY_MS, client="c1", restart_after=500)))
    token = (
        "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjIwMDAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7"
        "ImF0X21zIjoyMDAwLCJjbGllbnQiOiJjMSIsImtpbmQiOiJraWxsIiwicmVzdGFydF9hZnRlciI6NTAwfV19"
    )
    assert Schedule.from_token(token) == old and old.token() == token


def test_the_story_tells_it_in_both_languages() -> None:
    schedule = crash_then_kill(12_000, "os")
    en = schedule_in_words(schedule, "en")
    zh = schedule_in_words(schedule, "zh")
    assert any("OS crash" in line for line in en)
    assert any("操作系统崩溃" in line and "CommitLog" in line for line in zh)
    assert "broker-crash" in PATHS


def test_the_right_designs_pass_the_path() -> None:
    for name in ("unique_key", "conditional_state"):
        result = explore(design(name), examples=25, seed=0, paths=["broker-crash"])
        assert result.ok, result.counterexample and result.counterexample.schedule.to_json()
        assert "broker-crash" in result.paths_seen
        assert result.stats.broker_crashes > 0


def test_a_wrong_design_fails_the_path() -> None:
    result = explore(design("no_dedupe"), examples=40, seed=0, paths=["broker-crash"])
    assert result.counterexample is not None
    assert "broker-crash" in result.counterexample.schedule.paths()


# -- failover (P14): a master lost while the coupon system reads from its slave -------------------
def test_j1_duplicates_only_a_wrong_design_and_needs_the_master_down() -> None:
    column = column_named("J1")
    assert column is not None and column.path == "P14"
    schedule = schedule_of(column)
    assert schedule.slave() and "failover" in schedule.paths()
    wrong = run_schedule(load_design(design("no_dedupe")), schedule)
    assert wrong.coupons == {"order-1": 2} and wrong.kinds() == {"duplicate"}
    persisted = {e.store for e in wrong.trace.of(OffsetPersisted) if e.group == GROUP}
    assert "slave" in persisted  # the offsets of the outage went to the slave
    for name in ("unique_key", "unique_key_sync", "conditional_state"):
        assert run_schedule(load_design(design(name)), schedule).ok, name
    control = replace(schedule, steps=tuple(s for s in schedule.steps if not isinstance(s, MasterDown)))
    assert not control.slave()
    assert run_schedule(load_design(design("no_dedupe")), control).coupons == {"order-1": 1}


def test_a_failover_step_goes_through_json_and_is_checked() -> None:
    schedule = Schedule(("order-1",), (PAY, MasterDown(at_ms=68_000), MasterDown(at_ms=400_000, restart_after=5000)))
    assert Schedule.from_token(schedule.token()) == schedule
    base = '{"orders":["order-1"],%s"steps":[%s]}'
    down = '{"at_ms":1000,"kind":"master_down"}'
    with pytest.raises(ScheduleError, match=r"steps\[0\]\.kind"):
        Schedule.from_json(base % ('"consumer":"pop",', down))
    with pytest.raises(ScheduleError, match=r"steps\[1\]\.how"):
        Schedule.from_json(base % ("", down + ',{"at_ms":500000,"kind":"broker_crash","how":"os"}'))
    with pytest.raises(ScheduleError, match=r"steps\[1\]\.at_ms"):  # the master is down until 238 s
        Schedule.from_json(base % ("", down + ',{"at_ms":200000,"kind":"broker_crash"}'))
    with pytest.raises(ValidationError):
        Schedule(("order-1",), (MasterDown(at_ms=1000),), consumer="pop")


def test_the_failover_story_says_the_slave_serves_reads() -> None:
    schedule = schedule_of(column_named("J1"))  # type: ignore[arg-type]
    en, zh = schedule_in_words(schedule, "en"), schedule_in_words(schedule, "zh")
    assert "slaveReadEnable=true" in en[0] and "slaveReadEnable=true" in zh[0]
    assert any("master goes down" in line for line in en)
    assert any("Master 宕机" in line for line in zh)


def test_failover_is_explored_and_passed_by_a_right_design() -> None:
    result = explore(design("unique_key"), examples=8, seed=0, paths=["failover"])
    assert result.ok and "failover" in result.paths_seen
    wrong = explore(design("no_dedupe"), examples=20, seed=0, paths=["failover"])
    assert wrong.counterexample is not None and wrong.counterexample.schedule.slave()


@pytest.mark.parametrize("code", ["I1", "J1"])
def test_same_seed_same_trace(code: str) -> None:
    schedule = schedule_of(column_named(code))  # type: ignore[arg-type]
    loaded = load_design(design("no_dedupe"))
    first = run_schedule(loaded, schedule, seed=5).trace.to_jsonl()
    assert first == run_schedule(loaded, schedule, seed=5).trace.to_jsonl()
    assert first != run_schedule(loaded, schedule, seed=6).trace.to_jsonl()  # other msg ids
