"""The stories stage inside a run: the corpus-step side.

The workers send each document's compact evidence with its other corpus features
(`clean_pass.Cleaned.story`); the main process keeps it (never the text) and, after the
corpus step's template-line counts, decides the stories here.  Only the documents of
screened pairs are read back from the spool.  The result gives each member its `story`
field in the write pass (`corpus_step.CorpusEdits`) and is written to stories.jsonl.
"""
from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass

from . import boilerplate, stories
from .clean_pass import story_evidence
from .config import Config
from .corpus_step import changed_by_repeats
from .models import Document
from .spool import Locations

STORIES = "stories.jsonl"


@dataclass(frozen=True)
class StoryRun:
    """The stories of a run and each member's story id by input position."""

    stories: list[stories.Story]
    story_of: dict[int, str]
    skipped: str | None = None  # why no story was looked for (the candidate budget)


def decide_stories(evidence: Sequence[stories.Evidence | None], where: Locations,
                   counts: boilerplate.CorpusCounts, repeats: set[int], config: Config) -> StoryRun | None:
    """The stories among a run's documents (None when the stage is off).  Evidence is taken
    again from the documents a corpus template line changed (the workers read them before
    the counts were known), and screened documents are read back with those lines removed,
    as they are written.  Stories are judged before the dedup stage's drops: a passage
    reprinted from another document is evidence too."""
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

    decisions, _ = stories.decide(compact, load, config.stories)
    return StoryRun(decisions.stories, decisions.story_at, decisions.skipped)
