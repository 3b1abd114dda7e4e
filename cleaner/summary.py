"""The run summary (counts by reason, repairs, duplicates) and the manifest around it."""
from __future__ import annotations

import platform
from collections import Counter
from importlib import metadata as importlib_metadata

from .config import Config
from .models import FileStatus, InputFile
from .render import Tally


class SummaryCounter:
    """The run summary, accumulated one document at a time."""

    def __init__(self) -> None:
        self.reasons: Counter = Counter()
        self.encodings: Counter = Counter()  # for the report, in order of first appearance
        self.repair_steps: Counter = Counter()
        self.documents = self.paragraphs = self.kept = self.repaired = self.duplicates = 0

    def add(self, tally: Tally) -> None:
        self.documents += 1
        self.paragraphs += tally.paragraphs
        self.reasons.update(tally.reasons)
        self.kept += tally.kept
        self.repaired += tally.repaired
        self.duplicates += tally.duplicate
        self.encodings[tally.encoding] += 1  # "unknown" when not known (`Tally.of`)
        self.repair_steps.update(tally.repair_steps)

    def merge(self, other: "SummaryCounter") -> None:
        """Count the documents `other` counted, as if they had been added here after these."""
        self.documents += other.documents
        self.paragraphs += other.paragraphs
        self.reasons.update(other.reasons)
        self.kept += other.kept
        self.repaired += other.repaired
        self.duplicates += other.duplicates
        self.encodings.update(other.encodings)
        self.repair_steps.update(other.repair_steps)

    def summary(self, inputs: list[InputFile], clusters, renamed: int = 0) -> dict:
        """The counts of manifest.json and the summary line.  `paragraphs` is `kept` +
        `removed` + `titles` (each document's headline); `records_skipped` counts the input
        records (JSONL lines) that could not be cleaned, `renamed` the documents whose clean/
        file is not named after their id; `passage_clusters_only_removed` the passage
        clusters whose every copy was removed anyway (they change nothing in the corpus)."""
        removed = sum(self.reasons.values())
        return {
            "inputs": len(inputs),
            "failed": sum(f.status is FileStatus.FAILED for f in inputs),
            "skipped": sum(f.status is FileStatus.SKIPPED for f in inputs),
            "records_skipped": sum(f.skipped_records for f in inputs),
            "documents": self.documents,
            "renamed": renamed,
            "paragraphs": self.paragraphs,
            "kept": self.kept,
            "removed": removed,
            "titles": self.paragraphs - self.kept - removed,
            "removed_by_reason": dict(sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "repaired": self.repaired,
            "duplicates": self.duplicates,
            "duplicate_clusters": Counter(c.level for c in clusters),
            "passage_clusters_only_removed": sum(bool(getattr(c, "only_removed", False)) for c in clusters),
        }


def package_versions() -> dict[str, str]:
    names = ["cleaner", "trafilatura", "ftfy", "datasketch", "charset-normalizer", "click", "numpy"]
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(config: Config, inputs: list[InputFile], summary: dict) -> dict:
    return {"config": config.to_dict(), "versions": package_versions(), "counts": summary,
            "inputs": [f.as_dict() for f in inputs]}
