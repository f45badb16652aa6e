"""The HTML of the lesson site: a lesson page (the player), the index, the fix matrix page.

Owns: ``lesson_page``, ``index_page``, ``matrix_page`` and the file names (``page_name``).
Each page is one self-contained file: the stylesheet (``static/player.css``) and, on a
lesson page, the player (``static/player.js``) and the lesson's data (JSON, from
``minimq.site.collect``) are inlined. No address outside the page: fonts are the system's
(a stack that renders Chinese), so a page opened from the file system works offline.
"""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from typing import Any

from minimq.i18n import t
from minimq.lessons.fix_matrix import MatrixLesson
from minimq.render.matrix_view import MARKS
from minimq.testing.matrix import COLUMNS, Cell

Data = dict[str, Any]
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def _static(name: str) -> str:
    return files("minimq.site").joinpath("static", name).read_text(encoding="utf-8")


def page_name(number: int, slug: str, lang: str) -> str:
    """``lesson-01-upstream-retry.en.html``: sorted by number, one file per language."""
    return f"lesson-{number:02d}-{slug}.{lang}.html"


def index_name(lang: str, first: str) -> str:
    """The first language built gets ``index.html``, the other ``index.<lang>.html``."""
    return "index.html" if lang == first else f"index.{lang}.html"


def _head(title: str, lang: str, body_class: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{HTML_LANG[lang]}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>\n{_static('player.css')}</style>\n</head>\n"
        f'<body class="{body_class}">\n'
    )


def _switch(other: str | None, lang: str) -> str:
    if other is None:
        return ""
    return f'<a id="other-lang" href="{escape(other)}">{escape(t("site.other_lang", lang))}</a>'


def _ui(lang: str) -> dict[str, Any]:
    """The player's own words, from the catalog."""
    keys = ("opening", "setting", "legend", "state", "no_state", "moral", "diagnosis", "limits", "slide_of")
    words: dict[str, Any] = {k: t(f"site.{k}", lang) for k in keys}
    words["step"] = t("ui.step", lang, n="{n}")
    words["happened"] = t("ui.happened", lang)
    words["nothing"] = t("ui.nothing_happened", lang)
    words["verdict"] = t("ui.verdict", lang)
    words["notes"] = t("site.notes", lang)
    words["no_notes"] = t("site.no_notes", lang)
    words["as_list"] = t("site.as_list", lang)
    words["as_picture"] = t("site.as_picture", lang)
    words["marks"] = {m: t(f"site.mark.{m}", lang) for m in ("duplicate", "retry", "effect")}
    return words


def _json_script(data: Data) -> str:
    # "</" closes a script element wherever it appears: written as "<\/", which JSON reads as "</".
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="lesson-data">{text}</script>\n'


def _home(index: str | None, lang: str) -> str:
    return f'<a href="{escape(index)}">{escape(t("site.index", lang))}</a>' if index else ""


def lesson_page(data: Data, index: str | None, other: str | None) -> str:
    """A lesson's player page; ``index`` links the site's index and ``other`` the same page
    in the other language, when the page is part of a site that has them."""
    lang = data["lang"]
    title = data["title"]
    return (
        _head(title, lang, "deck")
        + '<header class="bar">'
        + _home(index, lang)
        + f'<h1 id="heading">{escape(title)}</h1><span class="pos" id="pos"></span>'
        + f'<nav><button id="prev">{escape(t("site.prev", lang))}</button> '
        + f'<button id="next">{escape(t("site.next", lang))}</button> '
        + f'<button id="present">{escape(t("site.present", lang))}</button> '
        + f'<button id="print">{escape(t("site.print", lang))}</button> '
        + _switch(other, lang)
        + "</nav></header>\n"
        + '<main id="deck"></main>\n'
        + f'<aside id="notes" aria-label="{escape(t("site.notes", lang))}"></aside>\n'
        + f'<div class="keys">{escape(t("site.keys", lang))}</div>\n'
        + handout(data)
        + _json_script({**data, "ui": _ui(lang)})
        + f"<script>\n{_static('player.js')}</script>\n</body>\n</html>\n"
    )


def paths_text(paths: list[str], lang: str) -> str:
    """A lesson's duplication paths (P1 ...); lesson 1's duplicate is born before RocketMQ."""
    return " ".join(paths) if paths else t("site.upstream", lang)


def _summary_table(summary: Data) -> str:
    heads = "".join(f"<th>{escape(h)}</th>" for h in summary["headers"])
    rows = "".join(
        f'<tr class="{"good" if r["ok"] else "bad"}">' + "".join(f"<td>{escape(c)}</td>" for c in r["cells"]) + "</tr>"
        for r in summary["rows"]
    )
    return f"<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>"


def handout(data: Data) -> str:
    """The lesson as a printed handout (shown only by the print stylesheet): the story, the
    timeline picture of the first run that goes wrong with its verdict, what each run
    shows, and the fix with the closing table; a few A4 pages, readable in black and white."""
    lang, runs = data["lang"], data["runs"]
    shown = next((run for run in runs if not run["verdict"]["ok"]), runs[0])
    fix = runs[-1]
    story = (_h2("site.opening", lang) + _paras(data["opening"])) if data["opening"] else ""
    story += _h2("site.setting", lang) + _paras(data["world"]) + _paras(data["setting"])
    verdict = "".join(
        f'<p class="{"strong" if line["strong"] else ""}">{escape(line["text"])}</p>'
        for line in shown["verdict"]["lines"]
    )
    each = "".join(f"<h3>{escape(run['heading'])}</h3>{_paras(run['moral'])}" for run in runs)
    command = f"minimq lesson {data['number']} --seed {data['seed']} --lang {lang}"
    meta = t("site.handout_meta", lang, paths=paths_text(data["paths"], lang), command=command)
    return (
        f'<article class="handout">\n<h1>{escape(data["title"])}</h1>'
        + f'<p class="meta">{escape(meta)}</p>'
        + f'<section class="story">{story}</section>'
        + f'<section class="picture"><h2>{escape(shown["timeline_title"])}</h2>'
        + f'<div class="verdict">{verdict}</div>{shown.get("svg") or ""}</section>'
        + f'<section class="morals">{_h2("site.handout_runs", lang)}{each}</section>'
        + f'<section class="fix">{_h2("site.handout_fix", lang)}<h3>{escape(fix["title"])}</h3>'
        + f"{_paras(fix['explain'])}{_summary_table(data['summary'])}"
        + f"{_h2('site.diagnosis', lang)}{_paras(data['diagnosis'])}"
        + f"{_h2('site.limits', lang)}{_paras(data['limits'])}</section>\n</article>\n"
    )


def _h2(key: str, lang: str) -> str:
    return f"<h2>{escape(t(key, lang))}</h2>"


def index_page(entries: list[Data], lang: str, other: str | None) -> str:
    """Every lesson: number, title (a link), paths, what goes wrong, the fix, how long it takes."""
    rows = []
    for e in entries:
        rows.append(
            f'<tr><td>{e["number"]}</td><td><a href="{escape(e["href"])}">{escape(e["title"])}</a></td>'
            f"<td>{escape(paths_text(e['paths'], lang))}</td><td>{escape(e['moral'])}</td><td>{escape(e['fix'])}</td>"
            f"<td>{escape(t('site.minutes', lang, n=e['minutes']))}</td></tr>"
        )
    heads = "".join(
        f"<th>{escape(t(f'site.col_{k}', lang))}</th>" for k in ("lesson", "title", "paths", "moral", "fix", "minutes")
    )
    return (
        _head(t("site.index_title", lang), lang, "page")
        + f'<p style="text-align:right">{_switch(other, lang)}</p>'
        + f"<h1>{escape(t('site.index_title', lang))}</h1>\n<p>{escape(t('site.index_intro', lang))}</p>\n"
        + f'<table class="index"><thead><tr>{heads}</tr></thead><tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>\n</body>\n</html>\n"
    )


def _paras(text: str) -> str:
    return "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n") if part)


def matrix_page(
    lesson: MatrixLesson, seed: int, rows: list[list[Cell]], lang: str, index: str | None, other: str | None
) -> str:
    """The fix matrix: a row per design, a column per path, each cell one measured run."""
    heads = "".join(f'<th title="{escape(t(c.label, lang))}">{escape(c.code)}</th>' for c in COLUMNS)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="cell {c.outcome}" title="{escape(c.reason)}">{escape(MARKS[c.outcome][0])}</td>' for c in row
        )
        body.append(f"<tr><td><code>{escape(row[0].design)}</code></td>{cells}</tr>")
    legend = "".join(
        f'<tr><td class="cell {o}">{escape(m)}</td><td>{escape(t(f"lm.cell.{o}", lang))}</td></tr>'
        for o, (m, _) in MARKS.items()
    )
    columns = "".join(
        f"<tr><td>{escape(c.code)}</td><td>{escape(c.path)}</td><td>{escape(t(c.label, lang))}</td></tr>"
        for c in COLUMNS
    )
    wrong = []
    for row in rows:
        bad = [c for c in row if c.outcome != "ok"]
        if not bad:
            continue
        design = row[0].design
        items = "".join(
            f"<li><b>{escape(c.column)}</b> {escape(t(f'lm.outcome.{c.outcome}', lang, n=c.coupons))}: "
            f"{escape(c.reason)}</li>"
            for c in bad
        )
        command = f"minimq check {design} --seed {seed} --replay {bad[0].column}"
        wrong.append(
            f"<h3><code>{escape(design)}</code></h3><p>{escape(t(f'lm.why.{design}', lang))}</p><ul>{items}</ul>"
            f"<p><code>{escape(command)}</code></p>"
        )
    title = t(lesson.title, lang)
    return (
        _head(title, lang, "page")
        + f"<p>{_home(index, lang)} {_switch(other, lang)}</p>"
        + f"<h1>{escape(title)}</h1>{_paras(t(lesson.setting, lang))}"
        + f"<table><caption>{escape(t('lm.table_title', lang, seed=seed))}</caption>"
        + f"<thead><tr><th>{escape(t('lm.design', lang))}</th>{heads}</tr></thead>"
        + f"<tbody>{''.join(body)}</tbody></table>"
        + f"<h2>{escape(t('site.matrix_legend', lang))}</h2><table>{legend}</table>"
        + f"<h2>{escape(t('lm.columns_title', lang))}</h2><table>{columns}</table>"
        + f"<h2>{escape(t('lm.wrong_title', lang))}</h2>{''.join(wrong)}"
        + f"<h2>{escape(t('site.diagnosis', lang))}</h2>{_paras(t(lesson.diagnosis, lang))}"
        + f"<h2>{escape(t('site.limits', lang))}</h2>{_paras(t(lesson.limits, lang))}"
        + "\n</body>\n</html>\n"
    )
