"""What one document becomes in the outputs: its corpus.jsonl line, clean/ text, report
section, table row and tally, rendered in the write pass once the corpus decisions are
known (`write_pass.Place`, or the main process when documents are kept), so each document
is rendered once and a rendering never depends on where it was made.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Document
from .report import paragraph_counts, render_document_section, row_fields
from .write import clean_text, json_texts, record_line


@dataclass(frozen=True)
class Tally:
    """A document's contribution to the run summary and to the report's totals."""

    paragraphs: int
    kept: int
    reasons: tuple[str, ...]  # the reason of each removed paragraph
    repaired: int
    repair_steps: tuple[str, ...]  # every repair step applied, paragraph by paragraph
    encoding: str
    duplicate: bool

    @classmethod
    def of(cls, doc: Document) -> "Tally":
        kept, reasons, repaired = paragraph_counts(doc)
        steps = tuple(r.step for p in doc.paragraphs if p.repairs for r in p.repairs) if repaired else ()
        return cls(len(doc.paragraphs) + len(doc.left_out), kept, tuple(reasons), repaired, steps, doc.encoding or "unknown",
                   bool(doc.duplicate_of))


@dataclass(frozen=True)
class Rendered:
    """Everything the write pass needs of one document, as text."""

    id: str
    duplicate_of: str | None
    record: str  # its corpus.jsonl line, without the newline
    clean: str  # its clean/ file
    page: str  # its section of a report/docs/ page
    row: tuple  # its documents-table row, less position and links (`report.row_fields`)
    tally: Tally


def render(doc: Document, anchor: str, doc_href: Callable[[str], str] | None = None) -> Rendered:
    """Render `doc`, its report section named `anchor`; `doc_href` links to other documents'
    sections (duplicate_of, passages)."""
    texts = json_texts(doc)
    return Rendered(doc.id, doc.duplicate_of, record_line(doc, texts), clean_text(doc),
                    render_document_section(doc, anchor, doc_href=doc_href, texts=texts), row_fields(doc),
                    Tally.of(doc))
