"""One plain sentence per event, and who (which lane) it belongs to.

Owns: the English wording of trace events for narration and timelines. Ids are
shortened to their last 6 hex digits, which is how the demo tells copies apart.
"""

from __future__ import annotations

from minimq import events as ev


def short(msg_id: str) -> str:
    """The tail of a 32-hex-digit id: enough to tell copies apart on a slide."""
    return "…" + msg_id[-6:] if len(msg_id) > 8 else msg_id


def fmt_ms(at_ms: int) -> str:
    """Virtual time as h:mm:ss.mmm (hours only when needed)."""
    s, ms = divmod(at_ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}" if h else f"{m:02d}:{s:02d}.{ms:03d}"


def lane(event: ev.Event) -> str | None:
    """The lane an event is drawn in, or None for events a timeline leaves out."""
    match event:
        case ev.SendAttempted() | ev.SendFailed() | ev.SendSucceeded() | ev.SendGaveUp():
            return event.producer
        case ev.MessageStored() | ev.MessageSentBack() | ev.MessageDeadLettered() | ev.FaultInjected():
            return "broker"
        case ev.OffsetPersisted():
            return event.client if "local file" in event.via else "broker"
        case (
            ev.MessageDelivered()
            | ev.MessageConsumed()
            | ev.ConsumeResultDiscarded()
            | ev.ConsumeTimedOut()
            | ev.RetriedLocally()
            | ev.OffsetCommittedLocally()
            | ev.Rebalanced()
            | ev.ConsumerStarted()
            | ev.ConsumerCrashed()
            | ev.ConsumerShutdown()
        ):
            return event.client
        case ev.EffectApplied():
            return event.ledger
    return None


def describe(event: ev.Event) -> str:
    """One sentence saying what happened."""
    match event:
        case ev.SendAttempted():
            return f"sends {short(event.msg_id)} to {event.topic}#{event.queue_id} (attempt {event.attempt})"
        case ev.SendFailed():
            return f"attempt {event.attempt} failed: {event.error.split(' (')[0]}"
        case ev.SendSucceeded():
            return f"got SEND_OK for {short(event.msg_id)} at offset {event.queue_offset}"
        case ev.SendGaveUp():
            return f"send() raised: {event.error.split(':')[0]}"
        case ev.MessageStored():
            where = f"{event.topic}#{event.queue_id}@{event.queue_offset}"
            again = f", retry {event.reconsume_times}" if event.reconsume_times else ""
            return f"stored {short(event.msg_id)} at {where} as copy {short(event.offset_msg_id)}{again}"
        case ev.FaultInjected():
            return f"FAULT: {event.detail}"
        case ev.OffsetPersisted():
            return f"{event.group} offset {event.topic}#{event.queue_id} = {event.offset} persisted ({event.via})"
        case ev.MessageSentBack():
            return f"takes {short(event.msg_id)} back for {event.group}: retry at {fmt_ms(event.due_ms)}"
        case ev.MessageDeadLettered():
            return f"dead-letters {short(event.msg_id)} for {event.group} after {event.reconsume_times + 1} deliveries"
        case ev.MessageDelivered():
            retry = f" (retry {event.reconsume_times})" if event.reconsume_times else ""
            where = f"{event.topic}#{event.queue_id}@{event.queue_offset}"
            return f"handler called with {short(event.msg_id)} from {where}{retry}"
        case ev.MessageConsumed():
            note = f" ({event.note})" if event.note else ""
            return f"handler returned {event.status} for {short(event.msg_id)}{note}"
        case ev.ConsumeResultDiscarded():
            return f"result for {short(event.msg_id)} discarded: {event.reason}"
        case ev.ConsumeTimedOut():
            return f"{short(event.msg_id)} ran past the 15 min consume timeout: sent back while still running"
        case ev.RetriedLocally():
            return f"will consume {short(event.msg_id)} again locally in {event.delay_ms} ms ({event.reason})"
        case ev.OffsetCommittedLocally():
            return f"local offset {event.topic}#{event.queue_id} = {event.offset} (not on the broker yet)"
        case ev.Rebalanced():
            return f"rebalanced {event.topic}: queues {list(event.before)} -> {list(event.after)}"
        case ev.ConsumerStarted():
            return f"{'restarted' if event.restart else 'started'} in group {event.group}"
        case ev.ConsumerCrashed():
            return f"CRASHED ({event.point}); nothing persisted"
        case ev.ConsumerShutdown():
            return "shut down gracefully; offsets persisted"
        case ev.EffectApplied():
            note = f" {event.note}" if event.note else ""
            return f"effect for {event.key}{note} (by {event.by})"
    return type(event).__name__
