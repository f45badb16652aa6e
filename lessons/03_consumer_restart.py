"""Lesson 3. Consumer restart before the offset is persisted.

Run it as `python lessons/03_consumer_restart.py` (or `minimq lesson 3`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson3.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "3", *sys.argv[1:]]))
