"""Lesson 8. Send-back fails: the broker is unreachable, then a send-back reply is lost.

Run it as `python lessons/08_send_back_fails.py` (or `minimq lesson 8`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson8.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "8", *sys.argv[1:]]))
