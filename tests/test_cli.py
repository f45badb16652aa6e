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


WORLD = b'{"type": "WorldStarted", "at_ms": 0, "seed": 1}\n'


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (bytes(range(256)) * 4, "line 2: not UTF-8 text (byte 0x80 at offset 128)"),
        (WORLD + b"\x89PNG\r\n\x1a\n\x00\x00", "line 2: not UTF-8 text (byte 0x89 at offset 48)"),
        (b"\x00" * 64, "line 1: holds a NUL character"),
        (WORLD + WORLD.replace(b"0,", b"0,\x00"), "line 2: holds a NUL character"),
        (b"[" * 200_000, "line 1: JSON nested too deeply"),
        (b'{"a": ' * 200_000, "line 1: JSON nested too deeply"),
        (b"[1, 2]\n", "line 1: expected a JSON object, got list"),
        (b'{"at_ms": 0, "seed": 1}\n', 'line 1: the object has no "type" key'),
        (WORLD.replace(b"0,", b'"abc",'), "line 1: WorldStarted.at_ms must be an integer, got 'abc' (str)"),
        (WORLD.replace(b"0,", b"-3,"), "line 1: WorldStarted.at_ms must be a time from 0 to 100000000000 ms, got -3"),
        (WORLD.replace(b"0,", b"2.5,"), "line 1: WorldStarted.at_ms must be an integer, got 2.5 (float)"),
        (WORLD.replace(b"0,", b"NaN,"), "line 1: NaN is not a number a trace can hold"),
        (WORLD.replace(b"0,", b"-Infinity,"), "line 1: -Infinity is not a number a trace can hold"),
        (WORLD.replace(b"0,", b"1" + b"0" * 20 + b","), "WorldStarted.at_ms must be a time from 0 to"),
        (WORLD.replace(b"1}", b"1" * 5000 + b"}"), "line 1: an integer literal has more than 4300 digits"),
        (WORLD.replace(b"1}", b'"1"}'), "line 1: WorldStarted.seed must be an integer, got '1' (str)"),
        (WORLD.replace(b"1}", b"true}"), "line 1: WorldStarted.seed must be an integer, got True (bool)"),
        (WORLD.replace(b"1}", b'1, "color": 2}'), "line 1: WorldStarted has no field(s) 'color'"),
        (
            b'{"type": "AppEvent", "at_ms": 0, "system": "s", "action": "a", "args": [["k", 1]]}',
            "line 1: AppEvent.args[0][1] must be a string, got 1 (int)",
        ),
        (b"", "a trace file must hold at least one event"),
        (b"\n\n  \n", "a trace file must hold at least one event"),
    ],
)
def test_bad_trace_content_exits_2_naming_the_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    code, out, err = run_cli(capsys, "trace", str(path), "--timeline")
    assert (code, out) == (2, "")
    assert err.startswith("minimq: error: ")
    assert needle in err
    assert str(path) in err
    assert err.count("\n") == 1 and len(err) < 400


def test_a_directory_is_not_a_trace(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "trace", str(tmp_path))
    assert code == 2
    assert err == f"minimq: error: Is a directory: {str(tmp_path)!r}\n"


def test_an_unreadable_trace_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.jsonl"
    path.write_bytes(WORLD)

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)  # chmod 000 does not stop root
    code, _, err = run_cli(capsys, "trace", str(path))
    assert code == 2
    assert err == f"minimq: error: Permission denied: {str(path)!r}\n"


def test_a_binary_file_exits_2_without_a_traceback_from_the_shell(tmp_path: Path) -> None:
    path = tmp_path / "random.bin"
    path.write_bytes(bytes(range(255, -1, -1)) * 8)
    done = subprocess.run(
        [sys.executable, "-m", "minimq", "trace", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr == f"minimq: error: {path}: line 1: not UTF-8 text (byte 0xff at offset 0): is this a trace?\n"


def test_names_from_the_trace_and_the_command_line_are_not_rich_markup(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "[").mkdir()
    path = tmp_path / "[" / "]odd[bold].jsonl"  # the path holds "[/]"
    lines = [
        WORLD.decode(),
        '{"type": "AppEvent", "at_ms": 5, "system": "[/]", "action": "x", "args": []}\n',
        '{"type": "EffectApplied", "at_ms": 6, "ledger": "[red]db", "key": "k", "by": "[/b]", "note": ""}\n',
    ]
    path.write_text("".join(lines), encoding="utf-8")
    code, out, err = run_cli(capsys, "trace", str(path), "--timeline")
    assert (code, err) == (0, "")
    assert "[/]" in out
    assert "[red]db" in out
    assert "3 events" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--seed", "x"],
        ["demo", "--realtime", "-1"],
        ["demo", "--realtime", "0"],
        ["demo", "--realtime", "inf"],
        ["demo", "--realtime", "-inf"],
        ["demo", "--realtime", "nan"],
        ["demo", "--realtime", "1e999"],
        ["demo", "--realtime", "fast"],
        ["nonsense"],
    ],
)
def test_bad_flags_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_python_dash_m_and_version() -> None:
    done = subprocess.run([sys.executable, "-m", "minimq", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("minimq ")
