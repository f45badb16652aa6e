"""Lesson 9. Orderly consumption: a retried message stalls its queue.

Run it as `python lessons/09_orderly.py` (or `minimq lesson 9`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson9.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "9", *sys.argv[1:]]))
