"""Are two output folders of `clean run` the same, file by file?

    python benchmarks/compare_outputs.py OLD_OUT NEW_OUT [--ignore versions ...]

Every file under both folders (clean/*.txt, corpus.jsonl, duplicates.jsonl, report.html,
report/..., manifest.json; not the `.lock` file) is hashed with SHA-256 and the two sets
are compared by relative path.  manifest.json is compared as JSON less the keys given with
`--ignore` (dotted paths, e.g. `versions` when the two runs used different library
versions, `config.workers` when they used different worker counts); with no `--ignore`
it must be byte-identical too.  Two runs of the same code on the same inputs and machine
give identical folders, manifest included, so any difference is a change of behaviour.

Prints the number of files compared and each one that differs or exists on one side only;
exits 1 when anything differs.  Use it to show a change that should not change outputs
(a refactoring, a speed-up) does not: run `clean run` before and after into two folders,
then compare them.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

MANIFEST = "manifest.json"
SKIPPED = {".lock"}


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by path relative to it."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in SKIPPED:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            out[rel] = h.hexdigest()
    return out


def without(manifest: dict, ignored: list[str]) -> dict:
    """`manifest` less each dotted key in `ignored` (missing keys are fine)."""
    for dotted in ignored:
        *parents, last = dotted.split(".")
        node = manifest
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return manifest


def manifests_match(old: Path, new: Path, ignored: list[str]) -> bool:
    load = lambda p: without(json.loads(p.read_text(encoding="utf-8")), ignored)  # noqa: E731
    return load(old) == load(new)


def compare(old: Path, new: Path, ignored: list[str]) -> tuple[int, list[str]]:
    """(files in `old`, one line per difference between the two folders)."""
    a, b = digests(old), digests(new)
    problems = [f"only in {old}: {rel}" for rel in sorted(a.keys() - b.keys())]
    problems += [f"only in {new}: {rel}" for rel in sorted(b.keys() - a.keys())]
    for rel in sorted(a.keys() & b.keys()):
        if a[rel] == b[rel]:
            continue
        if rel == MANIFEST and ignored and manifests_match(old / rel, new / rel, ignored):
            continue
        problems.append(f"differs: {rel}")
    return len(a), problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--ignore", action="append", default=[], metavar="KEY",
                    help="dotted manifest.json key to leave out of the comparison (repeatable)")
    args = ap.parse_args()
    for folder in (args.old, args.new):
        if not (folder / MANIFEST).is_file():
            print(f"{folder}: no {MANIFEST} (not a finished run)", file=sys.stderr)
            return 2
    n, problems = compare(args.old, args.new, args.ignore)
    for line in problems:
        print(line)
    ignored = f" (manifest.json less {', '.join(args.ignore)})" if args.ignore else ""
    print(f"{'DIFFERENT' if problems else 'identical'}: {n} files in {args.old}, "
          f"{len(problems)} differences{ignored}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
