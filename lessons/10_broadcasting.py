"""Lesson 10. Broadcasting: a crash replays what the offsets file missed, a failure is dropped.

Run it as `python lessons/10_broadcasting.py` (or `minimq lesson 10`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson10.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(10))
