#!/usr/bin/env python3
"""Shingling + MinHash signing throughput, single core: naive update, MinHash.bulk, ours.

    python bench_signing.py [--corpus DIR] [--n 5000] [--sample 500]

Reads DIR/corpus.jsonl (from benchmarks/gen_corpus.py); without --corpus, generates
a 5,000-document corpus into a temporary directory first.  All three paths shingle the
same way (casefolded \\w+ tokens, 5-word shingles); naive and bulk run on --sample
documents because they are slow.  Prints docs/s; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from datasketch import MinHash

import numpy as np

from cleaner.dedup.documents import Signed, sign_token_ranges
from cleaner.dedup.minhash import Signer
from cleaner.dedup.shingle import text_runs, token_hashes_many

WORD = re.compile(r"\w+")


def shingle_strings(text: str, k: int = 5) -> list[bytes]:
    toks = WORD.findall(text.casefold())
    return [" ".join(toks[i:i + k]).encode() for i in range(max(1, len(toks) - k + 1))]


def naive(texts: list[str]) -> None:
    for t in texts:
        m = MinHash(num_perm=128)
        for s in shingle_strings(t):
            m.update(s)


def bulk(texts: list[str]) -> None:
    MinHash.bulk([shingle_strings(t) for t in texts], num_perm=128)


def sign_documents(texts: list[list[str]], signer: Signer, k: int) -> list[Signed]:
    """Signatures of documents given as lists of paragraph texts, batched as
    `dedup.document_features` batches them (all paragraphs, no passages)."""
    signed: list[Signed] = []
    for lo, hi in text_runs([sum(map(len, paras)) for paras in texts]):
        th, bounds = token_hashes_many([p for paras in texts[lo:hi] for p in paras])
        counts = np.array([len(paras) for paras in texts[lo:hi]], dtype=np.intp)
        last = np.cumsum(counts)
        signed += sign_token_ranges(th, bounds[last - counts], bounds[last], signer, k)
    return signed


def ours(texts: list[list[str]], signer: Signer) -> None:
    sign_documents(texts, signer, 5)


def rate(fn, n: int, *args) -> str:
    """docs/s by wall clock and by this process's CPU time (fair on a shared machine)."""
    t, c = time.perf_counter(), time.process_time()
    fn(*args)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    return f"{n / wall:8.0f} docs/s wall, {n / cpu:8.0f} docs/s CPU"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--sample", type=int, default=500)
    a = ap.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # single core
    corpus = a.corpus
    if corpus is None:
        corpus = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
        subprocess.run([sys.executable, str(Path(__file__).resolve().parent / "gen_corpus.py"), "--n", str(a.n),
                        "--out", str(corpus)], check=True, stdout=subprocess.DEVNULL)
    texts = [json.loads(line)["text"] for line in open(corpus / "corpus.jsonl", encoding="utf-8")][: a.n]
    paras = [t.split("\n\n") for t in texts]
    words = sum(len(t.split()) for t in texts) / len(texts)
    signer = Signer(128, 1)
    ours(paras[:50], signer)  # warm up: builds the code point table and power tables once
    sample = texts[: a.sample]
    print(f"{len(texts)} docs, {words:.0f} words/doc, num_perm=128, 5-word shingles, 1 core")
    print(f"naive MinHash.update : {rate(naive, len(sample), sample)}  ({len(sample)} docs)")
    print(f"MinHash.bulk         : {rate(bulk, len(sample), sample)}  ({len(sample)} docs)")
    print(f"ours (numpy)         : {rate(ours, len(paras), paras, signer)}  ({len(paras)} docs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
