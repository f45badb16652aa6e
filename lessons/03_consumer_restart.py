"""Lesson 3. Consumer restart before the offset is persisted.

Run it as `python lessons/03_consumer_restart.py` (or `minimq lesson 3`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson3.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(3))
