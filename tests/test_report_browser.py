"""The report in a real headless Chromium: untrusted text stays text; links lead somewhere.

Skips when /usr/bin/chromium (or the playwright package) is missing, unless
CLEANER_REQUIRE_SERVICES=1 (CI), where a missing browser is a failure.
"""
from __future__ import annotations

import json
import re
import os
import shutil
from pathlib import Path

import pytest

from cleaner.config import Config
from cleaner.pipeline import run

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
EVIL_SCRIPT = "<script>window.__pwned=1</script>"
EVIL_IMG = '<img src=x onerror="window.__pwned=1">'


def _unavailable() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _unavailable()
    if missing:
        if os.environ.get("CLEANER_REQUIRE_SERVICES") == "1":
            pytest.fail(f"CLEANER_REQUIRE_SERVICES=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    inputs = tmp_path_factory.mktemp("in")
    shutil.copy(SEEDS / "003_fb5f256fec8ece3d.txt", inputs)
    (inputs / "evil.txt").write_text(
        f"Evil headline {EVIL_SCRIPT}\n\nA paragraph with {EVIL_IMG} in it, which is just text.\n\n"
        f"Evil headline {EVIL_SCRIPT}\n\nThe end of the story, told in a full sentence.\n", encoding="utf-8")
    record = {"id": EVIL_IMG, "title": EVIL_SCRIPT,
              "text": f"First paragraph mentions {EVIL_SCRIPT} as plain text.\n\nSecond paragraph is harmless."}
    (inputs / "records.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    run([inputs], out=out, config=Config.load(None, {"workers": 1}))
    return out


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()


def _not_pwned(page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == []


def test_index_shows_hostile_text_as_text(page, out):
    page.goto((out / "report.html").as_uri())
    _not_pwned(page)
    table = page.inner_text("#documents-table")
    assert EVIL_IMG in table  # the JSONL id
    assert EVIL_SCRIPT in table  # the JSONL title and the .txt headline
    assert page.locator("svg").count() == 1 and "repeated-headline" in page.text_content("svg")


def test_filter_rows_are_rendered_as_text(page, out):
    page.goto((out / "report.html").as_uri())
    page.select_option("#f-reason", "repeated-headline")
    page.wait_for_function("document.getElementById('status').textContent.indexOf('match') >= 0")
    rows = page.locator("#rows-js tr")
    ids = sorted(rows.nth(i).locator("a.doc").inner_text() for i in range(rows.count()))
    assert ids == ["003_fb5f256fec8ece3d", "evil"]
    page.select_option("#f-reason", "")
    page.fill("#f-source", "records.jsonl")
    page.wait_for_function("document.querySelectorAll('#rows-js tr').length === 1")
    assert page.locator("#rows-js tr a.doc").inner_text() == EVIL_IMG
    page.locator("th[data-key='1']").click()  # sort by id
    _not_pwned(page)


def test_click_through_to_a_document_page(page, out):
    page.goto((out / "report.html").as_uri())
    page.click("a.doc:text-is('evil')")
    page.wait_for_load_state("load")
    assert page.url.endswith("/report/docs/000001.html#evil")  # its section of the first page
    _not_pwned(page)
    doc = page.locator("section[id='evil']")
    assert doc.evaluate("el => el.matches(':target')")
    assert doc.locator("h2").inner_text() == f"Evil headline {EVIL_SCRIPT}"
    removed = doc.locator("li.drop")
    assert removed.count() == 1
    assert removed.locator("del").inner_text() == f"Evil headline {EVIL_SCRIPT}"
    style = removed.locator("del").evaluate("el => getComputedStyle(el).textDecorationLine")
    assert "line-through" in style
    assert removed.locator(".badge").inner_text() == "repeated-headline"
    kept = page.locator("li[id='evil/p1']")
    assert EVIL_IMG in kept.inner_text()
    page.check("#cleanonly")  # cleaned text only: removed paragraphs disappear
    assert not removed.is_visible() and kept.is_visible()
    page.uncheck("#cleanonly")
    page.click("nav a:text('report')")
    page.wait_for_load_state("load")
    assert page.url.endswith("/report.html")


def test_jsonl_document_page(page, out):
    page.goto((out / "report.html").as_uri())
    page.locator("a.doc", has_text="onerror").click()
    page.wait_for_load_state("load")
    _not_pwned(page)
    body = page.inner_text("body")
    assert EVIL_IMG in body and EVIL_SCRIPT in body


# --------------------------------------------------------------------------- the seeds, as a reader sees them

@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds-out")
    run([SEEDS], out=out, config=Config.load(None, {"workers": 1}))
    return out


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(java_script_enabled=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    assert errors == []
    context.close()


def test_titles_are_not_squeezed_into_a_narrow_column(wide_page, seeds_out):
    wide_page.goto((seeds_out / "report.html").as_uri())
    cells = wide_page.locator("#documents-table td.title")
    assert cells.count() == 5
    for i in range(cells.count()):
        lines = cells.nth(i).evaluate("td => { const r = document.createRange(); r.selectNodeContents(td);"
                                      " return r.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight); }")
        assert lines < 4.5, (cells.nth(i).inner_text(), lines)  # was 7 to 10 lines of three or four words


def test_summary_paragraphs_add_up(wide_page, seeds_out):
    wide_page.goto((seeds_out / "report.html").as_uri())
    row = wide_page.locator("table.meta tr", has_text=re.compile(r"^paragraphs")).inner_text()
    total, kept, removed, titles = map(int, re.match(
        r"paragraphs\s+(\d+): (\d+) kept, (\d+) removed, (\d+) titles?$", row.strip()).groups())
    assert total == kept + removed + titles and titles >= 1
    assert "Titles are the documents' headlines" in wide_page.inner_text("body")


def test_a_repair_of_invisible_characters_marks_and_names_them(wide_page, seeds_out):
    wide_page.goto((seeds_out / "report/docs/000001.html").as_uri())
    item = wide_page.locator("section[id='001_3f439395545666fa'] li:has(.repair)").first
    paragraph = item.evaluate("li => li.firstChild.textContent")
    assert "\u00a0" not in paragraph  # the kept text: a plain space
    box = item.locator(".repair")
    names = box.locator(".before del.chg .inv")
    assert names.count() >= 1 and names.first.inner_text() == "NBSP"
    assert names.first.get_attribute("title") == "U+00A0"
    assert box.locator(".after ins.chg").count() == names.count()  # each replaced by a space, marked
    assert box.locator(".elided").count() >= 1  # the unchanged text is not repeated in full
    assert paragraph not in box.inner_text()


def test_a_stray_glyph_is_gone_and_its_removal_shown(wide_page, seeds_out):
    assert "»" not in (seeds_out / "clean/004_8d4619fea5f0c2ba.txt").read_text(encoding="utf-8")
    wide_page.goto((seeds_out / "report/docs/000001.html").as_uri())
    box = wide_page.locator("section[id='004_8d4619fea5f0c2ba'] .repair").first
    assert "strip_stray_glyph" in box.inner_text()
    assert box.locator(".before del.chg").inner_text().strip() == "»"


def test_clusters_are_counted_and_numbered_for_people(wide_page, seeds_out):
    wide_page.goto((seeds_out / "report/clusters-0001.html").as_uri())
    text = wide_page.inner_text("body")
    clusters = wide_page.locator("section.cluster")
    n = clusters.count()
    assert n >= 1 and f"{n} cluster{'s' if n != 1 else ''}:" in text and "1 clusters" not in text
    assert clusters.first.locator("h3").inner_text().startswith("#1 ")
    assert clusters.first.get_attribute("id") == "c1"
    for i in range(n):  # one member marked, even when both copies are in one document
        marks = clusters.nth(i).locator(".tag", has_text=re.compile("^(representative|first seen)$"))
        assert marks.count() == 1


def test_a_repeat_among_removed_lines_is_shown_as_changing_nothing(wide_page, seeds_out):
    """Seed 003's appended story repeats its headline: both copies are removed with the
    story, so the passage cluster they make is a fact about the page, not a duplicate."""
    wide_page.goto((seeds_out / "report/clusters-0001.html").as_uri())
    moot = wide_page.locator("section.cluster.moot")
    assert moot.count() == 1
    assert "003_fb5f256fec8ece3d" in moot.inner_text() and "only removed lines" in moot.locator("h3").inner_text()
    assert "no effect on the corpus" in moot.inner_text()
    assert moot.locator(".badge", has_text="appended-story").count() == 2 and moot.locator("del").count() == 2
    opacity = float(moot.evaluate("el => getComputedStyle(el).opacity"))
    assert opacity < 1
    assert "1 of them only among lines the run removed anyway" in wide_page.inner_text("body")
    wide_page.goto((seeds_out / "report.html").as_uri())
    row = wide_page.locator("table.meta tr", has_text=re.compile(r"^duplicate clusters")).inner_text()
    assert "1 passage (1 only among lines removed anyway)" in row


def test_the_seeds_story_page_lists_its_members_and_passages(wide_page, seeds_out):
    """000, 001 and 003 report Blinken's June 2023 visit to Beijing; 004, a visit a year
    later, is another event.  (002, the trip as first planned, may go either way.)"""
    wide_page.goto((seeds_out / "report.html").as_uri())
    wide_page.click("nav a:text-is('stories')")
    wide_page.wait_for_load_state("load")
    assert wide_page.url.endswith("/report/stories-0001.html")
    stories = wide_page.locator("#stories-table a.story")
    assert stories.count() == 1
    stories.first.click()
    wide_page.wait_for_load_state("load")
    assert "/report/stories/" in wide_page.url
    members = wide_page.locator("#members tr.member a.doc")
    ids = [members.nth(i).inner_text() for i in range(members.count())]
    assert {"000", "001", "003"} <= {i[:3] for i in ids} and not any(i.startswith("004") for i in ids)
    dates = [d for d in wide_page.locator("#members tr.member td:nth-child(4)").all_inner_texts() if d]
    assert dates == sorted(dates)
    passages = wide_page.locator("section.aligned")
    assert passages.count() >= 1
    for i in range(min(passages.count(), 5)):
        said = passages.nth(i).locator(".said")
        assert said.count() >= 2
        assert re.search(r"similarity \d\.\d\d", passages.nth(i).locator("h3").inner_text())
        who = [said.nth(k).locator(".who a").inner_text() for k in range(said.count())]
        assert len(set(who)) == len(who) and set(who) <= set(ids)
        assert all(len(said.nth(k).inner_text()) > len(who[k]) + 20 for k in range(said.count()))
    boxes = [passages.first.locator(".said").nth(k).bounding_box() for k in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[0]["x"] < boxes[1]["x"]  # side by side
    passages.first.locator(".said .who a").first.click()  # to the paragraph in its document
    wide_page.wait_for_load_state("load")
    assert re.search(r"/report/docs/\d{6}\.html#[^/]+/p\d+$", wide_page.url)
    assert wide_page.evaluate("document.querySelector(':target').tagName") == "LI"


def test_a_member_document_links_to_its_story(wide_page, seeds_out):
    wide_page.goto((seeds_out / "report/docs/000001.html").as_uri())
    assert wide_page.locator("section[id='004_8d4619fea5f0c2ba'] a.story").count() == 0
    link = wide_page.locator("section[id='001_3f439395545666fa'] a.story")
    link.click()
    wide_page.wait_for_load_state("load")
    members = wide_page.locator("#members tr.member a.doc").all_inner_texts()
    assert "001_3f439395545666fa" in members


NEWS_PAGE = Path(__file__).resolve().parent / "data" / "html" / "news_page.html"


@pytest.fixture(scope="module")
def html_out(tmp_path_factory) -> Path:
    inputs = tmp_path_factory.mktemp("html-in")
    shutil.copy(NEWS_PAGE, inputs / "news.html")
    out = tmp_path_factory.mktemp("html-out")
    run([inputs], out=out, config=Config.load(None, {"workers": 1}))
    return out


def test_html_document_page_shows_what_the_extractor_left_out_in_page_order(page, html_out):
    page.goto((html_out / "report.html").as_uri())
    page.click("a.doc:text-is('news')")
    page.wait_for_load_state("load")
    _not_pwned(page)
    items = page.locator("section[id='news'] ol.paras > li")
    rows = [(items.nth(i).get_attribute("class"), items.nth(i).inner_text()) for i in range(items.count())]

    def first(cls: str, text: str) -> int:
        return next(i for i, (c, t) in enumerate(rows) if c == cls and t.startswith(text))

    nav = first("drop page", "News")
    body = first("kept", "The harbour bridge reopened")
    comment = first("drop page", "Finally! I have been taking the ferry")
    footer = first("drop page", "About us")
    assert nav < body < comment < footer
    left_out = page.locator("section[id='news'] li.drop.page")
    assert left_out.nth(0).locator("del").evaluate("el => getComputedStyle(el).textDecorationLine") == "line-through"
    badges = {left_out.nth(i).locator(".badge").inner_text() for i in range(left_out.count())}
    assert {"navigation", "user-comment", "footer", "cookie-notice"} <= badges
    page.check("#cleanonly")  # cleaned text only: the left-out blocks disappear too
    assert not left_out.nth(0).is_visible()
    assert page.locator("section[id='news'] li.kept").first.is_visible()
