"""Typed records shared by every stage.

Stages never delete text: they only mark paragraphs.  A dropped paragraph keeps its
original and repaired text plus the named reason it was dropped, so every decision can
be shown in the report and audited later.
"""
from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field


class Verdict(str, enum.Enum):
    """What the pipeline decided for one paragraph."""

    KEEP = "keep"
    DROP = "drop"
    TITLE = "title"  # the document's headline: written as the title, not as body text


class FileStatus(str, enum.Enum):
    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class Repair:
    """One change made to a paragraph's text, named after the fix that made it."""

    step: str
    detail: str = ""


@dataclass
class Paragraph:
    """A block of text with the verdict the pipeline reached on it."""

    original: str
    text: str = ""
    verdict: Verdict = Verdict.KEEP
    reason: str | None = None
    repairs: list[Repair] = field(default_factory=list)
    heading: bool = False  # marked as a heading by the source markup (HTML h1-h6)

    def __post_init__(self) -> None:
        if not self.text:
            self.text = self.original

    @property
    def kept(self) -> bool:
        return self.verdict is Verdict.KEEP

    def drop(self, reason: str) -> bool:
        """Drop this paragraph for `reason`; the first reason recorded wins.

        Returns True when the verdict changed.
        """
        if self.verdict is not Verdict.KEEP:
            return False
        self.verdict = Verdict.DROP
        self.reason = reason
        return True


@dataclass(slots=True)
class PageBlock:
    """A visible text block of an HTML page that the extractor left out of the document's
    paragraphs.  It is dropped with the reason its markup gives (`cleaner.blocks`) and sits,
    in page order, before paragraph `before` (`len(paragraphs)`: after the last one)."""

    text: str
    reason: str
    before: int


@dataclass(frozen=True)
class Metadata:
    """What is known about where a document came from."""

    url: str | None = None
    date: str | None = None
    author: str | None = None
    site: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"url": self.url, "date": self.date, "author": self.author, "site": self.site}


@dataclass(frozen=True)
class RawDocument:
    """One document as read from the input, before extraction."""

    id: str
    source: str  # path of the input file (plus ":line" for JSONL records)
    content: str
    format: str  # "text" or "html"
    encoding: str = "utf-8"
    title: str | None = None
    url: str | None = None


@dataclass
class PassageRef:
    """A paragraph of this document that belongs to a passage-duplicate cluster."""

    paragraph: int
    cluster: int
    first_doc: str  # the document that had this passage first


@dataclass
class Document:
    """A document moving through the pipeline."""

    id: str
    source: str
    format: str
    title: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    paragraphs: list[Paragraph] = field(default_factory=list)
    encoding: str = "utf-8"
    duplicate_of: str | None = None
    duplicate_similarity: float | None = None
    passages: list[PassageRef] = field(default_factory=list)
    left_out: list[PageBlock] = field(default_factory=list)
    """HTML inputs: the page's blocks that are not paragraphs, each dropped with its reason.
    Only paragraphs are judged (repair, boilerplate, dedup, corpus counts); these are shown."""

    def page_order(self) -> Iterator[tuple[int, Paragraph | PageBlock]]:
        """(paragraph index, paragraph) and (-1, left-out block) in page order."""
        blocks = self.left_out
        if not blocks:
            yield from enumerate(self.paragraphs)
            return
        j = 0
        for i, p in enumerate(self.paragraphs):
            while j < len(blocks) and blocks[j].before <= i:
                yield -1, blocks[j]
                j += 1
            yield i, p
        for block in blocks[j:]:
            yield -1, block

    @property
    def body(self) -> list[Paragraph]:
        """Kept body paragraphs, title excluded."""
        return [p for p in self.paragraphs if p.verdict is Verdict.KEEP]

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.body)

    @property
    def removed(self) -> list[tuple[int, Paragraph]]:
        return [(i, p) for i, p in enumerate(self.paragraphs) if p.verdict is Verdict.DROP]


@dataclass
class InputFile:
    """One input path and what became of it: every input appears in the manifest."""

    path: str
    status: FileStatus = FileStatus.OK
    error: str | None = None
    format: str | None = None
    encoding: str | None = None
    documents: int = 0
    problems: list[str] = field(default_factory=list)  # per-record errors (bad JSONL lines) and notes
    skipped_records: int = 0  # records of the file that did not become documents (each has a problem)

    def fail(self, error: str) -> "InputFile":
        self.status = FileStatus.FAILED
        self.error = error
        return self

    def skip(self, problem: str) -> None:
        """A record of this file (a JSONL line) that could not be cleaned, and why."""
        self.problems.append(problem)
        self.skipped_records += 1

    def as_dict(self) -> dict:
        d = {"path": self.path, "status": self.status.value, "format": self.format,
             "encoding": self.encoding, "documents": self.documents}
        if self.error:
            d["error"] = self.error
        if self.problems:
            d["problems"] = self.problems
        if self.skipped_records:
            d["skipped_records"] = self.skipped_records
        return d
