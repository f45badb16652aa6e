"""A counterexample in words: what the schedule did, and what happened to each bad order.

Owns: ``schedule_in_words`` and ``violation_in_words``. The sentences are built from the
schedule and the trace of its replay, so they say what really happened ("order-1
delivered 2 times to coupon-system: c1 at 00:00.004, then c1 at 00:02.507 after c1
crashed after the handler returned, before the result was processed").
"""

from __future__ import annotations

from minimq import events as ev
from minimq.render.describe import describe, fmt_ms, short
from minimq.sim.faults import CrashPoint
from minimq.testing.lab import GROUP, Outcome
from minimq.testing.schedule import Schedule, Step


def _step(step: Step) -> str:
    return f"{fmt_ms(step.at_ms)} {_what(step)}"


def _what(step: Step) -> str:
    o, c = step.order, step.client
    match step.kind:
        case "pay":
            return f"the order system sends 'order paid' for {o}"
        case "upstream_retry":
            return f"the payment system calls back again: a second, new message for {o}"
        case "lost_reply":
            obj = "a new Message" if step.resend == "new" else "the same Message"
            again = (
                "the producer retries at once by itself"
                if step.how == "fast_fail"
                else f"send() times out and the order system re-sends {obj}"
            )
            return f"'order paid' for {o} is stored but its reply is lost ({step.how}): {again}"
        case "crash":
            where = (
                f"before database statement {step.statement}"
                if step.point == "BEFORE_STATEMENT"
                else CrashPoint[step.point].value
            )
            return f"{c} will crash {where} while handling {o}, restarting {step.restart_after} ms later"
        case "kill":
            return f"{c} is killed, restarting {step.restart_after} ms later"
        case "join":
            return f"{c} joins the group (rebalance)"
        case "leave":
            return f"{c} shuts down gracefully (rebalance)"
        case "restart":
            return f"{c} starts"
        case "fail" if step.how == "after":
            return (
                f"the database connection drops right after statement {step.statement} of {o}'s handler ran, "
                f"for the first {step.times} delivery(ies): the work is done, the handler sees an error"
            )
        case "fail":
            return f"database statement {step.statement} fails for the first {step.times} delivery(ies) of {o}"
        case "slow":
            where = f"before database statement {step.statement}" if step.statement else "before it starts"
            return f"the handler of {o} is held {step.delay_ms // 60_000} min {where}, past the 15 min consume timeout"
    return step.kind


def schedule_in_words(schedule: Schedule) -> list[str]:
    return [_step(s) for s in sorted(schedule.steps, key=lambda s: s.at_ms)]


def violation_in_words(outcome: Outcome) -> list[str]:
    """One paragraph per order that did not end with exactly one coupon."""
    lines: list[str] = []
    trace = outcome.trace
    for order, count in outcome.coupons.items():
        if count == 1:
            continue
        what = "no coupon (a lost effect)" if count == 0 else f"{count} coupons"
        deliveries = [e for e in trace.of(ev.MessageDelivered) if order in e.keys and e.group == GROUP]
        said = ", then ".join(
            f"{e.client} at {fmt_ms(e.at_ms)} (copy {short(e.offset_msg_id)}"
            + (f", retry {e.reconsume_times})" if e.reconsume_times else ")")
            for e in deliveries
        )
        lines.append(f"{order} got {what}; delivered {len(deliveries)} time(s) to {GROUP}: {said}.")
        ids = {e.msg_id for e in deliveries}
        for e in trace.events:
            if _matters(e, order, ids):
                lines.append(f"  {fmt_ms(e.at_ms)}  {describe(e)}")
    return lines


def _matters(e: ev.Event, order: str, ids: set[str]) -> bool:
    if isinstance(e, ev.ConsumerCrashed | ev.ConsumerShutdown | ev.Rebalanced):
        return not isinstance(e, ev.Rebalanced) or (e.topic == "order-paid" and bool(e.before))
    if isinstance(e, ev.FaultInjected):
        return True
    if isinstance(e, ev.EffectApplied):
        return e.key == order
    if isinstance(e, ev.MessageSentBack | ev.ConsumeTimedOut | ev.ConsumeResultDiscarded | ev.MessageConsumed):
        return e.msg_id in ids
    return isinstance(e, ev.AppEvent) and e.action in ("db_rolled_back", "db_constraint")
