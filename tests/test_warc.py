"""WARC input: archives written by FastWARC's writer and by wget, read as a stream; every
record counted; damaged archives read as far as they go."""
from __future__ import annotations

import gzip
import http.server
import json
import os
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

from fastwarc.stream_io import GzipWriter
from fastwarc.warc import WarcRecord, WarcRecordType

from cleaner import Config, run
from cleaner.ingest import ingest
from cleaner.models import ArchiveCounts, FileStatus
from cleaner.warc import read_pages
from conftest import require_service

CONFIG = Config(workers=1)

STORIES = {
    "harbour": ("Harbour expansion approved after two years of hearings", [
        "The city council voted seven to two on Tuesday to approve the long-debated expansion of the "
        "northern harbour, ending two years of public hearings and three revised environmental reports.",
        "Supporters said the project would bring hundreds of jobs to the waterfront and allow larger "
        "container ships to dock without waiting offshore for the tide.",
        "Opponents, including several fishing cooperatives, warned that dredging the channel would "
        "disturb breeding grounds that have sustained local catches for generations.",
        "Construction is expected to begin next spring and to last at least four years, the port "
        "authority said in a statement released after the vote.",
    ]),
    "library": ("Bibliothek öffnet nach Umbau mit längeren Öffnungszeiten", [
        "Nach achtzehn Monaten Umbau hat die Stadtbibliothek am Montag wieder geöffnet und empfängt "
        "ihre Leserinnen und Leser künftig auch an Sonntagen.",
        "Der Lesesaal wurde vergrößert, die Kinderabteilung zieht ins Erdgeschoss, und im Keller "
        "entstand ein Raum für Veranstaltungen mit bis zu zweihundert Plätzen.",
        "Die Kosten des Umbaus lagen nach Angaben der Verwaltung knapp unter dem ursprünglich "
        "genehmigten Rahmen, was im Stadtrat für Erleichterung sorgte.",
        "Zur Eröffnung lasen drei Autorinnen aus der Region aus ihren neuen Büchern vor.",
    ]),
    "cafe": ("Le café du port rouvre ses portes après l’incendie", [
        "Fermé depuis l’incendie de l’hiver dernier, le café du port a rouvert samedi matin sous les "
        "applaudissements d’une centaine d’habitués venus saluer les propriétaires.",
        "Les travaux ont duré près de dix mois : il a fallu refaire la toiture, l’installation "
        "électrique et la totalité de la salle, détruite par les flammes.",
        "Le patron a tenu à garder le vieux comptoir en zinc, sauvé de justesse, qui trône de "
        "nouveau au milieu de la salle rénovée.",
        "La mairie a annoncé qu’une plaque rappellerait l’intervention rapide des pompiers.",
    ]),
    "bridge": ("Footbridge closed for inspection after cracks found in supports", [
        "Engineers closed the riverside footbridge on Thursday after a routine survey found hairline "
        "cracks in two of the steel supports beneath the central span.",
        "The bridge, which carries about four thousand pedestrians and cyclists a day, will stay shut "
        "until a detailed inspection is complete, the transport department said.",
        "Temporary signs direct walkers to the road bridge half a mile downstream, where an extra "
        "crossing guard has been posted during the morning and evening peaks.",
        "Officials said there was no immediate danger but that they would not take any chances.",
    ]),
    "market": ("Farmers market moves indoors for the winter season", [
        "The weekly farmers market will move into the old tram depot from next Saturday, organisers "
        "said, after traders complained about losing customers in the cold and rain.",
        "The depot offers room for forty stalls, electricity for refrigerated counters and a small "
        "kitchen that local cooks will use for demonstrations.",
        "Organisers hope the move will keep regular shoppers coming until the market returns to the "
        "square in April, as it has done every spring for thirty years.",
        "Parking will be available in the depot yard, and buses stop right outside the entrance.",
    ]),
}


def page(key: str) -> str:
    """A news page: navigation, the story, a footer."""
    title, paragraphs = STORIES[key]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a> <a href=\"/sport\">Sport</a></nav>"
            f"<article><h1>{title}</h1>\n{body}\n</article>"
            f"<footer><p>Contact us</p><p>All rights reserved.</p></footer></body></html>")


class Archive:
    """A WARC written with FastWARC's writer, one gzip member per record; remembers each
    record's offset."""

    def __init__(self, path: Path):
        self.path = path
        self.offsets: list[int] = []
        self.ids: list[str] = []
        self._stream = GzipWriter(str(path))
        self._at = 0

    def add(self, kind: WarcRecordType, block: bytes, url: str | None = None,
            content_type: str | None = None, date: str = "2024-03-05T10:20:30Z") -> str:
        rid = str(uuid.uuid4())
        r = WarcRecord()
        r.init_headers(kind, f"uuid:{rid}".encode())
        r.headers["WARC-Date"] = date
        if url:
            r.headers["WARC-Target-URI"] = url
        if content_type:
            r.headers["Content-Type"] = content_type
        r.set_bytes_content(block)
        r.write(self._stream)
        self._stream.finish()
        self._stream.flush()
        self.offsets.append(self._at)
        self._at = self.path.stat().st_size
        self.ids.append(rid)
        return rid

    def response(self, url: str, body: bytes, headers: str = "Content-Type: text/html; charset=utf-8",
                 status: str = "200 OK", **kw) -> str:
        http = f"HTTP/1.1 {status}\r\n{headers}\r\n\r\n".encode() + body
        return self.add(WarcRecordType.response, http, url, "application/http; msgtype=response", **kw)

    def request(self, url: str) -> str:
        return self.add(WarcRecordType.request, b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", url,
                        "application/http; msgtype=request")

    def close(self) -> None:
        self._stream.close()


def chunked(data: bytes, size: int = 300) -> bytes:
    return b"".join(b"%x\r\n" % len(data[i:i + size]) + data[i:i + size] + b"\r\n"
                    for i in range(0, len(data), size)) + b"0\r\n\r\n"


def records_of(out: Path) -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines())}


def manifest_input(out: Path) -> dict:
    (entry,) = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    return entry


def test_library_written_archive_counts_every_record(tmp_path):
    """gzip member per record; HTML pages in UTF-8, windows-1252 declared as ISO-8859-1,
    and gzip + chunked encoded; an image, a 404, a revisit, requests, metadata; the archive
    cut inside its last record.  The manifest's counts are exact."""
    warc = Archive(tmp_path / "crawl.warc.gz")
    warc.add(WarcRecordType.warcinfo, b"software: test\r\n", content_type="application/warc-fields")
    warc.request("http://example.org/harbour")
    harbour = warc.response("http://example.org/harbour", page("harbour").encode())
    warc.add(WarcRecordType.metadata, b"outlinks: http://example.org/\r\n", "http://example.org/harbour",
             "application/warc-fields")
    cafe = warc.response("http://example.org/cafe", page("cafe").replace('<meta charset="utf-8">', "")
                         .encode("cp1252"), headers="Content-Type: text/html; charset=ISO-8859-1")
    warc.response("http://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), headers="Content-Type: image/png")
    warc.response("http://example.org/missing", page("bridge").encode(), status="404 Not Found")
    warc.add(WarcRecordType.revisit, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
             "http://example.org/harbour", "application/http; msgtype=response")
    library = warc.response("http://example.org/library", chunked(gzip.compress(page("library").encode())),
                            headers="Content-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
                                    "Transfer-Encoding: chunked", date="2024-03-06T08:00:00Z")
    warc.request("http://example.org/market")
    warc.response("http://example.org/market", page("market").encode())
    warc.close()
    data = warc.path.read_bytes()
    cut_at = warc.offsets[-1]
    warc.path.write_bytes(data[:cut_at + (len(data) - cut_at) * 2 // 3])  # inside the last record

    out = tmp_path / "out"
    result = run([str(warc.path)], out=str(out), config=CONFIG)
    entry = manifest_input(out)
    assert entry["status"] == "ok" and entry["format"] == "warc" and entry["documents"] == 3
    assert entry["archive"]["records"] == {
        "warcinfo": {"seen": 1, "cleaned": 0, "failed": 0, "skipped": {"describes the archive": 1}},
        "request": {"seen": 2, "cleaned": 0, "failed": 0, "skipped": {"an HTTP request": 2}},
        "metadata": {"seen": 1, "cleaned": 0, "failed": 0, "skipped": {"metadata about another record": 1}},
        "revisit": {"seen": 1, "cleaned": 0, "failed": 0,
                    "skipped": {"a revisit: the payload is not stored again": 1}},
        "response": {"seen": 6, "cleaned": 3, "failed": 1,
                     "skipped": {"HTTP status 404": 1, "not HTML: image/png": 1}},
    }
    (damage,) = entry["archive"]["damage"]
    assert damage["offset"] == cut_at and damage["resumed_at"] is None
    assert damage["error"].startswith("the archive ends inside this record")
    assert any(p.startswith(f"{warc.path}@{cut_at}: the archive ends inside this record") for p in entry["problems"])
    assert result.exit_code == 1  # a record failed: the outputs are written, the exit says so

    records = records_of(out)
    assert list(records) == [harbour, cafe, library]  # archive order; ids from WARC-Record-ID
    assert records[harbour]["metadata"]["url"] == "http://example.org/harbour"
    assert records[harbour]["metadata"]["date"] == "2024-03-05T10:20:30Z"
    assert records[library]["metadata"]["date"] == "2024-03-06T08:00:00Z"
    assert records[harbour]["source"] == f"{warc.path}@{warc.offsets[2]}"
    assert records[cafe]["encoding"] == "cp1252"
    assert "l’incendie" in records[cafe]["title"] and "à cause" not in records[cafe]["text"]
    assert "Fermé depuis l’incendie de l’hiver dernier" in records[cafe]["text"]
    assert "Nach achtzehn Monaten Umbau" in records[library]["text"]
    assert (out / "clean" / f"{harbour}.txt").exists()  # a UUID is a safe file name
    assert "renamed" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_damaged_member_in_the_middle_is_skipped_and_reading_resumes(tmp_path):
    """Noise between two records: the record after it is read, and the damage reported with
    the offset where the noise starts and the one where reading resumed."""
    warc = Archive(tmp_path / "crawl.warc.gz")
    keys = list(STORIES)
    ids = [warc.response(f"http://example.org/{k}", page(k).encode()) for k in keys]
    warc.close()
    data = warc.path.read_bytes()
    noise_at = warc.offsets[2]
    warc.path.write_bytes(data[:noise_at] + b"\x00 not a gzip member \xff" * 20 + data[noise_at:])

    counts = ArchiveCounts()
    pages = list(read_pages(str(warc.path), 1 << 20, counts))
    assert [p.record_id for p in pages] == [f"<urn:uuid:{i}>" for i in ids]
    assert [d.as_dict() for d in counts.damage] == [
        {"offset": noise_at, "error": counts.damage[0].error, "resumed_at": noise_at + 21 * 20}]


def test_corrupt_member_fails_one_record(tmp_path):
    """A record whose gzip member is corrupt fails; the records after it are read."""
    warc = Archive(tmp_path / "crawl.warc.gz")
    keys = list(STORIES)
    filler = "<!-- " + os.urandom(100_000).hex() + " -->"  # members larger than a read block
    ids = [warc.response(f"http://example.org/{k}", (page(k) + filler).encode()) for k in keys]
    warc.close()
    data = bytearray(warc.path.read_bytes())
    lo, hi = warc.offsets[1], warc.offsets[2]
    data[hi - 100:hi - 36] = bytes(64)  # inside the deflate data of the body, the header intact
    warc.path.write_bytes(bytes(data))

    counts = ArchiveCounts()
    pages = list(read_pages(str(warc.path), 1 << 20, counts))
    assert [p.record_id for p in pages] == [f"<urn:uuid:{i}>" for i in ids[:1] + ids[2:]]
    (damage,) = counts.damage
    assert (damage.offset, damage.resumed_at) == (lo, hi)
    assert counts.kinds["response"].seen == 5 and counts.kinds["response"].failed_reading == 1


def test_archive_cut_inside_a_header_is_reported(tmp_path):
    warc = Archive(tmp_path / "crawl.warc.gz")
    for k in list(STORIES)[:3]:
        warc.response(f"http://example.org/{k}", page(k).encode())
    warc.close()
    data = warc.path.read_bytes()
    warc.path.write_bytes(data[:warc.offsets[2] + 30])  # a gzip header and a few bytes of the last record
    counts = ArchiveCounts()
    assert len(list(read_pages(str(warc.path), 1 << 20, counts))) == 2
    (damage,) = counts.damage
    assert (damage.offset, damage.resumed_at) == (warc.offsets[2], None)


def test_not_an_archive_fails_with_a_clear_error(tmp_path):
    bad = tmp_path / "notes.warc"
    bad.write_text("just some text, not a WARC\n" * 10)
    arc = tmp_path / "old.arc.gz"
    arc.write_bytes(gzip.compress(b"filedesc://old.arc 0.0.0.0 20050614070159 text/plain 10\n"))
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    seen = {}
    for record, docs in ingest([str(tmp_path)], CONFIG.ingest):
        assert list(docs) == []
        seen[os.path.basename(record.path)] = record
    assert seen["notes.warc"].status is FileStatus.FAILED
    assert seen["notes.warc"].error.startswith("not a readable WARC archive")
    assert seen["old.arc.gz"].status is FileStatus.FAILED and "warcio recompress" in seen["old.arc.gz"].error
    assert seen["empty.warc.gz"].status is FileStatus.SKIPPED


def test_pages_are_read_as_a_stream(tmp_path):
    """The first document arrives before the archive has been read to its end."""
    warc = Archive(tmp_path / "crawl.warc.gz")
    for _ in range(40):
        for k in STORIES:
            warc.response(f"http://example.org/{k}", page(k).encode())
    warc.close()
    ((record, docs),) = list(ingest([str(warc.path)], CONFIG.ingest))
    first = next(iter(docs))
    assert first.format == "html" and record.documents == 1
    assert record.archive.kinds["response"].seen < 10


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_wget_archive_cleans_like_the_saved_pages(tmp_path):
    """Pages served by http.server on 127.0.0.1 and recorded with `wget --warc-file` clean
    to the same text as the same pages saved as .html files."""
    require_service("wget", shutil.which("wget") is not None)
    site = tmp_path / "site"
    site.mkdir()
    for k in STORIES:
        (site / f"{k}.html").write_text(page(k), encoding="utf-8")
    handler = lambda *a, **kw: _Quiet(*a, directory=str(site), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        urls = [f"http://127.0.0.1:{port}/{k}.html" for k in STORIES]
        subprocess.run(["wget", "--quiet", "--tries=1", "--timeout=10", "--no-http-keep-alive", "--warc-file", str(tmp_path / "crawl"),
                        "--output-document", os.devnull, *urls], check=True, timeout=60, cwd=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    archive = tmp_path / "crawl.warc.gz"
    run([str(archive)], out=str(tmp_path / "from-warc"), config=CONFIG)
    run([str(site)], out=str(tmp_path / "from-files"), config=CONFIG)
    from_warc = {Path(r["metadata"]["url"]).stem: r for r in records_of(tmp_path / "from-warc").values()}
    from_files = records_of(tmp_path / "from-files")
    assert sorted(from_warc) == sorted(from_files) == sorted(STORIES)
    for k in STORIES:
        assert from_warc[k]["title"] == from_files[k]["title"]
        assert from_warc[k]["text"] == from_files[k]["text"]
        assert from_warc[k]["removed"] == from_files[k]["removed"]
    entry = manifest_input(tmp_path / "from-warc")
    assert entry["archive"]["records"]["response"] == {"seen": 5, "cleaned": 5, "failed": 0}
    assert entry["archive"]["records"]["request"]["seen"] == 5
    assert "damage" not in entry["archive"]


def test_the_page_date_then_the_dateline_then_the_crawl_date():
    from cleaner.metadata import fill_metadata
    from cleaner.models import Document, Metadata, Paragraph, Verdict

    def document(date: str | None, dateline: bool) -> Document:
        paragraphs = [Paragraph("Updated 16 June 2023", verdict=Verdict.DROP, reason="dateline-metadata")] if dateline else []
        return Document(id="d", source="s", format="html", metadata=Metadata(date=date),
                        paragraphs=paragraphs + [Paragraph("Body text.")], fetched="2024-03-05T10:20:30Z")

    for date, dateline, expected in ((None, False, "2024-03-05T10:20:30Z"), (None, True, "2023-06-16"),
                                     ("2020-01-02", True, "2020-01-02")):
        doc = document(date, dateline)
        fill_metadata(doc)
        assert doc.metadata.date == expected
