#!/usr/bin/env python3
"""Run the stories stage on a folder and write OUT/stories.jsonl for score_stories.py.

The documents are cleaned as `clean run` cleans them (per-document stages, then the
corpus-wide template lines), then `cleaner.stories.find_stories` groups them.

    python benchmarks/eval_stories.py INPUT -o OUT [--config cleaner.toml]
    python ../shared/eval/score_stories.py --gold GOLD --run OUT/stories.jsonl

Prints the number of documents and of multi-document stories, and each story's members
and titles, so a person can look at every story that forms.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from cleaner import Config, clean_document
from cleaner.boilerplate import mark_corpus_repeats
from cleaner.ingest import ingest
from cleaner.stories import find_stories


def cleaned(paths: list[str], config: Config) -> list:
    docs = []
    for _, raws in ingest(paths, config.ingest):
        for raw in raws:
            try:
                docs.append(clean_document(raw, config))
            except Exception as exc:  # a bad input is reported, the run goes on
                print(f"{raw.id}: {exc}", file=sys.stderr)
    mark_corpus_repeats(docs, config.boilerplate)
    return docs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--config")
    a = ap.parse_args()
    config = Config.load(a.config)
    docs = cleaned(a.paths, config)
    start = time.process_time()
    stories = find_stories(docs, config.stories)
    took = time.process_time() - start
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "stories.jsonl"), "w", encoding="utf-8") as fh:
        for story in stories:
            fh.write(json.dumps(story.as_dict(), ensure_ascii=False) + "\n")
    titles = {d.id: d.title for d in docs}
    print(f"documents={len(docs)} stories={len(stories)} stage_cpu_s={took:.2f}")
    for story in stories:
        print(f"  story {story.story}: " + "; ".join(f"{m.doc} ({(titles[m.doc] or '')[:50]!r})" for m in story.members))
    return 0


if __name__ == "__main__":
    sys.exit(main())
