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


def open_store(spec: str, settings: dict, redis_store, sqlite_store):
    """An index's store: Redis keys named by its level and settings (`redis_basename`) for a
    redis://... spec, else the SQLite file at `spec`; `settings` holds the level."""
    if spec.startswith("redis://"):
        return redis_store(spec, redis_basename(settings["level"], settings))
    return sqlite_store(spec, settings)


def redis_basename(kind: str, settings: dict) -> str:
    """The prefix of an index's Redis keys: its kind and a fingerprint of its settings, so
    indexes built with other settings never mix."""
    fingerprint = hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    return f"cleaner:{kind}:{fingerprint}"


def redis_client(url: str):
    """A client for redis://host:port/db (imported only for a Redis index)."""
    import redis

    u = urlparse(url)
    return redis.Redis(host=u.hostname or "127.0.0.1", port=u.port or 6379, db=int((u.path or "/0").lstrip("/") or 0))


def claim_settings(db: sqlite3.Connection, level: str, settings: dict, refusal: str) -> None:
    """Record `settings` for `level` in the SQLite file's `meta` table, or check them against
    those recorded: an index built with others is refused (`refusal` says what was built,
    followed by the recorded and the wanted settings)."""
    db.execute("CREATE TABLE IF NOT EXISTS meta (level TEXT PRIMARY KEY, settings TEXT NOT NULL)")
    wanted = json.dumps(settings, sort_keys=True)
    row = db.execute("SELECT settings FROM meta WHERE level = ?", (level,)).fetchone()
    if row is None:
        db.execute("INSERT INTO meta VALUES (?, ?)", (level, wanted))
        db.commit()
    elif json.loads(row[0]) != settings:
        raise ValueError(f"{refusal} settings {row[0]}, this run uses {wanted}; use a new index file")


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


# --------------------------------------------------------------------------- passages

PASSAGE_MAGIC = b"CP1"
"""First bytes of a packed passage (and its format version): never a pickle's."""
_PASSAGE_HEADER = struct.Struct("<3sqqqqdHHII")  # magic, seq, paragraph, first seq, first paragraph,
# first similarity, lengths of doc and first doc, counts of shingles and band keys


@dataclass(frozen=True)
class StoredPassage:
    """A passage kept by the persistent index: its document and paragraph, its order of
    first sight, its shingle hashes (sorted, distinct: verification is exact Jaccard, as in
    a batch) and band keys, and the first source of the cluster it joined when stored."""

    doc: str
    paragraph: int
    seq: int
    shingles: np.ndarray  # uint32
    bands: np.ndarray  # uint64, one key a band
    first_doc: str
    first_paragraph: int
    first_seq: int
    first_similarity: float  # lowest verified similarity of its cluster when stored (1.0: alone)

    def pack(self) -> bytes:
        doc, first = self.doc.encode(), self.first_doc.encode()
        return (_PASSAGE_HEADER.pack(PASSAGE_MAGIC, self.seq, self.paragraph, self.first_seq, self.first_paragraph,
                                     self.first_similarity, len(doc), len(first), self.shingles.size, self.bands.size)
                + doc + first + self.shingles.astype("<u4").tobytes() + self.bands.astype("<u8").tobytes())

    @classmethod
    def unpack(cls, blob: bytes) -> "StoredPassage":
        magic, seq, paragraph, first_seq, first_paragraph, sim, nd, nf, ns, nb = _PASSAGE_HEADER.unpack_from(blob)
        if magic != PASSAGE_MAGIC:
            raise ValueError("not a passage stored by this version of cleaner")
        at = _PASSAGE_HEADER.size
        doc, first = blob[at:at + nd].decode(), blob[at + nd:at + nd + nf].decode()
        at += nd + nf
        shingles = np.frombuffer(blob, dtype="<u4", count=ns, offset=at).astype(np.uint32)
        bands = np.frombuffer(blob, dtype="<u8", count=nb, offset=at + 4 * ns).astype(np.uint64)
        return cls(doc, paragraph, seq, shingles, bands, first, first_paragraph, first_seq, sim)


class PassageIndex:
    """Passages of earlier runs, found by their LSH band keys (the keys `passage_groups`
    compares within a batch, so a stored passage is a candidate exactly when it would have
    been one in the same batch).  SQLite (the document index's file) or Redis; the settings
    (num_perm, seed, shingle size, tokenizer, bands and rows) must match, or the index is
    refused."""

    def __init__(self, spec: str, settings: dict) -> None:
        self.settings = {"format": FORMAT_VERSION, "level": "passage", **settings}
        self._store: _PassageStore = open_store(spec, self.settings, _RedisPassages, _SqlitePassages)

    def next_seq(self) -> int:
        return self._store.next_seq()

    def candidates(self, bands: np.ndarray) -> list[tuple[int, str]]:
        """(row of `bands`, stored passage id) for every stored passage sharing a band key
        with the row; each pair once."""
        return self._store.candidates(np.ascontiguousarray(bands, dtype=np.uint64))

    def get(self, ids) -> dict[str, StoredPassage]:
        return self._store.get(sorted(set(ids)))

    def seqs_of(self, docs: list[str]) -> dict[tuple[str, int], int]:
        """(doc, paragraph) -> seq of the stored passages of these documents (a document
        cleaned again keeps the order in which its passages were first seen)."""
        return self._store.seqs_of(docs)

    def replace(self, docs: list[str], passages: list[StoredPassage]) -> None:
        """Forget every stored passage of `docs` (this run's documents), then store `passages`."""
        self._store.replace(docs, passages)


class _PassageStore:
    def next_seq(self) -> int: ...
    def candidates(self, bands: np.ndarray) -> list[tuple[int, str]]: ...
    def get(self, ids: list[str]) -> dict[str, StoredPassage]: ...
    def seqs_of(self, docs: list[str]) -> dict[tuple[str, int], int]: ...
    def replace(self, docs: list[str], passages: list[StoredPassage]) -> None: ...


_SQL_CHUNK = 500


class _SqlitePassages(_PassageStore):
    """Tables `passages` (one row a passage, the packed `StoredPassage` in `data`) and
    `passage_bands` (one row a band key of a passage, indexed), in the document index's file."""

    def __init__(self, path: str, settings: dict) -> None:
        self._path = path
        self._db = sqlite3.connect(path)
        db = self._db
        db.execute("CREATE TABLE IF NOT EXISTS passages (id INTEGER PRIMARY KEY, doc TEXT NOT NULL, "
                   "paragraph INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL)")
        db.execute("CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc)")
        db.execute("CREATE TABLE IF NOT EXISTS passage_bands (key INTEGER NOT NULL, passage INTEGER NOT NULL)")
        db.execute("CREATE INDEX IF NOT EXISTS passage_bands_key ON passage_bands (key)")
        claim_settings(db, "passage", settings, f"dedup index {path} keeps passages built with")

    def next_seq(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(seq) + 1, 0) FROM passages").fetchone()[0])

    def candidates(self, bands: np.ndarray) -> list[tuple[int, str]]:
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS query (key INTEGER NOT NULL, row INTEGER NOT NULL)")
        db.execute("DELETE FROM query")
        rows = np.repeat(np.arange(bands.shape[0]), bands.shape[1]).tolist()
        db.executemany("INSERT INTO query VALUES (?, ?)", zip(bands.reshape(-1).view(np.int64).tolist(), rows))
        found = db.execute("SELECT DISTINCT query.row, passage_bands.passage FROM query "
                           "JOIN passage_bands ON passage_bands.key = query.key ORDER BY 1, 2").fetchall()
        db.execute("DELETE FROM query")
        return [(row, str(pid)) for row, pid in found]

    def get(self, ids: list[str]) -> dict[str, StoredPassage]:
        out = {}
        for lo in range(0, len(ids), _SQL_CHUNK):
            part = ids[lo:lo + _SQL_CHUNK]
            for pid, data in self._db.execute(
                    f"SELECT id, data FROM passages WHERE id IN ({','.join('?' * len(part))})", [int(i) for i in part]):
                out[str(pid)] = StoredPassage.unpack(data)
        return out

    def seqs_of(self, docs: list[str]) -> dict[tuple[str, int], int]:
        out = {}
        for lo in range(0, len(docs), _SQL_CHUNK):
            part = docs[lo:lo + _SQL_CHUNK]
            for doc, paragraph, seq in self._db.execute(
                    f"SELECT doc, paragraph, seq FROM passages WHERE doc IN ({','.join('?' * len(part))})", part):
                out[(doc, paragraph)] = seq
        return out

    def replace(self, docs: list[str], passages: list[StoredPassage]) -> None:
        db = self._db
        for lo in range(0, len(docs), _SQL_CHUNK):
            part = docs[lo:lo + _SQL_CHUNK]
            marks = ",".join("?" * len(part))
            db.execute(f"DELETE FROM passage_bands WHERE passage IN (SELECT id FROM passages WHERE doc IN ({marks}))",
                       part)
            db.execute(f"DELETE FROM passages WHERE doc IN ({marks})", part)
        for p in passages:
            pid = db.execute("INSERT INTO passages (doc, paragraph, seq, data) VALUES (?, ?, ?, ?)",
                             (p.doc, p.paragraph, p.seq, p.pack())).lastrowid
            db.executemany("INSERT INTO passage_bands VALUES (?, ?)",
                           ((key, pid) for key in p.bands.view(np.int64).tolist()))
        db.commit()


_REDIS_ROWS = 2000


class _RedisPassages(_PassageStore):
    """A hash of packed passages by id, a set of passage ids per band key, a set of passage
    ids per document (to forget them when the document is cleaned again), a counter."""

    def __init__(self, url: str, basename: str) -> None:
        self._redis = redis_client(url)
        self._base = basename

    def _band(self, key: int) -> str:
        return f"{self._base}:band:{key:016x}"

    def _doc(self, doc: str) -> str:
        return f"{self._base}:doc:{doc}"

    def next_seq(self) -> int:
        return int(self._redis.get(f"{self._base}:seq") or 0)

    def candidates(self, bands: np.ndarray) -> list[tuple[int, str]]:
        keys = bands.tolist()
        found = set()
        for lo in range(0, len(keys), _REDIS_ROWS):  # a pipeline a few thousand passages long
            pipe = self._redis.pipeline(transaction=False)
            for row in keys[lo:lo + _REDIS_ROWS]:
                for key in row:
                    pipe.smembers(self._band(key))
            replies = iter(pipe.execute())
            for r, row in enumerate(keys[lo:lo + _REDIS_ROWS], lo):
                for _ in row:
                    found.update((r, pid.decode()) for pid in next(replies))
        return sorted(found, key=lambda x: (x[0], int(x[1])))

    def get(self, ids: list[str]) -> dict[str, StoredPassage]:
        if not ids:
            return {}
        blobs = self._redis.hmget(f"{self._base}:passages", ids)
        return {pid: StoredPassage.unpack(blob) for pid, blob in zip(ids, blobs) if blob is not None}

    def _ids_of(self, docs: list[str]) -> list[list[str]]:
        pipe = self._redis.pipeline(transaction=False)
        for doc in docs:
            pipe.smembers(self._doc(doc))
        return [[pid.decode() for pid in ids] for ids in pipe.execute()]

    def seqs_of(self, docs: list[str]) -> dict[tuple[str, int], int]:
        ids = [pid for group in self._ids_of(docs) for pid in group]
        return {(p.doc, p.paragraph): p.seq for p in self.get(ids).values()}

    def replace(self, docs: list[str], passages: list[StoredPassage]) -> None:
        old = [pid for group in self._ids_of(docs) for pid in group]
        stored = self.get(old)
        pipe = self._redis.pipeline(transaction=True)
        for pid, p in stored.items():
            for key in p.bands.tolist():
                pipe.srem(self._band(key), pid)
        if old:
            pipe.hdel(f"{self._base}:passages", *old)
        for doc in docs:
            pipe.delete(self._doc(doc))
        pipe.execute()
        first = int(self._redis.incrby(f"{self._base}:next-id", len(passages))) - len(passages)
        top = -1
        for lo in range(0, len(passages), _REDIS_ROWS):
            pipe = self._redis.pipeline(transaction=False)
            for n, p in enumerate(passages[lo:lo + _REDIS_ROWS], lo):
                pid = str(first + n)
                pipe.hset(f"{self._base}:passages", pid, p.pack())
                pipe.sadd(self._doc(p.doc), pid)
                for key in p.bands.tolist():
                    pipe.sadd(self._band(key), pid)
                top = max(top, p.seq)
            pipe.execute()
        if top >= self.next_seq():
            self._redis.set(f"{self._base}:seq", top + 1)
