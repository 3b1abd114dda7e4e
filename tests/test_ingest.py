"""Stage 1: finding files, reading formats, ids, decoding and recording encodings."""
import gzip
import json

import pytest

from cleaner.config import IngestConfig
from cleaner.ingest import decode, discover, ingest, read_file, split_name
from cleaner.models import FileStatus
from conftest import SEEDS, write

CFG = IngestConfig()


def read(path, config=CFG):
    return read_file(str(path), config)


def test_seed_file_id_is_the_stem_without_extension():
    record, docs = read(SEEDS / "000_c0ac4585be19e560.txt")
    assert record.status is FileStatus.OK
    assert [d.id for d in docs] == ["000_c0ac4585be19e560"]
    assert docs[0].format == "text" and docs[0].encoding == "utf-8"
    assert docs[0].content.startswith("US and China prepare")


def test_gzip_text_and_html_formats(tmp_path):
    write(tmp_path / "a.txt.gz", gzip.compress("Hello gz world.\n".encode()))
    write(tmp_path / "b.html.gz", gzip.compress(b"<html><body><p>Hi</p></body></html>"))
    write(tmp_path / "c.htm", "<p>x</p>")
    (ra, da), (rb, db), (rc, dc) = (read(tmp_path / n) for n in ("a.txt.gz", "b.html.gz", "c.htm"))
    assert (da[0].id, da[0].format, da[0].content) == ("a", "text", "Hello gz world.\n")
    assert (db[0].id, db[0].format) == ("b", "html")
    assert dc[0].format == "html"


def test_html_sniffed_without_extension(tmp_path):
    _, docs = read(write(tmp_path / "page", "<!DOCTYPE html><html><body>x</body></html>"))
    assert docs[0].format == "html"


def test_split_name_keeps_unknown_dots():
    assert split_name("x/story.v2.txt") == ("story.v2", [".txt"])
    assert split_name("x/a.jsonl.gz") == ("a", [".jsonl", ".gz"])


def test_jsonl_ids_from_field_or_stem_and_line(tmp_path):
    lines = [{"id": "first", "text": "One."}, {"text": "Two."}, {"id": "", "text": "Three."},
             {"id": 7, "html": "<p>Four</p>", "url": "https://ex.com/4", "title": "T4"}]
    path = write(tmp_path / "shard.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    record, docs = read(path)
    assert [d.id for d in docs] == ["first", "shard-2", "shard-3", "7"]
    assert [d.format for d in docs] == ["text", "text", "text", "html"]
    assert docs[3].url == "https://ex.com/4" and docs[3].title == "T4"
    assert docs[1].source.endswith("shard.jsonl:2")
    assert record.documents == 4 and record.status is FileStatus.OK


def test_jsonl_field_names_are_configurable(tmp_path):
    path = write(tmp_path / "s.jsonl", json.dumps({"doc": "X1", "body": "Body text.", "text": "wrong"}) + "\n")
    cfg = IngestConfig(text_field="body", id_field="doc")
    _, docs = read(path, cfg)
    assert (docs[0].id, docs[0].content) == ("X1", "Body text.")


def test_jsonl_broken_lines_are_listed_and_the_rest_read(tmp_path):
    path = write(tmp_path / "b.jsonl", '{"id": "ok", "text": "fine"}\n{"id": broken\n'
                 '{"id": "n", "text": 42}\n{"id": "m"}\n[1, 2]\n"just a string"\n')
    record, docs = read(path)
    assert [d.id for d in docs] == ["ok"]
    assert record.status is FileStatus.OK
    assert [p.split(":")[0] for p in record.problems] == ["line 2", "line 3", "line 4", "line 5", "line 6"]
    assert "invalid JSON" in record.problems[0] and "not a string" in record.problems[1]
    assert "missing" in record.problems[2] and "not a JSON object" in record.problems[3]


def test_jsonl_with_no_valid_record_fails(tmp_path):
    record, docs = read(write(tmp_path / "bad.jsonl", "{nope\n{\"x\": 1}\n"))
    assert record.status is FileStatus.FAILED and docs == []
    assert record.error.startswith("no valid JSONL records")


def test_duplicate_ids_are_made_unique_across_the_run(tmp_path):
    write(tmp_path / "a" / "x.txt", "First.")
    write(tmp_path / "b" / "x.txt", "Second.")
    ids = [d.id for _, docs in ingest([tmp_path], CFG) for d in docs]
    assert ids == ["x", "x~2"]


@pytest.mark.parametrize("text,codec,expected", [
    ("“Smart quotes” – café, naïve résumé €5.", "cp1252", "cp1252"),
    ("Le café de l'hôtel était fermé à cause de la grève.", "latin-1", "cp1252"),
    ("Über die Brücke gingen die Schüler, größer.", "latin-1", "cp1252"),
    ("El niño comió piña en el año pasado, señor.", "latin-1", "cp1252"),
    ("naïve", "cp1252", "cp1252"),
    ("東京都は今日、新しい条例を発表しました。", "shift_jis", "shift_jis"),
    ("日本語", "shift_jis", "shift_jis"),
    ("Zażółć gęślą jaźń, powiedział Łukasz.", "cp1250", "cp1250"),
    ("Привет, как дела? Всё хорошо.", "cp1251", "cp1251"),
    ("Привет, как дела? Всё хорошо.", "koi8-r", "koi8_r"),
    ("Καλημέρα, τι κάνεις σήμερα;", "cp1253", "cp1253"),
    ("İstanbul’da yağmur yağıyor, şehir ıslak.", "cp1254", "cp1254"),
    ("北京今天发布了新的规定，居民感到惊讶。", "gb18030", "gb18030"),
    ("서울시는 오늘 새로운 조례를 발표했습니다.", "euc_kr", "euc_kr"),
])
def test_legacy_encodings_decode_correctly_on_short_samples(text, codec, expected):
    assert decode(text.encode(codec)) == (text, expected)


@pytest.mark.parametrize("codec,recorded", [("utf-16", "utf-16"), ("utf-8-sig", "utf-8"), ("utf-16-le", "utf-16-le")])
def test_utf16_and_boms(codec, recorded):
    text = "Über die Brücke gingen die Schüler.\nZweite Zeile."
    assert decode(text.encode(codec)) == (text, recorded)


def test_encoding_is_recorded_on_file_and_documents(tmp_path):
    path = write(tmp_path / "l.txt", "Le café était fermé à cause de la grève.\n".encode("latin-1"))
    record, docs = read(path)
    assert record.encoding == "cp1252" and docs[0].encoding == "cp1252"
    assert docs[0].content.startswith("Le café était fermé")


POLISH = "Ziemniaki na szóstej, surówka na dziesiątej. Świeże ziemniaki są tańsze niż ryż."


@pytest.mark.parametrize("name", ["p.html", "p.txt"])
def test_an_html_page_that_is_not_utf8_is_read_with_the_charset_it_declares(tmp_path, name):
    """iso-8859-2 and cp1250 differ in a few Polish letters; the page's declaration decides,
    whatever the file is called (an HTML file is known by its first bytes too)."""
    page = f'<html><head><meta charset="ISO-8859-2"></head><body><p>{POLISH}</p></body></html>'
    record, docs = read(write(tmp_path / name, page.encode("iso-8859-2")))
    assert record.encoding == "iso8859-2" and POLISH in docs[0].content


def test_an_archived_page_without_a_header_charset_is_read_with_its_own_declaration():
    from cleaner.ingest import decode_declared
    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2"></head><p>{POLISH}</p>'
    text, encoding, notes = decode_declared(page.encode("iso-8859-2"), None)
    assert encoding == "iso8859-2" and POLISH in text and notes == []


def test_a_declared_charset_yields_to_utf8_and_to_detection_when_the_bytes_do_not_fit(tmp_path):
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>{}</p></body></html>'
    record, docs = read(write(tmp_path / "u.html", page.format("Le café était fermé.").encode("utf-8")))
    assert record.encoding == "utf-8" and "café" in docs[0].content  # UTF-8 bytes stay UTF-8
    russian = "Привет, как дела? Всё хорошо, спасибо."
    wrong = '<html><head><meta charset="shift_jis"></head><body><p>{}</p></body></html>'
    record, docs = read(write(tmp_path / "r.html", wrong.format(russian).encode("cp1251")))
    assert record.encoding == "cp1251" and russian in docs[0].content  # bytes Shift_JIS cannot read


def test_discover_reports_missing_paths_and_empty_globs(tmp_path):
    found = list(discover([tmp_path / "nope", str(tmp_path / "*.zzz")]))
    assert found == [(str(tmp_path / "nope"), "no such file or directory"),
                     (str(tmp_path / "*.zzz"), "no file matches this pattern")]


def test_discover_is_sorted_skips_hidden_and_does_not_follow_folder_links(tmp_path):
    write(tmp_path / "b.txt", "b")
    write(tmp_path / "a" / "z.txt", "z")
    write(tmp_path / ".hidden.txt", "h")
    (tmp_path / "link").symlink_to(tmp_path)
    paths = [p for p, _ in discover([tmp_path])]
    # a folder's own files (sorted) come before its subfolders' files
    assert paths == [str(tmp_path / "b.txt"), str(tmp_path / "link"), str(tmp_path / "a" / "z.txt")]
    record, _ = read(tmp_path / "link")
    assert (record.status, record.error) == (FileStatus.FAILED, "symlink to a folder, not followed")


def test_max_file_bytes_is_enforced_for_plain_and_gzip(tmp_path):
    cfg = IngestConfig(max_file_bytes=1000)
    big = write(tmp_path / "big.txt", b"x " * 600)
    bomb = write(tmp_path / "bomb.txt.gz", gzip.compress(b"\0" * 100_000))
    assert "ingest.max_file_bytes" in read(big, cfg)[0].error
    assert read(bomb, cfg)[0].error.startswith("gzip expands past the 1,000-byte limit")


def test_output_folder_inside_an_input_folder_is_never_read(tmp_path):
    write(tmp_path / "a.txt", "Some text.")
    write(tmp_path / "out" / "corpus.jsonl", '{"id": "old", "text": "previous output"}\n')
    records = [(r, docs) for r, docs in ingest([tmp_path], CFG, exclude=[tmp_path / "out"])]
    assert [(r.path, r.status, r.error) for r, _ in records] == [
        (str(tmp_path / "a.txt"), FileStatus.OK, None),
        (str(tmp_path / "out"), FileStatus.SKIPPED, "the output folder of this run, not read")]
    assert [r.status for r, _ in ingest([tmp_path / "out"], CFG, exclude=[tmp_path / "out"])] == [FileStatus.SKIPPED]


def test_damaged_utf8_stays_utf8_with_the_bad_bytes_replaced_and_noted(tmp_path):
    text = "Le café “était” fermé à cause de la grève. " * 3
    raw = text.encode("utf-8")
    cut = raw.index(b"ferm")
    path = write(tmp_path / "d.txt", raw[:cut] + b"\xff\xfe" + raw[cut:])
    record, docs = read(path)
    assert record.encoding == "utf-8" and record.status is FileStatus.OK
    assert docs[0].content == text.replace("ferm", "\ufffd\ufffdferm", 1)
    assert "café “était” fermé" in docs[0].content
    assert record.problems == ["2 invalid UTF-8 byte sequence(s) replaced with U+FFFD"]


def test_jsonl_lone_surrogates_are_replaced_not_fatal(tmp_path):
    from cleaner.config import IngestConfig
    from cleaner.ingest import read_file
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a", "text": "x \\ud800 y"}\n{"id": "b", "text": "smile \\ud83d\\ude00"}\n')
    record, docs = read_file(str(path), IngestConfig())
    assert docs[0].content == "x \ufffd y"
    assert docs[1].content == "smile \U0001F600"  # a valid pair is untouched
    assert len(record.problems) == 1 and "line 1" in record.problems[0]
    docs[0].content.encode("utf-8")


def test_json_files_hold_one_record_an_array_or_jsonl(tmp_path):
    import json as _json
    from cleaner.config import IngestConfig
    from cleaner.ingest import read_file
    (tmp_path / "one.json").write_text(_json.dumps({"id": "solo", "text": "Body"}, indent=2))
    (tmp_path / "many.json").write_text(_json.dumps([{"id": "a", "text": "A"}, {"text": "B"}, 5]))
    (tmp_path / "lines.json").write_text('{"id": "x", "text": "X"}\n{"id": "y", "text": "Y"}\n')
    (tmp_path / "meta.json").write_text(_json.dumps({"document_pairs": []}))
    cfg = IngestConfig()
    _, docs = read_file(str(tmp_path / "one.json"), cfg)
    assert [(d.id, d.content) for d in docs] == [("solo", "Body")]
    record, docs = read_file(str(tmp_path / "many.json"), cfg)
    assert [d.id for d in docs] == ["a", "many-2"] and record.problems == ["item 3: not a JSON object"]
    _, docs = read_file(str(tmp_path / "lines.json"), cfg)
    assert [d.id for d in docs] == ["x", "y"]
    record, docs = read_file(str(tmp_path / "meta.json"), cfg)
    assert docs == [] and record.status.value == "failed" and "no valid JSON records" in record.error


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_stray_nul_bytes_are_removed_and_noted_not_a_reason_to_fail(tmp_path, encoding):
    page = ("<html><body><h1>Gemeinderat beschließt Haushalt</h1>"
            + "<p>Der Rat stimmte am Montag über den Haushalt ab; die Mehrheit war knapp.</p>" * 30
            + "</body></html>").encode(encoding)
    damaged = page[:200] + b"\x00" + page[200:900] + b"\x00\x00" + page[900:]
    record, docs = read(write(tmp_path / "page.html", damaged))
    assert record.status is FileStatus.OK
    assert docs[0].content == page.decode(encoding)
    assert record.problems == ["3 stray NUL bytes removed"]


def test_many_nul_bytes_still_mean_binary_data(tmp_path):
    record, docs = read(write(tmp_path / "blob.html", b"<p>x</p>\x00\x00\x00\x00" * 50))
    assert record.status is FileStatus.FAILED and "binary" in record.error and docs == []
