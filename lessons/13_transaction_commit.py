"""Lesson 13. Transactional message: a slow local transaction and a check-back both commit.

Run it as `python lessons/13_transaction_commit.py` (or `minimq lesson 13`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson13.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(13))
