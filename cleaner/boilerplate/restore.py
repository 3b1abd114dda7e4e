"""A second opinion on the HTML extractor: the lead it left out, brought back.

Many news pages set the lead (standfirst, teaser, "Vorspann") in the article's header,
apart from the body's container, and trafilatura then starts the text at the body's first
paragraph.  The page's blocks show that lead: the last substantial block above the
extracted text.  It is brought back when the evidence is strong: the markup names it as
nothing (`outside-main-text`, no navigation, sidebar or widget around it), it is prose
(jusText's good class: long, a sentence, dense in the language's stop words), it speaks of
what the article speaks of (word stems shared with the headline and the first paragraphs),
and it is not the author's own box.  Everything else the extractor left out stays out.
"""
from __future__ import annotations

from cleaner.boilerplate.author import opens_with_name, person_names
from cleaner.boilerplate.context import Cls, line_class
from cleaner.boilerplate.features import detect_language, features, leading_tokens, stoplist, tokens
from cleaner.models import Document, PageBlock, Paragraph

RESTORED = "lead"
"""The reason a restored paragraph records (`Paragraph.restored`, corpus.jsonl's `restored`)."""
SHORT_BLOCK_WORDS = 9
"""Blocks this short between the lead and the text (a date, a byline, a credit) are passed over."""
OPENING_PARAGRAPHS = 3
MIN_SHARED_STEMS = 2
STEM = 5


def _stems(words: list[str], stops: frozenset[str]) -> set[str]:
    return {w[:STEM] for w in words if len(w) >= STEM and w not in stops and not w.isdigit()}


def left_out_lead(doc: Document) -> PageBlock | None:
    """The block above the extracted text that is its lead, by the evidence above, or None."""
    above = [b for b in doc.left_out if b.before == 0]
    if not above or not doc.paragraphs:
        return None
    texts = [p.text for p in doc.paragraphs]
    stops = stoplist(detect_language(leading_tokens(texts)))
    for block in reversed(above):
        f = features(block.text, stops)
        if f.words <= SHORT_BLOCK_WORDS:
            continue
        if block.reason != "outside-main-text" or line_class(f, 0.30, 0.32) is not Cls.GOOD:
            return None
        opening = [doc.title or ""] + texts[:OPENING_PARAGRAPHS]
        shared = _stems(tokens(block.text), stops) & _stems(tokens(" ".join(opening)), stops)
        names = person_names([doc.metadata.author or ""], stops)
        if len(shared) < MIN_SHARED_STEMS or any(opens_with_name(block.text, n) for n in names):
            return None
        return block
    return None


def restore_lead(doc: Document) -> bool:
    """Move the extractor's left-out lead (`left_out_lead`) to the start of the document's
    paragraphs; returns whether it did."""
    lead = left_out_lead(doc)
    if lead is None:
        return False
    at = doc.left_out.index(lead)
    for k, block in enumerate(doc.left_out):
        if k > at or block.before > 0:
            block.before += 1
    del doc.left_out[at]
    doc.paragraphs.insert(0, Paragraph(original=lead.text, restored=RESTORED))
    return True
