"""The message store, the broker's offset table, where a new consumer starts, and the
consumer's own offset store."""

from __future__ import annotations

import re

import pytest

from minimq.core.offset_store import PERSIST_INITIAL_DELAY_MS, PERSIST_INTERVAL_MS, OffsetStore
from minimq.core.offsets import ConsumeFromWhere, ConsumerOffsetTable, pull_from_where
from minimq.core.store import MAX_TRANSFER_COUNT, MSG_HEADER_BYTES, STORE_HOST_HEX, MessageStore
from minimq.model import Message, MessageExt, MessageQueue

TOPIC = "order-paid"


def store_one(
    store: MessageStore,
    queue_id: int = 0,
    *,
    body: bytes = b"order",
    keys: tuple[str, ...] = (),
    msg_id: str = "",
    topic: str = TOPIC,
    real_topic: str | None = None,
) -> MessageExt:
    """Append one copy the way the broker does: next queue offset, fresh offset_msg_id."""
    mq = MessageQueue(topic, queue_id)
    offset = store.max_offset(mq)
    msg = MessageExt(
        topic=real_topic or topic,
        queue=mq,
        queue_offset=offset,
        body=body,
        tags=None,
        keys=keys,
        properties=(),
        msg_id=msg_id or f"ID-{topic}-{queue_id}-{offset}",
        offset_msg_id=store.next_offset_msg_id(len(body)),
        born_ms=0,
        store_ms=0,
    )
    return store.append(msg)


@pytest.fixture
def store() -> MessageStore:
    s = MessageStore()
    assert s.create_topic(TOPIC, 4)
    return s


# -- the store ----------------------------------------------------------------------------------
def test_queue_offsets_are_0_1_2_per_queue(store: MessageStore) -> None:
    q0 = [store_one(store, 0).queue_offset for _ in range(3)]
    q1 = [store_one(store, 1).queue_offset for _ in range(2)]
    assert q0 == [0, 1, 2]
    assert q1 == [0, 1]
    assert store.max_offset(MessageQueue(TOPIC, 0)) == 3
    assert store.max_offset(MessageQueue(TOPIC, 2)) == 0


def test_every_copy_gets_its_own_offset_msg_id_even_for_the_same_msg_id(store: MessageStore) -> None:
    copies = [store_one(store, i % 4, msg_id="SAME-UNIQ-KEY") for i in range(6)]
    ids = [c.offset_msg_id for c in copies]
    assert len(set(ids)) == 6
    for offset_msg_id in ids:
        assert re.fullmatch(r"[0-9A-F]{32}", offset_msg_id)
        assert offset_msg_id.startswith(STORE_HOST_HEX)
    assert [c.msg_id for c in copies] == ["SAME-UNIQ-KEY"] * 6


def test_offset_msg_id_encodes_the_commit_log_offset(store: MessageStore) -> None:
    a = store_one(store, body=b"x" * 10)
    b = store_one(store, 3, body=b"y")
    c = store_one(store)
    offsets = [int(m.offset_msg_id[16:], 16) for m in (a, b, c)]
    assert offsets == [0, MSG_HEADER_BYTES + 10, 2 * MSG_HEADER_BYTES + 11]
    assert "7F000001" + f"{10911:08X}" == STORE_HOST_HEX


def test_append_refuses_a_queue_offset_that_is_not_the_next(store: MessageStore) -> None:
    first = store_one(store)
    gap = MessageExt(
        topic=TOPIC,
        queue=first.queue,
        queue_offset=5,
        body=b"x",
        tags=None,
        keys=(),
        properties=(),
        msg_id="ID",
        offset_msg_id=store.next_offset_msg_id(1),
        born_ms=0,
        store_ms=0,
    )
    with pytest.raises(ValueError, match="queue offset 5 is not the next"):
        store.append(gap)
    assert store.max_offset(first.queue) == 1


def test_consuming_never_deletes_and_get_returns_from_an_offset(store: MessageStore) -> None:
    mq = MessageQueue(TOPIC, 2)
    for _ in range(5):
        store_one(store, 2)
    assert [m.queue_offset for m in store.get(mq, 3)] == [3, 4]
    assert [m.queue_offset for m in store.get(mq, 0)] == [0, 1, 2, 3, 4]  # still there
    assert store.get(mq, 5) == []
    assert [m.queue_offset for m in store.log(mq)] == [0, 1, 2, 3, 4]


def test_a_get_returns_at_most_32_messages(store: MessageStore) -> None:
    mq = MessageQueue(TOPIC, 0)
    for _ in range(50):
        store_one(store, 0)
    assert MAX_TRANSFER_COUNT == 32
    batch = store.get(mq, 0, max_nums=1000)
    assert [m.queue_offset for m in batch] == list(range(32))
    assert len(store.get(mq, 0)) == 32
    assert [m.queue_offset for m in store.get(mq, 40, max_nums=64)] == list(range(40, 50))
    assert len(store.get(mq, 10, max_nums=5)) == 5


def test_query_by_key_finds_every_copy_of_a_business_key(store: MessageStore) -> None:
    a = store_one(store, 0, keys=("order-1", "user-9"), msg_id="A")
    store_one(store, 1, keys=("order-2",), msg_id="B")
    c = store_one(store, 2, keys=("order-1",), msg_id="C")  # a duplicate send under a new id
    assert store.query_by_key(TOPIC, "order-1") == [a, c]
    assert store.query_by_key(TOPIC, "user-9") == [a]
    assert store.query_by_key(TOPIC, "nope") == []
    assert store.query_by_key("other-topic", "order-1") == []
    assert store.query_by_key(TOPIC, "order-1", max_num=1) == [a]


def test_query_by_msg_id_finds_every_copy_oldest_first(store: MessageStore) -> None:
    first = store_one(store, 0, msg_id="UNIQ")
    store_one(store, 1, msg_id="OTHER")
    second = store_one(store, 3, msg_id="UNIQ")
    assert store.query_by_msg_id("UNIQ") == [first, second]
    assert store.query_by_msg_id("missing") == []
    assert store.look_up(second.offset_msg_id) is second
    assert store.look_up("0" * 32) is None
    assert store.message_count() == 3


def test_topics_and_queues(store: MessageStore) -> None:
    assert not store.create_topic(TOPIC, 8)  # already exists: unchanged
    assert store.queues(TOPIC) == [MessageQueue(TOPIC, q) for q in range(4)]
    assert store.create_topic("%RETRY%coupon", 1)
    assert store.queues("%RETRY%coupon") == [MessageQueue("%RETRY%coupon", 0)]
    assert store.queues("unknown") == []


def test_a_retry_copy_is_stored_in_the_retry_topic_and_shows_the_real_topic(store: MessageStore) -> None:
    store.create_topic("%RETRY%coupon", 1)
    copy = store_one(store, 0, topic="%RETRY%coupon", real_topic=TOPIC, msg_id="UNIQ")
    assert copy.queue == MessageQueue("%RETRY%coupon", 0)
    assert copy.topic == TOPIC
    assert copy.queue_offset == 0
    assert store.max_offset(MessageQueue(TOPIC, 0)) == 0


def test_message_keys_given_as_a_string_are_split_on_spaces() -> None:
    assert Message(TOPIC, b"x", keys="order-1  user-9").keys == ("order-1", "user-9")
    assert Message(TOPIC, b"x", keys=["a"]).keys == ("a",)


# -- the broker's offset table and ConsumeFromWhere ---------------------------------------------
def test_the_offset_table_keeps_one_offset_per_group_topic_queue() -> None:
    table = ConsumerOffsetTable()
    assert table.query("g", TOPIC, 0) is None
    table.commit("g", TOPIC, 0, 5)
    table.commit("g", TOPIC, 0, 3)  # the broker takes what it is told, even backwards
    table.commit("h", TOPIC, 0, 9)
    assert table.query("g", TOPIC, 0) == 3
    assert table.query("g", TOPIC, 1) is None
    assert table.snapshot() == {("g", TOPIC, 0): 3, ("h", TOPIC, 0): 9}


@pytest.mark.parametrize("where", list(ConsumeFromWhere))
def test_a_broker_offset_always_wins(where: ConsumeFromWhere) -> None:
    assert pull_from_where(where, TOPIC, 7, 100) == 7
    assert pull_from_where(where, TOPIC, 0, 100, offset_zero_in_memory=False) == 0  # 0 is an offset


def test_last_offset_without_a_broker_offset_starts_at_max_offset_when_offset_0_is_gone() -> None:
    last = ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET
    assert pull_from_where(last, TOPIC, None, 100, offset_zero_in_memory=False) == 100
    assert pull_from_where(last, TOPIC, -1, 100, offset_zero_in_memory=False) == 100


def test_last_offset_starts_at_0_while_offset_0_is_in_memory() -> None:
    # ConsumerManageProcessor.queryConsumerOffset answers 0 instead of "not found"
    last = ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET
    assert pull_from_where(last, TOPIC, None, 100) == 0
    assert pull_from_where(last, TOPIC, None, 100, offset_zero_in_memory=True) == 0


def test_a_retry_topic_starts_at_0_even_from_last_offset() -> None:
    last = ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET
    assert pull_from_where(last, "%RETRY%coupon", None, 100, offset_zero_in_memory=False) == 0


def test_first_offset_starts_at_0() -> None:
    first = ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET
    assert pull_from_where(first, TOPIC, None, 100, offset_zero_in_memory=False) == 0


def test_the_default_consume_from_where_names() -> None:
    assert ConsumeFromWhere("CONSUME_FROM_LAST_OFFSET") is ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET
    assert ConsumeFromWhere("CONSUME_FROM_FIRST_OFFSET") is ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET


# -- the consumer's offset store ---------------------------------------------------------------
MQ0 = MessageQueue(TOPIC, 0)
MQ1 = MessageQueue(TOPIC, 1)


def test_increase_only_never_moves_the_local_offset_back() -> None:
    store = OffsetStore()
    assert store.read(MQ0) is None
    assert store.update(MQ0, 5)
    assert not store.update(MQ0, 3)
    assert store.read(MQ0) == 5
    assert not store.update(MQ0, 5)  # unchanged is not a change
    assert store.update(MQ0, 8)
    assert store.read(MQ0) == 8


def test_without_increase_only_the_offset_may_move_back() -> None:
    store = OffsetStore()
    store.update(MQ0, 8)
    assert store.update(MQ0, 2, increase_only=False)
    assert store.read(MQ0) == 2


def test_the_first_update_is_taken_whatever_its_value() -> None:
    store = OffsetStore()
    assert store.update(MQ1, 0)
    assert store.read(MQ1) == 0


def test_items_are_sorted_and_filterable_and_remove_clear_forget() -> None:
    store = OffsetStore()
    store.update(MessageQueue(TOPIC, 3), 30)
    store.update(MQ1, 10)
    store.update(MessageQueue("a-topic", 2), 2)
    assert store.items() == [(MessageQueue("a-topic", 2), 2), (MQ1, 10), (MessageQueue(TOPIC, 3), 30)]
    assert store.items(only={MQ1, MQ0}) == [(MQ1, 10)]
    store.remove(MQ1)
    store.remove(MQ0)  # removing an unknown queue is fine
    assert store.read(MQ1) is None
    store.clear()
    assert store.items() == []


def test_persist_schedule_defaults() -> None:
    assert (PERSIST_INITIAL_DELAY_MS, PERSIST_INTERVAL_MS) == (10_000, 5_000)
