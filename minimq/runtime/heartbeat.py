"""The consumer's heartbeats: how it joins its group on the broker, and stays in it.

Owns: ``Heartbeats``, one per consumer session. Mirrors RocketMQ 5.3.x's
``MQClientInstance.sendHeartbeatToAllBrokerWithLock`` and its scheduled task, and the end
of ``DefaultMQPushConsumerImpl.start`` (client); the broker's side is
``Broker.register`` (``ClientManageProcessor.heartBeat``, ``ConsumerManager``).
Rules (timing in ``minimq.core.rebalance``):
- A heartbeat is a request to the broker, ``HEART_BEAT``, that takes a round trip and
  registers the consumer's channel in its group; a channel new to the group makes the
  broker tell every member to rebalance. The reply is waited for, 3 s at most
  (``mqClientApiTimeout``).
- At start, the consumer sends one heartbeat, waits for its reply, then wakes its
  rebalance service (``rebalanceImmediately``). Java's ``start()`` returns only after that
  heartbeat; minimq's returns at once and the heartbeat leaves in the same millisecond,
  when the loop runs, so a shutdown or a crash in the very millisecond of the start
  comes before it and the process never registers. Scheduled heartbeats follow 1 s after the
  start and every 30 s after that (``heartbeatBrokerInterval``), at a fixed rate.
- A heartbeat that fails (the broker is unreachable) is only logged, and the consumer
  wakes its rebalance service all the same: ``sendHeartbeatToAllBroker`` answers true as
  long as it knows a broker address. Until a later heartbeat gets through, the broker does
  not list the consumer, so its rebalances allocate it nothing
  (``AbstractAllocateMessageQueueStrategy.check``: not in the client id list); the next
  heartbeat that arrives makes it a member, and the broker's notification makes every
  member, this one too, rebalance.
- With a slave (``World.add_slave``) a heartbeat goes to every broker of the process's
  route, master and slave, one after the other: both list the consumer.
- A request that reaches a restarted broker opens a new connection, and a 5.2.0+ client
  then sends a heartbeat through it and, once it is answered, rebalances at once
  (``onChannelActive``: ``sendHeartbeatToBroker``, then ``rebalanceImmediately``). Until
  then the broker knows no member of the group and refuses its pulls.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from minimq.core.rebalance import heartbeat_due_ms
from minimq.errors import RemotingError

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.runtime.consumer_session import ConsumerSession

HEARTBEAT_TIMEOUT_MS = 3000  # ClientConfig.mqClientApiTimeout


class Heartbeats:
    """The heartbeats of one consumer session."""

    def __init__(self, session: ConsumerSession) -> None:
        self.s = session

    async def send(self) -> None:
        """``sendHeartbeatToAllBroker``: one heartbeat to each broker of the route (the
        master, and its slave when it has one), one after the other."""
        for address in self.s.route.addresses():
            await self.send_to(address)

    async def send_to(self, address: str) -> bool:
        """One ``HEART_BEAT`` to ``address`` through this session's channel; False if it failed."""
        s = self.s
        channel = s.channel  # the connection the broker notifies it through

        def register(broker: Broker) -> None:
            s.connected(broker)
            broker.register(s.group, s.client_id, s.clustering, channel, s.client)

        try:
            await s.world.network.call(address, register, what="heart beat", timeout_ms=HEARTBEAT_TIMEOUT_MS)
        except RemotingError:
            return False
        return True

    async def channel_active(self, address: str) -> None:
        """``onChannelActive``: a heartbeat on the new connection, then a rebalance."""
        if await self.send_to(address):
            self.s.rebalancer.wake()

    async def loop(self) -> None:
        """The start's heartbeat and ``rebalanceImmediately``, then the scheduled ones."""
        s = self.s
        started_ms = s.world.now_ms
        await self.send()
        s.rebalancer.wake()
        beats = 0
        while True:
            await asyncio.sleep((heartbeat_due_ms(started_ms, beats) - s.world.now_ms) / 1000)
            await self.send()
            beats += 1
