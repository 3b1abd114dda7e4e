"""Is a line the headline again?  Exact, case-folded, near (`similar`), or the headline
with a site tag ("Headline | Site").  Used by structure.py (the headline's repeats) and
tail.py (the headline of an appended story, repeated below it).
"""
from __future__ import annotations

import difflib
import re

from cleaner.boilerplate.features import norm


def similar(a: str, b: str) -> float:
    """Similarity of two comparison keys (1.0 = same).

    >>> similar("us china talks", "us china talks")
    1.0
    >>> round(similar("us china talks resume", "us china talk resumes"), 2) >= 0.9
    True
    """
    if a == b:
        return 1.0
    if not a or not b or abs(len(a) - len(b)) > 0.3 * max(len(a), len(b)):
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


SITE_SEPARATOR = re.compile(r"\s[|\-–—:·•»/]\s|\s\|")


def is_headline_repeat(text: str, headline: str, threshold: float = 0.88) -> bool:
    """True when `text` repeats the headline: exactly, case-folded, or nearly.

    >>> is_headline_repeat("blinken hopes to smooth up a sour relationship", "Blinken Hopes To Smooth Up A Sour Relationship")
    True
    >>> is_headline_repeat("Rare trip to China ends | Site Name", "Rare trip to China ends")
    True
    >>> is_headline_repeat("A different line entirely", "Headline about China")
    False
    >>> is_headline_repeat("First paragraph mentions rare trip to China ends as plain text.", "Rare trip to China ends")
    False
    """
    a, b = norm(text), norm(headline)
    if not a or not b:
        return False
    if a == b:
        return True
    if threshold < 1.0 and _near_repeat(a, b, threshold):
        return True
    # "Headline | Site" / "Site - Headline": the headline plus a short site tag after a separator
    (longer, raw), shorter = ((a, text), b) if len(a) >= len(b) else ((b, headline), a)
    return (len(shorter.split()) >= 4 and (longer.startswith(shorter) or longer.endswith(shorter))
            and len(longer) - len(shorter) <= 40 and bool(SITE_SEPARATOR.search(raw)))


def _near_repeat(a: str, b: str, threshold: float) -> bool:
    """Different keys `a`, `b` share half their words and align to `threshold`.  `similar`
    is 0 for lengths far apart, so those need neither the word sets nor the alignment."""
    if threshold > 0.0 and abs(len(a) - len(b)) > 0.3 * max(len(a), len(b)):
        return False
    return _token_overlap(a, b) >= 0.5 and similar(a, b) >= threshold


def _token_overlap(a: str, b: str) -> float:
    """Cheap pre-check before the character alignment."""
    ta, tb = set(a.split()), set(b.split())
    return len(ta & tb) / max(len(ta), len(tb))
