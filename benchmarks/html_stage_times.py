#!/usr/bin/env python3
"""Where an HTML page's CPU time goes in `clean run`: one run in this process (one worker),
each stage's entry function timed with the process CPU clock, as ms a page.

Unlike `profile_run.py` (cProfile, whose cost per Python call inflates call-heavy code),
only a dozen functions are wrapped, so the figures are the run's own; nested entries
(trafilatura's extraction, the blocks walk and the metadata inside `extract_html`) are
included in their parent's figure too.  Prints figures; never runs as a test.

    python benchmarks/html_stage_times.py [SET] [--checkout DIR]

One run a process: a second run in the same process would find the memoised rules, the
class-word reasons and the stop-word index ready, and look cheaper than a run is.
"""
from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = [  # (module, attribute, label): the functions timed, where the run looks them up
    ("cleaner.extract", "extract_html", "extract_html (all below)"),
    ("trafilatura", "bare_extraction", "  trafilatura's extraction"),
    ("cleaner.extract", "_main_text", "  trafilatura's extraction, on the tree itself"),
    ("cleaner.extract", "_parse", "  parse"),
    ("cleaner.extract", "_held_proxies", "  element objects"),
    ("cleaner.blocks", "page_blocks", "  blocks walk"),
    ("cleaner.extract", "page_metadata", "  metadata"),
    ("htmldate", "find_date", "    date"),
    ("cleaner.extract", "page_author", "    author"),
    ("cleaner.blocks", "align", "  alignment"),
    ("cleaner.blocks", "left_out", "  reasons"),
    ("cleaner.stages", "repair_document", "repair"),
    ("cleaner.boilerplate.Draft", "of", "boilerplate: draft"),
    ("cleaner.boilerplate", "classify", "boilerplate: classify"),
    ("cleaner.dedup", "tokenised_features", "dedup features"),
    ("cleaner.stories", "document_evidence", "story evidence"),
    ("cleaner.boilerplate", "corpus_line_keys", "corpus line keys"),
    ("cleaner.pipeline", "write_documents", "write pass"),
]


def _owner(path: str):
    """The module, or the class in a module, named by a dotted path."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for part in parts[cut:]:
            owner = getattr(owner, part)
        return owner
    raise ModuleNotFoundError(path)


def _timed(fn, label: str, spent: Counter):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start
    return wrapper


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("set", nargs="?", type=Path, default=ROOT.parent / "shared" / "eval" / "peer-dev" / "html")
    ap.add_argument("--checkout", type=Path, help="time the cleaner of another checkout (e.g. a worktree of main)")
    a = ap.parse_args()
    if a.checkout:
        sys.path.insert(0, str(a.checkout.resolve()))
    from cleaner import pipeline
    from cleaner.config import Config

    spent: Counter = Counter()
    for path, name, label in STAGES:
        owner = _owner(path)
        if hasattr(owner, name):  # an older checkout may lack one
            setattr(owner, name, _timed(getattr(owner, name), label, spent))
    pages = sum(1 for p in a.set.iterdir() if p.is_file())
    out = tempfile.mkdtemp()
    start = time.process_time()
    pipeline.run([str(a.set)], out=out, config=Config(workers=1))
    spent["whole run (after imports)"] = time.process_time() - start
    shutil.rmtree(out)
    print(f"{pages} pages of {a.set}, ms a page (CPU time):")
    for label in ["whole run (after imports)"] + [label for _, _, label in STAGES]:
        if label in spent:
            print(f"  {label:32s} {1000 * spent[label] / pages:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
