"""Lesson 14. Broker crash: the broker goes back to its last offset flush, and the coupons since come again.

Run it as `python lessons/14_broker_crash.py` (or `minimq lesson 14`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson14.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(14))
