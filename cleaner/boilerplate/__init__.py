"""Boilerplate stage: mark navigation, widgets, metadata and appended stories for removal.

    classify(doc, config)            per document (decides the headline of text inputs)
    mark_corpus_repeats(docs, config)  template lines repeated across a site or the corpus

Every dropped paragraph carries a stable reason name; see `REASONS`.
"""
from __future__ import annotations

from cleaner.boilerplate.classifier import classify_document
from cleaner.boilerplate.corpus import mark_corpus_repeats
from cleaner.boilerplate.rules import RULES
from cleaner.config import BoilerplateConfig
from cleaner.models import Document

STRUCTURAL_REASONS = ("no-text", "user-pattern", "before-article", "after-article", "repeated-headline",
                      "caption", "repeated-paragraph", "teaser", "tags", "appended-story", "short-fragment",
                      "corpus-repeat")
REASONS = tuple(dict.fromkeys((*RULES, *STRUCTURAL_REASONS)))


def classify(doc: Document, config: BoilerplateConfig) -> None:
    """Mark boilerplate paragraphs of `doc` (and its headline, for text inputs)."""
    classify_document(doc, config)


__all__ = ["classify", "mark_corpus_repeats", "REASONS"]
