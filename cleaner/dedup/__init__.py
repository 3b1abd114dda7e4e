"""The dedup stage: near-duplicate documents and repeated passages.

    find_duplicates(docs, config) -> [DuplicateCluster, ...]

Judges only cleaned text (kept paragraphs), except for repeats inside one document (see
:mod:`cleaner.dedup.passages`).  Corpus-wide work is a sequence of explicit steps, each in its
own module: shingle hashes (:mod:`cleaner.dedup.shingle`), signatures (:mod:`cleaner.dedup.minhash`),
the signature index with its LSH (:mod:`cleaner.dedup.index`), document clusters
(:mod:`cleaner.dedup.documents`) and passage clusters (:mod:`cleaner.dedup.passages`).

Output is deterministic: document clusters ordered by representative (earliest first),
then passage clusters by first occurrence; members in input order.  Which documents end
up in a cluster does not depend on input order (LSH collisions and verification are
symmetric per pair and union-find components are order-free); the representative and the
passage's first document do, by design (earliest wins).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cleaner.dedup.clusters import ClusterMember, DuplicateCluster
from cleaner.config import DedupConfig
from cleaner.dedup.documents import (Signed, SignedColumns, body_tokens, check_config, clusters_from_signed,
                                     document_texts, sign_token_ranges, unique_keys)
from cleaner.dedup.minhash import Signer
from cleaner.dedup.shingle import TextPrints, powers_for, text_runs, token_hashes_many, word_table
from cleaner.models import Document, PassageRef, Verdict
from cleaner.dedup.passages import (DROP_REASON, PassageFeatures, PassageGroup, build_clusters, passage_features,
                              passage_groups, passage_refs, repeated_passages)

__all__ = ["ClusterMember", "DuplicateCluster", "DedupFeatures", "DedupDecisions", "DocumentEdits", "document_features",
           "tokenised_features", "decide", "assemble", "find_duplicates", "warm_up"]


@functools.lru_cache(maxsize=4)
def signer_for(num_perm: int, seed: int) -> Signer:
    return Signer(num_perm, seed)


def warm_up(config: DedupConfig = DedupConfig()) -> None:
    """Build the tokeniser's tables and the signer now (imports datasketch), so benchmarks do
    not bill this one-time start-up to the first documents."""
    word_table(1)  # the Basic Multilingual Plane
    powers_for(0)
    signer_for(config.num_perm, config.seed)


@dataclass
class DedupFeatures:
    """What dedup needs of one document, computed where it is cleaned: no text, only hashes
    (the document's shingle summary and signature, its passages' shingles and signatures)."""

    signed: Signed
    passages: PassageFeatures


def document_features(docs: Sequence[Document], config: DedupConfig) -> list[DedupFeatures]:
    """Features of a batch of documents (batched signing); call it after every verdict that
    changes kept text (corpus repeats included)."""
    return tokenised_features(docs, config)[0]


def tokenised_features(docs: Sequence[Document], config: DedupConfig
                       ) -> tuple[list[DedupFeatures], list[TextPrints]]:
    """`document_features`, and from the same tokenisation each document's `TextPrints` of its
    `document_texts` (paragraph i is text i): what the corpus step's story keys are made of."""
    signer = signer_for(config.num_perm, config.seed)
    texts = [document_texts(d) for d in docs]
    out: list[DedupFeatures] = []
    prints: list[TextPrints] = []
    for lo, hi in text_runs([sum(map(len, t)) for t in texts]):
        group = docs[lo:hi]
        th, bounds = token_hashes_many([t for ts in texts[lo:hi] for t in ts])  # tokenised once
        signed = sign_token_ranges(*body_tokens(group, th, bounds), signer, config.shingle_size)
        passages = passage_features(group, th, bounds, config, signer)
        out.extend(DedupFeatures(s, p) for s, p in zip(signed, passages))
        run, first = TextPrints.of(th, bounds), 0
        for ts in texts[lo:hi]:
            prints.append(run.from_text(first))
            first += len(ts)
    return out, prints


@dataclass
class DocumentEdits:
    """What the dedup decisions change in each document (by input position): all that the
    workers placing documents need, without the clusters (a third of the pickle)."""

    duplicate_of: dict[int, tuple[str, float]] = field(default_factory=dict)
    refs: dict[int, list[PassageRef]] = field(default_factory=dict)
    drops: dict[int, list[int]] = field(default_factory=dict)

    def apply(self, pos: int, doc: Document) -> None:
        """Set duplicate_of/duplicate_similarity and passages; drop repeated passages if asked."""
        doc.duplicate_of, doc.duplicate_similarity = self.duplicate_of.get(pos, (None, None))
        doc.passages = list(self.refs.get(pos, []))
        for p in self.drops.get(pos, ()):
            doc.paragraphs[p].drop(DROP_REASON)

    def touches(self, pos: int) -> bool:
        """Whether `apply` changes the document at `pos` (else it is left as cleaned)."""
        return pos in self.duplicate_of or pos in self.refs or pos in self.drops


@dataclass
class DedupDecisions(DocumentEdits):
    """The corpus-wide dedup decisions, applied one document at a time (by input position)."""

    ids: list[str] = field(default_factory=list)
    document_clusters: list[DuplicateCluster] = field(default_factory=list)
    groups: list[PassageGroup] = field(default_factory=list)

    def edits(self) -> DocumentEdits:
        """The document edits alone."""
        return DocumentEdits(self.duplicate_of, self.refs, self.drops)

    def passage_nodes(self) -> set[tuple[int, int]]:
        """(position, paragraph) of every passage-cluster member (their texts are needed at the end)."""
        return {n for g in self.groups for n in g.nodes}

    def clusters(self, text: Callable[[int, int], str],
                 removed: Callable[[int, int], str | None] = lambda d, p: None) -> list[DuplicateCluster]:
        """All clusters in duplicates.jsonl order; `text(position, paragraph)` gives passage
        texts, `removed(position, paragraph)` the reason a passage was removed (None: kept)."""
        return self.document_clusters + build_clusters(self.groups, self.ids, text, removed)


DocumentClusters = tuple[list[DuplicateCluster], dict[int, tuple[str, float]]]


def decide(ids: list[str], features: Sequence[DedupFeatures], config: DedupConfig,
           elsewhere: Callable[[Callable, tuple], Callable[[], DocumentClusters]] | None = None) -> DedupDecisions:
    """Document and passage clusters from per-document features in input order.

    `elsewhere(fn, args)`, when given, starts `fn(*args)` in another process and returns a
    function that waits for its result: the document search (without a persistent index)
    then runs there while this process searches the passages, each about half the step."""
    check_config(config)
    keys, signed = unique_keys(ids), [f.signed for f in features]
    if elsewhere is not None and config.index is None:
        documents = elsewhere(columns_clusters, (keys, SignedColumns.of(signed, config.num_perm), config))
    else:
        found = document_clusters(keys, signed, config)
        documents = lambda: found  # noqa: E731
    groups = passage_groups((f.passages for f in features), config)
    doc_clusters, duplicate_of = documents()
    return assemble(ids, doc_clusters, duplicate_of, groups, config)


def document_clusters(keys: list[str], signed: list[Signed], config: DedupConfig) -> DocumentClusters:
    """`clusters_from_signed` with this process's signer."""
    return clusters_from_signed(keys, signed, config, signer_for(config.num_perm, config.seed))


def columns_clusters(keys: list[str], columns: SignedColumns, config: DedupConfig) -> DocumentClusters:
    """`document_clusters` of documents sent as columns (a function a worker can be sent)."""
    return document_clusters(keys, columns.rows(), config)


def assemble(ids: list[str], doc_clusters: list[DuplicateCluster], duplicate_of: dict[int, tuple[str, float]],
             groups: list[PassageGroup], config: DedupConfig) -> DedupDecisions:
    """The decisions from document clusters and passage groups, however they were found
    (here, or on a Dask cluster by cleaner.engine.dask_corpus)."""
    drops = repeated_passages(groups) if config.drop_repeated_passages else {}
    return DedupDecisions(duplicate_of=duplicate_of, refs=passage_refs(groups, ids, len(doc_clusters)), drops=drops,
                          ids=ids, document_clusters=doc_clusters, groups=groups)


def find_duplicates(docs: list[Document], config: DedupConfig) -> list[DuplicateCluster]:
    """Find duplicate documents and passages; annotate `docs` in place.

    Sets `duplicate_of` / `duplicate_similarity` on every document, replaces `passages`
    with the PassageRefs of this run (`cluster` is the index of the cluster in the
    returned list, i.e. its line in duplicates.jsonl), and with
    `config.drop_repeated_passages` drops every repeat after a passage's first occurrence
    as "duplicate-passage".  The convenience form of `document_features` + `decide` +
    `DedupDecisions.apply`, which the streaming pipeline runs in pieces.
    """
    if not config.enabled:
        return []
    decisions = decide([d.id for d in docs], document_features(docs, config), config)
    for pos, doc in enumerate(docs):
        decisions.apply(pos, doc)
    def removed(d: int, p: int) -> str | None:
        para = docs[d].paragraphs[p]
        return para.reason if para.verdict is Verdict.DROP else None

    return decisions.clusters(lambda d, p: docs[d].paragraphs[p].text, removed)
