#!/usr/bin/env python3
"""What the stories stage costs per document, by step (CPU time, this process).

The documents are cleaned first (as `clean run` cleans them; not timed), then each step is
timed over all of them: the compact evidence (what the workers compute per document), and
the corpus step's decision (rarity, candidates, screen, alignment of screened pairs, groups).

    python benchmarks/bench_stories.py INPUT [--repeat 3]

Prints documents, then per step the best of `--repeat` runs in ms per document.  CPU time
(process_time) is quoted because the machine is shared; compare runs in interleaved pairs.

What the stage adds to a whole run: `--pairs N --out DIR` runs `clean run INPUT` through
bench_cli.py (wall time, user + system CPU and peak RSS of the process tree) N times with
`[stories] enabled = true` and N times with it false, interleaved (on/off, then off/on, ...),
and prints each run, each pair's on/off ratios and the medians:

    python benchmarks/gen_corpus.py --n 100000 --out /tmp/syn100k
    python benchmarks/bench_stories.py /tmp/syn100k/corpus.jsonl --pairs 2 --out /tmp/o-st [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eval_stories import cleaned  # noqa: E402

from cleaner import Config  # noqa: E402
from cleaner.stories import decide, document_evidence  # noqa: E402


BENCH_CLI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_cli.py")


def timed_run(paths: list[str], out: str, enabled: bool, extra: list[str]) -> dict:
    """One `clean run` through bench_cli.py with the stage on or off: its JSON line."""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(f"[stories]\nenabled = {'true' if enabled else 'false'}\n")
    try:
        done = subprocess.run([sys.executable, BENCH_CLI, *paths, "--out", out, "--config", f.name, *extra],
                              check=True, capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    record = json.loads(done.stdout.strip().splitlines()[-1])
    if record.get("exit") != 0:
        raise SystemExit(f"clean run failed: {record}")
    return record


def pairs(paths: list[str], out: str, n: int, extra: list[str]) -> int:
    """`n` interleaved pairs of runs with the stage on and off; ratios on/off."""
    ratios: dict[str, list[float]] = {"seconds": [], "cpu_s": [], "peak_rss_tree_mb": [], "peak_rss_main_mb": []}
    for k in range(n):
        order = (True, False) if k % 2 == 0 else (False, True)
        runs = {}
        for enabled in order:
            runs[enabled] = timed_run(paths, out, enabled, extra)
            r = runs[enabled]
            print(f"pair {k + 1} stories {'on ' if enabled else 'off'}: {r['seconds']:.1f} s wall, {r['cpu_s']:.1f} "
                  f"CPU-s, peak RSS {r['peak_rss_tree_mb']:.0f} MB (main {r['peak_rss_main_mb']:.0f} MB), "
                  f"{r['docs']} documents", flush=True)
        for key in ratios:
            ratios[key].append(runs[True][key] / runs[False][key])
        print(f"pair {k + 1} on/off: " + ", ".join(f"{key} {v[-1]:.3f}" for key, v in ratios.items()), flush=True)
    print(json.dumps({"pairs": n, **{f"{key}_ratio_median": round(statistics.median(v), 3) for key, v in ratios.items()},
                      **{f"{key}_ratio_range": [round(min(v), 3), round(max(v), 3)] for key, v in ratios.items()}}))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--config")
    ap.add_argument("--pairs", type=int, help="time whole `clean run`s in this many on/off pairs instead")
    ap.add_argument("--out", help="output folder of the paired runs (replaced by each run)")
    a, extra = ap.parse_known_args()  # with --pairs, anything else goes to `clean run`
    if a.pairs:
        if not a.out or a.config:
            ap.error("--pairs needs --out and takes no --config (it writes its own)")
        return pairs(a.paths, a.out, a.pairs, extra)
    if extra:
        ap.error(f"unrecognized arguments: {' '.join(extra)}")
    config = Config.load(a.config)
    docs = cleaned(a.paths, config)
    n = max(len(docs), 1)
    best_evidence = best_decide = float("inf")
    stories = 0
    for _ in range(a.repeat):
        start = time.process_time()
        evidence = [document_evidence(doc, config.stories) for doc in docs]
        best_evidence = min(best_evidence, time.process_time() - start)
        start = time.process_time()
        decisions, _ = decide(evidence, lambda positions: {k: docs[k] for k in positions}, config.stories)
        best_decide = min(best_decide, time.process_time() - start)
        stories = len(decisions.stories)
    items = sum(ev.size for ev in evidence) / n
    print(f"documents={len(docs)} stories={stories} items_per_doc={items:.0f}")
    print(f"evidence_ms_per_doc={1000 * best_evidence / n:.3f}")
    print(f"decide_ms_per_doc={1000 * best_decide / n:.3f}")
    print(f"total_ms_per_doc={1000 * (best_evidence + best_decide) / n:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
