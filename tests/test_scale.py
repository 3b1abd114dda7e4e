"""Bounded streaming pieces: the pool window keeps input order; the CLI mode keeps no documents."""
import os
import subprocess
import sys

import pytest

from cleaner import Config, run
from cleaner.engine.local import Deferred, WorkerPool, chunked

from conftest import ROOT


def _square(x, config):
    return x * x


def test_pool_window_keeps_input_order():
    chunks = chunked(range(200), lambda x: 1, max_items=7)
    with WorkerPool(_square, Config(workers=2), preload=()) as pool:
        out = [y for _, ys in pool.map_ordered(chunks) for y in ys]
    assert out == [x * x for x in range(200)]


STOPPED_WHILE_STARTING = """
import multiprocessing, os, signal, sys
from cleaner import Config
from cleaner.boilerplate import warm_up
from cleaner.engine.local import WorkerPool

def square(x, config):
    return x * x

def stop(signum, frame):
    raise KeyboardInterrupt

def shared():
    os.kill(os.getpid(), signal.SIGTERM)
    warm_up()

signal.signal(signal.SIGTERM, stop)
try:
    WorkerPool(square, Config(workers=2), preload=(), shared=shared)
except KeyboardInterrupt:
    sys.exit(3 if multiprocessing.active_children() else 0)
sys.exit(4)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="workers fork on Linux only")
def test_a_stop_signal_while_the_pool_starts_stops_it():
    """SIGTERM while the shared tables are built (or the workers fork) ends the start with
    KeyboardInterrupt and leaves no worker behind.  In a fresh interpreter: the pool forks
    only while no other thread runs (other tests leave threads)."""
    done = subprocess.run([sys.executable, "-c", STOPPED_WHILE_STARTING], cwd=ROOT, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_shared_tables_import_no_lxml():
    """lxml's initialisation swallows a KeyboardInterrupt raised while it runs: a Ctrl-C
    then went unheard and the run carried on, so the main process never imports it."""
    script = "import sys; from cleaner.boilerplate import warm_up; warm_up(); sys.exit('lxml' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _cube(x, config):
    return x ** 3


@pytest.mark.parametrize("workers", [1, 2])
def test_a_deferred_task_saved_after_the_pool_started_runs_in_it(tmp_path, workers):
    task = Deferred(str(tmp_path / "task.pickle"))
    with WorkerPool(task, Config(workers=workers), preload=()) as pool:
        task.save(_cube)  # after the workers were started
        out = [y for _, ys in pool.map_ordered(chunked(range(50), lambda x: 1, max_items=4)) for y in ys]
    task.forget()
    assert out == [x ** 3 for x in range(50)]


def test_chunks_are_cut_by_count_and_size():
    assert [len(c) for c in chunked(range(10), lambda x: 1, max_items=4)] == [4, 4, 2]
    assert [len(c) for c in chunked([5, 5, 5, 1], lambda x: x, max_items=99, max_bytes=10)] == [2, 2]


@pytest.mark.parametrize("workers", [1, 2])
def test_keep_documents_false_still_writes_everything(seeds_dir, tmp_path, workers):
    result = run([seeds_dir], out=tmp_path, config=Config(workers=workers), keep_documents=False)
    assert result.documents == [] and result.summary["documents"] == 5
    assert len(list((tmp_path / "clean").glob("*.txt"))) == 5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".staging-", ".spool"))]


def _pid(x, config):
    return x, os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_submitted_task_runs_on_a_worker_while_the_caller_goes_on(workers):
    with WorkerPool(_pid, Config(workers=workers), preload=()) as pool:
        wait = pool.submit(7)
        value, pid = wait()
    assert value == 7 and (pid == os.getpid()) == (workers == 1)


def _young_threshold(item, config):
    import gc

    return gc.get_threshold()[0]


def test_a_run_collects_less_often_in_its_workers_and_leaves_the_collector_as_it_found_it(tmp_path, monkeypatch):
    """The run collects cyclic garbage less often in the main process and in the workers it
    forks, and only while it runs."""
    import gc

    import cleaner.pipeline as pipeline

    seen = []

    class SpyPool(WorkerPool):  # the run's pool, asked what its workers' threshold is
        def __init__(self, fn, config, **kwargs):
            probe = WorkerPool(_young_threshold, config, preload=())  # started as the run's pool is
            seen.append(probe.submit(None)())
            probe.close()
            super().__init__(fn, config, **kwargs)

    monkeypatch.setattr(pipeline, "WorkerPool", SpyPool)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Headline\n\n" + "The minister said the plan would go ahead. " * 20)
    before = gc.get_threshold()
    run([tmp_path / "in"], tmp_path / "out", Config(workers=2), keep_documents=False)
    assert gc.get_threshold() == before
    assert seen and seen[0] > before[0]
