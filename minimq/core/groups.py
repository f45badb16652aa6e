"""Consumer groups on the broker: who belongs to each group, and who holds which queue lock.

Mirrors RocketMQ's ``ConsumerManager`` (with ``ClientHousekeepingService``) and
``RebalanceLockManager`` (broker); tests/test_consumer_modes.py runs them end to end (no
lesson shows them yet).
Membership rules (``ConsumerManager``):
- A registration (the consumer's heartbeat) by a new member makes the broker tell every
  other member of the group to rebalance (``NOTIFY_CONSUMER_IDS_CHANGED``, oneway); an
  unregistration tells every member left.
- A channel that closes removes only the registration made through it
  (``doChannelCloseEvent``): a restarted process that already registered again with the
  same client id stays.
- The group's client ids are handed out sorted, so every member allocates alike; the
  members to notify are told in client-id order.
- A group is known from its first registration on, even with no member left
  (``autoCreateSubscriptionGroup=true``); an administrative reset needs a known group.
Lock rules (``RebalanceLockManager.tryLockBatch``, ``unlockBatch``):
- An orderly lock on a queue is granted when the queue is free, already the client's, or
  its holder's lock is older than 60 s (``REBALANCE_LOCK_MAX_LIVE_TIME``); a renewal
  restarts the 60 s. ``QueueLocked`` is told when the queue changes hands, not on renewal.
- Only the holder can unlock a queue (``QueueUnlocked``); anyone else's unlock is ignored.
- A group whose locks have all expired (``isLockAllExpired``) holds none; the broker
  dead-letters a message sent to the retry topic of a group that holds one.

Both are plain state machines: the time comes in as ``now_ms``, and what the broker
must do (notify these channels, record these events) comes back. A channel is whatever
the runtime registers a member through; the rules only compare it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from minimq.events import QueueLocked, QueueUnlocked
from minimq.model import MessageQueue
from minimq.records import record

REBALANCE_LOCK_MAX_LIVE_MS = 60_000

C = TypeVar("C")


class ConsumerManager(Generic[C]):
    """Members of each consumer group, each with the channel ``C`` it registered through."""

    def __init__(self) -> None:
        self._members: dict[str, dict[str, C]] = {}

    def register(self, group: str, client: str, channel: C) -> list[C]:
        """Add (or refresh) a member; return the channels to notify: the other members',
        if ``client`` is new to the group, else none."""
        members = self._members.setdefault(group, {})
        is_new = client not in members
        members[client] = channel
        return self._channels(group, except_client=client) if is_new else []

    def unregister(self, group: str, client: str, channel: C | None = None) -> list[C]:
        """Remove a member (with ``channel``: only the registration made through it);
        return the channels of the members left to notify, or none if nothing changed."""
        members = self._members.get(group, {})
        current = members.get(client)
        if current is None or (channel is not None and current != channel):
            return []
        del members[client]
        return self._channels(group, except_client=None)

    def consumer_ids(self, group: str) -> list[str]:
        return sorted(self._members.get(group, {}))

    def known_groups(self) -> list[str]:
        """Every group that ever registered (``SubscriptionGroupManager``: a group's
        subscription is created at its first registration and outlives its members)."""
        return sorted(self._members)

    def _channels(self, group: str, except_client: str | None) -> list[C]:
        return [channel for client, channel in sorted(self._members[group].items()) if client != except_client]


@record
class Locked:
    """What ``LOCK_BATCH_MQ`` answers (``granted``) and the hands that changed (``events``)."""

    granted: frozenset[MessageQueue]
    events: tuple[QueueLocked, ...]


class RebalanceLockManager:
    """Orderly locks: (group, queue) -> (client, time of the last lock or renewal)."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, MessageQueue], tuple[str, int]] = {}

    def lock(self, group: str, client: str, mqs: Iterable[MessageQueue], now_ms: int) -> Locked:
        """``tryLockBatch``: lock (or renew) each queue that is free, expired or ours."""
        granted: list[MessageQueue] = []
        events: list[QueueLocked] = []
        for mq in mqs:
            holder = self._locks.get((group, mq))
            if holder is None or holder[0] == client or now_ms - holder[1] > REBALANCE_LOCK_MAX_LIVE_MS:
                if holder is None or holder[0] != client:
                    events.append(
                        QueueLocked(at_ms=now_ms, group=group, client=client, topic=mq.topic, queue_id=mq.queue_id)
                    )
                self._locks[(group, mq)] = (client, now_ms)
                granted.append(mq)
        return Locked(granted=frozenset(granted), events=tuple(events))

    def unlock(self, group: str, client: str, mqs: Iterable[MessageQueue], now_ms: int) -> list[QueueUnlocked]:
        """``unlockBatch``: release each queue ``client`` holds; the others stay as they are."""
        events: list[QueueUnlocked] = []
        for mq in mqs:
            holder = self._locks.get((group, mq))
            if holder is not None and holder[0] == client:
                del self._locks[(group, mq)]
                events.append(
                    QueueUnlocked(at_ms=now_ms, group=group, client=client, topic=mq.topic, queue_id=mq.queue_id)
                )
        return events

    def holder(self, group: str, mq: MessageQueue) -> str | None:
        """The client that last locked ``mq`` for ``group`` (expired or not), or None."""
        held = self._locks.get((group, mq))
        return held[0] if held is not None else None

    def all_expired(self, group: str, now_ms: int) -> bool:
        """``isLockAllExpired``: no queue of ``group`` holds a lock younger than 60 s."""
        return all(
            now_ms - since > REBALANCE_LOCK_MAX_LIVE_MS for (g, _), (_, since) in self._locks.items() if g == group
        )
