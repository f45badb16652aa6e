"""The sans-I/O POP rules (``minimq.core.pop``, ``minimq.core.pop_proxy``), without a loop."""

from __future__ import annotations

from dataclasses import replace

import pytest

from minimq.core import pop_proxy as proxy
from minimq.core.pop import (
    REVIVE_LAG_MS,
    Checkpoint,
    CheckpointTable,
    pop_plan,
    pop_retry_topic,
    revive,
)
from minimq.errors import ValidationError
from minimq.model import MessageExt, MessageQueue


def ck(offsets: tuple[int, ...] = (5, 6, 7), pop_ms: int = 1000, invisible_ms: int = 10_000) -> Checkpoint:
    return Checkpoint(
        group="g",
        client="c1",
        topic="t",
        queue_id=2,
        start_offset=offsets[0],
        offsets=offsets,
        pop_ms=pop_ms,
        invisible_ms=invisible_ms,
    )


def test_the_pop_retry_topic_is_v1_with_an_underscore() -> None:
    assert pop_retry_topic("coupon-system", "order-paid") == "%RETRY%coupon-system_order-paid"


def test_a_handle_expires_at_exactly_pop_time_plus_invisible_time() -> None:
    handle = ck().handle(6)
    assert handle.visible_ms == 11_000
    assert not handle.is_expired(10_999) and handle.is_expired(11_000)
    assert str(handle) == "5 1000 10000 0 t 2 6"


def test_acks_set_bits_and_a_fully_acked_checkpoint_is_done() -> None:
    table = CheckpointTable()
    c = ck()
    table.add(c)
    assert table.pending() == 3 and table.pending("other") == 0
    assert table.ack(c.handle(6)) is True
    assert table.ack(c.handle(6)) is False  # again: nothing changes
    assert table.ack(c.handle(9)) is False  # not in this checkpoint
    assert table.pending() == 2
    assert table.ack(c.handle(5)) and table.ack(c.handle(7))
    assert len(table) == 0 and table.ack(c.handle(5)) is False


def test_a_change_writes_a_checkpoint_for_the_message_alone_then_acks_the_old_one() -> None:
    table = CheckpointTable()
    c = ck()
    table.add(c)
    new, took = table.change(c.handle(6), "c1", now_ms=4000, invisible_ms=30_000)
    assert took and (new.ck_offset, new.queue_offset, new.pop_ms, new.visible_ms) == (6, 6, 4000, 34_000)
    assert table.pending() == 3  # 5 and 7 in the old checkpoint, 6 in the new one
    stale, took_again = table.change(c.handle(6), "c1", now_ms=5000, invisible_ms=30_000)
    assert not took_again and table.pending() == 4  # an old handle's change still adds a checkpoint
    assert table.ack(c.handle(6)) is False and table.ack(new) and table.ack(stale)


def test_a_checkpoint_is_revived_only_more_than_2_s_past_its_time() -> None:
    table = CheckpointTable()
    c = ck()
    table.add(c)
    table.ack(c.handle(6))
    assert table.revive_due(c.revive_ms + REVIVE_LAG_MS) == []
    (due,) = table.revive_due(c.revive_ms + REVIVE_LAG_MS + 1)
    assert due.unacked() == (5, 7) and len(table) == 0


def test_a_revived_copy_keeps_the_msg_id_with_one_more_reconsume_time() -> None:
    source = MessageExt(
        topic="t",
        queue=MessageQueue("t", 2),
        queue_offset=5,
        body=b"x",
        tags=None,
        keys=("k",),
        properties=(),
        msg_id="M",
        offset_msg_id="O",
        born_ms=0,
        store_ms=0,
        reconsume_times=3,
    )
    copy, event = revive(source, ck(), now_ms=14_000)
    assert copy.queue == MessageQueue("%RETRY%g_t", 0) and copy.reconsume_times == 4
    assert (event.msg_id, event.reconsume_times, event.visible_ms, event.retry_topic) == ("M", 3, 11_000, "%RETRY%g_t")
    again = replace(ck(), topic="%RETRY%g_t")
    assert revive(source, again, 5000)[0].queue.topic == "%RETRY%g_t"  # a retry copy stays in its topic


@pytest.mark.parametrize(
    ("random_q", "retry_first", "first_queue"), [(0, True, 0), (19, True, 3), (20, False, 0), (99, False, 3)]
)
def test_one_draw_decides_the_retry_topic_first_and_the_first_queue(
    random_q: int, retry_first: bool, first_queue: int
) -> None:
    plan = pop_plan(random_q, 4)
    assert plan.retry_first is retry_first and plan.queue_order[0] == first_queue
    assert sorted(plan.queue_order) == [0, 1, 2, 3]


def test_the_proxy_bounds_of_invisible_time() -> None:
    assert proxy.check_receive_invisible(10_000) == 10_000
    assert proxy.check_receive_invisible(12 * 3600_000) == 12 * 3600_000
    assert proxy.check_change_invisible(0) == 0
    for bad in (9_999, 12 * 3600_000 + 1):
        with pytest.raises(ValidationError, match="invisibleTime"):
            proxy.check_receive_invisible(bad)
    with pytest.raises(ValidationError, match=r"too small\. min is 0"):
        proxy.check_change_invisible(-1)


def test_long_polling_is_clamped_and_the_dlq_comes_at_17() -> None:
    assert [proxy.polling_ms(ms) for ms in (0, 5_000, 12_345, 30_000)] == [5_000, 5_000, 12_345, 20_000]
    assert not proxy.goes_to_dlq(16) and proxy.goes_to_dlq(17)


def test_the_push_consumer_nack_delay_is_the_level_list_from_1_s() -> None:
    assert [proxy.nack_delay_ms(a) for a in (1, 2, 3, 4, 17, 18, 40)] == [
        1_000, 5_000, 10_000, 30_000, 3_600_000, 7_200_000, 7_200_000,
    ]  # fmt: skip


def test_renewal_ahead_of_expiry_then_stop_after_3_h() -> None:
    handle = ck(offsets=(5,), pop_ms=0, invisible_ms=60_000).handle(5)
    tracked = proxy.Tracked(
        msg_id="M", original=handle, current=handle, received_ms=0, renew_times=0, reconsume_times=2
    )
    assert proxy.renewal(tracked, 49_999) is None
    assert proxy.renewal(tracked, 50_000) == proxy.Renew(invisible_ms=60_000, stop=False)
    late = proxy.Tracked(
        msg_id="M", original=handle, current=handle, received_ms=-3 * 3600_000, renew_times=9, reconsume_times=2
    )
    assert proxy.renewal(late, 55_000) == proxy.Renew(invisible_ms=60_000, stop=True)  # level 5: 1 min
