"""Profile `clean run --workers 1` (every stage in this one process) and print where its CPU time goes.

cProfile times with its default (wall) clock: a CPU clock would cost a system call per Python
call and double the run.  On a busy machine every function's time is stretched alike, so the
figures are given as shares and, scaled by those shares, as CPU seconds of the profiled
process (`resource.getrusage`).  cProfile's own cost per Python call inflates call-heavy code
(a profiled run takes ~2x its unprofiled CPU).  Prints, as JSON lines:

- `stage`: share and (estimated) CPU seconds of each stage (cumulative time of its entry function);
  `pass 1, other` is the rest of the workers' pass (spooling, bookkeeping), `driver, other`
  the rest of the run (start-up and imports happen before profiling starts);
- `hot`: the functions with the most CPU time of their own, with their call counts
  (calls per document show what runs per line);
- `cumulative`: cleaner's stage functions (and ftfy's) with the most time including callees.

Never run as a test.

    python benchmarks/profile_run.py /tmp/real-pages.jsonl [--save /tmp/run.prof] [--top 25]

Read a saved profile with `python -m pstats /tmp/run.prof`, or see the call tree with
pyinstrument (PyPI): `pyinstrument -m cleaner run CORPUS -o OUT --workers 1 -q`.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STAGES = [  # (stage, file suffix, function name): entry points, cumulative time each
    ("extract", "cleaner/extract.py", "extract"),
    ("repair (ftfy behind its pre-check)", "cleaner/repair.py", "repair_document"),
    ("boilerplate: page draft (line features, language)", "cleaner/boilerplate/page.py", "of"),
    ("boilerplate: classify (rules, article, context)", "cleaner/boilerplate/__init__.py", "classify"),
    ("dedup features (tokens, shingles, MinHash)", "cleaner/dedup/__init__.py", "tokenised_features"),
    ("corpus line keys", "cleaner/boilerplate/corpus.py", "corpus_line_keys"),
]
PASS1 = ("cleaner/clean_pass.py", "clean_batch")
AFTER = [("corpus step (line counts, duplicate search)", "cleaner/corpus_step.py", "decide"),
         ("write pass (corpus edits, render, write, report)", "cleaner/write_pass.py", "write_documents")]


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> float | None:
    found = [v[3] for (file, _, func), v in stats.stats.items()
             if func == name and file.replace(os.sep, "/").endswith(suffix)]
    return sum(found) if found else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--save", help="write the raw profile here (pstats format)")
    args, extra = ap.parse_known_args()
    from cleaner.cli import main as cli

    out = tempfile.mkdtemp(prefix="profile-run-")
    docs = lines = None
    profiler = cProfile.Profile()
    try:
        before = resource.getrusage(resource.RUSAGE_SELF)
        profiler.enable()
        try:
            cli(["run", *args.paths, "-o", os.path.join(out, "o"), "-q", "--workers", "1", *extra],
                standalone_mode=False)
        except SystemExit as exc:  # the command exits with its status code
            if exc.code:
                raise
        finally:
            profiler.disable()
        after = resource.getrusage(resource.RUSAGE_SELF)
        manifest = json.loads(Path(out, "o", "manifest.json").read_text())
        counts = manifest.get("counts", {})
        docs, lines = counts.get("documents"), counts.get("paragraphs")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if args.save:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    scale = cpu / total  # profiled seconds to CPU seconds of the profiled run
    print(json.dumps({"profile": "clean run --workers 1", "cpu_s_profiled_run": round(cpu, 2),
                      "clock_s": round(total, 2), "docs": docs, "lines": lines}))

    def row(stage: str, secs: float) -> None:
        print(json.dumps({"stage": stage, "share": round(secs / total, 3), "cpu_s": round(secs * scale, 2),
                          "ms_per_doc": round(secs * scale / docs * 1e3, 2) if docs else None}))

    pass1 = cumulative(stats, *PASS1)
    if pass1 is None:
        print(json.dumps({"stage": "pass 1", "missing": ":".join(PASS1)}))
        pass1 = 0.0

    def rows(stages: list[tuple[str, str, str]]) -> float:
        """Print each stage found; return their summed time."""
        summed = 0.0
        for stage, suffix, name in stages:
            secs = cumulative(stats, suffix, name)
            if secs is None:
                print(json.dumps({"stage": stage, "missing": f"{suffix}:{name}"}))
                continue
            summed += secs
            row(stage, secs)
        return summed

    inside = rows(STAGES)
    row("pass 1, other (spooling, bookkeeping)", pass1 - inside)
    after = rows(AFTER)
    row("driver, other (reading inputs, pool, bookkeeping)", max(0.0, total - pass1 - after))
    by_own = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:args.top]
    for (file, line, func), (_, calls, own, cum, _) in by_own:
        print(json.dumps({"hot": f"{_short(file)}:{line}({func})", "own_share": round(own / total, 3),
                          "cum_share": round(cum / total, 3),
                          "calls": calls, "calls_per_doc": round(calls / docs, 1) if docs else None}))
    plumbing = ("/cleaner/cli.py", "/cleaner/pipeline.py", "/cleaner/engine/", "/cleaner/stages.py",
                "/cleaner/clean_pass.py", "/cleaner/corpus_step.py", "/cleaner/write_pass.py")
    ours = [(k, v) for k, v in stats.stats.items()
            if ("/cleaner/" in k[0] and not any(p in k[0] for p in plumbing)) or "/ftfy/" in k[0]]
    for (file, line, func), (_, calls, own, cum, _) in sorted(ours, key=lambda kv: kv[1][3], reverse=True)[:args.top]:
        print(json.dumps({"cumulative": f"{_short(file)}:{line}({func})", "cum_share": round(cum / total, 3),
                          "calls": calls, "calls_per_doc": round(calls / docs, 1) if docs else None}))


def _short(file: str) -> str:
    file = file.replace(os.sep, "/")
    for mark in ("/site-packages/", "/cleaner/"):
        if mark in file:
            return (("cleaner/" if mark == "/cleaner/" else "") + file.split(mark, 1)[1])
    return file


if __name__ == "__main__":
    main()
