"""Reference: the simplest one-core MinHash dedup the pipeline is measured against.

Reads a JSONL corpus ({"id", "text"}), runs ftfy.fix_text on every text, builds a datasketch
MinHash over word 5-shingles with MinHash.bulk, and inserts + queries MinHashLSH
(threshold=0.8, num_perm=128).  Prints docs/s, MB/s, peak RSS and `cpu_s`, the user + system
time of the whole process (interpreter start and imports included, as `bench_cli.py` counts
them for `clean run`).  Never run as a test.

    python benchmarks/reference_minhash.py /tmp/syn10000/corpus.jsonl
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import time

import ftfy
from datasketch import MinHash, MinHashLSH

WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 5) -> list[bytes]:
    words = WORD.findall(text.lower())
    return [" ".join(words[i:i + n]).encode() for i in range(max(1, len(words) - n + 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    started = time.perf_counter()
    n = nbytes = dups = 0
    with open(args.corpus, encoding="utf-8") as fh:
        batch: list[tuple[str, str]] = []

        def flush():
            nonlocal dups
            mhs = MinHash.bulk([shingles(t) for _, t in batch], num_perm=128)
            for (doc_id, _), m in zip(batch, mhs):
                if lsh.query(m):
                    dups += 1
                lsh.insert(doc_id, m)
            batch.clear()

        for line in fh:
            nbytes += len(line.encode())
            rec = json.loads(line)
            batch.append((str(rec["id"]), ftfy.fix_text(rec["text"])))
            n += 1
            if len(batch) >= args.batch:
                flush()
        if batch:
            flush()
    secs = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = usage.ru_maxrss / 1024
    print(json.dumps({"bench": "reference_minhash", "docs": n, "seconds": round(secs, 2),
                      "docs_per_s": round(n / secs, 1), "mb_per_s": round(nbytes / secs / 1e6, 2),
                      "peak_rss_mb": round(rss, 1), "flagged": dups,
                      "cpu_s": round(usage.ru_utime + usage.ru_stime, 2)}))


if __name__ == "__main__":
    main()
