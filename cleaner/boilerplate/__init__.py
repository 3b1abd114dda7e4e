"""Boilerplate stage: mark navigation, widgets, metadata and appended stories for removal.

    classify(doc, config)              per document (decides the headline of text inputs)
    mark_corpus_repeats(docs, config)  template lines repeated across a site or the corpus
    corpus_line_keys / CorpusCounts / apply_corpus_repeats
                                       the same, in parts: keys where a document is cleaned,
                                       counts in the engine, drops in the write pass

How a document is judged (classifier.py runs the steps in this order; first reason wins):

1. features.py  length, sentence ending, list bullet, capitals, digits, stop-word density
                against the jusText list of the document's language (best overlap).
2. rules.py     one pure function per widget kind, anchored and length-capped, registered
                under its reason (share-widget, comment-widget, dateline-metadata, ...).
3. context.py   jusText classes; for full-page text renderings the article is the densest
                run of prose (maximum-sum run of per-line scores), cut at a comment thread.
4. structure.py the headline (text inputs) and its exact/case-folded/near repeats, caption
                fragments, a standfirst repeated below the header block, tag lists.
5. tail.py      teaser lists after related headings, runs of headline + summary pairs off
                the article's topic, inline teaser cards, appended stories.
6. context.py   short lines inside the article survive only amid prose.
7. corpus.py    short lines recurring across many distinct stories of one site.

Every dropped paragraph carries a stable reason name; see `REASONS`.
"""
from __future__ import annotations

from cleaner.boilerplate.classifier import classify_document
from cleaner.boilerplate.corpus import (CorpusCounts, CorpusLines, apply_corpus_repeats, corpus_line_keys,
                                         mark_corpus_repeats)
from cleaner.boilerplate.features import stop_index
from cleaner.boilerplate.page import Draft
from cleaner.boilerplate.rules import RULES
from cleaner.config import BoilerplateConfig
from cleaner.models import Document

STRUCTURAL_REASONS = ("no-text", "user-pattern", "before-article", "after-article", "repeated-headline",
                      "caption", "repeated-paragraph", "teaser", "tags", "appended-story", "short-fragment",
                      "corpus-repeat")
REASONS = tuple(dict.fromkeys((*RULES, *STRUCTURAL_REASONS)))


def warm_up() -> None:
    """Build the stop-word index now (about 0.07 s).  The pipeline calls it before its
    workers fork, so they share one copy: it is built once, not once per worker, and the
    workers' lookups hit one copy in the shared CPU cache (workers' CPU on 10k synthetic
    documents 13.8 -> 13.1 s, for the build's time in the main process)."""
    stop_index()


def classify(doc: Document, config: BoilerplateConfig, draft: Draft | None = None) -> None:
    """Mark boilerplate paragraphs of `doc` (and its headline, for text inputs); `draft` is
    `Draft.of(doc)` when made already."""
    classify_document(doc, config, draft)


__all__ = ["classify", "mark_corpus_repeats", "corpus_line_keys", "CorpusCounts", "CorpusLines",
           "apply_corpus_repeats", "Draft", "REASONS", "warm_up"]
