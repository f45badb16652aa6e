"""The virtual-time loop: simulated hours cost no wall time, and timeouts use the virtual clock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from minimq import Message, World
from minimq.errors import SimulationStalled
from minimq.events import MessageDelivered
from minimq.sim.loop import VirtualTimeLoop, run


def now_ms() -> int:
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop)
    return loop.now_ms


def run_on(loop: VirtualTimeLoop, coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` on ``loop`` and close it, letting a cancelled task finish first."""
    try:
        return loop.run_until_complete(coro)
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()


# -- sleeping ------------------------------------------------------------------------------
def test_two_hour_sleep_advances_exactly_7_200_000_ms_in_no_wall_time() -> None:
    async def main() -> tuple[int, int]:
        before = now_ms()
        await asyncio.sleep(7200)
        return before, now_ms()

    # Had the loop slept for real, this test would take two hours; its wall time is
    # measured in bench/, not asserted here (machines are shared and noisy).
    before, after = run(main())
    assert (before, after) == (0, 7_200_000)


def test_loop_time_is_now_ms_in_seconds_and_start_ms_is_honoured() -> None:
    async def main() -> tuple[int, float]:
        await asyncio.sleep(1.5)
        return now_ms(), asyncio.get_running_loop().time()

    assert run(main(), start_ms=10_000) == (11_500, 11.5)


def test_a_sleep_longer_than_a_day_is_exact() -> None:
    # asyncio caps one select() wait at 24 h; the clock must still land exactly.
    async def main() -> int:
        await asyncio.sleep(3 * 86_400 + 0.25)
        return now_ms()

    assert run(main()) == 3 * 86_400_000 + 250


def test_sleep_zero_does_not_advance_time() -> None:
    async def main() -> int:
        for _ in range(100):
            await asyncio.sleep(0)
        return now_ms()

    assert run(main()) == 0


@pytest.mark.parametrize(
    ("delay_s", "expected_ms"),
    [(0.0001, 1), (0.001, 1), (0.0015, 2), (0.0019999, 2), (0.002, 2), (1.0001, 1001), (2.5, 2500)],
)
def test_a_delay_that_is_not_a_whole_ms_is_rounded_up(delay_s: float, expected_ms: int) -> None:
    async def main() -> int:
        await asyncio.sleep(delay_s)
        return now_ms()

    assert run(main()) == expected_ms


def test_rounding_is_relative_to_the_current_whole_ms() -> None:
    async def main() -> list[int]:
        seen = []
        for _ in range(5):
            await asyncio.sleep(0.0004)  # each 0.4 ms sleep costs a whole ms
            seen.append(now_ms())
        return seen

    assert run(main()) == [1, 2, 3, 4, 5]


def test_concurrent_sleepers_wake_at_their_own_virtual_times() -> None:
    async def sleeper(seconds: float, woke: list[tuple[float, int]]) -> None:
        await asyncio.sleep(seconds)
        woke.append((seconds, now_ms()))

    async def main() -> list[tuple[float, int]]:
        woke: list[tuple[float, int]] = []
        await asyncio.gather(*(sleeper(s, woke) for s in (30, 0.5, 10, 2)))
        return woke

    assert run(main()) == [(0.5, 500), (2, 2000), (10, 10_000), (30, 30_000)]


# -- timeouts ------------------------------------------------------------------------------
def test_wait_for_times_out_on_virtual_time() -> None:
    async def main() -> int:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.sleep(10), timeout=2.5)
        return now_ms()

    assert run(main()) == 2500


def test_wait_for_returns_when_the_awaitable_wins() -> None:
    async def work() -> str:
        await asyncio.sleep(1)
        return "done"

    async def main() -> tuple[str, int]:
        result = await asyncio.wait_for(work(), timeout=3)
        return result, now_ms()

    assert run(main()) == ("done", 1000)


def test_asyncio_timeout_context_times_out_on_virtual_time() -> None:
    async def main() -> tuple[int, bool]:
        await asyncio.sleep(1)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(4) as cm:
                await asyncio.sleep(3600)
        return now_ms(), cm.expired()

    assert run(main()) == (5000, True)


def test_asyncio_timeout_at_uses_loop_time() -> None:
    async def main() -> int:
        loop = asyncio.get_running_loop()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout_at(loop.time() + 0.75):
                await asyncio.Event().wait()
        return now_ms()

    assert run(main()) == 750


# -- callbacks -------------------------------------------------------------------------------
def test_call_later_callbacks_run_in_order_of_their_due_time() -> None:
    async def main() -> list[tuple[str, int]]:
        loop = asyncio.get_running_loop()
        seen: list[tuple[str, int]] = []
        for name, delay in [("c", 3.0), ("a", 0.001), ("d", 60.0), ("b", 0.5)]:
            loop.call_later(delay, lambda n=name: seen.append((n, now_ms())))
        await asyncio.sleep(120)
        return seen

    assert run(main()) == [("a", 1), ("b", 500), ("c", 3000), ("d", 60_000)]


def test_timers_inside_one_ms_keep_their_exact_order() -> None:
    async def main() -> list[tuple[str, int]]:
        loop = asyncio.get_running_loop()
        seen: list[tuple[str, int]] = []
        loop.call_later(0.0009, lambda: seen.append(("late", now_ms())))
        loop.call_later(0.0002, lambda: seen.append(("early", now_ms())))
        await asyncio.sleep(0.005)
        return seen

    assert run(main()) == [("early", 1), ("late", 1)]


def test_call_soon_runs_fifo_before_any_timer() -> None:
    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        seen: list[str] = []
        loop.call_later(0.001, seen.append, "timer")
        for name in ("one", "two", "three"):
            loop.call_soon(seen.append, name)
        await asyncio.sleep(0.01)
        return seen

    assert run(main()) == ["one", "two", "three", "timer"]


def test_call_at_and_cancelled_timers() -> None:
    async def main() -> list[tuple[str, int]]:
        loop = asyncio.get_running_loop()
        seen: list[tuple[str, int]] = []
        loop.call_at(loop.time() + 2, lambda: seen.append(("at", now_ms())))
        handle = loop.call_later(1, lambda: seen.append(("cancelled", now_ms())))
        handle.cancel()
        await asyncio.sleep(5)
        return seen

    assert run(main()) == [("at", 2000)]


def test_same_program_same_schedule_even_for_timers_due_in_the_same_ms() -> None:
    async def main() -> list[int]:
        loop = asyncio.get_running_loop()
        seen: list[int] = []
        for i in range(20):
            loop.call_later(0.005, seen.append, i)
        await asyncio.sleep(0.01)
        return seen

    first = run(main())
    assert sorted(first) == list(range(20))
    assert [run(main()) for _ in range(3)] == [first] * 3


# -- stalls ----------------------------------------------------------------------------------
def test_awaiting_a_future_nobody_resolves_raises_simulation_stalled() -> None:
    async def main() -> None:
        await asyncio.sleep(3)
        await asyncio.get_running_loop().create_future()

    loop = VirtualTimeLoop()
    with pytest.raises(SimulationStalled) as info:
        run_on(loop, main())
    assert info.value.at_ms == 3000
    assert "t=3000 ms" in str(info.value)
    assert "deadlock" in str(info.value)


def test_stall_on_an_event_nobody_sets_and_the_run_helper() -> None:
    async def main() -> None:
        await asyncio.Event().wait()

    with pytest.raises(SimulationStalled) as info:
        run_on(VirtualTimeLoop(start_ms=42), main())
    assert info.value.at_ms == 42


def test_a_stall_is_not_reported_while_a_timer_is_pending() -> None:
    async def main() -> int:
        fut = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(3600, fut.set_result, 7)
        return await fut + now_ms()

    assert run(main()) == 7 + 3_600_000


def test_an_error_in_the_coroutine_is_not_turned_into_a_stall() -> None:
    async def main() -> None:
        await asyncio.sleep(1)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run(main())


def test_the_loop_can_run_again_after_a_stall() -> None:
    loop = VirtualTimeLoop()

    async def stuck() -> None:
        await asyncio.Event().wait()

    async def fine() -> int:
        await asyncio.sleep(2)
        return now_ms()

    try:
        with pytest.raises(SimulationStalled):
            loop.run_until_complete(stuck())
        assert loop.run_until_complete(fine()) == 2000
    finally:
        loop.close()


def test_the_loop_has_no_io() -> None:
    loop = VirtualTimeLoop()
    try:
        with pytest.raises(NotImplementedError):
            loop.add_reader(0, lambda: None)
    finally:
        loop.close()


# -- real-time mode --------------------------------------------------------------------------
def _timeline() -> Callable[[], Coroutine[Any, Any, list[tuple[str, int]]]]:
    async def main() -> list[tuple[str, int]]:
        loop = asyncio.get_running_loop()
        seen: list[tuple[str, int]] = []
        loop.call_later(0.0015, lambda: seen.append(("timer", now_ms())))
        await asyncio.sleep(2)
        seen.append(("slept", now_ms()))
        try:
            await asyncio.wait_for(asyncio.sleep(60), timeout=0.25)
        except TimeoutError:
            seen.append(("wait_for", now_ms()))
        try:
            async with asyncio.timeout(10):
                await asyncio.Event().wait()
        except TimeoutError:
            seen.append(("timeout", now_ms()))
        await asyncio.sleep(3600)
        seen.append(("hour", now_ms()))
        return seen

    return main


def test_realtime_mode_gives_the_same_virtual_times() -> None:
    virtual = run_on(VirtualTimeLoop(), _timeline()())
    realtime = run_on(VirtualTimeLoop(realtime_speed=1_000_000), _timeline()())
    assert realtime == virtual
    assert virtual == [
        ("timer", 2),
        ("slept", 2000),
        ("wait_for", 2250),
        ("timeout", 12_250),
        ("hour", 3_612_250),
    ]


def test_realtime_mode_paces_against_the_wall_clock() -> None:
    async def main() -> int:
        await asyncio.sleep(5)
        return now_ms()

    wall = time.perf_counter()
    assert run_on(VirtualTimeLoop(realtime_speed=100), main()) == 5000
    assert time.perf_counter() - wall >= 0.04  # 5 s at 100x is 50 ms of wall time


@pytest.mark.parametrize("speed", [0, -1.0])
def test_realtime_speed_must_be_positive(speed: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        VirtualTimeLoop(realtime_speed=speed)


def _world_run(realtime_speed: float | None) -> tuple[str, int, int, int]:
    async def handle(msg: object) -> None:
        await asyncio.sleep(0.2)

    async def produce(world: World) -> None:
        producer = world.producer("order-system")
        for i in range(5):
            await producer.send(Message("order-paid", f"order {i}".encode(), keys=(f"order-{i}",)))
            await asyncio.sleep(0.5)

    with World(seed=11, realtime_speed=realtime_speed) as world:
        world.broker.create_topic("order-paid")
        world.push_consumer("coupon-system", "order-paid", handle).start()
        world.run(produce(world))
        world.run_for(20_000)
        delivered = len(world.trace.of(MessageDelivered))
        return world.trace.sha256(), len(world.trace), delivered, world.now_ms


def test_world_in_realtime_mode_writes_the_same_trace_as_in_virtual_mode() -> None:
    virtual = _world_run(None)
    realtime = _world_run(1_000_000)
    assert virtual[2] >= 5  # the run delivered every message: something worth comparing
    assert realtime == virtual
