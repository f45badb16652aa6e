"""Lesson 11. Two containers with one client id: the same queues twice, the others for nobody.

Run it as `python lessons/11_same_client_id.py` (or `minimq lesson 11`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson11.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "11", *sys.argv[1:]]))
