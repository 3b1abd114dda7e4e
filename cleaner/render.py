"""What one document becomes in the outputs, rendered where the document is cleaned.

Rendering (the corpus.jsonl line, the clean/ text, the report page and table row) costs
more than cleaning a short document, and the write pass runs in one process.  So each
worker renders its documents as if no corpus-wide decision touched them, which is true
of most documents (no duplicate, no repeated passage, no template line), and the write
pass only copies those renderings into place; the few documents a corpus decision
changes are rendered again there (see `pipeline._write`).  Both use `render`, so a
rendering never depends on where it was made.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Document
from .report import paragraph_counts, render_document_page, row_fields
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
        return cls(len(doc.paragraphs), kept, tuple(reasons), repaired, steps, doc.encoding or "unknown",
                   bool(doc.duplicate_of))


@dataclass(frozen=True)
class Rendered:
    """Everything the write pass needs of one document, as text."""

    id: str
    duplicate_of: str | None
    record: str  # its corpus.jsonl line, without the newline
    clean: str  # its clean/ file
    page: str  # its report page
    row: tuple  # its documents-table row, less position and links (`report.row_fields`)
    tally: Tally


def render(doc: Document, doc_href: Callable[[str], str] | None = None) -> Rendered:
    """Render `doc`; `doc_href` links to other documents' pages (duplicate_of, passages)."""
    texts = json_texts(doc)
    return Rendered(doc.id, doc.duplicate_of, record_line(doc, texts), clean_text(doc),
                    render_document_page(doc, doc_href=doc_href, texts=texts), row_fields(doc), Tally.of(doc))
