"""The per-document pass: evidence, rules, article block, headline, structure, tail, context.

Order matters because the first recorded reason wins: specific rules name a line before
the generic block decisions (`before-article`, `after-article`, `short-fragment`) do.
"""
from __future__ import annotations

import re

from cleaner.boilerplate import author, structure, tail
from cleaner.boilerplate.context import Cls, densest_run, line_score, short_line_keeps
from cleaner.boilerplate.extracted import classify_extracted
from cleaner.boilerplate.page import Draft, Page, build_page, user_patterns
from cleaner.boilerplate.rules import COMMENT_HEADER, COMMENT_OPENS, matching_rule
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Verdict


def classify_document(doc: Document, config: BoilerplateConfig, draft: Draft | None = None) -> None:
    if doc.paragraphs:
        judge(doc, config, draft)


def judge(doc: Document, config: BoilerplateConfig, draft: Draft | None = None) -> tuple[Page, int, int]:
    """The heuristic passes over a non-empty `doc`: its working state and article block [lo, hi)."""
    page = build_page(doc, config, draft)
    rule_hit = _apply_rules(page, user_patterns(tuple(config.extra_patterns)))
    if doc.format != "text":
        classify_extracted(page, doc)
        return page, 0, len(page.paras)  # the extractor already chose the main block
    lo, hi = _locate_article(page, doc, rule_hit)
    structure.mark_tag_lists(page, lo, hi)
    structure.mark_captions(page, lo, hi)
    tail.mark_teasers(page, lo, hi)
    tail.mark_appended_story(page, doc.title, lo, hi)
    tail.mark_teaser_run(page, doc.title, lo, hi)
    structure.mark_repeated_paragraphs(page, lo, hi)
    _context_pass(page, lo, hi)
    return page, lo, hi


def _apply_rules(page: Page, patterns: tuple[re.Pattern[str], ...]) -> list[str | None]:
    """Empty lines, user patterns, then the named rules; returns the reason recorded per line.
    The header lines of a quoted e-mail (`structure.email_header_lines`) are text: no rule
    judges them."""
    rule_hit: list[str | None] = [None] * len(page.paras)
    page.quoted_headers = structure.email_header_lines(page.texts)
    for i, (p, text) in enumerate(zip(page.paras, page.texts)):
        if p.verdict is not Verdict.KEEP or i in page.quoted_headers:
            continue
        if not page.feats[i].has_text:
            page.drop(i, "no-text")
            continue
        if any(rx.fullmatch(text) or rx.fullmatch(p.text.strip()) for rx in patterns):
            rule_hit[i] = "user-pattern" if page.drop(i, "user-pattern") else None
            continue
        reason = matching_rule(text, page.disabled)
        if reason:
            rule_hit[i] = reason if page.drop(i, reason) else None
    return rule_hit


def _locate_article(page: Page, doc: Document, rule_hit: list[str | None]) -> tuple[int, int]:
    """A full-page text rendering: find the article block [lo, hi) and its headline, and
    drop what lies outside (`before-article`, `after-article`)."""
    n = len(page.paras)
    scores = [line_score(c, f, d) for c, f, d in zip(page.classes, page.feats, rule_hit)]
    _score_table_runs(page, scores, rule_hit)
    end = _comments_start(page, scores, rule_hit)
    lo, hi = densest_run(scores[:end])
    if hi == 0:
        lo, hi = 0, n
    lo, hi = _extend_block(page, lo, hi, end)
    hi = _article_end(page, rule_hit, lo, hi)
    bio = author.mark_author_bio(page, author.byline_names(page, rule_hit) + [doc.metadata.author or ""], lo, hi)
    if bio is not None:
        hi = bio + 1  # the author's box closes the article, as its heading does (ARTICLE_ENDS)
    else:
        hi = _past_post_signature(page, hi)
    # a title given with the record (a JSONL field) stands; otherwise find the headline
    title_at = structure.choose_headline(page, lo) if not doc.title else None
    if title_at is not None:
        page.paras[title_at].verdict = Verdict.TITLE
        page.paras[title_at].reason = None
        doc.title = page.texts[title_at]
    if doc.title:  # name the repeats before the block decisions do
        structure.mark_headline_repeats(page, doc.title)
    lead = _lead_between(page, title_at, lo) | _lead_above(page, title_at, lo) if title_at is not None else set()
    for i in range(0, lo):
        if i not in lead and not _prose_before(page, i):
            page.drop(i, "before-article")
    tail.mark_teasers(page, hi, n)  # name teaser lists past the block before the generic reason
    for i in range(hi, n):
        page.drop(i, "after-article")
    return lo, hi


DIGIT = re.compile(r"\d")
POST_SIGNATURE = re.compile(r"^[—–-]?\s*\S.{0,80}\(@\w{1,30}\)\s+(?=.*\d)\S.{2,40}$")
"""The line that signs an embedded social-media post in its text rendering:
"— Name (@handle) November 19, 2019" (the date in the page's language)."""


def _signs_kept_post(page: Page, i: int, lo: int) -> bool:
    """Line `i` signs a post quoted in the block: the nearest line above it is kept."""
    if POST_SIGNATURE.match(page.texts[i]) is None:
        return False
    above = page.line_above(i, lo)
    return above is not None and page.alive(above)


def _past_post_signature(page: Page, hi: int) -> int:
    """The block's last post, quoted in the article, keeps the line that signs it."""
    j = page.line_below(hi - 1, 3)
    return j + 1 if j is not None and page.alive(j) and POST_SIGNATURE.match(page.texts[j]) else hi


def _score_table_runs(page: Page, scores: list[float], rule_hit: list[str | None], min_run: int = 4) -> None:
    """Runs of short, unbulleted lines with figures (results, calendars, tables) are content
    that prose statistics miss: score them mildly positive."""
    def row(i: int) -> bool:
        f = page.feats[i]
        return (rule_hit[i] is None and f.has_text and not f.bullet and page.classes[i] <= Cls.NEAR
                and 2 <= f.words <= 40 and bool(DIGIT.search(page.texts[i])))

    i, n = 0, len(scores)
    while i < n:
        j = i
        while j < n and row(j):
            j += 1
        if j - i >= min_run:
            for k in range(i, j):
                scores[k] = max(scores[k], 2.0)
                page.table_rows.add(k)
        i = max(j, i + 1)


def _sentence_line(page: Page, i: int, min_words: int) -> bool:
    """A full sentence said once on the page (repeated lines are gallery captions and widgets)."""
    f = page.feats[i]
    return (page.alive(i) and not f.bullet and f.terminal and f.words >= min_words
            and not tail.is_truncated(page.texts[i]) and page.counts[page.texts[i]] == 1)


def _extend_block(page: Page, lo: int, hi: int, end: int) -> tuple[int, int]:
    """Grow the block over adjacent full sentences that the stop-word evidence undersold
    (terse sports or finance prose); growth stops at the first non-sentence."""
    while lo > 0 and _sentence_line(page, lo - 1, 8):
        lo -= 1
    while hi < end and _sentence_line(page, hi, 6):
        hi += 1
    return lo, hi


ARTICLE_ENDS = frozenset({"comment-widget", "user-comment", "footer", "tags", "author-box"})
"""Reasons of lines that end an article wherever they stand after most of its prose.  Other
block-breaking reasons are not ends: news pages put "Related: ..." links, newsletter boxes,
photo credits with a copyright sign and, on privacy pages, cookie sentences inside the text."""


def _article_end(page: Page, rule_hit: list[str | None], lo: int, hi: int) -> int:
    """The block ends at its first comment box, footer or tag list line (`ARTICLE_ENDS`) that
    comes after at least half of the block's prose (words of good and near-good lines): the
    densest run can carry on over an author box, disclaimers and teasers below them.  Half
    the prose behind it bounds what this removes to at most the other half.  (peer-dev text
    F1 0.8677 -> 0.8691, articles-dev text 0.9305 -> 0.9307, no fold of either down.)"""
    prose = [page.feats[i].words if page.classes[i] >= Cls.NEAR and rule_hit[i] is None else 0 for i in range(lo, hi)]
    half, seen = sum(prose) / 2, 0
    if not half:  # a block of table rows or short lines: no prose to weigh the end against
        return hi
    for i in range(lo, hi):
        seen += prose[i - lo]
        if rule_hit[i] in ARTICLE_ENDS and seen >= half:
            return i + 1
    return hi


def _prose_before(page: Page, i: int) -> bool:
    """A paragraph of good prose (jusText's class) said once on the page, a full sentence of
    ten words or more, stays even above the article block: the block search finds the
    densest run, and an introduction set apart from it by a gallery, a table or a list
    (recipes, product pages, blogs) is the article's own text far more often than
    furniture (peer-dev text, every fold: F1 up 0.000-0.013; articles-dev text unchanged)."""
    return page.classes[i] is Cls.GOOD and _sentence_line(page, i, 10)


def _lead_between(page: Page, title_at: int, lo: int) -> set[int]:
    """Prose between the headline and the block (a lead set apart by the byline box)."""
    return {i for i in range(title_at + 1, min(lo, title_at + 7))
            if page.alive(i) and not page.feats[i].bullet and page.counts[page.texts[i]] == 1
            and (page.classes[i] >= Cls.NEAR or _sentence_line(page, i, 10))}


def _lead_above(page: Page, title_at: int, lo: int) -> set[int]:
    """A standfirst set above the headline: the line right above it (empty lines aside), a
    full sentence said once on the page, ending in a full stop (not a headline's "!" or
    closing quote), alone (no prose right above it), and sharing a content word with the
    headline or the article's opening."""
    above = [k for k in range(title_at - 1, max(-1, title_at - 4), -1) if page.feats[k].has_text][:2]
    if not above or title_at >= lo:
        return set()
    i = above[0]
    if not _sentence_line(page, i, 10) or not page.texts[i].rstrip().endswith((".", "。")) \
            or (len(above) > 1 and page.alive(above[1]) and page.classes[above[1]] >= Cls.NEAR):
        return set()
    opening = [k for k in range(lo, min(len(page.texts), lo + 6)) if page.alive(k) and page.classes[k] >= Cls.NEAR][:4]
    article = set().union(*(tail.content_of(page.words(k), page.stops) for k in [title_at, *opening]))
    shared = tail.content_of(page.words(i), page.stops) & article
    return {i} if shared else set()


def _comments_start(page: Page, scores: list[float], rule_hit: list[str | None]) -> int:
    """Index of the first reader-comment header once some prose came before it (else the end):
    the article does not continue into its comment thread.  A header is a "NAME on DATE
    said:" line, a "NAME says:" line over a date stamp, or a comments heading ("12
    Comments", "2 Gedanken zu ...") with two such dated posts under it."""
    prose = 0.0
    for i, (score, reason) in enumerate(zip(scores, rule_hit)):
        if prose >= 30 and (reason == "user-comment" or _comment_thread_at(page, i, rule_hit)):
            return i
        prose += max(0.0, score)
    return len(scores)


def _comment_thread_at(page: Page, i: int, rule_hit: list[str | None]) -> bool:
    text = page.texts[i]
    if rule_hit[i] is None:
        return COMMENT_HEADER.match(text) is not None and _next_dated(page, i, rule_hit)
    if rule_hit[i] not in ("comment-widget", "counter") or not COMMENT_OPENS.match(text):
        return False
    posts = [j for j in range(i + 1, min(len(page.texts), i + 40)) if rule_hit[j] in ("user-comment", "dateline-metadata")
             or (rule_hit[j] is None and COMMENT_HEADER.match(page.texts[j]) is not None)]
    return len(posts) >= 2


def _next_dated(page: Page, i: int, rule_hit: list[str | None]) -> bool:
    """The next line with text after `i` is a date stamp."""
    j = page.line_below(i, 3)
    return j is not None and rule_hit[j] == "dateline-metadata"


INLINE_INSERTS = frozenset({"related-links", "advertisement", "photo-credit", "caption"})
"""Lines that news pages set inside the text ("Read more: ...", "Advertisement", a photo's
caption and credit): the context pass sees through them to the lines around."""


def _context_pass(page: Page, lo: int, hi: int) -> None:
    """Inside the article block, short and list lines survive only amid prose (jusText's
    context rule); lines without text are transparent, and so are bylines after the page's
    first (a subheading over the byline of a box leads into the box's prose; the first is
    the article's own, in its header block); other dropped lines act as widgets.  A full
    sentence (three words or more, a sentence ending, not a list item) always stays: on the
    development pages, sentences were the short lines this rule most often cut wrongly
    (precision 12 of 18 before the exception)."""
    bylines = [i for i, p in enumerate(page.paras) if p.reason == "byline"]
    effective: list[Cls | None] = []
    for i, c in enumerate(page.classes):
        if not page.feats[i].has_text:
            effective.append(None)
        elif bylines and i > bylines[0] and page.paras[i].reason == "byline":
            effective.append(None)  # a box's byline under its subheading: the box's prose follows
        elif page.paras[i].reason in INLINE_INSERTS:
            effective.append(None)
        elif not page.alive(i) and page.paras[i].verdict is not Verdict.TITLE:
            effective.append(Cls.BAD)
        elif i in page.table_rows or i in page.quoted_headers:
            effective.append(Cls.NEAR)  # a row of a table, or a quoted e-mail's header, inside the article
        elif page.feats[i].bullet and c is Cls.BAD:
            effective.append(Cls.SHORT)  # list items inside the article are judged by context
        else:
            effective.append(c)
    for i in range(lo, hi):
        if not page.alive(i) or (effective[i] or Cls.BAD) >= Cls.NEAR:
            continue
        if effective[i] is Cls.BAD:
            page.drop(i, "short-fragment")
        elif page.feats[i].terminal and page.feats[i].words >= 3 and not page.feats[i].bullet:
            continue  # a full sentence inside the article block is text, whatever surrounds it
        elif _signs_kept_post(page, i, lo):
            continue
        elif not short_line_keeps(effective, i, lo, hi, page.feats[i].terminal and page.feats[i].words >= 4):
            page.drop(i, "short-fragment")
