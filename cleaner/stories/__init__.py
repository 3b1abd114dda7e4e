"""Stories: group the documents that report one event, and line up what they say.

A story is a real-world event (the same actors, place and time, and the same happening)
reported by several documents, usually from different outlets in different words.  A topic
is not a story: two floods in two countries, two votes of one council a month apart, are
two stories.

The stage runs on cleaned documents (kept paragraphs only, so a site's template never
counts as evidence), in four steps, each in its own module:

    evidence.py    per document (where it is cleaned): names, numbers, years, term stems,
                   which of them are in the headline and lead, the date and the site;
                   compact, so the corpus step holds it for every document
    rarity.py      document frequencies over the run (and the persistent index)
    candidates.py  pairs sharing rare names and figures, counted exactly: no all-pairs
    verify.py      the screen (overlap, headline, dates, site) on compact evidence, the
                   names counted again as entities on the screened pairs' texts,
    align.py       then paragraph alignment on the few documents that pass it
    group.py       verified pairs into stories (no chaining, one document a site)
    index.py       the documents of earlier runs a batch may join (`--index`)

    find_stories(docs, config)                 the whole stage on documents in memory
    document_evidence / decide                 the same in parts, as the pipeline runs it
    Helpers / shard_pairs                      the screened pairs verified in the run's idle
                                               pool workers, a shard of components at a time

Every story carries the links that made it (`records.Link`: shared names, numbers, terms,
the headline coverage and the alignment score) and its aligned passages.
"""
from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from cleaner.config import StoriesConfig
from cleaner.models import Document
from cleaner.stories import evidence as _evidence
from cleaner.stories import semantic
from cleaner.stories.align import (PASSAGE_SMOOTHING, Counted, ParagraphVectors, Pinpoint, Semantic, alignment_score,
                                   links, matches, paragraph_counts, paragraph_vectors)
from cleaner.stories.candidates import TooManyCandidates, candidate_pairs
from cleaner.stories.evidence import NAME, NUMBER, TERM, YEAR, Evidence, document_pairs, item_key
from cleaner.stories.group import group
from cleaner.stories.rarity import Rarity
from cleaner.stories.records import AlignedPassage, Link, PassageMember, Story, StoryMember
from cleaner.stories.verify import Screen, entity_test, rare_limit, screen

SHOWN_ITEMS = 8
"""Shared items a link lists, per kind."""


def document_evidence(doc: Document, config: StoriesConfig = StoriesConfig()) -> Evidence:
    """The compact evidence of one cleaned document (computed where it is cleaned)."""
    return _evidence.document_evidence(doc, config.max_items)


NO_EVIDENCE = _evidence.compact(())
"""The evidence of a document whose evidence could not be read: it matches nothing."""


@dataclass(frozen=True)
class Verified:
    """A candidate pair that passed the screen, with its alignment score."""

    i: int
    j: int
    screen: Screen
    alignment: float


@dataclass
class StoryDecisions:
    """What the corpus step decided: the stories and each document's story id."""

    stories: list[Story] = field(default_factory=list)
    story_of: dict[str, str] = field(default_factory=dict)  # doc id -> story id
    story_at: dict[int, str] = field(default_factory=dict)  # position in the run -> story id
    skipped: str | None = None  # why the stage found no stories without looking (`TooManyCandidates`)
    limited: str | None = None  # which items paired no documents, past the candidate budget


Loader = Callable[[Sequence[int]], Mapping[int, Document]]
"""Reads documents back by position (the pipeline's spool; a list in memory)."""


def decide(evidence: Sequence[Evidence], load: Loader, config: StoriesConfig,
           rarity: Rarity | None = None, fresh_from: int = 0, helpers: Helpers | None = None,
           scratch: str | None = None) -> tuple[StoryDecisions, Rarity]:
    """Stories among the documents whose compact `evidence` is given (in run order).

    Only documents in a screened pair are read back through `load`.  `rarity`, when given,
    replaces the frequencies counted over `evidence` (the persistent index counts earlier
    runs too); the documents before `fresh_from` are earlier runs' (`stories_step`), judged
    only against later ones: their own pairs were judged when the later of them came.
    With `helpers` and a `scratch` folder they can read (the rarity table is shared through
    it), the candidate pairs are screened in those processes, a batch at a time, and the
    screened pairs' connected components verified, a shard at a time (`Helpers`,
    `shard_pairs`); the stories are the same.  The candidate search counts pairs in
    temporary files under `scratch` (the system's temporary folder if None).
    Returns the decisions and the rarity table they used."""
    rarity = rarity if rarity is not None else Rarity.count(ev.keys for ev in evidence)
    limits: list[str] = []
    try:
        candidates = [(i, j) for i, j in candidate_pairs(
            evidence, rarity, config.candidate_items, config.candidate_shared, config.rare_documents,
            config.max_candidate_pairs, limits.append, scratch) if j >= fresh_from]
    except TooManyCandidates as over:
        return StoryDecisions(skipped=str(over)), rarity
    helping = helpers is not None and scratch is not None and not config.semantic
    shared = SharedRarity.save(rarity, scratch) if helping and len(candidates) >= MIN_SHARED_PAIRS else None
    if shared is not None and len(candidates) >= SCREEN_PAIRS:
        batches = (candidates[at:at + SCREEN_PAIRS] for at in range(0, len(candidates), SCREEN_PAIRS))
        screened = _in_helpers(helpers, _screen_in_helper, ((batch, {k: evidence[k] for pair in batch for k in pair},
                                                             shared, config) for batch in batches))
    else:
        screened = [(i, j, result) for i, j in candidates
                    if (result := screen(evidence[i], evidence[j], rarity, config)).passed]
    if shared is not None and len(screened) >= MIN_SHARED_PAIRS:
        found = _in_helpers(helpers, _verify_in_helper, ((_shard(part, evidence, load), shared, config)
                                                         for part in shard_pairs(screened, SHARD_DOCUMENTS)))
    else:
        found = verify_shard(_shard(screened, evidence, load), rarity, config) if screened else []
    found.sort(key=lambda story: story[0][0])  # by first member, as `group` orders them
    decisions = StoryDecisions(limited=limits[0] if limits else None)
    for members, story in found:
        decisions.stories.append(story)
        for m in story.members:
            decisions.story_of[m.doc] = story.story
        for k in members:
            decisions.story_at[k] = story.story
    return decisions, rarity


MIN_SHARED_PAIRS = 64
"""Screened pairs below which a run verifies them in one process: sending the rarity table
and the documents would cost more than it saves."""

SCREEN_PAIRS = 512
"""Candidate pairs a helper screens at a time (about a quarter of a second of work, with the
compact evidence of their documents: about a MB); fewer are screened in this process."""


def _in_helpers(helpers: Helpers, fn: Callable, tasks) -> list:
    """The concatenated results of `fn(*task)` for each task, in task order, run in the
    helpers with at most two tasks a helper in flight: tasks are made as they are sent, so
    neither this process nor a helper holds more than a few of them."""
    waiting: deque = deque()
    out: list = []
    for task in tasks:
        waiting.append(helpers.call(fn, task))
        if len(waiting) >= 2 * helpers.processes:
            out += waiting.popleft()()
    while waiting:
        out += waiting.popleft()()
    return out


def _screen_in_helper(pairs: list[tuple[int, int]], evidence: Mapping[int, Evidence], rarity: SharedRarity,
                      config: StoriesConfig) -> list[tuple[int, int, Screen]]:
    """The candidate pairs that pass the screen, with their screens, in a helper process."""
    table = rarity.open()
    return [(i, j, result) for i, j in pairs if (result := screen(evidence[i], evidence[j], table, config)).passed]


@dataclass(frozen=True)
class Helpers:
    """Other processes the corpus step may screen and verify pairs in: `call(fn, args)`
    starts `fn(*args)` in one of the `processes` and returns a function that waits for its
    result."""

    call: Callable[[Callable, tuple], Callable[[], list]]
    processes: int


@dataclass(frozen=True)
class Shard:
    """Whole connected components of screened pairs (i, j, screen) and, by position, their
    documents and compact evidence: all that verifying them needs besides the rarity."""

    pairs: list[tuple[int, int, Screen]]
    docs: Mapping[int, Document]
    evidence: Mapping[int, Evidence]


def _shard(pairs: list[tuple[int, int, Screen]], evidence: Sequence[Evidence], load: Loader) -> Shard:
    """The `Shard` of `pairs`: their documents read back, their evidence."""
    needed = sorted({k for i, j, _ in pairs for k in (i, j)})
    return Shard(pairs, load(needed), {k: evidence[k] for k in needed})


def shard_pairs(screened: Sequence[tuple[int, int, Screen]], documents: int) -> list[list[tuple[int, int, Screen]]]:
    """The screened pairs in shards of whole connected components (a story never spans two
    components, so each shard's stories are those of the whole), components taken in order
    of their first document and added to a shard while it holds at most `documents`
    documents (a larger component is a shard of its own)."""
    parent: dict[int, int] = {}

    def root(k: int) -> int:
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, j, _ in screened:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    components: dict[int, list] = {}
    for pair in screened:
        components.setdefault(root(pair[0]), []).append(pair)
    shards: list[list] = []
    held = documents  # documents in the last shard: none open yet
    for r in sorted(components):
        size = len({k for i, j, _ in components[r] for k in (i, j)})
        if held + size > documents:
            shards.append([])
            held = 0
        shards[-1] += components[r]
        held += size
    return [sorted(s, key=lambda p: (p[0], p[1])) for s in shards]


SHARD_DOCUMENTS = 256
"""Documents a shard of screened pairs holds (unless one component has more): what a
helper verifies at a time."""


@dataclass(frozen=True)
class SharedRarity:
    """A rarity table saved where other processes map it (never copied into each)."""

    keys: str
    counts: str
    documents: int

    @classmethod
    def save(cls, rarity: Rarity, folder: str) -> "SharedRarity":
        keys, counts = os.path.join(folder, "rarity-keys.npy"), os.path.join(folder, "rarity-counts.npy")
        np.save(keys, rarity.keys)
        np.save(counts, rarity.counts)
        return cls(keys, counts, rarity.documents)

    def open(self) -> Rarity:
        return Rarity(np.load(self.keys, mmap_mode="r"), np.load(self.counts, mmap_mode="r"), self.documents)


def _verify_in_helper(shard: Shard, rarity: SharedRarity, config: StoriesConfig) -> list[tuple[list[int], Story]]:
    """`verify_shard` in a helper process, with the rarity table it maps."""
    return verify_shard(shard, rarity.open(), config)


def verify_shard(shard: Shard, rarity: Rarity, config: StoriesConfig) -> list[tuple[list[int], Story]]:
    """The stories of a shard's screened pairs, each with its members' positions: the entity
    test on the documents' texts, paragraph alignment, then groups and their records."""
    docs, evidence = shard.docs, shard.evidence
    needed = sorted(docs)
    items = {k: document_pairs(docs[k]) for k in needed}  # read once: names, vectors twice, links
    names = {k: evidence_names(docs[k], config, evidence[k], items[k]) for k in needed}
    screened = [(i, j, result) for i, j, result in shard.pairs
                if entity_test(names[i], names[j], result.figures, rarity, config)]
    needed = sorted({k for i, j, _ in screened for k in (i, j)})
    counted = {k: paragraph_counts(items[k]) for k in needed}
    vectors = {k: paragraph_vectors(docs[k], rarity, counted=counted[k]) for k in needed}
    verified = []
    for i, j, result in screened:
        score = alignment_score(matches(vectors[i], vectors[j]))
        if score >= config.min_alignment:
            verified.append(Verified(i, j, result, score))
    local = {k: n for n, k in enumerate(needed)}  # `group` numbers documents from 0, in order
    edges = [(v.alignment, local[v.i], local[v.j]) for v in verified]
    groups = group(len(needed), edges, [evidence[k].site for k in needed])
    by_pair = {(v.i, v.j): v for v in verified}
    out = []
    for members in groups:
        members = [needed[n] for n in members]
        out.append((members, build_story(members, docs, vectors, by_pair, rarity, config, items, counted)))
    return out


def evidence_names(doc: Document, config: StoriesConfig, evidence: Evidence | None = None,
                   pairs: Sequence | None = None) -> dict[str, tuple[int, bool]]:
    """The names among a document's evidence items (as `document_evidence` selects them):
    name -> (key, in the lead).  Given the document's `evidence` and its `document_pairs`,
    each name key of the evidence is read back from the names of the whole document
    (cheaper than selecting the evidence again); when one is not there (the whole text's
    stop words or names differ from its first characters') it is selected again."""
    if evidence is not None and pairs is not None:
        texts = {item_key(NAME, text): text for _, _, found in pairs for kind, text in found if kind == NAME}
        name = evidence.kinds == NAME
        keys, leads = evidence.keys[name].tolist(), evidence.lead[name].tolist()
        found = [texts.get(key) for key in keys]
        if None not in found:
            return {text: (key, lead) for text, key, lead in zip(found, keys, leads)}
    ranked, in_lead, _ = _evidence.ranked_items(doc, config.max_items)
    return {text: (item_key(kind, text), (kind, text) in in_lead) for kind, text in ranked if kind == NAME}


def find_stories(docs: Sequence[Document], config: StoriesConfig = StoriesConfig()) -> list[Story]:
    """The stories among cleaned documents held in memory."""
    evidence = [document_evidence(doc, config) for doc in docs]
    decisions, _ = decide(evidence, lambda positions: {k: docs[k] for k in positions}, config)
    return decisions.stories


def _member(doc: Document) -> StoryMember:
    return StoryMember(doc.id, doc.title, doc.metadata.date, _evidence.site_of(doc))


def build_story(members: Sequence[int], docs: Mapping[int, Document], vectors: Mapping[int, ParagraphVectors],
                verified: Mapping[tuple[int, int], Verified], rarity: Rarity, config: StoriesConfig,
                items: Mapping[int, list] | None = None, counted: Mapping[int, Counted] | None = None) -> Story:
    """A story record: members in run order, the links that joined them, aligned passages.
    `items` holds `document_pairs` of the members, `counted` their `paragraph_counts`, when
    the caller has them."""
    ordered = sorted(members)
    items = items if items is not None else {k: document_pairs(docs[k]) for k in ordered}
    links = [explain(docs[i], docs[j], verified[(i, j)], rarity, items[i], items[j])
             for i, j in itertools.combinations(ordered, 2) if (i, j) in verified]
    rare = rare_limit(rarity, config.rare_documents)
    passage_vectors = [paragraph_vectors(docs[k], rarity, PASSAGE_SMOOTHING, items[k],
                                         counted[k] if counted is not None else None, rare) for k in ordered]
    encode = semantic.encoder() if config.semantic and len(ordered) > 1 else None
    passages = aligned_passages([docs[k] for k in ordered], passage_vectors, config, encode)
    return Story(docs[ordered[0]].id, tuple(_member(docs[k]) for k in ordered), tuple(links), tuple(passages))


def explain(a: Document, b: Document, verified: Verified, rarity: Rarity,
            a_items: Sequence | None = None, b_items: Sequence | None = None) -> Link:
    """The readable evidence two documents share, rarest first (`a_items`, `b_items`: their
    `document_pairs`, when the caller has them)."""
    items_a = {x for _, _, found in (document_pairs(a) if a_items is None else a_items) for x in found}
    items_b = {x for _, _, found in (document_pairs(b) if b_items is None else b_items) for x in found}
    shared = sorted(items_a & items_b)
    keys = np.fromiter(itertools.starmap(item_key, shared), np.uint64, len(shared))
    idf = rarity.idf(keys).tolist() if shared else []
    ranked = [it for _, it in sorted(zip(idf, shared), key=lambda t: (-t[0], t[1]))]

    def of(*kinds: int) -> tuple[str, ...]:
        return tuple(text for kind, text in ranked if kind in kinds)[:SHOWN_ITEMS]

    return Link((a.id, b.id), verified.alignment, verified.screen.headline,
                of(NAME), of(NUMBER, YEAR), of(TERM))


def aligned_passages(docs: Sequence[Document], vectors: Sequence[ParagraphVectors], config: StoriesConfig,
                     encode: semantic.Encoder | None = None) -> list[AlignedPassage]:
    """Paragraphs of different documents that state one fact.  Links between paragraphs
    from `link_similarity` or a shared pinpoint (`align.links`; with an `encode`r, also
    from the paragraphs' and sentences' embeddings' `semantic_similarity`), strongest
    first, grow passages that hold at most one paragraph of each document; a link that
    fits no passage it touches stays a passage of its own two paragraphs, so no link found
    is lost."""
    embedded = [semantic.embed(encode, v.texts) for v in vectors] if encode is not None else None
    pinpoint = Pinpoint(config.pinpoint_similarity, config.pinpoint_words)
    found = []
    for x, y in itertools.combinations(range(len(docs)), 2):
        pair = None
        if embedded is not None and len(embedded[x].paragraphs) and len(embedded[y].paragraphs):
            ex, ey = embedded[x], embedded[y]
            pair = Semantic(ex.paragraphs @ ey.paragraphs.T, ex.sentences @ ey.sentences.T, ex.owner, ey.owner,
                            config.semantic_similarity, config.semantic_sentence_margin)
        for m in links(vectors[x], vectors[y], config.link_similarity, semantic=pair, pinpoint=pinpoint):
            found.append((-m.similarity, x, m.a, y, m.b))
    found.sort()
    owner: dict[tuple[int, int], int] = {}
    groups: list[tuple[dict[int, int], list[float]]] = []
    for neg, x, a, y, b in found:
        px, py = owner.get((x, a)), owner.get((y, b))
        if px is not None and px == py:
            continue
        if px is None and py is None:
            owner[(x, a)] = owner[(y, b)] = len(groups)
            groups.append(({x: a, y: b}, [-neg]))
        elif py is None and y not in groups[px][0]:
            groups[px][0][y] = b
            groups[px][1].append(-neg)
            owner[(y, b)] = px
        elif px is None and x not in groups[py][0]:
            groups[py][0][x] = a
            groups[py][1].append(-neg)
            owner[(x, a)] = py
        else:
            groups.append(({x: a, y: b}, [-neg]))
    out = []
    for members, sims in groups:
        ordered = sorted(members, key=lambda k: (docs[k].metadata.date or "\uffff", k))
        out.append(AlignedPassage(tuple(
            PassageMember(docs[k].id, vectors[k].paragraphs[members[k]], vectors[k].texts[members[k]],
                          docs[k].metadata.date, _evidence.site_of(docs[k])) for k in ordered), min(sims)))
    out.sort(key=lambda p: (-len(p.members), -p.similarity, p.members[0].doc, p.members[0].paragraph))
    return out


__all__ = ["NO_EVIDENCE", "TooManyCandidates", "Story", "StoryMember", "Link", "AlignedPassage", "PassageMember", "StoryDecisions", "Evidence",
           "Rarity", "Helpers", "document_evidence", "decide", "find_stories"]
