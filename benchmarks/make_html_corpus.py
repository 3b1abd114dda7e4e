"""Repeat the articles-dev HTML pages into a folder, for timing the HTML path (trafilatura).

    python benchmarks/make_html_corpus.py ../shared/eval/articles-dev/html --copies 25 --out /tmp/html2k

Copy k of page P is written as P-kNN.html.gz, so every copy is its own input file and its
own document (later copies are flagged as duplicates of the first, as they should be).
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pages")
    ap.add_argument("--copies", type=int, default=25)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    pages = sorted(p for p in Path(args.pages).iterdir() if p.is_file())
    for k in range(args.copies):
        for page in pages:
            stem, _, suffix = page.name.partition(".")
            shutil.copyfile(page, out / f"{stem}-k{k:02d}.{suffix}")
    print(f"{len(pages) * args.copies} pages in {out}")


if __name__ == "__main__":
    main()
