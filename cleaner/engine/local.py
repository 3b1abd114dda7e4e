"""The run's worker processes on this machine: a process pool with a bounded window of
chunks in flight, serving both passes, that ends the run when a worker dies.

Each worker has a pipe of its own each way: the main process sends it at most
`PREFETCH` tasks at a time (`map_ordered` keeps at most `window` chunks taken from its
input and not yet yielded, so memory does not grow with the corpus) and waits on every
worker's result pipe and process sentinel at once.  Nothing is shared between workers, so a
worker that dies (killed by the OOM killer, a signal, a crash) takes nothing else with it:
its sentinel wakes the main process, which raises `WorkerDied` at once.  (multiprocessing's
Pool shares a task queue and a result queue, each with a lock: it starts a fresh worker and
waits forever for the dead one's result, or for a lock the dead one held.)  The pool starts
no thread in the main process; each worker runs a reader and a writer thread, so that it
takes tasks and hands back results while it computes.  A worker whose main process is gone
sees its task pipe close and exits.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
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
PREFETCH = 2
"""Tasks sent to a worker at once: the one it runs and the next, so it never waits for the
main process between two; the rest of the window waits in the main process, for whichever
worker is free first."""
STOP_GRACE = 0.25
"""Seconds the main process waits, when a worker was ended by SIGTERM or SIGINT, for that
signal to reach it too (a signal to the process group): then the run was stopped, not broken."""
JOIN_SECONDS = 2.0
"""How long a stopped worker may take to exit before it is killed."""


class WorkerDied(RuntimeError):
    """A worker process ended while the run needed it (killed by a signal or the system's
    out-of-memory killer, or crashed): the run cannot finish, and its output is discarded."""


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


def _init_worker(fn, config, collect_threshold: tuple[int, ...]) -> None:
    # Workers collect cyclic garbage as often as the process that started them (a forked
    # worker inherits that; one from the forkserver would start at the defaults).
    gc.set_threshold(*collect_threshold)
    # Ctrl-C goes to the whole process group: workers leave it to the main process, which
    # stops the pool and discards the staged output.  A forked worker also inherits the
    # CLI's SIGTERM handler; SIGTERM (the pool's, or a scheduler's to the whole group) must
    # just end it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked by the parent while forking


def _serve(tasks, results, fn, config, collect_threshold: tuple[int, ...], inherited: tuple[int, ...]) -> None:
    """A worker: run `fn(item, config)` for every item of every task received, in order, and
    send back (task number, (True, results) or (False, exception))."""
    for fd in inherited:  # the main process's ends of earlier workers' pipes, copied by fork
        try:
            os.close(fd)
        except OSError:
            pass
    _init_worker(fn, config, collect_threshold)
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    outbox: queue.SimpleQueue = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                inbox.put(tasks.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)  # the main process closed the pool, or is gone: nothing to do for it

    def send() -> None:
        try:
            while True:
                results.send_bytes(outbox.get())
        except (EOFError, OSError):
            os._exit(0)

    threading.Thread(target=receive, daemon=True).start()
    threading.Thread(target=send, daemon=True).start()
    while True:
        number, items = pickle.loads(inbox.get())
        try:
            outcome = (True, [fn(item, config) for item in items])
        except BaseException as exc:  # the main process raises it where it takes the result
            outcome = (False, exc)
        try:
            data = pickle.dumps((number, outcome), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = pickle.dumps((number, (False, RuntimeError(f"cannot send a worker's result back: {exc!r}"))))
        outbox.put(data)


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


class _Worker:
    """One worker process and the main process's ends of its two pipes."""

    def __init__(self, ctx, number: int, fn, config: Config, inherited: tuple[int, ...] | None) -> None:
        """`inherited`: the main process's ends of other workers' pipes, which a forked worker
        has copies of and closes (None: not forked, nothing inherited)."""
        task_reader, self.tasks = ctx.Pipe(duplex=False)
        self.results, result_writer = ctx.Pipe(duplex=False)
        # A forked worker also closes its copies of this process's ends of its own pipes: while
        # it held one, it would never see its task pipe close when this process is gone.
        closing = () if inherited is None else (*inherited, *self.fds())
        self.process = ctx.Process(target=_serve, name=f"cleaner-worker-{number}", daemon=True,
                                   args=(task_reader, result_writer, fn, config, gc.get_threshold(), closing))
        try:
            self.process.start()
        finally:
            task_reader.close()  # the worker's ends: only it holds them, so its exit closes them
            result_writer.close()
        self.running: deque[int] = deque()  # task numbers sent and not answered

    def fds(self) -> tuple[int, ...]:
        return self.tasks.fileno(), self.results.fileno()

    def stop(self) -> None:
        """End the process now (SIGTERM ends a worker at once), and its pipes."""
        if self.process.is_alive():
            self.process.terminate()

    def reap(self, deadline: float) -> None:
        self.process.join(max(0.0, deadline - time.monotonic()))
        if self.process.is_alive():
            self.process.kill()
            self.process.join(JOIN_SECONDS)
        for conn in (self.tasks, self.results):
            conn.close()


def _death(process) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


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
        self._procs: list[_Worker] = []
        self._queue: deque[tuple[int, object]] = deque()  # (task number, items) not yet sent
        self._done: dict[int, tuple[bool, object]] = {}
        self._next = 0
        if self.workers == 1:
            return
        ctx = multiprocessing.get_context(_start_method())
        forked = ctx.get_start_method() == "fork"
        if ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload(list(preload))  # workers fork with the stages imported
        # A signal that arrives while the pool forks would be raised inside an at-fork hook,
        # where Python ignores exceptions (the run would go on): hold it until the pool exists.
        blocked = _block_stop_signals()
        if shared is not None and forked:
            try:
                with stop_signals_deferred():
                    shared()
            except BaseException:
                _unblock(blocked)
                raise
        # Forked workers share the parent's memory until they write to it, and a garbage
        # collection writes to every object it visits: frozen objects are never visited.
        frozen_already = gc.get_freeze_count() > 0  # by `rare_collections`, which unfreezes them
        gc.freeze()
        try:
            for number in range(self.workers):
                inherited = tuple(fd for w in self._procs for fd in w.fds()) if forked else None
                self._procs.append(_Worker(ctx, number, fn, config, inherited))
        except BaseException:
            _unblock(blocked)
            self.close()
            raise
        finally:
            if not frozen_already:
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
        """Stop the workers (at once: results not yet taken are dropped) and wait until they
        are gone, so that none outlives the run."""
        procs, self._procs = self._procs, []
        with stop_signals_deferred():  # a second Ctrl-C must not leave workers behind
            for w in procs:
                w.stop()
            deadline = time.monotonic() + JOIN_SECONDS
            for w in procs:
                w.reap(deadline)
        self._queue.clear()
        self._done.clear()

    def pids(self) -> list[int]:
        """The worker processes' ids (empty without workers)."""
        return [w.process.pid for w in self._procs]

    def submit(self, item) -> Callable[[], R]:
        """Start `fn(item, config)` on a worker now; returns a function that waits for its
        result (without worker processes, it runs `fn` here when called)."""
        if not self._procs:
            return lambda: self.fn(item, self.config)
        number = self._send([item])
        return lambda: self._result(number)[0]

    def call(self, fn: Callable[..., R], args: tuple) -> Callable[[], R]:
        """`submit` of `fn(*args)` (a pool started with `run_task`): one-off work the main
        process hands to an idle worker."""
        return self.submit((_called, (fn, args)))

    def map_ordered(self, chunks: Iterable[list[T]], send: Callable[[list[T]], list] = lambda chunk: chunk
                    ) -> Iterator[tuple[list[T], list[R]]]:
        """Yield (chunk, [fn(x, config) for x in send(chunk)]) for every chunk, in input order.

        `send` picks what goes to the workers, so bookkeeping stays in this process.
        """
        fn, config = self.fn, self.config
        if not self._procs:
            for chunk in chunks:
                yield chunk, [fn(item, config) for item in send(chunk)]
            return
        window = self.workers * WINDOW_PER_WORKER
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, self._send(send(chunk))))
            if len(pending) >= window:
                done, number = pending.popleft()
                yield done, self._result(number)
        while pending:
            done, number = pending.popleft()
            yield done, self._result(number)

    # ----------------------------------------------------------------- the main process's side

    def _send(self, items: list) -> int:
        """Queue a task; it goes to a worker as soon as one has room.  Returns its number."""
        if not self._procs:
            raise RuntimeError("the worker pool is closed")
        number = self._next
        self._next += 1
        self._queue.append((number, items))
        self._dispatch()
        return number

    def _dispatch(self) -> None:
        """Send queued tasks to the workers with room, the least busy first."""
        while self._queue:
            worker = min(self._procs, key=lambda w: len(w.running))
            if len(worker.running) >= PREFETCH:
                return
            number, items = self._queue.popleft()
            try:
                worker.tasks.send_bytes(pickle.dumps((number, items), protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:  # its end of the pipe is gone: the worker died
                self._died(worker)
            worker.running.append(number)

    def _result(self, number: int) -> list:
        """The results of task `number`, waiting for them while handling every worker's."""
        while number not in self._done:
            self._pump()
        ok, value = self._done.pop(number)
        if not ok:
            raise value
        return value

    def _pump(self) -> None:
        """Wait until a worker answers or ends; take the answers, send more tasks."""
        by_conn = {w.results: w for w in self._procs}
        by_sentinel = {w.process.sentinel: w for w in self._procs}
        ready = wait([*by_conn, *by_sentinel])
        for obj in ready:
            worker = by_conn.get(obj)
            if worker is None:
                continue
            try:
                number, outcome = pickle.loads(worker.results.recv_bytes())
            except (EOFError, OSError):  # closed mid-answer: the worker died
                self._died(worker)
            worker.running.remove(number)
            self._done[number] = outcome
        for obj in ready:
            worker = by_sentinel.get(obj)
            if worker is not None and not worker.results.poll():
                self._died(worker)
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        """A worker ended while the run needed it.  If a stop signal ended it, the same
        signal may be on its way to this process (sent to the process group): wait a moment
        for it, so the run ends as stopped (130, 143), not as broken."""
        worker.process.join(JOIN_SECONDS)
        if worker.process.exitcode in (-signal.SIGTERM, -signal.SIGINT):
            time.sleep(STOP_GRACE)  # this process's handler raises here if the signal came
        raise WorkerDied(f"worker process {worker.process.pid} {_death(worker.process)} "
                         "while cleaning; the run cannot finish without its results")


def run_task(task: tuple[Callable[[object, Config], R], object], config: Config) -> R:
    """What a pool started with `run_task` does with one task: (function, argument), so
    one pool serves several kinds of work (both passes of a run)."""
    fn, arg = task
    return fn(arg, config)


def _called(call: tuple[Callable, tuple], config: Config):
    """A `run_task` task calling `fn(*args)`."""
    fn, args = call
    return fn(*args)


@contextmanager
def rare_collections(young: int = 10_000):
    """Collect cyclic garbage 14x less often in this process and the workers it starts
    meanwhile (they take its threshold), then as before.  A run holds ~10 acyclic objects
    a document (features, locations) that every full collection walks: 10k documents cost
    the main process 170 ms of collections at the default threshold of 700 (two full ones
    in the corpus step and the write pass, which run on one core), 60 ms at 10,000.  A
    worker's objects live for one batch: at 10,000 it never collects, and pass 1 costs 4%
    less CPU (6k documents in one process: 5.11 -> 4.91 s).  The objects alive when it starts
    (modules, functions, the stop-word index: ~39,000 after the imports) are frozen out of the
    collections meanwhile: a run of peer-dev html in one process spent 0.21-0.22 s in
    collections (a full one in the write pass), 0.12-0.13 s with them frozen (two runs each)."""
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
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
