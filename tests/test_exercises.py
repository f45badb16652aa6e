"""The learner's exercise: the starter fails ``minimq check``, a reference answer passes.

The reference answers are the right designs in minimq/designs; the README gives the
grading command in English and Chinese.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minimq.apps.design import DESIGNS_DIR
from minimq.cli import main
from minimq.testing import load_design

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "lessons" / "exercises"
STARTER = EXERCISES / "coupon_consumer.py"
REFERENCE = DESIGNS_DIR / "unique_key.py"


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(["check", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


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
