"""Corpus-level repeats: template lines that recur across documents of one site.

Lines are hashed after normalisation with digits folded (as CCNet does), counted per site
group and over the whole corpus; documents are never compared pairwise.  Only short or
non-prose lines are eligible, so the shared body paragraphs of syndicated copies of one
story stay for the dedup stage to handle.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from cleaner.boilerplate.features import WORD, norm
from cleaner.dedup.shingle import text_prints
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Verdict

DIGITS = re.compile(r"\d+")


def line_key(text: str) -> bytes:
    """Hash of a line, normalised with digits folded.

    >>> line_key("14 Comments") == line_key("3 comments")
    True
    >>> line_key("Related Posts") == line_key("related posts!")
    True
    """
    return hashlib.blake2b(folded(text), digest_size=8).digest()


def folded_plain(text: str) -> bytes:
    """What `line_key` hashes, by definition: `norm` with every run of digits made one 0."""
    return DIGITS.sub("0", norm(text)).encode("utf-8")


def _ascii_table() -> bytes:
    """Byte map doing, for ASCII, what `norm` and digit folding do per character:
    lower case, digits to 0, non-word characters to a space; bytes >= 128 unchanged."""
    table = bytearray(range(256))
    for c in range(128):
        ch = chr(c)
        table[c] = ord("0" if DIGITS.match(ch) else ch.lower() if WORD.match(ch) else " ")
    return bytes(table)


_ASCII = bytes(range(128))
_FOLD_ASCII = _ascii_table()
_FOLD_CHAR: dict[str, tuple[bytes, bytes] | None] = {}
MAX_DISTINCT = 32
"""Texts with more distinct non-ASCII characters (CJK, say) take the plain regex path."""


def _fold_char(c: str) -> tuple[bytes, bytes] | None:
    """What `folded` makes of one non-ASCII character, as (UTF-8 of c, UTF-8 of its
    replacement), None when it stays: case folding works character by character, and so
    does the word/digit test of each folded character."""
    try:
        return _FOLD_CHAR[c]
    except KeyError:
        out = "".join(" " if not WORD.match(x) else "0" if DIGITS.match(x) else x for x in c.casefold())
        pair = _FOLD_CHAR[c] = None if out == c else (c.encode("utf-8"), out.encode("utf-8"))
        return pair


def folded(text: str) -> bytes:
    """`folded_plain(text)` with byte operations instead of two regex passes over the text.

    NFKC is the identity on ASCII; the few distinct non-ASCII characters (curly quotes,
    accented letters) are folded once each and replaced in the UTF-8 bytes, the ASCII ones
    by one byte table; word runs are then joined by single spaces as `norm` joins them.

    >>> folded("Blinken’s TRIP: 2,024 km_h") == folded_plain("Blinken’s TRIP: 2,024 km_h")
    True
    """
    if text.isascii():
        data = text.encode()
    else:
        try:
            data = unicodedata.normalize("NFKC", text).encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            return folded_plain(text)
        distinct = set(data.translate(None, _ASCII).decode("utf-8"))
        if len(distinct) > MAX_DISTINCT:
            return folded_plain(text)
        for c in distinct:
            pair = _fold_char(c)
            if pair is not None:
                data = data.replace(*pair)
    data = b" ".join(data.translate(_FOLD_ASCII).split())
    if b"_" in data:  # a word character for `norm`'s tokens, a space in its result
        data = data.replace(b"_", b" ")
    while b"00" in data:  # every run of digits is now a run of 0s
        data = data.replace(b"00", b"0")
    return data


def site_key(doc: Document) -> str:
    """Group key: the site, else the URL's host, else the source's folder.

    >>> from cleaner.models import Metadata
    >>> site_key(Document(id="a", source="x/y/a.txt", format="text", metadata=Metadata(url="https://www.ex.com/a")))
    'ex.com'
    >>> site_key(Document(id="a", source="x/y/a.txt", format="text"))
    'dir:x/y'
    """
    if doc.metadata.site:
        return doc.metadata.site.lower()
    if doc.metadata.url:
        host = urlsplit(doc.metadata.url).hostname or ""
        if host:
            return host.lower().removeprefix("www.")
    return "dir:" + os.path.dirname(doc.source.split(":")[0])


def eligible(text: str) -> bool:
    """Only short or non-prose lines can be template boilerplate.

    >>> eligible("Share this article"), eligible("The minister said on Monday that the plan, agreed last year, would go ahead.")
    (True, False)
    """
    return _eligible(text, len(text.split()))


def _eligible(text: str, words: int) -> bool:
    return 0 < words <= 12 or (words <= 25 and not text.rstrip().endswith((".", "!", "?", "”", '"')))


LONG_WORDS = 15
"""Paragraphs of at least this many words make a document's story key."""
WORDS_SEEN = 26
"""Past this many words no threshold here (`_eligible`, LONG_WORDS) changes its answer."""


def word_count(text: str) -> int:
    """`len(text.split())` capped at WORDS_SEEN: splitting stops there, and long paragraphs
    are most of a document's words."""
    return len(text.split(None, WORDS_SEEN - 1))


def story_key(texts: list[str]) -> bytes | None:
    """A key shared by copies of one story: the smallest fingerprint of its long paragraphs
    (a one-permutation MinHash), so syndicated copies count once.  Fingerprints are dedup's
    (`TextPrints`: normalised tokens), so the pipeline takes them from dedup's tokenisation
    instead of normalising the long paragraphs again (`corpus_line_keys(prints=)`).

    >>> a = ["Share", "The minister said on Monday that the plan agreed last year would go ahead as planned."]
    >>> story_key(a) == story_key(a + ["Another line"]), story_key(["Share"]) is None
    (True, True)
    """
    long = [t for t in texts if len(t.split()) >= LONG_WORDS]
    return min(map(text_prints(long), range(len(long)))) if long else None


def story_of(lines: "CorpusLines", position: int) -> bytes:
    """The story a document counts once for: its story key, else a story of its own."""
    return lines.story or f"doc:{position}".encode()


def repeat_floor(config: BoilerplateConfig, stories: int) -> int:
    """Distinct stories a line needs, among `stories`, to count as a template line."""
    return max(config.min_corpus_repeats, int(config.corpus_repeat_share * stories))


@dataclass(frozen=True)
class CorpusLines:
    """What one document contributes to the corpus-wide count (computed where it is cleaned).

    `story` is None when the document has no long paragraph: it then counts as a story of
    its own.  `lines` holds (paragraph index, line key) for every eligible non-title line.
    """

    site: str
    story: bytes | None
    lines: tuple[tuple[int, bytes], ...]


def corpus_line_keys(doc: Document, config: BoilerplateConfig, prints: Callable[[int], bytes] | None = None
                     ) -> CorpusLines:
    """The worker part of the corpus-repeat rule: one document's site, story and line keys.
    `prints(i)` is the `TextPrints` fingerprint of paragraph i when the caller has them
    (`dedup.tokenised_features`); else the long paragraphs are tokenised here."""
    lines, long = _template_lines(doc)
    return CorpusLines(site_key(doc), _story(doc, long, prints), lines)


def _template_lines(doc: Document) -> tuple[tuple[tuple[int, bytes], ...], list[int]]:
    """((paragraph, line key) of every eligible non-title line, the long paragraphs), each
    paragraph split once."""
    lines: list[tuple[int, bytes]] = []
    long: list[int] = []
    for i, p in enumerate(doc.paragraphs):
        words = word_count(p.text)
        if p.verdict is not Verdict.TITLE and _eligible(p.text, words):
            lines.append((i, line_key(p.text)))
        if words >= LONG_WORDS:
            long.append(i)
    return tuple(lines), long


def _story(doc: Document, long: list[int], prints: Callable[[int], bytes] | None) -> bytes | None:
    """`story_key` of the paragraphs `long` of `doc`, from `prints` when given."""
    if prints is None:
        return story_key([doc.paragraphs[i].text for i in long])
    return min(map(prints, long)) if long else None


class CorpusCounts:
    """Distinct stories per line key, per site and over the corpus; add every document, then
    `freeze()`, then ask `repeated(site, key)` (or `apply_corpus_repeats` per document)."""

    def __init__(self, config: BoilerplateConfig):
        self.config = config
        self.documents = 0
        self._per_site: dict[str, dict[bytes, set[bytes]]] = defaultdict(lambda: defaultdict(set))
        self._overall: dict[bytes, set[bytes]] = defaultdict(set)
        self._site_stories: dict[str, set[bytes]] = defaultdict(set)
        self._all_stories: set[bytes] = set()
        self._site_repeats: dict[str, frozenset[bytes]] | None = None
        self._corpus_repeats: frozenset[bytes] = frozenset()

    @property
    def enabled(self) -> bool:
        return "corpus-repeat" not in self.config.disabled_rules

    def add(self, lines: CorpusLines) -> None:
        """Count one document; documents must be added in input order."""
        n = self.documents
        self.documents += 1
        if not self.enabled:
            return
        story = story_of(lines, n)
        self._site_stories[lines.site].add(story)
        self._all_stories.add(story)
        site = self._per_site[lines.site]
        for _, k in lines.lines:
            site[k].add(story)
            self._overall[k].add(story)

    def freeze(self) -> "CorpusCounts":
        """Keep only the decisions (which keys repeat), not the story sets."""
        decided = CorpusCounts.decided(
            self.config, self.documents,
            {k: len(s) for k, s in self._overall.items()}, len(self._all_stories),
            {(site, k): len(s) for site, keys in self._per_site.items() for k, s in keys.items()},
            {site: len(s) for site, s in self._site_stories.items()})
        self._corpus_repeats, self._site_repeats = decided._corpus_repeats, decided._site_repeats
        self._per_site, self._overall, self._site_stories, self._all_stories = {}, {}, {}, set()
        return self

    @classmethod
    def decided(cls, config: BoilerplateConfig, documents: int, corpus: dict[bytes, int], stories: int,
                site: dict[tuple[str, bytes], int], site_stories: dict[str, int]) -> "CorpusCounts":
        """Frozen counts from distinct-story counts, however they were counted (`freeze`
        here; the Dask engine counts on its workers): `corpus` per line key over `stories`
        stories, `site` per (site, line key) over each site's `site_stories`.  Counts under
        `config.min_corpus_repeats` may be left out: no floor is lower."""
        counts = cls(config)
        counts.documents = documents
        counts._per_site, counts._overall, counts._site_stories, counts._all_stories = {}, {}, {}, set()
        counts._site_repeats = {}
        if not counts.enabled or documents < config.min_corpus_repeats:
            return counts
        floor = repeat_floor(config, stories)
        counts._corpus_repeats = frozenset(k for k, m in corpus.items() if m >= floor)
        per_site: dict[str, set[bytes]] = {}
        for (name, k), m in site.items():
            if m >= repeat_floor(config, site_stories[name]):
                per_site.setdefault(name, set()).add(k)
        counts._site_repeats = {name: frozenset(keys) for name, keys in per_site.items()}
        return counts

    def repeated(self, site: str, key: bytes) -> bool:
        if self._site_repeats is None:
            raise RuntimeError("CorpusCounts.repeated before freeze()")
        return key in self._corpus_repeats or key in self._site_repeats.get(site, ())

    def affects(self, lines: CorpusLines) -> bool:
        """Whether any line of the document is a corpus repeat (kept or not)."""
        return any(self.repeated(lines.site, k) for _, k in lines.lines)


def apply_corpus_repeats(doc: Document, counts: CorpusCounts, config: BoilerplateConfig,
                         lines: CorpusLines | None = None) -> bool:
    """The apply part: drop the document's kept lines that the corpus count calls template
    lines.  `lines` defaults to recomputing them from `doc` (its story key is not needed).
    Returns True when a verdict changed."""
    site, keyed = (lines.site, lines.lines) if lines else (site_key(doc), _template_lines(doc)[0])
    changed = False
    for i, k in keyed:
        p = doc.paragraphs[i]
        if p.verdict is Verdict.KEEP and counts.repeated(site, k):
            changed |= p.drop("corpus-repeat")
    return changed


def mark_corpus_repeats(docs: list[Document], config: BoilerplateConfig) -> None:
    """Drop short lines that recur in many different stories of one site (or of the corpus).

    The in-memory form of the two-part protocol the streaming pipeline uses:
    `corpus_line_keys` per document, `CorpusCounts`, then `apply_corpus_repeats`.
    """
    counts = CorpusCounts(config)
    lines = [corpus_line_keys(doc, config) for doc in docs]
    for row in lines:
        counts.add(row)
    counts.freeze()
    for doc, row in zip(docs, lines):
        apply_corpus_repeats(doc, counts, config, row)
