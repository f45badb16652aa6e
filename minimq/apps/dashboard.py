"""The marketing dashboard: a broadcasting consumer group with a cache on every instance.

Owns: ``DashboardSystem``, the consumer group ``dashboard`` on topic ``order-paid`` and
its instances' caches (lesson 10, path P12).

- The screen "orders paid today" is served by every instance (``dashboard-1``,
  ``dashboard-2``) from its own cache, so every instance must see every paid order: the
  group consumes in BROADCASTING mode. Each instance takes every queue (``RebalanceImpl``)
  and keeps its consumer offsets in its own offsets file (``LocalFileOffsetStore``,
  written every 5 s; minimq's ``World.disk``), never on the broker. A failed message is
  not retried: the consumer drops it (``ConsumeFailureDropped``).
- Each instance keeps its cache in a SQLite file on its own disk (ledger
  ``dashboard-N cache``, table ``paid_orders``), so a restarted instance starts warm: the
  cache outlives the process, as the offsets file does. The screen shows ``COUNT(*)``.
- ``cache="append"``: one row per message, as a counter incremented per message would
  be: a replayed message counts its order twice. ``cache="set"``: the order id is the
  primary key and the row is written with ``INSERT OR IGNORE``: a replay changes nothing.
- ``campaign`` (the anti-pattern of lesson 10): the same listener also issues the
  campaign coupon, by running a coupon design (``minimq.apps.coupons.StoryRunner``) after
  its cache write, so every instance issues one. When that fails (the marketing service
  is down) the listener returns ``RECONSUME_LATER``, as a Java listener that catches an
  exception would; in broadcasting that drops the message.

Every decision is an event in the instance's lane: the row added or already there, with
the figure the screen shows now (``dashboard_added``; ``dashboard_again`` when an
appending cache counts an order it had already; ``dashboard_known`` when a set ignores
it), and a process
killed (``deploy_kill``); the campaign's calls are the coupon runner's events (the
marketing call or its 503, each statement on the coupon database).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Literal

from minimq.apps.db import Database
from minimq.apps.incident import TOPIC
from minimq.events import AppEvent
from minimq.model import ConsumeStatus, MessageModel

if TYPE_CHECKING:
    from pathlib import Path

    from minimq.apps.coupons import Listener, StoryRunner
    from minimq.model import MessageExt
    from minimq.runtime.push_consumer import PushConsumer
    from minimq.world import World

DASHBOARD_GROUP = "dashboard"
DASHBOARD_CLIENTS = ("dashboard-1", "dashboard-2")
Cache = Literal["append", "set"]

_SCHEMA = {
    "append": "CREATE TABLE paid_orders (id INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, "
    "msg_id TEXT NOT NULL, at_ms INTEGER NOT NULL);",
    "set": "CREATE TABLE paid_orders (order_id TEXT PRIMARY KEY, msg_id TEXT NOT NULL, at_ms INTEGER NOT NULL);",
}
_WRITE = {
    "append": "INSERT INTO paid_orders (order_id, msg_id, at_ms) VALUES (?, ?, ?)",
    "set": "INSERT OR IGNORE INTO paid_orders (order_id, msg_id, at_ms) VALUES (?, ?, ?)",
}


def ledger(client: str) -> str:
    """The effect ledger (and database name in the trace) of ``client``'s cache."""
    return f"{client} cache"


class DashboardSystem:
    """The dashboard group: one broadcasting consumer and one cache file per instance."""

    def __init__(self, world: World, folder: Path, cache: Cache, campaign: StoryRunner | None = None) -> None:
        self.world = world
        self.cache = cache
        self.campaign = campaign
        self.caches: dict[str, Database] = {}
        self.consumers: dict[str, PushConsumer] = {}
        self._campaign_calls: dict[str, Listener] = {}
        for client in DASHBOARD_CLIENTS:
            db = Database(world, folder / f"{client}.db", ledger(client))
            db.script(_SCHEMA[cache])
            db.audit("paid_orders", "order_id")
            self.caches[client] = db
            self.consumers[client] = world.push_consumer(
                DASHBOARD_GROUP, TOPIC, self._listener(client), name=client, model=MessageModel.BROADCASTING
            )

    def _say(self, client: str, action: str, **args: str) -> None:
        self.world.emit(AppEvent(at_ms=self.world.now_ms, system=client, action=action, args=tuple(args.items())))

    def shown(self, client: str) -> int:
        """What ``client``'s screen shows: the orders paid today, as its cache counts them."""
        return int(self.caches[client].query("SELECT COUNT(*) FROM paid_orders")[0][0])

    def rows_of(self, client: str, order: str) -> int:
        """The rows ``client``'s cache holds for ``order``."""
        return int(self.caches[client].query("SELECT COUNT(*) FROM paid_orders WHERE order_id = ?", (order,))[0][0])

    def _listener(self, client: str) -> Listener:
        async def on_message(msg: MessageExt) -> object:
            order = json.loads(msg.body)["order"]
            async with self.caches[client].session(client) as db:
                added = (await db.execute(_WRITE[self.cache], (order, msg.msg_id, self.world.now_ms))).rowcount == 1
                await db.commit()
            if not added:
                action = "dashboard_known"
            elif self.rows_of(client, order) > 1:
                action = "dashboard_again"  # append: the order had its row already
            else:
                action = "dashboard_added"
            self._say(client, action, msg_id=msg.msg_id, order=order, shown=str(self.shown(client)))
            if self.campaign is None:
                return ConsumeStatus.SUCCESS
            try:
                return await self._campaign_calls[client](msg)
            except Exception:  # catch (Exception e) { return RECONSUME_LATER; }: "RocketMQ will retry"
                return ConsumeStatus.RECONSUME_LATER

        return on_message

    def start(self, client: str) -> None:
        """Start (or restart) ``client``'s process; the campaign code is loaded afresh."""
        consumer = self.consumers[client]
        if consumer.running:
            return
        if self.campaign is not None and self.campaign.load(client):
            self._campaign_calls[client] = self.campaign.handler(client)
        consumer.start()

    def kill(self, client: str) -> None:
        """``kill -9``: the process dies; its cache file and offsets file stay on its disk."""
        self._say(client, "deploy_kill")
        self.consumers[client].crash("kill -9")

    def close(self) -> None:
        for db in self.caches.values():
            db.close()
