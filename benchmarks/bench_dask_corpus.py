"""The Dask corpus step alone, on generated features: time it against the driver's corpus
step on the same features, and check both decide the same.  Never run as a test.

    python benchmarks/bench_dask_corpus.py --docs 20000 --workers 2

Features are made on the workers (no cleaning): random signatures, a share of near-copies
of earlier documents (some slots changed), passages drawn from a pool of sentences (so
many are shared), one template line per site and a few random lines.  Any document's
features are a pure function of its position, so near-copies cross partitions.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
from distributed import wait

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cleaner import boilerplate, dedup  # noqa: E402
from cleaner.boilerplate.corpus import CorpusLines  # noqa: E402
from cleaner.config import Config  # noqa: E402
from cleaner.dedup.documents import Signed, unique_keys  # noqa: E402
from cleaner.dedup.minhash import lsh_params  # noqa: E402
from cleaner.dedup.passages import PassageFeatures, sign_passages  # noqa: E402
from cleaner.engine.dask_corpus import DaskCorpus  # noqa: E402
from cleaner.engine.dask_engine import Partition  # noqa: E402

PASSAGES, SHINGLES, SITES = 5, 30, 20


def _key(*parts) -> bytes:
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()


def _story(i: int, dup_share: float) -> int:
    rng = np.random.default_rng([i, 1])
    return int(rng.integers(0, i)) if i and rng.random() < dup_share else i


def fake_partition(start: int, n: int, docs: int, dup_share: float, config: Config) -> Partition:
    cfg = config.dedup
    lines, features = [], []
    for i in range(start, start + n):
        story = _story(i, dup_share)
        sig = np.random.default_rng([story, 2]).integers(0, 2 ** 32, cfg.num_perm, dtype=np.uint64).astype(np.uint32)
        if story != i:
            rng = np.random.default_rng([i, 3])
            slots = rng.choice(cfg.num_perm, cfg.num_perm // 8, replace=False)
            sig[slots] = rng.integers(0, 2 ** 32, slots.size, dtype=np.uint64).astype(np.uint32)
        passages = []
        for p in range(PASSAGES):
            sentence = int(np.random.default_rng([i, 4, p]).integers(0, max(1, docs * PASSAGES // 4)))
            sh = np.random.default_rng([sentence, 5]).integers(0, 2 ** 32, SHINGLES, dtype=np.uint64)
            passages.append((p * 2, np.unique(sh.astype(np.uint32))))
        features.append(dedup.DedupFeatures(Signed(400, 600, sig), PassageFeatures.of(passages, [])))
        site = f"site{i % SITES}"
        lines.append(CorpusLines(site, _key("story", story), ((0, _key("template", site)), (1, _key("line", i)))))
    sign_passages([f.passages for f in features], dedup.signer_for(cfg.num_perm, cfg.seed),
                  lsh_params(cfg.passage_threshold, cfg.num_perm))
    return Partition(start, lines, features)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dup-share", type=float, default=0.1)
    args = ap.parse_args()
    config = Config(engine="dask", workers=args.workers)
    with DaskCorpus(config) as corpus:
        client = corpus.client
        parts = max(2 * args.workers, args.docs // 16384 + 1)
        size = -(-args.docs // parts)
        starts = list(range(0, args.docs, size))
        corpus.parts = [client.submit(fake_partition, s, min(size, args.docs - s), args.docs, args.dup_share, config,
                                      pure=False) for s in starts]
        corpus.starts = np.array(starts, np.int64)
        wait(corpus.parts)  # the features exist before the clock starts
        ids = [f"d{i}" for i in range(args.docs)]

        t = time.perf_counter()
        counts = corpus._line_counts(args.docs)
        clusters, duplicate_of = corpus._document_clusters(unique_keys(ids))
        groups = corpus._passage_groups()
        dask_s = time.perf_counter() - t

        t = time.perf_counter()
        gathered = client.gather(corpus.parts)
        gather_s = time.perf_counter() - t
    t = time.perf_counter()
    local_counts = boilerplate.CorpusCounts(config.boilerplate)
    for part in gathered:
        for row in part.lines:
            local_counts.add(row)
    local_counts.freeze()
    features = [f for part in gathered for f in part.features]
    decisions = dedup.decide(ids, features, config.dedup)
    local_s = time.perf_counter() - t

    rows = [row for part in gathered for row in part.lines]
    same = (decisions.document_clusters == clusters and decisions.duplicate_of == duplicate_of
            and decisions.groups == groups
            and all(counts.repeated(r.site, k) == local_counts.repeated(r.site, k) for r in rows for _, k in r.lines))
    print(f"{args.docs} documents, {len(starts)} partitions, {args.workers} workers: "
          f"Dask corpus step {dask_s:.2f} s; driver corpus step {local_s:.2f} s (+ {gather_s:.2f} s to gather "
          f"the features); {len(clusters)} document clusters, {len(groups)} passage groups; same decisions: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
