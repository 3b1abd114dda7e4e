#!/usr/bin/env python3
"""What an HTML page costs in `clean run`, against `trafilatura.extract()` alone, on one core.

Each round runs, as separate processes, the extractor alone over every page of the set
(`trafilatura.extract(html, include_comments=False)` on the decoded file, as a user of
trafilatura would call it) and `clean run SET --workers 1 -o TMP` (the whole run: ingest,
extraction, the page's blocks, repair, boilerplate, dedup, report); the order rotates
between rounds.  CPU time is user + system of the process and its children, so other work
on a shared machine slows both sides of a round alike.  Prints each round and the median
ratio.  `--against DIR` also runs, in every round, the `clean run` of another checkout
(e.g. `git worktree add /tmp/base main`), so that a change's before and after ratios come
from the same rounds.

    python benchmarks/bench_html_cost.py [--set ../shared/eval/peer-dev/html] [--rounds 3] [--against DIR]

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


def cpu_of(cmd: list[str], cwd: Path | None = None) -> float:
    """User + system CPU seconds of `cmd` (run in `cwd`) and everything it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", type=Path, default=ROOT.parent / "shared" / "eval" / "peer-dev" / "html")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--against", type=Path, help="another checkout whose `clean run` each round also times")
    a = ap.parse_args()
    pages = sum(1 for p in a.set.iterdir() if p.is_file())
    ratios: dict[str, list[float]] = {"clean": [], "against": []}
    with tempfile.TemporaryDirectory() as tmp:
        alone = [sys.executable, "-c", EXTRACT_ALONE, str(a.set)]
        clean = [sys.executable, "-m", "cleaner", "run", str(a.set), "-o", os.path.join(tmp, "out"), "--workers", "1"]
        order = [("extract", alone, ROOT), ("clean", clean, ROOT)]
        if a.against:
            order.append(("against", clean, a.against.resolve()))
        for r in range(a.rounds):
            turn = order[r % len(order):] + order[:r % len(order)]  # each command first in turn
            cpu = {name: cpu_of(cmd, cwd) for name, cmd, cwd in turn}
            line = f"round {r + 1}: extract() alone {cpu['extract']:.1f} CPU-s ({1000 * cpu['extract'] / pages:.1f} ms a page)"
            for name in ratios:
                if name in cpu:
                    ratios[name].append(cpu[name] / cpu["extract"])
                    label = "clean run" if name == "clean" else f"clean run of {a.against}"
                    line += (f", {label} {cpu[name]:.1f} CPU-s ({1000 * cpu[name] / pages:.1f} ms a page): "
                             f"{ratios[name][-1]:.2f}x")
            print(line, flush=True)
    print(f"{pages} pages of {a.set}: clean run costs {statistics.median(ratios['clean']):.2f}x trafilatura.extract() "
          f"alone (median of {a.rounds} rounds, CPU time, one worker)")
    if a.against:
        print(f"clean run of {a.against}: {statistics.median(ratios['against']):.2f}x (same rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
