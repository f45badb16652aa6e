"""Writing what a console recorded to a file: SVG (Chinese sized by terminal cells, local
fonts only), HTML or text.

Owns: ``export``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

_SVG_TEXT = re.compile(r'(<text[^>]*?textLength=")([0-9.]+)("[^>]*>)([^<]*)(</text>)')


def _fix_wide_text(svg: str) -> str:
    """Rich sizes each SVG text run by its number of characters; a Chinese character takes
    two terminal cells, so runs with Chinese were squeezed to half width. Size them by cells."""

    def widen(m: re.Match[str]) -> str:
        text = html.unescape(m.group(4))
        if not text or cell_len(text) == len(text):
            return m.group(0)
        per_char = float(m.group(2)) / len(text)
        return f"{m.group(1)}{per_char * cell_len(text):.1f}{m.group(3)}{m.group(4)}{m.group(5)}"

    return _SVG_TEXT.sub(widen, svg)


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\s*")
_FONT_FAMILY = re.compile(r"font-family:\s*Fira Code, monospace;")
# Local fonts only (an offline classroom reaches no CDN): a monospace face for the Latin
# text, then the CJK monospace faces Linux, macOS and Windows ship.
FONT_STACK = (
    '"Fira Code", "DejaVu Sans Mono", "Noto Sans Mono CJK SC", "Sarasa Mono SC", Menlo, '
    '"PingFang SC", Consolas, "Microsoft YaHei Mono", monospace'
)


def _local_fonts(svg: str) -> str:
    """Rich's SVG loads Fira Code from a CDN; keep only fonts the machine has."""
    return _FONT_FAMILY.sub(f"font-family: {FONT_STACK};", _FONT_FACE.sub("", svg))


def export(console: Console, path: str, title: str, *, clear: bool = False) -> None:
    """Write what ``console`` recorded to ``path`` as .svg, .html or .txt (``clear``: and
    start a new recording, for the next page)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        svg = console.export_svg(title=title, clear=clear)
        Path(path).write_text(_local_fonts(_fix_wide_text(svg)), encoding="utf-8")
    elif suffix in (".html", ".htm"):
        console.save_html(path, clear=clear)
    else:
        console.save_text(path, clear=clear)
