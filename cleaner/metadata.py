"""Author and date from the lines the boilerplate stage removed as a byline or a dateline.

An HTML page gets both from trafilatura (its markup and meta tags).  Plain text has only
its lines; the boilerplate stage finds the ones that are a byline (`byline`) or a date
stamp (`dateline-metadata`) and removes them from the text, with that reason.  This stage
reads the name and the date out of those lines into `Document.metadata`, where it is still
empty: the lines stay removed, and nothing the page's own metadata says is overwritten.

Dates are read by htmldate (trafilatura's date library), without its slow external
parser: a line it cannot read leaves the date empty rather than guessed, and the result
never depends on the day the run happens (no "3 hours ago", no year filled in).
"""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from .models import Document, Verdict

BYLINE = "byline"
DATELINE = "dateline-metadata"
ANOTHER_STORY = "appended-story"
"""Lines from here on belong to a story the page appended: its byline and date are not this one's."""

# What introduces the name in a byline, in the languages the boilerplate rules know.
_LEAD = re.compile(
    r"^\W*(?:(?:additional |with )?reporting by|(?:written|reported|compiled|words|text|story) by|"
    r"escrito por|texto de|reportagem de|redacción:?|autor(?:a|in)?:?|author:?|"
    r"by|por|par|von|di|door|av|af|przez)\s*[:\-–—]?\s+(?=\w)", re.IGNORECASE)
# Where the name ends: a separator, a digit (a date or time), a role or agency after a
# comma, or a small lower-case word that starts a date or place ("on June 16", "in London").
_END = re.compile(r"\s*(?:[|•·/;—–()\[\]]|\s-\s|,|\d|\s(?:on|at|in|for|am|um|le|el|em|il|à|às|dne|w)\s).*$",
                  re.DOTALL)
_AND = re.compile(r"\s+(?:and|AND|und|et|y|e|i|en|og|och|oraz)\s+|\s*&\s*")
MAX_NAME_WORDS = 6
DATE_FORMAT = "%Y-%m-%d"
EARLIEST, LATEST = datetime(1900, 1, 1), datetime(2200, 1, 1)
"""Bounds for a date read from a line: fixed, so the output does not depend on the run's day."""


def fill_metadata(doc: Document) -> None:
    """Fill `doc.metadata.author` and `.date`, where empty, from its removed byline and
    dateline paragraphs (the first that yields one, in document order, before any story
    the page appended)."""
    meta = doc.metadata
    if meta.author and meta.date:
        return
    author, date = meta.author, meta.date
    for p in doc.paragraphs:
        if p.verdict is not Verdict.DROP or p.reason not in (BYLINE, DATELINE):
            if p.reason == ANOTHER_STORY:
                break
            continue
        if author is None and p.reason == BYLINE:
            author = author_of(p.text)
        if date is None:
            date = date_of(p.text)
        if author and date:
            break
    if (author, date) != (meta.author, meta.date):
        doc.metadata = dataclasses.replace(meta, author=author, date=date)


def author_of(line: str) -> str | None:
    """The name(s) a byline gives, joined by "; " as trafilatura joins authors.

    >>> author_of("By Spy Uganda Correspondent"), author_of("Por João Silva, da Folha")
    ('Spy Uganda Correspondent', 'João Silva')
    >>> author_of("Written by: Ann Lee | Reuters"), author_of("By ANN LEE and BOB DAY on June 16, 2023")
    ('Ann Lee', 'ANN LEE; BOB DAY')
    >>> author_of("(Reporting by Ann Lee; Editing by Bob Day)"), author_of("Von Max Müller, Berlin")
    ('Ann Lee', 'Max Müller')
    >>> author_of("Editing by Bob Day"), author_of("By the end of the week"), author_of("Contributing: Kristine Phillips")
    (None, None, None)
    """
    lead = _LEAD.match(line)
    if not lead:
        return None
    rest = _END.sub("", line[lead.end():]).strip(" .:'\"“”‘’")
    names = [n.strip(" .:'\"“”‘’") for n in _AND.split(rest)]
    names = [n for n in names if n]
    if not names or any(not _is_name(n) for n in names):
        return None
    return "; ".join(dict.fromkeys(names))


def _is_name(text: str) -> bool:
    """A few words, the first capitalised (a name, a desk or a correspondent), not a sentence."""
    words = text.split()
    return 0 < len(words) <= MAX_NAME_WORDS and words[0][:1].isupper() and any(c.isalpha() for c in text)


def date_of(line: str) -> str | None:
    """The date a dateline or byline gives, as YYYY-MM-DD (as trafilatura writes dates).

    >>> date_of("Updated 16 June 2023"), date_of("Veröffentlicht am 3. März 2021, 10:15 Uhr")
    ('2023-06-16', '2021-03-03')
    >>> date_of("Updated 3 sec ago"), date_of("By Spy Uganda Correspondent")
    (None, None)
    """
    if sum(c.isdigit() for c in line) < 4:  # a year at least; htmldate asks the same
        return None
    from htmldate.extractors import try_date_expr  # imported by the first dateline: text-only runs may have none

    return try_date_expr(line, DATE_FORMAT, False, EARLIEST, LATEST)
