"""Where the lab's temporary databases live, and how they are always removed.

Owns: ``process_dir()``, ``sweep_stale()`` and ``run_dir()``. Each process that runs labs
gets one directory (RAM-backed when the machine has /dev/shm), named after its pid:
``minimq-lab-<pid>-<random>``. It is removed when the process exits normally (atexit).
A command-line run makes one directory for the whole run (``run_dir``), which its worker
processes put their own directories in, and removes it however the run ends: normally,
on an error, on Ctrl-C or SIGTERM (turned into a normal exit), or when a worker dies.
A process killed outright (SIGKILL) cannot clean up; the next run removes what a dead
process left (``sweep_stale``: a directory whose pid no longer runs).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from minimq.apps.db import scratch_dir

PREFIX = "minimq-lab-"
ROOT_ENV = "MINIMQ_SCRATCH_ROOT"  # set by ``run_dir`` for the processes a run forks

_mine: dict[int, Path] = {}  # pid -> its directory (a forked child must not reuse its parent's)


def process_dir() -> Path:
    """This process's scratch directory, created on first use."""
    pid = os.getpid()
    path = _mine.get(pid)
    if path is None:
        parent = os.environ.get(ROOT_ENV) or scratch_dir()
        if parent == scratch_dir():
            sweep_stale(Path(parent) if parent else Path(tempfile.gettempdir()))
        path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{pid}-", dir=parent))
        _mine[pid] = path
        atexit.register(_remove_mine, pid)
    return path


def _remove_mine(pid: int) -> None:
    if os.getpid() == pid and pid in _mine:  # a forked child inherits atexit, not the directory
        shutil.rmtree(_mine.pop(pid), ignore_errors=True)


def sweep_stale(where: Path) -> None:
    """Remove the scratch directories of processes that no longer run."""
    with contextlib.suppress(OSError):
        for entry in where.iterdir():
            pid = _pid_of(entry.name)
            if pid is not None and pid != os.getpid() and not _alive(pid):
                shutil.rmtree(entry, ignore_errors=True)


def _pid_of(name: str) -> int | None:
    if not name.startswith(PREFIX):
        return None
    head = name[len(PREFIX) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # somebody else's process
    return True


@contextlib.contextmanager
def run_dir() -> Iterator[Path]:
    """One scratch directory for a whole command-line run and the workers it forks,
    removed when the block ends, also on SIGTERM (turned into ``SystemExit(143)``)."""
    base = scratch_dir()
    sweep_stale(Path(base) if base else Path(tempfile.gettempdir()))
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
    previous_env = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(path)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield path
    finally:
        signal.signal(signal.SIGTERM, previous)
        if previous_env is None:
            os.environ.pop(ROOT_ENV, None)
        else:
            os.environ[ROOT_ENV] = previous_env
        shutil.rmtree(path, ignore_errors=True)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
