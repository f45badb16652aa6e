"""Consumer groups on the broker: who belongs to each group, and who holds which queue lock.

Mirrors RocketMQ's ``ConsumerManager`` and ``ConsumerGroupInfo`` (with
``ClientHousekeepingService``) and ``RebalanceLockManager`` (broker, 5.3.x);
tests/test_consumer_modes.py runs them end to end (no lesson shows them yet).
Membership rules (``ConsumerManager``, ``ConsumerGroupInfo``):
- A group's members are its channels: one registration per connection, each with the
  client id its heartbeat carried (``channelInfoTable``, keyed by channel). Two processes
  with one client id are two members with the same id, and the group's client ids list
  that id twice (``getAllClientId``): path P19.
- A heartbeat through a channel new to the group makes the broker tell **every** channel
  of the group to rebalance, the new one included (``NOTIFY_CONSUMER_IDS_CHANGED``,
  oneway); a later heartbeat through a known channel tells nobody. An unregistration
  (``UNREGISTER_CLIENT``) tells every channel left, whether or not it removed anything; a
  channel that closes removes only the registration made through it and tells the
  channels left if it removed one (``doChannelCloseEvent``): a restarted process that
  already registered again with the same client id stays. A channel that expired (no
  heartbeat for 120 s, ``scanNotActiveChannel``) is removed and nobody is told.
- A broadcasting group is never told (5.3.1 and later, ISSUE #8483): its members take
  every queue whatever the others do. 4.9.x to 5.3.0 tell it too.
- The group's client ids are handed out sorted, duplicates kept, so every member
  allocates alike; the channels to notify are told in client-id order, then in order of
  registration.
- A group is known from its first registration on, even with no member left
  (``autoCreateSubscriptionGroup=true``), and after a broker restart, which drops every
  registration (``drop_all_channels``); an administrative reset needs a known group. A
  POP request makes its group known too, without a member (``PopMessageProcessor`` looks
  the group up with ``findSubscriptionGroupConfig``, which creates it).
Lock rules (``RebalanceLockManager.tryLockBatch``, ``unlockBatch``):
- An orderly lock on a queue is granted when the queue is free, already the client's, or
  its holder's lock is older than 60 s (``REBALANCE_LOCK_MAX_LIVE_TIME``); a renewal
  restarts the 60 s. ``QueueLocked`` is told when the queue changes hands, not on renewal.
  Locks are held by client id, so two processes with one id hold each other's locks.
- Only the holder can unlock a queue (``QueueUnlocked``); anyone else's unlock is ignored.
- A group whose locks have all expired (``isLockAllExpired``) holds none; the broker
  dead-letters a message sent to the retry topic of a group that holds one.

Both are plain state machines: the time comes in as ``now_ms``, and what the broker
must do (notify these channels, record these events) comes back. A channel is whatever
the runtime registers a member through (hashable); the rules only compare it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

from minimq.events import QueueLocked, QueueUnlocked
from minimq.model import MessageQueue
from minimq.records import record

REBALANCE_LOCK_MAX_LIVE_MS = 60_000

C = TypeVar("C", bound=Hashable)


class ConsumerManager(Generic[C]):
    """Members of each consumer group: channel ``C`` -> the client id it registered with."""

    def __init__(self) -> None:
        self._members: dict[str, dict[C, str]] = {}  # in order of registration
        self._clustering: dict[str, bool] = {}  # the message model of the last heartbeat

    def register(self, group: str, client: str, channel: C, *, clustering: bool = True) -> list[C]:
        """A heartbeat (``registerConsumer``): add ``channel`` or refresh it; return the
        channels to notify: all of the group's, ``channel`` included, if it is new to the
        group and the group is clustering; else none."""
        members = self._members.setdefault(group, {})
        self._clustering[group] = clustering
        is_new = channel not in members
        members[channel] = client  # updateChannel: a known channel keeps its place
        return self._channels(group) if is_new else []

    def create_group(self, group: str) -> None:
        """``SubscriptionGroupManager.findSubscriptionGroupConfig`` with
        ``autoCreateSubscriptionGroup``: ``group`` is known from now on, with no member."""
        self._members.setdefault(group, {})

    def unregister(self, group: str, channel: C) -> list[C]:
        """``UNREGISTER_CLIENT`` (``unregisterConsumer``): remove the registration made
        through ``channel``; return every channel left to notify, even if ``channel`` was
        not registered, as long as the group has members (none in broadcasting)."""
        members = self._members.get(group)
        if not members:
            return []
        members.pop(channel, None)
        return self._channels(group)

    def close_channel(self, group: str, channel: C) -> list[C]:
        """The connection closed (``doChannelCloseEvent``): remove the registration made
        through it; return the channels left to notify if one was removed."""
        members = self._members.get(group, {})
        if members.pop(channel, None) is None:
            return []
        return self._channels(group)

    def expire_channel(self, group: str, channel: C) -> None:
        """No heartbeat for ``channelExpiredTimeout`` (``scanNotActiveChannel``): the
        registration is removed, and nobody is told."""
        self._members.get(group, {}).pop(channel, None)

    def client_of(self, group: str, channel: C) -> str | None:
        """The client id ``channel`` registered with in ``group``, or None."""
        return self._members.get(group, {}).get(channel)

    def consumer_ids(self, group: str) -> list[str]:
        """``GET_CONSUMER_LIST_BY_GROUP``: one client id per channel, sorted (a client id
        that two channels registered with is listed twice)."""
        return sorted(self._members.get(group, {}).values())

    def has_members(self, group: str) -> bool:
        """Whether ``group`` has a member now (``getConsumerGroupInfo`` is not null)."""
        return bool(self._members.get(group))

    def drop_all_channels(self) -> None:
        """The broker process died: every connection, and so every registration, is gone.
        The groups stay known: their subscriptions are on disk (``subscriptionGroup.json``)."""
        for members in self._members.values():
            members.clear()

    def known_groups(self) -> list[str]:
        """Every group that ever registered (``SubscriptionGroupManager``: a group's
        subscription is created at its first registration and outlives its members)."""
        return sorted(self._members)

    def _channels(self, group: str) -> list[C]:
        if not self._clustering.get(group, True):
            return []
        by_client = sorted(self._members[group].items(), key=lambda member: member[1])  # stable: ties keep their order
        return [channel for channel, _ in by_client]


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
