"""Lesson 12. The fix matrix: every coupon design against every duplication path, measured.

Run it as `python lessons/12_fix_matrix.py` (or `minimq lesson fix-matrix`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export matrix.svg, --json, --seed N.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing

from minimq.cli import main

if __name__ == "__main__":
    sys.exit(main(["lesson", "fix-matrix", *sys.argv[1:]]))
