"""The dedup stage: near-duplicate documents and repeated passages.

    find_duplicates(docs, config) -> [DuplicateCluster, ...]

Judges only cleaned text (kept paragraphs), except for repeats inside one document (see
:mod:`cleaner.passages`).  Corpus-wide work is a sequence of explicit steps, each in its
own module: shingle hashes (:mod:`cleaner.shingle`), signatures (:mod:`cleaner.minhash`),
the signature index with its LSH (:mod:`cleaner.index`), document clusters
(:mod:`cleaner.documents`) and passage clusters (:mod:`cleaner.passages`).

Output is deterministic: document clusters ordered by representative (earliest first),
then passage clusters by first occurrence; members in input order.  Which documents end
up in a cluster does not depend on input order (LSH collisions and verification are
symmetric per pair and union-find components are order-free); the representative and the
passage's first document do, by design (earliest wins).
"""
from __future__ import annotations

from cleaner.clusters import ClusterMember, DuplicateCluster
from cleaner.config import DedupConfig
from cleaner.documents import document_clusters
from cleaner.minhash import Signer
from cleaner.models import Document
from cleaner.passages import passage_clusters

__all__ = ["ClusterMember", "DuplicateCluster", "find_duplicates"]


def find_duplicates(docs: list[Document], config: DedupConfig) -> list[DuplicateCluster]:
    """Find duplicate documents and passages; annotate `docs` in place.

    Sets `duplicate_of` / `duplicate_similarity` on every document, replaces `passages`
    with the PassageRefs of this run (`cluster` is the index of the cluster in the
    returned list, i.e. its line in duplicates.jsonl), and with
    `config.drop_repeated_passages` drops every repeat after a passage's first occurrence
    as "duplicate-passage".
    """
    if not config.enabled:
        return []
    signer = Signer(config.num_perm, config.seed)
    clusters = document_clusters(docs, config, signer)
    return clusters + passage_clusters(docs, config, signer, first_cluster=len(clusters))
