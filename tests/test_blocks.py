"""HTML pages as blocks: every visible block is kept or recorded as removed, with its reason.

The invariant is checked against the page's visible text read independently of
`cleaner.blocks` (lxml's text nodes outside scripts, styles and the like): generated pages
(hypothesis), a hand-made news page, and the real pages of articles-dev when present.
"""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import blocks
from cleaner.config import Config, ExtractConfig
from cleaner.extract import ExtractionError, extract
from cleaner.models import RawDocument
from cleaner.pipeline import clean_document, clean_records, run
from cleaner.views import document, format_diff

DATA = Path(__file__).resolve().parent / "data" / "html"
NEWS = (DATA / "news_page.html").read_text(encoding="utf-8")
ARTICLES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "articles-dev" / "html"
INVISIBLE = {"script", "style", "template", "noscript", "head", "title", "svg", "iframe", "select", "textarea",
             "object", "canvas", "math", "audio", "video", "option", "datalist", "embed", "picture", "map"}


def html_doc(content: str, config: ExtractConfig = ExtractConfig()):
    return extract(RawDocument(id="p", source="p", content=content, format="html",
                               url="https://courier.example/story"), config)


def visible_texts(content: str) -> list[str]:
    """The page's text nodes outside invisible elements, read with lxml alone."""
    from lxml import html as lxml_html
    tree = lxml_html.fromstring(content)
    texts = []
    for node in tree.iter():
        inside = any(a.tag in INVISIBLE for a in node.iterancestors())
        if isinstance(node.tag, str) and node.text and not inside and node.tag not in INVISIBLE:
            texts.append(node.text)
        if node.tail and not inside:
            texts.append(node.tail)
    return [t for t in texts if t.strip()]


def letters(text: str) -> str:
    """Letters and digits only: list bullets and spacing are the extractor's to change."""
    return re.sub(r"[\W_]+", "", text)


def assert_nothing_lost(content: str, doc) -> None:
    """Every visible text node of the page is in the title, a paragraph or a left-out block."""
    recorded = "".join(letters(t) for t in
                       [doc.title or ""] + [p.original for p in doc.paragraphs] + [b.text for b in doc.left_out])
    missing = [t for t in visible_texts(content) if letters(t) not in recorded]
    assert not missing, f"visible text neither kept nor removed: {missing[:5]}"
    positions = [b.before for b in doc.left_out]
    assert positions == sorted(positions) and all(0 <= p <= len(doc.paragraphs) for p in positions)
    assert all(b.reason and b.text.strip() for b in doc.left_out)


# --------------------------------------------------------------------------- the news page

def test_news_page_keeps_the_article_and_names_every_dropped_block():
    doc = html_doc(NEWS)
    assert doc.title == "Harbour bridge reopens after two years of repairs"
    kept = " ".join(p.text for p in doc.paragraphs)
    assert "The harbour bridge reopened to traffic on Thursday morning" in kept
    assert "speed limit of thirty kilometres" in kept
    reasons = {}
    for b in doc.left_out:
        reasons.setdefault(b.reason, []).append(b.text)
    assert "We use cookies to improve your experience. By continuing you accept our cookie policy." in reasons["cookie-notice"]
    assert ["News", "Sport", "Weather", "Opinion"] == reasons["navigation"]
    assert "Share on Facebook Share on X Email this story" in reasons["share-widget"]
    assert any(t.startswith("Cyclists cross") for t in reasons["caption"])
    assert "Get the morning briefing" in reasons["newsletter"]
    assert "Council approves budget for harbour works" in reasons["related-links"]
    assert "Finally! I have been taking the ferry for two years and it was always late." in reasons["user-comment"]
    assert "Copyright 2024 The Coastal Courier. All rights reserved." in reasons["footer"]
    assert_nothing_lost(NEWS, doc)


def test_news_page_blocks_are_in_page_order():
    doc = html_doc(NEWS)
    order = [p.text for _, p in doc.page_order()]
    def at(prefix):
        return next(i for i, t in enumerate(order) if t.startswith(prefix))
    assert (at("We use cookies") < at("News") < at("Share on Facebook") < at("The harbour bridge reopened")
            < at("Cyclists cross") < at("City officials said") < at("Get the morning briefing")
            < at("Related stories") < at("Finally!") < at("About us"))


def test_removed_lists_the_left_out_blocks_in_page_order_and_counts_them():
    record = next(clean_records([{"id": "n", "html": NEWS}]))
    removed = record["removed"]
    texts = [r["text"] for r in removed]
    assert texts.index("News") < texts.index("Finally! I have been taking the ferry for two years and it was always late.") \
        < texts.index("About us")
    by_extractor = [r for r in removed if r["paragraph"] is None]
    ours = [r for r in removed if r["paragraph"] is not None]
    assert by_extractor and all(r["reason"] for r in by_extractor)
    assert [r["reason"] for r in ours] == ["repeated-headline"]
    assert "Finally!" not in record["text"] and "We use cookies" not in record["text"]


def test_report_diff_and_counts_show_the_left_out_blocks(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "news.html").write_text(NEWS, encoding="utf-8")
    result = run([tmp_path / "in"], out=tmp_path / "out", config=Config.load(None, {"workers": 1}))
    doc = clean_document(RawDocument(id="news", source="news", content=NEWS, format="html"), Config())
    reasons = result.summary["removed_by_reason"]
    assert reasons["navigation"] >= 4 and reasons["footer"] == 3 and reasons["user-comment"] >= 4
    assert result.summary["removed"] == len(doc.left_out) + len(doc.removed)
    assert result.summary["paragraphs"] == len(doc.paragraphs) + len(doc.left_out)
    lines = format_diff(document(tmp_path / "out", "news"))
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    nav = next(i for i, line in enumerate(plain) if line.startswith("-News") and "[navigation]" in line)
    body = next(i for i, line in enumerate(plain) if line.startswith(" The harbour bridge reopened"))
    foot = next(i for i, line in enumerate(plain) if line.startswith("-About us") and "[footer]" in line)
    assert nav < body < foot
    page = next((tmp_path / "out" / "report" / "docs").glob("*.html")).read_text(encoding="utf-8")
    assert page.index("<del>News</del>") < page.index("The harbour bridge reopened") < page.index("<del>About us</del>")


# --------------------------------------------------------------------------- alignment

def test_alignment_ignores_how_inline_elements_are_joined():
    tree = _tree("<html><body><p>Stra<b>ße</b> und <i>mehr</i></p><div>汉字<span>文本</span></div></body></html>")
    found, _ = blocks.page_blocks(tree)
    layout = blocks.align(found, ["Straße und mehr", "汉字 文本"], None)
    assert layout.kept == [1.0, 1.0]


def test_a_block_the_extractor_kept_in_part_is_recorded_whole():
    tree = _tree("<html><body><p>The main sentence of the story stays here. Share this</p>"
                 "<p>Another kept sentence, all of it.</p></body></html>")
    found, marks = blocks.page_blocks(tree)
    layout = blocks.align(found, ["The main sentence of the story stays here.", "Another kept sentence, all of it"],
                          None)
    assert [(text, reason) for text, reason, _ in blocks.left_out(layout, marks, lambda t: None)] == \
        [("The main sentence of the story stays here. Share this", blocks.GENERIC)]


def test_a_wrapper_holding_the_kept_text_names_nothing():
    tree = _tree("<html><body><div class='post tag-news'><p>Kept paragraph of the article text.</p>"
                 "<p>Dropped line</p></div><div class='share'>Tweet</div></body></html>")
    found, marks = blocks.page_blocks(tree)
    layout = blocks.align(found, ["Kept paragraph of the article text."], None)
    named = {text: reason for text, reason, _ in blocks.left_out(layout, marks, lambda t: None)}
    assert named == {"Dropped line": blocks.GENERIC, "Tweet": "share-widget"}


def _tree(markup: str):
    from lxml import html as lxml_html
    return lxml_html.fromstring(markup)


# --------------------------------------------------------------------------- generated pages

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüßéñçłżąęśćńółźżабвгдеж", min_size=1, max_size=9)
SENTENCE = st.lists(WORDS, min_size=1, max_size=25).map(" ".join)
CONTAINERS = ["div", "section", "nav", "footer", "aside", "header", "article", "main", "form", "figure"]
LEAVES = ["p", "h2", "h3", "li", "figcaption", "blockquote", "pre", "td", "span", "a", "b", "em"]
CLASSES = ["", " class='share'", " class='related-posts'", " id='comments'", " role='navigation'",
           " class='cookie-banner'", " class='newsletter'", " style='display:none'", " class='post tag-news'"]


@st.composite
def node(draw, depth=0):
    if depth >= 4 or draw(st.booleans()):
        tag = draw(st.sampled_from(LEAVES))
        inner = draw(SENTENCE)
        if draw(st.booleans()):
            inner += f"<br>{draw(SENTENCE)}"
        if tag == "li":
            return f"<ul><li{draw(st.sampled_from(CLASSES))}>{inner}</li></ul>"
        if tag == "td":
            return f"<table><tr><td>{inner}</td><td>{draw(SENTENCE)}</td></tr></table>"
        return f"<{tag}{draw(st.sampled_from(CLASSES))}>{inner}</{tag}>"
    tag = draw(st.sampled_from(CONTAINERS))
    children = draw(st.lists(node(depth + 1), min_size=1, max_size=4))
    loose = draw(SENTENCE) if draw(st.booleans()) else ""
    script = "<script>var hidden = 'never shown';</script>" if draw(st.booleans()) else ""
    return f"<{tag}{draw(st.sampled_from(CLASSES))}>{loose}{script}{''.join(children)}</{tag}>"


@st.composite
def page(draw):
    story = " ".join(draw(st.lists(SENTENCE, min_size=3, max_size=6)))
    before = draw(st.lists(node(), max_size=3))
    after = draw(st.lists(node(), max_size=3))
    return (f"<html><head><title>{draw(SENTENCE)}</title><style>p{{color:red}}</style></head><body>{''.join(before)}"
            f"<article><p>{story}.</p><p>{story}, again.</p></article>{''.join(after)}</body></html>")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page())
def test_every_visible_block_of_a_generated_page_is_kept_or_removed(content):
    try:
        doc = html_doc(content)
    except ExtractionError:
        return  # no main text found: the page fails with a clear error, nothing is half-recorded
    assert_nothing_lost(content, doc)


# --------------------------------------------------------------------------- real pages

@pytest.mark.skipif(not ARTICLES.is_dir(), reason=f"{ARTICLES} not present")
def test_every_visible_block_of_the_articles_dev_pages_is_kept_or_removed():
    pages = sorted(ARTICLES.glob("*.html.gz"))
    assert pages
    for path in pages:
        content = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        doc = html_doc(content)
        assert_nothing_lost(content, doc)


def test_extractor_options_are_config_keys():
    config = Config.load(None, {"extract.favor_recall": True, "extract.include_comments": True,
                                "extract.target_language": "de"})
    assert (config.extract.favor_recall, config.extract.include_comments, config.extract.target_language) == \
        (True, True, "de")
    with pytest.raises(ValueError, match="cannot both be true"):
        Config.load(None, {"extract.favor_recall": True, "extract.favor_precision": True})
    with pytest.raises(ValueError, match="ISO 639-1"):
        Config.load(None, {"extract.target_language": "German"})
    assert json.loads(json.dumps(config.to_dict()))["extract"]["target_language"] == "de"
