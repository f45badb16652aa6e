"""Step mode on a terminal: a prompt after each page, and pages kept to be shown again.

Owns: ``Tape``, ``Pager`` and ``QuitLesson``. A page is what the console printed between
two pauses (a lesson's opening, one step, a run's timeline, a lesson's summary, the fix
matrix), numbered from 1 for the whole command like the files of ``--export 'slides/{n}.svg'``.

The console writes into a ``Tape``, which passes the text on to the terminal and keeps a
copy of the page being printed. Going back reprints that copy, byte for byte: nothing is
simulated again, and the simulation stays one deterministic, single-threaded run that
only ever moves forward. Jumping forward runs it on with the tape muted (the pages in
between are kept, not shown) until the page asked for, then shows that one.

The prompt and the quit message go straight to the terminal, never into the console's
recording, so ``--export`` holds the lesson and no prompt. The keys are
``minimq.cli.step_keys``'s.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TextIO

from minimq.cli.step_keys import Back, GoTo, Next, Quit, parse_key
from minimq.i18n import t
from minimq.render.console import make_console


class QuitLesson(Exception):
    """The learner typed ``q`` (or Ctrl-C) at the prompt of page ``page``."""

    def __init__(self, page: int) -> None:
        super().__init__(f"quit at page {page}")
        self.page = page


class Tape(io.TextIOBase):
    """A text file for the console: passes writes on to ``out`` (unless muted), keeps the page."""

    def __init__(self, out: TextIO) -> None:
        super().__init__()
        self.out = out
        self.muted = False
        self._page: list[str] = []

    def write(self, text: str) -> int:
        self._page.append(text)
        if not self.muted:
            self.out.write(text)
        return len(text)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:  # rich chooses colours by it, as it would for ``out``
        return self.out.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.out, "encoding", None) or "utf-8"

    def take(self) -> str:
        """The page printed since the last ``take``; the next one starts empty."""
        text = "".join(self._page)
        self._page.clear()
        return text


class Pager:
    """Asks after each page what to show next; ``pause`` is the view's pause."""

    def __init__(
        self,
        out: TextIO,
        total: int,
        lang: str,
        *,
        read: Callable[[], str] | None = None,
        width: int | None = None,
        no_color: bool = False,
    ) -> None:
        self.tape = Tape(out)
        self.total = total  # pages the whole command prints
        self.lang = lang
        self.pages: list[str] = []  # every page so far, as printed
        self._out = out
        self._read = read or input  # input() reads sys.stdin: a test can feed it lines
        self._prompt = make_console(width, no_color, file=out)  # no recording: prompts stay out of exports
        self._target: int | None = None  # a page asked for that is not printed yet
        self._asking = True  # False once stdin is closed: run on unattended

    def pause(self) -> None:
        """A page has ended: keep it, then (unless running on to a page) ask what next."""
        self.pages.append(self.tape.take())
        if self._target is not None:
            if len(self.pages) < self._target:
                return
            self._target = None
            self.tape.muted = False
            self._show(len(self.pages))
        if self._asking:
            self._ask(len(self.pages))

    def finish(self) -> None:
        """Print whatever a jump left muted (only if the pages ran out before it)."""
        if self.tape.muted:
            self.tape.muted = False
            self._out.write(self.tape.take())

    def say(self, line: str) -> None:
        """One line to the terminal, not recorded."""
        self._prompt.print(line, markup=False, highlight=False)

    def _show(self, page: int) -> None:
        self._out.write(self.pages[page - 1])
        self._out.flush()

    def _ask(self, at: int) -> None:
        """Prompt on page ``at`` until a key moves past the last page printed."""
        while True:
            prompt = t("ui.step_prompt", self.lang, n=at, total=self.total)
            self._prompt.print(prompt, style="dim", end="", markup=False, highlight=False)
            try:
                line = self._read()
            except EOFError:  # stdin closed: no newline was echoed; run on unattended
                self._out.write("\n")
                self._asking = False
                return
            except KeyboardInterrupt:  # Ctrl-C at the prompt is a quit, not a traceback
                self._out.write("\n")
                raise QuitLesson(at) from None
            match parse_key(line):
                case Next() if at == len(self.pages):
                    return
                case Next():
                    at += 1
                    self._show(at)
                case Back():
                    at = max(1, at - 1)
                    self._show(at)
                case GoTo(page=n) if 1 <= n <= len(self.pages):
                    at = n
                    self._show(at)
                case GoTo(page=n) if len(self.pages) < n <= self.total:
                    self._target = n
                    self.tape.muted = True
                    return
                case Quit():
                    raise QuitLesson(at)
                case _:
                    self.say(t("ui.step_keys", self.lang, total=self.total))
