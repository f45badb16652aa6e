"""Lesson 8. Send-back fails: the broker is unreachable, then a send-back reply is lost.

Run it as `python lessons/08_send_back_fails.py` (or `minimq lesson 8`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson8.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(8))
