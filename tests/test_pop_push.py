"""The 5.x push consumer on POP (``World.pop_push_consumer``): auto-renew while the listener
runs, the proxy's forced nack after 3 h (path P17), nack delays, graceful shutdown."""

from __future__ import annotations

import asyncio

from minimq import ConsumeStatus, World
from minimq.check import duplicate_deliveries, retry_violations
from minimq.core import pop_proxy
from minimq.events import (
    AckRejected,
    InvisibleTimeChanged,
    MessageAcked,
    MessageConsumed,
    MessageDelivered,
    MessagePopped,
    MessageRevived,
)
from minimq.model import MessageExt
from tests.helpers import TOPIC, send

GROUP = "coupon-system"


def ok(msg: MessageExt) -> ConsumeStatus:
    return ConsumeStatus.SUCCESS


def test_a_quick_listener_is_acked_and_nothing_comes_back(w: World) -> None:
    c = w.pop_push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    for k in ("k1", "k2", "k3"):
        send(w, k)
    assert w.run_until_quiet(60_000)
    assert [e.invisible_ms for e in w.trace.of(MessagePopped)] == [60_000] * 3  # the proxy's default
    assert [e.took_effect for e in w.trace.of(MessageAcked)] == [True] * 3
    assert duplicate_deliveries(w.trace) == [] and w.trace.of(MessageRevived) == []


def test_a_slow_listener_is_renewed_1_3_5_10_30_min_each_time_10_s_ahead_of_its_expiry(w: World) -> None:
    async def slow(msg: MessageExt) -> ConsumeStatus:
        await asyncio.sleep(20 * 60)
        return ConsumeStatus.SUCCESS

    w.pop_push_consumer(GROUP, TOPIC, slow, name="c1").start()
    send(w, "k1")
    assert w.run_until_quiet(3600_000)
    renewals = w.trace.of(InvisibleTimeChanged)
    assert [e.reason for e in renewals] == ["renew"] * 5
    assert [e.invisible_ms for e in renewals] == [60_000, 180_000, 300_000, 600_000, 1_800_000]
    popped = w.trace.of(MessagePopped)[0]
    visible = [popped.visible_ms] + [e.visible_ms for e in renewals]
    for before, renewal in zip(visible, renewals, strict=False):
        assert 0 < before - renewal.at_ms <= pop_proxy.RENEW_AHEAD_MS and renewal.at_ms % 5000 == 0
    assert [e.took_effect for e in w.trace.of(MessageAcked)] == [True]  # the client's handle stood for the last
    assert w.trace.of(MessageRevived) == [] and len(w.trace.of(MessageDelivered)) == 1


def test_after_3_h_the_proxy_nacks_a_running_message_and_it_is_consumed_twice(w: World) -> None:
    async def stuck(msg: MessageExt) -> ConsumeStatus:
        if msg.reconsume_times == 0:
            await asyncio.sleep(4 * 3600)  # a handler stuck for 4 h
        return ConsumeStatus.SUCCESS

    w.pop_push_consumer(GROUP, TOPIC, stuck, name="c1").start()
    send(w, "k1")
    assert w.run_until_quiet(5 * 3600_000)
    popped = w.trace.of(MessagePopped)[0]
    changes = w.trace.of(InvisibleTimeChanged)
    stop = [e for e in changes if e.reason == "stop renew"]
    assert len(stop) == 1 and stop[0].invisible_ms == 10_000  # the group's delay for reconsumeTimes 0
    # at the first renewal due past 3 h: the handle renewed last (for 1 h) is 10 s from its end
    last = [e for e in changes if e.reason == "renew"][-1]
    assert last.at_ms - popped.at_ms < 3 * 3600_000 <= stop[0].at_ms - popped.at_ms
    assert 0 < last.visible_ms - stop[0].at_ms <= pop_proxy.RENEW_AHEAD_MS
    deliveries = w.trace.of(MessageDelivered)
    assert [d.reconsume_times for d in deliveries] == [0, 1]
    consumed = w.trace.of(MessageConsumed)
    assert deliveries[1].at_ms < consumed[-1].at_ms  # redelivered while the first still ran
    (rejected,) = w.trace.of(AckRejected)
    assert rejected.request == "ack" and rejected.at_ms > 4 * 3600_000
    assert retry_violations(w.trace) == []


def test_a_failed_message_is_nacked_with_the_client_retry_policy_delay(w: World) -> None:
    tries: list[int] = []

    def flaky(msg: MessageExt) -> ConsumeStatus:
        tries.append(msg.reconsume_times)
        if len(tries) < 3:
            raise RuntimeError("downstream refused")
        return ConsumeStatus.SUCCESS

    w.pop_push_consumer(GROUP, TOPIC, flaky, name="c1").start()
    send(w, "k1")
    assert w.run_until_quiet(600_000)
    nacks = w.trace.of(InvisibleTimeChanged)
    assert [(e.reason, e.invisible_ms) for e in nacks] == [("client", 1000), ("client", 5000)]
    assert tries == [0, 1, 2]
    assert retry_violations(w.trace) == []


def test_graceful_shutdown_finishes_the_cached_messages_then_leaves(w: World) -> None:
    async def slowish(msg: MessageExt) -> ConsumeStatus:
        await asyncio.sleep(3)
        return ConsumeStatus.SUCCESS

    c = w.pop_push_consumer(GROUP, TOPIC, slowish, name="c1", consumption_threads=1)
    c.start()
    for k in ("k1", "k2", "k3"):
        send(w, k)
    w.run_for(1000)
    c.shutdown()
    w.run_for(60_000)
    assert not c.running
    assert [e.took_effect for e in w.trace.of(MessageAcked)] == [True] * 3
    assert w.trace.of(InvisibleTimeChanged) == [] and w.broker.stats().pop_checkpoints == 0


def test_a_push_consumer_started_while_the_broker_is_unreachable_connects_once_it_is_back(w: World) -> None:
    # found by tests/test_stateful_v5.py: the first heartbeat failed and the receive loop died
    w.faults.broker_outage(0, 2_500)
    c = w.pop_push_consumer(GROUP, TOPIC, ok, name="c1")
    c.start()
    send(w, "k1", at_ms=3_000)
    assert w.run_until_quiet(60_000)
    (popped,) = w.trace.of(MessagePopped)
    assert popped.at_ms <= 4_001, "it receives from the second after the outage on"
    assert [e.took_effect for e in w.trace.of(MessageAcked)] == [True]
