#!/usr/bin/env python3
"""Measure the boilerplate stage alone on the seeds and on articles-dev (text and HTML).

Builds Documents the way the pipeline will (text: one Paragraph per non-empty line;
HTML: trafilatura.bare_extraction, paragraphs = non-empty lines of its text), runs
classify + mark_corpus_repeats, writes OUT/<set>/clean/*.txt and OUT/<set>/corpus.jsonl,
and calls the shared scorers.  Prints figures; never runs as a test.

    PYTHONPATH=. python benchmarks/eval_boilerplate.py [--out /tmp/bp-eval] [--sets seeds,text,html]
    PYTHONPATH=. python benchmarks/eval_boilerplate.py --show ID_PREFIX [--sets text]

--show prints one articles-dev document's paragraphs with our verdict, the reason, and the
share of the paragraph's 4-word shingles found in the gold body ("!!" marks disagreements).
"""
from __future__ import annotations

import argparse
import gzip
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

from cleaner.boilerplate import classify, mark_corpus_repeats
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Metadata, Paragraph

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
"""The evaluation data and scorers, `../shared` from the project root."""
DEV = SHARED / "eval" / "articles-dev"


def text_doc(path: Path) -> Document:
    lines = path.read_text(encoding="utf-8").splitlines()
    paras = [Paragraph(original=l.strip()) for l in lines if l.strip()]
    return Document(id=path.stem, source=str(path), format="text", paragraphs=paras)


def html_docs(paths: list[Path], cache: Path) -> list[Document]:
    import trafilatura
    store = pickle.loads(cache.read_bytes()) if cache.exists() else {}
    docs = []
    for path in paths:
        key = path.name
        if key not in store:
            html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
            r = trafilatura.bare_extraction(html, deduplicate=False, with_metadata=True,
                                            include_comments=False)
            if r is None:
                store[key] = (None, [], None)
            else:
                r = r if isinstance(r, dict) else r.as_dict()
                store[key] = (r.get("title"), [l for l in (r.get("text") or "").splitlines() if l.strip()],
                              r.get("url"))
        title, lines, url = store[key]
        doc_id = key.split(".")[0]
        docs.append(Document(id=doc_id, source=str(path), format="html", title=title,
                             metadata=Metadata(url=url),
                             paragraphs=[Paragraph(original=l.strip()) for l in lines]))
    cache.write_bytes(pickle.dumps(store))
    return docs


def pipeline_docs(paths: list[Path], cache: Path) -> list[Document]:
    """Documents as the pipeline builds them (ingest, extract, repair), cached between runs."""
    import copy

    from cleaner.config import Config
    from cleaner.extract import extract
    from cleaner.ingest import ingest
    from cleaner.repair import repair_document

    if cache.exists():
        return pickle.loads(cache.read_bytes())
    config = Config()
    docs = []
    for _, raws in ingest([str(p) for p in paths], config.ingest):
        for raw in raws:
            try:
                doc = extract(raw, config.extract)
            except Exception:
                continue
            repair_document(doc, config.repair)
            docs.append(doc)
    cache.write_bytes(pickle.dumps(docs))
    return copy.deepcopy(docs)


def write(docs: list[Document], out: Path) -> None:
    (out / "clean").mkdir(parents=True, exist_ok=True)
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n")
            lines = ([d.title] if d.title else []) + [p.text for p in d.body]
            (out / "clean" / f"{d.id}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(out / "decisions.txt", "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(f"##### {d.id} title={d.title!r}\n")
            for p in d.paragraphs:
                mark = {"keep": "+", "drop": "-", "title": "T"}[p.verdict.value]
                fh.write(f"{mark} {(p.reason or ''):18.18} {p.text[:150]}\n".replace("\n", " ").rstrip() + "\n")


def show(decisions: Path, prefix: str) -> None:
    import re
    from collections import Counter

    gold_all = json.loads((DEV / "ground-truth.json").read_text(encoding="utf-8"))
    tok = re.compile(r"\w+")

    def shingles(text: str) -> Counter:
        t = tok.findall(text)
        return Counter(tuple(t[i:i + 4]) for i in range(max(1, len(t) - 3)) if t[i:i + 4])

    current, gold = None, Counter()
    for line in decisions.read_text(encoding="utf-8").splitlines():
        if line.startswith("#####"):
            current = line.split()[1]
            if current.startswith(prefix):
                print(line[:160])
                gold = shingles(gold_all.get(current, {}).get("articleBody", ""))
            continue
        if not (current and current.startswith(prefix)):
            continue
        mark, reason, text = line[0], line[2:20].strip(), line[21:]
        s = shingles(text)
        overlap = sum((s & gold).values()) / max(1, sum(s.values()))
        flag = "!!" if (mark == "+" and overlap < 0.5) or (mark != "+" and overlap >= 0.5) else "  "
        print(f"{flag}{mark} {reason:18.18} {overlap:4.2f} {text[:120]}")


def run(docs: list[Document], config: BoilerplateConfig) -> float:
    t = time.perf_counter()
    for d in docs:
        classify(d, config)
    mark_corpus_repeats(docs, config)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/bp-eval"))
    ap.add_argument("--sets", default="seeds,text,html")
    ap.add_argument("--worst", type=int, default=8)
    ap.add_argument("--pipeline", action="store_true",
                    help="build documents with the pipeline's ingest/extract/repair instead of the local reader")
    ap.add_argument("--baseline", action="store_true", help="do not classify (keep everything)")
    ap.add_argument("--no-rules", action="store_true",
                    help="ablation: disable every vocabulary rule, keep structure and statistics")
    ap.add_argument("--show", metavar="ID_PREFIX", help="after the run, show one document's decisions")
    a = ap.parse_args()
    config = BoilerplateConfig()
    if a.no_rules:
        from cleaner.boilerplate.rules import RULES

        config = BoilerplateConfig(disabled_rules=tuple(RULES))
    py = sys.executable
    for name in a.sets.split(","):
        out = a.out / name
        folder = {"seeds": SHARED / "seeds", "text": DEV / "text", "html": DEV / "html"}[name]
        if a.pipeline:
            a.out.mkdir(parents=True, exist_ok=True)
            docs = pipeline_docs(sorted(folder.glob("*.txt")) + sorted(folder.glob("*.html.gz")),
                                 a.out / f"pipeline-{name}.pkl")
        elif name == "html":
            docs = html_docs(sorted(folder.glob("*.html.gz")), a.out / "html-cache.pkl")
        else:
            docs = [text_doc(p) for p in sorted(folder.glob("*.txt"))]
        secs = 0.0 if a.baseline else run(docs, config)
        write(docs, out)
        print(f"== {name}: {len(docs)} docs classified in {secs:.2f}s")
        if name == "seeds":
            cmd = [py, str(SHARED / "eval" / "score_lines.py"), "--gold", str(SHARED / "eval" / "seeds-gold"),
                   "--out", str(out / "clean")]
        else:
            cmd = [py, str(SHARED / "eval" / "score_articles.py"), "--gold", str(DEV / "ground-truth.json"),
                   "--run", str(out / "corpus.jsonl"), "--worst", str(a.worst)]
        print(subprocess.run(cmd, capture_output=True, text=True).stdout.rstrip())
        if a.show and name != "seeds":
            show(out / "decisions.txt", a.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
