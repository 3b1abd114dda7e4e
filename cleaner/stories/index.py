"""The stories' persistent index: what a later batch needs to join an earlier batch's story.

With `--index`, every document a run judged is stored with its compact evidence, its kept
paragraphs (the text its story links and passages are read from) and its story.  A later
run then counts rarity over everything seen before (`frequencies`), looks up the stored
documents that share its documents' candidate names and figures (`sharing`), and judges
those pairs as if the earlier documents were in the batch (`cleaner.stories_step`).

Two storages behind one interface, as for the dedup index (`cleaner.dedup.index`): tables
in the SQLite file, or keys in Redis.  Nothing is pickled: evidence is stored as raw
little-endian arrays, documents as zlib-compressed JSON.  An index written with other
settings (the evidence size, the format) is refused.
"""
from __future__ import annotations

import json
import sqlite3
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.dedup.index import claim_settings, open_store, redis_client
from cleaner.models import Document, Metadata, Paragraph, Verdict
from cleaner.stories.candidates import candidate_items
from cleaner.stories.evidence import Evidence
from cleaner.stories.rarity import Rarity

FORMAT_VERSION = 1
EVIDENCE_MAGIC = b"CS1"
"""First bytes of packed evidence (and its format version): never a pickle's."""
_EVIDENCE_HEADER = struct.Struct("<3sqII")  # magic, day (or NO_DAY), number of keys, length of site
NO_DAY = -(2 ** 62)


def pack_evidence(ev: Evidence) -> bytes:
    site = (ev.site or "").encode()
    day = NO_DAY if ev.day is None else ev.day
    return (_EVIDENCE_HEADER.pack(EVIDENCE_MAGIC, day, ev.keys.size, len(site)) + site
            + ev.keys.astype("<u8").tobytes() + ev.flags.astype(np.uint8).tobytes())


def unpack_evidence(blob: bytes) -> Evidence:
    magic, day, n, site_len = _EVIDENCE_HEADER.unpack_from(blob)
    if magic != EVIDENCE_MAGIC:
        raise ValueError("not story evidence stored by this version of cleaner")
    at = _EVIDENCE_HEADER.size
    site = blob[at:at + site_len].decode() or None
    at += site_len
    keys = np.frombuffer(blob, dtype="<u8", count=n, offset=at).astype(np.uint64)
    flags = np.frombuffer(blob, dtype=np.uint8, count=n, offset=at + 8 * n).copy()
    return Evidence(keys, flags, None if day == NO_DAY else day, site)


def pack_document(doc: Document) -> bytes:
    """What the stories read of a document: its id, title, metadata and kept paragraphs
    (with their positions, so a passage names the same paragraph as in its own run)."""
    kept = [[i, p.text] for i, p in enumerate(doc.paragraphs) if p.kept]
    record = {"id": doc.id, "source": doc.source, "title": doc.title, "paragraphs": len(doc.paragraphs),
              "kept": kept, "metadata": doc.metadata.as_dict()}
    return zlib.compress(json.dumps(record, ensure_ascii=False).encode(), 1)  # fast: written for every document


def unpack_document(blob: bytes) -> Document:
    record = json.loads(zlib.decompress(blob))
    paragraphs = [Paragraph("", verdict=Verdict.DROP, reason="not-stored") for _ in range(record["paragraphs"])]
    for i, text in record["kept"]:
        paragraphs[i] = Paragraph(text)
    return Document(record["id"], record["source"], "text", record["title"], Metadata(**record["metadata"]),
                    paragraphs)


@dataclass(frozen=True)
class StoredDocument:
    """A document of an earlier run as the stories index keeps it."""

    doc: str  # its key in the index (`put`)
    seq: int  # order of first sight: earlier runs have smaller numbers
    story: str  # its story id ("" when it had none)
    evidence: Evidence
    document: Document


def _signed(keys: np.ndarray) -> list[int]:
    """uint64 keys as SQLite's signed 64-bit integers."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64).tolist()


class StoryIndex:
    """Documents of earlier runs for the stories: SQLite (a file path) or Redis (redis://...)."""

    def __init__(self, spec: str, settings: dict) -> None:
        self.settings = {"format": FORMAT_VERSION, "level": "story", **settings}
        self._store: _Store = open_store(spec, self.settings, _RedisStories, _SqliteStories)

    def documents(self) -> int:
        """How many documents are stored."""
        return self._store.documents()

    def frequencies(self, keys: np.ndarray) -> Rarity:
        """Document frequencies of `keys` (distinct) over the stored documents."""
        keys = np.unique(np.asarray(keys, dtype=np.uint64))
        counts = self._store.frequencies(keys) if keys.size else np.zeros(0, np.int64)
        present = counts > 0
        return Rarity(keys[present], counts[present], self.documents())

    def sharing(self, keys: np.ndarray) -> dict[int, list[str]]:
        """Stored documents posting each of `keys` (candidate items only): key -> doc ids."""
        keys = np.unique(np.asarray(keys, dtype=np.uint64))
        return self._store.sharing(keys) if keys.size else {}

    def get(self, docs: Sequence[str]) -> list[StoredDocument]:
        """The stored documents among `docs`, earliest first."""
        return sorted(self._store.get(sorted(set(docs))), key=lambda d: d.seq)

    def put(self, documents: Iterable[tuple[str, Document, Evidence, str]]) -> None:
        """Store (key, document, evidence, story id) for this run's documents, replacing any
        earlier copy under the same key (its frequencies and postings go with it).  The key
        is the document's id, made unique within its run as the dedup index makes it."""
        self._store.put(documents)

    def forget(self, docs: Iterable[str]) -> None:
        """Take these documents out (a batch that holds them again stores them anew): their
        frequencies and postings go with them, so a batch is never judged against itself."""
        self._store.forget(sorted(set(docs)))

    def set_stories(self, story_of: dict[str, str]) -> None:
        """Record the story that stored documents joined in this run."""
        if story_of:
            self._store.set_stories(story_of)

    def commit(self) -> None:
        self._store.commit()


class _Store:
    def documents(self) -> int: ...
    def frequencies(self, keys: np.ndarray) -> np.ndarray: ...
    def sharing(self, keys: np.ndarray) -> dict[int, list[str]]: ...
    def get(self, docs: list[str]) -> list[StoredDocument]: ...
    def put(self, documents: Iterable[tuple[str, Document, Evidence, str]]) -> None: ...
    def forget(self, docs: list[str]) -> None: ...
    def set_stories(self, story_of: dict[str, str]) -> None: ...
    def commit(self) -> None: ...


class _SqliteStories(_Store):
    """Tables `story_docs` (a row a document), `story_df` (a row an item: how many stored
    documents hold it) and `story_posts` (a row a candidate item of a document, indexed),
    in the dedup index's file."""

    def __init__(self, path: str, settings: dict) -> None:
        self._db = db = sqlite3.connect(path)
        db.execute("CREATE TABLE IF NOT EXISTS story_docs (doc TEXT PRIMARY KEY, seq INTEGER NOT NULL, "
                   "story TEXT NOT NULL, evidence BLOB NOT NULL, document BLOB NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS story_df (key INTEGER PRIMARY KEY, df INTEGER NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS story_posts (key INTEGER NOT NULL, doc TEXT NOT NULL)")
        db.execute("CREATE INDEX IF NOT EXISTS story_posts_key ON story_posts (key)")
        db.execute("CREATE INDEX IF NOT EXISTS story_posts_doc ON story_posts (doc)")
        claim_settings(db, "story", settings, f"stories index {path} was built with")

    def documents(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM story_docs").fetchone()[0]

    def _joined(self, keys: np.ndarray, query: str) -> list[tuple]:
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM wanted")
        db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((k,) for k in _signed(keys)))
        rows = db.execute(query).fetchall()
        db.execute("DELETE FROM wanted")
        return rows

    def frequencies(self, keys: np.ndarray) -> np.ndarray:
        found = dict(self._joined(keys, "SELECT d.key, d.df FROM story_df d JOIN wanted w ON d.key = w.key"))
        return np.fromiter((found.get(k, 0) for k in _signed(keys)), np.int64, keys.size)

    def sharing(self, keys: np.ndarray) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        rows = self._joined(keys, "SELECT p.key, p.doc FROM story_posts p JOIN wanted w ON p.key = w.key "
                                  "ORDER BY p.key, p.doc")
        for key, doc in rows:
            out.setdefault(key & 0xFFFFFFFFFFFFFFFF, []).append(doc)
        return out

    def get(self, docs: list[str]) -> list[StoredDocument]:
        out = []
        for at in range(0, len(docs), 500):
            chunk = docs[at:at + 500]
            marks = ",".join("?" * len(chunk))
            for doc, seq, story, ev, blob in self._db.execute(
                    f"SELECT doc, seq, story, evidence, document FROM story_docs WHERE doc IN ({marks})", chunk):
                out.append(StoredDocument(doc, seq, story, unpack_evidence(ev), unpack_document(blob)))
        return out

    def forget(self, docs: list[str]) -> None:
        db = self._db
        for at in range(0, len(docs), 500):
            chunk = docs[at:at + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT doc, evidence FROM story_docs WHERE doc IN ({marks})", chunk).fetchall()
            for doc, ev in rows:
                db.executemany("UPDATE story_df SET df = df - 1 WHERE key = ?",
                               ((k,) for k in _signed(unpack_evidence(ev).keys)))
                db.execute("DELETE FROM story_posts WHERE doc = ?", (doc,))
                db.execute("DELETE FROM story_docs WHERE doc = ?", (doc,))
            if rows:
                db.execute("DELETE FROM story_df WHERE df <= 0")

    def put(self, documents: Iterable[tuple[str, Document, Evidence, str]]) -> None:
        db = self._db
        documents = list(documents)
        self.forget([key for key, *_ in documents])
        seq = db.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM story_docs").fetchone()[0]
        db.executemany("INSERT INTO story_docs VALUES (?, ?, ?, ?, ?)",
                       ((key, seq + k, story, pack_evidence(ev), pack_document(document))
                        for k, (key, document, ev, story) in enumerate(documents)))
        every = np.concatenate([ev.keys for _, _, ev, _ in documents]) if documents else np.zeros(0, np.uint64)
        keys, counts = np.unique(every, return_counts=True)
        db.executemany("INSERT INTO story_df VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET df = df + excluded.df",
                       zip(_signed(keys), counts.tolist()))
        db.executemany("INSERT INTO story_posts VALUES (?, ?)",
                       ((k, key) for key, _, ev, _ in documents for k in _signed(ev.keys[candidate_items(ev)])))

    def set_stories(self, story_of: dict[str, str]) -> None:
        self._db.executemany("UPDATE story_docs SET story = ? WHERE doc = ?",
                             ((story, doc) for doc, story in sorted(story_of.items())))

    def commit(self) -> None:
        self._db.commit()


class _RedisStories(_Store):
    """A hash of documents (doc -> seq, story, evidence, document), a hash of frequencies
    (key -> df) and a set of documents per candidate item, under one fingerprinted name."""

    _DOC = struct.Struct("<qI")  # seq, length of the story id

    def __init__(self, url: str, basename: str) -> None:
        self._redis = redis_client(url)
        self._docs, self._df, self._seq = f"{basename}:docs", f"{basename}:df", f"{basename}:seq"
        self._post = f"{basename}:post:"

    def documents(self) -> int:
        return int(self._redis.hlen(self._docs))

    def frequencies(self, keys: np.ndarray) -> np.ndarray:
        values = self._redis.hmget(self._df, [str(k) for k in keys.tolist()])
        return np.fromiter((int(v or 0) for v in values), np.int64, keys.size)

    def sharing(self, keys: np.ndarray) -> dict[int, list[str]]:
        pipe = self._redis.pipeline()
        listed = keys.tolist()
        for k in listed:
            pipe.smembers(f"{self._post}{k}")
        return {k: sorted(d.decode() for d in docs) for k, docs in zip(listed, pipe.execute()) if docs}

    def _pack(self, seq: int, story: str, ev: Evidence, document: Document) -> bytes:
        story_b, ev_b = story.encode(), pack_evidence(ev)
        return self._DOC.pack(seq, len(story_b)) + story_b + struct.pack("<I", len(ev_b)) + ev_b + pack_document(document)

    def _unpack(self, doc: str, blob: bytes) -> StoredDocument:
        seq, n = self._DOC.unpack_from(blob)
        at = self._DOC.size
        story = blob[at:at + n].decode()
        at += n
        (m,) = struct.unpack_from("<I", blob, at)
        at += 4
        return StoredDocument(doc, seq, story, unpack_evidence(blob[at:at + m]), unpack_document(blob[at + m:]))

    def get(self, docs: list[str]) -> list[StoredDocument]:
        blobs = self._redis.hmget(self._docs, docs) if docs else []
        return [self._unpack(doc, blob) for doc, blob in zip(docs, blobs) if blob is not None]

    def forget(self, docs: list[str]) -> None:
        for doc, blob in zip(docs, self._redis.hmget(self._docs, docs) if docs else []):
            if blob is None:
                continue
            before = self._unpack(doc, blob).evidence
            pipe = self._redis.pipeline()
            for k in before.keys.tolist():
                pipe.hincrby(self._df, str(k), -1)
            for k in before.keys[candidate_items(before)].tolist():
                pipe.srem(f"{self._post}{k}", doc)
            pipe.hdel(self._docs, doc)
            pipe.execute()

    def put(self, documents: Iterable[tuple[str, Document, Evidence, str]]) -> None:
        for key, document, ev, story in documents:
            self.forget([key])
            seq = int(self._redis.incr(self._seq)) - 1
            pipe = self._redis.pipeline()
            pipe.hset(self._docs, key, self._pack(seq, story, ev, document))
            for k in ev.keys.tolist():
                pipe.hincrby(self._df, str(k), 1)
            for k in ev.keys[candidate_items(ev)].tolist():
                pipe.sadd(f"{self._post}{k}", key)
            pipe.execute()

    def set_stories(self, story_of: dict[str, str]) -> None:
        for doc, story in sorted(story_of.items()):
            blob = self._redis.hget(self._docs, doc)
            if blob is not None:
                stored = self._unpack(doc, blob)
                self._redis.hset(self._docs, doc, self._pack(stored.seq, story, stored.evidence, stored.document))

    def commit(self) -> None:
        pass  # every write above is applied when its pipeline runs
