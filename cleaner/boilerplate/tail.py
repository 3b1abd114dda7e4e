"""Where the article ends: teaser lists after a widget heading, runs of teaser headlines
with one-paragraph summaries, inline teaser cards, and appended stories.

An appended story is a new headline block (a title-like line followed shortly by a date
stamp, a follow button or the same line again) after the article has started, whose
opening paragraphs share little vocabulary with the article's headline and lead.
"""
from __future__ import annotations

import re
from statistics import median

from cleaner.boilerplate.context import Cls
from cleaner.boilerplate.features import WIDE, tokens
from cleaner.boilerplate.headline import is_headline_repeat
from cleaner.boilerplate.page import Page
from cleaner.boilerplate.rules import DATE

TRUNCATED = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")
# widget headings after which a run of titles and cut-off summaries is a teaser list
TEASER_HEADINGS = frozenset({"related-links", "trending"})
LINKISH = re.compile(r"https?://|www\.|@\w|pic\.twitter")
SIGNATURE = re.compile(r"^\s*[—–-]")  # "— Name (@handle) date" under an embedded post
STRONG_MARKS = frozenset({"dateline-metadata", "byline", "reading-time"})


def is_truncated(text: str) -> bool:
    """A summary cut off mid-sentence, as teaser widgets show them.

    >>> is_truncated("Former president Donald Trump has been indicted on charges stemming from his behavior whil…")
    True
    >>> is_truncated("He said the deal was done.")
    False
    """
    return bool(TRUNCATED.search(text))


def title_like(text: str) -> bool:
    """A headline-shaped line: a few words, no sentence ending.  Chinese and Japanese,
    written without spaces, count two characters a word, as `features.measure` does.

    >>> title_like("Russian strikes kill 1 as US and Ukraine officials wrap up talks")
    True
    >>> title_like("He said so."), title_like("Yes")
    (False, False)
    >>> title_like("以旧换新补贴带动二手家电回收量大增"), title_like("记者从商务部门了解到，回收量同比增长近三成。")
    (True, False)
    """
    n = len(text.split(None, 31))  # the word count up to 31, and more than 30 beyond: enough to compare
    if n <= 30 and WIDE.search(text):
        n += len(WIDE.findall(text)) // 2
    return 3 <= n <= 30 and not text.rstrip().endswith((".", ":", ";", ",", "。", "：", "；", "，"))


def content_words(text: str, stops: frozenset[str]) -> set[str]:
    """Lower-cased words of 3+ letters that are not stop words.

    >>> sorted(content_words("The talks in Beijing were long", frozenset({"the", "were", "in"})))
    ['beijing', 'long', 'talks']
    """
    return content_of(tokens(text), stops)


def content_of(words: list[str], stops: frozenset[str]) -> set[str]:
    """`content_words` of a text whose `tokens` are `words`."""
    return {w for w in words if len(w) >= 3 and w not in stops and not w.isdigit()}


def topic_overlap(block: str, article: set[str], stops: frozenset[str]) -> float:
    """Share of the block's content words that the article (its `content_words`) also uses.

    >>> topic_overlap("Beijing talks resume", content_words("Talks in Beijing were tense", frozenset()), frozenset())
    0.6666666666666666
    """
    a = content_words(block, stops)
    if not a:
        return 1.0
    return len(a & article) / len(a)


# --- passes over a page ------------------------------------------------------------------------

def prose_words(page: Page, start: int, end: int) -> int:
    """Words of the live prose lines (NEAR or GOOD) in [start, end)."""
    return sum(page.feats[k].words for k in range(start, end) if page.alive(k) and page.classes[k] >= Cls.NEAR)


HEADER_FIELD = re.compile(r"^\W*[^\W\d][\w-]{0,20}\s?:\s*\S")


def header_fields(page: Page, start: int, end: int) -> bool:
    """Two or more "Label: value" lines among [start - 1, end + 1]: the header of a quoted
    e-mail or a fact box (From:, Sent:, Subject:, Von:, Datum:), not a story's headline."""
    lines = range(max(0, start - 1), min(len(page.texts), end + 2))
    return sum(bool(HEADER_FIELD.match(page.texts[k])) for k in lines) >= 2


def mark_teasers(page: Page, lo: int, hi: int) -> None:
    """After a related/trending heading: headlines and cut-off summaries are a teaser list."""
    for i in range(lo, hi):
        if page.paras[i].reason not in TEASER_HEADINGS:
            continue
        j = i + 1
        while j < hi:
            text, f = page.texts[j], page.feats[j]
            if not page.alive(j):
                j += 1
                continue
            if heads_body(page, j, hi):
                break  # this headline opens two or more paragraphs of prose: the article itself
            if is_truncated(text) or (title_like(text) and page.classes[j] <= Cls.NEAR) or f.bullet:
                page.drop(j, "teaser")
                j += 1
                continue
            break


def heads_body(page: Page, j: int, hi: int) -> bool:
    """The next two live paragraphs after `j` are prose."""
    nxt = [k for k in range(j + 1, min(hi, j + 8)) if page.alive(k)][:2]
    return len(nxt) == 2 and all(page.classes[k] >= Cls.NEAR for k in nxt)


FENCE_LINES = 5
"""Removed lines in a row that set a teaser list apart from the article."""
TEASER_WORDS = 60
"""A run of (headline, summary) pairs whose summaries have more words than this (median) is
the article's own sections."""


def mark_teaser_run(page: Page, title: str | None, lo: int, hi: int) -> None:
    """The block ends in a list of (headline, one-paragraph summary) pairs about other
    subjects: a teaser list, not the article's own sections.

    The list does not reach back past a stretch of FENCE_LINES or more removed lines (a
    widget section); a list set apart by one, or following a longer article, is cut.  A
    walk back that meets a paragraph under a subheading too short for a headline ("Os
    prazos") has met the article's own sections: the pairs after it are sections too."""
    fence = lo - 1  # the walk back stops above a widget section

    def back(j: int) -> int:
        nonlocal fence
        dead = 0
        while j > fence and not page.alive(j):
            dead += page.feats[j].has_text
            j -= 1
        if dead >= FENCE_LINES:
            fence = j
            return lo - 1
        return j if j > fence else lo - 1

    def headline(t: int) -> bool:
        return (is_truncated(page.texts[t]) and page.feats[t].words <= 20
                or not page.feats[t].terminal and title_like(page.texts[t]))

    def subheading(t: int) -> bool:  # one or two words, no sentence ending, not a list item
        f = page.feats[t]
        return f.has_text and f.words < 3 and not f.terminal and not f.bullet

    def summary(j: int) -> bool:
        f = page.feats[j]
        return not headline(j) and (page.classes[j] >= Cls.NEAR or (f.terminal and f.words >= 6))

    j, pairs, start = back(hi - 1), [], None
    trailing = 0  # a list whose items put the summary first ends in a headline
    while j > lo and trailing < 4 and page.classes[j] < Cls.GOOD and not summary(j):
        j, trailing = back(j - 1), trailing + 1
    while j > lo:
        if not summary(j):
            break
        heads, t = [], back(j - 1)
        while t >= lo and len(heads) < 4 and page.classes[t] < Cls.GOOD and not summary(t):
            heads.append(t)
            t = back(t - 1)
        if not any(headline(h) for h in heads):
            if len(heads) == 1 and subheading(heads[0]):
                return  # a section under a subheading too short for a headline: the pairs are sections
            break
        pairs.append((heads[-1], j))
        start, j = heads[-1], t
    if len(pairs) < 3 or start is None:
        return
    body = [i for i in range(lo, start) if page.alive(i) and page.classes[i] >= Cls.NEAR]
    if len(body) < 2:
        return
    # Teaser blurbs are short and follow a longer article; an article made of short sections
    # (a subheading, a paragraph) or a listicle's entries are longer, or are most of the text.
    fenced = fence >= lo
    if median(page.feats[p].words for _, p in pairs) > TEASER_WORDS \
            or not fenced and prose_words(page, lo, start) < prose_words(page, start, hi):
        return
    article = content_words(" ".join([title or ""] + [page.texts[i] for i in body[:4]]), page.stops)
    overlaps = [topic_overlap(" ".join(page.texts[t:p + 1]), article, page.stops) for t, p in pairs]
    if median(overlaps) < 0.25:
        for i in range(start, hi):
            page.drop(i, "teaser")


def mark_appended_story(page: Page, title: str | None, lo: int, hi: int) -> None:
    """A new headline block (title-like line, then a date stamp, byline or the same line
    again) once the article has run a while.  If what follows is off-topic against the
    article's headline and lead, and no longer than the article before it, the rest is an
    appended story; if the article carries on, the block was an inline teaser card.

    Cutting everything after the block is the largest single decision on a page, so its
    evidence must be in proportion: a block followed by more prose than precedes it is
    the article itself (a fact box or teaser came first); the date stamp or byline must
    follow the headline within two lines (a gallery caption, its credit, the gallery's
    label and the next picture's date are not a story's header); the header of a quoted e-mail
    ("From: ...", "Sent: <date>") is part of the text; a list item, a line the page
    shows over and over (a gallery's or a link list's label), or a line holding a date (a
    forum member's "Member since <date>" over the next post's date), is not a headline; and a
    page headline that says nothing of the text before the block (a menu taken for the
    headline) leaves no evidence of which story is the page's own."""
    body = [i for i in range(lo, hi) if page.alive(i) and page.classes[i] >= Cls.NEAR]
    if len(body) < 3:
        return
    article: set[str] | None = None  # the headline and lead's content words, once a block needs them
    i = body[2] + 1
    while i < hi:
        if not page.alive(i) or page.classes[i] >= Cls.GOOD or not title_like(page.texts[i]) \
                or LINKISH.search(page.texts[i]) or SIGNATURE.match(page.texts[i]) or page.feats[i].bullet \
                or DATE.search(page.texts[i]):
            i += 1
            continue
        window = range(i + 1, min(hi, i + 5))
        repeats = [j for j in window if is_headline_repeat(page.texts[j], page.texts[i])]
        dated = [j for j in window[:2] if page.paras[j].reason in STRONG_MARKS
                 and not SIGNATURE.match(page.texts[j])]  # a story's date or byline follows its headline
        if page.counts[page.texts[i]] > 2:
            repeats = []  # a label shown again and again (a "solution" link), not a card's headline
        marks = sorted(repeats + dated)
        if not marks or page.feats[i].terminal or header_fields(page, i, marks[-1]):
            i += 1
            continue
        after = [j for j in range(marks[-1] + 1, hi) if page.alive(j) and page.classes[j] >= Cls.NEAR][:5]
        if article is None:
            article = content_words(" ".join([title or ""] + [page.texts[k] for k in body[:4]]), page.stops)
        overlaps = [topic_overlap(page.texts[j], article, page.stops) for j in after]
        head_overlap = topic_overlap(page.texts[i], article, page.stops)
        if dated and len(after) >= 2 and median(overlaps) < 0.3 and head_overlap < 0.5 \
                and page.counts[page.texts[i]] <= 2 and _headline_is_before(page, title, lo, i, after) \
                and prose_words(page, lo, i) >= prose_words(page, i, hi):
            for j in range(i, hi):
                page.drop(j, "appended-story")
            return
        if repeats:
            # the article carries on: a teaser card (headline shown twice) sat inside it
            for j in [i, *repeats]:
                page.drop(j, "teaser")
            if after and overlaps[0] < 0.2 and head_overlap < 0.5:
                page.drop(after[0], "teaser")
        i = marks[-1] + 1


def _headline_is_before(page: Page, title: str | None, lo: int, i: int, after: list[int]) -> bool:
    """The page's headline shares more content words with the text before line `i` than
    with the block's text after it.  Without a headline nothing says which of the two
    stories is the page's own, so neither is cut."""
    if not title:
        return False
    words = content_words(title, page.stops)
    before = content_words(" ".join(page.texts[k] for k in range(lo, i) if page.alive(k)), page.stops)
    later = content_words(" ".join(page.texts[k] for k in after), page.stops)
    return len(words & before) > len(words & later)
