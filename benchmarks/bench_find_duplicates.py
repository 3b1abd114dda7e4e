#!/usr/bin/env python3
"""End-to-end find_duplicates on a gen_corpus.py corpus: time and document-pair P/R.

    python bench_find_duplicates.py CORPUS_DIR [--n 5000]

Each record becomes a Document (paragraphs split on blank lines, all kept); the
near-duplicate pairs in neardups.tsv are the gold document pairs.  Prints figures only.
"""
from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from cleaner.config import DedupConfig
from cleaner.dedup import find_duplicates
from cleaner.models import Document, Paragraph


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--n", type=int, default=5000)
    a = ap.parse_args()
    docs = []
    for line in itertools.islice(open(a.corpus / "corpus.jsonl", encoding="utf-8"), a.n):
        r = json.loads(line)
        docs.append(Document(id=str(r["id"]), source="corpus.jsonl", format="text",
                             paragraphs=[Paragraph(p) for p in r["text"].split("\n\n")]))
    ids = {d.id for d in docs}
    gold = set()
    for row in list(open(a.corpus / "neardups.tsv"))[1:]:
        s, d = row.split("\t")[:2]
        if s in ids and d in ids:
            gold.add(frozenset((s, d)))
    t, c = time.perf_counter(), time.process_time()
    clusters = find_duplicates(docs, DedupConfig())
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    pred = set()
    for cl in clusters:
        if cl.level == "document":
            pred |= {frozenset(p) for p in itertools.combinations([m.doc for m in cl.members], 2)}
    tp = len(pred & gold)
    print(f"{len(docs)} docs: {wall:.1f}s wall, {cpu:.1f}s CPU ({len(docs) / cpu:.0f} docs/s CPU, "
          f"documents and passages)")
    print(f"document pairs: gold {len(gold)}, predicted {len(pred)}, P={tp / max(1, len(pred)):.3f} "
          f"R={tp / max(1, len(gold)):.3f}; passage clusters {sum(c.level == 'passage' for c in clusters)}")


if __name__ == "__main__":
    main()
