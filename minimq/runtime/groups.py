"""Consumer groups on the broker: who belongs to each group, and who holds which queue lock.

Owns: ``ConsumerManager`` and ``LockManager``. Mirrors RocketMQ's ``ConsumerManager``
(with ``ClientHousekeepingService``) and ``RebalanceLockManager`` (broker), shown in the
rebalance lesson. Rules:
- A registration (the consumer's heartbeat) or an unregistration makes the broker tell
  every other member of the group to rebalance (``NOTIFY_CONSUMER_IDS_CHANGED``, oneway).
- A channel that closes removes only the registration made through it
  (``doChannelCloseEvent``): a restarted process that already registered again with the
  same client id stays.
- The group's client ids are handed out sorted, so every member allocates alike.
- A group is known from its first registration on, even with no member left
  (``autoCreateSubscriptionGroup=true``); an administrative reset needs a known group.
- An orderly lock on a queue is granted when the queue is free, already the client's,
  or its holder's lock is older than 60 s (``REBALANCE_LOCK_MAX_LIVE_TIME``); a renewal
  restarts the 60 s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from minimq.events import QueueLocked, QueueUnlocked
from minimq.model import MessageQueue

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation

REBALANCE_LOCK_MAX_LIVE_MS = 60_000


class ConsumerManager:
    """Members of each consumer group, each with the channel it registered through."""

    def __init__(self, world: Simulation) -> None:
        self._world = world
        self._members: dict[str, dict[str, Callable[[], None]]] = {}

    def register(self, group: str, client: str, notify: Callable[[], None]) -> None:
        members = self._members.setdefault(group, {})
        is_new = client not in members
        members[client] = notify
        if is_new:
            self._notify(group, except_client=client)

    def unregister(self, group: str, client: str, notify: Callable[[], None] | None = None) -> None:
        """Remove a member; with ``notify``, only the registration made through that channel."""
        members = self._members.get(group, {})
        current = members.get(client)
        if current is None or (notify is not None and current != notify):
            return
        del members[client]
        self._notify(group, except_client=None)

    def consumer_ids(self, group: str) -> list[str]:
        return sorted(self._members.get(group, {}))

    def known_groups(self) -> list[str]:
        """Every group that ever registered (``SubscriptionGroupManager``: a group's
        subscription is created at its first registration and outlives its members)."""
        return sorted(self._members)

    def _notify(self, group: str, except_client: str | None) -> None:
        for client, notify in sorted(self._members.get(group, {}).items()):
            if client != except_client:
                self._world.network.push(notify, what="notify consumer ids changed")


class LockManager:
    """Orderly locks: (group, queue) -> (client, time of the last lock or renewal)."""

    def __init__(self, world: Simulation) -> None:
        self._world = world
        self._locks: dict[tuple[str, MessageQueue], tuple[str, int]] = {}

    def lock(self, group: str, client: str, mqs: list[MessageQueue]) -> set[MessageQueue]:
        """``LOCK_BATCH_MQ``: lock (or renew) each queue that is free, expired or ours."""
        now = self._world.now_ms
        granted: set[MessageQueue] = set()
        for mq in mqs:
            holder = self._locks.get((group, mq))
            if holder is None or holder[0] == client or now - holder[1] > REBALANCE_LOCK_MAX_LIVE_MS:
                if holder is None or holder[0] != client:
                    self._world.emit(
                        QueueLocked(at_ms=now, group=group, client=client, topic=mq.topic, queue_id=mq.queue_id)
                    )
                self._locks[(group, mq)] = (client, now)
                granted.add(mq)
        return granted

    def unlock(self, group: str, client: str, mqs: list[MessageQueue]) -> None:
        for mq in mqs:
            holder = self._locks.get((group, mq))
            if holder is not None and holder[0] == client:
                del self._locks[(group, mq)]
                self._world.emit(
                    QueueUnlocked(
                        at_ms=self._world.now_ms, group=group, client=client, topic=mq.topic, queue_id=mq.queue_id
                    )
                )
