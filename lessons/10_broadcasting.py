"""Lesson 10. Broadcasting: a crash replays what the offsets file missed, a failure is dropped.

Run it as `python lessons/10_broadcasting.py` (or `minimq lesson 10`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson10.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "10", *sys.argv[1:]]))
