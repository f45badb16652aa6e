"""Lesson 11. Two containers with one client id: the same queues twice, the others for nobody.

Run it as `python lessons/11_same_client_id.py` (or `minimq lesson 11`); every flag of
`minimq lesson` works here too: --lang zh, --no-pause, --export lesson11.svg, --json, --seed N.
"""

from _run import run

if __name__ == "__main__":
    raise SystemExit(run(11))
