"""The learner's exercises: each starter fails its grading command, a reference answer passes.

Every exercise in lessons/exercises/ is a starter file, a README in English and Chinese
that gives the one ``minimq check`` command that grades it, and four homework questions.
The starters are run with exactly that command (from the README), and must fail on the
path they are about; exercises 3 to 5 must pass every other path, since their READMEs
say so. The reference answers live in tests/exercise_answers/ (exercise 1's is the
shipped ``unique_key`` design), never next to a starter: they pass the grading command
and every path.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from minimq.apps.design import DESIGNS_DIR
from minimq.cli import main
from minimq.testing import explore, load_design
from minimq.testing.schedule import PATHS

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "lessons" / "exercises"
ANSWERS = Path(__file__).resolve().parent / "exercise_answers"
STARTER = EXERCISES / "coupon_consumer.py"
REFERENCE = DESIGNS_DIR / "unique_key.py"


@dataclass(frozen=True)
class Exercise:
    starter: str  # relative to the repository, as the grading command names it
    paths: str | None  # the grading command's --paths (None: every path)
    reference: Path
    others_pass: bool  # the README says the starter passes every path it is not graded on
    also_fails: tuple[str, ...] = ()  # ... but these, which its README names as well

    @property
    def file(self) -> Path:
        return ROOT / self.starter

    @property
    def readme(self) -> Path:
        return self.file.parent / "README.md"

    @property
    def command(self) -> str:
        return f"minimq check {self.starter}" + (f" --paths {self.paths}" if self.paths else "")

    def __str__(self) -> str:
        return self.file.parent.name if self.paths else "01"


ALL = [
    Exercise("lessons/exercises/coupon_consumer.py", None, REFERENCE, others_pass=False),
    Exercise(
        "lessons/exercises/02_partial_failure/coupon_sms.py",
        "reconsume-later,crash",
        ANSWERS / "partial_failure.py",
        others_pass=False,
    ),
    Exercise(
        "lessons/exercises/03_scale_out/coupon_scale_out.py",
        "rebalance,crash",
        ANSWERS / "scale_out.py",
        others_pass=True,
        also_fails=("pop",),  # a second SimpleConsumer is a second process, as a scale-out is
    ),
    Exercise(
        "lessons/exercises/04_consume_timeout/coupon_lease.py",
        "consume-timeout",
        ANSWERS / "consume_timeout.py",
        others_pass=True,
    ),
    Exercise(
        "lessons/exercises/05_late_redelivery/coupon_ttl.py",
        "late-redelivery",
        ANSWERS / "late_redelivery.py",
        others_pass=True,
    ),
]
NEW = ALL[1:]


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(["check", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def sections(readme: Path) -> tuple[str, str]:
    """The English and the Chinese half of a README."""
    text = readme.read_text(encoding="utf-8")
    assert "## English" in text and "## 中文" in text, readme
    english, chinese = text.split("## 中文", 1)
    return english, chinese


# -- exercise 1 (the first one, whose README also holds the contract and the paths) --------
def test_the_starter_follows_the_contract_and_leaves_todos() -> None:
    design = load_design(STARTER)
    assert design.is_async
    assert design.has_setup
    assert STARTER.read_text(encoding="utf-8").count("TODO") >= 3


def test_the_starter_fails_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, str(STARTER), "--examples", "50")
    assert code == 1
    assert data["ok"] is False
    bad = data["counterexample"]
    assert isinstance(bad, dict)
    assert max(bad["coupons"].values()) >= 2  # the duplicate in the customer's ticket
    assert str(bad["replay"]).startswith(f"minimq check {STARTER} --seed 0 --replay ")


def test_a_reference_answer_passes_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = check(capsys, str(REFERENCE), "--examples", "30")
    assert code == 0
    assert data["ok"] is True
    assert data["examples"] == 30


def test_the_readme_gives_the_grading_command_in_both_languages() -> None:
    text = (EXERCISES / "README.md").read_text(encoding="utf-8")
    assert "## English" in text and "## 中文" in text
    assert text.count("minimq check lessons/exercises/coupon_consumer.py") >= 4
    for path in ("upstream-retry", "lost-reply", "crash", "rebalance", "reconsume-later", "consume-timeout"):
        assert text.count(f"| `{path}` |") == 2, path


# -- every exercise ------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise", ALL, ids=str)
def test_each_readme_gives_its_grading_command_and_homework_in_both_languages(exercise: Exercise) -> None:
    english, chinese = sections(exercise.readme)
    for half, homework in ((english, "### Homework"), (chinese, "### 课后思考")):
        assert exercise.command in half
        assert homework in half
        questions = half.split(homework, 1)[1]
        assert re.findall(r"^\d\. \*\*", questions, re.MULTILINE) == [f"{n}. **" for n in "1234"]
    assert exercise.command in exercise.file.read_text(encoding="utf-8")  # the starter says it too


@pytest.mark.parametrize("exercise", NEW, ids=str)
def test_the_index_lists_each_exercise_in_both_languages(exercise: Exercise) -> None:
    english, chinese = sections(EXERCISES / "README.md")
    link = f"]({exercise.file.parent.name}/README.md)"
    for half in (english, chinese):
        assert exercise.command in half
        assert link in half


@pytest.mark.parametrize("exercise", NEW, ids=str)
def test_a_starter_follows_the_contract_and_leaves_todos(exercise: Exercise) -> None:
    design = load_design(exercise.file)
    assert design.is_async
    assert exercise.file.read_text(encoding="utf-8").count("TODO") >= 2
    assert sorted(p.name for p in exercise.file.parent.iterdir()) == ["README.md", exercise.file.name]


@pytest.mark.parametrize("exercise", NEW, ids=str)
def test_a_starter_fails_its_grading_command(
    exercise: Exercise, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the command names the starter from the repository's root
    argv = shlex.split(exercise.command)
    assert argv[:2] == ["minimq", "check"]
    code, data = check(capsys, *argv[2:], "--examples", "25")
    assert code == 1
    bad = data["counterexample"]
    assert isinstance(bad, dict)
    assert "duplicate" in [v["kind"] for v in bad["violations"]]
    assert set(data["paths"]) == set(str(exercise.paths).split(","))
    assert str(bad["replay"]).startswith(f"minimq check {exercise.starter} --seed 0 --replay ")


@pytest.mark.parametrize("exercise", [e for e in NEW if e.others_pass], ids=str)
def test_a_starter_passes_every_path_it_is_not_about(exercise: Exercise) -> None:
    others = [p for p in PATHS if p not in str(exercise.paths).split(",") and p not in exercise.also_fails]
    result = explore(exercise.file, examples=25, paths=others)
    assert result.ok, result.counterexample and result.counterexample.violations
    for path in exercise.also_fails:  # the README says so, in both languages
        assert all(f"`{path}`" in half for half in sections(exercise.readme)), path
        assert not explore(exercise.file, examples=25, paths=[path]).ok, path


@pytest.mark.parametrize("exercise", NEW, ids=str)
def test_a_reference_answer_passes_its_grading_command_and_every_path(exercise: Exercise) -> None:
    assert EXERCISES not in exercise.reference.parents  # kept in the tests, not next to the starter
    graded = explore(exercise.reference, examples=25, paths=str(exercise.paths).split(","))
    assert graded.ok, graded.counterexample and graded.counterexample.violations
    every = explore(exercise.reference, examples=25)
    assert every.ok, every.counterexample and every.counterexample.violations


def test_the_partial_failure_answer_is_judged_on_its_sms() -> None:
    design = load_design(ANSWERS / "partial_failure.py")
    assert design.sends_sms
    assert load_design(EXERCISES / "02_partial_failure" / "coupon_sms.py").sends_sms
