"""The worker side of the corpus step on Dask: pure functions over `Partition`s and shuffle pieces.

Each function is one task of cleaner.engine.dask_corpus; the decisions themselves are the
local engine's (`dedup.documents.verified_pairs` and `build_cluster`,
`dedup.passages.passage_similarity`; the driver applies `CorpusCounts.decided`), so both
engines decide alike.  Only small results
reach the driver: template-line candidates, positions, verified edges, finished clusters.
Keys are split into buckets with stable hashes (never Python's salted `hash`), so every
worker process sends a key to the same bucket.
"""
from __future__ import annotations

import dataclasses
import hashlib
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..boilerplate import CorpusCounts
from ..boilerplate.corpus import story_of
from ..config import DedupConfig
from ..dedup import DedupFeatures, document_features
from ..dedup.clusters import DuplicateCluster
from ..dedup.documents import (Entry, build_cluster, candidate_params, duplicates_in, is_judged, verbatim_key,
                                verified_pairs)
from ..dedup.minhash import band_keys, cross_component_pairs, sorted_unique
from ..dedup.passages import Node, passage_similarity
from ..models import Document
from .dask_engine import Partition

PASSAGE_SHIFT = 32
"""A passage's node id is position << 32 | its index among the document's passages."""


def _bucket(key: bytes, buckets: int) -> int:
    return zlib.crc32(key) % buckets


# --------------------------------------------------------------------------- template lines

@dataclass
class LineRows:
    """One partition's rows for one bucket: (line key, site, story) and (story, site)."""

    keyed: set[tuple[bytes, str, bytes]]
    stories: set[tuple[bytes, str]]


@dataclass
class LineCounts:
    """One bucket's distinct-story counts; only counts that can reach a floor are kept."""

    corpus: dict[bytes, int]  # line key -> distinct stories over the corpus
    site: dict[tuple[str, bytes], int]  # (site, line key) -> distinct stories of that site
    stories: int  # distinct stories whose hash falls in this bucket
    site_stories: Counter  # site -> those of its stories whose hash falls in this bucket


def line_rows(part: Partition, buckets: int) -> list[LineRows]:
    """Split a partition's line keys by key, and its stories by story (as `CorpusCounts.add`)."""
    out = [LineRows(set(), set()) for _ in range(buckets)]
    for i, row in enumerate(part.lines):
        story = story_of(row, part.start + i)
        out[_bucket(story, buckets)].stories.add((story, row.site))
        for _, k in row.lines:
            out[_bucket(k, buckets)].keyed.add((k, row.site, story))
    return out


def count_lines(pieces: list[LineRows], least: int) -> LineCounts:
    """Distinct stories per key in one bucket; counts below `least` (the lowest floor) are dropped."""
    overall: dict[bytes, set[bytes]] = defaultdict(set)
    per_site: dict[tuple[str, bytes], set[bytes]] = defaultdict(set)
    stories: set[bytes] = set()
    site_stories: Counter = Counter()
    for piece in pieces:
        for k, site, story in piece.keyed:
            overall[k].add(story)
            per_site[(site, k)].add(story)
        for story, site in piece.stories:
            if (story, site) not in stories:
                site_stories[site] += 1
        stories.update(piece.stories)
    return LineCounts({k: len(s) for k, s in overall.items() if len(s) >= least},
                      {sk: len(s) for sk, s in per_site.items() if len(s) >= least},
                      len({story for story, _ in stories}), site_stories)


def line_candidates(counts: LineCounts) -> LineCounts:
    """The part the driver needs first: everything but the per-site story counts."""
    return dataclasses.replace(counts, site_stories=Counter())


def site_stories(counts: LineCounts, sites: set[str]) -> dict[str, int]:
    return {s: counts.site_stories[s] for s in sites if s in counts.site_stories}


def affected(part: Partition, counts: CorpusCounts) -> list[int]:
    """Positions of the partition's documents with a corpus-repeat line (kept or not)."""
    return [part.start + i for i, row in enumerate(part.lines) if row.lines and counts.affects(row)]


def refreshed(part: Partition, changed: list[tuple[int, Document]], config: DedupConfig) -> Partition:
    """The partition with fresh dedup features for documents a corpus repeat changed."""
    features = list(part.features)
    for (pos, _), feats in zip(changed, document_features([d for _, d in changed], config)):
        features[pos - part.start] = feats
    return dataclasses.replace(part, features=features)


def features_of(part: Partition) -> list[DedupFeatures | None]:
    return part.features


# --------------------------------------------------------------------------- verbatim copies

@dataclass
class DigestRows:
    """(content digest, node, label) rows: nodes sharing a digest are verbatim copies.  The
    label is what the driver links by: the paragraph of a passage (its node counts passages)."""

    digest: np.ndarray  # (n, 2) uint64: 128 bits of blake2b
    node: np.ndarray  # int64
    label: np.ndarray  # int64


def _digest_rows(values: list[bytes], nodes: list[int], labels: list[int], buckets: int) -> list[DigestRows]:
    digest = np.frombuffer(b"".join(hashlib.blake2b(v, digest_size=16).digest() for v in values),
                           np.uint64).reshape(-1, 2)
    node, label = np.array(nodes, np.int64), np.array(labels, np.int64)
    where = digest[:, 0] % np.uint64(buckets)
    return [DigestRows(digest[m], node[m], label[m]) for m in (where == r for r in range(buckets))]


def document_digests(part: Partition, buckets: int, config: DedupConfig) -> list[DigestRows]:
    """Digests of the judged documents' (signature, size): equal for verbatim copies."""
    judged = [(part.start + i, f.signed) for i, f in enumerate(part.features) if is_judged(f.signed, config)]
    return _digest_rows([verbatim_key(s) for _, s in judged], [p for p, _ in judged], [0] * len(judged), buckets)


def passage_digests(part: Partition, buckets: int, config: DedupConfig) -> list[DigestRows]:
    """Digests of the passages' shingle sets (sorted: equal sets, equal bytes)."""
    values, nodes, labels = [], [], []
    for i, f in enumerate(part.features):
        for k, (pi, shingles) in enumerate(f.passages.items()):
            values.append(shingles.tobytes())
            nodes.append(((part.start + i) << PASSAGE_SHIFT) + k)
            labels.append(pi)
    return _digest_rows(values, nodes, labels, buckets)


def verbatim_links(pieces: list[DigestRows]) -> np.ndarray:
    """(copy node, first node, copy label, first label) of every node whose content an earlier
    node has (`minhash.verbatim_copies` on the cluster: a 128-bit digest stands for the bytes)."""
    digest = np.concatenate([p.digest for p in pieces])
    node = np.concatenate([p.node for p in pieces])
    label = np.concatenate([p.label for p in pieces])
    if node.size < 2:
        return np.empty((0, 4), np.int64)
    order = np.lexsort((node, digest[:, 1], digest[:, 0]))
    digest, node, label = digest[order], node[order], label[order]
    starts = np.concatenate(([True], (digest[1:] != digest[:-1]).any(axis=1)))
    first = np.flatnonzero(starts)[np.cumsum(starts) - 1]  # row of each row's group's least node
    copy = ~starts
    return np.stack([node[copy], node[first[copy]], label[copy], label[first[copy]]], axis=1)


def copies_by_owner(links: np.ndarray, starts: np.ndarray, shift: int) -> list[np.ndarray]:
    """The copy nodes of `verbatim_links`, sorted, split by the partition holding them."""
    copies = np.sort(links[:, 0])
    owner = _owners(copies, starts, shift)
    return [copies[owner == p] for p in range(len(starts))]


# --------------------------------------------------------------------------- LSH bands -> candidate pairs

@dataclass
class BandRows:
    """(band index, band key, node) rows: nodes sharing a band index and key are candidates."""

    band: np.ndarray  # int64
    key: np.ndarray  # uint64
    node: np.ndarray  # int64

    @classmethod
    def empty(cls) -> "BandRows":
        return cls(np.empty(0, np.int64), np.empty(0, np.uint64), np.empty(0, np.int64))


def _split_bands(keys: np.ndarray, nodes: np.ndarray, buckets: int) -> list[BandRows]:
    if not len(nodes):
        return [BandRows.empty() for _ in range(buckets)]
    band = np.broadcast_to(np.arange(keys.shape[1], dtype=np.int64), keys.shape).ravel()
    node = np.repeat(nodes, keys.shape[1])
    key = keys.ravel()
    where = key % np.uint64(buckets)
    return [BandRows(band[m], key[m], node[m]) for m in (where == r for r in range(buckets))]


def document_bands(part: Partition, buckets: int, config: DedupConfig, copies: np.ndarray) -> list[BandRows]:
    """Band keys of the partition's judged documents (node = position), verbatim `copies` left out."""
    skip = set(copies.tolist())
    judged = [(part.start + i, f.signed.signature) for i, f in enumerate(part.features)
              if is_judged(f.signed, config) and part.start + i not in skip]
    if not judged:
        return _split_bands(np.empty((0, 0), np.uint64), np.empty(0, np.int64), buckets)
    keys = band_keys(np.stack([s for _, s in judged]), *candidate_params(config))
    return _split_bands(keys, np.array([p for p, _ in judged], np.int64), buckets)


def passage_bands(part: Partition, buckets: int, config: DedupConfig, copies: np.ndarray) -> list[BandRows]:
    """Band keys of the partition's passages (node = position << 32 | passage index), verbatim
    `copies` left out."""
    keys, nodes = [], []
    for i, f in enumerate(part.features):
        p = f.passages
        if len(p):
            keys.append(p.bands)
            nodes.append(((part.start + i) << PASSAGE_SHIFT) + np.arange(len(p), dtype=np.int64))
    if not keys:
        return _split_bands(np.empty((0, 0), np.uint64), np.empty(0, np.int64), buckets)
    keys, nodes = np.concatenate(keys), np.concatenate(nodes)
    kept = ~np.isin(nodes, copies)
    return _split_bands(keys[kept], nodes[kept], buckets)


def _grouped(rows: BandRows) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(band, key, node) sorted by band, key and node, and the [start, end) of each (band, key) group."""
    order = np.lexsort((rows.node, rows.key, rows.band))
    band, key, node = rows.band[order], rows.key[order], rows.node[order]
    starts = np.flatnonzero(np.concatenate(([True], (band[1:] != band[:-1]) | (key[1:] != key[:-1]))))
    return band, key, node, starts, np.append(starts[1:], len(node))


def group_pairs(rows: BandRows) -> np.ndarray:
    """(n, 2) int64, each (a, b) with a < b sharing a band index and key, once each and sorted:
    the pairs `minhash.candidate_pair_blocks` finds, restricted to this bucket's keys.  Vectorised:
    element e of a group of rows [lo, hi) pairs with the hi - e - 1 rows after it."""
    n = len(rows.node)
    if n < 2:
        return np.empty((0, 2), np.int64)
    _, _, node, starts, ends = _grouped(rows)
    after = np.repeat(ends, ends - starts) - np.arange(n) - 1  # rows after each row in its group
    left = np.repeat(np.arange(n), after)
    right = left + 1 + np.arange(left.size) - np.repeat(np.cumsum(after) - after, after)
    return unique_pairs(np.stack([node[left], node[right]], axis=1))


def unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """The distinct rows of an (n, 2) array, sorted (np.unique(axis=0), several times faster)."""
    if len(pairs) < 2:
        return pairs
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    keep = np.concatenate(([True], (pairs[1:] != pairs[:-1]).any(axis=1)))
    return pairs[keep]


def _owners(nodes: np.ndarray, starts: np.ndarray, shift: int) -> np.ndarray:
    return np.searchsorted(starts, nodes >> shift, side="right") - 1


def _by_first_owner(pairs: np.ndarray, starts: np.ndarray, shift: int) -> list[np.ndarray]:
    owner = _owners(pairs[:, 0], starts, shift)
    return [pairs[owner == p] for p in range(len(starts))]


def _rows_of(pieces: list[BandRows]) -> BandRows:
    return BandRows(*(np.concatenate([getattr(p, f) for p in pieces]) for f in ("band", "key", "node")))


def candidate_pairs(pieces: list[BandRows], starts: np.ndarray, shift: int) -> list[np.ndarray]:
    """One bucket's candidate pairs, split by the partition that holds the first node."""
    return _by_first_owner(group_pairs(_rows_of(pieces)), starts, shift)


def document_candidates(pieces: list[BandRows], starts: np.ndarray, large_size: int
                        ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """`candidate_pairs` of documents, but a (band, key) group of more than `large_size`
    documents (m near-copies of one story: m²/2 pairs) gives only its star, every member
    with the first, as the local search does first (`dedup.documents`); its members
    (ascending) are returned too, for the second round (`cross_candidates`)."""
    rows = _rows_of(pieces)
    if len(rows.node) < 2:
        return _by_first_owner(np.empty((0, 2), np.int64), starts, 0), []
    band, key, node, lo, hi = _grouped(rows)
    large = (hi - lo) > large_size
    groups = [node[a:b] for a, b in zip(lo[large].tolist(), hi[large].tolist())]
    small = np.repeat(~large, hi - lo)
    stars = [np.stack([np.full(g.size - 1, g[0]), g[1:]], axis=1) for g in groups]
    pairs = unique_pairs(np.concatenate([group_pairs(BandRows(band[small], key[small], node[small])), *stars]))
    return _by_first_owner(pairs, starts, 0), groups


def cross_candidates(groups: list[np.ndarray], components: tuple[np.ndarray, np.ndarray], starts: np.ndarray
                     ) -> list[np.ndarray]:
    """The second round for the large groups of `document_candidates`: the pairs of each whose
    documents the first round left in different components (`components` is (joined, label):
    `label[k]` is the component of document `joined[k]`, sorted; any other document is alone).  With the first
    round's edges these join what verifying every pair of the group would
    (`minhash.cross_component_pairs`)."""
    joined, label = components
    out = [np.empty((0, 2), np.int64)]
    for members in groups:
        lab = members
        if joined.size:
            at = np.minimum(np.searchsorted(joined, members), joined.size - 1)
            lab = np.where(joined[at] == members, label[at], members)
        for i, j in cross_component_pairs(np.arange(members.size), lab):
            out.append(np.sort(np.stack([members[i], members[j]], axis=1), axis=1))
    return _by_first_owner(unique_pairs(np.concatenate(out)), starts, 0)


# --------------------------------------------------------------------------- joins and verification

def passage_entry(part: Partition, node: int) -> tuple[int, np.ndarray]:
    p, k = part.features[(node >> PASSAGE_SHIFT) - part.start].passages, node & 0xFFFFFFFF
    return p.paragraphs[k], p.shingles_of(k)


@dataclass
class DocumentTable:
    """Some documents' entries as arrays: a few buffers to ship, not an object per document."""

    nodes: np.ndarray  # sorted positions
    size: np.ndarray
    words: np.ndarray
    signature: np.ndarray  # (len(nodes), num_perm)

    @classmethod
    def of(cls, part: Partition, nodes: np.ndarray) -> "DocumentTable":
        signed = [part.features[n - part.start].signed for n in nodes.tolist()]
        return cls(nodes, np.array([s.size for s in signed], np.int64), np.array([s.words for s in signed], np.int64),
                   np.stack([s.signature for s in signed]) if signed else np.empty((0, 0), np.uint32))

    def get(self, i: int) -> Entry:
        return Entry("", int(self.nodes[i]), int(self.size[i]), int(self.words[i]), self.signature[i])


@dataclass
class PassageTable:
    """Some passages' (paragraph, shingles) as arrays, the shingles concatenated."""

    nodes: np.ndarray  # sorted node ids
    paragraph: np.ndarray
    offsets: np.ndarray  # shingles of node i: shingles[offsets[i]:offsets[i + 1]]
    shingles: np.ndarray

    @classmethod
    def of(cls, part: Partition, nodes: np.ndarray) -> "PassageTable":
        items = [passage_entry(part, n) for n in nodes.tolist()]
        offsets = np.concatenate(([0], np.cumsum([sh.size for _, sh in items], dtype=np.int64)))
        return cls(nodes, np.array([p for p, _ in items], np.int64), offsets,
                   np.concatenate([sh for _, sh in items]) if items else np.empty(0, np.uint32))

    def get(self, i: int) -> tuple[int, np.ndarray]:
        return int(self.paragraph[i]), self.shingles[self.offsets[i]:self.offsets[i + 1]]


@dataclass
class Attached:
    """Candidate pairs (a, b) sent to the partition holding b, with what verification needs of each a."""

    pairs: np.ndarray
    left: DocumentTable | PassageTable

    def lefts(self) -> list[int]:
        """Row of `left` for each pair."""
        return np.searchsorted(self.left.nodes, self.pairs[:, 0]).tolist()


def attach(part: Partition, buckets: int, pieces: list[np.ndarray], starts: np.ndarray, shift: int,
           table: type[DocumentTable] | type[PassageTable]) -> list[Attached]:
    """First join: this partition's candidate pairs, deduplicated, with a table of their first
    nodes' entries, split by the partition that holds the second node."""
    pairs = unique_pairs(np.concatenate(pieces)) if pieces else np.empty((0, 2), np.int64)
    owner = _owners(pairs[:, 1], starts, shift)
    out = []
    for p in range(buckets):
        mine = pairs[owner == p]
        out.append(Attached(mine, table.of(part, sorted_unique(mine[:, 0]))))
    return out


def verify_documents(part: Partition, pieces: list[Attached], config: DedupConfig) -> np.ndarray:
    """Second join: verified document pairs (earlier, later position), as `clusters_from_signed`."""
    edges = [np.empty((0, 2), np.int64)]
    for piece in pieces:
        n = len(piece.pairs)
        if n == 0:
            continue
        left = np.asarray(piece.lefts(), np.intp)
        right = DocumentTable.of(part, piece.pairs[:, 1])  # in pair order
        ok, _ = verified_pairs(np.concatenate((piece.left.signature[left], right.signature)),
                               np.concatenate((piece.left.size[left], right.size)),
                               np.arange(n), np.arange(n, 2 * n), config)
        edges.append(piece.pairs[ok])
    return np.concatenate(edges)


@dataclass
class PassageEdges:
    """Verified passage pairs as arrays (a list of tuples is slow to ship)."""

    nodes: np.ndarray  # (n, 4) int64: position, paragraph of the first passage, then of the second
    similarity: np.ndarray  # (n,) float64, exact Jaccard

    def __iter__(self) -> Iterator[tuple[Node, Node, float]]:
        for (da, pa, db, pb), sim in zip(self.nodes.tolist(), self.similarity.tolist()):
            yield (da, pa), (db, pb), sim


def verify_passages(part: Partition, pieces: list[Attached], config: DedupConfig) -> PassageEdges:
    """Second join: verified passage pairs with their exact Jaccard."""
    nodes, sims = [], []
    for piece in pieces:
        for (a, b), i in zip(piece.pairs.tolist(), piece.lefts()):
            pa, sa = piece.left.get(i)
            pb, sb = passage_entry(part, b)
            sim = passage_similarity(sa, sb)
            if sim >= config.passage_threshold:
                nodes.append((a >> PASSAGE_SHIFT, pa, b >> PASSAGE_SHIFT, pb))
                sims.append(sim)
    return PassageEdges(np.array(nodes, np.int64).reshape(-1, 4), np.array(sims, np.float64))


def within_repeats(part: Partition) -> list[tuple[int, list[list[int]]]]:
    """(position, paragraph groups) of exact repeats inside a document."""
    return [(part.start + i, f.passages.within) for i, f in enumerate(part.features) if f.passages.within]


# --------------------------------------------------------------------------- document clusters

@dataclass
class Members:
    """Cluster members of one partition for one bucket: cluster number, unique key, entry."""

    cluster: list[int]
    keys: list[str]
    table: DocumentTable

    def entries(self) -> Iterator[tuple[int, Entry]]:
        for i, (cluster, key) in enumerate(zip(self.cluster, self.keys)):
            yield cluster, dataclasses.replace(self.table.get(i), key=key)


def member_entries(part: Partition, buckets: int, members: dict[int, tuple[int, str]]) -> list[Members]:
    """The partition's cluster members split by cluster number; `members` maps position ->
    (cluster number, unique key)."""
    split: list[list[tuple[int, int, str]]] = [[] for _ in range(buckets)]
    for pos, (cluster, key) in sorted(members.items()):
        split[cluster % buckets].append((pos, cluster, key))
    return [Members([c for _, c, _ in rows], [k for _, _, k in rows],
                    DocumentTable.of(part, np.array([p for p, _, _ in rows], np.int64))) for rows in split]


def clusters_of(pieces: list[Members], config: DedupConfig
                ) -> list[tuple[int, DuplicateCluster, dict[int, tuple[str, float]]]]:
    """(representative's position, cluster, duplicate_of) of every cluster in this bucket."""
    members: dict[int, list[Entry]] = defaultdict(list)
    for piece in pieces:
        for cluster, entry in piece.entries():
            members[cluster].append(entry)
    out = []
    for entries in members.values():
        entries.sort(key=lambda e: (e.seq, e.key))
        cluster = build_cluster(entries, config)
        by_key = {e.key: e for e in entries}
        duplicate_of = dict(duplicates_in(cluster, by_key, {e.key: e.seq for e in entries}, config))
        out.append((by_key[cluster.representative].seq, cluster, duplicate_of))
    return out
