"""The Dask engine on a real scheduler with two worker processes writes what the local engine writes."""
import pytest

distributed = pytest.importorskip("distributed")

from cleaner import Config, run  # noqa: E402

from test_streaming import hostile_jsonl, make_corpus, outputs  # noqa: E402


@pytest.fixture(scope="module")
def scheduler():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def both_engines(paths, tmp_path, scheduler, **config):
    run(paths, out=tmp_path / "local", config=Config(workers=2, **config))
    run(paths, out=tmp_path / "dask", config=Config(engine="dask", scheduler=scheduler, **config))
    return outputs(tmp_path / "local"), outputs(tmp_path / "dask")


def test_seeds_are_byte_identical(seeds_dir, tmp_path, scheduler):
    local, dask = both_engines([seeds_dir, tmp_path / "missing.txt"], tmp_path, scheduler)
    assert local == dask
    assert len([k for k in local if k.startswith("clean/")]) == 5


def test_synthetic_corpus_with_duplicates_and_corpus_repeats_is_byte_identical(tmp_path, scheduler):
    src = make_corpus(tmp_path / "in", n=30)
    hostile_jsonl(src / "records.jsonl")
    local, dask = both_engines([src], tmp_path, scheduler)
    assert local == dask
    assert b"corpus-repeat" in local["corpus.jsonl"] and b'"level": "document"' in local["duplicates.jsonl"]
    assert "r1~2" in local["manifest.json"].decode()  # a repeated id renamed the same way
