#!/usr/bin/env python3
"""Score cleaner on the development sets, overall, by site fold, and by removal reason.

Runs `clean run` on each chosen set (or reuses the outputs of an earlier call with
--reuse) and prints, for each:

- the set's own figure (snippet F1 for peer-dev, body F1 for articles-dev, line labels for
  the seeds), pooled over all pages and then for each site fold (folds.py, k=5): pages of
  one fold come from sites no other fold has, so the spread across folds is what a rule
  fitted to some sites shows on the others;
- with --per-reason, how often each removal reason removed boilerplate: for every removed
  paragraph, the labels it carries. peer-dev: the "without" snippets it holds (boilerplate)
  against the "with" snippets it holds that the output lost (harm); articles-dev: a
  removed paragraph whose 4-word shingles lie mostly in the hand-written body is harm,
  one with none there is boilerplate; seeds: the line labels.  precision = boilerplate /
  (boilerplate + harm);
- with --baseline DIR, the pages that lose over half of their "with" snippets against the
  same pages in DIR (another run's clean/ folder), where DIR lost none.

--extractor-only writes, instead of a cleaner run, what the HTML extractor alone gives
(cleaner's own trafilatura call, no repair or boilerplate stage) to OUT/<set>/clean: the
baseline every HTML change is compared with.

    python benchmarks/dev_scores.py [--sets peer-html,peer-text,art-html,art-text,seeds]
        [--out /tmp/dev-scores] [--reuse] [--per-reason] [--baseline DIR] [--workers N] [--config FILE]
        [--harms REASON ...]
        [--eval ../shared/eval] [--extractor-only]

Needs the evaluation data next to the project (`../shared/eval`, or --eval).  Prints
figures; never runs as a test.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = {  # name: (eval folder, input sub-folder, scorer kind)
    "peer-html": ("peer-dev", "html", "snippets"),
    "peer-text": ("peer-dev", "text", "snippets"),
    "art-html": ("articles-dev", "html", "articles"),
    "art-text": ("articles-dev", "text", "articles"),
    "seeds": (None, None, "lines"),
}
TOKEN = re.compile(r"\w+")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- running

def input_of(name: str, eval_dir: Path) -> Path:
    folder, sub, _ = SETS[name]
    return ROOT / "seeds" if folder is None else eval_dir / folder / sub


def run_cleaner(name: str, eval_dir: Path, out: Path, workers: int | None, config: Path | None) -> None:
    cmd = ["clean", "run", str(input_of(name, eval_dir)), "-o", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    if config:
        cmd += ["--config", str(config)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def run_extractor_only(name: str, eval_dir: Path, out: Path) -> None:
    """What the HTML extractor alone gives (cleaner's call of trafilatura, without the
    left-out text `restore` brings back): title and paragraphs, as clean/ files and
    corpus.jsonl records, so both scorers read it as they read a run."""
    from cleaner.config import Config
    from cleaner.extract import ExtractionError, extract
    from cleaner.ingest import ingest

    config = Config()
    (out / "clean").mkdir(parents=True, exist_ok=True)
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as corpus:
        for _, raws in ingest([input_of(name, eval_dir)], config.ingest):
            for raw in raws:
                try:
                    doc = extract(raw, config.extract)
                except ExtractionError:
                    continue
                body = [p.original for p in doc.paragraphs if not p.restored]
                lines = ([doc.title] if doc.title else []) + body
                (out / "clean" / f"{doc.id}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
                corpus.write(json.dumps({"id": doc.id, "title": doc.title, "text": "\n\n".join(body),
                                         "removed": []}, ensure_ascii=False) + "\n")


def records(out: Path) -> dict[str, dict]:
    found = {}
    with open(out / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            found[str(r["id"])] = r
    return found


def output_texts(out: Path) -> dict[str, str]:
    return {p.name[:-4]: norm(p.read_text(encoding="utf-8", errors="replace"))
            for p in (out / "clean").glob("*.txt")}


# --------------------------------------------------------------------------- scoring

def snippet_counts(gold: dict, texts: dict[str, str], ids) -> tuple[int, int, int]:
    tp = fn = fp = 0
    for pid in ids:
        text = texts.get(pid, "")
        for w in gold[pid]["with"]:
            if norm(w) in text:
                tp += 1
            else:
                fn += 1
        fp += sum(norm(w) in text for w in gold[pid]["without"])
    return tp, fn, fp


def f1_of(tp: int, fn: int, fp: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


def record_of(recs: dict[str, dict], pid: str) -> dict | None:
    """The run's record of gold page `pid` (a file's id may carry its suffix: "pid.html")."""
    return recs.get(pid) or next((r for k, r in recs.items() if k.startswith(pid + ".")), None)


def body_precision_recall(scorer, item: dict, rec: dict | None) -> tuple[float, float]:
    """One articles-dev page's body precision and recall (`scorer`: score_articles.py)."""
    tp, fp, fn = scorer.tp_fp_fn(item["articleBody"], (rec or {}).get("text") or "")
    return scorer.precision(tp, fp, fn), scorer.recall(tp, fp, fn)


def macro_f1(pages: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Precision and recall averaged over pages, as score_articles.py pools them, and their F1."""
    p, r = sum(x[0] for x in pages) / len(pages), sum(x[1] for x in pages) / len(pages)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def body_scores(scorer, gold: dict, recs: dict[str, dict], ids) -> tuple[float, float, float]:
    return macro_f1([body_precision_recall(scorer, gold[pid], record_of(recs, pid)) for pid in ids])


def by_fold(folds, set_name: str, ids, k: int) -> dict[int, list[str]]:
    fold_of = {pid: f for pid, s, site in folds.pages() if s == set_name for f in [folds.fold_of(site, k)]}
    groups: dict[int, list[str]] = defaultdict(list)
    for pid in ids:
        groups[fold_of[pid]].append(pid)
    return dict(sorted(groups.items()))


def print_figures(label: str, per_fold: dict[int, tuple], overall: tuple, pages: dict[int, int]) -> None:
    p, r, f = overall
    print(f"{label}: f1={f:.4f} precision={p:.4f} recall={r:.4f}")
    f1s = [v[2] for v in per_fold.values()]
    for fold, (p, r, f) in per_fold.items():
        print(f"  fold {fold} ({pages[fold]:3d} pages): f1={f:.4f} precision={p:.4f} recall={r:.4f}")
    print(f"  fold spread: {min(f1s):.4f}-{max(f1s):.4f}")


# --------------------------------------------------------------------------- per reason

def reason_of(removal: dict) -> str:
    """The removal's reason; a block the HTML extractor left out (no paragraph number) is
    the extractor's decision, named by cleaner, and is tallied apart from cleaner's own."""
    return removal["reason"] + (" (extractor)" if removal.get("paragraph") is None else "")


Harm = tuple[str, str, str]
"""(reason, page id, removed text) of a harmful removal, for --harms."""


def reason_labels_snippets(gold: dict, recs: dict[str, dict], texts: dict[str, str], harms: list[Harm]) -> Counter:
    """(reason, "boilerplate"|"harm") -> snippets: a removed paragraph holding a "without"
    snippet removed boilerplate; one holding a "with" snippet the output lost did harm
    (and is appended to `harms`)."""
    tally: Counter = Counter()
    for pid, item in gold.items():
        rec = recs.get(pid)
        if not rec:
            continue
        out = texts.get(pid, "")
        for removal in rec.get("removed", []):
            para = norm(removal["text"])
            if not para:
                continue
            reason = reason_of(removal)

            def holds(snippet: str) -> bool:
                s = norm(snippet)
                return bool(s) and (s in para or (len(para) >= 25 and para in s))
            tally[reason, "boilerplate"] += sum(holds(w) for w in item["without"])
            harm = sum(holds(w) and norm(w) not in out for w in item["with"])
            tally[reason, "harm"] += harm
            if harm:
                harms.append((reason, pid, para))
    return tally


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = TOKEN.findall(text)
    return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}


def reason_labels_articles(gold: dict, recs: dict[str, dict], harms: list[Harm]) -> Counter:
    """(reason, label) -> paragraphs: a removed paragraph of 4+ words with over half of its
    4-word shingles in the article body and not in the output did harm (appended to
    `harms`); one with none of them in the body removed boilerplate.  A removal the output
    says anyway (a caption or pull quote that repeats a kept sentence) lost nothing, as
    for the snippets."""
    tally: Counter = Counter()
    for pid, item in gold.items():
        rec = record_of(recs, pid)
        if not rec:
            continue
        grams = _shingles(item["articleBody"])
        kept = _shingles("\n".join(x for x in (rec.get("title"), rec.get("text")) if x))
        for removal in rec.get("removed", []):
            words = TOKEN.findall(removal["text"])
            if len(words) < 4:
                continue
            mine = [tuple(words[i:i + 4]) for i in range(len(words) - 3)]
            share = sum(g in grams for g in mine) / len(mine)
            lost = sum(g in grams and g not in kept for g in mine) / len(mine)
            label = "harm" if lost > 0.5 else "boilerplate" if share == 0 else None
            if label:
                tally[reason_of(removal), label] += 1
            if label == "harm":
                harms.append((reason_of(removal), pid, norm(removal["text"])))
    return tally


def reason_labels_seeds(gold_dir: Path, recs: dict[str, dict]) -> Counter:
    tally: Counter = Counter()
    for tsv in sorted(gold_dir.glob("*.tsv")):
        labels = {}
        for row in tsv.read_text(encoding="utf-8").splitlines()[1:]:
            cols = row.split("\t")
            if len(cols) >= 4:
                labels[norm(cols[3])] = cols[1]
        rec = recs.get(tsv.stem)
        for removal in (rec or {}).get("removed", []):
            label = labels.get(norm(removal["text"]))
            if label in ("keep", "drop"):
                tally[reason_of(removal), "harm" if label == "keep" else "boilerplate"] += 1
    return tally


def print_reason_table(tallies: dict[str, Counter]) -> None:
    reasons = sorted({r for t in tallies.values() for r, _ in t})
    names = list(tallies)
    print("\nremoval precision by reason: boilerplate/harm per set (peer-dev: snippets; "
          "articles-dev, seeds: paragraphs), then pooled precision")
    print(f"{'reason':22s} " + " ".join(f"{n:>14s}" for n in names) + f" {'precision':>10s}")
    for reason in reasons:
        good = sum(t[reason, "boilerplate"] for t in tallies.values())
        bad = sum(t[reason, "harm"] for t in tallies.values())
        cells = " ".join(f"{t[reason, 'boilerplate']:>8d}/{t[reason, 'harm']:<5d}" for t in tallies.values())
        prec = f"{good / (good + bad):.3f}" if good + bad else "-"
        print(f"{reason:22s} {cells} {prec:>10s}")


# --------------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="peer-html,peer-text,art-html,art-text,seeds")
    ap.add_argument("--out", type=Path, default=Path("/tmp/dev-scores"))
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--reuse", action="store_true", help="score the outputs already in --out")
    ap.add_argument("--per-reason", action="store_true")
    ap.add_argument("--baseline", type=Path, help="a run folder to compare peer-dev pages with")
    ap.add_argument("--extractor-only", action="store_true")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--harms", action="append", metavar="REASON",
                    help="with --per-reason, list the harmful removals of REASON (repeatable)")
    ap.add_argument("--config", type=Path, help="a TOML config file passed to clean run")
    ap.add_argument("--k", type=int, default=5)
    a = ap.parse_args()
    folds = load_module(a.eval / "folds.py", "folds")
    articles = load_module(a.eval / "score_articles.py", "score_articles")
    tallies: dict[str, Counter] = {}
    harms: list[Harm] = []
    for name in a.sets.split(","):
        out = a.out / name
        if not a.reuse:
            if a.extractor_only:
                run_extractor_only(name, a.eval, out)
            else:
                run_cleaner(name, a.eval, out, a.workers, a.config)
        folder, _, kind = SETS[name]
        if kind == "lines":
            done = subprocess.run([sys.executable, str(a.eval / "score_lines.py"), "--gold",
                                   str(a.eval / "seeds-gold"), "--out", str(out / "clean")],
                                  capture_output=True, text=True)
            print(f"{name}: {done.stdout.strip().splitlines()[-1]}")
            if a.per_reason:
                tallies[name] = reason_labels_seeds(a.eval / "seeds-gold", records(out))
            continue
        if kind == "snippets":
            gold = json.loads((a.eval / folder / "evaldata.json").read_text(encoding="utf-8"))
            texts = output_texts(out)
            groups = by_fold(folds, folder, gold, a.k)
            per_fold = {f: f1_of(*snippet_counts(gold, texts, ids)) for f, ids in groups.items()}
            print_figures(name, per_fold, f1_of(*snippet_counts(gold, texts, gold)),
                          {f: len(ids) for f, ids in groups.items()})
            if a.per_reason:
                tallies[name] = reason_labels_snippets(gold, records(out), texts, harms)
            if a.baseline:
                base = output_texts(a.baseline / name if (a.baseline / name).is_dir() else a.baseline)
                worse = []
                for pid, item in gold.items():
                    lost = [w for w in item["with"] if norm(w) not in texts.get(pid, "")]
                    lost_base = [w for w in item["with"] if norm(w) not in base.get(pid, "")]
                    if not lost_base and len(lost) * 2 > len(item["with"]):
                        worse.append((pid, len(lost), len(item["with"])))
                print(f"  pages losing over half of their 'with' snippets where the baseline lost none: {len(worse)}")
                for pid, lost, total in worse:
                    print(f"    {pid}: lost {lost}/{total}")
        else:
            gold = json.loads((a.eval / folder / "ground-truth.json").read_text(encoding="utf-8"))
            recs = records(out)
            groups = by_fold(folds, folder, gold, a.k)
            per_fold = {f: body_scores(articles, gold, recs, ids) for f, ids in groups.items()}
            print_figures(name, per_fold, body_scores(articles, gold, recs, gold),
                          {f: len(ids) for f, ids in groups.items()})
            if a.per_reason:
                tallies[name] = reason_labels_articles(gold, recs, harms)
    if a.per_reason and tallies:
        print_reason_table(tallies)
        for wanted in a.harms or ():
            print(f"\nharmful removals by {wanted}:")
            for reason, pid, text in harms:
                if reason == wanted:
                    print(f"  {pid}: {text[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
