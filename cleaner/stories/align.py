"""Line up the paragraphs of two documents that state the same fact in other words.

Each kept paragraph becomes a vector of its evidence items (names, numbers, years, term
stems), weighted by rarity (numbers count double: a figure shared by two paragraphs is the
surest sign they tell the same fact) and normalised; two paragraphs' similarity is their
cosine.  Paragraphs are matched one to one, best first, so a paragraph is linked to the
one paragraph of the other document that says most nearly the same.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.models import Document
from cleaner.stories.evidence import HEADLINE, NUMBER, document_pairs, item_keys
from cleaner.stories.rarity import Rarity

KIND_WEIGHT = {NUMBER: 2.0}
TOP_MATCHES = 5
"""The alignment score of two documents sums their best this many paragraph matches."""
VERBATIM = 0.9
"""Matches this similar are the same words, not the same fact retold: a site's template
or a copied block (the dedup stage's business).  They never count towards a story."""


@dataclass(frozen=True)
class ParagraphVectors:
    """A document's kept paragraphs as sparse unit vectors {item key: weight}."""

    doc: str
    paragraphs: tuple[int, ...]  # index into Document.paragraphs
    texts: tuple[str, ...]
    vectors: tuple[dict[int, float], ...]


PASSAGE_SMOOTHING = 10.0
"""Pseudo-documents added to the count when weighing items for passages (`Rarity.idf`)."""


Counted = tuple[dict[int, Counter], dict[int, int]]
"""Each paragraph's item key counts (paragraphs with items, in order; keys in order of first
appearance) and each key's kind: what `paragraph_vectors` weighs."""


def paragraph_counts(pairs: Sequence[tuple[int, bool, list[tuple[int, str]]]]) -> Counted:
    """The body paragraphs' items of `document_pairs` counted by key."""
    counts: dict[int, Counter] = {}
    kinds: dict[int, int] = {}
    for index, _, found in pairs:
        if index == HEADLINE or not found:
            continue
        keys = item_keys(found)
        counts[index] = Counter(keys)
        kinds.update(zip(keys, (kind for kind, _ in found)))
    return counts, kinds


def paragraph_vectors(doc: Document, rarity: Rarity, smoothing: float = 1.0,
                      pairs: Sequence[tuple[int, bool, list[tuple[int, str]]]] | None = None,
                      counted: Counted | None = None) -> ParagraphVectors:
    """`pairs` is `document_pairs(doc)`, `counted` its `paragraph_counts`, when the caller
    has them (a story's members are weighed twice: to verify, and for passages)."""
    if counted is None:
        counted = paragraph_counts(document_pairs(doc) if pairs is None else pairs)
    counts, kinds = counted
    keys = np.fromiter(kinds, np.uint64, len(kinds))
    idf = dict(zip(kinds, rarity.idf(keys, smoothing).tolist())) if keys.size else {}
    paragraphs, texts, vectors = [], [], []
    for index in sorted(counts):
        vec = {k: idf[k] * KIND_WEIGHT.get(kinds[k], 1.0) * (1.0 + math.log(n)) for k, n in counts[index].items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        if norm <= 0:
            continue
        paragraphs.append(index)
        texts.append(doc.paragraphs[index].text)
        vectors.append({k: v / norm for k, v in vec.items()})
    return ParagraphVectors(doc.id, tuple(paragraphs), tuple(texts), tuple(vectors))


@dataclass(frozen=True)
class Match:
    """Paragraph `a` of one document matched with paragraph `b` of the other."""

    a: int  # position in the first document's ParagraphVectors
    b: int
    similarity: float


def cosine(x: dict[int, float], y: dict[int, float]) -> float:
    if len(x) > len(y):
        x, y = y, x
    return sum(v * y[k] for k, v in x.items() if k in y)


def matches(a: ParagraphVectors, b: ParagraphVectors, floor: float = 0.05) -> list[Match]:
    """One-to-one paragraph matches above `floor`, best first (ties by position)."""
    found = []
    for i, x in enumerate(a.vectors):
        for j, y in enumerate(b.vectors):
            s = cosine(x, y)
            if s > floor:
                found.append((-s, i, j))
    found.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for s, i, j in found:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append(Match(i, j, -s))
    return out


def links(a: ParagraphVectors, b: ParagraphVectors, floor: float, rank: int = 2,
          semantic: tuple[np.ndarray, float] | None = None) -> list[Match]:
    """Every paragraph pair from `floor` that is among the `rank` best matches of one of its
    two paragraphs (a fact can sit in a paragraph that is not its partner's best match),
    best first.  With `semantic` (the embeddings' cosine matrix of a's and b's paragraphs,
    and its own floor), a pair that passes the same test on that matrix is linked too; a
    link's similarity is the larger of the two."""
    sims = [[cosine(x, y) for y in b.vectors] for x in a.vectors]
    found = {(i, j): sims[i][j] for i, j in _best_pairs(sims, floor, rank)}
    if semantic is not None:
        matrix, semantic_floor = semantic
        rows = matrix.tolist()
        for i, j in _best_pairs(rows, semantic_floor, rank):
            found[(i, j)] = max(found.get((i, j), 0.0), rows[i][j])
    return sorted((Match(i, j, s) for (i, j), s in found.items()), key=lambda m: (-m.similarity, m.a, m.b))


def _best_pairs(sims: list[list[float]], floor: float, rank: int) -> list[tuple[int, int]]:
    """(i, j) with sims[i][j] >= floor among the `rank` best of row i or of column j."""
    if not sims or not sims[0]:
        return []
    width = len(sims[0])
    best_a = [set(sorted(range(width), key=lambda j: (-row[j], j))[:rank]) for row in sims]
    best_b = [set(sorted(range(len(sims)), key=lambda i: (-sims[i][j], i))[:rank]) for j in range(width)]
    return [(i, j) for i in range(len(sims)) for j in range(width)
            if sims[i][j] >= floor and (j in best_a[i] or i in best_b[j])]


def alignment_score(found: list[Match]) -> float:
    """How much two documents say alike: the sum of their best TOP_MATCHES matches."""
    return sum(m.similarity for m in [m for m in found if m.similarity < VERBATIM][:TOP_MATCHES])
