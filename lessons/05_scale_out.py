"""Lesson 5. A deploy scales the coupon system out and in while messages are in flight.

Run it as `python lessons/05_scale_out.py` (or `minimq lesson 5`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson5.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "5", *sys.argv[1:]]))
