"""Stage 6: write the output contract, atomically.

Everything is first written under a staging folder inside OUT (`OUT/.staging-*`); nothing
in OUT changes until the staging is complete.  Then a small journal (`OUT/.commit`) names
the staging folder: that is the commit point.  The old `manifest.json` is removed, the
staged files and the `clean/` folder are moved into place with `os.replace`, and the new
manifest goes last, listing the size and SHA-256 of every output file.  So:

- a run killed before the commit point (Ctrl-C, SIGTERM, kill -9) leaves the previous
  outputs untouched; its staging folder is removed by the next run into OUT;
- a run killed during the short commit leaves no manifest (an incomplete folder never
  passes for complete), and the next run into OUT finishes that commit first (roll forward);
- two runs cannot write into the same OUT at once (`OUT/.lock`);
- OUT is cleaner's: a folder holding files but no manifest is refused, not emptied, and so
  is one whose output folders (clean/, report/) hold files the last run did not write,
  since a commit replaces those folders whole (`check_output_folder`);
- a run that found no documents does not replace a previous run that had some, unless
  asked to (`EmptyRun`).
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from json.encoder import encode_basestring
from pathlib import Path

from .interrupts import stop_signals_deferred
from .models import CorpusRecord, Document, DuplicateRecord, Verdict

try:
    import fcntl
except ImportError:  # Windows: no advisory lock, the rest still holds
    fcntl = None

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d|conin\$|conout\$)(\..*)?$", re.IGNORECASE)
MAX_NAME = 120
MAX_NAME_BYTES = 200
"""File systems cap names at 255 bytes; with the hash suffix and `.txt` this stays under."""
JOURNAL = ".commit"
STAGING_PREFIX = ".staging-"
TRASH_PREFIX = ".old-"
MANIFEST = "manifest.json"
CORPUS = "corpus.jsonl"
CORPUS_PARQUET = "corpus.parquet"
DUPLICATES = "duplicates.jsonl"
DUPLICATES_PARQUET = "duplicates.parquet"
FORMATS = ("jsonl", "parquet")
"""Formats of the corpus (`OutputConfig.formats`): corpus.jsonl, corpus.parquet, or both."""
CORPUS_FILES = (CORPUS, CORPUS_PARQUET, DUPLICATES_PARQUET)
"""Outputs a run writes or not, by its formats."""
STALE = ".stale"
"""In a staging folder: names of OUT's files the commit removes (`CORPUS_FILES` of formats
the run did not write)."""


class OutputLocked(RuntimeError):
    """Another run is writing into the same output folder."""


class NotAnOutputFolder(RuntimeError):
    """The output folder holds files that are not a cleaner run's: nothing was changed."""


class EmptyRun(RuntimeError):
    """The run found no documents, and the output folder keeps the previous run's."""


def safe_filename(doc_id: str) -> str:
    """A file name for `doc_id` that stays inside its folder on every OS.

    >>> safe_filename("000_c0ac4585be19e560")
    '000_c0ac4585be19e560'
    >>> safe_filename("../../etc/passwd")
    'etc_passwd-936d7c04'
    >>> safe_filename("CON")
    '_CON-7679a072'
    """
    name = _UNSAFE.sub("_", doc_id).strip("._") or "_"
    if _RESERVED.match(name):
        name = "_" + name
    if name != doc_id or len(name) > MAX_NAME or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        digest = hashlib.sha1(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        name = name[:MAX_NAME]
        while len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            name = name[:-1]
        name = f"{name}-{digest}"
    return name


def document_record(doc: Document) -> CorpusRecord:
    """The corpus.jsonl line for one document."""
    return {
        "id": doc.id,
        "source": doc.source,
        "title": doc.title,
        "text": doc.text,
        "metadata": doc.metadata.as_dict(),
        "encoding": doc.encoding,
        "removed": [{"paragraph": i if i >= 0 else None, "text": p.text, "reason": p.reason}
                    for i, p in doc.page_order() if i < 0 or p.verdict is Verdict.DROP],
        "repairs": [{"paragraph": i, "steps": [r.step for r in p.repairs], "before": p.original,
                     "after": p.text} for i, p in enumerate(doc.paragraphs) if p.repairs],
        "restored": [{"paragraph": i, "reason": p.restored} for i, p in enumerate(doc.paragraphs) if p.restored],
        "duplicate_of": doc.duplicate_of,
        "story": doc.story,
    }


def clean_text(doc: Document) -> str:
    lines = ([doc.title] if doc.title else []) + [p.text for p in doc.body]
    return "\n".join(lines) + "\n"


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=False)


def dumps(obj) -> str:
    """`json.dumps(obj, ensure_ascii=False)` through one encoder (json.dumps builds one per
    call when given options)."""
    return _ENCODER.encode(obj)


def json_inner(text: str) -> str:
    """`json.dumps(text, ensure_ascii=False)` less its quotes.  Printable text has no control
    characters, so only \\ and " need escapes: a few C scans instead of the encoder's
    per-character switch, 2x cheaper on paragraphs."""
    if text.isprintable():
        if "\\" in text:
            text = text.replace("\\", "\\\\")
        if '"' in text:
            text = text.replace('"', '\\"')
        return text
    return encode_basestring(text)[1:-1]


def json_value(value) -> str:
    """`json.dumps(value, ensure_ascii=False)` for a scalar, quick for str, None, bool and int."""
    kind = type(value)
    if kind is str:
        return '"' + json_inner(value) + '"'
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def json_object(items: Iterable[tuple[str, object]], sep: str, colon: str) -> str:
    """A flat JSON object of scalars, written with the given separators."""
    return "{" + sep.join(json_value(k) + colon + json_value(v) for k, v in items) + "}"


def json_texts(doc: Document) -> list[str]:
    """`json_inner` of each paragraph's text: the corpus line and the report page's JSON both
    hold every text, so a renderer escapes them once for both."""
    return [json_inner(p.text) for p in doc.paragraphs]


def record_line(doc: Document, texts: list[str] | None = None) -> str:
    """`dumps(document_record(doc))` written piece by piece (the worker renders every
    document, and the encoder's string escaping was most of its cost); `texts` is
    `json_texts(doc)` when the caller has it."""
    texts = json_texts(doc) if texts is None else texts
    kept, removed, repairs, restored = [], [], [], []
    for i, p in doc.page_order():
        if i < 0:  # a block the extractor left out
            removed.append(f'{{"paragraph": null, "text": {json_value(p.text)}, "reason": {json_value(p.reason)}}}')
            continue
        if p.verdict is Verdict.KEEP:
            kept.append(texts[i])
        elif p.verdict is Verdict.DROP:
            removed.append(f'{{"paragraph": {i}, "text": "{texts[i]}", "reason": {json_value(p.reason)}}}')
        if p.repairs:
            steps = ", ".join(json_value(r.step) for r in p.repairs)
            repairs.append(f'{{"paragraph": {i}, "steps": [{steps}], "before": {json_value(p.original)}, '
                           f'"after": "{texts[i]}"}}')
        if p.restored:
            restored.append(f'{{"paragraph": {i}, "reason": {json_value(p.restored)}}}')
    text = "\\n\\n".join(kept)  # the escaped "\n\n" that joins `doc.text`
    return (f'{{"id": {json_value(doc.id)}, "source": {json_value(doc.source)}, "title": {json_value(doc.title)}, '
            f'"text": "{text}", '
            f'"metadata": {json_object(doc.metadata.as_dict().items(), ", ", ": ")}, '
            f'"encoding": {json_value(doc.encoding)}, "removed": [{", ".join(removed)}], '
            f'"repairs": [{", ".join(repairs)}], "restored": [{", ".join(restored)}], '
            f'"duplicate_of": {json_value(doc.duplicate_of)}, '
            f'"story": {json_value(doc.story)}}}')


class OutputWriter:
    """Stage files under OUT/.staging-*, then commit them into OUT in one sweep.

    `formats` (`FORMATS`): corpus.jsonl, corpus.parquet (with duplicates.parquet beside
    duplicates.jsonl), or both; the Parquet files are written as the lines come
    (`cleaner.parquet.ParquetLines`).  A previous run's corpus file of a format this run
    does not write is removed by the commit."""

    def __init__(self, out: str | os.PathLike, formats: Iterable[str] = ("jsonl",), replace_with_empty: bool = False):
        """`replace_with_empty`: commit a run without documents even over a previous run that
        had some (otherwise `commit` raises EmptyRun and OUT keeps what it had)."""
        self.formats = tuple(formats)
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise ValueError(f"output formats must be among {', '.join(FORMATS)}, not {', '.join(unknown) or 'none'}")
        if "parquet" in self.formats:
            from .parquet import check_available
            check_available()  # before anything is staged: a clear error, OUT untouched
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        check_output_folder(self.out)  # before the lock file: a refused folder is left as it was
        self.replace_with_empty = replace_with_empty
        self._lock = _lock(self.out)
        self.staging = None
        self._corpus = None
        self._parquet = None
        try:
            recover(self.out)
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.out))
            (self.staging / "clean").mkdir()
            if "jsonl" in self.formats:
                self._corpus = open(self.staging / CORPUS, "wb")  # UTF-8: workers send their lines encoded
            if "parquet" in self.formats:
                from .parquet import ParquetLines
                self._parquet = ParquetLines(self.staging / CORPUS_PARQUET, CorpusRecord)
            self._sealer: ThreadPoolExecutor | None = None  # runs `_seal` of the corpus files
            self._corpus_sealed: dict[str, Future[dict]] = {}
        except BaseException:  # Ctrl-C or SIGTERM while starting: leave nothing behind
            if self._corpus is not None:
                self._corpus.close()
            if self._parquet is not None:
                self._parquet.abort()
            if self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
            self._release()
            raise
        self._committed = False
        self._clean_dir = str(self.staging / "clean")
        self._folders: set[str] = {str(self.staging), self._clean_dir}
        self._names: set[str] = set()
        self.renamed: dict[str, str] = {}
        """Documents whose clean/ file is not `<id>.txt` (unsafe or colliding ids)."""

    def clean_name(self, doc_id: str) -> str:
        """A clean/ file name for `doc_id`, unique in this run even on case-insensitive disks."""
        name = safe_filename(doc_id)
        if name.casefold() in self._names:
            digest = hashlib.sha1(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            base, n = f"{name}-{digest}", 1
            name = base
            while name.casefold() in self._names:
                n += 1
                name = f"{base}-{n}"
        self._names.add(name.casefold())
        if name != doc_id:
            self.renamed[doc_id] = f"clean/{name}.txt"
        return name

    def add(self, doc: Document, in_corpus: bool = True) -> None:
        self.add_rendered(doc.id, dumps(document_record(doc)), clean_text(doc), in_corpus)

    def add_rendered(self, doc_id: str, record: str, clean: str, in_corpus: bool = True) -> None:
        """Add a document rendered elsewhere: its corpus.jsonl line and clean/ text."""
        if in_corpus:
            self.add_records((record + "\n").encode("utf-8"))
        write_file(self.clean_path(doc_id), clean)

    def clean_path(self, doc_id: str) -> str:
        """The staged path of the next document's clean/ file (`clean_name`), for files
        placed by another process; `add_records` then adds its corpus line."""
        return os.path.join(self._clean_dir, self.clean_name(doc_id) + ".txt")

    def add_records(self, lines: bytes) -> None:
        """corpus.jsonl lines (UTF-8, each ending in a newline) of documents placed elsewhere:
        bytes, so the 45 MB of 10k documents cross the pipe from the workers and reach the
        file without a decode and an encode here.  corpus.parquet is made of the same lines."""
        if self._corpus is not None:
            self._corpus.write(lines)
        if self._parquet is not None:
            self._parquet.add(lines)

    def folder(self, name: str) -> str:
        """The staging path of output folder `name`, made if needed (files in it may be
        written by other processes)."""
        return self._made(self._staged(name))

    def _made(self, folder: str) -> str:
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return folder

    def write_lines(self, name: str, records: Iterable[dict]) -> None:
        with open(self._staged(name), "w", encoding="utf-8", newline="\n") as fh:
            for record in records:
                fh.write(dumps(record) + "\n")

    def write_duplicates(self, records: Iterable[DuplicateRecord]) -> None:
        """duplicates.jsonl, and duplicates.parquet of the same lines when Parquet is asked for."""
        self.write_lines(DUPLICATES, records)
        if "parquet" in self.formats:
            from .parquet import ParquetLines
            table = ParquetLines(self._staged(DUPLICATES_PARQUET), DuplicateRecord)
            try:
                with open(self._staged(DUPLICATES), "rb") as fh:
                    while lines := fh.read(1 << 20) + fh.readline():
                        table.add(lines)
                table.close()
            except BaseException:
                table.abort()
                raise

    def write_text(self, name: str, text: str) -> None:
        target = self._staged(name)
        self._made(os.path.dirname(target))
        write_file(target, text)

    def _staged(self, name: str) -> str:
        """The staging path of output `name`: a normalised relative path that stays inside
        (checked on the string: staging is this run's own folder and holds no links)."""
        if (name != posixpath.normpath(name) or name.startswith(("/", "../")) or name in (".", "..")
                or "\\" in name or ":" in name or name == MANIFEST):  # ":" : drive-relative on Windows
            raise ValueError(f"output name {name!r} is not a plain name inside the output folder")
        return os.path.join(self.staging, name)

    def corpus_done(self) -> None:
        """The corpus is complete: close corpus.jsonl and finish corpus.parquet, then hash
        them and flush them to disk in a thread while the rest of the report is written
        (hashlib, fsync and pyarrow release the GIL, and the run's last steps use one core:
        10k documents make 45 MB to hash)."""
        if self._corpus is not None:
            self._corpus.close()
        if not self._corpus_sealed:
            self._sealer = ThreadPoolExecutor(1, thread_name_prefix="seal")
            if self._corpus is not None:
                self._corpus_sealed[CORPUS] = self._sealer.submit(_seal, self.staging / CORPUS)
            if self._parquet is not None:
                self._corpus_sealed[CORPUS_PARQUET] = self._sealer.submit(_finish_and_seal, self._parquet)

    def commit(self, manifest: dict) -> None:
        """Move staged outputs into OUT; the manifest is written last.

        A manifest whose `counts` say no documents is not committed over a previous run with
        documents (EmptyRun; the staged outputs are discarded) unless `replace_with_empty`."""
        if not self.replace_with_empty and (manifest.get("counts") or {}).get("documents", 1) == 0:
            kept = _documents_in(self.out)
            if kept:
                self.abort()
                raise EmptyRun(f"the inputs held no documents: {self.out} keeps its previous run "
                               f"({kept} documents)")
        self.corpus_done()
        sealed = {name: future.result() for name, future in self._corpus_sealed.items()}
        if self._sealer is not None:
            self._sealer.shutdown()  # its thread is gone before the next run starts a pool
        stale = [name for name in CORPUS_FILES if name not in sealed and (self.out / name).is_file()]
        if stale:  # a format the previous run wrote and this one does not: removed by the commit
            _write_atomic(self.staging / STALE, "\n".join(stale) + "\n")
        manifest = dict(manifest)
        manifest["outputs"] = _describe_outputs(self.staging, sealed)
        if self.renamed:
            manifest["renamed"] = self.renamed
        for entry in self.staging.iterdir():
            if entry.is_file() and entry.name not in sealed:
                _fsync(entry)
        tmp = self.staging / MANIFEST
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _fsync(tmp)
        _fsync_dir(self.staging)
        _write_atomic(self.out / JOURNAL, self.staging.name + "\n")  # the commit point
        self._committed = True
        _finish_commit(self.out, self.staging)
        self._release()

    def abort(self) -> None:
        """Forget the staged outputs; OUT keeps what it had.

        Past the commit point there is nothing to forget: the commit is finished instead
        (or, if that is interrupted too, by the next run into OUT).
        """
        with stop_signals_deferred():  # a second Ctrl-C must not leave half a staging folder
            if self._corpus is not None:
                self._corpus.close()
            if self._sealer is not None:
                self._sealer.shutdown()  # it reads a file about to be removed
            if self._parquet is not None and not self._corpus_sealed:
                self._parquet.abort()
            if self._committed:
                if self.staging.exists():
                    _finish_commit(self.out, self.staging)
            else:
                shutil.rmtree(self.staging, ignore_errors=True)
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def recover(out: str | os.PathLike) -> None:
    """Finish a commit that was interrupted, then remove leftovers of killed runs.

    Call only while holding OUT's lock (OutputWriter does).
    """
    out = Path(out)
    journal = out / JOURNAL
    if journal.exists():
        staging = out / journal.read_text(encoding="utf-8").strip()
        if staging.name.startswith(STAGING_PREFIX) and staging.parent == out and (staging / MANIFEST).exists():
            _finish_commit(out, staging)
        else:
            journal.unlink()
    for entry in out.iterdir():
        if entry.name.startswith((STAGING_PREFIX, TRASH_PREFIX)) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _finish_commit(out: Path, staging: Path) -> None:
    """Move everything staged into OUT, the manifest last; safe to run again if interrupted.

    Replaced folders (the old clean/) are only renamed aside here and deleted after the
    manifest is in place: deleting thousands of files is slow and must not widen the
    window in which OUT has no manifest.
    """
    old_manifest = out / MANIFEST
    if old_manifest.exists() or old_manifest.is_symlink():
        old_manifest.unlink()  # the outputs below are about to change
    stale = staging / STALE
    if stale.exists():
        for name in stale.read_text(encoding="utf-8").split():
            if name in CORPUS_FILES:
                (out / name).unlink(missing_ok=True)
        stale.unlink()
    trash: list[Path] = []
    for entry in sorted(staging.iterdir()):
        if entry.name == MANIFEST:
            continue
        target = out / entry.name
        if entry.is_dir():
            if target.is_dir() and not target.is_symlink():
                aside = out / f"{TRASH_PREFIX}{entry.name}-{staging.name}"
                if aside.exists():  # left by an earlier, interrupted attempt at this commit
                    shutil.rmtree(aside, ignore_errors=True)
                os.replace(target, aside)
                trash.append(aside)
            elif target.exists() or target.is_symlink():
                target.unlink()
            os.replace(entry, target)
        else:
            os.replace(entry, target)
    _fsync_dir(out)
    os.replace(staging / MANIFEST, old_manifest)
    _fsync_dir(out)
    (out / JOURNAL).unlink(missing_ok=True)
    for folder in trash:
        shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _describe_outputs(folder: Path, known: dict[str, dict] | None = None) -> dict:
    """Size and SHA-256 of each staged file (`known`: names described already), file count
    of each folder."""
    known = known or {}
    outputs = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue  # bookkeeping (`STALE`), not an output
        if entry.is_file() and entry.name != MANIFEST:
            outputs[entry.name] = known.get(entry.name) or _describe_file(entry)
        elif entry.is_dir():
            outputs[entry.name + "/"] = _listing(entry)
    return outputs


def _listing(folder: Path) -> dict:
    """How a folder output is described: its entries (`files`, as before) and a digest of
    the relative paths of every file and folder under it, which a later run checks before
    it replaces the folder (`check_output_folder`)."""
    entries, digest = _walk_listing(folder)
    return {"files": entries, "names": digest}


def _walk_listing(folder: Path) -> tuple[int, str]:
    """(entries directly in `folder`, digest of every path under it).  The digest is a sum of
    CRC-32s of the paths, as bytes: no order to sort (10M names), and all in C (10k names:
    a few ms on top of listing them, which describing the folder did anyway)."""
    total, entries = 0, 0
    top = len(os.fsencode(folder)) + 1
    for root, dirs, files in os.walk(os.fsencode(folder)):
        names = files + [d + b"/" for d in dirs]
        rel = root[top:]
        if rel:
            names = [rel + b"/" + name for name in names]
        else:
            entries = len(names)
        total += sum(map(zlib.crc32, names))
    return entries, f"{total & 0xFFFFFFFFFFFF:012x}"


def check_output_folder(out: Path) -> None:
    """Refuse (NotAnOutputFolder) to write into `out` when that could delete files that are
    not cleaner's: a folder holding visible files but no manifest (a committed run's mark;
    an interrupted commit's journal counts as one), or an output folder of the last run
    (replaced whole by a commit) holding files that run did not write.  Hidden entries are
    not looked at: cleaner's own bookkeeping is hidden, and a commit never replaces them."""
    manifest_path = out / MANIFEST
    if not manifest_path.is_file():
        if (out / JOURNAL).exists():
            return
        visible = sorted(e.name for e in out.iterdir() if not e.name.startswith("."))
        if visible:
            shown = ", ".join(visible[:3]) + (", ..." if len(visible) > 3 else "")
            raise NotAnOutputFolder(
                f"{out} is not empty ({shown}) and holds no manifest.json, so it is not a clean run's output "
                "folder; a run replaces the files and folders it writes there, so choose a new or empty folder")
        return
    try:
        outputs = json.loads(manifest_path.read_text(encoding="utf-8")).get("outputs") or {}
    except (OSError, ValueError, AttributeError) as exc:
        raise NotAnOutputFolder(f"{manifest_path} cannot be read ({exc}); move it aside to reuse {out}") from None
    for name, described in outputs.items():
        folder = out / name
        if not (name.endswith("/") and isinstance(described, dict) and "names" in described) or not folder.is_dir():
            continue
        if _walk_listing(folder)[1] == described["names"]:
            continue
        since = manifest_path.stat().st_mtime
        newer = sorted(str(Path(root, f).relative_to(out)) for root, _, files in os.walk(folder) for f in files
                       if os.stat(os.path.join(root, f)).st_mtime > since)
        shown = f" ({', '.join(newer[:3])}{', ...' if len(newer) > 3 else ''})" if newer else ""
        raise NotAnOutputFolder(
            f"{folder} holds files the last run did not write{shown}; a run replaces {name} whole, so "
            "move them out of the output folder first (or delete the folder if nothing in it is yours)")


def _documents_in(out: Path) -> int:
    """How many documents the committed run in `out` has (0 when there is none; a manifest
    that cannot be read counts as holding some)."""
    try:
        counts = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("counts") or {}
        return int(counts.get("documents", 1))
    except FileNotFoundError:
        return 0
    except (OSError, ValueError, TypeError, AttributeError):
        return 1


def _describe_file(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _seal(path: Path) -> dict:
    """A finished staged file, described (`_describe_file`) and flushed to disk."""
    description = _describe_file(path)
    _fsync(path)
    return description


def _finish_and_seal(table) -> dict:
    """A Parquet file finished (`ParquetLines.close`), then sealed."""
    table.close()
    return _seal(table.path)


def _lock(out: Path):
    if fcntl is None:
        return None
    fh = open(out / ".lock", "a")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise OutputLocked(f"another run is writing into {out}") from None
    return fh


def write_file(path: str, text: str) -> None:
    """Write UTF-8 text, newlines as given: a bare unbuffered write is 8x cheaper than a
    text-mode open, which counts with thousands of small output files."""
    data = memoryview(text.encode("utf-8"))
    with open(path, "wb", buffering=0) as fh:
        while data:
            data = data[fh.write(data):]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open folders; nothing to flush there
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
