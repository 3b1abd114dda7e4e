"""A benchmark corpus shaped like full-page text renderings: generated articles in real page furniture.

The synthetic corpus (`gen_corpus.py`: ~600-word news-like documents, 10% labelled
near-duplicates, 2% with mojibake) is all body text: ~12 lines a document, nearly all long.
Real scraped pages are not: a development page rendered to text has ~150-190 lines, four in
five of them short (navigation, widgets, related stories, footers, cookie notices), and
~9 long body paragraphs.  Stages that work line by line cost far more on such pages, so a
speed figure taken on the synthetic corpus alone says little about real pages.

This script wraps each generated article in the furniture of a real page:

- Templates: every full-page text of `peer-dev/text` and `articles-dev/text` whose body can
  be located (its gold snippets, resp. its gold article paragraphs, found in its lines) gives
  a header (the lines before the body) and a footer (the lines after it).  Long prose lines
  next to the located body are taken as body too, and no line of 25 words or more is kept
  anywhere in a template, so that it keeps as little of its page's own article as possible
  (its short lines stay: headings, captions, furniture).
- Sites: documents are spread over synthetic sites (Zipf-like sizes, ~50 documents a site on
  average); every page of a site uses that site's template and a URL on its host, so the
  corpus-repeat stage sees the repetition real sites show.  There are more sites than
  templates at 100k documents: a template then serves several hosts.
- Per page, as on real sites: a numeric date line above the article, and a related-stories
  list of 3-6 other headlines of the same site below it; the rest of the furniture is the
  template's, verbatim.
- The articles and their near-duplicate labels are `gen_corpus.py`'s, unchanged (ids are its
  ids; neardups.tsv is copied, and dups-gold.json states the same pairs for
  `score_dups.py`).  A near-duplicate usually lands on another site than its source, as a
  reprint does.

Deterministic: same --n, --seed and inputs, same bytes (gen_corpus.py picks its substitution
vocabulary from `wordfreq` when installed, else from Python's own docs).  Prints the corpus's
line statistics next to the real pages' so they can be compared.  Never run as a test.

    python benchmarks/make_page_corpus.py --n 10000 --out /tmp/pages10k
    python benchmarks/make_page_corpus.py --n 100000 --out /tmp/pages100k
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path("/work/shared/eval")
SHORT_WORDS = 10
"""A line of fewer words is short (navigation, widgets, headings)."""
LONG_WORDS = 40
"""A line of at least this many words is a long (body-like) paragraph."""
PROSE_WORDS = 25
"""Lines this long next to a located body are taken as body, not furniture."""
SPACES = re.compile(r"\s+")


def normalised(text: str) -> str:
    return SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Template:
    """A real page's furniture: the lines above and below its article."""

    source: str
    header: list[str]
    footer: list[str]


def gold_snippets(eval_dir: Path) -> dict[tuple[str, str], list[str]]:
    """Per page, texts of its main content: peer-dev's "with" snippets, articles-dev's body paragraphs."""
    out: dict[tuple[str, str], list[str]] = {}
    peer = json.loads((eval_dir / "peer-dev" / "evaldata.json").read_text(encoding="utf-8"))
    for page, entry in peer.items():
        out["peer-dev", page] = [s for s in (normalised(x) for x in entry.get("with", [])) if s]
    articles = json.loads((eval_dir / "articles-dev" / "ground-truth.json").read_text(encoding="utf-8"))
    for page, entry in articles.items():
        out["articles-dev", page] = [p for p in (normalised(x) for x in entry["articleBody"].split("\n"))
                                     if len(p.split()) >= 5]
    return out


def template_of(source: str, lines: list[str], gold: list[str]) -> Template | None:
    """Split a page into header and footer around its body, or None when no body line is found."""
    def is_body(line: str) -> bool:
        text = normalised(line)
        return bool(text) and any(s in text or (text in s and len(text.split()) >= 5) for s in gold)

    hits = [i for i, line in enumerate(lines) if is_body(line)]
    if not hits:
        return None
    first, last = hits[0], hits[-1]

    def prose(i: int) -> bool:
        return len(lines[i].split()) >= PROSE_WORDS

    def widen(i: int, step: int) -> int:
        """Move past neighbouring prose lines (blank and short lines between them allowed, up to 3)."""
        j, gap = i + step, 0
        while 0 <= j < len(lines) and gap <= 3:
            if prose(j):
                i, gap = j, 0
            elif lines[j].strip():
                gap += 1
            j += step
        return i

    first, last = widen(first, -1), widen(last, 1)
    return Template(source, _furniture(lines[:first]), _furniture(lines[last + 1:]))


def _furniture(lines: list[str]) -> list[str]:
    """`lines` without prose: gold snippets rarely cover a whole article, and a paragraph of the
    page's own article left in its template would outweigh the generated one on every page
    of the site (the cleaner would keep the template's story and the pages would be
    duplicates of each other)."""
    return [line for line in lines if len(line.split()) < PROSE_WORDS]


def load_templates(eval_dir: Path) -> list[Template]:
    gold = gold_snippets(eval_dir)
    templates = []
    for name in ("peer-dev", "articles-dev"):
        for path in sorted((eval_dir / name / "text").glob("*.txt")):
            lines = path.read_text(encoding="utf-8").split("\n")
            template = template_of(f"{name}/{path.stem}", lines, gold.get((name, path.stem), []))
            if template and (template.header or template.footer):
                templates.append(template)
    return templates


def real_pages(eval_dir: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for name in ("peer-dev", "articles-dev")
            for p in sorted((eval_dir / name / "text").glob("*.txt"))]


def line_stats(texts) -> dict:
    """Lines a document (non-blank), share of short lines, long lines a document and words a long line."""
    per_doc, long_words = [], []
    short = total = 0
    for text in texts:
        counts = [len(line.split()) for line in text.split("\n") if line.strip()]
        per_doc.append(len(counts))
        total += len(counts)
        short += sum(1 for c in counts if c < SHORT_WORDS)
        long_words += [c for c in counts if c >= LONG_WORDS]
    per_doc.sort()
    return {"docs": len(per_doc), "lines_per_doc_median": statistics.median(per_doc),
            "lines_per_doc_mean": round(statistics.mean(per_doc), 1),
            "lines_per_doc_p10_p90": [per_doc[len(per_doc) // 10], per_doc[len(per_doc) * 9 // 10]],
            "short_line_share": round(short / total, 3),
            "long_lines_per_doc": round(len(long_words) / len(per_doc), 1),
            "words_per_long_line_median": statistics.median(long_words) if long_words else 0}


def articles(args) -> Path:
    """The generated articles (gen_corpus.py's output folder), made when missing or of another size."""
    folder = args.out / "articles"
    meta = folder / "corpus_meta.json"
    if meta.exists():
        known = json.loads(meta.read_text())
        if known.get("n_docs") == args.n and known.get("seed") == args.seed:
            return folder
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(args.gen), "--n", str(args.n), "--seed", str(args.seed),
                    "--seeds", str(args.seeds), "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
    return folder


def assign_sites(rng: random.Random, n_docs: int, n_sites: int) -> list[int]:
    """Which site each document is on: Zipf-like site sizes, a few large sites and many small."""
    weights = [1.0 / (rank + 5) for rank in range(n_sites)]
    sites = list(range(n_sites))
    first = sites[:min(n_sites, n_docs)]  # every site gets a page
    rest = rng.choices(sites, weights=weights, k=n_docs - len(first))
    assignment = first + rest
    rng.shuffle(assignment)
    return assignment


def page(template: Template, date: str, article: str, related: list[str]) -> str:
    body = [date, ""] + article.split("\n") + [""] + [f"* {title}" for title in related] + [""]
    return "\n".join(template.header + body + template.footer).strip("\n") + "\n"


def default_gen() -> Path:
    local = ROOT / "benchmarks" / "gen_corpus.py"
    return local if local.exists() else Path("/work/shared/bench/gen_corpus.py")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10000, help="documents (10000 and 100000 are the benchmark sizes)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--docs-per-site", type=int, default=50)
    ap.add_argument("--eval", type=Path, default=EVAL)
    ap.add_argument("--gen", type=Path, default=default_gen())
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    source = articles(args)
    templates = load_templates(args.eval)
    records = [json.loads(line) for line in open(source / "corpus.jsonl", encoding="utf-8")]
    n_sites = max(1, len(records) // args.docs_per_site)
    order = list(range(len(templates)))
    rng.shuffle(order)
    site_template = [templates[order[s % len(order)]] for s in range(n_sites)]
    site_of = assign_sites(rng, len(records), n_sites)
    titles: dict[int, list[str]] = {}
    for rec, site in zip(records, site_of):
        titles.setdefault(site, []).append(rec["text"].split("\n", 1)[0])
    texts_out = []
    with open(args.out / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for rec, site in zip(records, site_of):
            own = rec["text"].split("\n", 1)[0]
            others = [t for t in titles[site] if t != own]
            related = rng.sample(others, min(len(others), rng.randint(3, 6)))
            date = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} " \
                   f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
            text = page(site_template[site], date, rec["text"], related)
            url = f"https://site{site:05d}.example/news/{rec['id']}"
            fh.write(json.dumps({"id": rec["id"], "url": url, "text": text}, ensure_ascii=False) + "\n")
            texts_out.append(text)
    shutil.copyfile(source / "neardups.tsv", args.out / "neardups.tsv")
    pairs = [line.split("\t")[:2] for line in (source / "neardups.tsv").read_text().splitlines()[1:]]
    (args.out / "dups-gold.json").write_text(json.dumps({"document_pairs": pairs}))
    generated, real = line_stats(texts_out), line_stats(real_pages(args.eval))
    meta = {"n_docs": len(records), "seed": args.seed, "sites": n_sites, "templates": len(templates),
            "articles": str(source), "bytes": (args.out / "corpus.jsonl").stat().st_size,
            "line_stats": generated, "real_pages_line_stats": real}
    (args.out / "corpus_meta.json").write_text(json.dumps(meta, indent=1))
    print(f"{'':32}{'this corpus':>16}{'real pages':>16}")
    for key in generated:
        print(f"{key:32}{json.dumps(generated[key]):>16}{json.dumps(real[key]):>16}")
    print(json.dumps({k: v for k, v in meta.items() if not k.endswith("line_stats")}))


if __name__ == "__main__":
    main()
