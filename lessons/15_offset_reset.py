"""Lesson 15. Offset reset: an operator replays over an hour of orders; a 1 h dedupe record has forgotten them.

Run it as `python lessons/15_offset_reset.py` (or `minimq lesson 15`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson15.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(15))
