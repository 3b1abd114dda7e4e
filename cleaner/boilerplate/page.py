"""Working state of one document for the boilerplate passes: texts, evidence, classes."""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from cleaner.boilerplate.context import Cls, line_class, stop_thresholds
from cleaner.boilerplate.features import (Body, Features, detect_language, leading_tokens, measure, squeeze,
                                          stoplist, tokens, visible)
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Paragraph, Verdict


@functools.lru_cache(maxsize=64)
def user_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass
class Page:
    """Working state for one document (kept out of the Paragraph records)."""

    paras: list[Paragraph]
    texts: list[str]
    feats: list[Features]
    classes: list[Cls]
    stops: frozenset[str]
    language: str | None
    disabled: frozenset[str]
    counts: Counter[str]
    known_words: list[list[str] | None]  # `tokens(texts[i])` where build_page had them already
    table_rows: set[int] = field(default_factory=set)
    quoted_headers: set[int] = field(default_factory=set)  # e-mail header lines the text quotes

    def drop(self, i: int, reason: str) -> bool:
        if reason in self.disabled:
            return False
        return self.paras[i].drop(reason)

    def alive(self, i: int) -> bool:
        return self.paras[i].verdict is Verdict.KEEP

    def line_above(self, i: int, lo: int = 0) -> int | None:
        """The nearest line above `i`, from `lo` on, that has text (empty lines are layout)."""
        return next((j for j in range(i - 1, lo - 1, -1) if self.feats[j].has_text), None)

    def line_below(self, i: int, within: int) -> int | None:
        """The nearest line below `i`, at most `within` lines on, that has text."""
        return next((j for j in range(i + 1, min(len(self.feats), i + 1 + within)) if self.feats[j].has_text), None)

    def words(self, i: int) -> list[str]:
        """`tokens(texts[i])`, tokenised at most once."""
        found = self.known_words[i]
        if found is None:
            found = self.known_words[i] = tokens(self.texts[i])
        return found


@dataclass
class Draft:
    """The language-independent half of `build_page`: the paragraphs squeezed, made visible
    and tokenised, and the language they show.  Split off so a batch of documents can be
    drafted in one loop (`stages.clean_documents`): language detection looks words up in
    a 150,000-word index, which stays in the CPU cache better across such a loop than
    across a document's other stages (the workers' CPU on 10k synthetic documents fell
    from 14.0 to 13.5 s)."""

    texts: list[str]
    bodies: list[Body]
    known: list[list[str] | None]  # `tokens(texts[i])` where a body's tokens are those
    language: str | None

    @classmethod
    def of(cls, doc: Document) -> "Draft":
        squeezed = [squeeze(p.text) for p in doc.paragraphs]
        texts = [visible(t, squeezed=True) for t in squeezed]
        bodies = [Body.of(t) for t in squeezed]
        # language from the visible texts' tokens: a body's own tokens unless markdown differed
        known: list[list[str] | None] = [b.words if b.text == t else None for b, t in zip(bodies, texts)]
        return cls(texts, bodies, known, detect_language(leading_tokens(texts, known=known)))


def build_page(doc: Document, config: BoilerplateConfig, draft: Draft | None = None) -> Page:
    """The working state of `doc`; `draft` is `Draft.of(doc)` when made already."""
    draft = draft or Draft.of(doc)
    language = draft.language
    stops = stoplist(language)
    feats = [measure(b, stops) for b in draft.bodies]
    low, high = stop_thresholds(feats, language is not None)
    classes = [line_class(f, low, high) for f in feats]
    return Page(doc.paragraphs, draft.texts, feats, classes, stops, language, frozenset(config.disabled_rules),
                Counter(draft.texts), draft.known)
