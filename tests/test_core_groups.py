"""Consumer groups on the broker (``ConsumerManager``) and orderly queue locks
(``RebalanceLockManager``), driven directly, without a loop."""

from __future__ import annotations

from minimq.core.groups import REBALANCE_LOCK_MAX_LIVE_MS, ConsumerManager, RebalanceLockManager
from minimq.events import QueueLocked, QueueUnlocked
from minimq.model import MessageQueue

Q0, Q1, Q2 = (MessageQueue("order-paid", i) for i in range(3))


# -- membership ----------------------------------------------------------------------------
def test_a_new_member_makes_every_member_rebalance_itself_included_in_client_order() -> None:
    groups: ConsumerManager[str] = ConsumerManager()
    assert groups.register("g", "c2", "chan-c2") == ["chan-c2"]  # alone: it tells itself
    assert groups.register("g", "c3", "chan-c3") == ["chan-c2", "chan-c3"]
    assert groups.register("g", "c1", "chan-c1") == ["chan-c1", "chan-c2", "chan-c3"]
    assert groups.consumer_ids("g") == ["c1", "c2", "c3"]


def test_a_later_heartbeat_through_a_known_channel_tells_nobody() -> None:
    groups: ConsumerManager[str] = ConsumerManager()
    groups.register("g", "c1", "chan-c1")
    groups.register("g", "c2", "chan-c2")
    assert groups.register("g", "c1", "chan-c1") == []
    assert groups.consumer_ids("g") == ["c1", "c2"]


def test_two_channels_with_one_client_id_are_two_members_listed_twice() -> None:
    """P19 (apache/rocketmq #1589): ``getAllClientId`` gives one id per channel."""
    groups: ConsumerManager[str] = ConsumerManager()
    groups.register("g", "10.0.0.9@app", "container-1")
    assert groups.register("g", "10.0.0.9@app", "container-2") == ["container-1", "container-2"]
    groups.register("g", "10.0.0.7@app", "other")
    assert groups.consumer_ids("g") == ["10.0.0.7@app", "10.0.0.9@app", "10.0.0.9@app"]
    assert groups.close_channel("g", "container-1") == ["other", "container-2"]
    assert groups.consumer_ids("g") == ["10.0.0.7@app", "10.0.0.9@app"]


def test_leaving_tells_every_member_left_even_when_nothing_was_removed() -> None:
    groups: ConsumerManager[str] = ConsumerManager()
    for client in ("c1", "c2", "c3"):
        groups.register("g", client, f"chan-{client}")
    assert groups.unregister("g", "chan-c2") == ["chan-c1", "chan-c3"]
    assert groups.unregister("g", "chan-c2") == ["chan-c1", "chan-c3"]  # unregisterConsumer tells them anyway
    assert groups.consumer_ids("g") == ["c1", "c3"]
    groups.unregister("g", "chan-c1")
    groups.unregister("g", "chan-c3")
    assert groups.unregister("g", "chan-c3") == []  # no member left: nobody to tell


def test_a_closed_channel_removes_only_the_registration_made_through_it() -> None:
    groups: ConsumerManager[str] = ConsumerManager()
    groups.register("g", "c1", "crashed-process")
    groups.register("g", "c2", "chan-c2")
    groups.register("g", "c1", "restarted-process")  # the restart registered again first
    assert groups.consumer_ids("g") == ["c1", "c1", "c2"], "both processes count until the old channel closes"
    assert groups.close_channel("g", "crashed-process") == ["restarted-process", "chan-c2"]
    assert groups.close_channel("g", "crashed-process") == [], "already closed: nothing changed"
    assert groups.consumer_ids("g") == ["c1", "c2"]


def test_an_expired_channel_leaves_without_telling_anyone() -> None:
    groups: ConsumerManager[str] = ConsumerManager()
    groups.register("g", "c1", "chan-c1")
    groups.register("g", "c2", "chan-c2")
    groups.expire_channel("g", "chan-c1")
    assert groups.consumer_ids("g") == ["c2"]


def test_a_broadcasting_group_is_never_told() -> None:
    groups: ConsumerManager[str] = ConsumerManager()
    assert groups.register("b", "b1", "chan-b1", clustering=False) == []
    assert groups.register("b", "b2", "chan-b2", clustering=False) == []
    assert groups.unregister("b", "chan-b1") == []
    assert groups.close_channel("b", "chan-b2") == []
    assert groups.consumer_ids("b") == []


def test_groups_are_apart_and_known_after_their_last_member_left() -> None:
    groups: ConsumerManager[str] = ConsumerManager()
    groups.register("b", "c1", "x")
    assert groups.register("a", "c2", "y") == ["y"]  # c1 is in another group
    groups.unregister("b", "x")
    assert groups.consumer_ids("b") == []
    assert groups.known_groups() == ["a", "b"]
    assert groups.consumer_ids("never") == []


# -- orderly locks -------------------------------------------------------------------------
def test_free_queues_are_granted_and_told_once() -> None:
    locks = RebalanceLockManager()
    locked = locks.lock("g", "c1", [Q0, Q1], now_ms=100)
    assert locked.granted == {Q0, Q1}
    assert locked.events == (
        QueueLocked(at_ms=100, group="g", client="c1", topic="order-paid", queue_id=0),
        QueueLocked(at_ms=100, group="g", client="c1", topic="order-paid", queue_id=1),
    )
    renewed = locks.lock("g", "c1", [Q0, Q1], now_ms=20_100)
    assert renewed.granted == {Q0, Q1}
    assert renewed.events == ()  # a renewal changes no hands


def test_a_queue_held_by_another_client_is_refused_until_its_lock_is_older_than_60_s() -> None:
    locks = RebalanceLockManager()
    locks.lock("g", "c1", [Q0], now_ms=0)
    assert locks.lock("g", "c2", [Q0, Q2], now_ms=REBALANCE_LOCK_MAX_LIVE_MS).granted == {Q2}
    taken = locks.lock("g", "c2", [Q0], now_ms=REBALANCE_LOCK_MAX_LIVE_MS + 1)
    assert taken.granted == {Q0}
    assert taken.events == (QueueLocked(at_ms=60_001, group="g", client="c2", topic="order-paid", queue_id=0),)
    assert locks.holder("g", Q0) == "c2"


def test_a_renewal_restarts_the_60_s() -> None:
    locks = RebalanceLockManager()
    locks.lock("g", "c1", [Q0], now_ms=0)
    locks.lock("g", "c1", [Q0], now_ms=50_000)
    assert locks.lock("g", "c2", [Q0], now_ms=100_000).granted == frozenset()
    assert locks.lock("g", "c2", [Q0], now_ms=110_001).granted == {Q0}


def test_locks_of_different_groups_are_apart() -> None:
    locks = RebalanceLockManager()
    locks.lock("g1", "c1", [Q0], now_ms=0)
    assert locks.lock("g2", "c2", [Q0], now_ms=0).granted == {Q0}


def test_only_the_holder_unlocks() -> None:
    locks = RebalanceLockManager()
    locks.lock("g", "c1", [Q0, Q1], now_ms=0)
    assert locks.unlock("g", "c2", [Q0], now_ms=5) == []
    assert locks.holder("g", Q0) == "c1"
    assert locks.unlock("g", "c1", [Q1, Q2], now_ms=7) == [
        QueueUnlocked(at_ms=7, group="g", client="c1", topic="order-paid", queue_id=1)
    ]
    assert locks.holder("g", Q1) is None
    assert locks.lock("g", "c2", [Q1], now_ms=8).granted == {Q1}  # free again at once


def test_a_group_holds_a_lock_until_every_lock_of_it_expired_or_was_released() -> None:
    # isLockAllExpired: what the broker asks before it stores a message sent to the retry topic
    locks = RebalanceLockManager()
    assert locks.all_expired("g", now_ms=0), "a group that never locked holds nothing"
    locks.lock("g", "c1", [Q0], now_ms=0)
    locks.lock("g", "c1", [Q1], now_ms=30_000)
    assert not locks.all_expired("g", now_ms=REBALANCE_LOCK_MAX_LIVE_MS + 1), "Q1 is 30 s old"
    assert locks.all_expired("other", now_ms=0)
    assert locks.all_expired("g", now_ms=30_000 + REBALANCE_LOCK_MAX_LIVE_MS + 1)
    locks.unlock("g", "c1", [Q0, Q1], now_ms=40_000)
    assert locks.all_expired("g", now_ms=40_000)
