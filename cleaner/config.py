"""One frozen configuration object, built once and passed down to every stage.

Precedence: defaults, then an optional TOML file, then explicit overrides (CLI flags).
No stage reads environment variables or globals; the whole config is written into the
run manifest so a run can be reproduced.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class ConfigError(TypeError, ValueError):
    """A config field of the wrong type, or one that does not exist; the message names it.

    A TypeError, as a wrong argument is in Python, and a ValueError too, so that callers
    checking config values (the CLI, `Config.load`) catch every config mistake in one place.
    """


class _Validated:
    """Checks a frozen config section when it is built, not deep inside a run: every field
    against its annotation (a list is accepted for a tuple, an int for a float, a dict for
    a section), then the section's own rules (`_check`)."""

    _section = ""  # the section's name in messages ("dedup"); "" for the top level

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            name = f"{self._section}.{f.name}" if self._section else f.name
            checked = _checked(name, _hints(type(self))[f.name], value)
            if checked is not value:
                object.__setattr__(self, f.name, checked)
        self._check()

    def _check(self) -> None:
        """Rules on values, beyond their types."""


@dataclass(frozen=True)
class IngestConfig(_Validated):
    _section = "ingest"
    text_field: str = "text"
    html_field: str = "html"
    id_field: str = "id"
    url_field: str = "url"
    title_field: str = "title"
    max_file_bytes: int = 64 * 1024 * 1024
    """Files (or decompressed gzip streams) larger than this fail instead of exhausting memory."""
    max_record_bytes: int = 16 * 1024 * 1024

    def _check(self) -> None:
        _at_least(1, max_file_bytes=self.max_file_bytes, max_record_bytes=self.max_record_bytes, section="ingest")


@dataclass(frozen=True)
class ExtractConfig(_Validated):
    """trafilatura's own options (docs/html.md has each one's measured effect)."""

    _section = "extract"
    include_tables: bool = True
    favor_precision: bool = False
    favor_recall: bool = False
    include_comments: bool = False
    """Reader comments, when trafilatura finds them, are appended to the main text."""
    target_language: str | None = None
    """An ISO 639-1 code: pages trafilatura finds in another language fail with a clear error."""
    max_html_depth: int = 2000
    """Deeper markup is flattened before parsing; lxml refuses very deep trees."""

    def _check(self) -> None:
        if self.favor_precision and self.favor_recall:
            raise ConfigError("extract.favor_precision and extract.favor_recall cannot both be true")
        if self.target_language is not None and not (len(self.target_language) == 2 and self.target_language.isalpha()):
            raise ConfigError(f"extract.target_language must be an ISO 639-1 code such as 'de', "
                              f"not {self.target_language!r}")


@dataclass(frozen=True)
class RepairConfig(_Validated):
    _section = "repair"
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
class BoilerplateConfig(_Validated):
    _section = "boilerplate"
    disabled_rules: tuple[str, ...] = ()
    extra_patterns: tuple[str, ...] = ()
    """User regexes; a paragraph matching one in full is dropped as `user-pattern`."""
    min_corpus_repeats: int = 3
    """A short line seen in this many documents of one site is template boilerplate."""
    corpus_repeat_share: float = 0.2
    """...and in at least this share of the site's (or the corpus's) distinct stories."""

    def _check(self) -> None:
        for pattern in self.extra_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"boilerplate.extra_patterns: {pattern!r} is not a valid regex: {exc}") from None
        if self.min_corpus_repeats < 1:
            raise ValueError("boilerplate.min_corpus_repeats must be at least 1")
        if not 0.0 <= self.corpus_repeat_share <= 1.0:
            raise ValueError("boilerplate.corpus_repeat_share must be between 0 and 1")


REPRESENTATIVES = ("earliest", "longest", "most-complete")
MEASURES = ("containment", "jaccard")
ENGINES = ("local", "dask")
FORMATS = ("jsonl", "parquet")


@dataclass(frozen=True)
class DedupConfig(_Validated):
    _section = "dedup"
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

    def _check(self) -> None:
        _one_of("dedup.representative", self.representative, REPRESENTATIVES)
        _one_of("dedup.measure", self.measure, MEASURES)
        for name in ("threshold", "min_jaccard", "passage_threshold"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"config key 'dedup.{name}' must be between 0 and 1, not {getattr(self, name)!r}")
        _at_least(1, num_perm=self.num_perm, shingle_size=self.shingle_size,
                  passage_shingle_size=self.passage_shingle_size, section="dedup")


@dataclass(frozen=True)
class StoriesConfig(_Validated):
    """Same-story grouping (cleaner/stories): see docs in that package."""

    _section = "stories"
    enabled: bool = True
    max_items: int = 192
    """Evidence items a document keeps for the corpus step (names and numbers first)."""
    candidate_items: int = 24
    """The rarest shared items of a document that the candidate search hashes."""
    candidate_shared: int = 3
    """Candidate items two documents must share to be screened (the screen asks for
    `min_names` rare names)."""
    min_overlap: float = 0.09
    """Rarity-weighted overlap of two documents' evidence below which no pair is verified."""
    min_headline: float = 0.5
    """Share (rarity-weighted) of one headline's names and numbers the other must hold."""
    rare_documents: int = 5
    """An item in at most this many documents (or the square root of the run's size) is rare."""
    min_names: int = 3
    """Rare names two reports of one event must share."""
    min_lead_names: int = 2
    """Without a shared rare figure, rare names both leads must hold."""
    min_lead: float = 0.15
    """Rarity-weighted cosine the two leads must reach."""
    min_alignment: float = 0.5
    """Summed similarity of the best paragraph matches that makes two documents one story."""
    link_similarity: float = 0.15
    """Paragraphs of a story linked as stating one fact from this similarity."""
    pinpoint_similarity: float = 0.1
    """...or from this one when they are the best match of one of the two and share a
    pinpoint: a figure, or `pinpoint_words` terms rare in the run, that each document has
    in this paragraph alone (cleaner/stories/align.py)."""
    pinpoint_words: int = 2
    """Rare terms of one paragraph alone in each document that make a pinpoint."""
    max_days: int = 7
    """Documents whose metadata dates lie further apart report different events."""
    max_candidate_pairs: int = 50_000_000
    """Pairs of documents sharing a candidate item that the search may count (8 bytes each,
    held while counting); past it only the items shared by the fewest documents pair
    documents, as many as fit, and the summary and manifest say so."""
    semantic: bool = False
    """Also link paragraphs whose sentence embeddings are alike (needs pip install
    'cleaner[semantic]'; cleaner/stories/semantic.py)."""
    semantic_similarity: float = 0.6
    """Embedding cosine from which two paragraphs of a story are linked."""
    semantic_sentence_margin: float = 0.05
    """Two sentences that reach `semantic_similarity` and are each other's best match link
    their paragraphs when they are this much closer than the whole paragraphs."""

    def _check(self) -> None:
        if not 0.0 < self.semantic_similarity <= 1.0:
            raise ValueError("config key 'stories.semantic_similarity' must be in (0, 1]")
        if not 0.0 <= self.pinpoint_similarity <= self.link_similarity:
            raise ValueError("config key 'stories.pinpoint_similarity' must be in [0, stories.link_similarity]")
        if not 0.0 <= self.semantic_sentence_margin < 1.0:
            raise ValueError("config key 'stories.semantic_sentence_margin' must be in [0, 1)")
        _at_least(1, "stories", max_items=self.max_items, candidate_items=self.candidate_items,
                  pinpoint_words=self.pinpoint_words,
                  candidate_shared=self.candidate_shared, max_candidate_pairs=self.max_candidate_pairs)
        _at_least(0, "stories", max_days=self.max_days, rare_documents=self.rare_documents,
                  min_names=self.min_names, min_lead_names=self.min_lead_names)


@dataclass(frozen=True)
class OutputConfig(_Validated):
    _section = "output"
    formats: tuple[str, ...] = ("jsonl",)
    """The corpus as corpus.jsonl, corpus.parquet (needs pyarrow), or both; Parquet also
    writes duplicates.parquet beside duplicates.jsonl."""

    def _check(self) -> None:
        if not self.formats or any(f not in FORMATS for f in self.formats) or len(set(self.formats)) < len(self.formats):
            raise ValueError(f"config key 'output.formats' must name {' or '.join(FORMATS)} or both, "
                             f"not {', '.join(self.formats) or 'nothing'}")


@dataclass(frozen=True)
class Config(_Validated):
    """The whole configuration.  Sections may be given as their classes or as plain dicts
    (`Config(boilerplate={"disabled_rules": ["caption"]})`); a field of the wrong type
    raises `ConfigError` naming it."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    repair: RepairConfig = field(default_factory=RepairConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    stories: StoriesConfig = field(default_factory=StoriesConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    workers: int = 0
    """0 means one worker per core."""
    engine: str = "local"
    scheduler: str | None = None

    def _check(self) -> None:
        _one_of("engine", self.engine, ENGINES)
        _at_least(0, workers=self.workers, section="")

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


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _checked(name: str, hint: Any, value: Any) -> Any:
    """`value` as field `name` of type `hint` holds it, or ConfigError."""
    if dataclasses.is_dataclass(hint):
        if isinstance(value, hint):
            return value
        if isinstance(value, dict):
            return _merge(hint(), value, name)
        raise ConfigError(f"config section {name!r} must be a {hint.__name__} or a dict, "
                          f"not {type(value).__name__}")
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else ()
    if options:  # `str | None`
        if value is None and type(None) in options:
            return None
        (hint,) = [o for o in options if o is not type(None)]
    if typing.get_origin(hint) is tuple:
        if isinstance(value, str):
            value = (value,)  # one rule name or pattern, as TOML's `key = "x"`
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"config key {name!r} must be a list, not {type(value).__name__}: {value!r}")
        item = typing.get_args(hint)[0]
        for x in value:
            if not isinstance(x, item):
                raise ConfigError(f"config key {name!r} must hold {item.__name__} items, not {x!r}")
        return tuple(value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, hint) or (hint is not bool and isinstance(value, bool)):
        article = "a" if hint is not int else "an"
        raise ConfigError(f"config key {name!r} must be {article} {_TYPE_NAMES.get(hint, hint.__name__)}, "
                          f"not {type(value).__name__}: {value!r}")
    return value


_TYPE_NAMES = {bool: "boolean (true or false)", int: "integer", float: "number", str: "string"}


def _one_of(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"config key {name!r} must be one of {', '.join(choices)}, not {value!r}")


def _at_least(low: int, section: str, **values: int) -> None:
    for key, value in values.items():
        if value < low:
            name = f"{section}.{key}" if section else key
            raise ValueError(f"config key {name!r} must be at least {low}, not {value!r}")


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


def _merge(obj: Any, updates: dict[str, Any], path: str = "") -> Any:
    """`obj` (a config section) with `updates` applied; the result is checked as it is built."""
    known = {f.name: f for f in fields(obj)}
    changes = {}
    for key, value in updates.items():
        name = key.replace("-", "_")
        where = f"{path}.{key}" if path else key
        if name not in known:
            raise ConfigError(f"unknown config key {where!r}; known in "
                              f"{'[' + path + ']' if path else 'the top level'}: {', '.join(sorted(known))}")
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"config section {where!r} must be a table, not {type(value).__name__}: {value!r}")
            changes[name] = _merge(current, value, where)
        else:
            changes[name] = value
    return dataclasses.replace(obj, **changes)
