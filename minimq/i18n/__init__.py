"""One catalog for every user-facing line, in English and Chinese.

Owns: ``t(key, lang, **values)`` and the choice of language. Each entry holds both
languages side by side (``minimq/i18n/text_*.py``: one file per lesson, per command and
per kind of output), so a line cannot exist in one and not the other; a test checks
that both have the same placeholders, and the catalog refuses a key written twice.
Chinese is written as a Chinese engineer would say it, not translated word by word.
"""

from __future__ import annotations

import os

from minimq.i18n.text_check import CHECK
from minimq.i18n.text_cli import CLI
from minimq.i18n.text_dashboard import DASHBOARD
from minimq.i18n.text_demo import DEMO
from minimq.i18n.text_design import DESIGN
from minimq.i18n.text_events import EVENTS
from minimq.i18n.text_lesson1 import LESSON1
from minimq.i18n.text_lesson2 import LESSON2
from minimq.i18n.text_lesson3 import LESSON3
from minimq.i18n.text_lesson4 import LESSON4
from minimq.i18n.text_lesson5 import LESSON5
from minimq.i18n.text_lesson6 import LESSON6
from minimq.i18n.text_lesson7 import LESSON7
from minimq.i18n.text_lesson8 import LESSON8
from minimq.i18n.text_lesson9 import LESSON9
from minimq.i18n.text_lesson10 import LESSON10
from minimq.i18n.text_lesson11 import LESSON11
from minimq.i18n.text_lesson12 import LESSON12
from minimq.i18n.text_lesson13 import LESSON13
from minimq.i18n.text_lesson14 import LESSON14
from minimq.i18n.text_lesson15 import LESSON15
from minimq.i18n.text_lesson16 import LESSON16
from minimq.i18n.text_lessons import LESSONS
from minimq.i18n.text_matrix import MATRIX
from minimq.i18n.text_notes import NOTES
from minimq.i18n.text_schedule import SCHEDULE
from minimq.i18n.text_sequence import SEQUENCE
from minimq.i18n.text_site import SITE
from minimq.i18n.text_ui import UI

LANGS = ("en", "zh")
Entries = dict[str, tuple[str, str]]


def _merge(*parts: Entries) -> Entries:
    """One catalog from its parts; a key written in two parts is a mistake, said at import."""
    catalog: Entries = {}
    for part in parts:
        twice = sorted(catalog.keys() & part.keys())
        if twice:
            raise KeyError(f"catalog keys defined twice: {', '.join(twice)}")
        catalog.update(part)
    return catalog


CATALOG = _merge(
    UI,
    EVENTS,
    DASHBOARD,
    LESSONS,
    LESSON1,
    LESSON2,
    LESSON3,
    LESSON4,
    LESSON5,
    LESSON6,
    LESSON7,
    LESSON8,
    LESSON9,
    LESSON10,
    LESSON11,
    LESSON12,
    LESSON13,
    LESSON14,
    LESSON15,
    LESSON16,
    MATRIX,
    CHECK,
    SCHEDULE,
    SEQUENCE,
    DESIGN,
    CLI,
    DEMO,
    SITE,
    NOTES,
)


def t(key: str, lang: str, /, **values: object) -> str:
    """The line ``key`` in ``lang``, with ``values`` filled in."""
    en, zh = CATALOG[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def default_lang(environ: dict[str, str] | None = None) -> str:
    """``zh`` if the locale (LC_ALL, LC_MESSAGES, LANG) is Chinese, else ``en``."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
