"""Produce-and-consume throughput: minimq on its virtual clock vs a bare asyncio.Queue.

    .venv/bin/python bench/throughput.py [--messages N] [--repeat R] [--profile]

minimq: one world (seed 1, 1 ms per network hop), topic ``bench`` with 4 queues, one
consumer group with one push consumer (default 20 consume workers, pull batch 32), one
producer task that sends N messages of a 100-byte body one after the other
(``await producer.send``), no faults. The clock starts when the send loop starts and
stops when the handler has counted the N-th message; nothing waits on a fixed sleep.

Baseline: the same work with the broker, the network and the trace taken out. A
standard asyncio loop (``asyncio.new_event_loop()``), an ``asyncio.Queue(maxsize=1000)``
(the size of ``pullThresholdForQueue``), one producer task that builds the same
``minimq.Message`` and ``await queue.put``s it, one consumer task that ``await
queue.get``s and calls the same handler. It is the cheapest honest pipeline with the
same shape: an upper bound, not a rival broker.

Runs are interleaved (minimq, baseline, baseline, minimq, ...) because the machine is
shared; the best and the median of R repeats are printed, and the ratio of each, in
wall time and (best of R) in CPU time (process time), which other processes disturb less.

The "trace floor" line is for the analysis: it only builds the 8 trace events minimq
records per message (SendAttempted, MessageStored, SendSucceeded, MessagesPulled,
MessageDelivered, MessageConsumed, OffsetCommittedLocally, OffsetPersisted) and appends
them to a list: no loop, no broker. minimq cannot be faster than that and keep its trace.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scenarios import counting_handler

from minimq import Message, World
from minimq.events import (
    MessageConsumed,
    MessageDelivered,
    MessagesPulled,
    MessageStored,
    OffsetCommittedLocally,
    OffsetPersisted,
    SendAttempted,
    SendSucceeded,
)

BODY = b"x" * 100


def run_minimq(n: int, seed: int = 1) -> tuple[float, float, int, int]:
    """Return (wall s, CPU s, virtual ms, trace events) for N messages through minimq."""
    world = World(seed=seed)
    world.broker.create_topic("bench")
    done: asyncio.Future[None] = world.loop.create_future()
    world.push_consumer("g", "bench", counting_handler(n, done), name="c1").start()
    producer = world.producer("prod")

    async def main() -> None:
        for _ in range(n):
            await producer.send(Message("bench", BODY))
        await done

    begin_ms = world.now_ms
    t0, c0 = time.perf_counter(), time.process_time()
    world.run(main())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    virtual_ms = world.now_ms - begin_ms
    events = len(world.trace)
    world.close()
    return wall, cpu, virtual_ms, events


def run_baseline(n: int) -> tuple[float, float]:
    """Return (wall s, CPU s) for N messages through a bounded asyncio.Queue."""
    loop = asyncio.new_event_loop()
    try:
        done: asyncio.Future[None] = loop.create_future()
        handle = counting_handler(n, done)

        async def main() -> None:
            queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=1000)

            async def produce() -> None:
                for _ in range(n):
                    await queue.put(Message("bench", BODY))

            async def consume() -> None:
                while True:
                    handle(await queue.get())

            producer = asyncio.create_task(produce())
            consumer = asyncio.create_task(consume())
            await done
            await producer
            consumer.cancel()

        t0, c0 = time.perf_counter(), time.process_time()
        loop.run_until_complete(main())
        return time.perf_counter() - t0, time.process_time() - c0
    finally:
        loop.close()


def run_trace_floor(n: int) -> float:
    """Return wall seconds to build and append the 8 events minimq records per message."""
    events: list[object] = []
    append = events.append
    keys: tuple[str, ...] = ()
    t0 = time.perf_counter()
    for i in range(n):
        msg_id = f"7F000001{i:024X}"
        off = f"7F00000100002A9F{i * 224:016X}"
        append(
            SendAttempted(
                at_ms=i,
                producer="prod",
                msg_id=msg_id,
                topic="bench",
                queue_id=i & 3,
                attempt=1,
                budget_left_ms=3000,
                keys=keys,
            )
        )
        append(
            MessageStored(
                at_ms=i,
                topic="bench",
                queue_id=i & 3,
                queue_offset=i >> 2,
                msg_id=msg_id,
                offset_msg_id=off,
                real_topic="bench",
                keys=keys,
                reconsume_times=0,
            )
        )
        append(
            SendSucceeded(
                at_ms=i,
                producer="prod",
                msg_id=msg_id,
                offset_msg_id=off,
                topic="bench",
                queue_id=i & 3,
                queue_offset=i >> 2,
                status="SEND_OK",
            )
        )
        append(
            MessagesPulled(at_ms=i, client="c1", group="g", topic="bench", queue_id=i & 3, first_offset=i >> 2, count=1)
        )
        append(
            MessageDelivered(
                at_ms=i,
                client="c1",
                group="g",
                topic="bench",
                queue_id=i & 3,
                queue_offset=i >> 2,
                msg_id=msg_id,
                offset_msg_id=off,
                real_topic="bench",
                keys=keys,
                reconsume_times=0,
            )
        )
        append(
            MessageConsumed(
                at_ms=i, client="c1", group="g", msg_id=msg_id, offset_msg_id=off, status="CONSUME_SUCCESS", note=""
            )
        )
        append(
            OffsetCommittedLocally(at_ms=i, client="c1", group="g", topic="bench", queue_id=i & 3, offset=(i >> 2) + 1)
        )
        append(
            OffsetPersisted(
                at_ms=i,
                group="g",
                topic="bench",
                queue_id=i & 3,
                offset=i >> 2,
                via="pull",
                client="c1",
                store="broker",
            )
        )
    return time.perf_counter() - t0


def _event_cost() -> None:
    """Cost of building one 9-field trace event, against a NamedTuple of the same fields."""
    import timeit
    from typing import NamedTuple

    class StoredTuple(NamedTuple):
        at_ms: int
        topic: str
        queue_id: int
        queue_offset: int
        msg_id: str
        offset_msg_id: str
        real_topic: str
        keys: tuple[str, ...]
        reconsume_times: int

    args = (1, "bench", 1, 2, "m" * 32, "o" * 32, "bench", (), 0)
    for label, cls in (
        ("MessageStored (frozen, slots dataclass)", MessageStored),
        ("NamedTuple with the same fields", StoredTuple),
    ):
        n = 200_000
        best = min(timeit.repeat(lambda cls=cls: cls(*args), number=n, repeat=5)) / n  # type: ignore[misc]
        print(f"{label:<42} {best * 1e6:5.2f} us")


def _profile(n: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    run_minimq(n)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description="minimq vs asyncio.Queue throughput")
    parser.add_argument("--messages", type=int, default=10_000, help="messages per run (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved repeats (default 5)")
    parser.add_argument("--profile", action="store_true", help="cProfile one minimq run instead")
    parser.add_argument("--event-cost", action="store_true", help="time building one trace event instead")
    args = parser.parse_args()
    n = args.messages
    if args.profile:
        _profile(n)
        return
    if args.event_cost:
        _event_cost()
        return

    minimq_s: list[tuple[float, float]] = []
    base_s: list[tuple[float, float]] = []
    floor_s: list[float] = []
    virtual_ms = events = 0
    run_baseline(min(n, 1000))  # warm up imports and the allocator once
    for r in range(args.repeat):
        order = ("minimq", "baseline") if r % 2 == 0 else ("baseline", "minimq")
        for which in order:
            gc.collect()
            if which == "minimq":
                wall, cpu, virtual_ms, events = run_minimq(n)
                minimq_s.append((wall, cpu))
            else:
                base_s.append(run_baseline(n))
        floor_s.append(run_trace_floor(n))

    def rates(samples: list[float]) -> tuple[float, float]:
        return n / min(samples), n / statistics.median(samples)

    m_best, m_med = rates([w for w, _ in minimq_s])
    b_best, b_med = rates([w for w, _ in base_s])
    f_best, f_med = rates(floor_s)
    m_cpu, _ = rates([c for _, c in minimq_s])
    b_cpu, _ = rates([c for _, c in base_s])
    print(f"python {sys.version.split()[0]}, {n} messages x {args.repeat} interleaved repeats")
    print(f"minimq      best {m_best:>10,.0f} msg/s   median {m_med:>10,.0f} msg/s", end="")
    print(f"   ({virtual_ms} virtual ms, {events} trace events per run)")
    print(f"baseline    best {b_best:>10,.0f} msg/s   median {b_med:>10,.0f} msg/s   (asyncio.Queue(maxsize=1000))")
    print(f"ratio       best {m_best / b_best:>10.3f}x       median {m_med / b_med:>10.3f}x   (target >= 0.3x)")
    print(f"CPU time    minimq {m_cpu:>8,.0f} msg/s   baseline {b_cpu:>8,.0f} msg/s   ratio {m_cpu / b_cpu:.3f}x")
    print(f"trace floor best {f_best:>10,.0f} msg/s   median {f_med:>10,.0f} msg/s   (8 events/msg, nothing else)")


if __name__ == "__main__":
    main()
