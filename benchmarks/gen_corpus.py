#!/usr/bin/env python3
"""Generate a synthetic news-like corpus for the benchmarks.

    python benchmarks/gen_corpus.py --n 10000 --out /tmp/c10k    # writes /tmp/c10k/corpus.jsonl

- Sentences come from the seed articles (`--seeds`, the repository's seeds/ by default).
- Each base document is a title and paragraphs of 1-4 sentences, ~600 words (uniform
  540..660), built by sampling sentences (some spliced from two) and substituting 15-25%
  of the words with words drawn from a vocabulary of a few thousand words (the seeds' words plus the
  5,000 most frequent English words of `wordfreq` when it is installed, else of Python's
  own help topics), weighted by sqrt(frequency), keeping capitalisation and punctuation.
- ~2% of base documents get one paragraph turned into mojibake (UTF-8 read as cp1252),
  so the repair stage has real work to do.
- A tenth of the documents (`--dup-frac`) are near-duplicates of distinct base documents
  with ~5% word edits (rate U(0.04, 0.06); 60% substitutions, 20% deletions, 20%
  insertions), half scattered (edit positions uniform), half clustered (runs of 5-15
  consecutive words).  The pairs are listed in neardups.tsv.
- Documents are shuffled; ids are 0..N-1 in file order.

The same arguments give the same corpus on the same Python (and wordfreq) version.

Outputs (in `--out`): corpus.jsonl ({"id", "text"}; paragraphs joined by blank lines, the
first is the title), neardups.tsv, corpus_meta.json (sizes and counts, also printed).
"""
from __future__ import annotations

import argparse
import bisect
import glob
import json
import math
import os
import random
import re
from collections import Counter
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  registers sloppy-windows-1252

REPOSITORY = Path(__file__).resolve().parent.parent
SPLIT = re.compile(r'(?<=[a-z0-9%)][.!?])\s+(?=[A-Z“"])|(?<=[.!?][”"])\s+(?=[A-Z“"])')
CORE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.U)
BLOCKED = {"porn", "fuck", "fucking", "fucked", "shit", "shitty", "bullshit", "ass", "asshole", "bitch",
           "dick", "pussy", "cock", "cunt", "whore", "slut", "nigga", "nigger", "tits", "boobs", "xxx",
           "penis", "vagina", "damn", "sexy", "nude", "naked", "horny", "dildo", "bitches", "fag", "retarded"}
"""Kept out of the substitution vocabulary."""


def seed_sentences(folder: str) -> tuple[list[str], list[str]]:
    """(sentences, title-like lines) of the seed articles."""
    sents, titles = [], []
    for f in sorted(glob.glob(os.path.join(folder, "*.txt"))):
        for line in open(f, encoding="utf-8"):
            line = " ".join(line.split())
            if not line or len(line.split()) < 6:
                continue
            if len(line.split()) <= 14 and not line.endswith("."):
                titles.append(line)
            for s in SPLIT.split(line):
                if len(s.split()) >= 4:
                    sents.append(s)
    return sents, titles


def english_frequencies() -> dict[str, float]:
    """The 5,000 most frequent English words and their frequencies: wordfreq's when it is
    installed, else counted in Python's help topics."""
    try:
        import wordfreq
    except ImportError:
        import pydoc_data.topics as topics
        cnt = Counter(w for v in topics.topics.values() for w in re.findall(r"[a-z]{2,}", v.lower()))
        words = [w for w, _ in cnt.most_common(5000)]
        total = sum(cnt[w] for w in words)
        return {w: cnt[w] / total for w in words}
    words = [w for w in wordfreq.top_n_list("en", 5000) if w.isalpha() and (len(w) > 1 or w in ("a", "i"))]
    return {w: wordfreq.word_frequency(w, "en") for w in words}


class Generator:
    def __init__(self, rng: random.Random, sent_toks: list[list[str]], titles: list[str], sents: list[str],
                 wfreq: dict[str, float]) -> None:
        self.rng, self.sent_toks, self.titles, self.sents = rng, sent_toks, titles, sents
        seed_words = set()
        for toks in sent_toks:
            for t in toks:
                c = CORE.match(t).group(2).lower()
                if c.isalpha():
                    seed_words.add(c)
        self.vocab = sorted((seed_words | set(wfreq)) - BLOCKED)
        med = sorted(wfreq.values())[len(wfreq) // 2]
        self.cum: list[float] = []
        acc = 0.0
        for w in self.vocab:
            acc += math.sqrt(wfreq.get(w, med))
            self.cum.append(acc)
        self.acc = acc

    def word(self) -> str:
        return self.vocab[bisect.bisect_left(self.cum, self.rng.random() * self.acc)]

    def substitute(self, tok: str) -> str:
        pre, core, post = CORE.match(tok).groups()
        if not core:
            return tok
        w = self.word()
        if core[0].isupper():
            w = w[0].upper() + w[1:]
        return pre + w + post

    def sentence(self, p_sub: float) -> list[str]:
        rng = self.rng
        toks = list(rng.choice(self.sent_toks))
        if rng.random() < 0.3:  # splice with another sentence
            other = rng.choice(self.sent_toks)
            i = rng.randint(2, max(2, len(toks) - 2))
            j = rng.randint(1, max(1, len(other) - 2))
            toks = toks[:i] + other[j:]
        return [self.substitute(t) if rng.random() < p_sub else t for t in toks]

    def document(self) -> list[list[str]]:
        rng = self.rng
        p_sub = rng.uniform(0.15, 0.25)
        target = rng.randint(540, 660)
        title = [self.substitute(t) if rng.random() < p_sub else t
                 for t in rng.choice(self.titles or self.sents).split()][:14]
        paras = [title]
        n = len(title)
        while n < target:
            k = rng.choice((1, 2, 2, 3, 3, 4))
            p: list[str] = []
            for _ in range(k):
                p += self.sentence(p_sub)
            if n + len(p) > target + 20:
                p = p[: max(5, target - n)]
            paras.append(p)
            n += len(p)
        return paras

    def near_duplicate(self, paras: list[list[str]]) -> tuple[list[list[str]], float, str, int]:
        rng = self.rng
        flat = [(pi, t) for pi, p in enumerate(paras) for t in p]
        n = len(flat)
        rate = rng.uniform(0.04, 0.06)
        k = max(1, round(rate * n))
        mode = "scattered" if rng.random() < 0.5 else "clustered"
        pos: set[int] = set()
        if mode == "scattered":
            pos = set(rng.sample(range(n), k))
        else:
            while len(pos) < k:
                length = min(rng.randint(5, 15), k - len(pos))
                s = rng.randrange(0, n - length)
                pos.update(range(s, s + length))
        out: list[list[str]] = [[] for _ in paras]
        for i, (pi, t) in enumerate(flat):
            if i in pos:
                r = rng.random()
                if r < 0.6:
                    out[pi].append(self.substitute(t))
                elif r < 0.8:
                    pass  # delete
                else:
                    out[pi].append(t)
                    out[pi].append(self.word())  # insert
            else:
                out[pi].append(t)
        return [p for p in out if p], rate, mode, len(pos)


def mojibake(tokens: list[str]) -> list[str]:
    return " ".join(tokens).encode("utf-8").decode("sloppy-windows-1252").split(" ")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000, help="documents")
    ap.add_argument("--dup-frac", type=float, default=0.10, help="share of near-duplicates")
    ap.add_argument("--seed", type=int, default=12345, help="random seed")
    ap.add_argument("--seeds", default=str(REPOSITORY / "seeds"), help="folder of seed articles (*.txt)")
    ap.add_argument("--out", required=True, help="folder for corpus.jsonl, neardups.tsv, corpus_meta.json")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sents, titles = seed_sentences(args.seeds)
    if not sents:
        ap.error(f"no sentences in {args.seeds}/*.txt")
    gen = Generator(rng, [s.split() for s in sents], titles, sents, english_frequencies())

    n_dup = int(round(args.n * args.dup_frac))
    n_base = args.n - n_dup
    base = []
    moji = 0
    for _ in range(n_base):
        d = gen.document()
        if rng.random() < 0.02:
            i = rng.randrange(1, len(d))
            d[i] = mojibake(d[i])
            moji += 1
        base.append(d)
    src_idx = rng.sample(range(n_base), n_dup)
    docs = [("base", d, None) for d in base]
    for s in src_idx:
        d, rate, mode, ne = gen.near_duplicate(base[s])
        docs.append(("dup", d, (s, rate, mode, ne)))
    order = list(range(len(docs)))
    rng.shuffle(order)
    newid = {old: new for new, old in enumerate(order)}

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    total_words = total_bytes = 0
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as fo:
        for new, old in enumerate(order):
            text = "\n\n".join(" ".join(p) for p in docs[old][1])
            total_words += len(text.split())
            total_bytes += len(text.encode("utf-8"))
            fo.write(json.dumps({"id": new, "text": text}, ensure_ascii=False) + "\n")
    with open(out / "neardups.tsv", "w") as fo:
        fo.write("src_id\tdup_id\tedit_rate\tmode\tn_edited_words\n")
        for old in range(n_base, len(docs)):
            s, rate, mode, ne = docs[old][2]
            fo.write(f"{newid[s]}\t{newid[old]}\t{rate:.4f}\t{mode}\t{ne}\n")
    meta = dict(n_docs=args.n, n_base=n_base, n_neardup=n_dup, seed=args.seed, n_seed_sentences=len(sents),
                n_titles=len(titles), vocab_size=len(gen.vocab), mojibake_base_docs=moji,
                total_words=total_words, total_bytes=total_bytes, mean_words=total_words / args.n)
    with open(out / "corpus_meta.json", "w") as fo:
        json.dump(meta, fo, indent=1)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
