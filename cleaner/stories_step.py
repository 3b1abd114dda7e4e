"""The stories stage inside a run: the corpus-step side.

The workers send each document's compact evidence with its other corpus features
(`clean_pass.Cleaned.story`); the main process keeps it (never the text) and, after the
corpus step's template-line counts, decides the stories here.  Only the documents of
screened pairs are read back from the spool.  The result gives each member its `story`
field in the write pass (`corpus_step.CorpusEdits`) and is written to stories.jsonl.
"""
from __future__ import annotations

import dataclasses
import pickle
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import boilerplate, stories
from .clean_pass import story_evidence
from .config import Config, StoriesConfig
from .corpus_step import changed_by_repeats
from .dedup.documents import unique_keys
from .models import Document
from .spool import Locations
from .stories.candidates import candidate_sets
from .stories.index import StoryIndex
from .stories.rarity import Rarity

STORIES = "stories.jsonl"


@dataclass(frozen=True)
class StoryRun:
    """The stories of a run and each member's story id by input position."""

    stories: list[stories.Story]
    story_of: dict[int, str]
    skipped: str | None = None  # why no story was looked for (the candidate budget)
    limited: str | None = None  # which items paired no documents (past the candidate budget)


def decide_stories(evidence: Sequence[stories.Evidence | None], ids: Sequence[str], where: Locations,
                   counts: boilerplate.CorpusCounts, repeats: set[int], config: Config,
                   helpers: stories.Helpers | None = None, scratch: str | None = None) -> StoryRun | None:
    """The stories among a run's documents (None when the stage is off).  Evidence is taken
    again from the documents a corpus template line changed (the workers read them before
    the counts were known), and screened documents are read back with those lines removed,
    as they are written.  Stories are judged before the dedup stage's drops: a passage
    reprinted from another document is evidence too.  With `helpers` (the run's idle pool
    workers), candidate pairs are screened and verified in them too; `scratch` (the run's
    spool folder) holds the candidate search's temporary files and the rarity table they
    share."""
    if not config.stories.enabled:
        return None
    compact = [ev if ev is not None else stories.NO_EVIDENCE for ev in evidence]
    if repeats:
        for pos, doc in changed_by_repeats(where, repeats, counts, config):
            compact[pos] = story_evidence([doc], config)[0] or stories.NO_EVIDENCE

    def load(positions: Sequence[int]) -> dict[int, Document]:
        docs = {}
        for pos, blob in zip(positions, where.entries(positions)):
            doc = pickle.loads(blob)
            if pos in repeats:
                boilerplate.apply_corpus_repeats(doc, counts, config.boilerplate)
            docs[pos] = doc
        return docs

    if config.dedup.index is None:
        decisions, _ = stories.decide(compact, load, config.stories, helpers=helpers, scratch=scratch)
        return StoryRun(decisions.stories, decisions.story_at, decisions.skipped, decisions.limited)
    return _decide_with_index(compact, load, ids, config, helpers, scratch)


STORED_CHUNK = 512
"""Documents read back from the spool at a time to be stored in the index."""


def _decide_with_index(compact: list[stories.Evidence], load, ids: Sequence[str], config: Config,
                       helpers: stories.Helpers | None, scratch: str | None) -> StoryRun:
    """Stories of a batch judged together with the earlier runs' documents it may join.

    Rarity counts every stored document too.  The stored documents that share at least
    `candidate_shared` of a batch document's candidate items (its rarest names and
    figures, `candidates.candidate_sets`) are judged with the batch, placed before it in
    their order of first sight, and only against the batch.  A story that takes in a
    stored document keeps that document's story id, so a batch-2 article joins the
    batch-1 story under its name.  Every document of the batch is then stored with its
    story."""
    index = StoryIndex(config.dedup.index, {"max_items": config.stories.max_items})
    keys = unique_keys(ids)
    index.forget(keys)
    n = len(keys)
    batch_keys = np.unique(np.concatenate([ev.keys for ev in compact])) if compact else np.zeros(0, np.uint64)
    rarity = Rarity.count((ev.keys for ev in compact), index.frequencies(batch_keys))
    earlier = index.get(_stored_candidates(compact, rarity, index, config.stories))
    m = len(earlier)
    evidence = [d.evidence for d in earlier] + compact
    if earlier:  # the stored members' own items, in no batch document: their stored counts
        rarity = rarity.plus(index.frequencies(np.setdiff1d(
            np.concatenate([d.evidence.keys for d in earlier]), batch_keys)))

    def load_all(positions: Sequence[int]) -> dict[int, Document]:
        docs = {k: earlier[k].document for k in positions if k < m}
        docs.update({k + m: doc for k, doc in load([k - m for k in positions if k >= m]).items()})
        return docs

    decisions, _ = stories.decide(evidence, load_all, config.stories, rarity=rarity, fresh_from=m, helpers=helpers,
                                  scratch=scratch)
    renamed = _earlier_names(decisions.stories, {d.document.id: d.story for d in earlier})
    stored = {d.document.id for d in earlier}
    found = [dataclasses.replace(s, story=renamed.get(s.story, s.story), members=tuple(
        dataclasses.replace(m, earlier_run=True) if m.doc in stored else m for m in s.members))
        for s in decisions.stories]
    story_at = {k - m: renamed.get(sid, sid) for k, sid in decisions.story_at.items() if k >= m}
    index.set_stories({d.doc: renamed.get(decisions.story_at[k], decisions.story_at[k])
                       for k, d in enumerate(earlier) if k in decisions.story_at})
    for at in range(0, n, STORED_CHUNK):
        chunk = range(at, min(n, at + STORED_CHUNK))
        docs = load(chunk)
        index.put((keys[k], docs[k], compact[k], story_at.get(k, "")) for k in chunk)
    index.commit()
    return StoryRun(found, story_at, decisions.skipped, decisions.limited)


def _stored_candidates(compact: Sequence[stories.Evidence], rarity: Rarity, index: StoryIndex,
                       config: StoriesConfig) -> list[str]:
    """Stored documents sharing at least `candidate_shared` candidate items with one
    document of the batch (not one of the batch's own ids stored by an earlier run: those
    are judged afresh)."""
    sets = candidate_sets(compact, rarity, config.candidate_items, config.rare_documents)
    wanted = np.concatenate(sets) if sets else np.zeros(0, np.uint64)
    posted = index.sharing(wanted)
    found: set[str] = set()
    for keys in sets:
        shared = Counter(doc for k in keys.tolist() for doc in posted.get(k, ()))
        found.update(doc for doc, count in shared.items() if count >= config.candidate_shared)
    return sorted(found)


def _earlier_names(found: Sequence[stories.Story], stored_story: dict[str, str]) -> dict[str, str]:
    """Story id -> the id its earliest stored member's story had (when it had one)."""
    renamed = {}
    for story in found:
        for member in story.members:  # earliest first: stored documents precede the batch
            if stored_story.get(member.doc):
                renamed[story.story] = stored_story[member.doc]
                break
    return renamed
