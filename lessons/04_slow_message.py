"""Lesson 4. A slow message holds its queue's consumer offset; a deploy replays everything behind it.

Run it as `python lessons/04_slow_message.py` (or `minimq lesson 4`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson4.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "4", *sys.argv[1:]]))
