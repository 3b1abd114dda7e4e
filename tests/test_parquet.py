"""Parquet output: corpus.parquet holds exactly the corpus.jsonl records, with the schema of
the record types in cleaner.models; it loads in pyarrow, pandas and Hugging Face datasets."""
from __future__ import annotations

import hashlib
import json
import shutil
import typing
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cleaner import Config, run
from cleaner.cli import main
from cleaner.models import CorpusRecord, DuplicateRecord, MemberRecord, Metadata
from cleaner.parquet import ParquetLines, schema_of
from cleaner.write import document_record
from conftest import SEEDS

CONFIG = Config(workers=1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Seeds plus records that exercise every field: a duplicate, mojibake (repairs), HTML
    with a URL (metadata), a title."""
    folder = tmp_path_factory.mktemp("inputs")
    for path in SEEDS.iterdir():
        shutil.copy(path, folder / path.name)
    first = (SEEDS / "000_c0ac4585be19e560.txt").read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{line}</p>" for line in first.splitlines()[1:] if line.strip())
    records = [
        {"id": "copy-of-000", "text": first},
        {"id": "mojibake", "title": "CafÃ© owners protest", "text": "CafÃ© owners protest\n" + "The cafÃ© owners "
         "in the old town said on Monday that the new rules would cost them â€œmost of the summerâ€\x9d.\n" * 3},
        {"id": "web", "url": "https://news.example.org/2024/story.html",
         "html": f"<html><head><title>A story</title></head><body><article>{paragraphs}</article></body></html>"},
    ]
    (folder / "more.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def both(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "both"
    run([str(corpus)], out=str(out), config=Config(workers=1).with_overrides({"output.formats": ("jsonl", "parquet")}))
    return out


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_parquet_row_equals_its_jsonl_record(both):
    lines = jsonl(both / "corpus.jsonl")
    rows = pq.read_table(both / "corpus.parquet").to_pylist()
    assert rows == lines
    assert len(rows) == 8
    by_id = {r["id"]: r for r in rows}
    assert by_id["copy-of-000"]["duplicate_of"] == "000_c0ac4585be19e560"
    assert by_id["mojibake"]["repairs"] and by_id["web"]["metadata"]["url"].startswith("https://")
    assert any(r["removed"] for r in rows)


def test_duplicates_parquet_holds_the_clusters(both):
    clusters = jsonl(both / "duplicates.jsonl")
    rows = pq.read_table(both / "duplicates.parquet").to_pylist()
    assert clusters and len(rows) == len(clusters)
    for row, cluster in zip(rows, clusters):
        members = [{k: m.get(k) for k in MemberRecord.__annotations__} for m in cluster["members"]]
        assert row == {**cluster, "members": members}  # absent member keys are nulls


def test_schema_follows_the_record_types(both):
    schema = pq.read_schema(both / "corpus.parquet")
    assert schema.names == list(CorpusRecord.__annotations__)
    assert schema.field("metadata").type == pa.struct([pa.field(k, pa.string()) for k in Metadata.__annotations__])
    assert schema.field("removed").type.value_type.names == ["paragraph", "text", "reason"]
    assert schema.field("repairs").type.value_type.field("steps").type == pa.list_(pa.field("item", pa.string(), False))
    assert schema.field("duplicate_of").nullable and schema.field("duplicate_of").type == pa.string()
    assert not schema.field("text").nullable and schema.field("title").nullable
    assert pq.read_schema(both / "duplicates.parquet") == schema_of(DuplicateRecord)


def test_record_types_name_every_field_the_writers_write(both):
    """The JSONL writers and the record types agree, at every level."""
    def keys(value, annotation) -> None:
        hints = typing.get_type_hints(annotation, include_extras=True)
        optional = {k for k, h in hints.items() if typing.get_origin(h) is typing.NotRequired}
        assert set(value) <= set(hints) and set(hints) - set(value) <= optional
        for name, item in value.items():
            hint = hints[name]
            if typing.get_origin(hint) is typing.NotRequired:
                hint = typing.get_args(hint)[0]
            if typing.is_typeddict(hint):
                keys(item, hint)
            elif typing.get_origin(hint) is list and typing.is_typeddict(typing.get_args(hint)[0]):
                for element in item:
                    keys(element, typing.get_args(hint)[0])

    for record in jsonl(both / "corpus.jsonl"):
        keys(record, CorpusRecord)
    for cluster in jsonl(both / "duplicates.jsonl"):
        keys(cluster, DuplicateRecord)
    assert set(Metadata().as_dict()) == set(typing.get_type_hints(CorpusRecord)["metadata"].__annotations__)
    assert document_record.__annotations__["return"] in ("CorpusRecord", CorpusRecord)


def test_a_field_missing_from_the_record_types_stops_the_writer(tmp_path):
    table = ParquetLines(tmp_path / "x.parquet", DuplicateRecord)
    table.add(b'{"level": "document", "similarity": 1.0, "representative": "a", "members": [], "extra": 1}\n')
    with pytest.raises(ValueError, match="cleaner/models.py"):
        table.close()


def test_row_groups_come_as_lines_come_and_keep_their_order(tmp_path):
    table = ParquetLines(tmp_path / "d.parquet", DuplicateRecord, batch_bytes=200)
    lines = [json.dumps({"level": "passage", "similarity": i / 100, "representative": None,
                         "members": [{"doc": f"d{i}", "paragraph": i}]}) + "\n" for i in range(50)]
    for line in lines:
        table.add(line.encode())
    table.close()
    file = pq.ParquetFile(tmp_path / "d.parquet")
    assert file.num_row_groups > 10
    assert [r["members"][0]["doc"] for r in file.read().to_pylist()] == [f"d{i}" for i in range(50)]


def test_parquet_alone_and_hashed_in_the_manifest(corpus, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(out), "-q", "-w", "1", "--format", "parquet"])
    assert result.exit_code == 0, result.output
    assert not (out / "corpus.jsonl").exists() and (out / "duplicates.jsonl").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for name in ("corpus.parquet", "duplicates.parquet"):
        data = (out / name).read_bytes()
        assert manifest["outputs"][name] == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert manifest["config"]["output"]["formats"] == ["parquet"]
    assert pq.read_table(out / "corpus.parquet").num_rows == 8


def test_format_flag_is_checked(corpus, tmp_path, monkeypatch):
    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(tmp_path / "o"), "--format", "csv"])
    assert result.exit_code == 2 and "output.formats" in result.output
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    result = CliRunner().invoke(main, ["run", str(corpus), "-o", str(tmp_path / "p"), "--format", "parquet"])
    assert result.exit_code == 2 and "pip install 'cleaner[parquet]'" in result.output
    assert not (tmp_path / "p" / "manifest.json").exists()


def test_corpus_loads_in_pandas_pyarrow_and_datasets(both, tmp_path, monkeypatch):
    import pandas as pd

    lines = jsonl(both / "corpus.jsonl")
    frame = pd.read_parquet(both / "corpus.parquet")
    assert list(frame["id"]) == [r["id"] for r in lines]
    assert frame["metadata"].iloc[0] == lines[0]["metadata"]
    assert pq.read_table(both / "corpus.parquet").column("text").to_pylist() == [r["text"] for r in lines]

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True, raising=False)
    from_parquet = datasets.load_dataset("parquet", data_files=str(both / "corpus.parquet"), split="train",
                                         cache_dir=str(tmp_path / "hf"))
    assert from_parquet.num_rows == len(lines)
    assert from_parquet[0]["id"] == lines[0]["id"] and from_parquet[0]["metadata"] == lines[0]["metadata"]
    assert [r["text"] for r in from_parquet] == [r["text"] for r in lines]
    from_json = datasets.load_dataset("json", data_files=str(both / "corpus.jsonl"), split="train",
                                      cache_dir=str(tmp_path / "hf"))
    assert from_json.num_rows == len(lines)
    assert [r["id"] for r in from_json] == [r["id"] for r in lines]
    assert [r["duplicate_of"] for r in from_json] == [r["duplicate_of"] for r in lines]


def test_a_format_left_out_is_removed_from_the_output_folder(corpus, tmp_path):
    """A run writing Parquet alone into the folder of a JSONL run leaves no stale corpus.jsonl."""
    out = tmp_path / "out"
    run([str(corpus)], out=str(out), config=CONFIG)
    assert (out / "corpus.jsonl").exists()
    run([str(corpus)], out=str(out), config=CONFIG.with_overrides({"output.formats": ("parquet",)}))
    assert not (out / "corpus.jsonl").exists() and (out / "corpus.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "corpus.jsonl" not in manifest["outputs"] and not any(n.startswith(".") for n in manifest["outputs"])
    run([str(corpus)], out=str(out), config=CONFIG)
    assert (out / "corpus.jsonl").exists() and not (out / "corpus.parquet").exists()
    assert not (out / "duplicates.parquet").exists()
