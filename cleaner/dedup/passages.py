"""Passage-level duplicates: paragraphs repeated across documents or inside one document.

Across documents, a passage is a kept paragraph of at least `passage_min_words` words
(shorter lines are bylines, captions and widgets, which the boilerplate stage owns).
Passages are signed with the document signer on `passage_shingle_size`-word shingles
(short texts need short shingles: one changed word in a 15-word paragraph destroys 5 of
11 five-word shingles but 3 of 13 three-word ones), candidates are the pairs sharing an
LSH band for `passage_threshold` (the bands MinHashLSH would use, kept as one 64-bit key
per band: a corpus has many passages, and a Python bucket entry per band and passage
does not fit in memory at 100k documents), and each candidate pair is verified by exact
Jaccard of the two shingle sets (they are at hand and tiny).

Inside one document, every non-title paragraph counts -- kept or dropped -- once it has
`within_doc_min_words` words, and repeats are exact after normalisation.  Dropped ones
count because the typical case is a page that appends a second story: its headline
appears twice, and the boilerplate stage has usually dropped both copies as part of the
appended story; the repeat is still a fact about the document worth reporting.  The
document's own title is skipped: its single repeat in the body is the repeated-title
rule's business.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.dedup.clusters import ClusterMember, DuplicateCluster, UnionFind
from cleaner.config import DedupConfig
from cleaner.dedup.packing import Packed, packed, unpacked
from cleaner.dedup.minhash import Signer, band_keys, candidate_pair_blocks, lsh_params, verbatim_copies
from cleaner.models import Document, PassageRef, Verdict
from cleaner.dedup.shingle import segment_distinct, segment_shingles

DROP_REASON = "duplicate-passage"

Node = tuple[int, int]  # (document position in the batch, paragraph index)


@dataclass
class PassageFeatures:
    """One document's passages, computed where it is cleaned (no text kept).

    Passage k is paragraph `paragraphs[k]`, its distinct shingle hashes (sorted) are
    `shingles[cuts[k]:cuts[k + 1]]` (`shingles_of`); `bands`: their LSH band keys (one row
    of `b` uint64 per passage, see `band_keys`; the signatures themselves are not kept);
    `within`: paragraph indexes repeated exactly inside the document, one group per text.
    The shingles are one array, not one per passage: every document's features cross a
    pipe and are held by the main process until the run ends, and an array object per
    passage cost a document ~1.7 KB of memory and ~30 µs of pickling.
    """

    paragraphs: list[int]
    cuts: np.ndarray  # int64, one more than there are passages
    shingles: np.ndarray  # uint32
    bands: np.ndarray
    within: list[list[int]]

    @classmethod
    def of(cls, passages: Sequence[tuple[int, np.ndarray]], within: list[list[int]],
           bands: np.ndarray | None = None) -> "PassageFeatures":
        """From (paragraph index, sorted distinct shingle hashes) pairs."""
        sizes = [sh.size for _, sh in passages]
        shingles = np.concatenate([sh for _, sh in passages]) if passages else np.empty(0, np.uint32)
        return cls([pi for pi, _ in passages], np.concatenate(([0], np.cumsum(sizes, dtype=np.int64))),
                   shingles.astype(np.uint32, copy=False), bands, within)

    def __len__(self) -> int:
        return len(self.paragraphs)

    def shingles_of(self, k: int) -> np.ndarray:
        return self.shingles[self.cuts[k]:self.cuts[k + 1]]

    def items(self) -> list[tuple[int, np.ndarray]]:
        """(paragraph index, shingles) of each passage."""
        cuts = self.cuts.tolist()
        return [(pi, self.shingles[cuts[k]:cuts[k + 1]]) for k, pi in enumerate(self.paragraphs)]

    def __reduce__(self):
        bands = packed(self.bands) if self.bands is not None else None
        return _passage_features, (self.paragraphs, packed(self.cuts), packed(self.shingles), bands, self.within)


def _passage_features(paragraphs: list[int], cuts: Packed, shingles: Packed, bands: Packed | None,
                      within: list[list[int]]) -> PassageFeatures:
    return PassageFeatures(paragraphs, unpacked(*cuts), unpacked(*shingles),
                           unpacked(*bands) if bands is not None else None, within)


def passage_features(docs: Sequence[Document], th: np.ndarray, bounds: np.ndarray, config: DedupConfig,
                     signer: Signer) -> list[PassageFeatures]:
    """The passages of documents from the token hashes of their `document_texts`
    (`token_hashes_many`), shingled and signed all in one pass."""
    sizes = np.diff(bounds).tolist()
    at = bounds.tolist()
    raw = th.tobytes()  # a text's tokens as bytes: one slice of this
    chosen: list[int] = []  # text of each passage
    found: list[tuple[list[int], list[list[int]]]] = []
    first = 0
    for doc in docs:
        end = first + len(doc.paragraphs)
        title = raw[8 * at[end]:8 * at[end + 1]] if doc.title else None
        pis: list[int] = []
        within: dict[bytes, list[int]] = defaultdict(list)
        for pi, p in enumerate(doc.paragraphs):
            if (verdict := p.verdict) is Verdict.TITLE:
                continue
            t = first + pi
            if verdict is Verdict.KEEP and sizes[t] >= config.passage_min_words:
                pis.append(pi)
                chosen.append(t)
            if sizes[t] >= config.within_doc_min_words and (key := raw[8 * at[t]:8 * at[t + 1]]) != title:
                within[key].append(pi)
        found.append((pis, [g for g in within.values() if len(g) > 1]))
        first = end + 1
    texts = np.asarray(chosen, dtype=np.intp)
    shingles, cut = segment_distinct(*segment_shingles(th, bounds[texts], bounds[texts + 1],
                                                       config.passage_shingle_size))
    offsets = cut.tolist()  # of each passage in `shingles`
    out, n = [], 0
    for pis, within in found:
        lo = offsets[n]
        out.append(PassageFeatures(pis, cut[n:n + len(pis) + 1] - lo, shingles[lo:offsets[n + len(pis)]], None,
                                   within))
        n += len(pis)
    _set_bands(out, signer.sign_segments(shingles, cut) if n else None,
               lsh_params(config.passage_threshold, config.num_perm))
    return out


def sign_passages(features: list[PassageFeatures], signer: Signer, params: tuple[int, int]) -> None:
    """Sign the passages of many documents in one batch and keep their band keys (sets `bands`)."""
    shingles = [sh for f in features for _, sh in f.items()]
    _set_bands(features, signer.sign_many(shingles) if shingles else None, params)


def _set_bands(features: list[PassageFeatures], signatures: np.ndarray | None, params: tuple[int, int]) -> None:
    b, r = params
    keys = band_keys(signatures, b, r) if signatures is not None else np.zeros((0, b), np.uint64)
    at = 0
    for f in features:
        f.bands = keys[at:at + len(f)]
        at += len(f)


@dataclass(frozen=True)
class PassageGroup:
    """A passage cluster before its member texts are looked up: nodes are (position, paragraph)."""

    nodes: tuple[Node, ...]
    similarity: float


def passage_groups(features: Iterable[PassageFeatures], config: DedupConfig) -> list[PassageGroup]:
    """Passage clusters from per-document features in input order (positions 0, 1, ...).

    Candidates are the pairs sharing an LSH band (`candidate_pair_blocks` over the band keys: the
    pairs an in-memory MinHashLSH finds, at 8 bytes a band instead of a Python bucket entry), each verified by exact Jaccard of the two shingle sets.
    Verbatim copies of a passage are linked to its first copy and left out of the search
    (`verbatim_copies`): the same clusters and similarities, without m²/2 pairs for m copies."""
    links = PassageLinks()
    # Passage i is arrays[i][starts[i]:ends[i]], sliced when compared: an array object per
    # passage would hold ~170 bytes of each one for the whole step (three list slots: ~24).
    arrays: list[np.ndarray] = []
    starts: list[int] = []
    ends: list[int] = []
    paragraphs: list[int] = []  # of each passage; its document is in `counts`
    counts: list[int] = []
    keys: list[np.ndarray] = []
    for di, f in enumerate(features):
        cuts = f.cuts.tolist()
        arrays += [f.shingles] * len(f)
        starts += cuts[:-1]
        ends += cuts[1:]
        paragraphs += f.paragraphs
        counts.append(len(f))
        if len(f):
            keys.append(f.bands)
        links.within(di, f.within)
    if keys:
        docs = np.repeat(np.arange(len(counts)), counts).tolist()
        link, threshold = links.link, config.passage_threshold
        bands = np.concatenate(keys)
        # shingles are sorted and distinct: equal sets, equal bytes (and equal band keys)
        firsts, copies = verbatim_copies(bands[:, 0], lambda i: arrays[i][starts[i]:ends[i]].tobytes())
        for i, j in copies:  # exact Jaccard 1.0, as verifying the pair would find
            link((docs[j], paragraphs[j]), (docs[i], paragraphs[i]), 1.0)
        for block_i, block_j in candidate_pair_blocks(bands[firsts]):
            for i, j in zip(firsts[block_i].tolist(), firsts[block_j].tolist()):
                sim = passage_similarity(arrays[i][starts[i]:ends[i]], arrays[j][starts[j]:ends[j]])
                if sim >= threshold:  # nodes made only here: a tuple per passage costs a GC pass at 10k docs
                    link((docs[i], paragraphs[i]), (docs[j], paragraphs[j]), sim)
    return links.groups()


def passage_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two passages' distinct shingle hashes, each sorted (the verification
    rule); the shorter is looked up in the longer, a third of the cost of `np.intersect1d`.
    Called once a candidate pair, so it keeps to few numpy calls: the array methods, and
    `take(mode="clip")` for the lookup past the end (2/3 of the time of np.searchsorted, np.minimum
    and indexing)."""
    if a.size > b.size:
        a, b = b, a
    inter = 0
    if a.size:
        inter = int(np.count_nonzero(b.take(b.searchsorted(a), mode="clip") == a))
    return inter / (a.size + b.size - inter)


class PassageLinks:
    """Verified passage pairs joined into clusters, each with its lowest verified similarity.

    Components and minima do not depend on the order of the links, so the driver and the
    Dask engine (which gets verified pairs from its workers in any order) agree."""

    def __init__(self) -> None:
        self._uf = UnionFind()
        self._weakest: dict[Node, float] = {}  # root -> lowest verified similarity in its component

    def link(self, a: Node, b: Node, sim: float) -> None:
        uf, weakest = self._uf, self._weakest
        ra, rb = uf.find(a), uf.find(b)
        low = min(sim, weakest.pop(ra, 1.0), weakest.pop(rb, 1.0))
        uf.union(a, b)
        weakest[uf.find(a)] = low

    def within(self, di: int, groups: list[list[int]]) -> None:
        """Exact repeats inside document `di`: no similarity to record."""
        for group in groups:
            for pi in group[1:]:
                self.link((di, group[0]), (di, pi), 1.0)

    def groups(self) -> list[PassageGroup]:
        uf = self._uf
        return [PassageGroup(tuple(g), self._weakest.get(uf.find(g[0]), 1.0))
                for g in sorted(sorted(g) for g in uf.groups())]


def passage_refs(groups: list[PassageGroup], ids: Sequence[str], first_cluster: int
                 ) -> dict[int, list[PassageRef]]:
    """position -> the PassageRefs of that document, cluster numbers from `first_cluster`."""
    refs: dict[int, list[PassageRef]] = defaultdict(list)
    for n, g in enumerate(groups):
        first = ids[g.nodes[0][0]]
        for d, p in g.nodes:
            refs[d].append(PassageRef(paragraph=p, cluster=first_cluster + n, first_doc=first))
    return refs


def repeated_passages(groups: list[PassageGroup]) -> dict[int, list[int]]:
    """position -> paragraphs that `drop_repeated_passages` drops (every repeat after the first)."""
    drops: dict[int, list[int]] = defaultdict(list)
    for g in groups:
        for d, p in g.nodes[1:]:
            drops[d].append(p)
    return drops


def build_clusters(groups: list[PassageGroup], ids: Sequence[str], text: Callable[[int, int], str],
                   removed: Callable[[int, int], str | None] = lambda d, p: None) -> list[DuplicateCluster]:
    """The duplicates.jsonl clusters; `text(position, paragraph)` gives a member's text, and
    `removed(position, paragraph)` the reason it was removed (None: kept)."""
    return [DuplicateCluster("passage", g.similarity,
                             tuple(ClusterMember(ids[d], p, text(d, p), removed(d, p)) for d, p in g.nodes),
                             ids[g.nodes[0][0]])
            for g in groups]
