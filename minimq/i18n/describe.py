"""One sentence per event, in the learner's language, and the lane it is drawn in.

Owns: how trace events read in narration and timelines. The words come from the
catalog (``minimq.i18n``); this module only picks the entry and fills in the values.
Ids are shortened to their last 6 hex digits, enough to tell copies apart on a slide;
a caller that has named them (``minimq check`` calls msg ids A, B, ...) passes ``ids``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping

from minimq import events as ev
from minimq.i18n import CATALOG, t
from minimq.model import ConsumeStatus


def short(msg_id: str) -> str:
    """The tail of a 32-hex-digit id: enough to tell copies apart on a slide."""
    return "…" + msg_id[-6:] if len(msg_id) > 8 else msg_id


def fmt_duration(ms: int, lang: str = "en") -> str:
    """A span of virtual time in words: ``4 h 45 min 40 s``, ``350 ms`` (zh: ``4 小时 45 分 40 秒``)."""
    if ms < 1000:
        return f"{ms} ms" if lang != "zh" else f"{ms} 毫秒"
    s = ms // 1000
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    units = (("h", "小时"), ("min", "分"), ("s", "秒"))
    parts = [(n, u) for n, u in zip((h, m, sec), units, strict=True) if n]
    if lang == "zh":
        return " ".join(f"{n} {zh}" for n, (_, zh) in parts)
    return " ".join(f"{n} {en}" for n, (en, _) in parts)


def fmt_ms(at_ms: int) -> str:
    """Virtual time as mm:ss.mmm, or h:mm:ss.mmm past an hour."""
    s, ms = divmod(at_ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}" if h else f"{m:02d}:{s:02d}.{ms:03d}"


# What a handler does to its database and Redis, drawn in the handler's own lane
# (``minimq.apps.session``): the race between two handlers is read off the picture.
STATEMENTS = frozenset({"db_read", "db_write", "db_statement", "db_commit", "db_failed", "redis_command"})
# Faults injected into an application, drawn where they happen: the database's lane for a
# failed statement or an outage (``target`` names the database), the consumer's for a hold.
APP_FAULTS = frozenset({"fail_statement", "store_outage", "hold_handler", "slow_sms"})


def lane(event: ev.Event) -> str | None:
    """The lane an event is drawn in, or None for events a timeline leaves out."""
    match event:
        case ev.SendAttempted() | ev.SendFailed() | ev.SendSucceeded() | ev.SendGaveUp():
            return event.producer
        case ev.FaultInjected():
            return event.target if event.fault in APP_FAULTS else "broker"
        case (
            ev.MessageStored()
            | ev.MessageSentBack()
            | ev.MessageDeadLettered()
            | ev.OffsetReset()
            | ev.ConsumerRegistered()
            | ev.ConsumerUnregistered()
            | ev.MessagePopped()
            | ev.MessageAcked()
            | ev.InvisibleTimeChanged()
            | ev.MessageRevived()
            | ev.ProducerRegistered()
            | ev.ProducerUnregistered()
            | ev.HalfMessageStored()
            | ev.TransactionChecked()
            | ev.HalfMessageCommitted()
            | ev.HalfMessageRolledBack()
            | ev.HalfMessageDiscarded()
            | ev.OpMessageWritten()
            | ev.OpRecordsLost()
            | ev.BrokerCrashed()
            | ev.BrokerRestarted()
            | ev.CommitLogTruncated()
            | ev.OffsetRestored()
            | ev.ScheduleProgressRestored()
            | ev.OffsetCorrected()
        ):
            return "broker"
        case ev.TransactionEnded():
            return event.producer
        case ev.RouteChanged() | ev.MessagesReplicated() | ev.ReplicationLagged() | ev.OffsetSyncedFromMaster():
            return "broker"  # the broker name's lane: master and slave alike
        case ev.RouteRefreshed():
            return event.client
        case ev.OffsetPersisted():
            return event.client if event.store == "local" else "broker"
        case (
            ev.MessageDelivered()
            | ev.MessageConsumed()
            | ev.BatchConsumed()
            | ev.ConsumeResultDiscarded()
            | ev.ConsumeFailureDropped()
            | ev.ConsumeTimedOut()
            | ev.RetriedLocally()
            | ev.SendBackFailed()
            | ev.OffsetCommittedLocally()
            | ev.PullOffsetMoved()
            | ev.PullFlowControlled()
            | ev.Rebalanced()
            | ev.ConsumerStarted()
            | ev.ConsumerCrashed()
            | ev.ConsumerShutdown()
            | ev.AckRejected()
        ):
            return event.client
        case ev.EffectApplied():
            return event.ledger
        case ev.AppEvent():
            if event.action in STATEMENTS:
                return dict(event.args).get("by", event.system)
            return event.system
    return None


def _values(event: ev.Event, lang: str, ids: Mapping[str, str]) -> tuple[str, dict[str, object]]:
    """The catalog key for ``event`` and the values its sentence needs."""

    def sid(msg_id: str) -> str:
        return ids.get(msg_id) or short(msg_id)

    key = f"ev.{event.kind}"
    match event:
        case ev.SendAttempted():
            return key, {
                "msg": sid(event.msg_id),
                "queue": f"{event.topic}#{event.queue_id}",
                "attempt": event.attempt,
            }
        case ev.SendFailed():
            return key, {"attempt": event.attempt, "error": event.error.split(" (")[0]}
        case ev.SendSucceeded():
            return key, {"msg": sid(event.msg_id), "offset": event.queue_offset}
        case ev.SendGaveUp():
            return key, {"error": event.error.split(":")[0]}
        case ev.MessageStored():
            where = f"{event.topic}#{event.queue_id}@{event.queue_offset}"
            if event.topic.startswith("%DLQ%"):  # not a retry: the copy nobody will consume
                return key + ".dlq", {"msg": sid(event.msg_id), "where": where}
            if event.reconsume_times:
                return key + ".retry", {"msg": sid(event.msg_id), "where": where, "times": event.reconsume_times}
            return key, {"msg": sid(event.msg_id), "where": where, "copy": sid(event.offset_msg_id)}
        case ev.FaultInjected():
            target = sid(event.target) if len(event.target) > 8 else event.target
            return key, {"detail": _fault(event.fault, target, event.detail, lang), "target": target}
        case ev.OffsetPersisted():
            queue = f"{event.topic}#{event.queue_id}"
            via = event.via
            if via.startswith("timer "):  # a consumer's own persist interval (persist_interval_ms)
                via = t("via.timer_every", lang, every=fmt_duration(int(via.split()[1]), lang))
            with contextlib.suppress(KeyError):
                via = t(f"via.{via}", lang)
            store = {"local": ".local", "slave": ".slave"}.get(event.store, "")
            return key + store, {"group": event.group, "queue": queue, "offset": event.offset, "via": via}
        case ev.OffsetReset():
            return key, {
                "group": event.group,
                "queue": f"{event.topic}#{event.queue_id}",
                "offset": event.offset,
                "previous": event.previous if event.previous >= 0 else "-",
                "time": fmt_ms(event.timestamp_ms),
            }
        case ev.BrokerCrashed() | ev.BrokerRestarted() | ev.CommitLogTruncated() | ev.OffsetRestored():
            return _restart_values(event, key, lang)
        case (
            ev.RouteChanged()
            | ev.RouteRefreshed()
            | ev.MessagesReplicated()
            | ev.ReplicationLagged()
            | ev.OffsetSyncedFromMaster()
        ):
            return _replication_values(event, key, lang)
        case ev.ScheduleProgressRestored():
            again, flushed = event.previous - event.offset, _flushed(event.flushed_ms, lang)
            return key, {"level": event.delay_level, "offset": event.offset, "previous": event.previous} | {
                "again": again,
                "flushed": flushed,
            }
        case ev.OffsetCorrected():
            return key, {
                "group": event.group,
                "queue": f"{event.topic}#{event.queue_id}",
                "pull_offset": event.pull_offset,
                "offset": event.offset,
            }
        case ev.PullOffsetMoved():
            queue = f"{event.topic}#{event.queue_id}"
            return key, {"queue": queue, "pull_offset": event.pull_offset, "offset": event.offset}
        case ev.PullFlowControlled():
            return f"{key}.{event.reason}", {
                "queue": f"{event.topic}#{event.queue_id}",
                "min": event.min_offset,
                "max": event.max_offset,
                "value": event.value,
                "threshold": event.threshold,
                "times": event.times,
            }
        case ev.MessageSentBack():
            return key, {"msg": sid(event.msg_id), "group": event.group, "due": fmt_ms(event.due_ms)}
        case ev.MessageDeadLettered():
            return key, {"msg": sid(event.msg_id), "group": event.group, "n": event.reconsume_times + 1}
        case ev.MessageDelivered():
            where = f"{event.topic}#{event.queue_id}@{event.queue_offset}"
            values: dict[str, object] = {"msg": sid(event.msg_id), "where": where, "times": event.reconsume_times}
            return (key + ".retry" if event.reconsume_times else key), values
        case ev.MessageConsumed():
            values = {"msg": sid(event.msg_id), "status": event.status, "note": _note(event.note, lang)}
            return (key + ".note" if event.note else key), values
        case ev.BatchConsumed():
            return _batch(event, key, lang)
        case ev.ConsumeTimedOut():
            ran = fmt_duration(event.at_ms - event.started_ms, lang)
            return key, {"msg": sid(event.msg_id), "ran": ran, "started": fmt_ms(event.started_ms)}
        case ev.ConsumeResultDiscarded() | ev.ConsumeFailureDropped() | ev.RetriedLocally():
            return key, {"msg": sid(event.msg_id), "delay": getattr(event, "delay_ms", 0)}
        case ev.SendBackFailed():
            values = {"msg": sid(event.msg_id), "group": event.group, "attempt": event.attempt}
            values["error"] = event.error.split(" (")[0]
            return (key if event.request == "CONSUMER_SEND_MSG_BACK" else key + ".normal"), values
        case ev.OffsetCommittedLocally():
            return key, {"queue": f"{event.topic}#{event.queue_id}", "offset": event.offset}
        case ev.Rebalanced():
            return key, {"topic": event.topic, "before": list(event.before), "after": list(event.after)}
        case ev.ConsumerStarted():
            return (key + ".restart" if event.restart else key), {"group": event.group}
        case ev.ConsumerCrashed():
            return key, {"point": event.point}
        case ev.EffectApplied():  # a ledger may say it in its own words ("ev.EffectApplied.SMS")
            own = f"{key}.{event.ledger}"
            return (own if own in CATALOG else key), {"key": event.key}
        case ev.PullFailed():
            return key, {"queue": f"{event.topic}#{event.queue_id}", "error": event.error}
        case ev.ConsumerRegistered() | ev.ConsumerUnregistered():
            members = _members(event.members, lang)
            values = {
                "client": event.client,
                "client_id": event.client_id,
                "group": event.group,
                "members": members,
                "notified": event.notified,
            }
            if isinstance(event, ev.ConsumerUnregistered):
                values["via"] = t(f"left.{event.via}", lang)
            return (key if event.notified else key + ".quiet"), values
        case ev.QueueLocked() | ev.QueueUnlocked():
            return key, {"queue": f"{event.topic}#{event.queue_id}", "client": event.client}
        case (
            ev.MessagePopped() | ev.MessageAcked() | ev.AckRejected() | ev.InvisibleTimeChanged() | ev.MessageRevived()
        ):
            return _pop_values(event, key, lang, sid)
        case (
            ev.ProducerRegistered()
            | ev.ProducerUnregistered()
            | ev.HalfMessageStored()
            | ev.TransactionEnded()
            | ev.TransactionChecked()
            | ev.HalfMessageCommitted()
            | ev.HalfMessageRolledBack()
            | ev.HalfMessageDiscarded()
            | ev.OpMessageWritten()
            | ev.OpRecordsLost()
        ):
            return _transaction(event, key, sid)
        case ev.AppEvent():
            args = dict(event.args)
            values = dict(args)
            if "msg_id" in args:
                values["msg"] = sid(args["msg_id"])
            for name, raw in args.items():  # a span of time: "waited_ms" is also told as "waited"
                if name.endswith("_ms") and raw.isdigit():
                    values[name[:-3]] = fmt_duration(int(raw), lang)
            if "at_ms" in args:  # a point in time, not a span
                values["at"] = fmt_ms(int(args["at_ms"]))
            return f"app.{event.action}", values
    return key, {}


PopEvent = ev.MessagePopped | ev.MessageAcked | ev.AckRejected | ev.InvisibleTimeChanged | ev.MessageRevived


def _pop_values(event: PopEvent, key: str, lang: str, sid: Callable[[str], str]) -> tuple[str, dict[str, object]]:
    """POP's events (``minimq.events.pop``): which sentence, and its values."""
    values: dict[str, object] = {"msg": sid(event.msg_id), "client": event.client, "group": event.group}
    match event:
        case ev.MessagePopped():
            values |= {
                "where": f"{event.topic}#{event.queue_id}@{event.queue_offset}",
                "invisible": fmt_duration(event.invisible_ms, lang),
                "visible": fmt_ms(event.visible_ms),
                "attempt": event.reconsume_times + 1,
            }
            return (key + ".retry" if event.reconsume_times else key), values
        case ev.MessageAcked():
            if event.via == "dead letter":
                return key + ".dlq", values
            return (key if event.took_effect else key + ".stale"), values
        case ev.AckRejected():
            values |= {"request": event.request, "visible": fmt_ms(event.visible_ms)}
            return key, values
        case ev.InvisibleTimeChanged():
            values |= {"invisible": fmt_duration(event.invisible_ms, lang), "visible": fmt_ms(event.visible_ms)}
            stale = "" if event.took_effect or event.reason != "client" else ".stale"
            return f"{key}.{event.reason.replace(' ', '_')}{stale}", values
        case ev.MessageRevived():
            values |= {
                "visible": fmt_ms(event.visible_ms),
                "retry": event.retry_topic,
                "times": event.reconsume_times + 1,
            }
            return key, values


def _batch(event: ev.BatchConsumed, key: str, lang: str) -> tuple[str, dict[str, object]]:
    """A batch listener's answer: all of it consumed, a part (``ackIndex``), or none."""
    n, ok = len(event.msg_ids), event.ack_index + 1
    values: dict[str, object] = {"status": event.status, "n": n, "queue": f"{event.topic}#{event.queue_id}"}
    values |= {"ack": event.ack_index, "ok": ok, "failed": n - ok, "note": _note(event.note, lang)}
    if ok == n:
        return key + ".all", values
    if event.status == ConsumeStatus.SUCCESS.value:  # ackIndex below the batch's last
        return key + ".part", values
    return key + (".none.note" if event.note else ".none"), values


def _transaction(event: ev.Event, key: str, sid: Callable[[str], str]) -> tuple[str, dict[str, object]]:
    """The catalog key and values of a transactional message's event (path P16)."""
    match event:
        case ev.ProducerRegistered() | ev.ProducerUnregistered():
            return key, {"producer": event.producer, "group": event.group}
        case ev.HalfMessageStored():
            queue = f"{event.real_topic}#{event.real_queue_id}"
            return key, {"msg": sid(event.msg_id), "offset": event.half_offset, "queue": queue}
        case ev.TransactionEnded():
            variant = (".check" if event.from_check else "") + (".note" if event.note else "")
            values: dict[str, object] = {"msg": sid(event.msg_id), "state": event.state, "offset": event.half_offset}
            return key + variant, values | {"note": event.note}
        case ev.TransactionChecked():
            values = {"msg": sid(event.msg_id), "offset": event.half_offset, "copy": event.copy_offset}
            values |= {"times": event.check_times, "producer": event.producer, "group": event.group}
            return (key if event.producer else key + ".nobody"), values
        case ev.HalfMessageCommitted():
            where = f"{event.topic}#{event.queue_id}@{event.queue_offset}"
            values = {"msg": sid(event.msg_id), "offset": event.half_offset, "where": where, "n": event.commits}
            return (key + ".again" if event.commits > 1 else key), values
        case ev.HalfMessageRolledBack():
            return key, {"msg": sid(event.msg_id), "offset": event.half_offset}
        case ev.HalfMessageDiscarded():
            return key, {"msg": sid(event.msg_id), "offset": event.half_offset, "times": event.check_times}
        case ev.OpMessageWritten() | ev.OpRecordsLost():
            return key, {"offsets": ", ".join(f"@{n}" for n in event.half_offsets)}
    return key, {}


def _flushed(at_ms: int, lang: str) -> str:
    """When something was last flushed: a time, or "never"."""
    return fmt_ms(at_ms) if at_ms >= 0 else t("flushed.never", lang)


def _restart_values(event: ev.Event, key: str, lang: str) -> tuple[str, dict[str, object]]:
    """The values of the sentences of a broker's crash and restart."""
    values: dict[str, object] = {}
    match event:
        case ev.BrokerCrashed():
            offsets, delay = _flushed(event.offsets_flushed_ms, lang), _flushed(event.delay_flushed_ms, lang)
            values = {"broker": event.broker, "offsets": offsets, "delay": delay}
            key = f"{key}.{event.how}"
        case ev.BrokerRestarted():
            values = {"broker": event.broker, "down": fmt_duration(event.down_ms, lang)}
        case ev.CommitLogTruncated():
            values = {"lost": event.lost, "scheduled": event.scheduled_lost}
            values["flushed"] = _flushed(event.flushed_ms, lang)
        case ev.OffsetRestored():
            values = {"group": event.group, "queue": f"{event.topic}#{event.queue_id}"}
            values["offset"] = event.offset if event.offset >= 0 else "-"
            values["previous"] = event.previous if event.previous >= 0 else "-"
            values["flushed"] = _flushed(event.flushed_ms, lang)
    return key, values


def _replication_values(event: ev.Event, key: str, lang: str) -> tuple[str, dict[str, object]]:
    """The values of the sentences of a broker name with a slave (path P14)."""
    match event:
        case ev.RouteChanged():
            values: dict[str, object] = {"broker": event.broker, "who": event.address}
            return f"{key}.{event.via}", values | {"route": _route(event.broker_ids, event.addresses, lang)}
        case ev.RouteRefreshed():
            via = t("route.via.poll", lang) if event.via == "poll" else t("route.via.other", lang, what=event.via)
            return key, {"broker": event.broker, "route": _route(event.broker_ids, event.addresses, lang), "via": via}
        case ev.MessagesReplicated():
            return key, {"master": event.master, "slave": event.slave, "count": event.count}
        case ev.ReplicationLagged():
            values = {"master": event.master, "slave": event.slave, "n": event.not_copied}
            return (key + ".lost" if event.disk_lost else key), values
        case ev.OffsetSyncedFromMaster():
            values = {"master": event.master, "slave": event.slave, "group": event.group, "offset": event.offset}
            values |= {
                "queue": f"{event.topic}#{event.queue_id}",
                "previous": event.previous if event.previous >= 0 else "-",
            }
            return (key + ".back" if 0 <= event.offset < event.previous else key), values
    return key, {}


def _route(ids: tuple[int, ...], addresses: tuple[str, ...], lang: str) -> str:
    """A route of one broker name in words: each address with its role."""
    if not ids:
        return t("route.empty", lang)
    roles = ("route.master" if broker_id == 0 else "route.slave" for broker_id in ids)
    return ", ".join(t(role, lang, address=a) for role, a in zip(roles, addresses, strict=True))


def _members(ids: tuple[str, ...], lang: str) -> str:
    """A group's member list in short: how many, and each client id listed more than once."""
    if not ids:
        return t("members.none", lang)
    text = t("members.n", lang, n=len(ids))
    for cid in sorted(set(ids)):
        if ids.count(cid) > 1:
            text += t("members.twice", lang, id=cid, times=ids.count(cid))
    return text


def _fault(fault: str, target: str, detail: str, lang: str) -> str:
    try:
        return t(f"fault.{fault}", lang, target=target)
    except KeyError:
        return detail


def describe(event: ev.Event, lang: str = "en", *, brief: bool = False, ids: Mapping[str, str] | None = None) -> str:
    """One sentence saying what happened, in ``lang``; ``brief`` for a timeline cell;
    ``ids`` names msg ids (and offset msg ids) instead of shortening them."""
    key, values = _values(event, lang, ids or {})
    if brief:
        short_key = key.replace("ev.", "evb.", 1) if key.startswith("ev.") else key.replace("app.", "appb.", 1)
        try:
            return t(short_key, lang, **values)
        except KeyError:
            pass
    try:
        return t(key, lang, **values)
    except KeyError:
        return event.kind


def _note(note: str, lang: str) -> str:
    """A consume result's note in ``lang``: "raised Error: message" (the listener's exception,
    its message kept as the application wrote it, like a Java stack trace's)."""
    if note.startswith("raised "):
        return t("ev.note_raised", lang, error=note.removeprefix("raised "))
    if note.startswith("past ackIndex "):  # minimq.core.consume_batch.PAST_ACK_INDEX
        return t("ev.note_past_ack_index", lang, index=note.removeprefix("past ackIndex "))
    return note
