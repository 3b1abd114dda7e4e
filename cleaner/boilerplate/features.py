"""Cheap per-paragraph evidence: length, punctuation, stop-word density, capitals, digits.

Stop words come from jusText's lists (about 100 languages).  The language of a document
is the stop list with the best overlap with the document's words, so Korean or Portuguese
pages are measured against their own function words, not English ones.
"""
from __future__ import annotations

import functools
import importlib.util
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORD = re.compile(r"\w+", re.UNICODE)
ALNUM = re.compile(r"[^\W_]")
DIGIT = re.compile(r"\d")
BULLET = re.compile(r"^\s*(?:[*+o•·▪►»>\-–—]\s+|\d{1,2}[.)]\s+(?=\D))")
INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
TERMINAL = ("." , "!", "?", "。", "！", "？", ".”", ".\"", "?”", "!”", ".’", ".)", ":", "…", "»")
LANGUAGE_SAMPLE = 1500
"""Words of a document that language detection looks at."""
# Scripts written without spaces between words: count characters, not tokens.
WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@functools.lru_cache(maxsize=None)
def _stop_words() -> dict[str, list[str]]:
    """jusText's stop lists, as `justext.get_stoplist` reads them, from the package's data
    files: importing justext would import lxml into the main process, which needs nothing
    else of it, and a Ctrl-C handled inside lxml's initialisation is lost (the run went on).
    Word lists: a run needs the sets of the few languages it meets (`stoplist`), and
    making all hundred costs more than reading them."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the justext package (its stop lists) is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "stoplists"
    lists = {path.stem: _lines(path.read_bytes()) for path in sorted(folder.glob("*.txt"))}
    if not lists:  # never judge every page as language-less without saying so
        raise ImportError(f"no jusText stop lists found in {folder}")
    return lists


def _lines(data: bytes) -> list[str]:
    """`[w.decode("utf8").lower() for w in data.splitlines()]`, decoded and lower-cased in one
    call each (a third of the cost: the index is built before the workers start).  Lower-casing
    the whole text is lower-casing each line: a line break ends a word for final sigma too.

    >>> _lines(b"A\\r\\nB\\rC\\n\\nD\\n") == [w.decode().lower() for w in b"A\\r\\nB\\rC\\n\\nD\\n".splitlines()]
    True
    """
    if not data:
        return []
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode("utf8").lower().split("\n")
    return lines[:-1] if data.endswith((b"\n", b"\r")) else lines


@dataclass(frozen=True)
class StopIndex:
    """Which stop lists hold which word, as a matrix: detection is one dict lookup per word
    and one column sum, not a Python loop over every (word, language) hit."""

    languages: tuple[str, ...]  # sorted
    rows: dict[str, int]  # word -> row of `member`, from 1: `filter(None, ...)` drops the misses in C
    member: np.ndarray  # (1 + appearances, languages) uint8, 1 where the language lists the word; row 0 unused


@functools.lru_cache(maxsize=None)
def stop_index() -> StopIndex:
    """Built once per process (about 0.07 s, with the lists read).  Row order is irrelevant
    to detection (hits are sums, ties go by text order and then by language): a word's row
    is the number of its first appearance in the lists read one after another, so one
    pass of `dict.setdefault` both numbers the words and says where each appearance goes
    (the rows of later appearances stay empty; the build took 0.15 s with a set union, a
    dict and a lookup per appearance)."""
    lists = _stop_words()
    languages = tuple(lists)
    words = list(itertools.chain.from_iterable(lists.values()))
    rows: dict[str, int] = {}
    at = np.fromiter(map(rows.setdefault, words, itertools.count(1)), np.intp, len(words))
    member = np.zeros((1 + len(words), len(languages)), np.uint8)
    member[at, np.repeat(np.arange(len(languages)), [len(w) for w in lists.values()])] = 1
    return StopIndex(languages, rows, member)


def _narrow_table(lower: bool) -> bytes:
    """Windows-1252 byte -> its character (lower-cased, with `lower`) if a word character
    (`WORD`), else a space.  Every lower-cased word character of the code page is in it,
    one byte long."""
    table = bytearray(b" " * 256)
    for b in range(256):
        try:
            char = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            continue  # the five unassigned bytes: never produced by encoding
        if WORD.fullmatch(char):
            (table[b],) = (char.lower() if lower else char).encode("cp1252")  # fails loudly if not one byte
    return bytes(table)


NARROW_WORDS = _narrow_table(lower=True)
NARROW_WORD_CHARS = _narrow_table(lower=False)
DIGIT_BYTES = b"0123456789"  # the code page's only decimal digits (`DIGIT`)


def narrow(text: str) -> bytes | None:
    """`text` in Windows-1252, or None if it does not fit.  The code page holds ASCII, the
    Latin-1 letters and typographic punctuation (curly quotes, dashes, ellipsis), so most
    European text fits, one byte per character: tokens and digits then cost a byte-table
    pass instead of a regular-expression scan."""
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        return None


def narrow_tokens(data: bytes) -> list[str]:
    """`tokens` of the text that `narrow` gave `data` for."""
    return data.translate(NARROW_WORDS).decode("cp1252").split()


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens.

    >>> tokens("Hello, World! 12 likes"), tokens("“Não”—disse")
    (['hello', 'world', '12', 'likes'], ['não', 'disse'])
    """
    data = narrow(text)
    return narrow_tokens(data) if data is not None else _wide_tokens(text)


def _wide_tokens(text: str) -> list[str]:
    """`tokens` by regular expression, for any text."""
    # Lower-casing the whole text is the same as lower-casing each token, but for the one
    # character whose lower case is two characters (İ: i + combining dot) and the one whose
    # lower case depends on its neighbours (Σ: σ, or ς at the end of a word, which str.lower
    # judges across punctuation).
    if "İ" in text or "Σ" in text:
        return list(map(str.lower, WORD.findall(text)))
    return WORD.findall(text.lower())


def leading_tokens(texts: list[str], limit: int = LANGUAGE_SAMPLE, known: list[list[str] | None] | None = None
                   ) -> list[str]:
    """`tokens(" ".join(texts))[:limit]`, tokenising only as many texts as it takes
    (`known[i]`, when not None, is `tokens(texts[i])` already).

    >>> leading_tokens(["Hello, World!", "12 likes", "more"], 3)
    ['hello', 'world', '12']
    """
    words: list[str] = []
    for i, text in enumerate(texts):
        found = known[i] if known is not None else None
        words += found if found is not None else tokens(text)
        if len(words) >= limit:
            return words[:limit]
    return words


def detect_language(words: list[str]) -> str | None:
    """The jusText stop list with the most hits among the first LANGUAGE_SAMPLE `words`
    (None if too few hits).  Ties go to the full English list over Simple_English, then to
    the language hit first.

    >>> detect_language(tokens("the cat sat on the mat and it was not happy with the dog"))
    'English'
    >>> detect_language(tokens("o governo disse que não vai aumentar os impostos para as empresas"))
    'Portuguese'
    >>> detect_language(["xyzzy"]) is None
    True
    """
    index = stop_index()
    sample = words[:LANGUAGE_SAMPLE]
    rows = np.fromiter(filter(None, map(index.rows.get, sample)), np.intp)
    if not rows.size:
        return None
    member = index.member[rows]  # one row per stop-word occurrence, in text order
    hits = member.sum(axis=0, dtype=np.uint16)  # exact (at most LANGUAGE_SAMPLE rows), half the cost of int64
    best = hits.max()  # at least 1: every indexed word is on some list
    tied = np.flatnonzero(hits == best)
    if len(tied) > 1:
        english = [j for j in tied if index.languages[j] != "Simple_English"]
        tied = np.asarray(english or tied)
        # the language hit first; within one word, the lists' (sorted) order
        first = member[:, tied].argmax(axis=0)
        tied = tied[first == first.min()]
    if best < max(3, 0.08 * len(sample)):
        return None
    return index.languages[int(tied[0])]


@functools.lru_cache(maxsize=None)
def stoplist(language: str | None) -> frozenset[str]:
    """The jusText stop words of `language` (none for None or an unknown language)."""
    return frozenset(_stop_words().get(language, ())) if language is not None else frozenset()


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


def squeeze(text: str) -> str:
    """Whitespace runs and invisible characters as single spaces, ends stripped.

    >>> squeeze(" a\\u200b\\u200b b \\n c ")
    'a b c'
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # squeezed already: every other whitespace or zero-width character is unprintable
    if "\u200b" in text or "\u200c" in text or "\u200d" in text or "\u2060" in text or "\ufeff" in text:
        return INVISIBLE.sub(" ", text).strip()
    return " ".join(text.split())  # the same as INVISIBLE without zero-width characters, at a third of the cost


def visible(text: str, squeezed: bool = False) -> str:
    """Text with invisible characters, markdown formatting and list bullets removed
    (`squeezed`: `text` has been through `squeeze` already).

    >>> visible("* Facebook\u200b ")
    'Facebook'
    """
    text = unmark(text if squeezed else squeeze(text))
    return BULLET.sub("", text, count=1).strip()


@dataclass(slots=True)
class Features:
    """What the classifier knows of one paragraph's text.  Not frozen, like `Body`: both are
    built once for every paragraph and never changed, and a frozen dataclass's __init__
    costs 7x a plain one's (`Body.of` and `measure` of 3k synthetic documents: 161 -> 146
    µs a document, of ~840 in pass 1)."""

    words: int  # CJK characters count as half a word each
    stop_density: float
    terminal: bool  # ends like a sentence
    bullet: bool  # rendered as a list item
    digit_ratio: float
    has_text: bool

    @property
    def prose(self) -> bool:
        return self.words >= 10 and self.terminal


@dataclass(slots=True)
class Body:
    """A squeezed paragraph less its list bullet, with its lower-cased word tokens and its
    counts of digits and wide characters: what `features` measures, split off so the
    tokens also serve language detection."""

    text: str
    bullet: bool
    words: list[str]
    digits: int  # `DIGIT` matches
    wide: int  # `WIDE` matches

    @classmethod
    def of(cls, squeezed: str) -> "Body":
        bullet = bool(BULLET.match(squeezed))
        text = BULLET.sub("", squeezed, count=1) if bullet else squeezed
        data = narrow(text)
        if data is not None:  # no wide characters in the code page
            return cls(text, bullet, narrow_tokens(data), len(data) - len(data.translate(None, DIGIT_BYTES)), 0)
        return cls(text, bullet, _wide_tokens(text), len(DIGIT.findall(text)), len(WIDE.findall(text)))


def features(text: str, stops: frozenset[str]) -> Features:
    """Measure one paragraph.

    >>> f = features("The minister said on Monday that the plan would go ahead.", stoplist("English"))
    >>> (f.words, f.terminal, f.stop_density > 0.3)
    (11, True, True)
    >>> features("* Facebook", frozenset()).bullet
    True
    """
    return measure(Body.of(squeeze(text)), stops)


def measure(body: Body, stops: frozenset[str]) -> Features:
    """`features` of a paragraph already split into its `Body`."""
    text, found, wide = body.text, body.words, body.wide
    stop = 0
    if stops and found:
        stop = sum(map(stops.__contains__, found))
        if stop == 0:  # some lists (Korean) keep trailing punctuation on their words
            stop = sum(map(stops.__contains__, map(str.lower, text.split())))
    tail = text.rstrip()
    return Features(  # by position: keywords cost as much again
        len(found) + wide // 2,  # words
        stop / len(found) if found else 0.0,  # stop_density
        tail.endswith(TERMINAL) or tail[-1:] in "。！？",  # terminal
        body.bullet,
        body.digits / max(1, len(text)),  # digit_ratio
        bool(ALNUM.search(text)),  # has_text
    )


@functools.lru_cache(maxsize=4096)
def norm(text: str) -> str:
    """Comparison key: NFKC, case-folded, punctuation and spacing squeezed.

    >>> norm("  Blinken’s  TRIP — to China! ")
    'blinken s trip to china'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    data = narrow(text)
    words = data.translate(NARROW_WORD_CHARS).decode("cp1252").split() if data is not None else WORD.findall(text)
    return " ".join(words).replace("_", " ")
