"""Stage 2: turn a `RawDocument` into a `Document` made of paragraphs.

HTML goes through trafilatura (main text plus title, author, date, site and URL) with
its process-wide deduplication off, so one page's output never depends on pages seen
before.  Plain text becomes one paragraph per non-empty line, except hard-wrapped text,
whose blank-line separated blocks are joined into one paragraph each.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import trafilatura
from trafilatura.settings import Extractor

from .config import ExtractConfig
from .models import Document, Metadata, Paragraph, RawDocument

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}
_HEADING_LINE = re.compile(r"^#{1,6}\s+")
_LIST_LINE = re.compile(r"^[-*]\s+")


class ExtractionError(Exception):
    """The page could not be parsed or holds no main text."""


def extract(raw: RawDocument, config: ExtractConfig) -> Document:
    if raw.format == "html":
        return extract_html(raw, config)
    return extract_text(raw)


def extract_text(raw: RawDocument) -> Document:
    doc = Document(id=raw.id, source=raw.source, format="text", encoding=raw.encoding,
                   title=raw.title, metadata=Metadata(url=raw.url, site=_host(raw.url)))
    doc.paragraphs = [Paragraph(original=p) for p in split_paragraphs(raw.content)]
    return doc


def split_paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line, or per block when the text is hard-wrapped.

    >>> split_paragraphs("Title\\n\\nFirst line.\\nSecond line.\\n")
    ['Title', 'First line.', 'Second line.']
    >>> wrapped = "\\n".join(["word " * 12] * 3) + "\\n\\n" + "\\n".join(["more " * 12] * 2)
    >>> [len(p.split()) for p in split_paragraphs(wrapped)]
    [36, 24]
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b.split("\n") for b in re.split(r"\n[ \t]*\n", text)]
    blocks = [[line for line in b if line.strip()] for b in blocks]
    blocks = [b for b in blocks if b]
    if _is_hard_wrapped(blocks):
        return [" ".join(line.strip() for line in b) for b in blocks]
    return [line for b in blocks for line in b]


def _is_hard_wrapped(blocks: list[list[str]]) -> bool:
    """Wrapped text: most lines sit in multi-line blocks and break near one fixed width."""
    lines = [line.rstrip() for b in blocks for line in b]
    if len(lines) < 4:
        return False
    in_multi = sum(len(b) for b in blocks if len(b) > 1)
    if in_multi < 0.6 * len(lines):
        return False
    widths = sorted(len(line) for line in lines)
    width = widths[int(len(widths) * 0.9)]
    if width > 100:
        return False
    # Inside a block every line but the last should run close to the wrap width.
    inner = [len(line.rstrip()) for b in blocks if len(b) > 1 for line in b[:-1]]
    return sum(w >= 0.6 * width for w in inner) >= 0.8 * len(inner)


def extract_html(raw: RawDocument, config: ExtractConfig) -> Document:
    html = _flatten_deep_markup(raw.content, config.max_html_depth)
    try:
        result = trafilatura.bare_extraction(
            html, url=raw.url, include_comments=False, include_tables=config.include_tables,
            favor_precision=config.favor_precision, deduplicate=False, with_metadata=True,
            include_formatting=True, output_format="python")
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
        raise ExtractionError(f"HTML could not be parsed: {type(exc).__name__}: {exc}") from None
    if result is None or not (result.text or "").strip():
        raise ExtractionError("no main text found in the HTML")
    doc = Document(id=raw.id, source=raw.source, format="html", encoding=raw.encoding,
                   title=raw.title or result.title or None,
                   metadata=Metadata(url=raw.url or result.url, date=result.date,
                                     author=result.author,
                                     site=result.sitename or _host(raw.url or result.url)))
    for line in result.text.split("\n"):
        if not line.strip():
            continue
        heading = bool(_HEADING_LINE.match(line))
        text = _HEADING_LINE.sub("", line)
        text = _LIST_LINE.sub("", text) if not heading else text
        text = text.replace("**", "")
        if text.strip():
            doc.paragraphs.append(Paragraph(original=text, heading=heading))
    return doc


def _flatten_deep_markup(html: str, max_depth: int) -> str:
    """Drop tags nested deeper than `max_depth`, keeping their text.

    lxml gives up on trees thousands of levels deep; news pages are never that deep,
    so such markup is hostile or broken and its structure is worth nothing.
    """
    if html.count("<") < max_depth:
        return html
    depth = 0
    out: list[str] = []
    last = 0
    for m in _TAG.finditer(html):
        closing, name, selfclose = m.group(1), m.group(2).lower(), m.group(3)
        out.append(html[last:m.start()])
        last = m.end()
        if name in _VOID or selfclose:
            keep = depth < max_depth
        elif closing:
            keep = depth <= max_depth
            depth = max(0, depth - 1)
        else:
            depth += 1
            keep = depth <= max_depth
        if keep:
            out.append(m.group(0))
    out.append(html[last:])
    return "".join(out)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None
