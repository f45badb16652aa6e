"""Lesson 9. Orderly consumption: a retried message stalls its queue.

Run it as `python lessons/09_orderly.py` (or `minimq lesson 9`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson9.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(9))
