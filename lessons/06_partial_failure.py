"""Lesson 6. Partial failure: the coupon is issued, the SMS fails, the retry issues a second coupon.

Run it as `python lessons/06_partial_failure.py` (or `minimq lesson 6`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson6.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(6))
