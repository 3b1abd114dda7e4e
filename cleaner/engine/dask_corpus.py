"""The corpus step on a Dask cluster: line counts, LSH bands and clustering as shuffles.

The local engine brings every document's features to the driver (corpus_step.DriverCorpus).
Here they stay in worker memory, in `Partition`s of consecutive input positions, and the
driver only orchestrates and receives small results:

1. template lines: (line key, site, story) rows are shuffled by line key and counted per
   bucket; the driver gets the keys that reach `min_corpus_repeats` and the story totals,
   decides the repeats (`CorpusCounts.decided`, as `freeze` does) and sends the frozen
   `CorpusCounts` back.  Documents that lose a
   line to a repeat are read from the driver's spool, as locally, and their dedup
   features are recomputed on the cluster.
2. LSH: (band, band key, node) rows are shuffled by band key; each bucket turns its shared
   keys into candidate pairs, sent to the partition holding the first node (first join:
   attaches its signature or shingles), then to the one holding the second (second join:
   verifies with the local rule).  Only verified edges reach the driver.
3. clusters: the driver joins edges with union-find (`UnionFind` / `PassageLinks`, whose
   results do not depend on edge order); document clusters are built on the cluster where
   their members' entries meet (`build_cluster`, the local code).

With a persistent index (`dedup.index`) the dedup features are gathered to the driver and
`dedup.decide` runs there: the index and its LSH live in one file or Redis anyway.

A worker lost during the step takes partitions with it that Dask cannot recompute (their
inputs were scattered).  The driver rebuilds those from its spool and starts the step
again from the pass-1 partitions: every decision is a function of the features, so the
output is the same.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from operator import getitem

import numpy as np

from .. import boilerplate, dedup
from ..clean_pass import Chunk, Cleaned, batches, clean_batch
from ..config import Config
from ..corpus_step import CorpusDecisions, changed_by_repeats
from ..dedup import documents
from ..dedup.clusters import DuplicateCluster, UnionFind
from ..dedup.documents import check_config, unique_keys
from ..dedup.passages import PassageGroup, PassageLinks
from ..models import InputFile, RawDocument
from ..spool import Locations, Spool
from . import dask_steps as steps
from .dask_engine import (BLOCK_DOCS, RETRIES, DaskClient, DaskPass1, concatenated, exchange, is_lost, log,
                          rebuilt, shuffle)

REFRESH_DOCS = 256


class DaskCorpus:
    """Pass 1 and the corpus step on the cluster; a context manager that owns the client."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._dask = DaskClient(config)
        self.client = self._dask.client
        self.pass1 = DaskPass1(self.client)
        self.parts: list = []  # futures of the partitions this attempt of the corpus step works on
        self.pass1_parts: list = []  # as pass 1 left them (or rebuilt from the spool)
        self.starts = np.empty(0, np.int64)
        self._spool: Spool | None = None

    def __enter__(self) -> "DaskCorpus":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self._spool is not None:
            self._spool.close()
        self.parts = self.pass1_parts = []
        self._dask.close(stopping=kind is not None)

    def clean(self, documents: Iterable[tuple[InputFile, RawDocument]], spool_dir: str
              ) -> Iterator[tuple[Chunk, list[list[Cleaned | str]]]]:
        """Pass 1 on the cluster.  Workers cannot reach the driver's disk: they send each
        cleaned document back pickled, and it is spooled here, in input order."""
        self._spool = spool = Spool(spool_dir)
        for chunk, (results,) in self.pass1.clean(clean_batch, batches(documents, None), self.config):
            yield chunk, [[r if isinstance(r, str) else dataclasses.replace(r, location=spool.put(r.blob), blob=None)
                           for r in results]]
        spool.close()

    def add(self, result) -> None:
        """Nothing to do: the features stayed on the cluster."""

    def decide(self, ids: list[str], where: Locations) -> CorpusDecisions:
        """The decisions `corpus_step.DriverCorpus.decide` makes, made on the cluster."""
        self.pass1_parts, starts = self.pass1.partitions()
        self.starts = np.array(starts, np.int64)
        attempts = 0
        while True:
            self.parts = list(self.pass1_parts)
            try:
                return self._decide(ids, where)
            except Exception as exc:
                attempts += 1
                if not is_lost(exc) or attempts > RETRIES:
                    raise
                self._rebuild_lost(len(ids), where)

    def _rebuild_lost(self, documents: int, where: Locations) -> None:
        """Replace every pass-1 partition no worker holds any more by one rebuilt from the
        spooled documents, BLOCK_DOCS a task."""
        from distributed import wait

        try:  # a partition Dask is still trying to recompute ends one way or the other
            wait(self.pass1_parts)
        except Exception as exc:  # some were cancelled: those are rebuilt below
            if not is_lost(exc):
                raise
        ends = [*self.starts[1:].tolist(), documents]
        lost = [p for p, f in enumerate(self.pass1_parts) if f.status != "finished"]
        log.warning("cleaner: a Dask worker was lost; rebuilding the features of %d of %d partitions from the "
                    "spool and starting the corpus step again", len(lost), len(self.pass1_parts))
        client = self.client
        for p in lost:
            start, end = int(self.starts[p]), ends[p]
            blocks = []
            for lo in range(start, end, BLOCK_DOCS):
                pickled = list(where.entries(range(lo, min(end, lo + BLOCK_DOCS))))
                data = client.scatter([pickled], hash=False)[0]  # see DaskPass1.clean: not kept by the scheduler
                blocks.append(client.submit(rebuilt, lo, data, self.config, pure=False))
            self.pass1_parts[p] = client.submit(concatenated, start, blocks, pure=False)

    def _decide(self, ids: list[str], where: Locations) -> CorpusDecisions:
        config = self.config
        counts = self._line_counts(len(ids))
        # Small inputs (the frozen counts, partition starts) go inside the tasks rather than
        # scattered: a task's inputs must survive a worker's loss for Dask to recompute it.
        repeats = {pos for part in self.client.gather([self.client.submit(steps.affected, p, counts, pure=False)
                                                       for p in self.parts]) for pos in part}
        if not config.dedup.enabled:
            return CorpusDecisions(counts, repeats, None)
        if repeats:
            self._refresh(changed_by_repeats(where, repeats, counts, config))
        if config.dedup.index is not None:
            features = [f for part in self.client.gather([self.client.submit(steps.features_of, p)
                                                          for p in self.parts]) for f in part]
            return CorpusDecisions(counts, repeats, dedup.decide(ids, features, config.dedup))
        check_config(config.dedup)
        clusters, duplicate_of = self._document_clusters(unique_keys(ids))
        return CorpusDecisions(counts, repeats, dedup.assemble(ids, clusters, duplicate_of, self._passage_groups(),
                                                               config.dedup))

    # ------------------------------------------------------------------ template lines

    def _line_counts(self, documents: int) -> boilerplate.CorpusCounts:
        cfg = self.config.boilerplate
        if not boilerplate.CorpusCounts(cfg).enabled or documents < cfg.min_corpus_repeats:  # nothing to count
            return boilerplate.CorpusCounts.decided(cfg, documents, {}, 0, {}, {})
        client, n = self.client, len(self.parts)
        buckets = shuffle(client, self.parts, steps.line_rows, (), steps.count_lines, (cfg.min_corpus_repeats,), n)
        found = client.gather([client.submit(steps.line_candidates, b) for b in buckets])
        sites = {site for c in found for site, _ in c.site}
        site_stories: dict[str, int] = {}
        for part in client.gather([client.submit(steps.site_stories, b, sites) for b in buckets]):
            for site, k in part.items():
                site_stories[site] = site_stories.get(site, 0) + k
        return boilerplate.CorpusCounts.decided(cfg, documents, {k: m for c in found for k, m in c.corpus.items()},
                                                sum(c.stories for c in found),
                                                {sk: m for c in found for sk, m in c.site.items()}, site_stories)

    def _refresh(self, changed: Iterator) -> None:
        """Send the documents a corpus repeat changed to their partitions for new features,
        at most REFRESH_DOCS at a time."""
        batch: list = []
        part = -1
        for pos, doc in changed:
            p = int(np.searchsorted(self.starts, pos, side="right")) - 1
            if batch and (p != part or len(batch) >= REFRESH_DOCS):
                self._refresh_part(part, batch)
                batch = []
            part = p
            batch.append((pos, doc))
        if batch:
            self._refresh_part(part, batch)

    def _refresh_part(self, p: int, batch: list) -> None:
        docs = self.client.scatter([batch], hash=False)[0]  # see DaskPass1.clean: not kept by the scheduler
        self.parts[p] = self.client.submit(steps.refreshed, self.parts[p], docs, self.config.dedup, pure=False)

    # ------------------------------------------------------------------ dedup

    def _copies(self, digests: Callable, shift: int) -> tuple[np.ndarray, list[np.ndarray]]:
        """Verbatim copies, found by shuffling content digests: (copy node, first node, copy
        label, first label) rows for the driver to link, and each partition's copy nodes, which
        stay out of the candidate search (m copies of a wire story would be m²/2 pairs a band)."""
        client, n = self.client, len(self.parts)
        found = client.gather(shuffle(client, self.parts, digests, (self.config.dedup,), steps.verbatim_links, (), n))
        links = np.concatenate(found) if found else np.empty((0, 4), np.int64)
        return links, steps.copies_by_owner(links, self.starts, shift)

    def _verified_edges(self, pairs: list, shift: int, table: type, verify: Callable) -> list:
        """Futures of each partition's verified pairs: `pairs` (futures, one a bucket, of its
        candidate pairs split by the partition holding the first node) joined twice with the
        partitions that hold the pairs' nodes."""
        client, n, cfg, starts = self.client, len(self.parts), self.config.dedup, self.starts
        by_owner = exchange(client, pairs, n)
        attached = [client.submit(steps.attach, part, n, by_owner[p], starts, shift, table, pure=False)
                    for p, part in enumerate(self.parts)]
        pieces = exchange(client, attached, n)
        return [client.submit(verify, part, pieces[p], cfg, pure=False) for p, part in enumerate(self.parts)]

    def _document_clusters(self, keys: list[str]) -> tuple[list[DuplicateCluster], dict[int, tuple[str, float]]]:
        client, n = self.client, len(self.parts)
        if not n:
            return [], {}
        uf = UnionFind()
        links, copies = self._copies(steps.document_digests, 0)
        for copy, first, _, _ in links.tolist():
            uf.union(first, copy)
        # Near-copies: a band bucket of many documents is searched as a star first, then
        # only across the components still apart (what the local search does, in two rounds).
        found = shuffle(client, self.parts, steps.document_bands, (self.config.dedup,), steps.document_candidates,
                        (self.starts, documents.LARGE_BUCKET), n, part_args=[(c,) for c in copies])
        pairs = client.map(getitem, found, [0] * n, pure=False)
        large = client.map(getitem, found, [1] * n, pure=False)
        for edges in client.gather(self._verified_edges(pairs, 0, steps.DocumentTable, steps.verify_documents)):
            for a, b in edges.tolist():
                uf.union(a, b)
        if any(client.gather(client.map(len, large, pure=False))):
            groups = uf.groups()
            joined = np.array([x for g in groups for x in g], np.int64)
            label = np.array([g[0] for g in groups for _ in g], np.int64)
            order = np.argsort(joined)
            components = client.scatter([(joined[order], label[order])], hash=False)[0]
            second = [client.submit(steps.cross_candidates, g, components, self.starts, pure=False) for g in large]
            for edges in client.gather(self._verified_edges(second, 0, steps.DocumentTable, steps.verify_documents)):
                for a, b in edges.tolist():
                    uf.union(a, b)
        members: list[dict[int, tuple[int, str]]] = [{} for _ in range(n)]
        for c, group in enumerate(uf.groups()):
            for pos in group:
                members[int(np.searchsorted(self.starts, pos, side="right")) - 1][pos] = (c, keys[pos])
        split = [client.submit(steps.member_entries, part, n, members[p], pure=False)
                 for p, part in enumerate(self.parts)]
        pieces = exchange(client, split, n)
        built = [x for b in client.gather([client.submit(steps.clusters_of, pieces[r], self.config.dedup,
                                                         pure=False) for r in range(n)]) for x in b]
        built.sort(key=lambda x: (x[0], x[1].representative))
        duplicate_of = {pos: dup for _, _, dups in built for pos, dup in dups.items()}
        return [c for _, c, _ in built], duplicate_of

    def _passage_groups(self) -> list[PassageGroup]:
        client = self.client
        links = PassageLinks()
        if not self.parts:
            return links.groups()
        for part in client.gather([client.submit(steps.within_repeats, p) for p in self.parts]):
            for pos, groups in part:
                links.within(pos, groups)
        found, copies = self._copies(steps.passage_digests, steps.PASSAGE_SHIFT)
        for copy, first, copy_paragraph, first_paragraph in found.tolist():
            links.link((first >> steps.PASSAGE_SHIFT, first_paragraph), (copy >> steps.PASSAGE_SHIFT, copy_paragraph), 1.0)
        pairs = shuffle(client, self.parts, steps.passage_bands, (self.config.dedup,), steps.candidate_pairs,
                        (self.starts, steps.PASSAGE_SHIFT), len(self.parts), part_args=[(c,) for c in copies])
        for edges in client.gather(self._verified_edges(pairs, steps.PASSAGE_SHIFT, steps.PassageTable,
                                                        steps.verify_passages)):
            for a, b, sim in edges:
                links.link(a, b, sim)
        return links.groups()
