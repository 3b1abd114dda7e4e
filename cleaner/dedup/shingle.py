"""Text normalisation and shingling for near-duplicate detection.

Shingles are represented only by stable 32-bit hashes (numpy ``uint32``).  They must be
stable across processes and runs because signatures are stored in the persistent index,
so Python's salted ``hash()`` is out; tokens are hashed once with blake2b and cached, and
a k-shingle's hash is a polynomial combination of its token hashes computed with numpy
over a whole batch of texts at once (the per-shingle Python work is what makes
``MinHash.update`` slow, and per-paragraph numpy calls cost more than their work).

Normalisation is deliberately cheap and lossy: NFKC, casefold, ``\\w+`` tokens (Unicode
aware, so Korean, Cyrillic, Greek... tokenise by their own spaces).  Scripts written
without spaces (Chinese, Japanese, Thai) produce very long "words"; when the average token
is that long the text is tokenised by characters instead, so the same shingle size still
sees overlapping windows.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence

import numpy as np

_WORD = re.compile(r"\w+")
_SPACELESS = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x2E80, 0x2FDF), (0x3005, 0x3007),
              (0x3021, 0x3029), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
              (0xF900, 0xFAFF), (0x20000, 0x3134F))
"""Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, Han, kana):
each of their characters is a token.  Hangul is written with spaces and tokenises by words."""

# UTF-8 lead byte read as cp1252/latin-1 followed by a continuation byte read the same way:
# the fingerprint of mojibake.  Only paragraphs matching it pay for ftfy.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)

_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd: invertible modulo 2**64
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_BLOCK = 1 << 20  # code points per vectorised pass: bounds the power tables
_SEP = "\x00"  # joins texts tokenised together
_RUN_CHARS = 1 << 18  # text per batched pass (see text_runs)


_PLANE = 0x10000


@functools.cache
def word_table(planes: int = 0x11) -> np.ndarray:
    """Per code point of the first `planes` Unicode planes: 0 not ``\\w``, 1 ``\\w``, 2 ``\\w``
    of a spaceless script.  Built per plane count asked for: the Basic Multilingual Plane
    takes ~10 ms, all of Unicode ~0.1 s, and most text needs only the first."""
    size = planes * _PLANE
    table = np.zeros(size, dtype=np.uint8)
    for m in _WORD.finditer("".join(map(chr, range(size)))):
        table[m.start():m.end()] = 1
    for lo, hi in _SPACELESS:
        table[lo:hi + 1] *= 2
    return table


def _word_classes(cp: np.ndarray) -> np.ndarray:
    """`word_table()` at every code point of `cp`.  Points past the Basic Multilingual Plane
    (emoji, rare ideographs) are classed one distinct point at a time: a page with one emoji
    would otherwise cost the process the whole table (0.15 s)."""
    bmp = word_table(1)
    if not cp.size or int(cp.max()) < _PLANE:
        return np.take(bmp, cp)  # 2.5x faster than indexing
    astral = cp >= _PLANE
    classes = np.take(bmp, np.where(astral, 0, cp))
    points, where = np.unique(cp[astral], return_inverse=True)
    classes[astral] = np.fromiter(map(_astral_class, points.tolist()), np.uint8, points.size)[where]
    return classes


@functools.lru_cache(maxsize=4096)
def _astral_class(point: int) -> int:
    """`word_table()[point]`, for one point past the Basic Multilingual Plane."""
    if not _WORD.match(chr(point)):
        return 0
    return 2 if any(lo <= point <= hi for lo, hi in _SPACELESS) else 1


@functools.cache
def _powers(size: int = _BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """_MULT**i and its inverse**i modulo 2**64 for i < size (each table is a prefix of the
    next: the same products).  Use `powers_for`."""
    inv = np.uint64(pow(int(_MULT), -1, 1 << 64))
    with np.errstate(over="ignore"):
        fwd = np.cumprod(np.full(size, _MULT, dtype=np.uint64))
        back = np.cumprod(np.full(size, inv, dtype=np.uint64))
    return np.concatenate(([np.uint64(1)], fwd[:-1])), np.concatenate(([np.uint64(1)], back[:-1]))


def powers_for(n: int) -> tuple[np.ndarray, np.ndarray]:
    """`_powers` tables of at least n entries (n <= _BLOCK): a batch of news text needs a
    few hundred thousand, and the full tables cost ~50 ms a process to build."""
    size = _RUN_CHARS
    while size < n:
        size *= 4
    return _powers(min(size, _BLOCK))


def _mix(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(31))
        h *= _MIX
        h ^= h >> np.uint64(29)
    return h


def normalise(text: str) -> str:
    """Comparison form of a text: mojibake undone, NFKC, casefolded.

    Dedup compares, it never rewrites: this form is used only for hashing.  The repair
    stage normally fixes mojibake already; undoing it here too keeps dedup correct when
    repair is off or missed a paragraph, at no cost for clean text.
    """
    if _MOJIBAKE.search(text):
        import ftfy  # only for suspicious text

        text = ftfy.fix_encoding(text)
    return _nfkc(text).casefold()


def _normalise_joined(texts: Sequence[str]) -> tuple[str, np.ndarray | None]:
    """The comparison forms of `texts` joined by NUL, with one casefold for all of them.

    Normalising the joined text is normalising each text: NUL is a starter that composes
    with nothing, and casefold is context-free.  Only the texts that need them see ftfy
    and NFKC (NFKC of a whole batch costs more than all else).  Returns also where each
    text starts when NUL no longer marks exactly the joins (a text holding a NUL), else None.
    """
    text = _SEP.join(texts)
    if _MOJIBAKE.search(text):
        import ftfy  # only for suspicious text

        texts = [ftfy.fix_encoding(t) if _MOJIBAKE.search(t) else t for t in texts]
        text = _SEP.join(texts)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        texts = [_nfkc(t) for t in texts]
        text = _SEP.join(texts)
    starts = None
    if texts and text.count(_SEP) != len(texts) - 1:
        starts = np.cumsum([0] + [len(t.casefold()) + 1 for t in texts[:-1]])
    return text.casefold(), starts


def _nfkc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def token_hashes(text: str) -> np.ndarray:
    """Stable uint64 hash of every ``\\w+`` token of a normalised text, in order.

    Computed without making a Python string per token (``re.findall`` alone would cost
    more than the whole signature): code points go through a lookup table for ``\\w``,
    and each run of word characters is hashed as a polynomial ``sum c_j * M**(e-1-j)``
    (mod 2**64) from one prefix sum of ``c_j * M**-j``.  In scripts written without
    spaces (see _SPACELESS) every character is a token.
    """
    return _hash_tokens(_code_points(text))[0]


def token_hashes_many(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``token_hashes(normalise(t))`` of many texts in one pass: (hashes, bounds), the tokens
    of ``texts[i]`` being ``hashes[bounds[i]:bounds[i + 1]]``.

    Per-text numpy calls cost more than the work on a paragraph; the texts are joined by
    NUL, which is not ``\\w``, so no token spans two texts.
    """
    text, starts = _normalise_joined(texts)
    cp = _code_points(text)
    if starts is None:
        starts = np.flatnonzero(cp == ord(_SEP)) + 1
        starts = np.concatenate(([0], starts)) if texts else starts[:0]
    hashes, token_starts = _hash_tokens(cp)
    return hashes, np.append(np.searchsorted(token_starts, starts), hashes.size)


class TextPrints:
    """8-byte fingerprints of texts tokenised together (`token_hashes_many`), made on demand:
    texts with the same tokens after normalisation (case, NFKC, punctuation and spacing
    aside) get the same fingerprint.  The corpus step's story keys use them, so a document's
    long paragraphs are not normalised a second time after dedup tokenised them.

    >>> prints = text_prints(["The Minister said: “no”.", "the minister said no", "the minister said yes"])
    >>> prints(0) == prints(1), prints(1) == prints(2), len(prints(0))
    (True, False, 8)
    """

    __slots__ = ("_raw", "_at", "_first")

    def __init__(self, raw: bytes, at: list[int], first: int = 0) -> None:
        self._raw, self._at, self._first = raw, at, first  # uint64 token hashes, text bounds

    @classmethod
    def of(cls, hashes: np.ndarray, bounds: np.ndarray) -> "TextPrints":
        """From `token_hashes_many`'s (hashes, bounds)."""
        return cls(hashes.astype(np.uint64, copy=False).tobytes(), bounds.tolist())

    def __call__(self, i: int) -> bytes:
        """The fingerprint of text `i` (counted from `first`)."""
        at, j = self._at, self._first + i
        return hashlib.blake2b(self._raw[8 * at[j]:8 * at[j + 1]], digest_size=8).digest()

    def from_text(self, first: int) -> "TextPrints":
        """The same fingerprints, counted from text `first` (one document's texts in a batch)."""
        return TextPrints(self._raw, self._at, self._first + first)


def text_prints(texts: Sequence[str]) -> TextPrints:
    """`TextPrints` of `texts`, tokenised here."""
    return TextPrints.of(*token_hashes_many(texts))


def text_runs(sizes: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(start, end) of runs of consecutive items (documents) with at most _RUN_CHARS of
    text together, or one longer item: a batched pass over more text only loses its
    arrays from the cache and holds more memory (huge documents go a few at a time)."""
    first, total = 0, 0
    for i, n in enumerate(sizes):
        if total + n > _RUN_CHARS and i > first:
            yield first, i
            first, total = i, 0
        total += n
    if first < len(sizes):
        yield first, len(sizes)


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _hash_tokens(cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the tokens of code points `cp` and where each starts."""
    cls = _word_classes(cp)
    word = cls.astype(bool)
    if not word.any():
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.intp)
    single = cls == 2
    if not single.any():
        padded = np.zeros(cp.size + 2, dtype=bool)  # np.diff's prepend/append path is slow
        padded[1:-1] = word
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        starts, ends = edges[0::2], edges[1::2]  # word runs alternate with non-word runs
    else:  # a spaceless-script character is a token of its own
        cut = ~word | single
        starts = np.flatnonzero(word & (single | np.concatenate(([True], cut[:-1]))))
        ends = np.flatnonzero(word & (single | np.concatenate((cut[1:], [True])))) + 1
    if cp.size <= _BLOCK:
        return _mix(_run_hashes(cp, starts, ends)), starts
    parts, i = [], 0
    while i < starts.size:  # very long texts: groups of tokens spanning at most _BLOCK
        j = max(i + 1, int(np.searchsorted(ends, starts[i] + _BLOCK, side="right")))
        parts.append(_run_hashes(cp, starts[i:j], ends[i:j]))
        i = j
    return _mix(np.concatenate(parts)), starts


def _run_hashes(cp: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    if starts.size == 1 and ends[0] - starts[0] > _BLOCK:  # absurd "word": hash a prefix
        ends = starts + _BLOCK
    lo, hi = int(starts[0]), int(ends[-1])
    fwd, back = powers_for(hi - lo)
    c = cp[lo:hi].astype(np.uint64) + np.uint64(1)
    with np.errstate(over="ignore"):
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(c * back[:c.size], dtype=np.uint64)))
        s, e = starts - lo, ends - lo
        return (prefix[e] - prefix[s]) * fwd[e - 1]


def shingle_hashes(th: np.ndarray, k: int) -> np.ndarray:
    """uint32 hashes of the k-token windows of token hashes `th` (one window if shorter).

    Not deduplicated: MinHash takes a minimum, so repeats cost nothing but time.
    """
    if th.size == 0:
        return np.empty(0, dtype=np.uint32)
    return _windows(th, min(k, th.size))


def _windows(th: np.ndarray, k: int) -> np.ndarray:
    """Hashes of all k-token windows of `th` (k <= th.size)."""
    m = th.size - k + 1
    with np.errstate(over="ignore"):
        acc = th[:m].copy()
        for j in range(1, k):
            acc *= _MULT
            acc ^= th[j:j + m]
        acc *= _MULT  # spread the last token's bits into the high half
    return ((acc >> np.uint64(32)) ^ acc).astype(np.uint32)


def segment_shingles(th: np.ndarray, starts: np.ndarray, ends: np.ndarray, k: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """``shingle_hashes(th[s:e], k)`` of many segments at once: (hashes, bounds) as in
    `token_hashes_many`.  The windows of all of `th` are hashed in one pass and those
    lying inside a segment picked out; segments shorter than k get their one window apart."""
    lengths = ends - starts
    full = lengths >= k
    counts = np.where(full, lengths - k + 1, np.minimum(lengths, 1))
    bounds = np.concatenate(([0], np.cumsum(counts)))
    picked = concat_ranges(starts[full], counts[full])
    windows = _windows(th, k)[picked] if picked.size else np.empty(0, dtype=np.uint32)
    if full.all():
        return windows, bounds
    out = np.empty(bounds[-1], dtype=np.uint32)
    out[concat_ranges(bounds[:-1][full], counts[full])] = windows
    for i in np.flatnonzero(~full & (lengths > 0)).tolist():
        out[bounds[i]] = shingle_hashes(th[starts[i]:ends[i]], k)[0]
    return out, bounds


def segment_distinct(values: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of each segment (``np.unique`` per segment), as (values,
    bounds): one sort of (segment, value) keys instead of a call per segment."""
    counts = np.diff(bounds)
    keys = np.repeat(np.arange(counts.size, dtype=np.uint64) << np.uint64(32), counts)
    keys |= values
    keys.sort()
    if keys.size:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    segment = keys >> np.uint64(32)
    return keys.astype(np.uint32), np.searchsorted(segment, np.arange(counts.size + 1, dtype=np.uint64))


def concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])`` without the loop."""
    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(before[-1] + lengths[-1] if lengths.size else 0)


def text_shingles(text: str, k: int) -> np.ndarray:
    """Normalise, tokenise and shingle one text."""
    return shingle_hashes(token_hashes(normalise(text)), k)
