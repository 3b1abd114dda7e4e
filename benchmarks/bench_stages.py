"""Per-stage cost on one core: CPU seconds, docs/s and MB/s of each stage of `clean run`,
run in this process one stage after another over the same documents.  Never run as a test.

    python benchmarks/bench_stages.py /tmp/c10k/corpus.jsonl [--limit 2000]

Stages: ingest, extract, repair, boilerplate (the per-document classifier), corpus line
keys, dedup features (shingles, signatures, band keys), the corpus step (line counts and
`dedup.decide`), and the write pass (clean files, corpus.jsonl, report pages) into a
temporary folder.  Figures are CPU time of this process (`time.process_time`), so other
load on the machine barely moves them; peak RSS is this process's.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _measure import emit  # noqa: E402

from cleaner import boilerplate, dedup  # noqa: E402
from cleaner.config import Config  # noqa: E402
from cleaner.extract import extract  # noqa: E402
from cleaner.ingest import ingest  # noqa: E402
from cleaner.summary import SummaryCounter  # noqa: E402
from cleaner.render import render  # noqa: E402
from cleaner.repair import repair_document  # noqa: E402
from cleaner.report import ReportWriter  # noqa: E402
from cleaner.write import OutputWriter  # noqa: E402


class Clock:
    def __init__(self, docs: int, nbytes: int):
        self.docs, self.nbytes, self.rows = docs, nbytes, []

    def stage(self, name: str, fn, *args):
        start = time.process_time()
        result = fn(*args)
        secs = time.process_time() - start
        self.rows.append((name, secs))
        emit({"stage": name, "cpu_s": round(secs, 3), "ms_per_doc": round(1000 * secs / self.docs, 3),
              "docs_per_s": round(self.docs / secs, 1) if secs else None,
              "mb_per_s": round(self.nbytes / secs / 1e6, 2) if secs else None})
        return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents")
    args = ap.parse_args()
    config = Config()

    def read():
        raws = []
        for _, docs in ingest(args.paths, config.ingest):
            for raw in docs:
                raws.append(raw)
                if args.limit and len(raws) >= args.limit:
                    return raws
        return raws

    start = time.process_time()
    raws = read()
    ingest_s = time.process_time() - start
    nbytes = sum(len(r.content.encode()) for r in raws)
    clock = Clock(len(raws), nbytes)
    clock.rows.append(("ingest", ingest_s))
    emit({"stage": "ingest", "cpu_s": round(ingest_s, 3), "ms_per_doc": round(1000 * ingest_s / len(raws), 3),
          "docs": len(raws), "mb": round(nbytes / 1e6, 1)})
    boilerplate.warm_up()
    dedup.warm_up()
    docs = clock.stage("extract", lambda: [extract(r, config.extract) for r in raws])
    clock.stage("repair", lambda: [repair_document(d, config.repair) for d in docs])
    clock.stage("boilerplate", lambda: [boilerplate.classify(d, config.boilerplate) for d in docs])
    tokenised = clock.stage("dedup features", lambda: [dedup.tokenised_features(docs[i:i + 64], config.dedup)
                                                       for i in range(0, len(docs), 64)])
    feats = [f for batch, _ in tokenised for f in batch]
    prints = [p for _, batch in tokenised for p in batch]
    lines = clock.stage("corpus line keys", lambda: [boilerplate.corpus_line_keys(d, config.boilerplate, p)
                                                     for d, p in zip(docs, prints)])  # as pass 1 does

    def corpus_step():
        counts = boilerplate.CorpusCounts(config.boilerplate)
        for row in lines:
            counts.add(row)
        counts.freeze()
        for d, row in zip(docs, lines):
            if row.lines and counts.affects(row):
                boilerplate.apply_corpus_repeats(d, counts, config.boilerplate)
        return dedup.decide([d.id for d in docs], feats, config.dedup)

    decisions = clock.stage("corpus step", corpus_step)
    tmp = tempfile.mkdtemp()

    def write():
        writer = OutputWriter(os.path.join(tmp, "out"))
        report = ReportWriter(writer)
        summary = SummaryCounter()
        names = report.reserve([d.id for d in docs], [len(r.content) for r in raws])  # as the run does
        for pos, d in enumerate(docs):  # the worst case: every document rendered here
            decisions.apply(pos, d)
            r = render(d, names.pages[pos], names.href)
            writer.add_rendered(r.id, r.record, r.clean)
            report.add_page(r.id, r.page, r.row, r.tally.encoding, r.tally.repair_steps)
            summary.add(r.tally)
        writer.abort()

    try:
        clock.stage("write", write)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = sum(s for _, s in clock.rows)
    emit({"stage": "total", "cpu_s": round(total, 3), "ms_per_doc": round(1000 * total / len(raws), 3),
          "docs_per_s": round(len(raws) / total, 1), "mb_per_s": round(nbytes / total / 1e6, 2),
          "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})


if __name__ == "__main__":
    main()
