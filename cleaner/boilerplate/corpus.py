"""Corpus-level repeats: template lines that recur across documents of one site.

Lines are hashed after normalisation with digits folded (as CCNet does), counted per site
group and over the whole corpus; documents are never compared pairwise.  Only short or
non-prose lines are eligible, so the shared body paragraphs of syndicated copies of one
story stay for the dedup stage to handle.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from urllib.parse import urlsplit

from cleaner.boilerplate.features import norm
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Verdict

DIGITS = re.compile(r"\d+")


def line_key(text: str) -> bytes:
    """Hash of a line, normalised with digits folded.

    >>> line_key("14 Comments") == line_key("3 comments")
    True
    >>> line_key("Related Posts") == line_key("related posts!")
    True
    """
    return hashlib.blake2b(DIGITS.sub("0", norm(text)).encode("utf-8"), digest_size=8).digest()


def site_key(doc: Document) -> str:
    """Group key: the site, else the URL's host, else the source's folder.

    >>> from cleaner.models import Metadata
    >>> site_key(Document(id="a", source="x/y/a.txt", format="text", metadata=Metadata(url="https://www.ex.com/a")))
    'ex.com'
    >>> site_key(Document(id="a", source="x/y/a.txt", format="text"))
    'dir:x/y'
    """
    if doc.metadata.site:
        return doc.metadata.site.lower()
    if doc.metadata.url:
        host = urlsplit(doc.metadata.url).hostname or ""
        if host:
            return host.lower().removeprefix("www.")
    return "dir:" + os.path.dirname(doc.source.split(":")[0])


def eligible(text: str) -> bool:
    """Only short or non-prose lines can be template boilerplate.

    >>> eligible("Share this article"), eligible("The minister said on Monday that the plan, agreed last year, would go ahead.")
    (True, False)
    """
    words = len(text.split())
    return 0 < words <= 12 or (words <= 25 and not text.rstrip().endswith((".", "!", "?", "”", '"')))


def story_key(texts: list[str]) -> bytes | None:
    """A key shared by copies of one story: the smallest hash of its long paragraphs
    (a one-permutation MinHash), so syndicated copies count once.

    >>> a = ["Share", "The minister said on Monday that the plan agreed last year would go ahead as planned."]
    >>> story_key(a) == story_key(a + ["Another line"]), story_key(["Share"]) is None
    (True, True)
    """
    long_keys = [line_key(t) for t in texts if len(t.split()) >= 15]
    return min(long_keys) if long_keys else None


def mark_corpus_repeats(docs: list[Document], config: BoilerplateConfig) -> None:
    """Drop short lines that recur in many different stories of one site (or of the corpus)."""
    if "corpus-repeat" in config.disabled_rules or len(docs) < config.min_corpus_repeats:
        return
    per_site: dict[str, dict[bytes, set[bytes]]] = defaultdict(lambda: defaultdict(set))
    overall: dict[bytes, set[bytes]] = defaultdict(set)
    site_stories: dict[str, set[bytes]] = defaultdict(set)
    all_stories: set[bytes] = set()
    keys: list[list[bytes | None]] = []
    for n, doc in enumerate(docs):
        site = site_key(doc)
        story = story_key([p.text for p in doc.paragraphs]) or f"doc:{n}".encode()
        site_stories[site].add(story)
        all_stories.add(story)
        row: list[bytes | None] = []
        for p in doc.paragraphs:
            if p.verdict is Verdict.TITLE or not eligible(p.text):
                row.append(None)
                continue
            k = line_key(p.text)
            row.append(k)
            per_site[site][k].add(story)
            overall[k].add(story)
        keys.append(row)
    corpus_floor = max(config.min_corpus_repeats, int(config.corpus_repeat_share * len(all_stories)))
    for doc, row in zip(docs, keys):
        site = site_key(doc)
        counts = per_site[site]
        site_floor = max(config.min_corpus_repeats, int(config.corpus_repeat_share * len(site_stories[site])))
        for p, k in zip(doc.paragraphs, row):
            if k is None or p.verdict is not Verdict.KEEP:
                continue
            if len(counts[k]) >= site_floor or len(overall[k]) >= corpus_floor:
                p.drop("corpus-repeat")
