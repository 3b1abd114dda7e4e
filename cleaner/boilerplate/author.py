"""The author's box: a paragraph about the person who wrote the article.

Sites close an article with a few sentences on its author ("Jane Roe is a senior writer
covering ...", "Max Müller ist Redakteur im Ressort ...", "Ana Lima é jornalista ...").
No word list finds these in every language, but the page says who the author is: the
byline (or the HTML page's metadata) gives the name, and a paragraph past the middle of
the article that opens with that full name is the box, whatever its language.  An
interview's answers ("Name: ...") and a profile of another person open with other names;
a name said at the article's start is its lead, not a box.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from cleaner.boilerplate.context import Cls
from cleaner.boilerplate.page import Page
from cleaner.metadata import author_of

MIN_BIO_WORDS = 10
"""A box's paragraph says at least who the author is and what they do."""
NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*\.?$")


def person_names(authors: Iterable[str], stops: frozenset[str]) -> list[tuple[str, ...]]:
    """The names among `authors` ("; "-joined, as trafilatura and `author_of` give them)
    that look like a person's: two to four capitalised words, the first not a stop word of
    the page ("The Local", "Die Redaktion" are a site and a desk), in lower case.

    >>> person_names(["Jane Roe; The Local", "Die Redaktion", "Evan V. Symon", "Reuters"], frozenset({"the", "die"}))
    [('jane', 'roe'), ('evan', 'v.', 'symon')]
    """
    found: list[tuple[str, ...]] = []
    for author in authors:
        for name in author.split(";"):
            words = name.split()
            if (2 <= len(words) <= 4 and all(NAME_WORD.match(w) and w[0].isupper() for w in words)
                    and words[0].lower() not in stops):
                key = tuple(w.lower() for w in words)
                if key not in found:
                    found.append(key)
    return found


def opens_with_name(text: str, name: tuple[str, ...]) -> bool:
    """`text` starts with the name's first word and has its last word among the next few
    (a middle name or initial may be given or left out).

    >>> opens_with_name("Evan V. Symon is the Senior Editor for the Globe.", ("evan", "symon"))
    True
    >>> opens_with_name("Evans said Symon was late.", ("evan", "symon")), opens_with_name("Symon, Evan", ("evan", "symon"))
    (False, False)
    """
    if not text[:len(name[0]) + 1].lower().startswith(name[0]):  # most paragraphs, at a glance
        return False
    words = [w.strip(",:;()\"“”'’").lower() for w in text.split(None, len(name) + 2)[:len(name) + 2]]
    return bool(words) and words[0] == name[0] and name[-1] in words[1:]


def _is_name_line(text: str, name: tuple[str, ...]) -> bool:
    """A line that is the name alone (the box's heading), a list bullet aside."""
    words = [w.lower() for w in text.strip(" *•-–·").split()]
    return 0 < len(words) <= len(name) + 1 and words[0] == name[0] and name[-1] in words


def byline_names(page: Page, rule_hit: list[str | None]) -> list[str]:
    """The names the page's byline lines give."""
    return [name for i, reason in enumerate(rule_hit) if reason == "byline"
            for name in [author_of(page.texts[i])] if name]


def mark_author_bio(page: Page, authors: Iterable[str], lo: int, hi: int) -> int | None:
    """Drop the first paragraph in [lo, hi) past half of the prose there that opens with an
    author's name (and the line right above it when it is that name alone), as `author-box`;
    returns its index, or None."""
    names = person_names(authors, page.stops)
    if not names:
        return None
    prose = [page.feats[i].words if page.alive(i) and page.classes[i] >= Cls.NEAR else 0 for i in range(lo, hi)]
    half, seen = sum(prose) / 2, 0
    for i in range(lo, hi):
        before, seen = seen, seen + prose[i - lo]
        if before < half or not page.alive(i) or page.feats[i].words < MIN_BIO_WORDS:
            continue
        name = next((n for n in names if opens_with_name(page.texts[i], n)), None)
        if name is None:
            continue
        page.drop(i, "author-box")
        above = page.line_above(i, lo)
        if above is not None and page.alive(above) and _is_name_line(page.texts[above], name):
            page.drop(above, "author-box")
        return i
    return None
