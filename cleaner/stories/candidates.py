"""Candidate pairs without comparing all pairs: MinHash LSH over each document's rarest
shared evidence items.

Two reports of one event share rare items (the names, places and figures of that event);
two unrelated documents share common ones.  Each document is represented by its
`candidate_items` rarest items among those some other document has too (an item only it
has can match nothing), signed with the dedup stage's MinHash signer (datasketch's
permutations) and banded for a low Jaccard threshold; every candidate is verified after.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from cleaner.dedup.minhash import Signer, band_keys, candidate_pair_blocks, lsh_params
from cleaner.stories.evidence import Evidence
from cleaner.stories.rarity import Rarity

NUM_PERM = 64
SEED = 7
LARGE_BUCKET = 200
"""A band bucket holding more documents than this is a topic, not an event: skipped."""


def candidate_sets(evidence: Sequence[Evidence], rarity: Rarity, size: int, limit: float = np.inf) -> list[np.ndarray]:
    """Each document's `size` rarest items shared with some other document and in at most
    `limit` documents, as uint32 hashes for the signer (ties by key: deterministic)."""
    out = []
    for ev in evidence:
        df = rarity.frequency(ev.keys)
        use = (df >= 2) & (df <= limit)
        shared = ev.keys[use]
        order = np.lexsort((shared, df[use]))[:size]
        picked = shared[order]
        out.append(((picked ^ (picked >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    return out


def candidate_pairs(evidence: Sequence[Evidence], rarity: Rarity, size: int, threshold: float,
                    limit: float = np.inf, keep: Callable[[int, int], bool] | None = None
                    ) -> Iterator[tuple[int, int]]:
    """Pairs (i, j), i < j, of documents whose candidate sets (of items in at most `limit`
    documents) may reach `threshold` Jaccard, each once, in sorted order; with `keep`, only
    the pairs it accepts (tested as they are found, so the rest are never held)."""
    sets = candidate_sets(evidence, rarity, size, limit)
    filled = np.flatnonzero([s.size > 0 for s in sets])
    if filled.size < 2:
        return
    signatures = Signer(NUM_PERM, SEED).sign_many([sets[i] for i in filled])
    b, r = lsh_params(threshold, NUM_PERM)
    keys = band_keys(signatures, b, r)
    found = set()
    for i, j in candidate_pair_blocks(keys, large_size=LARGE_BUCKET, large=[]):
        pairs = zip(filled[i].tolist(), filled[j].tolist())
        found.update(pairs if keep is None else [p for p in pairs if p not in found and keep(*p)])
    yield from sorted(found)
