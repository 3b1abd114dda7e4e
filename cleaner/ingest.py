"""Stage 1: find input files and read them into `RawDocument`s.

Accepts folders (recursive), files and globs; `.txt` (or no extension), `.html`/`.htm`,
`.jsonl` and `.json` (one record, an array of records, or JSONL), each optionally
gzip-compressed, and WARC archives (`.warc`, `.warc.gz`: each HTML response a document,
read as a stream by `cleaner.warc`).  Bytes that are not UTF-8 are decoded with the charset an
HTML page declares (`<meta charset>`) when they fit it, else by detection (charset-normalizer),
and the encoding is recorded.  A bad file never stops the run: it becomes an `InputFile`
with status failed and a one-line error.
"""
from __future__ import annotations

import codecs
import glob
import gzip
import json
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding

from . import warc
from .config import IngestConfig
from .models import ArchiveCounts, FileStatus, InputFile, RawDocument

TEXT_SUFFIXES = {".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | warc.ARCHIVE_SUFFIXES | {".gz", ".json"}
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


class InputError(Exception):
    """A file that cannot be read as a document; the message goes into the manifest."""


OUTPUT_FOLDER = "the output folder of this run, not read"
NO_SUCH_PATH = "no such file or directory"
NO_MATCH = "no file matches this pattern"


def discover(paths: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()
             ) -> Iterator[tuple[str, str | None]]:
    """Yield (path, error) for every input file, in a stable order.

    Folders are walked recursively (sorted, symlinked folders not followed, so a symlink
    loop cannot trap the walk); globs are expanded; paths that don't exist yield an error.
    Folders in `exclude` (the run's output folder, when it sits inside an input folder)
    are not entered and yield `OUTPUT_FOLDER`, so a re-run never reads its own output.
    """
    excluded = {os.path.realpath(p) for p in exclude}
    seen: set[str] = set()
    for raw in paths:
        raw = os.fspath(raw)
        if os.path.isdir(raw):
            candidates = _walk(raw, excluded)
        elif os.path.lexists(raw):
            candidates = iter([raw])
        elif glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield raw, NO_MATCH
            candidates = (m for p in matches for m in (_walk(p, excluded) if os.path.isdir(p) else [p]))
        else:
            yield raw, NO_SUCH_PATH
            continue
        for path in candidates:
            key = os.path.normpath(path)
            if key not in seen:
                seen.add(key)
                if excluded and os.path.isdir(path) and os.path.realpath(path) in excluded:
                    yield path, OUTPUT_FOLDER
                else:
                    yield path, None


def unmatched(paths: Iterable[str | os.PathLike]) -> list[tuple[str, str]]:
    """(path, why) for each of `paths` that names no file, as `discover` reports it: the
    CLI refuses to start a run on a mistyped path."""
    missing = []
    for raw in map(os.fspath, paths):
        if os.path.lexists(raw):
            continue
        if not glob.has_magic(raw):
            missing.append((raw, NO_SUCH_PATH))
        elif next(glob.iglob(raw, recursive=True), None) is None:
            missing.append((raw, NO_MATCH))
    return missing



def _walk(folder: str, excluded: set[str] = frozenset()) -> Iterator[str]:
    """Files under `folder`, sorted; symlinked and excluded folders are yielded (to be
    reported), not entered."""
    if excluded and os.path.realpath(folder) in excluded:
        yield folder
        return
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        linked = [d for d in dirs if os.path.islink(os.path.join(root, d))
                  or (excluded and os.path.realpath(os.path.join(root, d)) in excluded)]
        dirs[:] = [d for d in dirs if d not in linked]
        for name in sorted(files + linked):
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
        if os.path.isdir(path):
            raise InputError("symlink to a folder, not followed" if os.path.islink(path) else "a folder")
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
    """Decode bytes to text: BOM, then UTF-8, then a scored guess among legacy codecs.

    UTF-8 with a few invalid bytes (a damaged file, not a legacy one: valid multi-byte
    sequences outnumber the invalid bytes four to one) keeps UTF-8, the bad bytes replaced
    by U+FFFD; `decode_with_notes` says how many.

    charset-normalizer alone is unreliable on short samples (it reads French latin-1 as
    cp1250 and three Shift-JIS characters as big5hkscs), so its candidates join a fixed
    list of common legacy encodings and each decoding is scored for plausibility
    (`_plausibility`); the best wins, ties going to the earlier, more common codec.

    >>> decode("café".encode("cp1252"))
    ('café', 'cp1252')
    >>> decode("Le café était fermé à cause de la grève.".encode("latin-1"))[0]
    'Le café était fermé à cause de la grève.'
    >>> decode("日本語".encode("shift_jis"))
    ('日本語', 'shift_jis')
    >>> decode(b"plain")
    ('plain', 'utf-8')
    """
    return decode_with_notes(data)[:2]


def decode_with_notes(data: bytes, html: bool = False) -> tuple[str, str, list[str]]:
    """`decode`, plus notes for the manifest about bytes that had to be replaced.  An HTML
    page (`html`) that is not UTF-8 is read with the charset it declares when its bytes fit
    it (`declared_in_page`), before any guess: the page's word is better evidence than
    scoring a dozen decodings, and costs nothing."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", ""), []
            except UnicodeDecodeError:
                break
    utf16 = _bomless_utf16(data)
    if utf16:
        return (*utf16, [])
    data, notes = _without_stray_nuls(data)
    try:
        return data.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise InputError("binary data, not text")
    damaged = _damaged_utf8(data)
    if damaged:
        return damaged[0], damaged[1], notes + damaged[2]
    declared = declared_in_page(data) if html else None
    text, encoding = declared or _decode_legacy(data)
    return text, encoding, notes


PRESCAN_BYTES = 4096


def _ascii_compatible(codec: str) -> bool:
    """The markup that declared it reads the same in it (not EBCDIC or UTF-16, which a
    `<meta>` tag written in ASCII cannot truly declare)."""
    probe = b'<meta charset="x"> =;/'
    try:
        return probe.decode(codec) == probe.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def declared_in_page(data: bytes) -> tuple[str, str] | None:
    """`data` decoded with the charset its HTML declares near its start (`<meta charset>`,
    `<meta http-equiv="Content-Type">`, an XML declaration; read by w3lib, latin-1 and ASCII
    labels as windows-1252, as browsers do), or None: nothing declared, a Unicode encoding
    declared (the bytes were not UTF-8 already, and browsers never honour UTF-7, whose
    decoding could make markup out of plain bytes), or bytes that do not fit the declaration.

    >>> declared_in_page('<meta charset="iso-8859-2"><p>Zażółć gęślą jaźń</p>'.encode("iso-8859-2"))
    ('<meta charset="iso-8859-2"><p>Zażółć gęślą jaźń</p>', 'iso8859-2')
    >>> declared_in_page("<p>café</p>".encode("cp1252")) is None
    True
    >>> declared_in_page(b'<meta charset="utf-7"><p>+ADw-script+AD4-</p>') is None
    True
    >>> declared_in_page(b'<meta charset="cp037"><p>cafe</p>') is None
    True
    """
    try:
        name = html_body_declared_encoding(data[:PRESCAN_BYTES])
        codec = codecs.lookup(name).name if name else None
    except Exception:  # the declaration is only a hint; never let it fail the file
        return None
    if codec is None or codec.startswith("utf") or not _ascii_compatible(codec):
        return None
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return None


STRAY_NUL_SHARE = 0.01
"""NUL bytes up to this share of a file (BOM-less UTF-16 excepted) are damage, removed."""


def _without_stray_nuls(data: bytes) -> tuple[bytes, list[str]]:
    """`data` less a few NUL bytes, with a note saying how many: a stray NUL in an otherwise
    normal page is damage to remove, not a sign of binary data.  Many NULs are left for the
    binary check; so is data that is binary without its NULs.

    >>> _without_stray_nuls(b"<p>Hello" + b"\\x00" + b" world</p>" * 20)[1]
    ['1 stray NUL byte removed']
    >>> _without_stray_nuls(b"\\x00\\x01\\x02binary\\x00" * 10)[1]
    []
    """
    stray = data.count(0)
    if not stray or stray > STRAY_NUL_SHARE * len(data):
        return data, []
    cleaned = data.replace(b"\x00", b"")
    if _looks_binary(cleaned):
        return data, []
    return cleaned, [f"{stray} stray NUL byte{'s' if stray > 1 else ''} removed"]


def _damaged_utf8(data: bytes) -> tuple[str, str, list[str]] | None:
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    valid = sum(1 for ch in text if ord(ch) >= 0x80) - text.count("\ufffd")
    if replaced and valid >= 4 * replaced:
        return text, "utf-8", [f"{replaced} invalid UTF-8 byte sequence(s) replaced with U+FFFD"]
    return None


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """The most plausible decoding among common legacy codecs and charset-normalizer's picks."""
    sample = data[:_SAMPLE_BYTES]
    scored = []
    rare = sum(b >= 128 for b in sample) * 1.0  # prior against codecs outside _LEGACY (cp852, cp775...)
    for order, codec in enumerate(_candidates(sample)):
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=len(sample) == len(data))
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((-_plausibility(text, codec) + (rare if order >= len(_LEGACY) else 0), order, codec))
    for _, _, codec in sorted(scored):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue  # the sample fitted but a later byte does not
    raise InputError("undecodable bytes: no text encoding fits")


_SAMPLE_BYTES = 65_536
# Most common legacy encodings of news text first: ties go to the earlier one.
_LEGACY = ("cp1252", "cp1250", "cp1251", "koi8_r", "cp1253", "cp1254", "cp1257", "iso8859_15",
           "shift_jis", "cp932", "euc_jp", "gb18030", "big5", "euc_kr")
_WESTERN = set("àâäçéèêëîïôöùûüñáíóúãõåæøœßÀÂÄÇÉÈÊËÎÏÔÖÙÛÜÑÁÍÓÚÃÕÅÆØŒ")
_COMMON_PUNCT = set("“”‘’‚„–—…€«»°£§¢©®™•·\u00a0¡¿")
# For CJK codecs: (bytes of the character in the codec's base charset) -> is it a common
# ideograph (level 1 of GB 2312, Big5, JIS X 0208)?  Wrong guesses decode to rare ones.
_COMMON_IDEOGRAPH = {
    "gb18030": ("gb2312", lambda b: 0xB0 <= b[0] <= 0xD7),
    "gbk": ("gb2312", lambda b: 0xB0 <= b[0] <= 0xD7),
    "big5": ("big5", lambda b: 0xA4 <= b[0] <= 0xC6),
    "shift_jis": ("shift_jis", lambda b: 0x889F <= int.from_bytes(b, "big") <= 0x9872),
    "cp932": ("shift_jis", lambda b: 0x889F <= int.from_bytes(b, "big") <= 0x9872),
    "euc_jp": ("shift_jis", lambda b: 0x889F <= int.from_bytes(b, "big") <= 0x9872),
}


def _candidates(sample: bytes) -> list[str]:
    names = list(_LEGACY)
    known = {codecs.lookup(n).name for n in names}
    try:
        for match in list(from_bytes(sample))[:4]:
            name = codecs.lookup(match.encoding).name
            if name not in known and not name.startswith("utf"):
                names.append(name)
                known.add(name)
    except Exception:  # detection is only a hint; never let it fail the file
        pass
    return names


def _plausibility(text: str, codec: str) -> float:
    """How much a decoding looks like real text: common letters score, mojibake costs.

    Scores are roughly per input byte.  What wrong guesses produce costs: symbols glued to
    letters ('Za¿ó³æ' is cp1250 read as cp1252), runs of accented Latin letters
    ('Ïðèâåò' is cp1251 read as cp1252), rare ideographs and halfwidth katakana, private-use
    and control characters, script or case changes inside a word.
    """
    ideograph = _COMMON_IDEOGRAPH.get(codecs.lookup(codec).name)
    score = 0.0
    prev = " "
    for ch in text:
        o = ord(ch)
        if o < 128:
            if ch.isalpha() and prev.isalpha() and _script(prev) != "latin":
                score -= 3
            prev = ch
            continue
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            script = _script(ch)
            if script == "latin":
                score += 1 if ch in _WESTERN else 0.8 if 0x0100 <= o <= 0x017F else 0.3
                if ord(prev) >= 128 and prev.isalpha():
                    score -= 1.2
            elif 0x3040 <= o <= 0x30FF:
                score += 1.6  # kana
            elif 0xAC00 <= o <= 0xD7AF:
                score += 2  # hangul syllables: Japanese or Chinese misread as EUC-KR never gives these
            elif 0x4E00 <= o <= 0x9FFF:
                score += 1.6 if ideograph and _is_common(ch, *ideograph) else 0.2
            elif 0xFF61 <= o <= 0xFF9F:
                score -= 1  # halfwidth katakana: what misread Cyrillic and Latin turn into
            elif script in ("greek", "cyrillic", "hebrew", "arabic", "thai"):
                score += 0.8 if not 0xFB50 <= o <= 0xFEFF else -2
            else:
                score -= 1
            if prev.isalpha() and _script(prev) != script:
                score -= 3
            if prev.isalpha() and prev.islower() and ch.isupper():
                score -= 1
        elif cat in ("Cc", "Co", "Cn", "Cs"):
            score -= 5
        elif ch in _COMMON_PUNCT or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E:
            score += 1.6 if o >= 0x3000 else 1
        else:
            score -= 0.5
        if cat[0] in "PS" and prev.isalpha() and ord(prev) >= 128:
            score -= 1.5
        prev = ch
    return score


def _is_common(ch: str, charset: str, test) -> bool:
    try:
        b = ch.encode(charset)
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and test(b)


def _script(ch: str) -> str:
    o = ord(ch)
    if o < 0x0250 or 0x1E00 <= o <= 0x1EFF:
        return "latin"
    if 0x0370 <= o <= 0x03FF:
        return "greek"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if 0xAC00 <= o <= 0xD7AF:
        return "hangul"
    if 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or o > 0xFFFF:
        return "cjk"
    return unicodedata.name(ch, "other ").split()[0].lower()


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: mostly-ASCII text has a zero byte in every other position."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    for codec, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if zeros.count(0) >= 0.9 * len(zeros):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                return None
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.05


def _sniff_format(ext: str, text: str) -> str:
    """A file's format from its last suffix (`.gz` aside), else from how its text starts."""
    if ext in HTML_SUFFIXES:
        return "html"
    if ext in JSONL_SUFFIXES or ext == ".json":
        return "jsonl"
    return "html" if _starts_like_html(text) else "text"


def _starts_like_html(head: str) -> bool:
    """`head` opens with a doctype or an `<html>` tag (before decoding, its bytes read as ASCII)."""
    return head[:1024].lstrip().lower().startswith(("<!doctype html", "<html"))


STREAM_JSONL_BYTES = 8 * 1024 * 1024
"""JSONL files larger than this on disk are read one line at a time (see `stream_jsonl`)."""


def read_file(path: str, config: IngestConfig, id_for=lambda stem: stem
              ) -> tuple[InputFile, Iterable[RawDocument]]:
    """Read one input file into documents; failures are recorded, never raised.

    A large JSONL file in UTF-8 comes back as a lazy iterator (`stream_jsonl`), everything
    else as a list.
    """
    record = InputFile(path=path)
    stem, suffixes = split_name(path)
    inner = [x for x in suffixes if x != ".gz"]
    ext = inner[-1] if inner else ""
    if ext in warc.ARCHIVE_SUFFIXES:
        return read_archive(path, stem, config, record, id_for)
    if (ext in JSONL_SUFFIXES or ext == ".json") and _streamable(path) and (ext != ".json" or _holds_jsonl(path, config)):
        return stream_jsonl(path, stem, config, record, id_for)
    try:
        data, _ = read_bytes(path, config)
        if not data.strip():
            record.status = FileStatus.SKIPPED
            record.error = "empty file" if not data else "only whitespace"
            return record, []
        html = ext in HTML_SUFFIXES or _starts_like_html(data[:1024].decode("ascii", "replace"))
        text, encoding, notes = decode_with_notes(data, html=html)
    except InputError as exc:
        return record.fail(str(exc)), []
    record.encoding = encoding
    record.problems.extend(notes)
    record.format = _sniff_format(ext, text)
    if not text.strip():
        record.status = FileStatus.SKIPPED
        record.error = "only whitespace"
        return record, []
    if record.format == "jsonl" and ext == ".json":
        docs = _read_json(path, stem, text, encoding, config, record, id_for)
        if not docs and record.status is FileStatus.OK:
            record.fail("no valid JSON records" + (f": {record.problems[0]}" if record.problems else ""))
    elif record.format == "jsonl":
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


_LONE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE_CHAR = re.compile("[\ud800-\udfff]")


def _scrub_surrogates(value):
    """Replace lone surrogates (valid JSON, invalid Unicode text) so output stays encodable."""
    if isinstance(value, str):
        return _SURROGATE_CHAR.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub_surrogates(k): _scrub_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_surrogates(v) for v in value]
    return value


def _read_json(path, stem, text, encoding, config: IngestConfig, record: InputFile, id_for) -> list[RawDocument]:
    """A `.json` file: one record object, an array of them, or (often, in dumps) JSONL."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return list(_read_jsonl(path, stem, text, encoding, config, record, id_for))
    value = _scrub_surrogates(value)
    items = value if isinstance(value, list) else [value]
    docs = (_record_from_object(obj, path, stem, i, f"item {i}", encoding, config, record, id_for)
            for i, obj in enumerate(items, 1))
    return [d for d in docs if d is not None]


def _read_jsonl(path, stem, text, encoding, config: IngestConfig, record: InputFile, id_for):
    for lineno, line in enumerate(text.splitlines(), 1):
        raw = _parse_jsonl_line(path, stem, lineno, line, encoding, config, record, id_for)
        if raw is not None:
            yield raw


def _parse_jsonl_line(path, stem, lineno, line, encoding, config: IngestConfig, record: InputFile, id_for
                      ) -> RawDocument | None:
    if not line.strip():
        return None
    where = f"line {lineno}"
    if len(line) > config.max_record_bytes:
        record.skip(f"{where}: record larger than ingest.max_record_bytes")
        return None
    try:
        obj = json.loads(line)
        if _LONE_SURROGATE.search(line):  # "\\ud800" escapes decode to unencodable text
            scrubbed = _scrub_surrogates(obj)
            if scrubbed != obj:
                obj = scrubbed
                record.problems.append(f"{where}: lone surrogate escapes replaced with U+FFFD")
    except json.JSONDecodeError as exc:
        record.skip(f"{where}: invalid JSON ({exc.msg})")
        return None
    return _record_from_object(obj, path, stem, lineno, where, encoding, config, record, id_for)


def _record_from_object(obj, path, stem, number, where, encoding, config: IngestConfig, record: InputFile,
                        id_for) -> RawDocument | None:
    """One JSON record (a JSONL line or an item of a JSON array) as a raw document."""
    if not isinstance(obj, dict):
        record.skip(f"{where}: not a JSON object")
        return None
    content, fmt = obj.get(config.text_field), "text"
    if content is None:
        content, fmt = obj.get(config.html_field), "html"
    if not isinstance(content, str):
        problem = "missing" if content is None else "not a string"
        record.skip(f"{where}: field {config.text_field!r} or {config.html_field!r} {problem}")
        return None
    doc_id = obj.get(config.id_field)
    doc_id = str(doc_id) if isinstance(doc_id, (str, int)) and str(doc_id).strip() else f"{stem}-{number}"
    title, url = obj.get(config.title_field), obj.get(config.url_field)
    return RawDocument(id=id_for(doc_id), source=f"{path}:{number}", content=content, format=fmt,
                       encoding=encoding, title=title if isinstance(title, str) else None,
                       url=url if isinstance(url, str) else None)


def _open_maybe_gzip(path: str):
    with open(path, "rb") as probe:
        gz = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else open(path, "rb")


def _holds_jsonl(path: str, config: IngestConfig) -> bool:
    """Whether a `.json` file is JSONL, as large dumps often are: its first line is a whole
    JSON object (one object or an array over many lines is read whole)."""
    try:
        with _open_maybe_gzip(path) as fh:
            line = fh.readline(config.max_record_bytes + 1)
        return isinstance(json.loads(line), dict)
    except (OSError, EOFError, zlib.error, ValueError):
        return False


def _streamable(path: str) -> bool:
    """Whether a JSONL file is big enough to stream and reads, streamed, exactly as it would
    whole: a regular file, strict UTF-8 (a UTF-8 BOM allowed) without NUL bytes, no other
    BOM, and a readable gzip stream if compressed.  One cheap sequential pass; anything
    else takes the whole-file path with its detection, notes and limits."""
    try:
        if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) <= STREAM_JSONL_BYTES:
            return False
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        with _open_maybe_gzip(path) as fh:
            first = True
            while block := fh.read(1 << 20):
                if first:
                    if any(block.startswith(bom) for bom, codec in BOMS if codec != "utf-8-sig"):
                        return False
                    first = False
                if b"\x00" in block:
                    return False
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return True
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        return False


def stream_jsonl(path: str, stem: str, config: IngestConfig, record: InputFile, id_for
                 ) -> tuple[InputFile, Iterator[RawDocument]]:
    """A large UTF-8 JSONL file, one line at a time, so memory does not grow with the file.

    Records, line numbers and problems are those of the whole-file path (each byte line is
    split again with `str.splitlines`, as the whole text would be).  The whole-file size
    limit does not apply (nothing is held whole); each record keeps `max_record_bytes`.
    `record.documents` counts up as records are read; the file fails when it ends without
    a valid record.
    """
    record.format, record.encoding = "jsonl", "utf-8"

    def records() -> Iterator[RawDocument]:
        lineno = 0
        blank = True
        try:
            with _open_maybe_gzip(path) as fh:
                for n, data in enumerate(fh):
                    text = data.decode("utf-8")
                    if n == 0 and text.startswith("\ufeff"):
                        text = text[1:]
                    blank = blank and not text.strip()
                    for line in text.splitlines():
                        lineno += 1
                        raw = _parse_jsonl_line(path, stem, lineno, line, "utf-8", config, record, id_for)
                        if raw is not None:
                            record.documents += 1
                            yield raw
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
            record.skip(f"stopped reading: {exc}")
        if blank:
            record.status, record.error = FileStatus.SKIPPED, "only whitespace"
        elif not record.documents and record.status is FileStatus.OK:
            record.fail("no valid JSONL records" + (f": {record.problems[0]}" if record.problems else ""))

    return record, records()


def read_archive(path: str, stem: str, config: IngestConfig, record: InputFile, id_for
                 ) -> tuple[InputFile, Iterator[RawDocument]]:
    """A WARC archive, one HTML response record at a time (`warc.read_pages`), so memory
    does not grow with the archive.  Each page is decoded with the charset its HTTP
    Content-Type declares (`decode_declared`); its id is its WARC-Record-ID
    (`warc.record_id_stem`), its url the WARC-Target-URI, its date the WARC-Date (the page's
    own date wins in extraction), its source `PATH@OFFSET`.  What became of every record is
    counted in `record.archive`; `record.documents` counts up as pages are read."""
    record.format = "warc"
    record.archive = counts = ArchiveCounts()
    if warc.is_arc(path):
        return record.fail("ARC archives are not read (FastWARC reads WARC 1.0 and 1.1): convert with "
                           "`warcio recompress FILE.arc FILE.warc.gz`"), iter(())
    try:
        if os.path.islink(path) and not os.path.exists(path):
            raise InputError("broken or looping symlink")
        if not os.path.isfile(path):
            raise InputError("not a regular file")
        if os.path.getsize(path) == 0:
            record.status, record.error = FileStatus.SKIPPED, "empty file"
            return record, iter(())
    except InputError as exc:
        return record.fail(str(exc)), iter(())
    except OSError as exc:
        return record.fail(f"cannot read: {exc.strerror or exc}"), iter(())

    def documents() -> Iterator[RawDocument]:
        pages = counts.tally(warc.CLEANED)
        try:
            for page in warc.read_pages(path, config.max_record_bytes, counts):
                source = f"{path}@{page.offset}"
                if isinstance(page, warc.WarcFailure):
                    record.skip(f"{source}: {page.error}")
                    continue
                try:
                    text, encoding, notes = decode_declared(page.payload, page.charset)
                    if "\x00" in text:
                        raise InputError("binary data, not text")
                except InputError as exc:
                    pages.failed_reading += 1
                    record.skip(f"{source}: {exc}")
                    continue
                record.problems.extend(f"{source}: {note}" for note in notes)
                pages.sent += 1
                record.documents += 1
                yield RawDocument(id=id_for(warc.record_id_stem(page.record_id) or f"{stem}-{page.offset}"),
                                  source=source, content=text, format="html", encoding=encoding,
                                  url=page.url, date=page.date)
        except warc.ArchiveError as exc:
            record.fail(f"not a readable WARC archive: {exc}")
        except OSError as exc:
            record.fail(f"cannot read: {exc.strerror or exc}")
        for damage in counts.damage:
            resumed = (f"reading resumed at byte {damage.resumed_at}" if damage.resumed_at is not None
                       else "nothing readable after it")
            record.skip(f"{path}@{damage.offset}: {damage.error}; {resumed}")

    return record, documents()


_BROWSER_CODECS = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                   "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "iso-8859-9": "cp1254",
                   "iso8859-9": "cp1254", "latin5": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874"}
"""Charset labels that browsers read as a wider Windows code page (WHATWG Encoding)."""


def decode_declared(data: bytes, charset: str | None) -> tuple[str, str, list[str]]:
    """Decode bytes whose charset a header declares, as browsers do: a BOM wins, then the
    declared charset (latin-1 and ASCII labels read as windows-1252); when it is unknown or
    does not fit the bytes, or none is declared, detection as for files (`decode_with_notes`).

    >>> decode_declared("café".encode("cp1252"), "ISO-8859-1")[:2]
    ('café', 'cp1252')
    >>> decode_declared("日本語".encode("euc_jp"), "EUC-JP")[:2]
    ('日本語', 'euc_jp')
    >>> decode_declared("café".encode(), None)[:2]
    ('café', 'utf-8')
    """
    notes: list[str] = []
    if charset and not any(data.startswith(bom) for bom, _ in BOMS):
        label = charset.strip().strip("\"'").lower()
        try:
            codec = codecs.lookup(_BROWSER_CODECS.get(label, label)).name
        except LookupError:
            notes.append(f"unknown declared charset {charset!r}: detected instead")
        else:
            try:
                return data.decode(codec), codec, []
            except UnicodeDecodeError:
                notes.append(f"bytes do not fit the declared charset {charset!r}: detected instead")
    text, encoding, more = decode_with_notes(data, html=True)
    return text, encoding, notes + more


def ingest(paths: Iterable[str | os.PathLike], config: IngestConfig, exclude: Iterable[str | os.PathLike] = ()
           ) -> Iterator[tuple[InputFile, list[RawDocument]]]:
    """Yield every input file with its documents; ids are made unique across the run.

    `exclude`: folders never read (the output folder); one met inside an input folder is
    listed as skipped.
    """
    used: dict[str, int] = {}

    def unique(doc_id: str) -> str:
        n = used.get(doc_id, 0) + 1
        used[doc_id] = n
        return doc_id if n == 1 else f"{doc_id}~{n}"

    for path, error in discover(paths, exclude):
        if error == OUTPUT_FOLDER:
            yield InputFile(path=path, status=FileStatus.SKIPPED, error=error), []
        elif error:
            yield InputFile(path=path).fail(error), []
        else:
            yield read_file(path, config, unique)
