"""explore(): every distinct schedule runs once while exploring; the report is one complete run."""

from __future__ import annotations

import collections
import importlib
from collections.abc import Callable

import pytest

from minimq.apps.design import DESIGNS_DIR
from minimq.testing import explore, load_design
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import Schedule

DESIGNS = DESIGNS_DIR
explore_module = importlib.import_module("minimq.testing.shards")  # where the runs are made


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """How many times each schedule was run in a lab."""
    counted: collections.Counter[str] = collections.Counter()
    real: Callable[..., Outcome] = explore_module.run_schedule

    def counting(design: object, schedule: Schedule, seed: int = 0, **options: object) -> Outcome:
        mode = "explore" if options.get("fail_fast") else "complete"
        counted[f"{mode} {schedule.to_json()}"] += 1
        return real(design, schedule, seed, **options)

    monkeypatch.setattr(explore_module, "run_schedule", counting)
    return counted


def test_no_schedule_runs_twice_and_every_generated_one_is_counted(runs: collections.Counter[str]) -> None:
    result = explore(load_design(DESIGNS / "unique_key.py"), examples=40, seed=0)
    assert result.ok
    assert result.examples == 40  # what Hypothesis generated, as --examples asked
    assert set(runs.values()) == {1}
    assert all(key.startswith("explore ") for key in runs)
    # every shard counts the schedules it ran; shards share their runs within a process
    assert len(runs) <= result.runs <= 40
    assert result.shards == 2


def test_the_counterexample_is_one_complete_run_of_the_minimal_schedule(runs: collections.Counter[str]) -> None:
    result = explore(load_design(DESIGNS / "query_then_insert.py"), examples=50, seed=0)
    bad = result.counterexample
    assert bad is not None and bad.duplicated and bad.complete
    assert set(runs.values()) == {1}
    complete = [key for key in runs if key.startswith("complete ")]
    assert complete == [f"complete {bad.schedule.to_json()}"]  # the story comes from a full run
    assert f"explore {bad.schedule.to_json()}" in runs  # found (and judged) while exploring
    assert result.runs == len(runs) - 1
    assert 0 < result.shrink_runs < result.runs
