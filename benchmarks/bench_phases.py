"""Where a local `clean run` spends its time, phase by phase, and how many workers its main
process can keep busy.  Never run as a test.

    python benchmarks/bench_phases.py /tmp/c10k/corpus.jsonl --out /tmp/o [--workers N] [--config FILE]

Runs `pipeline.run` in this process (the CLI's settings) and prints, for each phase
(start-up, clean = pass 1, corpus = the corpus-wide step, write = pass 2), its wall
clock, the main process's CPU and the workers' CPU.  Then the pass-1 figures per
document: the main process reads the input, sends chunks and takes back features for
every document, so once the workers together clean documents faster than it does that,
adding workers stops helping.  `workers_fed` is that bound (workers' CPU a document over
the main process's), measured on this machine: on two cores it says what a many-core
machine with the same per-core speed could use.  Each phase also lists the CPU of the main
process's threads by name (the pool's task, result and worker-handler threads run beside
the main thread; a thread that spins shows up there).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _measure import emit  # noqa: E402

from cleaner.config import Config  # noqa: E402
from cleaner.pipeline import run  # noqa: E402


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


class Clock:
    """CPU of this process and of its live children, read at each phase's first progress call
    (pool workers live until the write pass ends, so their counters cover every phase)."""

    def __init__(self) -> None:
        self.me = psutil.Process()
        self.marks: list[tuple[str, float, float, float]] = []  # (phase, wall, main cpu, workers cpu)
        self.threads: list[dict[str, float]] = []  # per mark: CPU of each live thread of this process, by name
        self.mark("start")

    def workers_cpu(self) -> float:
        total = 0.0
        for child in self.me.children(recursive=True):
            try:
                total += _cpu(child)
            except psutil.Error:
                pass
        return total

    def mark(self, phase: str) -> None:
        self.marks.append((phase, time.perf_counter(), _cpu(self.me), self.workers_cpu()))
        self.threads.append(self.thread_cpu())

    def thread_cpu(self) -> dict[str, float]:
        names = {t.native_id: t.name for t in threading.enumerate()}
        return {f"{names.get(t.id, 'thread')}#{t.id}": t.user_time + t.system_time for t in self.me.threads()}

    def progress(self, phase: str, done, total) -> None:
        if phase not in (m[0] for m in self.marks):
            self.mark(phase)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--config", help="a cleaner.toml (e.g. `[stories] enabled = false`)")
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    clock = Clock()
    result = run(args.paths, args.out, Config.load(args.config, {"workers": args.workers}), clock.progress, keep_documents=False)
    # the pool is gone by now: the write pass's worker CPU is read from this process's reaped children
    end_wall, end_main = time.perf_counter(), _cpu(clock.me)
    reaped = os.times()
    docs = result.summary["documents"]
    marks = clock.marks
    threads = clock.threads + [clock.thread_cpu()]
    for k, ((phase, wall, main_cpu, workers), nxt) in enumerate(zip(marks, marks[1:] + [None])):
        if nxt is None:
            row = {"phase": phase, "wall_s": round(end_wall - wall, 2), "main_cpu_s": round(end_main - main_cpu, 2),
                   "workers_cpu_s": round(reaped.children_user + reaped.children_system - workers, 2)}
        else:
            row = {"phase": phase, "wall_s": round(nxt[1] - wall, 2), "main_cpu_s": round(nxt[2] - main_cpu, 2),
                   "workers_cpu_s": round(nxt[3] - workers, 2)}
        # threads alive at both ends of the phase (the pool's threads end with the write pass)
        before, after = threads[k], threads[k + 1]
        row["main_threads_cpu_s"] = {name.split("#")[0]: round(after[name] - before[name], 2)
                                     for name in before if name in after and after[name] - before[name] >= 0.01}
        emit(row)
    phases = {m[0]: m for m in marks}
    if "clean" in phases and "corpus" in phases and docs:
        (_, _, main0, work0), (_, _, main1, work1) = phases["clean"], phases["corpus"]
        main_ms, work_ms = 1000 * (main1 - main0) / docs, 1000 * (work1 - work0) / docs
        emit({"pass1_docs": docs, "main_ms_per_doc": round(main_ms, 3), "workers_ms_per_doc": round(work_ms, 3),
              "workers_fed": round(work_ms / main_ms, 1) if main_ms else None})
    emit({"total_wall_s": round(end_wall - marks[0][1], 2)})


if __name__ == "__main__":
    main()
