"""How many candidate pairs the stories step screens, and what screening one costs.

    python benchmarks/gen_corpus.py --n 10000 --out /tmp/c10000
    python benchmarks/stories_candidates.py /tmp/c10000/corpus.jsonl --sizes 250,500,1000,2000

Cleans the first documents of a JSONL corpus (`id`, `text`) in this process with the default
config, computes their stories evidence, and for each size N prints how many candidate
pairs `stories.candidates.candidate_pairs` yields among the first N documents, as a share
of all N(N-1)/2 pairs, then the CPU time `stories.verify.screen` takes a pair (over up to
--screen pairs of the largest size) and how many of them pass.  Never run as a test.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaner import Config  # noqa: E402
from cleaner.models import RawDocument  # noqa: E402
from cleaner.stages import clean_document  # noqa: E402
from cleaner.stories import Rarity, document_evidence  # noqa: E402
from cleaner.stories.candidates import candidate_pairs  # noqa: E402
from cleaner.stories.verify import screen  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--sizes", default="250,500,1000,2000")
    ap.add_argument("--screen", type=int, default=20000, help="pairs to time the screen on")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    config = Config()
    docs = []
    with open(args.corpus, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            docs.append(clean_document(RawDocument(str(record["id"]), args.corpus, record["text"], "text"), config))
            if len(docs) == sizes[-1]:
                break
    evidence = [document_evidence(doc, config.stories) for doc in docs]
    pairs: list[tuple[int, int]] = []
    for n in sizes:
        sub = evidence[:n]
        rarity = Rarity.count(ev.keys for ev in sub)
        started = time.process_time()
        pairs = list(candidate_pairs(sub, rarity, config.stories.candidate_items, config.stories.candidate_shared,
                                     config.stories.rare_documents))
        seconds = time.process_time() - started
        total = n * (n - 1) // 2
        print(json.dumps({"documents": n, "candidate_pairs": len(pairs), "all_pairs": total,
                          "share": round(len(pairs) / total, 4), "candidates_cpu_s": round(seconds, 2)}), flush=True)
    timed = pairs[: args.screen]
    started = time.process_time()
    passed = sum(screen(evidence[i], evidence[j], rarity, config.stories).passed for i, j in timed)
    seconds = time.process_time() - started
    print(json.dumps({"screened_pairs": len(timed), "passed": passed,
                      "screen_cpu_us_a_pair": round(seconds / max(len(timed), 1) * 1e6, 1)}))


if __name__ == "__main__":
    main()
