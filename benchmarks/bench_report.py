#!/usr/bin/env python3
"""Benchmark the HTML report at scale: build it, then time page opens in headless Chromium.

    PYTHONPATH=. python benchmarks/bench_report.py --n 100000 --work /tmp/bench-report
    PYTHONPATH=. python benchmarks/bench_report.py --corpus DIR --mode direct

Steps:
1. corpus: DIR/corpus.jsonl from benchmarks/gen_corpus.py (generated when missing).
2. report: `--mode pipeline` runs `python -m cleaner run DIR/corpus.jsonl -o OUT`;
   `--mode direct` builds Documents straight from the corpus (first paragraph the title,
   synthetic removals, repairs, duplicates from neardups.tsv) and streams them through
   `ReportWriter`, so the report writer is measured alone, without the other stages.
3. browser: opens report.html, table pages, the clusters page and random document pages
   via file:// in /usr/bin/chromium, and prints navigation-start -> load-event times.
   Also times the first filter on the index, which loads every row chunk.

Prints figures; never runs as a test.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner.dedup import ClusterMember, DuplicateCluster  # noqa: E402
from cleaner.models import Document, Paragraph, PassageRef, Repair, Verdict  # noqa: E402
from cleaner.report import DirectorySink, ReportWriter  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
REASONS = ["related-links", "share-buttons", "newsletter", "caption", "byline", "copyright", "read-more"]


def generate(n: int, out: Path, gen: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(gen), "--n", str(n), "--seeds", str(ROOT / "seeds"), "--out", str(out)],
                   check=True)
    print(f"corpus: generated {n} documents in {time.perf_counter() - started:.1f}s -> {out}")


def run_pipeline(corpus: Path, out: Path, workers: int) -> float:
    started = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "cleaner", "run", str(corpus / "corpus.jsonl"), "-o", str(out), "-q",
                    "-w", str(workers)], check=False, env=env)
    return time.perf_counter() - started


def synthetic_documents(corpus: Path):
    """Documents shaped like the pipeline's, with decisions to show (direct mode)."""
    rng = random.Random(6)
    clusters_seen = 0
    dups = {}
    pairs = corpus / "neardups.tsv"
    if pairs.is_file():
        for line in pairs.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                a, b = sorted(parts[:2], key=int)
                dups[b] = a
    with open(corpus / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            blocks = [b for b in rec["text"].split("\n\n") if b.strip()]
            paragraphs = [Paragraph(blocks[0], verdict=Verdict.TITLE)] + [Paragraph(b) for b in blocks[1:]]
            for p in paragraphs[1:]:
                if rng.random() < 0.08:
                    p.drop(rng.choice(REASONS))
                elif rng.random() < 0.03:
                    p.original = p.text.replace("’", "â€™") + " "
                    p.repairs.append(Repair("mojibake"))
            doc_id = str(rec["id"])
            doc = Document(id=doc_id, source=f"{corpus / 'corpus.jsonl'}:{int(doc_id) + 1}", format="text",
                           title=blocks[0], paragraphs=paragraphs)
            if doc_id in dups:
                doc.duplicate_of, doc.duplicate_similarity = dups[doc_id], 0.8 + rng.random() / 5
                # run_direct appends one cluster per duplicate, in this order
                doc.passages = [PassageRef(paragraph=1, cluster=clusters_seen, first_doc=dups[doc_id])]
                clusters_seen += 1
            yield doc


def run_direct(corpus: Path, out: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    writer = ReportWriter(DirectorySink(out))
    reasons: Counter[str] = Counter()
    n = paragraphs = kept = repaired = 0
    clusters = []
    for doc in synthetic_documents(corpus):
        writer.add_document(doc)
        n += 1
        paragraphs += len(doc.paragraphs)
        kept += len(doc.body)
        repaired += sum(1 for p in doc.paragraphs if p.repairs)
        reasons.update(p.reason for _, p in doc.removed)
        if doc.duplicate_of:
            clusters.append(DuplicateCluster("document", doc.duplicate_similarity,
                                             (ClusterMember(doc.duplicate_of), ClusterMember(doc.id)),
                                             doc.duplicate_of))
    summary = {"inputs": 1, "failed": 0, "skipped": 0, "documents": n, "paragraphs": paragraphs, "kept": kept,
               "removed": sum(reasons.values()), "removed_by_reason": dict(reasons.most_common()),
               "repaired": repaired, "duplicates": len(clusters), "duplicate_clusters": {"document": len(clusters)}}
    writer.finish(summary, clusters, [])
    seconds = time.perf_counter() - started
    return seconds, summary


def report_size(out: Path) -> None:
    files = [p for p in (out / "report").rglob("*") if p.is_file()] + [out / "report.html"]
    sizes = [p.stat().st_size for p in files]
    biggest = max(files, key=lambda p: p.stat().st_size)
    print(f"report: {len(files)} files, {sum(sizes) / 1e6:.1f} MB total; report.html "
          f"{(out / 'report.html').stat().st_size / 1e3:.0f} kB; largest {biggest.relative_to(out)} "
          f"{biggest.stat().st_size / 1e3:.0f} kB")


def open_times(out: Path, docs: int, repeats: int) -> None:
    from playwright.sync_api import sync_playwright

    tables = sorted((out / "report").glob("table-*.html"))
    pages = [("index report.html", out / "report.html")]
    if tables:
        pages += [("table middle", tables[len(tables) // 2]), ("table last", tables[-1])]
    pages.append(("clusters-0001", out / "report" / "clusters-0001.html"))
    doc_pages = sorted((out / "report" / "docs").iterdir()) if docs else []
    rng = random.Random(1)
    pages += [(f"doc {p.stem}", p) for p in rng.sample(doc_pages, min(docs, len(doc_pages)))]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"page open (navigation start -> load event), {repeats} fresh tabs each, ms:")
        worst = 0.0
        for label, path in pages:
            times = []
            for _ in range(repeats):
                page = browser.new_page()
                page.goto(path.as_uri(), wait_until="load")
                times.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
                page.close()
            worst = max(worst, max(times))
            print(f"  {label:<28} first {times[0]:7.1f}  median {statistics.median(times):7.1f}  "
                  f"max {max(times):7.1f}   ({path.stat().st_size / 1e3:.0f} kB)")
        page = browser.new_page()
        page.goto((out / "report.html").as_uri(), wait_until="load")
        reason = page.evaluate("document.querySelector('#f-reason option:nth-child(3)')?.value || ''")
        started = time.perf_counter()
        if reason:
            page.select_option("#f-reason", reason)
        else:
            page.fill("#f-source", "0")
        page.wait_for_function("document.getElementById('status').textContent.indexOf('match') >= 0",
                               timeout=120_000)
        print(f"  first filter over all rows ({reason or 'source'}): {(time.perf_counter() - started) * 1000:.0f} ms"
              f" -> {page.inner_text('#status')}")
        page.close()
        browser.close()
        print(f"slowest page open: {worst:.0f} ms ({'under' if worst < 2000 else 'OVER'} the 2 s budget)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="documents to generate")
    ap.add_argument("--corpus", type=Path, help="folder with corpus.jsonl (default WORK/corpus-N)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-report"))
    ap.add_argument("--gen", type=Path, default=ROOT / "benchmarks" / "gen_corpus.py")
    ap.add_argument("--mode", choices=["pipeline", "direct"], default="direct")
    ap.add_argument("--workers", type=int, default=0, help="pipeline mode: worker processes")
    ap.add_argument("--docs", type=int, default=5, help="document pages to open")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--existing", type=Path, help="only time the browser on this finished output folder")
    args = ap.parse_args()

    if args.existing:
        report_size(args.existing)
        open_times(args.existing, args.docs, args.repeats)
        return

    corpus = args.corpus or args.work / f"corpus-{args.n}"
    if not (corpus / "corpus.jsonl").is_file():
        generate(args.n, corpus, args.gen)
    out = args.work / f"out-{args.mode}-{corpus.name}"
    if args.mode == "pipeline":
        seconds = run_pipeline(corpus, out, args.workers)
        counts = json.loads((out / "manifest.json").read_text())["counts"]
        print(f"pipeline: {counts['documents']} documents in {seconds:.1f}s (all stages, report included)")
    else:
        seconds, counts = run_direct(corpus, out)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"report writer (direct): {counts['documents']} documents in {seconds:.1f}s "
              f"({counts['documents'] / seconds:.0f} docs/s), peak RSS {rss:.0f} MB")
    report_size(out)
    if not args.no_browser:
        open_times(out, args.docs, args.repeats)


if __name__ == "__main__":
    main()
