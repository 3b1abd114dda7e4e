"""Dedup stage: real behaviour on small realistic documents."""
from __future__ import annotations

import dataclasses
import json
import pickle
import random
import re
import sqlite3
from unittest import mock

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings, strategies as st

from cleaner.config import DedupConfig
from cleaner.dedup import ClusterMember, DuplicateCluster, document_features, find_duplicates
from cleaner.dedup.minhash import Signer, band_keys, detection_probability, lsh_params
from cleaner.models import Document, Paragraph, Verdict
from cleaner.dedup import shingle
from cleaner.dedup.clusters import UnionFind
from cleaner.dedup.shingle import normalise, shingle_hashes, text_shingles, token_hashes
from conftest import redis_up

STORY = [
    "WASHINGTON: US Secretary of State Antony Blinken flies to Beijing this weekend with expectations low "
    "that he will make headway on the long list of disputes between the US and China.",
    "Blinken will hold meetings in China on June 18-19 and may meet with Chinese President Xi Jinping, "
    "sources said. He will be the highest-ranking US government official to visit China since Biden took office.",
    "In a pre-trip briefing on Wednesday, US officials said they have no expectation the trip will yield a "
    "breakthrough in how the US and China deal with each other.",
    "“Both sides want to show the rest of the world that they are managing the relationship responsibly,” "
    "said Andrew Small, a senior fellow at the German Marshall Fund’s Asia program.",
    "Bilateral ties have deteriorated across the board, raising concerns that their rivalry could veer into "
    "conflict over Taiwan, which China claims as its own.",
    "US officials expect Blinken’s visit will pave the way for more bilateral meetings in the coming months, "
    "including possible trips by US Treasury Secretary Janet Yellen and Commerce Secretary Gina Raimondo.",
]
OTHER = [
    "KYIV: Russian missile and drone attacks overnight into Sunday killed at least one person in Ukraine, after "
    "US and Ukrainian officials wrapped up a third day of talks aimed at ending the war.",
    "A man was killed in a drone attack on Ukraine’s northern Chernihiv region Saturday night, local officials "
    "said, while a combined missile and drone attack hit infrastructure in the central city.",
    "Kyiv and its Western allies say Russia is trying to cripple the Ukrainian power grid and deny civilians "
    "access to heat, light and running water for a fourth consecutive winter.",
    "Speaking Saturday at the Reagan National Defense Forum, the outgoing Ukraine envoy said efforts to end the "
    "war were in the last 10 meters and depended on two outstanding issues.",
    "Separately, officials said the leaders of the United Kingdom, France and Germany would participate in a "
    "meeting with Zelensky in London on Monday to discuss security guarantees.",
]
TEMPLATE = ["Share this article", "Sign up for our newsletter to get the latest headlines in your inbox",
            "Advertisement"]


def doc(id_: str, paras: list[str], title: str | None = None) -> Document:
    return Document(id=id_, source=f"{id_}.txt", format="text", title=title, paragraphs=[Paragraph(p) for p in paras])


def reprint() -> list[str]:
    """New headline, trimmed ending, an inserted paragraph, widgets: a typical syndicated copy."""
    return (["Top US diplomat heads to China as tensions simmer", "Advertisement"] + STORY[:4]
            + ["The State Department did not immediately respond to a request for comment on the itinerary."]
            + STORY[4:5] + ["Related Posts"])


def doc_clusters(clusters):
    return [c for c in clusters if c.level == "document"]


CFG = DedupConfig()


def test_reprint_with_new_headline_is_flagged():
    docs = [doc("orig", ["Blinken heads to Beijing hoping to calm fears of a US-China break"] + STORY),
            doc("copy", reprint())]
    clusters = find_duplicates(docs, CFG)
    [c] = doc_clusters(clusters)
    assert [m.doc for m in c.members] == ["orig", "copy"] and c.representative == "orig"
    assert docs[1].duplicate_of == "orig" and docs[1].duplicate_similarity >= CFG.threshold
    assert docs[0].duplicate_of is None and docs[0].duplicate_similarity is None
    line = c.as_dict()
    assert line["level"] == "document" and line["members"] == [{"doc": "orig"}, {"doc": "copy"}]


def test_mojibake_reprint_is_flagged():
    damaged = [p.encode("utf-8").decode("cp1252", errors="replace") if "’" in p else p for p in STORY]
    docs = [doc("a", STORY), doc("b", damaged)]
    find_duplicates(docs, CFG)
    assert docs[1].duplicate_of == "a"


def test_different_articles_same_site_template_are_not_duplicates():
    docs = [doc("a", TEMPLATE + STORY[:3] + TEMPLATE), doc("b", TEMPLATE + OTHER[:3] + TEMPLATE)]
    assert doc_clusters(find_duplicates(docs, CFG)) == []
    assert docs[1].duplicate_of is None


def test_short_documents_are_not_judged():
    docs = [doc("a", ["Sign up for our newsletter today"]), doc("b", ["Sign up for our newsletter today"])]
    assert doc_clusters(find_duplicates(docs, CFG)) == []


@pytest.mark.parametrize("rule, expected", [("earliest", "short"), ("longest", "long"), ("most-complete", "long")])
def test_representative_rules(rule, expected):
    docs = [doc("short", STORY[:4]), doc("long", STORY + ["Advertisement"]), doc("mid", STORY[:5])]
    [c] = doc_clusters(find_duplicates(docs, dataclasses.replace(CFG, representative=rule, threshold=0.6)))
    assert c.representative == expected
    assert {d.id: d.duplicate_of for d in docs}[expected] is None
    assert all(d.duplicate_of == expected for d in docs if d.id != expected)


def test_longest_and_most_complete_differ():
    # "padded" is longest (an unrelated long paragraph added) but misses part of the story.
    padded = STORY[:4] + OTHER
    docs = [doc("full", STORY), doc("padded", padded), doc("trim", STORY[:5])]
    cfg = dataclasses.replace(CFG, threshold=0.6)
    assert doc_clusters(find_duplicates(docs, dataclasses.replace(cfg, representative="longest")))[0].representative == "padded"
    assert doc_clusters(find_duplicates(docs, dataclasses.replace(cfg, representative="most-complete")))[0].representative == "full"


def test_unknown_representative_rule_is_refused():
    with pytest.raises(ValueError, match="representative"):
        find_duplicates([doc("a", STORY)], dataclasses.replace(CFG, representative="newest"))


def test_passage_clusters_across_documents_record_first_doc():
    quote = STORY[3]
    docs = [doc("a", OTHER[:2] + [quote]), doc("b", OTHER[2:4] + [quote]), doc("c", STORY[:1])]
    clusters = find_duplicates(docs, CFG)
    [c] = [c for c in clusters if c.level == "passage"]
    assert c.members == (ClusterMember("a", 2, quote), ClusterMember("b", 2, quote))
    assert c.representative == "a"
    index = clusters.index(c)
    assert [(r.paragraph, r.cluster, r.first_doc) for r in docs[1].passages] == [(2, index, "a")]
    assert docs[2].passages == []


def test_drop_repeated_passages_drops_later_copies_only():
    quote = STORY[3]
    docs = [doc("a", OTHER[:2] + [quote]), doc("b", OTHER[2:4] + [quote])]
    find_duplicates(docs, dataclasses.replace(CFG, drop_repeated_passages=True))
    assert docs[0].paragraphs[2].kept
    assert docs[1].paragraphs[2].verdict is Verdict.DROP and docs[1].paragraphs[2].reason == "duplicate-passage"


def test_within_document_repeat_counts_dropped_paragraphs():
    """Seed 003: the appended story's headline (14 words) appears twice, both dropped."""
    head = "Russian strikes kill 1 as US and Ukraine officials wrap up third day of diplomatic talks"
    d = doc("seed003", ["Blinken heads to Beijing hoping to calm fears of a US-China break"] + STORY
            + [head, "Updated 3 sec ago", head] + OTHER, title="Blinken heads to Beijing hoping to calm fears of a US-China break")
    d.paragraphs[0].verdict = Verdict.TITLE
    for p in d.paragraphs[len(STORY) + 1:]:
        p.drop("appended-story")
    clusters = find_duplicates([d], CFG)
    [c] = [c for c in clusters if c.level == "passage"]
    assert [m.paragraph for m in c.members] == [7, 9] and {m.doc for m in c.members} == {"seed003"}
    assert c.members[0].text == head


def test_dropped_paragraphs_are_not_compared_across_documents():
    a, b = doc("a", STORY), doc("b", STORY)
    for p in b.paragraphs:
        p.drop("user-pattern")
    clusters = find_duplicates([a, b], CFG)
    assert clusters == [] and b.duplicate_of is None


def _membership(clusters):
    return sorted((c.level, tuple(sorted((m.doc, m.paragraph) for m in c.members))) for c in clusters)


CORPUS = [("o1", STORY), ("c1", reprint()), ("o2", OTHER), ("c2", OTHER[:4] + ["Share this"]),
          ("x", STORY[3:4] + OTHER[4:]), ("y", [OTHER[1], STORY[0]])]


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(CORPUS))))
def test_clusters_do_not_depend_on_input_order(order):
    base = _membership(find_duplicates([doc(i, p) for i, p in CORPUS], CFG))
    shuffled = _membership(find_duplicates([doc(*CORPUS[k]) for k in order], CFG))
    assert shuffled == base


def test_output_is_deterministic():
    runs = [json.dumps([c.as_dict() for c in find_duplicates([doc(i, p) for i, p in CORPUS], CFG)])
            for _ in range(2)]
    assert runs[0] == runs[1]


def test_embedded_index_round_trip(tmp_path):
    path = str(tmp_path / "dedup.sqlite")
    cfg = dataclasses.replace(CFG, index=path)
    first = [doc("o1", STORY), doc("o2", OTHER)]
    assert doc_clusters(find_duplicates(first, cfg)) == []
    second = [doc("c1", reprint()), doc("new", [OTHER[0], STORY[1]] + TEMPLATE)]
    [c] = doc_clusters(find_duplicates(second, cfg))
    assert c.representative == "o1" and [m.doc for m in c.members] == ["o1", "c1"]
    assert second[0].duplicate_of == "o1" and second[1].duplicate_of is None
    # a third run: a copy of the copy still names the first-run original
    third = [doc("c2", reprint()[:-1])]
    find_duplicates(third, cfg)
    assert third[0].duplicate_of == "o1"
    with sqlite3.connect(path) as db:
        types = {t for (t,) in db.execute("SELECT DISTINCT typeof(signature) FROM entries")}
        assert types == {"blob"}
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 5
        # no pickle anywhere: signatures are raw uint32, passages packed by StoredPassage
        for (sig,) in db.execute("SELECT signature FROM entries"):
            assert len(sig) == 4 * CFG.num_perm
        blobs = [data for (data,) in db.execute("SELECT data FROM passages")]
        assert blobs and all(data.startswith(PASSAGE_MAGIC) for data in blobs)
        assert all(StoredPassage.unpack(data).pack() == data for data in blobs)


from cleaner.dedup.index import PASSAGE_MAGIC, StoredPassage  # noqa: E402


def test_embedded_index_refuses_other_settings(tmp_path):
    path = str(tmp_path / "dedup.sqlite")
    find_duplicates([doc("o1", STORY)], dataclasses.replace(CFG, index=path))
    with pytest.raises(ValueError, match="settings"):
        find_duplicates([doc("o2", STORY)], dataclasses.replace(CFG, index=path, shingle_size=4))


@pytest.mark.skipif(not redis_up(), reason="no redis server at 127.0.0.1:6379")
def test_redis_index_round_trip():
    import redis

    db = 15
    r = redis.Redis(db=db)
    before = set(r.scan_iter(match=b"*"))
    cfg = dataclasses.replace(CFG, index=f"redis://127.0.0.1:6379/{db}", seed=random.randrange(1 << 30))
    find_duplicates([doc("o1", STORY), doc("o2", OTHER)], cfg)
    second = [doc("c1", reprint())]
    [c] = doc_clusters(find_duplicates(second, cfg))
    assert second[0].duplicate_of == "o1" and c.representative == "o1"
    ours = set(r.scan_iter(match=b"*")) - before  # the seed is random: these keys are this test's
    assert ours
    for key in ours:
        if r.type(key) == b"hash":
            for v in r.hvals(key):
                assert not v.startswith(b"\x80")  # no pickles
    r.delete(*ours)


def test_lsh_params_reach_98_percent_at_threshold():
    for t in (0.3, 0.5, 0.7, 0.8, 0.9):
        b, r = lsh_params(t, 128)
        assert b * r <= 128 and detection_probability(t, b, r) >= 0.98


def test_signatures_match_datasketch():
    sh = text_shingles(" ".join(STORY), 5)
    ours = Signer(128, 7).sign(sh)
    ref = MinHash(num_perm=128, seed=7, hashfunc=lambda x: x)
    ref.update_batch(sh.tolist())
    assert np.array_equal(ours, ref.hashvalues)
    lean = Signer(128, 7).lean(ours)
    assert lean.jaccard(lean) == 1.0


def test_korean_and_chinese_text_shingle():
    ko = "서울 시내 곳곳에서 대규모 집회가 열려 교통이 통제됐다 경찰은 안전 관리에 나섰다"
    assert text_shingles(ko, 5).size == len(ko.split()) - 4
    zh = "中华人民共和国国务院今天发布了关于加强城市交通管理的新规定"
    assert text_shingles(zh, 5).size == len(zh) - 4  # character shingles for scripts without spaces
    assert token_hashes("Advertisement Internationalisation").size == 2  # long words stay words


def test_repeated_one_word_widgets_are_not_passages():
    docs = [doc("a", ["Advertisement"] + STORY[:2] + ["Advertisement"]), doc("b", ["Advertisement"] + OTHER[:2])]
    assert [c for c in find_duplicates(docs, CFG) if c.level == "passage"] == []


def test_disabled_returns_nothing():
    assert find_duplicates([doc("a", STORY), doc("b", STORY)], dataclasses.replace(CFG, enabled=False)) == []


def test_cluster_as_dict_passage_members_carry_text():
    c = DuplicateCluster("passage", 0.9, (ClusterMember("a", 2, "x"), ClusterMember("b", 0, "x")), "a")
    assert c.as_dict() == {"level": "passage", "similarity": 0.9, "representative": "a",
                           "members": [{"doc": "a", "paragraph": 2, "text": "x"},
                                       {"doc": "b", "paragraph": 0, "text": "x"}]}


def test_candidate_pair_blocks_are_the_pairs_sharing_a_band_whatever_the_block_size():
    from cleaner.dedup.minhash import candidate_pair_blocks
    from lsh_reference import pairs_sharing_a_band

    rng = np.random.default_rng(7)
    for _ in range(100):
        keys = rng.integers(0, int(rng.integers(1, 6)), size=(int(rng.integers(0, 40)), int(rng.integers(1, 5))))
        keys = keys.astype(np.uint64)
        expected = pairs_sharing_a_band(keys)
        for block in (1, 7, 1 << 20):
            found = set()
            for i, j in candidate_pair_blocks(keys, block):
                assert (i < j).all()
                found |= set(zip(i.tolist(), j.tolist()))
            assert found == expected


def reference_features(d: Document, config: DedupConfig) -> tuple:
    """document_features of one document, the plain way: each paragraph on its own."""
    signer = Signer(config.num_perm, config.seed)
    tokens = {pi: token_hashes(normalise(p.text)) for pi, p in enumerate(d.paragraphs) if p.verdict is not Verdict.TITLE}
    body = np.concatenate([tokens[pi] for pi, p in enumerate(d.paragraphs) if p.kept] + [np.empty(0, np.uint64)])
    shingles = shingle_hashes(body, config.shingle_size)
    signed = (len(set(shingles.tolist())), body.size, signer.sign(shingles).tolist())
    passages = [(pi, np.unique(shingle_hashes(t, config.passage_shingle_size)).tolist()) for pi, t in tokens.items()
                if d.paragraphs[pi].kept and t.size >= config.passage_min_words]
    b, r = lsh_params(config.passage_threshold, config.num_perm)
    bands = [band_keys(signer.sign(np.array(sh, np.uint32))[None], b, r)[0].tolist() for _, sh in passages]
    title = token_hashes(normalise(d.title)).tolist() if d.title else None
    within: dict[tuple, list[int]] = {}
    for pi, t in tokens.items():
        if t.size >= config.within_doc_min_words and t.tolist() != title:
            within.setdefault(tuple(t.tolist()), []).append(pi)
    return signed, passages, bands, [g for g in within.values() if len(g) > 1]


PIECES = ["the", "talks", "Straße", "ﬁnal", "İstanbul", "ΣΟΦΟΣ", "서울 시내", "北京市人民政府", "ภาษาไทย", "カタカナ",
          "cafÃ©", "itâ€™s", "e\u0301", "\u0301", "\u1100\u1161", "x\x00y", "line\nbreak", "—", "42", "\u00a0", "a_b"]
words = st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join)
documents = st.lists(st.tuples(words, st.sampled_from([Verdict.KEEP, Verdict.KEEP, Verdict.DROP, Verdict.TITLE])),
                     max_size=8).flatmap(lambda ps: st.builds(
                         lambda title, repeat: Document("d", "d", "text", title=title, paragraphs=[
                             Paragraph(t, verdict=v) for t, v in ps + ps[:repeat]]),
                         st.one_of(st.none(), st.just(ps[0][0] if ps else ""), words), st.integers(0, 2)))


@settings(max_examples=150, deadline=None)
@given(st.lists(documents, min_size=1, max_size=6),
       st.sampled_from([CFG, dataclasses.replace(CFG, passage_min_words=2, within_doc_min_words=0, shingle_size=3,
                                                 passage_shingle_size=4, num_perm=64)]),
       st.sampled_from([shingle._RUN_CHARS, 60]))
def test_batched_features_match_per_paragraph_reference(docs, config, run_chars):
    """document_features tokenises a batch once (a few documents at a time when long); each
    document must get what tokenising each of its paragraphs alone gives (the stored
    signatures depend on it)."""
    with mock.patch.object(shingle, "_RUN_CHARS", run_chars):
        features = document_features(docs, config)
    assert len(features) == len(docs)
    for f, d in zip(features, docs):
        signed, passages, bands, within = reference_features(d, config)
        for f in (f, pickle.loads(pickle.dumps(f))):  # as they come back from a worker, too
            assert (f.signed.size, f.signed.words, f.signed.signature.tolist()) == signed
            assert [(pi, sh.tolist()) for pi, sh in f.passages.items()] == passages
            assert f.passages.shingles.dtype == np.uint32
            assert f.passages.bands.tolist() == bands and f.passages.within == within


@settings(max_examples=40, deadline=None)
@given(st.lists(documents, min_size=1, max_size=5))
def test_passages_rebuilt_from_their_items_sign_to_the_same_bands(docs):
    """`PassageFeatures.of` + `sign_passages` (features made elsewhere: the Dask benchmark)
    agree with `document_features`, documents without passages included."""
    from cleaner.dedup.passages import PassageFeatures, sign_passages
    from cleaner.dedup import signer_for
    config = dataclasses.replace(CFG, passage_min_words=2, passage_shingle_size=2)  # most paragraphs count
    features = [f.passages for f in document_features(docs, config)]
    rebuilt = [PassageFeatures.of(f.items(), f.within) for f in features]
    sign_passages(rebuilt, signer_for(config.num_perm, config.seed),
                  lsh_params(config.passage_threshold, config.num_perm))
    for a, b in zip(features, rebuilt):
        assert [(pi, sh.tolist()) for pi, sh in a.items()] == [(pi, sh.tolist()) for pi, sh in b.items()]
        assert b.bands.tolist() == a.bands.tolist()


@pytest.mark.parametrize("num_perm, seed", [(128, 1), (64, 7), (256, 12345)])
def test_signer_permutations_are_datasketchs(num_perm, seed):
    from cleaner.dedup.minhash import SCHEME, affine32_permutations

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    mine_a, mine_b = affine32_permutations(num_perm, seed)
    assert np.array_equal(mine_a, a) and np.array_equal(mine_b, b)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 80), max_size=40), st.lists(st.integers(0, 80), min_size=1, max_size=40))
def test_passage_similarity_is_the_exact_jaccard_of_distinct_sorted_hashes(a, b):
    from cleaner.dedup.minhash import sorted_unique
    from cleaner.dedup.passages import passage_similarity

    x, y = (sorted_unique(np.array(v, dtype=np.uint64)) for v in (a, b))
    assert x.tolist() == sorted(set(a)) and y.tolist() == sorted(set(b))
    inter = len(set(a) & set(b))
    expected = inter / (len(set(a)) + len(set(b)) - inter)
    assert passage_similarity(x, y) == expected == passage_similarity(y, x)


def _plain_word_class(ch: str) -> int:
    """0 not \\w, 1 \\w, 2 \\w of a spaceless script: the definition the tables precompute."""
    if not re.fullmatch(r"\w", ch):
        return 0
    return 2 if any(lo <= ord(ch) <= hi for lo, hi in shingle._SPACELESS) else 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_word_classes_are_the_plain_definition_in_every_plane(text):
    cp = shingle._code_points(text)
    assert shingle._word_classes(cp).tolist() == [_plain_word_class(ch) for ch in text]


@pytest.mark.parametrize("n", [0, 1, shingle._RUN_CHARS, shingle._RUN_CHARS + 1, shingle._BLOCK])
def test_power_tables_grown_on_demand_are_prefixes_of_the_full_ones(n):
    fwd, back = shingle.powers_for(n)
    full_fwd, full_back = shingle._powers(shingle._BLOCK)
    assert fwd.size >= n and np.array_equal(fwd, full_fwd[:fwd.size]) and np.array_equal(back, full_back[:back.size])


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([CFG, dataclasses.replace(CFG, measure="jaccard"),
                                                       dataclasses.replace(CFG, num_perm=300, min_jaccard=0.1)]))
def test_verified_pairs_are_the_pairs_verified_accepts(seed, config):
    """verified_pairs screens on low bytes before the full signatures: it must accept exactly the
    pairs `verified` accepts.  Slot values are drawn from 3 x 2 values, so low bytes agree far
    more often than values (the screen passes pairs that then fail), and each row copies a
    random share of another row's slots (some pairs pass)."""
    from cleaner.dedup.documents import Entry, verified, verified_pairs

    rng = np.random.default_rng(seed)
    n, p = 30, config.num_perm
    base = rng.integers(0, 3, size=(n, p)) << 8 | rng.integers(0, 2, size=(n, p))
    shared = rng.random((n, p)) < rng.random((n, 1))
    sigs = np.where(shared, base[rng.integers(0, n, size=n)], base).astype(np.uint32)
    sizes = rng.integers(20, 400, size=n)
    i, j = (v.ravel() for v in np.triu_indices(n, 1))
    entries = [Entry(str(k), k, int(sizes[k]), 0, sigs[k]) for k in range(n)]
    expected = [(a, b) for a, b in zip(i.tolist(), j.tolist()) if verified(entries[a], entries[b], config)]
    found_i, found_j = verified_pairs(sigs, sizes, i, j, config)
    assert list(zip(found_i.tolist(), found_j.tolist())) == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10 ** 7), st.integers(1, 10 ** 7),
       st.sampled_from([CFG, dataclasses.replace(CFG, measure="jaccard"),
                        dataclasses.replace(CFG, num_perm=300, threshold=0.5, min_jaccard=0.1)]))
def test_passing_grows_with_the_equal_count(size_a, size_b, config):
    """What verified_pairs' low-byte screen relies on: a count that fails, fails at every lower count."""
    from cleaner.dedup.documents import passes

    ok = passes(np.arange(config.num_perm + 1), config.num_perm, size_a, size_b, config)
    assert (np.diff(ok.astype(int)) >= 0).all()


def _no_collapse(prefix, value):
    """`verbatim_copies` that finds none: every item goes through the candidate search."""
    return np.arange(prefix.size), []


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["story", "reprint", "other", "mixed", "template"]), min_size=1, max_size=14),
       st.sampled_from([CFG, dataclasses.replace(CFG, measure="jaccard"),
                        dataclasses.replace(CFG, representative="longest", drop_repeated_passages=True),
                        dataclasses.replace(CFG, index="sqlite")]))
def test_verbatim_copies_give_what_searching_every_copy_gives(kinds, config):
    """A wire story on many sites: copies are linked to their first copy instead of being
    paired with each other, document pairs already joined are not verified, and large band
    buckets are searched as a star first; clusters,
    similarities and drops must be what the plain search finds, in memory and with a
    persistent index (a fresh one, then one the corpus is already in)."""
    import tempfile

    bodies = {"story": STORY, "reprint": reprint(), "other": OTHER, "mixed": OTHER[:3] + STORY[2:5],
              "template": TEMPLATE + OTHER[1:4]}

    def run():
        with tempfile.TemporaryDirectory() as folder:
            cfg = dataclasses.replace(config, index=f"{folder}/dedup.sqlite") if config.index else config
            outcomes = []
            for _ in range(2 if config.index else 1):
                docs = [doc(f"d{n}", bodies[k]) for n, k in enumerate(kinds)]
                outcomes.append((json.dumps([c.as_dict() for c in find_duplicates(docs, cfg)]), [
                    (d.duplicate_of, d.duplicate_similarity, d.passages, [p.verdict for p in d.paragraphs])
                    for d in docs]))
            return outcomes

    with mock.patch("cleaner.dedup.documents.VERIFY_BLOCK", 3), mock.patch("cleaner.dedup.documents.RELABEL_JOINS", 1), \
            mock.patch("cleaner.dedup.documents.LARGE_BUCKET", 2):
        # small passes, relabelled after every join: pairs already joined are skipped; band
        # buckets of 3 or more searched as a star, then across what is still apart
        collapsed = run()
    with mock.patch("cleaner.dedup.documents.verbatim_copies", _no_collapse), \
            mock.patch("cleaner.dedup.passages.verbatim_copies", _no_collapse), \
            mock.patch("cleaner.dedup.documents.verbatim_key", lambda signed: object()), \
            mock.patch("cleaner.dedup.documents._component_labels", lambda rows, n: np.arange(n)):
        assert run() == collapsed  # every pair searched and verified


def test_copies_of_a_wire_story_are_not_paired_with_each_other():
    """m verbatim copies must not cost m²/2 verifications (2,000 ran for over ten minutes)."""
    from cleaner.dedup import passages

    docs = [doc(f"site{n}", STORY) for n in range(300)] + [doc("other", OTHER), doc("reprint", reprint())]
    with mock.patch.object(passages, "passage_similarity", wraps=passages.passage_similarity) as verify:
        clusters = find_duplicates(docs, CFG)
    assert verify.call_count < 100
    assert max(len(c.members) for c in doc_clusters(clusters)) == 301  # the copies and the reprint
    assert sum(d.duplicate_of == "site0" for d in docs) == 300  # all but the representative


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=2, max_size=40), st.integers(0, 2 ** 32 - 1),
       st.sampled_from([2, 5, 256]), st.sampled_from([0.03, 0.1, 0.5]))
def test_large_buckets_join_what_verifying_every_shared_pair_joins(bases, seed, large, density):
    """Star-first search of large band buckets, then pairs across what is still apart: the
    same components as verifying every pair that shares a band, whatever verification
    decides (here a random symmetric relation, chains included)."""
    from cleaner.dedup import documents
    from cleaner.dedup.minhash import band_keys

    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2 ** 32, size=(3, CFG.num_perm), dtype=np.uint64).astype(np.uint32)
    n = len(bases)
    sigs = base[bases].copy()
    sigs[np.arange(n), rng.integers(0, CFG.num_perm, n)] = rng.integers(0, 2 ** 32, n, dtype=np.uint64)  # each its own
    signed = [documents.Signed(CFG.min_shingles + k, 500, sigs[k]) for k in range(n)]
    relation = np.triu(rng.random((n, n)) < density, 1)
    relation |= relation.T

    def fake_verified(signatures, sizes, i, j, config, low=None):
        ok = relation[i, j]
        return i[ok], j[ok]

    b, r = documents.candidate_params(CFG)
    bands = band_keys(sigs, b, r)
    expected = UnionFind()
    for x in range(n):
        for y in range(x + 1, n):
            if relation[x, y] and (bands[x] == bands[y]).any():
                expected.union(x, y)
    keys = [f"d{k}" for k in range(n)]
    with mock.patch.object(documents, "verified_pairs", fake_verified), \
            mock.patch.object(documents, "LARGE_BUCKET", large), mock.patch.object(documents, "VERIFY_BLOCK", 4):
        clusters, _ = documents._clusters_in_memory(keys, signed, CFG)
    got = sorted(sorted(int(m.doc[1:]) for m in c.members) for c in clusters)
    assert got == sorted(sorted(g) for g in expected.groups() if len(g) > 1)


def test_decide_gives_the_same_decisions_with_the_document_search_elsewhere():
    """`decide(elsewhere=)` runs the document search through the given starter (the local
    engine's worker pool) while the passages are searched here: nothing else changes."""
    from concurrent.futures import ProcessPoolExecutor

    from cleaner.dedup import decide

    base = ["The minister said on Monday that the plan agreed last year would go ahead as planned for all."] * 3
    docs = [doc(f"d{i}", [f"Story {i % 4} begins with its own opening words {i % 4} and more words here."] + base
                + [f"Unrelated closing words number {i} that only this one document uses in the corpus."])
            for i in range(12)]
    for d in docs:
        for p in d.paragraphs:
            p.verdict = Verdict.KEEP
    config = DedupConfig()
    features = document_features(docs, config)
    ids = [d.id for d in docs]
    with ProcessPoolExecutor(1) as executor:
        def elsewhere(fn, args):
            return executor.submit(fn, *args).result

        there = decide(ids, features, config, elsewhere)
    here = decide(ids, features, config)
    assert here.document_clusters and there.document_clusters == here.document_clusters
    assert there.duplicate_of == here.duplicate_of and there.groups == here.groups


def test_signed_columns_cross_a_pickle_and_give_the_same_document_clusters():
    """The document search a worker runs gets its documents as columns: same summaries,
    same clusters as from the summaries themselves."""
    from cleaner.dedup import columns_clusters, document_clusters
    from cleaner.dedup.documents import SignedColumns

    config = DedupConfig()
    docs = [doc("o1", STORY), doc("c1", reprint()), doc("o2", OTHER), doc("short", ["Too short."])]
    signed = [f.signed for f in document_features(docs, config)]
    columns = pickle.loads(pickle.dumps(SignedColumns.of(signed, config.num_perm)))
    rows = columns.rows()
    assert [(r.size, r.words, r.signature.tolist()) for r in rows] == \
        [(s.size, s.words, s.signature.tolist()) for s in signed]
    keys = [d.id for d in docs]
    assert columns_clusters(keys, columns, config) == document_clusters(keys, signed, config)
    assert document_clusters(keys, signed, config)[0]  # the story and its reprint are a cluster
    assert SignedColumns.of([], config.num_perm).rows() == []


def test_word_classes_past_the_first_plane_are_the_full_tables():
    """Code points past the Basic Multilingual Plane are classed point by point, as the
    table of all of Unicode classes them."""
    from cleaner.dedup.shingle import _word_classes, word_table

    every = np.arange(0x110000, dtype=np.uint32)
    assert np.array_equal(_word_classes(every), np.take(word_table(0x11), every))
