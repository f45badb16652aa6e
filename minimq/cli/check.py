"""``minimq check DESIGN``: explore a design, or replay one stored schedule.

Owns: the command's checks of its options, its output (words in ``--lang``, JSON with
``--json``) and its exit codes:
- 0: no violation found (how many schedules, over which paths, and what they did);
- 1: a counterexample: shrunk, in words, with its timeline and the one command that
  replays it exactly;
- 2: the design or the command is wrong (file missing, syntax error, no ``handle``,
  wrong signature, an error in ``setup``, a thread, an unknown path, a bad replay token,
  an option out of range), named clearly;
- 130: interrupted (Ctrl-C).
The design never runs in this process: worker processes (``workers``) load and run it,
so its ``print`` goes to the standard error and whatever it does (exit, hang, kill its
process) is reported, not suffered. Temporary databases live in one directory for the
run, removed however the run ends (``scratch.run_dir``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
from pathlib import Path

from minimq.i18n import default_lang, t
from minimq.render.check_view import show_counterexample, show_pass
from minimq.render.console import make_console
from minimq.render.progress import ExploreProgress
from minimq.testing.design import DesignError
from minimq.testing.explore import MAX_EXAMPLES, ExploreResult, explore
from minimq.testing.matrix import column_named, schedule_of
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import PATHS, Schedule
from minimq.testing.schedule_check import ScheduleError
from minimq.testing.scratch import run_dir
from minimq.testing.story import message_names, messages_in_words, schedule_in_words, violation_in_words
from minimq.testing.workers import replay_in_worker

DEFAULT_TIMEOUT_S = 10.0
MAX_TIMEOUT_S = 24 * 3600.0
MAX_JOBS = 64
MIN_WIDTH = 40


def replay_command(design: str, seed: int, schedule: Schedule) -> str:
    return f"minimq check {shlex.quote(design)} --seed {seed} --replay {schedule.token()}"


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_JOBS))


class UsageError(Exception):
    """A bad option: the catalog key of the message, and its values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def _paths(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [p.strip() for p in text.split(",") if p.strip()]
    choices = ", ".join(PATHS)
    if not names:
        raise UsageError("err.paths_empty", value=repr(text), choices=choices)
    unknown = [p for p in names if p not in PATHS]
    if unknown:
        raise UsageError("err.paths_unknown", unknown=", ".join(unknown), choices=choices)
    return names


def validate(args: argparse.Namespace) -> list[str] | None:
    """Refuse options out of range; return the paths to explore (None: all)."""
    if not 1 <= args.examples <= MAX_EXAMPLES:
        raise UsageError("err.examples", max=f"{MAX_EXAMPLES:,}", value=args.examples)
    if args.width is not None and args.width < MIN_WIDTH:
        raise UsageError("err.width", min=MIN_WIDTH, value=args.width)
    if args.jobs is not None and not 1 <= args.jobs <= MAX_JOBS:
        raise UsageError("err.jobs", max=MAX_JOBS, value=args.jobs)
    timeout = args.timeout
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT_S):
        raise UsageError("err.timeout", max=f"{MAX_TIMEOUT_S:g}", value=args.timeout)
    return _paths(args.paths)


def run(args: argparse.Namespace) -> int:
    lang = args.lang or default_lang()
    try:
        return _run(args, lang)
    except UsageError as error:
        message = t(error.key, lang, **error.values)
    except ScheduleError as error:
        message = t("err.schedule", lang, problem=error.text(lang))
    except DesignError as error:
        message = error.text(lang)
    except KeyboardInterrupt:
        print(f"\n{t('err.interrupted', lang)}", file=sys.stderr)
        return 130
    print(t("err.prefix", lang, message=message), file=sys.stderr)
    return 2


def _run(args: argparse.Namespace, lang: str) -> int:
    paths = validate(args)
    with run_dir():
        if args.replay:
            column = column_named(args.replay)  # a cell of the fix-matrix lesson: A1 .. J1
            schedule = schedule_of(column) if column is not None else Schedule.from_token(args.replay)
            return _report_replay(args, lang, replay_in_worker(args.design, schedule, args.seed, args.timeout))
        jobs = args.jobs or default_jobs()
        label = t("progress.exploring", lang, design=Path(args.design).name)
        with ExploreProgress(label, args.examples, lang) as progress:
            result = explore(
                args.design,
                examples=args.examples,
                seed=args.seed,
                paths=paths,
                jobs=jobs,
                isolate=True,
                timeout_s=args.timeout,
                progress=progress.update,
            )
    return _report(args, lang, result)


def _report(args: argparse.Namespace, lang: str, result: ExploreResult) -> int:
    bad = result.counterexample
    if args.json:
        data: dict[str, object] = {
            "design": args.design,
            "ok": result.ok,
            "seed": result.seed,
            "examples": result.examples,
            "runs": result.runs,
            "shards": result.shards,
            "paths": result.paths,
            "paths_seen": sorted(result.paths_seen),
            "stats": result.stats.to_dict(),
        }
        if bad is not None:
            data["shrink_runs"] = result.shrink_runs
            data["counterexample"] = _bad_json(args, lang, bad)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0 if result.ok else 1
    console = make_console(args.width, args.no_color)
    if bad is None:
        distinct = t("check.distinct", lang, runs=result.runs) if result.runs != result.examples else ""
        key = "check.ok_sms" if result.stats.sms_checked else "check.ok"
        headline = t(key, lang, design=args.design, examples=result.examples, seed=result.seed, distinct=distinct)
        seen = ", ".join(sorted(result.paths_seen)) or t("check.none", lang)
        show_pass(console, headline, t("check.paths_explored", lang, paths=seen), result.stats.to_dict(), lang)
        return 0
    key = "check.fail_hung" if "timed_out" in bad.kinds() else "check.fail"
    headline = t(key, lang, design=args.design, examples=result.examples, shrink=result.shrink_runs)
    _show(args, lang, headline, bad)
    return 1


def _bad_json(args: argparse.Namespace, lang: str, bad: Outcome) -> dict[str, object]:
    names = message_names(bad.trace)
    sms: dict[str, object] = {"sms": bad.sms} if bad.sms else {}
    return {
        "coupons": bad.coupons,
        **sms,
        "violations": [v.to_dict() for v in bad.violations],
        "schedule": json.loads(bad.schedule.to_json()),
        "token": bad.schedule.token(),
        "story": schedule_in_words(bad.schedule, lang),
        "what_happened": violation_in_words(bad, lang, names),
        "messages": messages_in_words(bad.trace, names, lang),
        "replay": replay_command(args.design, args.seed, bad.schedule),
    }


def _show(args: argparse.Namespace, lang: str, headline: str, bad: Outcome) -> None:
    names = message_names(bad.trace)
    sections = [
        ("check.h_schedule", schedule_in_words(bad.schedule, lang)),
        ("check.h_wrong", violation_in_words(bad, lang, names)),
        ("check.h_messages", messages_in_words(bad.trace, names, lang)),
    ]
    console = make_console(args.width, args.no_color)
    replay = replay_command(args.design, args.seed, bad.schedule)
    show_counterexample(console, headline, sections, bad.trace.events, names, replay, lang)


def _report_replay(args: argparse.Namespace, lang: str, outcome: Outcome) -> int:
    if args.json:
        names = message_names(outcome.trace)
        data = {
            "design": args.design,
            "ok": outcome.ok,
            "coupons": outcome.coupons,
            **({"sms": outcome.sms} if outcome.sms else {}),
            "violations": [v.to_dict() for v in outcome.violations],
            "what_happened": violation_in_words(outcome, lang, names),
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0 if outcome.ok else 1
    if outcome.ok:
        console = make_console(args.width, args.no_color)
        console.print(f"[green]{t('check.ok_word', lang)}[/] {t('check.replay_ok', lang, design=args.design)}")
        return 0
    _show(args, lang, t("check.replay_fail", lang, design=args.design), outcome)
    return 1
