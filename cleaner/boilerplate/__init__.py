"""Stage 4: mark boilerplate paragraphs, each with a named reason.

First version: the headline of text inputs and its repeats.  The rule set grows in its
own modules; `classify` is the single entry point the pipeline calls.
"""
from __future__ import annotations

from ..config import BoilerplateConfig
from ..models import Document, Verdict


def classify(doc: Document, config: BoilerplateConfig) -> None:
    if not doc.paragraphs:
        return
    if doc.format == "text" and doc.title is None:
        first = doc.paragraphs[0]
        if len(first.text.split()) <= 30 and not first.text.endswith((".", ":")):
            first.verdict = Verdict.TITLE
            doc.title = first.text
    if doc.title:
        headline = doc.title.casefold().strip()
        for p in doc.paragraphs:
            if p.kept and p.text.casefold().strip() == headline:
                p.drop("repeated-headline")


def mark_corpus_repeats(docs: list[Document], config: BoilerplateConfig) -> None:
    """Corpus-level template lines (filled in by the corpus rules)."""
