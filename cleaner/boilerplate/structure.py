"""Document structure: the headline and its repeats, caption fragments, repeated paragraphs.

Pure functions over lists of strings, so they can be tested without building Documents.
"""
from __future__ import annotations

import difflib

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


def is_headline_repeat(text: str, headline: str, threshold: float = 0.88) -> bool:
    """True when `text` repeats the headline: exactly, case-folded, or nearly.

    >>> is_headline_repeat("blinken hopes to smooth up a sour relationship", "Blinken Hopes To Smooth Up A Sour Relationship")
    True
    >>> is_headline_repeat("Rare trip to China ends | Site Name", "Rare trip to China ends")
    True
    >>> is_headline_repeat("A different line entirely", "Headline about China")
    False
    """
    a, b = norm(text), norm(headline)
    if not a or not b:
        return False
    if a == b:
        return True
    if threshold < 1.0 and _token_overlap(a, b) >= 0.5 and similar(a, b) >= threshold:
        return True
    # "Headline | Site" / "Site - Headline": the headline plus a short site tag
    longer, shorter = (a, b) if len(a) >= len(b) else (b, a)
    return len(shorter.split()) >= 4 and shorter in longer and len(longer) - len(shorter) <= 40


def _token_overlap(a: str, b: str) -> float:
    """Cheap pre-check before the character alignment."""
    ta, tb = set(a.split()), set(b.split())
    return len(ta & tb) / max(len(ta), len(tb))


def is_caption_fragment(text: str, neighbour: str) -> bool:
    """A short line that is a piece of a neighbouring longer line (an image caption or a
    link text rendered apart from the sentence it came from).

    >>> is_caption_fragment("University of Chicago’s", "Speaking at the University of Chicago’s Institute of Politics in January, he said.")
    True
    >>> is_caption_fragment("Chinese Foreign Ministry spokeswoman Mao Ning.", "“It was them,” said Chinese Foreign Ministry spokeswoman Mao Ning.")
    True
    >>> is_caption_fragment("Yes.", "Yes. We will.")
    False
    """
    a, b = norm(text), norm(neighbour)
    if not a or len(a.split()) < 2 or len(a.split()) > 14 or len(b) < len(a) + 12:
        return False
    return f" {a} " in f" {b} "


def shingle_set(key: str, n: int = 4) -> set[tuple[str, ...]]:
    words = key.split()
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def is_near_repeat(a: str, b: str) -> bool:
    """Two paragraphs telling the same sentence (a standfirst repeated in the body).

    >>> is_near_repeat("Antony Blinken’s visit could set the stage for a flurry of other diplomatic engagements including a meeting",
    ...                "The visit, which could set the stage for a flurry of other diplomatic engagements including a meeting between them")
    True
    >>> is_near_repeat("The talks failed on Monday after a long night.", "Prices fell on Monday after a long rally.")
    False
    """
    ka, kb = norm(a), norm(b)
    if len(ka.split()) < 10 or len(kb.split()) < 10:
        return False
    sa, sb = shingle_set(ka), shingle_set(kb)
    return len(sa & sb) / min(len(sa), len(sb)) >= 0.5
