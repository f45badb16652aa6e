"""Memory per stored message, with the trace included and excluded (tracemalloc).

    .venv/bin/python bench/memory.py [--messages N] [--top K]

Two runs of one world each (seed 1, topic ``bench``, 4 queues), N messages (default
50 000) of a 100-byte body, each body a distinct ``bytes`` object as in real traffic:
- ``stored``: a producer sends them; no consumer. The trace holds 3 events a message
  (SendAttempted, MessageStored, SendSucceeded).
- ``stored+consumed``: the same with one push consumer that consumes them all, the run
  ending when the handler has counted the N-th; 8 events a message.
tracemalloc starts after the world is built. "total" is the traced memory still held at
the end (after ``gc.collect()``), divided by N. Then the trace's event list is cleared
and memory measured again: what that frees is the trace's share; what remains is the
broker's (its logs, the offset-msg-id and msg-id indexes, the ``MessageExt`` copies and
their bodies). Strings shared by the store and the trace (msg ids) count as the store's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scenarios import counting_handler

from minimq import Message, World


def measure(n: int, consume: bool, top: int) -> None:
    world = World(seed=1)
    world.broker.create_topic("bench")
    done: asyncio.Future[None] = world.loop.create_future()
    if consume:
        world.push_consumer("g", "bench", counting_handler(n, done), name="c1").start()
    producer = world.producer("prod")

    async def main() -> None:
        for i in range(n):
            await producer.send(Message("bench", i.to_bytes(4, "big") * 25))
        if consume:
            await done

    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    world.run(main())
    gc.collect()
    total, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot() if top else None
    events = len(world.trace)
    world.trace.events.clear()
    gc.collect()
    without_trace, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    world.close()

    label = "stored+consumed" if consume else "stored"
    per = n
    print(
        f"{label:<16} {n} msgs, {events / n:.0f} events/msg: "
        f"total {(total - base) / per:6.0f} B/msg = broker {(without_trace - base) / per:5.0f}"
        f" + trace {(total - without_trace) / per:5.0f} ({(total - without_trace) / events:4.0f} B/event);"
        f" peak {(peak - base) / per:6.0f} B/msg"
    )
    if snapshot is not None:
        for stat in snapshot.statistics("lineno")[:top]:
            frame = stat.traceback[0]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            print(f"    {stat.size / per:6.0f} B/msg  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description="memory per stored message")
    parser.add_argument("--messages", type=int, default=50_000, help="messages (default 50000)")
    parser.add_argument("--top", type=int, default=0, help="also list the K largest allocation sites")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, body 100 bytes")
    measure(args.messages, consume=False, top=args.top)
    measure(args.messages, consume=True, top=args.top)


if __name__ == "__main__":
    main()
