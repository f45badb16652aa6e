"""The steps of a fault schedule: one kind of thing that happens, at one virtual time.

Owns: one frozen record per kind of step, each holding only the settings its kind
uses, and ``Step``, the union of them (``Send``, the kinds that send "order paid";
``TxStep``, those that need the order system's transactional producer); ``KINDS``, ``BY_KIND`` and ``USES`` (each kind's
name, as the JSON of a schedule tags it, and its settings besides ``at_ms``);
``order_of``. ``at_ms`` is virtual time; ``order`` an order id; ``client`` c1 or c2. A
setting left at its zero value ("" or 0) is left out of a schedule's JSON, and takes
the default its docstring names. ``lab`` plays each kind, ``schedule_check`` reads a
stored step field by field against ``USES``, ``story`` tells it in words.

On POP (a schedule whose ``consumer`` is ``pop``: the coupon system's processes are
SimpleConsumers, see ``minimq.apps.pop_coupons``) every kind keeps its meaning, and
every redelivery it causes takes one road: the message is not acked, and the broker
revives it into ``%RETRY%coupon-system_order-paid`` once its invisible duration (30 s)
is over. ``Crash`` at ``AFTER_HANDLER`` dies before the ack; ``AFTER_LOCAL_COMMIT`` has
no POP counterpart (an ack is one request, no offset is kept locally), so it dies right
after the ack, which loses nothing. ``Join`` starts a second process, which shares
every queue (POP has no rebalance), and ``Leave`` closes one, cancelling the call in
progress like a push consumer's shutdown. ``Slow`` holds a call past the invisible
duration instead of the 15 min consume timeout (there is none on POP).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, assert_never


@dataclass(frozen=True, slots=True, kw_only=True)
class Pay:
    """The order system sends "order paid" for ``order`` once."""

    kind: ClassVar[str] = "pay"
    at_ms: int
    order: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UpstreamRetry:
    """The payment system calls again, so the order system sends a second, new message
    for ``order`` (path A)."""

    kind: ClassVar[str] = "upstream_retry"
    at_ms: int
    order: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LostReply:
    """The broker stores the message for ``order`` but the reply is lost (``how``:
    timeout, the default, or fast_fail); on a timeout the order system's loop re-sends the
    same (the default) or a new ``Message`` (``resend``: same or new) (path B; fast_fail is
    the producer's own retry, P1)."""

    kind: ClassVar[str] = "lost_reply"
    at_ms: int
    order: str
    how: str = ""
    resend: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Crash:
    """Arm a crash of ``client`` at ``point`` (a ``CrashPoint`` name, or
    ``BEFORE_STATEMENT`` with ``statement`` n) while it handles ``order``;
    ``restart_after`` ms later (1 s when 0) it starts again (paths C, P4, P5)."""

    kind: ClassVar[str] = "crash"
    at_ms: int
    order: str
    client: str
    point: str
    statement: int = 0
    restart_after: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Kill:
    """Consumer process ``client`` dies now (``kill -9``) and starts again
    ``restart_after`` ms later (1 s when 0) (P6)."""

    kind: ClassVar[str] = "kill"
    at_ms: int
    client: str
    restart_after: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Down:
    """Every consumer of the coupon system is killed now and restarted ``restart_after``
    ms later (1 s when 0)."""

    kind: ClassVar[str] = "down"
    at_ms: int
    restart_after: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Restart:
    """Consumer process ``client`` starts."""

    kind: ClassVar[str] = "restart"
    at_ms: int
    client: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Join:
    """Consumer process ``client`` starts and joins the group: a rebalance (P7)."""

    kind: ClassVar[str] = "join"
    at_ms: int
    client: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Leave:
    """Consumer process ``client`` shuts down gracefully: a rebalance (P7)."""

    kind: ClassVar[str] = "leave"
    at_ms: int
    client: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Fail:
    """The ``statement``-th database statement (1 when 0) raises for the first ``times``
    deliveries (1 when 0) of ``order`` (RECONSUME_LATER after a partial side effect, P8);
    with ``how="after"`` the statement runs first and then its reply is lost (the
    connection drops), so a COMMIT goes through while the handler sees an error."""

    kind: ClassVar[str] = "fail"
    at_ms: int
    order: str
    statement: int = 0
    times: int = 0
    how: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Slow:
    """The handler of ``order`` is held ``delay_ms`` (a slow downstream call): before it
    runs, or with ``statement`` n before its n-th statement, in the middle of its work
    (the first delivery only). Past the 15 min consume timeout it is path P10; a few
    seconds keep it in flight while a rebalance moves its queue (P7)."""

    kind: ClassVar[str] = "slow"
    at_ms: int
    order: str
    statement: int = 0
    delay_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Outage:
    """The coupon database and Redis are down for ``delay_ms``: every statement fails, so
    messages delivered meanwhile climb the retry ladder (10 s, 30 s, 1 min, ...) and come
    back late."""

    kind: ClassVar[str] = "outage"
    at_ms: int
    delay_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Reset:
    """An operator resets coupon-system's offsets on the topic back to the time
    ``delay_ms`` (``mqadmin resetOffsetByTime``, P15): everything stored since is
    delivered again (path ``reset``; a late redelivery as well when that is an hour or
    more after a message was sent). (``delay_ms`` is a time, not a delay: the name its
    JSON has always used.)"""

    kind: ClassVar[str] = "reset"
    at_ms: int
    delay_ms: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SlowTx:
    """The local transaction of ``order`` (marking it PAID, then the invoicing call
    inside the open database transaction, then COMMIT) takes ``delay_ms``: past the
    broker's ``transactionTimeOut`` (6 s) a check-back scan (every 30 s) can come in the
    middle of it and write the half back, and both the producer's COMMIT and the
    check-back's commit it (P16, apache/rocketmq#5574). Only in a schedule whose
    producer is ``transaction``."""

    kind: ClassVar[str] = "slow_tx"
    at_ms: int
    order: str
    delay_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LostEnd:
    """The order system's own ``END_TRANSACTION`` for ``order`` (oneway) never reaches
    the broker: the half waits for the check-back scan, whose check listener finds the
    order PAID and commits it then (P16). Only in a schedule whose producer is
    ``transaction``."""

    kind: ClassVar[str] = "lost_end"
    at_ms: int
    order: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerCrash:
    """The broker dies now and restarts ``restart_after`` ms later (10 s when 0); with
    ``how="os"`` its machine goes down too and the commit log loses what it had not
    flushed (path ``broker-crash``, P13). It comes back with the consumer offsets of its
    last 5 s flush and the delay progress of its last 10 s flush: a coupon process
    started, or given a queue, after that reads the older offset and consumes again."""

    kind: ClassVar[str] = "broker_crash"
    at_ms: int
    how: str = ""
    restart_after: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class MasterDown:
    """The broker's master dies now and is back ``restart_after`` ms later (237 s when 0,
    lesson 16's outage); a schedule with this step runs the broker with a slave that
    serves reads (``slaveReadEnable=true``: the 5.x default, false, refuses every pull
    from a slave, so nothing is consumed and nothing diverges). While the master is out of
    a client's route the coupon system consumes from the slave and persists its offsets
    there; the master comes back with its own flushed offsets, the slave's sync copies
    them over its own, and a coupon process that asks the master where to start in that
    window consumes again (path ``failover``, P14)."""

    kind: ClassVar[str] = "master_down"
    at_ms: int
    restart_after: int = 0


Step = (
    Pay
    | UpstreamRetry
    | LostReply
    | Crash
    | Kill
    | Down
    | Restart
    | Join
    | Leave
    | Fail
    | Slow
    | Outage
    | Reset
    | SlowTx
    | LostEnd
    | BrokerCrash
    | MasterDown
)
Send = Pay | UpstreamRetry | LostReply  # the kinds that send "order paid"
TxStep = SlowTx | LostEnd  # the kinds that need a transactional producer

BY_KIND: dict[str, type[Step]] = {
    cls.kind: cls
    for cls in (
        Pay,
        UpstreamRetry,
        LostReply,
        Crash,
        Kill,
        Down,
        Restart,
        Join,
        Leave,
        Fail,
        Slow,
        Outage,
        Reset,
        SlowTx,
        LostEnd,
        BrokerCrash,
        MasterDown,
    )
}
KINDS = frozenset(BY_KIND)
# the settings each kind of step uses, besides at_ms and kind
USES: dict[str, frozenset[str]] = {
    kind: frozenset(f.name for f in fields(cls)) - {"at_ms"} for kind, cls in BY_KIND.items()
}


def order_of(step: Step) -> str:
    """The order a step is about; "" for a step about the consumers or the store."""
    match step:
        case Pay() | UpstreamRetry() | LostReply() | Crash() | Fail() | Slow() | SlowTx() | LostEnd():
            return step.order
        case Kill() | Down() | Restart() | Join() | Leave() | Outage() | Reset() | BrokerCrash() | MasterDown():
            return ""
        case _:
            assert_never(step)
