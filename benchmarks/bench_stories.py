#!/usr/bin/env python3
"""What the stories stage costs per document, by step (CPU time, this process).

The documents are cleaned first (as `clean run` cleans them; not timed), then each step is
timed over all of them: the compact evidence (what the workers compute per document), and
the corpus step's decision (rarity, candidates, screen, alignment of screened pairs, groups).

    python benchmarks/bench_stories.py INPUT [--repeat 3]

Prints documents, then per step the best of `--repeat` runs in ms per document.  CPU time
(process_time) is quoted because the machine is shared; compare runs in interleaved pairs.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eval_stories import cleaned  # noqa: E402

from cleaner import Config  # noqa: E402
from cleaner.stories import decide, document_evidence  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--config")
    a = ap.parse_args()
    config = Config.load(a.config)
    docs = cleaned(a.paths, config)
    n = max(len(docs), 1)
    best_evidence = best_decide = float("inf")
    stories = 0
    for _ in range(a.repeat):
        start = time.process_time()
        evidence = [document_evidence(doc, config.stories) for doc in docs]
        best_evidence = min(best_evidence, time.process_time() - start)
        start = time.process_time()
        decisions, _ = decide(evidence, lambda positions: {k: docs[k] for k in positions}, config.stories)
        best_decide = min(best_decide, time.process_time() - start)
        stories = len(decisions.stories)
    items = sum(ev.size for ev in evidence) / n
    print(f"documents={len(docs)} stories={stories} items_per_doc={items:.0f}")
    print(f"evidence_ms_per_doc={1000 * best_evidence / n:.3f}")
    print(f"decide_ms_per_doc={1000 * best_decide / n:.3f}")
    print(f"total_ms_per_doc={1000 * (best_evidence + best_decide) / n:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
