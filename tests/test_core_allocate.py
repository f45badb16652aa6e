"""Rebalance allocation: ``AllocateMessageQueueAveragely`` and ``...AveragelyByCircle``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minimq.core.allocate import ALLOCATORS, allocate_averagely, allocate_by_circle
from minimq.model import MessageQueue

TOPIC = "order-paid"


def queues(n: int, topic: str = TOPIC) -> list[MessageQueue]:
    return [MessageQueue(topic, i) for i in range(n)]


def clients(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def ids(mqs: list[MessageQueue]) -> list[int]:
    return [mq.queue_id for mq in mqs]


def java_averagely(current: str, mq_all: list[MessageQueue], cid_all: list[str]) -> list[MessageQueue]:
    """A line-by-line transcription of ``AllocateMessageQueueAveragely.allocate`` (inputs
    already sorted, as ``RebalanceImpl.rebalanceByTopic`` sorts them)."""
    result: list[MessageQueue] = []
    if current not in cid_all:
        return result
    index = cid_all.index(current)
    mod = len(mq_all) % len(cid_all)
    if len(mq_all) <= len(cid_all):
        average_size = 1
    elif mod > 0 and index < mod:
        average_size = len(mq_all) // len(cid_all) + 1
    else:
        average_size = len(mq_all) // len(cid_all)
    start_index = index * average_size if mod > 0 and index < mod else index * average_size + mod
    range_ = min(average_size, len(mq_all) - start_index)
    for i in range(range_):  # Java's for loop does nothing for a negative range
        result.append(mq_all[(start_index + i) % len(mq_all)])
    return result


def java_by_circle(current: str, mq_all: list[MessageQueue], cid_all: list[str]) -> list[MessageQueue]:
    """``AllocateMessageQueueAveragelyByCircle.allocate``, transcribed."""
    if current not in cid_all:
        return []
    index = cid_all.index(current)
    return [mq_all[i] for i in range(index, len(mq_all)) if i % len(cid_all) == index]


# -- averagely: worked examples -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n_clients", "expected"),
    [
        (1, [[0, 1, 2, 3]]),
        (2, [[0, 1], [2, 3]]),
        (3, [[0, 1], [2], [3]]),
        (4, [[0], [1], [2], [3]]),
        (5, [[0], [1], [2], [3], []]),
        (6, [[0], [1], [2], [3], [], []]),
    ],
)
def test_four_queues_averagely(n_clients: int, expected: list[list[int]]) -> None:
    cids = clients(n_clients)
    assert [ids(allocate_averagely(c, queues(4), cids)) for c in cids] == expected


def test_eight_queues_three_clients_get_3_3_2_in_contiguous_blocks() -> None:
    cids = clients(3)
    assert [ids(allocate_averagely(c, queues(8), cids)) for c in cids] == [[0, 1, 2], [3, 4, 5], [6, 7]]


def test_every_client_sorts_the_same_way_whatever_order_it_was_given() -> None:
    mqs = queues(8)
    shuffled_mqs = [mqs[i] for i in (5, 0, 7, 2, 1, 6, 4, 3)]
    # "c10" sorts before "c2": client ids are compared as strings, as in Java
    assert ids(allocate_averagely("c2", shuffled_mqs, ["c2", "c10", "c1"])) == [6, 7]
    assert ids(allocate_averagely("c10", mqs, ["c1", "c10", "c2"])) == [3, 4, 5]


def test_queues_sort_by_topic_then_queue_id() -> None:
    mixed = queues(2, "b-topic") + queues(2, "a-topic")
    cids = clients(2)
    assert allocate_averagely("c0", mixed, cids) == queues(2, "a-topic")
    assert allocate_averagely("c1", mixed, cids) == queues(2, "b-topic")


def test_a_client_that_is_not_in_the_list_gets_nothing() -> None:
    assert allocate_averagely("stranger", queues(4), clients(2)) == []
    assert allocate_by_circle("stranger", queues(4), clients(2)) == []


def test_no_queues_means_nothing_to_allocate() -> None:
    assert allocate_averagely("c0", [], clients(2)) == []
    assert allocate_by_circle("c0", [], clients(2)) == []


def test_two_members_with_one_client_id_take_the_same_queues_and_leave_others_unowned() -> None:
    """P19 (apache/rocketmq #1589): the broker lists a client id once per channel, and
    ``indexOf`` finds both processes at the first place of that id."""
    twice = ["ip@app", "ip@app"]
    assert ids(allocate_averagely("ip@app", queues(4), twice)) == [0, 1]  # both processes: 2 and 3 nobody's
    assert ids(allocate_by_circle("ip@app", queues(4), twice)) == [0, 2]  # both processes: 1 and 3 nobody's
    three = ["a", "b", "b"]
    assert [ids(allocate_averagely(c, queues(6), three)) for c in ("a", "b")] == [[0, 1], [2, 3]]
    assert ids(allocate_averagely("b", queues(6), three)) == ids(java_averagely("b", queues(6), three))


# -- by circle: worked examples -------------------------------------------------------------------
def test_by_circle_deals_queues_round_robin() -> None:
    cids = clients(3)
    assert [ids(allocate_by_circle(c, queues(8), cids)) for c in cids] == [[0, 3, 6], [1, 4, 7], [2, 5]]
    cids = clients(6)
    assert [ids(allocate_by_circle(c, queues(4), cids)) for c in cids] == [[0], [1], [2], [3], [], []]


def test_the_strategies_are_registered_under_rocketmqs_names() -> None:
    assert {"AVG": allocate_averagely, "AVG_BY_CIRCLE": allocate_by_circle} == ALLOCATORS


# -- properties, against the Java transcription ---------------------------------------------------
@pytest.mark.parametrize("n_queues", range(1, 17))
@pytest.mark.parametrize("n_clients", range(1, 9))
def test_averagely_matches_java_on_small_groups(n_queues: int, n_clients: int) -> None:
    mqs, cids = queues(n_queues), clients(n_clients)
    for c in cids:
        assert allocate_averagely(c, mqs, cids) == java_averagely(c, sorted(mqs), sorted(cids))
        assert allocate_by_circle(c, mqs, cids) == java_by_circle(c, sorted(mqs), sorted(cids))


@given(n_queues=st.integers(1, 64), client_names=st.sets(st.text("abc0123-", min_size=1, max_size=6), min_size=1))
def test_every_queue_has_exactly_one_owner(n_queues: int, client_names: set[str]) -> None:
    mqs, cids = queues(n_queues), sorted(client_names)
    for allocate in (allocate_averagely, allocate_by_circle):
        shares = {c: allocate(c, mqs, list(client_names)) for c in cids}
        owned = [mq for share in shares.values() for mq in share]
        assert sorted(owned) == mqs  # every queue, none twice
        sizes = sorted(len(s) for s in shares.values())
        assert sizes[-1] - sizes[0] <= 1  # as even as it can be
    blocks = [ids(allocate_averagely(c, mqs, cids)) for c in cids]
    assert [q for block in blocks for q in block] == list(range(n_queues))  # contiguous, in client order
    extra = n_queues % len(cids) if n_queues > len(cids) else 0
    assert [len(b) for b in blocks[:extra]] == [n_queues // len(cids) + 1] * extra
