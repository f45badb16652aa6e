"""A Hypothesis state machine for RocketMQ 5: POP, transactions, broker crashes, batches.

The second state machine (the first, test_stateful.py, drives the 4.x remoting push
consumer). What it explores, on one topic of 4 queues:
- group ``coupon``: 5.x SimpleConsumers (``s1``, ``s2``, ...) that the rules drive one
  request at a time: ``receive`` (n messages, an invisible duration of 10 s to 3 min),
  ``ack``, ``change_invisible_duration`` (0 to 3 min: an extension or a nack; maybe
  with the handle from before the view's last change, P18) of a view still held, or
  ``forget`` one (the application never answers it); a SimpleConsumer
  goes away (crash or shutdown: its views are left to expire) and another joins (P17,
  P18);
- group ``points`` (optional): 5.x push consumers on POP (``p1``, ...), with auto-renew
  and nacks, whose listener can be slow (past the 60 s renewal, or the 3 h nack); one
  crashes or shuts down, another joins;
- group ``audit`` (optional): a remoting push consumer ``b1`` with a batch listener
  (``consume_message_batch_max_size`` 2 to 4) that fails the whole batch or sets
  ``ackIndex`` before its first failing message (P8, batch variant); it crashes and
  restarts;
- a producer (a send whose reply is lost, then the same ``Message`` again, a new one,
  or nothing: P1, P2) and a transactional producer: a half message whose local
  transaction answers COMMIT, ROLLBACK, UNKNOW or raises, possibly slower than
  ``transactionTimeOut`` (so a check-back scan falls inside it), with a lost
  ``END_TRANSACTION``, and a check listener whose answer the rules change (P16);
- the broker crashing, as a process or with its machine (an OS crash loses the commit
  log's unflushed tail), restarting by itself or when a rule says (P13, P15); the
  network to the broker failing for a few seconds; virtual time passing.
A key is ``OK``, ``FLAKY`` (its listener fails a few times in each push group, the
application nacks it as often in the drain) or ``POISON`` (fails for ever: the DLQ).

Invariants, after every step (several are checked at the very event, by ``Watch``):
- ``the_engine_raised_nothing``: no callback or task of the simulation raised.
- ``every_delivered_copy_has_a_stored_source``: a delivered or popped copy (and one
  consumed or dead-lettered) was stored with that msg id, queue, offset and reconsume
  times (one more after a local retry), and is still stored unless an OS crash cut it.
- ``offsets_never_pass_a_queues_max_offset``: a committed offset never passes its
  queue's max offset, except one that was within it before an OS crash cut the queue
  back (until the group's next pull or pop corrects it); after a receive that visited
  every queue, none of the SimpleConsumers' group is past its queue's end (section 16:
  ``OFFSET_OVERFLOW_BADLY`` moves a pop offset to the max; an emptied queue,
  ``NO_MESSAGE_IN_QUEUE``, keeps it).
- ``revivals_and_receipt_handles_follow_the_pop_rules``: a revived copy has the same msg id and one more
  reconsume time, in ``%RETRY%<group>_<topic>``, 2 to 3 s after its invisible time (or
  within a second of the broker's restart); an ack or a change is refused exactly when
  its handle had expired when it arrived (pop + invisible duration).
- ``the_broker_commits_only_a_half_ended_with_commit``: the broker commits a half only
  after a COMMIT for that very entry (a producer's or a check listener's), never a
  rolled-back or unknown one.
- ``retries_follow_rocketmqs_rules``: ``minimq.check.retry_violations`` finds nothing.
At teardown (no new fault; the broker up; each group given a running consumer; every
UNKNOW check answer turned COMMIT; the coupon application drains its group: it acks
what it receives, nacks a FLAKY key as often as it fails and a POISON one for ever;
``World.run_until_quiet``), also:
- the invariants above, once more;
- the world got quiet within 12 virtual hours, ``every_offset_is_within_its_queue``
  (but a POP group's past a queue an OS crash emptied, ``NO_MESSAGE_IN_QUEUE``);
- ``nothing_acknowledged_is_lost``: ``minimq.check.check(trace)`` reports no lost message
  and no broken retry rule, and every stored copy of the topic ends, in every group,
  in a success (a consumed status, or an ack that took effect) or the DLQ, unless the
  rules excuse it: an OS crash cut a copy of it (or a scheduled retry copy), or it was
  stored after an OS crash below the offset its group had already reached (skipped, as
  ``OFFSET_OVERFLOW_BADLY`` skips it), or its group's offset was corrected past it while
  it was being consumed (the process queue is dropped, the result discarded). A POISON
  key never succeeds in ``points`` or ``audit``; a rolled-back or discarded half is owed
  to no one.
- ``every_half_is_resolved``: every half entry that was not checked (written back) ended
  committed, rolled back or discarded, or was cut by an OS crash.
- ``a_calm_pop_push_group_delivers_a_poison_message_17_times``: with no broker crash and
  one ``points`` consumer that never went away, a POISON copy is delivered 17 times
  (attempts 1..17) and dead-lettered once.
- the replay gives the same trace: the operations again, in a fresh world with the same
  seed, give the same trace byte for byte (in a forked child, meanwhile).
A failing run prints its steps (``state.receive(client='s1', n=3, invisible_ms=30000)``,
...), a program that replays it (``replay(seed, ops)`` does the same with the typed
operations). Profiles: ``ci`` (8 examples of 25 steps, a few seconds) and ``thorough``
(``HYPOTHESIS_PROFILE=thorough``: 300 of 40 steps, a few minutes); tests/README.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import gc
import sys
from collections import Counter, defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from stateful_support import ReplayAside, assert_same_trace
from test_stateful import Failure, KeyKind, Resend

from minimq import (
    ConsumeConcurrentlyContext,
    ConsumeStatus,
    LocalTransactionState,
    Message,
    MessageExt,
    SendFailedError,
    SendTimeoutError,
    World,
    check,
)
from minimq.check import retry_violations
from minimq.core.pop import REVIVE_INTERVAL_MS, REVIVE_LAG_MS, ReceiptHandle, pop_retry_topic
from minimq.errors import InvalidReceiptHandle, RemotingError
from minimq.events import (
    AckRejected,
    BrokerCrashed,
    BrokerRestarted,
    CommitLogTruncated,
    ConsumerCrashed,
    ConsumeResultDiscarded,
    ConsumerShutdown,
    Event,
    HalfMessageCommitted,
    HalfMessageDiscarded,
    HalfMessageRolledBack,
    HalfMessageStored,
    InvisibleTimeChanged,
    MessageAcked,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessagePopped,
    MessageRevived,
    MessageSentBack,
    MessageStored,
    OffsetCorrected,
    OffsetPersisted,
    TransactionChecked,
    TransactionEnded,
)
from minimq.model import MessageQueue
from minimq.runtime.pop_push_consumer import PopPushConsumer
from minimq.runtime.push_consumer import PushConsumer
from minimq.runtime.simple_consumer import MessageView, SimpleConsumer
from minimq.sim.faults import ReplyLoss

TOPIC = "order-paid"
SIMPLE = "coupon"  # SimpleConsumers, driven request by request
POP_PUSH = "points"  # 5.x push consumers on POP
BATCH = "audit"  # a remoting push consumer with a batch listener
TX_GROUP = "order-tx"
SUCCESS = ConsumeStatus.SUCCESS.value
COMMIT = LocalTransactionState.COMMIT_MESSAGE
MAX_SIMPLE = 3
MAX_POP_PUSH = 2
POP_MAX_ATTEMPTS = 17  # the proxy's maxAttempts: the 18th pop goes to the DLQ
AWAIT_MS = 5_000  # the rules' SimpleConsumers wait 5 s for an empty receive
DRAIN_INVISIBLE_MS = 60_000
QUIET_LIMIT_MS = 12 * 3600 * 1000
HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC"


class TxAnswer(enum.Enum):
    """What a local transaction, or the check listener, answers."""

    COMMIT = enum.auto()
    ROLLBACK = enum.auto()
    UNKNOW = enum.auto()
    RAISE = enum.auto()  # the local transaction raises: UNKNOW

    def state(self) -> LocalTransactionState:
        if self is TxAnswer.COMMIT:
            return LocalTransactionState.COMMIT_MESSAGE
        if self is TxAnswer.ROLLBACK:
            return LocalTransactionState.ROLLBACK_MESSAGE
        if self is TxAnswer.RAISE:
            raise RuntimeError("the order database is down")
        return LocalTransactionState.UNKNOW


# -- the operations ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Setup:
    simple: int  # SimpleConsumers s1..sN in ``coupon``
    pop_push: bool  # a ``points`` group with p1
    batch_size: int  # 0: no ``audit`` group; else b1's consume_message_batch_max_size
    ack_index: bool  # b1's listener sets ackIndex before a failure, instead of failing the batch


@dataclass(frozen=True, slots=True, kw_only=True)
class Send:
    key: str
    kind: KeyKind
    fails: int
    how: Failure
    fault: ReplyLoss | None
    resend: Resend


@dataclass(frozen=True, slots=True, kw_only=True)
class SendTx:
    key: str
    kind: KeyKind
    fails: int
    local: TxAnswer
    local_ms: int  # how long the local transaction takes
    check: TxAnswer  # what the check listener answers, until a Decide
    lose_end: bool
    fault: ReplyLoss | None  # the half send's reply is lost


@dataclass(frozen=True, slots=True)
class Decide:
    key: str
    answer: TxAnswer


@dataclass(frozen=True, slots=True)
class Receive:
    client: str
    n: int
    invisible_ms: int


@dataclass(frozen=True, slots=True)
class Ack:
    view: str


@dataclass(frozen=True, slots=True)
class Change:
    view: str
    invisible_ms: int
    old_handle: bool  # with the handle the view had before its last change (P18)


@dataclass(frozen=True, slots=True)
class Forget:
    view: str


@dataclass(frozen=True, slots=True)
class Leave:
    client: str  # an s* or a p*
    crash: bool


@dataclass(frozen=True, slots=True)
class Join:
    client: str


@dataclass(frozen=True, slots=True)
class Slow:
    key: str
    delay_ms: int


@dataclass(frozen=True, slots=True)
class BatchCrash:
    pass


@dataclass(frozen=True, slots=True)
class BatchRestart:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerCrash:
    delay_ms: int
    down_ms: int | None  # None: down until BrokerRestart
    os: bool


@dataclass(frozen=True, slots=True)
class BrokerRestart:
    pass


@dataclass(frozen=True, slots=True)
class Outage:
    delay_ms: int
    duration_ms: int


@dataclass(frozen=True, slots=True)
class Advance:
    ms: int


@dataclass(frozen=True, slots=True)
class Finish:
    """No new faults; the broker up, every group consuming, the coupon app draining."""


Op = (
    Setup
    | Send
    | SendTx
    | Decide
    | Receive
    | Ack
    | Change
    | Forget
    | Leave
    | Join
    | Slow
    | BatchCrash
    | BatchRestart
    | BrokerCrash
    | BrokerRestart
    | Outage
    | Advance
    | Finish
)


# -- what the trace says, checked at each event ------------------------------------------
@dataclass(slots=True)
class Stored:
    """A copy as ``MessageStored`` told it: ``cid`` names it for good (an OS crash lets
    a later copy reuse its offset msg id)."""

    cid: str
    mq: MessageQueue
    offset: int
    msg_id: str
    reconsume_times: int
    at_ms: int
    cut: bool = False  # an OS crash cut it


@dataclass(slots=True)
class Cut:
    """An OS crash at ``at_ms``: what each group had reached in each queue just before
    (``reached[(group, topic, queue)]``)."""

    at_ms: int
    reached: dict[tuple[str, str, int], int]


@dataclass(slots=True)
class Watch:
    """Follows the trace as it is written and checks what must hold at each event."""

    world: World
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # invariant -> breaks
    by_offset_id: dict[str, list[Stored]] = field(default_factory=dict)  # newest last
    root: dict[str, str] = field(default_factory=dict)  # cid -> cid of the business copy
    cuts: list[Cut] = field(default_factory=list)
    reached: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (group, topic, qid) -> offset
    high: dict[MessageQueue, int] = field(default_factory=dict)  # the highest max offset each queue had
    corrected_since_cut: set[tuple[str, str, int]] = field(default_factory=set)
    moved_past: list[OffsetCorrected] = field(default_factory=list)
    outcomes: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    excused_roots: set[str] = field(default_factory=set)  # an OS crash cut a copy of theirs
    sent_back: dict[str, str] = field(default_factory=dict)  # root -> group, a retry copy scheduled
    commit_ends: set[tuple[str, int]] = field(default_factory=set)  # (msg id, half offset) ended COMMIT
    halves: dict[int, str] = field(default_factory=dict)  # half offset -> msg id, alive
    half_fate: dict[int, str] = field(default_factory=dict)  # half offset -> checked/committed/...
    half_cut: set[str] = field(default_factory=set)  # msg ids of halves an OS crash cut
    down: list[tuple[int, int]] = field(default_factory=list)  # (crash ms, restart ms or -1)
    reviving: MessageRevived | None = None
    seen: set[str] = field(default_factory=set)

    def see(self, e: Event) -> None:
        match e:
            case MessageStored():
                self._stored(e)
            case MessageDelivered() | MessagePopped():
                self._delivered(e)
            case MessageRevived():
                self._revived(e)
            case MessageConsumed(status=status) if status == SUCCESS:
                self._outcome(e.group, e.offset_msg_id, e.msg_id, "success")
            case MessageAcked(via="client", took_effect=True):
                self._acked(e)
            case MessageDeadLettered():
                self._outcome(e.group, e.offset_msg_id, e.msg_id, "dlq")
                self.seen.add(f"MessageDeadLettered ({e.group})")
            case MessageSentBack():
                self._sent_back(e)
            case OffsetPersisted():
                self._offset(e)
            case OffsetCorrected():
                self.corrected_since_cut.add((e.group, e.topic, e.queue_id))
                self.moved_past.append(e)
                self.seen.add("OffsetCorrected")
            case AckRejected():
                if e.visible_ms > e.at_ms - self.world.network.latency_ms:
                    self.problems["revivals_and_receipt_handles_follow_the_pop_rules"].append(
                        f"{e}: refused, yet its handle was good until {e.visible_ms}"
                    )
                self.seen.add("AckRejected")
            case TransactionEnded(state=state) if state == COMMIT.value:
                self.commit_ends.add((e.msg_id, e.half_offset))
            case HalfMessageStored() | HalfMessageCommitted() | TransactionChecked():
                self._half(e)
            case HalfMessageRolledBack() | HalfMessageDiscarded():
                self.half_fate[e.half_offset] = type(e).__name__
                self.seen.add(type(e).__name__)
            case InvisibleTimeChanged(reason=reason):
                self.seen.add(f"InvisibleTimeChanged ({reason})")
            case ConsumeResultDiscarded():
                self.seen.add("ConsumeResultDiscarded")
            case BrokerCrashed():
                self.down.append((e.at_ms, -1))
                self.seen.add(f"broker crash ({e.how})")
            case BrokerRestarted():
                self.down[-1] = (self.down[-1][0], e.at_ms)
            case CommitLogTruncated():
                self._cut(e)
            case _:
                pass

    # -- copies ------------------------------------------------------------------------
    def _stored(self, e: MessageStored) -> None:
        mq = self.world.broker.store.queue(e.topic, e.queue_id)
        n = len(self.by_offset_id.get(e.offset_msg_id, ()))
        copy = Stored(f"{e.offset_msg_id}/{n}", mq, e.queue_offset, e.msg_id, e.reconsume_times, e.at_ms)
        self.by_offset_id.setdefault(e.offset_msg_id, []).append(copy)
        self.high[mq] = max(self.high.get(mq, 0), e.queue_offset + 1)
        revived, self.reviving = self.reviving, None
        if e.topic == TOPIC:
            self.root[copy.cid] = copy.cid
        elif revived is not None:
            self._check_revived_copy(revived, e)
            source = self.copy_of(revived.offset_msg_id, revived.msg_id)
            self.root[copy.cid] = self.root.get(source.cid, source.cid) if source else copy.cid
        else:
            msg = self.world.broker.store.look_up(e.offset_msg_id)
            origin = self.copy_of(msg.origin_msg_id, e.msg_id) if msg and msg.origin_msg_id else None
            self.root[copy.cid] = self.root.get(origin.cid, origin.cid) if origin else copy.cid
            if e.topic.startswith("%RETRY%"):
                self.sent_back.pop(self.root[copy.cid], None)

    def copy_of(self, offset_msg_id: str | None, msg_id: str) -> Stored | None:
        """The newest copy stored as ``offset_msg_id`` with ``msg_id``."""
        for copy in reversed(self.by_offset_id.get(offset_msg_id or "", ())):
            if copy.msg_id == msg_id:
                return copy
        return None

    def _delivered(self, e: MessageDelivered | MessagePopped) -> None:
        copy = self.copy_of(e.offset_msg_id, e.msg_id)
        what = f"{type(e).__name__} {e.msg_id} ({e.offset_msg_id}) to {e.group}/{e.client} at t={e.at_ms}"
        if copy is None:
            self.problems["every_delivered_copy_has_a_stored_source"].append(f"{what}: no such copy was ever stored")
            return
        where = (copy.mq.topic, copy.mq.queue_id, copy.offset)
        # a local retry (RetriedLocally) delivers the same copy with one more reconsume time
        local_retry = isinstance(e, MessageDelivered) and e.reconsume_times > copy.reconsume_times
        if where != (e.topic, e.queue_id, e.queue_offset) or (
            e.reconsume_times != copy.reconsume_times and not local_retry
        ):
            got = (e.topic, e.queue_id, e.queue_offset, e.reconsume_times)
            self.problems["every_delivered_copy_has_a_stored_source"].append(
                f"{what}: delivered as {got}, stored as {(*where, copy.reconsume_times)}"
            )
        now = self.world.broker.store.look_up(e.offset_msg_id)
        if (now is None or now.msg_id != e.msg_id) and not copy.cut:
            self.problems["every_delivered_copy_has_a_stored_source"].append(
                f"{what}: the copy is gone from the store, and no OS crash cut it"
            )
        key = (e.group, e.topic, e.queue_id)
        self.reached[key] = max(self.reached.get(key, 0), e.queue_offset + 1)

    def _outcome(self, group: str, offset_msg_id: str, msg_id: str, outcome: str) -> None:
        copy = self.copy_of(offset_msg_id, msg_id)
        if copy is None:
            self.problems["every_delivered_copy_has_a_stored_source"].append(
                f"{outcome} of {msg_id} ({offset_msg_id}) in {group}: no such copy was stored"
            )
            return
        self.outcomes[(group, self.root.get(copy.cid, copy.cid))].add(outcome)

    def _acked(self, e: MessageAcked) -> None:
        store = self.world.broker.store
        msgs = store.get(store.queue(e.topic, e.queue_id), e.queue_offset, 1) if e.topic in store.topics else []
        if msgs and msgs[0].msg_id == e.msg_id:
            self._outcome(e.group, msgs[0].offset_msg_id, e.msg_id, "success")

    def _sent_back(self, e: MessageSentBack) -> None:
        copy = self.copy_of(e.offset_msg_id, e.msg_id)
        if copy is not None:
            self.sent_back[self.root.get(copy.cid, copy.cid)] = e.group

    # -- POP ---------------------------------------------------------------------------
    def _revived(self, e: MessageRevived) -> None:
        self.reviving = e
        self.seen.add("MessageRevived")
        late = e.at_ms - e.visible_ms
        restarted = [r for c, r in self.down if r >= 0 and c <= e.at_ms and r >= e.visible_ms]
        on_time = REVIVE_LAG_MS < late <= REVIVE_LAG_MS + REVIVE_INTERVAL_MS
        after_restart = bool(restarted) and late > REVIVE_LAG_MS and e.at_ms <= restarted[-1] + REVIVE_INTERVAL_MS
        if not (on_time or after_restart):
            self.problems["revivals_and_receipt_handles_follow_the_pop_rules"].append(
                f"{e}: revived {late} ms after its invisible time (down: {self.down})"
            )

    def _check_revived_copy(self, e: MessageRevived, stored: MessageStored) -> None:
        expected_topic = e.topic if e.topic.startswith("%RETRY%") else pop_retry_topic(e.group, e.topic)
        got = (stored.topic, stored.queue_id, stored.msg_id, stored.reconsume_times)
        want = (expected_topic, 0, e.msg_id, e.reconsume_times + 1)
        if got != want or e.retry_topic != expected_topic:
            self.problems["revivals_and_receipt_handles_follow_the_pop_rules"].append(
                f"revival of {e.msg_id} stored as {got}, expected {want}"
            )
        source = self.copy_of(e.offset_msg_id, e.msg_id)
        if source is None or source.reconsume_times != e.reconsume_times:
            self.problems["revivals_and_receipt_handles_follow_the_pop_rules"].append(
                f"{e}: its source copy is {source}"
            )

    # -- offsets -----------------------------------------------------------------------
    def _offset(self, e: OffsetPersisted) -> None:
        store = self.world.broker.store
        if e.store != "broker" or e.topic not in store.topics:
            return
        mq = store.queue(e.topic, e.queue_id)
        key = (e.group, e.topic, e.queue_id)
        self.reached[key] = max(self.reached.get(key, 0), e.offset)
        if e.offset <= store.max_offset(mq):
            return
        if self.cuts and e.offset <= self.high.get(mq, 0) and key not in self.corrected_since_cut:
            self.seen.add("an offset past a queue an OS crash cut back")
            return  # within the queue before the crash: corrected at the next pull or pop
        self.problems["offsets_never_pass_a_queues_max_offset"].append(
            f"{e}: past the max offset {store.max_offset(mq)} of {mq}"
        )

    # -- transactions ------------------------------------------------------------------
    def _half(self, e: HalfMessageStored | TransactionChecked | HalfMessageCommitted) -> None:
        match e:
            case HalfMessageStored():
                self.halves[e.half_offset] = e.msg_id
            case TransactionChecked():
                self.half_fate[e.half_offset] = "checked"
                self.halves[e.copy_offset] = e.msg_id
                self.seen.add("TransactionChecked")
            case HalfMessageCommitted():
                self.half_fate[e.half_offset] = "committed"
                if (e.msg_id, e.half_offset) not in self.commit_ends:
                    self.problems["the_broker_commits_only_a_half_ended_with_commit"].append(
                        f"{e}: committed, yet nobody ended that half with a COMMIT"
                    )
                if e.commits > 1:
                    self.seen.add("one transaction committed twice (P16)")

    # -- OS crash ----------------------------------------------------------------------
    def _cut(self, e: CommitLogTruncated) -> None:
        """Mark what the crash cut; note what each group had reached before it."""
        self.seen.add("CommitLogTruncated")
        store = self.world.broker.store
        for offset_msg_id, copies in self.by_offset_id.items():
            copy = copies[-1]
            if copy.cut:
                continue
            msgs = store.get(copy.mq, copy.offset, 1)
            if not msgs or msgs[0].offset_msg_id != offset_msg_id or msgs[0].msg_id != copy.msg_id:
                copy.cut = True
                self.excused_roots.add(self.root.get(copy.cid, copy.cid))
        if e.scheduled_lost:
            self.excused_roots.update(self.sent_back)  # a retry copy waiting for its delay may be gone
        half_max = store.max_offset(store.queue(HALF_TOPIC, 0)) if HALF_TOPIC in store.topics else 0
        for offset in [o for o in self.halves if o >= half_max]:
            self.half_cut.add(self.halves.pop(offset))
            self.half_fate.pop(offset, None)
        self.cuts.append(Cut(e.at_ms, dict(self.reached)))
        self.corrected_since_cut.clear()

    def skipped(self, group: str, copy: Stored) -> bool:
        """Stored after an OS crash below the offset ``group`` had reached in its queue, or
        left below the offset a pull or pop of ``group`` was corrected to (``OFFSET_ILLEGAL``:
        the process queue is dropped, the results still running are discarded)."""
        key = (group, copy.mq.topic, copy.mq.queue_id)
        if any(cut.at_ms <= copy.at_ms and copy.offset < cut.reached.get(key, 0) for cut in self.cuts):
            return True
        return any(
            (e.group, e.topic, e.queue_id) == key and copy.at_ms <= e.at_ms and copy.offset < e.offset
            for e in self.moved_past
        )


# -- the harness: a world, the applications around it, and the operations -----------------
class Harness:
    """One world plus its applications; ``apply(op)`` is its only input."""

    def __init__(self, seed: int) -> None:
        self.world = w = World(seed=seed)
        self.errors: list[str] = []
        w.loop.set_exception_handler(self._loop_error)
        spawn = w.spawn

        def spawn_watched(coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
            task = spawn(coro, name)
            task.add_done_callback(self._task_done)
            return task

        w.spawn = spawn_watched  # type: ignore[method-assign]  # a task that raises is an error too
        self.watch = Watch(w)
        w.trace.subscribe(self.watch.see)
        w.broker.create_topic(TOPIC)
        self.producer = w.producer("order")
        self.tx = w.transaction_producer(TX_GROUP, self._check_listener)
        self.groups: list[str] = [SIMPLE]
        self.simple: dict[str, SimpleConsumer] = {}
        self.pop_push: dict[str, PopPushConsumer] = {}
        self.batch: PushConsumer | None = None
        self.ack_index = False
        self.views: dict[str, tuple[str, MessageView]] = {}  # label -> (client, view)
        self.left: set[str] = set()  # POP clients that crashed or shut down
        self.old_handles: dict[str, ReceiptHandle] = {}  # label -> the handle before its last change
        self.labels = 0
        self.kinds: dict[str, KeyKind] = {}
        self.fail_left: dict[tuple[str, str], int] = {}
        self.fail_how: dict[str, Failure] = {}
        self.answers: dict[str, TxAnswer] = {}  # what the check listener answers per key
        self.slow: dict[tuple[str, str], int] = {}  # (group, key) -> delay of its next call
        self.slowed: set[str] = set()
        self.planned_until = -1  # a planned crash and restart are due until then
        self.draining = False
        self.quiet = False

    def _loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if not message.startswith("Task was destroyed but it is pending"):
            self.errors.append(f"{message}: {context.get('exception')!r}")

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(f"task {task.get_name()} raised {task.exception()!r}")

    # -- the applications --------------------------------------------------------------
    def _fails(self, group: str, key: str) -> Failure | None:
        """How ``key``'s next call in ``group`` fails, or None when it succeeds."""
        if self.kinds.get(key) == KeyKind.POISON:
            return self.fail_how.get(key, Failure.RECONSUME_LATER)
        if self.fail_left.get((group, key), 0) > 0:
            self.fail_left[(group, key)] -= 1
            return self.fail_how.get(key, Failure.RECONSUME_LATER)
        return None

    def _status(self, group: str, key: str) -> Any:
        how = self._fails(group, key)
        if how is None:
            return ConsumeStatus.SUCCESS
        if how == Failure.EXCEPTION:
            raise RuntimeError(f"points service refused {key}")
        return None if how == Failure.NONE else ConsumeStatus.RECONSUME_LATER

    async def _points(self, msg: MessageExt) -> Any:
        delay = self.slow.pop((POP_PUSH, msg.keys[0]), 0)
        if delay:
            await asyncio.sleep(delay / 1000)
        return self._status(POP_PUSH, msg.keys[0])

    def _audit(self, msgs: list[MessageExt], context: ConsumeConcurrentlyContext) -> Any:
        for i, msg in enumerate(msgs):
            if self._fails(BATCH, msg.keys[0]) is not None:
                if self.ack_index:
                    context.ack_index = i - 1
                    return ConsumeStatus.SUCCESS
                return ConsumeStatus.RECONSUME_LATER
        return ConsumeStatus.SUCCESS

    def _check_listener(self, msg: MessageExt) -> LocalTransactionState:
        return self.answers.get(msg.keys[0], TxAnswer.UNKNOW).state()

    def _new_simple(self, client: str) -> None:
        c = self.world.simple_consumer(SIMPLE, TOPIC, name=client, await_duration_ms=AWAIT_MS)
        self.simple[client] = c
        c.start()

    def _new_pop_push(self, client: str) -> None:
        c = self.world.pop_push_consumer(POP_PUSH, TOPIC, self._points, name=client)
        self.pop_push[client] = c
        c.start()

    def running_simple(self) -> list[str]:
        return sorted(c for c, sc in self.simple.items() if sc.running)

    def running_pop_push(self) -> list[str]:
        """Running, and not shutting down (a graceful shutdown first finishes its receive)."""
        return sorted(c for c, pc in self.pop_push.items() if pc.running and c not in self.left)

    def planned(self) -> bool:
        """A planned broker crash or restart is still to come."""
        return self.world.now_ms <= self.planned_until

    # -- operations --------------------------------------------------------------------
    def apply(self, op: Op) -> None:
        w = self.world
        match op:
            case Setup():
                self._setup(op)
            case Send():
                self._send(op)
            case SendTx():
                self._send_tx(op)
            case Decide(key=key, answer=answer):
                self.answers[key] = answer
            case Receive():
                self._receive(op)
            case Ack() | Change():
                self._answer(op)
            case Forget(view=label):
                self.views.pop(label, None)
            case Leave(client=client, crash=crash):
                self._leave(client, crash)
            case Join(client=client) if client.startswith("s"):
                self._new_simple(client)
            case Join(client=client):
                self._new_pop_push(client)
            case Slow(key=key, delay_ms=delay):
                self.slow[(POP_PUSH, key)] = delay
                self.slowed.add(key)
                w.faults.slow_handler(delay, group=BATCH, key=key)
            case BatchCrash():
                assert self.batch is not None
                self.batch.crash()
            case BatchRestart():
                assert self.batch is not None
                self.batch.restart()
            case BrokerCrash(delay_ms=delay, down_ms=down, os=os):
                self._broker_crash(delay, down, os)
            case BrokerRestart():
                w.broker.restart()
            case Outage(delay_ms=delay, duration_ms=duration):
                w.faults.broker_outage(w.now_ms + delay, duration)
            case Advance(ms=ms):
                w.run_for(ms)
            case Finish():
                self._finish()

    def _setup(self, op: Setup) -> None:
        for n in range(1, op.simple + 1):
            self._new_simple(f"s{n}")
        if op.pop_push:
            self.groups.append(POP_PUSH)
            self._new_pop_push("p1")
        if op.batch_size:
            self.groups.append(BATCH)
            self.ack_index = op.ack_index
            self.batch = self.world.push_consumer(
                BATCH, TOPIC, self._audit, name="b1", batch=True, consume_message_batch_max_size=op.batch_size
            )
            self.batch.start()
        self.world.run_for(100)

    def _remember(self, key: str, kind: KeyKind, fails: int, how: Failure) -> None:
        self.kinds[key] = kind
        self.fail_how[key] = how
        if kind == KeyKind.FLAKY:
            for group in self.groups:
                self.fail_left[(group, key)] = fails

    def _send(self, op: Send) -> None:
        w, key = self.world, op.key
        self._remember(key, op.kind, op.fails, op.how)
        if op.fault is not None:
            w.faults.lose_send_reply(key=key, how=op.fault)
        msg = Message(TOPIC, key.encode(), keys=(key,))
        try:
            w.run(self.producer.send(msg))
            return
        except (SendTimeoutError, SendFailedError):
            if op.resend == Resend.NO:
                return
        again = msg if op.resend == Resend.SAME else Message(TOPIC, key.encode(), keys=(key,))
        with contextlib.suppress(SendTimeoutError, SendFailedError):
            w.run(self.producer.send(again))

    def _send_tx(self, op: SendTx) -> None:
        w, key = self.world, op.key
        self._remember(key, op.kind, op.fails, Failure.RECONSUME_LATER)
        self.answers[key] = op.check
        if op.lose_end:
            w.faults.lose_end_transaction(key=key)
        if op.fault is not None:
            w.faults.lose_send_reply(key=key, how=op.fault)

        async def local_transaction(msg: Message) -> LocalTransactionState:
            if op.local_ms:
                await asyncio.sleep(op.local_ms / 1000)
            return op.local.state()

        with contextlib.suppress(SendTimeoutError, SendFailedError):
            w.run(self.tx.send_in_transaction(Message(TOPIC, key.encode(), keys=(key,)), local_transaction))

    def _receive(self, op: Receive) -> None:
        c = self.simple[op.client]
        if not c.running:
            return
        begin = len(self.world.trace)
        try:
            views = self.world.run(c.receive(op.n, op.invisible_ms))
        except RemotingError:
            return
        for view in views:
            self.labels += 1
            self.views[f"v{self.labels}"] = (op.client, view)
        popped = sum(
            1 for e in self.world.trace.events[begin:] if isinstance(e, MessagePopped) and e.client == op.client
        )
        if popped < op.n:  # its last pop went through every queue, and corrected each
            self.watch.problems["offsets_never_pass_a_queues_max_offset"] += pop_offset_problems(self, SIMPLE)

    def _answer(self, op: Ack | Change) -> None:
        """Ack or change ``op.view``; the proxy refuses exactly an expired handle."""
        if op.view not in self.views:
            return
        client, view = self.views[op.view]
        c, w = self.simple[client], self.world
        if not c.running:
            return
        if isinstance(op, Change) and op.old_handle and op.view in self.old_handles:
            view = MessageView(view.message, self.old_handles[op.view], view.delivery_attempt)  # a stale copy
        visible, arrives = view.receipt_handle.visible_ms, w.now_ms + w.network.latency_ms
        try:
            if isinstance(op, Ack):
                w.run(c.ack(view))
                del self.views[op.view]
            else:
                before = view.receipt_handle
                w.run(c.change_invisible_duration(view, op.invisible_ms))
                self.old_handles[op.view] = before
            refused = False
        except InvalidReceiptHandle:
            refused = True
            self.views.pop(op.view, None)
        except RemotingError:
            return  # the broker is unreachable: the application keeps the view
        if refused != (visible <= arrives):
            self.watch.problems["revivals_and_receipt_handles_follow_the_pop_rules"].append(
                f"{op} at t={arrives}: refused={refused}, the handle was good until {visible}"
            )

    def _leave(self, client: str, crash: bool) -> None:
        c: SimpleConsumer | PopPushConsumer = self.simple[client] if client.startswith("s") else self.pop_push[client]
        self.left.add(client)
        if crash:
            c.crash()
        else:
            c.shutdown()
        for label in [label for label, (owner, _) in self.views.items() if owner == client]:
            del self.views[label]

    def _broker_crash(self, delay: int, down: int | None, os: bool) -> None:
        w = self.world
        at = w.now_ms + delay
        if down is None:
            w.run_until(at)
            w.broker.crash(lose_unflushed=os)
            return
        w.broker_crash(at, down_ms=down, lose_unflushed=os)
        self.planned_until = at + down

    # -- the end -----------------------------------------------------------------------
    def _finish(self) -> None:
        w = self.world
        if self.planned():
            w.run_until(self.planned_until + 1)
        if not w.broker.alive:
            w.broker.restart()
        for key, answer in self.answers.items():
            if answer in (TxAnswer.UNKNOW, TxAnswer.RAISE):
                self.answers[key] = TxAnswer.COMMIT
        self.views.clear()  # the application forgets what it held: revived later
        if not self.running_simple():
            self._new_simple("s-final")
        if POP_PUSH in self.groups and not self.running_pop_push():
            self._new_pop_push("p-final")
        if self.batch is not None and not self.batch.running:
            self.batch.restart()
        self.draining = True
        w.spawn(self._drain(), "coupon application")
        self.quiet = w.run_until_quiet(QUIET_LIMIT_MS, busy=self._draining_busy)
        self.draining = False

    def _draining_busy(self) -> bool:
        return bool(self.world.broker.pops.backlog(SIMPLE, TOPIC))

    async def _drain(self) -> None:
        """The coupon application, to the end: receive, ack, nack what fails."""
        while self.draining:
            running = self.running_simple()
            if not running:
                await asyncio.sleep(1)
                continue
            c = self.simple[running[0]]
            try:
                views = await c.receive(32, DRAIN_INVISIBLE_MS)
            except RemotingError:
                await asyncio.sleep(1)
                continue
            for view in views:
                with contextlib.suppress(InvalidReceiptHandle, RemotingError):
                    if self._fails(SIMPLE, view.keys[0]) is None:
                        await c.ack(view)
                    else:
                        await c.change_invisible_duration(view, 0)

    def drained(self) -> bool:
        return self.quiet and not self.world.broker.stats().down


def pop_offset_problems(h: Harness, group: str) -> list[str]:
    """Offsets of ``group`` past the end of a queue of the topic or its POP retry topic."""
    broker, store = h.world.broker, h.world.broker.store
    queues = store.queues(TOPIC)
    retry = pop_retry_topic(group, TOPIC)
    if retry in store.topics:
        queues.append(store.queue(retry, 0))
    problems = []
    for mq in queues:
        offset = broker.query_offset(group, mq)
        if offset is not None and offset > store.max_offset(mq) and not empty_after_a_cut(h, group, mq):
            problems.append(f"{group} {mq} at t={h.world.now_ms}: offset {offset} past the max {store.max_offset(mq)}")
    return problems


def empty_after_a_cut(h: Harness, group: str, mq: MessageQueue) -> bool:
    """A POP group's offset may stay past a queue an OS crash emptied: a pop corrects
    ``OFFSET_OVERFLOW_BADLY``, not ``NO_MESSAGE_IN_QUEUE``."""
    return group in (SIMPLE, POP_PUSH) and bool(h.watch.cuts) and h.world.broker.store.max_offset(mq) == 0


def replay(seed: int, ops: list[Op]) -> str:
    """The trace of ``ops`` applied to a fresh world with ``seed``, as JSON lines."""
    h = Harness(seed)
    try:
        for op in ops:
            h.apply(op)
        return h.world.trace.to_jsonl()
    finally:
        h.world.close()


# -- the strategies: what a rule may act on, drawn by name --------------------------------
def running_simple() -> st.SearchStrategy[str]:
    """A SimpleConsumer that is running."""
    return st.runner().flatmap(lambda m: st.sampled_from(m.harness.running_simple()))


def running_pop() -> st.SearchStrategy[str]:
    """A POP client of either kind that is running."""
    return st.runner().flatmap(lambda m: st.sampled_from(m.harness.running_simple() + m.harness.running_pop_push()))


def new_pop_client() -> st.SearchStrategy[str]:
    """The next SimpleConsumer (``s<n>``) or push consumer on POP (``p<n>``) to join."""
    return st.runner().flatmap(lambda m: st.sampled_from(m.joinable()))


def held_view() -> st.SearchStrategy[str]:
    """A view the application still holds (``v<n>``, in the order received)."""
    return st.runner().flatmap(lambda m: st.sampled_from(sorted(m.harness.views, key=lambda v: int(v[1:]))))


def new_key() -> st.SearchStrategy[str]:
    """The business key of the next message: ``order-1``, ``order-2``, ..."""
    return st.runner().flatmap(lambda m: st.just(f"order-{len(m.keys) + 1}"))


def tx_key() -> st.SearchStrategy[str]:
    """The key of a transactional message already sent."""
    return st.runner().flatmap(lambda m: st.sampled_from(m.tx_keys))


def sent_or_next_key() -> st.SearchStrategy[str]:
    return st.runner().flatmap(lambda m: st.sampled_from([f"order-{len(m.keys) + 1}", *m.keys]))


key_kinds = st.sampled_from([KeyKind.OK, KeyKind.OK, KeyKind.FLAKY, KeyKind.POISON])
failures = st.sampled_from(Failure)
send_faults = st.sampled_from([None, None, ReplyLoss.TIMEOUT, ReplyLoss.FAST_FAIL])
tx_answers = st.sampled_from(TxAnswer)
check_answers = st.sampled_from([TxAnswer.COMMIT, TxAnswer.ROLLBACK, TxAnswer.UNKNOW])
local_ms = st.one_of(st.just(0), st.integers(1, 3_000), st.integers(6_000, 70_000))
invisible_ms = st.one_of(st.integers(10_000, 40_000), st.sampled_from([60_000, 180_000]))
change_ms = st.one_of(st.just(0), st.integers(1, 40_000), st.just(180_000))
slow_ms = st.one_of(st.integers(1, 5_000), st.integers(50_000, 90_000), st.sampled_from([20 * 60_000, 190 * 60_000]))
advance_ms = st.one_of(
    st.integers(1, 200), st.integers(200, 5_000), st.integers(5_000, 60_000), st.sampled_from([5 * 60_000])
)


# -- the state machine ---------------------------------------------------------------------
class BrokerMachineV5(RuleBasedStateMachine):
    """Rules are verbs applied to a world; the invariants hold after each."""

    def __init__(self) -> None:
        super().__init__()
        self.h: Harness | None = None
        self.seed = 0
        self.ops: list[Op] = []
        self.keys: list[str] = []
        self.tx_keys: list[str] = []
        self.named = {"s": 0, "p": 0}

    @property
    def harness(self) -> Harness:
        assert self.h is not None
        return self.h

    def do(self, op: Op) -> None:
        self.ops.append(op)
        self.harness.apply(op)

    def joinable(self) -> list[str]:
        h, out = self.harness, []
        if len(h.running_simple()) < MAX_SIMPLE:
            out.append(f"s{self.named['s'] + 1}")
        if POP_PUSH in h.groups and len(h.running_pop_push()) < MAX_POP_PUSH:
            out.append(f"p{self.named['p'] + 1}")
        return out

    def broker_up(self) -> bool:
        return self.harness.world.broker.alive and not self.harness.planned()

    def broker_left_down(self) -> bool:
        return not self.harness.world.broker.alive and not self.harness.planned()

    # -- set-up --------------------------------------------------------------------------
    @initialize(
        seed=st.integers(0, 2**16),
        simple=st.integers(1, 2),
        pop_push=st.booleans(),
        batch_size=st.sampled_from([0, 2, 4]),
        ack_index=st.booleans(),
    )
    def setup(self, seed: int, simple: int, pop_push: bool, batch_size: int, ack_index: bool) -> None:
        self.seed = seed
        self.h = Harness(seed)
        self.named = {"s": simple, "p": int(pop_push)}
        self.do(Setup(simple=simple, pop_push=pop_push, batch_size=batch_size, ack_index=ack_index))

    # -- producers -----------------------------------------------------------------------
    @rule(
        key=new_key(),
        kind=key_kinds,
        fails=st.integers(1, 3),
        how=failures,
        fault=send_faults,
        resend=st.sampled_from(Resend),
    )
    def send(self, key: str, kind: KeyKind, fails: int, how: Failure, fault: ReplyLoss | None, resend: Resend) -> None:
        self.keys.append(key)
        self.do(Send(key=key, kind=kind, fails=fails, how=how, fault=fault, resend=resend))

    @rule(
        key=new_key(),
        kind=key_kinds,
        fails=st.integers(1, 3),
        local=tx_answers,
        local_ms=local_ms,
        check=check_answers,
        lose_end=st.booleans(),
        fault=st.sampled_from([None, None, None, ReplyLoss.FAST_FAIL]),
    )
    def send_in_transaction(
        self,
        key: str,
        kind: KeyKind,
        fails: int,
        local: TxAnswer,
        local_ms: int,
        check: TxAnswer,
        lose_end: bool,
        fault: ReplyLoss | None,
    ) -> None:
        """A half message, its local transaction, its END (lost, maybe)."""
        self.keys.append(key)
        self.tx_keys.append(key)
        op = SendTx(
            key=key, kind=kind, fails=fails, local=local, local_ms=local_ms, check=check, lose_end=lose_end, fault=fault
        )
        self.do(op)

    @precondition(lambda self: bool(self.tx_keys))
    @rule(key=tx_key(), answer=check_answers)
    def decide(self, key: str, answer: TxAnswer) -> None:
        """From now on the check listener answers ``answer`` for ``key``."""
        self.do(Decide(key, answer))

    # -- SimpleConsumers -----------------------------------------------------------------
    @precondition(lambda self: bool(self.harness.running_simple()))
    @rule(client=running_simple(), n=st.integers(1, 6), invisible_ms=invisible_ms)
    def receive(self, client: str, n: int, invisible_ms: int) -> None:
        self.do(Receive(client, n, invisible_ms))

    @precondition(lambda self: bool(self.harness.views))
    @rule(view=held_view())
    def ack(self, view: str) -> None:
        self.do(Ack(view))

    @precondition(lambda self: bool(self.harness.views))
    @rule(view=held_view(), invisible_ms=change_ms, old_handle=st.booleans())
    def change_invisible_duration(self, view: str, invisible_ms: int, old_handle: bool) -> None:
        """An extension or a nack (0 ms); ``old_handle``: with the handle ``view`` had
        before its last change, which writes a checkpoint of its own (P18)."""
        self.do(Change(view, invisible_ms, old_handle))

    @precondition(lambda self: bool(self.harness.views))
    @rule(view=held_view())
    def forget(self, view: str) -> None:
        """The application never answers ``view``: it comes back after its invisible time."""
        self.do(Forget(view))

    # -- POP clients come and go -----------------------------------------------------------
    @precondition(lambda self: len(self.harness.running_simple() + self.harness.running_pop_push()) > 1)
    @rule(client=running_pop(), crash=st.booleans())
    def leave(self, client: str, crash: bool) -> None:
        self.do(Leave(client, crash))

    @precondition(lambda self: bool(self.joinable()))
    @rule(client=new_pop_client())
    def join(self, client: str) -> None:
        self.named[client[0]] += 1
        self.do(Join(client))

    @rule(key=sent_or_next_key(), delay_ms=slow_ms)
    def slow(self, key: str, delay_ms: int) -> None:
        """The next call of ``key``'s listener in ``points`` and ``audit`` is slow."""
        self.do(Slow(key, delay_ms))

    # -- the batch consumer ----------------------------------------------------------------
    @precondition(lambda self: self.harness.batch is not None and self.harness.batch.running)
    @rule()
    def batch_consumer_crashes(self) -> None:
        self.do(BatchCrash())

    @precondition(lambda self: self.harness.batch is not None and not self.harness.batch.running)
    @rule()
    def batch_consumer_restarts(self) -> None:
        self.do(BatchRestart())

    # -- the broker ----------------------------------------------------------------------
    @precondition(lambda self: self.broker_up())
    @rule(
        delay_ms=st.integers(0, 20_000),
        down_ms=st.one_of(st.none(), st.integers(1, 5_000), st.integers(5_000, 90_000)),
        os=st.booleans(),
    )
    def broker_crash(self, delay_ms: int, down_ms: int | None, os: bool) -> None:
        """The broker dies ``delay_ms`` from now (``os``: with its machine) and restarts
        ``down_ms`` later (None: when ``broker_restart`` says)."""
        self.do(BrokerCrash(delay_ms=delay_ms, down_ms=down_ms, os=os))

    @precondition(lambda self: self.broker_left_down())
    @rule()
    def broker_restart(self) -> None:
        self.do(BrokerRestart())

    @rule(delay_ms=st.integers(0, 2_000), duration_ms=st.integers(1, 10_000))
    def outage(self, delay_ms: int, duration_ms: int) -> None:
        """The network to the broker fails for a while: requests fail, oneways are lost."""
        self.do(Outage(delay_ms, duration_ms))

    @rule(ms=advance_ms)
    def advance(self, ms: int) -> None:
        self.do(Advance(ms))

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def the_engine_raised_nothing(self) -> None:
        if self.h is not None:
            assert not self.h.errors, "the engine raised:\n" + "\n".join(self.h.errors[:5])

    def _holds(self, invariant: str) -> None:
        """What ``Watch`` found against ``invariant``, at an event or a request, so far."""
        if self.h is not None:
            broken = self.h.watch.problems.get(invariant, [])
            assert not broken, f"{invariant}:\n" + "\n".join(broken[:8])

    @invariant()
    def every_delivered_copy_has_a_stored_source(self) -> None:
        """A delivered, popped, consumed or dead-lettered copy was stored with that msg id,
        queue, offset and reconsume times (one more after a local retry), and is still
        stored unless an OS crash cut it since."""
        self._holds("every_delivered_copy_has_a_stored_source")

    @invariant()
    def offsets_never_pass_a_queues_max_offset(self) -> None:
        """No committed offset passes its queue's end, except one within it before an OS
        crash cut the queue back, until a pull or pop corrects it; none of ``coupon`` is
        past an end after a receive that went through every queue."""
        self._holds("offsets_never_pass_a_queues_max_offset")

    @invariant()
    def revivals_and_receipt_handles_follow_the_pop_rules(self) -> None:
        """A revived copy: the same msg id, one more reconsume time, in the POP retry topic,
        2 to 3 s after its invisible time (or within 1 s of a restart). An ack or a change
        is refused exactly when its handle had expired when it arrived."""
        self._holds("revivals_and_receipt_handles_follow_the_pop_rules")

    @invariant()
    def the_broker_commits_only_a_half_ended_with_commit(self) -> None:
        """A half is committed only by a COMMIT (the producer's or a check listener's) for
        that very entry: a rolled-back or unknown one never reaches the topic."""
        self._holds("the_broker_commits_only_a_half_ended_with_commit")

    @invariant()
    def retries_follow_rocketmqs_rules(self) -> None:
        if self.h is not None:
            broken = retry_violations(self.h.world.trace, until_ms=self.h.world.now_ms)
            assert not broken, "retry rules broken:\n" + "\n".join(map(str, broken[:10]))

    # -- the end -------------------------------------------------------------------------
    def teardown(self) -> None:
        h, aside = self.h, None
        if h is None:
            return
        try:
            if sys.exc_info()[1] is not None:
                return  # report the failure itself, not a consequence of it
            self.ops.append(Finish())
            seed, ops = self.seed, list(self.ops)
            aside = ReplayAside(lambda: replay(seed, ops))
            h.apply(Finish())
            gc.collect()  # a task that raised reports it when it is collected
            self.the_engine_raised_nothing()
            assert h.drained(), f"the world did not get quiet in 12 virtual hours: {h.world.broker.stats()}"
            self.every_delivered_copy_has_a_stored_source()
            self.offsets_never_pass_a_queues_max_offset()
            self.revivals_and_receipt_handles_follow_the_pop_rules()
            self.the_broker_commits_only_a_half_ended_with_commit()
            self.retries_follow_rocketmqs_rules()
            self.every_offset_is_within_its_queue()
            self.nothing_acknowledged_is_lost()
            self.every_half_is_resolved()
            self.a_calm_pop_push_group_delivers_a_poison_message_17_times()
            assert_same_trace(h.world.trace.to_jsonl(), aside.collect())
            for what in sorted(h.watch.seen):
                event(f"seen: {what}")
        finally:
            if aside is not None:
                aside.close()
            h.world.close()

    def every_offset_is_within_its_queue(self) -> None:
        h = self.harness
        broker, store = h.world.broker, h.world.broker.store
        for group in h.groups:
            for topic in sorted(store.topics):
                for mq in store.queues(topic):
                    offset = broker.query_offset(group, mq)
                    assert offset is None or offset <= store.max_offset(mq) or empty_after_a_cut(h, group, mq), (
                        f"{group} {mq}: offset {offset} past the max {store.max_offset(mq)} at the end"
                    )

    def nothing_acknowledged_is_lost(self) -> None:
        h = self.harness
        watch, trace = h.watch, h.world.trace
        report = check(trace)
        assert not report.retry_violations, report.retry_violations[:5]
        excused_ids = {c.msg_id for copies in watch.by_offset_id.values() for c in copies if c.cut} | watch.half_cut
        for lost in report.lost:
            copies = [c for cs in watch.by_offset_id.values() for c in cs if c.msg_id == lost.msg_id]
            if lost.msg_id in excused_ids or any(watch.skipped(lost.group, c) for c in copies):
                watch.seen.add("a message lost to an OS crash")
                continue
            raise AssertionError(f"lost: {lost} (stored as {copies})")
        for copy in h.world.broker.copies(TOPIC):
            stored = watch.copy_of(copy.offset_msg_id, copy.msg_id)
            assert stored is not None, f"{copy.offset_msg_id} stored without MessageStored"
            for group in h.groups:
                got = watch.outcomes.get((group, stored.cid), set())
                if not got:
                    assert stored.cid in watch.excused_roots or watch.skipped(group, stored), (
                        f"{group}: stored copy {stored} of {copy.keys[0]} was never consumed nor dead-lettered"
                    )
                    watch.seen.add("a copy skipped or cut by an OS crash")
                elif h.kinds.get(copy.keys[0]) == KeyKind.POISON and group != SIMPLE:
                    assert got == {"dlq"}, f"{group}: always-failing {copy.keys[0]} ended {got}"

    def every_half_is_resolved(self) -> None:
        watch = self.harness.watch
        for offset, msg_id in sorted(watch.halves.items()):
            fate = watch.half_fate.get(offset)
            assert fate is not None, f"half {offset} of {msg_id} was never checked, committed, rolled back or discarded"

    def a_calm_pop_push_group_delivers_a_poison_message_17_times(self) -> None:
        h = self.harness
        trace = h.world.trace
        if POP_PUSH not in h.groups or trace.of(BrokerCrashed) or len(h.pop_push) != 1:
            return
        if any(e.group == POP_PUSH for e in trace.of(ConsumerCrashed) + trace.of(ConsumerShutdown)):
            return
        attempts: dict[str, list[int]] = defaultdict(list)
        for d in trace.of(MessageDelivered):
            if d.group == POP_PUSH:
                attempts[d.msg_id].append(d.reconsume_times + 1)
        dead = Counter(e.msg_id for e in trace.of(MessageDeadLettered) if e.group == POP_PUSH)
        copies = Counter(c.msg_id for c in h.world.broker.copies(TOPIC))
        for msg_id, n in sorted(copies.items()):
            key = h.world.broker.store.query_by_msg_id(msg_id)[0].keys[0]
            if h.kinds.get(key) != KeyKind.POISON or key in h.slowed:
                continue
            assert sorted(attempts[msg_id]) == sorted(list(range(1, POP_MAX_ATTEMPTS + 1)) * n), attempts[msg_id]
            assert dead[msg_id] == n, f"{msg_id}: dead-lettered {dead[msg_id]} times for {n} copies"
            h.watch.seen.add("17 deliveries of a poison message in a calm POP group")


# Each example drains its world for up to hours of virtual time (the retry ladders) and
# replays it aside, so the profiles take fewer examples than their defaults.
PROFILE = settings.get_current_profile_name()
EXAMPLES = {"ci": 8, "thorough": 300}
STEPS = {"ci": 25, "thorough": 40}
BrokerMachineV5.TestCase.settings = settings(
    settings.default,
    stateful_step_count=STEPS.get(PROFILE, 25),
    max_examples=EXAMPLES.get(PROFILE, settings.default.max_examples),
)
TestBrokerMachineV5 = BrokerMachineV5.TestCase
