"""One frozen configuration object, built once and passed down to every stage.

Precedence: defaults, then an optional TOML file, then explicit overrides (CLI flags).
No stage reads environment variables or globals; the whole config is written into the
run manifest so a run can be reproduced.
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class IngestConfig:
    text_field: str = "text"
    html_field: str = "html"
    id_field: str = "id"
    url_field: str = "url"
    title_field: str = "title"
    max_file_bytes: int = 64 * 1024 * 1024
    """Files (or decompressed gzip streams) larger than this fail instead of exhausting memory."""
    max_record_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class ExtractConfig:
    include_tables: bool = True
    favor_precision: bool = False
    max_html_depth: int = 2000
    """Deeper markup is flattened before parsing; lxml refuses very deep trees."""


@dataclass(frozen=True)
class RepairConfig:
    uncurl_quotes: bool = False
    unescape_entities: bool = True
    fix_character_width: bool = False
    """ftfy's width fix turns full-width CJK punctuation (，；：) and digits into ASCII and
    half-width katakana into full-width: the text no longer matches the page."""
    fix_latin_ligatures: bool = False
    """ftfy's ligature fix rewrites letters such as Dutch ĳ as well as typographic ﬁ."""
    unicode_normalization: str = "NFC"
    """Composed (NFC) text matches what others extract from the same page; the CJK
    compatibility ideographs (distinct Korean readings, which NFC would replace with the
    unified ideograph) are kept as written.  "" keeps every code point."""

    def __post_init__(self) -> None:
        if self.unicode_normalization not in ("", "NFC", "NFKC", "NFD", "NFKD"):
            raise ValueError("repair.unicode_normalization must be one of '', NFC, NFKC, NFD, NFKD")


@dataclass(frozen=True)
class BoilerplateConfig:
    disabled_rules: tuple[str, ...] = ()
    extra_patterns: tuple[str, ...] = ()
    """User regexes; a paragraph matching one in full is dropped as `user-pattern`."""
    min_corpus_repeats: int = 3
    """A short line seen in this many documents of one site is template boilerplate."""
    corpus_repeat_share: float = 0.2
    """...and in at least this share of the site's (or the corpus's) distinct stories."""

    def __post_init__(self) -> None:
        import re

        for pattern in self.extra_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"boilerplate.extra_patterns: {pattern!r} is not a valid regex: {exc}") from None
        if self.min_corpus_repeats < 1:
            raise ValueError("boilerplate.min_corpus_repeats must be at least 1")
        if not 0.0 <= self.corpus_repeat_share <= 1.0:
            raise ValueError("boilerplate.corpus_repeat_share must be between 0 and 1")


@dataclass(frozen=True)
class DedupConfig:
    enabled: bool = True
    threshold: float = 0.7
    """Documents are near-duplicates when `measure` reaches this (see docs/dedup.md)."""
    measure: str = "containment"  # containment | jaccard
    min_jaccard: float = 0.3
    """With containment: the pair's Jaccard must reach this too (bounds the length ratio);
    the LSH bands are tuned to find pairs at this Jaccard with >= 98% probability."""
    num_perm: int = 128
    seed: int = 1
    """MinHash permutation seed; stored signatures are only comparable with the same seed."""
    shingle_size: int = 5
    min_shingles: int = 20
    """Documents with fewer distinct shingles (about 24 words) are not judged as documents."""
    representative: str = "earliest"  # earliest | longest | most-complete
    drop_duplicates: bool = False
    passage_min_words: int = 12
    passage_threshold: float = 0.8
    passage_shingle_size: int = 3
    within_doc_min_words: int = 8
    """Repeats inside one document count from this length (a headline)."""
    drop_repeated_passages: bool = False
    index: str | None = None
    """Persistent index: a file path (SQLite) or redis://host:port/db."""


@dataclass(frozen=True)
class Config:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    repair: RepairConfig = field(default_factory=RepairConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    workers: int = 0
    """0 means one worker per core."""
    engine: str = "local"
    scheduler: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def with_overrides(self, overrides: dict[str, Any]) -> "Config":
        """Return a copy with dotted keys (`dedup.threshold`) or nested dicts applied."""
        return _merge(self, _nest(overrides))

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> "Config":
        config = cls()
        if path is not None:
            with open(path, "rb") as fh:
                config = _merge(config, tomllib.load(fh))
        return config.with_overrides(overrides or {})


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        if value is None:
            continue
        *parents, leaf = key.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _merge(obj: Any, updates: dict[str, Any]) -> Any:
    known = {f.name: f for f in fields(obj)}
    changes = {}
    for key, value in updates.items():
        name = key.replace("-", "_")
        if name not in known:
            raise ValueError(f"unknown config key {key!r} in [{type(obj).__name__}]; "
                             f"known: {', '.join(sorted(known))}")
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ValueError(f"config section {key!r} must be a table")
            changes[name] = _merge(current, value)
        elif isinstance(current, tuple):
            if isinstance(value, str):
                value = (value,)
            changes[name] = tuple(value)
        else:
            changes[name] = _coerce(key, current, value)
    return dataclasses.replace(obj, **changes)


def _coerce(key: str, current: Any, value: Any) -> Any:
    if current is None or value is None:
        return value
    kind = type(current)
    if kind is bool and not isinstance(value, bool):
        raise ValueError(f"config key {key!r} must be true or false, not {value!r}")
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind):
        raise ValueError(f"config key {key!r} must be {kind.__name__}, not {value!r}")
    return value
