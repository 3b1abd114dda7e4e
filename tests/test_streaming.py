"""The streaming pipeline writes what the in-memory order of steps decides.

The reference is computed here from the stage functions, all documents in memory:
clean_document per document, then boilerplate.mark_corpus_repeats, then
stories.find_stories, then dedup.find_duplicates.  The streaming run computes corpus features in the workers and
applies the decisions while writing; its corpus.jsonl, duplicates.jsonl and clean files
must be the same.
"""
import dataclasses
import json
import random
from pathlib import Path

import pytest

from cleaner import boilerplate, dedup, stories
from cleaner.config import Config
from cleaner.ingest import ingest
from cleaner.pipeline import clean_document, run
from cleaner.write import clean_text, document_record, dumps

from conftest import SEEDS

TEMPLATE = "Northfield Gazette weekend edition"


def sentences() -> list[str]:
    return [s.strip() + "." for f in sorted(SEEDS.glob("*.txt"))
            for s in f.read_text(encoding="utf-8").replace("\n", " ").split(". ") if len(s.split()) > 6]


def make_corpus(folder: Path, n: int = 40, seed: int = 3) -> Path:
    """One site's articles: a template line in every story, near-copies, a shared passage
    (12+ words), and a template line that is also long enough to be a passage."""
    rng = random.Random(seed)
    pool = sentences()
    shared = "The county board will publish the full minutes of the meeting on its website next week."
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for i in range(n):
        if i % 9 == 4:  # a near-copy of the previous story, one paragraph changed
            paras = list(texts[-1][1])
            paras[2] = " ".join(rng.sample(pool, 2))
        else:
            paras = [" ".join(rng.sample(pool, 2)) for _ in range(6)]
            if i % 5 == 0:
                paras.insert(3, shared)
        title = " ".join(rng.choice(pool).split()[:7])
        texts.append((title, paras))
        body = paras[:2] + [TEMPLATE + f" {i % 3 + 1}"] + paras[2:]
        (folder / f"story{i:03d}.txt").write_text(title + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    return folder


def in_memory(folder: Path, config: Config):
    docs = [clean_document(raw, config) for _, raws in ingest([folder], config.ingest) for raw in raws]
    boilerplate.mark_corpus_repeats(docs, config.boilerplate)
    found = stories.find_stories(docs, config.stories)
    for story in found:
        for doc in docs:
            if doc.id in {m.doc for m in story.members}:
                doc.story = story.story
    clusters = dedup.find_duplicates(docs, config.dedup)
    return docs, clusters, found


@pytest.mark.parametrize("workers,dedup_cfg", [
    (1, {}),
    (2, {}),
    (2, {"drop_repeated_passages": True, "drop_duplicates": True, "representative": "longest"}),
])
def test_streaming_run_equals_the_in_memory_steps(tmp_path, workers, dedup_cfg):
    corpus = make_corpus(tmp_path / "in")
    config = Config(workers=workers)
    config = dataclasses.replace(config, dedup=dataclasses.replace(config.dedup, **dedup_cfg))
    docs, clusters, found = in_memory(corpus, config)
    reasons = {p.reason for d in docs for _, p in d.removed}
    assert "corpus-repeat" in reasons  # the template line is judged corpus-wide
    assert {c.level for c in clusters} == {"document", "passage"}

    result = run([corpus], out=tmp_path / "out", config=config, keep_documents=False)
    out = tmp_path / "out"
    assert result.documents == []
    written = [line for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = [dumps(document_record(d)) for d in docs
                if not (config.dedup.drop_duplicates and d.duplicate_of)]
    assert written == expected
    dups = (out / "duplicates.jsonl").read_text(encoding="utf-8").splitlines()
    assert dups == [dumps(c.as_dict()) for c in clusters]
    written_stories = (out / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    assert written_stories == [dumps(s.as_dict()) for s in found]
    for d in docs:
        assert (out / "clean" / f"{d.id}.txt").read_text(encoding="utf-8") == clean_text(d)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["documents"] == len(docs)
    assert manifest["counts"]["duplicates"] == sum(bool(d.duplicate_of) for d in docs)
    assert not any(p.name.startswith(".spool") for p in out.rglob("*"))


def test_keep_documents_returns_the_final_documents(tmp_path):
    corpus = make_corpus(tmp_path / "in", n=12)
    config = Config(workers=1)
    docs, clusters, found = in_memory(corpus, config)
    result = run([corpus], out=tmp_path / "out", config=config)
    assert [document_record(d) for d in result.documents] == [document_record(d) for d in docs]
    assert [d.passages for d in result.documents] == [d.passages for d in docs]
    assert result.clusters == clusters


def test_report_pages_are_the_same_placed_by_the_pool_or_written_in_order(tmp_path, monkeypatch):
    """Pages close at report.PAGE_BYTES from the spooled sizes, so the pool's pages (one
    task a page) and the in-order writer's must hold the same documents and links."""
    from cleaner import report
    monkeypatch.setattr(report, "PAGE_BYTES", 6000)  # a few documents a page
    corpus = make_corpus(tmp_path / "in", n=30)
    run([corpus], out=tmp_path / "pool", config=Config(workers=2), keep_documents=False)
    run([corpus], out=tmp_path / "serial", config=Config(workers=1), keep_documents=True)

    def pages(out: Path) -> dict[str, str]:
        return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted((out / "report").rglob("*")) if p.is_file()}
    pool, serial = pages(tmp_path / "pool"), pages(tmp_path / "serial")
    assert pool == serial
    docs = [name for name in pool if name.startswith("report/docs/")]
    assert 3 < len(docs) < 30  # closed by size, not one a document and not one in all


# --------------------------------------------------------------------------- large JSONL files

def hostile_jsonl(path: Path, n: int = 30) -> Path:
    """Records with the edge cases of the whole-file reader: a BOM, bad JSON, a non-object,
    lone surrogate escapes, a raw U+2028 (a line break to str.splitlines), CRLF, blank lines."""
    lines = []
    for i in range(n):
        lines.append(json.dumps({"id": f"r{i}", "text": f"Headline {i}\n" + "Some words of the story. " * 30}))
    lines[3] = "{not json"
    lines[5] = "[1, 2]"
    lines[7] = '{"id": "s", "text": "Lone \\ud800 surrogate. ' + "More words here. " * 20 + '"}'
    lines[9] = json.dumps({"id": "ls", "text": "Before\u2028after. " * 20}, ensure_ascii=False)
    lines[11] = ""
    lines[13] = json.dumps({"id": "r1", "text": "A repeated id. " * 20})
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\n")
    return path


def test_streamed_jsonl_reads_like_the_whole_file(tmp_path, monkeypatch):
    import gzip
    from cleaner import ingest as ingest_module
    src = hostile_jsonl(tmp_path / "c.jsonl")
    gz = tmp_path / "g.jsonl.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    dump = tmp_path / "d.json"  # JSONL in a .json file, as large dumps often are
    dump.write_bytes(src.read_bytes())
    for path in (src, gz, dump):
        whole_record, whole = ingest_module.read_file(str(path), Config().ingest)
        assert isinstance(whole, list)
        monkeypatch.setattr(ingest_module, "STREAM_JSONL_BYTES", 0)
        record, streamed = ingest_module.read_file(str(path), Config().ingest)
        assert not isinstance(streamed, list)
        assert list(streamed) == whole
        assert record.as_dict() == whole_record.as_dict()
        assert len(whole_record.problems) >= 3
        monkeypatch.undo()


def test_only_utf8_jsonl_is_streamed(tmp_path, monkeypatch):
    from cleaner import ingest as ingest_module
    monkeypatch.setattr(ingest_module, "STREAM_JSONL_BYTES", 0)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(json.dumps({"id": "a", "text": "Caf\u00e9 cr\u00e8me " * 30}, ensure_ascii=False).encode("latin-1"))
    record, docs = ingest_module.read_file(str(latin), Config().ingest)
    assert isinstance(docs, list) and record.encoding != "utf-8" and "Caf\u00e9" in docs[0].content
    empty = tmp_path / "blank.jsonl"
    empty.write_text("\n  \n")
    record, docs = ingest_module.read_file(str(empty), Config().ingest)
    assert list(docs) == [] and record.status.value == "skipped"  # known once the stream is read


def test_streamed_and_whole_file_runs_write_the_same(tmp_path, monkeypatch):
    from cleaner import ingest as ingest_module
    (tmp_path / "in").mkdir()
    src = hostile_jsonl(tmp_path / "in" / "c.jsonl")
    run([src], out=tmp_path / "whole", config=Config(workers=1))
    monkeypatch.setattr(ingest_module, "STREAM_JSONL_BYTES", 0)
    run([src], out=tmp_path / "streamed", config=Config(workers=2))
    whole, streamed = outputs(tmp_path / "whole"), outputs(tmp_path / "streamed")
    assert whole == streamed
    assert len([k for k in whole if k.startswith("clean/")]) == 26  # 30 lines: bad JSON, a list, U+2028, blank


def outputs(folder: Path) -> dict[str, bytes]:
    """Every output file; the manifest without its config block (which names the worker count)."""
    files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    manifest = json.loads(files.pop("manifest.json"))
    manifest.pop("config")
    files["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return files
