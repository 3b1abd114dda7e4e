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
between two uncompressed records) and each library reads them: how many HTML payloads it
delivered whole, whether it stopped with an error or silently, and where.
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
import zlib
from pathlib import Path


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


READERS = {"fastwarc": read_fastwarc, "warcio": read_warcio}


def timed(fn, path: str) -> tuple[float, float, dict]:
    t0, c0 = time.perf_counter(), os.times()
    out = fn(path)
    c1 = os.times()
    return time.perf_counter() - t0, (c1.user - c0.user) + (c1.system - c0.system), out


def speed(path: str, rounds: int) -> None:
    size = os.path.getsize(path)
    for fn in READERS.values():  # warm the page cache and the imports
        fn(path)
    cpu: dict[str, list[float]] = {name: [] for name in READERS}
    wall: dict[str, list[float]] = {name: [] for name in READERS}
    ratios = []
    result = {}
    for r in range(rounds):
        order = list(READERS) if r % 2 == 0 else list(reversed(READERS))
        for name in order:
            w, c, result[name] = timed(READERS[name], path)
            cpu[name].append(c)
            wall[name].append(w)
        ratios.append(cpu["warcio"][-1] / cpu["fastwarc"][-1])
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


def gzip_members(data: bytes) -> list[int]:
    """Start offset of each gzip member."""
    starts, at = [], 0
    while at < len(data):
        starts.append(at)
        d = zlib.decompressobj(31)
        d.decompress(data[at:])
        at = len(data) - len(d.unused_data)
    return starts


def damaged_copies(gz: Path, plain: Path | None, folder: Path) -> dict[str, Path]:
    data = gz.read_bytes()
    members = gzip_members(data)
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
                                  "html_read": out["html"], "html_in_whole_archive": whole[lib],
                                  "error": (out["error"] or "")[:160] or None,
                                  "last_record_at": out["last_record_at"], "archive_bytes": path.stat().st_size}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gz", help="a .warc.gz made by make_warc.py")
    ap.add_argument("plain", nargs="?", help="the same archive uncompressed (make_warc.py --plain)")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    for path in [args.gz] + ([args.plain] if args.plain else []):
        speed(path, args.rounds)
    robustness(Path(args.gz), Path(args.plain) if args.plain else None)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
