"""State tables: the broker's queues and each group's offsets, side by side.

Owns: ``queues_table`` (every queue of a topic with its max offset and each group's
committed offset on the broker, in en or zh). Lesson 3 reads this table: the group that persisted
its offset and the one that did not, next to each other.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from minimq.i18n import t
from minimq.runtime.broker import Broker


def queues_table(
    broker: Broker, topic: str, groups: Sequence[str], *, title: str | None = None, lang: str = "en"
) -> Table:
    table = Table(title=title or t("state.queues", lang, topic=topic))
    table.add_column(t("state.queue", lang))
    table.add_column(t("state.max_offset", lang), justify="right")
    for group in groups:
        table.add_column(t("state.committed", lang, group=group), justify="right")
    for mq in broker.topic_queues(topic):
        row = [str(mq), str(broker.max_offset(mq))]
        for group in groups:
            offset = broker.query_offset(group, mq)
            row.append("-" if offset is None else str(offset))
        table.add_row(*row)
    return table
