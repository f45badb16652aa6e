"""The console every command prints through (rich), set up the same way everywhere.

``Console`` is re-exported so that code outside ``minimq.render`` can name the type
without importing rich itself.
"""

from __future__ import annotations

from rich.console import Console

__all__ = ["Console", "make_console"]


def make_console(width: int | None = None, no_color: bool = False, record: bool = False) -> Console:
    """A console of ``width`` columns (the terminal's if None); ``no_color`` for plain text."""
    return Console(width=width, no_color=no_color, highlight=False, record=record, soft_wrap=False)
