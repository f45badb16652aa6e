"""The steps of a fault schedule: one kind of thing that happens, at one virtual time.

Owns: ``Step``, ``KINDS`` and ``USES`` (the settings each kind of step uses; the others
stay at their zero value). ``schedule`` says what each kind does; ``schedule_check``
reads a stored step field by field against ``USES``.
"""

from __future__ import annotations

from dataclasses import dataclass

# the settings each kind of step uses, besides at_ms and kind
USES: dict[str, frozenset[str]] = {
    "pay": frozenset({"order"}),
    "upstream_retry": frozenset({"order"}),
    "lost_reply": frozenset({"order", "how", "resend"}),
    "crash": frozenset({"order", "client", "point", "statement", "restart_after"}),
    "kill": frozenset({"client", "restart_after"}),
    "down": frozenset({"restart_after"}),
    "restart": frozenset({"client"}),
    "join": frozenset({"client"}),
    "leave": frozenset({"client"}),
    "fail": frozenset({"order", "statement", "times", "how"}),
    "slow": frozenset({"order", "statement", "delay_ms"}),
    "outage": frozenset({"delay_ms"}),
    "reset": frozenset({"delay_ms"}),
}
KINDS = frozenset(USES)
SENDS = frozenset({"pay", "upstream_retry", "lost_reply"})  # the kinds that send "order paid"


@dataclass(frozen=True)
class Step:
    at_ms: int
    kind: str
    order: str = ""
    client: str = ""
    how: str = ""
    resend: str = ""
    point: str = ""
    statement: int = 0
    times: int = 0
    delay_ms: int = 0
    restart_after: int = 0
