"""Replay tokens written before steps became one class per kind read back to the same
schedule, and write back to the same token, byte for byte.

Each token of ``TOKENS`` was printed by minimq before the change (by ``minimq check``, in the
docs, or by ``Schedule.token()`` on schedules drawn from the strategies and a few
written by hand); ``NEW_TOKENS`` were printed once the RocketMQ 5 paths came (a schedule's
``consumer`` and ``producer``, the steps ``slow_tx`` and ``lost_end``). Together they use
every kind of step, every setting of each, and every value of ``how``, ``resend`` and
``point``; the old ones still read as push consumers and a plain producer.
"""

from __future__ import annotations

import base64
import json

import pytest

from minimq.testing.schedule import Schedule
from minimq.testing.schedule_check import FIELDS
from minimq.testing.steps import (
    BY_KIND,
    USES,
    Crash,
    Down,
    Join,
    Kill,
    Leave,
    LostReply,
    Outage,
    Pay,
    Reset,
    Slow,
    UpstreamRetry,
)

TOKENS = (
    # docs/testing.md: query_then_insert.py, seed 0
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjowLCJraW5kIjoidXBzdHJlYW1fcmV0cnkiLCJvcmRlciI6Im9yZGVyLTEifV19",
    # minimq check minimq/designs/mark_first.py --seed 0 --examples 150 --json
    "eyJvcmRlcnMiOlsib3JkZXItMSIsIm9yZGVyLTIiXSwic3RlcHMiOlt7ImF0X21zIjowLCJraW5kIjoicGF5Iiwib3JkZXIiOiJvcmRlci0xIn0seyJhdF9tcyI6MCwia2luZCI6InBheSIsIm9yZGVyIjoib3JkZXItMiJ9LHsiYXRfbXMiOjAsImNsaWVudCI6ImMxIiwia2luZCI6ImNyYXNoIiwib3JkZXIiOiJvcmRlci0xIiwicG9pbnQiOiJBRlRFUl9IQU5ETEVSIiwicmVzdGFydF9hZnRlciI6NTAwfV19",
    # pay, upstream_retry, lost_reply fast_fail/same, slow before the handler, kill, join, leave
    "eyJvcmRlcnMiOlsib3JkZXItMSIsIm9yZGVyLTIiXSwic3RlcHMiOlt7ImF0X21zIjoyMDAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjo0MDAsImtpbmQiOiJ1cHN0cmVhbV9yZXRyeSIsIm9yZGVyIjoib3JkZXItMSJ9LHsiYXRfbXMiOjIwLCJob3ciOiJmYXN0X2ZhaWwiLCJraW5kIjoibG9zdF9yZXBseSIsIm9yZGVyIjoib3JkZXItMiIsInJlc2VuZCI6InNhbWUifSx7ImF0X21zIjoxMCwiZGVsYXlfbXMiOjE4NjAwMDAsImtpbmQiOiJzbG93Iiwib3JkZXIiOiJvcmRlci0xIn0seyJhdF9tcyI6MTAsImNsaWVudCI6ImMyIiwia2luZCI6ImtpbGwiLCJyZXN0YXJ0X2FmdGVyIjo1MDB9LHsiYXRfbXMiOjEwLCJjbGllbnQiOiJjMiIsImtpbmQiOiJqb2luIn0seyJhdF9tcyI6MjAxMCwiY2xpZW50IjoiYzEiLCJraW5kIjoibGVhdmUifV19",
    # lost_reply timeout/same and fast_fail/new, fail after (times 2) and before, crash AFTER_HANDLER
    "eyJvcmRlcnMiOlsib3JkZXItMSIsIm9yZGVyLTIiXSwic3RlcHMiOlt7ImF0X21zIjoyMDAsImhvdyI6InRpbWVvdXQiLCJraW5kIjoibG9zdF9yZXBseSIsIm9yZGVyIjoib3JkZXItMSIsInJlc2VuZCI6InNhbWUifSx7ImF0X21zIjoyLCJob3ciOiJmYXN0X2ZhaWwiLCJraW5kIjoibG9zdF9yZXBseSIsIm9yZGVyIjoib3JkZXItMiIsInJlc2VuZCI6Im5ldyJ9LHsiYXRfbXMiOjMwMDAsImhvdyI6ImFmdGVyIiwia2luZCI6ImZhaWwiLCJvcmRlciI6Im9yZGVyLTEiLCJzdGF0ZW1lbnQiOjMsInRpbWVzIjoyfSx7ImF0X21zIjozMDAwLCJjbGllbnQiOiJjMSIsImtpbmQiOiJjcmFzaCIsIm9yZGVyIjoib3JkZXItMiIsInBvaW50IjoiQUZURVJfSEFORExFUiIsInJlc3RhcnRfYWZ0ZXIiOjYwMDB9LHsiYXRfbXMiOjUsImtpbmQiOiJmYWlsIiwib3JkZXIiOiJvcmRlci0xIiwic3RhdGVtZW50IjozLCJ0aW1lcyI6MX1dfQ",
    # hand-written: fail, slow and kill with their settings at zero, down without a restart
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjAsImtpbmQiOiJmYWlsIiwib3JkZXIiOiJvcmRlci0xIn0seyJhdF9tcyI6MCwiZGVsYXlfbXMiOjcsImtpbmQiOiJzbG93Iiwib3JkZXIiOiJvcmRlci0xIn0seyJhdF9tcyI6NCwia2luZCI6ImRvd24ifSx7ImF0X21zIjo0LCJjbGllbnQiOiJjMSIsImtpbmQiOiJraWxsIn1dfQ",
    # a late redelivery: outage, down for 65 min, reset back to the start
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjEsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjoyLCJkZWxheV9tcyI6MzkwMDAwMCwia2luZCI6Im91dGFnZSJ9LHsiYXRfbXMiOjIsImtpbmQiOiJkb3duIiwicmVzdGFydF9hZnRlciI6MzkwMDAwMH0seyJhdF9tcyI6MzkwMDAwMiwia2luZCI6InJlc2V0In1dfQ",
    # crash IN_HANDLER, BEFORE_HANDLER, AFTER_LOCAL_COMMIT
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjMwMDAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjowLCJjbGllbnQiOiJjMSIsImtpbmQiOiJjcmFzaCIsIm9yZGVyIjoib3JkZXItMSIsInBvaW50IjoiSU5fSEFORExFUiIsInJlc3RhcnRfYWZ0ZXIiOjUwMH0seyJhdF9tcyI6MCwiY2xpZW50IjoiYzEiLCJraW5kIjoiY3Jhc2giLCJvcmRlciI6Im9yZGVyLTEiLCJwb2ludCI6IkJFRk9SRV9IQU5ETEVSIiwicmVzdGFydF9hZnRlciI6NTAwfSx7ImF0X21zIjoxMCwiY2xpZW50IjoiYzEiLCJraW5kIjoiY3Jhc2giLCJvcmRlciI6Im9yZGVyLTEiLCJwb2ludCI6IkFGVEVSX0xPQ0FMX0NPTU1JVCIsInJlc3RhcnRfYWZ0ZXIiOjYwMDB9XX0",
    # hand-written: orders not named order-n, lost_reply with no how or resend, crash without restart_after
    "eyJvcmRlcnMiOlsiYSIsImIiXSwic3RlcHMiOlt7ImF0X21zIjowLCJraW5kIjoibG9zdF9yZXBseSIsIm9yZGVyIjoiYiJ9LHsiYXRfbXMiOjMsImtpbmQiOiJwYXkiLCJvcmRlciI6ImEifSx7ImF0X21zIjo5LCJjbGllbnQiOiJjMiIsImtpbmQiOiJjcmFzaCIsIm9yZGVyIjoiYSIsInBvaW50IjoiSU5fSEFORExFUiJ9XX0",
    # lost_reply timeout/new, crash BEFORE_STATEMENT 4
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjIwLCJob3ciOiJ0aW1lb3V0Iiwia2luZCI6Imxvc3RfcmVwbHkiLCJvcmRlciI6Im9yZGVyLTEiLCJyZXNlbmQiOiJuZXcifSx7ImF0X21zIjoyMCwiY2xpZW50IjoiYzEiLCJraW5kIjoiY3Jhc2giLCJvcmRlciI6Im9yZGVyLTEiLCJwb2ludCI6IkJFRk9SRV9TVEFURU1FTlQiLCJyZXN0YXJ0X2FmdGVyIjo1MDAsInN0YXRlbWVudCI6NH1dfQ",
    # hand-written: restart (never drawn by the strategies)
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjo1LCJjbGllbnQiOiJjMiIsImtpbmQiOiJyZXN0YXJ0In1dfQ",
    # hand-written: reset to a time after the start (the strategies reset to 0)
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjo3MjAwMDAwLCJkZWxheV9tcyI6NTAwMCwia2luZCI6InJlc2V0In1dfQ",
    # slow before statement 1
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjIsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjoyLCJkZWxheV9tcyI6MTg2MDAwMCwia2luZCI6InNsb3ciLCJvcmRlciI6Im9yZGVyLTEiLCJzdGF0ZW1lbnQiOjF9XX0",
)


NEW_TOKENS = (
    # tests/test_check_paths.py NEW: pop, transaction, slow_tx, lost_end, a reset to a later time
    "eyJjb25zdW1lciI6InBvcCIsIm9yZGVycyI6WyJvcmRlci0xIiwib3JkZXItMiJdLCJwcm9kdWNlciI6InRyYW5zYWN0aW9uIiwic3RlcHMiOlt7ImF0X21zIjoyMDAwLCJraW5kIjoicGF5Iiwib3JkZXIiOiJvcmRlci0xIn0seyJhdF9tcyI6MjAwMCwia2luZCI6InBheSIsIm9yZGVyIjoib3JkZXItMiJ9LHsiYXRfbXMiOjIwMDAsImRlbGF5X21zIjoyNzAwMCwia2luZCI6InNsb3dfdHgiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjoyMDAwLCJraW5kIjoibG9zdF9lbmQiLCJvcmRlciI6Im9yZGVyLTIifSx7ImF0X21zIjoxMjAwMCwiZGVsYXlfbXMiOjIwMDAsImtpbmQiOiJyZXNldCJ9LHsiYXRfbXMiOjIwMDAsImRlbGF5X21zIjo0MDAwMCwia2luZCI6InNsb3ciLCJvcmRlciI6Im9yZGVyLTIiLCJzdGF0ZW1lbnQiOjF9LHsiYXRfbXMiOjIwMDAsImNsaWVudCI6ImMyIiwia2luZCI6ImpvaW4ifV19",
    # the fix matrix's G1 (POP), H1 (transaction), R1 (reset)
    "eyJjb25zdW1lciI6InBvcCIsIm9yZGVycyI6WyJvcmRlci0xIl0sInN0ZXBzIjpbeyJhdF9tcyI6MjAwMCwia2luZCI6InBheSIsIm9yZGVyIjoib3JkZXItMSJ9LHsiYXRfbXMiOjIwMDAsImRlbGF5X21zIjo0MDAwMCwia2luZCI6InNsb3ciLCJvcmRlciI6Im9yZGVyLTEiLCJzdGF0ZW1lbnQiOjJ9LHsiYXRfbXMiOjIwMDAsImNsaWVudCI6ImMyIiwia2luZCI6ImpvaW4ifV19",
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJwcm9kdWNlciI6InRyYW5zYWN0aW9uIiwic3RlcHMiOlt7ImF0X21zIjoyMDAwLCJraW5kIjoicGF5Iiwib3JkZXIiOiJvcmRlci0xIn0seyJhdF9tcyI6MjAwMCwiZGVsYXlfbXMiOjQwMDAwLCJraW5kIjoic2xvd190eCIsIm9yZGVyIjoib3JkZXItMSJ9XX0",
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjIwMDAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjoyMDAwLCJkZWxheV9tcyI6MzAwMCwia2luZCI6InNsb3ciLCJvcmRlciI6Im9yZGVyLTEiLCJzdGF0ZW1lbnQiOjJ9LHsiYXRfbXMiOjIwMDIsImtpbmQiOiJyZXNldCJ9XX0",
    # the fix matrix's J1: a master_down (the lab's broker with a slave)
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjIwMDAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjoyMDAwLCJraW5kIjoiZG93biIsInJlc3RhcnRfYWZ0ZXIiOjg4MDAwfSx7ImF0X21zIjo2ODAwMCwia2luZCI6Im1hc3Rlcl9kb3duIiwicmVzdGFydF9hZnRlciI6MjM3MDAwfSx7ImF0X21zIjozMTUwMDAsImNsaWVudCI6ImMxIiwia2luZCI6ImtpbGwiLCJyZXN0YXJ0X2FmdGVyIjoxMDAwfV19",
    # tests/test_check_broker.py: an OS crash of the broker, down 30 s; the fix matrix's I1
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjIwMDAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjoxMTAwMCwiaG93Ijoib3MiLCJraW5kIjoiYnJva2VyX2NyYXNoIiwicmVzdGFydF9hZnRlciI6MzAwMDB9LHsiYXRfbXMiOjEyMDAwLCJjbGllbnQiOiJjMSIsImtpbmQiOiJraWxsIiwicmVzdGFydF9hZnRlciI6NTAwfV19",
    "eyJvcmRlcnMiOlsib3JkZXItMSJdLCJzdGVwcyI6W3siYXRfbXMiOjIwMDAsImtpbmQiOiJwYXkiLCJvcmRlciI6Im9yZGVyLTEifSx7ImF0X21zIjoxMTAwMCwia2luZCI6ImJyb2tlcl9jcmFzaCJ9LHsiYXRfbXMiOjEyMDAwLCJjbGllbnQiOiJjMSIsImtpbmQiOiJraWxsIiwicmVzdGFydF9hZnRlciI6NTAwfV19",
)


def _json(token: str) -> str:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()


@pytest.mark.parametrize("token", TOKENS + NEW_TOKENS)
def test_a_stored_token_reads_back_and_writes_the_same_token(token: str) -> None:
    schedule = Schedule.from_token(token)
    assert schedule.token() == token
    assert schedule.to_json() == _json(token)
    assert Schedule.from_json(_json(token)) == schedule
    if token in TOKENS:  # stored before a schedule could say how the shop runs
        assert (schedule.consumer, schedule.producer) == ("push", "plain")


def test_the_tokens_use_every_kind_of_step_and_every_setting() -> None:
    used: dict[str, set[str]] = {kind: set() for kind in BY_KIND}
    for token in TOKENS + NEW_TOKENS:
        for step in json.loads(_json(token))["steps"]:
            used[step["kind"]] |= set(step) - {"at_ms", "kind"}
    assert used == {kind: set(settings) for kind, settings in USES.items()}


def test_a_stored_token_reads_as_one_record_per_kind() -> None:
    check = Schedule.from_token(TOKENS[1])
    assert check == Schedule(
        ("order-1", "order-2"),
        (
            Pay(at_ms=0, order="order-1"),
            Pay(at_ms=0, order="order-2"),
            Crash(at_ms=0, order="order-1", client="c1", point="AFTER_HANDLER", restart_after=500),
        ),
    )
    drawn = Schedule.from_token(TOKENS[2])
    assert drawn.steps == (
        Pay(at_ms=200, order="order-1"),
        UpstreamRetry(at_ms=400, order="order-1"),
        LostReply(at_ms=20, order="order-2", how="fast_fail", resend="same"),
        Slow(at_ms=10, order="order-1", delay_ms=1_860_000),
        Kill(at_ms=10, client="c2", restart_after=500),
        Join(at_ms=10, client="c2"),
        Leave(at_ms=2010, client="c1"),
    )
    late = Schedule.from_token(TOKENS[5])
    assert late.steps[1:] == (
        Outage(at_ms=2, delay_ms=3_900_000),
        Down(at_ms=2, restart_after=3_900_000),
        Reset(at_ms=3_900_002),
    )


def test_the_reader_checks_every_setting_of_every_kind() -> None:
    assert set(FIELDS) == {"at_ms", "kind"}.union(*USES.values())
    assert all(cls.kind == kind for kind, cls in BY_KIND.items())
