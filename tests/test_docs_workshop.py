"""docs/workshop.md cannot drift: every lesson, exercise, design and link it names exists.

The instructor's guide names lessons by number, `minimq lesson N` and `minimq check ...`
commands, matrix cells to replay and relative links. When a lesson is renumbered or an
exercise moves, this test names the line of the guide that went stale.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from minimq.lessons import LESSONS, find
from minimq.testing.matrix import COLUMNS
from minimq.testing.schedule import PATHS

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "workshop.md"
TEXT = DOC.read_text(encoding="utf-8")
EXERCISES = ROOT / "lessons" / "exercises"


def _commands(verb: str) -> list[list[str]]:
    """The arguments of every `minimq <verb> ...` the guide names, inline or in a block."""
    found = []
    for line in TEXT.splitlines():
        for match in re.finditer(rf"minimq {verb}((?: [^`|…]+)?)", line):
            args = shlex.split(match.group(1).split("#")[0])
            if args:  # prose such as "until `minimq check` exits 0" names no file
                found.append(args)
    return found


def test_both_languages_with_anchors_at_the_top() -> None:
    head = TEXT.split("\n## ", 1)[0]
    assert "[English](#english)" in head and "[中文](#中文)" in head
    assert re.search(r"^## English$", TEXT, re.M) and re.search(r"^## 中文$", TEXT, re.M)
    english, chinese = TEXT.split("\n## 中文\n", 1)
    for part in (english, chinese):  # each part teaches both routes and grades the exercises
        assert "minimq tour" in part and "minimq tour --all" in part
        assert "lessons/exercises/coupon_consumer.py" in part


def test_every_lesson_it_names_exists() -> None:
    named = re.findall(r"\b[Ll]essons? (\d+(?:(?:, | and | to )\d+)*)", TEXT)
    named += re.findall(r"第 (\d+(?:(?:、| 到 )\d+)*) 课", TEXT)  # 第 1、2、3 课, 第 8 到 11 课
    numbers = {n for mention in named for n in re.findall(r"\d+", mention)}
    assert numbers >= {"1", "17"}
    for number in numbers:
        assert find(number) is not None, f"docs/workshop.md names lesson {number}, which does not exist"
    commands = _commands("lesson")
    assert {args[0] for args in commands} >= {str(lesson.number) for lesson in LESSONS}, "every lesson is driven"
    for args in commands:
        if args[0] == "N":  # the prose's placeholder, "minimq lesson N"
            continue
        assert find(args[0]) is not None, f"docs/workshop.md runs `minimq lesson {' '.join(args)}`"


def _design(arg: str) -> Path:
    if arg.endswith(".py"):
        return ROOT / arg
    return ROOT / "minimq" / "designs" / f"{arg}.py"  # minimq check accepts a design's bare name


def test_every_check_command_grades_a_file_that_exists() -> None:
    commands = _commands("check")
    assert commands
    codes = {column.code for column in COLUMNS}
    for args in commands:
        target = args[0]
        if target == "my_consumer.py":  # the learner's copy, made by the `cp` line before it
            assert "cp lessons/exercises/coupon_consumer.py my_consumer.py" in TEXT
            continue
        assert _design(target).is_file(), f"docs/workshop.md checks {target}, which does not exist"
        if "--paths" in args:
            for path in args[args.index("--paths") + 1].split(","):
                assert path in PATHS, f"--paths {path} in docs/workshop.md is not a path of minimq check"
        if "--replay" in args:
            assert args[args.index("--replay") + 1] in codes


@pytest.mark.parametrize("readme", sorted(EXERCISES.glob("**/README.md")), ids=lambda p: p.parent.name)
def test_every_exercise_is_graded_as_its_readme_says(readme: Path) -> None:
    own = readme.read_text(encoding="utf-8")
    for command in sorted(set(re.findall(r"`(minimq check lessons/exercises/[^`]+)`", own))):
        assert command in TEXT, f"docs/workshop.md does not grade with `{command}` ({readme.relative_to(ROOT)})"


def test_every_relative_link_resolves() -> None:
    for target in re.findall(r"\]\((?!https?:|#)([^)#]+)(?:#[^)]*)?\)", TEXT):
        assert (DOC.parent / target).exists(), f"docs/workshop.md links {target}"


def test_the_guide_is_linked_from_both_readmes() -> None:
    assert "(docs/workshop.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(../docs/workshop.md)" in (ROOT / "lessons" / "README.md").read_text(encoding="utf-8")


def _slots() -> dict[str, int]:
    """The half-day plan's and the RocketMQ 5 session's rows (English): the block's words,
    and its minutes."""
    english = TEXT.split("\n## 中文\n", 1)[0]
    plans = [
        english.split(heading, 1)[1].split("\n### ", 1)[0]
        for heading in ("### The half-day workshop", "### The RocketMQ 5 and broker session")
    ]
    found = {}
    for start, end, block in re.findall(r"^\| (\d+:\d\d) to (\d+:\d\d) \| ([^|]+)\|", "\n".join(plans), re.M):
        (h1, m1), (h2, m2) = (map(int, x.split(":")) for x in (start, end))
        found[block.strip()] = (h2 * 60 + m2) - (h1 * 60 + m1)
    return found


def test_the_lesson_site_gives_each_lesson_its_time_in_the_half_day_plan() -> None:
    """The index's "about N min" is the guide's slot for a lesson taught in step mode."""
    from minimq.lessons.base import Lesson
    from minimq.site.build import MATRIX_MINUTES

    slots = _slots()
    for lesson in LESSONS:
        slot = next((m for block, m in slots.items() if re.match(rf"lesson {lesson.number}, ", block)), None)
        minutes = lesson.minutes if isinstance(lesson, Lesson) else MATRIX_MINUTES
        if slot is not None:
            assert minutes == slot, f"lesson {lesson.number}: the index says {minutes} min, the guide {slot}"
    shared = next(m for block, m in slots.items() if block.startswith("lessons 8 to 11: two of them in step mode"))
    assert all(isinstance(lesson, Lesson) and 2 * lesson.minutes <= shared for lesson in LESSONS[7:11])
    assert sum(1 for block in slots if re.match(r"lesson \d+, ", block)) >= 13  # both plans were read
