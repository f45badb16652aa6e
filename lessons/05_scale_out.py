"""Lesson 5. A deploy scales the coupon system out and in while messages are in flight.

Run it as `python lessons/05_scale_out.py` (or `minimq lesson 5`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson5.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(5))
