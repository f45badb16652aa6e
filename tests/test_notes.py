"""Speaker notes (``minimq.i18n.text_notes``): every note names a slide that exists, every
story lesson has the notes an instructor needs, and each note reads at a glance in both
languages.

A slide is ``intro``, ``r<run>s<step>``, ``r<run>end`` or ``end``, numbered from 1 as the
lesson site's player numbers them; only the story lessons (1 to 16; 12 to 16 keep theirs in
their own text_lessonN.py) have notes, the fix matrix is no player page. A step
renumbered or a run removed leaves its note pointing at nothing: the first test names
that key.
"""

from __future__ import annotations

import re

import pytest

from minimq.i18n import CATALOG
from minimq.i18n.text_notes import NOTES as SHARED_NOTES
from minimq.lessons import LESSONS
from minimq.lessons.base import Lesson

# every note of the catalog: text_notes.py's, and those a later lesson keeps with its own
# words (text_lessonN.py)
NOTES = {key: text for key, text in CATALOG.items() if key.startswith("note.")}
STORY_LESSONS = [lesson for lesson in LESSONS if isinstance(lesson, Lesson)]
BY_SLUG = {lesson.slug: lesson for lesson in STORY_LESSONS}
SLIDE = re.compile(r"r(\d+)(?:s(\d+)|end)")
PREFIXES = {"en": ("Ask: ", "Answer: ", "Watch for: "), "zh": ("问：", "答：", "留意：")}
MAX_CHARS = 400  # read at a glance, on the presenter's screen
# Every note in the catalog: text_notes.py's, and those a later lesson keeps in its own
# text_lessonN.py (lessons 12 to 16), as the site reads them (``t("note.<slug>.<slide>")``).
NOTES = {key: text for key, text in CATALOG.items() if key.startswith("note.")}


def where(key: str) -> str | None:
    """What is wrong with the slide ``key`` names, or None if the slide exists."""
    parts = key.split(".")
    if len(parts) != 3 or parts[0] != "note":
        return "not note.<slug>.<slide>"
    _, slug, slide = parts
    lesson = BY_SLUG.get(slug)
    if lesson is None:
        return f"no story lesson is called {slug!r} (story lessons: {', '.join(BY_SLUG)})"
    if slide in ("intro", "end"):
        return None
    match = SLIDE.fullmatch(slide)
    if match is None:
        return f"{slide!r} is not intro, end, r<run>s<step> or r<run>end"
    run_no, step_no = int(match[1]), match[2]
    if not 1 <= run_no <= len(lesson.runs):
        return f"lesson {lesson.number} has runs 1 to {len(lesson.runs)}, not {run_no}"
    steps = len(lesson.runs[run_no - 1].steps)
    if step_no is not None and not 1 <= int(step_no) <= steps:
        return f"run {run_no} of lesson {lesson.number} has steps 1 to {steps}, not {step_no}"
    return None


def test_every_note_names_a_slide_that_exists() -> None:
    wrong = [f"{key}: {problem}" for key in NOTES if (problem := where(key)) is not None]
    assert not wrong, "notes for slides that do not exist:\n" + "\n".join(wrong)


def test_the_notes_are_in_the_catalog() -> None:
    assert all(CATALOG[key] == text for key, text in SHARED_NOTES.items())


@pytest.mark.parametrize("lesson", STORY_LESSONS, ids=lambda lesson: lesson.slug)
def test_every_story_lesson_has_its_notes(lesson: Lesson) -> None:
    """The opening, every step of the naive run, the first step of each later run, the table."""
    needed = ["intro", *(f"r1s{n}" for n in range(1, len(lesson.runs[0].steps) + 1))]
    needed += [f"r{run_no}s1" for run_no in range(2, len(lesson.runs) + 1)]
    needed.append("end")
    missing = [f"note.{lesson.slug}.{slide}" for slide in needed if f"note.{lesson.slug}.{slide}" not in NOTES]
    assert not missing, f"lesson {lesson.number} has no note for: {', '.join(missing)}"


@pytest.mark.parametrize("key", sorted(NOTES))
def test_a_note_asks_and_answers_in_both_languages(key: str) -> None:
    en, zh = NOTES[key]
    assert en.strip() and zh.strip(), key
    assert "Ask: " in en and "问：" in zh, key
    kinds: dict[str, list[int]] = {}
    for lang, text in (("en", en), ("zh", zh)):
        lines = text.split("\n")
        assert all(line.strip() for line in lines), f"{key} ({lang}): an empty line"
        assert all(line.startswith(PREFIXES[lang]) for line in lines), (
            f"{key} ({lang}): every line starts with one of {PREFIXES[lang]}"
        )
        assert lines[0].startswith(PREFIXES[lang][0]), f"{key} ({lang}): a note opens with its question"
        kinds[lang] = [PREFIXES[lang].index(next(p for p in PREFIXES[lang] if line.startswith(p))) for line in lines]
        asks = [i for i, kind in enumerate(kinds[lang]) if kind == 0]
        assert all(i + 1 < len(lines) and kinds[lang][i + 1] == 1 for i in asks), (
            f"{key} ({lang}): an unanswered question"
        )
        assert len(text) <= MAX_CHARS, f"{key} ({lang}): {len(text)} characters, more than {MAX_CHARS}"
        # t() fills placeholders when it is given values: a note has none, and no brace either
        assert "{" not in text and "}" not in text, f"{key} ({lang}): a brace"
    assert kinds["en"] == kinds["zh"], f"{key}: the two languages ask, answer and warn in different lines"
    assert re.search(r"[\u4e00-\u9fff]", zh), key
