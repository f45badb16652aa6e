"""The applications' side of the trace: what a system did, and the effects it expected
and applied.
"""

from __future__ import annotations

from minimq.events.base import Event
from minimq.records import record


@record
class AppEvent(Event):
    """Something an application system did (payment, order, coupon, a database).

    ``action`` is a key of the narration catalog and ``args`` its named values, so the
    same event can be told in English or in Chinese.
    """

    system: str
    action: str
    args: tuple[tuple[str, str], ...]


@record
class EffectExpected(Event):
    """The application says ``key`` should have exactly one effect in ``ledger``."""

    ledger: str
    key: str


@record
class EffectApplied(Event):
    """The application did something with a side effect (``minimq.effects``)."""

    ledger: str
    key: str
    by: str
    note: str
