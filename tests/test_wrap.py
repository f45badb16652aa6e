"""Line breaking of mixed Chinese and English narration (``minimq.render.wrap``)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from minimq.render.wrap import _NO_LINE_END, _NO_LINE_START, _TOKEN, wrap

PIECES = st.lists(
    st.one_of(
        st.sampled_from(list("订单系统把支付成功消息发出两次")),
        st.sampled_from(sorted(_NO_LINE_START) + sorted(_NO_LINE_END)),
        st.sampled_from(["order-1001", "msgId", "PAID", "3000", " "]),
    ),
    min_size=1,
    max_size=80,
)


@given(PIECES, st.integers(min_value=10, max_value=40))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(pieces: list[str], width: int) -> None:
    text = "".join(pieces).strip()
    lines = wrap(text, width).split("\n")
    for before, line in itertools.pairwise(lines):
        if line[:1] in _NO_LINE_START or before[-1:] in _NO_LINE_END:  # only after a line of one token
            assert len(_TOKEN.findall(before)) == 1, (before, line)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_a_closing_quote_and_a_comma_go_down_together() -> None:
    text = "订单系统把订单改成 PAID，马上发出“订单支付成功”，两个消费组都收到了。"
    for width in range(20, 60):
        for line in wrap(text, width).split("\n")[1:]:
            assert line[:1] not in _NO_LINE_START, (width, line)


def test_lines_fit_the_width_unless_a_word_is_longer() -> None:
    text = "两个消费组订阅这个主题：coupon-system 每个已支付订单发一张券，写进优惠券库（SQLite 的 coupons 表）。"
    for width in range(12, 50):
        for line in wrap(text, width).split("\n"):
            assert cell_len(line) <= width or " " not in line.strip(), (width, line)


def test_a_space_before_a_percent_word_is_a_break_and_is_kept() -> None:
    # a token that may not open a line is carried down with the word glued before it, never across a space
    assert wrap("aaaa bbbb cccc dddd in %RETRY%coupon-system.", 25) == "aaaa bbbb cccc dddd in\n%RETRY%coupon-system."
