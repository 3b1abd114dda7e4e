"""FastWARC against warcio: speed of reading HTML response records, and what each makes of
damaged archives.  Prints one JSON line a measurement; never run as a test.

    python benchmarks/make_warc.py /tmp/site --repeat 4 --out /tmp/big.warc.gz
    python benchmarks/make_warc.py /tmp/site --repeat 4 --plain --out /tmp/big.warc
    python benchmarks/compare_warc_readers.py /tmp/big.warc.gz /tmp/big.warc --rounds 5

Reading a record here is what cleaner's ingest needs of it: the record type, WARC-Record-ID,
WARC-Target-URI, WARC-Date, the HTTP status and Content-Type, and the whole payload with
transfer and content encodings undone.  Speed: the two libraries in turn, round by round
(A B A B ...: the machine is shared, so each pair is measured under the same load), CPU
time of this process (user + sys) and wall time; the ratio is per round.

Robustness: damaged copies of the first archive are made in a temporary folder (cut in
the middle of a record, cut inside the last record's gzip member, 64 bytes of noise
inside a gzip member in the middle, a record whose Content-Length is too small, noise
between two uncompressed records; and, undamaged, a chunked and gzip-encoded page followed
by plain ones) and each reader reads them: how many HTML payloads it delivered, whether it
stopped with an error or silently, and where.  `--fuzz SMALL.warc.gz` also reads
`--copies` randomly damaged copies of a small archive.  The third reader, "cleaner", is
`cleaner.warc.read_pages`: FastWARC plus counting, content decoding and reading on past damage.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def read_fastwarc(path: str) -> dict:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    html = total = 0
    error = None
    offset = 0
    with open(path, "rb") as fh:
        try:
            for rec in ArchiveIterator(fh, parse_http=True, auto_decode="all"):
                offset = rec.stream_pos
                if rec.record_type != WarcRecordType.response:
                    continue
                headers = rec.headers
                _ = (rec.record_id, headers.get("WARC-Target-URI"), headers.get("WARC-Date"))
                if rec.http_headers is None or rec.http_headers.status_code != 200:
                    continue
                if (rec.http_content_type or "") != "text/html":
                    continue
                body = rec.reader.read()
                html += 1
                total += len(body)
        except Exception as exc:  # noqa: BLE001 - what each library raises is the point
            error = f"{type(exc).__name__}: {exc}"
    return {"html": html, "bytes": total, "error": error, "last_record_at": offset}


def read_warcio(path: str) -> dict:
    from warcio.archiveiterator import ArchiveIterator

    html = total = 0
    error = None
    offset = 0
    with open(path, "rb") as fh:
        try:
            it = ArchiveIterator(fh)
            for rec in it:
                offset = it.get_record_offset()
                if rec.rec_type != "response":
                    continue
                headers = rec.rec_headers
                _ = (headers.get_header("WARC-Record-ID"), headers.get_header("WARC-Target-URI"),
                     headers.get_header("WARC-Date"))
                if rec.http_headers is None or rec.http_headers.get_statuscode() != "200":
                    continue
                if (rec.http_headers.get_header("Content-Type") or "").split(";")[0].strip() != "text/html":
                    continue
                body = rec.content_stream().read()
                html += 1
                total += len(body)
        except Exception as exc:  # noqa: BLE001
            error = f"{type(exc).__name__}: {exc}"
    return {"html": html, "bytes": total, "error": error, "last_record_at": offset}


def read_cleaner(path: str) -> dict:
    """cleaner.warc.read_pages: FastWARC, plus what cleaner adds (counting every record,
    content decoding, reading on past damage)."""
    from cleaner.models import ArchiveCounts
    from cleaner.warc import WarcPage, read_pages

    counts = ArchiveCounts()
    html = total = 0
    error = None
    try:
        for page in read_pages(path, 64 << 20, counts):
            if isinstance(page, WarcPage):
                html += 1
                total += len(page.payload)
    except Exception as exc:  # noqa: BLE001
        error = f"{type(exc).__name__}: {exc}"
    damage = "; ".join(f"at {d.offset}: {d.error} (resumed at {d.resumed_at})" for d in counts.damage)
    return {"html": html, "bytes": total, "error": error or damage or None, "last_record_at": None}


READERS = {"fastwarc": read_fastwarc, "warcio": read_warcio, "cleaner": read_cleaner}


def timed(fn, path: str) -> tuple[float, float, dict]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(path)
    return time.perf_counter() - t0, time.process_time() - c0, out


def speed(path: str, rounds: int) -> None:
    size = os.path.getsize(path)
    for fn in READERS.values():  # warm the page cache and the imports
        fn(path)
    cpu: dict[str, list[float]] = {name: [] for name in READERS}
    wall: dict[str, list[float]] = {name: [] for name in READERS}
    ratios = []
    result = {}
    for r in range(rounds):
        order = list(READERS) if r % 2 == 0 else list(reversed(READERS))  # interleaved
        for name in order:
            w, c, result[name] = timed(READERS[name], path)
            cpu[name].append(c)
            wall[name].append(w)
        ratios.append(cpu["warcio"][-1] / max(cpu["fastwarc"][-1], 1e-9))
    for name in READERS:
        print(json.dumps({"bench": "read HTML records", "archive": os.path.basename(path),
                          "mb": round(size / 1e6, 1), "library": name, "records": result[name]["html"],
                          "cpu_s_median": round(statistics.median(cpu[name]), 3),
                          "cpu_s_min": round(min(cpu[name]), 3), "cpu_s_max": round(max(cpu[name]), 3),
                          "wall_s_median": round(statistics.median(wall[name]), 3),
                          "mb_per_cpu_s": round(size / 1e6 / statistics.median(cpu[name]), 1)}))
    print(json.dumps({"bench": "read HTML records", "archive": os.path.basename(path),
                      "warcio_over_fastwarc_cpu": [round(x, 2) for x in ratios],
                      "median": round(statistics.median(ratios), 2)}))


def gzip_members(path: Path) -> list[int]:
    """Start offset of each record's gzip member (make_warc.py writes one a record)."""
    from fastwarc.warc import ArchiveIterator

    return [rec.stream_pos for rec in ArchiveIterator(str(path), parse_http=False)]


def encoded_then_plain() -> bytes:
    """Not damaged: servers send chunked gzip, and crawlers store it as sent."""
    import gzip
    import uuid

    from fastwarc.stream_io import GzipWriter
    from fastwarc.warc import WarcRecord, WarcRecordType

    page = b"<html><body>" + b"<p>A paragraph of the page.</p>" * 200 + b"</body></html>"
    packed = gzip.compress(page)
    chunks = b"".join(b"%x\r\n" % len(packed[i:i + 512]) + packed[i:i + 512] + b"\r\n"
                      for i in range(0, len(packed), 512)) + b"0\r\n\r\n"
    blocks = [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n" + chunks]
    blocks += [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page] * 3
    folder = Path(tempfile.mkdtemp())
    try:
        stream = GzipWriter(str(folder / "x.warc.gz"))
        for block in blocks:
            r = WarcRecord()
            r.init_headers(WarcRecordType.response, f"uuid:{uuid.uuid4()}".encode())
            r.headers["WARC-Target-URI"] = "http://bench.invalid/"
            r.headers["Content-Type"] = "application/http; msgtype=response"
            r.set_bytes_content(block)
            r.write(stream)
            stream.finish()
        stream.close()
        return (folder / "x.warc.gz").read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def damaged_copies(gz: Path, plain: Path | None, folder: Path) -> dict[str, Path]:
    data = gz.read_bytes()
    members = gzip_members(gz)
    mid = members[len(members) // 2]
    copies = {
        "gz: cut in the middle of the archive": data[:mid + 200],
        "gz: cut inside the last record": data[:members[-1] + (len(data) - members[-1]) // 2],
        "gz: 64 noise bytes inside a member in the middle": (data[:mid + 300] + os.urandom(64)
                                                             + data[mid + 364:]),
    }
    if plain is not None:
        raw = plain.read_bytes()
        at = raw.index(b"WARC/1.1\r\nWARC-Type: response", len(raw) // 2)
        length_at = raw.index(b"Content-Length: ", at) + len(b"Content-Length: ")
        end = raw.index(b"\r\n", length_at)
        too_small = str(int(raw[length_at:end]) // 2).encode().rjust(end - length_at)
        nxt = raw.index(b"WARC/1.1\r\n", at + 10)
        copies.update({
            "plain: cut in the middle of the archive": raw[:at + 5000],
            "plain: Content-Length too small in one record": raw[:length_at] + too_small + raw[end:],
            "plain: noise between two records": raw[:nxt] + b"\x00garbage\xff" * 50 + raw[nxt:],
        })
    copies["gz: a chunked and gzip-encoded page, then three plain ones"] = encoded_then_plain()
    out = {}
    for n, (name, blob) in enumerate(copies.items()):
        path = folder / f"damaged-{n}.warc{'.gz' if name.startswith('gz') else ''}"
        path.write_bytes(blob)
        out[name] = path
    return out


def robustness(gz: Path, plain: Path | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="warc-damage-"))
    try:
        whole = {name: fn(str(gz))["html"] for name, fn in READERS.items()}
        for name, path in damaged_copies(gz, plain, folder).items():
            for lib, fn in READERS.items():
                out = fn(str(path))
                print(json.dumps({"bench": "damaged archive", "case": name, "library": lib,
                                  "html_read": out["html"],
                                  "html_in_whole_archive": 4 if "then three" in name else whole[lib],
                                  "error": (out["error"] or "")[:120] or None,
                                  "last_record_at": out["last_record_at"], "archive_bytes": path.stat().st_size}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def mutate(data: bytes, rng) -> bytes:
    """1-8 random edits: a byte changed, a run deleted, noise inserted, a Content-Length changed."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op, i = rng.random(), rng.randrange(len(b))
        if op < 0.5:
            b[i] = rng.randrange(256)
        elif op < 0.7:
            del b[i:i + rng.randint(1, 200)]
        elif op < 0.85:
            b[i:i] = rng.randbytes(rng.randint(1, 50))
        elif (j := b.find(b"Content-Length: ", i)) >= 0:
            b[j + 16:j + 18] = str(rng.choice([0, 9, 99999999999])).encode()
    return bytes(b)


def fuzz(path: Path, count: int) -> None:
    """`count` randomly damaged copies of a small archive: pages each reader delivers in all,
    and what it raised (a crash of the process would end the script)."""
    import contextlib
    import io
    import random

    data = path.read_bytes()
    folder = Path(tempfile.mkdtemp(prefix="warc-fuzz-"))
    pages = {name: 0 for name in READERS}
    raised: dict[str, dict[str, int]] = {name: {} for name in READERS}
    try:
        target = folder / path.name
        for seed in range(count):
            target.write_bytes(mutate(data, random.Random(seed)))
            for name, fn in READERS.items():
                with contextlib.redirect_stderr(io.StringIO()):  # warcio prints decompression errors
                    out = fn(str(target))
                pages[name] += out["html"]
                kind = (out["error"] or "none").split(":")[0] if name != "cleaner" else (
                    "damage reported" if out["error"] else "none")
                raised[name][kind] = raised[name].get(kind, 0) + 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    whole = READERS["fastwarc"](str(path))["html"] * count
    for name in READERS:
        print(json.dumps({"bench": "randomly damaged archives", "archive": path.name, "copies": count,
                          "library": name, "pages_read": pages[name], "pages_in_undamaged_copies": whole,
                          "outcomes": raised[name]}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gz", help="a .warc.gz made by make_warc.py")
    ap.add_argument("plain", nargs="?", help="the same archive uncompressed (make_warc.py --plain)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--fuzz", help="a small .warc.gz or .warc to damage at random (make_warc.py on ~20 pages)")
    ap.add_argument("--copies", type=int, default=300, help="damaged copies for --fuzz")
    args = ap.parse_args()
    for path in [args.gz] + ([args.plain] if args.plain else []):
        speed(path, args.rounds)
    robustness(Path(args.gz), Path(args.plain) if args.plain else None)
    if args.fuzz:
        fuzz(Path(args.fuzz), args.copies)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
