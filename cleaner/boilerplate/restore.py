"""A second opinion on the HTML extractor: left-out text that is the article's own.

trafilatura chooses the main text and is usually right to leave the rest out (cleaner
shows every such block with its reason).  Three kinds of block it leaves out are the
article's own text often enough, and the page tells them apart in any language:

- **the lead** (`lead`): pages set the standfirst in the article's header, apart from the
  body's container, and the extractor starts at the body;
- **the article's own containers** (`article-container`): a body split over several
  elements of one kind (`<div class="body__inner-container">` between adverts or
  galleries) can lose every such element after the first;
- **prose between kept paragraphs** (`between-paragraphs`) that speaks of what they speak
  of (an intro or a paragraph set in a box of its own).

A block comes back only when no markup names it (`outside-main-text`; a lead may also be
in the page's `<header>`, beside the headline), it is prose
(jusText's good class: long, a sentence, dense in its language's stop words), it does not
open with the author's name (their box) and the kept text does not hold it already.  A
lead must also share two word stems with the headline and the opening; a container's
paragraph must be a `<p>` whose parent has the tag and class of the parent of two or more
kept paragraphs; a paragraph between kept ones must have most of its word stems in the
headline and the kept text.  Each is recorded (`Paragraph.restored`, corpus.jsonl's
`restored`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from cleaner.blocks import Block
from cleaner.boilerplate.author import opens_with_name, person_names
from cleaner.boilerplate.context import Cls, line_class
from cleaner.boilerplate.features import detect_language, features, leading_tokens, stoplist, tokens
from cleaner.boilerplate.structure import HEADLINE_STEM
from cleaner.boilerplate.tail import content_of
from cleaner.models import Document, PageBlock, Paragraph

LEAD = "lead"
ARTICLE_CONTAINER = "article-container"
BETWEEN = "between-paragraphs"
"""The reasons a restored paragraph records (`Paragraph.restored`, corpus.jsonl's `restored`)."""
SHORT_BLOCK_WORDS = 9
"""Blocks this short between the lead and the text (a date, a byline, a credit) are passed over."""
PICTURE_TEXT = frozenset({"caption", "photo-credit"})
"""So is the lead picture's caption or credit, whatever its length."""
PROSE_WORDS = 18
"""No block shorter than this is good prose (`context.line_class`): the cheap first test."""
OPENING_PARAGRAPHS = 3
MIN_SHARED_STEMS = 2
MIN_KEPT_SIBLINGS = 2
ON_TOPIC = 0.6
UNNAMED = frozenset({"outside-main-text"})
LEAD_PLACES = UNNAMED | {"page-header"}
"""A lead may also sit in the article's own `<header>`, beside its headline and date."""
MIN_REPEAT_CHARS = 40
"""Texts this long said again decide a repeat; a short line ("Share") may recur anywhere."""


def _stems(words: list[str], stops: frozenset[str]) -> set[str]:
    """The first letters of the content words, as a headline is compared with its opening."""
    return {w[:HEADLINE_STEM] for w in content_of(words, stops) if len(w) >= HEADLINE_STEM}


class _Evidence:
    """What the tests share, read once and only when a block is up for return: the page's
    stop words (its language) and the author's names."""

    def __init__(self, doc: Document) -> None:
        self.texts = [p.text for p in doc.paragraphs]
        self.stops = stoplist(detect_language(leading_tokens(self.texts)))
        self.names = person_names([doc.metadata.author or ""], self.stops)

    def prose(self, block: PageBlock) -> bool:
        """Good prose, not the author's box."""
        return (line_class(features(block.text, self.stops), 0.30, 0.32) is Cls.GOOD
                and not any(opens_with_name(block.text, n) for n in self.names))


def _prose_length_in(block: PageBlock, reasons: frozenset[str] = UNNAMED) -> bool:
    """The cheap first tests: it is in one of `reasons`' places (by default, where no markup
    names it), and it is long enough to be good prose."""
    return block.reason in reasons and len(block.text.split()) >= PROSE_WORDS


def lead_candidate(doc: Document) -> PageBlock | None:
    """The last block above the extracted text longer than a date or a byline, if it may be
    the lead."""
    for block in reversed([b for b in doc.left_out if b.before == 0]):
        if len(block.text.split()) > SHORT_BLOCK_WORDS and block.reason not in PICTURE_TEXT:
            return block if _prose_length_in(block, LEAD_PLACES) else None
    return None


def is_lead(doc: Document, block: PageBlock, evidence: _Evidence) -> bool:
    """Prose that speaks of what the headline and the opening speak of.  The site's name,
    which titles often carry ("Headline · Site"), is not what they speak of: a block
    about the site (its appeal, its mission) shares it too."""
    opening = [doc.title or ""] + evidence.texts[:OPENING_PARAGRAPHS]
    topic = _stems(tokens(" ".join(opening)), evidence.stops) - _stems(tokens(doc.metadata.site or ""), evidence.stops)
    shared = _stems(tokens(block.text), evidence.stops) & topic
    return len(shared) >= MIN_SHARED_STEMS and evidence.prose(block)


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def paragraph_homes(blocks: Iterable[Block]) -> dict[str, tuple[str, str] | None]:
    """The text of each `<p>` block of the page -> its parent's tag and class (None where one
    text is said in two kinds of place)."""
    homes: dict[str, tuple[str, str] | None] = {}
    for b in blocks:
        if b.container is not None:
            homes[b.text] = b.container if homes.get(b.text, b.container) == b.container else None
    return homes


def in_article_containers(doc: Document, blocks: list[PageBlock], homes: dict) -> list[PageBlock]:
    """The `blocks` that are `<p>` elements in an element of the tag and class that holds
    two or more of the kept paragraphs (`homes`: `paragraph_homes` of the page)."""
    kept = Counter(homes.get(_squeezed(p.text)) for p in doc.paragraphs)
    kept.pop(None, None)
    places = {key for key, n in kept.items() if n >= MIN_KEPT_SIBLINGS}
    return [b for b in blocks if homes.get(_squeezed(b.text)) in places] if places else []


def on_topic(block: PageBlock, article: set[str], stops: frozenset[str]) -> bool:
    """Most of the block's word stems are the article's (`article`: the headline's and the
    kept text's stems)."""
    own = _stems(tokens(block.text), stops)
    return bool(own) and len(own & article) >= ON_TOPIC * len(own)


def _repeats(block: PageBlock, found: list[tuple[PageBlock, str]], evidence: _Evidence) -> bool:
    """The block says again what a kept paragraph or another block coming back says (a
    summary that strings the lead and the first paragraph together), or holds it."""
    text = _squeezed(block.text)
    others = evidence.texts + [b.text for b, _ in found if b is not block]
    return any(o in text or text in o for o in map(_squeezed, others) if len(o) >= MIN_REPEAT_CHARS)


def _restore(doc: Document, block: PageBlock, reason: str) -> None:
    """Move `block` into the paragraphs at its place in the page."""
    at = next(k for k, b in enumerate(doc.left_out) if b is block)
    index = block.before
    for other in doc.left_out[at + 1:]:
        other.before += 1
    del doc.left_out[at]
    doc.paragraphs.insert(index, Paragraph(original=block.text, restored=reason))


def restore_left_out(doc: Document, page: Iterable[Block]) -> None:
    """Bring back, in page order, the extractor's left-out lead, the prose of the article's
    own containers (`page`: the page's blocks, `cleaner.blocks`) and the on-topic prose set
    between kept paragraphs."""
    if not doc.paragraphs:
        return
    n = len(doc.paragraphs)
    lead = lead_candidate(doc)
    long_blocks = [b for b in doc.left_out if b is not lead and _prose_length_in(b)]
    contained = in_article_containers(doc, long_blocks, paragraph_homes(page)) if long_blocks else []
    inside = [b for b in long_blocks if 0 < b.before < n and all(b is not c for c in contained)]
    if inside:  # stems without the stop list first: a superset of the on-topic blocks, no language needed
        loose = _stems(tokens(" ".join([doc.title or ""] + [p.text for p in doc.paragraphs])), frozenset())
        inside = [b for b in inside if on_topic(b, loose, frozenset())]
    if lead is None and not contained and not inside:
        return
    evidence = _Evidence(doc)
    found = [(b, ARTICLE_CONTAINER) for b in contained if evidence.prose(b)]
    if inside:
        article = _stems(tokens(" ".join([doc.title or ""] + evidence.texts)), evidence.stops)
        found += [(b, BETWEEN) for b in inside if evidence.prose(b) and on_topic(b, article, evidence.stops)]
    if lead is not None and is_lead(doc, lead, evidence):
        found.append((lead, LEAD))
    order = {id(b): k for k, b in enumerate(doc.left_out)}
    back = [(b, why) for b, why in sorted(found, key=lambda f: order[id(f[0])]) if not _repeats(b, found, evidence)]
    for block, reason in back:
        _restore(doc, block, reason)
