"""A rich table read back as plain data: what the lesson site shows of a state table.

Owns: ``TableData`` and ``table_data``. The state tables a step shows (``shop_tables``:
queues with max, broker and local offsets and messages in flight, coupons, retries, a
``Look``'s own) are built once, as rich tables, from the shop; the lesson site
(``minimq.site``) reads their title, headers, cells and caption here instead of building
them a second time, so the terminal and the page cannot disagree. Styles are dropped: a
page marks what is bad from the data it is given (a verdict line, a duplicate mark).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text


@dataclass(frozen=True, slots=True)
class TableData:
    """A table's words: ``rows`` hold one string per header; a header may hold a line break."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


def _plain(value: object) -> str:
    if isinstance(value, Text):
        return value.plain
    return value if isinstance(value, str) else ""


def table_data(table: Table) -> TableData:
    """The words of ``table``, row by row."""
    columns = [[_plain(cell) for cell in column.cells] for column in table.columns]
    rows = tuple(zip(*columns, strict=True)) if columns else ()
    return TableData(
        title=_plain(table.title),
        headers=tuple(_plain(column.header) for column in table.columns),
        rows=rows,
        caption=_plain(table.caption),
    )
