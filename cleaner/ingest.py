"""Stage 1: find input files and read them into `RawDocument`s.

Accepts folders (recursive), files and globs; `.txt` (or no extension), `.html`/`.htm`
and `.jsonl`, each optionally gzip-compressed.  Bytes that are not UTF-8 are decoded by
detection (charset-normalizer) and the encoding is recorded.  A bad file never stops the
run: it becomes an `InputFile` with status failed and a one-line error.
"""
from __future__ import annotations

import codecs
import glob
import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from .config import IngestConfig
from .models import FileStatus, InputFile, RawDocument

TEXT_SUFFIXES = {".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | {".gz", ".json"}
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


class InputError(Exception):
    """A file that cannot be read as a document; the message goes into the manifest."""


def discover(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[str, str | None]]:
    """Yield (path, error) for every input file, in a stable order.

    Folders are walked recursively (sorted, symlinked folders not followed, so a symlink
    loop cannot trap the walk); globs are expanded; paths that don't exist yield an error.
    """
    seen: set[str] = set()
    for raw in paths:
        raw = os.fspath(raw)
        if os.path.isdir(raw):
            candidates = _walk(raw)
        elif os.path.lexists(raw):
            candidates = iter([raw])
        elif glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield raw, "no file matches this pattern"
            candidates = (m for p in matches for m in (_walk(p) if os.path.isdir(p) else [p]))
        else:
            yield raw, "no such file or directory"
            continue
        for path in candidates:
            key = os.path.normpath(path)
            if key not in seen:
                seen.add(key)
                yield path, None


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)


def split_name(path: str) -> tuple[str, list[str]]:
    """File name without its known extensions, and those extensions (outermost last).

    >>> split_name("seeds/000_c0ac4585be19e560.txt")
    ('000_c0ac4585be19e560', ['.txt'])
    >>> split_name("a/b.html.gz")
    ('b', ['.html', '.gz'])
    >>> split_name("story.v2.txt")
    ('story.v2', ['.txt'])
    """
    name = os.path.basename(path)
    suffixes: list[str] = []
    while True:
        stem, ext = os.path.splitext(name)
        if not ext or ext.lower() not in KNOWN_SUFFIXES or not stem:
            break
        suffixes.insert(0, ext.lower())
        name = stem
    return name, suffixes


def read_bytes(path: str, config: IngestConfig) -> tuple[bytes, bool]:
    """Read a file, gunzipping it when compressed, never past `max_file_bytes`."""
    limit = config.max_file_bytes
    try:
        if os.path.islink(path) and not os.path.exists(path):
            raise InputError("broken or looping symlink")
        if not os.path.isfile(path):
            raise InputError("not a regular file")
        with open(path, "rb") as fh:
            head = fh.read(2)
            fh.seek(0)
            if head == b"\x1f\x8b":
                return _gunzip(fh, limit), True
            data = fh.read(limit + 1)
    except PermissionError:
        raise InputError("permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"file larger than the {limit:,}-byte limit (ingest.max_file_bytes)")
    return data, False


def _gunzip(fh, limit: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=fh) as gz:
            data = gz.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"corrupt gzip stream: {exc}") from None
    if len(data) > limit:
        raise InputError(f"gzip expands past the {limit:,}-byte limit (ingest.max_file_bytes)")
    return data


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text: BOM, then strict UTF-8, then charset detection.

    >>> decode("café".encode("cp1252"))[0]
    'café'
    >>> decode(b"plain")
    ('plain', 'utf-8')
    """
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise InputError("binary data, not text")
    best = from_bytes(data[:200_000]).best()
    if best is None:
        raise InputError("undecodable bytes: no text encoding fits")
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        raise InputError(f"undecodable bytes (detected {best.encoding})") from None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.05


def _sniff_format(suffixes: list[str], text: str) -> str:
    inner = [s for s in suffixes if s != ".gz"]
    ext = inner[-1] if inner else ""
    if ext in HTML_SUFFIXES:
        return "html"
    if ext in JSONL_SUFFIXES or ext == ".json":
        return "jsonl"
    head = text[:1024].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")):
        return "html"
    return "text"


def read_file(path: str, config: IngestConfig, id_for=lambda stem: stem) -> tuple[InputFile, list[RawDocument]]:
    """Read one input file into documents; failures are recorded, never raised."""
    record = InputFile(path=path)
    stem, suffixes = split_name(path)
    try:
        data, _ = read_bytes(path, config)
        if not data.strip():
            record.status = FileStatus.SKIPPED
            record.error = "empty file"
            return record, []
        text, encoding = decode(data)
    except InputError as exc:
        return record.fail(str(exc)), []
    record.encoding = encoding
    record.format = _sniff_format(suffixes, text)
    if not text.strip():
        record.status = FileStatus.SKIPPED
        record.error = "only whitespace"
        return record, []
    if record.format == "jsonl":
        docs = list(_read_jsonl(path, stem, text, encoding, config, record, id_for))
        if not docs and record.status is FileStatus.OK:
            record.fail("no valid JSONL records" + (f": {record.problems[0]}" if record.problems else ""))
    else:
        if "\x00" in text:
            return record.fail("binary data, not text"), []
        docs = [RawDocument(id=id_for(stem), source=path, content=text, format=record.format,
                            encoding=encoding)]
    record.documents = len(docs)
    return record, docs


def _read_jsonl(path, stem, text, encoding, config: IngestConfig, record: InputFile, id_for):
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        if len(line) > config.max_record_bytes:
            record.problems.append(f"{where}: record larger than ingest.max_record_bytes")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            record.problems.append(f"{where}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            record.problems.append(f"{where}: not a JSON object")
            continue
        content, fmt = obj.get(config.text_field), "text"
        if content is None:
            content, fmt = obj.get(config.html_field), "html"
        if not isinstance(content, str):
            problem = "missing" if content is None else "not a string"
            record.problems.append(f"{where}: field {config.text_field!r} or {config.html_field!r} {problem}")
            continue
        doc_id = obj.get(config.id_field)
        doc_id = str(doc_id) if isinstance(doc_id, (str, int)) and str(doc_id).strip() else f"{stem}-{lineno}"
        title, url = obj.get(config.title_field), obj.get(config.url_field)
        yield RawDocument(id=id_for(doc_id), source=f"{path}:{lineno}", content=content, format=fmt,
                          encoding=encoding, title=title if isinstance(title, str) else None,
                          url=url if isinstance(url, str) else None)


def ingest(paths: Iterable[str | os.PathLike], config: IngestConfig) -> Iterator[tuple[InputFile, list[RawDocument]]]:
    """Yield every input file with its documents; ids are made unique across the run."""
    used: dict[str, int] = {}

    def unique(doc_id: str) -> str:
        n = used.get(doc_id, 0) + 1
        used[doc_id] = n
        return doc_id if n == 1 else f"{doc_id}~{n}"

    for path, error in discover(paths):
        if error:
            yield InputFile(path=path).fail(error), []
        else:
            yield read_file(path, config, unique)
