"""A design that also sends an SMS is judged on both effects: one coupon and one SMS per paid order.

The contract's second table, ``sms_outbox``, exists for every design; only a design that
declares ``SENDS_SMS = True`` is judged on it. Each effect is counted on its own, from the
committed rows, so the three mistakes of a partial failure each get their own verdict:
a retry that issues a second coupon (duplicate), a retry that finds the coupon and stops
before the SMS (lost SMS), and an SMS written twice (duplicate SMS).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from minimq.cli import main
from minimq.events import EffectApplied
from minimq.testing import Schedule, load_design, run_schedule
from minimq.testing.coupon_db import SMS_LEDGER
from minimq.testing.design import DesignError
from minimq.testing.steps import Fail, Pay, UpstreamRetry

PAY = Pay(at_ms=0, order="order-1")
# statement 3 is the SMS insert: it fails once, after the coupon was committed
SMS_FAILS = Schedule(("order-1",), (PAY, Fail(at_ms=0, order="order-1", statement=3, times=1)))
TWO_COPIES = Schedule(("order-1",), (PAY, UpstreamRetry(at_ms=0, order="order-1")))

HEAD = """
import json
import sqlite3

from minimq import ConsumeStatus

SENDS_SMS = True
COUPON = "INSERT INTO coupons (order_id, user_id, amount, msg_id, issued_ms) VALUES (?, ?, ?, ?, ?)"
SMS = "INSERT INTO sms_outbox (order_id, user_id, text, created_ms) VALUES (?, ?, ?, ?)"
"""

# the coupon is idempotent, the SMS is a second transaction the retry never reaches
STOPS_AT_THE_COUPON = (
    HEAD
    + """
def setup(db):
    db.execute("CREATE UNIQUE INDEX coupons_order ON coupons (order_id)")

async def handle(msg, db):
    order, user = json.loads(msg.body)["order"], json.loads(msg.body)["user"]
    try:
        await db.execute(COUPON, (order, user, 10, msg.msg_id, db.now_ms))
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
        return ConsumeStatus.SUCCESS
    await db.execute(SMS, (order, user, "you got a coupon", db.now_ms))
    await db.commit()
    return ConsumeStatus.SUCCESS
"""
)

# the SMS is written by every copy, the coupon by the first only
SMS_EVERY_TIME = (
    HEAD
    + """
def setup(db):
    db.execute("CREATE UNIQUE INDEX coupons_order ON coupons (order_id)")

async def handle(msg, db):
    order, user = json.loads(msg.body)["order"], json.loads(msg.body)["user"]
    try:
        await db.execute(COUPON, (order, user, 10, msg.msg_id, db.now_ms))
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
    await db.execute(SMS, (order, user, "you got a coupon", db.now_ms))
    await db.commit()
    return ConsumeStatus.SUCCESS
"""
)

# both rows in one transaction, each under its own UNIQUE key
ONE_TRANSACTION = (
    HEAD
    + """
def setup(db):
    db.execute("CREATE UNIQUE INDEX coupons_order ON coupons (order_id)")
    db.execute("CREATE UNIQUE INDEX sms_order ON sms_outbox (order_id)")

async def handle(msg, db):
    order, user = json.loads(msg.body)["order"], json.loads(msg.body)["user"]
    try:
        await db.execute(COUPON, (order, user, 10, msg.msg_id, db.now_ms))
        await db.execute(SMS, (order, user, "you got a coupon", db.now_ms))
        await db.commit()
    except sqlite3.IntegrityError:
        await db.rollback()
        return ConsumeStatus.SUCCESS
    except sqlite3.OperationalError:
        await db.rollback()
        return ConsumeStatus.RECONSUME_LATER
    return ConsumeStatus.SUCCESS
"""
)


def write(tmp_path: Path, source: str, name: str = "design.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def kinds(outcome: object) -> list[str]:
    return [v.kind for v in outcome.violations]  # type: ignore[attr-defined]


def test_a_retry_that_stops_at_the_coupon_loses_the_sms(tmp_path: Path) -> None:
    outcome = run_schedule(load_design(write(tmp_path, STOPS_AT_THE_COUPON)), SMS_FAILS)
    assert outcome.coupons == {"order-1": 1}
    assert outcome.sms == {"order-1": 0}
    assert kinds(outcome) == ["lost_sms"]


def test_an_sms_written_by_every_copy_is_a_duplicate_sms(tmp_path: Path) -> None:
    outcome = run_schedule(load_design(write(tmp_path, SMS_EVERY_TIME)), TWO_COPIES)
    assert outcome.coupons == {"order-1": 1}
    assert outcome.sms == {"order-1": 2}
    assert kinds(outcome) == ["duplicate_sms"]
    sms = [e for e in outcome.trace.of(EffectApplied) if e.ledger == SMS_LEDGER]
    assert len(sms) == 2  # each committed SMS row is an effect in its own ledger


def test_both_effects_in_one_transaction_pass(tmp_path: Path) -> None:
    design = load_design(write(tmp_path, ONE_TRANSACTION))
    for schedule in (SMS_FAILS, TWO_COPIES):
        outcome = run_schedule(design, schedule)
        assert outcome.ok, outcome.violations
        assert outcome.coupons == outcome.sms == {"order-1": 1}


def test_without_the_flag_the_sms_table_is_not_judged(tmp_path: Path) -> None:
    source = STOPS_AT_THE_COUPON.replace("SENDS_SMS = True", "")
    design = load_design(write(tmp_path, source))
    assert not design.sends_sms
    outcome = run_schedule(design, SMS_FAILS)
    assert outcome.ok
    assert outcome.sms == {}


def test_the_flag_must_be_a_bool(tmp_path: Path) -> None:
    with pytest.raises(DesignError, match="SENDS_SMS must be True or False, not 'yes'"):
        load_design(write(tmp_path, STOPS_AT_THE_COUPON.replace("SENDS_SMS = True", "SENDS_SMS = 'yes'")))


def test_setup_cannot_drop_the_sms_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = ONE_TRANSACTION.replace(
        'db.execute("CREATE UNIQUE INDEX sms_order ON sms_outbox (order_id)")', 'db.execute("DROP TABLE sms_outbox")'
    )
    code = main(["check", str(write(tmp_path, source)), "--examples", "1", "--jobs", "1"])
    assert code == 2
    assert "not authorized" in capsys.readouterr().err


def test_check_tells_the_lost_sms_and_counts_the_sms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, STOPS_AT_THE_COUPON)
    code = main(["check", str(path), "--paths", "reconsume-later", "--examples", "30", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    bad = data["counterexample"]
    assert [v["kind"] for v in bad["violations"]] == ["lost_sms"]
    assert bad["coupons"] == {"order-1": 1} and bad["sms"] == {"order-1": 0}
    assert any("sms_outbox" in line for line in bad["what_happened"])


def test_a_pass_says_one_coupon_and_one_sms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, ONE_TRANSACTION)
    argv = ["check", str(path), "--paths", "reconsume-later,crash", "--examples", "25"]
    assert main([*argv, "--no-color", "--width", "300"]) == 0
    out = capsys.readouterr().out
    assert "exactly one coupon and one SMS" in out
    assert "paid orders whose SMS was counted" in out


def test_the_timeline_has_a_lane_for_the_sms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, SMS_EVERY_TIME)
    for lang, title in (("en", "SMS outbox"), ("zh", "短信发件箱")):
        code = main(
            ["check", str(path), "--replay", TWO_COPIES.token(), "--lang", lang, "--no-color", "--width", "160"]
        )
        out = capsys.readouterr().out
        assert code == 1
        assert title in out
