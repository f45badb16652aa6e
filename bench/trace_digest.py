"""Trace digests of fixed scenarios: the guard for behaviour-preserving optimisations.

Run it before and after a change to ``minimq/``; every line must stay the same. Each
scenario runs one seeded world and prints the ``sha256()`` of its trace, so any change
in what happened, in what order or at what virtual time shows up as a different digest.

    .venv/bin/python bench/trace_digest.py            # prints one digest per scenario
    .venv/bin/python bench/trace_digest.py > before.txt; ...; diff before.txt -
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minimq import ConsumeStatus, CrashPoint, Message, OrderlyStatus, World
from minimq.model import MessageExt


def _send_all(world: World, topic: str, n: int, *, keys: bool = True) -> None:
    producer = world.producer("prod")

    async def main() -> None:
        for i in range(n):
            msg = Message(topic, f"order-{i}".encode(), keys=(f"k{i}",) if keys else ())
            with contextlib.suppress(Exception):  # a send that gives up is part of the scenario
                await producer.send(msg)

    world.run(main())


def flow(seed: int) -> World:
    """Plain produce and consume: 300 messages, one consumer."""
    w = World(seed=seed)
    w.broker.create_topic("bench")
    w.push_consumer("g", "bench", lambda m: ConsumeStatus.SUCCESS, name="c1").start()
    _send_all(w, "bench", 300)
    w.run_for(30_000)
    return w


def retry_ladder(seed: int) -> World:
    """One message whose handler always fails: 17 deliveries, then the DLQ."""
    w = World(seed=seed)
    w.broker.create_topic("bench")
    w.push_consumer("g", "bench", lambda m: ConsumeStatus.RECONSUME_LATER, name="c1").start()
    _send_all(w, "bench", 1)
    w.run_for(6 * 3600 * 1000)
    return w


def faults(seed: int) -> World:
    """Lost replies, an outage, a crash and restart, a slow handler, a lost persist."""
    w = World(seed=seed)
    w.broker.create_topic("bench")
    w.faults.lose_send_reply(key="k3", how="timeout")
    w.faults.lose_send_reply(key="k5", how="fast_fail")
    w.faults.broker_outage(40_000, 5_000)
    w.faults.slow_handler(20_000, key="k7")
    w.faults.lose_offset_persist(times=2)
    w.faults.crash_consumer("c1", CrashPoint.AFTER_HANDLER, key="k11")

    def handle(m: MessageExt) -> ConsumeStatus:
        return ConsumeStatus.RECONSUME_LATER if m.keys == ("k13",) and m.reconsume_times < 2 else ConsumeStatus.SUCCESS

    c1 = w.push_consumer("g", "bench", handle, name="c1")
    c1.start()
    _send_all(w, "bench", 40)
    w.run_for(20_000)
    c1.restart()
    w.run_for(60_000)
    return w


def rebalance(seed: int) -> World:
    """A second consumer joins, then the first shuts down gracefully."""
    w = World(seed=seed)
    w.broker.create_topic("bench")
    c1 = w.push_consumer("g", "bench", lambda m: ConsumeStatus.SUCCESS, name="c1")
    c1.start()
    _send_all(w, "bench", 50)
    w.push_consumer("g", "bench", lambda m: ConsumeStatus.SUCCESS, name="c2").start()
    _send_all(w, "bench", 50)
    w.run_for(25_000)
    c1.shutdown()
    _send_all(w, "bench", 50)
    w.run_for(40_000)
    return w


def orderly_and_broadcast(seed: int) -> World:
    """An orderly consumer with local retries, and a broadcasting group."""
    w = World(seed=seed)
    w.broker.create_topic("bench")
    seen: dict[str, int] = {}

    def orderly(m: MessageExt) -> OrderlyStatus:
        seen[m.msg_id] = seen.get(m.msg_id, 0) + 1
        return OrderlyStatus.SUCCESS if seen[m.msg_id] > 1 else OrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT

    w.push_consumer("go", "bench", orderly, name="o1", orderly=True).start()
    w.push_consumer("gb", "bench", lambda m: ConsumeStatus.SUCCESS, name="b1", model="BROADCASTING").start()

    async def slow(m: MessageExt) -> ConsumeStatus:
        await asyncio.sleep(0.25)
        return ConsumeStatus.SUCCESS

    w.push_consumer("ga", "bench", slow, name="a1").start()
    _send_all(w, "bench", 30)
    w.run_for(60_000)
    return w


SCENARIOS: dict[str, Callable[[int], World]] = {
    "flow": flow,
    "retry_ladder": retry_ladder,
    "faults": faults,
    "rebalance": rebalance,
    "orderly_and_broadcast": orderly_and_broadcast,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 7])
    args = parser.parse_args()
    for name, scenario in SCENARIOS.items():
        for seed in args.seeds:
            world = scenario(seed)
            digest = world.trace.sha256()
            print(f"{name:<24} seed={seed:<3} events={len(world.trace):<6} now={world.now_ms:<9} {digest}")
            world.close()


if __name__ == "__main__":
    main()
