"""Wire the stages together: per-document stages in a pool, corpus-wide steps after.

Per-document stages (extract, repair, boilerplate) are pure functions of one document and
the config, so they run in worker processes.  Corpus-wide steps (repeated template lines,
duplicates) need every document and run once, in order, in the main process.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
import os
import platform
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

from . import boilerplate, dedup
from .config import Config
from .extract import ExtractionError, extract
from .ingest import ingest
from .models import Document, FileStatus, InputFile, RawDocument
from .repair import repair_document
from .report import write_report
from .write import OutputWriter, document_record

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as (phase, done, total) while a run advances."""


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
        """0 when every input was fine, 1 when some failed but outputs were written."""
        return 1 if self.failed else 0


def clean_document(raw: RawDocument, config: Config) -> Document:
    """Run the per-document stages on one raw document."""
    doc = extract(raw, config.extract)
    repair_document(doc, config.repair)
    boilerplate.classify(doc, config.boilerplate)
    return doc


def _clean_or_error(args: tuple[RawDocument, Config]) -> Document | str:
    raw, config = args
    try:
        return clean_document(raw, config)
    except ExtractionError as exc:
        return str(exc)
    except RecursionError:
        return "document too deeply nested to process"
    except Exception as exc:  # one bad document must never end the run
        return f"internal error while cleaning: {type(exc).__name__}: {exc}"


def worker_count(config: Config) -> int:
    return config.workers if config.workers > 0 else (os.cpu_count() or 1)


def _cleaned(raw_docs: Iterable[tuple[InputFile, RawDocument]], config: Config,
             ) -> Iterator[tuple[InputFile, RawDocument, Document | str]]:
    workers = worker_count(config)
    pairs = ((f, raw) for f, raw in raw_docs)
    if workers == 1:
        for f, raw in pairs:
            yield f, raw, _clean_or_error((raw, config))
        return
    ctx = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    with ctx.Pool(workers) as pool:
        buffered: deque[tuple[InputFile, RawDocument]] = deque()

        def jobs():
            for f, raw in pairs:
                buffered.append((f, raw))
                yield raw, config

        for result in pool.imap(_clean_or_error, jobs(), chunksize=8):
            f, raw = buffered.popleft()
            yield f, raw, result


def run(paths: Iterable[str | os.PathLike], out: str | os.PathLike = "output",
        config: Config | None = None, progress: ProgressCallback | None = None) -> RunResult:
    """Clean every input under `paths` and write the output contract into `out`."""
    config = config or Config()
    progress = progress or (lambda phase, done, total: None)
    inputs: list[InputFile] = []
    docs: list[Document] = []

    def raw_documents():
        for record, raws in ingest(paths, config.ingest):
            inputs.append(record)
            for raw in raws:
                yield record, raw

    for n, (record, raw, result) in enumerate(_cleaned(raw_documents(), config), 1):
        if isinstance(result, str):
            _record_failure(record, raw, result)
        else:
            docs.append(result)
        progress("clean", n, None)

    progress("corpus", 0, None)
    boilerplate.mark_corpus_repeats(docs, config.boilerplate)
    clusters = dedup.find_duplicates(docs, config.dedup) if config.dedup.enabled else []
    summary = summarize(inputs, docs, clusters)
    writer = OutputWriter(out)
    try:
        for i, doc in enumerate(docs, 1):
            writer.add(doc, in_corpus=not (config.dedup.drop_duplicates and doc.duplicate_of))
            if i % 1000 == 0:
                progress("write", i, len(docs))
        writer.write_lines("duplicates.jsonl", (c.as_dict() for c in clusters))
        write_report(writer, summary, docs, clusters, inputs)
        writer.commit(build_manifest(config, inputs, summary))
    except BaseException:
        writer.abort()
        raise
    return RunResult(out=Path(out), inputs=inputs, documents=docs, clusters=clusters, summary=summary)


def _record_failure(record: InputFile, raw: RawDocument, error: str) -> None:
    if record.format == "jsonl":
        record.problems.append(f"{raw.source}: {error}")
    else:
        record.fail(error)
    record.documents -= 1


def summarize(inputs: list[InputFile], docs: list[Document], clusters) -> dict:
    reasons = Counter(p.reason for d in docs for _, p in d.removed)
    paragraphs = sum(len(d.paragraphs) for d in docs)
    removed = sum(reasons.values())
    return {
        "inputs": len(inputs),
        "failed": sum(f.status is FileStatus.FAILED for f in inputs),
        "skipped": sum(f.status is FileStatus.SKIPPED for f in inputs),
        "documents": len(docs),
        "paragraphs": paragraphs,
        "kept": sum(len(d.body) for d in docs),
        "removed": removed,
        "removed_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "repaired": sum(1 for d in docs for p in d.paragraphs if p.repairs),
        "duplicates": sum(1 for d in docs if d.duplicate_of),
        "duplicate_clusters": Counter(c.level for c in clusters),
    }


def package_versions() -> dict[str, str]:
    names = ["cleaner", "trafilatura", "ftfy", "datasketch", "charset-normalizer", "click", "numpy"]
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
        result = _clean_or_error((raw, config))
        yield {"id": doc_id, "error": result} if isinstance(result, str) else document_record(result)
