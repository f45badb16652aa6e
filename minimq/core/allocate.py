"""How the queues of a topic are shared among the consumers of a group.

Mirrors RocketMQ ``AllocateMessageQueueAveragely`` (the default, "AVG") and
``AllocateMessageQueueAveragelyByCircle`` (client, ``consumer/rebalance``); ``minimq check``'s
``rebalance`` path shows what a new member does to a design. Rules:
- Every client computes the allocation on its own, with no coordination, from the same
  sorted list of queues and sorted list of client ids.
- Averagely: contiguous blocks; the first ``len(queues) % len(clients)`` clients get one
  extra queue; with more clients than queues the last ones get none.
- By circle: queue i goes to client ``i % len(clients)``.
- A client finds its place at the **first** index of its id (``indexOf``). The broker
  lists an id once per channel, so two processes with one client id both take the share
  of the first, and the share of the second goes to nobody (path P19).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from minimq.model import MessageQueue

Allocator = Callable[[str, Sequence[MessageQueue], Sequence[str]], list[MessageQueue]]


def allocate_averagely(current: str, mq_all: Sequence[MessageQueue], cid_all: Sequence[str]) -> list[MessageQueue]:
    """The queues ``current`` should own (``AllocateMessageQueueAveragely.allocate``)."""
    mqs = sorted(mq_all)
    cids = sorted(cid_all)
    if current not in cids or not mqs:
        return []
    index = cids.index(current)
    mod = len(mqs) % len(cids)
    if len(mqs) <= len(cids):
        size = 1
    elif mod > 0 and index < mod:
        size = len(mqs) // len(cids) + 1
    else:
        size = len(mqs) // len(cids)
    start = index * size if mod > 0 and index < mod else index * size + mod
    take = min(size, len(mqs) - start)
    return [mqs[(start + i) % len(mqs)] for i in range(max(take, 0))]


def allocate_by_circle(current: str, mq_all: Sequence[MessageQueue], cid_all: Sequence[str]) -> list[MessageQueue]:
    """``AllocateMessageQueueAveragelyByCircle.allocate``."""
    mqs = sorted(mq_all)
    cids = sorted(cid_all)
    if current not in cids:
        return []
    index = cids.index(current)
    return [mq for i, mq in enumerate(mqs) if i % len(cids) == index]


ALLOCATORS: dict[str, Allocator] = {"AVG": allocate_averagely, "AVG_BY_CIRCLE": allocate_by_circle}
