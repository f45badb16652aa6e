"""The client-side cache of one message queue, and the offset it lets a consumer commit.

Mirrors RocketMQ ``ProcessQueue`` (client), shown in lessons 3 and 4.
Rules:
- Pulled messages wait here, keyed by queue offset, until their listener finishes.
- When a concurrent consumer finishes messages, the offset it may commit is the
  **smallest offset still cached or in flight** (``removeMessage`` returns
  ``msgTreeMap.firstKey()``), or ``queueOffsetMax + 1`` when nothing is left. So one slow
  message at offset k holds the committed offset at k however many messages after it
  succeed; after a crash, restart or rebalance, all of them are delivered again.
- Pulling pauses while more than 1000 messages are cached (``pullThresholdForQueue``) or
  the span between the first and last cached offset exceeds 2000
  (``consumeConcurrentlyMaxSpan``, concurrent only; a consumer may set 1..65535). The
  span is ``msgTreeMap.lastKey() - firstKey()``: finished messages have left the tree, so
  one stuck message with a fast tail leaves a span of 0 once the tail is done, and the
  queue moves on however far it runs ahead of it (apache/rocketmq #1404; lesson 4).
- A queue taken away by a rebalance is marked ``dropped``: results of listeners still
  running for it are discarded.
- Orderly consumption takes messages out in order (``takeMessages``), commits them all at
  once (``commit`` returns last + 1), or puts them back for a local retry.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

from minimq.model import MessageExt

PULL_THRESHOLD_FOR_QUEUE = 1000
CONSUME_CONCURRENTLY_MAX_SPAN = 2000
FlowControl = Literal["count", "span"]  # which rule held a pull back


class ProcessQueue:
    """Messages of one queue between pull and the end of their consumption."""

    __slots__ = ("_consuming", "_tree", "dropped", "last_lock_ms", "locked", "queue_offset_max", "start_ms")

    def __init__(self) -> None:
        self._tree: OrderedDict[int, MessageExt] = OrderedDict()
        self._consuming: OrderedDict[int, MessageExt] = OrderedDict()
        self.queue_offset_max = -1
        self.dropped = False
        self.locked = False
        self.last_lock_ms = 0
        self.start_ms: dict[int, int] = {}

    # -- concurrent ------------------------------------------------------------------
    def put(self, msgs: list[MessageExt]) -> None:
        """Cache a pulled batch (offsets ascending, all above what is cached)."""
        tree = self._tree
        for msg in msgs:
            tree[msg.queue_offset] = msg
        if msgs:
            self.queue_offset_max = max(self.queue_offset_max, msgs[-1].queue_offset)

    def remove(self, msgs: list[MessageExt]) -> int:
        """Forget finished messages; return the offset that may now be committed, or -1."""
        tree = self._tree
        if not tree:
            return -1
        for msg in msgs:
            tree.pop(msg.queue_offset, None)
            self.start_ms.pop(msg.queue_offset, None)
        if tree:
            return next(iter(tree))
        return self.queue_offset_max + 1

    def contains(self, msg: MessageExt) -> bool:
        """Is this offset still cached (not yet removed by a timeout scan)?"""
        return msg.queue_offset in self._tree

    def replace(self, msg: MessageExt) -> None:
        """Swap in an updated copy (``reconsume_times`` + 1) kept for a local retry."""
        if msg.queue_offset in self._tree:
            self._tree[msg.queue_offset] = msg

    def first(self) -> MessageExt | None:
        """The lowest-offset cached message (what ``cleanExpiredMsg`` looks at)."""
        return next(iter(self._tree.values()), None)

    def mark_started(self, msg: MessageExt, now_ms: int) -> None:
        """Record ``CONSUME_START_TIME`` for the consume-timeout scan."""
        self.start_ms[msg.queue_offset] = now_ms

    @property
    def count(self) -> int:
        return len(self._tree) + len(self._consuming)

    @property
    def span(self) -> int:
        """Last minus first *cached* offset (``getMaxSpan``): shrinks when the tail finishes."""
        if not self._tree:
            return 0
        return next(reversed(self._tree)) - next(iter(self._tree))

    def flow_control(self, orderly: bool = False, max_span: int = CONSUME_CONCURRENTLY_MAX_SPAN) -> FlowControl | None:
        """Why the next pull must wait, in ``pullMessage``'s order: ``"count"``, more than
        ``pullThresholdForQueue`` messages cached; ``"span"``, concurrent only, the span
        above ``max_span`` (``consumeConcurrentlyMaxSpan``). None: pull."""
        if self.count > PULL_THRESHOLD_FOR_QUEUE:
            return "count"
        if not orderly and self.span > max_span:
            return "span"
        return None

    def needs_flow_control(self, orderly: bool = False, max_span: int = CONSUME_CONCURRENTLY_MAX_SPAN) -> bool:
        """Pause pulling? The span rule applies to concurrent consumption only."""
        return self.flow_control(orderly, max_span) is not None

    def in_flight_offsets(self) -> list[int]:
        return sorted([*self._tree, *self._consuming])

    def in_flight_count(self) -> int:
        """Messages cached or being consumed."""
        return len(self._tree) + len(self._consuming)

    # -- orderly ---------------------------------------------------------------------
    def take(self, batch_size: int) -> list[MessageExt]:
        """Move up to ``batch_size`` messages, lowest first, into the consuming set."""
        taken: list[MessageExt] = []
        while self._tree and len(taken) < batch_size:
            offset, msg = self._tree.popitem(last=False)
            self._consuming[offset] = msg
            taken.append(msg)
        return taken

    def commit(self) -> int:
        """Forget the consuming set; return its last offset + 1, or -1 if it was empty."""
        if not self._consuming:
            return -1
        last = next(reversed(self._consuming))
        for offset in self._consuming:
            self.start_ms.pop(offset, None)
        self._consuming.clear()
        return last + 1

    def put_back(self, msgs: list[MessageExt]) -> None:
        """Return taken messages to the front, for a local retry (in order)."""
        for msg in reversed(msgs):
            self._consuming.pop(msg.queue_offset, None)
            self._tree[msg.queue_offset] = msg
            self._tree.move_to_end(msg.queue_offset, last=False)

    def clear(self) -> None:
        self._tree.clear()
        self._consuming.clear()
        self.start_ms.clear()
