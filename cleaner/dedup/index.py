"""Signature index: MinHash signatures plus a datasketch MinHashLSH over them.

One interface, three storages (the datasketch pattern: same code path, different storage):

- in memory (``config.index`` unset): nothing survives the run;
- a filesystem path: an SQLite file.  Signatures are stored as raw little-endian uint32
  bytes read back with ``np.frombuffer``, settings as JSON: loading never executes code
  (no pickle anywhere).  The LSH buckets are a pure function of the signatures and
  (bands, rows), so they are rebuilt in memory when the file is opened (O(n), about a
  second per 100k documents) instead of being stored twice;
- ``redis://host:port/db``: datasketch's own Redis storage for the LSH buckets
  (``prepickle=False``, keys are UTF-8 bytes, so Redis holds no pickles either) and a Redis
  hash for the signatures.  Key names carry a fingerprint of the settings, so indexes
  built with other settings never mix.

An index built with other settings (num_perm, seed, shingle size, bands, rows) is refused
with an error instead of silently returning wrong candidates.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import struct
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np

from cleaner.dedup.minhash import Signer

FORMAT_VERSION = 1
_HEADER = struct.Struct("<qqqH")  # seq, distinct shingles, words, length of rep


@dataclass(frozen=True)
class Entry:
    """What the index keeps about one document seen before."""

    key: str
    seq: int  # global order of first sight: earlier runs have smaller numbers
    size: int  # distinct shingles
    words: int
    signature: np.ndarray  # uint32[num_perm]
    rep: str = ""  # representative of its cluster when last clustered ("" = none)

    def pack(self) -> bytes:
        rep = self.rep.encode()
        return (_HEADER.pack(self.seq, self.size, self.words, len(rep)) + rep
                + self.signature.astype("<u4").tobytes())

    @classmethod
    def unpack(cls, key: str, blob: bytes) -> "Entry":
        seq, size, words, n = _HEADER.unpack_from(blob)
        rep = blob[_HEADER.size:_HEADER.size + n].decode()
        sig = np.frombuffer(blob, dtype="<u4", offset=_HEADER.size + n).astype(np.uint32)
        return cls(key, seq, size, words, sig, rep)


class Index:
    """Entries by key and an LSH to find candidate keys for a signature."""

    def __init__(self, spec: str | None, level: str, signer: Signer, params: tuple[int, int],
                 settings: dict) -> None:
        self.signer = signer
        self.settings = {"format": FORMAT_VERSION, "level": level, "num_perm": signer.num_perm,
                         "seed": signer.seed, **settings}
        keyed = {**self.settings, "bands": params[0], "rows": params[1]}  # Redis stores the buckets
        fingerprint = hashlib.sha1(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:12]
        from datasketch import MinHashLSH  # imports scipy (0.3 s): only for a persistent index
        if spec and spec.startswith("redis://"):
            self._store: _Store = _RedisStore(spec, f"cleaner:{level}:{fingerprint}")
            self.lsh = MinHashLSH(num_perm=signer.num_perm, params=params, prepickle=False,
                                  storage_config=self._store.lsh_config())
        else:
            self._store = _SqliteStore(spec, level, self.settings) if spec else _Store()
            self.lsh = MinHashLSH(num_perm=signer.num_perm, params=params)
            with self.lsh.insertion_session() as session:
                for entry in self._store.load():
                    session.insert(entry.key.encode(), signer.lean(entry.signature), check_duplication=False)

    def get(self, key: str) -> Entry | None:
        return self._store.get(key)

    def next_seq(self) -> int:
        return self._store.next_seq()

    def candidates(self, signature: np.ndarray) -> list[str]:
        return sorted(k.decode() for k in self.lsh.query(self.signer.lean(signature)))

    def add(self, entry: Entry) -> None:
        """Insert (or replace) one entry; storage writes are batched until `commit`."""
        key = entry.key.encode()
        if key in self.lsh:
            self.lsh.remove(key)
        self.lsh.insert(key, self.signer.lean(entry.signature), check_duplication=False)
        self._store.put(entry)

    def set_rep(self, key: str, rep: str) -> None:
        """Remember a document's cluster representative for later runs."""
        entry = self._store.get(key)
        if entry is not None and entry.rep != rep:
            self._store.put(dataclasses.replace(entry, rep=rep))

    def commit(self) -> None:
        self._store.commit()


class _Store:
    """In-memory storage (also the base class: the persistent ones add I/O)."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._seq = 0

    def load(self) -> list[Entry]:
        return list(self._entries.values())

    def get(self, key: str) -> Entry | None:
        return self._entries.get(key)

    def next_seq(self) -> int:
        return self._seq

    def put(self, entry: Entry) -> None:
        self._entries[entry.key] = entry
        self._seq = max(self._seq, entry.seq + 1)

    def commit(self) -> None:
        pass


class _SqliteStore(_Store):
    def __init__(self, path: str, level: str, settings: dict) -> None:
        super().__init__()
        self._level = level
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (level TEXT PRIMARY KEY, settings TEXT NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS entries (level TEXT NOT NULL, key TEXT NOT NULL, "
                         "seq INTEGER NOT NULL, size INTEGER NOT NULL, words INTEGER NOT NULL, "
                         "signature BLOB NOT NULL, rep TEXT NOT NULL, PRIMARY KEY (level, key))")
        row = self._db.execute("SELECT settings FROM meta WHERE level = ?", (level,)).fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES (?, ?)", (level, json.dumps(settings, sort_keys=True)))
        elif json.loads(row[0]) != settings:
            raise ValueError(f"dedup index {path} was built with settings {row[0]}, "
                             f"this run uses {json.dumps(settings, sort_keys=True)}; use a new index file")
        self._dirty: dict[str, Entry] = {}
        for key, seq, size, words, sig, rep in self._db.execute(
                "SELECT key, seq, size, words, signature, rep FROM entries WHERE level = ?", (level,)):
            super().put(Entry(key, seq, size, words, np.frombuffer(sig, dtype="<u4").astype(np.uint32), rep))

    def put(self, entry: Entry) -> None:
        super().put(entry)
        self._dirty[entry.key] = entry

    def commit(self) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(self._level, e.key, e.seq, e.size, e.words, e.signature.astype("<u4").tobytes(), e.rep)
             for e in self._dirty.values()])
        self._db.commit()
        self._dirty.clear()


class _RedisStore(_Store):
    def __init__(self, url: str, basename: str) -> None:
        import redis

        super().__init__()
        u = urlparse(url)
        self._conn_cfg = {"host": u.hostname or "127.0.0.1", "port": u.port or 6379,
                          "db": int((u.path or "/0").lstrip("/") or 0)}
        self._basename = basename
        self._redis = redis.Redis(**self._conn_cfg)
        self._sigs = f"{basename}:signatures"
        self._seq_key = f"{basename}:seq"

    def lsh_config(self) -> dict:
        return {"type": "redis", "basename": self._basename.encode(), "redis": dict(self._conn_cfg)}

    def load(self) -> list[Entry]:
        return []  # the LSH lives in Redis already

    def get(self, key: str) -> Entry | None:
        blob = self._redis.hget(self._sigs, key)
        return Entry.unpack(key, blob) if blob is not None else None

    def next_seq(self) -> int:
        return int(self._redis.get(self._seq_key) or 0)

    def put(self, entry: Entry) -> None:
        self._redis.hset(self._sigs, entry.key, entry.pack())
        current = self.next_seq()
        if entry.seq + 1 > current:
            self._redis.set(self._seq_key, entry.seq + 1)
