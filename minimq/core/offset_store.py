"""The consumer's own table of offsets, before and after they reach the broker.

Mirrors RocketMQ ``RemoteBrokerOffsetStore`` (clustering) and ``LocalFileOffsetStore``
(broadcasting), client side, shown in lesson 3.
Rules:
- ``update(mq, offset, increase_only=True)`` is what a finished concurrent listener
  does: the local offset only moves forward. Orderly commits may also move it back.
- The local table reaches the broker (or, broadcasting, the local file) only when it is
  *persisted*: every 5 s (first after 10 s), on every pull (clustering), when a queue is
  removed by a rebalance, and at graceful shutdown. A crash persists nothing.
- Broadcasting keeps offsets in a file on the consumer's host: it survives restarts of
  the process but holds only what was last written.
"""

from __future__ import annotations

from minimq.model import MessageQueue

PERSIST_INTERVAL_MS = 5000  # ClientConfig.persistConsumerOffsetInterval
PERSIST_INITIAL_DELAY_MS = 10_000  # MQClientInstance.startScheduledTask


class OffsetStore:
    """In-memory consume offsets of one consumer (``READ_FROM_MEMORY``)."""

    def __init__(self) -> None:
        self._table: dict[MessageQueue, int] = {}

    def update(self, mq: MessageQueue, offset: int, increase_only: bool = True) -> bool:
        """Move the local offset; return True if it changed."""
        old = self._table.get(mq)
        if old is not None and (old == offset or (increase_only and offset < old)):
            return False
        self._table[mq] = offset
        return True

    def read(self, mq: MessageQueue) -> int | None:
        return self._table.get(mq)

    def remove(self, mq: MessageQueue) -> None:
        self._table.pop(mq, None)

    def items(self, only: set[MessageQueue] | None = None) -> list[tuple[MessageQueue, int]]:
        """Offsets to persist, sorted for a deterministic order."""
        return sorted((mq, off) for mq, off in self._table.items() if only is None or mq in only)

    def clear(self) -> None:
        self._table.clear()
