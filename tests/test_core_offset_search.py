"""Searching a queue by store time, and the broker's reset marks (core, no world).

The search is RocketMQ 5.1.1+'s ``getOffsetInQueueByTime`` (``BoundaryType.LOWER``): the
first message stored at or after the time, clamped to the queue's [min, max] offsets.
"""

from __future__ import annotations

import pytest

from minimq.core.offsets import ConsumerOffsetTable
from minimq.core.store import MessageStore
from minimq.model import MessageExt, MessageQueue

MQ = MessageQueue("order-paid", 0)


def store_at(store: MessageStore, *store_ms: int) -> None:
    """Append one message per time to queue 0, as the broker does at that virtual time."""
    for at in store_ms:
        offset = store.max_offset(MQ)
        store.append(
            MessageExt(
                topic=MQ.topic,
                queue=MQ,
                queue_offset=offset,
                body=b"order",
                tags=None,
                keys=(),
                properties=(),
                msg_id=f"ID-{offset}",
                offset_msg_id=store.next_offset_msg_id(5),
                born_ms=at - 1,
                store_ms=at,
            )
        )


@pytest.fixture
def store() -> MessageStore:
    s = MessageStore()
    s.create_topic(MQ.topic, 1)
    return s


def test_an_empty_queue_answers_0_for_any_time(store: MessageStore) -> None:
    assert [store.offset_in_queue_by_time(MQ, t) for t in (0, 5, 10**12)] == [0, 0, 0]


def test_a_time_before_the_first_message_gives_the_min_offset(store: MessageStore) -> None:
    store_at(store, 100, 200, 300)
    assert store.offset_in_queue_by_time(MQ, 0) == 0
    assert store.offset_in_queue_by_time(MQ, 99) == 0


def test_a_time_after_the_last_message_gives_the_max_offset(store: MessageStore) -> None:
    store_at(store, 100, 200, 300)
    assert store.offset_in_queue_by_time(MQ, 301) == 3 == store.max_offset(MQ)


def test_an_exact_hit_gives_that_message(store: MessageStore) -> None:
    store_at(store, 100, 200, 300)
    assert store.offset_in_queue_by_time(MQ, 100) == 0
    assert store.offset_in_queue_by_time(MQ, 200) == 1
    assert store.offset_in_queue_by_time(MQ, 300) == 2


def test_between_two_messages_gives_the_later_one_not_the_nearest(store: MessageStore) -> None:
    store_at(store, 100, 200, 300)
    # 5.1.0 and earlier picked the nearest (offset 0 for 101); 5.1.1+ the first at or after.
    assert store.offset_in_queue_by_time(MQ, 101) == 1
    assert store.offset_in_queue_by_time(MQ, 199) == 1
    assert store.offset_in_queue_by_time(MQ, 250) == 2


def test_messages_stored_in_the_same_millisecond_are_all_included(store: MessageStore) -> None:
    store_at(store, 100, 200, 200, 200, 300)
    assert store.offset_in_queue_by_time(MQ, 200) == 1
    assert store.offset_in_queue_by_time(MQ, 201) == 4


def test_a_reset_commits_the_offset_and_marks_the_queue_until_a_pull_takes_it() -> None:
    table = ConsumerOffsetTable()
    table.commit("g", "t", 0, 9)
    assert table.take_reset("g", "t", 0) is None
    table.assign_reset("g", "t", 0, 3)
    assert table.query("g", "t", 0) == 3
    assert not table.update("g", "t", 0, 9), "a client's update is ignored while the mark stands"
    assert table.update("g", "t", 1, 9) and table.update("h", "t", 0, 9), "other queues and groups are not marked"
    assert table.take_reset("g", "t", 0) == 3
    assert table.take_reset("g", "t", 0) is None
    assert table.update("g", "t", 0, 9) and table.query("g", "t", 0) == 9
    assert not table.update("g", "t", 0, 9), "an update that changes nothing says so"


def test_a_reset_of_a_group_that_never_committed_creates_its_offset() -> None:
    table = ConsumerOffsetTable()
    table.assign_reset("g", "t", 2, 0)
    assert table.query("g", "t", 2) == 0
    assert table.snapshot() == {("g", "t", 2): 0}
