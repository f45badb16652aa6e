"""A thread, or a wall-clock sleep, inside a simulation is refused with an error that names
the caller's line and says what to do instead; outside simulations both are untouched."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from minimq import Message, World
from minimq.errors import MinimqError, SleepInSimulationError, ThreadInSimulationError
from minimq.events import MessageConsumed
from minimq.sim.loop import VirtualTimeLoop
from minimq.sim.no_threads import refuse_thread_start_in

HERE = Path(__file__).name


def work() -> int:
    return 42


def test_asyncio_to_thread_is_refused_naming_the_function_and_the_line(w: World) -> None:
    async def main() -> int:
        return await asyncio.to_thread(work)  # the line the error names

    with pytest.raises(ThreadInSimulationError) as info:
        w.run(main())
    message = str(info.value)
    assert f"{HERE}:{main.__code__.co_firstlineno + 1}: asyncio.to_thread(work) would start a thread" in message
    assert "two runs with the same seed would differ" in message
    assert "Call the function directly" in message
    assert "await" in message
    assert isinstance(info.value, MinimqError)


def test_run_in_executor_is_refused(w: World) -> None:
    async def main() -> None:
        await asyncio.get_running_loop().run_in_executor(None, time.sleep, 0.001)

    with pytest.raises(ThreadInSimulationError, match=r"loop.run_in_executor\(\.\.\., sleep\) would start a thread"):
        w.run(main())


def test_thread_start_inside_a_simulation_is_refused_and_no_thread_runs(w: World) -> None:
    ran: list[str] = []
    before = threading.active_count()

    async def main() -> None:
        thread = threading.Thread(target=lambda: ran.append("thread"), name="helper")
        thread.start()  # the line the error names

    with pytest.raises(ThreadInSimulationError) as info:
        w.run(main())
    line = main.__code__.co_firstlineno + 2
    assert str(info.value).startswith(f"{__file__}:{line}: threading.Thread.start() of thread 'helper' would start")
    assert (ran, threading.active_count()) == ([], before)


def test_a_handler_that_starts_a_thread_fails_with_the_reason_in_the_trace(w: World) -> None:
    def handler(msg: object) -> None:
        threading.Timer(1.0, print).start()

    w.push_consumer("coupon", "order-paid", handler).start()
    w.run(w.producer("order").send(Message("order-paid", b"paid")))
    w.run_for(3000)  # the first rebalance is 1 s after the start, the first pull 500 ms later
    (first, *_) = w.trace.of(MessageConsumed)
    assert first.status == "RECONSUME_LATER"
    assert first.note.startswith("raised ThreadInSimulationError: ")
    assert f"{HERE}:" in first.note and "threading.Thread.start()" in first.note


def test_a_bare_virtual_time_loop_refuses_threads_too() -> None:
    loop = VirtualTimeLoop()

    async def main() -> None:
        threading.Thread(target=work).start()

    try:
        with pytest.raises(ThreadInSimulationError):
            loop.run_until_complete(main())
    finally:
        loop.close()


def test_threads_outside_a_simulation_still_start(w: World) -> None:
    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    thread.join()
    w.run_for(10)  # between runs of a world, too: its loop is not running
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    thread.join()
    assert results == [42, 42]

    async def on_a_standard_loop() -> int:
        return await asyncio.to_thread(work)

    assert asyncio.run(on_a_standard_loop()) == 42


def test_the_guard_is_installed_once() -> None:
    guarded = threading.Thread.start
    assert getattr(guarded, "minimq_refuses_threads", False)
    refuse_thread_start_in(VirtualTimeLoop)  # as a second import would
    assert threading.Thread.start is guarded
    assert not getattr(guarded.__wrapped__, "minimq_refuses_threads", False)  # type: ignore[attr-defined]


# -- nor a wall-clock sleep ------------------------------------------------------------------------
def test_time_sleep_inside_a_simulation_is_refused_and_says_what_to_write(w: World) -> None:
    async def main() -> None:
        time.sleep(0.25)  # the line the error names

    with pytest.raises(SleepInSimulationError) as info:
        w.run(main())
    message = str(info.value)
    assert message.startswith(f"{__file__}:") and "time.sleep(0.25) inside a simulation" in message
    assert "await asyncio.sleep(0.25)" in message


def test_a_handler_that_sleeps_fails_its_consumption(w: World) -> None:
    def handle(msg: object) -> str:
        time.sleep(1)
        return "CONSUME_SUCCESS"

    w.push_consumer("coupon", "order-paid", handle, name="c1").start()
    w.run(w.producer("order").send(Message("order-paid", b"x", keys=("o1",))))
    w.run_for(3000)  # the first rebalance is 1 s after the start, the first pull 500 ms later
    first = w.trace.of(MessageConsumed)[0]
    assert first.status == "RECONSUME_LATER" and "SleepInSimulationError" in first.note


def test_time_sleep_outside_a_simulation_and_real_time_mode_still_sleep() -> None:
    start = time.monotonic()
    time.sleep(0.01)
    assert time.monotonic() - start >= 0.01
    with World(seed=1, realtime_speed=100) as world:
        begin = time.monotonic()
        world.run_for(2000)  # 2 virtual seconds at 100x: 20 ms of wall time
        assert time.monotonic() - begin >= 0.015
