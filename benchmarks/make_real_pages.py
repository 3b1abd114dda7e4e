"""Write the development sets' full-page text renderings as one JSONL corpus ({"id", "text"}).

The pages are real: navigation, widgets, footers and a body, in many languages, as a naive
scraper stores them (`peer-dev/text`, `articles-dev/text`).  The corpus is what
`compare_reference.sh` and a profile of `clean run` time on real pages, next to the
synthetic corpora.  Ids are `<set>/<file stem>`, in sorted order, so the output is the same
on every run.  Never run as a test.

    python benchmarks/make_real_pages.py --out /tmp/real-pages.jsonl
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
SETS = ("peer-dev", "articles-dev")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", type=Path, default=EVAL, help="folder holding peer-dev/ and articles-dev/")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    docs = nbytes = 0
    with open(args.out, "w", encoding="utf-8") as fh:
        for name in SETS:
            for path in sorted((args.eval / name / "text").glob("*.txt")):
                text = path.read_text(encoding="utf-8")
                line = json.dumps({"id": f"{name}/{path.stem}", "text": text}, ensure_ascii=False) + "\n"
                fh.write(line)
                docs += 1
                nbytes += len(line.encode("utf-8"))
    print(json.dumps({"corpus": str(args.out), "docs": docs, "bytes": nbytes}))


if __name__ == "__main__":
    main()
