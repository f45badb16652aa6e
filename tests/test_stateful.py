"""A Hypothesis state machine that drives one world through random faults.

What it explores: one topic (4 queues), a churned group ``coupon`` with 1-3 consumers and,
optionally, a calm group ``audit`` with one consumer that nothing but broker-wide faults
ever touches. Steps are random sends (some with a lost reply, ``timeout`` or
``fast_fail``, after which the application re-sends the same ``Message`` object, a new
one, or gives up), consumer crashes (now, or armed at a ``CrashPoint`` for one key),
restarts, graceful shutdowns, consumers joining and leaving (rebalance), keys whose
handler fails a few times or always (``RECONSUME_LATER``, an exception or ``None``), slow
handlers (up to a minute, so messages are in flight across rebalances), lost offset
persists, short broker outages and virtual time passing.

Every step is an *op*, a tuple of plain values, and ``Harness.apply`` is a pure function
of (world, op). The machine records the ops, so teardown can replay them in a fresh
world with the same seed and demand a byte-identical trace.

Invariants, after every step:
1. a consumer never commits past an unfinished message: for each running consumer and
   assigned queue, its local offset is <= the smallest offset in its process queue
   (checked between steps and at every ``OffsetCommittedLocally``/``OffsetPersisted``). The
   broker's offset is held to the same bound only when this consumer wrote it during its
   current ownership of the queue: an old owner's late oneway persist (or a pull that
   raced a rebalance) may legitimately put the broker ahead (RocketMQ §4, P7).
2. retries follow RocketMQ's rules (§5.2, §5.3): a delivery with ``reconsume_times`` r > 0
   follows a failed delivery at r - 1 of the same msg id in the same group; a retry copy
   is stored only for a send-back, and a send-back or a dead-lettering only for a failed
   delivery of that very copy; delay level ``3 + r``; no *stored* retry copy has r > 16
   and only r == 16 is dead-lettered. (A *delivery* may carry r > 16, but only through a
   local retry after a failed send-back: ``ConsumeMessageConcurrentlyService`` increments
   ``reconsumeTimes`` client-side; the invariant checks exactly that.)
At teardown (no new fault armed; each group given a running consumer, again whenever a
fault armed earlier still crashes one; >= 5 virtual hours run, until nothing is scheduled
or in flight):
3. nothing stored is lost: ``check.lost_messages`` is empty, and every stored copy of the
   topic ends, in every group, in a success or (always-failing keys only) the DLQ;
   in a group that no crash, shutdown or rebalance touched, an always-failing message is
   delivered exactly 17 times per stored copy (reconsume times 0..16), plus one per local
   retry, and dead-lettered once per copy;
4. the same ops in a fresh world with the same seed give the same trace, byte for byte
   (the replay runs in a forked child, on the other core, while this world drains).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.errors import StopTest, UnsatisfiedAssumption
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from minimq import (
    ConsumeStatus,
    CrashPoint,
    Message,
    MessageExt,
    SendFailedError,
    SendTimeoutError,
    World,
)
from minimq.check import lost_messages
from minimq.core.delay import delay_ms
from minimq.events import (
    ConsumerCrashed,
    ConsumeResultDiscarded,
    ConsumerShutdown,
    ConsumerStarted,
    ConsumeTimedOut,
    Event,
    MessageConsumed,
    MessageDeadLettered,
    MessageDelivered,
    MessageSentBack,
    MessageStored,
    OffsetCommittedLocally,
    OffsetPersisted,
    Rebalanced,
    RetriedLocally,
)
from minimq.runtime.push_consumer import PushConsumer

TOPIC = "order-paid"
CHURN = "coupon"  # 1-3 consumers: crashes, restarts, shutdowns, joins, leaves
CALM = "audit"  # one consumer, never crashed, shut down or joined: exact retry counts
MAX_RECONSUME = 16  # maxReconsumeTimes -1 -> 16 (concurrent)
RETRY_PREFIX, DLQ_PREFIX = "%RETRY%", "%DLQ%"
SUCCESS = ConsumeStatus.SUCCESS.value
HOUR_MS = 3600 * 1000
DRAIN_MIN_MS = 5 * HOUR_MS  # the retry ladder is 4 h 45 min 40 s
DRAIN_MAX_MS = 12 * HOUR_MS
DRAIN_CHUNK_MS = 10 * 60 * 1000
MAX_CHURN = 3

Op = tuple[Any, ...]


# -- the audit: reads the trace as it is written ---------------------------------------
@dataclass(frozen=True, slots=True)
class Write:
    """The last offset the broker took for a (group, queue), and who sent it."""

    client: str
    at_ms: int
    offset: int


class Audit:
    """Follows the trace event by event; records every broken retry rule in ``violations``
    (raising inside the simulation would only kill a simulated task)."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.pending: dict[tuple[str, str], list[int]] = defaultdict(list)  # (client, copy) -> r
        self.failures: Counter[tuple[str, str]] = Counter()  # (group, copy)
        self.failed_at: set[tuple[str, str, int]] = set()  # (group, msg id, r)
        self.local: Counter[tuple[str, str, int]] = Counter()  # RetriedLocally (group, msg id, r)
        self.taken_back: Counter[tuple[str, str]] = Counter()  # sent back or dead-lettered (group, copy)
        self.sent_back: Counter[tuple[str, str, int]] = Counter()  # (group, msg id, stored r)
        self.retry_copies: Counter[tuple[str, str, int]] = Counter()  # (group, msg id, r)
        self.due: Counter[tuple[str, str, int, int]] = Counter()  # retries to come: (group, msg id, r, due ms)
        self.deliveries: dict[tuple[str, str], list[int]] = defaultdict(list)  # (group, msg id) -> r
        self.dead: Counter[tuple[str, str]] = Counter()  # (group, msg id)
        self.owner_since: dict[tuple[str, str, int], int] = {}  # (client, topic, queue) -> ms
        self.last_write: dict[tuple[str, str, int], Write] = {}  # (group, topic, queue)

    def bad(self, event: Event, why: str) -> None:
        self.violations.append(f"t={event.at_ms} {why}: {event}")

    def on_event(self, e: Event) -> None:
        handler = getattr(self, f"_on_{type(e).__name__}", None)
        if handler is not None:
            handler(e)

    # -- deliveries and their outcomes -----------------------------------------------
    def _on_MessageDelivered(self, e: MessageDelivered) -> None:
        g, m, r = e.group, e.msg_id, e.reconsume_times
        self.deliveries[(g, m)].append(r)
        self.pending[(e.client, e.offset_msg_id)].append(r)
        if r > 0 and (g, m, r - 1) not in self.failed_at:
            self.bad(e, f"delivered with reconsume_times {r} but no delivery at {r - 1} failed")
        if r > MAX_RECONSUME and self.local[(g, m, r)] == 0:
            self.bad(e, f"delivered with reconsume_times {r} > {MAX_RECONSUME} without a local retry")
        if e.topic.startswith(RETRY_PREFIX) and e.topic != RETRY_PREFIX + g:
            self.bad(e, "a group consumed another group's retry topic")

    def _on_MessageConsumed(self, e: MessageConsumed) -> None:
        started = self.pending.get((e.client, e.offset_msg_id))
        if not started:
            self.bad(e, "consumed without being delivered")
            return
        r = started.pop(0)
        if e.status != SUCCESS:
            self.failures[(e.group, e.offset_msg_id)] += 1
            self.failed_at.add((e.group, e.msg_id, r))

    def _on_ConsumeTimedOut(self, e: ConsumeTimedOut) -> None:
        started = self.pending.get((e.client, e.offset_msg_id)) or [0]
        self.failures[(e.group, e.offset_msg_id)] += 1
        self.failed_at.add((e.group, e.msg_id, started[0]))

    def _on_RetriedLocally(self, e: RetriedLocally) -> None:
        self.local[(e.group, e.msg_id, e.reconsume_times)] += 1
        if (e.group, e.msg_id, e.reconsume_times - 1) not in self.failed_at:
            self.bad(e, "retried locally without a failed delivery")

    # -- the broker's side of retries ------------------------------------------------
    def _take_back(self, e: MessageSentBack | MessageDeadLettered) -> None:
        copy = (e.group, e.offset_msg_id)
        self.taken_back[copy] += 1
        if self.taken_back[copy] > self.failures[copy]:
            self.bad(e, f"copy taken back {self.taken_back[copy]} times after {self.failures[copy]} failures")

    def _on_MessageSentBack(self, e: MessageSentBack) -> None:
        self._take_back(e)
        self.sent_back[(e.group, e.msg_id, e.reconsume_times)] += 1
        self.due[(e.group, e.msg_id, e.reconsume_times + 1, e.due_ms)] += 1
        if e.reconsume_times >= MAX_RECONSUME:
            self.bad(e, f"sent back for a retry at reconsume_times {e.reconsume_times}, not dead-lettered")
        if e.delay_level != 3 + e.reconsume_times:
            self.bad(e, f"delay level {e.delay_level}, expected 3 + {e.reconsume_times}")
        if e.due_ms != e.at_ms + delay_ms(e.delay_level):
            self.bad(e, "retry due time does not match its delay level")

    def _on_MessageDeadLettered(self, e: MessageDeadLettered) -> None:
        self._take_back(e)
        self.dead[(e.group, e.msg_id)] += 1
        if e.reconsume_times != MAX_RECONSUME:
            self.bad(e, f"dead-lettered at reconsume_times {e.reconsume_times}, expected {MAX_RECONSUME}")
        if e.dlq_topic != DLQ_PREFIX + e.group:
            self.bad(e, "dead-lettered into another group's DLQ")

    def _on_MessageStored(self, e: MessageStored) -> None:
        if e.topic.startswith(RETRY_PREFIX):
            g, r = e.topic[len(RETRY_PREFIX) :], e.reconsume_times
            self.retry_copies[(g, e.msg_id, r)] += 1
            if not 1 <= r <= MAX_RECONSUME:
                self.bad(e, f"retry copy stored with reconsume_times {r}")
            if self.retry_copies[(g, e.msg_id, r)] > self.sent_back[(g, e.msg_id, r - 1)]:
                self.bad(e, "more retry copies than send-backs")
            if self.due[(g, e.msg_id, r, e.at_ms)] > 0:
                self.due[(g, e.msg_id, r, e.at_ms)] -= 1
            else:
                self.bad(e, "retry copy stored when no send-back had it due")
        elif e.topic == TOPIC and e.reconsume_times != 0:
            self.bad(e, "a producer's message stored with reconsume_times > 0")

    # -- ownership and broker offsets ---------------------------------------------------
    def _forget_owner(self, client: str) -> None:
        for k in [k for k in self.owner_since if k[0] == client]:
            del self.owner_since[k]

    def _on_ConsumerStarted(self, e: ConsumerStarted) -> None:
        self._forget_owner(e.client)

    def _on_ConsumerCrashed(self, e: ConsumerCrashed) -> None:
        self._forget_owner(e.client)

    def _on_ConsumerShutdown(self, e: ConsumerShutdown) -> None:
        self._forget_owner(e.client)

    def _on_Rebalanced(self, e: Rebalanced) -> None:
        for qid in set(e.before) - set(e.after):
            self.owner_since.pop((e.client, e.topic, qid), None)
        for qid in set(e.after) - set(e.before):
            self.owner_since[(e.client, e.topic, qid)] = e.at_ms

    def _on_OffsetPersisted(self, e: OffsetPersisted) -> None:
        self.last_write[(e.group, e.topic, e.queue_id)] = Write(e.client, e.at_ms, e.offset)


# -- the harness: a world and a pure op interpreter ------------------------------------
class Harness:
    """One world plus the application around it; ``apply(op)`` is its only input."""

    def __init__(self, seed: int) -> None:
        self.world = World(seed=seed)
        self.audit = Audit()
        self.offset_violations: list[str] = []
        self.world.trace.subscribe(self._on_event)
        self.world.broker.create_topic(TOPIC)
        self.producer = self.world.producer("order")
        self.groups: list[str] = []
        self.consumers: dict[str, PushConsumer] = {}
        self.left: set[str] = set()
        self.poison: dict[str, str] = {}  # key -> how it fails, always
        self.fail_left: dict[tuple[str, str], int] = {}  # (group, key) -> failures to come
        self.fail_how: dict[str, str] = {}
        self.async_handlers = False
        self.seen: set[str] = set()  # which checks had something to bite on

    def _on_event(self, e: Event) -> None:
        self.audit.on_event(e)
        if isinstance(e, OffsetPersisted | OffsetCommittedLocally):
            # Invariant 1 at every moment an offset moves, not only between steps.
            try:
                check_offsets(self)
            except AssertionError as exc:
                self.offset_violations.append(f"at {type(e).__name__}: {exc}")

    # -- application behaviour -----------------------------------------------------------
    def _outcome(self, group: str, key: str) -> Any:
        how = self.poison.get(key)
        if how is None and self.fail_left.get((group, key), 0) > 0:
            self.fail_left[(group, key)] -= 1
            how = self.fail_how.get(key, "later")
        if how is None:
            return ConsumeStatus.SUCCESS
        if how == "raise":
            raise RuntimeError(f"downstream refused {key}")
        return None if how == "none" else ConsumeStatus.RECONSUME_LATER

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
        c = self.world.push_consumer(group, TOPIC, self._handler(group), client_id=client)
        self.consumers[client] = c
        c.start()

    def churn_clients(self) -> list[str]:
        """Consumers of the churned group that have not left for good, sorted."""
        return sorted(c for c, pc in self.consumers.items() if pc.group == CHURN and c not in self.left)

    # -- ops ---------------------------------------------------------------------------
    def apply(self, op: Op) -> None:
        getattr(self, f"op_{op[0]}")(*op[1:])

    def op_setup(self, groups: tuple[str, ...], n_churn: int, async_handlers: bool) -> None:
        self.async_handlers = async_handlers
        self.groups = list(groups)
        for n in range(1, n_churn + 1):
            self._new_consumer(CHURN, f"{CHURN}-c{n}")
        if CALM in groups:
            self._new_consumer(CALM, f"{CALM}-c1")
        self.world.run_for(100)

    def op_send(self, key: str, kind: str, fails: int, how: str, fault: str | None, times: int, resend: str) -> None:
        w = self.world
        if kind == "poison":
            self.poison[key] = how
        elif kind == "flaky":
            self.fail_how[key] = how
            for g in self.groups:
                self.fail_left[(g, key)] = fails
        if fault is not None:
            w.faults.lose_send_reply(key=key, how=fault, times=times)
        msg = Message(TOPIC, key.encode(), keys=(key,))
        try:
            w.run(self.producer.send(msg))
            return
        except (SendTimeoutError, SendFailedError):
            if resend == "no":
                return
        again = msg if resend == "same" else Message(TOPIC, key.encode(), keys=(key,))
        with contextlib.suppress(SendTimeoutError, SendFailedError):
            w.run(self.producer.send(again))

    def op_fail_key(self, group: str, key: str, n: int, how: str) -> None:
        if key in self.poison:
            return
        self.fail_left[(group, key)] = min(self.fail_left.get((group, key), 0) + n, 5)
        self.fail_how[key] = how

    def op_slow(self, key: str, delay: int, times: int) -> None:
        self.world.faults.slow_handler(delay, key=key, times=times)

    def op_crash(self, client: str) -> None:
        self.consumers[client].crash()

    def op_arm_crash(self, client: str, point: str, key: str) -> None:
        self.world.faults.crash_consumer(client, CrashPoint[point], key=key)

    def op_restart(self, client: str) -> None:
        if not self.consumers[client].running:
            self.consumers[client].restart()

    def op_shutdown(self, client: str) -> None:
        self.consumers[client].shutdown()

    def op_join(self, client: str) -> None:
        self._new_consumer(CHURN, client)

    def op_leave(self, client: str) -> None:
        self.consumers[client].shutdown()
        self.left.add(client)

    def op_lose_persist(self, group: str, times: int) -> None:
        self.world.faults.lose_offset_persist(group=group, times=times)

    def op_outage(self, delay: int, duration: int) -> None:
        self.world.faults.broker_outage(self.world.now_ms + delay, duration)

    def op_advance(self, ms: int) -> None:
        self.world.run_for(ms)

    def op_finish(self) -> None:
        """No new faults from here on; give each group a running consumer and let at least
        five virtual hours pass, until no retry is scheduled and nothing is in flight
        (restarting a consumer again if an armed crash still fires)."""
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


# -- the checks -----------------------------------------------------------------------
def check_offsets(h: Harness) -> None:
    """Invariant 1: no committed offset passes an unfinished message."""
    broker, audit = h.world.broker, h.audit
    for client, c in sorted(h.consumers.items()):
        if not c.running:
            continue
        flights = c.in_flight()
        for mq in c.assigned():
            where = f"{client} {mq} at t={h.world.now_ms}"
            in_flight = flights.get(mq, [])
            lowest = in_flight[0] if in_flight else None
            local = c.local_offset(mq)
            if local is not None:
                assert local <= broker.max_offset(mq), f"{where}: local offset {local} is past the queue's end"
                if lowest is not None:
                    h.seen.add("local offset vs. in-flight messages")
                    assert local <= lowest, (
                        f"{where}: local offset {local} passes unfinished message at offset {lowest} ({in_flight})"
                    )
            last = audit.last_write.get((c.group, mq.topic, mq.queue_id))
            since = audit.owner_since.get((client, mq.topic, mq.queue_id))
            if last is None or since is None or last.client != client or last.at_ms < since:
                continue  # the broker's value came from an earlier owner: it may be ahead
            committed = broker.query_offset(c.group, mq)
            assert committed == last.offset, f"{where}: broker offset {committed}, last persisted {last.offset}"
            assert local is not None and last.offset <= local, (
                f"{where}: broker offset {last.offset} persisted by this owner is ahead of its local {local}"
            )
            if lowest is not None:
                h.seen.add("broker offset of the current owner vs. its in-flight messages")
                assert last.offset <= lowest, (
                    f"{where}: broker offset {last.offset} passes unfinished message at offset {lowest}"
                )


def check_retries(h: Harness) -> None:
    """Invariant 2, as far as it can be told mid-run (and invariant 1 as seen at each
    offset event)."""
    assert not h.offset_violations, "offsets passed unfinished messages:\n" + "\n".join(h.offset_violations[:5])
    assert not h.audit.violations, "retry rules broken:\n" + "\n".join(h.audit.violations[:10])


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


def check_final(h: Harness) -> None:
    """Invariants 2 (whole-run part) and 3, once retries have drained."""
    check_retries(h)
    assert h.drained(), "retries did not drain in 12 virtual hours"
    audit = h.audit
    for (g, m, r), n in sorted(audit.sent_back.items()):
        assert audit.retry_copies[(g, m, r + 1)] == n, f"{g} {m}: {n} send-backs at {r}, retry copies differ"
    lost = lost_messages(h.world.trace)
    assert not lost, f"messages lost: {lost}"

    # Every stored copy of the topic ends, in every group, in a success or the DLQ.
    outcome: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in h.world.trace:
        if isinstance(e, MessageConsumed) and e.status == SUCCESS:
            outcome[(e.group, origin_of(h, e.offset_msg_id))].add("success")
        elif isinstance(e, MessageDeadLettered):
            outcome[(e.group, origin_of(h, e.offset_msg_id))].add("dlq")
    copies = h.world.broker.copies(TOPIC)
    for copy in copies:
        key = copy.keys[0]
        for g in h.groups:
            got = outcome[(g, copy.offset_msg_id)]
            assert got, f"{g}: stored copy {copy.offset_msg_id} of {key} was never consumed nor dead-lettered"
            if key in h.poison:
                assert got == {"dlq"}, f"{g}: always-failing {key} ended {got}"
            else:
                assert "dlq" not in got, f"{g}: {key} fails at most 5 times yet was dead-lettered"

    # Where nothing interfered, an always-failing message is delivered exactly 17 times per
    # stored copy (reconsume times 0..16), once more per local retry, and dead-lettered once.
    chains = Counter(c.msg_id for c in copies)
    for g in calm_groups(h):
        for m, n in sorted(chains.items()):
            if h.world.broker.store.query_by_msg_id(m)[0].keys[0] not in h.poison:
                continue
            times = audit.deliveries[(g, m)]
            local = sum(k for (gg, mm, _), k in audit.local.items() if (gg, mm) == (g, m))
            assert len(times) == (MAX_RECONSUME + 1) * n + local, (
                f"{g} {m}: {len(times)} deliveries for {n} stored copies and {local} local retries"
            )
            h.seen.add(f"exact retry count of an always-failing message in calm group {g}")
            if not local:
                assert sorted(times) == sorted(list(range(MAX_RECONSUME + 1)) * n), f"{g} {m}: {times}"
            assert audit.dead[(g, m)] == n, f"{g} {m}: dead-lettered {audit.dead[(g, m)]} times for {n} copies"


def replay(seed: int, ops: list[Op]) -> str:
    """The trace of ``ops`` applied to a fresh world with ``seed``, as JSON lines."""
    h = Harness(seed)
    try:
        for op in ops:
            h.apply(op)
        return h.world.trace.to_jsonl()
    finally:
        h.world.close()


class ReplayAside:
    """``replay(seed, ops)`` in a forked child, so that it runs on the other core while
    this process drains its own world. ``collect()`` returns the trace; ``close()`` (always
    call it) stops and reaps the child if the trace was not collected. Without ``fork``, or
    with other threads about, the replay simply runs in ``collect()``."""

    def __init__(self, seed: int, ops: list[Op]) -> None:
        self.seed, self.ops = seed, ops
        self.pid: int | None = None
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: replay, hand the trace over, leave without cleanup
            code = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as out:
                    out.write(replay(seed, ops).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self.pipe = os.fdopen(read_end, "rb")

    def collect(self) -> str:
        if self.pid is None:
            return replay(self.seed, self.ops)
        text = self.pipe.read().decode()
        assert self._reap() == 0, "the replay raised in the child process"
        return text

    def close(self) -> None:
        if self.pid is not None:
            self.pipe.close()  # a child still writing gets a broken pipe and exits
            self._reap()

    def _reap(self) -> int:
        pid, self.pid = self.pid, None
        assert pid is not None
        self.pipe.close()
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


# -- the state machine -----------------------------------------------------------------
KEY_KINDS = st.sampled_from(["ok", "ok", "flaky", "poison"])
FAIL_HOW = st.sampled_from(["later", "raise", "none"])
SEND_FAULTS = st.sampled_from([None, None, "timeout", "fast_fail"])
RESEND = st.sampled_from(["no", "same", "new"])
SLOW = st.one_of(st.just(0), st.integers(1, 60_000))
CRASH_POINTS = st.sampled_from([p.name for p in CrashPoint])
ADVANCE = st.one_of(
    st.integers(1, 200),
    st.integers(200, 5_000),
    st.integers(5_000, 60_000),
    st.sampled_from([5 * 60_000, 20 * 60_000]),
)


class BrokerMachine(RuleBasedStateMachine):
    """Rules are verbs applied to a world; the invariant method holds after each."""

    def __init__(self) -> None:
        super().__init__()
        self.h: Harness | None = None
        self.seed = 0
        self.ops: list[Op] = []
        self.keys: list[str] = []
        self.next_client = 1
        self.clean = True  # False while a step (or its invariant check) has not finished

    @property
    def harness(self) -> Harness:
        assert self.h is not None
        return self.h

    def do(self, op: Op) -> None:
        self.clean = False
        self.ops.append(op)
        self.harness.apply(op)

    def pick(self, items: list[str], i: int) -> str:
        return items[i % len(items)]

    # -- set-up ------------------------------------------------------------------------
    @initialize(
        seed=st.integers(0, 2**16),
        two_groups=st.sampled_from([True, True, False]),
        n_churn=st.integers(1, MAX_CHURN),
        async_handlers=st.booleans(),
    )
    def setup(self, seed: int, two_groups: bool, n_churn: int, async_handlers: bool) -> None:
        self.seed = seed
        self.h = Harness(seed)
        self.next_client = n_churn + 1
        self.do(("setup", (CHURN, CALM) if two_groups else (CHURN,), n_churn, async_handlers))

    # -- producer ------------------------------------------------------------------------
    @rule(
        count=st.integers(1, 4),
        kind=KEY_KINDS,
        fails=st.integers(1, 3),
        how=FAIL_HOW,
        fault=SEND_FAULTS,
        times=st.integers(1, 3),
        resend=RESEND,
        slow=SLOW,
    )
    def send(
        self, count: int, kind: str, fails: int, how: str, fault: str | None, times: int, resend: str, slow: int
    ) -> None:
        """Send ``count`` messages alike, one key each (the first may be slow to consume)."""
        for n in range(count):
            key = f"k{len(self.keys)}"
            self.keys.append(key)
            if slow and n == 0:
                self.do(("slow", key, slow, 1))
            self.do(("send", key, kind, fails, how, fault, times, resend))

    @rule(kind=KEY_KINDS, fails=st.integers(1, 3), how=FAIL_HOW, fault=SEND_FAULTS, resend=RESEND)
    def send_one(self, kind: str, fails: int, how: str, fault: str | None, resend: str) -> None:
        """One more message (so that sending is twice as likely as any other step)."""
        self.send(1, kind, fails, how, fault, 1, resend, 0)

    @precondition(lambda self: bool(self.keys))
    @rule(i=st.integers(0, 50), n=st.integers(1, 3), how=FAIL_HOW, calm=st.booleans())
    def fail_key(self, i: int, n: int, how: str, calm: bool) -> None:
        group = CALM if calm and CALM in self.harness.groups else CHURN
        self.do(("fail_key", group, self.pick(self.keys, i), n, how))

    @rule(k=st.integers(0, 50), next_key=st.booleans(), delay=st.integers(1, 60_000), times=st.integers(1, 3))
    def slow(self, k: int, next_key: bool, delay: int, times: int) -> None:
        key = f"k{len(self.keys)}" if next_key or not self.keys else self.pick(self.keys, k)
        self.do(("slow", key, delay, times))

    # -- consumers of the churned group --------------------------------------------------
    def running(self) -> list[str]:
        return [c for c in self.harness.churn_clients() if self.harness.consumers[c].running]

    def stopped(self) -> list[str]:
        return [c for c in self.harness.churn_clients() if not self.harness.consumers[c].running]

    @precondition(lambda self: bool(self.running()))
    @rule(i=st.integers(0, 5))
    def crash(self, i: int) -> None:
        self.do(("crash", self.pick(self.running(), i)))

    @precondition(lambda self: bool(self.harness.churn_clients()))
    @rule(i=st.integers(0, 5), point=CRASH_POINTS, k=st.integers(0, 50), next_key=st.booleans())
    def arm_crash(self, i: int, point: str, k: int, next_key: bool) -> None:
        key = f"k{len(self.keys)}" if next_key or not self.keys else self.pick(self.keys, k)
        self.do(("arm_crash", self.pick(self.harness.churn_clients(), i), point, key))

    @precondition(lambda self: bool(self.stopped()))
    @rule(i=st.integers(0, 5))
    def restart(self, i: int) -> None:
        self.do(("restart", self.pick(self.stopped(), i)))

    @precondition(lambda self: bool(self.running()))
    @rule(i=st.integers(0, 5))
    def shutdown(self, i: int) -> None:
        self.do(("shutdown", self.pick(self.running(), i)))

    @precondition(lambda self: len(self.harness.churn_clients()) < MAX_CHURN)
    @rule()
    def join(self) -> None:
        client = f"{CHURN}-c{self.next_client}"
        self.next_client += 1
        self.do(("join", client))

    @precondition(lambda self: len(self.harness.churn_clients()) > 1)
    @rule(i=st.integers(0, 5))
    def leave(self, i: int) -> None:
        self.do(("leave", self.pick(self.harness.churn_clients(), i)))

    # -- broker and network ---------------------------------------------------------------
    @rule(calm=st.booleans(), times=st.integers(1, 3))
    def lose_persist(self, calm: bool, times: int) -> None:
        self.do(("lose_persist", CALM if calm and CALM in self.harness.groups else CHURN, times))

    @rule(delay=st.integers(0, 2_000), duration=st.integers(1, 10_000))
    def outage(self, delay: int, duration: int) -> None:
        self.do(("outage", delay, duration))

    @rule(ms=ADVANCE)
    def advance(self, ms: int) -> None:
        self.do(("advance", ms))

    # -- invariants and the end -----------------------------------------------------------
    @invariant()
    def holds(self) -> None:
        if self.h is not None:
            check_offsets(self.h)
            check_retries(self.h)
        self.clean = True

    def teardown(self) -> None:
        h, aside = self.h, None
        if h is None:
            return
        try:
            if not self.clean or isinstance(sys.exc_info()[1], StopTest | UnsatisfiedAssumption):
                # A step failed, or Hypothesis abandoned this example (an overrun or a
                # rejected draw): report that, not a consequence of it, and save the drain.
                return
            self.ops.append(("finish",))
            aside = ReplayAside(self.seed, self.ops)
            self.clean = False
            h.apply(("finish",))
            check_offsets(h)
            check_final(h)
            for e in h.world.trace:
                if isinstance(e, ConsumeResultDiscarded | RetriedLocally | MessageDeadLettered):
                    h.seen.add(type(e).__name__)
            for what in sorted(h.seen):
                event(f"checked or seen: {what}")
            first, again = h.world.trace.to_jsonl(), aside.collect()
            if first != again:
                a, b = first.splitlines(), again.splitlines()
                at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
                shown_a = a[at] if at < len(a) else "<end>"
                shown_b = b[at] if at < len(b) else "<end>"
                raise AssertionError(f"replay diverged at trace line {at + 1}:\n  {shown_a}\n  {shown_b}")
        finally:
            if aside is not None:
                aside.close()
            h.world.close()


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
