"""Lesson 1. Upstream retry: the payment system calls the order callback twice.

Run it as `python lessons/01_upstream_retry.py` (or `minimq lesson 1`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson1.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "1", *sys.argv[1:]]))
