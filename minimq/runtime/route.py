"""The name server's route of a broker name, and each client process's copy of it.

Owns: ``NameServer`` (RocketMQ's ``RouteInfoManager``: which brokers of each broker name
are live, by id) and ``ClientRoute`` (``MQClientInstance.brokerAddrTable`` of one client
process: its copy of the route and the address lookups made from it). They matter once a
broker name has a slave (``World.add_slave``, path P14, lesson 16); a world without one
has no name server, and every client reaches the one broker by its name, as before.
Rules:
- A broker registers with the name server when it starts (``registerBrokerAll``); a
  broker that dies leaves the route as soon as its connection to the name server closes
  (``BrokerHousekeepingService.onChannelClose`` → ``RouteInfoManager.onChannelDestroy``),
  one network hop after the crash; a restarted broker is back in it when its start
  registers it, one hop later.
- A client takes the route when it starts, fetches it again 10 ms later and then every
  30 s (``pollNameServerInterval``), and replaces its copy of the broker name's addresses
  with the name server's (``brokerAddrTable.put``). Until then it keeps a dead master's
  address, and its requests to it fail to connect.
- Which address a request uses is ``minimq.core.replication.find_broker_address_in_subscribe``
  over the copy: pulls, offset updates and the consumer-id list go to the master if the
  copy has it, else to the slave; an offset query asks for the master only and, finding
  none, fetches the route at once and takes any address
  (``RemoteBrokerOffsetStore.fetchConsumeOffsetFromBroker``); locks, send-backs and
  searches need the master (``findBrokerAddressInPublish``, ``onlyThisBroker``);
  heartbeats and unregistrations go to every address of the copy.
Simplifications: a route fetch costs no time and cannot fail (the name server never goes
down); the name server's 120 s expiry of a silent broker is not modelled (a crash closes
the connection); a client with no master address fails a lock, a send-back or a search
with ``RemotingConnectError`` (RocketMQ: an ``MQClientException``, "The broker[...] not
exist"), which it handles like any failed request.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from minimq.core.replication import (
    MASTER_ID,
    POLL_NAME_SERVER_FIRST_MS,
    POLL_NAME_SERVER_INTERVAL_MS,
    Found,
    find_broker_address_in_subscribe,
)
from minimq.errors import RemotingConnectError
from minimq.events import RouteChanged, RouteRefreshed

if TYPE_CHECKING:
    from minimq.sim.kernel import Simulation


class NameServer:
    """The live brokers of each broker name, by id (``RouteInfoManager.brokerAddrTable``)."""

    def __init__(self, world: Simulation) -> None:
        self._world = world
        self._live: dict[str, dict[int, str]] = {}

    def register(self, name: str, broker_id: int, address: str) -> None:
        """``REGISTER_BROKER``: ``address`` is broker ``broker_id`` of ``name``."""
        live = self._live.setdefault(name, {})
        if live.get(broker_id) != address:
            live[broker_id] = address
            self._changed(name, address, "register")

    def unregister(self, name: str, broker_id: int) -> None:
        """``onChannelDestroy``: the connection of broker ``broker_id`` of ``name`` closed."""
        address = self._live.get(name, {}).pop(broker_id, None)
        if address is not None:
            self._changed(name, address, "channel closed")

    def addresses(self, name: str) -> dict[int, str]:
        """The route of ``name``: broker id -> address, in id order."""
        return dict(sorted(self._live.get(name, {}).items()))

    def master_address(self, name: str) -> str | None:
        """What a slave's registration learns (``RegisterBrokerResult.masterAddr``): the
        master's address while it is live, else None."""
        return self._live.get(name, {}).get(MASTER_ID)

    def _changed(self, name: str, address: str, via: str) -> None:
        live = self.addresses(name)
        self._world.emit(
            RouteChanged(
                at_ms=self._world.now_ms,
                broker=name,
                address=address,
                broker_ids=tuple(live),
                addresses=tuple(live.values()),
                via=via,
            )
        )


class ClientRoute:
    """One client process's copy of the route of the broker name it uses."""

    def __init__(self, world: Simulation, client: str, broker_name: str, name_server: NameServer | None) -> None:
        self._world = world
        self._client = client
        self.broker_name = broker_name
        self._name_server = name_server
        self._addresses: dict[int, str] = {}
        # where pulls, offset updates and the consumer-id list go (``subscribe_target``);
        # read directly on the hot paths, None when the route has no address at all
        self.pull_target: Found | None = None
        self._set(name_server.addresses(broker_name) if name_server is not None else {MASTER_ID: broker_name})

    @property
    def polled(self) -> bool:
        """Whether the route comes from a name server (a broker name with a slave)."""
        return self._name_server is not None

    def _set(self, addresses: dict[int, str]) -> None:
        self._addresses = addresses
        # the slave answers every pull with suggestWhichBrokerId = 0: pulls always ask for the master
        self.pull_target = find_broker_address_in_subscribe(addresses, MASTER_ID, only_this=False)

    def refresh(self, via: str) -> None:
        """``updateTopicRouteInfoFromNameServer``: take the name server's route."""
        if self._name_server is None:
            return
        live = self._name_server.addresses(self.broker_name)
        if live == self._addresses:
            return
        self._set(live)
        self._world.emit(
            RouteRefreshed(
                at_ms=self._world.now_ms,
                client=self._client,
                broker=self.broker_name,
                broker_ids=tuple(live),
                addresses=tuple(live.values()),
                via=via,
            )
        )

    async def poll_loop(self) -> None:
        """The client's scheduled route fetch: 10 ms after the start, then every 30 s."""
        await asyncio.sleep(POLL_NAME_SERVER_FIRST_MS / 1000)
        while True:
            self.refresh("poll")
            await asyncio.sleep(POLL_NAME_SERVER_INTERVAL_MS / 1000)

    # -- lookups ------------------------------------------------------------------------
    def subscribe_target(self, via: str) -> Found | None:
        """``findBrokerAddressInSubscribe(name, MASTER_ID, false)``, fetching the route once
        more when it finds nothing: where pulls, offset updates and the consumer-id list go."""
        if self.pull_target is None:
            self.refresh(via)
        return self.pull_target

    def offset_query_target(self, via: str) -> Found | None:
        """``fetchConsumeOffsetFromBroker``: the master only; with none, fetch the route and
        take any address."""
        master = find_broker_address_in_subscribe(self._addresses, MASTER_ID, only_this=True)
        if master is not None:
            return master
        self.refresh(via)
        return self.pull_target

    def master(self, what: str) -> str:
        """The master's address (``findBrokerAddressInPublish``, or ``onlyThisBroker``);
        with none the request fails."""
        address = self._addresses.get(MASTER_ID)
        if address is None:
            raise RemotingConnectError(f"Broker[{self.broker_name}] master node does not exist ({what})")
        return address

    def addresses(self) -> list[str]:
        """Every address of the copy, master first: where heartbeats and unregistrations go."""
        return list(self._addresses.values())


def client_route(world: Simulation, client: str, broker_name: str) -> ClientRoute:
    """The route a client process ``client`` starts with: from the name server when the
    broker name has a slave, else the broker's own name."""
    ha = world.network.route(broker_name).ha  # the master/slave pair, or None
    return ClientRoute(world, client, broker_name, ha.name_server if ha is not None else None)
