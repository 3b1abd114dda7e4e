"""Passages kept in the persistent index: a passage of a later batch that copies one of an
earlier batch joins a cluster naming the earlier document as its first source."""
from __future__ import annotations

import dataclasses
import json
import random
import sqlite3

import pytest

from cleaner import Config, run
from cleaner.config import DedupConfig
from cleaner.dedup import find_duplicates
from conftest import redis_up, require_service
from test_dedup import OTHER, STORY, doc

CFG = DedupConfig()
QUOTE = ("“We will not accept any agreement that leaves our eastern towns exposed to shelling every night,” "
         "the mayor told reporters outside the damaged school on Sunday.")
NOTICE = ("Readers can send corrections to the standards desk, which reviews every request within two working "
          "days and publishes its findings at the end of each month.")
LIFE = [
    "The botanical garden reopened its glasshouse on Saturday after a two-year restoration that replaced "
    "every one of its four thousand panes.",
    "Gardeners moved more than three hundred tropical plants back inside over the past month, some of them "
    "older than the building itself.",
    "Visitors queued from early morning, and the garden extended its opening hours to cope with the crowds "
    "expected over the holiday weekend.",
]
SPORT = [
    "The home side came back from two goals down to draw with the league leaders on Saturday, a result that "
    "keeps them three points clear of the relegation places.",
    "Their captain scored the equaliser with a header in the final minute, his first goal since returning "
    "from a knee injury that kept him out for most of the autumn.",
    "The coach praised the crowd, saying the noise in the second half had carried a tired team through the "
    "last twenty minutes against a much deeper squad.",
]


def passage_clusters(clusters):
    return [c for c in clusters if c.level == "passage"]


def batches():
    """Batch 1: an original with a quote and a notice, and a story quoting it; batch 2: a
    story quoting it with one word changed, one with the notice verbatim, one with neither."""
    first = [doc("b1-original", STORY[:3] + [QUOTE] + STORY[3:5] + [NOTICE]),
             doc("b1-quoting", OTHER[:3] + [QUOTE])]
    edited = QUOTE.replace("on Sunday", "on Saturday")  # one word changed
    second = [doc("b2-quoting", LIFE + [edited]),
              doc("b2-notice", OTHER[3:] + [NOTICE]),
              doc("b2-plain", SPORT)]
    return first, second


def check_two_batches(cfg: DedupConfig) -> None:
    first, second = batches()
    [quote_1] = passage_clusters(find_duplicates(first, cfg))
    assert [m.doc for m in quote_1.members] == ["b1-original", "b1-quoting"]

    clusters = passage_clusters(find_duplicates(second, cfg))
    by_rep = {(c.representative, tuple(m.doc for m in c.members)): c for c in clusters}
    assert set(by_rep) == {("b1-original", ("b1-original", "b1-quoting", "b2-quoting")),
                           ("b1-original", ("b1-original", "b2-notice"))}
    quote = by_rep[("b1-original", ("b1-original", "b1-quoting", "b2-quoting"))]
    assert [m.paragraph for m in quote.members] == [3, 3, 3]
    assert [m.text for m in quote.members][:2] == [None, None]  # earlier runs' text is in their own output
    assert quote.members[2].text.endswith("outside the damaged school on Saturday.")
    assert 0.8 <= quote.similarity < 1.0  # one word changed
    notice = by_rep[("b1-original", ("b1-original", "b2-notice"))]
    assert notice.similarity == 1.0 and [m.paragraph for m in notice.members] == [6, 2]
    refs = {d.id: [(r.paragraph, r.first_doc) for r in d.passages] for d in second}
    assert refs == {"b2-quoting": [(3, "b1-original")], "b2-notice": [(2, "b1-original")], "b2-plain": []}

    # a third batch cleaning batch 1 again: no document is a copy of itself, and the batch-1
    # original, seen first, stays the first source of what batch 2 copied from it
    again, _ = batches()
    found = {(c.representative, tuple(m.doc for m in c.members)) for c in passage_clusters(find_duplicates(again, cfg))}
    assert found == {("b1-original", ("b1-original", "b1-quoting", "b2-quoting")),
                     ("b1-original", ("b1-original", "b2-notice"))}
    assert [r.first_doc for r in again[1].passages] == ["b1-original"]
    # ... and a fourth copying batch 2's edited quote still names the batch-1 original
    later = [doc("b4", ["Rail services between the two cities will run a reduced timetable until the end of the "
                        "month while engineers replace a section of track near the river crossing.",
                        QUOTE.replace("on Sunday", "on Saturday")])]
    [c] = passage_clusters(find_duplicates(later, cfg))
    assert c.representative == "b1-original" and later[0].passages[0].first_doc == "b1-original"


def test_two_batches_with_sqlite(tmp_path):
    check_two_batches(dataclasses.replace(CFG, index=str(tmp_path / "dedup.sqlite")))
    with sqlite3.connect(tmp_path / "dedup.sqlite") as db:
        docs = {d for (d,) in db.execute("SELECT DISTINCT doc FROM passages")}
    assert {"b1-original", "b1-quoting", "b2-quoting", "b2-notice", "b2-plain", "b4"} <= docs


def test_two_batches_with_redis():
    require_service("redis on 127.0.0.1:6379", redis_up())
    import redis

    db = 14
    r = redis.Redis(db=db)
    before = set(r.scan_iter(match=b"*"))
    seed = random.randrange(1 << 30)  # its own keys: the settings' fingerprint names them
    try:
        check_two_batches(dataclasses.replace(CFG, index=f"redis://127.0.0.1:6379/{db}", seed=seed))
    finally:
        ours = set(r.scan_iter(match=b"*")) - before
        if ours:
            r.delete(*ours)
    assert any(b":passage:" in key for key in ours)


def test_drop_repeated_passages_drops_copies_of_earlier_batches(tmp_path):
    cfg = dataclasses.replace(CFG, index=str(tmp_path / "dedup.sqlite"), drop_repeated_passages=True)
    first, second = batches()
    find_duplicates(first, cfg)
    find_duplicates(second, cfg)
    dropped = {d.id: [i for i, p in enumerate(d.paragraphs) if p.reason == "duplicate-passage"] for d in second}
    assert dropped == {"b2-quoting": [3], "b2-notice": [2], "b2-plain": []}


def test_passage_index_refuses_other_passage_settings(tmp_path):
    path = str(tmp_path / "dedup.sqlite")
    first, _ = batches()
    find_duplicates(first, dataclasses.replace(CFG, index=path))
    with pytest.raises(ValueError, match="passages built with settings"):
        find_duplicates(first, dataclasses.replace(CFG, index=path, passage_threshold=0.6))


def test_two_runs_of_the_pipeline_share_passages(tmp_path):
    """Through `clean run`: the second run's duplicates.jsonl (and its Parquet twin) hold the
    cluster with the first run's document as representative."""
    first, second = batches()
    for name, docs in (("one", first), ("two", second)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "docs.jsonl").write_text("".join(
            json.dumps({"id": d.id, "text": "\n".join(p.original for p in d.paragraphs)}) + "\n" for d in docs),
            encoding="utf-8")
    config = Config(workers=1).with_overrides({"dedup.index": str(tmp_path / "dedup.sqlite"),
                                               "output.formats": ("jsonl", "parquet")})
    run([str(tmp_path / "one")], out=str(tmp_path / "out-one"), config=config)
    run([str(tmp_path / "two")], out=str(tmp_path / "out-two"), config=config)
    clusters = [json.loads(line) for line in (tmp_path / "out-two" / "duplicates.jsonl").read_text().splitlines()]
    passages = [c for c in clusters if c["level"] == "passage"]
    assert {(c["representative"], tuple(m["doc"] for m in c["members"])) for c in passages} >= {
        ("b1-original", ("b1-original", "b2-notice"))}
    import pyarrow.parquet as pq
    rows = pq.read_table(tmp_path / "out-two" / "duplicates.parquet").to_pylist()
    assert [r["representative"] for r in rows] == [c["representative"] for c in clusters]
