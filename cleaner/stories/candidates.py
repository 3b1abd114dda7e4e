"""Candidate pairs without comparing all pairs: MinHash LSH over each document's rarest
shared evidence items.

Two reports of one event share rare items (the names, places and figures of that event);
two unrelated documents share common ones.  Each document is represented by its
`candidate_items` rarest items among those some other document has too (an item only it
has can match nothing), signed with the dedup stage's MinHash signer (datasketch's
permutations) and banded for a low Jaccard threshold; every candidate is verified after.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from cleaner.dedup.minhash import Signer, band_keys, candidate_pair_blocks, lsh_params
from cleaner.stories.evidence import NAME, Evidence
from cleaner.stories.rarity import Rarity
from cleaner.stories.verify import rare_limit

NUM_PERM = 64
SEED = 7
LARGE_BUCKET = 200
"""A band bucket holding more documents than this is a topic, not an event: skipped."""


def candidate_sets(evidence: Sequence[Evidence], rarity: Rarity, size: int, rare_documents: int) -> list[np.ndarray]:
    """Each document's `size` rarest items shared with some other document and rare in the
    run (`verify.rare_limit`), as uint32 hashes for the signer (ties by key:
    deterministic).  A pair passes the screen only by sharing rare names, so an item in
    more documents than that can bring no pair the screen keeps; kept, such items made
    every document of a one-topic run a candidate of a tenth of the others."""
    limit = rare_limit(rarity, rare_documents)
    out = []
    for ev in evidence:
        df = rarity.frequency(ev.keys)
        usable = (df >= 2) & (df <= limit) & ((ev.kinds == NAME) | ev.figure)
        shared = ev.keys[usable]
        order = np.lexsort((shared, df[usable]))[:size]
        picked = shared[order]
        out.append(((picked ^ (picked >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    return out


class TooManyCandidates(Exception):
    """The candidate search found more pairs than its budget allows."""

    def __init__(self, budget: int, documents: int) -> None:
        super().__init__(f"more than {budget:,} candidate pairs among {documents:,} documents "
                         f"(stories.max_candidate_pairs)")
        self.budget = budget


def candidate_pairs(evidence: Sequence[Evidence], rarity: Rarity, size: int, threshold: float,
                    rare_documents: int = 5, budget: int | None = None) -> Iterator[tuple[int, int]]:
    """Pairs (i, j), i < j, of documents whose candidate sets may reach `threshold` Jaccard,
    each once, in sorted order.  Past `budget` pairs it raises `TooManyCandidates` (memory
    stays within the budget): documents that share rare names by chance make the pairs
    grow faster than the run, and each pair costs a screen."""
    sets = candidate_sets(evidence, rarity, size, rare_documents)
    filled = np.flatnonzero([s.size > 0 for s in sets])
    if filled.size < 2:
        return
    signatures = Signer(NUM_PERM, SEED).sign_many([sets[i] for i in filled])
    b, r = lsh_params(threshold, NUM_PERM)
    keys = band_keys(signatures, b, r)
    found = set()
    for i, j in candidate_pair_blocks(keys, large_size=LARGE_BUCKET, large=[]):
        found.update(zip(filled[i].tolist(), filled[j].tolist()))
        if budget is not None and len(found) > budget:
            raise TooManyCandidates(budget, len(evidence))
    yield from sorted(found)
