"""Reading a stored schedule (a replay token, or its JSON): every field checked and named.

Owns: ``read_schedule`` and ``ScheduleError``. A token comes from a bug report, a CI log
or a hand edit, so nothing in it is trusted: the JSON must be an object with ``orders``
(distinct non-empty names) and ``steps``, and may say how the shop runs (``consumer``:
push or pop; ``producer``: plain or transaction; absent, the first of each, as in every
token stored before they existed); each step has a known ``kind`` and only the
fields that kind uses, each of the right type and in range (times from 0 to a week,
statements 1..100, a crash point RocketMQ has, a client c1 or c2, an order the schedule
pays), and a step of the transactional producer (``slow_tx``, ``lost_end``) needs a
schedule whose producer is ``transaction``. A bad field is refused with its place
(``steps[2].point``), what is wrong and the value, so a replay never runs something
else than what was stored.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
from typing import Any, assert_never

from minimq.errors import MinimqError
from minimq.i18n import t
from minimq.testing.steps import (
    BY_KIND,
    KINDS,
    USES,
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
    TxStep,
    UpstreamRetry,
)

WEEK_MS = 7 * 24 * 3_600_000
BROKER_DOWN_MS = 10_000  # a broker crash without its own restart_after is down this long
MASTER_DOWN_MS = 237_000  # a master_down without its own restart_after: lesson 16's outage
MAX_STATEMENT = 100
MAX_TIMES = 16
MAX_STEPS = 200
MAX_ORDERS = 100
CLIENTS = ("c1", "c2")
CONSUMERS = ("push", "pop")  # the first of each is the default, left out of the JSON
PRODUCERS = ("plain", "transaction")
CRASH_POINTS = ("BEFORE_HANDLER", "IN_HANDLER", "AFTER_HANDLER", "AFTER_LOCAL_COMMIT", "BEFORE_STATEMENT")
# every setting of every kind, in the order a step is checked (a test holds it to ``USES``)
FIELDS: tuple[str, ...] = (
    "at_ms",
    "kind",
    "order",
    "client",
    "how",
    "resend",
    "point",
    "statement",
    "times",
    "delay_ms",
    "restart_after",
)
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("lost_reply", "how"): ("", "timeout", "fast_fail"),
    ("lost_reply", "resend"): ("", "same", "new"),
    ("fail", "how"): ("", "after"),
    ("crash", "point"): CRASH_POINTS,
    ("broker_crash", "how"): ("", "os"),
}


class ScheduleError(MinimqError, ValueError):
    """A stored schedule that cannot be replayed: ``where`` it is wrong, ``problem`` (a
    catalog key, ``sched.*``) and its ``values``."""

    def __init__(self, where: str, problem: str, **values: object) -> None:
        self.where, self.problem, self.values = where, problem, values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        values = {k: _shown(v) if k == "value" else v for k, v in self.values.items()}
        said = t(self.problem, lang, **values)
        return t("sched.error", lang, where=self.where, problem=said) if self.where else said


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


Stored = tuple[tuple[str, ...], tuple[Step, ...], str, str]  # a schedule's orders, steps, consumer, producer


def read_schedule(token: str) -> Stored:
    """A schedule's orders, steps, consumer and producer from a replay token (URL-safe
    base64 of its JSON) or from the JSON."""
    if not isinstance(token, str):
        raise ScheduleError("", "sched.not_text", value=token)
    text = token.strip()
    if not text.startswith(("{", "[")):
        try:
            text = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ScheduleError("", "sched.not_token", value=token[:40]) from None
    return parse_schedule(text)


def parse_schedule(text: str) -> Stored:
    """A schedule's orders, steps, consumer and producer from its JSON."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ScheduleError("", "sched.not_json", value=str(exc)[:60]) from None
    return _schedule(data)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _schedule(data: Any) -> Stored:
    if not isinstance(data, dict):
        raise ScheduleError("", "sched.not_object", got=type(data).__name__)
    extra = sorted(set(data) - {"orders", "steps", "consumer", "producer"})
    if extra:
        raise ScheduleError(extra[0], "sched.unknown_field", value=extra[0])
    orders = _orders(data.get("orders"))
    consumer = _mode("consumer", data.get("consumer"), CONSUMERS)
    producer = _mode("producer", data.get("producer"), PRODUCERS)
    raw = data.get("steps")
    if not isinstance(raw, list) or len(raw) > MAX_STEPS:
        raise ScheduleError("steps", "sched.list", most=MAX_STEPS, value=raw)
    steps = tuple(_step(i, s, orders) for i, s in enumerate(raw))
    for i, step in enumerate(steps):
        if isinstance(step, TxStep) and producer != "transaction":
            raise ScheduleError(f"steps[{i}].kind", "sched.needs_tx", kind=step.kind, value=producer)
    for i, step in enumerate(steps):
        if isinstance(step, MasterDown) and (consumer, producer) != ("push", "plain"):
            raise ScheduleError(f"steps[{i}].kind", "sched.needs_push", kind=step.kind, value=f"{consumer}/{producer}")
        if isinstance(step, BrokerCrash) and step.how == "os" and any(isinstance(s, MasterDown) for s in steps):
            raise ScheduleError(f"steps[{i}].how", "sched.os_with_slave", value=step.how)
    overlap = broker_crash_overlap(steps)
    if overlap is not None:
        raise ScheduleError(f"steps[{overlap[0]}].at_ms", "sched.overlap", value=overlap[1])
    return orders, steps, consumer, producer


def broker_crash_overlap(steps: tuple[Step, ...]) -> tuple[int, int] | None:
    """The first broker crash that comes while the broker is still down from an earlier
    one, as (its index, the earlier one's at_ms); None when none does (a crashed broker
    cannot crash again before its restart)."""
    crashes = sorted((s.at_ms, i, down_ms(s)) for i, s in enumerate(steps) if isinstance(s, BrokerCrash | MasterDown))
    for (at, _, down), (later, i, _) in itertools.pairwise(crashes):
        if later <= at + down:
            return i, at
    return None


def down_ms(step: BrokerCrash | MasterDown) -> int:
    """How long a broker crash or a master's loss keeps the broker down."""
    return step.restart_after or (MASTER_DOWN_MS if isinstance(step, MasterDown) else BROKER_DOWN_MS)


def _mode(name: str, raw: Any, choices: tuple[str, ...]) -> str:
    """``consumer`` or ``producer``: absent is the first choice, as before they existed."""
    if raw is None:
        return choices[0]
    if not isinstance(raw, str) or raw not in choices:
        raise ScheduleError(name, "sched.choice", choices=", ".join(choices), value=raw)
    return raw


def _orders(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ORDERS:
        raise ScheduleError("orders", "sched.orders", most=MAX_ORDERS, value=raw)
    for i, order in enumerate(raw):
        if not isinstance(order, str) or not 1 <= len(order) <= 64:
            raise ScheduleError(f"orders[{i}]", "sched.name", value=order)
    if len(set(raw)) != len(raw):
        raise ScheduleError("orders", "sched.repeated", value=raw)
    return tuple(raw)


def _step(i: int, raw: Any, orders: tuple[str, ...]) -> Step:
    at = f"steps[{i}]"
    if not isinstance(raw, dict):
        raise ScheduleError(at, "sched.not_object", got=type(raw).__name__)
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:  # a list or an object cannot even be looked up
        raise ScheduleError(f"{at}.kind", "sched.choice", choices=", ".join(sorted(KINDS)), value=kind)
    allowed = USES[kind] | {"at_ms", "kind"}
    for name in sorted(raw):
        if name not in FIELDS:
            raise ScheduleError(f"{at}.{name}", "sched.unknown_field", value=name)
        if name not in allowed and raw[name] not in ("", 0):
            raise ScheduleError(f"{at}.{name}", "sched.not_used", kind=kind, value=raw[name])
    values = {
        name: _field(f"{at}.{name}", kind, name, raw.get(name), orders) for name in FIELDS if name in allowed - {"kind"}
    }
    step = BY_KIND[kind](**values)
    _consistent(at, step)
    return step


def _field(where: str, kind: str, name: str, value: Any, orders: tuple[str, ...]) -> Any:
    if name in ("at_ms", "delay_ms", "restart_after"):
        return _int(where, value, 0, WEEK_MS)
    if name == "statement":
        return _int(where, value, 0, MAX_STATEMENT)
    if name == "times":
        return _int(where, value, 0, MAX_TIMES)
    text = "" if value is None else value
    if not isinstance(text, str):
        raise ScheduleError(where, "sched.str", value=value)
    if name == "order":
        if text not in orders:
            raise ScheduleError(where, "sched.order", orders=", ".join(orders), value=text)
        return text
    if name == "client":
        choices: tuple[str, ...] = CLIENTS
    else:
        choices = CHOICES[(kind, name)]
    if text not in choices:
        raise ScheduleError(where, "sched.choice", choices=", ".join(c for c in choices if c), value=text)
    return text


def _int(where: str, value: Any, low: int, high: int) -> int:
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool):
        raise ScheduleError(where, "sched.int", value=value)
    if not low <= value <= high:
        raise ScheduleError(where, "sched.range", low=low, high=high, value=value)
    return value


def _consistent(at: str, step: Step) -> None:
    """What no single field shows: a crash before statement n needs n, an outage and a
    hold need a length, a reset goes back in time; a step about a client names one, a
    crash a point, a step about an order the order."""
    match step:
        case Crash():
            if step.point == "BEFORE_STATEMENT" and step.statement < 1:
                raise ScheduleError(f"{at}.statement", "sched.range", low=1, high=MAX_STATEMENT, value=step.statement)
            _client(at, step.client)
            if not step.point:
                raise ScheduleError(f"{at}.point", "sched.choice", choices=", ".join(CRASH_POINTS), value=step.point)
            _order(at, step.order)
        case Slow():
            if step.delay_ms < 1:
                raise ScheduleError(f"{at}.delay_ms", "sched.range", low=1, high=WEEK_MS, value=step.delay_ms)
            _order(at, step.order)
        case Outage():
            if step.delay_ms < 1:
                raise ScheduleError(f"{at}.delay_ms", "sched.range", low=1, high=WEEK_MS, value=step.delay_ms)
        case Reset():
            if step.delay_ms > step.at_ms:
                raise ScheduleError(f"{at}.delay_ms", "sched.range", low=0, high=step.at_ms, value=step.delay_ms)
        case Kill() | Restart() | Join() | Leave():
            _client(at, step.client)
        case SlowTx():
            if step.delay_ms < 1:
                raise ScheduleError(f"{at}.delay_ms", "sched.range", low=1, high=WEEK_MS, value=step.delay_ms)
            _order(at, step.order)
        case Pay() | UpstreamRetry() | LostReply() | Fail() | LostEnd():
            _order(at, step.order)
        case Down() | BrokerCrash() | MasterDown():
            pass
        case _:
            assert_never(step)


def _client(at: str, client: str) -> None:
    if not client:
        raise ScheduleError(f"{at}.client", "sched.choice", choices=", ".join(CLIENTS), value=client)


def _order(at: str, order: str) -> None:
    if not order:
        raise ScheduleError(f"{at}.order", "sched.missing", value="")
