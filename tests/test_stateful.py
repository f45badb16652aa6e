"""A Hypothesis state machine that drives one world through random faults.

What it explores: one topic (4 queues), a churned group ``coupon`` with 1-3 consumers
(``c1``, ``c2``, ...) and, optionally, a calm group ``audit`` with one consumer (``a1``)
that nothing but broker-wide faults ever touches. The rules are the steps: sends (some
with a lost reply, ``timeout`` or ``fast_fail``, after which the application re-sends the
same ``Message`` object, a new one, or gives up), consumer crashes (now, or armed at a
``CrashPoint`` for one key), restarts, graceful shutdowns, consumers joining and leaving
(rebalance), keys whose handler fails a few times or always (``RECONSUME_LATER``, an
exception or ``None``), slow handlers (up to a minute, so messages are in flight across
rebalances), lost offset persists, short broker outages and virtual time passing.

Each rule draws what it acts on with a named strategy (``running_client()``,
``new_key()``, ...), so a counterexample reads ``state.crash(client='c2')`` or
``state.send(key='order-3', ...)``. A rule records one typed operation (``Send``,
``Crash``, ...) and ``Harness.apply`` performs it, a pure function of (world, operation):
teardown replays the operations in a fresh world with the same seed and demands a
byte-identical trace.

Invariants, after every step (and, for offsets, at every offset event within a step):
- ``local_offsets_never_pass_an_unfinished_message``: for each running consumer and
  assigned queue, the local offset is <= the smallest offset in its process queue, and
  never past the queue's end.
- ``broker_offsets_never_pass_an_unfinished_message``: the broker's offset is held to the
  same bound when this consumer wrote it during its current ownership of the queue (an old
  owner's late oneway persist, or a pull that raced a rebalance, may legitimately put the
  broker ahead: RocketMQ §4, P7).
- ``retries_follow_rocketmqs_rules``: ``minimq.check.retry_violations`` finds nothing
  (§5.2, §5.3: taken back once per failure, level 3 + r, stored when due at r + 1,
  dead-lettered at 16, retried only after a failure).
At teardown (no new fault armed; each group given a running consumer, again whenever a
fault armed earlier still crashes one; >= 5 virtual hours run, until nothing is scheduled
or in flight), also:
- ``nothing_stored_is_lost``: ``check.lost_messages`` is empty, and every stored copy of
  the topic ends, in every group, in a success or (always-failing keys only) the DLQ.
- ``calm_groups_retry_an_always_failing_message_16_times``: in a group that no crash,
  shutdown or rebalance touched, an always-failing message is delivered exactly 17 times
  per stored copy (reconsume times 0..16), plus one per local retry, and dead-lettered
  once per copy.
- ``replay_gives_the_same_trace``: the same operations in a fresh world with the same seed
  give the same trace, byte for byte (the replay runs in a forked child, on the other
  core, while this world drains).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from stateful_support import ReplayAside, assert_same_trace

from minimq import ConsumeStatus, CrashPoint, Message, MessageExt, SendFailedError, SendTimeoutError, World
from minimq.check import lost_messages, retry_violations
from minimq.events import (
    ConsumerCrashed,
    ConsumeResultDiscarded,
    ConsumerShutdown,
    ConsumerStarted,
    Event,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    OffsetCommittedLocally,
    OffsetPersisted,
    Rebalanced,
    RetriedLocally,
)
from minimq.runtime.push_consumer import PushConsumer
from minimq.sim.faults import ReplyLoss

TOPIC = "order-paid"
CHURN = "coupon"  # 1-3 consumers: crashes, restarts, shutdowns, joins, leaves
CALM = "audit"  # one consumer, never crashed, shut down or joined: exact retry counts
MAX_RECONSUME = 16  # maxReconsumeTimes -1 -> 16 (concurrent)
SUCCESS = ConsumeStatus.SUCCESS.value
HOUR_MS = 3600 * 1000
DRAIN_MIN_MS = 5 * HOUR_MS  # the retry ladder is 4 h 45 min 40 s
DRAIN_MAX_MS = 12 * HOUR_MS
DRAIN_CHUNK_MS = 10 * 60 * 1000
MAX_CHURN = 3


# -- what a key's handler does, and what the application does after a failed send ------
# Plain enums, not StrEnum: Hypothesis prints a member as ``KeyKind.POISON``.
class KeyKind(enum.Enum):
    OK = enum.auto()
    FLAKY = enum.auto()  # fails a few times in every group, then succeeds
    POISON = enum.auto()  # fails for ever: dead-lettered after 16 retries


class Failure(enum.Enum):
    RECONSUME_LATER = enum.auto()
    EXCEPTION = enum.auto()
    NONE = enum.auto()  # the handler returns None, which RocketMQ counts as a failure


class Resend(enum.Enum):
    NO = enum.auto()  # give up
    SAME = enum.auto()  # send the same Message object again: same msg id
    NEW = enum.auto()  # build a new Message: a new msg id


# -- the operations: one typed value per kind of step ------------------------------------
@dataclass(frozen=True, slots=True)
class Setup:
    groups: tuple[str, ...]
    churn: int  # consumers c1..cN in the churned group
    async_handlers: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Send:
    key: str
    kind: KeyKind
    fails: int  # how often a FLAKY key fails in each group
    how: Failure
    fault: ReplyLoss | None  # the send's reply is lost ``times`` times
    times: int
    resend: Resend


@dataclass(frozen=True, slots=True, kw_only=True)
class FailKey:
    group: str
    key: str
    times: int
    how: Failure


@dataclass(frozen=True, slots=True)
class Slow:
    key: str
    delay_ms: int
    times: int


@dataclass(frozen=True, slots=True)
class Crash:
    client: str


@dataclass(frozen=True, slots=True)
class ArmCrash:
    client: str
    point: CrashPoint
    key: str


@dataclass(frozen=True, slots=True)
class Restart:
    client: str


@dataclass(frozen=True, slots=True)
class Shutdown:
    client: str


@dataclass(frozen=True, slots=True)
class Join:
    client: str


@dataclass(frozen=True, slots=True)
class Leave:
    client: str


@dataclass(frozen=True, slots=True)
class LosePersist:
    group: str
    times: int


@dataclass(frozen=True, slots=True)
class Outage:
    delay_ms: int
    duration_ms: int


@dataclass(frozen=True, slots=True)
class Advance:
    ms: int


@dataclass(frozen=True, slots=True)
class Finish:
    """No new faults; every group gets a running consumer, and the retries drain."""


MessageOp = Send | FailKey | Slow  # what is sent, and how its handler behaves
ConsumerOp = Crash | ArmCrash | Restart | Shutdown | Join | Leave
WorldOp = Setup | LosePersist | Outage | Advance | Finish
Op = MessageOp | ConsumerOp | WorldOp


# -- who owns a queue, and who last wrote its broker offset ------------------------------
@dataclass(frozen=True, slots=True)
class Write:
    """The last offset the broker took for a (group, queue), and who sent it."""

    client: str
    at_ms: int
    offset: int


class Ownership:
    """Follows the trace as it is written: since when each client owns each queue, and
    the last offset write of each (group, queue)."""

    def __init__(self) -> None:
        self.owner_since: dict[tuple[str, str, int], int] = {}  # (client, topic, queue) -> ms
        self.last_write: dict[tuple[str, str, int], Write] = {}  # (group, topic, queue)

    def see(self, e: Event) -> None:
        match e:
            case ConsumerStarted() | ConsumerCrashed() | ConsumerShutdown():
                for k in [k for k in self.owner_since if k[0] == e.client]:
                    del self.owner_since[k]
            case Rebalanced():
                for qid in set(e.before) - set(e.after):
                    self.owner_since.pop((e.client, e.topic, qid), None)
                for qid in set(e.after) - set(e.before):
                    self.owner_since[(e.client, e.topic, qid)] = e.at_ms
            case OffsetPersisted():
                self.last_write[(e.group, e.topic, e.queue_id)] = Write(e.client, e.at_ms, e.offset)


# -- the harness: a world, the application around it, and the operations ----------------
class Harness:
    """One world plus the application around it; ``apply(op)`` is its only input."""

    def __init__(self, seed: int) -> None:
        self.world = World(seed=seed)
        self.ownership = Ownership()
        # what the offset invariants found at an offset event within a step
        self.local_offsets_seen: list[str] = []
        self.broker_offsets_seen: list[str] = []
        self.world.trace.subscribe(self._on_event)
        self.world.broker.create_topic(TOPIC)
        self.producer = self.world.producer("order")
        self.groups: list[str] = []
        self.consumers: dict[str, PushConsumer] = {}
        self.left: set[str] = set()
        self.poison: dict[str, Failure] = {}  # key -> how it fails, always
        self.fail_left: dict[tuple[str, str], int] = {}  # (group, key) -> failures to come
        self.fail_how: dict[str, Failure] = {}
        self.async_handlers = False
        self.seen: set[str] = set()  # which checks had something to bite on

    def _on_event(self, e: Event) -> None:
        self.ownership.see(e)
        if isinstance(e, OffsetPersisted | OffsetCommittedLocally):
            # the offset invariants at every moment an offset moves, not only between steps
            where = f"at {type(e).__name__}"
            self.local_offsets_seen += [f"{where}: {p}" for p in local_offset_problems(self)]
            self.broker_offsets_seen += [f"{where}: {p}" for p in broker_offset_problems(self)]

    # -- application behaviour -----------------------------------------------------------
    def _outcome(self, group: str, key: str) -> Any:
        how = self.poison.get(key)
        if how is None and self.fail_left.get((group, key), 0) > 0:
            self.fail_left[(group, key)] -= 1
            how = self.fail_how.get(key, Failure.RECONSUME_LATER)
        if how is None:
            return ConsumeStatus.SUCCESS
        if how == Failure.EXCEPTION:
            raise RuntimeError(f"downstream refused {key}")
        return None if how == Failure.NONE else ConsumeStatus.RECONSUME_LATER

    def _handler(self, group: str) -> Callable[[MessageExt], Any]:
        if self.async_handlers:

            async def handle_async(msg: MessageExt) -> Any:
                await asyncio.sleep(0)  # an IN_HANDLER crash lands here, before any effect
                return self._outcome(group, msg.keys[0])

            return handle_async

        def handle(msg: MessageExt) -> Any:
            return self._outcome(group, msg.keys[0])

        return handle

    def _new_consumer(self, group: str, client: str) -> None:
        c = self.world.push_consumer(group, TOPIC, self._handler(group), name=client)
        self.consumers[client] = c
        c.start()

    def churn_clients(self) -> list[str]:
        """Consumers of the churned group that have not left for good, sorted."""
        return sorted(c for c, pc in self.consumers.items() if pc.group == CHURN and c not in self.left)

    # -- operations ----------------------------------------------------------------------
    def apply(self, op: Op) -> None:
        w = self.world
        match op:
            case Setup():
                self._setup(op)
            case Send():
                self._send(op)
            case FailKey(group=group, key=key, times=times, how=how) if key not in self.poison:
                self.fail_left[(group, key)] = min(self.fail_left.get((group, key), 0) + times, 5)
                self.fail_how[key] = how
            case FailKey():
                pass  # an always-failing key fails anyway
            case Slow(key=key, delay_ms=delay, times=times):
                w.faults.slow_handler(delay, key=key, times=times)
            case Crash(client=client):
                self.consumers[client].crash()
            case ArmCrash(client=client, point=point, key=key):
                w.faults.crash_consumer(client, point, key=key)
            case Restart(client=client) if not self.consumers[client].running:
                self.consumers[client].restart()
            case Restart():
                pass
            case Shutdown(client=client):
                self.consumers[client].shutdown()
            case Join(client=client):
                self._new_consumer(CHURN, client)
            case Leave(client=client):
                self.consumers[client].shutdown()
                self.left.add(client)
            case LosePersist(group=group, times=times):
                w.faults.lose_offset_persist(group=group, times=times)
            case Outage(delay_ms=delay, duration_ms=duration):
                w.faults.broker_outage(w.now_ms + delay, duration)
            case Advance(ms=ms):
                w.run_for(ms)
            case Finish():
                self._finish()

    def _setup(self, op: Setup) -> None:
        self.async_handlers = op.async_handlers
        self.groups = list(op.groups)
        for n in range(1, op.churn + 1):
            self._new_consumer(CHURN, f"c{n}")
        if CALM in op.groups:
            self._new_consumer(CALM, "a1")
        self.world.run_for(100)

    def _send(self, op: Send) -> None:
        w, key = self.world, op.key
        if op.kind == KeyKind.POISON:
            self.poison[key] = op.how
        elif op.kind == KeyKind.FLAKY:
            self.fail_how[key] = op.how
            for g in self.groups:
                self.fail_left[(g, key)] = op.fails
        if op.fault is not None:
            w.faults.lose_send_reply(key=key, how=op.fault, times=op.times)
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

    def _finish(self) -> None:
        """Give each group a running consumer and let at least five virtual hours pass,
        until no retry is scheduled and nothing is in flight (restarting a consumer again
        if an armed crash still fires)."""
        w = self.world
        start = w.now_ms
        while True:
            self._revive_groups()
            w.run_for(DRAIN_CHUNK_MS)
            elapsed = w.now_ms - start
            if elapsed >= DRAIN_MAX_MS or (elapsed >= DRAIN_MIN_MS and self.drained()):
                return

    def _revive_groups(self) -> None:
        for group in self.groups:
            mine = sorted(c for c, pc in self.consumers.items() if pc.group == group and c not in self.left)
            if any(self.consumers[c].running for c in mine):
                continue
            if mine:
                self.consumers[mine[0]].restart()
            else:
                self._new_consumer(group, f"{group}-final")

    def drained(self) -> bool:
        """Every group has a running consumer, nothing is scheduled, nothing in flight."""
        running = [c for c in self.consumers.values() if c.running]
        if {c.group for c in running} != set(self.groups) or self.world.broker.stats().scheduled_retries:
            return False
        return not any(offsets for c in running for offsets in c.in_flight().values())


# -- what the invariants look at -------------------------------------------------------
def local_offset_problems(h: Harness) -> list[str]:
    """Local offsets past an unfinished message or past the end of their queue."""
    problems = []
    for client, c in sorted(h.consumers.items()):
        flights = c.in_flight()
        for mq in c.assigned():
            local, in_flight = c.local_offset(mq), flights.get(mq, [])
            if local is None:
                continue
            where = f"{client} {mq} at t={h.world.now_ms}"
            if local > h.world.broker.max_offset(mq):
                problems.append(f"{where}: local offset {local} is past the queue's end")
            if in_flight:
                h.seen.add("local offset vs. in-flight messages")
                if local > in_flight[0]:
                    problems.append(f"{where}: local offset {local} passes unfinished message {in_flight}")
    return problems


def broker_offset_problems(h: Harness) -> list[str]:
    """Broker offsets, written by the queue's current owner, that differ from what it
    wrote, pass its local offset or pass an unfinished message."""
    problems = []
    broker, ownership = h.world.broker, h.ownership
    for client, c in sorted(h.consumers.items()):
        flights = c.in_flight()
        for mq in c.assigned():
            last = ownership.last_write.get((c.group, mq.topic, mq.queue_id))
            since = ownership.owner_since.get((client, mq.topic, mq.queue_id))
            if last is None or since is None or last.client != client or last.at_ms < since:
                continue  # the broker's value came from an earlier owner: it may be ahead
            where = f"{client} {mq} at t={h.world.now_ms}"
            committed, local, in_flight = broker.query_offset(c.group, mq), c.local_offset(mq), flights.get(mq, [])
            if committed != last.offset:
                problems.append(f"{where}: broker offset {committed}, last persisted {last.offset}")
            if local is None or last.offset > local:
                problems.append(
                    f"{where}: broker offset {last.offset} persisted by this owner passes its local {local}"
                )
            if in_flight:
                h.seen.add("broker offset of the current owner vs. its in-flight messages")
                if last.offset > in_flight[0]:
                    problems.append(f"{where}: broker offset {last.offset} passes unfinished message at {in_flight[0]}")
    return problems


def calm_groups(h: Harness) -> list[str]:
    """Groups no crash, shutdown, join, leave or queue removal ever touched."""
    touched: set[str] = set()
    clients: dict[str, set[str]] = defaultdict(set)
    for e in h.world.trace:
        if isinstance(e, ConsumerCrashed | ConsumerShutdown | ConsumeResultDiscarded):
            touched.add(e.group)
        elif isinstance(e, ConsumerStarted):
            clients[e.group].add(e.client)
            if e.restart:
                touched.add(e.group)
        elif isinstance(e, Rebalanced) and set(e.before) - set(e.after):
            touched.add(e.group)
    return [g for g in h.groups if g not in touched and len(clients[g]) == 1]


def origin_of(h: Harness, offset_msg_id: str) -> str:
    stored = h.world.broker.store.look_up(offset_msg_id)
    assert stored is not None, f"no stored copy {offset_msg_id}"
    return stored.origin_msg_id or stored.offset_msg_id


def replay(seed: int, ops: list[Op]) -> str:
    """The trace of ``ops`` applied to a fresh world with ``seed``, as JSON lines."""
    h = Harness(seed)
    try:
        for op in ops:
            h.apply(op)
        return h.world.trace.to_jsonl()
    finally:
        h.world.close()


# -- the strategies: what a rule may act on, drawn by name ------------------------------
# ``st.runner()`` is the machine itself, so a strategy can draw from its current state.
# (``flatmap`` to ``st.just``, not ``map``: Hypothesis would print a mapped value as the
# lambda that made it.)
def running_client() -> st.SearchStrategy[str]:
    """A consumer of the churned group that is running."""
    return st.runner().flatmap(lambda machine: st.sampled_from(machine.running()))


def stopped_client() -> st.SearchStrategy[str]:
    """A consumer of the churned group that crashed or was shut down (and did not leave)."""
    return st.runner().flatmap(lambda machine: st.sampled_from(machine.stopped()))


def member_client() -> st.SearchStrategy[str]:
    """A consumer of the churned group that has not left, running or not."""
    return st.runner().flatmap(lambda machine: st.sampled_from(machine.harness.churn_clients()))


def new_client() -> st.SearchStrategy[str]:
    """The name of the next consumer to join the churned group."""
    return st.runner().flatmap(lambda machine: st.just(f"c{machine.clients_named + 1}"))


def consumer_group() -> st.SearchStrategy[str]:
    """One of the world's consumer groups."""
    return st.runner().flatmap(lambda machine: st.sampled_from(machine.harness.groups))


def new_key() -> st.SearchStrategy[str]:
    """The business key of the next message: ``order-1``, ``order-2``, ..."""
    return st.runner().flatmap(lambda machine: st.just(machine.key_after(0)))


def new_keys() -> st.SearchStrategy[tuple[str, ...]]:
    """The keys of the next 2 to 4 messages."""
    return st.runner().flatmap(
        lambda machine: st.integers(2, 4).flatmap(lambda n: st.just(tuple(machine.key_after(i) for i in range(n))))
    )


def sent_key() -> st.SearchStrategy[str]:
    """A key already sent."""
    return st.runner().flatmap(lambda machine: st.sampled_from(machine.keys))


def sent_or_next_key() -> st.SearchStrategy[str]:
    """A key already sent, or the next one (a fault may be armed before its message)."""
    return st.runner().flatmap(lambda machine: st.sampled_from([machine.key_after(0), *machine.keys]))


key_kinds = st.sampled_from([KeyKind.OK, KeyKind.OK, KeyKind.FLAKY, KeyKind.POISON])
failures = st.sampled_from(Failure)
send_faults = st.sampled_from([None, None, ReplyLoss.TIMEOUT, ReplyLoss.FAST_FAIL])
resends = st.sampled_from(Resend)
slow_ms = st.one_of(st.just(0), st.integers(1, 60_000))
crash_points = st.sampled_from(CrashPoint)
advance_ms = st.one_of(
    st.integers(1, 200),
    st.integers(200, 5_000),
    st.integers(5_000, 60_000),
    st.sampled_from([5 * 60_000, 20 * 60_000]),
)


# -- the state machine -------------------------------------------------------------------
class BrokerMachine(RuleBasedStateMachine):
    """Rules are verbs applied to a world; the invariants hold after each."""

    def __init__(self) -> None:
        super().__init__()
        self.h: Harness | None = None
        self.seed = 0
        self.ops: list[Op] = []
        self.keys: list[str] = []
        self.clients_named = 0

    @property
    def harness(self) -> Harness:
        assert self.h is not None
        return self.h

    def do(self, op: Op) -> None:
        self.ops.append(op)
        self.harness.apply(op)

    def key_after(self, n: int) -> str:
        """The key ``n`` after the next one to be sent."""
        return f"order-{len(self.keys) + n + 1}"

    def running(self) -> list[str]:
        return [c for c in self.harness.churn_clients() if self.harness.consumers[c].running]

    def stopped(self) -> list[str]:
        return [c for c in self.harness.churn_clients() if not self.harness.consumers[c].running]

    # -- set-up ------------------------------------------------------------------------
    @initialize(
        seed=st.integers(0, 2**16),
        groups=st.sampled_from([(CHURN, CALM), (CHURN, CALM), (CHURN,)]),
        churn=st.integers(1, MAX_CHURN),
        async_handlers=st.booleans(),
    )
    def setup(self, seed: int, groups: tuple[str, ...], churn: int, async_handlers: bool) -> None:
        self.seed = seed
        self.h = Harness(seed)
        self.clients_named = churn
        self.do(Setup(groups, churn, async_handlers))

    # -- producer ------------------------------------------------------------------------
    @rule(key=new_key(), kind=key_kinds, fails=st.integers(1, 3), how=failures, fault=send_faults, resend=resends)
    def send(self, key: str, kind: KeyKind, fails: int, how: Failure, fault: ReplyLoss | None, resend: Resend) -> None:
        """One message."""
        self.keys.append(key)
        self.do(Send(key=key, kind=kind, fails=fails, how=how, fault=fault, times=1, resend=resend))

    @rule(
        keys=new_keys(),
        kind=key_kinds,
        fails=st.integers(1, 3),
        how=failures,
        fault=send_faults,
        times=st.integers(1, 3),
        resend=resends,
        slow=slow_ms,
    )
    def send_burst(
        self,
        keys: tuple[str, ...],
        kind: KeyKind,
        fails: int,
        how: Failure,
        fault: ReplyLoss | None,
        times: int,
        resend: Resend,
        slow: int,
    ) -> None:
        """Messages alike, back to back (the first may be slow to consume)."""
        for n, key in enumerate(keys):
            self.keys.append(key)
            if slow and n == 0:
                self.do(Slow(key, slow, 1))
            self.do(Send(key=key, kind=kind, fails=fails, how=how, fault=fault, times=times, resend=resend))

    @precondition(lambda self: bool(self.keys))
    @rule(key=sent_key(), group=consumer_group(), times=st.integers(1, 3), how=failures)
    def fail_key(self, key: str, group: str, times: int, how: Failure) -> None:
        """The key's handler fails ``times`` more times in ``group``."""
        self.do(FailKey(group=group, key=key, times=times, how=how))

    @rule(key=sent_or_next_key(), delay_ms=st.integers(1, 60_000), times=st.integers(1, 3))
    def slow(self, key: str, delay_ms: int, times: int) -> None:
        self.do(Slow(key, delay_ms, times))

    # -- consumers of the churned group --------------------------------------------------
    @precondition(lambda self: bool(self.running()))
    @rule(client=running_client())
    def crash(self, client: str) -> None:
        self.do(Crash(client))

    @precondition(lambda self: bool(self.harness.churn_clients()))
    @rule(client=member_client(), point=crash_points, key=sent_or_next_key())
    def arm_crash(self, client: str, point: CrashPoint, key: str) -> None:
        """``client`` crashes at ``point`` of the next delivery of ``key``."""
        self.do(ArmCrash(client, point, key))

    @precondition(lambda self: bool(self.stopped()))
    @rule(client=stopped_client())
    def restart(self, client: str) -> None:
        self.do(Restart(client))

    @precondition(lambda self: bool(self.running()))
    @rule(client=running_client())
    def shutdown(self, client: str) -> None:
        self.do(Shutdown(client))

    @precondition(lambda self: len(self.harness.churn_clients()) < MAX_CHURN)
    @rule(client=new_client())
    def join(self, client: str) -> None:
        self.clients_named += 1
        self.do(Join(client))

    @precondition(lambda self: len(self.harness.churn_clients()) > 1)
    @rule(client=member_client())
    def leave(self, client: str) -> None:
        """``client`` shuts down for good; the others rebalance."""
        self.do(Leave(client))

    # -- broker and network ---------------------------------------------------------------
    @rule(group=consumer_group(), times=st.integers(1, 3))
    def lose_persist(self, group: str, times: int) -> None:
        self.do(LosePersist(group, times))

    @rule(delay_ms=st.integers(0, 2_000), duration_ms=st.integers(1, 10_000))
    def outage(self, delay_ms: int, duration_ms: int) -> None:
        self.do(Outage(delay_ms, duration_ms))

    @rule(ms=advance_ms)
    def advance(self, ms: int) -> None:
        self.do(Advance(ms))

    # -- invariants ---------------------------------------------------------------------
    @invariant()
    def local_offsets_never_pass_an_unfinished_message(self) -> None:
        """No running consumer's local offset passes the smallest offset still in its
        process queue, nor the end of the queue: now, or at any offset event before."""
        if self.h is not None:
            problems = self.h.local_offsets_seen + local_offset_problems(self.h)
            assert not problems, "local offsets passed unfinished messages:\n" + "\n".join(problems[:5])

    @invariant()
    def broker_offsets_never_pass_an_unfinished_message(self) -> None:
        """No broker offset written by the queue's current owner passes its local offset
        or an unfinished message: now, or at any offset event before."""
        if self.h is not None:
            problems = self.h.broker_offsets_seen + broker_offset_problems(self.h)
            assert not problems, "broker offsets passed unfinished messages:\n" + "\n".join(problems[:5])

    @invariant()
    def retries_follow_rocketmqs_rules(self) -> None:
        """``minimq.check.retry_violations`` finds no broken retry rule so far."""
        if self.h is not None:
            broken = retry_violations(self.h.world.trace, until_ms=self.h.world.now_ms)
            assert not broken, "retry rules broken:\n" + "\n".join(map(str, broken[:10]))

    # -- the end: let the retries drain, then what only holds once they have --------------
    def teardown(self) -> None:
        h, aside = self.h, None
        if h is None:
            return
        try:
            if sys.exc_info()[1] is not None:
                # A step or an invariant failed, or Hypothesis abandoned this example (an
                # overrun or a rejected draw): report that, not a consequence of it, and
                # save the drain.
                return
            self.ops.append(Finish())
            seed, ops = self.seed, list(self.ops)
            aside = ReplayAside(lambda: replay(seed, ops))
            h.apply(Finish())
            assert h.drained(), "retries did not drain in 12 virtual hours"
            self.local_offsets_never_pass_an_unfinished_message()
            self.broker_offsets_never_pass_an_unfinished_message()
            self.retries_follow_rocketmqs_rules()
            self.nothing_stored_is_lost()
            self.calm_groups_retry_an_always_failing_message_16_times()
            self.replay_gives_the_same_trace(aside.collect())
            for e in h.world.trace:
                if isinstance(e, ConsumeResultDiscarded | RetriedLocally | MessageDeadLettered):
                    h.seen.add(type(e).__name__)
            for what in sorted(h.seen):
                event(f"checked or seen: {what}")
        finally:
            if aside is not None:
                aside.close()
            h.world.close()

    def nothing_stored_is_lost(self) -> None:
        """Every message sent is delivered to every group, and every stored copy of the
        topic ends, in every group, in a success or (always-failing keys only) the DLQ."""
        h = self.harness
        lost = lost_messages(h.world.trace)
        assert not lost, f"messages lost: {lost}"
        outcome: dict[tuple[str, str], set[str]] = defaultdict(set)
        for e in h.world.trace:
            if isinstance(e, MessageConsumed) and e.status == SUCCESS:
                outcome[(e.group, origin_of(h, e.offset_msg_id))].add("success")
            elif isinstance(e, MessageDeadLettered):
                outcome[(e.group, origin_of(h, e.offset_msg_id))].add("dlq")
        for copy in h.world.broker.copies(TOPIC):
            key = copy.keys[0]
            for g in h.groups:
                got = outcome[(g, copy.offset_msg_id)]
                assert got, f"{g}: stored copy {copy.offset_msg_id} of {key} was never consumed nor dead-lettered"
                if key in h.poison:
                    assert got == {"dlq"}, f"{g}: always-failing {key} ended {got}"
                else:
                    assert "dlq" not in got, f"{g}: {key} fails at most 5 times yet was dead-lettered"

    def calm_groups_retry_an_always_failing_message_16_times(self) -> None:
        """Where nothing interfered, an always-failing message is delivered exactly 17 times
        per stored copy (reconsume times 0..16), once more per local retry, and
        dead-lettered once per copy."""
        h = self.harness
        trace = h.world.trace
        deliveries: dict[tuple[str, str], list[int]] = defaultdict(list)
        for d in trace.of(MessageDelivered):
            deliveries[(d.group, d.msg_id)].append(d.reconsume_times)
        local = Counter((e.group, e.msg_id) for e in trace.of(RetriedLocally))
        dead = Counter((e.group, e.msg_id) for e in trace.of(MessageDeadLettered))
        copies = Counter(c.msg_id for c in h.world.broker.copies(TOPIC))
        for g in calm_groups(h):
            for m, n in sorted(copies.items()):
                if h.world.broker.store.query_by_msg_id(m)[0].keys[0] not in h.poison:
                    continue
                times = deliveries[(g, m)]
                assert len(times) == (MAX_RECONSUME + 1) * n + local[(g, m)], (
                    f"{g} {m}: {len(times)} deliveries for {n} stored copies and {local[(g, m)]} local retries"
                )
                h.seen.add(f"exact retry count of an always-failing message in calm group {g}")
                if not local[(g, m)]:
                    assert sorted(times) == sorted(list(range(MAX_RECONSUME + 1)) * n), f"{g} {m}: {times}"
                assert dead[(g, m)] == n, f"{g} {m}: dead-lettered {dead[(g, m)]} times for {n} copies"

    def replay_gives_the_same_trace(self, again: str) -> None:
        """The same operations in a fresh world with the same seed gave ``again``: it is
        this world's trace, byte for byte."""
        assert_same_trace(self.harness.world.trace.to_jsonl(), again)


# Each example simulates more than ten virtual hours (the >= 5 h drain, and its replay),
# about a second or two of CPU, so this test takes fewer examples than the profile's
# default: ~20 s under ``ci``, a few minutes under ``thorough``.
EXAMPLES = {"ci": 20, "thorough": 150}
BrokerMachine.TestCase.settings = settings(
    settings.default,
    stateful_step_count=30,
    max_examples=EXAMPLES.get(settings.get_current_profile_name(), settings.default.max_examples),
)
TestBrokerMachine = BrokerMachine.TestCase
