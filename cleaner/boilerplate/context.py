"""jusText-style classes, the main article block, and the context pass for short lines.

Every paragraph gets a class from its own evidence (length, stop-word density, sentence
ending, list bullet): GOOD, NEAR (near-good), SHORT or BAD.  On a full-page text
rendering the article is the densest run of prose: the maximum-sum run of per-line scores
(good lines score their length, widget lines a penalty), as in Body Text Extraction.
Short lines then take the class of their neighbours, as jusText's context pass does.
"""
from __future__ import annotations

import enum
from statistics import median

from cleaner.boilerplate.features import Features


class Cls(enum.IntEnum):
    BAD = 0
    SHORT = 1
    NEAR = 2
    GOOD = 3


def stop_thresholds(feats: list[Features], has_language: bool) -> tuple[float, float]:
    """Low/high stop-word density thresholds for this document.

    jusText's 0.30/0.32 suit English-like lists; languages whose lists cover less of
    running text (Korean) get thresholds scaled to the document's own long lines.

    >>> stop_thresholds([], False)
    (0.0, 0.0)
    """
    if not has_language:
        return 0.0, 0.0
    long_lines = [f.stop_density for f in feats if f.words >= 20]
    if len(long_lines) < 3:
        return 0.30, 0.32
    typical = median(sorted(long_lines)[len(long_lines) // 2:])  # upper half: the prose
    scale = min(1.0, typical / 0.40) if typical > 0 else 1.0
    return 0.30 * scale, 0.32 * scale


def line_class(f: Features, low: float, high: float) -> Cls:
    """Classify one paragraph on its own evidence.

    >>> from cleaner.boilerplate.features import features, stoplist
    >>> s = stoplist("English")
    >>> line_class(features("* Home", s), 0.3, 0.32).name
    'BAD'
    >>> line_class(features("The government said on Tuesday that it would not raise taxes this year, "
    ...     "despite pressure from its allies in parliament and a growing deficit that has worried markets.", s), 0.3, 0.32).name
    'GOOD'
    >>> line_class(features("Chinese Foreign Ministry spokeswoman", s), 0.3, 0.32).name
    'SHORT'
    """
    if not f.has_text:
        return Cls.BAD
    if f.bullet and f.words < 12 and not f.terminal:
        return Cls.BAD
    if f.digit_ratio > 0.3 and f.words < 20:
        return Cls.BAD
    if f.words >= 25 and f.stop_density >= high:
        return Cls.GOOD
    if f.words >= 12 and f.terminal and f.stop_density >= low:
        return Cls.GOOD if f.words >= 18 else Cls.NEAR
    if f.words >= 10 and f.stop_density >= low:
        return Cls.NEAR
    return Cls.SHORT


# widgets that usually close an article: a strong barrier for the block search
BARRIERS = frozenset({"related-links", "trending", "comment-widget", "user-comment", "newsletter", "footer",
                      "copyright", "cookie-notice", "tags"})


def line_score(cls: Cls, f: Features, reason: str | None) -> float:
    """Contribution of one line to the article-block search."""
    if reason:
        return -25.0 if reason in BARRIERS else -8.0
    if cls is Cls.GOOD:
        return float(min(f.words, 120))
    if cls is Cls.NEAR:
        return f.words / 2
    if cls is Cls.SHORT:
        return -1.0 if f.terminal else -3.0
    return -5.0 if f.has_text else 0.0


def densest_run(scores: list[float]) -> tuple[int, int]:
    """Maximum-sum run [start, end) of `scores` (Kadane); (0, 0) when nothing is positive.

    >>> densest_run([-5, -5, 40, -3, 30, -8, -8, 10])
    (2, 5)
    >>> densest_run([-1, -2])
    (0, 0)
    """
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, s in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += s
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def short_line_keeps(classes: list[Cls | None], i: int, lo: int, hi: int, sentence: bool = False) -> bool:
    """jusText context: does short line `i` sit inside prose (inside [lo, hi))?

    It stays when the nearest non-short line after it is prose and the nearest before it is
    prose or the start of the block (a subheading leads into its section).  A full sentence
    may also close the block after prose.  `None` entries (empty lines) are skipped.

    >>> G, S, B = Cls.GOOD, Cls.SHORT, Cls.BAD
    >>> short_line_keeps([G, S, G], 1, 0, 3), short_line_keeps([G, S, B], 1, 0, 3), short_line_keeps([B, S, G], 1, 0, 3)
    (True, False, False)
    >>> short_line_keeps([G, S, None, B], 1, 0, 4, sentence=True)
    True
    """
    def nearest(step: int) -> Cls | None:
        j = i + step
        while lo <= j < hi:
            if classes[j] is not None and classes[j] is not Cls.SHORT:
                return classes[j]
            j += step
        return None

    after, before = nearest(1), nearest(-1)
    if sentence and before is not None and before >= Cls.NEAR:
        return True
    if after is None or after < Cls.NEAR:
        return False
    return before is None or before >= Cls.NEAR
