#!/usr/bin/env python3
"""What cleaner's quicker metadata path changes against trafilatura's full `extract_metadata`.

For every page of the chosen sets, compares the title, author, date, URL and site name that
`cleaner.extract.page_metadata` finds (no categories, tags or licence; htmldate without its
extensive search) with those of trafilatura's `extract_metadata` (extensive date search on,
as `bare_extraction(with_metadata=True)` does by default), and prints how many differ per
field, the CPU time of each, and the pages whose date differs.

    python benchmarks/html_metadata.py [--sets peer-dev,articles-dev] [--eval ../shared/eval] [--show 10]

Prints figures; never runs as a test.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("title", "author", "date", "url", "sitename")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="peer-dev,articles-dev")
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--show", type=int, default=10)
    a = ap.parse_args()
    import trafilatura
    import trafilatura.metadata
    import trafilatura.utils

    from cleaner.config import Config
    from cleaner.extract import page_metadata
    from cleaner.ingest import ingest

    for name in a.sets.split(","):
        differ: Counter = Counter()
        cpu = Counter()
        dates = []
        pages = 0
        for _, raws in ingest([a.eval / name / "html"], Config().ingest):
            for raw in raws:
                tree = trafilatura.utils.load_html(raw.content)
                if tree is None:
                    continue
                pages += 1
                start = time.process_time()
                full = trafilatura.metadata.extract_metadata(tree, raw.url)
                cpu["full"] += time.process_time() - start
                start = time.process_time()
                quick = page_metadata(trafilatura, tree, raw.url)
                cpu["quick"] += time.process_time() - start
                for field in FIELDS:
                    if getattr(full, field) != getattr(quick, field):
                        differ[field] += 1
                if full.date != quick.date:
                    dates.append((raw.id, full.date, quick.date))
        print(f"{name}: {pages} pages; extract_metadata {1000 * cpu['full'] / pages:.1f} ms a page, "
              f"page_metadata {1000 * cpu['quick'] / pages:.1f} ms a page (CPU)")
        print("  differing: " + ", ".join(f"{f} {differ[f]}" for f in FIELDS))
        for pid, full_date, quick_date in dates[:a.show]:
            print(f"    {pid}: date {full_date} -> {quick_date}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
