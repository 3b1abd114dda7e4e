"""What identifies the event a document reports, read from its cleaned text.

An event is its actors, its place, its time and its figures, so a document's evidence is:

- names: words written with a capital inside a sentence (and runs of them: "Calder Ridge
  Mine"), in any script that has capitals; scripts without case contribute through terms;
- numbers, normalised across the usual separators ("4,200" = "4200", "1,8" = "1.8");
- years, apart from other numbers (they date what is told);
- terms: the other words, without the stop words of the document's language (jusText's
  lists, as the boilerplate stage uses them) and cut to a fixed prefix, a crude stem that
  needs no language ("rescuers", "rescued" -> "rescue"); Han and kana runs as character
  pairs, since those scripts put no spaces between words.

Each item is a stable 64-bit hash tagged with its kind and whether it appears in the
headline or lead.  No weights are fixed here: how rare an item is depends on the corpus, and
the corpus step weighs it (`weights.Rarity`).  A document keeps at most `max_items` items,
preferring those that identify most (names and numbers, then the lead, then longer terms),
so what the corpus step holds per document stays small whatever its length.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from cleaner.boilerplate.features import detect_language, stoplist, tokens
from cleaner.models import Document

TERM, NAME, NUMBER, YEAR = 0, 1, 2, 3
KIND_NAMES = ("term", "name", "number", "year")
LEAD_PARAGRAPHS = 2
"""Body paragraphs read as the lead, after the headline."""
MIN_PARAGRAPH_WORDS = 6
"""Body paragraphs with fewer words carry no evidence: captions, buttons, bylines and the
page lines an extractor leaves ("View all results", "Bild 1 von 10") say nothing of an
event, and they recur across the pages of a site."""
STEM = 6
"""Characters a term is cut to."""
MIN_TERM = 3
"""Shorter words (in scripts with spaces) are not terms: too ambiguous across languages."""

_TOKEN = re.compile(r"\d+(?:[.,:\u00a0\u202f]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_TOKEN_SPLIT = re.compile("(" + _TOKEN.pattern + ")", re.UNICODE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:[,.\u00a0\u202f]\d{3})+$")
_SENTENCE_END = re.compile(r"[.!?。！？:;…»«\"“”„‚‘’()\[\]|•·–—-]\s*$")
_SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_YEARS = range(1900, 2100)


class Item(NamedTuple):
    """One piece of evidence, readable: what the report shows as a reason."""

    kind: int
    text: str  # the normalised form that is hashed (a stem for terms)
    lead: bool = False
    headline: bool = False

    @property
    def key(self) -> int:
        return item_key(self.kind, self.text)


@dataclass(frozen=True)
class Evidence:
    """A document's evidence in compact form: what the corpus step keeps per document.

    `keys` are sorted distinct item hashes; `flags` run parallel to them: the item's kind in
    the low two bits, then whether it is in the lead, in the headline (or, without one, the
    first paragraph) and a specific figure (`is_figure`), read as `kinds`, `lead`,
    `headline` and `figure`.  Two arrays rather than five: the main process holds one per
    document (at 100k documents, about 90 MB less).  `day` is the publication date (days
    since 1970-01-01) from the metadata, or None; `site` is the metadata site or the URL's
    host, since two articles of one site are never one story's evidence of each other's
    wording (they share a template)."""

    keys: np.ndarray  # uint64
    flags: np.ndarray  # uint8: kind | LEAD_FLAG | HEADLINE_FLAG | FIGURE_FLAG
    day: int | None = None
    site: str | None = None

    @classmethod
    def of(cls, keys: np.ndarray, kinds: np.ndarray, lead: np.ndarray, headline: np.ndarray, figure: np.ndarray,
           day: int | None = None, site: str | None = None) -> "Evidence":
        """Evidence from its parallel arrays."""
        flags = (kinds.astype(np.uint8) | (lead.astype(np.uint8) << 2) | (headline.astype(np.uint8) << 3)
                 | (figure.astype(np.uint8) << 4))
        return cls(keys, flags, day, site)

    @property
    def kinds(self) -> np.ndarray:
        return self.flags & np.uint8(3)

    @property
    def lead(self) -> np.ndarray:
        return (self.flags & np.uint8(LEAD_FLAG)) != 0

    @property
    def headline(self) -> np.ndarray:
        return (self.flags & np.uint8(HEADLINE_FLAG)) != 0

    @property
    def figure(self) -> np.ndarray:
        return (self.flags & np.uint8(FIGURE_FLAG)) != 0

    @property
    def size(self) -> int:
        return int(self.keys.size)


LEAD_FLAG, HEADLINE_FLAG, FIGURE_FLAG = 4, 8, 16
"""`Evidence.flags` bits above the kind."""


def item_key(kind: int, text: str) -> int:
    """A stable 64-bit key for an item (never Python's salted hash: keys are compared across
    processes and stored in the persistent index)."""
    return _KEYS[(kind, text)]


def item_keys(items: Iterable[tuple[int, str]]) -> list[int]:
    """`item_key` of each (kind, text)."""
    return list(map(_KEYS.__getitem__, items))


class _KeyCache(dict):
    """(kind, text) -> `item_key`, computed on a miss and kept (cleared past KEY_CACHE
    entries): `map(_KEYS.__getitem__, pairs)` keys a document's items without a Python call
    for those seen before, which in a run are most."""

    def __missing__(self, item: tuple[int, str]) -> int:
        if len(self) >= KEY_CACHE:
            self.clear()
        kind, text = item
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8, person=b"story%d" % kind)
        key = self[item] = int.from_bytes(digest.digest(), "little")
        return key


KEY_CACHE = 1 << 18
_KEYS = _KeyCache()


def is_figure(kind: int, text: str) -> bool:
    """A number specific enough to identify an event: three significant digits or more, a
    decimal, a time or a score ("4200", "1.8", "2:40", "6:2"); a year or a small count
    ("30", "12") is in too many stories to tell one.

    >>> [is_figure(NUMBER, x) for x in ("4200", "1.8", "2:40", "30")], is_figure(YEAR, "2019")
    ([True, True, True, False], False)
    """
    return kind == NUMBER and ("." in text or ":" in text or len(text) >= 3)


def normalise_number(raw: str) -> str:
    """One spelling per number: thousands separators go, a decimal comma becomes a point.

    >>> [normalise_number(x) for x in ("4,200", "1.400", "1,8", "2:40", "6.05", "1 400", "007")]
    ['4200', '1400', '1.8', '2:40', '6.05', '1400', '7']
    """
    raw = raw.replace("\u00a0", " ").replace("\u202f", " ")
    if " " in raw or _THOUSANDS.match(raw):
        digits = re.sub(r"[,. ]", "", raw)
        return digits.lstrip("0") or "0"
    if ":" in raw:
        return raw
    value = raw.replace(",", ".")
    head, dot, tail = value.partition(".")
    return (head.lstrip("0") or "0") + dot + tail


class Token(NamedTuple):
    word: str  # as written, elision removed
    capital: bool  # starts with an upper-case letter
    initial: bool  # first word of a sentence
    joined: bool  # nothing but spaces since the previous token (a name run may go on)


_new_token = tuple.__new__  # a Token without NamedTuple's Python-level __new__ (same value)


def _item(kind: int, text: str, lead: bool) -> Item:
    return tuple.__new__(Item, (kind, text, lead, False))


def paragraph_tokens(text: str) -> list[Token]:
    """Words and numbers of a paragraph, with what name detection needs to know.  The text
    is split in one pass (`re.split` keeps the tokens and the gaps between them) and most gaps
    are a single space, so the per-token work is a few comparisons."""
    parts = _TOKEN_SPLIT.split(text)
    out: list[Token] = []
    make = _new_token
    first = True
    for at in range(1, len(parts), 2):
        word = parts[at]
        if "'" in word or "’" in word:
            word = _unelide(word)
        gap = parts[at - 1]
        if gap == " ":
            initial, joined = first, True
        else:
            initial = first or bool(_SENTENCE_END.search(gap))
            joined = not gap.strip()
        first = False
        out.append(make(Token, (word, word[0].isupper(), initial, joined)))
    return out


def paragraph_items(words: list[Token], stops: frozenset[str], names: frozenset[str] | None,
                    lead: bool = False) -> Iterator[Item]:
    """The evidence items of one paragraph, in text order (repeats included).  A capitalised
    word is a name inside a sentence, or at a sentence's start when the document writes it
    as a name elsewhere (`names`); with `names` None capitals are not read at all (a headline
    in title case)."""
    run: list[str] = []
    for token in words:
        word = token.word
        lower = word.lower()
        if run and (not token.joined or word[0].isdigit()):
            yield from _names(run, lead)
            run = []
        if word[0].isdigit():
            number = normalise_number(word)
            if len(number) == 4 and number.isdigit() and int(number) in _YEARS:
                yield _item(YEAR, number, lead)
            elif len(number.replace(".", "").replace(":", "")) >= 2 or "." in number or ":" in number:
                yield _item(NUMBER, number, lead)
            continue
        is_name = (names is not None and token.capital and lower not in stops
                   and (not token.initial or lower in names))
        if is_name:
            run.append(lower)
        elif run:
            yield from _names(run, lead)
            run = []
        if not word.isascii() and _SPACELESS.search(word):
            yield from (_item(TERM, pair, lead) for pair in _pairs(word))
        elif len(lower) >= MIN_TERM and lower not in stops:
            yield _item(TERM, lower[:STEM], lead)
    if run:
        yield from _names(run, lead)


def known_names(paragraphs: Iterable[list[Token]], stops: frozenset[str]) -> frozenset[str]:
    """Words the document capitalises inside a sentence: names wherever they stand."""
    return frozenset(t.word.lower() for words in paragraphs for t in words
                     if t.capital and not t.initial and not t.word[0].isdigit() and t.word.lower() not in stops)


def _unelide(word: str) -> str:
    """The longer side of an apostrophe: "d'images" -> "images", "Brunner's" -> "Brunner".

    >>> _unelide("d'images"), _unelide("Brunner’s"), _unelide("plain")
    ('images', 'Brunner', 'plain')
    """
    for mark in "'’":
        if mark in word:
            head, _, tail = word.partition(mark)
            return tail if len(tail) > len(head) else head
    return word


def _names(run: list[str], lead: bool) -> Iterator[Item]:
    """A run of capitalised words: each word, and the whole run when it has several."""
    for word in run:
        yield _item(NAME, word, lead)
    if len(run) > 1:
        yield _item(NAME, " ".join(run), lead)


def _pairs(word: str) -> Iterator[str]:
    """Overlapping character pairs of the spaceless runs of `word` (a lone character alone)."""
    for run in _SPACELESS.findall(word):
        if len(run) == 1:
            yield run
        for i in range(len(run) - 1):
            yield run[i:i + 2]


def document_language_stops(texts: Sequence[str]) -> frozenset[str]:
    """The stop words of the language the texts are written in (none when unknown)."""
    words: list[str] = []
    for text in texts:
        words += tokens(text)
        if len(words) >= 1500:
            break
    return stoplist(detect_language(words))


def title_case(text: str) -> bool:
    """Most words capitalised (English headline style): its capitals say nothing of names.

    >>> title_case("Blinken Rushes To Beijing To Revive Relations"), title_case("Blinken heads to Beijing")
    (True, False)
    """
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.85 * len(words)


def headline(doc: Document) -> str:
    return doc.title or ""


HEADLINE = -1
"""Paragraph index given to the headline's items."""
EVIDENCE_CHARS = 2500
"""Body characters the compact evidence reads: a report states its event's actors, place
and figures in its first paragraphs, and the work per document stays bounded however long
it is (the alignment of a screened pair reads every paragraph)."""


def _kept_body(doc: Document, max_chars: int | None) -> list[tuple[int, str]]:
    """(index, text) of the kept body paragraphs that start within the first `max_chars`
    characters (all of them without a cap)."""
    body = []
    read = 0
    for i, p in enumerate(doc.paragraphs):
        if p.kept:
            if max_chars is not None and read >= max_chars:
                break
            body.append((i, p.text))
            read += len(p.text)
    return body


def document_items(doc: Document, max_chars: int | None = None) -> list[tuple[int, Item]]:
    """(paragraph index, item) for the headline (index HEADLINE) and every kept body
    paragraph (those that start within the first `max_chars` characters, when given); the
    headline and the first LEAD_PARAGRAPHS body paragraphs are the lead."""
    body = _kept_body(doc, max_chars)
    title = headline(doc)
    stops = document_language_stops([title] + [t for _, t in body])
    body_tokens = [paragraph_tokens(text) for _, text in body]
    substantial = [len(words) >= MIN_PARAGRAPH_WORDS for words in body_tokens]
    body = [b for b, keep in zip(body, substantial) if keep]
    body_tokens = [w for w, keep in zip(body_tokens, substantial) if keep]
    names = known_names(body_tokens, stops)
    out = [(HEADLINE, item) for item in paragraph_items(paragraph_tokens(title), stops,
                                                       None if title_case(title) else names, lead=True)]
    for rank, ((index, _), words) in enumerate(zip(body, body_tokens)):
        out += [(index, item) for item in paragraph_items(words, stops, names, lead=rank < LEAD_PARAGRAPHS)]
    return out


_PRIORITY = {NAME: 0, NUMBER: 0, YEAR: 1, TERM: 2}


@dataclass
class _Words:
    """One paragraph's words for `document_pairs`: as written (elision removed), lower-cased,
    and the gap before each; `caps` are the positions of capitalised words, `initial` whether
    each of those starts a sentence (the only words name detection looks at)."""

    words: list[str]
    lowers: list[str]
    gaps: list[str]
    caps: list[int]
    initial: list[bool]


def _words(text: str) -> _Words:
    """`paragraph_tokens` in bulk: the same words, gaps and flags, with per-word Python work
    only for the capitalised ones."""
    parts = _TOKEN_SPLIT.split(text)
    words = parts[1::2]
    if "'" in text or "’" in text:
        words = [_unelide(w) if "'" in w or "’" in w else w for w in words]
    gaps = parts[0:-1:2]
    caps = [k for k, w in enumerate(words) if w[0].isupper()]
    initial = [k == 0 or (gaps[k] != " " and bool(_SENTENCE_END.search(gaps[k]))) for k in caps]
    return _Words(words, list(map(str.lower, words)), gaps, caps, initial)


def _bulk_items(w: _Words, stops: frozenset[str], names: frozenset[str] | None) -> list[tuple[int, str]]:
    """The (kind, text) of `paragraph_items(words, stops, names)`, in the same order: each
    word's own item (a term, or a number or year) by list comprehension, and each run of
    names, found among the capitalised words alone, right after its last word's own item
    (where `paragraph_items` ends the run).  Only for text without spaceless script."""
    words, lowers = w.words, w.lowers
    own: list[tuple[int, str] | None] = [(TERM, low[:STEM]) if len(low) >= MIN_TERM and low not in stops else None
                                         for low in lowers]
    for k in [k for k, word in enumerate(words) if word[0].isdigit()]:
        number = normalise_number(words[k])
        if len(number) == 4 and number.isdigit() and int(number) in _YEARS:
            own[k] = (YEAR, number)
        elif len(number.replace(".", "").replace(":", "")) >= 2 or "." in number or ":" in number:
            own[k] = (NUMBER, number)
        else:
            own[k] = None
    runs: list[tuple[int, list[str]]] = []  # (position of a run's last word, its words)
    if names is not None and w.caps:
        run: list[str] = []
        last = -2
        gaps = w.gaps
        for k, initial in zip(w.caps, w.initial):
            low = lowers[k]
            if low not in stops and (not initial or low in names):
                if run and (last != k - 1 or not (gaps[k] == " " or not gaps[k].strip())):
                    runs.append((last, run))
                    run = []
                run.append(low)
                last = k
            elif run:
                runs.append((last, run))
                run = []
        if run:
            runs.append((last, run))
    if not runs:
        return [x for x in own if x is not None]
    out: list[tuple[int, str]] = []
    at = 0
    for last, run in runs:
        out += [x for x in own[at:last + 1] if x is not None]
        out += [(NAME, x) for x in run]
        if len(run) > 1:
            out.append((NAME, " ".join(run)))
        at = last + 1
    out += [x for x in own[at:] if x is not None]
    return out


def _paragraph_pairs(text: str, w: _Words, stops: frozenset[str], names: frozenset[str] | None) -> list[tuple[int, str]]:
    """(kind, text) of a paragraph's items: in bulk, or through `paragraph_items` when it
    holds a spaceless script."""
    if text.isascii() or not _SPACELESS.search(text):
        return _bulk_items(w, stops, names)
    return [(it.kind, it.text) for it in paragraph_items(paragraph_tokens(text), stops, names)]


def selected_items(doc: Document, max_items: int) -> list[Item]:
    """`select(document_items(doc, EVIDENCE_CHARS), max_items)`, the same list, without an
    `Item` per occurrence: each paragraph's items are counted in bulk, and `select` needs only
    their counts, the lead's and the headline's (the order they come in makes no difference)."""
    ranked, in_lead, head = ranked_items(doc, max_items)
    return [Item(k[0], k[1], k in in_lead, k in head) for k in ranked]


def document_pairs(doc: Document, max_chars: int | None = None) -> list[tuple[int, bool, list[tuple[int, str]]]]:
    """`document_items` by paragraph, as (paragraph index, in the lead, its items' (kind,
    text) in text order): the same items in the same order, without an `Item` each."""
    body = _kept_body(doc, max_chars)
    title = headline(doc)
    stops = document_language_stops([title] + [t for _, t in body])
    parsed = [(i, text, _words(text)) for i, text in body]
    parsed = [b for b in parsed if len(b[2].words) >= MIN_PARAGRAPH_WORDS]
    names = frozenset(w.lowers[k] for _, _, w in parsed for k, initial in zip(w.caps, w.initial)
                      if not initial and not w.words[k][0].isdigit() and w.lowers[k] not in stops)
    out = [(HEADLINE, True, _paragraph_pairs(title, _words(title), stops, None if title_case(title) else names))]
    out += [(i, rank < LEAD_PARAGRAPHS, _paragraph_pairs(text, w, stops, names))
            for rank, (i, text, w) in enumerate(parsed)]
    return out


def ranked_items(doc: Document, max_items: int) -> tuple[list[tuple[int, str]], set, set]:
    """The (kind, text) `selected_items` keeps, in its order, with the sets of those in the
    lead and in the headline."""
    counts: Counter = Counter()
    in_lead: set[tuple[int, str]] = set()
    head: set[tuple[int, str]] = set()
    for _, lead, found in document_pairs(doc, EVIDENCE_CHARS):
        counts.update(found)
        if lead:
            in_lead.update(found)
        if not head:
            head = {k for k in found if k[0] == NAME or k[0] == NUMBER}
    ranked = sorted((k not in head, _PRIORITY[k[0]], k not in in_lead, -n, -len(k[1]), k) for k, n in counts.items())
    return [r[5] for r in ranked[:max_items]], in_lead, head


def select(items: Iterable[tuple[int, Item]], max_items: int) -> list[Item]:
    """The distinct items a document keeps, at most `max_items`: names and numbers first,
    then years, then terms; within a kind, lead items, then the more frequent in the
    document, then the longer (rarer, in every language); ties by text (deterministic).
    The headline's items are those of the headline, or of the first paragraph without one."""
    counts: dict[tuple[int, str], int] = {}
    in_lead: set[tuple[int, str]] = set()
    by_paragraph: dict[int, set[tuple[int, str]]] = {}
    for index, item in items:
        k = (item.kind, item.text)
        counts[k] = counts.get(k, 0) + 1
        if item.lead:
            in_lead.add(k)
        if item.kind in (NAME, NUMBER):
            by_paragraph.setdefault(index, set()).add(k)
    head = by_paragraph.get(HEADLINE) or (by_paragraph[min(by_paragraph)] if by_paragraph else set())
    ranked = sorted(counts, key=lambda k: (k not in head, _PRIORITY[k[0]], k not in in_lead, -counts[k],
                                           -len(k[1]), k))
    return [Item(kind, text, (kind, text) in in_lead, (kind, text) in head) for kind, text in ranked[:max_items]]


def publication_day(date: str | None) -> int | None:
    """Days since 1970-01-01 of an ISO date (metadata), or None.

    >>> publication_day("1970-01-11"), publication_day("2023-06-16T08:00:00"), publication_day("soon")
    (10, 19524, None)
    """
    if not date:
        return None
    try:
        return (dt.date.fromisoformat(date[:10]) - dt.date(1970, 1, 1)).days
    except ValueError:
        return None


def site_of(doc: Document) -> str | None:
    """The site a document comes from: its metadata site, else its URL's host."""
    if doc.metadata.url:
        host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", doc.metadata.url.lower()).split("/")[0].split(":")[0]
        host = host[4:] if host.startswith("www.") else host
        if host:
            return host
    return doc.metadata.site or None


def compact(items: Sequence[Item], day: int | None = None, site: str | None = None) -> Evidence:
    """Items as sorted key arrays."""
    kind_list, texts, leads, heads = zip(*items) if items else ((), (), (), ())
    keys = np.array([item_key(k, t) for k, t in zip(kind_list, texts)], np.uint64)
    order = np.argsort(keys, kind="stable")
    kinds = np.array(kind_list, np.uint8)[order]
    lead = np.array(leads, np.bool_)[order]
    head = np.array(heads, np.bool_)[order]
    figure = np.array([is_figure(k, t) for k, t in zip(kind_list, texts)], np.bool_)[order]
    keys = keys[order]
    keep = np.concatenate(([True], keys[1:] != keys[:-1])) if keys.size else np.ones(0, np.bool_)
    return Evidence.of(keys[keep], kinds[keep], lead[keep], head[keep], figure[keep], day, site)


def document_evidence(doc: Document, max_items: int = 160) -> Evidence:
    """The compact evidence of one cleaned document (what a worker sends the corpus step)."""
    ranked, in_lead, head = ranked_items(doc, max_items)
    day, site = publication_day(doc.metadata.date), site_of(doc)
    if not ranked:
        return compact((), day, site)
    keys = np.fromiter(map(_KEYS.__getitem__, ranked), np.uint64, len(ranked))
    order = np.argsort(keys, kind="stable")
    flags = (np.fromiter((k for k, _ in ranked), np.uint8, len(ranked))
             | np.fromiter(map(in_lead.__contains__, ranked), np.uint8, len(ranked)) << 2
             | np.fromiter(map(head.__contains__, ranked), np.uint8, len(ranked)) << 3
             | np.fromiter(itertools.starmap(is_figure, ranked), np.uint8, len(ranked)) << 4)[order]
    keys = keys[order]
    keep = np.concatenate(([True], keys[1:] != keys[:-1]))
    return Evidence(keys[keep], flags[keep], day, site)
