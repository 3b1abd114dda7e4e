"""Property tests: arbitrary text never crashes the stage and every paragraph is accounted for."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from cleaner.boilerplate import REASONS, classify, mark_corpus_repeats
from cleaner.boilerplate.features import visible
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Paragraph, Verdict

CONFIG = BoilerplateConfig()
WIDGETY = st.sampled_from(["Related Posts", "14 Comments", "Share", "Updated 3 sec ago", "By A B", "* Home",
                           "Leave a Reply", "Check Also", "…", "", " ", "\u200b", "___", "© 2020"])
LINE = st.one_of(st.text(max_size=300), WIDGETY,
                 st.lists(st.sampled_from(["the", "talks", "said", "on", "Monday", "ministry", "a", "of", "."]),
                          max_size=60).map(" ".join))


def accounted(doc: Document) -> None:
    titles = [p for p in doc.paragraphs if p.verdict is Verdict.TITLE]
    assert len(titles) <= 1
    for p in doc.paragraphs:
        assert p.verdict in (Verdict.KEEP, Verdict.TITLE, Verdict.DROP)
        if p.verdict is Verdict.DROP:
            assert p.reason and p.reason in REASONS
        else:
            assert p.reason is None
    if titles:
        assert doc.title == visible(titles[0].text) and doc.title


@settings(max_examples=150, deadline=None)
@given(st.lists(LINE, max_size=40), st.sampled_from(["text", "html"]))
def test_classify_never_crashes_and_accounts_for_every_paragraph(lines, fmt):
    doc = Document(id="x", source="x.txt", format=fmt, title="Some title" if fmt == "html" else None,
                   paragraphs=[Paragraph(original=l) for l in lines])
    classify(doc, CONFIG)
    accounted(doc)
    assert len(doc.paragraphs) == len(lines)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(LINE, max_size=12), min_size=0, max_size=6))
def test_corpus_repeats_never_crash(corpus):
    docs = [Document(id=str(k), source=f"d/{k}.txt", format="text", paragraphs=[Paragraph(original=l) for l in ls])
            for k, ls in enumerate(corpus)]
    for d in docs:
        classify(d, CONFIG)
    mark_corpus_repeats(docs, CONFIG)
    for d in docs:
        accounted(d)
