"""Judge a candidate pair: is it one event told twice?

Three tests, each a reason a person can check in the report:

1. screen (compact evidence only, in the corpus step): the pair's rarity-weighted overlap
   reaches `min_overlap`; one document's headline (its names and figures) is largely in the
   other (`min_headline`: two wildfires in one town share the town, not the fire's name or
   its acreage); their metadata dates, when both are known, lie within `max_days`; and they
   do not come from one site (one site's articles share a template, and a site does not
   report one event twice).
2. alignment (the documents' paragraphs): their best paragraph matches add up to
   `min_alignment`, i.e. several paragraphs state the same facts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cleaner.config import StoriesConfig
from cleaner.stories.evidence import NAME, NUMBER, Evidence
from cleaner.stories.rarity import Rarity

KIND_WEIGHT = np.array([1.0, 1.0, 2.0, 1.0])  # term, name, number, year: a figure identifies most


@dataclass(frozen=True)
class Screen:
    """The compact-evidence part of a pair's judgement."""

    overlap: float
    headline: float
    passed: bool
    reason: str  # why it failed ("" when it passed)


def _weights(ev: Evidence, rarity: Rarity) -> np.ndarray:
    return rarity.idf(ev.keys) * KIND_WEIGHT[ev.kinds]


def overlap(a: Evidence, b: Evidence, wa: np.ndarray, wb: np.ndarray) -> float:
    """Rarity-weighted cosine of the two item sets."""
    if not a.keys.size or not b.keys.size:
        return 0.0
    in_b = np.isin(a.keys, b.keys, assume_unique=True)
    in_a = np.isin(b.keys, a.keys, assume_unique=True)
    shared = (wa[in_b].sum() + wb[in_a].sum()) / 2
    return float(shared / np.sqrt(wa.sum() * wb.sum())) if wa.sum() > 0 and wb.sum() > 0 else 0.0


def headline_coverage(a: Evidence, b: Evidence, wa: np.ndarray) -> float:
    """The rarity-weighted share of `a`'s headline names and numbers found in `b`."""
    head = a.headline & ((a.kinds == NAME) | (a.kinds == NUMBER))
    total = wa[head].sum()
    if total <= 0:
        return 0.0
    found = np.isin(a.keys[head], b.keys, assume_unique=True)
    return float(wa[head][found].sum() / total)


def screen(a: Evidence, b: Evidence, rarity: Rarity, config: StoriesConfig) -> Screen:
    if a.site is not None and a.site == b.site:
        return Screen(0.0, 0.0, False, "same site")
    if a.day is not None and b.day is not None and abs(a.day - b.day) > config.max_days:
        return Screen(0.0, 0.0, False, "dates apart")
    wa, wb = _weights(a, rarity), _weights(b, rarity)
    o = overlap(a, b, wa, wb)
    h = max(headline_coverage(a, b, wa), headline_coverage(b, a, wb))
    if o < config.min_overlap:
        return Screen(o, h, False, "little overlap")
    if h < config.min_headline:
        return Screen(o, h, False, "headlines differ")
    return Screen(o, h, True, "")
