#!/usr/bin/env python3
"""Can a learned line model beat the text path's generic block decisions?  An out-of-fold study.

For full-page text inputs, every line that the rules leave to the generic decisions (kept in
the article block, or removed as before-article, after-article or short-fragment; lines a
named rule removed are left as they are) and that the labels judge (peer-dev: holds a
"with" or a "without" snippet; articles-dev: over half or none of its 4-word shingles in
the hand-written body) becomes one example, with the features the classifier has at hand:
its class, length, stop-word density, sentence ending, list bullet, digits, the side of
and distance to the article block, its neighbours' classes and verdicts, whether it
repeats on the page, and its position.  A logistic regression (scikit-learn, L2, on
standardised features; `pip install '.[bench]'`) is fitted on four site folds (folds.py,
k=5) and applied to the fifth, for each fold in turn,
and the script prints what the out-of-fold model would change at several thresholds:
removed lines it would bring back (content / boilerplate among them) and kept lines it
would remove (boilerplate / content), beside the in-sample figures.

    python benchmarks/line_model_study.py [--eval ../shared/eval]

Prints figures; never runs as a test.
"""
from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

import numpy as np

from cleaner.boilerplate.classifier import judge
from cleaner.config import Config
from cleaner.extract import extract
from cleaner.ingest import ingest
from cleaner.models import Verdict
from dev_scores import load_module, norm  # this folder's scorer: the same folds and text key

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"\w+")
GENERIC = {"before-article", "after-article", "short-fragment", None}


def line_features(page, i: int, lo: int, hi: int) -> list[float]:
    n, f, c = len(page.paras), page.feats[i], int(page.classes[i])
    side = 0 if i < lo else (2 if i >= hi else 1)
    dist = (lo - i) if side == 0 else ((i - hi + 1) if side == 2 else 0)
    near = [j for j in range(max(0, i - 3), min(n, i + 4)) if j != i and page.feats[j].has_text]
    share = (lambda test: sum(1 for j in near if test(j)) / max(1, len(near)))
    return [c == 0, c == 1, c == 2, c == 3, math.log1p(f.words), f.stop_density, f.terminal, f.bullet,
            f.digit_ratio, side == 0, side == 2, math.log1p(dist),
            share(lambda j: page.paras[j].reason not in GENERIC), share(lambda j: page.paras[j].verdict is Verdict.KEEP),
            sum(int(page.classes[j]) for j in near) / max(1, len(near)) / 3, page.counts[page.texts[i]] > 1, i / n]


def examples(eval_dir: Path, folds, set_name: str):
    """(features, label, fold, current verdict) of every judged line of one set's text pages."""
    fold_of = {pid: folds.fold_of(site, 5) for pid, s, site in folds.pages() if s == set_name}
    peer = set_name == "peer-dev"
    gold = json.loads((eval_dir / set_name / ("evaldata.json" if peer else "ground-truth.json")).read_text("utf-8"))
    config = Config()
    rows = []
    for _, raws in ingest([eval_dir / set_name / "text"], config.ingest):
        for raw in raws:
            doc = extract(raw, config.extract)
            pid = doc.id if doc.id in gold else doc.id.split(".")[0]
            if pid not in gold or not doc.paragraphs:
                continue
            page, lo, hi = judge(doc, config.boilerplate)
            if peer:
                with_, without = [norm(w) for w in gold[pid]["with"]], [norm(w) for w in gold[pid]["without"]]
            else:
                body = TOKEN.findall(gold[pid]["articleBody"])
                grams = {tuple(body[k:k + 4]) for k in range(len(body) - 3)}
            for i, p in enumerate(doc.paragraphs):
                if not page.feats[i].has_text or p.verdict is Verdict.TITLE or p.reason not in GENERIC:
                    continue
                text = norm(page.texts[i])
                if peer:
                    holds = (lambda s: bool(s) and (s in text or (len(text) >= 25 and text in s)))
                    label = 1 if any(map(holds, with_)) else (0 if any(map(holds, without)) else None)
                else:
                    words = TOKEN.findall(page.texts[i])
                    mine = [tuple(words[k:k + 4]) for k in range(len(words) - 3)]
                    inside = sum(m in grams for m in mine) / len(mine) if mine else None
                    label = None if inside is None else 1 if inside > 0.5 else 0 if inside == 0 else None
                if label is not None:
                    rows.append((line_features(page, i, lo, hi), label, fold_of.get(pid, 0), p.verdict is Verdict.KEEP))
    return rows


def model():
    """Logistic regression (L2, C=1) on standardised features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    a = ap.parse_args()
    folds = load_module(a.eval / "folds.py", "folds")
    rows = examples(a.eval, folds, "peer-dev") + examples(a.eval, folds, "articles-dev")
    X = np.array([r[0] for r in rows], float)
    y = np.array([r[1] for r in rows], float)
    fold = np.array([r[2] for r in rows])
    kept = np.array([r[3] for r in rows])
    oof = np.zeros(len(y))
    for k in range(5):
        oof[fold == k] = model().fit(X[fold != k], y[fold != k]).predict_proba(X[fold == k])[:, 1]
    ins = model().fit(X, y).predict_proba(X)[:, 1]
    print(f"{len(y)} judged lines, {int(y.sum())} content; the rules keep {int((kept & (y == 0)).sum())} "
          f"boilerplate lines and remove {int((~kept & (y == 1)).sum())} content lines")
    for t in (0.6, 0.7, 0.8, 0.9):
        for name, p in (("out-of-fold", oof), ("in-sample", ins)):
            back = ~kept & (p >= t)
            print(f"bring back p>={t} {name:11s}: content {int((back & (y == 1)).sum()):4d}  "
                  f"boilerplate {int((back & (y == 0)).sum()):4d}")
    for t in (0.1, 0.2, 0.3):
        for name, p in (("out-of-fold", oof), ("in-sample", ins)):
            cut = kept & (p <= t)
            print(f"remove p<={t} {name:11s}: boilerplate {int((cut & (y == 0)).sum()):4d}  "
                  f"content {int((cut & (y == 1)).sum()):4d}")


if __name__ == "__main__":
    main()
