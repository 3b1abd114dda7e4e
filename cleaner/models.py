"""Typed records shared by every stage.

Stages never delete text: they only mark paragraphs.  A dropped paragraph keeps its
original and repaired text plus the named reason it was dropped, so every decision can
be shown in the report and audited later.
"""
from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict


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
    restored: str | None = None  # why a block the extractor left out was brought back

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


class MetadataRecord(TypedDict):
    url: str | None
    date: str | None
    author: str | None
    site: str | None


@dataclass(slots=True)
class PageBlock:
    """A visible text block of an HTML page that the extractor left out of the document's
    paragraphs.  It is dropped with the reason its markup gives (`cleaner.blocks`) and sits,
    in page order, before paragraph `before` (`len(paragraphs)`: after the last one)."""

    text: str
    reason: str
    before: int

    def __reduce__(self) -> tuple:
        """Pickled as its three fields: a page has ~150 such blocks, and the state functions
        a slotted dataclass is given walk its fields in Python (the spool writes and reads
        every document: 0.1 ms a page of 0.4 on peer-dev html)."""
        return PageBlock, (self.text, self.reason, self.before)


@dataclass(frozen=True)
class Metadata:
    """What is known about where a document came from."""

    url: str | None = None
    date: str | None = None
    author: str | None = None
    site: str | None = None

    def as_dict(self) -> MetadataRecord:
        return {"url": self.url, "date": self.date, "author": self.author, "site": self.site}


# The shapes of the output records, in one place: the JSONL writers produce them, and the
# Parquet writer derives its Arrow schema from them (cleaner.parquet.schema_of), so a field
# added here reaches both; tests check every record against them.

class RemovedRecord(TypedDict):
    paragraph: int | None  # None: an HTML block the extractor left out (not a paragraph)
    text: str
    reason: str


class RestoredRecord(TypedDict):
    paragraph: int
    reason: str


class RepairRecord(TypedDict):
    paragraph: int
    steps: list[str]
    before: str
    after: str


class CorpusRecord(TypedDict):
    """One line of corpus.jsonl (one row of corpus.parquet)."""

    id: str
    source: str
    title: str | None
    text: str
    metadata: MetadataRecord
    encoding: str
    removed: list[RemovedRecord]
    repairs: list[RepairRecord]
    restored: list[RestoredRecord]  # HTML: blocks the extractor left out that cleaner brought back
    duplicate_of: str | None
    story: str | None  # the story (its first member's id) this document reports, if any


class MemberRecord(TypedDict):
    doc: str
    paragraph: NotRequired[int]  # passage clusters only
    text: NotRequired[str]
    removed: NotRequired[str]  # passage clusters: the reason this run removed the paragraph, if it did


class DuplicateRecord(TypedDict):
    """One line of duplicates.jsonl (one row of duplicates.parquet)."""

    level: str
    similarity: float
    representative: str | None
    members: list[MemberRecord]


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
    date: str | None = None  # when the input says (a WARC record's WARC-Date); the page's own date wins


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
    story: str | None = None  # the story (its first member's id) this document reports, if any
    fetched: str | None = None  # when it was crawled (WARC-Date): the date of last resort (`fill_metadata`)
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
class RecordTally:
    """What became of the records of one kind (WARC-Type) in an archive."""

    seen: int = 0
    sent: int = 0  # handed to the cleaning stages
    failed_reading: int = 0  # payload unreadable or undecodable: never sent
    failed_cleaning: int = 0  # sent, then stopped by a stage (no main text, ...)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> records

    def as_dict(self) -> dict:
        """seen = cleaned + failed + skipped, always."""
        d: dict = {"seen": self.seen, "cleaned": self.sent - self.failed_cleaning,
                   "failed": self.failed_reading + self.failed_cleaning}
        if self.skipped:
            d["skipped"] = dict(sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])))
        return d


@dataclass(frozen=True)
class ArchiveDamage:
    """A stretch of an archive that could not be read: where it starts (byte offset in the
    file), why, and where reading resumed (None: nothing readable after it)."""

    offset: int
    error: str
    resumed_at: int | None = None

    def as_dict(self) -> dict:
        return {"offset": self.offset, "error": self.error, "resumed_at": self.resumed_at}


@dataclass
class ArchiveCounts:
    """Per kind of record, what became of every record of a WARC archive; and where the
    archive was damaged.  Cleaning only ever takes `response` records."""

    kinds: dict[str, RecordTally] = field(default_factory=dict)
    damage: list[ArchiveDamage] = field(default_factory=list)

    def tally(self, kind: str) -> RecordTally:
        found = self.kinds.get(kind)
        if found is None:
            found = self.kinds[kind] = RecordTally()
        return found

    def skip(self, kind: str, reason: str) -> None:
        skipped = self.tally(kind).skipped
        skipped[reason] = skipped.get(reason, 0) + 1

    def as_dict(self) -> dict:
        d: dict = {"records": {kind: t.as_dict() for kind, t in sorted(self.kinds.items())}}
        if self.damage:
            d["damage"] = [x.as_dict() for x in self.damage]
        return d


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
    archive: ArchiveCounts | None = None  # WARC archives: what became of each kind of record

    def fail(self, error: str) -> "InputFile":
        self.status = FileStatus.FAILED
        self.error = error
        return self

    def skip(self, problem: str) -> None:
        """A record of this file (a JSONL line, an archive's record) that could not be
        cleaned, and why."""
        self.problems.append(problem)
        self.skipped_records += 1

    def document_failed(self, source: str, error: str) -> None:
        """A document read from this input could not be cleaned.  A file holding one
        document fails; a JSONL file or an archive skips the record and goes on."""
        if self.format in ("jsonl", "warc"):
            self.skip(f"{source}: {error}")
            if self.archive is not None:
                self.archive.tally("response").failed_cleaning += 1
        else:
            self.fail(error)
        self.documents -= 1

    def as_dict(self) -> dict:
        d = {"path": self.path, "status": self.status.value, "format": self.format,
             "encoding": self.encoding, "documents": self.documents}
        if self.error:
            d["error"] = self.error
        if self.problems:
            d["problems"] = self.problems
        if self.skipped_records:
            d["skipped_records"] = self.skipped_records
        if self.archive is not None:
            d["archive"] = self.archive.as_dict()
        return d
