"""Cheap per-paragraph evidence: length, punctuation, stop-word density, capitals, digits.

Stop words come from jusText's lists (about 100 languages).  The language of a document
is the stop list with the best overlap with the document's words, so Korean or Portuguese
pages are measured against their own function words, not English ones.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

WORD = re.compile(r"\w+", re.UNICODE)
ALNUM = re.compile(r"[^\W_]")
DIGIT = re.compile(r"\d")
BULLET = re.compile(r"^\s*(?:[*+o•·▪►»>\-–—]\s+|\d{1,2}[.)]\s+(?=\D))")
INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
TERMINAL = ("." , "!", "?", "。", "！", "？", ".”", ".\"", "?”", "!”", ".’", ".)", ":", "…", "»")
# Scripts written without spaces between words: count characters, not tokens.
WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@functools.lru_cache(maxsize=None)
def _stoplists() -> dict[str, frozenset[str]]:
    import justext

    return {lang: frozenset(justext.get_stoplist(lang)) for lang in sorted(justext.get_stoplists())}


@functools.lru_cache(maxsize=None)
def _stop_index() -> dict[str, tuple[str, ...]]:
    """word -> languages whose stop list holds it (built once, makes detection one pass)."""
    index: dict[str, list[str]] = {}
    for lang, words in _stoplists().items():
        for w in words:
            index.setdefault(w, []).append(lang)
    return {w: tuple(langs) for w, langs in index.items()}


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens.

    >>> tokens("Hello, World! 12 likes")
    ['hello', 'world', '12', 'likes']
    """
    return [t.lower() for t in WORD.findall(text)]


def detect_language(words: list[str]) -> str | None:
    """The jusText stop list with the most hits among `words` (None if too few hits).

    >>> detect_language(tokens("the cat sat on the mat and it was not happy with the dog"))
    'English'
    >>> detect_language(tokens("o governo disse que não vai aumentar os impostos para as empresas"))
    'Portuguese'
    >>> detect_language(["xyzzy"]) is None
    True
    """
    index = _stop_index()
    hits: Counter[str] = Counter()
    for w, k in Counter(words[:1500]).items():
        for lang in index.get(w, ()):
            hits[lang] += k
    if not hits:
        return None
    # Prefer the full English list over Simple_English on ties; most_common is stable.
    lang, n = max(hits.items(), key=lambda kv: (kv[1], kv[0] != "Simple_English"))
    if n < max(3, 0.08 * min(len(words), 1500)):
        return None
    return lang


def stoplist(language: str | None) -> frozenset[str]:
    if language is None:
        return frozenset()
    return _stoplists().get(language, frozenset())


MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
MD_TAGS = re.compile(r"</?(?:u|i|b|em|strong|sub|sup|del|ins|mark|small)>", re.IGNORECASE)
MD_WRAP = re.compile(r"^(\*{1,3}|_{1,3})(?=\S)(.*?)(?<=\S)\1$")


def unmark(text: str) -> str:
    r"""Remove the markdown formatting an HTML extractor leaves (escapes, emphasis, inline tags).

    >>> unmark("\\[Related: A story\\]"), unmark("<u>15 Amazing Images</u>"), unmark("*Contributing: Ann Lee*")
    ('[Related: A story]', '15 Amazing Images', 'Contributing: Ann Lee')
    """
    if "\\" in text:
        text = MD_ESCAPE.sub(r"\1", text)
    if "<" in text:
        text = MD_TAGS.sub("", text)
    text = text.strip()
    m = MD_WRAP.match(text)
    return m.group(2) if m else text


def visible(text: str) -> str:
    """Text with invisible characters, markdown formatting and list bullets removed.

    >>> visible("* Facebook\\u200b ")
    'Facebook'
    """
    text = unmark(INVISIBLE.sub(" ", text).strip())
    return BULLET.sub("", text, count=1).strip()


@dataclass(frozen=True)
class Features:
    words: int  # CJK characters count as half a word each
    stop_density: float
    terminal: bool  # ends like a sentence
    bullet: bool  # rendered as a list item
    digit_ratio: float
    has_text: bool

    @property
    def prose(self) -> bool:
        return self.words >= 10 and self.terminal


def features(text: str, stops: frozenset[str]) -> Features:
    """Measure one paragraph.

    >>> f = features("The minister said on Monday that the plan would go ahead.", stoplist("English"))
    >>> (f.words, f.terminal, f.stop_density > 0.3)
    (11, True, True)
    >>> features("* Facebook", frozenset()).bullet
    True
    """
    raw = INVISIBLE.sub(" ", text).strip()
    bullet = bool(BULLET.match(raw))
    body = BULLET.sub("", raw, count=1) if bullet else raw
    found = WORD.findall(body)
    wide = len(WIDE.findall(body))
    n = len(found) + wide // 2
    stop = 0
    if stops and found:
        stop = sum(1 for t in found if t.lower() in stops)
        if stop == 0:  # some lists (Korean) keep trailing punctuation on their words
            stop = sum(1 for t in body.split() if t.lower() in stops)
    digits = len(DIGIT.findall(body))
    return Features(
        words=n,
        stop_density=stop / len(found) if found else 0.0,
        terminal=body.rstrip().endswith(TERMINAL) or body.rstrip()[-1:] in "。！？",
        bullet=bullet,
        digit_ratio=digits / max(1, len(body)),
        has_text=bool(ALNUM.search(body)),
    )


def norm(text: str) -> str:
    """Comparison key: NFKC, case-folded, punctuation and spacing squeezed.

    >>> norm("  Blinken’s  TRIP — to China! ")
    'blinken s trip to china'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(WORD.findall(text)).replace("_", " ")
