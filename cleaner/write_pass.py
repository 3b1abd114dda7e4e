"""Pass 2 of a run: apply the corpus decisions to each spooled document, render it once
and write its files.

Each document's clean/ file and report section name are reserved in input order first
(`ReportWriter.reserve`), so the work can be split: workers take the positions of one
report/docs/ page at a time (`page_runs`), read each document back from the spool, apply
the decisions that touch it (`Refresh`), render it and write its two files at their final
staged names (`Place`).  The main process appends the corpus lines, table rows and
tallies in order (`Placed`).  When the caller wants the documents back
(`run(keep_documents=True)`), the same happens in the main process, which keeps them.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Optional

from .config import Config
from .corpus_step import CorpusDecisions, CorpusEdits
from .engine.local import Deferred, WorkerPool
from .models import Document, Verdict
from .render import Rendered, render
from .report import ReportWriter, document_page, table_row
from .spool import Locations
from .summary import SummaryCounter
from .write import OutputWriter, write_file


Member = tuple[str, Optional[str]]
"""A passage-cluster member's text, and the reason it was removed (None: kept)."""


@dataclass(frozen=True)
class Refresh:
    """Apply the corpus edits to one spooled document and render it (the write pass's
    per-document work)."""

    edits: CorpusEdits
    href: Callable[[str], str]
    wanted: set[tuple[int, int]]  # (position, paragraph) of passage-cluster members
    anchors: list[str]  # each position's report section name (`ReportWriter.reserve`)

    def render(self, pos: int, doc: Document) -> tuple[Rendered, dict[tuple[int, int], Member]]:
        """Edit `doc` (the document at `pos`) if a corpus decision touches it and render it:
        (its rendering, the text and removal reason of its passage-cluster members)."""
        texts: dict[tuple[int, int], Member] = {}
        if self.edits.touches(pos):
            self.edits.apply(pos, doc)
            texts = {(pos, p): (para.text, para.reason if para.verdict is Verdict.DROP else None)
                     for p, para in enumerate(doc.paragraphs) if (pos, p) in self.wanted}
        return render(doc, self.anchors[pos], self.href), texts


@dataclass(frozen=True)
class Place:
    """The write pass for the positions of one report/docs/ page, in a worker: each
    document is rendered, its clean/ file is written and the page of their sections,
    each moved to its final staged name, and their corpus.jsonl lines, table rows and
    tallies are made; the main process only appends them, in order.

    Files are created in a folder of this process's own and then renamed: creating a file
    holds its folder's lock while the file system finds a free inode, so two workers
    creating files in clean/ at once spin on each other (two processes writing 10k files
    each: 3.1 s of system time in place, 0.6-1.6 s through their own folders), while a
    rename holds it briefly."""

    refresh: Refresh
    where: Locations
    clean: list[str]  # final staged path of each position's clean/ file
    pages: list[str]  # the report/docs/ page file of each position
    page_folder: str  # staged folder of the report pages
    drop_duplicates: bool
    scratch: str  # where each worker makes its folder of new files (inside the staging folder)

    def __call__(self, positions: list[int], config: Config | None = None) -> "Placed":
        page = self.pages[positions[0]]
        if self.pages[positions[-1]] != page:
            raise ValueError(f"positions {positions[0]}-{positions[-1]} span two report pages")
        own = os.path.join(self.scratch, f"place-{os.getpid()}")
        os.makedirs(own, exist_ok=True)
        placed, sections, records = Placed(), [], []
        for pos, blob in zip(positions, self.where.entries(positions)):
            rendered, texts = self.refresh.render(pos, pickle.loads(blob))
            placed.texts.update(texts)
            self._place(own, self.clean[pos], rendered.clean)
            sections.append(rendered.page)
            if not (self.drop_duplicates and rendered.duplicate_of):
                records.append(rendered.record)
            placed.rows.append(table_row(pos + 1, page, self.refresh.anchors[pos], rendered.row, self.refresh.href))
            placed.summary.add(rendered.tally)
        self._place(own, os.path.join(self.page_folder, page), document_page(sections))
        if records:
            placed.records = ("\n".join(records) + "\n").encode("utf-8")
        return placed

    @staticmethod
    def _place(own: str, path: str, text: str) -> None:
        new = os.path.join(own, "new")
        write_file(new, text)
        os.replace(new, path)


@dataclass
class Placed:
    """What the main process appends for a run of documents placed by `Place`."""

    records: bytes = b""  # corpus.jsonl lines, UTF-8
    rows: list[tuple] = field(default_factory=list)  # documents-table rows
    summary: SummaryCounter = field(default_factory=SummaryCounter)
    texts: dict[tuple[int, int], Member] = field(default_factory=dict)  # of passage-cluster members


def page_runs(pages: list[str]) -> Iterator[list[int]]:
    """The positions of each report/docs/ page, in order: one write-pass task each."""
    start = 0
    for pos in range(1, len(pages) + 1):
        if pos == len(pages) or pages[pos] != pages[start]:
            yield list(range(start, pos))
            start = pos


@dataclass
class Written:
    """What the write pass leaves for the run's last steps."""

    documents: list[Document]  # the edited documents, when they were placed in this process
    summary: SummaryCounter
    texts: dict[tuple[int, int], Member]  # (position, paragraph) of passage-cluster members -> Member


def write_documents(writer: OutputWriter, report: ReportWriter, config: Config, ids: list[str], where: Locations,
                    decided: CorpusDecisions, progress: Callable[[str, int, int | None], None],
                    pool: WorkerPool | None, placing: Deferred | None, scratch: str) -> Written:
    """Pass 2.  With `placing` (where `Place` is saved for the pool), documents are placed
    by the pool and `Written.documents` stays empty; without, they are placed here and kept.
    corpus.jsonl is complete when it returns."""
    kept: list[Document] = []
    summary_counter = SummaryCounter()
    decisions = decided.dedup_decisions
    edits = CorpusEdits(config, decided.counts, decided.repeats,
                        decisions.edits() if decisions is not None else None)
    page_names = report.reserve(ids, where.length)  # spooled sizes: a page closes at report.PAGE_BYTES
    refresh = Refresh(edits, page_names.href, decisions.passage_nodes() if decisions is not None else set(),
                      page_names.pages)
    texts: dict[tuple[int, int], Member] = {}
    total = len(where)
    if placing is None:
        for pos, blob in enumerate(where.entries(range(total))):
            doc = pickle.loads(blob)
            rendered, found = refresh.render(pos, doc)
            texts.update(found)
            kept.append(doc)
            in_corpus = not (config.dedup.drop_duplicates and rendered.duplicate_of)
            writer.add_rendered(rendered.id, rendered.record, rendered.clean, in_corpus)
            report.add_page(rendered.id, rendered.page, rendered.row, rendered.tally.encoding,
                            rendered.tally.repair_steps)
            summary_counter.add(rendered.tally)
            if (pos + 1) % 1000 == 0:
                progress("write", pos + 1, total)
    else:  # the files are placed by the worker pool; here only the order-dependent parts
        place = Place(refresh, where, [writer.clean_path(doc_id) for doc_id in ids], page_names.files,
                      writer.folder(ReportWriter.PAGES), config.dedup.drop_duplicates, scratch)
        placing.save(place)
        done = 0
        for _, (placed,) in pool.map_ordered([(placing, run)] for run in page_runs(page_names.files)):
            writer.add_records(placed.records)
            report.add_rows(placed.rows, placed.summary.encodings, placed.summary.repair_steps)
            summary_counter.merge(placed.summary)
            texts.update(placed.texts)
            done += len(placed.rows)
            progress("write", done, total)
    writer.corpus_done()
    return Written(kept, summary_counter, texts)
