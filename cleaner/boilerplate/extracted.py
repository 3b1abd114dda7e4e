"""The boilerplate steps for a page's main text as the HTML extractor gave it.

The extractor has chosen the article block already, so only evidence about single lines
and small runs is used here: the headline's repeats, the lines before the headline,
emphasised captions, link lists, tag lists.  The teaser and appended-story passes of the
text path are not run: on extracted text they removed more real text than boilerplate
(peer-dev html, 486 pages: appended-story 1 boilerplate snippet for 5 real ones, teaser 3
for 3; docs/html.md), and a decision that removes several paragraphs needs stronger
evidence than that.
"""
from __future__ import annotations

from cleaner.boilerplate import author, structure
from cleaner.boilerplate.page import Page
from cleaner.models import Document


def classify_extracted(page: Page, doc: Document) -> None:
    """Mark boilerplate in the extractor's paragraphs (the named line rules ran already)."""
    if doc.title:
        structure.mark_headline_repeats(page, doc.title, strict=True)
        structure.mark_reworded_headline(page, doc.title)
    structure.trim_before_headline(page)
    structure.mark_emphasised_captions(page)
    structure.mark_link_lists(page)
    structure.mark_tag_lists(page, 0, len(page.paras))
    if doc.metadata.author:
        author.mark_author_bio(page, [doc.metadata.author], 0, len(page.paras))
