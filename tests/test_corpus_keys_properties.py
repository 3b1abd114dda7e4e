"""Property tests: the byte fast path of corpus line keys makes exactly the plain definition's bytes."""
from __future__ import annotations

from hypothesis import example, given, settings, strategies as st

from cleaner.boilerplate.corpus import LONG_WORDS, WORDS_SEEN, _eligible, folded, folded_plain, word_count

PIECES = st.sampled_from(["The", "ÉCOLE", "straße", "İstanbul", "ﬁnal", "Ⅻ", "²", "½", "٣٤", "१२", "2024", "0",
                          "00", "_", "__", "a_b", "’", "“", "”", "…", "—", "•", "\u00a0", "\u3000", "\u200b",
                          "東京", "ｱｲｳ", "ＡＢＣ１２", "e\u0301", "ǅ", "ΣΑΣ", "ŉ", "K", "\ud800", "\t", "\n", " ",
                          ",", ".", "-", "!", "'", '"', "(", ")", "\x1f", "\x7f"])
MIXED = st.lists(PIECES, max_size=40).map("".join)
SPACED = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=40).map(" ".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=200), MIXED, SPACED,
                 st.text(alphabet=st.characters(max_codepoint=127), max_size=200)))
@example("".join(chr(c) for c in range(0x4e00, 0x4e40)))  # more distinct characters than the fast path takes
@example("a \ud800 b")
def test_folded_is_the_plain_definition(text):
    assert folded(text) == folded_plain(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(SPACED, st.text(max_size=200)))
def test_capped_word_count_decides_what_the_full_count_decides(text):
    words = len(text.split())
    assert word_count(text) == min(words, WORDS_SEEN)
    assert _eligible(text, word_count(text)) == _eligible(text, words)
    assert (word_count(text) >= LONG_WORDS) == (words >= LONG_WORDS)


LINES = st.lists(st.one_of(SPACED, st.lists(st.sampled_from(["The", "minister", "said", "2024.", "Share", "é"]),
                                            max_size=30).map(" ".join)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(LINES, st.lists(st.booleans(), max_size=12))
def test_corpus_line_keys_are_story_key_and_the_eligible_lines(texts, titles):
    from cleaner.boilerplate.corpus import corpus_line_keys, eligible, line_key, story_key
    from cleaner.config import BoilerplateConfig
    from cleaner.models import Document, Paragraph, Verdict

    paragraphs = [Paragraph(t, verdict=Verdict.TITLE if k < len(titles) and titles[k] else Verdict.KEEP)
                  for k, t in enumerate(texts)]
    keys = corpus_line_keys(Document(id="d", source="x/d.txt", format="text", paragraphs=paragraphs),
                            BoilerplateConfig())
    assert keys.story == story_key(texts)
    assert keys.lines == tuple((i, line_key(p.text)) for i, p in enumerate(paragraphs)
                               if p.verdict is not Verdict.TITLE and eligible(p.text))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(SPACED, MIXED, LINES.map(" ".join)), min_size=1, max_size=8), min_size=1, max_size=5),
       st.one_of(st.none(), SPACED))
def test_story_keys_from_dedups_tokenisation_are_the_standalone_ones(docs_texts, title):
    """The pipeline takes story keys from the fingerprints of dedup's batch tokenisation; the
    in-memory path (and the Dask rebuild) tokenises each document's long paragraphs alone."""
    from cleaner import dedup
    from cleaner.boilerplate.corpus import corpus_line_keys
    from cleaner.config import BoilerplateConfig, DedupConfig
    from cleaner.models import Document, Paragraph

    docs = [Document(id=f"d{k}", source=f"x/d{k}.txt", format="text", title=title,
                     paragraphs=[Paragraph(t) for t in texts]) for k, texts in enumerate(docs_texts)]
    _, prints = dedup.tokenised_features(docs, DedupConfig())
    for doc, doc_prints in zip(docs, prints):
        assert corpus_line_keys(doc, BoilerplateConfig(), doc_prints) == corpus_line_keys(doc, BoilerplateConfig())
