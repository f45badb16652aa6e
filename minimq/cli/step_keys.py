"""What a line typed at the step-mode prompt asks for: the keys of ``minimq lesson`` on a terminal.

Owns: ``parse_key`` and the commands it returns. A pure function of the typed line, so the
keys are tested without a terminal; ``minimq.cli.pager`` carries the commands out.

- Enter (an empty line, or only spaces): ``Next``, the next page;
- ``b``: ``Back``, the page before again;
- a number N: ``GoTo(N)``, page N (the pages are numbered from 1 for the whole command, as
  the files of ``--export 'slides/{n}.svg'`` are);
- ``q``: ``Quit``;
- anything else: ``Unknown``, and the prompt asks again.

Letters are read case-insensitively and after NFKC normalisation, so the full-width ``ｂ``,
``Ｑ`` and ``１２`` that a Chinese input method types count as ``b``, ``q`` and ``12``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Next:
    """Show the next page (run the simulation on when it has not been made yet)."""


@dataclass(frozen=True, slots=True)
class Back:
    """Show the previous page again, as it was printed."""


@dataclass(frozen=True, slots=True)
class GoTo:
    """Show page ``page`` (from 1): again if it was printed, else run on until it is."""

    page: int


@dataclass(frozen=True, slots=True)
class Quit:
    """Stop the lesson or the tour here."""


@dataclass(frozen=True, slots=True)
class Unknown:
    """A line that is none of the keys; ``typed`` is what it was, stripped."""

    typed: str


Command = Next | Back | GoTo | Quit | Unknown


def parse_key(line: str) -> Command:
    """The command that ``line`` (one line typed at the prompt, without or with its newline) asks for."""
    typed = unicodedata.normalize("NFKC", line).strip()
    key = typed.lower()
    if key == "":
        return Next()
    if key == "b":
        return Back()
    if key == "q":
        return Quit()
    if key.isascii() and key.isdigit():
        return GoTo(int(key))
    return Unknown(typed)
