"""Lesson 17. The fix matrix: every coupon design against every duplication path, measured.

Run it as `python lessons/17_fix_matrix.py` (or `minimq lesson fix-matrix`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export matrix.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(17))
