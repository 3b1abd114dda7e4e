"""Terminal views of a finished run: `clean diff`, `clean dups`, `clean stories`, `clean stats`.

They only read an output folder (manifest.json, duplicates.jsonl, and the per-document
JSON embedded in the report/docs/ pages, found through the table data); nothing is re-run.  Each view has a data
function (the `--json` output) and a `format_*` function returning lines with click
styles; the CLI decides whether colour reaches the terminal.
"""
from __future__ import annotations

import difflib
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
    """The run's counts, as recorded in manifest.json, with the inputs that failed, the
    records that were skipped and the ids that were renamed."""
    root = _out(out)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    counts = dict(manifest.get("counts") or {})
    inputs = manifest.get("inputs", [])
    counts["failed_inputs"] = [f for f in inputs if f.get("status") == "failed"]
    counts["problems"] = [{"path": f.get("path"), "problem": p} for f in inputs for p in f.get("problems", ())]
    counts.setdefault("records_skipped", sum(f.get("skipped_records", 0) for f in inputs))
    counts["renamed_ids"] = manifest.get("renamed") or {}
    counts["manifest"] = str(root / "manifest.json")
    return counts


def format_stats(s: dict) -> list[str]:
    clusters = s.get("duplicate_clusters") or {}
    paragraphs, kept, removed = s.get("paragraphs", 0), s.get("kept", 0), s.get("removed", 0)
    titles = s.get("titles", paragraphs - kept - removed)
    lines = [f"documents   {s.get('documents', 0)} from {s.get('inputs', 0)} inputs "
             f"({s.get('failed', 0)} failed, {s.get('skipped', 0)} skipped)",
             f"paragraphs  {paragraphs}: {click.style(str(kept), fg='green')} kept, "
             f"{click.style(str(removed), fg='red')} removed"
             + (f", {titles} {'title' if titles == 1 else 'titles'}" if titles else "")
             + f"; {s.get('repaired', 0)} repaired"]
    reasons = s.get("removed_by_reason") or {}
    if reasons:
        lines.append("removed by reason:")
        top = max(reasons.values())
        width = max(len(r) for r in reasons)
        for reason, n in reasons.items():
            bar = "█" * max(1, round(30 * n / top))
            lines.append(f"  {reason:<{width}}  {n:>7}  {click.style(bar, fg='red')}")
    moot = s.get("passage_clusters_only_removed", 0)
    lines.append(f"duplicates  {s.get('duplicates', 0)} documents flagged; "
                 f"{clusters.get('document', 0)} document clusters, {clusters.get('passage', 0)} passage clusters"
                 + (f" ({moot} only among lines removed anyway)" if moot else ""))
    where = s.get("manifest", "manifest.json")
    failed = s.get("failed_inputs", [])
    if failed:
        lines.append(click.style(f"failed      {len(failed)} inputs (in {where}, `inputs`):", fg="yellow"))
        lines += [click.style(f"  {f.get('path')}: {f.get('error')}", fg="yellow") for f in failed[:10]]
    problems = s.get("problems", [])
    if problems:
        skipped = s.get("records_skipped", 0)
        noted = len(problems) - skipped
        lines.append(click.style(f"skipped     {skipped} records" + (f", {noted} notes on records kept" if noted else "")
                                 + f" (in {where}, `inputs[].problems`):", fg="yellow"))
        lines += [click.style(f"  {r['path']}: {r['problem']}", fg="yellow") for r in problems[:10]]
    renamed = s.get("renamed_ids") or {}
    if renamed:
        lines.append(f"renamed     {len(renamed)} ids written under another file name (in {where}, `renamed`):")
        lines += [f"  {doc_id} -> {path}" for doc_id, path in list(renamed.items())[:10]]
    for key, items in (("failed", failed), ("problems", problems), ("renamed", list(renamed))):
        if len(items) > 10:
            lines.append(f"  ... {len(items) - 10} more {key}: see {where}")
    return lines


# --------------------------------------------------------------------------- dups

def clusters(out: str | Path, level: str | None = None) -> list[dict]:
    """The duplicate clusters from duplicates.jsonl, with `index`, their line there (from 0);
    they are shown as #index+1, as in the report."""
    return _numbered(_out(out) / "duplicates.jsonl",
                     lambda cluster: level is None or cluster.get("level") == level)


def _numbered(path: Path, keep=lambda record: True) -> list[dict]:
    """The records of a JSONL output that `keep` accepts, each with `index`, its line there
    (from 0); none when the file is missing."""
    result = []
    if path.is_file():
        with open(path, encoding="utf-8") as fh:
            for index, line in enumerate(fh):
                if line.strip():
                    record = json.loads(line)
                    if keep(record):
                        result.append({"index": index, **record})
    return result


def format_clusters(items: list[dict]) -> list[str]:
    if not items:
        return ["no duplicate clusters"]
    lines = []
    for c in items:
        members = c.get("members", [])
        moot = c.get("level") == "passage" and members and all(m.get("removed") for m in members)
        lines.append(click.style(f"#{c['index'] + 1} {c.get('level')}  similarity {c.get('similarity', 0):.2f}  "
                                 f"{len(members)} members", bold=True)
                     + (click.style("  only lines removed anyway: no effect on the corpus", fg="yellow") if moot else ""))
        label = " (representative)" if c.get("level") == "document" else " (first seen)"
        marked = False
        for m in c.get("members", []):
            rep = ""
            if m.get("doc") == c.get("representative") and not marked:
                rep, marked = click.style(label, fg="green"), True
            where = f" ¶{m['paragraph']}" if m.get("paragraph") is not None else ""
            removed = click.style(f" [removed: {m['removed']}]", fg="yellow") if m.get("removed") else ""
            text = f"  {_one_line(m['text'], 100)}" if m.get("text") else ""
            lines.append(f"  {click.style(str(m.get('doc')), fg='cyan')}{where}{rep}{removed}{text}")
    return lines


# --------------------------------------------------------------------------- stories

def stories(out: str | Path) -> list[dict]:
    """The stories from stories.jsonl, with `index`, their line there (from 0); shown as
    #index+1.  A run without the file (written by an older cleaner, or with the stage off)
    has none."""
    return _numbered(_out(out) / "stories.jsonl")


def format_stories(items: list[dict]) -> list[str]:
    if not items:
        return ["no stories"]
    lines = []
    for s in items:
        members = s.get("members", [])
        lines.append(click.style(f"#{s['index'] + 1} story {s.get('story')}  {len(members)} documents  "
                                 f"{len(s.get('passages', []))} aligned passages", bold=True))
        for m in members:
            when = f" {m['date']}" if m.get("date") else ""
            site = f" {m['site']}" if m.get("site") else ""
            title = f"  {_one_line(m['title'], 80)}" if m.get("title") else ""
            earlier = "  (earlier run)" if m.get("earlier_run") else ""
            lines.append(f"  {click.style(str(m.get('doc')), fg='cyan')}{when}{site}{title}{earlier}")
        for link in s.get("evidence", []):
            shared = ", ".join((link.get("names") or [])[:5] + (link.get("numbers") or [])[:3])
            lines.append(f"    {' ~ '.join(link.get('docs', []))}: alignment {link.get('similarity', 0):.2f}"
                         + (f"; shared {_one_line(shared, 80)}" if shared else ""))
    return lines


# --------------------------------------------------------------------------- diff

def document(out: str | Path, doc_id: str) -> dict:
    """The per-document record (paragraphs with verdicts and reasons) the report page was
    built from.  `doc_id` may also be the document's clean/ file name or path, its input
    file's name or path, or the start of an id that only one document has (`find_document`)."""
    root = _out(out)
    try:
        rows = [(row[1], row[2], row[4]) for row in read_table_rows(root)]
    except ValueError as exc:
        raise ViewError(str(exc)) from None
    if not rows and _known_id(root, doc_id):
        raise ViewError(f"{root}/report has no page for {doc_id!r}; the report was not written for this run")
    found = find_document(root, doc_id, rows)
    page_name, _, anchor = found[1].removeprefix("docs/").partition("#")
    page = root / "report" / "docs" / page_name
    script = re.compile(f"<script type='application/json' id='{re.escape(DOC_JSON_ID + '/' + e(anchor))}'>(.*?)</script>",
                        re.S)
    match = script.search(page.read_text(encoding="utf-8")) if page.is_file() else None
    if not match:
        raise ViewError(f"{page}: no embedded data for {found[0]!r} (written by an older cleaner?)")
    return json.loads(match.group(1))


def find_document(root: Path, given: str, rows: list[tuple[str, str, str]]) -> tuple[str, str, str]:
    """The (id, link, source) row of the document a user means by `given`: its id; its
    clean/ file, by name or path (renamed ids through the manifest); its input file, by
    path or name (with or without the extensions the id drops); or the start of exactly
    one id.  Otherwise a ViewError that lists the ids that come closest."""
    by_id: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        by_id.setdefault(row[0], row)  # repeated ids: the first, as links to an id go
    if given in by_id:
        return by_id[given]
    name = given.replace("\\", "/").rstrip("/").rpartition("/")[2]
    renamed = _renamed_files(root)
    for key in (given.replace("\\", "/").removeprefix("./"), "clean/" + name):
        if key in renamed and renamed[key] in by_id:
            return by_id[renamed[key]]
    stems = [name] + [name[:i] for i in range(len(name) - 1, 0, -1) if name[i] == "."]  # a.b.txt.gz: a.b.txt, a.b, a
    for stem in stems:
        if stem in by_id:
            return by_id[stem]
    matches = _by_source(given, rows)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        matches = [row for doc_id, row in by_id.items() if doc_id.startswith(given)] if given else []
        if len(matches) == 1:
            return matches[0]
    if matches:
        shown = ", ".join(row[0] for row in matches[:10]) + (", ..." if len(matches) > 10 else "")
        raise ViewError(f"{given!r} matches {len(matches)} documents in {root}: {shown}; give one id")
    close = difflib.get_close_matches(given, list(by_id), n=5, cutoff=0.5)
    if not close and stems[-1] != given:
        close = difflib.get_close_matches(stems[-1], list(by_id), n=5, cutoff=0.5)
    hint = f"; closest ids: {', '.join(close)}" if close else (
        f"; it has {len(by_id)} documents (`clean stats -o {root}`; ids are in corpus.jsonl)" if by_id else "")
    raise ViewError(f"no document {given!r} in {root}{hint}")


def _renamed_files(root: Path) -> dict[str, str]:
    """clean/ file -> id, for the documents whose file is not `<id>.txt` (manifest `renamed`)."""
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {path: doc_id for doc_id, path in (manifest.get("renamed") or {}).items()}


def _by_source(given: str, rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The rows whose source is `given`: the same path (as written, or resolved), or, for a
    bare file name, the same file name."""
    exact = [row for row in rows if row[2] == given]
    if exact:
        return exact
    try:
        wanted = Path(given).resolve()
    except (OSError, ValueError):
        wanted = None
    if wanted is not None and ("/" in given or "\\" in given):
        found = [row for row in rows if _resolved(row[2]) == wanted]
        if found:
            return found
    if "/" not in given and "\\" not in given:
        return [row for row in rows if row[2].replace("\\", "/").rpartition("/")[2] == given]
    return []


def _resolved(source: str) -> Path | None:
    try:
        return Path(source).resolve()
    except (OSError, ValueError):
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
        note = "".join(click.style(f"  [duplicate passage: cluster #{r['cluster'] + 1}, first in {r['first_doc']}]",
                                   fg="magenta") for r in passages.get(i, ()))
        if p.get("restored"):
            note += click.style(f"  [brought back: {p['restored']}] (left out by the extractor)", fg="cyan")
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
