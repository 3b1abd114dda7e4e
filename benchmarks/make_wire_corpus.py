"""A corpus with one wire story reprinted by many sites: the first `--keep` records of a JSONL
corpus, then `--copies` copies of its first article (verbatim, or with `--edit` one word of one
paragraph changed in each copy).  Never run as a test.

The same story arriving from many outlets is the normal case in news; m copies must not cost
m²/2 candidate pairs in the duplicate search.  Time `clean run` on the result with bench_cli:

    python benchmarks/make_wire_corpus.py /tmp/c10k/corpus.jsonl --keep 8000 --copies 2000 > /tmp/wire.jsonl
    python benchmarks/bench_cli.py /tmp/wire.jsonl --out /tmp/wire-out
"""
from __future__ import annotations

import argparse
import json
import random
import sys


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", help="JSONL with id and text fields (gen_corpus.py output)")
    ap.add_argument("--keep", type=int, default=8000, help="records of the corpus kept before the copies")
    ap.add_argument("--copies", type=int, default=2000)
    ap.add_argument("--edit", action="store_true", help="change one word of one paragraph in each copy")
    ap.add_argument("--seed", type=int, default=2)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    story = None
    with open(args.corpus, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= args.keep:
                break
            story = story or json.loads(line)
            sys.stdout.write(line)
    if story is None:
        sys.exit("the corpus has no record")
    paragraphs = story["text"].split("\n")
    for k in range(args.copies):
        copy = dict(story, id=f"wire-{k}")
        if args.edit:
            edited = list(paragraphs)
            i = rng.randrange(len(edited))
            words = edited[i].split()
            if words:
                words[rng.randrange(len(words))] = f"edit{k}"
            edited[i] = " ".join(words)
            copy["text"] = "\n".join(edited)
        sys.stdout.write(json.dumps(copy, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
