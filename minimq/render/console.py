"""The console every command prints through (rich), set up the same way everywhere.

``Console`` is re-exported so that code outside ``minimq.render`` can name the type
without importing rich itself.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.text import Text

from minimq.render.wrap import wrap

__all__ = ["Console", "make_console", "print_paragraph"]


def make_console(
    width: int | None = None, no_color: bool = False, record: bool = False, file: IO[str] | None = None
) -> Console:
    """A console of ``width`` columns (the terminal's if None); ``no_color`` for plain text;
    ``file`` to write somewhere other than stdout (step mode's tape). ``NO_COLOR`` in the
    environment asks for plain text too (rich reads it when ``no_color`` is not set)."""
    return Console(width=width, no_color=no_color or None, highlight=False, record=record, soft_wrap=False, file=file)


def print_paragraph(console: Console, text: str) -> None:
    """``text`` wrapped to the console by our rules (no comma opens a line, no word is cut)."""
    console.print(Text(wrap(text, console.width), no_wrap=True))
