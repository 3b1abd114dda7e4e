"""Line up the paragraphs of two documents that state the same fact in other words.

Each kept paragraph becomes a vector of its evidence items (names, numbers, years, term
stems), weighted by rarity (numbers count double: a figure shared by two paragraphs is the
surest sign they tell the same fact) and normalised; two paragraphs' similarity is their
cosine.  Paragraphs are matched one to one, best first, so a paragraph is linked to the
one paragraph of the other document that says most nearly the same.

For passages, a fact retold inside a longer paragraph shares too few items to raise the
whole paragraph's cosine; what still shows it is a *pinpoint*: a specific figure, or
several words rare in the run, that each of the two documents uses in this one paragraph
and nowhere else (`pinpoints`).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.models import Document
from cleaner.stories.evidence import HEADLINE, NUMBER, TERM, document_pairs, is_figure, item_keys
from cleaner.stories.rarity import Rarity

KIND_WEIGHT = {NUMBER: 2.0}
TOP_MATCHES = 5
"""The alignment score of two documents sums their best this many paragraph matches."""
VERBATIM = 0.9
"""Matches this similar are the same words, not the same fact retold: a site's template
or a copied block (the dedup stage's business).  They never count towards a story."""


@dataclass(frozen=True)
class ParagraphVectors:
    """A document's kept paragraphs as sparse unit vectors {item key: weight}; for passages
    also each paragraph's `words` (term keys rare in the run) and `figures` (keys of
    specific numbers, `evidence.is_figure`), what `pinpoints` compares."""

    doc: str
    paragraphs: tuple[int, ...]  # index into Document.paragraphs
    texts: tuple[str, ...]
    vectors: tuple[dict[int, float], ...]
    words: tuple[frozenset[int], ...] = ()
    figures: tuple[frozenset[int], ...] = ()


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


def figure_keys(pairs: Sequence[tuple[int, bool, list[tuple[int, str]]]]) -> frozenset[int]:
    """The keys of the specific figures (`evidence.is_figure`) among `document_pairs`' items."""
    return frozenset(item_keys([(kind, text) for _, _, found in pairs for kind, text in found
                                if kind == NUMBER and is_figure(kind, text)]))


def paragraph_vectors(doc: Document, rarity: Rarity, smoothing: float = 1.0,
                      pairs: Sequence[tuple[int, bool, list[tuple[int, str]]]] | None = None,
                      counted: Counted | None = None, rare: float | None = None) -> ParagraphVectors:
    """`pairs` is `document_pairs(doc)`, `counted` its `paragraph_counts`, when the caller
    has them (a story's members are weighed twice: to verify, and for passages).  With
    `rare` (the document frequency up to which a term is rare), each paragraph's pinpoint
    `words` and `figures` are kept too."""
    if (counted is None or rare is not None) and pairs is None:
        pairs = document_pairs(doc)
    counts, kinds = paragraph_counts(pairs) if counted is None else counted
    keys = np.fromiter(kinds, np.uint64, len(kinds))
    idf = dict(zip(kinds, rarity.idf(keys, smoothing).tolist())) if keys.size else {}
    rare_terms = _rare_terms(kinds, keys, rarity, rare) if rare is not None else frozenset()
    figure = figure_keys(pairs) if rare is not None else frozenset()
    paragraphs, texts, vectors, words, figures = [], [], [], [], []
    for index in sorted(counts):
        vec = {k: idf[k] * KIND_WEIGHT.get(kinds[k], 1.0) * (1.0 + math.log(n)) for k, n in counts[index].items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        if norm <= 0:
            continue
        paragraphs.append(index)
        texts.append(doc.paragraphs[index].text)
        vectors.append({k: v / norm for k, v in vec.items()})
        if rare is not None:
            words.append(rare_terms.intersection(vec))
            figures.append(figure.intersection(vec))
    return ParagraphVectors(doc.id, tuple(paragraphs), tuple(texts), tuple(vectors), tuple(words), tuple(figures))


def _rare_terms(kinds: dict[int, int], keys: np.ndarray, rarity: Rarity, rare: float) -> frozenset[int]:
    """The term keys among `keys` (in `kinds` order) in at most `rare` documents of the run."""
    if not keys.size:
        return frozenset()
    frequency = rarity.frequency(keys).tolist()
    return frozenset(k for k, df in zip(kinds, frequency) if kinds[k] == TERM and df <= rare)


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


@dataclass(frozen=True)
class Pinpoint:
    """When a pinpoint links two paragraphs below the link floor: their cosine reaches
    `similarity` and they share a figure or `words` rare terms found in no other paragraph
    of either document."""

    similarity: float
    words: int


@dataclass(frozen=True)
class Semantic:
    """Embeddings of two documents' paragraphs (`paragraphs`: the cosine matrix of a's and
    b's paragraphs) and of their sentences (`sentences`, with `owner_a`, `owner_b`: each
    sentence's paragraph position), linked from `floor`; a sentence pair links its
    paragraphs only when it is `margin` closer than they are (their other sentences
    dilute it), since in a story whose every paragraph is on one subject a sentence's best
    match is often just another line on that subject."""

    paragraphs: np.ndarray
    sentences: np.ndarray
    owner_a: np.ndarray
    owner_b: np.ndarray
    floor: float
    margin: float = 0.0


def links(a: ParagraphVectors, b: ParagraphVectors, floor: float, rank: int = 2,
          semantic: Semantic | None = None, pinpoint: Pinpoint | None = None) -> list[Match]:
    """Every paragraph pair from `floor` that is among the `rank` best matches of one of its
    two paragraphs (a fact can sit in a paragraph that is not its partner's best match),
    best first; with `pinpoint`, the pairs `pinpoints` finds too.  With `semantic`, a pair
    that passes the rank test on the paragraphs' embeddings is linked too, and so is a
    pair holding two sentences that are each other's best match (`mutual_best`) and
    closer than the paragraphs by `semantic.margin`: a fact retold in one sentence of a
    longer paragraph.  A link's similarity is the largest it was found with."""
    sims = [[cosine(x, y) for y in b.vectors] for x in a.vectors]
    found = {(i, j): sims[i][j] for i, j in _best_pairs(sims, floor, rank)}
    if pinpoint is not None:
        for i, j in pinpoints(a, b, sims, pinpoint, rank):
            found.setdefault((i, j), sims[i][j])
    if semantic is not None:
        rows = semantic.paragraphs.tolist()
        for i, j in _best_pairs(rows, semantic.floor, rank):
            found[(i, j)] = max(found.get((i, j), 0.0), rows[i][j])
        for p, q, s in mutual_best(semantic.sentences, semantic.floor):
            i, j = int(semantic.owner_a[p]), int(semantic.owner_b[q])
            if s >= rows[i][j] + semantic.margin:
                found[(i, j)] = max(found.get((i, j), 0.0), s)
    return sorted((Match(i, j, s) for (i, j), s in found.items()), key=lambda m: (-m.similarity, m.a, m.b))


def pinpoints(a: ParagraphVectors, b: ParagraphVectors, sims: list[list[float]], rule: Pinpoint,
              rank: int = 2) -> list[tuple[int, int]]:
    """Paragraph pairs (i, j) whose cosine reaches `rule.similarity`, that are among the
    `rank` best matches of one of their paragraphs, and that share a figure or `rule.words`
    rare terms, each of which its document uses in this paragraph alone.  Outlets retelling
    a fact in one sentence of a longer paragraph keep its figure or its rarest words while
    the rest of the paragraph dilutes the cosine; the words' being in one paragraph of
    each document is what ties the two paragraphs to one fact."""
    if not sims or not sims[0] or not a.words or not b.words:
        return []
    only = (_in_one(a.words) | _in_one(a.figures)) & (_in_one(b.words) | _in_one(b.figures))
    return [(i, j) for i, j in _best_pairs(sims, rule.similarity, rank)
            if a.figures[i] & b.figures[j] & only or len(a.words[i] & b.words[j] & only) >= rule.words]


def _in_one(sets: Sequence[frozenset[int]]) -> frozenset[int]:
    """The keys found in exactly one of `sets`."""
    seen = Counter(k for keys in sets for k in keys)
    return frozenset(k for k, n in seen.items() if n == 1)


def mutual_best(matrix: np.ndarray, floor: float) -> list[tuple[int, int, float]]:
    """(row, column, value) where each is the other's best from `floor`: a sentence that is
    close to many (a story's general line) is the best match of few, so it links little."""
    if not matrix.size:
        return []
    best_col = matrix.argmax(axis=1)
    best_row = matrix.argmax(axis=0)
    return [(int(p), int(q), float(matrix[p, q])) for p, q in enumerate(best_col)
            if best_row[q] == p and matrix[p, q] >= floor]


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
