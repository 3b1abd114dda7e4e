"""A run: two streaming passes around a small corpus-wide step.

1. Clean (`clean_pass`, in the engine's workers): each raw document goes through the
   per-document stages, its corpus features are computed and it is spooled (`spool`);
   the main process keeps ids, spool locations and (local engine) the features.
2. Corpus step (`corpus_step`): template lines repeated across a site, duplicate
   documents and passages, decided from the features.
3. Write (`write_pass`): every document is read back, edited by the decisions that touch
   it, rendered once and written; then the run's own files, and the commit.

The result equals the in-memory order of steps (mark_corpus_repeats, find_duplicates,
write); tests/test_streaming.py checks it.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from . import boilerplate, dedup
from .config import Config
from .corpus_step import CorpusStep, DriverCorpus
from .stories import Helpers, semantic
from .stories_step import STORIES, decide_stories
from .engine.local import Deferred, WorkerPool, rare_collections, run_task
from .ingest import ingest
from .models import Document, FileStatus, InputFile
from .report import ReportWriter
from .spool import SPOOL, Locations, close_process_spool
from .stages import clean_document, clean_documents, clean_records
from .summary import build_manifest
from .write import OutputWriter
from .write_pass import write_documents

__all__ = ["RunResult", "run", "clean_document", "clean_documents", "clean_records"]

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
        """0 when every input was fine, 1 when some failed or had records skipped (the
        outputs were written)."""
        return 1 if self.failed or any(f.skipped_records for f in self.inputs) else 0


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
    if config.stories.enabled and config.stories.semantic:
        semantic.check_available()  # before anything is staged: a clear error, OUT untouched
    writer = OutputWriter(out, config.output.formats, replace_with_empty=replace_with_empty)
    spool_dir = None
    try:
        with ExitStack() as stack:
            spool_dir = os.path.join(writer.staging, SPOOL)
            os.mkdir(spool_dir)
            # One pool for both passes, started now: forked while this process is small
            # (it grows with the features), and before any thread (`local._start_method`).
            pool = None
            stack.enter_context(rare_collections())  # before the pool starts: its workers take it too
            if config.engine == "local" or not keep_documents:
                # the workers of the local engine classify: they share the stop-word index
                shared = boilerplate.warm_up if config.engine == "local" else None
                pool = stack.enter_context(WorkerPool(run_task, config, preload=("cleaner.pipeline",), shared=shared))
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
            close_process_spool(spool_dir)
            shutil.rmtree(spool_dir, ignore_errors=True)
    return result


def _engine(config: Config, pool: WorkerPool | None) -> CorpusStep:
    """The configured engine: where pass 1 runs and the corpus step decides (the Dask
    engine is imported only when chosen)."""
    if config.engine == "dask":
        from .engine.dask_corpus import DaskCorpus
        return DaskCorpus(config)
    if config.engine == "local":
        return DriverCorpus(config, pool)
    raise ValueError(f"engine must be local or dask, not {config.engine!r}")


def _run(paths, writer: OutputWriter, spool_dir: str, config: Config, progress: ProgressCallback,
         pool: WorkerPool | None, placing: Deferred | None) -> RunResult:
    inputs: list[InputFile] = []

    def raw_documents():
        for record, raws in ingest(paths, config.ingest, exclude=[writer.out]):
            inputs.append(record)
            for raw in raws:
                yield record, raw

    # pass 1: clean and spool every document, keep its id, location and corpus features
    ids: list[str] = []
    where = Locations()
    evidence: list = []  # each document's story evidence (`stories_step`)
    n = 0
    progress("clean", 0, None)  # shown from the start: the first chunk can take seconds
    with _engine(config, pool) as corpus:
        for chunk, results in corpus.clean(raw_documents(), spool_dir):
            for (record, raw), result in zip(chunk[0][0], results[0]):
                n += 1
                if isinstance(result, str):
                    record.document_failed(raw.source, result)
                    continue
                ids.append(raw.id)
                where.add(result.location)
                evidence.append(result.story)
                result.story = None  # kept here, not in the corpus step's features
                corpus.add(result)
            progress("clean", n, None)
        close_process_spool(spool_dir)  # this process's, when it cleaned documents itself (one worker)
        # corpus step: template-line repeats, duplicate documents and passages
        progress("corpus", 0, None)
        decided = corpus.decide(ids, where)
        helpers = (Helpers(pool.call, pool.workers)
                   if pool is not None and pool.workers > 1 else None)  # idle until pass 2
        story_run = decide_stories(evidence, ids, where, decided.counts, decided.repeats, config, helpers, spool_dir)
        del evidence

    # pass 2: every document edited by the decisions that touch it, rendered once, written
    report = ReportWriter(writer)
    written = write_documents(writer, report, config, ids, where, decided, progress, pool, placing, spool_dir,
                              story_run.story_of if story_run is not None else None)
    # the run's own outputs, then the commit
    decisions = decided.dedup_decisions
    members = written.texts
    clusters = (decisions.clusters(lambda d, p: members[(d, p)][0], lambda d, p: members[(d, p)][1])
                if decisions is not None else [])
    summary = written.summary.summary(inputs, clusters, renamed=len(writer.renamed))
    if story_run is not None and story_run.skipped:
        summary["stories_skipped"] = story_run.skipped
    if story_run is not None and story_run.limited:
        summary["stories_limited"] = story_run.limited
    writer.write_duplicates(c.as_dict() for c in clusters)
    if story_run is not None:
        writer.write_lines(STORIES, (story.as_dict() for story in story_run.stories))
    report.finish(summary, clusters, inputs, story_run.stories if story_run is not None else None)
    if pool is not None:
        pool.close()  # its workers hold spool files open, and were forked holding the output lock
    shutil.rmtree(spool_dir)  # staging holds only outputs from here on
    writer.commit(build_manifest(config, inputs, summary))
    return RunResult(out=writer.out, inputs=inputs, documents=written.documents, clusters=clusters,
                     summary=summary)
