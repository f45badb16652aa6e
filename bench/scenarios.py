"""Scenarios that more than one bench runs, written once.

- ``ladder(seed)``: one world (topic ``bench``, 4 queues), one push consumer whose
  handler always returns ``RECONSUME_LATER``, one message; the returned coroutine sends
  it and ends when it is dead-lettered (17 deliveries over 4 h 45 min 40 s virtual).
- ``counting_handler(n, done)``: a handler that counts messages and resolves ``done`` at
  the N-th (on any event loop: the throughput baseline uses it too).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minimq import ConsumeStatus, Message, World
from minimq.events import Event, MessageDeadLettered


def counting_handler(n: int, done: asyncio.Future[None]) -> Callable[[object], ConsumeStatus]:
    """Count, and resolve ``done`` at the N-th message."""
    count = 0

    def handle(msg: object) -> ConsumeStatus:
        nonlocal count
        count += 1
        if count == n:
            done.set_result(None)
        return ConsumeStatus.SUCCESS

    return handle


def ladder(seed: int = 1) -> tuple[World, Coroutine[Any, Any, None]]:
    """The retry ladder's world, and the coroutine that plays it to the DLQ."""
    world = World(seed=seed)
    world.broker.create_topic("bench")
    dead: asyncio.Future[None] = world.loop.create_future()

    def on_event(event: Event) -> None:
        if isinstance(event, MessageDeadLettered) and not dead.done():
            dead.set_result(None)

    world.trace.subscribe(on_event)
    world.push_consumer("g", "bench", lambda m: ConsumeStatus.RECONSUME_LATER, name="c1").start()
    producer = world.producer("prod")

    async def main() -> None:
        await producer.send(Message("bench", b"x" * 100))
        await dead

    return world, main()
