"""minimq check: usage errors are named (exit 2); the lab plays schedules faithfully."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from minimq.apps.design import DESIGNS_DIR
from minimq.cli import main
from minimq.events import FaultInjected
from minimq.testing import Schedule, load_design, run_schedule
from minimq.testing.design import DesignError
from minimq.testing.steps import Crash, Fail, LostReply, Pay, UpstreamRetry
from minimq.testing.story import schedule_in_words

ROOT = Path(__file__).resolve().parent.parent
QTI = DESIGNS_DIR / "query_then_insert.py"


def write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "design.py"
    path.write_text(source)
    return path


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("def handle(msg, db)\n    pass\n", "syntax error in"),
        ("x = 1\n", "defines no handle(msg, db)"),
        ("def handle(msg):\n    pass\n", "handle must take exactly (msg, db), but its signature is handle(msg)"),
        ("handle = 3\n", "handle is a int, not a function"),
        ("def handle(msg, db): ...\nasync def setup(db): ...\n", "setup must be a plain `def setup(db):`"),
        ("raise RuntimeError('boom')\n", "raised RuntimeError: boom"),
    ],
)
def test_bad_design_is_named_and_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, source: str, needle: str
) -> None:
    code = main(["check", str(write(tmp_path, source))])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(tmp_path / "missing.py")]) == 2
    assert "design file not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--paths", "crash,teleport"], "unknown path(s) teleport"),
        (["--paths", ",,,"], "--paths names no path (got ',,,')"),
        (["--paths", ""], "--paths names no path (got '')"),
        (["--examples", "0"], "--examples must be a whole number from 1 to 1,000,000, got 0"),
        (["--examples", "-3"], "got -3"),
        (["--examples", str(10**30)], f"got {10**30}"),
        (["--width", "0"], "--width must be at least 40 columns, got 0"),
        (["--width", "-5"], "got -5"),
        (["--jobs", "0"], "--jobs must be from 1 to 64, got 0"),
        (["--timeout", "0"], "--timeout must be a positive number of seconds"),
        (["--timeout", "nan"], "got nan"),
        (["--timeout", "inf"], "got inf"),
        (["--timeout", "-1"], "got -1.0"),
        (["--replay", "not-a-token!"], "not a replay token"),
    ],
)
def test_bad_options_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    assert main(["check", str(QTI), *argv]) == 2
    assert needle in capsys.readouterr().err


def test_schedule_token_round_trip() -> None:
    schedule = Schedule(
        ("order-1",),
        (Pay(at_ms=0, order="order-1"), Crash(at_ms=5, order="order-1", client="c1", point="AFTER_HANDLER")),
    )
    assert Schedule.from_token(schedule.token()) == schedule
    assert Schedule.from_token(schedule.to_json()) == schedule
    assert schedule.paths() == ["crash"]


def test_lab_counts_committed_coupons_per_paid_order() -> None:
    design = load_design(QTI)
    calm = run_schedule(
        design, Schedule(("order-1", "order-2"), (Pay(at_ms=0, order="order-1"), Pay(at_ms=3, order="order-2")))
    )
    assert calm.coupons == {"order-1": 1, "order-2": 1}
    assert calm.ok
    raced = run_schedule(design, Schedule(("order-1",), (LostReply(at_ms=0, order="order-1", how="fast_fail"),)))
    assert raced.duplicated == {"order-1": 2}
    assert not raced.ok


def test_a_crash_between_statements_rolls_back_the_open_transaction() -> None:
    design = load_design(QTI)
    steps = (
        Pay(at_ms=0, order="order-1"),
        Crash(at_ms=0, order="order-1", client="c1", point="BEFORE_STATEMENT", statement=3, restart_after=500),
    )
    outcome = run_schedule(design, Schedule(("order-1",), steps))
    events = [e.action for e in outcome.world.trace.events if getattr(e, "action", "") == "db_rolled_back"]
    assert events == ["db_rolled_back"]  # the INSERT before the crash never committed
    assert outcome.coupons == {"order-1": 1}  # the redelivery issued the one coupon


def test_a_commit_whose_reply_is_lost_is_applied_and_the_handler_sees_an_error() -> None:
    """An ambiguous commit: the COMMIT reached the database, then the connection dropped.
    The retry finds the coupon there: a design that trusts the error issues a second one,
    a UNIQUE business key refuses it."""
    designs = Path(QTI).parent
    steps = (Pay(at_ms=0, order="order-1"), Fail(at_ms=0, order="order-1", statement=2, times=1, how="after"))
    schedule = Schedule(("order-1",), steps)
    naive = run_schedule(load_design(designs / "no_dedupe.py"), schedule)  # INSERT, COMMIT (2nd)
    assert naive.duplicated == {"order-1": 2}
    faults = [e.detail for e in naive.world.trace.of(FaultInjected) if e.fault == "fail_statement"]
    assert faults == ["order-1: the connection dropped after statement 2 (COMMIT) ran, before its reply"]
    assert "the connection drops right after statement 2" in schedule_in_words(schedule)[1]
    unique = run_schedule(load_design(designs / "unique_key.py"), schedule)
    assert unique.coupons == {"order-1": 1}


def test_a_statement_that_fails_before_it_runs_leaves_nothing() -> None:
    designs = Path(QTI).parent
    steps = (Pay(at_ms=0, order="order-1"), Fail(at_ms=0, order="order-1", statement=2, times=1))
    outcome = run_schedule(load_design(designs / "no_dedupe.py"), Schedule(("order-1",), steps))
    assert outcome.coupons == {"order-1": 1}  # the COMMIT never ran; the retry issued the coupon


def test_a_late_duplicate_passes_a_dedupe_key_that_expired(tmp_path: Path) -> None:
    """What docs/testing.md tells users to do for a duplicate later than the exploration
    generates (it brings copies an hour, or a consumer's day down, later): a schedule of
    their own."""
    path = tmp_path / "ttl_design.py"
    path.write_text(
        "import json\nfrom minimq import ConsumeStatus\n"
        "async def handle(msg, db):\n"
        "    order = json.loads(msg.body)['order']\n"
        "    if not await db.redis.set(f'seen:{order}', '1', nx=True, ex=3600):\n"
        "        return ConsumeStatus.SUCCESS\n"
        "    await db.execute('INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) "
        "VALUES (?, ?, 10, ?, ?)', (order, 'u', msg.msg_id, db.now_ms))\n"
        "    await db.commit()\n"
        "    return ConsumeStatus.SUCCESS\n"
    )
    design = load_design(path)
    soon = (Pay(at_ms=0, order="order-1"), UpstreamRetry(at_ms=30 * 60_000, order="order-1"))
    late = (Pay(at_ms=0, order="order-1"), UpstreamRetry(at_ms=2 * 3600_000, order="order-1"))
    assert run_schedule(design, Schedule(("order-1",), soon)).coupons == {"order-1": 1}
    assert run_schedule(design, Schedule(("order-1",), late)).coupons == {"order-1": 2}


def test_module_state_dies_with_the_process(tmp_path: Path) -> None:
    source = (
        "import json\nfrom minimq import ConsumeStatus\nSEEN = set()\n"
        "async def handle(msg, db):\n"
        "    order = json.loads(msg.body)['order']\n"
        "    if order in SEEN:\n        return ConsumeStatus.SUCCESS\n"
        "    await db.execute('INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) "
        "VALUES (?, ?, 10, ?, ?)', (order, 'u', msg.msg_id, db.now_ms))\n"
        "    await db.commit()\n    SEEN.add(order)\n    return ConsumeStatus.SUCCESS\n"
    )
    design = load_design(write(tmp_path, source))
    steps = (
        Pay(at_ms=0, order="order-1"),
        Crash(at_ms=0, order="order-1", client="c1", point="AFTER_HANDLER", restart_after=500),
    )
    assert run_schedule(design, Schedule(("order-1",), steps)).coupons == {"order-1": 2}


def test_design_error_is_a_value_error() -> None:
    with pytest.raises(DesignError):
        load_design("/nonexistent/design.py")


def step(kind: str = "pay", **fields: object) -> dict[str, object]:
    """One stored step, at 0 ms for order-1 unless ``fields`` say otherwise."""
    return {"at_ms": 0, "kind": kind, "order": "order-1", **fields}


CRASH = {"client": "c1", "point": "AFTER_HANDLER"}


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        ([step("crash", **CRASH | {"point": "NOWHERE"})], "steps[0].point must be one of BEFORE_HANDLER"),
        ([step("crash", **CRASH | {"client": "c9"})], "steps[0].client must be one of c1, c2, got 'c9'"),
        ([step(at_ms=10**15)], "steps[0].at_ms must be from 0 to 604800000, got 1000000000000000"),
        ([step(at_ms=-1)], "steps[0].at_ms must be from 0 to 604800000, got -1"),
        ([step(at_ms="soon")], "steps[0].at_ms must be a whole number, got 'soon'"),
        ([step(at_ms=1.5)], "steps[0].at_ms must be a whole number, got 1.5"),
        ([step(at_ms=True)], "steps[0].at_ms must be a whole number, got True"),
        ([{"at_ms": 0, "kind": "teleport"}], "steps[0].kind must be one of"),
        ([{"at_ms": 0, "kind": ["pay"]}], "steps[0].kind must be one of broker_crash, crash, down, fail, join"),
        ([step(order="order-7")], "steps[0].order must be an order of the schedule (order-1), got 'order-7'"),
        ([step(wings=2)], "steps[0].wings is no field of a schedule"),
        ([step(delay_ms=5)], "steps[0].delay_ms is not a setting of a pay step, got 5"),
        ([step("slow", delay_ms=10**12)], "steps[0].delay_ms must be from 0 to 604800000"),
        ([step("fail", statement=2, times=99)], "steps[0].times must be from 0 to 16, got 99"),
        ([step("crash", **CRASH | {"point": "BEFORE_STATEMENT"})], "steps[0].statement must be from 1 to 100, got 0"),
        ([{"at_ms": 5, "kind": "reset", "delay_ms": 10}], "steps[0].delay_ms must be from 0 to 5, got 10"),
        (["pay"], "steps[0] must be a JSON object, got a str"),
    ],
)
def test_every_field_of_a_replay_token_is_checked(
    capsys: pytest.CaptureFixture[str], steps: list[dict[str, object]], needle: str
) -> None:
    token = base64.urlsafe_b64encode(json.dumps({"orders": ["order-1"], "steps": steps}).encode()).decode()
    assert main(["check", str(QTI), "--replay", token]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"orders": [], "steps": []}', "orders must be a list of 1 to 100 order ids, got []"),
        ('{"orders": ["a", "a"], "steps": []}', "orders names an order twice"),
        ('{"orders": ["order-1"], "steps": [], "extra": 1}', "extra is no field of a schedule"),
        (
            '{"orders": ["order-1"], "steps": [{"at_ms": NaN, "kind": "pay", "order": "order-1"}]}',
            "its JSON does not parse",
        ),
        ("[" * 100_000, "its JSON does not parse"),
        ("[1, 2]", "must be a JSON object, got a list"),
    ],
)
def test_a_schedule_that_is_not_one_is_named(capsys: pytest.CaptureFixture[str], text: str, needle: str) -> None:
    assert main(["check", str(QTI), "--replay", text]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
