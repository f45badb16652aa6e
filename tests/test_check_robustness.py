"""minimq check survives whatever the design does: every misbehaviour gets a clear verdict.

Exit codes: 0 no violation, 1 a counterexample, 2 the design or the command is wrong,
130 interrupted. The design runs in worker processes: it can loop, block, sleep, exit,
print or kill its own process; the checker reports it and cleans up after itself.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from minimq.apps.db import scratch_dir
from minimq.apps.design import DESIGNS_DIR
from minimq.cli import main
from minimq.testing import Schedule, load_design, run_schedule
from minimq.testing.scratch import PREFIX, process_dir
from minimq.testing.steps import Pay, UpstreamRetry

DESIGNS = DESIGNS_DIR
SCRATCH = Path(scratch_dir() or "/tmp")


def write(tmp_path: Path, source: str, name: str = "design.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- user code that never gives control back --------------------------------------------------
@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("    while True:\n        pass\n", "while True:"),
        ("    import socket\n    here, there = socket.socketpair()\n    here.recv(1)\n", "here.recv(1)"),
    ],
    ids=["busy-loop", "blocking-read"],
)
def test_a_stuck_handler_is_stopped_and_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, line: str
) -> None:
    design = tmp_path / "design.py"
    design.write_text("def handle(msg, db):\n" + body)
    started = time.monotonic()
    code, out, err = check(capsys, str(design), "--timeout", "0.5", "--width", "200", "--no-color")
    assert code == 1, err
    assert time.monotonic() - started < 30
    assert f"ran for more than 0.5 s of wall-clock time at {design}:" in out
    assert f"({line})" in out and "while c1 handled order-1" in out
    assert "Traceback" not in out + err


def test_a_handler_that_swallows_the_watchdog_is_killed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = write(
        tmp_path,
        """
        def handle(msg, db):
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    pass
        """,
    )
    code, _, err = check(capsys, str(design), "--timeout", "0.5")
    assert code == 2
    assert f"the design kept running at {design}:" in err and "swallowed every interrupt" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("while True:\n    pass\ndef handle(msg, db): ...\n", "did not finish within 0.5 s (stuck at"),
        (
            "def setup(db):\n    while True:\n        pass\ndef handle(msg, db): ...\n",
            "setup(db) did not return within 0.5 s",
        ),
    ],
    ids=["import", "setup"],
)
def test_a_stuck_import_or_setup_is_a_design_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, needle: str
) -> None:
    code, _, err = check(capsys, str(write(tmp_path, source)), "--timeout", "0.5")
    assert code == 2 and needle in err and "Traceback" not in err


# -- user code that escapes the contract ---------------------------------------------------------
@pytest.mark.parametrize(
    ("statement", "raised"),
    [
        ("import sys; sys.exit(3)", "SystemExit(3)"),
        ("raise SystemExit('bye')", "SystemExit('bye')"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        ("raise BaseException('odd')", "BaseException('odd')"),
        ("import asyncio; raise asyncio.CancelledError", "CancelledError"),
    ],
)
def test_an_escape_from_handle_is_a_counterexample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], statement: str, raised: str
) -> None:
    design = write(tmp_path, f"def handle(msg, db):\n    {statement}\n")
    code, out, err = check(capsys, str(design), "--examples", "10", "--width", "200", "--no-color")
    assert code == 1, err
    assert f"handle raised {raised} at {design}:2" in out
    assert "In a real consumer this ends the process" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("import sys\nsys.exit(3)\n", ":2 (sys.exit(3)): importing {design} raised SystemExit(3)"),
        ("raise KeyboardInterrupt\n", ":1 (raise KeyboardInterrupt): importing {design} raised KeyboardInterrupt"),
        (
            "def setup(db):\n    raise SystemExit(4)\ndef handle(msg, db): ...\n",
            ":2 (raise SystemExit(4)): setup(db) raised",
        ),
        (
            "def setup(db):\n    db.execute('CRATE TABLE t (a)')\ndef handle(msg, db): ...\n",
            ":2 (db.execute('CRATE TABLE t (a)')): setup(db) raised OperationalError: near \"CRATE\": syntax error",
        ),
    ],
    ids=["exit-at-import", "interrupt-at-import", "exit-in-setup", "sql-typo-in-setup"],
)
def test_an_escape_or_error_at_import_or_in_setup_is_a_design_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, needle: str
) -> None:
    design = write(tmp_path, source)
    code, _, err = check(capsys, str(design), "--examples", "5")
    assert code == 2
    assert needle.format(design=design) in err
    assert "Traceback" not in err


def test_a_design_that_ends_its_own_process_is_named_and_leaves_no_file(tmp_path: Path) -> None:
    design = write(tmp_path, "import os\ndef handle(msg, db):\n    os._exit(9)\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "minimq", "check", str(design), "--examples", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "ended by itself (exit code 9): the design ended its own process" in err
    assert "Traceback" not in err
    assert not _scratch_of(proc.pid)  # the run's directory, and its dead worker's inside it, are gone


def test_print_does_not_corrupt_json(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    design = write(
        tmp_path,
        """
        import json, os, sqlite3
        print("at import")

        def setup(db):
            print("in setup")
            db.execute("CREATE UNIQUE INDEX coupons_order ON coupons (order_id)")

        async def handle(msg, db):
            print("handling", msg.msg_id)
            os.write(1, b"straight to fd 1\\n")
            try:
                await db.execute("INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) "
                                 "VALUES (?, 'u', 10, ?, ?)", (json.loads(msg.body)["order"], msg.msg_id, db.now_ms))
                await db.commit()
            except sqlite3.IntegrityError:
                await db.rollback()
            except sqlite3.OperationalError:
                await db.rollback()
                return "RECONSUME_LATER"
            return "CONSUME_SUCCESS"
        """,
    )
    assert main(["check", str(design), "--examples", "10", "--json"]) == 0
    out, err = capfd.readouterr()
    assert json.loads(out)["ok"] is True
    assert "in setup" in err and "handling" in err and "straight to fd 1" in err


# -- the same verdict with any number of processes --------------------------------------------------
@pytest.mark.parametrize("design", ["query_then_insert.py", "unique_key.py"])
def test_json_is_identical_for_any_number_of_jobs(capsys: pytest.CaptureFixture[str], design: str) -> None:
    outs = []
    for jobs in ("1", "2", "3"):
        argv = ["check", str(DESIGNS / design), "--examples", "60", "--seed", "4", "--json", "--jobs", jobs]
        main(argv)
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] == outs[2]
    assert json.loads(outs[0])["examples"] == (60 if design == "unique_key.py" else json.loads(outs[0])["examples"])


# -- signals and clean-up -----------------------------------------------------------------------------
def _scratch_of(pid: int) -> list[Path]:
    return list(SCRATCH.glob(f"{PREFIX}{pid}-*"))


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_in_one_line_and_removes_its_files(tmp_path: Path, sig: int, code: int) -> None:
    design = write(tmp_path, "def handle(msg, db):\n    while True:\n        pass\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "minimq", "check", str(design), "--timeout", "120", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a terminal's Ctrl-C reaches the whole process group
    )
    try:
        deadline = time.monotonic() + 20
        while not _scratch_of(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _scratch_of(proc.pid), "the run never started"
        time.sleep(0.5)  # the workers are in the design's loop by now
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:  # it did not stop: end it, so that it does not outlive the test
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    if sig == signal.SIGINT:
        assert err.strip() == "minimq: interrupted"
    assert not _scratch_of(proc.pid)


def test_a_forked_child_gets_databases_of_its_own() -> None:
    """Parent and child run labs at the same time after a fork: each must count its own
    coupons, in files of its own (the free databases of the parent are not the child's)."""
    design = load_design(DESIGNS / "query_then_insert.py")
    two = Schedule(("order-1",), (Pay(at_ms=0, order="order-1"), UpstreamRetry(at_ms=0, order="order-1")))
    one = Schedule(("order-1",), (Pay(at_ms=0, order="order-1"),))
    assert run_schedule(design, two).coupons == {"order-1": 2}  # the parent has a template and free databases
    expected = [1, 2] * 15
    read, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            counts = [run_schedule(design, s).coupons["order-1"] for s in (one, two) * 15]
            os.write(write_end, json.dumps(counts).encode())
        finally:
            shutil.rmtree(process_dir(), ignore_errors=True)  # os._exit skips atexit
            os._exit(0)
    os.close(write_end)
    mine = [run_schedule(design, s).coupons["order-1"] for s in (one, two) * 15]  # at the same time
    got = json.loads(os.read(read, 10_000))
    os.waitpid(pid, 0)
    assert got == expected
    assert mine == expected


@pytest.mark.parametrize(
    ("source", "what"),
    [
        (
            "import threading\ndef handle(msg, db):\n    threading.Thread(target=print).start()\n",
            "threading.Thread.start()",
        ),
        (
            "import asyncio\nasync def handle(msg, db):\n"
            "    await asyncio.get_running_loop().run_in_executor(None, print)\n",
            "loop.run_in_executor(..., print)",
        ),
        (
            "import asyncio\nasync def handle(msg, db):\n    await asyncio.to_thread(print)\n",
            "asyncio.to_thread(print)",
        ),
    ],
    ids=["thread", "run_in_executor", "to_thread"],
)
def test_a_thread_is_refused_as_a_design_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, what: str
) -> None:
    design = write(tmp_path, source)
    code, _, err = check(capsys, str(design), "--examples", "5")
    assert code == 2
    assert f"{design}:3 (" in err and f"handle(msg, db) starts a thread ({what}" in err
    assert "two runs with the same seed could differ" in err


def test_time_sleep_in_a_plain_def_takes_virtual_time_and_races(tmp_path: Path) -> None:
    design = write(
        tmp_path,
        """
        import json, time
        from minimq import ConsumeStatus

        def handle(msg, db):
            order = json.loads(msg.body)["order"]
            found = db.execute("SELECT id FROM coupons WHERE order_id = ?", (order,))
            time.sleep(0.5)  # "give the other copy time": the consume thread waits, the others go on
            if found.rows:
                return ConsumeStatus.SUCCESS
            db.execute("INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) "
                       "VALUES (?, 'u', 10, ?, ?)", (order, msg.msg_id, db.now_ms))
            db.commit()
            return ConsumeStatus.SUCCESS
        """,
    )
    two = Schedule(("order-1",), (Pay(at_ms=0, order="order-1"), UpstreamRetry(at_ms=0, order="order-1")))
    outcome = run_schedule(load_design(design), two)
    assert outcome.duplicated == {"order-1": 2}
    committed = [e.at_ms for e in outcome.trace.events if e.kind == "EffectApplied"]
    assert min(committed) >= 500  # the sleep took virtual time


def test_time_sleep_in_an_async_handler_is_a_design_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = write(tmp_path, "import time\nasync def handle(msg, db):\n    time.sleep(5)\n")
    code, _, err = check(capsys, str(design), "--examples", "5")
    assert code == 2
    assert f"{design}:3 (time.sleep(5)): an async def handle calls time.sleep(5)" in err
    assert "await asyncio.sleep(5)" in err
