"""Property tests: the piece-by-piece renderings are exactly what the plain definitions make."""
from __future__ import annotations

import html
import json

from hypothesis import given, settings, strategies as st

from cleaner.models import Document, Metadata, Paragraph, PassageRef, Repair, Verdict
from cleaner.render import Tally
from cleaner.report import (_SCRIPT_UNSAFE, _SCRIPT_UNSAFE_RE, document_data, document_json, e, render_document_page,
                            row_fields, script_json, script_safe)
from cleaner.write import document_record, dumps, json_inner, json_texts, json_value, record_line

NASTY = st.sampled_from(['"', "\\", "\\u0041", "\n", "\r\n", "\t", "\x00", "\x1f", "\x7f", "\x85", "\xa0", "\u2028",
                         "\u2029", "\ud800", "\ufeff", "<", ">", "&", "</script>", "'", "é", "東京", "\U0001f600", " "])
TEXT = st.one_of(st.text(max_size=60), st.lists(st.one_of(NASTY, st.text(max_size=5)), max_size=12).map("".join))
MAYBE = st.one_of(st.none(), TEXT)


@st.composite
def paragraphs(draw):
    original = draw(TEXT)
    return Paragraph(original, text=draw(st.one_of(st.just(""), TEXT)),
                     verdict=draw(st.sampled_from(list(Verdict))), reason=draw(MAYBE),
                     repairs=[Repair(s) for s in draw(st.lists(TEXT, max_size=3))], heading=draw(st.booleans()))


@st.composite
def documents(draw):
    paras = draw(st.lists(paragraphs(), max_size=8))
    passages = [PassageRef(draw(st.integers(0, 9)), draw(st.integers(0, 10**12)), draw(TEXT))
                for _ in range(draw(st.integers(0, 3)))]
    similarity = draw(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))
    return Document(id=draw(TEXT), source=draw(TEXT), format=draw(st.sampled_from(["text", "html"])),
                    title=draw(MAYBE), metadata=Metadata(*(draw(MAYBE) for _ in range(4))), paragraphs=paras,
                    encoding=draw(st.one_of(st.sampled_from(["utf-8", "cp1252"]), TEXT)),
                    duplicate_of=draw(MAYBE), duplicate_similarity=similarity, passages=passages)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, st.text()))
def test_json_strings_are_the_encoders(text):
    assert '"' + json_inner(text) + '"' == json_value(text) == json.dumps(text, ensure_ascii=False)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT))
def test_json_scalars_are_the_encoders(value):
    assert json_value(value) == json.dumps(value, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, st.text()))
def test_script_safe_is_the_regex(text):
    assert script_safe(text) == _SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group()], text)


@settings(max_examples=300, deadline=None)
@given(documents())
def test_record_and_page_json_are_the_plain_definitions(doc):
    texts = json_texts(doc)
    assert record_line(doc) == record_line(doc, texts) == dumps(document_record(doc))
    assert document_json(doc) == document_json(doc, texts) == script_json(document_data(doc))
    assert render_document_page(doc, texts=texts) == render_document_page(doc)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.integers(), TEXT, st.text()))
def test_escape_is_html_escape(value):
    assert e(value) == html.escape("" if value is None else str(value), quote=True)


@settings(max_examples=200, deadline=None)
@given(documents())
def test_row_and_tally_count_what_the_document_properties_count(doc):
    removed, body = doc.removed, doc.body
    repaired = sum(1 for p in doc.paragraphs if p.repairs)
    assert row_fields(doc)[3:7] == (len(doc.paragraphs), len(body), len(removed), repaired)
    assert row_fields(doc)[7] == sorted({p.reason or "" for _, p in removed})
    assert Tally.of(doc) == Tally(len(doc.paragraphs), len(body), tuple(p.reason or "" for _, p in removed), repaired,
                                  tuple(r.step for p in doc.paragraphs for r in p.repairs),
                                  doc.encoding or "unknown", bool(doc.duplicate_of))
    page = render_document_page(doc)
    titles = sum(p.verdict is Verdict.TITLE for p in doc.paragraphs)
    assert len(doc.paragraphs) == len(body) + len(removed) + titles
    counts = f"{len(doc.paragraphs)}: {len(body)} kept, {len(removed)} removed"
    counts += f", {titles} title{'s' if titles != 1 else ''}" if titles else ""
    assert f"{counts}; {repaired} repaired" in page
