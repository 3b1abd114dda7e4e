#!/usr/bin/env python3
"""What an HTML page costs in `clean run`, against `trafilatura.extract()` alone, on one core.

Each round runs, as separate processes, the extractor alone over every page of the set
(`trafilatura.extract(html, include_comments=False)` on the decoded file, as a user of
trafilatura would call it) and `clean run SET --workers 1 -o TMP` (the whole run: ingest,
extraction, the page's blocks, repair, boilerplate, dedup, report); the order alternates
between rounds.  CPU time is user + system of the process and its children, so other work
on a shared machine slows both sides of a round alike.  Prints each round and the median
ratio.

    python benchmarks/bench_html_cost.py [--set ../shared/eval/peer-dev/html] [--rounds 3]

Prints figures; never runs as a test.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRACT_ALONE = r"""
import gzip, sys
from pathlib import Path
import trafilatura
from cleaner.ingest import ingest
from cleaner.config import Config
n = 0
for _, raws in ingest([sys.argv[1]], Config().ingest):
    for raw in raws:
        trafilatura.extract(raw.content, include_comments=False)
        n += 1
print(n)
"""


def cpu_of(cmd: list[str]) -> float:
    """User + system CPU seconds of `cmd` and everything it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", type=Path, default=ROOT.parent / "shared" / "eval" / "peer-dev" / "html")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    pages = sum(1 for p in a.set.iterdir() if p.is_file())
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        alone = [sys.executable, "-c", EXTRACT_ALONE, str(a.set)]
        clean = [sys.executable, "-m", "cleaner", "run", str(a.set), "-o", os.path.join(tmp, "out"), "--workers", "1"]
        for r in range(a.rounds):
            order = [("extract", alone), ("clean", clean)]
            if r % 2:
                order.reverse()
            cpu = {name: cpu_of(cmd) for name, cmd in order}
            ratios.append(cpu["clean"] / cpu["extract"])
            print(f"round {r + 1}: extract() alone {cpu['extract']:.1f} CPU-s ({1000 * cpu['extract'] / pages:.1f} ms a page), "
                  f"clean run {cpu['clean']:.1f} CPU-s ({1000 * cpu['clean'] / pages:.1f} ms a page): "
                  f"{ratios[-1]:.2f}x", flush=True)
    print(f"{pages} pages of {a.set}: clean run costs {statistics.median(ratios):.2f}x trafilatura.extract() alone "
          f"(median of {a.rounds} rounds, CPU time, one worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
