#!/usr/bin/env python3
"""How often the headline the text path reads off a full-page rendering is the page's title.

The development sets hold each page twice: as HTML, whose title trafilatura reads from the
markup, and as its full-page text, whose headline the boilerplate stage has to find
(`structure.choose_headline`).  For every page with an HTML title, the text run's `title`
agrees when at least 60% of its words (3+ letters, not numbers) are in the HTML title
(which often adds " | Site name", or is the site name alone: the figure is a floor).
Prints the share that agrees, how many text titles are missing, and with `--show N` the
first N that disagree.

    python benchmarks/text_titles.py TEXT_RUN HTML_RUN [TEXT_RUN HTML_RUN ...] [--show 20]

Each RUN is a `clean run` output folder (its corpus.jsonl), e.g. from dev_scores.py:
/tmp/dev-scores/peer-text /tmp/dev-scores/peer-html /tmp/dev-scores/art-text
/tmp/dev-scores/art-html.  Prints figures; never runs as a test.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path


def titles(run: Path) -> dict[str, str | None]:
    with (run / "corpus.jsonl").open(encoding="utf-8") as lines:
        return {r["id"]: r.get("title") for r in map(json.loads, lines)}


def words(text: str | None) -> set[str]:
    return {w for w in re.findall(r"\w+", (text or "").lower()) if len(w) > 2 and not w.isdigit()}


def agrees(text_title: str | None, html_title: str) -> bool:
    mine = words(text_title)
    return bool(mine) and len(mine & words(html_title)) >= 0.6 * len(mine)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", type=Path, nargs="+", help="pairs of folders: a text run, then the HTML run of the same pages")
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args()
    if len(a.runs) % 2:
        ap.error("give the runs in pairs: TEXT_RUN HTML_RUN")
    pages = agree = missing = 0
    wrong = []
    for text_run, html_run in zip(a.runs[::2], a.runs[1::2]):
        found, truth = titles(text_run), titles(html_run)
        for doc, html_title in sorted(truth.items()):
            if not html_title or doc not in found:
                continue
            pages += 1
            missing += found[doc] is None
            if agrees(found[doc], html_title):
                agree += 1
            else:
                wrong.append((doc, found[doc], html_title))
    print(f"pages {pages}  text title agrees with the HTML title {agree} ({agree / max(1, pages):.3f})  "
          f"no text title {missing}")
    for doc, mine, theirs in wrong[:a.show]:
        print(f"  {doc[:32]:32}  {(mine or '-')[:60]:60}  | {theirs[:60]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
