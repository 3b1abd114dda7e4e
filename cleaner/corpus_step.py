"""The corpus step of a run: the decisions no document can make alone.

Between the two passes, from the corpus features pass 1 computed: template lines are
counted (a short line recurring across many stories of one site is a corpus repeat); the
few documents that lose a line to a repeat are read back from the spool and get fresh
dedup features (dedup judges kept text); then document and passage clusters are decided.
The result, `CorpusEdits`, is applied to each document in the write pass.

`DriverCorpus` is the local engine's step: every document's features come back to the
main process.  The Dask engine's (cleaner.engine.dask_corpus.DaskCorpus) keeps them on
its workers and makes the same decisions there; both follow `CorpusStep`.
"""
from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from . import boilerplate, dedup
from .clean_pass import Chunk, Cleaned, batches, clean_batch
from .config import Config
from .engine.local import WorkerPool
from .models import Document, InputFile, RawDocument
from .spool import Locations

class CorpusDecisions(NamedTuple):
    """What the corpus step decided."""

    counts: boilerplate.CorpusCounts  # frozen template-line counts
    repeats: set[int]  # positions with a corpus-repeat line (the local engine: a kept one)
    dedup_decisions: dedup.DedupDecisions | None  # None when dedup is off


class CorpusStep(Protocol):
    """Where pass 1 runs, where the corpus features go and where the corpus decisions are
    made; a context manager that owns what it starts."""

    def __enter__(self) -> "CorpusStep": ...

    def __exit__(self, *exc) -> None: ...

    def clean(self, documents: Iterable[tuple[InputFile, RawDocument]], spool_dir: str
              ) -> Iterator[tuple[Chunk, list[list[Cleaned | str]]]]:
        """Pass 1: (chunk, [`clean_batch` results]) in input order; every `Cleaned` has
        its document spooled in `spool_dir` by the time it is yielded."""
        ...

    def add(self, result: Cleaned) -> None: ...

    def decide(self, ids: list[str], where: Locations) -> CorpusDecisions: ...


class DriverCorpus:
    """The corpus step of the local engine: pass 1 runs on the run's worker pool, every
    document's features come back to this process (`add`), then `decide` counts template
    lines and clusters duplicates here."""

    def __init__(self, config: Config, pool: WorkerPool) -> None:
        self.config = config
        self.pool = pool  # idle during the step: the document search runs on it
        self.kept: list[tuple[str, tuple[bytes, ...]]] = []  # (site, kept line keys) a document
        self.features: list[dedup.DedupFeatures | None] = []
        self.counts = boilerplate.CorpusCounts(config.boilerplate)

    def __enter__(self) -> "DriverCorpus":
        return self

    def __exit__(self, *exc) -> None:
        """The pool belongs to the run."""

    def clean(self, documents: Iterable[tuple[InputFile, RawDocument]], spool_dir: str
              ) -> Iterator[tuple[Chunk, list[list[Cleaned | str]]]]:
        """Pass 1 on the pool; each worker spools its documents itself."""
        return self.pool.map_ordered(batches(documents, spool_dir), send=lambda c: [(clean_batch, c[0][1])])

    def add(self, result: Cleaned) -> None:
        self.kept.append((result.lines.site, result.kept_keys))
        self.counts.add(result.lines)
        self.features.append(result.dedup)

    def decide(self, ids: list[str], where: Locations) -> CorpusDecisions:
        config, counts, features = self.config, self.counts, self.features
        counts.freeze()
        # Only a kept line can be removed: a page whose template lines the classifier already
        # dropped (most lines of a real page) is neither read back nor edited.
        repeats = {pos for pos, (site, keys) in enumerate(self.kept)
                   if any(counts.repeated(site, k) for k in keys)}
        self.kept = []
        if config.dedup.enabled and repeats:
            changed = list(changed_by_repeats(where, repeats, counts, config))
            for start in range(0, len(changed), 256):
                part = changed[start:start + 256]
                for (pos, _), feats in zip(part, dedup.document_features([d for _, d in part], config.dedup)):
                    features[pos] = feats
            del changed
        decisions = dedup.decide(ids, features, config.dedup, self.pool.call) if config.dedup.enabled else None
        self.features = []
        return CorpusDecisions(counts, repeats, decisions)


def changed_by_repeats(where: Locations, repeats: set[int], counts: boilerplate.CorpusCounts, config: Config
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
    repeats: set[int]  # positions with a (kept) line the corpus counts call a template repeat
    decisions: dedup.DocumentEdits | None
    story_of: dict[int, str] = field(default_factory=dict)  # position -> story id (`stories_step`)

    def touches(self, pos: int) -> bool:
        return (pos in self.repeats or (self.decisions is not None and self.decisions.touches(pos))
                or pos in self.story_of)

    def apply(self, pos: int, doc: Document) -> None:
        if pos in self.repeats:
            boilerplate.apply_corpus_repeats(doc, self.counts, self.config.boilerplate)
        if self.decisions is not None:
            self.decisions.apply(pos, doc)
        doc.story = self.story_of.get(pos)
