"""The pytest plugin as a user meets it: fixtures, options, the report header, and
``assert_exactly_once`` failing with the counterexample in words and its replay commands.

Most tests run pytest inside pytest (``pytester``) on a small user project; the plugin
is loaded through its ``pytest11`` entry point, as in any project that installs minimq.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from minimq import ConsumeStatus, EffectLedger, Message, MessageExt, World
from minimq.apps.design import DESIGNS_DIR
from minimq.demo import run as run_demo
from minimq.testing import Schedule, assert_exactly_once, load_design, replay, run_schedule
from minimq.testing.plugin import MinimqCheck
from minimq.testing.schedule import READY_MS
from minimq.testing.steps import Pay, UpstreamRetry

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
QTI = DESIGNS_DIR / "query_then_insert.py"
# looptime (installed in this venv for the benchmarks) breaks every fixture without
# pytest-asyncio; this repository's own addopts turn it off, the inner runs do the same
NO_LOOPTIME = ("-p", "no:looptime_plugin", "-p", "no:looptime_chronometers", "-p", "no:looptime_timeproxies")
PAID = Pay(at_ms=READY_MS, order="order-1")
UPSTREAM_RETRY = Schedule(("order-1",), (PAID, UpstreamRetry(at_ms=READY_MS, order="order-1")))

# the suite a user writes: one property test per design, and the plumbing tests
USER_SUITE = """
from minimq.testing import assert_exactly_once, explore


def test_query_then_insert_is_idempotent(minimq_check):
    minimq_check("designs/query_then_insert.py")


def test_unique_key_is_idempotent(minimq_check):
    result = minimq_check("designs/unique_key.py")
    assert result.ok and result.examples >= 1


def test_query_then_insert_by_hand(minimq_seed, minimq_examples):
    result = explore("designs/query_then_insert.py", examples=minimq_examples, seed=minimq_seed)
    assert_exactly_once(result, design="designs/query_then_insert.py")
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(*NO_LOOPTIME, "-p", "no:cacheprovider", *args)


def coupon_project(pytester: pytest.Pytester) -> None:
    designs = pytester.mkdir("designs")
    shutil.copy(QTI, designs / "query_then_insert.py")
    shutil.copy(QTI.with_name("unique_key_sync.py"), designs / "unique_key.py")
    pytester.makepyfile(test_coupons=USER_SUITE)


def replay_lines(text: str) -> dict[str, str]:
    """The replay commands in a failure report, by the tool they run."""
    found = re.findall(r"^E\s+((minimq check|pytest) \S+ .*--(?:minimq-)?replay \S+)$", text, re.MULTILINE)
    return {tool: line for line, tool in found}


# -- fixtures and options --------------------------------------------------------------------------
def test_minimq_world_is_a_fresh_seeded_world_closed_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from minimq import ConsumeStatus, EffectLedger, Message
        from minimq.testing import assert_exactly_once

        WORLDS = []

        def test_one_coupon_per_order(minimq_world, minimq_broker, minimq_seed):
            assert minimq_seed == 0 and minimq_world.seed == 0
            assert minimq_broker is minimq_world.broker
            minimq_broker.create_topic("order-paid")
            coupons = EffectLedger(minimq_world, "coupons")
            issued = set()

            def handle(msg):
                if msg.keys[0] not in issued:
                    issued.add(msg.keys[0])
                    coupons.apply(msg.keys[0])
                return ConsumeStatus.SUCCESS

            minimq_world.push_consumer("coupon-system", "order-paid", handle).start()
            coupons.expect("order-1")
            producer = minimq_world.producer("order-system")
            minimq_world.run(producer.send(Message("order-paid", b"{}", keys=("order-1",))))
            minimq_world.run_for(10_000)
            assert_exactly_once(minimq_world.trace)
            WORLDS.append(minimq_world)

        def test_the_world_was_closed_and_this_one_is_new(minimq_world):
            assert WORLDS and WORLDS[0]._closed and WORLDS[0] is not minimq_world
            assert len(minimq_world.trace) == 1  # WorldStarted only
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["minimq: seed 0 (re-run with --minimq-seed 0), 200 examples"])


def test_minimq_seed_option_seeds_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_seed(minimq_seed, minimq_world):
            assert minimq_seed == 42 and minimq_world.seed == 42

        @pytest.mark.parametrize("minimq_seed", [1, 2])
        def test_parametrized_seeds_win(minimq_seed, minimq_world):
            assert minimq_world.seed == minimq_seed

        def test_fails(minimq_world):
            assert False
        """
    )
    result = run(pytester, "--minimq-seed", "42")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "minimq: seed 42 (re-run with --minimq-seed 42), 200 examples",
            "*- minimq -*",
            "seed 42; re-run with: pytest test_minimq_seed_option_seeds_the_fixtures.py::test_fails --minimq-seed 42",
        ]
    )


def test_minimq_replay_option_gives_the_schedule(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        def test_replay(minimq_replay, minimq_examples):
            assert minimq_replay is not None
            assert minimq_replay.to_json() == {UPSTREAM_RETRY.to_json()!r}
            assert minimq_examples == 7
        """
    )
    result = run(pytester, "--minimq-replay", UPSTREAM_RETRY.token(), "--minimq-examples", "7")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["minimq: seed 0 *, 7 examples, replaying a stored schedule of 2 step(s)"])

    pytester.makepyfile("def test_no_replay(minimq_replay):\n    assert minimq_replay is None\n")
    run(pytester).assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--minimq-replay", "not-a-token!"), "--minimq-replay: not a replay token"),
        (("--minimq-examples", "0"), "--minimq-examples must be at least 1, got 0"),
        (("--minimq-seed", "x"), "--minimq-seed: invalid int value: 'x'"),
        (("--minimq-timeout", "0"), "--minimq-timeout must be a positive number of seconds, got 0.0"),
        (("--minimq-timeout", "nan"), "--minimq-timeout must be a positive number of seconds, got nan"),
    ],
)
def test_bad_options_are_usage_errors(pytester: pytest.Pytester, args: tuple[str, ...], needle: str) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert needle in result.stderr.str()


def test_a_stuck_design_fails_its_test_instead_of_hanging_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        stuck="def handle(msg, db):\n    while True:\n        pass\n",
        test_stuck="def test_stuck(minimq_check):\n    minimq_check('stuck.py')\n",
    )
    result = run(pytester, "--minimq-timeout", "0.5", "--minimq-examples", "5")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*timed out*", "*ran for more than 0.5 s of wall-clock time at stuck.py:2 (while True:)*"]
    )


def test_the_plugin_loads_neither_rich_nor_hypothesis(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_light(minimq_world):
            assert "rich" not in sys.modules and "hypothesis" not in sys.modules
        """
    )
    result = pytester.runpytest_subprocess(*NO_LOOPTIME, "-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1)


# -- assert_exactly_once ---------------------------------------------------------------------------
def test_assert_exactly_once_passes_on_a_good_trace() -> None:
    with World(seed=3) as world:
        world.broker.create_topic("order-paid")
        ledger = EffectLedger(world, "coupons")

        def handle(msg: MessageExt) -> ConsumeStatus:
            ledger.apply(msg.keys[0])
            return ConsumeStatus.SUCCESS

        world.push_consumer("coupon-system", "order-paid", handle).start()
        producer = world.producer("order-system")
        for order in ("order-1", "order-2"):
            ledger.expect(order)
            world.run(producer.send(Message("order-paid", b"{}", keys=(order,))))
        world.run_for(10_000)
        assert_exactly_once(world.trace)
        assert_exactly_once(world, ledger="coupons")


def test_assert_exactly_once_names_a_duplicated_key_and_its_deliveries() -> None:
    demo = run_demo(seed=42)  # one order paid, its send reply lost, two coupons
    with pytest.raises(AssertionError) as failed:
        assert_exactly_once(demo.world.trace)
    message = str(failed.value)
    assert message.startswith("not exactly once: coupons/order-1001 x2 (duplicated)")
    assert (
        "coupons: order-1001 applied 2 time(s) (duplicated); delivered 2 time(s): coupon-system/coupon-1 at" in message
    )
    assert "pytest tests/test_plugin.py::test_assert_exactly_once_names_a_duplicated_key_and_its" in message
    assert "--minimq-seed 42" in message
    demo.world.close()


def test_assert_exactly_once_names_a_lost_key_and_an_empty_check() -> None:
    with World(seed=1) as world:
        ledger = EffectLedger(world, "coupons")
        ledger.expect("order-1")
        ledger.expect("order-2")
        ledger.apply("order-1")
        with pytest.raises(AssertionError, match=r"^not exactly once: coupons/order-2 x0 \(lost\)\n") as failed:
            assert_exactly_once(world.trace)
        assert "coupons: order-2 applied 0 time(s) (lost); delivered 0 time(s)" in str(failed.value)
        with pytest.raises(AssertionError, match=r"no EffectExpected for ledger 'red packets' .* 'coupons'"):
            assert_exactly_once(world.trace, ledger="red packets")
    with World(seed=1) as empty, pytest.raises(AssertionError, match=r"Call EffectLedger.expect\(key\)"):
        assert_exactly_once(empty.trace)
    with pytest.raises(TypeError, match="not dict"):
        assert_exactly_once({"order-1": 1})  # type: ignore[arg-type]


def test_assert_exactly_once_tells_an_outcome_in_words() -> None:
    design = load_design(QTI)
    assert_exactly_once(run_schedule(design, Schedule(("order-1",), (PAID,))))
    with pytest.raises(AssertionError) as failed:
        assert_exactly_once(replay(design, UPSTREAM_RETRY, seed=3), design=QTI)
    message = str(failed.value)
    assert message.startswith("not exactly once in this schedule: order-1 got 2 coupon(s) (duplicated)")
    assert "the payment system calls back again: a second, new message for order-1" in message
    assert "order-1 got 2 coupons: a duplicate coupon." in message
    assert "order-1: delivered 2 time(s) to coupon-system: c1 at 00:02.002 (A), then c1 at 00:02.002 (B)." in message
    shown = QTI.relative_to(Path.cwd()) if QTI.is_relative_to(Path.cwd()) else QTI  # from where it is run
    assert f"minimq check {shown.as_posix()} --seed 3 --replay {UPSTREAM_RETRY.token()}" in message


def test_minimq_check_is_typed_for_users(minimq_check: MinimqCheck, minimq_replay: Schedule | None) -> None:
    assert minimq_replay is None  # this repository's own suite runs with the plugin too
    assert callable(minimq_check)


# -- an explore-based test, as a user writes it ---------------------------------------------------
def test_a_user_suite_finds_the_counterexample_and_replays_it(pytester: pytest.Pytester) -> None:
    coupon_project(pytester)
    result = run(pytester, "--minimq-examples", "10", "-k", "query_then_insert")
    result.assert_outcomes(failed=2, deselected=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*_ test_query_then_insert_is_idempotent _*",
            '>       minimq_check("designs/query_then_insert.py")',
            "E       AssertionError: query_then_insert: not exactly once; a counterexample after * schedule(s) "
            "(seed 0), shrunk in * more run(s): order-* got 2 coupon(s) (duplicated)",
            "E       The schedule:",
            "E         00:02.000 *'order paid' for order-1*",
            "E       What went wrong:",
            "E         order-1 got 2 coupons: a duplicate coupon.",
            "E         order-1: delivered 2 time(s) to coupon-system: *",
            "E       Replay it exactly:",
            "E         minimq check designs/query_then_insert.py --seed 0 --replay *",
            "E         pytest test_coupons.py::test_query_then_insert_is_idempotent --minimq-seed 0 --minimq-replay *",
        ]
    )
    assert "by_hand --minimq-seed 0\n" in out  # that test ignores minimq_replay: the seed alone re-runs it
    commands = replay_lines(out)
    token = commands["pytest"].rsplit(" ", 1)[1]
    assert commands["minimq check"].endswith(token)

    again = run(pytester, "test_coupons.py::test_query_then_insert_is_idempotent", "--minimq-replay", token)
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(["minimq: seed 0 *, replaying a stored schedule of * step(s)", "*Replay it exactly:*"])
    assert "a counterexample after 1 schedule(s)" in again.stdout.str()


def test_a_user_suite_passes_an_idempotent_design(pytester: pytest.Pytester) -> None:
    coupon_project(pytester)
    result = run(pytester, "--minimq-examples", "8", "-k", "unique_key", "--minimq-seed", "5")
    result.assert_outcomes(passed=1, deselected=2)
    token = UPSTREAM_RETRY.token()
    run(pytester, "-k", "unique_key", "--minimq-replay", token).assert_outcomes(passed=1, deselected=2)


def test_minimq_testing_exports_the_explore_function_not_its_module() -> None:
    # ``explore`` names a submodule too; importing the submodule first must not shadow the function
    code = (
        "import minimq.testing.explore\n"
        "from minimq.testing import assert_exactly_once, explore\n"
        "import minimq.testing as t\n"
        "assert callable(explore) and explore is t.explore and explore.__module__ == 'minimq.testing.explore'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
