"""The console every command prints through (rich), set up the same way everywhere."""

from __future__ import annotations

from rich.console import Console


def make_console(width: int | None = None, no_color: bool = False, record: bool = False) -> Console:
    """A console of ``width`` columns (the terminal's if None); ``no_color`` for plain text."""
    return Console(width=width, no_color=no_color, highlight=False, record=record, soft_wrap=False)
