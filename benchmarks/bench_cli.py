"""Time `python -m cleaner run ...` as a subprocess: wall clock including interpreter start,
imports (from compiled bytecode, as installed) and worker start-up, plus peak RSS of the
whole process tree, and `cpu_s`, the user + system time of that tree (the command and every
worker it waited for).  Never run as a test.

Before the run it times creating 200 empty files in a new folder under OUT.fs-probe/
(`file_create_us`) and leaves them there: deleting them would slow the next run's file
creation on a journal-less ext4, which is what the figure is there to reveal.

    python benchmarks/bench_cli.py /tmp/syn10000/corpus.jsonl --out /tmp/o [--workers N --engine dask ...]
"""
from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import TreeRSS, emit, file_create_us, now  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--out", required=True)
    args, extra = ap.parse_known_args()  # anything else goes to `clean run`
    args.extra = extra
    shutil.rmtree(args.out, ignore_errors=True)
    # Run the checkout as an installed package runs: pip compiles bytecode when it installs,
    # but a checkout under PYTHONDONTWRITEBYTECODE (CI images, this VM) would compile every
    # module of cleaner again at each start (60 ms of a 10k-document run's 0.2 s of imports).
    compileall.compile_dir(str(ROOT / "cleaner"), quiet=1)
    create_us = file_create_us(args.out.rstrip("/") + ".fs-probe")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "cleaner", "run", *args.paths, "-o", args.out, "-q", *args.extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = now()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    with TreeRSS(proc.pid) as rss:
        stdout, _ = proc.communicate()
    secs = now() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    docs = int(stdout.split()[1]) if stdout.startswith("cleaned") else None
    size = sum(os.path.getsize(p) if os.path.isfile(p) else
               sum(f.stat().st_size for f in Path(p).rglob("*") if f.is_file()) for p in args.paths)
    emit({"bench": "clean run (CLI)", "args": args.extra, "docs": docs, "seconds": round(secs, 2),
          "docs_per_s": round(docs / secs, 1) if docs else None, "mb_per_s": round(size / secs / 1e6, 2),
          "peak_rss_tree_mb": rss.peak_mb, "peak_rss_main_mb": rss.peak_main_mb, "exit": proc.returncode, "cpu_s": round(cpu, 2),
          "file_create_us": create_us})


if __name__ == "__main__":
    main()
