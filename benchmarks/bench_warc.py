"""Cleaning HTML pages from a WARC archive against cleaning the same pages from a folder.

    python benchmarks/make_html_corpus.py ../shared/eval/articles-dev/html --copies 25 --out /tmp/html2k
    python benchmarks/bench_warc.py /tmp/html2k --pairs 3

Writes the folder's pages into a WARC (`make_warc.py`: a request and a response record a
page, one gzip member each), then runs `python -m cleaner run` on the folder and on the
archive in turn, pair after pair (the machine is shared: each pair runs under the same load),
and prints the CPU time (user + sys of the run's whole process tree) and wall time of each
run and the archive/folder ratio of each pair.  Then the share of a run that reading takes:
the CPU time of the ingest stage alone (every document read and decoded, in this process,
as the run's main process does before handing documents to the workers) for the folder and
for the archive, over the run's CPU time.  Finally, whether both runs gave every page the
same clean text.  Never run as a test.
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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_warc import pages, write_archive  # noqa: E402


def timed_run(path: Path, out: Path, extra: list[str]) -> tuple[float, float]:
    """(CPU seconds of the process tree, wall seconds) of one `clean run`."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cleaner", "run", str(path), "-o", str(out), "-q", *extra],
                   env=env, check=False, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def ingest_cpu(path: Path) -> tuple[float, int]:
    """CPU seconds to read and decode every document of `path` (the ingest stage alone)."""
    from cleaner.config import IngestConfig
    from cleaner.ingest import ingest

    started = time.process_time()
    n = sum(len(doc.content) > 0 for _, docs in ingest([str(path)], IngestConfig()) for doc in docs)
    return time.process_time() - started, n


def same_texts(folder_out: Path, warc_out: Path) -> tuple[int, int]:
    """Pages whose clean text (title, text, removals) is the same from both runs, of all."""
    def records(out: Path) -> list[dict]:
        return [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]

    from_folder = {r["id"]: r for r in records(folder_out)}
    same = total = 0
    for r in records(warc_out):
        name = r["metadata"]["url"].rsplit("/", 1)[-1]
        other = from_folder.get(name.removesuffix(".gz").split(".")[0])
        total += 1
        same += other is not None and all(other[k] == r[k] for k in ("title", "text", "removed"))
    return same, total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pages", help="folder of .html / .html.gz pages (make_html_corpus.py)")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--work", help="folder for the archive and outputs (default: a temporary one)")
    args, extra = ap.parse_known_args()  # anything else goes to `clean run`
    compileall.compile_dir(str(ROOT / "cleaner"), quiet=1)
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-warc-"))
    work.mkdir(parents=True, exist_ok=True)
    folder = Path(args.pages)
    archive = work / "pages.warc.gz"
    n = write_archive(pages(folder), archive)
    print(json.dumps({"bench": "warc vs folder", "pages": n, "archive_mb": round(archive.stat().st_size / 1e6, 1)}))
    cpu = {"folder": [], "warc": []}
    wall = {"folder": [], "warc": []}
    for pair in range(args.pairs):
        order = ("folder", "warc") if pair % 2 == 0 else ("warc", "folder")  # interleaved
        for kind in order:
            c, w = timed_run(folder if kind == "folder" else archive, work / f"out-{kind}", extra)
            cpu[kind].append(c)
            wall[kind].append(w)
        print(json.dumps({"pair": pair + 1, "folder_cpu_s": round(cpu["folder"][-1], 1),
                          "warc_cpu_s": round(cpu["warc"][-1], 1), "folder_wall_s": round(wall["folder"][-1], 1),
                          "warc_wall_s": round(wall["warc"][-1], 1),
                          "warc_over_folder_cpu": round(cpu["warc"][-1] / cpu["folder"][-1], 3),
                          "warc_over_folder_wall": round(wall["warc"][-1] / wall["folder"][-1], 3)}))
    ratios = [w / f for w, f in zip(cpu["warc"], cpu["folder"])]
    read_folder, docs_folder = ingest_cpu(folder)
    read_warc, docs_warc = ingest_cpu(archive)
    same, total = same_texts(work / "out-folder", work / "out-warc")
    print(json.dumps({
        "bench": "warc vs folder", "pairs": args.pairs,
        "warc_over_folder_cpu_median": round(statistics.median(ratios), 3),
        "warc_over_folder_cpu_range": [round(min(ratios), 3), round(max(ratios), 3)],
        "run_cpu_s_median": {k: round(statistics.median(v), 1) for k, v in cpu.items()},
        "reading_cpu_s": {"folder": round(read_folder, 2), "warc": round(read_warc, 2)},
        "reading_share_of_run": {"folder": round(read_folder / statistics.median(cpu["folder"]), 4),
                                 "warc": round(read_warc / statistics.median(cpu["warc"]), 4)},
        "documents_read": {"folder": docs_folder, "warc": docs_warc},
        "same_clean_text": f"{same}/{total}"}))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
