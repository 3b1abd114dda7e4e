"""The human-readable report: what was removed, why, and what was repaired.

Scraped text is untrusted, so every string from the data goes through `html.escape`.
"""
from __future__ import annotations

import html
from collections.abc import Sequence

from .models import Document, InputFile, Verdict

_CSS = """body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
.drop{color:#888;text-decoration:line-through}.badge{font-size:12px;background:#fde2e2;color:#900;
border-radius:3px;padding:0 4px;margin-left:6px;text-decoration:none;display:inline-block}
.title{font-weight:bold}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left}"""


def e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_report(summary: dict, docs: Sequence[Document], inputs: Sequence[InputFile]) -> str:
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>cleaner report</title>",
             f"<style>{_CSS}</style></head><body><h1>cleaner report</h1>", "<h2>Summary</h2><table>"]
    for key in ("documents", "paragraphs", "kept", "removed", "repaired", "duplicates", "failed"):
        parts.append(f"<tr><th>{e(key)}</th><td>{e(summary.get(key, 0))}</td></tr>")
    parts.append("</table><h3>Removed by reason</h3><table>")
    for reason, n in summary.get("removed_by_reason", {}).items():
        parts.append(f"<tr><td>{e(reason)}</td><td>{n}</td></tr>")
    parts.append("</table>")
    failed = [f for f in inputs if f.status.value != "ok"]
    if failed:
        parts.append("<h2>Inputs not cleaned</h2><table>")
        parts += [f"<tr><td>{e(f.path)}</td><td>{e(f.status.value)}</td><td>{e(f.error)}</td></tr>" for f in failed]
        parts.append("</table>")
    parts.append("<h2>Documents</h2>")
    for doc in docs:
        parts.append(f"<section id='doc-{e(doc.id)}'><h3>{e(doc.id)}</h3><p><small>{e(doc.source)}</small></p>")
        if doc.duplicate_of:
            parts.append(f"<p>Duplicate of <a href='#doc-{e(doc.duplicate_of)}'>{e(doc.duplicate_of)}</a></p>")
        for p in doc.paragraphs:
            if p.verdict is Verdict.TITLE:
                parts.append(f"<p class='title'>{e(p.text)}</p>")
            elif p.verdict is Verdict.DROP:
                parts.append(f"<p><span class='drop'>{e(p.text)}</span><span class='badge'>{e(p.reason)}</span></p>")
            else:
                parts.append(f"<p>{e(p.text)}</p>")
            if p.repairs:
                steps = ", ".join(r.step for r in p.repairs)
                parts.append(f"<p><small>repaired ({e(steps)}): {e(p.original)} → {e(p.text)}</small></p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
