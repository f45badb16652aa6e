"""Step mode: the keys typed at the prompt, the pager that keeps pages, and a lesson driven by them.

``parse_key`` is a pure function and is tested line by line; the ``Pager`` is tested with
pages written by hand; the end-to-end tests run ``minimq lesson 2`` with a stdin and a
stdout that claim to be a terminal and compare what was printed, page by page, with the
pages ``--export '{n}.txt'`` writes for the same run.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from minimq.cli import main
from minimq.cli.pager import Pager, QuitLesson
from minimq.cli.step_keys import Back, GoTo, Next, Quit, Unknown, parse_key
from minimq.i18n import t
from minimq.lessons import LESSONS, find
from minimq.lessons.base import Lesson
from minimq.lessons.runner import run_lesson
from minimq.render.console import make_console
from minimq.render.lesson_view import LessonView, page_count

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class FakeTTY(io.StringIO):
    """A text stream that says it is a terminal (and does not echo, unlike one)."""

    def isatty(self) -> bool:
        return True


# -- the keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("", Next()),
        ("\n", Next()),
        (" \n", Next()),  # space then Enter
        ("b", Back()),
        ("B\n", Back()),
        (" b ", Back()),
        ("ｂ", Back()),  # full width, from a Chinese input method
        ("q", Quit()),
        ("Q\n", Quit()),
        ("ｑ", Quit()),
        ("7", GoTo(7)),
        ("12\n", GoTo(12)),
        ("１２", GoTo(12)),
        ("0", GoTo(0)),  # out of range is the pager's to refuse: it knows the range
        ("x", Unknown("x")),
        ("bb", Unknown("bb")),
        ("-1", Unknown("-1")),
        ("٣", Unknown("٣")),  # a digit, but not one a page is numbered with
        ("quit", Unknown("quit")),
    ],
)
def test_parse_key(line: str, command: object) -> None:
    assert parse_key(line) == command


# -- the pager, with pages written by hand --------------------------------------------------


def pager_with(keys: list[str], total: int = 3) -> tuple[Pager, io.StringIO]:
    out = io.StringIO()  # not a terminal: no colour codes to strip
    typed = iter(keys)

    def read() -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    return Pager(out, total, "en", read=read, no_color=True), out


def prompt(n: int, total: int = 3) -> str:
    return t("ui.step_prompt", "en", n=n, total=total)


def test_pager_back_reprints_the_page_as_it_was_and_next_returns_to_the_newest() -> None:
    pager, out = pager_with(["", "b", "", ""])
    pager.tape.write("one\n")
    pager.pause()
    pager.tape.write("two\n")
    pager.pause()
    assert out.getvalue() == "one\n" + prompt(1) + "two\n" + prompt(2) + "one\n" + prompt(1) + "two\n" + prompt(2)
    assert pager.pages == ["one\n", "two\n"]


def test_pager_jump_forward_mutes_the_pages_between_and_keeps_them() -> None:
    pager, out = pager_with(["3", "1", "q"])
    pager.tape.write("one\n")
    pager.pause()
    pager.tape.write("two\n")
    pager.pause()  # muted: asked for page 3
    pager.tape.write("three\n")
    with pytest.raises(QuitLesson) as stop:
        pager.pause()
    assert stop.value.page == 1
    assert out.getvalue() == "one\n" + prompt(1) + "three\n" + prompt(3) + "one\n" + prompt(1)
    assert pager.pages == ["one\n", "two\n", "three\n"]


def test_pager_refuses_a_page_out_of_range_and_a_key_it_does_not_know() -> None:
    pager, out = pager_with(["0", "4", "x", ""])
    pager.tape.write("one\n")
    pager.pause()
    hint = t("ui.step_keys", "en", total=3) + "\n"
    assert out.getvalue() == "one\n" + (prompt(1) + hint) * 3 + prompt(1)


def test_pager_eof_and_ctrl_c() -> None:
    pager, out = pager_with([])  # stdin closed: a newline, then no more prompts
    pager.tape.write("one\n")
    pager.pause()
    pager.tape.write("two\n")
    pager.pause()
    assert out.getvalue() == "one\n" + prompt(1) + "\n" + "two\n"

    def interrupted() -> str:
        raise KeyboardInterrupt

    pager = Pager(FakeTTY(), 3, "en", read=interrupted)
    with pytest.raises(QuitLesson):
        pager.pause()


def test_every_user_facing_line_of_step_mode_exists_in_both_languages() -> None:
    for key in ("ui.step_prompt", "ui.step_keys", "ui.step_quit"):
        en, zh = t(key, "en", n=1, total=2), t(key, "zh", n=1, total=2)
        assert en != zh and re.search(r"[\u4e00-\u9fff]", zh)
    for lang in ("en", "zh"):  # the prompt names its keys
        line = t("ui.step_prompt", lang, n=1, total=12)
        assert all(key in line for key in ("b", "1-12", "q"))


@pytest.mark.parametrize("lesson", [lesson for lesson in LESSONS if isinstance(lesson, Lesson)], ids=lambda x: x.slug)
def test_page_count_is_the_number_of_pauses(lesson: Lesson) -> None:
    pauses: list[None] = []
    console = make_console(100, True, file=io.StringIO())
    run_lesson(lesson, 1, LessonView(console, "en", 1, lambda: pauses.append(None)))
    assert len(pauses) == page_count(lesson)


# -- a lesson driven by keys ----------------------------------------------------------------


def narrate(monkeypatch: pytest.MonkeyPatch, keys: list[str], *argv: str) -> tuple[int, str]:
    """Run ``minimq`` on a fake terminal, typing ``keys`` (then end of input); what it printed, without colour codes."""
    out = FakeTTY()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stdin", FakeTTY("".join(f"{key}\n" for key in keys)))
    code = main([*argv, "--width", "80", "--no-color"])
    return code, ANSI.sub("", out.getvalue())


def slides(tmp_path: Path, *argv: str) -> list[str]:
    """The pages of an unattended run, one ``--export '{n}.txt'`` file each."""
    assert main([*argv, "--no-pause", "--width", "80", "--no-color", "--export", str(tmp_path / "{n}.txt")]) == 0
    return [p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("*.txt"))]


def test_lesson_back_jump_and_quit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lesson = find("2")
    assert isinstance(lesson, Lesson)
    total = page_count(lesson)
    pages = slides(tmp_path, "lesson", "2", "--lang", "en")
    assert len(pages) == total
    capsys.readouterr()
    code, out = narrate(monkeypatch, ["", "", "b", "9", "2", "q"], "lesson", "2", "--lang", "en")
    assert code == 0

    def shown(n: int) -> str:
        return pages[n - 1] + t("ui.step_prompt", "en", n=n, total=total)

    # back shows page 2 again as printed; 9 runs on silently (4 to 8 are not printed) and
    # shows 9; 2 shows page 2 again; q says where it stopped, in one line, and exits 0
    seen = [1, 2, 3, 2, 9, 2]
    assert out == "".join(map(shown, seen)) + t("ui.step_quit", "en", n=2, total=total) + "\n"
    assert pages[1].count(t("ui.step", "en", n=1)) == 1 and out.count(t("ui.step", "en", n=1)) == 3
    assert capsys.readouterr().err == ""


def test_quit_in_a_tour_in_chinese_skips_the_closing_line(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = narrate(monkeypatch, ["q"], "tour", "--lang", "zh")
    assert code == 0
    total = _tour_total()  # the fake terminal does not echo the q and its newline; a real one does
    assert out.endswith(t("ui.step_prompt", "zh", n=1, total=total) + t("ui.step_quit", "zh", n=1, total=total) + "\n")
    assert t("ui.tour_done", "zh", more=1)[:10] not in out


def test_prompts_stay_out_of_the_export(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "lesson.txt"
    code, out = narrate(monkeypatch, ["12"], "lesson", "2", "--lang", "en", "--export", str(path))
    assert code == 0
    first, last = (t("ui.step_prompt", "en", n=n, total=12) for n in (1, 12))
    page_1, rest = out.split(first)
    page_12, after = rest.split(last)
    assert after == "\n"  # end of input at the last prompt: a newline, and the lesson is over
    exported = path.read_text(encoding="utf-8")
    assert exported.startswith(page_1) and exported.endswith(page_12)
    assert "Enter: next" not in exported


def _tour_total() -> int:
    from minimq.cli.lessons import page_total
    from minimq.lessons import TOUR

    return page_total(list(TOUR))
