#!/usr/bin/env python3
"""Out-of-fold figures for the boilerplate stage: each removal reason chosen on the other folds.

The stage's rules are hand-set, so the thing that can be fitted to pages is which of them
run.  For each set, this runs `clean run` with every rule on, then once with each reason
that removed something switched off (`[boilerplate] disabled_rules`).  For each site fold
(`folds.py`, k=5) in turn, a reason stays on when switching it off does not raise the F1 of
the other four folds' pages; the set is run again with the reasons that failed switched
off and scored on the held-out fold only.  The held-out folds' results, pooled as the set's
scorer pools pages, are the out-of-fold figure.  The in-sample figure chooses the reasons
on all five folds and scores on all five.  When every reason helps on every choice of four
folds, the two are the figures of the default run.

    python benchmarks/fold_selection.py [--sets peer-text,art-text,peer-html,art-html]
        [--out /tmp/fold-selection] [--workers 2] [--reuse] [--eval ../shared/eval]

Each run takes as long as one `dev_scores.py` set (peer-dev text: about 10 s with two
workers); the runs are kept in --out, and --reuse scores them again.  Prints figures; never
runs as a test.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import dev_scores  # noqa: E402  (a sibling script, not a package)

Scores = dict[str, tuple]
"""Page id -> what the set's scorer pools: (tp, fn, fp) snippets, or (precision, recall)."""


def page_scores(name: str, out: Path, gold: dict, articles) -> Scores:
    if dev_scores.SETS[name][2] == "snippets":
        texts = dev_scores.output_texts(out)
        return {pid: dev_scores.snippet_counts(gold, texts, [pid]) for pid in gold}
    recs = dev_scores.records(out)
    return {pid: dev_scores.body_precision_recall(articles, item, dev_scores.record_of(recs, pid))
            for pid, item in gold.items()}


def pooled_f1(kind: str, scores: list[tuple]) -> float:
    """F1 over pages as the set's scorer pools them: snippet counts summed, or page
    precision and recall averaged."""
    if not scores:
        return 0.0
    if kind == "snippets":
        return dev_scores.f1_of(*map(sum, zip(*scores)))[2]
    return dev_scores.macro_f1(scores)[2]


def run(name: str, eval_dir: Path, out: Path, disabled: list[str], workers: int | None, reuse: bool) -> Path:
    if reuse and (out / "corpus.jsonl").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    config = out.parent / f"{out.name}.toml"
    config.write_text("[boilerplate]\ndisabled_rules = " + json.dumps(sorted(disabled)) + "\n", encoding="utf-8")
    dev_scores.run_cleaner(name, eval_dir, out, workers, config)
    return out


def run_dir(out: Path, name: str, off: tuple[str, ...]) -> Path:
    """Where the run of set `name` with the reasons `off` switched off is kept."""
    if len(off) <= 1:
        return out / name / (f"off-{off[0]}" if off else "all")
    return out / name / ("off-" + hashlib.sha1("+".join(off).encode()).hexdigest()[:10])


def fired_reasons(out: Path) -> list[str]:
    """The reasons of cleaner's own removals in a run (not the extractor's left-out blocks)."""
    counts: Counter = Counter()
    for rec in dev_scores.records(out).values():
        counts.update(r["reason"] for r in rec.get("removed", []) if r.get("paragraph") is not None)
    return sorted(counts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="peer-text,art-text,peer-html,art-html")
    ap.add_argument("--out", type=Path, default=Path("/tmp/fold-selection"))
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--k", type=int, default=5)
    a = ap.parse_args()
    folds = dev_scores.load_module(a.eval / "folds.py", "folds")
    articles = dev_scores.load_module(a.eval / "score_articles.py", "score_articles")
    for name in a.sets.split(","):
        folder, _, kind = dev_scores.SETS[name]
        gold_file = "evaldata.json" if kind == "snippets" else "ground-truth.json"
        gold = json.loads((a.eval / folder / gold_file).read_text(encoding="utf-8"))
        groups = dev_scores.by_fold(folds, folder, gold, a.k)
        scores: dict[tuple[str, ...], Scores] = {}

        def scored(off: tuple[str, ...]) -> Scores:
            """The pages' scores with the reasons `off` switched off, run once."""
            if off not in scores:
                done = run(name, a.eval, run_dir(a.out, name, off), list(off), a.workers, a.reuse)
                scores[off] = page_scores(name, done, gold, articles)
            return scores[off]

        scored(())
        reasons = fired_reasons(run_dir(a.out, name, ()))
        for reason in reasons:
            scored((reason,))

        def f1(key: tuple, folds_: list[int]) -> float:
            return pooled_f1(kind, [scores[key][pid] for f in folds_ for pid in groups[f]])

        print(f"{name}: {len(reasons)} reasons removed something; F1 change when one is switched off, by fold")
        print(f"  {'reason':22s} " + " ".join(f"{'fold ' + str(f):>8s}" for f in groups) + f" {'all':>8s}")
        for reason in reasons:
            cells = " ".join(f"{f1((reason,), [f]) - f1((), [f]):+8.4f}" for f in groups)
            print(f"  {reason:22s} {cells} {f1((reason,), list(groups)) - f1((), list(groups)):+8.4f}")

        def chosen_off(on_folds: list[int]) -> tuple[str, ...]:
            """The reasons (sorted, as `reasons` is) whose switching off raises F1 on `on_folds`."""
            return tuple(r for r in reasons if f1((r,), on_folds) > f1((), on_folds))

        held_out: list[tuple] = []
        for f in groups:
            off = chosen_off([g for g in groups if g != f])
            held_out += [scored(off)[pid] for pid in groups[f]]
            print(f"  fold {f} held out: switched off by the other folds: {', '.join(off) or 'none'}; "
                  f"fold F1 {f1(off, [f]):.4f} (all on: {f1((), [f]):.4f})")
        off_all = chosen_off(list(groups))
        scored(off_all)
        print(f"  in-sample (chosen on all folds; off: {', '.join(off_all) or 'none'}): {f1(off_all, list(groups)):.4f}; "
              f"out-of-fold: {pooled_f1(kind, held_out):.4f}; all rules on: {f1((), list(groups)):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
