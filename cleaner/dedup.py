"""Stage 5: near-duplicate documents with datasketch MinHash + LSH (first version)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

from .config import DedupConfig
from .models import Document

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ClusterMember:
    doc: str
    paragraph: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class DuplicateCluster:
    level: str
    similarity: float
    members: tuple[ClusterMember, ...]
    representative: str | None = None

    def as_dict(self) -> dict:
        members = [{k: v for k, v in vars(m).items() if v is not None} for m in self.members]
        return {"level": self.level, "similarity": round(self.similarity, 4),
                "representative": self.representative, "members": members}


def find_duplicates(docs: list[Document], config: DedupConfig) -> list[DuplicateCluster]:
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    sigs = {}
    clusters = []
    for doc in docs:
        words = _WORD.findall(doc.text.casefold())
        n = config.shingle_size
        shingles = {" ".join(words[i:i + n]).encode() for i in range(max(1, len(words) - n + 1))}
        if len(shingles) < 5:
            continue
        m = MinHash(num_perm=config.num_perm)
        m.update_batch(list(shingles))
        for other in sorted(lsh.query(m)):
            sim = m.jaccard(sigs[other])
            if sim >= config.threshold:
                doc.duplicate_of, doc.duplicate_similarity = other, sim
                clusters.append(DuplicateCluster("document", sim, (ClusterMember(other), ClusterMember(doc.id)), other))
                break
        sigs[doc.id] = m
        lsh.insert(doc.id, m)
    return clusters
