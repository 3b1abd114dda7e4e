"""The run's worker processes on this machine: a process pool with a bounded window of
chunks in flight, serving both passes.

`Pool.imap` reads its whole input iterator ahead of the workers (memory grows with the
corpus), so chunks are submitted with `apply_async` and at most `window` of them are
pending at any time; results come back in submission order.
"""
from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import os
import pickle
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from ..config import Config
from ..interrupts import STOP_SIGNALS, stop_signals_deferred

T = TypeVar("T")
R = TypeVar("R")

CHUNK_DOCS = 64
CHUNK_BYTES = 1 << 20
"""Work goes to the workers in chunks of at most this many items / bytes.  Each chunk
costs the main process about a millisecond of pool messaging: at 16 news-length
documents a chunk that was 1.7 s of its CPU on 10k documents, at 64 it is 1.1 s."""
WINDOW_PER_WORKER = 4


def worker_count(config: Config) -> int:
    return config.workers if config.workers > 0 else (os.cpu_count() or 1)


def chunked(items: Iterable[T], size_of: Callable[[T], int], max_items: int = CHUNK_DOCS,
            max_bytes: int = CHUNK_BYTES) -> Iterator[list[T]]:
    chunk: list[T] = []
    nbytes = 0
    for item in items:
        chunk.append(item)
        nbytes += size_of(item)
        if len(chunk) >= max_items or nbytes >= max_bytes:
            yield chunk
            chunk, nbytes = [], 0
    if chunk:
        yield chunk


_worker_state: dict = {}


def _init_worker(fn, config, collect_threshold: tuple[int, ...]) -> None:
    # Workers collect cyclic garbage as often as the process that started them (a forked
    # worker inherits that; one from the forkserver would start at the defaults).
    gc.set_threshold(*collect_threshold)
    # Ctrl-C goes to the whole process group: workers leave it to the main process, which
    # stops the pool and discards the staged output.  A forked worker also inherits the
    # CLI's SIGTERM handler; the pool stops its workers with SIGTERM, which must just end them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by the parent while forking
    _worker_state["fn"], _worker_state["config"] = fn, config


def _run_chunk(chunk):
    fn, config = _worker_state["fn"], _worker_state["config"]
    return [fn(item, config) for item in chunk]


def _block_stop_signals():
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def _unblock(previous) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_method() -> str:
    """fork on Linux while this process runs no other thread (instant start, the stages are
    already imported); otherwise forkserver (spawn on Windows), which is safe with threads."""
    if sys.platform == "win32":
        return "spawn"
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver"


class _Pool(multiprocessing.pool.Pool):
    """multiprocessing's Pool without a busy loop in its worker-handler thread.  That thread
    also waits on the result pipe (so that it notices workers leaving after
    `maxtasksperchild`, which this pool does not use); while a worker's result is being
    read from the pipe it wakes, polls every worker and waits again, over and over: 0.33
    of the main process's 0.95 CPU-s in pass 1 of 10k documents.  It still wakes for a
    worker that dies (its sentinel) and for the pool's own notices (cache drained,
    close, terminate).  `_get_sentinels` is internal to CPython (3.8 onwards); if it
    goes, the override is never called and the pool works as before."""

    def _get_sentinels(self):
        return [self._change_notifier._reader]


class WorkerPool:
    """A process pool with a bounded window of chunks in flight (`map_ordered`); one worker
    process per core, or none (work done in this process) when `config.workers` is 1."""

    def __init__(self, fn: Callable[[object, Config], R], config: Config,
                 preload: tuple[str, ...] = (), shared: Callable[[], object] | None = None) -> None:
        """`preload` names the modules the forkserver (when used) imports before it forks the
        workers, so that no worker imports them again.  `shared` builds what forked workers
        then share (lookup tables).  It runs here, just before the fork, with Ctrl-C and
        SIGTERM blocked like the fork itself, and deferred: one that reaches another thread
        (numpy's BLAS threads) is handled after it."""
        self.fn, self.config = fn, config
        self.workers = worker_count(config)
        self._pool = None
        if self.workers == 1:
            return
        ctx = multiprocessing.get_context(_start_method())
        if ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload(list(preload))  # workers fork with the stages imported
        # A signal that arrives while the pool forks would be raised inside an at-fork hook,
        # where Python ignores exceptions (the run would go on): hold it until the pool exists.
        blocked = _block_stop_signals()
        if shared is not None and ctx.get_start_method() == "fork":
            try:
                with stop_signals_deferred():
                    shared()
            except BaseException:
                _unblock(blocked)
                raise
        # Forked workers share the parent's memory until they write to it, and a garbage
        # collection writes to every object it visits: frozen objects are never visited.
        gc.freeze()
        try:
            self._pool = _Pool(self.workers, initializer=_init_worker, initargs=(fn, config, gc.get_threshold()),
                               context=ctx)
        except BaseException:
            _unblock(blocked)
            raise
        finally:
            gc.unfreeze()
        try:
            _unblock(blocked)  # a held signal is raised here
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (at once: results not yet taken are dropped)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None

    def submit(self, item) -> Callable[[], R]:
        """Start `fn(item, config)` on a worker now; returns a function that waits for its
        result (without worker processes, it runs `fn` here when called)."""
        if self._pool is None:
            return lambda: self.fn(item, self.config)
        pending = self._pool.apply_async(_run_chunk, ([item],))
        return lambda: pending.get()[0]

    def map_ordered(self, chunks: Iterable[list[T]], send: Callable[[list[T]], list] = lambda chunk: chunk
                    ) -> Iterator[tuple[list[T], list[R]]]:
        """Yield (chunk, [fn(x, config) for x in send(chunk)]) for every chunk, in input order.

        `send` picks what goes to the workers, so bookkeeping stays in this process.
        """
        fn, config = self.fn, self.config
        if self._pool is None:
            for chunk in chunks:
                yield chunk, [fn(item, config) for item in send(chunk)]
            return
        window = self.workers * WINDOW_PER_WORKER
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, self._pool.apply_async(_run_chunk, (send(chunk),))))
            if len(pending) >= window:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


def run_task(task: tuple[Callable[[object, Config], R], object], config: Config) -> R:
    """What a pool started with `run_task` does with one task: (function, argument), so
    one pool serves several kinds of work (both passes of a run)."""
    fn, arg = task
    return fn(arg, config)


@contextmanager
def rare_collections(young: int = 10_000):
    """Collect cyclic garbage 14x less often in this process and the workers it starts
    meanwhile (they take its threshold), then as before.  A run holds ~10 acyclic objects
    a document (features, locations) that every full collection walks: 10k documents cost
    the main process 170 ms of collections at the default threshold of 700 (two full ones
    in the corpus step and the write pass, which run on one core), 60 ms at 10,000.  A
    worker's objects live for one batch: at 10,000 it never collects, and pass 1 costs 4%
    less CPU (6k documents in one process: 5.11 -> 4.91 s)."""
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class Deferred:
    """A callable that is saved after the pool that runs it has started: a pool forked
    while the main process is small stays small, even if the main process grows before
    the work for it exists.  `save` writes it to `path`; each worker loads it once."""

    _loaded: dict[str, Callable] = {}

    def __init__(self, path: str) -> None:
        self.path = path

    def save(self, fn: Callable[[object, Config], R]) -> None:
        with open(self.path + ".tmp", "wb") as fh:
            pickle.dump(fn, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(self.path + ".tmp", self.path)
        Deferred._loaded[self.path] = fn  # a pool of one runs here

    def __call__(self, item, config: Config):
        fn = Deferred._loaded.get(self.path)
        if fn is None:
            with open(self.path, "rb") as fh:
                fn = Deferred._loaded[self.path] = pickle.load(fh)
        return fn(item, config)

    def forget(self) -> None:
        Deferred._loaded.pop(self.path, None)
