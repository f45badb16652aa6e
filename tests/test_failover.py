"""A broker name with a master and a slave (path P14): replication, the route, reads from the
slave while the master is down, and the slave's sync that puts the master's stale offsets
back.

RocketMQ 5.x, no controller: the slave copies the master asynchronously; a client whose
route has no master pulls from the slave, which serves it only with ``slaveReadEnable``
(default false: ``SYSTEM_BUSY``), and persists its offsets there; the master comes back with
the offsets it had flushed, the slave's next sync (every 63 s) overwrites its own newer
offsets with them, and a consumer that starts a queue in that window consumes the outage
again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import TOPIC, ok, send

from minimq import Message, World, check
from minimq.core.offsets import ConsumerOffsetTable
from minimq.core.replication import (
    SYNC_4X,
    SYNC_5X,
    BrokerRole,
    Found,
    find_broker_address_in_subscribe,
    next_transfer_ms,
    put_all,
    reconnect_ms,
    reject_pull,
    sync_due,
)
from minimq.errors import ClientStateError, SendFailedError, ValidationError
from minimq.events import (
    BrokerCrashed,
    ConsumerRegistered,
    Event,
    MessageDelivered,
    MessagesReplicated,
    OffsetPersisted,
    OffsetSyncedFromMaster,
    PullFailed,
    ReplicationLagged,
    RouteChanged,
    RouteRefreshed,
)
from minimq.i18n.describe import describe, lane
from minimq.model import OrderlyStatus

GROUP = "coupon"
CRASH_MS = 68_000  # after the slave's 61 s sync, which copied c1's offsets of its shutdown
RETURN_MS = 305_000  # the slave learns it at its 310 s registration and syncs at 313 s
DEPLOY_MS = 315_000  # before c1's next route poll (330.01 s): its route still has no master


OPENED: list[World] = []


@pytest.fixture(autouse=True)
def _close_worlds() -> Iterator[None]:
    """Close every world a test made with ``world()``."""
    yield
    while OPENED:
        OPENED.pop().close()


def world(seed: int, **options: bool) -> World:
    w = World(seed=seed, **options)
    OPENED.append(w)
    return w


def keys_delivered(w: World, since_ms: int = 0, until_ms: int | None = None) -> list[str]:
    return [
        e.keys[0]
        for e in w.trace.of(MessageDelivered)
        if e.at_ms >= since_ms and (until_ms is None or e.at_ms < until_ms)
    ]


def outage(slave_read_enable: bool, *, seed: int = 7, deploy: bool = True) -> World:
    """c1 consumes k0..k3 (1 s) and is shut down at 20 s; m0..m3 wait in the broker (30 s)
    and reach the slave; the master dies at 68 s; c1 starts again at 90 s, on a route with
    only the slave; the master is back at 305 s; c1 is deployed again at 315 s."""
    w = world(seed)
    w.add_slave("broker-a", slave_read_enable=slave_read_enable)
    w.broker.create_topic(TOPIC)
    c1 = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c1.start()
    for q in range(4):
        send(w, f"k{q}", queue=q, at_ms=1000)
    w.run_until(20_000)
    c1.shutdown()
    for q in range(4):
        send(w, f"m{q}", queue=q, at_ms=30_000)
    w.broker_crash(CRASH_MS, down_ms=RETURN_MS - CRASH_MS)
    w.run_until(90_000)
    c1.start()
    if deploy:
        w.run_until(DEPLOY_MS)
        c1.shutdown()
        w.run_until(DEPLOY_MS + 1000)
        c1.start()
    w.run_until(400_000)
    return w


# -- the rules, sans I/O -----------------------------------------------------------------------
def test_a_client_finds_the_master_else_any_broker_of_the_name() -> None:
    both = {0: "broker-a", 1: "broker-a-s"}
    slave_only = {1: "broker-a-s"}
    assert find_broker_address_in_subscribe(both, 0, only_this=False) == Found("broker-a", slave=False)
    assert find_broker_address_in_subscribe(slave_only, 0, only_this=False) == Found("broker-a-s", slave=True)
    assert find_broker_address_in_subscribe(slave_only, 0, only_this=True) is None, "an offset query's first look"
    assert find_broker_address_in_subscribe({0: "broker-a", 2: "s2"}, 1, only_this=True) == Found("s2", slave=True)
    assert find_broker_address_in_subscribe({}, 0, only_this=False) is None


def test_only_a_slave_without_slave_read_enable_refuses_pulls() -> None:
    assert reject_pull(BrokerRole.SLAVE, slave_read_enable=False)
    assert not reject_pull(BrokerRole.SLAVE, slave_read_enable=True)
    assert not reject_pull(BrokerRole.ASYNC_MASTER, slave_read_enable=False)


def test_the_slave_syncs_every_63_s_in_5x_and_every_10_s_in_4_9_8() -> None:
    checks = [SYNC_5X.first_ms + n * SYNC_5X.check_ms for n in range(40)]
    last, synced = 0, []
    for at in checks:
        if sync_due(SYNC_5X, at, last):
            synced.append(at)
            last = at + 2  # a sync takes a round trip
    assert synced[:2] == [61_000, 124_000]
    assert all(sync_due(SYNC_4X, at, at - 1) for at in (3000, 13_000)), "4.9.8 syncs at every run"


def test_the_ha_service_sends_at_its_next_100_ms_turn_and_the_slave_reconnects_every_5_s() -> None:
    assert next_transfer_ms(1001, started_ms=0) == 1100
    assert next_transfer_ms(1100, started_ms=0) == 1200
    assert next_transfer_ms(1001, started_ms=50) == 1050
    assert reconnect_ms(lost_ms=68_000, back_ms=305_000) == 308_000
    assert reconnect_ms(lost_ms=68_000, back_ms=68_001) == 73_000


def test_a_sync_puts_every_master_offset_over_the_slaves_and_keeps_the_rest() -> None:
    slave = ConsumerOffsetTable()
    slave.commit("g", TOPIC, 0, 5)  # newer than the master's
    slave.commit("g", TOPIC, 1, 3)  # only the slave has it
    changed = put_all(slave, {("g", TOPIC, 0): 2, ("g", TOPIC, 2): 7})
    assert changed == [(("g", TOPIC, 0), 2, 5), (("g", TOPIC, 2), 7, None)]
    assert [slave.query("g", TOPIC, q) for q in range(3)] == [2, 3, 7]


# -- replication --------------------------------------------------------------------------------
def test_the_slave_copies_each_message_at_the_next_turn_with_the_same_offsets_and_ids(w: World) -> None:
    slave = w.add_slave()
    sent = send(w, "k0", queue=2, at_ms=1000)
    w.run_until(1100)
    assert slave.store.message_count() == 0, "the copy is on the wire until 1.101 s"
    w.run_until(1101)
    (copied,) = w.trace.of(MessagesReplicated)
    assert (copied.at_ms, copied.master, copied.slave, copied.count) == (1101, "broker-a", "broker-a-s", 1)
    (copy,) = slave.copies(TOPIC)
    assert (copy.msg_id, copy.offset_msg_id, copy.queue.queue_id, copy.queue_offset) == (
        sent.msg_id,
        sent.offset_msg_id,
        2,
        sent.queue_offset,
    )
    assert slave.store.position == w.broker.store.position
    assert w.quiet()


def test_the_route_changes_when_the_master_dies_and_comes_back() -> None:
    with outage(slave_read_enable=True, deploy=False) as w:
        changes = [(e.at_ms, e.via, e.broker_ids) for e in w.trace.of(RouteChanged)]
    assert changes == [
        (0, "register", (0,)),
        (0, "register", (0, 1)),
        (CRASH_MS + 1, "channel closed", (1,)),
        (RETURN_MS + 1, "register", (0, 1)),
    ]


def test_a_running_consumer_fails_to_pull_until_its_route_poll_then_reads_from_the_slave(w: World) -> None:
    w.add_slave(slave_read_enable=True)
    c1 = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c1.start()
    send(w, "k0", queue=0, at_ms=1000)
    w.broker_crash(40_000)
    w.run_until(80_000)
    refreshed = [(e.at_ms, e.addresses) for e in w.trace.of(RouteRefreshed)]
    assert refreshed == [(60_010, ("broker-a-s",))], "the poll at 60.01 s is the first after the crash"
    failed = [e for e in w.trace.of(PullFailed) if e.at_ms < 60_010]
    assert failed and all("broker-a" in e.error and "broker-a-s" not in e.error for e in failed)
    assert not [e for e in w.trace.of(PullFailed) if e.at_ms > 63_100], "the slave holds the pulls"
    persisted = [e for e in w.trace.of(OffsetPersisted) if e.at_ms > 40_000]
    assert all(e.store == "slave" and e.via.startswith("timer") for e in persisted), "no pull carries a commit"


# -- the outage, with and without slaveReadEnable --------------------------------------------
def test_with_slave_read_enable_the_outage_is_consumed_from_the_slave_and_again_after_the_deploy() -> None:
    w = outage(slave_read_enable=True)
    ms = ["m0", "m1", "m2", "m3"]
    assert sorted(keys_delivered(w, 90_000, RETURN_MS)) == ms, "from the slave, during the outage"
    assert sorted(keys_delivered(w, DEPLOY_MS)) == ms, "the deploy reads the master's stale offsets"
    on_slave = [
        (e.queue_id, e.offset)
        for e in w.trace.of(OffsetPersisted)
        if e.store == "slave" and e.topic == TOPIC and e.at_ms < 200_000
    ]
    assert sorted(on_slave) == [(0, 2), (1, 2), (2, 2), (3, 2)]
    synced = [(e.at_ms, e.queue_id, e.previous, e.offset) for e in w.trace.of(OffsetSyncedFromMaster)]
    assert [s for s in synced if s[0] > RETURN_MS] == [(313_002, q, 2, 1) for q in range(4)], (
        "the slave's newer offsets overwritten with the master's"
    )
    report = check(w.trace)
    assert sorted(d.key for d in report.duplicate_keys if d.group == GROUP) == ms
    assert not report.offset_regressions, "RocketMQ's own regressions are not a client's"


def test_with_the_5x_default_the_slave_refuses_pulls_and_nothing_is_replayed() -> None:
    w = outage(slave_read_enable=False)
    assert keys_delivered(w, 90_000, RETURN_MS) == [], "pulls refused during the outage"
    busy = [e for e in w.trace.of(PullFailed) if "SYSTEM_BUSY" in e.error]
    assert busy and all(90_000 < e.at_ms < 331_000 for e in busy)
    assert sorted(keys_delivered(w)) == ["k0", "k1", "k2", "k3", "m0", "m1", "m2", "m3"], "each once"
    assert [e for e in w.trace.of(OffsetPersisted) if e.store == "slave"] == []
    assert not check(w.trace).duplicate_keys


def test_a_consumer_started_during_the_outage_registers_with_the_slave_in_the_trace() -> None:
    w = outage(slave_read_enable=True, deploy=False)
    joined = [e.at_ms for e in w.trace.of(ConsumerRegistered)]
    assert 90_001 in joined, "traced: the master is out of the route"
    assert len([t for t in joined if t < 20_000]) == 1, "the slave's own copy of a registration is not traced"


def test_the_same_seed_gives_the_same_trace() -> None:
    first, again = outage(slave_read_enable=True), outage(slave_read_enable=True)
    assert first.trace.sha256() == again.trace.sha256()
    assert outage(slave_read_enable=True, seed=8).trace.sha256() != first.trace.sha256()


def test_an_orderly_consumer_cannot_lock_on_a_slave_and_consumes_nothing_from_it(w: World) -> None:
    """Path P20 needs a slave acting as master (not modelled); by default a lock needs the
    master (``findBrokerAddressInSubscribe(…, MASTER_ID, true)``), so an orderly consumer
    takes no queue while the master is down, slaveReadEnable or not."""
    w.add_slave(slave_read_enable=True)
    send(w, "k0", queue=0, at_ms=1000)
    w.broker_crash(2000, down_ms=60_000)
    w.run_until(3000)
    c1 = w.push_consumer(GROUP, TOPIC, lambda msg: OrderlyStatus.SUCCESS, name="c1", orderly=True)
    c1.start()
    w.run_until(61_000)
    assert keys_delivered(w) == [] and c1.assigned() == []
    w.run_until(120_000)
    assert keys_delivered(w) == ["k0"], "once the master is back in its route"


# -- producers, a lost master, and what is refused ---------------------------------------------
def test_a_producer_cannot_send_while_the_master_is_down(w: World) -> None:
    w.add_slave(slave_read_enable=True)
    w.broker_crash(500)
    w.run_until(1000)
    producer = w.producer("order")
    with pytest.raises(SendFailedError):
        w.run(producer.send(Message(TOPIC, b"x", keys=("k",))))


def test_a_master_lost_with_its_disk_loses_what_the_slave_had_not_copied(w: World) -> None:
    slave = w.add_slave(slave_read_enable=True)
    send(w, "k0", queue=0, at_ms=1000)
    send(w, "k1", queue=1, at_ms=5000)
    w.lose_master(5050)
    w.run_until(6000)
    c1 = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c1.start()
    assert w.run_until_quiet(120_000), "a lost master is not waited for"
    (lag,) = w.trace.of(ReplicationLagged)
    assert (lag.at_ms, lag.not_copied, lag.disk_lost) == (5050, 1, True)
    assert keys_delivered(w) == ["k0"] and [m.keys for m in slave.copies(TOPIC)] == [("k0",)]
    k1 = w.broker.query_by_key(TOPIC, "k1")[0].msg_id  # the lost master's memory, read by the test
    assert [m.msg_id for m in check(w.trace).lost] == [k1], "acknowledged, and gone"
    with pytest.raises(ClientStateError, match="lost its disk"):
        w.broker.restart()


def test_a_consumer_past_the_slaves_end_waits_there_uncorrected(w: World) -> None:
    """k1 was consumed from the master before the slave copied it: on the slave the
    consumer's offset is past the queue's end, and a slave corrects nothing
    (``offsetCheckInSlave=false``): the pull waits, and the offset stays."""
    w.add_slave(slave_read_enable=True)
    c1 = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c1.start()
    send(w, "k1", queue=1, at_ms=5000)
    w.lose_master(5050)
    w.run_until(120_000)
    assert keys_delivered(w) == ["k1"]
    (q1,) = [q for q in c1.stats().queues if q.topic == TOPIC and q.queue_id == 1]
    assert (q1.local_offset, q1.max_offset) == (1, 0)
    assert not w.quiet(), "it waits for a copy that will never come"


def test_what_a_master_with_a_slave_refuses(w: World) -> None:
    with pytest.raises(ValidationError, match="only a broker with a slave"):
        w.lose_master(10)
    slave = w.add_slave()
    with pytest.raises(ClientStateError, match="has a slave already"):
        w.add_slave()
    with pytest.raises(ValidationError, match="no broker of that name"):
        w.add_slave("broker-b")
    with pytest.raises(ClientStateError, match="crash of a slave"):
        slave.crash()
    with pytest.raises(ValidationError, match="OS crash of a master with a slave"):
        w.broker.crash(lose_unflushed=True)
    assert w.broker.alive, "refused before anything happened"
    fresh = world(1)
    with pytest.raises(ValidationError, match="sync must be one of"):
        fresh.add_slave(sync="6.0")
    with pytest.raises(ValidationError, match="slave_read_enable must be True or False"):
        fresh.add_slave(slave_read_enable="yes")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="slave must be True or False"):
        world(1, slave=1)  # type: ignore[arg-type]


def test_the_4_9_8_timing_syncs_every_10_s(w: World) -> None:
    w.add_slave(sync="4.9.8", slave_read_enable=True)
    c1 = w.push_consumer(GROUP, TOPIC, ok, name="c1")
    c1.start()
    send(w, "k0", queue=0, at_ms=1000)
    w.run_until(30_000)
    synced = w.trace.of(OffsetSyncedFromMaster)
    assert [(e.at_ms, e.topic, e.offset) for e in synced if e.topic == TOPIC] == [(13_002, TOPIC, 1)]


# -- words --------------------------------------------------------------------------------------
def test_every_failover_event_reads_in_both_languages() -> None:
    w = outage(slave_read_enable=True, deploy=False)
    w2 = world(3, slave=True)
    w2.lose_master(0)
    w2.run_until(10)
    kinds = (RouteChanged, RouteRefreshed, MessagesReplicated, OffsetSyncedFromMaster, BrokerCrashed)
    events: list[Event] = [e for e in (*w.trace.events, *w2.trace.events) if isinstance(e, kinds)]
    events += w2.trace.of(ReplicationLagged) + [e for e in w.trace.of(OffsetPersisted) if e.store == "slave"]
    for e in events:
        for lang in ("en", "zh"):
            assert describe(e, lang) != e.kind and describe(e, lang, brief=True) != e.kind, (e, lang)
        assert lane(e) is not None
    synced = w.trace.of(OffsetSyncedFromMaster)[0]
    assert describe(synced).startswith("broker-a-s synced coupon offset")
    lost = w2.trace.of(ReplicationLagged)[0]
    assert "gone for good" in describe(lost) and "永久丢失" in describe(lost, "zh")
