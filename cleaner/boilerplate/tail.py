"""Where the article ends: teaser lists after a widget heading, and appended stories.

An appended story is a new headline block (a title-like line followed shortly by a date
stamp, a follow button or the same line again) after the article has started, whose
opening paragraphs share little vocabulary with the article's headline and lead.
"""
from __future__ import annotations

import re

from cleaner.boilerplate.features import WORD

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
    """A headline-shaped line: a few words, no sentence ending.

    >>> title_like("Russian strikes kill 1 as US and Ukraine officials wrap up talks")
    True
    >>> title_like("He said so."), title_like("Yes")
    (False, False)
    """
    n = len(text.split())
    return 3 <= n <= 30 and not text.rstrip().endswith((".", ":", ";", ","))


def content_words(text: str, stops: frozenset[str]) -> set[str]:
    """Lower-cased words of 3+ letters that are not stop words.

    >>> sorted(content_words("The talks in Beijing were long", frozenset({"the", "were", "in"})))
    ['beijing', 'long', 'talks']
    """
    return {w for w in (t.lower() for t in WORD.findall(text)) if len(w) >= 3 and w not in stops
            and not w.isdigit()}


def topic_overlap(block: str, article: str, stops: frozenset[str]) -> float:
    """Share of the block's content words that the article also uses.

    >>> topic_overlap("Beijing talks resume", "Talks in Beijing were tense", frozenset())
    0.6666666666666666
    """
    a = content_words(block, stops)
    if not a:
        return 1.0
    return len(a & content_words(article, stops)) / len(a)
