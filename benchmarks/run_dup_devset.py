#!/usr/bin/env python3
"""Run find_duplicates on a dev set of .txt files and score it with score_dups.py.

Each file is one Document (id = file stem), one paragraph per non-empty line, all kept:
dedup sees the text as written, without the extract/repair/boilerplate stages.
`--repair` runs ftfy over each line first, as the pipeline's repair stage would.

    python run_dup_devset.py DIR [--out OUT] [--repair] [--set threshold=0.8 ...]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from cleaner.config import Config
from cleaner.dedup import find_duplicates
from cleaner.models import Document, Paragraph

SCORER = str(Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "score_dups.py")  # ../shared from the project root


def load(directory: Path, repair: bool) -> list[Document]:
    fix = None
    if repair:
        import ftfy
        fix = ftfy.fix_text
    docs = []
    for f in sorted(directory.glob("*.txt")):
        lines = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
        docs.append(Document(id=f.stem, source=str(f), format="text",
                             paragraphs=[Paragraph(fix(ln) if fix else ln) for ln in lines]))
    return docs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--out", type=Path, default=Path("/tmp/dup-devset-run"))
    ap.add_argument("--repair", action="store_true")
    ap.add_argument("--set", action="append", default=[], help="dedup config override key=value (JSON value)")
    a = ap.parse_args()
    overrides = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        try:
            overrides[f"dedup.{k}"] = json.loads(v)
        except json.JSONDecodeError:
            overrides[f"dedup.{k}"] = v
    config = Config().with_overrides(overrides).dedup
    docs = load(a.dir, a.repair)
    t = time.perf_counter()
    clusters = find_duplicates(docs, config)
    dt = time.perf_counter() - t
    a.out.mkdir(parents=True, exist_ok=True)
    run = a.out / "duplicates.jsonl"
    run.write_text("".join(json.dumps(c.as_dict(), ensure_ascii=False) + "\n" for c in clusters), encoding="utf-8")
    res = json.loads(subprocess.run([sys.executable, SCORER, "--gold", str(a.dir / "gold.json"), "--run", str(run),
                                     "--json"], capture_output=True, text=True, check=True).stdout)
    print(f"{len(docs)} docs in {dt:.2f}s; " + " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                                    for k, v in res.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
