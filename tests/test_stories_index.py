"""Stories across runs with the persistent index: a later batch's article joins the story an
earlier batch formed, under that story's id, and a batch is never judged against its own
stored copy."""
from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from click.testing import CliRunner

from cleaner import Config, run
from cleaner.cli import main
from cleaner.config import DedupConfig
from cleaner.models import Document, Metadata, Paragraph, Verdict
from cleaner.stories.evidence import FIGURE_FLAG, NAME, TERM, Evidence
from cleaner.stories.index import (StoryIndex, pack_document, pack_evidence, unpack_document,
                                   unpack_evidence)
from cleaner.stories.rarity import Rarity
from conftest import redis_up, require_service


def stories_of(out) -> list[dict]:
    return [json.loads(line) for line in (out / "stories.jsonl").read_text(encoding="utf-8").splitlines()]


def story_field(out) -> dict[str, str | None]:
    return {r["id"]: r["story"] for r in map(json.loads, (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines())}


def split_seeds(seeds_dir, tmp_path):
    """Batch 1: seeds 000 and 001 (one story); batch 2: the other three."""
    first, second = tmp_path / "b1", tmp_path / "b2"
    first.mkdir()
    second.mkdir()
    for path in sorted(seeds_dir.iterdir()):
        shutil.copy(path, first if path.name[:3] in ("000", "001") else second)
    return first, second


def with_index(index: str) -> Config:
    return Config(workers=1, dedup=dataclasses.replace(DedupConfig(), index=index))


def check_seeds_in_two_batches(seeds_dir, tmp_path, index: str) -> None:
    first, second = split_seeds(seeds_dir, tmp_path)
    whole = tmp_path / "whole"
    run([str(seeds_dir)], whole, Config(workers=1))
    [together] = stories_of(whole)

    run([str(first)], tmp_path / "o1", with_index(index))
    [story_1] = stories_of(tmp_path / "o1")
    assert [m["doc"][:3] for m in story_1["members"]] == ["000", "001"]

    run([str(second)], tmp_path / "o2", with_index(index))
    [story_2] = stories_of(tmp_path / "o2")
    # the batch-2 reports of the June visit join the batch-1 story under its id; the 2024
    # visit stays apart, as when all five documents are judged in one run
    assert story_2["story"] == story_1["story"] == together["story"]
    assert [m["doc"] for m in story_2["members"]] == [m["doc"] for m in together["members"]]
    joined = {m["doc"] for m in story_2["members"]}
    assert {d[:3] for d in joined} >= {"000", "001", "003"} and not any(d.startswith("004") for d in joined)
    # the batch-1 members are marked as read from the index, and their pages are not linked
    assert {m["doc"][:3]: m["earlier_run"] for m in story_2["members"]} == {
        m["doc"][:3]: m["doc"][:3] in ("000", "001") for m in story_2["members"]}
    assert not any(m["earlier_run"] for m in story_1["members"])
    [page] = (tmp_path / "o2" / "report" / "stories").glob("*.html")
    html = page.read_text(encoding="utf-8")
    assert "earlier run" in html and f"docs/{story_1['members'][0]['doc']}.html" not in html
    shown = CliRunner().invoke(main, ["stories", "-o", str(tmp_path / "o2"), "--no-color"])
    assert shown.exit_code == 0 and shown.output.count("(earlier run)") == 2
    fields = story_field(tmp_path / "o2")
    assert {d: s for d, s in fields.items() if s} == {d: story_1["story"] for d in fields if d in joined}
    for passage in story_2["passages"]:
        docs = [m["doc"] for m in passage["members"]]
        assert len(docs) == len(set(docs)) >= 2 and set(docs) <= joined and all(m["text"] for m in passage["members"])

    # the same batch again: judged afresh, never against its own stored copy
    run([str(second)], tmp_path / "o3", with_index(index))
    assert stories_of(tmp_path / "o3") == stories_of(tmp_path / "o2")
    run([str(first)], tmp_path / "o4", with_index(index))
    assert stories_of(tmp_path / "o4")[0]["story"] == story_1["story"]


def test_seeds_in_two_batches_with_sqlite(seeds_dir, tmp_path):
    index = tmp_path / "index.sqlite"
    check_seeds_in_two_batches(seeds_dir, tmp_path, str(index))
    db = sqlite3.connect(index)
    stored = dict(db.execute("SELECT doc, story FROM story_docs").fetchall())
    assert len(stored) == 5 and sum(1 for s in stored.values() if s) >= 3
    low, high = db.execute("SELECT MIN(df), MAX(df) FROM story_df").fetchone()
    assert 1 <= low <= high <= 5  # re-stored documents were counted once


def test_seeds_in_two_batches_with_redis(seeds_dir, tmp_path):
    require_service("redis on 127.0.0.1:6379", redis_up())
    import redis

    db = 13
    r = redis.Redis(db=db)
    stale = list(r.scan_iter(match=b"cleaner:story:*"))
    if stale:
        r.delete(*stale)
    try:
        check_seeds_in_two_batches(seeds_dir, tmp_path, f"redis://127.0.0.1:6379/{db}")
        assert list(r.scan_iter(match=b"cleaner:story:*:docs"))
    finally:
        ours = list(r.scan_iter(match=b"cleaner:story:*"))
        if ours:
            r.delete(*ours)


def test_an_index_built_with_other_settings_is_refused(tmp_path):
    path = str(tmp_path / "index.sqlite")
    StoryIndex(path, {"max_items": 192})
    with pytest.raises(ValueError, match="settings"):
        StoryIndex(path, {"max_items": 64})


def test_frequencies_count_what_is_stored_and_forget_takes_it_out(tmp_path):
    index = StoryIndex(str(tmp_path / "index.sqlite"), {"max_items": 192})
    keys = np.array([3, 2 ** 63 + 5, 2 ** 64 - 1], np.uint64)  # keys past int64 round-trip through SQLite
    flags = np.array([NAME, NAME | FIGURE_FLAG, TERM], np.uint8)  # a term is never a candidate item
    doc = Document("a", "a.txt", "text", "A title", Metadata(site="a.example"), [Paragraph("Body text.")])
    index.put([("a", doc, Evidence(keys, flags, None, "a.example"), ""),
               ("b", dataclasses.replace(doc, id="b"), Evidence(keys[:1], flags[:1], 19000, "b.example"), "s")])
    seen = index.frequencies(np.array([3, 2 ** 63 + 5, 2 ** 64 - 1, 7], np.uint64))
    assert seen.documents == 2 and dict(zip(seen.keys.tolist(), seen.counts.tolist())) == {
        3: 2, 2 ** 63 + 5: 1, 2 ** 64 - 1: 1}
    assert index.sharing(keys) == {3: ["a", "b"], 2 ** 63 + 5: ["a"]}
    index.forget(["a"])
    assert index.documents() == 1 and index.frequencies(keys).counts.tolist() == [1]
    [b] = index.get(["a", "b"])
    assert (b.doc, b.story, b.evidence.day, b.document.id) == ("b", "s", 19000, "b")


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(st.integers(0, 2 ** 64 - 1), unique=True, max_size=30), st.one_of(st.none(), st.integers(-10 ** 6, 10 ** 6)),
       st.one_of(st.none(), texts.filter(bool)))
@settings(max_examples=60, deadline=None)
def test_evidence_round_trips(keys, day, site):
    arr = np.array(sorted(keys), np.uint64)
    flags = (arr % np.uint64(32)).astype(np.uint8)
    back = unpack_evidence(pack_evidence(Evidence(arr, flags, day, site)))
    assert back.keys.tolist() == arr.tolist() and back.flags.tolist() == flags.tolist()
    assert (back.day, back.site) == (day, site)


@given(st.lists(st.tuples(texts, st.booleans()), max_size=8), st.one_of(st.none(), texts))
@settings(max_examples=60, deadline=None)
def test_documents_keep_their_kept_paragraphs_at_their_places(paragraphs, title):
    doc = Document("d", "d.html", "html", title, Metadata("https://x.example/a", "2024-01-02", "A", "x"),
                   [Paragraph(t or "x", verdict=Verdict.KEEP if keep else Verdict.DROP) for t, keep in paragraphs])
    back = unpack_document(pack_document(doc))
    assert (back.id, back.title, back.metadata) == (doc.id, doc.title, doc.metadata)
    assert len(back.paragraphs) == len(doc.paragraphs)
    assert [(i, p.text) for i, p in enumerate(back.paragraphs) if p.kept] == \
        [(i, p.text) for i, p in enumerate(doc.paragraphs) if p.kept]


@given(st.lists(st.lists(st.integers(0, 50), max_size=10), max_size=8),
       st.lists(st.lists(st.integers(0, 50), max_size=10), max_size=8))
@settings(max_examples=60, deadline=None)
def test_rarity_with_a_base_counts_both(batch, earlier):
    def sets(docs):
        return [np.unique(np.array(d, np.uint64)) for d in docs]

    base = Rarity.count(sets(earlier))
    merged = Rarity.count(sets(batch), base)
    together = Rarity.count(sets(batch) + sets(earlier))
    assert merged.documents == together.documents
    assert merged.keys.tolist() == together.keys.tolist() and merged.counts.tolist() == together.counts.tolist()
    added = base.plus(Rarity.count(sets(batch)))  # the same counts, over base's documents
    assert added.keys.tolist() == together.keys.tolist() and added.counts.tolist() == together.counts.tolist()
