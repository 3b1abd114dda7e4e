"""The stories stage: evidence, candidates, verification, grouping and passages."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Config, clean_document
from cleaner.boilerplate import mark_corpus_repeats
from cleaner.config import StoriesConfig
from cleaner.ingest import ingest
from cleaner.models import Document, Metadata, Paragraph, Verdict
from cleaner.stories import Rarity, document_evidence, find_stories
from cleaner.stories.evidence import NAME, NUMBER, YEAR, document_items, normalise_number
from cleaner.stories.group import group


def cleaned(folder) -> list[Document]:
    config = Config()
    docs = [clean_document(raw, config) for _, raws in ingest([str(folder)], config.ingest) for raw in raws]
    mark_corpus_repeats(docs, config.boilerplate)
    return docs


def make_doc(doc_id: str, title: str, paragraphs: list[str], date: str | None = None,
             url: str | None = None) -> Document:
    return Document(id=doc_id, source=doc_id, format="text", title=title,
                    metadata=Metadata(url=url, date=date),
                    paragraphs=[Paragraph(p) for p in paragraphs])


def test_seeds_one_story_without_the_later_visit(seeds_dir):
    stories = find_stories(cleaned(seeds_dir))
    assert len(stories) == 1
    members = {m.doc[:3] for m in stories[0].members}
    assert {"000", "001", "003"} <= members
    assert "004" not in members
    story = stories[0]
    assert story.story == story.members[0].doc
    assert story.links and all(link.similarity > 0 for link in story.links)
    for passage in story.passages:
        docs = [m.doc for m in passage.members]
        assert len(docs) == len(set(docs)) >= 2  # one paragraph of a document at most


def test_stories_are_deterministic(seeds_dir):
    docs = cleaned(seeds_dir)
    first = [json.dumps(s.as_dict(), sort_keys=True) for s in find_stories(docs)]
    again = [json.dumps(s.as_dict(), sort_keys=True) for s in find_stories(list(docs))]
    assert first == again


# A small made-up event told by two outlets in German, with a hard negative: the same kind of
# incident in the same town, another day, other figures.
BRAND_A = make_doc("a", "Großbrand in Lindenau: Lagerhalle der Firma Kessler zerstört", [
    "In der Nacht zum Dienstag ist in Lindenau eine Lagerhalle der Firma Kessler vollständig abgebrannt.",
    "Die Feuerwehr war mit 85 Einsatzkräften vor Ort, der Schaden wird auf 2,4 Millionen Euro geschätzt.",
    "Verletzt wurde nach Angaben der Polizei niemand; die Brandursache ist noch unklar.",
    "Anwohner der Bergstraße wurden gebeten, Fenster und Türen geschlossen zu halten.",
])
BRAND_B = make_doc("b", "Lindenau: Millionenschaden nach Feuer bei Kessler", [
    "Ein Feuer hat in Lindenau die Lagerhalle des Unternehmens Kessler zerstört, teilte die Polizei am Dienstag mit.",
    "Rund 85 Einsatzkräfte der Feuerwehr kämpften stundenlang gegen die Flammen; den Schaden schätzt die Polizei auf 2,4 Millionen Euro.",
    "Menschen kamen nicht zu Schaden. Warum das Feuer ausbrach, ermittelt nun die Kriminalpolizei.",
    "Die Bewohner der Bergstraße sollten wegen des Rauchs ihre Fenster geschlossen halten.",
])
BRAND_OTHER = make_doc("c", "Scheunenbrand in Lindenau: Feuerwehr rettet Pferde vom Hof Albrecht", [
    "Am Samstagabend ist in Lindenau eine Scheune auf dem Hof Albrecht in Brand geraten.",
    "Die Feuerwehr rückte mit 40 Einsatzkräften aus und konnte zwölf Pferde in Sicherheit bringen.",
    "Der Schaden wird auf 150.000 Euro geschätzt. Die Polizei vermutet einen technischen Defekt.",
    "Die Feuerwehr war bis in die Nacht mit Nachlöscharbeiten beschäftigt.",
])
UNRELATED = [make_doc(f"u{i}", title, [body]) for i, (title, body) in enumerate([
    ("Neue Buslinie verbindet Ostviertel und Hauptbahnhof", "Ab Montag fährt die Linie 14 alle zehn Minuten vom Ostviertel zum Hauptbahnhof."),
    ("Stadtbibliothek verlängert Öffnungszeiten", "Die Stadtbibliothek öffnet künftig auch samstags von 10 bis 16 Uhr, teilte die Leitung mit."),
    ("Schwimmbad Süd bleibt wegen Sanierung geschlossen", "Das Schwimmbad Süd wird bis Herbst saniert; die Kosten liegen bei 3,1 Millionen Euro."),
])]


def test_same_event_groups_and_hard_negative_stays_apart():
    stories = find_stories([BRAND_A, BRAND_OTHER, *UNRELATED, BRAND_B])
    assert [[m.doc for m in s.members] for s in stories] == [["a", "b"]]
    link = stories[0].links[0]
    assert "kessler" in link.names and "85" in link.numbers
    assert stories[0].passages  # the paraphrased facts are lined up


def test_dates_far_apart_are_different_events():
    a = dataclasses.replace(BRAND_A, metadata=Metadata(date="2024-03-05"))
    b = dataclasses.replace(BRAND_B, metadata=Metadata(date="2024-05-05"))
    assert find_stories([a, BRAND_OTHER, *UNRELATED, b]) == []


def test_one_site_never_makes_a_story():
    a = dataclasses.replace(BRAND_A, metadata=Metadata(url="https://www.example.org/a"))
    b = dataclasses.replace(BRAND_B, metadata=Metadata(url="https://example.org/b"))
    assert find_stories([a, BRAND_OTHER, *UNRELATED, b]) == []


def test_dropped_paragraphs_are_no_evidence():
    hidden = dataclasses.replace(BRAND_B, paragraphs=[dataclasses.replace(p, verdict=Verdict.DROP, reason="footer")
                                                     for p in BRAND_B.paragraphs], title="Aus der Region")
    assert find_stories([BRAND_A, BRAND_OTHER, *UNRELATED, hidden]) == []


def test_evidence_items():
    doc = make_doc("x", "Calder Ridge Mine collapse", [
        "The roof gave way at about 2:40 a.m. Tuesday, some 1,400 feet below Calder Ridge, in 2023.",
        "Calder Ridge has a long record.",
    ])
    items = {(item.kind, item.text) for _, item in document_items(doc)}
    assert {(NUMBER, "2:40"), (NUMBER, "1400"), (YEAR, "2023"), (NAME, "calder ridge")} <= items
    # a sentence's first word is a name when the document writes it as one elsewhere
    assert (NAME, "calder") in {(i.kind, i.text) for idx, i in document_items(doc) if idx == 1}
    ev = document_evidence(doc, StoriesConfig())
    assert np.all(np.diff(ev.keys.astype(np.float64)) > 0)  # sorted, distinct


def test_numbers_normalise_across_conventions():
    assert normalise_number("4,200") == normalise_number("4.200") == normalise_number("4200")
    assert normalise_number("2,4") == "2.4"


def test_chinese_text_gives_character_pair_terms():
    doc = make_doc("z", "北京发生地震", ["北京今天发生五级地震，没有人员伤亡。"])
    texts = {item.text for _, item in document_items(doc)}
    assert {"北京", "地震"} <= texts


def test_group_does_not_chain():
    # 0-1 and 1-2 verified, 0-2 not: 2 joins {0, 1} only if half the pairs across hold
    assert group(3, [(2.0, 0, 1), (1.0, 1, 2)], [None] * 3) == [[0, 1, 2]]
    assert group(4, [(3.0, 0, 1), (2.0, 2, 3), (1.0, 1, 2)], [None] * 4) == [[0, 1], [2, 3]]
    assert group(2, [(1.0, 0, 1)], ["s", "s"]) == []


def test_rarity_counts_documents():
    r = Rarity.count([np.array([1, 2], np.uint64), np.array([2, 3], np.uint64)])
    assert r.frequency(np.array([1, 2, 9], np.uint64)).tolist() == [1, 2, 1]
    both = Rarity.count([np.array([2], np.uint64)], base=r)
    assert both.documents == 3 and both.frequency(np.array([2], np.uint64)).tolist() == [3]


def test_config_checks():
    with pytest.raises(ValueError):
        StoriesConfig(candidate_shared=0)
    assert Config().with_overrides({"stories.enabled": False}).stories.enabled is False


# Two pieces on one topic (the same city, mayor and company), not one event: they share the
# topic's names but no figure.  In the run the topic's names are common (many documents
# speak of the city, its mayor and the company), so they are no event's evidence.
TOPIC_A = make_doc("ta", "Why Porthaven keeps betting on Meridian Rail", [
    "Porthaven has spent a decade courting Meridian Rail, and Mayor Elena Vasquez still believes the company will bring jobs to the harbour district.",
    "Critics on the council say the city gave away too much when it sold the old depot, and that Meridian Rail never kept its promises.",
    "Vasquez answers that the harbour district needs investors, and that Meridian Rail is the only one that has come.",
    "The debate will not end soon: every budget since then has had a line for the depot.",
])
TOPIC_B = make_doc("tb", "Meridian Rail's long shadow over Porthaven politics", [
    "For voters in Porthaven the name Meridian Rail stands for an argument that has outlived three councils.",
    "Mayor Elena Vasquez built her campaign on the harbour district, where the company owns most of the land.",
    "Her opponents want a public audit of every agreement the city has signed with Meridian Rail.",
    "Whoever wins the election will inherit the quarrel and the depot with it.",
])


TOPIC_RUN = [make_doc(f"t{i}", f"Porthaven notes: {subject}", [
    f"Mayor Elena Vasquez of Porthaven spoke about {subject} on {day}, and Meridian Rail sent a representative.",
    f"The council will return to {subject} after the summer, a spokesman said.",
]) for i, (subject, day) in enumerate([
    ("the new school year", "Monday"), ("parking fees", "Tuesday"), ("the beach clean-up", "Wednesday"),
    ("the library roof", "Thursday"), ("street lighting", "Friday"), ("the summer festival", "Saturday"),
    ("a twin town in Portugal", "Sunday"), ("the ferry timetable", "Monday")])]


def test_one_topic_is_not_one_story():
    assert find_stories([TOPIC_A, *TOPIC_RUN, BRAND_OTHER, *UNRELATED, TOPIC_B]) == []


def test_short_lines_are_no_evidence():
    items = document_items(make_doc("s", "", ["View all results", "Bild 1 von 10", "Elena Vasquez, 4,200 votes",
                                              "Elena Vasquez won the vote in Porthaven with 4,200 votes."]))
    assert {index for index, _ in items} == {3}


# Two explainers of one licence by two sites: they share the licence's name (three name
# items: "kestrel commons", "kestrel", "commons") and little else an event would have.
EXPLAINER_A = make_doc("x1", "What is the Kestrel Commons licence?", [
    "Kestrel Commons is a licence that lets authors share their photographs and texts while keeping some rights for themselves.",
    "With an Kestrel Commons licence an author decides whether others may change the work or use it commercially.",
    "Many blogs and archives publish their pictures under Kestrel Commons, so that teachers can reuse them freely.",
    "The licence text explains in plain words what a reader may do with a work and what credit is owed.",
])
EXPLAINER_B = make_doc("x2", "Kestrel Commons for my blog", [
    "All posts on this blog are published under an Kestrel Commons licence unless another rule is stated in the post.",
    "Kestrel Commons lets authors keep some rights while others may share and reuse their work with credit.",
    "Readers may copy the texts and photographs for teaching, but commercial use needs my permission.",
    "If you reuse a picture, please name the author and link back to the original post.",
])


def test_one_organisation_name_is_not_the_actors_of_an_event(monkeypatch):
    import cleaner.stories as stories_mod
    from cleaner.stories import verify
    docs = [EXPLAINER_A, BRAND_OTHER, *UNRELATED, *TOPIC_RUN, EXPLAINER_B]
    assert find_stories(docs) == []
    names = [it.text for _, it in document_items(EXPLAINER_A) if it.kind == NAME]
    assert {"kestrel commons", "kestrel", "commons"} <= set(names)
    assert verify.entities(["kestrel commons", "kestrel", "commons"]) == ["kestrel commons"]
    # counted as items, as the screen counts them, the one name lets the pair through
    monkeypatch.setattr(stories_mod, "entity_test", lambda *args: True)
    assert [[m.doc for m in s.members] for s in find_stories(docs)] == [["x1", "x2"]]


def test_bulk_evidence_matches_the_item_by_item_reading(seeds_dir):
    """`selected_items` (the workers' bulk reading) keeps what `select` keeps from
    `document_items`: names and their runs, sentence starts, elisions, numbers and years,
    title-case and empty headlines, spaceless scripts, letters whose lower case is special."""
    from cleaner.stories.evidence import EVIDENCE_CHARS, document_pairs, select, selected_items
    docs = cleaned(seeds_dir) + [BRAND_A, EXPLAINER_A, make_doc("t", "Blinken Rushes To Beijing To Revive Relations", [
        "Secretary Antony Blinken met Foreign Minister Qin Gang in Beijing on Sunday, 18 June 2023, "
        "for 5½ hours; d'Alembert's heirs and O’Brien's aides waited.",
        "Blinken said: Relations need work. Beijing agreed; 1,200 delegates, 6.5 per cent, 2:40 and 007.",
        "ΣΟΦΙΑ ΟΔΟΣ in Αθήνα, İstanbul and Ärzte Ohne Grenzen joined the talks on Monday morning early.",
        "北京 的 会谈 持续 了 五个 小时 ， 双方 同意 继续 对话 and Wang Yi said 東京 も 注目 した today.",
        "short line",
    ]), make_doc("e", "", ["Ten words here, With Capitals Inside — and Numbers 4,200 or 1.8 here."])]
    for doc in docs:
        for max_items in (5, 192):
            assert selected_items(doc, max_items) == select(document_items(doc, EVIDENCE_CHARS), max_items), doc.id
        for max_chars in (None, EVIDENCE_CHARS, 60):
            one_by_one = [(index, (it.kind, it.text), it.lead) for index, it in document_items(doc, max_chars)]
            bulk = [(index, x, lead) for index, lead, found in document_pairs(doc, max_chars) for x in found]
            assert bulk == one_by_one, doc.id  # same items, same order: vectors sum in that order


class InProcessHelpers:
    """`Helpers.call` that runs each call here, on a pickled copy of its arguments (as a
    pool worker receives them), and counts the calls."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def __call__(self, fn, args):
        import pickle

        self.calls[fn.__name__] = self.calls.get(fn.__name__, 0) + 1
        copied = pickle.loads(pickle.dumps(args))
        return lambda: pickle.loads(pickle.dumps(fn(*copied)))


def test_helpers_find_the_same_stories(seeds_dir, tmp_path, monkeypatch):
    import cleaner.stories as stories_module
    from cleaner.stories import Helpers, decide

    docs = [*cleaned(seeds_dir), BRAND_A, BRAND_OTHER, *UNRELATED, BRAND_B]
    config = StoriesConfig()
    evidence = [document_evidence(d, config) for d in docs]
    load = lambda positions: {k: docs[k] for k in positions}  # noqa: E731
    alone, _ = decide(evidence, load, config)
    monkeypatch.setattr(stories_module, "MIN_SHARED_PAIRS", 1)
    monkeypatch.setattr(stories_module, "SHARD_DOCUMENTS", 4)
    monkeypatch.setattr(stories_module, "SCREEN_PAIRS", 2)
    call = InProcessHelpers()
    shared, _ = decide(evidence, load, config, helpers=Helpers(call, 1), scratch=str(tmp_path))
    # the seeds' story and the fire's: two components, too many for one shard
    assert call.calls["_verify_in_helper"] == 2
    assert call.calls["_screen_in_helper"] >= 2  # the candidates, two at a time
    assert len(alone.stories) == 2
    assert [s.as_dict() for s in shared.stories] == [s.as_dict() for s in alone.stories]
    assert list(shared.story_at.items()) == list(alone.story_at.items())
    assert shared.story_of == alone.story_of


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)).filter(lambda p: p[0] < p[1]), unique=True),
       st.integers(2, 12))
def test_shards_hold_whole_components(pairs, documents):
    from cleaner.stories import shard_pairs

    screened = [(i, j, None) for i, j in sorted(pairs)]
    shards = shard_pairs(screened, documents)
    assert sorted(p for s in shards for p in s) == screened  # every pair once
    for shard in shards:  # within the size, or one component larger than it
        held = {k for i, j, _ in shard for k in (i, j)}
        assert len(held) <= documents or len(shard_pairs(shard, 1)) == 1
    owner = {}
    for n, shard in enumerate(shards):
        for i, j, _ in shard:
            assert owner.setdefault(i, n) == n and owner.setdefault(j, n) == n  # no document in two
