"""Lesson 15. Broker crash: the broker goes back to its last offset flush, and the coupons since come again.

Run it as `python lessons/15_broker_crash.py` (or `minimq lesson 15`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson15.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(15))
