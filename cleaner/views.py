"""Terminal views of a finished run: `clean diff`, `clean dups`, `clean stats`.

They only read an output folder (manifest.json, duplicates.jsonl, and the per-document
JSON embedded in the report/docs/ pages, found through the table data); nothing is re-run.  Each view has a data
function (the `--json` output) and a `format_*` function returning lines with click
styles; the CLI decides whether colour reaches the terminal.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import click

from .report import DOC_JSON_ID, e, read_table_rows


class ViewError(Exception):
    """The output folder lacks what the view needs; the message says what and why."""


def _out(out: str | Path) -> Path:
    path = Path(out)
    if not (path / "manifest.json").is_file():
        raise ViewError(f"{path}: no manifest.json, so not a finished output folder (run `clean run ... -o {path}`)")
    return path


# --------------------------------------------------------------------------- stats

def stats(out: str | Path) -> dict:
    """The run's counts, as recorded in manifest.json."""
    manifest = json.loads((_out(out) / "manifest.json").read_text(encoding="utf-8"))
    counts = dict(manifest.get("counts") or {})
    counts["failed_inputs"] = [f for f in manifest.get("inputs", []) if f.get("status") == "failed"]
    return counts


def format_stats(s: dict) -> list[str]:
    clusters = s.get("duplicate_clusters") or {}
    lines = [f"documents   {s.get('documents', 0)} from {s.get('inputs', 0)} inputs "
             f"({s.get('failed', 0)} failed, {s.get('skipped', 0)} skipped)",
             f"paragraphs  {s.get('paragraphs', 0)}: {click.style(str(s.get('kept', 0)), fg='green')} kept, "
             f"{click.style(str(s.get('removed', 0)), fg='red')} removed, {s.get('repaired', 0)} repaired"]
    reasons = s.get("removed_by_reason") or {}
    if reasons:
        lines.append("removed by reason:")
        top = max(reasons.values())
        width = max(len(r) for r in reasons)
        for reason, n in reasons.items():
            bar = "█" * max(1, round(30 * n / top))
            lines.append(f"  {reason:<{width}}  {n:>7}  {click.style(bar, fg='red')}")
    lines.append(f"duplicates  {s.get('duplicates', 0)} documents flagged; "
                 f"{clusters.get('document', 0)} document clusters, {clusters.get('passage', 0)} passage clusters")
    for f in s.get("failed_inputs", []):
        lines.append(click.style(f"failed      {f.get('path')}: {f.get('error')}", fg="yellow"))
    return lines


# --------------------------------------------------------------------------- dups

def clusters(out: str | Path, level: str | None = None) -> list[dict]:
    """The duplicate clusters from duplicates.jsonl, numbered as in the report (`index`)."""
    path = _out(out) / "duplicates.jsonl"
    result = []
    if path.is_file():
        with open(path, encoding="utf-8") as fh:
            for index, line in enumerate(fh):
                if line.strip():
                    cluster = json.loads(line)
                    if level is None or cluster.get("level") == level:
                        result.append({"index": index, **cluster})
    return result


def format_clusters(items: list[dict]) -> list[str]:
    if not items:
        return ["no duplicate clusters"]
    lines = []
    for c in items:
        lines.append(click.style(f"#{c['index']} {c.get('level')}  similarity {c.get('similarity', 0):.2f}  "
                                 f"{len(c.get('members', []))} members", bold=True))
        for m in c.get("members", []):
            rep = click.style(" (representative)", fg="green") if m.get("doc") == c.get("representative") else ""
            where = f" ¶{m['paragraph']}" if m.get("paragraph") is not None else ""
            text = f"  {_one_line(m['text'], 100)}" if m.get("text") else ""
            lines.append(f"  {click.style(str(m.get('doc')), fg='cyan')}{where}{rep}{text}")
    return lines


# --------------------------------------------------------------------------- diff

def document(out: str | Path, doc_id: str) -> dict:
    """The per-document record (paragraphs with verdicts and reasons) the report page was built from."""
    root = _out(out)
    found = _section_of(root, doc_id)
    if found is None:
        known = _known_id(root, doc_id)
        raise ViewError(f"no document {doc_id!r} in {root}" if not known else
                        f"{root}/report has no page for {doc_id!r}; the report was not written for this run")
    page, anchor = found
    script = re.compile(f"<script type='application/json' id='{re.escape(DOC_JSON_ID + '/' + e(anchor))}'>(.*?)</script>",
                        re.S)
    match = script.search(page.read_text(encoding="utf-8")) if page.is_file() else None
    if not match:
        raise ViewError(f"{page}: no embedded data for {doc_id!r} (written by an older cleaner?)")
    return json.loads(match.group(1))


def _section_of(root: Path, doc_id: str) -> tuple[Path, str] | None:
    """(page file, section name) of the first document with `doc_id`, from the report's
    table data (every row has the document's id and link)."""
    try:
        for row in read_table_rows(root):
            if row[1] == doc_id:
                page, _, anchor = row[2].removeprefix("docs/").partition("#")
                return root / "report" / "docs" / page, anchor
    except ValueError as exc:
        raise ViewError(str(exc)) from None
    return None


def _known_id(root: Path, doc_id: str) -> bool:
    corpus = root / "corpus.jsonl"
    if not corpus.is_file():
        return False
    with open(corpus, encoding="utf-8") as fh:
        return any(json.loads(line).get("id") == doc_id for line in fh if line.strip())


def format_diff(doc: dict) -> list[str]:
    """Unified-diff style: ' ' kept, '-' removed [reason] ¶index, '-'/'+' before/after a repair, '#' title."""
    red = lambda s: click.style(s, fg="red")  # noqa: E731
    green = lambda s: click.style(s, fg="green")  # noqa: E731
    lines = [click.style(f"--- {doc['id']} (original: {doc.get('source')})", bold=True),
             click.style(f"+++ {doc['id']} (cleaned)", bold=True)]
    if doc.get("duplicate_of"):
        sim = doc.get("duplicate_similarity")
        lines.append(click.style(f"# duplicate of {doc['duplicate_of']}"
                                 + (f" (similarity {sim:.2f})" if sim is not None else ""), fg="magenta"))
    passages = {}
    for ref in doc.get("passages", []):
        passages.setdefault(ref["paragraph"], []).append(ref)
    for i, p in _page_order(doc):
        if i < 0:
            lines.append(red(f"-{p['text']}") + "  " + click.style(f"[{p.get('reason')}] (left out by the extractor)",
                                                                   fg="yellow", bold=True))
            continue
        note = "".join(click.style(f"  [duplicate passage: cluster #{r['cluster']}, first in {r['first_doc']}]",
                                   fg="magenta") for r in passages.get(i, ()))
        if p["verdict"] == "drop":
            lines.append(red(f"-{p['text']}") + "  " + click.style(f"[{p.get('reason')}] ¶{i}", fg="yellow", bold=True)
                         + note)
        elif p["repairs"]:
            lines.append(red(f"-{p.get('original') or p['text']}") + "  " + click.style(f"[repaired: {', '.join(p['repairs'])}]",
                                                                       fg="yellow"))
            mark = "#" if p["verdict"] == "title" else "+"
            lines.append(green(f"{mark}{p['text']}") + note)
        elif p["verdict"] == "title":
            lines.append(click.style(f"#{p['text']}", bold=True) + "  " + click.style("[title]", fg="blue") + note)
        else:
            lines.append(f" {p['text']}" + note)
    return lines


def _page_order(doc: dict):
    """(index, paragraph) and (-1, left-out block) of a document's data, in page order."""
    blocks = doc.get("left_out") or []
    j = 0
    for i, p in enumerate(doc.get("paragraphs", [])):
        while j < len(blocks) and blocks[j]["before"] <= i:
            yield -1, blocks[j]
            j += 1
        yield i, p
    yield from ((-1, b) for b in blocks[j:])


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
