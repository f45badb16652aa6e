"""Lesson 4. A slow message holds its queue's consumer offset; a deploy replays everything behind it.

Run it as `python lessons/04_slow_message.py` (or `minimq lesson 4`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson4.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(4))
