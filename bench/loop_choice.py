"""Our VirtualTimeLoop against looptime (PyPI ``looptime``): determinism, speed, structure.

    .venv/bin/python bench/loop_choice.py [--tasks T] [--sleeps S] [--repeat R]

Loops compared:
- ``minimq``: ``minimq.sim.loop.VirtualTimeLoop``: a ``BaseEventLoop`` whose selector is
  a stand-in that advances an integer-millisecond clock; no selector, socket or thread.
- ``looptime``: ``looptime.new_event_loop()``: the standard ``SelectorEventLoop`` (epoll
  plus a self-pipe socket pair) patched so its select() moves a fake clock; defaults
  (``noop_cycles=42``: 42 extra idle loop cycles, each a real ``epoll_wait(0)``, before
  every jump of the clock).
- ``looptime/0``: the same with ``noop_cycles=0``, its fastest setting.

1. Sleep-heavy workload: T tasks (default 1000) each doing S (default 100)
   ``asyncio.sleep``s of durations drawn from ``random.Random(42)`` (1..1000 whole ms),
   recording (virtual ms, task) at each wake-up. Each loop runs it twice: the digest of
   the wake-up log shows whether a run repeats itself and whether two loops agree; the
   digest of the *sorted* log whether they agree on every wake-up time, whatever the
   order of the wake-ups due in the same millisecond (minimq runs those first-in-first-out;
   asyncio's heap, which looptime keeps, does not).
2. minimq on each loop: ``World`` is built on a looptime loop through a small adapter
   (it only adds ``now_ms``); the retry ladder (17 deliveries, 4 h 45 min 40 s) and 2000
   produced and consumed messages, each twice, trace digests compared.
3. Structure: file descriptors each loop opens, and what happens when a program waits
   for something nobody will ever do (ours raises ``SimulationStalled`` at once;
   looptime waits in real time: for ever by default, here with ``idle_timeout=0.2``).
4. Determinism when a thread is involved: a ticker of 1 ms sleeps next to a worker that
   runs 1 ms of blocking work in the default executor, 8 runs, digests of the event log
   (ours refuses the executor with ``ThreadInSimulationError``; before that it had no
   self-pipe for the thread to wake it, and stalled).
Wall times are the best and median of R interleaved repeats (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib.metadata
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    import looptime
except ModuleNotFoundError:
    sys.exit("bench/loop_choice.py compares against looptime: .venv/bin/pip install looptime")

from scenarios import counting_handler, ladder

import minimq.sim.kernel as world_module
from minimq import Message, World
from minimq.errors import SimulationStalled, ThreadInSimulationError
from minimq.sim.loop import VirtualTimeLoop

LoopFactory = Callable[[], asyncio.AbstractEventLoop]

LOOPS: dict[str, LoopFactory] = {
    "minimq": VirtualTimeLoop,
    "looptime": looptime.new_event_loop,
    "looptime/0": lambda: looptime.new_event_loop(noop_cycles=0),
}


def _now_ms(loop: asyncio.AbstractEventLoop) -> int:
    return round(loop.time() * 1000)


# -- 1. sleep-heavy workload ------------------------------------------------------------
def sleep_workload(tasks: int, sleeps: int) -> Callable[[], Coroutine[Any, Any, list[tuple[int, int]]]]:
    rng = random.Random(42)
    plans = [[rng.randint(1, 1000) / 1000 for _ in range(sleeps)] for _ in range(tasks)]

    async def program() -> list[tuple[int, int]]:
        loop = asyncio.get_running_loop()
        log: list[tuple[int, int]] = []

        async def sleeper(tid: int, plan: list[float]) -> None:
            for delay in plan:
                await asyncio.sleep(delay)
                log.append((_now_ms(loop), tid))

        await asyncio.gather(*(sleeper(t, p) for t, p in enumerate(plans)))
        return log

    return program


def run_on(factory: LoopFactory, coro: Coroutine[Any, Any, Any]) -> tuple[float, Any]:
    loop = factory()
    try:
        t0 = time.perf_counter()
        result = loop.run_until_complete(coro)
        return time.perf_counter() - t0, result
    finally:
        loop.close()


def digest(log: list[tuple[int, int]]) -> str:
    return hashlib.sha256(repr(log).encode()).hexdigest()[:16]


# -- 2. minimq on a looptime loop --------------------------------------------------------
def _looptime_world_loop(noop_cycles: int) -> Callable[..., asyncio.AbstractEventLoop]:
    base = looptime.make_event_loop_class(asyncio.SelectorEventLoop)

    class LooptimeForWorld(base):  # type: ignore[misc, valid-type]
        """looptime's loop with the two names ``World`` reads from a VirtualTimeLoop."""

        @property
        def now_ms(self) -> int:
            return round(float(self.time()) * 1000)

        _now_ms = now_ms

    def make(start_ms: int = 0, realtime_speed: float | None = None) -> asyncio.AbstractEventLoop:
        loop = LooptimeForWorld()
        loop.setup_looptime(start=start_ms / 1000, noop_cycles=noop_cycles)
        return loop

    return make


@contextmanager
def worlds_on(name: str) -> Iterator[None]:
    """Build every ``World`` inside this block on loop ``name``."""
    original = getattr(world_module, "VirtualTimeLoop")  # noqa: B009 - the name World calls
    if name != "minimq":
        setattr(world_module, "VirtualTimeLoop", _looptime_world_loop(0 if name == "looptime/0" else 42))  # noqa: B010
    try:
        yield
    finally:
        setattr(world_module, "VirtualTimeLoop", original)  # noqa: B010


def minimq_ladder() -> tuple[float, str, int]:
    world, play = ladder(1)
    t0 = time.perf_counter()
    world.run(play)
    wall = time.perf_counter() - t0
    result = (wall, world.trace.sha256()[:16], world.now_ms)
    world.close()
    return result


def minimq_flow(n: int = 2000) -> tuple[float, str, int]:
    world = World(seed=1)
    world.broker.create_topic("bench")
    done: asyncio.Future[None] = world.loop.create_future()
    world.push_consumer("g", "bench", counting_handler(n, done), name="c1").start()
    producer = world.producer("prod")

    async def main() -> None:
        for _ in range(n):
            await producer.send(Message("bench", b"x" * 100))
        await done

    t0 = time.perf_counter()
    world.run(main())
    wall = time.perf_counter() - t0
    result = (wall, world.trace.sha256()[:16], world.now_ms)
    world.close()
    return result


# -- 3. structure -------------------------------------------------------------------------
def open_fds(factory: LoopFactory) -> int:
    before = len(os.listdir("/proc/self/fd"))
    loop = factory()
    during = len(os.listdir("/proc/self/fd"))
    loop.close()
    return during - before


def stall(name: str) -> str:
    async def forgotten() -> None:
        await asyncio.get_running_loop().create_future()  # nobody will ever resolve it

    if name == "minimq":
        loop: asyncio.AbstractEventLoop = VirtualTimeLoop()
    else:
        loop = looptime.new_event_loop(idle_timeout=0.2, noop_cycles=0 if name == "looptime/0" else 42)
    task = loop.create_task(forgotten())
    t0 = time.perf_counter()
    try:
        loop.run_until_complete(task)
        outcome = "returned"
    except (TimeoutError, SimulationStalled) as exc:
        outcome = type(exc).__name__
    wall = time.perf_counter() - t0
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, TimeoutError, SimulationStalled):
        loop.run_until_complete(task)
    loop.close()
    return f"{outcome} after {wall:.3f} s wall"


def thread_program() -> Coroutine[Any, Any, str]:
    """A ticker (1 ms sleeps) next to a worker that hands 1 ms of blocking work to a thread."""

    async def program() -> str:
        loop = asyncio.get_running_loop()
        log: list[tuple[str, int]] = []

        async def ticker() -> None:
            for _ in range(200):
                await asyncio.sleep(0.001)
                log.append(("tick", _now_ms(loop)))

        async def worker() -> None:
            for _ in range(20):
                await loop.run_in_executor(None, time.sleep, 0.001)
                log.append(("work", _now_ms(loop)))

        await asyncio.gather(ticker(), worker())
        return hashlib.sha256(repr(log).encode()).hexdigest()[:16]

    return program()


def thread_runs(name: str, runs: int = 8) -> str:
    outcomes: list[str] = []
    for _ in range(runs):
        loop = LOOPS[name]()
        task = loop.create_task(thread_program())
        refused = (SimulationStalled, ThreadInSimulationError)  # ours: the executor is refused
        try:
            outcomes.append(loop.run_until_complete(task))
        except refused as exc:
            outcomes.append(f"refused: {type(exc).__name__} at t={_now_ms(loop)} ms")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, *refused):
                loop.run_until_complete(task)
            loop.close()
    shown = ", ".join(f"{o} x{k}" for o, k in sorted(Counter(outcomes).items()) if o.startswith("refused"))
    done = sum(1 for o in outcomes if not o.startswith("refused"))
    orders = len({o for o in outcomes if not o.startswith("refused")})
    return f"{done} of {runs} runs finished, in {orders} different event orders" + (f"; {shown}" if shown else "")


# -- report -------------------------------------------------------------------------------
def _timing(samples: list[float]) -> str:
    return f"best {min(samples):7.3f} s  median {statistics.median(samples):7.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description="VirtualTimeLoop vs looptime")
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--sleeps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    program = sleep_workload(args.tasks, args.sleeps)
    names = list(LOOPS)
    print(f"python {sys.version.split()[0]}, looptime {importlib.metadata.version('looptime')}")

    print(f"\n1. {args.tasks} tasks x {args.sleeps} sleeps of 1..1000 ms (random.Random(42))")
    walls: dict[str, list[float]] = {n: [] for n in names}
    digests: dict[str, list[str]] = {n: [] for n in names}
    end_ms: dict[str, int] = {}
    wakeups: dict[str, str] = {}
    for r in range(max(args.repeat, 2)):
        for name in names if r % 2 == 0 else reversed(names):
            wall, log = run_on(LOOPS[name], program())
            walls[name].append(wall)
            digests[name].append(digest(log))
            end_ms[name] = log[-1][0]
            wakeups[name] = digest(sorted(log))
    for name in names:
        same = "same every run" if len(set(digests[name])) == 1 else f"DIFFERS: {sorted(set(digests[name]))}"
        print(
            f"   {name:<11} {_timing(walls[name])}  end {end_ms[name]} ms  log {digests[name][0]} ({same})"
            f"  sorted {wakeups[name]}"
        )

    print("\n2. minimq on each loop (trace sha256 prefix; each run twice)")
    for label, scenario in (("retry ladder", minimq_ladder), ("2000 msgs flow", minimq_flow)):
        for name in names:
            runs = []
            with worlds_on(name):
                for _ in range(max(args.repeat, 2)):
                    runs.append(scenario())
            shas = {sha for _, sha, _ in runs}
            same = "same every run" if len(shas) == 1 else f"DIFFERS: {sorted(shas)}"
            print(
                f"   {label:<15} {name:<11} {_timing([w for w, _, _ in runs])}"
                f"  end {runs[0][2]} ms  trace {runs[0][1]} ({same})"
            )

    print("\n3. structure")
    for name in names:
        print(f"   {name:<11} opens {open_fds(LOOPS[name])} fds; a program that waits for nothing: {stall(name)}")

    print("\n4. a program with a worker thread (run_in_executor next to 1 ms sleeps), 8 runs")
    for name in names:
        print(f"   {name:<11} {thread_runs(name)}")


if __name__ == "__main__":
    main()
