"""Lesson 12. POP invisible time: the message comes back while the first consumer still works.

Run it as `python lessons/12_pop_invisible_time.py` (or `minimq lesson 12`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson12.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(12))
