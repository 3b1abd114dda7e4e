#!/usr/bin/env python3
"""The second-opinion study: can the page's blocks tell which kept lines are boilerplate?

Builds, for every line trafilatura kept on peer-dev and articles-dev html, the evidence
below, labels it (peer-dev: the line holds a "with" or a "without" snippet; articles-dev:
over half of its 4-word shingles in the hand-written body, or none), fits a logistic model
on four site folds (folds.py, k=5) and scores the fifth, and prints what dropping lines
above each threshold would do to peer-dev snippet F1, pooled out of fold.  Needs
scikit-learn (training only; nothing here is shipped).  docs/html.md has the figures.

    python benchmarks/html_second_opinion.py [--eval ../shared/eval]

Every feature is a number; none reads a word of any language except through the
document's own stop list (jusText's, for the language the text shows).  DOM features come
from `cleaner.blocks`: the block's tag, its link density, the telling element it sits in
(only a small one: a wrapper holding most of the kept text tells nothing), its place among
the kept lines and how far it sits from the kept text on the page.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from cleaner.blocks import Block, Layout, Mark, squeezed
from cleaner.boilerplate.features import Body, detect_language, leading_tokens, measure, squeeze, stoplist, tokens
from cleaner.boilerplate.rules import matching_rule

ROOT = Path(__file__).resolve().parent.parent

MARK_GROUPS = {
    "navigation": "nav", "breadcrumb": "nav", "page-header": "nav", "footer": "nav", "form": "nav",
    "copyright": "nav",
    "share-widget": "widget", "social-widget": "widget", "newsletter": "widget", "cookie-notice": "widget",
    "advertisement": "widget", "comment-widget": "widget", "user-comment": "widget", "trending": "widget",
    "related-links": "widget",
    "tags": "tags", "caption": "caption", "photo-credit": "caption", "byline": "caption",
    "sidebar": "sidebar",
}
TAG_GROUPS = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading",
              "h6": "heading", "li": "item", "dt": "item", "dd": "item", "tr": "row", "td": "row", "th": "row",
              "table": "row", "caption": "caption", "figcaption": "caption", "figure": "caption",
              "blockquote": "quote", "p": "p"}
NAMES = ("bias", "log_chars", "link_density", "terminal", "stop_density", "colon_end", "digit_ratio",
         "heading", "item", "row", "caption_tag", "quote", "p_tag", "in_main",
         "mark_nav", "mark_widget", "mark_tags", "mark_caption", "mark_sidebar", "mark_kept_share",
         "position", "last", "first", "gap_before", "gap_after", "repeated", "rule", "long_prose",
         "kept_chars_after")


def language_stops(lines: list[str]) -> frozenset[str]:
    """The stop list of the language the lines show (empty when none is recognised)."""
    texts = [squeeze(t) for t in lines]
    return stoplist(detect_language(leading_tokens(texts)))


def small_marks(layout: Layout, marks: list[Mark]) -> tuple[list[float], list[float]]:
    """For each mark: the share of the page's kept text it holds, and the kept share of its own text."""
    kept, blocks = layout.kept, layout.blocks
    sizes = [len(b.text) for b in blocks]
    kept_chars = [k * s for k, s in zip(kept, sizes)]
    total = sum(kept_chars) or 1.0
    prefix_all, prefix_kept = [0.0], [0.0]
    for s, k in zip(sizes, kept_chars):
        prefix_all.append(prefix_all[-1] + s)
        prefix_kept.append(prefix_kept[-1] + k)
    holds, own = [], []
    for m in marks:
        inside = prefix_kept[m.end] - prefix_kept[m.first]
        size = prefix_all[m.end] - prefix_all[m.first]
        holds.append(inside / total)
        own.append(inside / size if size else 0.0)
    return holds, own


SMALL_MARK = 0.5
"""A mark holding less than this share of the kept text is a part of the page, not its frame."""


def block_vector(block: Block, text: str, marks: list[Mark], holds: list[float], own: list[float],
                 stops: frozenset[str]) -> list[float]:
    """The features of one block (or line) that do not depend on its neighbours."""
    body = Body.of(squeeze(text))
    f = measure(body, stops)
    chars = len(text)
    tag = TAG_GROUPS.get(block.tag, "other")
    mark = next((m for m in reversed(block.marks) if holds[m] < SMALL_MARK), None)
    group = MARK_GROUPS.get(marks[mark].reason) if mark is not None else None
    tail = text.rstrip()
    return [
        1.0,
        math.log1p(chars),
        block.link_chars / chars if chars else 0.0,
        float(f.terminal),
        f.stop_density,
        float(tail.endswith((":", "："))),
        f.digit_ratio,
        float(tag == "heading" or block.heading),
        float(tag == "item"),
        float(tag == "row"),
        float(tag == "caption"),
        float(tag == "quote"),
        float(tag == "p"),
        float(block.in_main),
        float(group == "nav"),
        float(group == "widget"),
        float(group == "tags"),
        float(group == "caption"),
        float(group == "sidebar"),
        own[mark] if mark is not None else 1.0,
    ]


def line_vectors(layout: Layout, marks: list[Mark], lines: list[str], stops: frozenset[str]) -> list[list[float] | None]:
    """The features of each kept line (None for a line not found on the page)."""
    holds, own = small_marks(layout, marks)
    blocks = layout.blocks
    counts: dict[str, int] = {}
    for b in blocks:
        key = squeezed(b.text)
        counts[key] = counts.get(key, 0) + 1
    n = len(lines)
    sizes = [len(line) for line in lines]
    total = sum(sizes) or 1
    after = total
    first_blocks = [bs[0] if bs else None for bs in layout.line_blocks]
    out: list[list[float] | None] = []
    previous_block = -1
    for i, line in enumerate(lines):
        after -= sizes[i]
        b = first_blocks[i]
        if b is None:
            out.append(None)
            continue
        block = blocks[b]
        vec = block_vector(block, line, marks, holds, own, stops)
        nxt = next((x for x in first_blocks[i + 1:] if x is not None), len(blocks))
        words = len(tokens(line))
        vec += [
            i / max(1, n - 1),
            float(i == n - 1),
            float(i == 0),
            math.log1p(max(0, b - previous_block - 1)),
            math.log1p(max(0, nxt - b - 1)),
            float(counts.get(squeezed(line), 0) > 1),
            float(matching_rule(squeeze(line)) is not None),
            float(words >= 25 and vec[3] > 0),
            after / total,
        ]
        previous_block = b
        out.append(vec)
    return out


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def pages(folder: Path):
    """(id, lines, vectors) of every page: cleaner's own parse, blocks and alignment."""
    import trafilatura
    import trafilatura.utils

    from cleaner import blocks
    from cleaner.config import IngestConfig
    from cleaner.ingest import ingest
    for _, raws in ingest([folder], IngestConfig()):
        for raw in raws:
            tree = trafilatura.utils.load_html(raw.content)
            if tree is None:
                continue
            found, marks = blocks.page_blocks(tree)
            result = trafilatura.bare_extraction(tree, url=raw.url, include_comments=False, deduplicate=False,
                                                 output_format="python")
            if result is None or not (result.text or "").strip():
                continue
            lines = [re.sub(r"^[-*]\s+", "", line) for line in result.text.split("\n") if line.strip()]
            layout = blocks.align(found, lines, None)
            yield raw.id, lines, line_vectors(layout, marks, lines, language_stops(lines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    a = ap.parse_args()
    import importlib.util

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    spec = importlib.util.spec_from_file_location("folds", a.eval / "folds.py")
    folds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(folds)
    fold_of = {pid: folds.fold_of(site, 5) for pid, _, site in folds.pages()}
    rows = []  # (set, fold, label, with snippets, without snippets, vector)
    peer = json.loads((a.eval / "peer-dev" / "evaldata.json").read_text(encoding="utf-8"))
    for pid, lines, vectors in pages(a.eval / "peer-dev" / "html"):
        good = [norm(w) for w in peer[pid]["with"]]
        bad = [norm(w) for w in peer[pid]["without"]]
        for line, vec in zip(lines, vectors):
            if vec is not None:
                n_good, n_bad = sum(w in norm(line) for w in good), sum(w in norm(line) for w in bad)
                label = 0 if n_bad and not n_good else 1 if n_good and not n_bad else -1
                rows.append(("peer", fold_of[pid], label, n_good, n_bad, vec))
    truth = json.loads((a.eval / "articles-dev" / "ground-truth.json").read_text(encoding="utf-8"))
    word = re.compile(r"\w+")
    for pid, lines, vectors in pages(a.eval / "articles-dev" / "html"):
        body = word.findall(truth[pid]["articleBody"].lower())
        grams = {tuple(body[i:i + 4]) for i in range(len(body) - 3)}
        for line, vec in zip(lines, vectors):
            words = word.findall(line.lower())
            if vec is None or len(words) < 4:
                continue
            share = sum(tuple(words[i:i + 4]) in grams for i in range(len(words) - 3)) / (len(words) - 3)
            rows.append(("art", fold_of[pid], 1 if share > 0.5 else 0 if share == 0 else -1, 0, 0, vec))
    X = np.array([r[5][1:] for r in rows])
    y = np.array([r[2] for r in rows])
    fold = np.array([r[1] for r in rows])
    oof = np.zeros(len(rows))
    for f in range(5):
        train = (y >= 0) & (fold != f)
        model = LogisticRegression(max_iter=3000).fit(X[train], y[train])
        oof[fold == f] = model.predict_proba(X[fold == f])[:, 0]  # p(boilerplate)
    print(f"{sum(y >= 0)} labelled lines; dropping kept lines above each threshold, pooled out of fold:")
    for t in (0.5, 0.7, 0.8, 0.9, 0.95):
        drop = oof > t
        lost = sum(r[3] for r, d in zip(rows, drop) if d and r[0] == "peer")
        gained = sum(r[4] for r, d in zip(rows, drop) if d and r[0] == "peer")
        art_bad = sum(1 for r, d in zip(rows, drop) if d and r[0] == "art" and r[2] == 0)
        art_good = sum(1 for r, d in zip(rows, drop) if d and r[0] == "art" and r[2] == 1)
        print(f"  p > {t}: peer-dev 'without' snippets removed {gained}, 'with' snippets lost {lost}; "
              f"articles-dev boilerplate lines {art_bad}, body lines {art_good}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
