"""The pipeline end to end, through the library API and the CLI."""
import json
from pathlib import Path

from click.testing import CliRunner

from cleaner import Config, clean_records, run
from cleaner.cli import main

CONFIG = Config(workers=1)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_run_on_seeds_writes_the_whole_contract(seeds_dir, tmp_path):
    result = run([seeds_dir], out=tmp_path, config=CONFIG)
    assert result.exit_code == 0
    ids = sorted(p.stem for p in seeds_dir.glob("*.txt"))
    assert sorted(p.stem for p in (tmp_path / "clean").glob("*.txt")) == ids
    corpus = read_jsonl(tmp_path / "corpus.jsonl")
    assert [r["id"] for r in corpus] == ids  # input order
    for record in corpus:
        assert set(record) >= {"id", "source", "title", "text", "metadata", "removed", "repairs",
                               "duplicate_of"}
        if record["id"].startswith("004"):  # this seed starts straight with body text
            assert record["title"] is None
        else:
            assert record["title"] and record["title"] not in record["text"].split("\n\n")
        for removed in record["removed"]:
            assert removed["reason"] and isinstance(removed["paragraph"], int)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["config"]["dedup"]["threshold"] == CONFIG.dedup.threshold
    assert {f["status"] for f in manifest["inputs"]} == {"ok"}
    assert len(manifest["inputs"]) == len(ids)
    assert "trafilatura" in manifest["versions"]
    assert (tmp_path / "duplicates.jsonl").exists()
    assert "<html" in (tmp_path / "report.html").read_text()[:200].lower()


def test_clean_file_has_title_first_then_kept_paragraphs(seeds_dir, tmp_path):
    run([seeds_dir / "002_44588a2b124928e3.txt"], out=tmp_path, config=CONFIG)
    lines = (tmp_path / "clean" / "002_44588a2b124928e3.txt").read_text().splitlines()
    assert lines[0] == "Blinken hopes to smooth up a sour relationship with a rare trip to China"
    # the lower-cased repeat of the headline is not body text
    assert "blinken hopes to smooth up a sour relationship with a rare trip to china" not in lines


def test_no_paragraph_is_silently_lost(seeds_dir, tmp_path):
    result = run([seeds_dir], out=tmp_path, config=CONFIG)
    for doc, record in zip(result.documents, read_jsonl(tmp_path / "corpus.jsonl")):
        kept = record["text"].split("\n\n") if record["text"] else []
        title = 1 if record["title"] else 0
        assert len(kept) + len(record["removed"]) + title == len(doc.paragraphs)


def test_jsonl_and_html_inputs(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    body = "The council approved the new budget on Tuesday after a long debate about schools. " * 3
    (src / "dump.jsonl").write_text(
        json.dumps({"id": "a1", "text": f"Budget passes\n{body}", "url": "https://example.org/a"}) + "\n"
        + json.dumps({"html": f"<html><head><title>Budget</title></head><body><article><h1>Budget</h1>"
                               f"<p>{body}</p><p>{body}</p></article></body></html>"}) + "\n")
    result = run([src], out=tmp_path / "out", config=CONFIG)
    corpus = read_jsonl(tmp_path / "out" / "corpus.jsonl")
    assert [r["id"] for r in corpus] == ["a1", "dump-2"]
    assert corpus[0]["metadata"]["url"] == "https://example.org/a"
    assert "approved the new budget" in corpus[1]["text"]
    assert result.exit_code == 0


def test_failed_input_is_listed_and_run_goes_on(seeds_dir, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary\x00" * 100)
    result = run([seeds_dir, bad, tmp_path / "missing.txt"], out=tmp_path / "out", config=CONFIG)
    assert result.exit_code == 1
    statuses = {Path(f["path"]).name: f for f in json.loads((tmp_path / "out" / "manifest.json").read_text())["inputs"]}
    assert statuses["bad.txt"]["status"] == "failed" and "binary" in statuses["bad.txt"]["error"]
    assert statuses["missing.txt"]["status"] == "failed"
    assert len(read_jsonl(tmp_path / "out" / "corpus.jsonl")) == 5


def test_clean_records_iterator():
    records = list(clean_records([
        {"id": "x", "text": "Bridge to reopen in May\nThe mayor said on Monday that the bridge would reopen in May.\n"
                            "Related Posts"},
        {"id": "y"},
    ], config=CONFIG))
    assert records[0]["id"] == "x" and "bridge would reopen" in records[0]["text"]
    assert records[0]["title"] == "Bridge to reopen in May"
    assert "error" in records[1]


def test_cli_run_end_to_end(seeds_dir, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(seeds_dir), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "cleaned 5 documents" in result.output
    assert str(out) in result.output
    assert len(read_jsonl(out / "corpus.jsonl")) == 5


def test_cli_usage_errors_exit_2(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["run"]).exit_code == 2
    assert runner.invoke(main, ["run", "x", "--threshold", "7"]).exit_code == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[dedup]\nthreshold = 'high'\n")
    assert runner.invoke(main, ["run", "x", "--config", str(bad)]).exit_code == 2


def test_cli_exit_1_when_an_input_fails(seeds_dir, tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    result = CliRunner().invoke(main, ["run", str(seeds_dir), str(tmp_path / "bad.txt"), "-o", str(tmp_path / "o"),
                                       "-w", "1"])
    assert result.exit_code == 1
    assert "1 failed" in result.output and "bad.txt: binary data" in result.output


def test_pool_and_single_process_agree(seeds_dir, tmp_path):
    run([seeds_dir], out=tmp_path / "one", config=Config(workers=1))
    run([seeds_dir], out=tmp_path / "two", config=Config(workers=2))
    assert (tmp_path / "one" / "corpus.jsonl").read_bytes() == (tmp_path / "two" / "corpus.jsonl").read_bytes()


def test_clean_documents_equals_one_at_a_time_and_keeps_errors_in_place(seeds_dir, monkeypatch):
    """The batch (stage by stage) gives each document what `clean_document` gives it, and a
    document that fails in any stage fails alone, with its error in its place."""
    import dataclasses as dc

    from cleaner import boilerplate
    from cleaner.models import RawDocument
    from cleaner.pipeline import clean_document, clean_documents
    from cleaner.write import document_record

    raws = [RawDocument(id=p.stem, source=str(p), content=p.read_text(encoding="utf-8"), format="text")
            for p in sorted(seeds_dir.glob("*.txt"))]
    raws.insert(2, RawDocument(id="empty-html", source="e.html", content="<html></html>", format="html"))
    raws.insert(4, dc.replace(raws[0], id="boom"))
    real = boilerplate.classify_document

    def classify_or_boom(doc, config, draft=None):
        if doc.id == "boom":
            raise ValueError("bad luck")
        real(doc, config, draft)

    monkeypatch.setattr(boilerplate, "classify_document", classify_or_boom)
    batch = clean_documents(raws, CONFIG)
    assert batch[4] == "internal error while cleaning: ValueError: bad luck"
    assert isinstance(batch[2], str) and "internal error" not in batch[2]
    for raw, got in zip(raws, batch):
        if raw.id in ("boom", "empty-html"):
            continue
        assert document_record(got) == document_record(clean_document(raw, CONFIG))
    assert batch[2] == clean_documents([raws[2]], CONFIG)[0]
