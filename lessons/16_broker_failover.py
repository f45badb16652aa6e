"""Lesson 16. Broker failover: the master comes back with older offsets, and a deploy issues the outage's coupons again.

Run it as `python lessons/16_broker_failover.py` (or `minimq lesson 16`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson16.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(16))
