"""Lesson 7. Consume timeout: the message is sent back while its handler still runs.

Run it as `python lessons/07_consume_timeout.py` (or `minimq lesson 7`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson7.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(7))
