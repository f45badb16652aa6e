"""Line breaking for mixed Chinese and English narration.

Owns: ``wrap(text, width)``. Rich breaks lines at spaces only, so a Chinese sentence
(which has none) with one English word in it breaks badly. Here a line may break between
any two Chinese characters or at a space, never inside an English word or number, and
never right before closing punctuation such as ，。）： nor right after an opening one.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d"
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+|\s+")
_NO_LINE_START = set("，。、；：！？）】」』”%")
_NO_LINE_END = set("（【「『“")


def words(text: str) -> list[str]:
    """The pieces a line may break between: English words and numbers, single Chinese characters."""
    return [token for token in _TOKEN.findall(text) if not token.isspace()]


def _strip(line: list[str]) -> None:
    while line and line[-1] == " ":
        line.pop()


def _wrap_paragraph(text: str, width: int) -> list[str]:
    lines: list[list[str]] = [[]]
    used = 0
    for token in _TOKEN.findall(text):
        size = cell_len(token)
        if token.isspace():
            if lines[-1]:
                lines[-1].append(" ")
                used += 1
            continue
        if used + size > width and lines[-1]:
            spaced = lines[-1][-1] == " "  # a space is a break point of its own: nothing to carry
            _strip(lines[-1])
            carry: list[str] = []
            if not spaced and len(lines[-1]) > 1 and (token[:1] in _NO_LINE_START or lines[-1][-1] in _NO_LINE_END):
                carry = [lines[-1].pop()]
                while (  # ”， go down together, and so does what opens before them: “msgId”
                    len(lines[-1]) > 1
                    and lines[-1][-1] != " "
                    and (carry[0][:1] in _NO_LINE_START or lines[-1][-1] in _NO_LINE_END)
                ):
                    carry.insert(0, lines[-1].pop())
                _strip(lines[-1])
            lines.append(carry)
            used = sum(cell_len(t) for t in carry)
        lines[-1].append(token)
        used += size
    return ["".join(line).rstrip() for line in lines]


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` cells (paragraphs kept)."""
    width = max(width, 10)
    return "\n".join("\n".join(_wrap_paragraph(p, width)) for p in text.split("\n"))
