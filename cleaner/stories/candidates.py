"""Candidate pairs without comparing all pairs: documents that share rare names or figures.

Two reports of one event share rare items (the names, places and figures of that event);
two unrelated documents share common ones, or a rare one by chance.  Each document is
represented by its `candidate_items` rarest names and figures among those some other
document has too and that are rare in the run (`verify.rare_limit`); the pairs that share
at least `candidate_shared` of them are counted exactly, an item at a time (a sort, then
the pairs of each item's documents), and only those are screened.  The screen asks for
three shared rare names, so a pair sharing fewer candidate items is rarely one it keeps;
chance pairs that share one rare name, which grow faster than the run, are never screened.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from cleaner.stories.evidence import NAME, Evidence
from cleaner.stories.rarity import Rarity
from cleaner.stories.verify import rare_limit


def candidate_items(ev: Evidence) -> np.ndarray:
    """Which of a document's items the search can pair documents on: names and specific
    figures (the persistent index posts only these)."""
    return (ev.kinds == NAME) | ev.figure


def candidate_sets(evidence: Sequence[Evidence], rarity: Rarity, size: int, rare_documents: int) -> list[np.ndarray]:
    """Each document's `size` rarest items shared with some other document and rare in the
    run (`verify.rare_limit`), as their item keys (ties by key: deterministic).  A pair passes the screen only by sharing rare names, so an item in
    more documents than that can bring no pair the screen keeps; kept, such items made
    every document of a one-topic run a candidate of a tenth of the others."""
    limit = rare_limit(rarity, rare_documents)
    out = []
    for ev in evidence:
        df = rarity.frequency(ev.keys)
        usable = (df >= 2) & (df <= limit) & candidate_items(ev)
        shared = ev.keys[usable]
        order = np.lexsort((shared, df[usable]))[:size]
        out.append(shared[order])
    return out


class TooManyCandidates(Exception):
    """More pairs of documents share candidate items than the search may count."""

    def __init__(self, budget: int, documents: int) -> None:
        super().__init__(f"more than {budget:,} pairs of documents sharing a rare name among {documents:,} "
                         f"documents (stories.max_candidate_pairs)")
        self.budget = budget


def sharing_cap(sizes: np.ndarray, budget: int) -> int | None:
    """The most documents an item may be shared by for the pairs of all items shared by so
    few to fit `budget` (None when even the items two documents share make more pairs).

    >>> sharing_cap(np.array([2, 2, 3, 5, 40]), 20), sharing_cap(np.array([2, 2, 2]), 2)
    (5, None)
    """
    distinct, count = np.unique(sizes[sizes >= 2], return_counts=True)
    fits = distinct[np.cumsum(count * (distinct * (distinct - 1) // 2)) <= budget]
    return int(fits[-1]) if fits.size else None


PASS_PAIRS = 4_000_000
"""Pairs of documents sharing an item that one counting pass holds (8 bytes each, twice)."""


def _pair_codes(docs: np.ndarray, groups: list[tuple[int, np.ndarray]], n: int) -> Iterator[np.ndarray]:
    """i * n + j of every pair (i < j) of documents that share an item, item by item, in
    blocks of about `PASS_PAIRS` (a pair appears once per item the two share)."""
    for m, rows in groups:
        first, second = np.triu_indices(m, 1)
        step = max(1, PASS_PAIRS // len(first))
        for at in range(0, rows.size, step):
            members = docs[rows[at:at + step, None] + np.arange(m)]  # a row per item: its m documents
            yield members[:, first].ravel() * n + members[:, second].ravel()


def _shared_by(codes: np.ndarray, shared: int) -> np.ndarray:
    """The distinct codes that occur at least `shared` times."""
    pairs, counts = np.unique(codes, return_counts=True)
    return pairs[counts >= shared]


def candidate_pairs(evidence: Sequence[Evidence], rarity: Rarity, size: int, shared: int,
                    rare_documents: int = 5, budget: int | None = None,
                    limited: Callable[[str], None] | None = None, scratch: str | None = None
                    ) -> Iterator[tuple[int, int]]:
    """Pairs (i, j), i < j, of documents whose candidate sets share at least `shared` items,
    each once, in sorted order.  The pairs of documents sharing an item are counted before
    they are made.  Past `budget` of them, only the items shared by the fewest documents
    pair documents, as many as fit (`sharing_cap`), and `limited` is told so: a large
    one-topic run, whose chance names a few hundred documents share, still has its stories
    looked for among the rarer items rather than none at all.  When even the items two
    documents share make too many pairs, it raises `TooManyCandidates`.  The pairs are made
    once, in blocks, and each block's pairs are appended to the file of their (i + j)
    residue class in a temporary folder under `scratch` (8 bytes a pair); each file, about
    `PASS_PAIRS` pairs, is then counted alone, so memory stays with the pass, not with the
    run, and no pair is made twice."""
    sets = candidate_sets(evidence, rarity, size, rare_documents)
    n = len(sets)
    lengths = np.fromiter((s.size for s in sets), np.int64, n)
    if n < 2 or lengths.sum() == 0:
        return
    docs = np.repeat(np.arange(n, dtype=np.int64), lengths)
    items = np.concatenate(sets)
    order = np.lexsort((docs, items))  # by item, then document: each item's documents ascending
    items, docs = items[order], docs[order]
    starts = np.flatnonzero(np.r_[True, items[1:] != items[:-1]])
    sizes = np.diff(np.r_[starts, items.size])
    occurrences = int((sizes * (sizes - 1) // 2).sum())
    cap = int(sizes.max())
    if budget is not None and occurrences > budget:
        cap = sharing_cap(sizes, budget)
        if cap is None:
            raise TooManyCandidates(budget, n)
        left_out = sizes > cap
        if limited is not None:
            limited(f"{occurrences:,} pairs of documents share a rare name among {n:,} documents, over "
                    f"stories.max_candidate_pairs ({budget:,}): the {int(left_out.sum()):,} names and figures "
                    f"shared by more than {cap} documents paired none")
        occurrences = int((sizes[~left_out] * (sizes[~left_out] - 1) // 2).sum())
    groups = [(m, starts[sizes == m]) for m in np.unique(sizes[(sizes >= 2) & (sizes <= cap)]).tolist()]
    passes = max(1, -(-occurrences // PASS_PAIRS))
    if passes == 1:
        codes = list(_pair_codes(docs, groups, n))
        found = [_shared_by(np.concatenate(codes), shared)] if codes else []
    else:
        with tempfile.TemporaryDirectory(prefix="candidates-", dir=scratch) as folder:
            parts = [os.path.join(folder, f"{residue}.int64") for residue in range(passes)]
            for codes in _pair_codes(docs, groups, n):
                residue = (codes // n + codes % n) % passes  # (i + j) mod passes
                order = np.argsort(residue, kind="stable")
                bounds = np.searchsorted(residue[order], np.arange(passes + 1))
                codes = codes[order]
                for r in np.flatnonzero(np.diff(bounds)).tolist():
                    with open(parts[r], "ab") as fh:
                        codes[bounds[r]:bounds[r + 1]].tofile(fh)
            found = [_shared_by(np.fromfile(path, np.int64), shared) for path in parts if os.path.exists(path)]
    kept = np.sort(np.concatenate(found)) if found else np.zeros(0, np.int64)
    yield from zip((kept // n).tolist(), (kept % n).tolist())
