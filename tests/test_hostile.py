"""A folder of hostile inputs runs to completion, and every input gets a verdict."""
import gzip
import json
import os
import time

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.config import Config
from cleaner.pipeline import run
from conftest import IS_ROOT, SEEDS, write

GOOD = "000_c0ac4585be19e560.txt"
FRENCH = "Le café de l'hôtel était fermé à cause de la grève. Les élèves ont dû rentrer à pied.\n"
DEEP_TEXT = "Deep text paragraph that is long enough to be content here."

# file name -> (status, error substring or None)
EXPECTED = {
    GOOD: ("ok", None),
    "binary.txt": ("failed", "binary data"),
    "png.txt": ("failed", "binary data"),
    "empty.txt": ("skipped", "empty file"),
    "blank.txt": ("skipped", "only whitespace"),
    "cp1252.txt": ("ok", None),
    "latin1.txt": ("ok", None),
    "sjis.txt": ("ok", None),
    "utf16.txt": ("ok", None),
    "oneline.txt": ("ok", None),
    "deep.html": ("ok", None),
    "unclosed.html": ("ok", None),
    "broken.jsonl": ("ok", None),
    "allbad.jsonl": ("failed", "no valid JSONL records"),
    "bomb.txt.gz": ("failed", "gzip expands past"),
    "truncated.txt.gz": ("failed", "corrupt gzip stream"),
    "notgzip.txt.gz": ("ok", None),
    "loop1": ("failed", "broken or looping symlink"),
    "loop2": ("failed", "broken or looping symlink"),
    "dangling.txt": ("failed", "broken or looping symlink"),
    "selfdir": ("failed", "symlink to a folder"),
    "fifo.txt": ("failed", "not a regular file"),
    "nohtml.html": ("failed", "no main text"),
}
JSONL_LINES = [
    '{"id": "ok1", "text": "A fine record with some text in it."}',
    '{"id": broken',
    '{"id": "x", "text": 42}',
    '{"id": "y"}',
    '[1, 2, 3]',
    '{"id": "../../evil", "text": "Path traversal attempt."}',
    '{"id": "/etc/passwd", "text": "Absolute path."}',
    '{"id": "CON", "text": "Reserved name."}',
    '{"id": "", "text": "Empty id."}',
    '{"id": "a/b", "text": "Slash."}',
    '{"id": "a_b", "text": "Underscore."}',
    '{"id": "' + "L" * 5000 + '", "text": "Long id."}',
    '{"id": "Case", "text": "Upper."}',
    '{"id": "case", "text": "Lower."}',
    '{"id": "ok1", "text": "Same id again."}',
    '{"id": null, "text": null}',
    '{"id": ["list"], "html": {"not": "a string"}}',
]


def build_hostile(folder):
    write(folder / GOOD, (SEEDS / GOOD).read_bytes())
    write(folder / "binary.txt", bytes(range(256)) * 16)
    write(folder / "png.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4)
    write(folder / "empty.txt", b"")
    write(folder / "blank.txt", b"  \n\t\n \r\n")
    write(folder / "cp1252.txt", ("“Smart quotes” – and café, naïve résumé €5.\n" + FRENCH).encode("cp1252"))
    write(folder / "latin1.txt", FRENCH.encode("latin-1"))
    write(folder / "sjis.txt", "東京都は今日、新しい条例を発表しました。住民は驚いています。\n".encode("shift_jis"))
    write(folder / "utf16.txt", "Über die Brücke gingen die Schüler.\nZweite Zeile hier.\n".encode("utf-16"))
    write(folder / "oneline.txt", b"word " * (2 * 1024 * 1024))  # 10 MB, no newline
    write(folder / "deep.html", "<html><body>" + "<div>" * 60000 + DEEP_TEXT + "</div>" * 60000 + "</body></html>")
    write(folder / "unclosed.html", "<html><head><title>Unclosed</title><body><article><p>An unclosed paragraph "
          "about the council vote that went on late into the night<p>Second paragraph <b>bold <i>italic")
    write(folder / "nohtml.html", "<html><body><script>var x = 1;</script></body></html>")
    write(folder / "broken.jsonl", "\n".join(JSONL_LINES) + "\n")
    write(folder / "allbad.jsonl", "{nope\n[]\n")
    # 1 GiB of zeros as 1024 gzip members of 1 MiB each: a 1 MB file
    write(folder / "bomb.txt.gz", gzip.compress(b"\0" * (1 << 20)) * 1024)
    write(folder / "truncated.txt.gz", gzip.compress(os.urandom(20000).hex().encode())[:9000])
    write(folder / "notgzip.txt.gz", "Plain text that only pretends to be gzip.\n")
    os.symlink("loop2", folder / "loop1")
    os.symlink("loop1", folder / "loop2")
    os.symlink(".", folder / "selfdir")
    os.symlink("/nonexistent/target", folder / "dangling.txt")
    os.mkfifo(folder / "fifo.txt")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "run"  # its parent holds nothing else: files
    build_hostile(root / "in")                         # escaping OUT would show up there
    started = time.monotonic()
    result = run([root / "in", root / "missing"], root / "out", Config(workers=1))
    return root, result, time.monotonic() - started


def listing(root):
    return sorted(os.path.join(r, f) for r, ds, fs in os.walk(root) for f in fs + ds)


def test_every_input_has_a_verdict(hostile):
    root, result, _ = hostile
    manifest = json.loads((root / "out" / "manifest.json").read_text())
    got = {os.path.basename(f["path"]): f for f in manifest["inputs"]}
    assert set(got) == set(EXPECTED) | {"missing"}
    assert got["missing"]["error"] == "no such file or directory"
    for name, (status, error) in EXPECTED.items():
        assert got[name]["status"] == status, (name, got[name])
        if error:
            assert error in got[name]["error"] and "\n" not in got[name]["error"], (name, got[name])
    assert result.exit_code == 1


def every_text(record: dict) -> str:
    """Title, kept and removed text: decoding is judged here, not boilerplate decisions."""
    return "\n".join([record["title"] or "", record["text"]] + [r["text"] for r in record["removed"]])


def test_encodings_are_recorded_and_decoded(hostile):
    root, _, _ = hostile
    manifest = json.loads((root / "out" / "manifest.json").read_text())
    enc = {os.path.basename(f["path"]): f["encoding"] for f in manifest["inputs"]}
    assert (enc["cp1252.txt"], enc["latin1.txt"], enc["sjis.txt"], enc["utf16.txt"]) == \
        ("cp1252", "cp1252", "shift_jis", "utf-16")
    corpus = {r["id"]: r for r in map(json.loads, open(root / "out" / "corpus.jsonl", encoding="utf-8"))}
    assert FRENCH.strip() in corpus["latin1"]["text"]
    assert "“Smart quotes” – and café, naïve résumé €5." in every_text(corpus["cp1252"])
    sjis = corpus["sjis"]
    assert "東京都は今日、新しい条例を発表しました。" in every_text(sjis)
    assert "Über die Brücke gingen die Schüler." in every_text(corpus["utf16"])
    assert corpus["deep"]["text"] == DEEP_TEXT
    assert corpus["unclosed"]["title"] == "Unclosed"


def test_good_article_is_cleaned(hostile):
    root, _, _ = hostile
    corpus = {r["id"]: r for r in map(json.loads, open(root / "out" / "corpus.jsonl", encoding="utf-8"))}
    good = corpus["000_c0ac4585be19e560"]
    assert good["title"] == "US and China prepare for Biden-Xi Jinping meeting this year"
    assert "Blinken will become the first head of American diplomacy" in good["text"]
    assert (root / "out" / "clean" / "000_c0ac4585be19e560.txt").read_text().startswith("US and China prepare")


def test_jsonl_problems_listed_and_unsafe_ids_kept_inside_out(hostile):
    root, _, _ = hostile
    manifest = json.loads((root / "out" / "manifest.json").read_text())
    broken = next(f for f in manifest["inputs"] if f["path"].endswith("broken.jsonl"))
    assert [p.split(":")[0] for p in broken["problems"]] == ["line 2", "line 3", "line 4", "line 5", "line 16",
                                                              "line 17"]
    assert broken["documents"] == len(JSONL_LINES) - 6
    out_files = listing(root / "out")
    assert all(f.startswith(str(root / "out") + os.sep) for f in out_files)
    assert len(list((root / "out" / "clean").iterdir())) == len(
        [line for line in open(root / "out" / "corpus.jsonl")])
    assert sorted(os.listdir(root)) == ["in", "out"]
    assert not [f for f in listing(root.parent) if "evil" in f or "passwd" in f
                if not f.startswith(str(root / "out") + os.sep)]


def test_hostile_run_is_fast_enough(hostile):
    _, _, seconds = hostile
    assert seconds < 60  # 10 MB line, 60k-deep HTML and a 1 GiB gzip bomb included


def test_two_runs_give_identical_outputs(hostile, tmp_path):
    root, _, _ = hostile
    run([root / "in", root / "missing"], tmp_path / "again", Config(workers=2))
    for name in ("corpus.jsonl", "duplicates.jsonl"):
        assert (tmp_path / "again" / name).read_bytes() == (root / "out" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "again" / "clean").iterdir()) == \
        sorted(p.name for p in (root / "out" / "clean").iterdir())


@pytest.mark.skipif(not IS_ROOT, reason="as root, chmod 000 does not stop reading")
def test_unreadable_file_as_root_is_read(tmp_path):
    from cleaner.ingest import read_file
    path = write(tmp_path / "secret.txt", "Secret text.")
    path.chmod(0)
    record, docs = read_file(str(path), Config().ingest)
    assert record.status.value == "ok" and docs[0].content == "Secret text."


@pytest.mark.skipif(IS_ROOT, reason="root can read files with mode 000")
def test_unreadable_file_fails_cleanly(tmp_path):
    from cleaner.ingest import read_file
    path = write(tmp_path / "secret.txt", "Secret text.")
    path.chmod(0)
    record, _ = read_file(str(path), Config().ingest)
    assert (record.status.value, record.error) == ("failed", "permission denied")


def test_unreadable_file_via_os_error(tmp_path, monkeypatch):
    """Whoever runs the test: an OSError on open becomes a one-line verdict."""
    import builtins
    from cleaner.ingest import read_file
    path = write(tmp_path / "secret.txt", "Secret text.")
    real_open = builtins.open

    def fake_open(p, *a, **k):
        if str(p) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(p, *a, **k)

    monkeypatch.setattr(builtins, "open", fake_open)
    record, _ = read_file(str(path), Config().ingest)
    assert (record.status.value, record.error) == ("failed", "permission denied")


class TestExitCodes:
    def test_all_good_is_0(self, tmp_path):
        r = CliRunner().invoke(main, ["run", str(SEEDS), "-o", str(tmp_path / "o"), "-w", "1", "-q"])
        assert r.exit_code == 0, r.output
        assert (tmp_path / "o" / "manifest.json").exists()

    def test_some_failed_is_1_with_outputs(self, tmp_path):
        write(tmp_path / "in" / "good.txt", (SEEDS / GOOD).read_bytes())
        write(tmp_path / "in" / "bad.txt", bytes(range(256)) * 8)
        r = CliRunner().invoke(main, ["run", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "-w", "1", "-q"])
        assert r.exit_code == 1
        assert (tmp_path / "o" / "manifest.json").exists()
        assert "binary data" in r.output

    @pytest.mark.parametrize("args", [["run"], ["run", "x", "--threshold", "2"], ["run", "x", "--bogus"],
                                      ["nosuchcommand"], ["run", "x", "--config", "/nonexistent.toml"]])
    def test_usage_errors_are_2(self, tmp_path, args):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2, r.output

    def test_bad_config_content_is_2(self, tmp_path):
        cfg = write(tmp_path / "c.toml", "[dedup]\nthreshold = 'high'\n")
        r = CliRunner().invoke(main, ["run", str(SEEDS), "--config", str(cfg), "-o", str(tmp_path / "o")])
        assert r.exit_code == 2 and "bad config" in r.output

    def test_exit_codes_are_documented_in_help(self):
        for args in (["--help"], ["run", "--help"]):
            text = CliRunner().invoke(main, args).output
            for line in ("0  every input was cleaned", "1  some inputs failed", "2  usage error", "130  interrupted"):
                assert line in text


def test_runs_with_duplicates_are_byte_identical(tmp_path):
    """Same inputs and config: byte-identical corpus.jsonl and duplicates.jsonl, any worker count."""
    lines = []
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        lines.append({"id": p.stem, "text": text})
        lines.append({"id": p.stem + "-copy", "text": text.replace("the", "a", 2)})
    write(tmp_path / "in" / "shard.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    for p in sorted(SEEDS.glob("*.txt"))[:2]:
        write(tmp_path / "in" / p.name, p.read_bytes())
    outs = []
    for n, workers in enumerate((1, 2, 1)):
        run([tmp_path / "in"], tmp_path / f"out{n}", Config(workers=workers))
        outs.append({name: (tmp_path / f"out{n}" / name).read_bytes() for name in ("corpus.jsonl", "duplicates.jsonl")})
    assert outs[0]["duplicates.jsonl"].count(b"\n") >= 5  # the copies were found
    assert outs[0] == outs[1] == outs[2]


def test_unusable_output_folder_is_a_usage_error(tmp_path):
    blocker = write(tmp_path / "file", "x")
    r = CliRunner().invoke(main, ["run", str(SEEDS), "-o", str(blocker / "sub"), "-w", "1", "-q"])
    assert r.exit_code == 2 and "cannot use" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_busy_output_folder_is_a_usage_error(tmp_path):
    from cleaner.write import OutputWriter
    holder = OutputWriter(tmp_path / "o")
    try:
        r = CliRunner().invoke(main, ["run", str(SEEDS), "-o", str(tmp_path / "o"), "-w", "1", "-q"])
    finally:
        holder.abort()
    assert r.exit_code == 2 and "another run is writing" in r.output
