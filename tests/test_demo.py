"""``minimq demo``: its transcript in both languages, and ``--realtime`` streaming its events.

The English transcript (``golden/demo.en.txt``) is what ``minimq demo`` printed at 80
columns before it learnt Chinese and streaming, byte for byte: that output must not move.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from minimq import demo as scenario
from minimq.cli import main
from minimq.cli import parser as cli_parser
from minimq.cli.demo import run as run_demo_command
from minimq.i18n.text_demo import DEMO

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parent.parent
# English that may stay in the Chinese transcript: Java's own messages and the gloss of a term
ALLOWED_ENGLISH = ("At Least Once", "sendDefaultImpl call timeout", "wait response on the channel timeout")


def demo_out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["demo", *argv])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_transcript(capsys: pytest.CaptureFixture[str], lang: str) -> None:
    out = demo_out(capsys, "--width", "80", "--lang", lang)
    path = GOLDEN / f"demo.{lang}.txt"
    if os.environ.get("MINIMQ_UPDATE_GOLDEN") and lang != "en":  # the English one is history: never rewritten
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"minimq demo --lang {lang} changed"


def test_the_locale_picks_chinese(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert demo_out(capsys, "--width", "80") == (GOLDEN / "demo.zh.txt").read_text(encoding="utf-8")
    assert demo_out(capsys, "--width", "80", "--lang", "en") == (GOLDEN / "demo.en.txt").read_text(encoding="utf-8")


def english_of_the_demo() -> list[str]:
    """Every stretch of two words or more of the demo's own English lines, between
    placeholders and markup."""
    parts: list[str] = []
    for en, _ in DEMO.values():
        parts += [p.strip() for p in re.split(r"\{\w+\}|\[/?\w*\]|\n", en) if " " in p.strip()]
    return parts


@pytest.mark.parametrize("realtime", [[], ["--realtime", "1e9"]])
def test_chinese_output_holds_no_english_sentence(capsys: pytest.CaptureFixture[str], realtime: list[str]) -> None:
    out = demo_out(capsys, "--width", "200", "--lang", "zh", *realtime)
    for part in english_of_the_demo():
        assert part not in out, part
    words = set(re.findall(r"[A-Za-z]+(?: [A-Za-z]+){2,}", out))  # three English words in a row
    assert {w for w in words if not any(w in allowed for allowed in ALLOWED_ENGLISH)} == set()
    assert "重复发放" in out and "消费逻辑" in out and "写入一行（事务已提交）" in out


def test_demo_help_in_chinese_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help", "--lang", "zh"])
    out = capsys.readouterr().out
    assert "--lang" in out and "输出语言" in out and "按真实时间的节奏推进虚拟时间" in out


# -- --realtime ------------------------------------------------------------------------------


class FakeWall:
    """A wall clock that moves only when slept on, and remembers what was printed by then."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.now = 100.0
        self.capsys = capsys
        self.printed = ""
        self.seen_at: list[tuple[float, str]] = []  # (wall seconds since start, output so far)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.printed += self.capsys.readouterr().out
        self.seen_at.append((self.now - 100.0, self.printed))
        self.now += seconds


def paced(capsys: pytest.CaptureFixture[str], speed: float, lang: str = "en") -> tuple[FakeWall, str]:
    wall = FakeWall(capsys)
    args = cli_parser.build_parser().parse_args(["demo", "--realtime", str(speed), "--width", "100", "--lang", lang])
    assert run_demo_command(args, clock=wall.clock, sleep=wall.sleep) == 0
    return wall, wall.printed + capsys.readouterr().out


def test_realtime_prints_each_event_when_the_virtual_clock_reaches_it(capsys: pytest.CaptureFixture[str]) -> None:
    wall, out = paced(capsys, 10)
    assert wall.now - 100.0 == pytest.approx(6.0)  # a simulated minute at 10x: six wall seconds
    before_3s = [printed for at, printed in wall.seen_at if at < 0.3 - 1e-9]  # virtual 3 s = wall 0.3 s
    after_3s = [printed for at, printed in wall.seen_at if at > 0.31]
    # The setting and the first events are out before the send times out; the duplicate is not.
    assert "minimq demo: one payment, two coupons" in before_3s[0]
    assert "FAULT: the reply to" in before_3s[-1]
    assert "DUPLICATE" not in before_3s[-1]
    assert "DUPLICATE EFFECT: committed a row for order-1001" in after_3s[0]
    assert "Verdict" not in after_3s[-1]  # the verdict waits for the end of the minute
    lines = out.splitlines()
    assert lines.index("01:00.000  the simulated minute is over") < next(
        i for i, line in enumerate(lines) if "Verdict" in line
    )
    assert "What happened (virtual time" not in out  # no timeline table: the events were the timeline


def test_realtime_sleeps_in_small_steps_and_never_ahead_of_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    wall, _ = paced(capsys, 2)
    steps = [b[0] - a[0] for a, b in zip(wall.seen_at, wall.seen_at[1:], strict=False)]
    assert max(steps) <= 0.05 + 1e-9  # an event is printed at most 50 ms (wall) after the run reaches it
    assert wall.now - 100.0 == pytest.approx(30.0)


def test_realtime_streams_in_chinese_too(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = paced(capsys, 1000, "zh")
    assert "现场回放：虚拟时间按真实时间的 1000 倍推进" in out
    assert "重复发放：为 order-1001 写入一行（事务已提交）" in out
    assert "01:00.000  模拟的一分钟结束" in out


def test_realtime_writes_the_same_trace(capsys: pytest.CaptureFixture[str]) -> None:
    plain = json.loads(demo_out(capsys, "--json"))
    paced_run = json.loads(demo_out(capsys, "--json", "--realtime", "1e9"))
    assert paced_run == plain


@pytest.mark.parametrize("slice_ms", [1, 7, 500, 60_000])
def test_the_minute_cut_in_slices_gives_the_same_trace(slice_ms: int) -> None:
    whole = scenario.run(42)
    calls: list[int] = []
    sliced = scenario.run(42, slice_ms=slice_ms, between=lambda demo: calls.append(demo.world.now_ms))
    assert sliced.world.trace.to_jsonl() == whole.world.trace.to_jsonl()
    assert sliced.sends == whole.sends and sliced.coupons == whole.coupons
    assert calls[0] == 0 and calls[-1] == scenario.RUN_MS and len(calls) == -(-scenario.RUN_MS // slice_ms) + 1
    whole.world.close()
    sliced.world.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
@pytest.mark.parametrize(("lang", "said"), [("en", "minimq: interrupted"), ("zh", "minimq：已中断")])
def test_ctrl_c_during_a_realtime_demo_exits_130_with_one_line(lang: str, said: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "minimq", "demo", "--realtime", "2", "--lang", lang],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    for line in child.stdout:  # streamed: the events come before the run is over
        if "00:00.001" in line:
            break
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130
    assert err == f"\n{said}\n"
    assert "Traceback" not in out
