"""Wire the stages together as two streaming passes around a small corpus-wide step.

Pass 1 (clean, in workers): raw documents from the ingest go to the run's worker pool in
chunks, with a bounded number of chunks in flight (`engine.local.WorkerPool`); each worker runs the
per-document stages (extract, repair, boilerplate), computes the document's corpus
features (template-line keys for `boilerplate.CorpusCounts`, shingle summaries and
MinHash signatures for `dedup.decide`) and appends the pickled document to its own spool
file.  The main process keeps only ids, spool locations and features, never the text.

Corpus step (`DriverCorpus`, main process): template lines are counted; the few documents
that lose a line to a corpus repeat are read back and get fresh dedup features (dedup
judges kept text); then document and passage clusters are decided from features.  The
Dask engine keeps the features on its workers and runs the same decisions there as
shuffles (cleaner.engine.dask_corpus); the main process gets only the decisions.

Pass 2 (write, `Place`, in the same pool): each document's clean/ and report page names
are reserved in input order, then workers take runs of positions: each document is read
back, the decisions that touch it applied (`apply_corpus_repeats`,
`DedupDecisions.apply`), rendered once and its two files written at their final names.
The main process appends the corpus lines,
table rows and tallies in order and commits through the `OutputWriter` (journaled
commit, lock).  The result equals the in-memory order of steps: mark_corpus_repeats,
find_duplicates, write (tests/test_streaming.py checks it).
"""
from __future__ import annotations

import gc
import os
import pickle
import platform
import shutil
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Protocol, TypeVar

from . import boilerplate, dedup
from .config import Config
from .engine.local import CHUNK_BYTES, CHUNK_DOCS, Deferred, WorkerPool, chunked
from .extract import ExtractionError, extract
from .ingest import ingest
from .metadata import fill_metadata
from .models import Document, FileStatus, InputFile, RawDocument
from .repair import repair_document
from .render import Rendered, Tally, render
from .report import ReportWriter, document_page, table_row
from .write import OutputWriter, document_record, write_file

T = TypeVar("T")
R = TypeVar("R")
ProgressCallback = Callable[[str, int, int | None], None]
"""Called as (phase, done, total) while a run advances."""

SPOOL = ".spool"
"""Folder inside the staging folder for the workers' spool files (removed before commit)."""


@dataclass
class RunResult:
    out: Path
    inputs: list[InputFile]
    documents: list[Document]
    clusters: list[dedup.DuplicateCluster]
    summary: dict = field(default_factory=dict)

    @property
    def failed(self) -> list[InputFile]:
        return [f for f in self.inputs if f.status is FileStatus.FAILED]

    @property
    def exit_code(self) -> int:
        """0 when every input was fine, 1 when some failed or had records skipped (the
        outputs were written)."""
        return 1 if self.failed or any(f.problems for f in self.inputs) else 0


def clean_document(raw: RawDocument, config: Config) -> Document:
    """Run the per-document stages on one raw document."""
    doc = _extract_and_repair(raw, config)
    boilerplate.classify(doc, config.boilerplate)
    fill_metadata(doc)
    return doc


def _extract_and_repair(raw: RawDocument, config: Config) -> Document:
    doc = extract(raw, config.extract)
    repair_document(doc, config.repair)
    return doc


def clean_documents(raws: list[RawDocument], config: Config) -> list[Document | str]:
    """`clean_document` of each raw document, or the error that stopped it.  Stage by stage
    over the list, which makes language detection cheaper (`boilerplate.Draft`)."""
    def drafted(doc: Document) -> tuple[Document, boilerplate.Draft]:
        return doc, boilerplate.Draft.of(doc)

    def classified(drafted: tuple[Document, boilerplate.Draft]) -> Document:
        doc, draft = drafted
        boilerplate.classify(doc, config.boilerplate, draft)
        fill_metadata(doc)
        return doc

    results: list = [_or_error(lambda r: _extract_and_repair(r, config), raw) for raw in raws]
    for stage in (drafted, classified):
        results = [r if isinstance(r, str) else _or_error(stage, r) for r in results]
    return results


def _or_error(stage: Callable[[T], R], item: T) -> R | str:
    """`stage(item)`, or the one-line error that stopped it: one bad document must never
    end the run."""
    try:
        return stage(item)
    except ExtractionError as exc:
        return str(exc)
    except RecursionError:
        return "document too deeply nested to process"
    except Exception as exc:
        return f"internal error while cleaning: {type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------- pass 1 (workers)

@dataclass
class Cleaned:
    """What a worker sends back for one cleaned document (the document itself is spooled)."""

    location: tuple[str, int, int] | None  # in the worker's spool file (local engine)
    lines: boilerplate.CorpusLines | None  # None when the Dask engine keeps them on the cluster
    dedup: dedup.DedupFeatures | None
    blob: bytes | None = None  # the pickled document (Dask: workers cannot reach the driver's disk)


class Spool:
    """A per-process append-only file of pickled documents; results point into it.

    Documents are rendered only in the write pass, once the corpus decisions are known:
    rendering here as if no decision touched them (and moving those files into place
    later) rendered a fifth of the 10k synthetic documents twice and cost a rename a file."""

    def __init__(self, folder: str):
        self.path = os.path.join(folder, f"worker-{os.getpid()}.bin")
        self._fh = open(self.path, "ab")
        self._offset = self._fh.tell()

    def put(self, blob: bytes) -> tuple[str, int, int]:
        self._fh.write(blob)
        location = (self.path, self._offset, len(blob))
        self._offset += len(blob)
        return location

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


_spools: dict[str, Spool] = {}


def _close_spool(folder: str) -> None:
    spool = _spools.pop(folder, None)
    if spool is not None:
        spool.close()


def clean_batch(batch: tuple[str, list[RawDocument]], config: Config) -> list[Cleaned | str]:
    """Pass 1 for a batch of raw documents, in a worker: clean, compute features, spool."""
    folder, raws = batch
    spool = None
    if folder is not None:
        spool = _spools.get(folder) or _spools.setdefault(folder, Spool(folder))
    results = clean_documents(raws, config)
    docs = [r for r in results if not isinstance(r, str)]
    try:
        features, prints = (dedup.tokenised_features(docs, config.dedup) if config.dedup.enabled
                            else ([None] * len(docs), [None] * len(docs)))
    except Exception as exc:  # one bad batch must never end the run
        error = f"internal error while computing dedup features: {type(exc).__name__}: {exc}"
        return [error if not isinstance(r, str) else r for r in results]
    it = iter(zip(docs, features, prints))
    out: list[Cleaned | str] = []
    for result in results:
        if isinstance(result, str):
            out.append(result)
            continue
        doc, feats, doc_prints = next(it)
        lines = boilerplate.corpus_line_keys(doc, config.boilerplate, doc_prints)
        blob = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
        if spool is not None:
            out.append(Cleaned(spool.put(blob), lines, feats))
        else:
            out.append(Cleaned(None, lines, feats, blob))
    if spool is not None:
        spool.flush()
    return out


class _Locations:
    """(file, offset, length) of every spooled document, in input order, in compact arrays."""

    def __init__(self) -> None:
        self.files: dict[str, int] = {}
        self.file = array("H")
        self.offset = array("q")
        self.length = array("q")

    def __len__(self) -> int:
        return len(self.offset)

    def add(self, location: tuple[str, int, int]) -> None:
        path, offset, length = location
        self.file.append(self.files.setdefault(path, len(self.files)))
        self.offset.append(offset)
        self.length.append(length)

    def load(self, pos: int) -> Document:
        return pickle.loads(next(self.entries([pos])))

    def entries(self, positions: Iterable[int]) -> Iterator[bytes]:
        """The pickled document at each position, each spool file opened once (and read
        without seeking when positions follow each other)."""
        handles: dict[int, object] = {}
        names = list(self.files)
        try:
            for pos in positions:
                f = self.file[pos]
                fh = handles.get(f) or handles.setdefault(f, open(names[f], "rb"))
                if fh.tell() != self.offset[pos]:
                    fh.seek(self.offset[pos])
                yield fh.read(self.length[pos])
        finally:
            for fh in handles.values():
                fh.close()


def _batches(raw_docs: Iterable[tuple[InputFile, RawDocument]], folder: str | None
             ) -> Iterator[list[tuple[list[tuple[InputFile, RawDocument]], tuple[str | None, list[RawDocument]]]]]:
    """Chunks for `WorkerPool.map_ordered`: one item each, (bookkeeping kept here, batch sent to a worker)."""
    for chunk in chunked(raw_docs, lambda fr: len(fr[1].content), CHUNK_DOCS, CHUNK_BYTES):
        yield [(chunk, (folder, [raw for _, raw in chunk]))]


# --------------------------------------------------------------------------- the run

def run(paths: Iterable[str | os.PathLike], out: str | os.PathLike = "output",
        config: Config | None = None, progress: ProgressCallback | None = None,
        keep_documents: bool = True, replace_with_empty: bool = False) -> RunResult:
    """Clean every input under `paths` and write the output contract into `out`.

    With `keep_documents=False` (what the CLI does) `RunResult.documents` stays empty and
    memory grows with the per-document features, not with the text.  A run that finds no
    documents raises `write.EmptyRun` rather than replace a previous run that had some,
    unless `replace_with_empty`.
    """
    config = config or Config()
    progress = progress or (lambda phase, done, total: None)
    writer = OutputWriter(out, config.output.formats, replace_with_empty=replace_with_empty)
    spool_dir = None
    try:
        with ExitStack() as stack:
            spool_dir = os.path.join(writer.staging, SPOOL)
            os.mkdir(spool_dir)
            # One pool for both passes, started now: forked while this process is small
            # (it grows with the features), and before any thread (see `_start_method`).
            pool = None
            stack.enter_context(_rare_collections())  # before the pool starts: its workers take it too
            if config.engine == "local" or not keep_documents:
                # the workers of the local engine classify: they share the stop-word index
                shared = boilerplate.warm_up if config.engine == "local" else None
                pool = stack.enter_context(WorkerPool(run_task, config, shared=shared))
            placing = None
            if not keep_documents:
                placing = Deferred(os.path.join(spool_dir, "write.pickle"))
                stack.callback(placing.forget)
            result = _run(paths, writer, spool_dir, config, progress, pool, placing)
    except BaseException:
        writer.abort()
        raise
    finally:
        if spool_dir is not None:
            _close_spool(spool_dir)
            shutil.rmtree(spool_dir, ignore_errors=True)
    return result


@contextmanager
def _rare_collections(young: int = 10_000):
    """Collect cyclic garbage 14x less often in this process and the workers it starts for
    the run, then as before.  The run holds ~10 acyclic objects a document (features,
    locations) that every full collection walks: 10k documents cost the main process 170 ms
    of collections at the default threshold of 700 (two full ones in the corpus step and
    the write pass, which run on one core), 60 ms at 10,000.  A worker's objects live for
    one batch: at 10,000 it never collects, and pass 1 costs 4% less CPU (6k documents in
    one process: 5.11 -> 4.91 s)."""
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_task(task: tuple[Callable, object], config: Config):
    """What the run's pool does with one task: (function, argument), so one pool serves
    both passes."""
    fn, arg = task
    return fn(arg, config)


def _run(paths, writer: OutputWriter, spool_dir: str, config: Config, progress: ProgressCallback,
         pool: WorkerPool | None, placing: Deferred | None) -> RunResult:
    inputs: list[InputFile] = []

    def raw_documents():
        for record, raws in ingest(paths, config.ingest, exclude=[writer.out]):
            inputs.append(record)
            for raw in raws:
                yield record, raw

    # pass 1
    ids: list[str] = []
    where = _Locations()
    n = 0
    progress("clean", 0, None)  # shown from the start: the first chunk can take seconds
    with ExitStack() as stack:
        corpus: CorpusStep
        if config.engine == "dask":
            from .engine.dask_corpus import DaskCorpus
            corpus = stack.enter_context(DaskCorpus(config))
            driver_spool = Spool(spool_dir)
            stack.callback(driver_spool.close)
            results_in_order = corpus.clean(clean_batch, _batches(raw_documents(), None))
        elif config.engine == "local":
            corpus = DriverCorpus(config, pool)
            driver_spool = None
            results_in_order = pool.map_ordered(_batches(raw_documents(), spool_dir),
                                                send=lambda c: [(clean_batch, c[0][1])])
        else:
            raise ValueError(f"engine must be local or dask, not {config.engine!r}")
        for chunk, results in results_in_order:
            for (record, raw), result in zip(chunk[0][0], results[0]):
                n += 1
                if isinstance(result, str):
                    record.document_failed(raw.source, result)
                    continue
                ids.append(raw.id)
                where.add(result.location if result.blob is None else driver_spool.put(result.blob))
                corpus.add(result)
            progress("clean", n, None)
        _close_spool(spool_dir)
        if driver_spool is not None:
            driver_spool.close()

        # corpus step
        progress("corpus", 0, None)
        counts, repeats, decisions = corpus.decide(ids, where)

    # pass 2
    return _write(writer, spool_dir, config, inputs, ids, where, counts, repeats, decisions, progress, pool,
                  placing)


class CorpusStep(Protocol):
    """Where the corpus features go during pass 1 and where the corpus decisions are made."""

    def add(self, result: Cleaned) -> None: ...

    def decide(self, ids: list[str], where: _Locations
               ) -> tuple[boilerplate.CorpusCounts, set[int], dedup.DedupDecisions | None]: ...


class DriverCorpus:
    """The corpus step of the local engine: every document's features come back to this
    process (`add`), then `decide` counts template lines and clusters duplicates here."""

    def __init__(self, config: Config, pool: WorkerPool | None = None) -> None:
        self.config = config
        self.pool = pool  # idle during the step: the document search runs on it
        self.lines: list[boilerplate.CorpusLines] = []
        self.features: list[dedup.DedupFeatures | None] = []
        self.counts = boilerplate.CorpusCounts(config.boilerplate)

    def add(self, result: Cleaned) -> None:
        self.lines.append(result.lines)
        self.counts.add(result.lines)
        self.features.append(result.dedup)

    def decide(self, ids: list[str], where: _Locations
               ) -> tuple[boilerplate.CorpusCounts, set[int], dedup.DedupDecisions | None]:
        """(frozen line counts, positions with a corpus-repeat line, dedup decisions)."""
        config, counts, features = self.config, self.counts, self.features
        counts.freeze()
        repeats = {pos for pos, row in enumerate(self.lines) if row.lines and counts.affects(row)}
        self.lines = []
        if config.dedup.enabled and repeats:
            changed = list(changed_by_repeats(where, repeats, counts, config))
            for start in range(0, len(changed), 256):
                part = changed[start:start + 256]
                for (pos, _), feats in zip(part, dedup.document_features([d for _, d in part], config.dedup)):
                    features[pos] = feats
            del changed
        elsewhere = None
        if self.pool is not None:
            pool = self.pool
            elsewhere = lambda fn, args: pool.submit((_called, (fn, args)))  # noqa: E731
        decisions = dedup.decide(ids, features, config.dedup, elsewhere) if config.dedup.enabled else None
        self.features = []
        return counts, repeats, decisions


def _called(call: tuple[Callable, tuple], config: Config):
    """A pool task calling `fn(*args)`."""
    fn, args = call
    return fn(*args)


def changed_by_repeats(where: _Locations, repeats: set[int], counts: boilerplate.CorpusCounts, config: Config
                       ) -> Iterator[tuple[int, Document]]:
    """(position, document) of every document whose kept text a corpus repeat changed, in input
    order, read back from the spool: their dedup features must be computed again."""
    ordered = sorted(repeats)
    for pos, blob in zip(ordered, where.entries(ordered)):
        doc = pickle.loads(blob)
        if boilerplate.apply_corpus_repeats(doc, counts, config.boilerplate):
            yield pos, doc


@dataclass(frozen=True)
class CorpusEdits:
    """The corpus step's decisions, as edits to the documents they touch (by input position)."""

    config: Config
    counts: boilerplate.CorpusCounts
    repeats: set[int]  # positions with a line the corpus counts call a template repeat
    decisions: dedup.DocumentEdits | None

    def touches(self, pos: int) -> bool:
        return pos in self.repeats or (self.decisions is not None and self.decisions.touches(pos))

    def apply(self, pos: int, doc: Document) -> None:
        if pos in self.repeats:
            boilerplate.apply_corpus_repeats(doc, self.counts, self.config.boilerplate)
        if self.decisions is not None:
            self.decisions.apply(pos, doc)


@dataclass(frozen=True)
class Refresh:
    """Apply the corpus edits to one spooled document and render it (the write pass's
    per-document work)."""

    edits: CorpusEdits
    href: Callable[[str], str]
    wanted: set[tuple[int, int]]  # (position, paragraph) of passage-cluster members
    anchors: list[str]  # each position's report section name (`ReportWriter.reserve`)

    def render(self, pos: int, doc: Document) -> tuple[Rendered, dict[tuple[int, int], str]]:
        """Edit `doc` (the document at `pos`) if a corpus decision touches it and render it:
        (its rendering, the texts of its passage-cluster members)."""
        texts: dict[tuple[int, int], str] = {}
        if self.edits.touches(pos):
            self.edits.apply(pos, doc)
            texts = {(pos, p): para.text for p, para in enumerate(doc.paragraphs) if (pos, p) in self.wanted}
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
    where: _Locations
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
    summary: "SummaryCounter" = field(default_factory=lambda: SummaryCounter())
    texts: dict[tuple[int, int], str] = field(default_factory=dict)  # of passage-cluster members


def page_runs(pages: list[str]) -> Iterator[list[int]]:
    """The positions of each report/docs/ page, in order: one write-pass task each."""
    start = 0
    for pos in range(1, len(pages) + 1):
        if pos == len(pages) or pages[pos] != pages[start]:
            yield list(range(start, pos))
            start = pos


def _write(writer: OutputWriter, spool_dir: str, config: Config, inputs: list[InputFile], ids: list[str],
           where: _Locations, counts: boilerplate.CorpusCounts, repeats: set[int],
           decisions: dedup.DedupDecisions | None, progress: ProgressCallback, pool: WorkerPool | None,
           placing: Deferred | None) -> RunResult:
    """Pass 2.  With `placing` (where `Place` is saved for the pool), documents are placed
    by the pool and `RunResult.documents` stays empty; without, they are placed here and kept."""
    kept: list[Document] = []
    summary_counter = SummaryCounter()
    report = ReportWriter(writer)
    edits = CorpusEdits(config, counts, repeats, decisions.edits() if decisions is not None else None)
    page_names = report.reserve(ids, where.length)  # spooled sizes: a page closes at report.PAGE_BYTES
    refresh = Refresh(edits, page_names.href, decisions.passage_nodes() if decisions is not None else set(),
                      page_names.pages)
    texts: dict[tuple[int, int], str] = {}
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
                      writer.folder(ReportWriter.PAGES), config.dedup.drop_duplicates, spool_dir)
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
    clusters = decisions.clusters(lambda d, p: texts[(d, p)]) if decisions is not None else []
    summary = summary_counter.summary(inputs, clusters)
    writer.write_duplicates(c.as_dict() for c in clusters)
    report.finish(summary, clusters, inputs)
    if pool is not None:
        pool.close()  # its workers hold spool files open, and were forked holding the output lock
    shutil.rmtree(spool_dir)  # staging holds only outputs from here on
    writer.commit(build_manifest(config, inputs, summary))
    return RunResult(out=writer.out, inputs=inputs, documents=kept, clusters=clusters, summary=summary)


class SummaryCounter:
    """The run summary, accumulated one document at a time."""

    def __init__(self) -> None:
        self.reasons: Counter = Counter()
        self.encodings: Counter = Counter()  # for the report, in order of first appearance
        self.repair_steps: Counter = Counter()
        self.documents = self.paragraphs = self.kept = self.repaired = self.duplicates = 0

    def add(self, tally: Tally) -> None:
        self.documents += 1
        self.paragraphs += tally.paragraphs
        self.reasons.update(tally.reasons)
        self.kept += tally.kept
        self.repaired += tally.repaired
        self.duplicates += tally.duplicate
        self.encodings[tally.encoding] += 1  # "unknown" when not known (`Tally.of`)
        self.repair_steps.update(tally.repair_steps)

    def merge(self, other: "SummaryCounter") -> None:
        """Count the documents `other` counted, as if they had been added here after these."""
        self.documents += other.documents
        self.paragraphs += other.paragraphs
        self.reasons.update(other.reasons)
        self.kept += other.kept
        self.repaired += other.repaired
        self.duplicates += other.duplicates
        self.encodings.update(other.encodings)
        self.repair_steps.update(other.repair_steps)

    def summary(self, inputs: list[InputFile], clusters) -> dict:
        removed = sum(self.reasons.values())
        return {
            "inputs": len(inputs),
            "failed": sum(f.status is FileStatus.FAILED for f in inputs),
            "skipped": sum(f.status is FileStatus.SKIPPED for f in inputs),
            "documents": self.documents,
            "paragraphs": self.paragraphs,
            "kept": self.kept,
            "removed": removed,
            "removed_by_reason": dict(sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "repaired": self.repaired,
            "duplicates": self.duplicates,
            "duplicate_clusters": Counter(c.level for c in clusters),
        }


def package_versions() -> dict[str, str]:
    names = ["cleaner", "trafilatura", "ftfy", "datasketch", "charset-normalizer", "click", "numpy", "fastwarc",
             "pyarrow"]
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(config: Config, inputs: list[InputFile], summary: dict) -> dict:
    return {"config": config.to_dict(), "versions": package_versions(), "counts": summary,
            "inputs": [f.as_dict() for f in inputs]}


def clean_records(records: Iterable[dict], config: Config | None = None) -> Iterator[dict]:
    """Clean dicts one at a time (notebooks, `datasets.map`); per-document stages only.

    Each record needs a `text` or `html` field (names from `config.ingest`); the result is
    the corpus.jsonl record, plus `error` when the record could not be cleaned.
    """
    config = config or Config()
    fields = config.ingest
    for n, record in enumerate(records):
        html = record.get(fields.html_field)
        text = record.get(fields.text_field)
        content, fmt = (text, "text") if isinstance(text, str) else (html, "html")
        doc_id = str(record.get(fields.id_field, n))
        if not isinstance(content, str):
            yield {"id": doc_id, "error": f"field {fields.text_field!r} or {fields.html_field!r} missing"}
            continue
        raw = RawDocument(id=doc_id, source=str(record.get(fields.url_field) or doc_id), content=content,
                          format=fmt, title=record.get(fields.title_field), url=record.get(fields.url_field))
        result = _or_error(lambda r: clean_document(r, config), raw)
        yield {"id": doc_id, "error": result} if isinstance(result, str) else document_record(result)
