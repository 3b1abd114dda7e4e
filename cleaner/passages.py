"""Passage-level duplicates: paragraphs repeated across documents or inside one document.

Across documents, a passage is a kept paragraph of at least `passage_min_words` words
(shorter lines are bylines, captions and widgets, which the boilerplate stage owns).
Passages are signed with the document signer on `passage_shingle_size`-word shingles
(short texts need short shingles: one changed word in a 15-word paragraph destroys 5 of
11 five-word shingles but 3 of 13 three-word ones), candidates come from an in-memory
MinHashLSH tuned for `passage_threshold`, and each candidate pair is verified by exact
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

import numpy as np

from cleaner.clusters import ClusterMember, DuplicateCluster, UnionFind
from cleaner.config import DedupConfig
from cleaner.minhash import Signer, lsh_params
from cleaner.models import Document, PassageRef, Verdict
from cleaner.index import Index
from cleaner.shingle import normalise, shingle_hashes, token_hashes

DROP_REASON = "duplicate-passage"

Node = tuple[int, int]  # (document position in the batch, paragraph index)


def passage_clusters(docs: list[Document], config: DedupConfig, signer: Signer,
                     first_cluster: int = 0) -> list[DuplicateCluster]:
    """Cluster repeated passages, record PassageRefs, optionally drop later repeats."""
    for doc in docs:
        doc.passages = []
    nodes: list[Node] = []
    shingles: list[np.ndarray] = []
    within: dict[tuple[int, bytes], list[Node]] = defaultdict(list)
    for di, doc in enumerate(docs):
        title = token_hashes(normalise(doc.title)).tobytes() if doc.title else None
        for pi, p in enumerate(doc.paragraphs):
            if p.verdict is Verdict.TITLE:
                continue
            th = token_hashes(normalise(p.text))
            if p.kept and th.size >= config.passage_min_words:
                nodes.append((di, pi))
                shingles.append(np.unique(shingle_hashes(th, config.passage_shingle_size)))
            if th.size >= config.within_doc_min_words and th.tobytes() != title:
                within[(di, th.tobytes())].append((di, pi))
    uf = UnionFind()
    edges = _cross_document(nodes, shingles, config, signer)
    for a, b, _ in edges:
        uf.union(a, b)
    for repeats in within.values():
        for node in repeats[1:]:
            uf.union(repeats[0], node)
    weakest: dict = {}
    for a, _, sim in edges:
        root = uf.find(a)
        weakest[root] = min(sim, weakest.get(root, 1.0))
    out = []
    for group in sorted(sorted(g) for g in uf.groups()):
        first = docs[group[0][0]].id
        members = tuple(ClusterMember(docs[d].id, p, docs[d].paragraphs[p].text) for d, p in group)
        out.append((group, DuplicateCluster("passage", weakest.get(uf.find(group[0]), 1.0), members, first)))
    for n, (group, cluster) in enumerate(out):
        for d, p in group:
            docs[d].passages.append(PassageRef(paragraph=p, cluster=first_cluster + n, first_doc=cluster.representative))
        if config.drop_repeated_passages:
            for d, p in group[1:]:
                docs[d].paragraphs[p].drop(DROP_REASON)
    return [c for _, c in out]


def _cross_document(nodes: list[Node], shingles: list[np.ndarray], config: DedupConfig,
                    signer: Signer) -> list[tuple[Node, Node, float]]:
    """Verified near-identical passage pairs (exact Jaccard >= passage_threshold)."""
    if len(nodes) < 2:
        return []
    sigs = signer.sign_many(shingles)
    index = Index(None, "passage", signer, lsh_params(config.passage_threshold, config.num_perm), {})
    edges = []
    for i, sig in enumerate(sigs):
        for other in index.candidates(sig):
            j = int(other)
            inter = np.intersect1d(shingles[i], shingles[j], assume_unique=True).size
            sim = inter / (shingles[i].size + shingles[j].size - inter)
            if sim >= config.passage_threshold:
                edges.append((nodes[j], nodes[i], sim))
        index.lsh.insert(str(i).encode(), signer.lean(sig), check_duplication=False)
    return edges
