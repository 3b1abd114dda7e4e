"""Property tests: arbitrary text never crashes the stage and every paragraph is accounted for."""
from __future__ import annotations

import functools

from hypothesis import example, given, settings, strategies as st

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


# --- the fast paths decide exactly what the plain definitions decide ---------------------------

from collections import Counter  # noqa: E402

from cleaner.boilerplate.features import (INVISIBLE, _stop_words, detect_language, leading_tokens,  # noqa: E402
                                          squeeze, stoplist, tokens)
from cleaner.boilerplate.rules import ORDERED, RULES, matching_rule  # noqa: E402

SPACES = st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000\u200b\u200c\u200d\u2060\ufeff"
                                          "ab.İ"), max_size=40)


@given(st.one_of(SPACES, st.text(max_size=80)))
def test_squeeze_is_the_invisible_pattern_collapsed_and_stripped(text):
    assert squeeze(text) == INVISIBLE.sub(" ", text).strip()


@given(st.lists(LINE, max_size=30), st.integers(1, 200))
def test_leading_tokens_are_the_first_tokens_of_the_joined_text(texts, limit):
    expected = tokens(" ".join(texts))[:limit]
    assert leading_tokens(texts, limit) == expected
    assert leading_tokens(texts, limit, known=[tokens(t) if k % 2 else None for k, t in enumerate(texts)]) == expected


@functools.cache
def _languages_of_each_stop_word() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for lang in _stop_words():
        for w in stoplist(lang):
            index.setdefault(w, []).append(lang)
    return index


def reference_language(words: list[str]) -> str | None:
    """Language detection by its plain definition: a loop over (word, language) hits."""
    index = _languages_of_each_stop_word()
    hits: Counter[str] = Counter()
    for w, k in Counter(words[:1500]).items():
        for lang in index.get(w, ()):
            hits[lang] += k
    if not hits:
        return None
    lang, n = max(hits.items(), key=lambda kv: (kv[1], kv[0] != "Simple_English"))
    return None if n < max(3, 0.08 * min(len(words), 1500)) else lang


STOP_WORDS = sorted({w for lang in ("English", "Portuguese", "Spanish", "Galician", "Catalan", "Korean", "Italian")
                     for w in stoplist(lang)})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(STOP_WORDS), st.sampled_from(["xyzzy", "talks", "ministério"])),
                max_size=60))
def test_language_detection_matches_the_plain_loop_including_ties(words):
    assert detect_language(words) == reference_language(words)


RULE_LINES = st.one_of(LINE, WIDGETY, st.sampled_from([
    "Photo: Jane Doe/Reuters", "A ship leaves port. (AP)", "We use cookies to improve your experience on our site.",
    "© 2019 ACME. All rights reserved.", "Copyright 2019 ACME", "Ann Lee may be reached at ann@example.com.",
    "Reach the reporters on Twitter", "Follow her on Twitter @x", "Have a tip? Email us", "Contact the author",
    "COPYRIGHT 2020", "ALL RIGHTS RESERVED", "Todos os direitos reservados", "Dados pessoais: use o site",
    "COPYRİGHT 2020 ACME", "copyrıght 2020", "Tous droits réservés", "무단 전재 및 재배포 금지", "ⓒ 2020 연합뉴스",
    "Données personnelles: nous utilisons des cookies sur ce site", "Photo: AFP — “Nós”", "Cookieſ are used on this ſite",
    # keyword and digit prefilters added later
    "Updated 16 June 2023", "Updated ٣ sec ago", "POSTED BY Ann | Permalink", "Categoria: Política", "Yesterday at noon",
    "hoje às 10h", "Published in World", "segunda-feira, 22 de janeiro de 2018 às 0:13", "2023년 6월 16일",
    "Crédito: Ana", "CRÉDITO: ANA", "사진 = 연합뉴스", "(Getty Images)", "EPA", "Video by Ann", "Source: Reuters",
    "Home > News > World", "News » World", "A / B / C", "Home → Sport", "Home :: Sport", "a \\ b",
    "CLICK HERE to read", "Tap here", "Haga clic aquí", "Download the Acme News app", "Cliquez ici",
    "Listen: http://po.st/TP_615", "Site: www.example.com", "Link: HTTP://X.Y",
    "Comments are moderated", "COMENTÁRIOS serão aprovados pelo moderador", "Kommentare werden moderiert (respect)",
    "Alex on September 17, 2018 at 6:34 am said:", "Maria disse em 12/03/2019:", "Jean a écrit le 3 mai 2019 :",
    "Ana escribió el 3 de mayo de 2019:", "Bob REPLIED on 5 May 2019 at 10:00:",
    "Subscribe to our newsletter", "Thanks. Subscribe to Acme on YouTube", "Sign Up for our channel today", "SUBSCRİBE now"]))


@settings(max_examples=300, deadline=None)
@given(RULE_LINES)
def test_rule_prefilters_never_change_which_rule_matches(text):
    plain = next((name for name, fn in ORDERED if fn(text)), None)
    if len(text) > 600 or text.count(" ") > 75:
        plain = None
    assert matching_rule(text) == plain
    assert set(RULES) == {name for name, _ in ORDERED}


@given(st.text(max_size=60))
def test_tokens_lower_case_each_word(text):
    from cleaner.boilerplate.features import WORD
    assert tokens(text) == [t.lower() for t in WORD.findall(text)]


from cleaner.boilerplate.features import DIGIT, WIDE, WORD, Body, narrow  # noqa: E402

# the characters of Windows-1252, which the `narrow` fast paths handle, and a few others
CP1252 = "".join(bytes([b]).decode("cp1252", "ignore") for b in range(256))
NARROWISH = st.text(alphabet=st.sampled_from(CP1252 + "İıſΣΑ한国\u0085\u00a0\u2003٣"), max_size=80)


@settings(max_examples=300, deadline=None)
@given(st.one_of(NARROWISH, st.text(max_size=80)))
@example("ΤΟΥΣ:ΑΛΛΟΥΣ")
@example("Α.Σ")
def test_narrow_fast_path_counts_what_the_regular_expressions_count(text):
    assert tokens(text) == [t.lower() for t in WORD.findall(text)]
    body = Body.of(text)
    assert body.words == tokens(body.text)
    assert (body.digits, body.wide) == (len(DIGIT.findall(body.text)), len(WIDE.findall(body.text)))


def test_narrow_table_covers_every_character_of_the_code_page():
    for char in CP1252:
        data = narrow(char * 3)
        assert data is not None
        assert tokens(char * 3) == [t.lower() for t in WORD.findall(char * 3)]
        assert len(DIGIT.findall(char)) == sum(data.count(d) for d in b"0123456789") // 3
        assert not WIDE.search(char)



def reference_dateline(text: str) -> bool:
    """dateline_metadata by its plain definition (POST_META tried twice)."""
    import re
    from cleaner.boilerplate.rules import DATE, POST_META, STAMP, _mostly_metadata, _words
    n = _words(text)
    if POST_META.search(text) and not text.rstrip().endswith((".", "!", "?")) and n <= 20:
        return True
    if n > 12 or text.rstrip().endswith((".", "!", "?")) and n > 6:
        return False
    if STAMP.match(text) and (DATE.search(text) or re.search(r"\d", text)):
        return True
    if POST_META.search(text) and not text.rstrip().endswith((".", "!", "?")) and n <= 20:
        return True
    return bool(DATE.search(text)) and _mostly_metadata(text)


@settings(max_examples=300, deadline=None)
@given(RULE_LINES)
def test_rewritten_rules_decide_as_their_first_form(text):
    from cleaner.boilerplate.rules import NEWSLETTER, dateline_metadata, newsletter
    assert newsletter(text) == bool(NEWSLETTER.search(text))
    assert dateline_metadata(text) == reference_dateline(text)


def test_only_the_space_is_printable_whitespace():
    """squeeze's fast path returns printable text with single inner spaces as it is."""
    import sys
    from cleaner.boilerplate.features import INVISIBLE
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char != " " and INVISIBLE.match(char):
            assert not char.isprintable(), hex(code)


@settings(max_examples=300, deadline=None)
@given(st.one_of(NARROWISH, st.text(max_size=80)))
def test_norm_fast_path_is_the_plain_definition(text):
    import unicodedata
    from cleaner.boilerplate.features import norm
    folded = unicodedata.normalize("NFKC", text).casefold()
    assert norm.__wrapped__(text) == " ".join(WORD.findall(folded)).replace("_", " ")


HEADLINE_WORDS = st.lists(st.sampled_from(["Rare", "trip", "to", "China", "ends", "|", "Site", "-", "talks", "resume",
                                           "blinken", "hopes", "the", "a", "’s", "\n", "  ", "补贴带动", "回收量",
                                           "大增", "。", "，"]), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(HEADLINE_WORDS, HEADLINE_WORDS.map(lambda t: t.replace(" ", "")), st.text(max_size=80)))
def test_title_like_counts_words_as_split_does(text):
    """Words as `split` counts them, plus one for every two Chinese or Japanese characters."""
    from cleaner.boilerplate.features import WIDE
    from cleaner.boilerplate.tail import title_like
    n = len(text.split()) + len(WIDE.findall(text)) // 2
    assert title_like(text) == (3 <= n <= 30 and not text.rstrip().endswith((".", ":", ";", ",", "。", "：", "；", "，")))


def reference_headline_repeat(text: str, headline: str, threshold: float) -> bool:
    """is_headline_repeat by its plain definition: the word sets before the length test."""
    from cleaner.boilerplate.features import norm
    from cleaner.boilerplate.headline import SITE_SEPARATOR, _token_overlap, similar
    a, b = norm(text), norm(headline)
    if not a or not b:
        return False
    if a == b:
        return True
    if threshold < 1.0 and _token_overlap(a, b) >= 0.5 and similar(a, b) >= threshold:
        return True
    (longer, raw), shorter = ((a, text), b) if len(a) >= len(b) else ((b, headline), a)
    return (len(shorter.split()) >= 4 and (longer.startswith(shorter) or longer.endswith(shorter))
            and len(longer) - len(shorter) <= 40 and bool(SITE_SEPARATOR.search(raw)))


@settings(max_examples=400, deadline=None)
@given(HEADLINE_WORDS, HEADLINE_WORDS, st.sampled_from([-0.5, 0.0, 0.3, 0.88, 0.999, 1.0]))
def test_headline_repeat_length_test_changes_nothing(text, headline, threshold):
    from cleaner.boilerplate.headline import is_headline_repeat
    assert is_headline_repeat(text, headline, threshold) == reference_headline_repeat(text, headline, threshold)


def _doctest_matches() -> list[tuple[str, str]]:
    """(rule, text) of every call in the rules module's doctests for which a rule returns True:
    a rule's own examples show what it is meant to catch."""
    import doctest

    from cleaner.boilerplate import rules

    found: list[tuple[str, str]] = []
    globs = dict(vars(rules))
    for name, fn in RULES.items():
        def recorder(text, _name=name, _fn=fn.__wrapped__):
            result = _fn(text)
            if result is True:
                found.append((_name, text))
            return result
        globs[fn.__name__] = recorder
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(rules, globs=globs):
        runner.run(test, out=lambda _: None)
    return found


def test_every_rule_example_passes_its_prefilter():
    """A rule's prefilter is derived from the patterns it declares it needs; a pattern the
    rule uses but does not declare would be silently skipped by `matching_rule`.  Every
    doctest example a rule accepts must get past its prefilter."""
    from cleaner.boilerplate.prefilter import line_key
    from cleaner.boilerplate.rules import DIGIT, PREFILTERS, fold

    found = _doctest_matches()
    assert len({name for name, _ in found}) >= 15  # the examples really ran
    for name, text in found:
        low = fold(text)
        assert PREFILTERS[name].admits(line_key(low), low, DIGIT.search(text) is not None), (name, text)


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(st.sampled_from(["a", "bc", " ", "  ", "\t", "\u00a0", "\u3000",
                                                                   "\u200b", "\n", "é", "\x1c"]),
                                                 max_size=30).map("".join)))
@example(" a")
@example("a ")
def test_rule_word_count_is_the_split_count(text):
    """Rules count words without making them when only single inner spaces separate them."""
    from cleaner.boilerplate.rules import _words

    assert _words(text) == len(text.split())
