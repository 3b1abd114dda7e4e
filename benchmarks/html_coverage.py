#!/usr/bin/env python3
"""How much of an HTML page's boilerplate a run records as removed, and under which reasons.

For peer-dev, the "without" snippets (text that must not be in the main text) that occur in
the page's visible text (its full-page rendering, `peer-dev/text/<id>.txt`) are looked up in
the run's corpus.jsonl `removed` entries.  Prints the share found in one removed entry (or
across consecutive ones), the share of those whose reason is a named one rather than the
generic `outside-main-text`, and where the others went (kept in the text, or nowhere).

    python benchmarks/html_coverage.py RUN_DIR [--eval ../shared/eval] [--show 20]

RUN_DIR is a `clean run` output folder of `peer-dev/html` (e.g. from dev_scores.py:
/tmp/dev-scores/peer-html).  Prints figures; never runs as a test.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERIC = "outside-main-text"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--show", type=int, default=0, help="list this many snippets that were not found")
    a = ap.parse_args()
    peer = a.eval / "peer-dev"
    gold = json.loads((peer / "evaldata.json").read_text(encoding="utf-8"))
    records = {}
    with open(a.run / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            records[str(r["id"])] = r
    visible = found = joined = named = kept = 0
    reasons: Counter = Counter()
    missing = []
    for pid, item in gold.items():
        path = peer / "text" / f"{pid}.txt"
        page = norm(path.read_text(encoding="utf-8")) if path.is_file() else ""
        rec = records.get(pid) or {}
        removed = [(norm(r["text"]), r["reason"]) for r in rec.get("removed", [])]
        all_removed = " ".join(t for t, _ in removed)
        text = norm(" ".join([rec.get("title") or "", rec.get("text") or ""]))
        for snippet in item["without"]:
            s = norm(snippet)
            if not s or s not in page:
                continue
            visible += 1
            hit = next((reason for t, reason in removed if s in t), None)
            if hit is not None:
                found += 1
                reasons[hit] += 1
                named += hit != GENERIC
            elif s in all_removed:
                joined += 1
            else:
                kept += s in text
                missing.append((pid, s, "kept" if s in text else "nowhere"))
    print(f"'without' snippets in the visible text: {visible}")
    print(f"  in one removed entry:       {found} ({found / visible:.1%})")
    print(f"  across removed entries:     {joined} ({(found + joined) / visible:.1%} with these)")
    print(f"  kept in the text:           {kept}")
    print(f"  neither:                    {len(missing) - kept}")
    print(f"  named (not {GENERIC}): {named} of {found} ({named / max(1, found):.1%})")
    print("  by reason: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))
    for pid, s, where in missing[:a.show]:
        print(f"    {where:8s} {pid}: {s[:100]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
