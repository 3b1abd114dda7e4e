"""Shared helpers for the benchmarks: a process-tree RSS sampler, a file-creation probe and result printing."""
from __future__ import annotations

import json
import os
import tempfile
import threading
import time

import psutil


class TreeRSS:
    """Samples the summed RSS of this process and all its descendants every `interval` s
    (descendants started since the last look, every `rescan` samples, are counted from then).

    `peak_mb` is the largest sum seen (what the machine had to hold at once), `peak_main_mb`
    the main process alone.
    """

    def __init__(self, pid: int | None = None, interval: float = 0.05, rescan: int = 5):
        self.proc = psutil.Process(pid or os.getpid())
        self.interval = interval
        self.rescan = rescan
        """Samples between looks for new descendants: finding them reads every process on
        the machine (0.5 ms), 20x a sample of their RSS, and the sampler shares the cores
        it measures."""
        self.peak = self.peak_main = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        children: list[psutil.Process] = []
        sample = 0
        while not self._stop.is_set():
            try:
                if sample % self.rescan == 0:
                    children = self.proc.children(recursive=True)
                sample += 1
                main = self.proc.memory_info().rss
                total = main
                for child in children:
                    try:
                        total += child.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak, self.peak_main = max(self.peak, total), max(self.peak_main, main)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return round(self.peak / 2**20, 1)

    @property
    def peak_main_mb(self) -> float:
        return round(self.peak_main / 2**20, 1)


def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def now() -> float:
    return time.perf_counter()


def file_create_us(folder: str, n: int = 200) -> float:
    """Microseconds to create one empty file in a new folder inside `folder` (left in place).

    A run writes one file per document, so its time depends on the file system's state.
    On a journal-less ext4 (this VM), an inode freed in the last minutes (six, while its
    inode-table block is dirty) is skipped by every allocation, so creating files soon after
    deleting thousands costs ~300-500 us each against ~15-20 us.  Benchmarks print this
    figure so a slow run caused by that is seen as such.  Nothing is deleted here, since a
    deletion would cause what it measures."""
    os.makedirs(folder, exist_ok=True)
    fresh = tempfile.mkdtemp(dir=folder)  # files left by an earlier probe would be reopened, not created
    started = time.perf_counter()
    for i in range(n):
        with open(os.path.join(fresh, f"{i}.probe"), "wb", buffering=0):
            pass
    return round((time.perf_counter() - started) / n * 1e6, 1)
