"""A broker name with a master and a slave: who serves what, and when the slave catches up.

Mirrors the rules of RocketMQ 5.x's master/slave mode (no controller, no slave acting
master), with their defaults; ``minimq.runtime.replication`` and ``minimq.runtime.route``
perform them, tests/test_failover.py runs them end to end and lesson 16 (broker-failover)
tells what they do to a coupon system (path P14).
Rules:
- **Roles.** A broker set is a master (``brokerId`` 0, ``brokerRole = ASYNC_MASTER``,
  ``MessageStoreConfig``) and a slave (``brokerId`` 1, ``SLAVE``) sharing one broker name.
  Producers write to the master only.
- **Replication** (``DefaultHAConnection.WriteSocketService``, async master): the master
  sends the slave what its commit log gained since the last transfer; with nothing to
  send, the service waits 100 ms (``allWaitForRunning(100)``), and nothing wakes it
  sooner in async mode, so a write reaches the slave at the service's next turn. The
  slave's HA client reconnects every 5 s (``DefaultHAClient``) once the master is gone.
  The tail the slave has not copied is lost if the master's disk is lost.
- **Which address a client uses** (``MQClientInstance.findBrokerAddressInSubscribe``): the
  address of the id asked for if the client's route has it; else, asking a slave id, the
  next id; else, unless ``onlyThisBroker``, any address of the broker name (the slave when
  the master has left the route).
- **A slave's pulls** (``PullMessageProcessor.rejectRequest``): a ``SLAVE`` refuses them
  with ``SYSTEM_BUSY`` unless ``slaveReadEnable`` (default **false** in 5.x; 4.9.8 always
  served them). A client pulling from a slave clears the commit flag, so the slave gets no
  piggybacked offset (``PullAPIWrapper.pullKernelImpl``); explicit offset updates reach it
  and are stored (``ConsumerManageProcessor.updateConsumerOffset`` has no role check).
- **The slave's sync** (``BrokerController``, ``SlaveSynchronize.syncAll``): 5.x checks every
  3 s, the first time 10 s after the slave starts, and syncs when more than 60 s have
  passed since the last sync (or the slave's start), whether or not the master answered:
  a sync every 63 s. 4.9.8 synced every 10 s, the first time 3 s after start. The sync
  asks the master it learnt from its last name-server registration (at start, then every
  30 s from 10 s, ``registerNameServerPeriod``; none while the master is out of the route)
  and overwrites its offset table with the master's (``syncConsumerOffset``: ``putAll``):
  an entry the master has wins, whatever the slave held.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from minimq.core.offsets import ConsumerOffsetTable

MASTER_ID = 0  # MixAll.MASTER_ID
SLAVE_ID = 1  # brokerId of the first slave (broker-a-s.properties in RocketMQ's samples)
SLAVE_READ_ENABLE = False  # BrokerConfig.slaveReadEnable (5.x default)
HA_TRANSFER_WAIT_MS = 100  # DefaultHAConnection.WriteSocketService: allWaitForRunning(100)
HA_RECONNECT_INTERVAL_MS = 5000  # DefaultHAClient.run: waitForRunning(1000 * 5) after a failed connect
REGISTER_FIRST_MS = 10_000  # BrokerController.start: scheduleAtFixedRate(registerBrokerAll, 1000 * 10, ...)
REGISTER_NAME_SERVER_PERIOD_MS = 30_000  # BrokerConfig.registerNameServerPeriod
POLL_NAME_SERVER_FIRST_MS = 10  # MQClientInstance.startScheduledTask: updateTopicRouteInfoFromNameServer, 10 ms
POLL_NAME_SERVER_INTERVAL_MS = 30_000  # ClientConfig.pollNameServerInterval


class BrokerRole(enum.StrEnum):
    """``MessageStoreConfig.brokerRole`` (``SYNC_MASTER`` is not modelled)."""

    ASYNC_MASTER = "ASYNC_MASTER"
    SLAVE = "SLAVE"


@dataclass(frozen=True, slots=True)
class SyncTiming:
    """When a slave looks at syncing, and how long it waits between syncs."""

    first_ms: int  # the first check, after the slave starts
    check_ms: int  # between checks
    after_ms: int  # a check syncs when more than this has passed since the last sync (0: always)


SYNC_5X = SyncTiming(first_ms=10_000, check_ms=3000, after_ms=60_000)  # BrokerController (5.x)
SYNC_4X = SyncTiming(first_ms=3000, check_ms=10_000, after_ms=0)  # handleSlaveSynchronize (4.9.8)
SYNC_TIMINGS = {"5.x": SYNC_5X, "4.9.8": SYNC_4X}


def sync_due(timing: SyncTiming, now_ms: int, last_ms: int) -> bool:
    """Whether a check at ``now_ms`` syncs, the last sync (or the start) at ``last_ms``."""
    return timing.after_ms == 0 or now_ms - last_ms > timing.after_ms


def next_transfer_ms(now_ms: int, started_ms: int) -> int:
    """When the master's HA write service next wakes (every 100 ms from ``started_ms``,
    strictly after ``now_ms``) and sends what was written since its last turn."""
    turns = (now_ms - started_ms) // HA_TRANSFER_WAIT_MS + 1
    return started_ms + turns * HA_TRANSFER_WAIT_MS


def reconnect_ms(lost_ms: int, back_ms: int) -> int:
    """When the slave's HA client, which lost the master at ``lost_ms`` and tries again
    every 5 s, first finds it back (it is back from ``back_ms``)."""
    tries = max(1, -(-(back_ms - lost_ms) // HA_RECONNECT_INTERVAL_MS))
    return lost_ms + tries * HA_RECONNECT_INTERVAL_MS


@dataclass(frozen=True, slots=True)
class Found:
    """``FindBrokerResult``: the address to use, and whether it is a slave's."""

    address: str
    slave: bool


def find_broker_address_in_subscribe(addresses: Mapping[int, str], broker_id: int, only_this: bool) -> Found | None:
    """``MQClientInstance.findBrokerAddressInSubscribe`` over a client's route of one broker
    name (``brokerId -> address``, in id order)."""
    address = addresses.get(broker_id)
    slave = broker_id != MASTER_ID
    if address is None and slave:
        address = addresses.get(broker_id + 1)
    if address is None and not only_this and addresses:
        first = min(addresses)  # the first entry of Java's HashMap of small Long keys
        address, slave = addresses[first], first != MASTER_ID
    return Found(address, slave) if address is not None else None


def reject_pull(role: BrokerRole, slave_read_enable: bool) -> bool:
    """``PullMessageProcessor.rejectRequest``: a slave without ``slaveReadEnable`` answers
    every pull ``SYSTEM_BUSY``."""
    return role is BrokerRole.SLAVE and not slave_read_enable


def put_all(
    table: ConsumerOffsetTable, master: Mapping[tuple[str, str, int], int]
) -> list[tuple[tuple[str, str, int], int, int | None]]:
    """``syncConsumerOffset``: ``putAll`` of the master's offsets into the slave's
    ``table``. Returns ``(key, offset, previous)`` for each entry it changed (previous
    None: the slave had none), in key order; an entry only the slave has is kept."""
    changed: list[tuple[tuple[str, str, int], int, int | None]] = []
    for key in sorted(master):
        group, topic, queue_id = key
        previous = table.query(group, topic, queue_id)
        if previous != master[key]:
            table.commit(group, topic, queue_id, master[key])
            changed.append((key, master[key], previous))
    return changed
