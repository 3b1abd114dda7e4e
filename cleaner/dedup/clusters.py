"""Duplicate clusters as written to duplicates.jsonl, and the union-find that builds them."""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterMember:
    """A document (document level) or one paragraph of a document (passage level)."""

    doc: str
    paragraph: int | None = None  # index into Document.paragraphs
    text: str | None = None
    removed: str | None = None  # passage level: the reason the run removed this paragraph, if it did

    def as_dict(self) -> dict:
        d: dict = {"doc": self.doc}
        if self.paragraph is not None:
            d["paragraph"] = self.paragraph
        if self.text is not None:
            d["text"] = self.text
        if self.removed is not None:
            d["removed"] = self.removed
        return d


@dataclass(frozen=True)
class DuplicateCluster:
    """Near-duplicate documents, or repeated passages, found together.

    `representative` is the document kept as the original: the cluster's representative
    document (document level) or the document that had the passage first (passage level).
    `similarity` is the lowest similarity of a member to the representative (document
    level) or the lowest verified pair similarity that joined the cluster (passage level).
    """

    level: str  # "document" | "passage"
    similarity: float
    members: tuple[ClusterMember, ...]
    representative: str | None = None

    @property
    def only_removed(self) -> bool:
        """A passage cluster whose every copy the run removed anyway (a headline repeated in
        a story the page appended): a fact about the page, with no effect on the corpus."""
        return self.level == "passage" and all(m.removed is not None for m in self.members)

    def as_dict(self) -> dict:
        return {"level": self.level, "similarity": round(self.similarity, 4),
                "representative": self.representative, "members": [m.as_dict() for m in self.members]}


class UnionFind:
    """Disjoint sets over hashable items; components do not depend on union order."""

    def __init__(self) -> None:
        self._parent: dict[Hashable, Hashable] = {}

    def add(self, x: Hashable) -> None:
        self._parent.setdefault(x, x)

    def find(self, x: Hashable) -> Hashable:
        self._parent.setdefault(x, x)
        root = x
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[x] != root:
            self._parent[x], x = root, self._parent[x]
        return root

    def union(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[rb] = ra

    def groups(self, items: Iterable[Hashable] | None = None) -> list[list[Hashable]]:
        """Components with at least two members, each in first-seen order of `items`."""
        out: dict[Hashable, list[Hashable]] = {}
        for x in (self._parent if items is None else items):
            out.setdefault(self.find(x), []).append(x)
        return [g for g in out.values() if len(g) > 1]
