"""The lesson site in a real browser: headless Chromium at 1280 x 720, driven by the keyboard.

What a person sees on a projector: the step counter, the narration of a later step, the
duplicate marked on the slide that shows it and drawn in the run's sequence diagram, no
request to any network address, no console error, and a viewport that holds a step
without a page scrollbar, in English and in Chinese.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/browser-setup`` installs them
when it can); without them every test here skips and says so. Selenium is pointed at
those two binaries, so it never downloads a browser. Select these tests with
``-m browser``, leave them out with ``-m 'not browser'``. Screenshots go to
``tests/artifacts/site-browser/`` (ignored by git; tests/README.md).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.print_page_options import PrintOptions

from minimq.cli import main
from minimq.i18n import t
from minimq.lessons import LESSONS
from minimq.lessons.base import Lesson
from minimq.site.page import page_name

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 720
ARTIFACTS = Path(__file__).parent / "artifacts" / "site-browser"
DATA = re.compile(r'<script type="application/json" id="lesson-data">(.*?)</script>', re.S)
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
LANGS = ("en", "zh")


def _binary(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site-browser") / "out"
    assert main(["site", str(out), "--lang", "both"]) == 0
    return out


@pytest.fixture(scope="module")
def chrome() -> Iterator[webdriver.Chrome]:
    browser = _binary("chromium", "chromium-browser")
    driver_path = _binary("chromedriver")
    if driver_path is None and Path("/usr/lib/chromium/chromedriver").is_file():  # where Debian keeps the real one
        driver_path = "/usr/lib/chromium/chromedriver"
    if browser is None or driver_path is None:
        missing = " and ".join(n for n, p in (("chromium", browser), ("chromedriver", driver_path)) if p is None)
        pytest.skip(
            f"{missing} not found: install Debian's chromium and chromium-driver (.ci/browser-setup does, as root)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    # --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start;
    # the only pages loaded are the ones this test just built.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
    # the console (level SEVERE = an error) and the DevTools network events, read back per test
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver path: Selenium Manager is never asked, so nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    # The viewport itself, not the window, is the projector: 1280 x 720 CSS pixels.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chrome: webdriver.Chrome) -> webdriver.Chrome:
    """The module's browser with its logs drained, so a test reads only its own."""
    _log(chrome, "browser")
    _log(chrome, "performance")
    return chrome


def _log(driver: webdriver.Chrome, kind: str) -> list[dict[str, Any]]:
    """The entries of one of Chrome's logs since the last read ("browser": the console)."""
    entries: list[dict[str, Any]] = driver.get_log(kind)  # type: ignore[no-untyped-call]  # untyped in selenium
    return entries


def _data(site: Path, lang: str) -> dict[str, Any]:
    found = DATA.search((site / page_name(1, "upstream-retry", lang)).read_text(encoding="utf-8"))
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _slide_ids(data: dict[str, Any]) -> list[str]:
    """The player's slides, in order: the opening, each run's steps and verdict, the close."""
    ids = ["intro"]
    for run in data["runs"]:
        ids += [f"r{run['n']}s{step['n']}" for step in run["steps"]] + [f"r{run['n']}end"]
    return [*ids, "end"]


def _open(driver: webdriver.Chrome, site: Path, lang: str, slide: str = "") -> str:
    url = (site / page_name(1, "upstream-retry", lang)).as_uri()
    driver.get(url + (f"#{slide}" if slide else ""))
    return url


def _press(driver: webdriver.Chrome, key: str, times: int = 1) -> None:
    # Keys go to the focused document as a person's would, not to a chosen element.
    chain = ActionChains(driver)
    for _ in range(times):
        chain.send_keys(key)
    chain.perform()


def _hash(driver: webdriver.Chrome) -> str:
    value = driver.execute_script("return location.hash")
    assert isinstance(value, str)
    return value


def _in_view(driver: webdriver.Chrome, node: Any, panel: str) -> bool:
    """Whether ``node`` lies inside the visible box of the current slide's ``panel`` (no scrolling)."""
    inside = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "const p = document.querySelector('section.slide.current ' + arguments[1]).getBoundingClientRect();"
        "return r.height > 0 && r.top >= p.top && r.bottom <= p.bottom && r.left >= p.left && r.right <= p.right"
        " && p.bottom <= innerHeight",
        node,
        panel,
    )
    return inside is True


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", LANGS)
def test_the_keyboard_steps_to_a_later_step_and_shows_its_narration(
    browser: webdriver.Chrome, site: Path, lang: str
) -> None:
    data = _data(site, lang)
    ids = _slide_ids(data)
    _open(browser, site, lang)
    pos = browser.find_element(By.ID, "pos")
    assert pos.text == data["ui"]["slide_of"].format(n=1, total=len(ids))
    _press(browser, Keys.ARROW_RIGHT, times=ids.index("r1s2"))  # the step where the payment system calls again
    assert _hash(browser) == "#r1s2"
    assert pos.text == data["ui"]["slide_of"].format(n=ids.index("r1s2") + 1, total=len(ids))
    shown = browser.find_elements(By.CSS_SELECTOR, "section.slide.current .narr p.say")
    assert _words(" ".join(p.text for p in shown)) == _words(data["runs"][0]["steps"][1]["narration"])
    assert all(p.is_displayed() for p in shown)
    # back, to the ends, and a link to a slide opens that slide
    _press(browser, Keys.ARROW_LEFT)
    assert _hash(browser) == "#r1s1"
    _press(browser, Keys.END)
    assert (_hash(browser), pos.text) == ("#end", data["ui"]["slide_of"].format(n=len(ids), total=len(ids)))
    _press(browser, Keys.HOME)
    assert _hash(browser) == "#intro"


@pytest.mark.parametrize("lang", LANGS)
def test_the_duplicate_is_marked_on_the_step_that_shows_it(browser: webdriver.Chrome, site: Path, lang: str) -> None:
    data = _data(site, lang)
    _open(browser, site, lang, "r1s2")
    # the picture: the step's band highlighted, its duplicate drawn and scrolled into view,
    # the lane headings still on screen above it, the next step not drawn yet
    band = browser.find_element(By.CSS_SELECTOR, "section.slide.current .picture rect.sq-step-bg.sq-now")
    assert band.get_attribute("data-step") == "2"
    assert band.value_of_css_property("fill") == "rgb(255, 244, 194)"
    dup = browser.find_element(By.CSS_SELECTOR, "section.slide.current .picture g.sq-dup.sq-now")
    assert _in_view(browser, dup, ".picture")
    heads = browser.find_element(By.CSS_SELECTOR, "section.slide.current .picture .sticky svg")
    assert _in_view(browser, heads, ".picture")
    assert browser.execute_script("return arguments[0].closest('.picture').scrollTop", dup) > 0
    later = browser.find_elements(By.CSS_SELECTOR, "section.slide.current .picture g.sq-ev.sq-later")
    assert later and all(g.value_of_css_property("visibility") == "hidden" for g in later)
    # the same events as a list, with the badge
    _press(browser, "l")
    rows = browser.find_elements(By.CSS_SELECTOR, "section.slide.current tr.mark-duplicate")
    assert rows, "no row marked as a duplicate on step 2 of run 1"
    badge = rows[0].find_element(By.CSS_SELECTOR, ".badge.duplicate")
    assert badge.is_displayed() and _in_view(browser, badge, ".events-panel")
    assert badge.text == data["ui"]["marks"]["duplicate"]
    assert badge.value_of_css_property("background-color") == "rgba(198, 40, 40, 1)"  # --bad, the red badge
    _press(browser, "l")
    assert not rows[0].is_displayed() and dup.is_displayed()
    # the slide before has nothing to mark, in the list or in the picture
    _press(browser, Keys.ARROW_LEFT)
    assert not browser.find_elements(By.CSS_SELECTOR, "section.slide.current .badge")
    assert not browser.find_elements(By.CSS_SELECTOR, "section.slide.current .picture g.sq-ev.sq-dup:not(.sq-later)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _press(browser, Keys.ARROW_RIGHT)
    browser.save_screenshot(str(ARTIFACTS / f"lesson-01-r1s2.{lang}.png"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_verdict_slide_draws_the_duplicate_in_the_sequence_diagram(
    browser: webdriver.Chrome, site: Path, lang: str
) -> None:
    _open(browser, site, lang, "r1end")
    assert _hash(browser) == "#r1end"
    svg = browser.find_element(By.CSS_SELECTOR, "section.slide.current .timeline .picture > svg")
    assert svg.is_displayed() and svg.size["width"] > 0 and svg.size["height"] > 0
    dups = svg.find_elements(By.CSS_SELECTOR, "g.sq-dup")
    assert dups, "the sequence diagram draws no duplicate"
    width = browser.execute_script("return arguments[0].getBBox().width", dups[0])
    assert isinstance(width, int | float) and width > 0
    assert _in_view(browser, dups[0], ".timeline")  # the first duplicate is on screen without scrolling
    mark = t("ui.dup_mark", lang).strip()  # "DUPLICATE:", "重复：", from the catalog
    assert any(mark in (g.get_attribute("textContent") or "") for g in dups)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"lesson-01-r1end.{lang}.png"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_slide_fits_the_viewport_with_no_network_request_and_no_console_error(
    browser: webdriver.Chrome, site: Path, lang: str
) -> None:
    ids = _slide_ids(_data(site, lang))
    url = _open(browser, site, lang)
    assert browser.execute_script("return [innerWidth, innerHeight]") == [WIDTH, HEIGHT]
    for slide in ids:  # every slide is built and shown once, its SVG and tables included
        assert _hash(browser) == f"#{slide}"
        # the page hides its own overflow, so measure what is laid out: the bar, the slide
        # and the footer all end inside the 1280 x 720 window
        edges = browser.execute_script(
            "return [...document.querySelectorAll('header.bar, section.slide.current, div.keys')]"
            ".map(e => { const r = e.getBoundingClientRect(); return [r.right, r.bottom]; })"
        )
        assert len(edges) == 3 and all(r <= WIDTH + 0.5 and b <= HEIGHT + 0.5 for r, b in edges), (slide, edges)
        # the narration, what the instructor reads out, is never clipped inside its panel
        narr = browser.execute_script(
            "const p = document.querySelector('section.slide.current .narr');"
            "return p ? [p.scrollHeight, p.clientHeight] : [0, 0]"
        )
        assert narr[0] <= narr[1], (slide, narr)
        _press(browser, Keys.ARROW_RIGHT)

    requested: list[str] = []
    for entry in _log(browser, "performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"].startswith("Network."):
            params = message["params"]
            requested += [u for u in (params.get("request", {}).get("url"), params.get("url")) if u]
    assert url in requested  # the log works: it saw the page itself
    assert [u for u in requested if not u.startswith(LOCAL_SCHEMES)] == []
    resources = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert [u for u in resources if not u.startswith(LOCAL_SCHEMES)] == []
    assert [e for e in _log(browser, "browser") if e["level"] == "SEVERE"] == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_diagram_is_legible_and_opens_at_its_duplicate(browser: webdriver.Chrome, site: Path, lang: str) -> None:
    _open(browser, site, lang, "r1end")
    svg = browser.find_element(By.CSS_SELECTOR, "section.slide.current .timeline .picture > svg")
    scale = browser.execute_script(
        "return arguments[0].getBoundingClientRect().width / arguments[0].viewBox.baseVal.width", svg
    )
    assert scale > 0.9, scale  # drawn at about its own size, so its 12 px labels stay readable on a projector
    dup = svg.find_element(By.CSS_SELECTOR, "g.sq-dup")
    top, bottom = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom]", dup
    )
    box = browser.execute_script(
        "const r = arguments[0].closest('.timeline').getBoundingClientRect(); return [r.top, r.bottom]", svg
    )
    assert box[0] <= top and bottom <= box[1]  # scrolled to the first duplicate, not to step 1


def _pdf_pages(pdf: bytes) -> int:
    """The pages of a PDF that Chromium wrote (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


@pytest.mark.parametrize("lang", LANGS)
def test_every_lesson_prints_as_a_handout_of_a_few_a4_pages(browser: webdriver.Chrome, site: Path, lang: str) -> None:
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, in cm
    options.background = False  # a school printer: no background colours
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lesson in LESSONS:
        if not isinstance(lesson, Lesson):
            continue
        browser.get((site / page_name(lesson.number, lesson.slug, lang)).as_uri() + "#r1s2")
        pdf = base64.b64decode(browser.print_page(options))  # type: ignore[no-untyped-call]  # untyped in selenium
        assert 2 <= _pdf_pages(pdf) <= 4, (lesson.number, _pdf_pages(pdf))
        if lesson.number == 1:
            (ARTIFACTS / f"lesson-01-handout.{lang}.pdf").write_bytes(pdf)
    # what the printer gets: the handout alone, its duplicate drawn in black, not red
    browser.get((site / page_name(1, "upstream-retry", lang)).as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = browser.execute_script(
            "return [...document.body.children].filter(e => getComputedStyle(e).display !== 'none')"
            ".map(e => e.tagName + '.' + e.className)"
        )
        stroke = browser.execute_script(
            "return getComputedStyle(document.querySelector('article.handout g.sq-dup line')).stroke"
        )
        text = browser.find_element(By.CSS_SELECTOR, "article.handout").text
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert shown == ["ARTICLE.handout"]
    assert stroke == "rgb(0, 0, 0)"
    data = _data(site, lang)
    for piece in (data["opening"], data["runs"][0]["moral"], data["runs"][-1]["explain"], data["diagnosis"]):
        assert _words(piece.split("\n\n")[0]) in _words(text)


@pytest.mark.parametrize("lang", LANGS)
def test_speaker_notes_follow_the_slide_and_a_speaker_window_drives_the_projector(
    browser: webdriver.Chrome, site: Path, lang: str
) -> None:
    data = _data(site, lang)
    _open(browser, site, lang, "r1s1")
    notes = browser.find_element(By.ID, "notes")
    assert not notes.is_displayed()  # the room never sees them unless asked
    _press(browser, "n")
    assert _words(notes.text).endswith(_words(data["notes"]["r1s1"]))
    _press(browser, Keys.ARROW_RIGHT)
    assert _words(notes.text).endswith(_words(data["notes"]["r1s2"]))
    _press(browser, "n")
    assert not notes.is_displayed()
    projector = browser.current_window_handle
    _press(browser, "s")
    (speaker,) = [h for h in browser.window_handles if h != projector]
    try:
        browser.switch_to.window(speaker)
        assert _hash(browser) == "#r1s2" and browser.find_element(By.ID, "notes").is_displayed()
        _press(browser, Keys.ARROW_RIGHT)  # the speaker steps on; the projector follows
        assert _hash(browser) == "#r1s3"
        assert _words(browser.find_element(By.ID, "notes").text).endswith(_words(data["notes"]["r1s3"]))
    finally:
        browser.close()
        browser.switch_to.window(projector)
    assert _hash(browser) == "#r1s3"
    assert not browser.find_element(By.ID, "notes").is_displayed()
