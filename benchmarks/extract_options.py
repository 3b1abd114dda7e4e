#!/usr/bin/env python3
"""The measured effect of each extractor option (`[extract]` config keys) on peer-dev html.

For each setting, runs cleaner's HTML extraction alone (no repair or boilerplate stage) over
peer-dev/html and scores the title plus paragraphs with the snippet measure of
score_snippets.py (a "with" snippet found is a true positive, a "without" one a false
positive), pooled over the pages.

    python benchmarks/extract_options.py [--eval ../shared/eval]

Prints figures; never runs as a test.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {
    "defaults": {},
    "favor_precision": {"favor_precision": True},
    "favor_recall": {"favor_recall": True},
    "include_tables = false": {"include_tables": False},
    "include_comments": {"include_comments": True},
}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    a = ap.parse_args()
    from cleaner.config import ExtractConfig
    from cleaner.extract import ExtractionError, extract
    from cleaner.ingest import ingest

    from cleaner.config import IngestConfig
    gold = json.loads((a.eval / "peer-dev" / "evaldata.json").read_text(encoding="utf-8"))
    raws = [raw for _, found in ingest([a.eval / "peer-dev" / "html"], IngestConfig()) for raw in found]
    for name, options in SETTINGS.items():
        config = ExtractConfig(**options)
        tp = fn = fp = 0
        for raw in raws:
            try:
                doc = extract(raw, config)
                text = norm(" ".join([doc.title or ""] + [p.original for p in doc.paragraphs]))
            except ExtractionError:
                text = ""
            item = gold.get(raw.id, {"with": [], "without": []})
            found = [norm(w) in text for w in item["with"]]
            tp += sum(found)
            fn += len(found) - sum(found)
            fp += sum(norm(w) in text for w in item["without"])
        p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
        print(f"{name:24s} f1={2 * tp / (2 * tp + fp + fn):.4f} precision={p:.4f} recall={r:.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
