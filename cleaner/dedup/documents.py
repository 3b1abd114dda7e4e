"""Document-level near-duplicates: sign, find LSH candidates, verify, cluster, pick a representative.

Verification (why containment by default).  A reprint differs from its source by
one-sided edits: the ending trimmed (the copy loses text), paragraphs, widgets or a new
headline added (the copy gains text).  Jaccard charges every one-sided change against
both sides, so a copy trimmed by a third falls to ~0.6 while unrelated news stays below
0.15.  The overlap coefficient |A n B| / min(|A|, |B|) ("containment of the shorter in the
longer") stays near 1 for trimmed copies and near 0.9 for padded ones.  It is estimated
without the shingle sets: the signatures give Jaccard J, the index keeps each document's
exact distinct-shingle count, and |A n B| = J (|A| + |B|) / (1 + J).  Containment alone
would call a short brief a copy of any long article that quotes it, so a pair must also
reach `min_jaccard` (which bounds how much shorter one side may be: at containment 0.7
and min_jaccard 0.3 the shorter must be at least 39% as long as the longer).  The LSH bands
are tuned so pairs at `min_jaccard` are found with >= 98% probability; everything the
LSH returns is verified, so LSH noise costs time, never precision.  On the dev set
(benchmarks/make_dup_devset.py) this measure scores higher F1 than verifying estimated
Jaccard at any threshold; see docs/dedup.md.  `measure = "jaccard"` is kept for
comparison.

Estimating from signatures (not exact sets) keeps the persistent index small (512 bytes
per document at 128 permutations) and makes in-batch and cross-run decisions identical.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.dedup.clusters import ClusterMember, DuplicateCluster, UnionFind
from cleaner.config import DedupConfig
from cleaner.dedup.index import Entry, Index
from cleaner.dedup.minhash import (Signer, band_keys, candidate_pair_blocks, cross_component_pairs, lsh_params,
                                   verbatim_copies)
from cleaner.dedup.packing import Packed, packed, unpacked
from cleaner.models import Document
from cleaner.dedup.shingle import concat_ranges, segment_distinct, segment_shingles

TOKENIZER = "w+blake2b-poly-v1"  # bump when shingle hashing changes: stored signatures depend on it
REPRESENTATIVE_RULES = ("earliest", "longest", "most-complete")


@dataclass(frozen=True)
class Signed:
    """A batch document's shingle summary (signature empty when too short to judge)."""

    size: int  # distinct shingles
    words: int
    signature: np.ndarray

    def __reduce__(self):
        return _signed, (self.size, self.words, packed(self.signature))


def _signed(size: int, words: int, signature: Packed) -> Signed:
    return Signed(size, words, unpacked(*signature))


@dataclass(frozen=True)
class SignedColumns:
    """Many documents' `Signed` as three arrays, to send to another process at once: 10k
    `Signed` took 24 ms to pickle (in a pool thread, holding the lock the main process
    needs meanwhile) and 16 ms to load; arrays pickle as their bytes."""

    sizes: np.ndarray
    words: np.ndarray
    signatures: np.ndarray  # one row a document

    @classmethod
    def of(cls, signed: Sequence[Signed], num_perm: int) -> "SignedColumns":
        signatures = (np.stack([s.signature for s in signed]) if signed
                      else np.empty((0, num_perm), dtype=np.uint32))
        return cls(np.array([s.size for s in signed], dtype=np.int64),
                   np.array([s.words for s in signed], dtype=np.int64), signatures)

    def rows(self) -> list[Signed]:
        return [Signed(size, words, sig)
                for size, words, sig in zip(self.sizes.tolist(), self.words.tolist(), self.signatures)]


def sign_token_ranges(th: np.ndarray, starts: np.ndarray, ends: np.ndarray, signer: Signer, k: int
                      ) -> list[Signed]:
    """Signatures of documents whose token hashes are ``th[starts[i]:ends[i]]`` (their
    paragraphs' tokens end to end).  Only distinct shingles are signed: same minimum."""
    shingles, bounds = segment_distinct(*segment_shingles(th, starts, ends, k))
    sigs = signer.sign_segments(shingles, bounds)
    return [Signed(size, words, sig)
            for size, words, sig in zip(np.diff(bounds).tolist(), (ends - starts).tolist(), sigs)]


def document_texts(doc: Document) -> list[str]:
    """What dedup tokenises of a document, in this order: its paragraphs, then its title
    ("" if none).  `document_features` tokenises a whole batch of these at once."""
    return [p.text for p in doc.paragraphs] + [doc.title or ""]


def body_tokens(docs: Sequence[Document], th: np.ndarray, bounds: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The token hashes of each document's body (kept paragraphs end to end), picked out of
    those of the documents' `document_texts` (`token_hashes_many`): (hashes, starts, ends)."""
    kept: list[int] = []
    counts = [0]
    at = 0
    for d in docs:
        kept.extend(at + pi for pi, p in enumerate(d.paragraphs) if p.kept)
        counts.append(len(kept))
        at += len(d.paragraphs) + 1
    picked = np.asarray(kept, dtype=np.intp)
    lengths = bounds[picked + 1] - bounds[picked]
    ends = np.concatenate(([0], np.cumsum(lengths)))[counts]
    return th[concat_ranges(bounds[picked], lengths)], ends[:-1], ends[1:]


def similarity(a: Entry, b: Entry, measure: str) -> tuple[float, float]:
    """(score compared with the threshold, estimated Jaccard) for two indexed documents."""
    score, j = similarities(np.count_nonzero(a.signature == b.signature), a.signature.size, a.size, b.size, measure)
    return float(score), float(j)


def similarities(equal, num_perm: int, size_a, size_b, measure: str):
    """`similarity` from the number of agreeing signature slots and the distinct-shingle
    counts, elementwise over arrays of pairs (the same float operations in the same order)."""
    j = equal / num_perm
    if measure == "jaccard":
        return j, j
    inter = j * (size_a + size_b) / (1.0 + j)
    return np.minimum(1.0, inter / np.maximum(1, np.minimum(size_a, size_b))), j


VERIFY_BLOCK = 1 << 16
"""Candidate pairs verified per numpy pass (two signature gathers of this many rows)."""
LARGE_BUCKET = 256
"""A band bucket with more members than this is searched as a star first (`_clusters_in_memory`)."""
RELABEL_JOINS = 1024
"""Joins in one pass after which the in-memory search relabels the components (n finds) so
that later passes skip pairs already joined: many joins at once mean near-copies."""


def verified_pairs(signatures: np.ndarray, sizes: np.ndarray, i: np.ndarray, j: np.ndarray,
                   config: DedupConfig, low: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs (i, j) of rows of `signatures` that `verified` accepts, in input order.

    Most candidates are LSH noise (on news, 1 in 300 passes), so they are screened first on
    the signatures' low bytes (`low`, ``signatures.astype(np.uint8)``: pass it when verifying
    many batches against the same signatures), a quarter of the bytes to gather: slots equal
    in full are equal in their low byte, so the low-byte count bounds the equal count from
    above, and a pair that fails at its bound fails exactly (`passes` grows with the equal
    count; a test checks every count).  Survivors are verified on the full signatures."""
    if low is None:
        low = signatures.astype(np.uint8)
    keep = _passing(low, sizes, i, j, config)
    i, j = i[keep], j[keep]
    keep = _passing(signatures, sizes, i, j, config)
    return i[keep], j[keep]


def _passing(signatures: np.ndarray, sizes: np.ndarray, i: np.ndarray, j: np.ndarray,
             config: DedupConfig) -> np.ndarray:
    """Mask of the pairs whose count of equal slots in `signatures` `passes`."""
    ok = np.zeros(i.size, bool)
    for lo in range(0, i.size, VERIFY_BLOCK):
        a, b = i[lo:lo + VERIFY_BLOCK], j[lo:lo + VERIFY_BLOCK]
        equal = np.count_nonzero(np.take(signatures, a, axis=0) == np.take(signatures, b, axis=0), axis=1)
        ok[lo:lo + a.size] = passes(equal, signatures.shape[1], sizes[a], sizes[b], config)
    return ok


def passes(equal, num_perm: int, size_a, size_b, config: DedupConfig):
    """`verified` from the number of agreeing signature slots, elementwise over arrays of pairs."""
    score, jac = similarities(equal, num_perm, size_a, size_b, config.measure)
    return (score >= config.threshold) & (jac >= _jaccard_floor(config))


def candidate_params(config: DedupConfig) -> tuple[int, int]:
    floor = config.threshold if config.measure == "jaccard" else config.min_jaccard
    return lsh_params(floor, config.num_perm)


def check_config(config: DedupConfig) -> None:
    if config.representative not in REPRESENTATIVE_RULES:
        raise ValueError(f"dedup.representative must be one of {', '.join(REPRESENTATIVE_RULES)}, "
                         f"not {config.representative!r}")
    if config.measure not in ("containment", "jaccard"):
        raise ValueError(f"dedup.measure must be containment or jaccard, not {config.measure!r}")


def clusters_from_signed(keys: list[str], signed: Iterable[Signed], config: DedupConfig, signer: Signer
                         ) -> tuple[list[DuplicateCluster], dict[int, tuple[str, float]]]:
    """Document clusters from per-document shingle summaries (computed wherever the documents
    were cleaned), in input order; `keys` are unique.  Returns the clusters and, for every
    member that is not its cluster's representative, position -> (representative, similarity).
    Updates the index."""
    check_config(config)
    if config.index is None:
        return _clusters_in_memory(keys, signed, config)
    index = Index(config.index, "document", signer, candidate_params(config),
                  {"shingle_size": config.shingle_size, "tokenizer": TOKENIZER})
    base = index.next_seq()
    entries: dict[str, Entry] = {}
    uf = UnionFind()
    first_copy: dict[bytes, str] = {}
    for i, s in enumerate(signed):
        if not is_judged(s, config):
            continue  # too short to tell a reprint from shared phrasing
        old = index.get(keys[i])
        entry = Entry(keys[i], old.seq if old else base + i, s.size, s.words, s.signature)
        first = first_copy.setdefault(verbatim_key(s), entry.key)
        if first != entry.key:
            # a verbatim copy: its query would verify what its first copy's did, plus the first
            # copy itself (m copies of a wire story would cost m²/2 verifications)
            uf.union(entry.key, first)
        else:
            for key in index.candidates(s.signature):
                other = entries.get(key) or index.get(key)
                if key == entry.key or other is None:
                    continue
                if verified(entry, other, config):
                    uf.union(entry.key, key)
                    entries.setdefault(key, other)
        entries[entry.key] = entry
        index.add(entry)
    clusters = _clusters(uf, entries, index, config)
    for cluster in clusters:
        for m in cluster.members:
            index.set_rep(m.doc, cluster.representative)
    index.commit()
    return clusters, _duplicate_of(clusters, keys, entries, config)


def _component_labels(rows: UnionFind, n: int) -> np.ndarray:
    """The root of each of rows 0..n-1: rows with equal labels are joined."""
    return np.fromiter((rows.find(r) for r in range(n)), dtype=np.intp, count=n)


def verbatim_key(signed: Signed) -> bytes:
    """Equal for verbatim copies: the same signature and distinct-shingle count, which any
    verification passes with similarity 1."""
    return signed.signature.tobytes() + signed.size.to_bytes(8, "little")


def _clusters_in_memory(keys: list[str], signed: Iterable[Signed], config: DedupConfig
                        ) -> tuple[list[DuplicateCluster], dict[int, tuple[str, float]]]:
    """`clusters_from_signed` without a persistent index: the same decisions, with the
    candidates found by sorting 64-bit band keys (`minhash.candidate_pair_blocks`) instead of a
    MinHashLSH, whose Python bucket entry per band and document (64 bands at min_jaccard
    0.3) costs ~20 KB a document.  Every pair sharing a band is verified, as the LSH query
    of each document against the ones before it would have it verified, unless it is
    already joined: the clusters are the components, whatever joined them."""
    b, r = candidate_params(config)
    signed = list(signed)
    judged = np.array([i for i, s in enumerate(signed) if is_judged(s, config)], dtype=np.intp)
    uf = UnionFind()
    linked: set[int] = set()  # positions joined to another: the only ones a cluster needs an Entry of
    if judged.size:
        signatures = np.array([signed[i].signature for i in judged.tolist()])
        sizes = np.array([signed[i].size for i in judged.tolist()], dtype=np.int64)
        # a verbatim copy (same signature and size) always passes verification: linked to its
        # first copy, and left out of the candidate search
        bands = np.concatenate([band_keys(signatures[lo:lo + 4096], b, r) for lo in range(0, judged.size, 4096)])
        firsts, copies = verbatim_copies(bands[:, 0], lambda i: verbatim_key(signed[int(judged[i])]))
        low = signatures.astype(np.uint8)  # verified_pairs' screen, made once for every pass
        rows = UnionFind()  # over rows of `signatures`
        for copy, first in copies:
            rows.union(first, copy)
        label = _component_labels(rows, judged.size)

        def join(block_i: np.ndarray, block_j: np.ndarray, label: np.ndarray) -> np.ndarray:
            """Verify rows block_i[k], block_j[k] and join those that pass; the labels after."""
            for lo in range(0, block_i.size, VERIFY_BLOCK):
                i, j = block_i[lo:lo + VERIFY_BLOCK], block_j[lo:lo + VERIFY_BLOCK]
                # clusters depend only on the components, so a pair already joined is not
                # verified: m near-copies of one story are m²/2 candidates, most joined early
                open_ = label[i] != label[j]  # a stale label is finer than the components, never coarser
                vi, vj = verified_pairs(signatures, sizes, i[open_], j[open_], config, low)
                for x, y in zip(vi.tolist(), vj.tolist()):
                    rows.union(x, y)
                if vi.size >= RELABEL_JOINS:
                    label = _component_labels(rows, judged.size)
            return label

        # A band bucket of m near-copies (one story, each copy edited) is m²/2 candidate
        # pairs even when most are skipped as joined: such buckets are searched as a star
        # first (every member against the first), then only across what is still apart.
        large: list[np.ndarray] = []
        for block_i, block_j in candidate_pair_blocks(bands[firsts], large_size=LARGE_BUCKET, large=large):
            label = join(firsts[block_i], firsts[block_j], label)
        for bucket in large:
            members = firsts[bucket]
            label = join(np.full(members.size - 1, members[0]), members[1:], label)
            # the bucket's own labels brought up to date (a label is a row that was its
            # row's root at some point, so equal labels still mean joined): O(m), not O(n)
            label[members] = [rows.find(m) for m in members.tolist()]
            for i, j in cross_component_pairs(members, label, VERIFY_BLOCK):
                label = join(i, j, label)
        for group in rows.groups():
            positions = [int(judged[r]) for r in group]
            linked.update(positions)
            for pos in positions[1:]:
                uf.union(keys[positions[0]], keys[pos])
    entries = {keys[i]: Entry(keys[i], i, signed[i].size, signed[i].words, signed[i].signature) for i in sorted(linked)}
    clusters = _clusters(uf, entries, None, config)
    return clusters, _duplicate_of(clusters, keys, entries, config)


def is_judged(signed: Signed, config: DedupConfig) -> bool:
    """Whether a document is long enough to judge (shorter ones are never clustered)."""
    return signed.size >= config.min_shingles


def verified(a: Entry, b: Entry, config: DedupConfig) -> bool:
    """A candidate pair is a duplicate when it passes the threshold and the Jaccard floor."""
    score, j = similarity(a, b, config.measure)
    return score >= config.threshold and j >= _jaccard_floor(config)


def _duplicate_of(clusters: list[DuplicateCluster], keys: list[str], entries: dict[str, Entry],
                  config: DedupConfig) -> dict[int, tuple[str, float]]:
    """Position of each non-representative document of this batch -> (representative, score).
    Members from earlier runs (not in `keys`) are left out."""
    position = {k: i for i, k in enumerate(keys)}
    return {pos: dup for cluster in clusters for pos, dup in duplicates_in(cluster, entries, position, config)}


def duplicates_in(cluster: DuplicateCluster, entries: Mapping[str, Entry], position: Mapping[str, int],
                  config: DedupConfig) -> Iterator[tuple[int, tuple[str, float]]]:
    """(position, (representative, score)) of each member of `cluster` that has a position
    and is not the representative (shared by the driver and the Dask engine)."""
    rep = cluster.representative
    for m in cluster.members:
        pos = position.get(m.doc)
        if pos is not None and m.doc != rep:
            yield pos, (rep, similarity(entries[m.doc], entries[rep], config.measure)[0])


def _jaccard_floor(config: DedupConfig) -> float:
    return 0.0 if config.measure == "jaccard" else config.min_jaccard


def unique_keys(ids: Iterable[str]) -> list[str]:
    """A key per document that no other has: its id, then `id#1`, `id#2`... for repeats."""
    seen: dict[str, int] = {}
    keys = []
    for doc_id in ids:
        n = seen.get(doc_id, 0)
        seen[doc_id] = n + 1
        keys.append(doc_id if n == 0 else f"{doc_id}#{n}")
    return keys


def _clusters(uf: UnionFind, entries: dict[str, Entry], index: Index | None,
              config: DedupConfig) -> list[DuplicateCluster]:
    # A document from an earlier run brings the representative it was clustered under.
    for key in list(entries):
        rep = entries[key].rep
        if rep and rep not in entries and index is not None and (e := index.get(rep)) is not None:
            entries[rep] = e
        if rep and rep in entries:
            uf.union(key, rep)
    ordered = sorted(entries, key=lambda k: (entries[k].seq, k))
    out = [build_cluster([entries[k] for k in group], config) for group in uf.groups(ordered)]
    return sorted(out, key=lambda c: (entries[c.representative].seq, c.representative))


def build_cluster(members: list[Entry], config: DedupConfig) -> DuplicateCluster:
    """One document cluster from its members in order of first sight (shared by the driver
    and the Dask engine, which builds each cluster where its members' entries meet)."""
    rep = _representative(members, config)
    sims = [similarity(m, rep, config.measure)[0] for m in members if m is not rep]
    return DuplicateCluster("document", min(sims), tuple(ClusterMember(m.key) for m in members), rep.key)


def _representative(members: list[Entry], config: DedupConfig) -> Entry:
    """Members are in order of first sight; ties go to the earliest."""
    rule = config.representative
    if rule == "earliest":
        return members[0]
    if rule == "longest":
        return max(members, key=lambda m: (m.words, -m.seq))

    # Most complete: holds the most of the content that at least two members share, so
    # neither its own additions (widgets, inserted paragraphs: what `longest` rewards) nor
    # another member's count.  Estimated per MinHash slot: the slot's minimum is a random
    # element of the union; it is shared if two members hold it, and m holds it if m's value
    # is the minimum.
    sigs = np.stack([m.signature for m in members])
    holds = sigs == sigs.min(axis=0)
    score = np.count_nonzero(holds & (holds.sum(axis=0) >= 2), axis=1)
    return members[int(np.argmax(score))]  # argmax: the first (earliest) of equals
