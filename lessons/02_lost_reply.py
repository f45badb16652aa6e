"""Lesson 2. Producer retry: the broker stored the message, the reply was lost.

Run it as `python lessons/02_lost_reply.py` (or `minimq lesson 2`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson2.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "2", *sys.argv[1:]]))
