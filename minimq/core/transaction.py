"""Transactional messages on the broker: the half queue, its op records, the check-back scan.

Owns: ``HalfMessageTable``, the broker's view of ``RMQ_SYS_TRANS_HALF_TOPIC`` queue 0 (the
half entries and their state) and of ``RMQ_SYS_TRANS_OP_HALF_TOPIC`` (which entries are
done), and the rules that change it. Mirrors ``TransactionalMessageBridge``
(``parseHalfMessageInner``, ``renewHalfMessageInner``), ``TransactionalMessageServiceImpl``
(``check``, ``deletePrepareMessage``, ``batchSendOpMessage``), ``EndTransactionProcessor``
(``checkPrepareMessage``) and ``DefaultTransactionalMessageCheckListener``
(``resolveDiscardMsg``), RocketMQ 5.3; ``BrokerConfig`` defaults below. Path P16; the
asyncio shell is ``minimq.runtime.transaction``.
Rules:
- A producer's half message is one entry of the half queue, at the next offset; its real
  topic and queue travel in its properties. No consumer ever reads the half queue.
  State: ``PREPARED``.
- ``END_TRANSACTION`` names one entry by its commit-log offset and its queue offset
  (``tranStateTableOffset``); the entry must exist and carry the request's producer
  group (``checkPrepareMessage``), whatever its state:
  - COMMIT copies the entry into its real topic and queue, properties and msg id kept,
    and queues an op record for it. Nothing asks whether the transaction was committed
    before: a second COMMIT stores a second message (apache/rocketmq#5574).
  - ROLLBACK queues the op record only. UNKNOW does nothing.
- Op records are written in batches (5.1.0 and later, ``TransactionalOpBatchService``):
  the service ticks every ``transactionOpBatchInterval = 3000`` ms from the broker's start
  and writes what is queued once 3 s have passed since the last write (since the first
  record ever, before the first write). Until then the scan does not see them.
- The scan (``TransactionalMessageCheckService``, every ``transactionCheckInterval =
  30_000`` ms from the broker's start; 60 s before 5.1.1) walks the half queue from where
  the last one stopped. For each entry, in order:
  - one with a written op record is skipped;
  - one that carries ``transactionCheckMax = 15`` checks already, or was born more than
    72 h ago (``fileReservedTime``), is discarded: moved to ``TRANS_CHECK_MAX_TIME_TOPIC``,
    never delivered (a rollback, in effect);
  - the walk stops at an entry stored since the scan began (the copies it writes), and
    at one born ``transactionTimeOut = 6000`` ms ago or less: it and every later entry
    wait for the next scan;
  - any other entry is checked: written back at the end of the half queue as a new
    entry with one more check (``putBackHalfMsgQueue``), and a producer of the group is
    asked about the *new* entry (``CHECK_TRANSACTION_STATE``). The old entry is left
    behind, ``CHECKED``; the walk never comes back to it.
  So a transaction is one entry after another, and an END resolves only the entry it
  names. A producer's own COMMIT of an entry that was checked meanwhile (a local
  transaction longer than ``transactionTimeOut`` with a scan inside it) leaves the new
  entry unresolved: the next scan checks it, and a check listener that answers COMMIT
  commits the transaction a second time. A COMMIT arriving while its op record is not
  written yet (up to 3 s, or 6 s for the first) races the scan the same way.
The table decides; the shell stores the copies, asks the producers and records the
events (``minimq.runtime.transaction``).
- The scan's position is the half queue's consume offset of the system group
  ``CID_RMQ_SYS_TRANS`` (``TransactionalMessageBridge.fetchConsumeOffset``,
  ``updateConsumeOffset``): it lives in the broker's consumer offset table and reaches
  the disk with it, every 5 s (``flush``). A broker that dies goes back to that flush at
  its restart (``reload``): the scan walks again over the entries it had passed since,
  and checks again each one without a written op record, ``CHECKED`` ones included (no
  op record marks an entry written back), so a transaction gets two live entries, two
  check-backs and, when the listener answers COMMIT, two commits. The op records still
  queued in memory die with the process: their halves, committed or rolled back, are
  checked again (a check listener that answers COMMIT for a committed order commits it
  once more). With no offset ever flushed, the scan starts at the queue's min offset, 0.
- An OS crash that cuts the commit log back cuts the half queue with it (``cut``): an
  entry written since the last flush is gone, with its op records; the producer's END
  for it finds nothing, and the next halves take its offset.
Simplifications: one half queue (RocketMQ has one too); the op records are kept as a set
of half offsets, not as messages, and the op queue's own consume offset is not kept (going
back re-reads op records, which only confirms them); the first check is never put off by the
``CHECK_IMMUNITY_TIME_IN_SECONDS`` property, so the 5.1.1 guard that refuses a producer's
commit after it (code 604) is not modelled; an op batch is never written early for size
(``transactionOpMsgMaxSize = 4096`` bytes); the scan reads every op record at once and
never pauses (Java sleeps 1 s when it finds none) or stops for its 60 s time limit.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass

from minimq.model import LocalTransactionState
from minimq.records import record

TRANS_HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC"
CID_RMQ_SYS_TRANS = "CID_RMQ_SYS_TRANS"  # MixAll.CID_SYS_RMQ_TRANS: the group of the scan's offset
TRANS_CHECK_MAX_TIME_TOPIC = "TRANS_CHECK_MAX_TIME_TOPIC"
TRANSACTION_CHECK_INTERVAL_MS = 30_000  # BrokerConfig.transactionCheckInterval (5.1.1+)
TRANSACTION_TIMEOUT_MS = 6_000  # BrokerConfig.transactionTimeOut
TRANSACTION_CHECK_MAX = 15  # BrokerConfig.transactionCheckMax
TRANSACTION_OP_BATCH_INTERVAL_MS = 3_000  # BrokerConfig.transactionOpBatchInterval
FILE_RESERVED_TIME_MS = 72 * 3600 * 1000  # MessageStoreConfig.fileReservedTime, 72 h
# message properties (MessageConst)
PROPERTY_TRANSACTION_PREPARED = "TRAN_MSG"
PROPERTY_PRODUCER_GROUP = "PGROUP"
PROPERTY_REAL_TOPIC = "REAL_TOPIC"
PROPERTY_REAL_QUEUE_ID = "REAL_QID"
PROPERTY_TRANSACTION_CHECK_TIMES = "TRANSACTION_CHECK_TIMES"


class HalfState(enum.StrEnum):
    """Where one entry of the half queue stands."""

    PREPARED = "prepared"  # stored, no end yet: the scan will check it
    CHECKED = "checked"  # written back as a new entry by a check; the scan has passed it
    COMMITTED = "committed"  # an END COMMIT copied it into its real topic (once or more)
    ROLLED_BACK = "rolled back"  # an END ROLLBACK marked it done
    DISCARDED = "discarded"  # checked transactionCheckMax times: never delivered


@dataclass(slots=True)
class Half:
    """One entry of the half queue (``half_offset``) and what became of it."""

    half_offset: int
    msg_id: str  # the UNIQ_KEY: the transaction id
    group: str  # the producer group (PGROUP)
    born_ms: int  # the producer's send: a written-back entry keeps it
    store_ms: int
    check_times: int  # TRANSACTION_CHECK_TIMES: the checks made before this entry
    state: HalfState = HalfState.PREPARED


@record
class EndTransaction:
    """``END_TRANSACTION`` (oneway): ``state`` for the half entry stored as
    ``offset_msg_id`` at ``half_offset``, from ``group``; ``from_check`` when it answers
    a check-back."""

    group: str
    msg_id: str
    offset_msg_id: str
    half_offset: int
    state: LocalTransactionState
    from_check: bool


@record
class Check:
    """The scan checks ``half``: ``copy`` is the entry written back for it, the one the
    producer group is asked about."""

    half: Half
    copy: Half


@record
class Discard:
    """The scan moves ``half`` to ``TRANS_CHECK_MAX_TIME_TOPIC``: it is never delivered."""

    half: Half


class HalfMessageTable:
    """The half queue of one broker: its entries, their op records, the scan's position."""

    def __init__(self) -> None:
        self.halves: list[Half] = []  # by half offset
        self.scan_offset = 0  # where the next scan starts (the half queue's consume offset)
        self.flushed_scan_offset: int | None = None  # as last written to disk; None: never
        self._ops_written: set[int] = set()  # half offsets the scan will skip
        self._ops_queued: list[int] = []  # op records not written yet
        self._last_op_write_ms: int | None = None  # MessageQueueOpContext.lastWriteTimestamp
        self._commits: Counter[str] = Counter()  # COMMITs applied per msg id

    # -- the producer's half message and its end ----------------------------------------
    def prepare(self, *, msg_id: str, group: str, born_ms: int, now_ms: int) -> Half:
        """A producer's half message, stored at the next half offset."""
        half = Half(len(self.halves), msg_id, group, born_ms, now_ms, 0)
        self.halves.append(half)
        return half

    def end(self, request: EndTransaction, now_ms: int) -> Half | None:
        """Apply ``request`` (``EndTransactionProcessor``): the entry it commits or rolls
        back, or None when it changes nothing (UNKNOW, or no such entry of that group).
        The caller has found the entry stored as ``offset_msg_id`` at ``half_offset``."""
        if request.state is LocalTransactionState.UNKNOW or not 0 <= request.half_offset < len(self.halves):
            return None
        half = self.halves[request.half_offset]
        if half.group != request.group:
            return None  # "The producer group wrong": refused, and nobody hears (oneway)
        if request.state is LocalTransactionState.COMMIT_MESSAGE:
            half.state = HalfState.COMMITTED
            self._commits[half.msg_id] += 1  # never asked first: #5574
        else:
            half.state = HalfState.ROLLED_BACK
        self._queue_op(half.half_offset, now_ms)
        return half

    def commits(self, msg_id: str) -> int:
        """How many COMMITs have been applied to ``msg_id``: real messages stored for it."""
        return self._commits[msg_id]

    # -- op records ---------------------------------------------------------------------
    def _queue_op(self, half_offset: int, now_ms: int) -> None:
        """``deletePrepareMessage``: queue the op record; the batch service writes it."""
        if self._last_op_write_ms is None:
            self._last_op_write_ms = now_ms  # the op context is made with the first record
        self._ops_queued.append(half_offset)

    def write_ops(self, now_ms: int, interval_ms: int = TRANSACTION_OP_BATCH_INTERVAL_MS) -> tuple[int, ...]:
        """One tick of the op batch service: the half offsets written now (none before
        ``interval_ms`` has passed since the last write)."""
        last = self._last_op_write_ms
        if not self._ops_queued or last is None or now_ms - last < interval_ms:
            return ()
        written = tuple(self._ops_queued)
        self._ops_written.update(written)
        self._ops_queued.clear()
        self._last_op_write_ms = now_ms
        return written

    def ops_queued(self) -> int:
        return len(self._ops_queued)

    def op_written(self, half_offset: int) -> bool:
        """Whether the op record of ``half_offset`` is written: the scan skips it."""
        return half_offset in self._ops_written

    def op_queued(self, half_offset: int) -> bool:
        """Whether the op record of ``half_offset`` waits for the next batch."""
        return half_offset in self._ops_queued

    # -- the check-back scan ------------------------------------------------------------
    def scan(self, now_ms: int, *, timeout_ms: int, check_max: int) -> list[Check | Discard]:
        """One run of ``TransactionalMessageServiceImpl.check`` at ``now_ms``: what it
        does to each entry it reaches, in order (see the module's rules). The written-back
        entries are appended to the table at once."""
        steps: list[Check | Discard] = []
        end = len(self.halves)  # entries written back now are fresh: the walk stops there
        i = self.scan_offset
        while i < end:
            half = self.halves[i]
            if i in self._ops_written:
                i += 1
                continue
            if half.check_times >= check_max or now_ms - half.born_ms > FILE_RESERVED_TIME_MS:
                half.state = HalfState.DISCARDED
                steps.append(Discard(half=half))
                i += 1
                continue
            if half.store_ms >= now_ms or 0 <= now_ms - half.born_ms <= timeout_ms:
                break  # stored during this scan, or too young: wait for the next scan
            steps.append(Check(half=half, copy=self._put_back(half, now_ms)))
            i += 1
        self.scan_offset = i
        return steps

    def _put_back(self, half: Half, now_ms: int) -> Half:
        """``putBackHalfMsgQueue``: the same half message, one more check, a new entry."""
        half.state = HalfState.CHECKED
        copy = Half(len(self.halves), half.msg_id, half.group, half.born_ms, now_ms, half.check_times + 1)
        self.halves.append(copy)
        return copy

    # -- the disk and a crash ----------------------------------------------------------------
    def flush(self) -> None:
        """The consumer offsets are written: the scan's position with them."""
        self.flushed_scan_offset = self.scan_offset

    def drop_queued_ops(self) -> list[int]:
        """The broker process died: the op records queued in memory are gone. Returns the
        half offsets they were for."""
        lost, self._ops_queued = self._ops_queued, []
        self._last_op_write_ms = None  # the op context is made anew with the next record
        return lost

    def reload(self) -> tuple[int, int]:
        """A restart: the scan goes back to its flushed position (the min offset, 0, when
        none was ever flushed). Returns (offset, previous)."""
        previous = self.scan_offset
        self.scan_offset = min(self.flushed_scan_offset or 0, len(self.halves))
        return self.scan_offset, previous

    def cut(self, length: int) -> list[Half]:
        """The half queue ends at ``length`` after an OS crash cut the commit log back
        (``recoverAbnormally``): the entries past it are gone, with their op records
        (written after them, so cut too) and those queued for them; the scan goes on from
        the new end at the latest, where the next halves reuse the offsets. Returns the
        entries cut."""
        cut, self.halves = self.halves[length:], self.halves[:length]
        self._ops_written = {o for o in self._ops_written if o < length}
        self._ops_queued = [o for o in self._ops_queued if o < length]
        self.scan_offset = min(self.scan_offset, length)
        return cut

    def awaiting_scan(self) -> int:
        """Entries a scan still has to reach that have no op record written: it will
        check, discard or (once their op record is written) skip each."""
        return sum(1 for i in range(self.scan_offset, len(self.halves)) if i not in self._ops_written)

    def unresolved(self) -> int:
        """Entries the scan will still check or discard (no op record, written or queued),
        plus the op records not written yet: 0 when the half queue has nothing left to do."""
        queued = set(self._ops_queued)
        waiting = sum(
            1 for i in range(self.scan_offset, len(self.halves)) if i not in self._ops_written and i not in queued
        )
        return waiting + len(queued)
