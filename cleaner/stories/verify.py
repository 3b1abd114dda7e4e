"""Judge a candidate pair: is it one event told twice?

Three tests, each a reason a person can check in the report:

1. screen (compact evidence only, in the corpus step): the pair's rarity-weighted overlap
   reaches `min_overlap`; one document's headline (its names and figures) is largely in the
   other (`min_headline`: two wildfires in one town share the town, not the fire's name or
   its acreage); their metadata dates, when both are known, lie within `max_days`; and they
   do not come from one site (one site's articles share a template, and a site does not
   report one event twice).
   Then the event test: overlap and headlines are met by two articles on one topic (two
   pieces on Hong Kong's protests, two guides to Python packaging), so the pair must also
   share what only one event has: at least `min_names` rare names (actors, places), and
   either a rare specific figure (`evidence.is_figure`) or `min_lead_names` rare names in
   both leads; and their leads (headline and first paragraphs, where a report says what
   happened) must match, weighted by rarity, to `min_lead`.  "Rare" is a document frequency
   up to `rare_documents` or the square root of the run's size, whichever is larger: a name
   in more documents than that is the run's topic, not one event's.
2. entities (the texts of the screened pair): the rare names the screen counted are
   counted again as entities, a name that is part of a longer shared name ("commons" of
   "creative commons", "qin gang" of "foreign minister qin gang") not counted apart; the
   pair must still share `min_names` of them and, without a shared figure,
   `min_lead_names` in both leads.  One organisation's name, split into its words, is not
   the several actors of an event: two explainers of one licence share it and nothing else.
3. alignment (the documents' paragraphs): their best paragraph matches add up to
   `min_alignment`, i.e. several paragraphs state the same facts.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    names: int = 0  # rare names both documents hold
    figures: int = 0  # rare specific figures both hold
    lead_names: int = 0  # rare names in both leads
    lead: float = 0.0  # rarity-weighted cosine of the two leads


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
    names, figures, lead_names, lead = event_evidence(a, b, rarity, config)
    if names < config.min_names:
        return Screen(o, h, False, "few rare names", names, figures, lead_names, lead)
    if figures < 1 and lead_names < config.min_lead_names:
        return Screen(o, h, False, "no shared figure or lead names", names, figures, lead_names, lead)
    if lead < config.min_lead:
        return Screen(o, h, False, "leads differ", names, figures, lead_names, lead)
    return Screen(o, h, True, "", names, figures, lead_names, lead)


def rare_limit(rarity: Rarity, rare_documents: int) -> float:
    """The largest document frequency a rare item has in this run."""
    return max(float(rare_documents), float(np.sqrt(rarity.documents)))


LEAD_MIN_DOCUMENTS = 100
"""The lead match weighs items as if the run held at least this many documents
(`Rarity.idf`): in a run of a few documents a story's own names are in most of them."""


def event_evidence(a: Evidence, b: Evidence, rarity: Rarity, config: StoriesConfig) -> tuple[int, int, int, float]:
    """(rare shared names, rare shared figures, rare names in both leads, lead cosine)."""
    rare_documents = config.rare_documents
    in_b = np.isin(a.keys, b.keys, assume_unique=True)
    if not in_b.any():
        return 0, 0, 0, 0.0
    rare = np.zeros(a.keys.size, np.bool_)
    rare[in_b] = rarity.frequency(a.keys[in_b]) <= rare_limit(rarity, rare_documents)
    name = rare & (a.kinds == NAME)
    figures = int((rare & a.figure).sum())
    b_lead = b.keys[b.lead]
    lead_names = int((name & a.lead & np.isin(a.keys, b_lead, assume_unique=True)).sum())
    wa = rarity.idf(a.keys, min_documents=LEAD_MIN_DOCUMENTS) * KIND_WEIGHT[a.kinds]
    wb = rarity.idf(b.keys, min_documents=LEAD_MIN_DOCUMENTS) * KIND_WEIGHT[b.kinds]
    return int(name.sum()), figures, lead_names, lead_cosine(a, b, wa, wb)


def lead_cosine(a: Evidence, b: Evidence, wa: np.ndarray, wb: np.ndarray) -> float:
    """Rarity-weighted cosine of the items of the two leads."""
    ka, kb, xa, xb = a.keys[a.lead], b.keys[b.lead], wa[a.lead], wb[b.lead]
    if not ka.size or not kb.size or xa.sum() <= 0 or xb.sum() <= 0:
        return 0.0
    shared = (xa[np.isin(ka, kb, assume_unique=True)].sum() + xb[np.isin(kb, ka, assume_unique=True)].sum()) / 2
    return float(shared / np.sqrt(xa.sum() * xb.sum()))


def entities(names: Iterable[str]) -> list[str]:
    """The names that are not part of a longer one among them (as whole words, in order).

    >>> entities(["creative commons", "creative", "commons", "beiträge"])
    ['creative commons', 'beiträge']
    >>> entities(["qin gang", "foreign minister qin gang", "qin", "beijing"])
    ['foreign minister qin gang', 'beijing']
    """
    names = sorted(set(names), key=lambda n: (-n.count(" "), n))
    kept: list[str] = []
    for name in names:
        padded = f" {name} "
        if not any(padded in f" {longer} " for longer in kept):
            kept.append(name)
    return kept


def shared_entities(a: Mapping[str, tuple[int, bool]], b: Mapping[str, tuple[int, bool]], rarity: Rarity,
                    config: StoriesConfig) -> tuple[int, int]:
    """(rare shared entities, rare entities in both leads) of two documents' names, each
    given as name -> (key, in the lead) from their evidence items (`evidence.select`)."""
    shared = sorted(a.keys() & b.keys())
    if not shared:
        return 0, 0
    keys = np.array([a[n][0] for n in shared], np.uint64)
    rare = rarity.frequency(keys) <= rare_limit(rarity, config.rare_documents)
    names = [n for n, r in zip(shared, rare) if r]
    both = [n for n in names if a[n][1] and b[n][1]]
    return len(entities(names)), len(entities(both))


def entity_test(a: Mapping[str, tuple[int, bool]], b: Mapping[str, tuple[int, bool]], figures: int,
                rarity: Rarity, config: StoriesConfig) -> bool:
    """The screen's event test on entities (`shared_entities`): see the module docstring."""
    names, lead_names = shared_entities(a, b, rarity, config)
    return names >= config.min_names and (figures >= 1 or lead_names >= config.min_lead_names)
