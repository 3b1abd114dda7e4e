"""The Dask engine on a real scheduler with two worker processes writes what the local engine writes,
with the corpus step (line counts, LSH candidates, verification, clusters) run on the cluster."""
import dataclasses
import json
import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

distributed = pytest.importorskip("distributed")

from cleaner import Config, clean_pass, dedup, pipeline, run  # noqa: E402
from cleaner.dedup.clusters import UnionFind  # noqa: E402
from cleaner.dedup.passages import PassageLinks  # noqa: E402
from cleaner.engine import dask_corpus, dask_engine, dask_steps  # noqa: E402
from cleaner.engine.dask_corpus import DaskCorpus  # noqa: E402

from lsh_reference import pairs_sharing_a_band  # noqa: E402
from test_streaming import TEMPLATE, hostile_jsonl, make_corpus, outputs  # noqa: E402


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of a few documents, so the corpus step has several partitions to exchange between."""
    monkeypatch.setattr(dask_engine, "BLOCK_DOCS", 8)


@pytest.fixture(scope="module")
def scheduler():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def with_dedup(config: Config, **dedup_cfg) -> Config:
    return dataclasses.replace(config, dedup=dataclasses.replace(config.dedup, **dedup_cfg))


def both_engines(paths, tmp_path, scheduler, local_dedup=None, dask_dedup=None, **config):
    run(paths, out=tmp_path / "local", config=with_dedup(Config(workers=2, **config), **(local_dedup or {})))
    run(paths, out=tmp_path / "dask", config=with_dedup(Config(engine="dask", scheduler=scheduler, **config),
                                                        **(dask_dedup or local_dedup or {})))
    return outputs(tmp_path / "local"), outputs(tmp_path / "dask")


def test_seeds_are_byte_identical(seeds_dir, tmp_path, scheduler):
    local, dask = both_engines([seeds_dir, tmp_path / "missing.txt"], tmp_path, scheduler)
    assert local == dask
    assert len([k for k in local if k.startswith("clean/")]) == 5
    [story] = [json.loads(line) for line in local["stories.jsonl"].splitlines()]  # the June 2023 visit
    assert {m["doc"][:3] for m in story["members"]} >= {"000", "001", "003"}


def test_synthetic_corpus_with_duplicates_and_corpus_repeats_is_byte_identical(tmp_path, scheduler):
    src = make_corpus(tmp_path / "in", n=30)
    hostile_jsonl(src / "records.jsonl")
    local, dask = both_engines([src], tmp_path, scheduler)
    assert local == dask
    assert b"corpus-repeat" in local["corpus.jsonl"] and b'"level": "document"' in local["duplicates.jsonl"]
    assert b'"level": "passage"' in local["duplicates.jsonl"]
    assert "r1~2" in local["manifest.json"].decode()  # a repeated id renamed the same way


@pytest.mark.parametrize("dedup_cfg", [
    {"drop_repeated_passages": True, "drop_duplicates": True, "representative": "most-complete"},
    {"measure": "jaccard", "threshold": 0.6, "representative": "longest"},
])
def test_dedup_settings_are_byte_identical_across_many_partitions(tmp_path, scheduler, monkeypatch, dedup_cfg):
    monkeypatch.setattr(dask_engine, "DIRECT_EXCHANGE", 2)  # every exchange staged through groups
    monkeypatch.setattr(clean_pass, "CHUNK_DOCS", 3)
    monkeypatch.setattr(dask_engine, "BLOCK_DOCS", 3)  # 40 documents: 14 blocks, at least 4 partitions
    monkeypatch.setattr(dask_corpus, "REFRESH_DOCS", 2)  # the template line changes every document
    starts = []
    partitions = dask_engine.DaskPass1.partitions

    def recorded(self):
        parts, first = partitions(self)
        starts.extend(first)
        return parts, first

    monkeypatch.setattr(dask_engine.DaskPass1, "partitions", recorded)
    local, dask = both_engines([make_corpus(tmp_path / "in", n=40)], tmp_path, scheduler, local_dedup=dedup_cfg)
    assert local == dask
    assert len(starts) >= 4 and starts == sorted(starts)
    assert b'"level": "document"' in local["duplicates.jsonl"] and b'"level": "passage"' in local["duplicates.jsonl"]


def test_without_dedup_is_byte_identical(tmp_path, scheduler):
    local, dask = both_engines([make_corpus(tmp_path / "in", n=20)], tmp_path, scheduler,
                               local_dedup={"enabled": False})
    assert local == dask
    assert b"corpus-repeat" in local["corpus.jsonl"] and local["duplicates.jsonl"] == b""


def test_the_driver_never_sees_features_nor_decides(tmp_path, scheduler, monkeypatch):
    src = make_corpus(tmp_path / "in", n=30)
    run([src], out=tmp_path / "local", config=Config(workers=2))

    def no_features(self, result):
        assert result.lines is None and result.dedup is None

    def refuse(*args, **kwargs):
        raise AssertionError("the corpus step ran on the driver")

    monkeypatch.setattr(DaskCorpus, "add", no_features)
    monkeypatch.setattr(dedup, "decide", refuse)
    monkeypatch.setattr(pipeline, "DriverCorpus", refuse)
    run([src], out=tmp_path / "dask", config=Config(engine="dask", scheduler=scheduler))
    assert outputs(tmp_path / "local") == outputs(tmp_path / "dask")


def test_a_persistent_index_falls_back_to_the_driver_and_stores_the_same(tmp_path, scheduler):
    src = make_corpus(tmp_path / "in", n=20)
    local, dask = both_engines([src], tmp_path, scheduler, local_dedup={"index": str(tmp_path / "l.sqlite")},
                               dask_dedup={"index": str(tmp_path / "d.sqlite")})
    assert local == dask

    def entries(path):
        with sqlite3.connect(path) as db:
            return db.execute("SELECT level, key, seq, size, words, signature, rep FROM entries "
                              "ORDER BY level, key").fetchall()

    assert entries(tmp_path / "l.sqlite") == entries(tmp_path / "d.sqlite") != []


@pytest.mark.parametrize("direct", [16, 1])
def test_an_exchange_gives_each_destination_every_source_s_piece_in_order(scheduler, monkeypatch, direct):
    monkeypatch.setattr(dask_engine, "DIRECT_EXCHANGE", direct)
    with distributed.Client(scheduler) as client:
        for sources, destinations in [(1, 1), (2, 5), (7, 7), (17, 3), (10, 26)]:
            futures = [client.submit(lambda s, n: [(s, d) for d in range(n)], s, destinations, pure=False)
                       for s in range(sources)]
            received = [client.gather(x) for x in dask_engine.exchange(client, futures, destinations)]
            assert received == [[(s, d) for s in range(sources)] for d in range(destinations)]


def test_band_buckets_give_the_candidate_pairs_of_the_local_engine():
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 6, size=(60, 5)).astype(np.uint64)  # small alphabet: many shared bands
    nodes = np.arange(60, dtype=np.int64) * 3 + 5
    found = set()
    for bucket in dask_steps._split_bands(keys, nodes, 3):
        found |= {(a, b) for a, b in dask_steps.group_pairs(bucket).tolist()}
    expected = {(int(nodes[i]), int(nodes[j])) for i, j in pairs_sharing_a_band(keys)}
    assert found == expected and len(expected) > 100


def _two_round_components(keys: np.ndarray, nodes: np.ndarray, relation: np.ndarray, buckets: int,
                          starts: np.ndarray, large: int) -> list[list[int]]:
    """The Dask document search over band `keys` as the driver runs it: every bucket's
    candidates verified (here by `relation`) and joined, then the second round's."""
    rows = dask_steps._split_bands(keys, nodes, buckets)
    found = [dask_steps.document_candidates([r], starts, large) for r in rows]
    uf = UnionFind()
    for x in nodes.tolist():
        uf.add(x)

    def join(per_owner):
        for pairs in per_owner:
            for a, b in pairs.tolist():
                if relation[a, b]:
                    uf.union(a, b)

    for per_owner, _ in found:
        join(per_owner)
    groups = uf.groups()
    joined = np.array([x for g in groups for x in g], np.int64)
    label = np.array([g[0] for g in groups for _ in g], np.int64)
    order = np.argsort(joined)
    for _, large_groups in found:
        join(dask_steps.cross_candidates(large_groups, (joined[order], label[order]), starts))
    return sorted(sorted(g) for g in uf.groups())


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=2, max_size=40), st.integers(0, 2 ** 32 - 1),
       st.sampled_from([2, 5, 256]), st.sampled_from([0.03, 0.1, 0.5]), st.integers(1, 3))
def test_star_then_cross_rounds_join_what_verifying_every_shared_pair_joins(bases, seed, large, density, buckets):
    """A large band group gives its star in the first round and the pairs across components
    still apart in the second: the components of verifying every pair sharing a band, whatever
    verification decides (a random symmetric relation, chains included)."""
    rng = np.random.default_rng(seed)
    n = len(bases)
    keys = rng.integers(0, 3, size=(n, 6)).astype(np.uint64) + np.asarray(bases, np.uint64)[:, None] * 10
    keys[rng.random((n, 6)) < 0.3] += np.uint64(1000)  # some bands of each document its own
    relation = np.triu(rng.random((n, n)) < density, 1)
    relation |= relation.T
    expected = UnionFind()
    for a, b in pairs_sharing_a_band(keys):
        if relation[a, b]:
            expected.union(a, b)
    starts = np.array([0, n // 2], np.int64) if n > 3 else np.array([0], np.int64)
    got = _two_round_components(keys, np.arange(n, dtype=np.int64), relation, buckets, starts, large)
    assert got == sorted(sorted(g) for g in expected.groups())


def test_a_large_group_costs_a_star_not_every_pair():
    keys = np.zeros((300, 2), np.uint64)  # 300 near-copies sharing both bands
    per_owner, groups = dask_steps.document_candidates(dask_steps._split_bands(keys, np.arange(300), 1),
                                                       np.array([0], np.int64), 256)
    assert sum(len(p) for p in per_owner) == 299 and [g.size for g in groups] == [300, 300]
    everyone = (np.arange(300, dtype=np.int64), np.zeros(300, np.int64))
    assert sum(len(p) for p in dask_steps.cross_candidates(groups, everyone, np.array([0], np.int64))) == 0


def test_verbatim_links_pair_each_copy_with_the_first_node_of_its_content():
    rows = [dask_steps._digest_rows([b"a", b"b", b"a"], [7, 3, 2], [70, 30, 20], 2),
            dask_steps._digest_rows([b"a", b"c", b"b"], [1, 9, 8], [10, 90, 80], 2)]
    links = np.concatenate([dask_steps.verbatim_links([r[b] for r in rows]) for b in range(2)])
    assert sorted(links.tolist()) == [[2, 1, 20, 10], [7, 1, 70, 10], [8, 3, 80, 30]]


def test_wire_story_copies_across_partitions_are_byte_identical(tmp_path, scheduler, monkeypatch):
    """Verbatim copies of one article in every partition: found by a digest shuffle and kept
    out of the candidate search, with the local engine's clusters."""
    monkeypatch.setattr(dask_engine, "BLOCK_DOCS", 3)
    src = make_corpus(tmp_path / "in", n=12)
    story = (src / "story001.txt").read_text(encoding="utf-8")
    for k in range(14):
        (src / f"wire{k:02d}.txt").write_text(story, encoding="utf-8")
    local, dask = both_engines([src], tmp_path, scheduler)
    assert local == dask
    clusters = [json.loads(line) for line in local["duplicates.jsonl"].splitlines()]
    assert max(len(c["members"]) for c in clusters if c["level"] == "document") == 15


def test_edited_copies_in_large_band_groups_are_byte_identical(tmp_path, scheduler, monkeypatch):
    """Near-copies (each edited a little, so not collapsed as verbatim) in band groups larger
    than LARGE_BUCKET: a star, then the pairs across what is still apart, in both engines."""
    from cleaner.dedup import documents

    monkeypatch.setattr(documents, "LARGE_BUCKET", 2)
    monkeypatch.setattr(dask_engine, "BLOCK_DOCS", 3)
    src = make_corpus(tmp_path / "in", n=12)
    words = (src / "story001.txt").read_text(encoding="utf-8").split(" ")
    for k in range(10):  # each copy edits the one before: a chain, not a star around the first
        words[5 + 7 * k] = f"edited{k}"
        (src / f"edited{k:02d}.txt").write_text(" ".join(words), encoding="utf-8")
    local, dask = both_engines([src], tmp_path, scheduler)
    assert local == dask
    clusters = [json.loads(line) for line in local["duplicates.jsonl"].splitlines()]
    assert max(len(c["members"]) for c in clusters if c["level"] == "document") == 11


def test_an_input_with_no_document_is_byte_identical(tmp_path, scheduler):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    local, dask = both_engines([tmp_path / "in"], tmp_path, scheduler)
    assert local == dask
    assert local["corpus.jsonl"] == b"" and local["duplicates.jsonl"] == b""


def test_passage_links_do_not_depend_on_the_order_of_the_edges():
    rng = np.random.default_rng(3)
    edges = [((int(rng.integers(0, 30)), int(rng.integers(0, 3))), (int(rng.integers(0, 30)), int(rng.integers(0, 3))),
              float(rng.uniform(0.8, 1.0))) for _ in range(40)]
    groups = []
    for order in (edges, edges[::-1], [edges[i] for i in rng.permutation(len(edges))]):
        links = PassageLinks()
        for a, b, sim in order:
            links.link(a, b, sim)
        groups.append(links.groups())
    assert groups[0] == groups[1] == groups[2] and len(groups[0]) > 1
    for g in groups[0]:  # the weakest verified link inside the component
        assert g.similarity == min(sim for a, b, sim in edges if a in g.nodes)


def _specs_holding(dask_scheduler, text: bytes) -> int:
    import pickle
    return sum(text in pickle.dumps(ts.run_spec) for ts in dask_scheduler.tasks.values() if ts.run_spec is not None)


def test_the_scheduler_does_not_keep_the_text(tmp_path, scheduler, monkeypatch):
    """Task specs stay on the scheduler while a result derived from them is held (the
    features, until the corpus step ends): raw chunks and changed documents are scattered."""
    src = make_corpus(tmp_path / "in", n=20)
    held = []
    decide = DaskCorpus.decide

    def watched(self, ids, where):
        out = decide(self, ids, where)
        held.append(self.client.run_on_scheduler(_specs_holding, text=TEMPLATE.encode()))
        return out

    monkeypatch.setattr(DaskCorpus, "decide", watched)
    run([src], out=tmp_path / "dask", config=Config(engine="dask", scheduler=scheduler))
    assert held == [0]
    assert TEMPLATE.encode() in (src / "story000.txt").read_bytes()


def test_the_cli_runs_on_the_given_scheduler(seeds_dir, tmp_path, scheduler):
    from click.testing import CliRunner

    from cleaner.cli import main

    r = CliRunner().invoke(main, ["run", str(seeds_dir), "-o", str(tmp_path / "dask"), "-q",
                                  "--engine", "dask", "--scheduler", scheduler])
    assert r.exit_code == 0, r.output
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["engine"] == "dask" and manifest["config"]["scheduler"] == scheduler
    run([seeds_dir], out=tmp_path / "local", config=Config(workers=2))
    assert outputs(tmp_path / "local") == outputs(tmp_path / "dask")


def _kill_worker_holding(client, future) -> None:
    """End the worker process that holds `future`'s result (the nanny starts a new, empty one)."""
    import os
    worker = sorted(client.who_has([future])[future.key] or client.scheduler_info()["workers"])[0]
    try:
        client.run(os._exit, 1, workers=[worker])
    except Exception:  # noqa: BLE001 - the connection closes under the call
        pass


@pytest.mark.parametrize("when", ["pass 1", "corpus step"])
def test_a_lost_worker_is_recovered_from_the_spool(tmp_path, monkeypatch, caplog, when):
    """Scattered chunks have no lineage, so Dask cannot recompute what a lost worker held:
    the driver cleans a lost chunk again and rebuilds lost partitions from its spool, and
    the output is the local engine's."""
    monkeypatch.setattr(clean_pass, "CHUNK_DOCS", 3)
    monkeypatch.setattr(dask_engine, "BLOCK_DOCS", 3)
    src = make_corpus(tmp_path / "in", n=30)
    killed = []
    if when == "pass 1":
        done = dask_engine.DaskPass1._done

        def kill_during_pass1(self, fn, config, chunk, slim, kept):
            if len(self.blocks) == 3 and not killed:
                killed.append(1)
                _kill_worker_holding(self.client, self.blocks[0][0])
            return done(self, fn, config, chunk, slim, kept)

        monkeypatch.setattr(dask_engine.DaskPass1, "_done", kill_during_pass1)
    else:
        clusters = DaskCorpus._document_clusters

        def kill_during_corpus_step(self, keys):
            if not killed:
                killed.append(1)
                _kill_worker_holding(self.client, self.pass1_parts[0])
            return clusters(self, keys)

        monkeypatch.setattr(DaskCorpus, "_document_clusters", kill_during_corpus_step)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=":0")  # a cluster of its own: one of its workers dies
    try:
        with caplog.at_level("WARNING", logger="cleaner"):
            run([src], out=tmp_path / "dask", config=Config(engine="dask", scheduler=cluster.scheduler_address))
    finally:
        cluster.close()
    run([src], out=tmp_path / "local", config=Config(workers=2))
    assert killed
    assert any("rebuilding" in r.getMessage() for r in caplog.records)
    assert outputs(tmp_path / "local") == outputs(tmp_path / "dask")
