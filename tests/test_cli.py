"""The command line: the demo shows the duplicate; bad input gets a message and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from minimq import cli
from minimq.cli import main
from minimq.cli import parser as cli_parser
from minimq.i18n import CATALOG, t
from minimq.testing.schedule import PATHS

COMMANDS = ("lessons", "lesson", "tour", "check", "demo", "trace", "site")


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


def test_trace_draws_a_sequence_diagram(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path, svg = tmp_path / "demo.jsonl", tmp_path / "demo.svg"
    run_cli(capsys, "demo", "--json", "--trace-out", str(path))
    assert run_cli(capsys, "--lang", "zh", "trace", str(path), "--json", "--svg", str(svg))[0] == 0
    drawn = svg.read_text(encoding="utf-8")
    assert drawn.startswith("<svg") and "sq-dup" in drawn and "重复发放" in drawn


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
    assert err == f"minimq: error: {str(tmp_path)!r} is a folder, not a file\n"


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
    assert err == f"minimq: error: permission denied: {str(path)!r}\n"


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


# -- help, in the user's language ------------------------------------------------------------

LESSON_HELP = [
    "cli.lang",
    "cli.lesson_seed",
    "cli.no_pause",
    "cli.export",
    "cli.json_summary",
    "cli.width",
    "cli.no_color",
]
HELP = {
    "": ["cli.description", "cli.version", "cli.lang", *(f"cli.cmd_{c}" for c in COMMANDS)],
    "lessons": ["cli.lang"],
    "lesson": ["cli.lesson_name", *LESSON_HELP],
    "tour": [*LESSON_HELP, "cli.tour_all"],
    "check": [
        "cli.design",
        "cli.examples",
        "cli.check_seed",
        "cli.paths",
        "cli.paths_title",
        "cli.replay",
        "cli.jobs",
        "cli.timeout",
        "cli.lang",
        "cli.json_result",
        "cli.width",
        "cli.no_color",
    ],
    "demo": [
        "cli.lang",
        "cli.demo_seed",
        "cli.json_summary",
        "cli.trace_out",
        "cli.realtime",
        "cli.width",
        "cli.no_color",
    ],
    "trace": ["cli.trace_file", "cli.json_verdicts", "cli.timeline", "cli.trace_svg", "cli.strict"],
    "site": ["cli.site_out", "cli.site_lang", "cli.lesson_seed"],
}


def help_line(key: str, lang: str) -> str:
    return t(key, lang, paths=",".join(PATHS)) if key == "cli.paths" else t(key, lang)


def help_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


@pytest.fixture
def locale(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set the locale to ``LANG=value`` alone, and a terminal wide enough for one help line a line."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("COLUMNS", "300")
    return lambda value: monkeypatch.setenv("LANG", value)


@pytest.mark.parametrize("command", list(HELP))
@pytest.mark.parametrize(
    ("env", "flags", "lang"),
    [
        ("zh_CN.UTF-8", [], "zh"),
        ("en_US.UTF-8", ["--lang", "zh"], "zh"),
        ("C", ["--lang=zh"], "zh"),
        ("en_US.UTF-8", [], "en"),
        ("C", [], "en"),
        ("zh_CN.UTF-8", ["--lang", "en"], "en"),
    ],
)
def test_help_is_in_the_users_language(
    capsys: pytest.CaptureFixture[str],
    locale: Callable[[str], None],
    command: str,
    env: str,
    flags: list[str],
    lang: str,
) -> None:
    locale(env)
    out = help_of(capsys, [c for c in [command] if c] + ["--help", *flags])
    other = "en" if lang == "zh" else "zh"
    for key in HELP[command]:
        assert help_line(key, lang) in out, key
        assert help_line(key, other) not in out, key
    usage = "用法：" if lang == "zh" else "usage: "  # argparse's own words follow the language too
    assert out.startswith(f"{usage}minimq {command}".rstrip())
    assert ("显示本帮助并退出" in out) == (lang == "zh")


@pytest.mark.parametrize("argv", [["--lang", "zh", "--help"], ["--lang", "zh", "check", "--help"]])
def test_lang_before_the_command_picks_the_help_language(
    capsys: pytest.CaptureFixture[str], locale: Callable[[str], None], argv: list[str]
) -> None:
    locale("en_US.UTF-8")
    assert t("cli.lang", "zh") in help_of(capsys, argv)


def test_every_cli_entry_is_shown_by_some_help() -> None:
    cli_keys = {key for key in CATALOG if key.startswith("cli.")}
    assert {key for keys in HELP.values() for key in keys} == cli_keys


def test_the_parser_asks_the_catalog_for_every_cli_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: set[str] = set()

    def recording(key: str, lang: str, /, **values: object) -> str:
        asked.add(key)
        return t(key, lang, **values)

    monkeypatch.setattr(cli_parser, "t", recording)
    cli_parser.build_parser("zh")
    assert asked == {key for key in CATALOG if key.startswith("cli.")}


def test_build_parser_without_a_language_is_english() -> None:
    assert cli.build_parser().description == t("cli.description", "en")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("command", [c for c in HELP if c])
def test_help_fits_80_columns_without_breaking_a_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str, lang: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = help_of(capsys, [command, "--help", "--lang", lang])
    for line in out.splitlines():
        assert sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) <= 80, line
    if command == "check":
        words = out.split()
        assert all(any(path in word for word in words) for path in PATHS)  # not "lost-" / "reply"


@pytest.mark.parametrize(
    ("argv", "locale_lang", "expected"),
    [
        (["check", "d.py", "--lang", "zh"], "en", "zh"),
        (["check", "d.py", "--lang=zh"], "en", "zh"),
        (["check", "d.py", "--la", "zh"], "en", "zh"),  # argparse accepts a prefix
        (["--lang", "zh", "lesson", "1", "--lang", "en"], "zh", "en"),  # the last one wins, as in argparse
        (["check", "d.py", "--lang", "fr"], "zh", "zh"),  # argparse will refuse it; the locale speaks
        (["check", "d.py", "--lang"], "zh", "zh"),
        (["check", "--", "--lang", "zh"], "en", "en"),  # after "--", an argument, not an option
        (["check", "--seed", "zh"], "en", "en"),
    ],
)
def test_requested_lang(argv: list[str], locale_lang: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_parser, "default_lang", lambda: locale_lang)
    assert cli_parser.requested_lang(argv) == expected


@pytest.mark.parametrize(
    ("argv", "lang"),
    [
        (["lessons"], None),
        (["--lang", "zh", "lessons"], "zh"),
        (["lessons", "--lang", "en"], "en"),
        (["--lang", "zh", "lesson", "1", "--lang", "en"], "en"),
        (["--lang", "zh", "check", "d.py"], "zh"),
    ],
)
def test_lang_before_or_after_the_command_reaches_it(argv: list[str], lang: str | None) -> None:
    assert cli.build_parser().parse_args(argv).lang == lang


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("abc de", 5, ["abc", "de"]),  # the space between counts
        ("一二三四五", 6, ["一二三", "四五"]),  # a Chinese character is two columns
        ("一二，三四", 4, ["一", "二，", "三四"]),  # a line does not start with a closing mark
        ("一（二三）", 4, ["一", "（二", "三）"]),  # nor end with an opening one
        ("all: lost-reply,crash", 12, ["all:", "lost-reply,", "crash"]),  # after a comma, not at a hyphen
        ("写到 FILE（.svg）", 8, ["写到", "FILE", "（.svg）"]),
    ],
)
def test_help_wraps_by_display_width(text: str, width: int, lines: list[str]) -> None:
    assert cli_parser._wrap(text, width) == lines


def test_trace_strict_fails_on_a_broken_retry_rule(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A retry copy stored with a reconsume count no send-back gave it: exit 1 under --strict."""
    path = tmp_path / "retry.jsonl"
    lines = [
        {"type": "WorldStarted", "at_ms": 0, "seed": 1},
        {
            "type": "MessageStored",
            "at_ms": 5,
            "topic": "order-paid",
            "queue_id": 0,
            "queue_offset": 0,
            "msg_id": "M1",
            "offset_msg_id": "O1",
            "real_topic": "order-paid",
            "keys": [],
            "reconsume_times": 3,
        },
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    code, out, _ = run_cli(capsys, "trace", str(path), "--json")
    assert code == 0 and json.loads(out)["retry_violations"] == 1
    assert run_cli(capsys, "trace", str(path), "--strict")[0] == 1


@pytest.mark.parametrize(("lang", "said"), [("en", "no such file: "), ("zh", "文件不存在：")])
def test_a_missing_file_is_named_in_the_chosen_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str, said: str
) -> None:
    missing = tmp_path / "nowhere.trace"
    assert main(["--lang", lang, "trace", str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and repr(str(missing)) in err and "Traceback" not in err


def test_argparse_errors_follow_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--lang", "zh", "lesson", "1", "--bogus"])
    assert done.value.code == 2
    assert "无法识别的参数：--bogus" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["lesson", "1", "--bogus", "--lang", "en"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err  # and the swap did not stick
