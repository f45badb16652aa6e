"""The command line: the demo shows the duplicate; bad input gets a message and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from minimq.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_json_shows_one_order_two_coupons(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "demo", "--json")
    summary = json.loads(out)
    assert code == 0
    assert summary["coupons"] == 2
    assert summary["duplicate_effects"] == 1
    assert summary["lost_effects"] == 0
    assert summary["lost_messages"] == 0


def test_demo_is_deterministic_and_seed_sensitive(capsys: pytest.CaptureFixture[str]) -> None:
    first = json.loads(run_cli(capsys, "demo", "--json")[1])
    again = json.loads(run_cli(capsys, "demo", "--json")[1])
    other = json.loads(run_cli(capsys, "demo", "--json", "--seed", "7")[1])
    assert first["trace_sha256"] == again["trace_sha256"]
    assert first["trace_sha256"] != other["trace_sha256"]


def test_demo_narration_names_the_duplicate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "demo", "--no-color", "--width", "160")
    assert code == 0
    assert "DUPLICATE EFFECT" in out
    assert "Coupons issued for order-1001: 2" in out
    assert "FAULT: the reply to" in out


def test_trace_round_trip_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "demo.jsonl"
    run_cli(capsys, "demo", "--json", "--trace-out", str(path))
    code, out, _ = run_cli(capsys, "trace", str(path), "--json")
    verdict = json.loads(out)
    assert code == 0
    assert verdict["duplicate_effects"] == 1
    assert run_cli(capsys, "trace", str(path), "--strict")[0] == 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"type": "Bogus"}\n', "unknown event type 'Bogus'"),
        ("not json\n", "line 1: not JSON"),
        ('{"type": "TopicCreated", "at_ms": 0}\n', "lacks field(s) topic, queue_nums"),
    ],
)
def test_bad_trace_file_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    code, _, err = run_cli(capsys, "trace", str(path))
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_missing_trace_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "trace", str(tmp_path / "nope.jsonl"))
    assert code == 2
    assert "nope.jsonl" in err


@pytest.mark.parametrize("argv", [["demo", "--seed", "x"], ["demo", "--realtime", "-1"], ["nonsense"]])
def test_bad_flags_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_python_dash_m_and_version() -> None:
    done = subprocess.run([sys.executable, "-m", "minimq", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("minimq ")
