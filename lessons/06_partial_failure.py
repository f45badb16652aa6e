"""Lesson 6. Partial failure: the coupon is issued, the SMS fails, the retry issues a second coupon.

Run it as `python lessons/06_partial_failure.py` (or `minimq lesson 6`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson6.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "6", *sys.argv[1:]]))
