"""The shipped designs in minimq/designs, checked against the ladder of fixes.

Each wrong design has a counterexample of the kind the reference predicts (a duplicate,
or for "mark first" a lost coupon), and the path its docstring names breaks it on its
own; each right design survives every path. A table of hand-written schedules, one per
duplication path, pins down which fix closes which path (minimq/designs/README.md) as
far as minimq models it. ``minimq check`` is exercised end to end: exit codes, the replay command and
``--json``.

Kept fast for CI (roughly 35 schedules/s on two cores); ``HYPOTHESIS_PROFILE=thorough``
explores far more schedules for the right designs.
"""

from __future__ import annotations

import json
import os
import re
import shlex

import pytest

from minimq.apps.design import DESIGNS_DIR
from minimq.cli import main
from minimq.lessons.fix_matrix import LADDER
from minimq.testing import Schedule, explore, load_design, run_schedule
from minimq.testing.matrix import COLUMNS, run_matrix, schedule_of
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import READY_MS
from minimq.testing.steps import Kill, Pay

DESIGNS = DESIGNS_DIR
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
RIGHT_EXAMPLES = 1000 if THOROUGH else 50  # every path, per right design
WRONG_EXAMPLES = 600 if THOROUGH else 300  # a cap: exploration stops at the first counterexample
SAME_MSG_EXAMPLES = 300 if THOROUGH else 30

RIGHT = ["unique_key", "unique_key_sync", "conditional_state"]
WRONG = {  # design -> what goes wrong
    "no_dedupe": "duplicated",
    "memory_set": "duplicated",
    "query_then_insert": "duplicated",
    "query_then_insert_sync": "duplicated",
    "mark_first": "lost",
    "redis_do_then_mark": "duplicated",
    "redis_do_then_mark_1h": "duplicated",
    "msgid_table": "duplicated",
    "unique_key_reconsume": "retried",  # one coupon, but a recognised duplicate answered RECONSUME_LATER
}
FIX = {
    "no_dedupe": "F0",
    "memory_set": "F1",
    "query_then_insert": "F2",
    "query_then_insert_sync": "F2",
    "mark_first": "F3",
    "redis_do_then_mark": "F4",
    "redis_do_then_mark_1h": "F4",
    "msgid_table": "F6",
    "unique_key": "F7",
    "unique_key_sync": "F7",
    "unique_key_reconsume": "F7",
    "conditional_state": "F9",
}


def design(name: str) -> str:
    return str(DESIGNS / f"{name}.py")


def assert_kind(name: str, outcome: Outcome, kind: str) -> None:
    coupons = outcome.coupons
    duplicated = {o: n for o, n in coupons.items() if n > 1}
    lost = [o for o, n in coupons.items() if n == 0]
    if kind == "retried":  # every coupon right, the listener wrong: retried after its effect
        kinds = {v.kind for v in outcome.violations}
        assert not duplicated and not lost and "retried_after_effect" in kinds, f"{name}: got {coupons}, {kinds}"
    elif kind == "duplicated":
        assert duplicated and not lost, f"{name}: expected a duplicate and nothing lost, got {coupons}"
    else:
        assert lost and not duplicated, f"{name}: expected a lost coupon and no duplicate, got {coupons}"


# -- the files themselves --------------------------------------------------------------
def test_every_design_file_is_classified() -> None:
    assert {p.stem for p in DESIGNS.glob("*.py")} == set(RIGHT) | set(WRONG)


@pytest.mark.parametrize("name", sorted(FIX))
def test_docstring_names_the_fix_and_the_verdict(name: str) -> None:
    doc = load_design(design(name)).instance().__doc__ or ""
    assert doc.startswith(FIX[name]), doc[:40]
    verdict = "Right" if name in RIGHT else "Wrong"
    assert f"\n{verdict}" in doc, doc


def test_sync_and_async_handlers_load() -> None:
    assert not load_design(design("unique_key_sync")).is_async
    assert not load_design(design("query_then_insert_sync")).is_async
    for name in ("unique_key", "conditional_state", "mark_first", "redis_do_then_mark"):
        assert load_design(design(name)).is_async, name


# -- exploration ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_design_has_a_counterexample_of_the_predicted_kind(name: str) -> None:
    result = explore(design(name), examples=WRONG_EXAMPLES, seed=0)
    assert not result.ok, f"{name}: no counterexample in {result.examples} schedules"
    assert result.counterexample is not None
    assert_kind(name, result.counterexample, WRONG[name])


@pytest.mark.parametrize(
    ("name", "path", "kind"),
    [
        ("memory_set", "crash", "duplicated"),  # a restart wipes the set
        ("query_then_insert", "rebalance", "duplicated"),  # the old and the new owner overlap
        ("mark_first", "reconsume-later", "lost"),  # a failed insert leaves the mark behind
        ("mark_first", "crash", "lost"),  # a crash after the mark, before the commit
        ("msgid_table", "upstream-retry", "duplicated"),  # a new message, a new msg id
    ],
)
def test_the_path_named_in_the_docstring_breaks_it_alone(name: str, path: str, kind: str) -> None:
    result = explore(design(name), examples=WRONG_EXAMPLES, seed=0, paths=[path])
    assert result.counterexample is not None, f"{name} survived {result.examples} schedules of {path}"
    assert_kind(name, result.counterexample, kind)


def test_msgid_table_absorbs_every_redelivery_of_the_same_message() -> None:
    paths = ["crash", "rebalance", "reconsume-later", "consume-timeout"]
    result = explore(design("msgid_table"), examples=SAME_MSG_EXAMPLES, seed=0, paths=paths)
    assert result.ok, result.counterexample and result.counterexample.coupons


@pytest.mark.parametrize("name", RIGHT)
def test_right_design_survives_every_path(name: str) -> None:
    result = explore(design(name), examples=RIGHT_EXAMPLES, seed=0)
    bad = result.counterexample
    assert bad is None, f"{name}: {bad.coupons} under {bad.schedule.to_json()}"
    assert result.examples == RIGHT_EXAMPLES
    if not THOROUGH:
        return
    assert result.paths_seen == set(result.paths)


# -- the matrix, one hand-written schedule per path (the fix-matrix lesson's columns) ---------------
PAY = Pay(at_ms=READY_MS, order="order-1")
SCHEDULES = {column.code: schedule_of(column) for column in COLUMNS}
# Coupons for order-1. A: upstream retry, B: lost send reply (same Message, new Message,
# the producer's own fast retry), C: crash after the handler / before statement 1, 2 or 4
# (a Redis command counts as a statement, like SQL and COMMIT), D: a consumer joins while
# four orders' handlers (one per queue) wait 3 s before their first statement: the two
# on the queues that move are delivered again by c2 and done before c1's copies run, so
# only what one process cannot see breaks (no dedupe, the in-memory set); the order that
# went worst counts (the old owner's results are discarded),
# E: statement 1 or 2 fails, or statement 2 or 3 runs and then its reply is lost (the
# connection drops: a COMMIT went through, the handler sees an error), F: consume
# timeout, held before the handler or before its statement 2 (in the middle of its work,
# so the retry copy overlaps it), G: on POP, held 40 s before statement 2 while c2 runs:
# the revived copy overlaps the first (what "mark first" claims before it holds, and the
# msg id table's row lock, absorb), H: a transactional "order paid" committed twice with
# one msg id (only no dedupe lets the second through: each copy comes alone, 18 s apart),
# R: an operator's reset while the handler is busy: the queue is pulled again and the
# copies overlap, I: the broker crashes before its flush of the offsets and c1 is
# restarted while it is down: the new process starts the queue from the broker's older
# offset (the copies come 20 s apart, so only what one process cannot see breaks), J: the
# master is lost while the coupon system, down when the order came, is out; it consumes
# from the slave, and a deploy just after the master is back reads the master's older
# offset (lesson 16's shape: the copies come minutes apart).
MATRIX = {
    #                      A1 A2 B1 B2 B3 C1 C2 C3 C4 D1 E1 E2 E3 E4 F1 F2 G1 H1 R1 I1 J1
    "no_dedupe":          (2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 1, 1, 2, 1, 2, 2, 2, 2, 2, 2, 2),
    "memory_set":         (2, 1, 1, 1, 2, 2, 1, 1, 1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 2, 2, 2),
    "query_then_insert":  (2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 2, 1, 1),
    "query_then_insert_sync": (2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 2, 1, 1),
    "mark_first":         (1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1),
    "redis_do_then_mark": (2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1),
    "msgid_table":        (2, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
    "unique_key":         (1,) * 21,
    "unique_key_reconsume": (1,) * 21,
    "unique_key_sync":    (1,) * 21,
    "conditional_state":  (1,) * 21,
}  # fmt: skip


def _worst(coupons: dict[str, int]) -> int:
    """The coupons of the order that went worst: a duplicate before a loss, then one."""
    return max(coupons.values()) if max(coupons.values()) > 1 else min(coupons.values())


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_fix_by_path_matrix(name: str) -> None:
    loaded = load_design(design(name))
    got = tuple(_worst(run_schedule(loaded, schedule).coupons) for schedule in SCHEDULES.values())
    assert dict(zip(SCHEDULES, got, strict=True)) == dict(zip(SCHEDULES, MATRIX[name], strict=True))


# Coupons for one order when c1 is killed (and restarted 500 ms later) at each of the first
# 40 ms after the order is paid: the handler runs from 2 ms to about 10 ms, so every gap
# between two statements is hit. "Do then mark" double-issues only when the kill falls between its commit and its
# SET, a 1 ms window that random exploration seldom hits; "mark first" loses the coupon
# when the kill falls between its SET and its commit.
KILLED_AT = {
    "no_dedupe": {1, 2},
    "memory_set": {1, 2},
    "query_then_insert": {1},
    "query_then_insert_sync": {1},
    "mark_first": {0, 1},
    "redis_do_then_mark": {1, 2},
    "msgid_table": {1},
    "unique_key": {1},
    "unique_key_reconsume": {1},
    "unique_key_sync": {1},
    "conditional_state": {1},
}


@pytest.mark.parametrize("name", sorted(KILLED_AT))
def test_a_kill_at_every_millisecond(name: str) -> None:
    loaded = load_design(design(name))
    counts = {}
    for at in range(READY_MS, READY_MS + 40):
        steps = (PAY, Kill(at_ms=at, client="c1", restart_after=500))
        counts[at] = run_schedule(loaded, Schedule(("order-1",), steps)).coupons["order-1"]
    assert set(counts.values()) == KILLED_AT[name], counts
    if name == "redis_do_then_mark":
        assert list(counts.values()).count(2) == 1, counts


# -- minimq check, end to end ---------------------------------------------------------------
def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["check", *argv])
    return code, capsys.readouterr().out


def test_check_fails_a_wrong_design_and_its_replay_reproduces_it(capsys: pytest.CaptureFixture[str]) -> None:
    path = design("redis_do_then_mark")
    code, out = check(capsys, path, "--examples", "60", "--no-color", "--width", "200")
    assert code == 1
    assert out.startswith(f"FAIL {path}: a counterexample after")
    assert "got 2 coupons" in out
    line = next(x for x in out.splitlines() if x.startswith("minimq check "))
    argv = shlex.split(line)[1:]
    assert argv[:4] == ["check", path, "--seed", "0"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", argv[argv.index("--replay") + 1])
    code, again = check(capsys, *argv[1:], "--no-color", "--width", "200")
    assert code == 1
    assert "the stored schedule still breaks the design" in again
    assert "got 2 coupons" in again


def test_check_passes_a_right_design(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(capsys, design("unique_key_sync"), "--examples", "20", "--no-color", "--width", "200")
    assert code == 0
    assert "OK" in out
    assert "no violation in 20 schedules" in out


def test_check_json_for_a_lost_coupon_and_its_replay(capsys: pytest.CaptureFixture[str]) -> None:
    path = design("mark_first")
    code, out = check(capsys, path, "--examples", "100", "--json")
    data = json.loads(out)
    assert code == 1
    assert data["ok"] is False
    bad = data["counterexample"]
    assert 0 in bad["coupons"].values()
    assert bad["replay"].endswith(f"--replay {bad['token']}")
    stored = json.dumps(bad["schedule"], separators=(",", ":"), sort_keys=True)
    assert Schedule.from_token(bad["token"]).to_json() == stored
    code, out = check(capsys, path, "--replay", bad["token"], "--json")
    replayed = json.loads(out)
    assert code == 1
    assert replayed["ok"] is False
    assert replayed["coupons"] == bad["coupons"]


def test_check_json_for_a_right_design(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(capsys, design("conditional_state"), "--examples", "20", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["ok"] is True
    assert data["examples"] == 20
    assert "counterexample" not in data


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_matrix_column_catches_some_design_whatever_the_seed(seed: int) -> None:
    # a column where every design comes out right would show nothing (D1 did, when its one
    # order landed on a queue the join does not move). C2 and E1 are the controls: a crash
    # before any work, or a first statement that fails, redelivers a message nobody has
    # acted on, which every design survives
    rows = run_matrix([load_design(design(name)) for name in LADDER], seed)
    for i, column in enumerate(COLUMNS):
        caught = any(row[i].outcome != "ok" for row in rows)
        assert caught == (column.code not in ("C2", "E1")), (column.code, seed)
