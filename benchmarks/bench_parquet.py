"""Peak memory and time of `clean run` with Parquet output against JSONL alone.

    python benchmarks/gen_corpus.py --n 100000 --out /tmp/syn100k
    python benchmarks/bench_parquet.py /tmp/syn100k/corpus.jsonl --pairs 2

Runs `python -m cleaner run CORPUS -q` (corpus.jsonl) and the same with `--format
jsonl,parquet` in turn, pair after pair (the machine is shared: each pair runs under the same
load), sampling the summed RSS of the whole process tree (`_measure.TreeRSS`), and prints
each run's wall and CPU time (user + sys of the tree) and peak RSS, the Parquet/JSONL ratios
of each pair, and whether every Parquet row equals its corpus.jsonl record (read back a row
group at a time).  Never run as a test.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import TreeRSS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def timed(corpus: str, out: Path, extra: list[str]) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "cleaner", "run", corpus, "-o", str(out), "-q", *extra],
                            env=env, stdout=subprocess.DEVNULL)
    with TreeRSS(proc.pid) as rss:
        proc.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": round(time.perf_counter() - started, 1),
            "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
            "peak_rss_tree_mb": rss.peak_mb, "peak_rss_main_mb": rss.peak_main_mb, "exit": proc.returncode}


def rows_equal(out: Path) -> tuple[bool, int]:
    """Every corpus.parquet row equals its corpus.jsonl line (compared a row group at a time)."""
    import pyarrow.parquet as pq

    n = 0
    with open(out / "corpus.jsonl", encoding="utf-8") as lines:
        for batch in pq.ParquetFile(out / "corpus.parquet").iter_batches(batch_size=2000):
            for row in batch.to_pylist():
                n += 1
                if row != json.loads(next(lines)):
                    return False, n
        return next(lines, None) is None, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--out", default="/tmp/bench-parquet")
    args, extra = ap.parse_known_args()
    compileall.compile_dir(str(ROOT / "cleaner"), quiet=1)
    out = Path(args.out)
    runs = {"jsonl": [], "parquet": []}
    for pair in range(args.pairs):
        order = ("jsonl", "parquet") if pair % 2 == 0 else ("parquet", "jsonl")  # interleaved
        for kind in order:
            flags = extra + (["--format", "jsonl,parquet"] if kind == "parquet" else [])
            runs[kind].append(timed(args.corpus, out / kind, flags))
        j, p = runs["jsonl"][-1], runs["parquet"][-1]
        print(json.dumps({"pair": pair + 1, "jsonl": j, "jsonl+parquet": p,
                          "peak_tree_ratio": round(p["peak_rss_tree_mb"] / j["peak_rss_tree_mb"], 3),
                          "peak_main_ratio": round(p["peak_rss_main_mb"] / j["peak_rss_main_mb"], 3),
                          "cpu_ratio": round(p["cpu_s"] / j["cpu_s"], 3)}), flush=True)
    same, n = rows_equal(out / "parquet")
    ratios = [p["peak_rss_tree_mb"] / j["peak_rss_tree_mb"] for j, p in zip(runs["jsonl"], runs["parquet"])]
    print(json.dumps({"bench": "parquet vs jsonl", "pairs": args.pairs,
                      "peak_tree_ratio_median": round(statistics.median(ratios), 3),
                      "cpu_ratio_median": round(statistics.median(
                          p["cpu_s"] / j["cpu_s"] for j, p in zip(runs["jsonl"], runs["parquet"])), 3),
                      "parquet_rows_equal_jsonl": same, "rows": n,
                      "corpus_parquet_mb": round((out / "parquet" / "corpus.parquet").stat().st_size / 1e6, 1),
                      "corpus_jsonl_mb": round((out / "parquet" / "corpus.jsonl").stat().st_size / 1e6, 1)}))


if __name__ == "__main__":
    main()
