"""When a push consumer rebalances, registers and starts pulling a gained queue.

Mirrors the timing rules of RocketMQ 5.3.x's remoting client: ``RebalanceService``
(``…/client/impl/consumer/RebalanceService.java``), ``MQClientInstance.startScheduledTask``
and ``RebalanceImpl.updateProcessQueueTableInRebalance`` (client). The runtime performs them
(``minimq.runtime.rebalance``, ``minimq.runtime.heartbeat``); tests/test_rebalance.py shows
them end to end.
Rules:
- The rebalance service waits 20 s (``waitInterval``), or until it is woken (a broker
  notification, the consumer's start, a pull answered ``PULL_OFFSET_MOVED``). It then
  rebalances, unless the last rebalance, or the service's creation, was less than 1 s ago
  (``minInterval``): then it waits for the rest of that second. So a new client's first
  rebalance comes 1 s after it starts, and a client rebalances at most once a second.
- After a round that was not balanced (a queue it was allocated is not among the queues
  it works on: an orderly lock refused, an offset query failed) it waits 1 s, not 20 s.
- A queue gained is first pulled 500 ms after the rebalance that gained it
  (``dispatchPullRequest(pullRequestList, 500)``).
- The client sends a heartbeat to the broker when it starts, before it wakes the
  rebalance service, then 1 s after it started and every 30 s after that, at a fixed
  rate (``heartbeatBrokerInterval``). The heartbeat is what makes it a member of its
  group.

Version notes: 4.9.x and 5.0.0 to 5.1.4 rebalance at once when woken, and 20 s after
every round whether balanced or not (``minInterval`` and the 1 s retry came with ISSUE
#7644 in 5.2.0); 4.9.x pulls a gained queue at once (the 500 ms came with 5.0.0).
"""

from __future__ import annotations

REBALANCE_WAIT_INTERVAL_MS = 20_000  # rocketmq.client.rebalance.waitInterval
REBALANCE_MIN_INTERVAL_MS = 1000  # rocketmq.client.rebalance.minInterval (5.2.0+)
PULL_DELAY_AFTER_REBALANCE_MS = 500  # RebalanceImpl: dispatchPullRequest(…, 500) (5.0.0+)
HEARTBEAT_INITIAL_DELAY_MS = 1000  # MQClientInstance.startScheduledTask
HEARTBEAT_BROKER_INTERVAL_MS = 30_000  # ClientConfig.heartbeatBrokerInterval


def too_soon_ms(now_ms: int, last_ms: int) -> int:
    """How long the woken rebalance service must still wait before it may rebalance: 0
    when the last rebalance (or the service's creation) is at least 1 s old."""
    return max(0, REBALANCE_MIN_INTERVAL_MS - (now_ms - last_ms))


def wait_after_round_ms(balanced: bool) -> int:
    """How long the service waits after a round: 20 s, or 1 s when it was not balanced."""
    return REBALANCE_WAIT_INTERVAL_MS if balanced else REBALANCE_MIN_INTERVAL_MS


def heartbeat_due_ms(started_ms: int, beats_sent: int) -> int:
    """When the ``beats_sent``-th scheduled heartbeat is due (0 is the one 1 s after the
    start; the start's own heartbeat is not scheduled)."""
    return started_ms + HEARTBEAT_INITIAL_DELAY_MS + beats_sent * HEARTBEAT_BROKER_INTERVAL_MS
