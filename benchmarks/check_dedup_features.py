#!/usr/bin/env python3
"""Check that `dedup.document_features` gives bit-identical features to another revision.

    python benchmarks/check_dedup_features.py --ref REV --corpus corpus.jsonl [--seeds DIR]

Cleans the corpus (JSONL with a `text` field) and the seed files with this tree's
per-document stages, adds generated edge cases (empty documents, titles, dropped and
repeated paragraphs, spaceless scripts, Korean, mojibake, NUL and newlines inside
paragraphs, texts over 1M code points, random mixes), then computes the features in
batches of 16 with this tree and with `git archive REF` of the package (in a
subprocess) under several configs, and compares signed sizes, words, signatures,
passage shingle arrays, band keys and `within` groups.  Exits 1 on any difference.
"""
from __future__ import annotations

import argparse
import pickle
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = [{}, {"passage_min_words": 1, "within_doc_min_words": 0, "shingle_size": 7, "passage_shingle_size": 4},
           {"passage_min_words": 0, "shingle_size": 1, "passage_shingle_size": 1, "num_perm": 64, "seed": 7,
            "passage_threshold": 0.5}]

_DUMP = """
import pickle, sys
from cleaner.config import DedupConfig
from cleaner.dedup import document_features
docs, configs = pickle.load(sys.stdin.buffer)
out = []
for c in configs:
    cfg = DedupConfig(**c)
    feats = [f for i in range(0, len(docs), 16) for f in document_features(docs[i:i + 16], cfg)]
    out.append([((f.signed.size, f.signed.words, f.signed.signature),
                 (f.passages.items() if hasattr(f.passages, "items") else f.passages.passages,
                  f.passages.bands, f.passages.within))
                for f in feats])
pickle.dump(out, sys.stdout.buffer)
"""


def features(package_root: Path, docs: list, configs: list[dict]) -> list:
    run = subprocess.run([sys.executable, "-c", _DUMP], input=pickle.dumps((docs, configs)),
                         capture_output=True, cwd=package_root, env={"PYTHONPATH": str(package_root)})
    if run.returncode:
        sys.exit(f"computing features in {package_root} failed:\n{run.stderr.decode()}")
    return pickle.loads(run.stdout)


def cleaned(paths: list[str]) -> list:
    from cleaner.config import Config
    from cleaner.ingest import ingest
    from cleaner.pipeline import clean_document

    config = Config()
    return [clean_document(raw, config) for _, raws in ingest(paths, config.ingest) for raw in raws]


PIECES = ["the", "Straße", "ﬁnancial", "İstanbul", "ΣΟΦΟΣ", "한국어 문장", "北京市人民政府", "ภาษาไทยง่าย",
          "カタカナ", "café", "cafÃ©", "itâ€™s", "e\u0301", "\u0301x", "\u1100\u1161", "\u11a8", "x\x00y",
          "line\nbreak", "  ", "—", "42", "Ω", "ǅ", "\ud800", "a_b", "\u00a0", "١٢٣", "word."]


def edge_cases(rng: random.Random) -> list:
    from cleaner.models import Document, Paragraph, Verdict

    def doc(paras, title=None, verdicts=None):
        ps = [Paragraph(p) for p in paras]
        for p, v in zip(ps, verdicts or ()):
            p.verdict = v
        return Document(id=f"e{rng.random()}", source="edge", format="text", title=title, paragraphs=ps)

    K, D, T = Verdict.KEEP, Verdict.DROP, Verdict.TITLE
    story = ("Officials said on Monday that the talks in the capital would continue through the week, "
             "despite objections from several delegations.")
    docs = [doc([]), doc([""]), doc(["", "", ""]), doc(["one"]), doc(["a b c d"]), doc(["a b", "c d e"]),
            doc([story], title=story), doc([story, story], title="Other headline"),
            doc([story, story, story], verdicts=[K, D, T], title=story), doc([story, "x", story], verdicts=[D, K, D]),
            doc(["北京市人民政府今天发布了新的规定" * 3, "ภาษาไทยง่ายมากสำหรับทุกคนที่เรียน" * 2]),
            doc(["한국어 문장은 띄어쓰기로 단어를 나눕니다 그리고 이것은 예시입니다 " * 3]),
            doc(["The cafÃ© said itâ€™s closing on Monday after twenty years of business in town " * 2,
                 "Clean paragraph with enough words to be a passage of its own right here today."]),
            doc(["first line\nsecond line\nthird line of the same paragraph with more words here"]),
            doc(["NUL\x00inside a paragraph that is long enough to be a passage of twelve words"]),
            doc(["e\u0301" + story, "\u0301" + story, "Straße ﬁnancial İstanbul ΣΟΦΟΣ " * 5]),
            doc(["\u1100", "\u1161\u11a8 한국", "\u1100\u1161"]),
            doc([story * 12000, "short"]),  # > 1M code points
            doc(["x" * 1_100_000, story]),  # one "word" over 1M code points
            doc(["北" * 1_050_000]),
            doc([(story + " ") * 3], title=story * 2)]
    for _ in range(300):
        paras = [" ".join(rng.choice(PIECES + story.split()) for _ in range(rng.choice([0, 1, 3, 8, 15, 40])))
                 for _ in range(rng.randint(0, 8))]
        if paras and rng.random() < 0.3:
            paras.append(rng.choice(paras))
        docs.append(doc(paras, title=rng.choice([None, "", paras[0] if paras else None, "Some title"]),
                        verdicts=[rng.choice([K, K, K, D, T]) for _ in paras]))
    return docs


def compare(a: list, b: list) -> list[str]:
    problems = []
    for i, (x, y) in enumerate(zip(a, b)):
        (sx, px), (sy, py) = x, y
        if sx[:2] != sy[:2] or not np.array_equal(sx[2], sy[2]) or sx[2].dtype != sy[2].dtype:
            problems.append(f"doc {i}: signed differs")
        if ([pi for pi, _ in px[0]] != [pi for pi, _ in py[0]]
                or any(not np.array_equal(u, v) or u.dtype != v.dtype for (_, u), (_, v) in zip(px[0], py[0]))):
            problems.append(f"doc {i}: passage shingles differ")
        if not np.array_equal(px[1], py[1]) or px[1].dtype != py[1].dtype or px[1].shape != py[1].shape:
            problems.append(f"doc {i}: band keys differ")
        if px[2] != py[2]:
            problems.append(f"doc {i}: within groups differ {px[2]} {py[2]}")
    if len(a) != len(b):
        problems.append(f"{len(a)} vs {len(b)} documents")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", required=True, help="git revision to compare the working tree with")
    ap.add_argument("--corpus", required=True, help="a JSONL corpus, e.g. from gen_corpus.py")
    ap.add_argument("--seeds", default=str(ROOT / "seeds"))
    args = ap.parse_args()
    sets = {"corpus": cleaned([args.corpus]), "seeds": cleaned([args.seeds]), "edge": edge_cases(random.Random(7))}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", args.ref, "cleaner"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        for name, docs in sets.items():
            configs = CONFIGS if name != "corpus" else CONFIGS[:2]
            for c, old, new in zip(configs, features(Path(tmp), docs, configs), features(ROOT, docs, configs)):
                problems = compare(old, new)
                print(f"{name}: {len(docs)} documents, config {c or 'default'}: "
                      f"{'identical' if not problems else f'{len(problems)} differences'}")
                for p in problems[:10]:
                    print("   ", p)
                failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
