"""How the sequence diagram looks and how wide its words are: its stylesheet and text measure.

Owns: ``STYLE`` (the CSS inside every diagram: a system font stack that renders Chinese,
no remote font; each kind of arrow told apart by a dash pattern or a shape as well as by
colour, so a black-and-white print still reads) and ``text_px`` / ``lines_within``, the
width estimates (from ``rich.cells.cell_len``: a Chinese character is two cells) that let
``minimq.render.sequence`` wrap a label before it collides with its neighbour.
"""

from __future__ import annotations

from rich.cells import cell_len

from minimq.render.wrap import wrap

FONT = 13  # px
LINE = 16  # px between lines of one label
FONTS = (
    'system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC", '
    '"Microsoft YaHei", "Helvetica Neue", Arial, sans-serif'
)
STYLE = f"""
svg.sq {{ font-family: {FONTS}; font-size: {FONT}px; }}
.sq text {{ fill: #1f2328; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }}
.sq .sq-title {{ font-size: 17px; font-weight: 700; }}
.sq .sq-head rect {{ fill: #eef1f5; stroke: #57606a; }}
.sq .sq-head text {{ font-weight: 700; stroke: none; }}
.sq .sq-lane {{ stroke: #8c959f; stroke-width: 1.2; }}
.sq .sq-gone {{ stroke: #fff; stroke-width: 4; }}
.sq .sq-dead {{ stroke: #bc4c00; stroke-width: 2; stroke-dasharray: 1 5; stroke-linecap: round; }}
.sq .sq-time {{ fill: #57606a; font-size: 12px; font-variant-numeric: tabular-nums; }}
.sq .sq-stepname {{ fill: #57606a; font-size: 12px; font-weight: 700; }}
.sq .sq-step-bg {{ fill: transparent; }}
.sq .sq-step-bg.sq-alt {{ fill: #f6f8fa; }}
.sq line, .sq path {{ fill: none; stroke: #1f2328; stroke-width: 1.6; }}
.sq polygon {{ fill: #1f2328; stroke: none; }}
.sq .sq-note {{ fill: #f6f8fa; stroke: #8c959f; }}
.sq .sq-offset line {{ stroke: #0550ae; stroke-dasharray: 7 4; }}
.sq .sq-offset polygon {{ fill: #0550ae; }}
.sq .sq-retry line {{ stroke: #9a6700; stroke-dasharray: 2 3; stroke-width: 2; }}
.sq .sq-retry polygon {{ fill: #9a6700; }}
.sq .sq-retry .sq-note {{ stroke: #9a6700; stroke-dasharray: 2 3; }}
.sq .sq-failed line {{ stroke: #6e7781; stroke-dasharray: 5 4; }}
.sq .sq-failed path {{ stroke: #6e7781; stroke-width: 2.4; }}
.sq .sq-fault .sq-note {{ fill: #fff1e5; stroke: #bc4c00; stroke-width: 2; }}
.sq .sq-fault path {{ stroke: #bc4c00; stroke-width: 3; }}
.sq .sq-dup line {{ stroke: #d1242f; stroke-width: 3.2; stroke-dasharray: 12 3 3 3; }}
.sq .sq-dup polygon {{ fill: #d1242f; }}
.sq .sq-dup .sq-note {{ fill: #ffebe9; stroke: #d1242f; stroke-width: 2.4; stroke-dasharray: 12 3 3 3; }}
.sq .sq-dup text {{ fill: #a40e26; font-weight: 700; }}
.sq .sq-dup .sq-why {{ font-weight: 400; font-style: italic; }}
.sq .sq-dup polygon.sq-warn {{ fill: #d1242f; stroke: #fff; stroke-width: 1; }}
.sq .sq-dup text.sq-bang {{ fill: #fff; stroke: none; font-size: 11px; font-weight: 700; }}
.sq .sq-gap text, .sq .sq-break text {{ fill: #57606a; font-style: italic; }}
.sq .sq-gap rect {{ fill: #fff; stroke: #8c959f; stroke-dasharray: 3 3; }}
.sq .sq-break path {{ stroke: #57606a; stroke-width: 1.4; }}
"""


def text_px(text: str, bold: bool = False) -> int:
    """The estimated width of ``text`` in px: a wide character (two cells: Chinese, full-width
    punctuation) is one em, a capital or a digit 0.66 em, anything else 0.56 em; bold a tenth more."""
    ems = sum(1.0 if cell_len(c) == 2 else 0.66 if c.isupper() or c.isdigit() else 0.56 for c in text)
    return round(ems * FONT * (1.1 if bold else 1.0))


def lines_within(text: str, px: int, bold: bool = False) -> list[str]:
    """``text`` wrapped to at most ``px`` wide where it can be, never inside a word (Chinese
    may break between any two characters): ``wrap``'s rules, narrowed until the lines fit."""
    cells = max(int(px / (FONT * 0.5)), 10)
    lines = wrap(text, cells).split("\n")
    while cells > 10 and max(text_px(line, bold) for line in lines) > px:
        cells -= 2
        lines = wrap(text, cells).split("\n")
    return lines
