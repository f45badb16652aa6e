"""Rebalancing as the 5.x remoting push consumer does it: joining a group, its timing,
client ids.

Reference: docs/semantics.md sections 6 (client ids and restarts) and 7 (rebalance), and
the duplication paths P7 (rebalance overlap) and P19 (two processes with one client id,
apache/rocketmq #1589).
"""

from __future__ import annotations

from helpers import TOPIC, ok, send

from minimq import ConsumeStatus, MessageExt, MessageQueue, World
from minimq.check import duplicate_deliveries
from minimq.core.allocate import allocate_averagely
from minimq.events import (
    ConsumerRegistered,
    ConsumerUnregistered,
    MessageDelivered,
    MessagesPulled,
    Rebalanced,
)

RETRY = MessageQueue("%RETRY%coupon", 0)


def qs(*ids: int) -> list[MessageQueue]:
    return [MessageQueue(TOPIC, i) for i in ids]


def delivered(w: World, client: str) -> list[str]:
    return [d.keys[0] for d in w.trace.of(MessageDelivered) if d.client == client]


# -- P19: two processes, one client id ----------------------------------------------------------
def test_two_processes_with_one_client_id_take_the_same_queues_and_leave_the_rest_to_nobody(w: World) -> None:
    """The broker lists the id once per channel; both find themselves at its first index."""
    a = w.push_consumer("coupon", TOPIC, ok, client_ip="172.17.0.2", instance_name="coupon")
    b = w.push_consumer("coupon", TOPIC, ok, client_ip="172.17.0.2", instance_name="coupon")
    a.start()
    b.start()
    w.run_until(5000)
    assert w.broker.consumer_ids("coupon") == ["172.17.0.2@coupon", "172.17.0.2@coupon"]
    assert a.assigned() == b.assigned() == [RETRY, *qs(0, 1)]
    for n in range(4):
        send(w, f"k{n}", queue=n)
    w.run_until(10_000)
    keys = [d.keys[0] for d in w.trace.of(MessageDelivered)]
    assert sorted(keys) == ["k0", "k0", "k1", "k1"], "queues 0 and 1 twice, queues 2 and 3 never"
    assert {dup.keys for dup in duplicate_deliveries(w.trace)} == {("k0",), ("k1",)}


def test_when_one_of_the_two_dies_the_other_takes_every_queue(w: World) -> None:
    a = w.push_consumer("coupon", TOPIC, ok, client_ip="172.17.0.2", instance_name="coupon")
    b = w.push_consumer("coupon", TOPIC, ok, client_ip="172.17.0.2", instance_name="coupon")
    a.start()
    b.start()
    w.run_until(5000)
    a.crash()
    w.run_until(10_000)
    assert w.broker.consumer_ids("coupon") == ["172.17.0.2@coupon"]
    assert b.assigned() == [RETRY, *qs(0, 1, 2, 3)]


def test_a_failure_sent_back_by_both_processes_doubles_in_the_retry_topic(w: World) -> None:
    """apache/rocketmq #1589: both take %RETRY%coupon too, so each retry copy is consumed
    twice and sent back twice: 2 copies, then 4."""

    def fail(msg: MessageExt) -> ConsumeStatus:
        return ConsumeStatus.RECONSUME_LATER

    for _ in range(2):
        w.push_consumer("coupon", TOPIC, fail, client_ip="172.17.0.2", instance_name="coupon").start()
    send(w, "k0", queue=0, at_ms=3000)
    w.run_until(30_000)  # the first retry (level 3, 10 s), not yet the second (30 s)
    copies = [m.reconsume_times for m in w.broker.copies("%RETRY%coupon")]
    assert copies == [1, 1]
    w.run_until(80_000)
    copies = [m.reconsume_times for m in w.broker.copies("%RETRY%coupon")]
    assert copies == [1, 1, 2, 2, 2, 2]


def test_the_5x_default_gives_two_processes_on_one_ip_two_client_ids(w: World) -> None:
    """Left at DEFAULT, a clustering consumer's instance name becomes pid#nanoTime."""
    a = w.push_consumer("coupon", TOPIC, ok, name="a", client_ip="172.17.0.1")
    b = w.push_consumer("coupon", TOPIC, ok, name="b", client_ip="172.17.0.1")
    a.start()
    b.start()
    w.run_until(5000)
    assert a.client_id != b.client_id
    assert all(cid.startswith("172.17.0.1@") and "#" in cid for cid in w.broker.consumer_ids("coupon"))
    owned = sorted(mq.queue_id for c in (a, b) for mq in c.assigned() if mq.topic == TOPIC)
    assert owned == [0, 1, 2, 3]
    for n in range(4):
        send(w, f"k{n}", queue=n)
    w.run_until(10_000)
    assert duplicate_deliveries(w.trace) == []


def test_a_restart_on_one_ip_may_move_queues_the_new_id_sorts_elsewhere(w: World) -> None:
    """Each process allocates from the sorted ids; a restart's new pid#nanoTime sorts
    where it sorts, so which queues a restart moves follows the new id."""
    a = w.push_consumer("coupon", TOPIC, ok, name="a", client_ip="172.17.0.1")
    b = w.push_consumer("coupon", TOPIC, ok, name="b", client_ip="172.17.0.1")
    a.start()
    b.start()
    w.run_until(5000)
    for _ in range(3):
        a.crash()
        a.restart()
        w.run_until(w.now_ms + 5000)
        ids = w.broker.consumer_ids("coupon")
        assert ids == sorted([a.client_id, b.client_id])
        expected = {c: allocate_averagely(c.client_id or "", qs(0, 1, 2, 3), ids) for c in (a, b)}
        assert {c: [mq for mq in c.assigned() if mq.topic == TOPIC] for c in (a, b)} == expected


# -- timing (RebalanceService, RebalanceImpl, MQClientInstance) -----------------------------------------
def test_a_new_consumer_registers_one_round_trip_after_it_starts_and_rebalances_a_second_later(w: World) -> None:
    w.run_until(3000)
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()
    w.run_until(10_000)
    (joined,) = w.trace.of(ConsumerRegistered)
    assert joined.at_ms == 3001 and joined.client_id == c.client_id and joined.notified == 1
    first = w.trace.of(Rebalanced)[0]
    assert first.topic == TOPIC and 4000 <= first.at_ms < 4020, "minInterval: 1 s after the service was made"
    send(w, "k1", queue=1, at_ms=20_000)  # the pull waits at the broker: delivered at once
    w.run_until(21_000)
    (got,) = w.trace.of(MessageDelivered)
    assert got.at_ms - 20_000 <= 3, "no pull delay: the queue was gained long ago"


def test_a_queue_gained_is_first_pulled_500_ms_after_the_rebalance(w: World) -> None:
    send(w, "k1", queue=1, at_ms=0)
    c = w.push_consumer("coupon", TOPIC, ok, name="c1", consume_from_where="CONSUME_FROM_FIRST_OFFSET")
    c.start()
    w.run_until(5000)
    gained = w.trace.of(Rebalanced)[0]
    pulled = w.trace.of(MessagesPulled)[0]
    assert pulled.at_ms - gained.at_ms in range(500, 510)


def test_members_coming_and_going_in_quick_succession_cost_one_rebalance_a_second(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c1.start()
    w.run_until(5000)
    c2 = w.push_consumer("coupon", TOPIC, ok, name="c2")
    c2.start()
    w.run_until(5300)
    c2.shutdown()
    w.run_until(10_000)
    mine = [(e.at_ms, e.after) for e in w.trace.of(Rebalanced) if e.client == "c1" and e.topic == TOPIC]
    assert [after for _, after in mine] == [(0, 1, 2, 3), (0, 1), (0, 1, 2, 3)]
    assert 5001 < mine[1][0] < 5010, "told at once that c2 joined"
    assert mine[2][0] - mine[1][0] >= 1000, "told at 5301 that c2 left, but may rebalance only a second after its last"


def test_a_heartbeat_lost_in_an_outage_leaves_the_consumer_out_until_the_next_one(w: World) -> None:
    w.faults.broker_outage(0, 5000)
    c = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c.start()  # the start's heartbeat and the one at 1 s fail; the next is due at 31 s
    w.run_until(30_000)
    assert w.trace.of(ConsumerRegistered) == [] and c.assigned() == []
    w.run_until(40_000)
    (joined,) = w.trace.of(ConsumerRegistered)
    assert joined.at_ms == 31_001
    assert [mq.queue_id for mq in c.assigned() if mq.topic == TOPIC] == [0, 1, 2, 3]


def test_the_broker_says_who_joined_and_who_left(w: World) -> None:
    c1 = w.push_consumer("coupon", TOPIC, ok, name="c1")
    c2 = w.push_consumer("coupon", TOPIC, ok, name="c2")
    c1.start()
    c2.start()
    w.run_until(3000)
    c2.shutdown()
    w.run_until(4000)
    c1.crash()
    w.run_until(5000)
    left = [(e.client, e.via, len(e.members), e.notified) for e in w.trace.of(ConsumerUnregistered)]
    assert left == [("c2", "unregister", 1, 1), ("c1", "channel closed", 0, 0)]
    joined = [(e.client, len(e.members), e.notified) for e in w.trace.of(ConsumerRegistered)]
    assert joined == [("c1", 1, 1), ("c2", 2, 2)]
