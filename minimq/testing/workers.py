"""Exploring in worker processes: both cores, and a checker that outlives the design.

Owns: ``explore_in_workers`` and ``replay_in_worker``. The parent process never runs the
design: it forks workers (``fork``: they start at once, with minimq and Hypothesis
already imported), hands them shards (``explore.plan``) in index order, collects their
results and combines them exactly as one process would (``explore.combine``), so the
verdict does not depend on the number of workers. A worker:

- ignores Ctrl-C (the parent handles it: it stops the workers and exits), so a
  ``KeyboardInterrupt`` in a worker can only come from the design;
- writes nothing on the standard output: the design's ``print`` goes to the standard
  error, so ``--json`` output stays clean;
- loads the design itself (its import, with the wall-clock watchdog) and reports a
  ``DesignError`` instead of a traceback;
- reports progress as it runs schedules.

The parent watches the workers: one that dies (the design called ``os._exit``, or
crashed the interpreter) or stays silent past the watchdog's limit (stuck inside C code,
where no signal handler runs) is killed, and the run ends with a ``DesignError`` that
says what happened.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, assert_never

from minimq.errors import MinimqError
from minimq.testing.design import DesignError, LoadedDesign, load_design
from minimq.testing.lab import run_schedule
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import Schedule
from minimq.testing.shards import ExploreResult, Runs, Shard, ShardResult, combine, explore_shard
from minimq.testing.watchdog import GIVE_UP, REFIRE_S, Watchdog
from minimq.testing.worker_messages import (
    Crashed,
    ExploreShard,
    Failed,
    Hung,
    Job,
    Progress,
    Ready,
    Replay,
    Replayed,
    Report,
    ShardDone,
)

PROGRESS_EVERY_S = 0.1
SILENCE_GRACE_S = 10.0  # beyond the watchdog's own give-up time


def _path_of(design: LoadedDesign | str | Path) -> str:
    return design.path if isinstance(design, LoadedDesign) else str(design)


# -- the worker side ------------------------------------------------------------------------
def _worker(conn: Connection, path: str, seed: int, timeout_s: float | None) -> None:
    """A worker's life; anything it did not expect goes to the parent, not to a traceback."""
    try:
        _serve(conn, path, seed, timeout_s)
    except BaseException:  # a bug of ours: the parent reports it
        with contextlib.suppress(OSError):
            conn.send(Crashed(traceback=traceback.format_exc()))


def _serve(conn: Connection, path: str, seed: int, timeout_s: float | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.dup2(2, 1)  # the design's output, even written to fd 1 directly, goes to stderr
    sys.stdout = sys.stderr

    def give_up(dog: Watchdog) -> None:
        with contextlib.suppress(OSError):
            conn.send(Hung(where=str(dog.where or ""), code=dog.where.code if dog.where else ""))
        os._exit(70)

    Watchdog.on_give_up_default = give_up
    try:
        design = load_design(path, timeout_s=timeout_s)
    except DesignError as error:
        conn.send(Failed(error=error))
        return
    conn.send(Ready())
    runs = Runs(design, seed, timeout_s)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            conn.send(_do(job, design, runs, conn))
        except DesignError as error:
            conn.send(Failed(error=error))
            return


def _do(job: Job, design: LoadedDesign, runs: Runs, conn: Connection) -> Report:
    match job:
        case Replay(schedule=schedule):
            outcome = run_schedule(design, schedule, runs.seed, timeout_s=runs.timeout_s)
            return Replayed(outcome=outcome.portable())
        case ExploreShard(shard=shard, paths=paths, max_orders=max_orders):
            last = [0.0]

            def progress(n: int) -> None:
                now = time.monotonic()
                if now - last[0] >= PROGRESS_EVERY_S:
                    last[0] = now
                    conn.send(Progress(index=shard.index, runs=n))

            result = explore_shard(design, shard, runs, paths, max_orders, progress)
            if result.outcome is not None:
                result.outcome = result.outcome.portable()
            return ShardDone(result=result)
        case _:
            assert_never(job)


# -- the parent side ------------------------------------------------------------------------
class _Pool:
    """Forked workers, each with its own pipe; stopped for good when the block ends."""

    def __init__(self, size: int, path: str, seed: int, timeout_s: float | None) -> None:
        context = multiprocessing.get_context("fork")
        self.timeout_s = timeout_s
        self.conns: list[Connection] = []
        self.procs: list[Any] = []
        self.heard: dict[Connection, float] = {}
        self.abandoned: set[Connection] = set()  # busy on work whose result no longer matters
        for _ in range(size):
            mine, theirs = context.Pipe()
            proc = context.Process(target=_worker, args=(theirs, path, seed, timeout_s), daemon=True)
            proc.start()
            theirs.close()
            self.conns.append(mine)
            self.procs.append(proc)
            self.heard[mine] = time.monotonic()

    def __enter__(self) -> _Pool:
        waiting = set(self.conns)
        while waiting:  # every worker has loaded the design, or one says why it cannot
            for conn, message in self.receive(waiting):
                _raise_for(message)
                waiting.discard(conn)
        return self

    def __exit__(self, *exc: object) -> None:
        for conn, proc in zip(self.conns, self.procs, strict=True):
            if exc[0] is None and conn not in self.abandoned:
                with contextlib.suppress(OSError):
                    conn.send(None)  # done: let it exit on its own
                proc.join(timeout=1.0)
            if proc.is_alive():
                proc.kill()
            proc.join()
            conn.close()

    def silence_limit(self) -> float | None:
        if self.timeout_s is None:
            return None
        return self.timeout_s + GIVE_UP * REFIRE_S + SILENCE_GRACE_S

    def receive(self, busy: set[Connection]) -> list[tuple[Connection, Report]]:
        """The next messages from the busy workers; a dead or stuck worker is an error."""
        limit = self.silence_limit()
        ready = wait(list(busy), timeout=1.0)
        got = []
        for conn in ready:
            assert isinstance(conn, Connection)
            try:
                got.append((conn, conn.recv()))
            except EOFError:
                proc = self.procs[self.conns.index(conn)]
                proc.join(timeout=1.0)
                raise DesignError("worker_died", code=proc.exitcode) from None
            self.heard[conn] = time.monotonic()
        if limit is not None:
            for conn in busy:
                if time.monotonic() - self.heard[conn] > limit:
                    raise DesignError("worker_silent", seconds=f"{limit:.0f}")
        return got


class WorkerCrashed(MinimqError, RuntimeError):
    """A worker process failed in minimq's own code (a bug): the message carries its traceback."""


def _raise_for(message: Report) -> None:
    """A worker that reports it cannot go on ends the run."""
    match message:
        case Failed(error=error):
            raise error
        case Crashed(traceback=text):
            last = text.strip().splitlines()[-1]
            raise WorkerCrashed(f"minimq failed inside a worker process ({last}); please report it with:\n{text}")
        case Hung(where=where, code=code):
            raise DesignError("worker_hung", spot=f"{where} ({code})" if where else "?")
        case Ready() | Progress() | ShardDone() | Replayed():
            pass
        case _:
            assert_never(message)


def explore_in_workers(
    design: LoadedDesign | str | Path,
    shards: list[Shard],
    seed: int,
    paths: list[str],
    max_orders: int,
    jobs: int,
    timeout_s: float | None,
    progress: Callable[[int, int], None] | None,
) -> ExploreResult:
    """``explore`` over ``jobs`` worker processes; the same result as one process."""
    path = _path_of(design)
    todo = list(shards)
    results: dict[int, ShardResult] = {}
    failed_at: int | None = None
    with _Pool(max(1, min(jobs, len(shards))), path, seed, timeout_s) as pool:
        idle = list(pool.conns)
        working: dict[Connection, int] = {}
        while True:
            while idle and todo and (failed_at is None or todo[0].index < failed_at):
                conn, shard = idle.pop(0), todo.pop(0)
                conn.send(ExploreShard(shard=shard, paths=paths, max_orders=max_orders))
                working[conn] = shard.index
            if not working:
                break
            for conn, message in pool.receive(set(working)):
                if conn not in working:
                    continue  # abandoned a moment ago: its result cannot matter
                _raise_for(message)
                if isinstance(message, Progress):
                    if progress is not None:
                        progress(message.runs, message.index)
                    continue
                assert isinstance(message, ShardDone), message
                result = message.result
                results[result.index] = result
                del working[conn]
                idle.append(conn)
                if result.outcome is not None and (failed_at is None or result.index < failed_at):
                    failed_at = result.index
                    for other, index in list(working.items()):  # their result cannot matter now
                        if index > failed_at:
                            del working[other]
                            pool.abandoned.add(other)
                if progress is not None:
                    progress(result.runs, result.index)
    wanted = [r for i, r in sorted(results.items()) if failed_at is None or i <= failed_at]
    return combine(Path(path).stem, seed, paths, wanted)


def replay_in_worker(
    design: LoadedDesign | str | Path, schedule: Schedule, seed: int, timeout_s: float | None
) -> Outcome:
    """Run one schedule in a worker process (the design's code never runs here)."""
    with _Pool(1, _path_of(design), seed, timeout_s) as pool:
        conn = pool.conns[0]
        conn.send(Replay(schedule=schedule))
        while True:
            for _, message in pool.receive({conn}):
                _raise_for(message)
                if isinstance(message, Replayed):
                    return message.outcome
