"""The minimq pytest plugin: seeded worlds, replayable explorations, exactly-once asserts.

Owns: the options, fixtures and report lines every project that installs minimq gets
(registered as the ``pytest11`` entry point ``minimq``; ``-p no:minimq`` turns it off).

Options:
- ``--minimq-seed N``: the seed of ``minimq_world`` and of explorations (default 0);
- ``--minimq-examples N``: schedules an exploration tries (default 200, as ``minimq check``);
- ``--minimq-replay TOKEN``: a stored counterexample (``Schedule.token()``) to replay;
- ``--minimq-timeout SECONDS``: the wall-clock limit of one schedule's run in
  ``minimq_check`` (default 10): a design stuck longer (a busy loop, a blocking call) is a
  counterexample that says where it was stuck, not a test that hangs.

Fixtures: ``minimq_seed``, ``minimq_examples``, ``minimq_replay`` (the ``Schedule`` or
None), ``minimq_world`` (a fresh ``World(seed=minimq_seed)``, closed after the test),
``minimq_broker`` (its broker), and ``minimq_check``: ``minimq_check("design.py")`` explores
a design with that seed and that many examples, or replays the ``--minimq-replay``
schedule, and fails the test with the counterexample in words and its replay commands.

The report header names the seed, and a failing test that used it gets a "minimq"
section with the command that re-runs it. Importing this module loads no rich and no
Hypothesis: fixtures import what they need when a test uses them.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Generator, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

import pytest

from minimq.testing.asserts import RunningTest, assert_exactly_once, rerun_command, set_running_test

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.testing.design import LoadedDesign
    from minimq.testing.explore import ExploreResult
    from minimq.testing.schedule import Schedule
    from minimq.world import World

DEFAULT_SEED = 0
DEFAULT_EXAMPLES = 200
DEFAULT_TIMEOUT_S = 10.0
REPLAY_KEY = pytest.StashKey["Schedule | None"]()


class MinimqCheck(Protocol):
    """The type of the ``minimq_check`` fixture, for annotating a test's argument."""

    def __call__(
        self, design: str | os.PathLike[str] | LoadedDesign, *, paths: Iterable[str] | None = None, max_orders: int = 3
    ) -> ExploreResult: ...


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("minimq", "minimq: seeded simulations and idempotency property tests")
    group.addoption(
        "--minimq-seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"seed of the minimq_world fixture and of minimq_check explorations (default {DEFAULT_SEED})",
    )
    group.addoption(
        "--minimq-examples",
        type=int,
        default=DEFAULT_EXAMPLES,
        metavar="N",
        help=f"fault schedules minimq_check tries per design (default {DEFAULT_EXAMPLES})",
    )
    group.addoption(
        "--minimq-replay",
        default=None,
        metavar="TOKEN",
        help="replay this stored schedule (from a failure report) instead of exploring",
    )
    group.addoption(
        "--minimq-timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="SECONDS",
        help=f"wall-clock limit of one schedule's run in minimq_check (default {DEFAULT_TIMEOUT_S:g})",
    )


def pytest_configure(config: pytest.Config) -> None:
    examples = config.getoption("minimq_examples", DEFAULT_EXAMPLES)
    if examples < 1:
        raise pytest.UsageError(f"--minimq-examples must be at least 1, got {examples}")
    timeout = config.getoption("minimq_timeout", DEFAULT_TIMEOUT_S)
    if not 0 < timeout < float("inf"):
        raise pytest.UsageError(f"--minimq-timeout must be a positive number of seconds, got {timeout}")
    token = config.getoption("minimq_replay", None)
    schedule = None
    if token:
        from minimq.testing.schedule import Schedule
        from minimq.testing.schedule_check import ScheduleError

        try:
            schedule = Schedule.from_token(str(token))
        except ScheduleError as exc:
            raise pytest.UsageError(f"--minimq-replay: {exc}") from None
    config.stash[REPLAY_KEY] = schedule


def pytest_report_header(config: pytest.Config) -> list[str]:
    seed = config.getoption("minimq_seed")
    line = f"minimq: seed {seed} (re-run with --minimq-seed {seed}), {config.getoption('minimq_examples')} examples"
    schedule = config.stash.get(REPLAY_KEY, None)
    if schedule is not None:
        line += f", replaying a stored schedule of {len(schedule.steps)} step(s)"
    return [line]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    previous = set_running_test(RunningTest(item.nodeid, "minimq_replay" in _fixtures(item)))
    try:
        yield
    finally:
        set_running_test(previous)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    if (
        isinstance(report, pytest.TestReport)
        and report.failed
        and "minimq_seed" in _fixtures(item)
        and "--minimq-seed" not in str(report.longrepr)  # unless the assertion said it already
    ):
        report.sections.append(("minimq", _rerun_hint(item)))
    return report


def _fixtures(item: pytest.Item) -> Iterable[str]:
    names = getattr(item, "fixturenames", ())
    return names if isinstance(names, list | tuple) else ()


def _rerun_hint(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "minimq_seed" in callspec.params:
        return f"seed {callspec.params['minimq_seed']} (parametrized); re-run with: pytest {shlex.quote(item.nodeid)}"
    seed = item.config.getoption("minimq_seed")
    token = item.config.getoption("minimq_replay") if "minimq_replay" in _fixtures(item) else None
    command = rerun_command(seed, token, node=item.nodeid)
    return f"seed {seed}; re-run with: {command}"


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture
def minimq_seed(request: pytest.FixtureRequest) -> int:
    """The seed for this test's simulations: ``--minimq-seed``, else 0."""
    return int(request.config.getoption("minimq_seed"))


@pytest.fixture
def minimq_examples(request: pytest.FixtureRequest) -> int:
    """How many fault schedules an exploration tries: ``--minimq-examples``, else 200."""
    return int(request.config.getoption("minimq_examples"))


@pytest.fixture
def minimq_replay(request: pytest.FixtureRequest) -> Schedule | None:
    """The schedule given with ``--minimq-replay TOKEN``, or None."""
    return request.config.stash.get(REPLAY_KEY, None)


@pytest.fixture
def minimq_world(minimq_seed: int) -> Iterator[World]:
    """A fresh ``World(seed=minimq_seed)``, closed after the test."""
    from minimq.world import World

    world = World(seed=minimq_seed)
    try:
        yield world
    finally:
        world.close()


@pytest.fixture
def minimq_broker(minimq_world: World) -> Broker:
    """The broker of ``minimq_world``."""
    return minimq_world.broker


@pytest.fixture
def minimq_check(
    request: pytest.FixtureRequest, minimq_seed: int, minimq_examples: int, minimq_replay: Schedule | None
) -> MinimqCheck:
    """``minimq_check(design, paths=None, max_orders=3)``: explore ``design`` (a file path or
    a ``LoadedDesign``) with this run's seed and examples, or replay ``--minimq-replay``;
    fail the test on a counterexample, return the ``ExploreResult`` otherwise."""

    def check(
        design: str | os.PathLike[str] | LoadedDesign, *, paths: Iterable[str] | None = None, max_orders: int = 3
    ) -> ExploreResult:
        __tracebackhide__ = True
        from minimq.testing.design import LoadedDesign, load_design

        try:
            from minimq.testing.explore import ExploreResult, explore, replay
        except ModuleNotFoundError as exc:
            if exc.name != "hypothesis":
                raise
            pytest.fail("minimq_check needs Hypothesis: pip install 'minimq[test]'", pytrace=False)
        from minimq.testing.strategies import check_paths

        timeout = float(request.config.getoption("minimq_timeout"))
        loaded = design if isinstance(design, LoadedDesign) else load_design(str(design), timeout_s=timeout)
        if minimq_replay is None:
            result = explore(
                loaded,
                examples=minimq_examples,
                seed=minimq_seed,
                paths=paths,
                max_orders=max_orders,
                timeout_s=timeout,
            )
        else:
            outcome = replay(loaded, minimq_replay, minimq_seed, timeout_s=timeout)
            result = ExploreResult(
                loaded.name,
                minimq_seed,
                check_paths(paths),
                examples=1,
                runs=1,
                counterexample=None if outcome.ok else outcome,
            )
            result.paths_seen.update(minimq_replay.paths())
        assert_exactly_once(result, design=loaded.path)
        return result

    return check
