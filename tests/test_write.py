"""Stage 6: the output contract, written atomically, with safe and unique clean/ names."""
import hashlib
import json
import os

import pytest

from cleaner.config import Config
from cleaner.models import Document, Metadata, Paragraph, Verdict
from cleaner.pipeline import run
from cleaner.write import JOURNAL, OutputLocked, OutputWriter, recover, safe_filename
from conftest import SEEDS, snapshot, write


def doc(doc_id, *texts, title="A title"):
    d = Document(id=doc_id, source=f"{doc_id}.txt", format="text", title=title,
                 metadata=Metadata(url="https://ex.com/a"))
    d.paragraphs = [Paragraph(original=t) for t in texts]
    return d



def test_run_writes_the_contract_files(tmp_path):
    result = run([SEEDS], tmp_path / "out", Config(workers=1))
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["clean", "corpus.jsonl", "duplicates.jsonl", "manifest.json", "report", "report.html"]
    ids = [json.loads(line)["id"] for line in open(out / "corpus.jsonl", encoding="utf-8")]
    assert ids == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert sorted(p.stem for p in (out / "clean").iterdir()) == ids
    manifest = json.loads((out / "manifest.json").read_text())
    assert [f["status"] for f in manifest["inputs"]] == ["ok"] * len(ids)
    corpus = (out / "corpus.jsonl").read_bytes()
    assert manifest["outputs"]["corpus.jsonl"] == {"bytes": len(corpus), "sha256": hashlib.sha256(corpus).hexdigest()}
    assert manifest["outputs"]["clean/"]["files"] == len(ids)
    assert result.exit_code == 0
    assert not [p for p in out.iterdir() if p.name.startswith((".staging", ".old", JOURNAL))]


def test_clean_file_has_title_then_kept_paragraphs(tmp_path):
    d = doc("x", "Kept one.", "Dropped.", "Kept two.")
    d.paragraphs[1].verdict = Verdict.DROP
    w = OutputWriter(tmp_path)
    w.add(d)
    w.commit({})
    assert (tmp_path / "clean" / "x.txt").read_text() == "A title\nKept one.\nKept two.\n"
    record = json.loads((tmp_path / "corpus.jsonl").read_text())
    assert record["text"] == "Kept one.\n\nKept two."
    assert record["removed"] == [{"paragraph": 1, "text": "Dropped.", "reason": None}]


@pytest.mark.parametrize("doc_id", ["../../etc/passwd", "/etc/passwd", "..", ".", "", "a/../../b", "C:\\evil",
                                    "CON", "nul", "com1.txt", "x" * 5000, "é" * 300, "日本" * 200, "\x00\n\t",
                                    "-rf", "..\\..\\x", "a b?c*d|e<f>g\"h"])
def test_unsafe_ids_stay_inside_clean(tmp_path, doc_id):
    name = safe_filename(doc_id)
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert len((name + ".txt").encode("utf-8")) <= 255
    w = OutputWriter(tmp_path / "out")
    w.add(doc(doc_id, "Body."))
    w.commit({})
    files = [os.path.relpath(os.path.join(r, f), tmp_path) for r, _, fs in os.walk(tmp_path) for f in fs]
    assert all(f.startswith("out" + os.sep) for f in files)
    clean = list((tmp_path / "out" / "clean").iterdir())
    assert len(clean) == 1


def test_colliding_ids_never_overwrite_each_other(tmp_path):
    ids = ["a/b", "a_b", "a?b", "Case", "case", "CASE", "a_b-" + hashlib.sha1(b"a/b").hexdigest()[:8], "x" * 300,
           "x" * 301]
    w = OutputWriter(tmp_path)
    for i, doc_id in enumerate(ids):
        w.add(doc(doc_id, f"Body number {i}."))
    w.commit({"inputs": []})
    names = sorted(p.name for p in (tmp_path / "clean").iterdir())
    assert len(names) == len(ids)
    assert len({n.casefold() for n in names}) == len(ids)  # safe on case-insensitive disks too
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    renamed = manifest["renamed"]
    for i, doc_id in enumerate(ids):  # every document can be found again through the manifest
        name = renamed.get(doc_id, f"clean/{doc_id}.txt")
        assert (tmp_path / name).read_text().endswith(f"Body number {i}.\n")


def test_abort_leaves_previous_output_byte_identical(tmp_path):
    w = OutputWriter(tmp_path)
    w.add(doc("old", "Old body."))
    w.commit({"run": 1})
    before = snapshot(tmp_path)
    w = OutputWriter(tmp_path)
    w.add(doc("new", "New body."))
    w.write_lines("duplicates.jsonl", [{"x": 1}])
    w.abort()
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.glob(".staging-*"))


def test_stale_staging_from_a_killed_run_is_removed_and_ignored(tmp_path):
    w = OutputWriter(tmp_path)
    w.add(doc("old", "Old body."))
    w.commit({"run": 1})
    before = snapshot(tmp_path)
    stale = tmp_path / ".staging-dead"
    write(stale / "corpus.jsonl", "{}\n")
    write(stale / "manifest.json", "{}")  # complete-looking, but no journal: never committed
    (tmp_path / ".old-clean").mkdir()
    w = OutputWriter(tmp_path)
    assert not stale.exists() and not (tmp_path / ".old-clean").exists()
    assert snapshot(tmp_path) == before
    w.abort()


def test_commit_interrupted_after_the_commit_point_is_rolled_forward(tmp_path, monkeypatch):
    w = OutputWriter(tmp_path)
    w.add(doc("old", "Old body."))
    w.commit({"run": 1})
    import cleaner.write as write_module

    calls = []
    real_replace = os.replace

    def dying_replace(src, dst):  # die after the first file has moved
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(src, dst)

    w = OutputWriter(tmp_path)
    w.add(doc("new", "New body."))
    w.write_lines("duplicates.jsonl", [])
    monkeypatch.setattr(write_module.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        w.commit({"run": 2})
    monkeypatch.setattr(write_module.os, "replace", real_replace)
    assert not (tmp_path / "manifest.json").exists()  # half-committed: does not pass for complete
    assert (tmp_path / JOURNAL).exists()
    w._release()
    recover(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["run"] == 2
    assert sorted(p.name for p in (tmp_path / "clean").iterdir()) == ["new.txt"]
    assert not (tmp_path / JOURNAL).exists() and not list(tmp_path.glob(".staging-*"))


def test_abort_after_the_commit_point_finishes_the_commit(tmp_path, monkeypatch):
    import cleaner.write as write_module

    w = OutputWriter(tmp_path)
    w.add(doc("new", "New body."))
    real = write_module._finish_commit
    monkeypatch.setattr(write_module, "_finish_commit", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        w.commit({"run": 1})
    monkeypatch.setattr(write_module, "_finish_commit", real)
    w.abort()
    assert json.loads((tmp_path / "manifest.json").read_text())["run"] == 1
    assert (tmp_path / "clean" / "new.txt").exists()


def test_two_writers_cannot_share_an_output_folder(tmp_path):
    w = OutputWriter(tmp_path)
    with pytest.raises(OutputLocked):
        OutputWriter(tmp_path)
    w.abort()
    OutputWriter(tmp_path).abort()  # the lock is released


def test_staged_names_cannot_escape(tmp_path):
    w = OutputWriter(tmp_path)
    for bad in ("../x.jsonl", "/tmp/x", "manifest.json"):
        with pytest.raises(ValueError):
            w.write_text(bad, "x")
    w.abort()


def test_rerun_into_an_output_folder_inside_the_inputs_does_not_read_it(tmp_path):
    for p in sorted(SEEDS.glob("*.txt")):
        write(tmp_path / p.name, p.read_bytes())
    first = run([tmp_path], tmp_path / "out", Config(workers=1))
    corpus = (tmp_path / "out" / "corpus.jsonl").read_bytes()
    second = run([tmp_path], tmp_path / "out", Config(workers=1))
    assert len(second.documents) == len(first.documents) == 5
    assert (tmp_path / "out" / "corpus.jsonl").read_bytes() == corpus
    assert second.exit_code == 0


def test_a_rendering_made_elsewhere_writes_what_the_writers_would(tmp_path):
    """The write pass adds workers' renderings: they must equal the writers' own output."""
    from cleaner.render import render
    from cleaner.report import ReportWriter

    d = doc("a<b>&c", "Body with <script>x</script> & more.", "Second paragraph.")
    d.paragraphs[0].verdict = Verdict.DROP
    d.paragraphs[0].reason = "navigation"

    direct = OutputWriter(tmp_path / "direct")
    direct.add(d)
    report = ReportWriter(direct)
    report.add_document(d)
    report.finish({})
    direct.commit({})

    rendered = OutputWriter(tmp_path / "rendered")
    report = ReportWriter(rendered)
    names = report.reserve([d.id], [0])
    r = render(d, names.pages[0], names.href)
    rendered.add_rendered(r.id, r.record, r.clean)
    report.add_page(r.id, r.page, r.row, r.tally.encoding, r.tally.repair_steps)
    report.finish({})
    rendered.commit({})

    assert snapshot(tmp_path / "direct") == snapshot(tmp_path / "rendered")
    assert (tmp_path / "direct/report/docs/000001.html").is_file()


@pytest.mark.parametrize("name", ["../x", "/etc/x", "a/../../x", "a/./b", "", ".", "..", "a\\b", "C:x", "manifest.json"])
def test_output_names_must_stay_plain_and_inside(tmp_path, name):
    w = OutputWriter(tmp_path / "out")
    with pytest.raises(ValueError):
        w.write_text(name, "x")
    w.abort()


