"""``minimq site``: every page written, offline, with every step of every run in its data."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from xml.etree import ElementTree

import pytest

from minimq.cli import main
from minimq.lessons import LESSONS
from minimq.lessons.base import Lesson
from minimq.site.page import page_name

SVG_NS = "http://www.w3.org/2000/svg"
DATA = re.compile(r'<script type="application/json" id="lesson-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    assert main(["site", str(out)]) == 0
    return out


def test_writes_the_index_and_every_lesson_page_in_both_languages(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "index.zh.html").is_file()
    for lesson in LESSONS:
        for lang in ("en", "zh"):
            assert (site / page_name(lesson.number, lesson.slug, lang)).is_file()


def test_no_page_refers_to_the_network(site: Path) -> None:
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8").replace(SVG_NS, "")
        assert not re.search(r"https?://", text), page.name


def test_each_page_holds_every_step_of_every_run(site: Path) -> None:
    for lesson in LESSONS:
        if not isinstance(lesson, Lesson):
            continue
        for lang in ("en", "zh"):
            html = (site / page_name(lesson.number, lesson.slug, lang)).read_text(encoding="utf-8")
            found = DATA.search(html)
            assert found is not None
            data = json.loads(found.group(1))
            assert [len(run["steps"]) for run in data["runs"]] == [len(run.steps) for run in lesson.runs]
            assert all(run["verdict"]["lines"] and run["moral"] for run in data["runs"])
            assert len(data["summary"]["rows"]) == len(lesson.runs)
            for run in data["runs"]:  # each run's timeline picture: a band for each step that did something
                svg = ElementTree.fromstring(run["svg"])
                drawn = {g.get("data-step") for g in svg.iter() if g.get("data-step")}
                busy = {str(step["n"]) for step in run["steps"] if step["events"] or step["note"]}
                assert busy <= drawn <= {str(step["n"]) for step in run["steps"]}, (lesson.slug, run["n"])


def test_a_duplicate_is_marked_in_lesson_1(site: Path) -> None:
    html = (site / page_name(1, "upstream-retry", "en")).read_text(encoding="utf-8")
    found = DATA.search(html)
    assert found is not None
    rows = [row for step in json.loads(found.group(1))["runs"][0]["steps"] for row in step["events"]]
    assert any(row["mark"] == "effect" for row in rows)
    svg = json.loads(found.group(1))["runs"][0]["svg"]
    assert "DUPLICATE" in svg and "order-1001" in svg  # drawn in the picture too, with its reason


def test_the_index_lists_every_lesson(site: Path) -> None:
    for name, lang in (("index.html", "en"), ("index.zh.html", "zh")):
        index = (site / name).read_text(encoding="utf-8")
        for lesson in LESSONS:
            assert f'href="{page_name(lesson.number, lesson.slug, lang)}"' in index


def test_one_language_only(tmp_path: Path) -> None:
    assert main(["site", str(tmp_path / "zh"), "--lang", "zh"]) == 0
    assert (tmp_path / "zh" / "index.html").is_file()
    assert not list((tmp_path / "zh").glob("*.en.html"))
    assert 'id="other-lang"' not in (tmp_path / "zh" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["file", "no-parent"])
def test_a_bad_out_dir_exits_2(tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    out = target if where == "file" else tmp_path / "missing" / "out"
    assert main(["site", str(out), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and len(err.strip().splitlines()) == 1


def test_each_lesson_page_holds_its_handout(site: Path) -> None:
    """The print handout: the story, the picture of the first run that goes wrong with its
    verdict, what every run shows, the fix and the closing table (browser tests print it)."""
    for lesson in LESSONS:
        if not isinstance(lesson, Lesson):
            continue
        for lang in ("en", "zh"):
            html = (site / page_name(lesson.number, lesson.slug, lang)).read_text(encoding="utf-8")
            found = DATA.search(html)
            assert found is not None
            data = json.loads(found.group(1))
            handout = html[html.index('<article class="handout">') : html.index("</article>")]
            wrong = next(run for run in data["runs"] if not run["verdict"]["ok"])
            assert handout.count("<svg") == 1 and wrong["svg"] in handout
            for run in data["runs"]:
                assert escape(run["moral"].split("\n\n")[0]) in handout
            assert escape(data["runs"][-1]["explain"].split("\n\n")[0]) in handout
            assert all(escape(cell) in handout for row in data["summary"]["rows"] for cell in row["cells"])


def test_a_step_shows_the_tables_it_names_as_the_terminal_does(site: Path) -> None:
    """Lesson 14's steps name the broker's disk: its page shows that table too."""
    from minimq.i18n import t

    html = (site / page_name(14, "broker-crash", "en")).read_text(encoding="utf-8")
    found = DATA.search(html)
    assert found is not None
    steps = [step for run in json.loads(found.group(1))["runs"] for step in run["steps"]]
    titles = {table["title"] for step in steps for table in step["tables"]}
    assert any(t("ui.disk_title", "en").split("{")[0] in title for title in titles), titles
