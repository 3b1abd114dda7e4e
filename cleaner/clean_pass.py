"""Pass 1 of a run, the worker's side: clean a batch of raw documents, compute each one's
corpus features and spool it.

A worker returns, per document, a `Cleaned`: where the document is spooled and its corpus
features (template-line keys for `boilerplate.CorpusCounts`, shingle summaries and MinHash
signatures for `dedup.decide`); or the error that stopped it.
"""
from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from . import boilerplate, dedup
from .config import Config
from .engine.local import CHUNK_BYTES, CHUNK_DOCS, chunked
from .models import InputFile, RawDocument
from .spool import Location, process_spool
from .stages import clean_documents

Batch = tuple[str | None, list[RawDocument]]
"""(spool folder, or None to send the pickled documents back; raw documents)."""


@dataclass
class Cleaned:
    """What a worker sends back for one cleaned document (the document itself is spooled)."""

    location: Location | None  # in the worker's spool file (local engine)
    lines: boilerplate.CorpusLines | None  # None when the Dask engine keeps them on the cluster
    dedup: dedup.DedupFeatures | None
    blob: bytes | None = None  # the pickled document (Dask: workers cannot reach the driver's disk)


def clean_batch(batch: Batch, config: Config) -> list[Cleaned | str]:
    """Pass 1 for a batch of raw documents, in a worker: clean, compute features, spool."""
    folder, raws = batch
    spool = process_spool(folder) if folder is not None else None
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


Chunk = list[tuple[list[tuple[InputFile, RawDocument]], Batch]]
"""One item: (bookkeeping kept by the main process, the batch sent to a worker)."""


def batches(raw_docs: Iterable[tuple[InputFile, RawDocument]], folder: str | None) -> Iterator[Chunk]:
    """Chunks for `WorkerPool.map_ordered` (and `DaskPass1.clean`) of the raw documents,
    each with the input file it came from."""
    for chunk in chunked(raw_docs, lambda fr: len(fr[1].content), CHUNK_DOCS, CHUNK_BYTES):
        yield [(chunk, (folder, [raw for _, raw in chunk]))]


def record_failure(record: InputFile, raw: RawDocument, error: str) -> None:
    """Note on its input file that a document could not be cleaned: a problem line of a
    JSONL file, else the file's failure."""
    if record.format == "jsonl":
        record.skip(f"{raw.source}: {error}")
    else:
        record.fail(error)
    record.documents -= 1
