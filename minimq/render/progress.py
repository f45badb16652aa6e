"""A progress bar for a long ``minimq check``, on a terminal only.

Owns: ``ExploreProgress``. Nothing is drawn for a check that ends within ``DELAY_S``
(most do), nor when the standard error is not a terminal (a CI log, a pipe). The bar
runs on the standard error, so the standard output (a report, ``--json``) is untouched;
it is redrawn by the caller's updates, never by a thread of its own.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from minimq.i18n import t

DELAY_S = 1.0
REDRAW_S = 0.1


class ExploreProgress:
    """``progress.update(runs, shard)`` as shards report; drawn once a second has passed."""

    def __init__(self, label: str, total: int, lang: str, *, enabled: bool | None = None) -> None:
        self.label, self.total, self.lang = label, total, lang
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self.drawn = 0.0
        self.per_shard: dict[int, int] = {}
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> ExploreProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update(self, runs: int, shard: int) -> None:
        self.per_shard[shard] = max(runs, self.per_shard.get(shard, 0))
        now = time.monotonic()
        if not self.enabled or now - self.started < DELAY_S or now - self.drawn < REDRAW_S:
            return
        self.drawn = now
        done = min(sum(self.per_shard.values()), self.total)
        if self.bar is None:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[counted]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
                auto_refresh=False,
            )
            self.task = self.bar.add_task(self.label, total=self.total, counted="")
            self.bar.start()
        assert self.task is not None
        counted = t("progress.schedules", self.lang, done=done, total=self.total)
        self.bar.update(self.task, completed=done, counted=counted)
        self.bar.refresh()
