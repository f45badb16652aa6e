"""The engine refuses bad arguments with a minimq error that names the value, and a closed
world refuses to act: no asyncio RuntimeError, no TypeError from deep down, no hang."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from minimq import Message, World
from minimq.errors import ClientStateError, ClockOverflow, MinimqError, ValidationError, WorldClosedError
from minimq.model import MAX_VIRTUAL_MS
from minimq.sim.loop import VirtualTimeLoop

NOT_A_DURATION = [math.nan, math.inf, -math.inf, -1, -0.5, "5", None, True, False, b"5", [5]]


def nothing() -> None:
    return None


# -- World(...) -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [None, 1.5, 1.0, "7", True, False, b"7", math.nan])
def test_the_seed_must_be_an_int(seed: Any) -> None:
    with pytest.raises(ValidationError, match=r"^World seed \(the same seed gives the same run\) must be an int: got"):
        World(seed=seed)
    with pytest.raises(ValidationError) as info:
        World(seed)
    assert info.value.value is seed


@pytest.mark.parametrize("seed", [0, -3, 2**70])
def test_any_int_is_a_seed(seed: int) -> None:
    with World(seed) as world:
        assert world.seed == seed


@pytest.mark.parametrize(("latency", "rule"), [(-1, "latency_ms must be >= 0"), (1.5, "latency_ms must be an int")])
def test_latency_must_be_a_whole_number_of_ms_at_least_0(latency: Any, rule: str) -> None:
    with pytest.raises(ValidationError, match=rf"^{rule}: got {latency!r}$"):
        World(latency_ms=latency)


@pytest.mark.parametrize("latency", [None, "1", True])
def test_latency_must_be_an_int(latency: Any) -> None:
    with pytest.raises(ValidationError, match=r"^latency_ms must be an int: got"):
        World(latency_ms=latency)


@pytest.mark.parametrize("speed", [math.nan, math.inf, -math.inf, 0, 0.0, -1, "10", True, b"1", [1]])
def test_realtime_speed_must_be_a_finite_positive_number(speed: Any) -> None:
    rule = r"^realtime_speed must be None or a finite positive number \(1 = real time, 10 = ten times faster\): got"
    with pytest.raises(ValidationError, match=rule):
        World(realtime_speed=speed)
    with pytest.raises(ValidationError, match=rule):
        VirtualTimeLoop(realtime_speed=speed)


@pytest.mark.parametrize("start_ms", [-1, 1.5, None, True, MAX_VIRTUAL_MS + 1])
def test_the_loop_starts_at_a_whole_ms_the_clock_can_hold(start_ms: Any) -> None:
    with pytest.raises(
        ValidationError, match=r"^start_ms must be a whole number of milliseconds, 0 to 100000000000: got"
    ):
        VirtualTimeLoop(start_ms)


# -- time arguments ----------------------------------------------------------------------------
@pytest.mark.parametrize("bad", NOT_A_DURATION)
def test_run_for_refuses_what_is_not_a_duration(w: World, bad: Any) -> None:
    with pytest.raises(ValidationError, match=r"^run_for duration_ms must be a finite number of milliseconds >= 0"):
        w.run_for(bad)
    w.run_for(5)  # the world is still fine
    assert w.now_ms == 5


@pytest.mark.parametrize("bad", NOT_A_DURATION)
def test_call_later_ms_refuses_what_is_not_a_duration(w: World, bad: Any) -> None:
    with pytest.raises(ValidationError, match=r"^call_later_ms delay_ms must be a finite number of milliseconds >= 0"):
        w.call_later_ms(bad, nothing)


@pytest.mark.parametrize("bad", NOT_A_DURATION)
def test_run_until_refuses_what_is_not_a_time(w: World, bad: Any) -> None:
    with pytest.raises(ValidationError, match=r"^run_until at_ms must be a finite number of milliseconds >= 0"):
        w.run_until(bad)


def test_the_refusal_names_the_value(w: World) -> None:
    with pytest.raises(MinimqError) as info:
        w.run_for(math.nan)
    assert str(info.value) == "run_for duration_ms must be a finite number of milliseconds >= 0: got nan"
    assert isinstance(info.value, ValueError)


def test_times_past_the_clock_limit_are_refused_not_a_hang(w: World) -> None:
    w.run_for(1000)
    with pytest.raises(ValidationError, match=r"^run_for duration_ms would take the clock from t=1000 ms past"):
        w.run_for(10**13)  # used to spin forever: asyncio's float seconds lose the timer
    with pytest.raises(ValidationError, match=r"^run_until at_ms would take the clock from t=0 ms past"):
        w.run_until(MAX_VIRTUAL_MS + 1)
    with pytest.raises(ValidationError, match=r"^call_later_ms delay_ms would take the clock"):
        w.call_later_ms(MAX_VIRTUAL_MS, nothing)
    w.run_until(MAX_VIRTUAL_MS)
    assert w.now_ms == MAX_VIRTUAL_MS


def test_a_sleep_past_the_clock_limit_raises_clock_overflow(w: World) -> None:
    async def oversleep() -> None:
        await asyncio.sleep(10**10)  # seconds: 10**13 ms

    with pytest.raises(ClockOverflow, match=r"^at t=0 ms the next timer is due at t=10000000000000 ms, past"):
        w.run(oversleep())


def test_floats_are_rounded_up_to_the_next_whole_ms_and_ints_are_exact(w: World) -> None:
    fired: list[int] = []
    w.call_later_ms(0.2, lambda: fired.append(w.now_ms))
    w.call_later_ms(3, lambda: fired.append(w.now_ms))
    w.run_for(1.5)
    assert (w.now_ms, fired) == (2, [1])
    w.run_until(2.01)
    assert w.now_ms == 3
    assert fired == [1, 3]
    w.run_until(1)  # in the past: nothing to do, as before
    w.run_for(0)
    assert w.now_ms == 3


# -- a closed world ----------------------------------------------------------------------------
async def one_ms() -> None:
    await asyncio.sleep(0.001)


def closed_world() -> World:
    world = World(seed=3)
    world.broker.create_topic("order-paid")
    world.run_for(10)
    world.close()
    return world


ACTIONS: dict[str, Any] = {
    "run": lambda w: w.run(one_ms()),
    "run_for": lambda w: w.run_for(1),
    "run_until": lambda w: w.run_until(100),
    "spawn": lambda w: w.spawn(one_ms(), "late"),
    "call_later_ms": lambda w: w.call_later_ms(1, nothing),
    "emit": lambda w: w.emit(w.trace.events[0]),
    "producer": lambda w: w.producer("order-system"),
    "push_consumer": lambda w: w.push_consumer("coupon", "order-paid", lambda m: None),
    "next_client_seq": lambda w: w.next_client_seq(),
    "create_topic": lambda w: w.broker.create_topic("other"),
    "loop.call_soon": lambda w: w.loop.call_soon(nothing),
    "loop.call_later": lambda w: w.loop.call_later(1, nothing),
    "loop.create_task": lambda w: _create_task(w.loop),
}


def _create_task(loop: asyncio.AbstractEventLoop) -> None:
    coro = one_ms()
    try:
        loop.create_task(coro)
    finally:
        coro.close()  # asyncio does not close a coroutine it refused


@pytest.mark.parametrize("action", ACTIONS)
def test_a_closed_world_refuses_to_act(action: str) -> None:
    world = closed_world()
    with pytest.raises(WorldClosedError, match=r"^this world is closed: it cannot .+ any more") as info:
        ACTIONS[action](world)
    assert isinstance(info.value, RuntimeError)  # what "this world is closed" used to be
    assert "build a new World" in str(info.value)


def test_a_closed_world_can_still_be_read_and_closed_again() -> None:
    world = closed_world()
    events = len(world.trace)
    world.close()
    world.close()
    assert (world.seed, world.now_ms, len(world.trace)) == (3, 10, events)
    assert world.trace.sha256()
    assert world.broker.has_topic("order-paid")


def test_a_client_of_a_closed_world_cannot_start() -> None:
    world = World(seed=3)
    world.broker.create_topic("order-paid")
    consumer = world.push_consumer("coupon", "order-paid", lambda m: None)
    producer = world.producer("order-system")
    world.close()
    with pytest.raises(WorldClosedError, match="this world is closed"):
        consumer.start()
    with pytest.raises(WorldClosedError, match="this world is closed"):
        world.run(producer.send(Message("order-paid", b"x")))


def test_a_world_closed_while_clients_run_records_their_unwinding_then_refuses() -> None:
    world = World(seed=3)
    world.broker.create_topic("order-paid")
    world.push_consumer("coupon", "order-paid", lambda m: None).start()
    world.run_for(1000)
    world.close()  # the consumer's tasks are cancelled; the world was open while they unwound
    with pytest.raises(WorldClosedError):
        world.run_for(1)


# -- driving the loop from inside it ---------------------------------------------------------
DRIVERS: dict[str, Any] = {
    "run": lambda w: w.run(one_ms()),
    "run_for": lambda w: w.run_for(5),
    "run_until": lambda w: w.run_until(5),
    "close": lambda w: w.close(),
}


@pytest.mark.parametrize("call", DRIVERS)
def test_the_loop_cannot_be_driven_from_inside_the_simulation(w: World, call: str) -> None:
    async def inside() -> None:
        DRIVERS[call](w)

    with pytest.raises(ClientStateError, match=rf"^world.{call}\(\) was called from inside the simulation"):
        w.run(inside())
    w.run_for(5)  # still usable, and still closable
    w.close()
    with pytest.raises(WorldClosedError):
        w.run_for(5)
