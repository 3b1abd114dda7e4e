"""The spool: cleaned documents, pickled, on disk between the two passes of a run.

Pass 1 cleans each document where it runs (a worker, or the main process) and appends it
to that process's spool file; the main process keeps only where each one is
(`Locations`), never the text.  The corpus step reads back the few documents a corpus
decision changes before it dedups them, and the write pass reads every document back
once, in runs of consecutive positions.
"""
from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator

SPOOL = ".spool"
"""Folder inside the staging folder for the spool files (removed before commit)."""

Location = tuple[str, int, int]
"""(spool file, offset, length) of one pickled document."""


class Spool:
    """A per-process append-only file of pickled documents; results point into it.

    Documents are rendered only in the write pass, once the corpus decisions are known:
    rendering here as if no decision touched them (and moving those files into place
    later) rendered a fifth of the 10k synthetic documents twice and cost a rename a file."""

    def __init__(self, folder: str):
        self.path = os.path.join(folder, f"worker-{os.getpid()}.bin")
        self._fh = open(self.path, "ab")
        self._offset = self._fh.tell()

    def put(self, blob: bytes) -> Location:
        self._fh.write(blob)
        location = (self.path, self._offset, len(blob))
        self._offset += len(blob)
        return location

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


_open_spools: dict[str, Spool] = {}
"""This process's spool in each spool folder (a worker serves one run at a time)."""


def process_spool(folder: str) -> Spool:
    """This process's spool in `folder`, opened on first use."""
    return _open_spools.get(folder) or _open_spools.setdefault(folder, Spool(folder))


def close_process_spool(folder: str) -> None:
    """Close this process's spool in `folder`, if it has one."""
    spool = _open_spools.pop(folder, None)
    if spool is not None:
        spool.close()


class Locations:
    """(file, offset, length) of every spooled document, in input order, in compact arrays."""

    def __init__(self) -> None:
        self.files: dict[str, int] = {}
        self.file = array("H")
        self.offset = array("q")
        self.length = array("q")

    def __len__(self) -> int:
        return len(self.offset)

    def add(self, location: Location) -> None:
        path, offset, length = location
        self.file.append(self.files.setdefault(path, len(self.files)))
        self.offset.append(offset)
        self.length.append(length)

    def entries(self, positions: Iterable[int]) -> Iterator[bytes]:
        """The pickled document at each position, each spool file opened once (and read
        without seeking when positions follow each other)."""
        handles: dict[int, object] = {}
        names = list(self.files)
        try:
            for pos in positions:
                f = self.file[pos]
                fh = handles.get(f) or handles.setdefault(f, open(names[f], "rb"))
                if fh.tell() != self.offset[pos]:
                    fh.seek(self.offset[pos])
                yield fh.read(self.length[pos])
        finally:
            for fh in handles.values():
                fh.close()
