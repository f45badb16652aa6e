"""Lesson 7. Consume timeout: the message is sent back while its handler still runs.

Run it as `python lessons/07_consume_timeout.py` (or `minimq lesson 7`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson7.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "7", *sys.argv[1:]]))
