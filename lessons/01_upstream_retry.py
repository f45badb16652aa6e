"""Lesson 1. Upstream retry: the payment system calls the order callback twice.

Run it as `python lessons/01_upstream_retry.py` (or `minimq lesson 1`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson1.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(1))
