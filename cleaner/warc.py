"""WARC archives: the HTML pages of a crawl, read as a stream of records.

FastWARC parses the archive (docs/warc.md says why it and not warcio, with figures); this
module decides which records are pages and keeps count of all the others.  A page is a
`response` record holding an HTTP response with status 2xx and an HTML body; every other
record is counted by kind (WARC-Type) with the reason it was skipped (`ArchiveCounts`).

Records are read one at a time from the open file, so memory does not grow with the
archive.  A damaged archive is read as far as it goes: where FastWARC stops (a corrupt
gzip member, a bad header, a cut in the middle of a record), the damage is noted with its
byte offset and reading resumes at the next record FastWARC can read whole (each record
of a `.warc.gz` is its own gzip member, so one bad member costs one record).  A record
the archive ends inside of is never cleaned: half a page is not the page.
"""
from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from fastwarc.stream_io import BrotliReader, GzipReader, ZstdReader
from fastwarc.warc import ArchiveIterator, WarcRecordType

from .models import ArchiveCounts, ArchiveDamage

ARCHIVE_SUFFIXES = {".warc", ".arc"}
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
CLEANED = "response"
"""The only kind of record that is cleaned."""
MAX_HEADER_BYTES = 64 * 1024
_SCAN_BLOCK = 1 << 20
_KINDS = {int(getattr(WarcRecordType, name)): name
          for name in ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
                       "continuation")}
_NOT_PAGES = {
    "warcinfo": "describes the archive",
    "request": "an HTTP request",
    "metadata": "metadata about another record",
    "revisit": "a revisit: the payload is not stored again",
    "resource": "a resource record, not an HTTP response",
    "conversion": "a conversion of another record",
    "continuation": "a continuation of a segmented record",
}


@dataclass(frozen=True)
class WarcFailure:
    """A page read whole whose body could not be decoded (its Content-Encoding)."""

    offset: int
    error: str


class ArchiveError(Exception):
    """Nothing in the file can be read as a WARC record."""


@dataclass(frozen=True)
class WarcPage:
    """An HTML response record, with what the archive says about it."""

    record_id: str  # WARC-Record-ID as written, e.g. "<urn:uuid:...>"
    url: str | None  # WARC-Target-URI
    date: str | None  # WARC-Date
    offset: int  # of the record in the archive file
    payload: bytes  # the HTTP body, transfer and content encodings undone
    charset: str | None  # from the HTTP Content-Type


def is_arc(path: str) -> bool:
    """An ARC file (the format before WARC): FastWARC does not read it."""
    name = os.path.basename(path).lower().removesuffix(".gz")
    return name.endswith(".arc")


def record_id_stem(record_id: str) -> str:
    """The document id of a record: its WARC-Record-ID without brackets and without the
    `urn:uuid:` scheme, whose UUID is a safe file name as it stands.

    >>> record_id_stem("<urn:uuid:4ec53b99-09c9-410f-a2a3-d0cfa4908c65>")
    '4ec53b99-09c9-410f-a2a3-d0cfa4908c65'
    >>> record_id_stem("<urn:sha1:ABC>")
    'urn:sha1:ABC'
    """
    rid = record_id.strip().removeprefix("<").removesuffix(">").strip()
    return rid[len("urn:uuid:"):] if rid.lower().startswith("urn:uuid:") else rid


def target_uri(value: str | None) -> str | None:
    """WARC-Target-URI, without the angle brackets some writers (wget) put around it.

    >>> target_uri("<http://127.0.0.1:8765/a.html>")
    'http://127.0.0.1:8765/a.html'
    """
    if not value:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value or None


def read_pages(path: str, max_bytes: int, counts: ArchiveCounts) -> Iterator[WarcPage | WarcFailure]:
    """Every page of the archive at `path`, in archive order, and every page that could not
    be decoded; every record is counted in `counts`, every unreadable stretch is noted in
    `counts.damage`.

    Raises `ArchiveError` when not one record of the file can be read."""
    with open(path, "rb") as fh:
        compressed = fh.read(2) == b"\x1f\x8b"
        start: int | None = 0
        read_any = False
        while start is not None:
            last: _Last | None = None
            error = None
            fh.seek(start)
            try:
                for rec in ArchiveIterator(fh, parse_http=False, max_header_len=MAX_HEADER_BYTES):
                    last = _Last(rec.stream_pos, rec.content_length)
                    read_any = True
                    page, last.whole, last.error = _take(rec, max_bytes, counts)
                    if page is not None:
                        yield page
                    if not last.whole:
                        break
            except OSError as exc:
                error = _message(exc)
            start = _after_damage(fh, compressed, start, last, error, counts)
            if not read_any and start is None:
                raise ArchiveError(error or "no WARC record found")


@dataclass
class _Last:
    """The last record met by the current pass."""

    offset: int
    length: int  # its block's Content-Length
    whole: bool = False
    error: str | None = None


def _take(rec, max_bytes: int, counts: ArchiveCounts) -> tuple[WarcPage | WarcFailure | None, bool, str | None]:
    """Count `rec` and read it if it is a page: (the page, or the failure of a page read
    whole, or None; whether the record was read whole; why not)."""
    kind = _KINDS.get(int(rec.record_type), "unknown")
    tally = counts.tally(kind)
    tally.seen += 1
    if kind != CLEANED:
        return _skipped(rec, kind, _NOT_PAGES.get(kind, "not a known kind of record"), counts)
    try:
        rec.parse_http(auto_decode="transfer", quirks_mode=True)
    except OSError as exc:
        tally.failed_reading += 1
        return None, False, f"unreadable HTTP headers: {_message(exc)}"
    reason = _not_a_page(rec)
    if reason:
        return _skipped(rec, kind, reason, counts)
    chunked = _header_set(rec.http_headers, "Transfer-Encoding")
    try:
        body = rec.reader.read(max_bytes + 1)
    except OSError as exc:
        tally.failed_reading += 1
        return None, False, f"unreadable payload: {_message(exc)}"
    if len(body) > max_bytes:
        return _skipped(rec, kind, "payload larger than ingest.max_record_bytes", counts)
    if not chunked and len(body) < rec.content_length:
        tally.failed_reading += 1
        return None, False, f"the archive ends inside this record ({len(body):,} of {rec.content_length:,} bytes)"
    try:
        payload = _content_decoded(body, rec.http_headers.get("Content-Encoding"), max_bytes)
    except (OSError, ValueError) as exc:
        tally.failed_reading += 1
        return WarcFailure(rec.stream_pos, _message(exc)), True, None
    if len(payload) > max_bytes:
        return _skipped(rec, kind, "payload larger than ingest.max_record_bytes", counts)
    if not payload or payload.isspace():  # isspace stops at the first other byte; strip would copy
        counts.skip(kind, "empty payload")
        return None, True, None
    if not rec.http_content_type and not payload[:4096].lstrip()[:64].lower().startswith((b"<!doctype html", b"<html")):
        counts.skip(kind, "no Content-Type, and not HTML")
        return None, True, None
    headers = rec.headers
    page = WarcPage(rec.record_id or "", target_uri(headers.get("WARC-Target-URI")), headers.get("WARC-Date"),
                    rec.stream_pos, payload, rec.http_charset)
    return page, True, None


_CONTENT_DECODERS = {"gzip": GzipReader, "x-gzip": GzipReader, "deflate": partial(GzipReader, zlib=True),
                     "br": BrotliReader, "zstd": ZstdReader}


def _content_decoded(body: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """The body with its Content-Encoding undone by FastWARC's stream readers, never more
    than `max_bytes` + 1 bytes.  (FastWARC's own auto_decode="all" loses its place in the
    archive after a record that is both chunked and gzipped, so only the transfer encoding
    is undone while reading.)"""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):  # applied in the order listed: undone last first
        if coding == "identity":
            continue
        decoder = _CONTENT_DECODERS.get(coding)
        if decoder is None:
            raise ValueError(f"unsupported Content-Encoding: {coding}")
        body = decoder(io.BytesIO(body)).read(max_bytes + 1)
    return body


def _not_a_page(rec) -> str | None:
    """Why an HTTP response record is not cleaned, or None when it may be a page (one
    without a Content-Type is judged by its first bytes)."""
    http = rec.http_headers if rec.is_http else None
    if http is None:
        return "not an HTTP response"
    status = http.status_code
    if status is None or not 200 <= status < 300:
        return f"HTTP status {status}"
    content_type = (rec.http_content_type or "").strip().lower()
    if content_type and content_type not in HTML_TYPES:
        return f"not HTML: {content_type}"
    return None


def _skipped(rec, kind: str, reason: str, counts: ArchiveCounts) -> tuple[None, bool, str | None]:
    """`_take`'s answer for a record it does not clean: read past it; skipped for `reason`
    when it was there whole, failed when not."""
    try:
        whole = _consumed_whole(rec)
        error = None if whole else f"record cut short ({rec.reader.tell():,} of {rec.content_length:,} bytes)"
    except OSError as exc:
        whole, error = False, _message(exc)
    if whole:
        counts.skip(kind, reason)
    else:
        counts.tally(kind).failed_reading += 1
    return None, whole, error


def _header_set(http, name: str) -> bool:
    """Whether header `name` is there with a value other than identity."""
    value = (http.get(name) or "").strip().lower()
    return bool(value) and value != "identity"


def _consumed_whole(rec) -> bool:
    """Read past the rest of `rec`; whether its block was there in full."""
    rec.reader.consume()
    if rec.is_http_parsed and rec.http_headers is not None and _header_set(rec.http_headers, "Transfer-Encoding"):
        return True  # a chunked body cut short raises
    return rec.reader.tell() >= rec.content_length


def _message(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


# --------------------------------------------------------------------------- damage


def _after_damage(fh, compressed: bool, start: int, last: _Last | None, error: str | None,
                  counts: ArchiveCounts) -> int | None:
    """Where to go on reading after FastWARC stopped (None: the archive is done), noting
    the damage in `counts`.  A pass that met no record failed at `start`; one whose last
    record was not read whole failed there; otherwise the damage starts where the last
    record ends, when FastWARC raised there or when something there still looks like a record."""
    if last is None:
        at, why, search_from = start, error or "not a WARC record", start + 1
    elif not last.whole:
        at, why, search_from = last.offset, last.error or error or "unreadable record", last.offset + 1
    else:
        at = search_from = _record_end(fh, last, compressed)
        if error is None:
            if _next_candidate(fh, at, compressed) is None:
                return None  # the archive ended after a whole record
            why = "unreadable record"
        else:
            why = error
    resume = _next_readable(fh, search_from, compressed)
    counts.damage.append(ArchiveDamage(at, why, resume))
    return resume


def _record_end(fh, last: _Last, compressed: bool) -> int:
    """The byte just past the record read whole at `last.offset`: the end of its gzip member,
    or of its block and the two CRLF after it."""
    fh.seek(last.offset)
    if compressed:
        d = zlib.decompressobj(31)
        consumed = 0
        while not d.eof:
            block = fh.read(_SCAN_BLOCK)
            if not block:
                break
            d.decompress(block)
            consumed += len(block) - len(d.unused_data)
            while d.unconsumed_tail:  # keep memory flat on members that expand a lot
                d.decompress(d.unconsumed_tail, _SCAN_BLOCK)
        return last.offset + consumed
    head = fh.read(MAX_HEADER_BYTES)
    cut = head.find(b"\r\n\r\n")
    cut = cut + 4 if cut >= 0 else (head.find(b"\n\n") + 2 if b"\n\n" in head else len(head))
    return last.offset + cut + last.length + 4


def _candidates(fh, start: int, compressed: bool) -> Iterator[int]:
    """Offsets from `start` on where a record could begin: a gzip header, or a line
    starting `WARC/1.`."""
    magic = b"\x1f\x8b\x08" if compressed else b"\nWARC/1."
    shift = 0 if compressed else 1
    at = max(0, start - shift)
    fh.seek(at)
    carry = b""
    while True:
        block = fh.read(_SCAN_BLOCK)
        if not block:
            return
        data = carry + block
        base = at - len(carry)
        i = data.find(magic)
        while i >= 0:
            if base + i + shift >= start:
                yield base + i + shift
                fh.seek(at + len(block))  # the caller may have moved the file
            i = data.find(magic, i + 1)
        carry = data[-(len(magic) - 1):]
        at += len(block)


def _next_candidate(fh, start: int, compressed: bool) -> int | None:
    return next(_candidates(fh, start, compressed), None)


def _next_readable(fh, start: int, compressed: bool) -> int | None:
    """The first offset from `start` on where FastWARC reads a whole record."""
    for at in _candidates(fh, start, compressed):
        fh.seek(at)
        try:
            for rec in ArchiveIterator(fh, parse_http=False, max_header_len=MAX_HEADER_BYTES):
                if rec.stream_pos == at and _consumed_whole(rec):
                    return at
                break
        except OSError:
            pass
    return None
