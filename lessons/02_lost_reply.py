"""Lesson 2. Producer retry: the broker stored the message, the reply was lost.

Run it as `python lessons/02_lost_reply.py` (or `minimq lesson 2`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson2.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(2))
