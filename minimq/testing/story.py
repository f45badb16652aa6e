"""A counterexample in words: what the schedule did, and what went wrong, in en or zh.

Owns: ``message_names``, ``schedule_in_words``, ``violation_in_words`` and
``messages_in_words``. The sentences are built from the schedule, the verdicts and the
trace of the complete run, so they say what really happened ("order-1: delivered 2
times to coupon-system: c1 at 00:00.012 (A), then c1 at 00:00.012 (B)"). Msg ids that
differ in one digit are hard to tell apart, so each gets a letter (A, B, ...) and each
stored copy a number (A1, A2): the legend gives the full ids.
"""

from __future__ import annotations

from collections import defaultdict
from string import ascii_uppercase
from typing import assert_never

from minimq import events as ev
from minimq.i18n import t
from minimq.i18n.describe import fmt_duration, fmt_ms
from minimq.testing import verdict as vd
from minimq.testing.lab import GROUP
from minimq.testing.outcome import Outcome
from minimq.testing.schedule import CONSUME_TIMEOUT_MS, INVISIBLE_MS, Schedule
from minimq.testing.schedule_check import down_ms
from minimq.testing.steps import (
    BrokerCrash,
    Crash,
    Down,
    Fail,
    Join,
    Kill,
    Leave,
    LostEnd,
    LostReply,
    MasterDown,
    Outage,
    Pay,
    Reset,
    Restart,
    Slow,
    SlowTx,
    Step,
    UpstreamRetry,
)
from minimq.trace import Trace

MAX_DELIVERIES_LISTED = 6


def message_names(trace: Trace) -> dict[str, str]:
    """msg id -> A, B, ... in the order they were first sent; offset msg id -> A1, A2, ...
    (the copies the broker stored of A, retries included)."""
    names: dict[str, str] = {}
    copies: dict[str, int] = defaultdict(int)
    for e in trace.events:
        msg_id = getattr(e, "msg_id", None)
        if isinstance(e, ev.SendAttempted | ev.MessageStored) and msg_id not in names:
            n = len([k for k in names if not names[k][-1].isdigit()])
            names[e.msg_id] = _letters(n)
        if isinstance(e, ev.MessageStored) and e.offset_msg_id not in names:
            copies[e.msg_id] += 1
            names[e.offset_msg_id] = f"{names[e.msg_id]}{copies[e.msg_id]}"
    return names


def _letters(n: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = ascii_uppercase[r] + out
    return out


# -- the schedule ----------------------------------------------------------------------------
def schedule_in_words(schedule: Schedule, lang: str = "en") -> list[str]:
    """Each step at its time; first, how the shop runs when it is not the default (the
    coupon system on POP, the order system's transactional producer), from the start."""
    pop = schedule.consumer == "pop"
    deploy = ["step.on_pop"] if pop else []
    deploy += ["step.on_tx"] if schedule.producer == "transaction" else []
    deploy += ["step.on_slave"] if schedule.slave() else []
    lines = [f"{fmt_ms(0)} {t(key, lang)}" for key in deploy]
    return lines + [f"{fmt_ms(s.at_ms)} {_step(s, lang, pop)}" for s in sorted(schedule.steps, key=lambda s: s.at_ms)]


def _step(step: Step, lang: str, pop: bool = False) -> str:
    """One step in words (``pop``: as it goes on SimpleConsumers)."""
    on = "_pop" if pop else ""
    match step:
        case Pay() | UpstreamRetry():
            return t(f"step.{step.kind}", lang, order=step.order)
        case Join() | Leave():
            return t(f"step.{step.kind}{on}", lang, client=step.client)
        case Restart():
            return t(f"step.{step.kind}", lang, client=step.client)
        case LostReply():
            variant = "fast_fail" if step.how == "fast_fail" else step.resend or "same"
            return t(f"step.lost_reply.{variant}", lang, order=step.order)
        case Crash():
            point = f"pop.{step.point}" if pop and step.point in _POP_POINTS else step.point
            where = t(f"where.{point}", lang, n=step.statement)
            restart = fmt_duration(step.restart_after, lang)
            return t("step.crash", lang, client=step.client, where=where, order=step.order, restart=restart)
        case Kill():
            return t("step.kill", lang, client=step.client, restart=fmt_duration(step.restart_after, lang))
        case Down():
            return t("step.down", lang, restart=fmt_duration(step.restart_after, lang))
        case Fail():
            key = "step.fail_after" if step.how == "after" else "step.fail"
            return t(key, lang, statement=step.statement, times=step.times, order=step.order)
        case Slow():
            key = "step.slow" if step.delay_ms > (INVISIBLE_MS if pop else CONSUME_TIMEOUT_MS) else "step.busy"
            key += on if key == "step.slow" else ""
            key += "_mid" if step.statement else ""
            return t(key, lang, order=step.order, held=fmt_duration(step.delay_ms, lang), statement=step.statement)
        case Outage():
            return t(f"step.outage{on}", lang, duration=fmt_duration(step.delay_ms, lang))
        case Reset():
            return t("step.reset", lang, when=fmt_ms(step.delay_ms))
        case SlowTx():
            return t("step.slow_tx", lang, order=step.order, held=fmt_duration(step.delay_ms, lang))
        case LostEnd():
            return t("step.lost_end", lang, order=step.order)
        case BrokerCrash():
            key = "step.broker_crash_os" if step.how == "os" else "step.broker_crash"
            return t(key, lang, restart=fmt_duration(down_ms(step), lang))
        case MasterDown():
            return t("step.master_down", lang, restart=fmt_duration(down_ms(step), lang))
        case _:
            assert_never(step)


_POP_POINTS = ("AFTER_HANDLER", "AFTER_LOCAL_COMMIT")  # what comes after the handler differs on POP


# -- what went wrong -----------------------------------------------------------------------------
def violation_in_words(outcome: Outcome, lang: str = "en", names: dict[str, str] | None = None) -> list[str]:
    """One sentence per violation (repeats of one kind for one message told once), a hint
    per kind, and the deliveries of every order involved."""
    ids = names if names is not None else message_names(outcome.trace)
    committed = vd.coupon_times(outcome.trace, "coupon DB")
    pop = outcome.schedule.consumer == "pop"
    lines: list[str] = []
    told: set[tuple[str, str, str]] = set()
    hinted: set[str] = set()
    orders: list[str] = []
    for v in outcome.violations:
        said = _violation(v, lang, ids, committed, outcome.violations, pop)
        key = (v.kind, v.order, getattr(v, "msg_id", ""))
        if said is None or key in told:
            continue
        told.add(key)
        lines.append(said)
        if v.kind not in hinted and f"hint.{v.kind}" in _HINTS:
            hinted.add(v.kind)
            hint = f"hint.{v.kind}.pop" if pop and f"hint.{v.kind}.pop" in _POP_WORDS else f"hint.{v.kind}"
            lines.append("  " + t(hint, lang))
        if v.order and v.order not in orders:
            orders.append(v.order)
    lines += [_deliveries(outcome.trace, order, lang, ids) for order in orders]
    return lines


_HINTS = {"hint.retried_after_effect", "hint.not_a_status", "hint.dead_lettered", "hint.did_not_return"}
_HINTS |= {"hint.escaped", "hint.timed_out", "hint.lost_sms"}
# what RocketMQ does next is told otherwise on POP: no send-back, no consume timeout, a revival
_POP_WORDS = {"hint.did_not_return.pop", "verdict.retried_after_effect.pop"}


def _at(where: str, code: str, lang: str) -> str:
    if not where:
        return t("verdict.did_not_return.nowhere", lang)
    file, _, line = where.rpartition(":")
    return t("at.where", lang, file=file, line=line, code=code) if code else where


def _violation(
    v: vd.Violation,
    lang: str,
    ids: dict[str, str],
    committed: dict[str, list[int]],
    every: list[vd.Violation],
    pop: bool = False,
) -> str | None:
    msg = ids.get(getattr(v, "msg_id", ""), "")
    match v:
        case vd.DuplicateCoupon():
            return t("verdict.duplicate", lang, order=v.order, coupons=v.coupons)
        case vd.LostCoupon():
            return t("verdict.lost", lang, order=v.order)
        case vd.DuplicateSms():
            return t("verdict.duplicate_sms", lang, order=v.order, sms=v.sms)
        case vd.LostSms():
            return t("verdict.lost_sms", lang, order=v.order)
        case vd.RetriedAfterEffect():
            first = min(committed.get(v.order, [v.at_ms]))
            if v.value:
                answer = t("answer.value", lang, value=v.value)
            elif v.error:
                answer = t("answer.raised", lang, error=v.error)
            else:
                answer = t("answer.failure", lang)
            return t(
                "verdict.retried_after_effect.pop" if pop else "verdict.retried_after_effect",
                lang,
                client=v.client,
                msg=msg,
                order=v.order,
                answer=answer,
                at=fmt_ms(v.at_ms),
                committed=fmt_ms(first),
            )
        case vd.NotAStatus():
            return t("verdict.not_a_status", lang, value=v.value, msg=msg, order=v.order, at=fmt_ms(v.at_ms))
        case vd.DeadLettered():
            after = fmt_duration(v.after_ms, lang)
            return t(
                "verdict.dead_lettered",
                lang,
                msg=msg,
                order=v.order,
                at=fmt_ms(v.at_ms),
                retries=v.retries,
                after=after,
            )
        case vd.DidNotReturn():
            stuck = [u for u in every if isinstance(u, vd.DidNotReturn) and u.msg_id == v.msg_id]
            if stuck[0] is not v:
                return None
            statement = t("verdict.did_not_return.statement", lang, statement=v.statement) if v.statement else ""
            said = t(
                "verdict.did_not_return",
                lang,
                order=v.order,
                client=v.client,
                msg=msg,
                since=fmt_ms(v.since_ms),
                waited=fmt_duration(v.for_ms, lang),
                where=_at(v.where, v.code, lang),
                statement=statement,
            )
            more = len(stuck) - 1
            return said + (" " + t("verdict.did_not_return.more", lang, n=more) if more else "")
        case vd.Escaped():
            where = _at(v.where, v.code, lang)
            return t(
                "verdict.escaped",
                lang,
                raised=v.raised,
                where=where,
                client=v.client,
                msg=msg,
                order=v.order,
                at=fmt_ms(v.at_ms),
            )
        case vd.TimedOut():
            during = t("verdict.timed_out.while", lang, client=v.client, order=v.order) if v.order else ""
            return t(
                "verdict.timed_out", lang, seconds=f"{v.seconds:g}", where=_at(v.where, v.code, lang), while_=during
            )
    return None


def _deliveries(trace: Trace, order: str, lang: str, ids: dict[str, str]) -> str:
    got = [e for e in trace.of(ev.MessageDelivered) if order in e.keys and e.group == GROUP]
    said = [
        t(
            "check.delivery.retry" if e.reconsume_times else "check.delivery",
            lang,
            client=e.client,
            at=fmt_ms(e.at_ms),
            msg=ids.get(e.msg_id, e.msg_id),
            times=e.reconsume_times,
        )
        for e in got[:MAX_DELIVERIES_LISTED]
    ]
    if len(got) > MAX_DELIVERIES_LISTED:
        said.append(t("check.and_more", lang, n=len(got) - MAX_DELIVERIES_LISTED))
    return t("check.deliveries", lang, order=order, n=len(got), list=t("check.then", lang).join(said))


def messages_in_words(trace: Trace, names: dict[str, str], lang: str = "en") -> list[str]:
    """The legend: each named msg id in full, its order and how many copies were stored."""
    stored: dict[str, int] = defaultdict(int)
    orders: dict[str, str] = {}
    for e in trace.of(ev.MessageStored):
        stored[e.msg_id] += 1
        orders.setdefault(e.msg_id, e.keys[0] if e.keys else "")
    return [
        t("check.message", lang, name=name, msg_id=msg_id, order=orders[msg_id], copies=stored[msg_id])
        for msg_id, name in names.items()
        if msg_id in stored
    ]
