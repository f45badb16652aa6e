"""The half queue's rules, without a loop (``minimq.core.transaction``)."""

from __future__ import annotations

from minimq.core.transaction import Check, EndTransaction, HalfMessageTable, HalfState
from minimq.model import LocalTransactionState

COMMIT = LocalTransactionState.COMMIT_MESSAGE
ROLLBACK = LocalTransactionState.ROLLBACK_MESSAGE
UNKNOW = LocalTransactionState.UNKNOW


def end(table: HalfMessageTable, offset: int, state: LocalTransactionState, now_ms: int, group: str = "g") -> bool:
    request = EndTransaction(
        group=group,
        msg_id=table.halves[offset].msg_id,
        offset_msg_id="x",
        half_offset=offset,
        state=state,
        from_check=False,
    )
    return table.end(request, now_ms) is not None


def scan(table: HalfMessageTable, now_ms: int, check_max: int = 15) -> list[tuple[str, int]]:
    return [
        ("check", s.half.half_offset) if isinstance(s, Check) else ("discard", s.half.half_offset)
        for s in table.scan(now_ms, timeout_ms=6000, check_max=check_max)
    ]


def test_the_scan_checks_halves_older_than_the_timeout_and_stops_at_a_young_one() -> None:
    table = HalfMessageTable()
    for born in (1000, 2000, 25_000, 3000):  # the third is young; the fourth waits behind it
        table.prepare(msg_id=f"m{born}", group="g", born_ms=born, now_ms=born)
    assert scan(table, 30_000) == [("check", 0), ("check", 1)]
    assert table.scan_offset == 2
    assert [h.state for h in table.halves[:2]] == [HalfState.CHECKED] * 2
    copies = table.halves[4:]
    assert [(c.msg_id, c.check_times, c.born_ms, c.store_ms) for c in copies] == [
        ("m1000", 1, 1000, 30_000),
        ("m2000", 1, 2000, 30_000),
    ]
    assert scan(table, 60_000) == [("check", 2), ("check", 3), ("check", 4), ("check", 5)]


def test_the_copies_written_by_a_scan_wait_for_the_next_one() -> None:
    table = HalfMessageTable()
    table.prepare(msg_id="m", group="g", born_ms=0, now_ms=0)
    assert scan(table, 30_000) == [("check", 0)]
    assert scan(table, 30_000) == [], "a copy stored at the scan's start is fresh"


def test_a_written_op_record_is_skipped_a_queued_one_is_not() -> None:
    table = HalfMessageTable()
    table.prepare(msg_id="a", group="g", born_ms=0, now_ms=0)
    table.prepare(msg_id="b", group="g", born_ms=0, now_ms=0)
    assert end(table, 0, COMMIT, 1000)
    assert table.write_ops(3000) == (), "3 s since the first op record, not yet"
    assert table.write_ops(6000) == (0,)
    assert end(table, 1, COMMIT, 29_000)
    assert scan(table, 30_000) == [("check", 1)], "b's op record is still queued"
    assert table.write_ops(30_000) == (1,)


def test_a_commit_is_never_deduplicated() -> None:
    table = HalfMessageTable()
    table.prepare(msg_id="a", group="g", born_ms=0, now_ms=0)
    assert end(table, 0, COMMIT, 10)
    assert end(table, 0, COMMIT, 20)
    assert table.commits("a") == 2
    assert table.halves[0].state is HalfState.COMMITTED


def test_unknow_and_a_wrong_group_change_nothing() -> None:
    table = HalfMessageTable()
    table.prepare(msg_id="a", group="g", born_ms=0, now_ms=0)
    assert not end(table, 0, UNKNOW, 10)
    assert not end(table, 0, COMMIT, 10, group="other")
    assert table.ops_queued() == 0 and table.halves[0].state is HalfState.PREPARED
    assert end(table, 0, ROLLBACK, 10)
    assert table.halves[0].state is HalfState.ROLLED_BACK and table.commits("a") == 0


def test_after_check_max_checks_the_half_is_discarded() -> None:
    table = HalfMessageTable()
    table.prepare(msg_id="a", group="g", born_ms=0, now_ms=0)
    for n in range(1, 4):
        assert scan(table, 30_000 * n, check_max=3) == [("check", n - 1)]
    assert table.halves[-1].check_times == 3
    assert scan(table, 120_000, check_max=3) == [("discard", 3)]
    assert table.halves[3].state is HalfState.DISCARDED
    assert table.unresolved() == 0 and table.awaiting_scan() == 0


def test_unresolved_counts_open_entries_and_unwritten_op_records() -> None:
    table = HalfMessageTable()
    table.prepare(msg_id="a", group="g", born_ms=0, now_ms=0)
    assert (table.unresolved(), table.awaiting_scan()) == (1, 1)
    end(table, 0, COMMIT, 10)
    assert (table.unresolved(), table.awaiting_scan()) == (1, 1)  # the op record, not written yet
    table.write_ops(6000)
    assert (table.unresolved(), table.awaiting_scan()) == (0, 0)
