"""What a broker set with a slave did (path P14): the name server's route, each client's
copy of it, the master's replication to the slave, and the slave's offset sync.

``broker`` is a broker name (``broker-a``: master and slave share it); ``master`` and
``slave`` are the addresses of the two brokers of that name (``broker-a``,
``broker-a-s``). An offset the slave stores is an ``OffsetPersisted`` with
``store="slave"``.
"""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class RouteChanged(Event):
    """The name server's route of broker name ``broker`` now lists ``broker_ids`` (0 the
    master, 1 the slave) at ``addresses``: the broker at ``address`` registered (``via``
    ``register``) or its connection closed when it died (``channel closed``). Clients see
    it at their next route poll (every 30 s)."""

    broker: str
    address: str
    broker_ids: tuple[int, ...]
    addresses: tuple[str, ...]
    via: str


@record
class RouteRefreshed(Event):
    """The process ``client`` fetched the route from the name server and its copy changed:
    it now reaches broker name ``broker`` at ``addresses`` (ids ``broker_ids``). ``via``:
    ``poll`` (every 30 s) or the request that found no address (``query offset``, ...)."""

    client: str
    broker: str
    broker_ids: tuple[int, ...]
    addresses: tuple[str, ...]
    via: str


@record
class MessagesReplicated(Event):
    """The slave ``slave`` copied ``count`` stored copies from its master ``master``
    (asynchronous replication): it now holds the master's commit log up to entry
    ``writes``."""

    master: str
    slave: str
    count: int
    writes: int


@record
class ReplicationLagged(Event):
    """The master ``master`` died before its slave ``slave`` had copied its last
    ``not_copied`` stored copies. ``disk_lost``: the master's disk is gone with it, so
    those copies are lost for good and the master will not come back; otherwise they wait
    on its disk and reach the slave after its restart."""

    master: str
    slave: str
    not_copied: int
    disk_lost: bool


@record
class OffsetSyncedFromMaster(Event):
    """The slave ``slave``'s periodic sync (``SlaveSynchronize.syncConsumerOffset``) copied
    ``group``'s offset of one queue from its master ``master``: ``offset`` replaces
    ``previous`` (-1: none), whatever the slave held, newer or not."""

    master: str
    slave: str
    group: str
    topic: str
    queue_id: int
    offset: int
    previous: int
