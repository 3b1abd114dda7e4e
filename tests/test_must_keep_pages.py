"""Full pages the boilerplate stage must not cut wrongly: tests/data/must_keep_pages/*.txt.

Each file is one page as a full-page text rendering (navigation, headline, byline and
date, the article, then footer and widget lines), one paragraph a line, built into a
document the way test_boilerplate.py builds one (`doc_of`, format "text", no title given)
and judged by `classify` with the default `BoilerplateConfig`.  A line is marked:

    KEEP| text    must be kept: Verdict.KEEP or Verdict.TITLE
    DROP| text    must be dropped (any reason)
    text          unmarked: either verdict passes

The marker (with its one space) is stripped before the document is built.  Lines starting
with "#" at the top of a file describe the page and are not part of it; blank lines are
skipped.  A failure lists every wrongly judged line with the verdict and reason recorded.
tests/data/must_keep_pages/README.md describes the pages.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.boilerplate import classify
from cleaner.config import BoilerplateConfig
from cleaner.models import Verdict
from test_boilerplate import doc_of

PAGES = Path(__file__).parent / "data" / "must_keep_pages"
CONFIG = BoilerplateConfig()
MARKS = {"KEEP| ": "keep", "DROP| ": "drop"}

XFAIL: dict[str, str] = {}
"""Pages the stage still judges wrongly, by file name, with the cause."""


def read_page(path: Path) -> tuple[list[str], dict[int, str]]:
    """The page's lines (markers stripped) and the mark of each marked line, by index."""
    raw = path.read_text(encoding="utf-8").splitlines()
    while raw and raw[0].startswith("#"):
        raw.pop(0)
    lines: list[str] = []
    marks: dict[int, str] = {}
    for line in raw:
        if not line.strip():
            continue
        for prefix, mark in MARKS.items():
            if line.startswith(prefix):
                marks[len(lines)] = mark
                line = line[len(prefix):]
                break
        lines.append(line)
    return lines, marks


def page_params() -> list:
    return [pytest.param(path, id=path.stem,
                         marks=[pytest.mark.xfail(strict=True, reason=XFAIL[path.name])] if path.name in XFAIL else [])
            for path in sorted(PAGES.glob("*.txt"))]


def test_read_page_strips_the_markers_and_the_header(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("# about the page\nMenu\n\nKEEP| A kept line.\nDROP| A dropped line\n", encoding="utf-8")
    assert read_page(page) == (["Menu", "A kept line.", "A dropped line"], {1: "keep", 2: "drop"})


@pytest.mark.parametrize("path", page_params())
def test_marked_lines_of_a_full_page_are_judged_as_marked(path):
    lines, marks = read_page(path)
    assert "keep" in marks.values(), f"{path.name} marks no line to keep"
    doc = doc_of(lines, id=path.stem, source=f"{PAGES.name}/{path.name}")
    classify(doc, CONFIG)
    wrong = []
    for i, mark in sorted(marks.items()):
        p = doc.paragraphs[i]
        kept = p.verdict in (Verdict.KEEP, Verdict.TITLE)
        if kept != (mark == "keep"):
            wrong.append(f"line {i + 1} must {mark}, got {p.verdict.value} ({p.reason}): {p.text}")
    assert not wrong, f"{path.name}:\n" + "\n".join(wrong)
