"""``assert_exactly_once``: the idempotency verdict as a test assertion, with the story.

Owns: the assertion and its failure message. It accepts

- a ``Trace`` (or the ``World`` that holds one): every key an ``EffectLedger`` expected
  must end with exactly one applied effect (``minimq.check.effect_counts``);
- an ``Outcome`` of one lab run (``run_schedule``, ``replay``): every paid order must end
  with exactly one coupon (and one SMS, for a design with ``SENDS_SMS``), and no other
  verdict of ``minimq.testing.verdict`` may fail (a duplicate answered with
  RECONSUME_LATER, a dead letter, a handler that never returned, ...);
- an ``ExploreResult`` (``explore``): no counterexample was found.

On failure it raises ``AssertionError`` naming each bad key and its count; for a lab run,
the schedule and what happened to each bad order in words (``minimq.testing.story``),
then the commands that replay it exactly: ``minimq check DESIGN --seed S --replay TOKEN``
and, inside pytest, ``pytest NODE --minimq-seed S --minimq-replay TOKEN``.

Light on purpose: nothing here imports rich, Hypothesis or pytest, and the lab and the
story are imported only to explain a failure.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from minimq.check import effect_counts
from minimq.events import EffectApplied, EffectExpected, MessageDelivered, WorldStarted
from minimq.trace import Trace
from minimq.world import World

if TYPE_CHECKING:
    from minimq.testing.outcome import Outcome
    from minimq.testing.schedule import Schedule
    from minimq.testing.shards import ExploreResult

__all__ = ["RunningTest", "assert_exactly_once", "replay_commands", "rerun_command", "set_running_test"]


def assert_exactly_once(
    result: Trace | World | Outcome | ExploreResult,
    *,
    design: str | os.PathLike[str] | None = None,
    ledger: str | None = None,
) -> None:
    """Fail unless every expected effect happened exactly once.

    ``design`` is the design file an ``Outcome`` or ``ExploreResult`` came from, so that
    the message can print the ``minimq check`` command that replays it; ``ledger``
    restricts a trace to one effect ledger.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this helper's
    if isinstance(result, World | Trace):
        _trace(result.trace if isinstance(result, World) else result, ledger)
    elif _is(result, "minimq.testing.shards", "ExploreResult"):
        _explored(cast("ExploreResult", result), design)
    elif _is(result, "minimq.testing.outcome", "Outcome"):
        _outcome(cast("Outcome", result), design)
    else:
        raise TypeError(
            f"assert_exactly_once takes a Trace, a World, an Outcome or an ExploreResult, not {type(result).__name__}"
        )


def _is(value: object, module: str, name: str) -> bool:
    """``isinstance(value, module.name)`` without importing ``module``: if it was never
    imported, ``value`` cannot be one (and an ``ExploreResult`` needs Hypothesis)."""
    cls = getattr(sys.modules.get(module), name, None)
    return isinstance(cls, type) and isinstance(value, cls)


# -- a trace ---------------------------------------------------------------------------------
def _trace(trace: Trace, ledger: str | None) -> None:
    __tracebackhide__ = True
    from minimq.i18n.describe import fmt_ms, short

    if not any(ledger in (None, e.ledger) for e in trace.of(EffectExpected)):
        ledgers = sorted({e.ledger for e in trace.of(EffectExpected)})
        where = f" for ledger {ledger!r} (the trace has {', '.join(map(repr, ledgers)) or 'none'})" if ledger else ""
        raise AssertionError(
            f"nothing to check: no EffectExpected{where} in the trace. Call EffectLedger.expect(key) for "
            "every key that must end with exactly one effect, or this assertion proves nothing."
        )
    duplicated, lost = effect_counts(trace)
    bad = sorted((c.ledger, c.key, c.count) for c in [*duplicated, *lost] if ledger in (None, c.ledger))
    if not bad:
        return
    counts = "; ".join(f"{lg}/{key} x{n} ({_verdict(n)})" for lg, key, n in bad)
    lines = [f"not exactly once: {counts}", ""]
    deliveries = trace.of(MessageDelivered)
    for lg, key, n in bad:
        got = [e for e in deliveries if key in e.keys]
        by = {e.by for e in trace.of(EffectApplied) if (e.ledger, e.key) == (lg, key)}
        groups = {e.group for e in got if e.client in by}  # the groups whose clients did the effect
        got = [e for e in got if e.group in groups] if groups else got
        said = ", then ".join(
            f"{e.group}/{e.client} at {fmt_ms(e.at_ms)} (msg {short(e.msg_id)}"
            + (f", retry {e.reconsume_times})" if e.reconsume_times else ")")
            for e in got
        )
        line = f"{lg}: {key} applied {n} time(s) ({_verdict(n)}); delivered {len(got)} time(s)"
        lines.append(f"{line}: {said}" if said else line)
    seeds = [e.seed for e in trace.of(WorldStarted)]
    rerun = rerun_command(seeds[0]) if seeds else None
    if rerun:
        lines += ["", "Re-run it:", f"  {rerun}"]
    raise AssertionError("\n".join(lines))


def _verdict(count: int) -> str:
    return "lost" if count == 0 else "duplicated" if count > 1 else "ok"


# -- a lab run and an exploration -----------------------------------------------------------
def _outcome(outcome: Outcome, design: str | os.PathLike[str] | None, header: str = "", name: str = "DESIGN") -> None:
    __tracebackhide__ = True
    if outcome.ok:
        return
    from minimq.testing.story import schedule_in_words, violation_in_words

    bad = [f"{o} got {n} coupon(s) ({_verdict(n)})" for o, n in outcome.coupons.items() if n != 1]
    bad += [f"{o} got {n} SMS ({_verdict(n)})" for o, n in outcome.sms.items() if n != 1]
    counts = ", ".join(bad)
    counted = {"duplicate", "lost", "duplicate_sms", "lost_sms"}
    others = sorted({v.kind.replace("_", " ") for v in outcome.violations if v.kind not in counted})
    what = "; ".join(filter(None, [counts, ", ".join(others)]))
    lines = [f"{header or 'not exactly once in this schedule'}: {what}", "", "The schedule:"]
    lines += [f"  {line}" for line in schedule_in_words(outcome.schedule)]
    lines += ["", "What went wrong:"]
    lines += [f"  {line}" for line in violation_in_words(outcome)]
    lines += ["", "Replay it exactly:"]
    lines += [f"  {cmd}" for cmd in replay_commands(outcome.schedule, outcome.seed, design, name)]
    raise AssertionError("\n".join(lines))


def _explored(result: ExploreResult, design: str | os.PathLike[str] | None) -> None:
    __tracebackhide__ = True
    bad = result.counterexample
    if bad is None:
        return
    shrunk = result.shrink_runs
    header = (
        f"{result.design}: not exactly once; a counterexample after {result.examples} schedule(s) "
        f"(seed {result.seed}), shrunk in {shrunk} more run(s)"
    )
    _outcome(bad, design, header, result.design)


def replay_commands(
    schedule: Schedule, seed: int, design: str | os.PathLike[str] | None = None, name: str = "DESIGN"
) -> list[str]:
    """The command lines that replay ``schedule`` exactly: ``minimq check`` (with the design
    file when it is known) and, inside a pytest test, ``pytest NODE --minimq-seed ...``."""
    token = schedule.token()
    shown = shlex.quote(_relative(design)) if design is not None else f"path/to/{name}.py"
    commands = [f"minimq check {shown} --seed {seed} --replay {token}"]
    rerun = rerun_command(seed, token)
    if rerun:
        commands.append(rerun)
    return commands


def _relative(design: str | os.PathLike[str]) -> str:
    """The design's path from the current directory, where the command will be run."""
    path = Path(design)
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class RunningTest:
    """The test the pytest plugin is running: its node id, and whether it reads the
    ``minimq_replay`` fixture (itself or through ``minimq_check``)."""

    node: str
    reads_replay: bool


_running: RunningTest | None = None


def set_running_test(test: RunningTest | None) -> RunningTest | None:
    """Called by the pytest plugin around each test, for ``rerun_command``; returns the
    test that was running before (pytest can run inside a test, as ``pytester`` does)."""
    global _running
    previous, _running = _running, test
    return previous


def rerun_command(seed: int, token: str | None = None, node: str | None = None) -> str | None:
    """``pytest NODE --minimq-seed S [--minimq-replay TOKEN]`` for test ``node``, by default
    the one the plugin is running (the token only if that test reads ``minimq_replay``);
    None outside a test run by the plugin."""
    if node is None:
        if _running is None:
            return None
        node = _running.node
        token = token if _running.reads_replay else None
    command = f"pytest {shlex.quote(node)} --minimq-seed {seed}"
    return f"{command} --minimq-replay {token}" if token else command
