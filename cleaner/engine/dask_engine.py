"""Pass 1 on a Dask cluster (`engine = "dask"`, `scheduler = "tcp://host:port"`, or a
LocalCluster of `workers` processes when no scheduler is given), and the two primitives
the corpus step builds on (cleaner.engine.dask_corpus).

The driver ingests (as the local engine does) and scatters chunks of raw documents to the
cluster with a bounded number in flight.  Each chunk's result is split where it was
computed: the pickled documents (and errors) come back to the driver, in input order, to
be spooled for the write pass (workers cannot reach the driver's staging folder); the
corpus features (line keys, dedup features) stay in worker memory.  After pass 1 they are
concatenated into a few `Partition`s of consecutive input positions, which the corpus
step maps over and shuffles.

Scattered data has no lineage, so Dask cannot recompute what a lost worker held.  The
driver can: a chunk whose result was lost is scattered and cleaned again, and a lost
partition is rebuilt from the cleaned documents in the driver's spool (`rebuilt`), which
are what pass 1 computed its features from.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import gc
import logging
import math
import multiprocessing
import pickle
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import getitem
from typing import Any

from .. import boilerplate, dedup
from ..boilerplate import CorpusLines
from ..config import Config
from ..dedup import DedupFeatures
from ..interrupts import TEARDOWN_LOGGERS, stop_signals_deferred
from .local import WINDOW_PER_WORKER, worker_count

BLOCK_DOCS = 256
"""Chunks' features are merged into blocks of about this many documents as pass 1 goes, so
the scheduler tracks one key per block, not one per chunk of 16 documents."""
PARTITION_DOCS = 16384
"""Documents per partition of the corpus step at most (there are at least 2 per worker)."""
RETRIES = 3
"""How many times a lost chunk is cleaned again, or the corpus step started again, before
the run gives up."""

log = logging.getLogger("cleaner")


def is_lost(exc: BaseException) -> bool:
    """Whether `exc` says results were cancelled, as Dask does when a worker is lost with data
    it cannot recompute ("lost dependencies"), not that a task failed (its own exception)."""
    return isinstance(exc, concurrent.futures.CancelledError)


class DaskClient:
    """A client of the configured scheduler, else of a LocalCluster of `workers` processes
    started for the run; `close` ends it, promptly when the run is being stopped.

    A LocalCluster's nannies live in this process and its workers are its children: a
    signal to the process group ends the workers, the nannies start new ones, and closing
    the cluster waits on them.  So a stopped run closes with short timeouts and then ends
    every process the cluster started that is still there: no worker outlives the run."""

    def __init__(self, config: Config) -> None:
        from distributed import Client, LocalCluster
        self.cluster = None
        self.client = None
        self._before = set(multiprocessing.active_children())
        try:
            # A stop while the cluster starts waits until it has: its workers are started
            # from another thread, which would go on starting them for a run that is gone.
            with stop_signals_deferred():
                if config.scheduler:
                    self.client = Client(config.scheduler)
                else:
                    self.cluster = LocalCluster(n_workers=worker_count(config), threads_per_worker=1,
                                                processes=True, dashboard_address=None)
                    self.client = Client(self.cluster)
        except BaseException:
            self.close(stopping=True)
            raise

    def close(self, stopping: bool = False) -> None:
        """Close the client and the cluster; `stopping`: the run is being stopped, so wait
        for them only briefly, then end the cluster's processes."""
        timeout = CLOSE_SECONDS if stopping else None
        with stop_signals_deferred(), _quiet(stopping):
            for closing in (self.client, self.cluster):
                if closing is None:
                    continue
                try:
                    closing.close(timeout=timeout) if stopping else closing.close()
                except Exception as exc:  # a cluster whose workers are gone may fail to close cleanly
                    if not stopping:
                        raise
                    log.debug("cleaner: closing Dask after a stop: %r", exc)
            self.client = self.cluster = None
            if stopping:
                end_processes(set(multiprocessing.active_children()) - self._before)
                gc.collect()  # its unfinished start-up tasks report their errors now, quietly


@contextlib.contextmanager
def _quiet(stopping: bool):
    """Keep Dask's and asyncio's error reports off the terminal while a stopped run closes
    its cluster: workers it is ending, or that were still starting, fail as expected."""
    if not stopping:
        yield
        return
    loggers = [logging.getLogger(name) for name in TEARDOWN_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


CLOSE_SECONDS = 3
"""How long a stopped run waits for the Dask client and cluster to close."""


def end_processes(processes) -> None:
    """Terminate `processes` (multiprocessing children), kill those that do not end at once."""
    for p in processes:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + 2
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(2)


def _nbytes(lines: list[CorpusLines], features: list[DedupFeatures | None]) -> int:
    """About the memory of some documents' features.  Dask sizes objects with `sys.getsizeof`
    and runs a task where most of its input bytes are: without this, a partition looks
    like a few hundred bytes and is copied to wherever a few candidate pairs are."""
    n = 0
    for row in lines:
        n += 100 + 40 * len(row.lines)
    for f in features:
        if f is not None:
            p = f.passages
            n += 300 + f.signed.signature.nbytes + p.shingles.nbytes + p.cuts.nbytes + 30 * len(p)
            n += p.bands.nbytes
    return n


@dataclass
class Kept:
    """The corpus features of one chunk's cleaned documents, in order (left on the worker)."""

    lines: list[CorpusLines]
    features: list[DedupFeatures | None]

    def __sizeof__(self) -> int:
        return _nbytes(self.lines, self.features)


@dataclass
class Partition:
    """Corpus features of the documents at input positions start, start + 1, ..."""

    start: int
    lines: list[CorpusLines]
    features: list[DedupFeatures | None]

    def __sizeof__(self) -> int:
        return _nbytes(self.lines, self.features)


def _clean_and_keep(fn: Callable, batch: Any, config: Config) -> tuple[list, Kept]:
    """Run pass 1 on a chunk; split its results into what goes to the driver and what stays."""
    results = fn(batch, config)
    done = [r for r in results if not isinstance(r, str)]
    slim = [r if isinstance(r, str) else dataclasses.replace(r, lines=None, dedup=None) for r in results]
    return slim, Kept([r.lines for r in done], [r.dedup for r in done])


def concatenated(start: int, parts: list[Kept | Partition]) -> Partition:
    return Partition(start, [x for k in parts for x in k.lines], [x for k in parts for x in k.features])


def rebuilt(start: int, pickled: list[bytes], config: Config) -> Partition:
    """The corpus features of spooled documents, as pass 1 kept them (`clean_pass.clean_batch`:
    line keys and dedup features of the cleaned document; both are per document, whatever
    the batch)."""
    docs = [pickle.loads(b) for b in pickled]
    lines = [boilerplate.corpus_line_keys(d, config.boilerplate) for d in docs]
    features = dedup.document_features(docs, config.dedup) if config.dedup.enabled else [None] * len(docs)
    return Partition(start, lines, features)


class DaskPass1:
    """Runs pass 1 on the cluster and keeps futures of the features, merged into blocks."""

    def __init__(self, client) -> None:
        self.client = client
        self.blocks: list[tuple[Any, int, int]] = []  # (future of Partition, start, documents)
        self._chunks: list = []  # futures of Kept not yet in a block
        self._chunk_docs = 0
        self.documents = 0

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def clean(self, fn: Callable, chunks: Iterable[list], config: Config) -> Iterator[tuple[list, list]]:
        """Yield (chunk, [slim results of fn(chunk[0][1], config)]) in input order (the contract
        of `local.WorkerPool.map_ordered` with `send=lambda c: [c[0][1]]`); features stay on the cluster."""
        window = max(2, WINDOW_PER_WORKER * self.workers())
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, *self._submit(fn, chunk, config)))
            if len(pending) >= window:
                yield self._done(fn, config, *pending.popleft())
        while pending:
            yield self._done(fn, config, *pending.popleft())
        if self._chunks:
            self._block()

    def _submit(self, fn: Callable, chunk: list, config: Config) -> tuple[Any, Any]:
        """Futures of (the chunk's slim results, its kept features)."""
        client = self.client
        # Scattered, not inside the task: the scheduler keeps a task's spec as long as a
        # result derived from it is held (the features, until the corpus step ends).
        batch = client.scatter([chunk[0][1]], hash=False)[0]
        both = client.submit(_clean_and_keep, fn, batch, config, pure=False)
        return client.submit(getitem, both, 0, pure=False), client.submit(getitem, both, 1, pure=False)

    def _done(self, fn: Callable, config: Config, chunk: list, slim, kept) -> tuple[list, list]:
        for attempt in range(RETRIES + 1):
            try:
                results = slim.result()
                break
            except Exception as exc:
                if not is_lost(exc) or attempt == RETRIES:
                    raise
                log.warning("cleaner: a Dask worker was lost with a chunk of %d documents; cleaning it again",
                            len(chunk[0][0]))
                slim, kept = self._submit(fn, chunk, config)
        ok = sum(not isinstance(r, str) for r in results)
        if ok:
            self._chunks.append(kept)
            self._chunk_docs += ok
            self.documents += ok
            if self._chunk_docs >= BLOCK_DOCS:
                self._block()
        return chunk, [results]

    def _block(self) -> None:
        start = self.documents - self._chunk_docs
        self.blocks.append((self.client.submit(concatenated, start, self._chunks, pure=False), start, self._chunk_docs))
        self._chunks, self._chunk_docs = [], 0

    def partitions(self) -> tuple[list, list[int]]:
        """Futures of `Partition`s of consecutive positions (at least two per worker when
        there are enough blocks), and their first positions."""
        if not self.documents:
            return [], []
        parts = max(2 * self.workers(), math.ceil(self.documents / PARTITION_DOCS))
        target = math.ceil(self.documents / parts)
        out, starts, group, size = [], [], [], 0
        for future, start, n in self.blocks:
            if not group:
                starts.append(start)
            group.append(future)
            size += n
            if size >= target:
                out.append(group[0] if len(group) == 1 else self.client.submit(concatenated, starts[-1], group, pure=False))
                group, size = [], 0
        if group:
            out.append(group[0] if len(group) == 1 else self.client.submit(concatenated, starts[-1], group, pure=False))
        self.blocks = []
        return out, starts


DIRECT_EXCHANGE = 16
"""Up to this many partitions an exchange is direct: one small task per (source,
destination) pair, partitions² in all.  Beyond, it is staged through about √partitions
groups (`exchange`): ~2 x partitions^1.5 small tasks (610 partitions, 10M documents:
~31,000 instead of ~372,000 an exchange)."""


def _slice(pieces: list, lo: int, hi: int) -> list:
    return pieces[lo:hi]


def _regroup(sliced: list[list]) -> list[list]:
    """[pieces of each source for destinations lo..hi) -> [pieces for each destination, by source]."""
    return [list(column) for column in zip(*sliced)]


def _joined(blocks: list[list]) -> list:
    return [piece for block in blocks for piece in block]


def exchange(client, sources: list, destinations: int) -> list:
    """All-to-all: `sources` are futures of lists of `destinations` pieces; returns, for each
    destination d, what a task given it receives as `[source[d] for source in sources]`
    (a list of futures, or a future of that list), in source order."""
    n = len(sources)
    if n * destinations <= DIRECT_EXCHANGE ** 2:
        return [client.map(getitem, sources, [d] * n, pure=False) for d in range(destinations)]
    width = math.isqrt(max(n, destinations) - 1) + 1  # sources a block, destinations a group
    groups = range(0, destinations, width)
    blocks = range(0, n, width)
    sliced = [[client.submit(_slice, src, lo, min(lo + width, destinations), pure=False) for lo in groups]
              for src in sources]
    # one task per (block of sources, group of destinations): each destination's pieces from that block
    regrouped = [[client.submit(_regroup, [sliced[s][g] for s in range(b, min(b + width, n))], pure=False)
                  for g in range(len(groups))] for b in blocks]
    out = []
    for d in range(destinations):
        g, k = divmod(d, width)
        parts = client.map(getitem, [regrouped[b][g] for b in range(len(blocks))], [k] * len(blocks), pure=False)
        out.append(client.submit(_joined, parts, pure=False))
    return out


def shuffle(client, parts: list, split: Callable, split_args: tuple, combine: Callable, combine_args: tuple,
            buckets: int, part_args: list[tuple] | None = None) -> list:
    """An all-to-all exchange on the cluster: `split(part, buckets, *split_args, *part_args[i])`
    returns one piece per bucket; `combine([piece r of every part], *combine_args)` runs once
    per bucket r.  Returns the futures of the combined buckets; nothing goes through the driver."""
    extra = part_args or [()] * len(parts)
    split_futures = [client.submit(split, p, buckets, *split_args, *more, pure=False) for p, more in zip(parts, extra)]
    return [client.submit(combine, pieces, *combine_args, pure=False)
            for pieces in exchange(client, split_futures, buckets)]
