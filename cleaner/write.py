"""Stage 6: write the output contract, atomically.

Everything is first written under a staging folder inside OUT and then moved into place
with `os.replace`; `manifest.json` goes last, so a run that dies half-way leaves the
previous outputs intact and never a half-written corpus that looks complete.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .models import Document

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
MAX_NAME = 120


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
    if name != doc_id or len(name) > MAX_NAME:
        digest = hashlib.sha1(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        name = f"{name[:MAX_NAME]}-{digest}"
    return name


def document_record(doc: Document) -> dict:
    """The corpus.jsonl line for one document."""
    return {
        "id": doc.id,
        "source": doc.source,
        "title": doc.title,
        "text": doc.text,
        "metadata": doc.metadata.as_dict(),
        "encoding": doc.encoding,
        "removed": [{"paragraph": i, "text": p.text, "reason": p.reason} for i, p in doc.removed],
        "repairs": [{"paragraph": i, "steps": [r.step for r in p.repairs], "before": p.original,
                     "after": p.text} for i, p in enumerate(doc.paragraphs) if p.repairs],
        "duplicate_of": doc.duplicate_of,
    }


def clean_text(doc: Document) -> str:
    lines = ([doc.title] if doc.title else []) + [p.text for p in doc.body]
    return "\n".join(lines) + "\n"


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


class OutputWriter:
    """Stage files under OUT/.staging-*, then commit them into OUT in one sweep."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.out))
        (self.staging / "clean").mkdir()
        self._corpus = open(self.staging / "corpus.jsonl", "w", encoding="utf-8", newline="\n")

    def add(self, doc: Document, in_corpus: bool = True) -> None:
        if in_corpus:
            self._corpus.write(dumps(document_record(doc)) + "\n")
        path = self.staging / "clean" / (safe_filename(doc.id) + ".txt")
        path.write_text(clean_text(doc), encoding="utf-8", newline="\n")

    def write_lines(self, name: str, records: Iterable[dict]) -> None:
        with open(self.staging / name, "w", encoding="utf-8", newline="\n") as fh:
            for record in records:
                fh.write(dumps(record) + "\n")

    def write_text(self, name: str, text: str) -> None:
        target = self.staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")

    def commit(self, manifest: dict) -> None:
        """Move staged outputs into OUT; the manifest is written last."""
        self._corpus.close()
        old_manifest = self.out / "manifest.json"
        if old_manifest.exists():
            old_manifest.unlink()  # the outputs below are about to change
        for entry in sorted(self.staging.iterdir()):
            target = self.out / entry.name
            if entry.is_dir():
                trash = None
                if target.exists():
                    trash = self.out / f".old-{entry.name}-{os.getpid()}"
                    os.replace(target, trash)
                os.replace(entry, target)
                if trash is not None:
                    shutil.rmtree(trash, ignore_errors=True)
            else:
                _fsync(entry)
                os.replace(entry, target)
        tmp = self.staging / "manifest.json"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, old_manifest)
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        self._corpus.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
