#!/usr/bin/env python3
"""Build a near-duplicate development set: syndicated copies of real article bodies.

Originals are the 80 human-written article bodies of articles-dev (with a headline made
from the lead, and the site's footer line when the site has one).  About 60% of them get
1-3 reprints, each with a random mix of the edits syndication really makes:

- a new headline;
- a trimmed ending (the last 1..30% of paragraphs cut);
- inserted paragraphs (1-2 sentences of other news, each used once);
- encoding damage on one paragraph (UTF-8 read as cp1252);
- the reprinting site's widget lines ("Related Posts", "Share this", "Advertisement", ...);
- a light copy edit in one paragraph (house style: "percent"/"%", "U.S."/"US", "said"/"says").

Gold, in score_dups.py's format: every pair inside an original+reprints group is a
document pair; a passage group is a paragraph of >= MIN_WORDS words together with its
copies (unchanged, damaged or copy-edited), and any line occurring verbatim in several
documents (site footers, a reprint that kept a long headline) forms a group too.

    python make_dup_devset.py --out DIR [--seed 7]   ->  DIR/*.txt, DIR/gold.json
"""
from __future__ import annotations

import argparse
import glob
import json
import random
import re
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
GT = str(ROOT.parent / "shared" / "eval" / "articles-dev" / "ground-truth.json")  # ../shared from the project root
SEEDS = str(ROOT / "seeds")
MIN_WORDS = 12
WIDGETS = ["Related Posts", "Share this:", "Advertisement", "Click to share on Twitter (Opens in new window)",
           "Read more:", "Sign up for our newsletter", "Continue reading below", "RELATED STORIES",
           "Share on Facebook", "Subscribe", "Most Popular", "You may also like"]
STYLE_EDITS = [(" percent", "%"), ("U.S.", "US"), (" said", " says"), ("Mr. ", ""), (" per cent", " percent"),
               (" will ", " would "), ("September", "Sept."), (" million", "m")]
FOOTERS = ["Copyright {y} {site}. All rights reserved. This material may not be published, broadcast, "
           "rewritten or redistributed.",
           "Sign up for the {site} newsletter to get the day's top stories delivered to your inbox every morning.",
           "Have a news tip? Contact the {site} newsroom by email, and follow us on social media for updates."]


def words(s: str) -> int:
    return len(re.findall(r"\w+", s))


def filler_pool(rng: random.Random) -> list[str]:
    """Sentences from the seed articles, shuffled; each inserted at most once."""
    out = []
    for f in sorted(glob.glob(f"{SEEDS}/*.txt")):
        for line in open(f, encoding="utf-8"):
            for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", line.strip()):
                if words(s) >= 8:
                    out.append(s)
    out = list(dict.fromkeys(out))  # the seeds repeat some lines (a headline)
    rng.shuffle(out)
    return out


def mojibake(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="replace")


def reprint(rng: random.Random, head: str, paras: list[str], pool: list[str]):
    """One syndicated copy. Returns (lines, {copy line index: original paragraph index})."""
    body = list(enumerate(paras))
    if len(body) > 3 and rng.random() < 0.5:
        body = body[: len(body) - rng.randint(1, max(1, int(0.3 * len(body))))]
    lines: list[tuple[int | None, str]] = list(body)
    if rng.random() < 0.5 and pool:
        for _ in range(rng.randint(1, 2)):
            ins = " ".join(pool.pop() for _ in range(rng.randint(1, 2)) if pool)
            lines.insert(rng.randint(1, len(lines)), (None, ins))
    editable = [i for i, (o, t) in enumerate(lines) if o is not None]
    if rng.random() < 0.3:
        accented = [i for i in editable if not lines[i][1].isascii()] or editable
        i = rng.choice(accented)
        lines[i] = (lines[i][0], mojibake(lines[i][1]))
    if rng.random() < 0.3:
        i = rng.choice(editable)
        for old, new in rng.sample(STYLE_EDITS, len(STYLE_EDITS)):
            if old in lines[i][1]:
                lines[i] = (lines[i][0], lines[i][1].replace(old, new, 1))
                break
    if rng.random() < 0.6:
        for _ in range(rng.randint(1, 3)):
            lines.insert(rng.randint(1, len(lines)), (None, rng.choice(WIDGETS)))
    if rng.random() < 0.7:
        pick = rng.choice(paras)
        ws = pick.split()
        start = rng.randrange(max(1, len(ws) - 8))
        head = " ".join(ws[start:start + rng.randint(6, 11)]).strip(" ,.;:").capitalize()
    out = [head] + [t for _, t in lines]
    mapping = {k + 1: o for k, (o, _) in enumerate(lines) if o is not None}
    return out, mapping


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reprinted", type=float, default=0.6)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    gt = json.loads(Path(GT).read_text(encoding="utf-8"))
    pool = filler_pool(rng)
    docs: list[tuple[str, list[str]]] = []  # (id, lines)
    groups: list[list[str]] = []
    passages: dict[tuple[str, int], list[tuple[str, int]]] = {}  # (orig id, para) -> copies
    site_footer: dict[str, str] = {}
    for n, key in enumerate(sorted(gt)):
        paras = [p.strip() for p in gt[key]["articleBody"].splitlines() if p.strip()]
        site = urlparse(gt[key].get("url") or "").netloc.removeprefix("www.")
        if site and site not in site_footer and rng.random() < 0.5:
            site_footer[site] = rng.choice(FOOTERS).format(y=rng.randint(2015, 2020), site=site)
        if site in site_footer:
            paras = paras + [site_footer[site]]
        lead = paras[0].split()
        head = " ".join(lead[: rng.randint(6, 12)]).strip(" ,.;:")
        oid = f"a{n:03d}"
        docs.append((oid, [head] + paras))
        for i, p in enumerate(paras):
            passages[(oid, i + 1)] = []
        group = [oid]
        if rng.random() < a.reprinted:
            for c in range(rng.randint(1, 3)):
                lines, mapping = reprint(rng, head, paras, pool)
                cid = f"{oid}r{c}"
                docs.append((cid, lines))
                group.append(cid)
                for line_no, o in mapping.items():
                    passages[(oid, o + 1)].append((cid, line_no))
        if len(group) > 1:
            groups.append(group)
    rng.shuffle(docs)
    a.out.mkdir(parents=True, exist_ok=True)
    text_of = {}
    for i, (did, lines) in enumerate(docs):
        name = f"{i:03d}_{did}"
        (a.out / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for j, t in enumerate(lines):
            text_of[(did, j)] = (name, t)
    stem = {did: f"{i:03d}_{did}" for i, (did, _) in enumerate(docs)}
    doc_pairs = sorted([stem[x], stem[y]] for g in groups for i, x in enumerate(g) for y in g[i + 1:])
    # Passage groups: construction, then merged with verbatim repeats (footers).
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (oid, i), copies in passages.items():
        if words(text_of[(oid, i)][1]) >= MIN_WORDS:
            for c in copies:
                parent[find(c)] = find((oid, i))
    by_text: dict[str, tuple[str, int]] = {}
    for key, (_, t) in text_of.items():
        if words(t) >= MIN_WORDS:  # headlines too: a kept headline repeats verbatim
            if t in by_text:
                parent[find(key)] = find(by_text[t])
            by_text.setdefault(t, key)
    clusters: dict = {}
    for key in list(parent):
        clusters.setdefault(find(key), []).append(key)
    passage_groups = [[{"doc": text_of[k][0], "text": text_of[k][1]} for k in sorted(v)]
                      for v in clusters.values() if len({k[0] for k in v}) > 1]
    passage_groups.sort(key=lambda g: (g[0]["doc"], g[0]["text"]))
    gold = {"document_pairs": doc_pairs, "document_pairs_optional": [], "passage_groups": passage_groups}
    (a.out / "gold.json").write_text(json.dumps(gold, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(docs)} docs, {len(groups)} reprint groups, {len(doc_pairs)} document pairs, "
          f"{len(passage_groups)} passage groups, {len(site_footer)} site footers -> {a.out}")


if __name__ == "__main__":
    main()
