"""The proxy's auto-renew of the 5.x push consumer's receipt handles.

Owns: ``ReceiptHandleManager``, the asyncio shell of the proxy's
``DefaultReceiptHandleManager`` (and ``ReceiptHandleProcessor``, which turns each of its
decisions into a change of invisible time). The decisions are
``minimq.core.pop_proxy.renewal``; the changes go through ``PopService.change_invisible``
(``InvisibleTimeChanged`` with reason ``renew``, ``stop renew`` or ``client gone``).
Rules kept here:
- Only handles received with auto-renew are tracked (the push consumer's), per client
  and group; a SimpleConsumer's never are.
- The scan runs every 5 s (``renewSchedulePeriodMillis``), at whole multiples of 5 s
  while a handle is tracked.
- The client's ack or change of invisible time stops the tracking, and uses the handle
  now in force (``removeReceiptHandle``): the one the last renewal gave.
- A client that leaves (its channel closes, or it unregisters) has each of its handles
  made visible after 1 s at once (``clearGroup`` on ``CLIENT_UNREGISTER``), and so does
  one the scan finds offline.
Simplifications: a renewal is done at the scan, not on a worker pool; the clients known
to the proxy are the POP push consumers that connected (no heartbeats, no expiry).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

from minimq.core import pop_proxy as proxy
from minimq.core.pop import ReceiptHandle

if TYPE_CHECKING:
    from minimq.runtime.pop_service import Popped, PopService
    from minimq.sim.kernel import Simulation

Key = tuple[str, str]  # client, group


class ReceiptHandleManager:
    """The auto-renew handles of each connected client, and their renewal."""

    def __init__(self, world: Simulation, service: PopService) -> None:
        self._world = world
        self._service = service
        self._online: set[Key] = set()
        self._groups: dict[Key, dict[ReceiptHandle, proxy.Tracked]] = {}
        self._scan: asyncio.TimerHandle | None = None

    def tracked(self) -> int:
        return sum(len(handles) for handles in self._groups.values())

    def connect(self, client: str, group: str) -> None:
        self._online.add((client, group))

    def disconnect(self, client: str, group: str) -> None:
        """``CLIENT_UNREGISTER``: the client left; its handles are cleared now."""
        self._online.discard((client, group))
        self._clear((client, group))

    def track(self, client: str, group: str, popped: list[Popped]) -> None:
        """``addReceiptHandle``, for a receive with auto-renew."""
        if not popped:
            return
        handles = self._groups.setdefault((client, group), {})
        for p in popped:
            handles[p.handle] = proxy.Tracked(
                msg_id=p.message.msg_id,
                original=p.handle,
                current=p.handle,
                received_ms=self._world.now_ms,
                renew_times=0,
                reconsume_times=p.message.reconsume_times,
            )
        self._schedule()

    def take(self, client: str, group: str, handle: ReceiptHandle) -> ReceiptHandle:
        """``removeReceiptHandle``: stop renewing ``handle``; the handle now in force."""
        tracked = self._groups.get((client, group), {}).pop(handle, None)
        return handle if tracked is None else tracked.current

    def _clear(self, key: Key) -> None:
        """``clearGroup``: each handle of ``key`` visible again after 1 s."""
        client, group = key
        for tracked in self._groups.pop(key, {}).values():
            self._service.change_invisible(
                group=group,
                client=client,
                handle=tracked.current,
                msg_id=tracked.msg_id,
                invisible_ms=proxy.INVISIBLE_WHEN_CLEAR_MS,
                reason="client gone",
            )

    def _schedule(self) -> None:
        if self._scan is None and self.tracked():
            now, period = self._world.now_ms, proxy.RENEW_PERIOD_MS
            self._scan = self._world.call_later_ms((now // period + 1) * period - now, self._run_scan)

    def _run_scan(self) -> None:
        """``scheduleRenewTask``: clear offline clients, renew what is about to expire."""
        self._scan = None
        now = self._world.now_ms
        for key in list(self._groups):
            if key not in self._online:
                self._clear(key)
                continue
            handles = self._groups[key]
            for original, tracked in list(handles.items()):
                renew = proxy.renewal(tracked, now)
                if renew is not None:
                    self._renew(key, handles, original, tracked, renew)
            if not handles:
                del self._groups[key]
        self._schedule()

    def _renew(
        self,
        key: Key,
        handles: dict[ReceiptHandle, proxy.Tracked],
        original: ReceiptHandle,
        tracked: proxy.Tracked,
        renew: proxy.Renew,
    ) -> None:
        client, group = key
        changed = self._service.change_invisible(
            group=group,
            client=client,
            handle=tracked.current,
            msg_id=tracked.msg_id,
            invisible_ms=renew.invisible_ms,
            reason="stop renew" if renew.stop else "renew",
        )
        if renew.stop or changed.handle is None:  # stopped, or INVALID_RECEIPT_HANDLE: not retried
            del handles[original]
        else:
            handles[original] = replace(tracked, current=changed.handle, renew_times=tracked.renew_times + 1)
