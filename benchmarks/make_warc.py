"""Put a folder of HTML pages into one WARC archive, as a crawler would have recorded them.

    python benchmarks/make_html_corpus.py ../shared/eval/articles-dev/html --copies 25 --out /tmp/html2k
    python benchmarks/make_warc.py /tmp/html2k --out /tmp/html2k.warc.gz

Each page (`.html`, `.htm`, optionally `.gz`) becomes a request record and a response
record (HTTP/1.1 200, `Content-Type: text/html` without a charset, as `python -m
http.server` sends it) for `http://bench.invalid/<file name>`, one gzip member per record
(`--plain` for an uncompressed `.warc`).  `--repeat N` writes the whole folder N times,
each copy with its own record ids and URLs, to make a large archive from few pages.
Written with FastWARC's writer, the library cleaner reads WARC with.
"""
from __future__ import annotations

import argparse
import gzip
import uuid
from pathlib import Path

from fastwarc.stream_io import GzipWriter
from fastwarc.warc import WarcRecord, WarcRecordType

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def pages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(HTML_SUFFIXES))


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def record(kind: WarcRecordType, url: str, block: bytes, content_type: str, rid: uuid.UUID,
           concurrent: str | None = None) -> WarcRecord:
    r = WarcRecord()
    r.init_headers(kind, f"uuid:{rid}".encode())
    r.headers["WARC-Target-URI"] = url
    r.headers["Content-Type"] = content_type
    if concurrent:
        r.headers["WARC-Concurrent-To"] = concurrent
    r.set_bytes_content(block)
    return r


def http_response(body: bytes, content_type: str = "text/html") -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type.encode() + b"\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


def write_archive(files: list[Path], out: Path, repeat: int = 1, plain: bool = False, seed: int = 0) -> int:
    """Write the archive; returns the number of response records.  Record ids come from a
    seeded generator, so the same pages make the same archive."""
    import random

    rng = random.Random(seed)
    stream = open(out, "wb") if plain else GzipWriter(str(out))
    n = 0
    try:
        for copy in range(repeat):
            for path in files:
                body = read_page(path)
                name = path.name.removesuffix(".gz")
                url = f"http://bench.invalid/{name}" if repeat == 1 else f"http://bench.invalid/{copy}/{name}"
                response_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                request = (f"GET /{name} HTTP/1.1\r\nHost: bench.invalid\r\nAccept: */*\r\n\r\n").encode()
                for r in (record(WarcRecordType.request, url, request, "application/http; msgtype=request",
                                 uuid.UUID(int=rng.getrandbits(128), version=4), f"<urn:uuid:{response_id}>"),
                          record(WarcRecordType.response, url, http_response(body),
                                 "application/http; msgtype=response", response_id)):
                    r.write(stream)
                    if not plain:
                        stream.finish()  # one gzip member per record, as crawlers write them
                n += 1
    finally:
        stream.close()
    return n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pages", help="folder of .html / .html.gz pages")
    ap.add_argument("--out", required=True, help="the archive to write (.warc.gz, or .warc with --plain)")
    ap.add_argument("--repeat", type=int, default=1, help="write the folder this many times")
    ap.add_argument("--plain", action="store_true", help="no compression")
    args = ap.parse_args()
    files = pages(Path(args.pages))
    n = write_archive(files, Path(args.out), args.repeat, args.plain)
    print(f"{n} response records ({len(files)} pages x {args.repeat}) in {args.out}: "
          f"{Path(args.out).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
