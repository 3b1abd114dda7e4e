"""The typed records of the stories stage, as written to stories.jsonl."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoryMember:
    """A document of a story, with what tells when and where it was published."""

    doc: str
    title: str | None = None
    date: str | None = None
    site: str | None = None
    earlier_run: bool = False  # cleaned by an earlier run and read from the persistent index

    def as_dict(self) -> dict:
        return {"doc": self.doc, "title": self.title, "date": self.date, "site": self.site,
                "earlier_run": self.earlier_run}


@dataclass(frozen=True)
class Link:
    """Why two documents of a story were put together: the evidence they share."""

    docs: tuple[str, str]
    similarity: float  # alignment: the summed similarity of their best paragraph matches
    headline: float  # share of one headline's names and numbers the other document holds
    names: tuple[str, ...] = ()  # shared names, rarest first
    numbers: tuple[str, ...] = ()  # shared numbers and years
    terms: tuple[str, ...] = ()  # shared rare term stems

    def as_dict(self) -> dict:
        return {"docs": list(self.docs), "similarity": round(self.similarity, 4),
                "headline": round(self.headline, 4), "names": list(self.names),
                "numbers": list(self.numbers), "terms": list(self.terms)}


@dataclass(frozen=True)
class PassageMember:
    doc: str
    paragraph: int  # index into Document.paragraphs
    text: str
    date: str | None = None
    site: str | None = None

    def as_dict(self) -> dict:
        return {"doc": self.doc, "paragraph": self.paragraph, "text": self.text,
                "date": self.date, "site": self.site}


@dataclass(frozen=True)
class AlignedPassage:
    """Paragraphs of different documents of one story that state the same fact.
    `similarity` is the lowest similarity of the links that joined them; members are in
    publication order when dates are known (the first to report it comes first)."""

    members: tuple[PassageMember, ...]
    similarity: float

    def as_dict(self) -> dict:
        return {"members": [m.as_dict() for m in self.members], "similarity": round(self.similarity, 4)}


@dataclass(frozen=True)
class Story:
    """Documents that report one event, the evidence that joined them, and their aligned
    passages.  `story` is the id of its first member (stable across incremental runs)."""

    story: str
    members: tuple[StoryMember, ...]
    links: tuple[Link, ...] = ()
    passages: tuple[AlignedPassage, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {"story": self.story, "members": [m.as_dict() for m in self.members],
                "evidence": [link.as_dict() for link in self.links],
                "passages": [p.as_dict() for p in self.passages]}
