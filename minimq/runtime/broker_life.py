"""A broker's life: its flushes to disk, its crash, and its restart from what was flushed.

Owns: ``BrokerLife``, one per broker: the flush schedule of its consumer offsets, its
delay progress and its commit log (``minimq.core.flush``), and ``crash`` / ``restart``
(path P13). Mirrors what RocketMQ 5.x leaves behind when a broker process dies and what
``BrokerController.initialize`` / ``start`` load again (``ConsumerOffsetManager.load``,
``ScheduleMessageService.load``, ``DefaultMessageStore.recover``); tests/test_broker_crash.py
runs it and lesson 14 (broker-crash) tells it.
Rules:
- **Crash** (``crash``, ``World.broker_crash``): the broker is unreachable at once: a
  request fails to connect, a oneway request is dropped, a held pull fails (its
  connection closes). What it held only in memory is gone: consumer registrations,
  orderly locks, reset marks, and every change since the last flushes: consumer offsets
  since the last 5 s flush (the first 10 s after start), delay progress since the last
  10 s flush. A process crash keeps the whole commit log (the page cache survives);
  ``lose_unflushed=True`` is an OS crash or a power loss, which also cuts the commit log
  back to its last flush (at least 4 dirty pages of 4 KiB, or every 10 s): the half
  messages and the POP checkpoints of what it cut go with it.
- **Restart** (``restart``): the store recovers (an OS crash: the lost tail is gone and
  the queues' max offsets go back, so a consumer offset past them is corrected at its
  next pull: ``Broker.pull``); the offset table and the delay progress are loaded as
  flushed; the flushes start again (first 10 s later); 1 s later each delay level
  delivers every copy due, those it had delivered since its last flush included
  (#3473). Consumers register again with their next heartbeat; a 5.2.0+ client sends
  one as soon as it connects again (``onChannelActive``).
Simplifications: the restart is instantaneous (a real broker takes seconds to load);
the offsets and delay-progress files survive an OS crash as last written (RocketMQ
writes them without forcing them to disk, so a power loss could cost more); a crash
leaves no half-written entry to recover from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minimq.core.flush import commit_log_flush, delay_flush, offsets_flush
from minimq.core.groups import RebalanceLockManager
from minimq.errors import ClientStateError, RemotingSendRequestError, ValidationError
from minimq.events import (
    BrokerCrashed,
    BrokerRestarted,
    CommitLogTruncated,
    OffsetRestored,
    ScheduleProgressRestored,
)

if TYPE_CHECKING:
    from minimq.runtime.broker import Broker
    from minimq.sim.kernel import Simulation


class BrokerLife:
    """The flushes, the crash and the restart of one broker."""

    def __init__(self, world: Simulation, broker: Broker) -> None:
        self._world = world
        self._broker = broker
        self.alive = True
        self.epoch = 0  # the incarnation: 0 at the first start, one more at each restart
        self._crashed_ms = 0
        self._lose_unflushed = False
        # when the offsets and the delay progress on disk were written (None: never), across restarts
        self.offsets_written_ms: int | None = None
        self.delay_written_ms: int | None = None
        self._flushes(world.now_ms)

    def _flushes(self, start_ms: int) -> None:
        store = self._broker.store
        self._offsets = offsets_flush(start_ms)
        self._delay = delay_flush(start_ms)
        self._commit_log = commit_log_flush(start_ms, store.writes, store.position)
        self.next_ms = self._next_due()

    def _next_due(self) -> int:
        """The earliest flush not taken yet: before it, ``catch_up`` has nothing to do."""
        return min(self._offsets.next_due(), self._delay.next_due(), self._commit_log.thorough.next_due())

    # -- the flushes ---------------------------------------------------------------------
    def catch_up(self) -> None:
        """Take the flushes due by now, before anything changes (``minimq.core.flush``)."""
        now = self._world.now_ms
        if now < self.next_ms or not self.alive:  # asked at every write: nothing due, at once
            return
        broker = self._broker
        if self._offsets.catch_up(now):
            broker.offsets.flush()
            broker.transactions.table.flush()  # the scan's offset is in that table too
            self.offsets_written_ms = self._offsets.taken_ms
        if self._delay.catch_up(now):
            broker.send_backs.schedule.flush()
            self.delay_written_ms = self._delay.taken_ms
        self._commit_log.before_write(now, broker.store.writes, broker.store.position)
        self.next_ms = self._next_due()

    def offsets_on_disk(self) -> dict[tuple[str, str, int], int]:
        """The consumer offsets as last written to disk (group, topic, queue id -> offset):
        what a crash now would go back to. Reading takes the flushes due by now."""
        self.catch_up()
        return dict(self._broker.offsets.flushed)

    def written(self, position: int) -> None:
        """A commit-log write ending at ``position`` is done: the flush service forces 4
        dirty pages at once."""
        if position >= self._commit_log.force_at:  # ``CommitLogFlush.due``, inlined: every write asks
            self._commit_log.forced(self._world.now_ms, self._broker.store.writes, position)

    # -- crash and restart ----------------------------------------------------------------
    def crash(self, *, lose_unflushed: bool = False) -> None:
        """The broker process dies now (``lose_unflushed``: with its machine)."""
        if not isinstance(lose_unflushed, bool):
            raise ValidationError("lose_unflushed must be True or False", lose_unflushed)
        if not self.alive:
            raise ClientStateError(f"broker {self._broker.name!r} is already down; restart() it first")
        if self._broker.ha is not None:
            self._broker.ha.check_crash(self._broker, lose_unflushed)
        self.catch_up()  # the disk as it stands at the crash
        world, broker = self._world, self._broker
        self.alive, self._crashed_ms, self._lose_unflushed = False, world.now_ms, lose_unflushed
        world.network.take_down(broker.name)
        world.emit(
            BrokerCrashed(
                at_ms=world.now_ms,
                broker=broker.name,
                how="os" if lose_unflushed else "process",
                offsets_flushed_ms=_ms(self.offsets_written_ms),
                delay_flushed_ms=_ms(self.delay_written_ms),
            )
        )
        reset = f"connection to {broker.name} reset: the broker crashed"
        broker.holds.fail_all(RemotingSendRequestError(reset))
        broker.pops.fail_all(RemotingSendRequestError(reset))
        broker.groups.drop_all_channels()
        broker.locks = RebalanceLockManager()
        broker.send_backs.stop()
        broker.transactions.crashed()
        if broker.ha is not None:  # a master with a slave: replication and route (P14)
            broker.ha.master_crashed()

    def restart(self) -> None:
        """Start the broker again: recover the store, load what was flushed, go back on
        the network; the delay levels deliver 1 s later."""
        if self.alive:
            raise ClientStateError(f"broker {self._broker.name!r} is running; crash() it first")
        if self._broker.ha is not None:
            self._broker.ha.check_restart()
        world, broker = self._world, self._broker
        now, name = world.now_ms, broker.name
        self.alive, self.epoch = True, self.epoch + 1
        world.emit(BrokerRestarted(at_ms=now, broker=name, down_ms=now - self._crashed_ms))
        if self._lose_unflushed:
            self._truncate()
        flushed = _ms(self.offsets_written_ms)
        for (group, topic, queue_id), offset, previous in broker.offsets.reload():
            world.emit(
                OffsetRestored(
                    at_ms=now,
                    group=group,
                    topic=topic,
                    queue_id=queue_id,
                    offset=_ms(offset),
                    previous=_ms(previous),
                    flushed_ms=flushed,
                )
            )
        broker.transactions.reload(flushed)
        flushed = _ms(self.delay_written_ms)
        for level, offset, previous in broker.send_backs.schedule.reload():
            world.emit(
                ScheduleProgressRestored(
                    at_ms=now, delay_level=level, offset=offset, previous=previous, flushed_ms=flushed
                )
            )
        self._flushes(now)
        world.network.bring_up(name)
        broker.send_backs.start()
        if broker.ha is not None:
            broker.ha.master_restarted()

    def _truncate(self) -> None:
        """``recoverAbnormally`` after an OS crash: the commit log ends at its last flush."""
        world, broker, log = self._world, self._broker, self._commit_log
        lost = broker.store.truncate(log.writes, log.position)
        scheduled_lost = broker.send_backs.schedule.truncate(log.writes)
        broker.transactions.cut()  # the halves are in the commit log too
        broker.pops.cut()  # and a checkpoint comes after the messages it names
        flushed_ms = _ms(log.at_ms)
        world.emit(
            CommitLogTruncated(
                at_ms=world.now_ms,
                broker=broker.name,
                lost=len(lost),
                scheduled_lost=scheduled_lost,
                flushed_ms=flushed_ms,
            )
        )


def _ms(value: int | None) -> int:
    """A time or an offset for the trace: -1 stands for none."""
    return -1 if value is None else value
