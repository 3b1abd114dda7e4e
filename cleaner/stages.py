"""The per-document stages, chained: extract, repair, boilerplate.

What a worker runs on each raw document in pass 1, and what `clean_records` runs on dicts
(no corpus-wide step: template lines repeated across a site and duplicates need `run`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from . import boilerplate
from .config import Config
from .extract import ExtractionError, extract
from .metadata import fill_metadata
from .models import Document, RawDocument
from .repair import repair_document
from .write import document_record

T = TypeVar("T")
R = TypeVar("R")


def clean_document(raw: RawDocument, config: Config) -> Document:
    """Run the per-document stages on one raw document."""
    doc = _extract_and_repair(raw, config)
    boilerplate.classify(doc, config.boilerplate)
    fill_metadata(doc)
    return doc


def _extract_and_repair(raw: RawDocument, config: Config) -> Document:
    doc = extract(raw, config.extract)
    repair_document(doc, config.repair)
    return doc


def clean_documents(raws: list[RawDocument], config: Config) -> list[Document | str]:
    """`clean_document` of each raw document, or the error that stopped it.  Stage by stage
    over the list, which makes language detection cheaper (`boilerplate.Draft`)."""
    def drafted(doc: Document) -> tuple[Document, boilerplate.Draft]:
        return doc, boilerplate.Draft.of(doc)

    def classified(drafted: tuple[Document, boilerplate.Draft]) -> Document:
        doc, draft = drafted
        boilerplate.classify(doc, config.boilerplate, draft)
        fill_metadata(doc)
        return doc

    results: list = [or_error(lambda r: _extract_and_repair(r, config), raw) for raw in raws]
    for stage in (drafted, classified):
        results = [r if isinstance(r, str) else or_error(stage, r) for r in results]
    return results


def or_error(stage: Callable[[T], R], item: T) -> R | str:
    """`stage(item)`, or the one-line error that stopped it: one bad document must never
    end the run."""
    try:
        return stage(item)
    except ExtractionError as exc:
        return str(exc)
    except RecursionError:
        return "document too deeply nested to process"
    except Exception as exc:
        return f"internal error while cleaning: {type(exc).__name__}: {exc}"


def clean_records(records: Iterable[dict], config: Config | None = None) -> Iterator[dict]:
    """Clean dicts one at a time (notebooks, `datasets.map`); per-document stages only.

    Each record needs a `text` or `html` field (names from `config.ingest`); the result is
    the corpus.jsonl record, plus `error` when the record could not be cleaned.
    """
    config = config or Config()
    fields = config.ingest
    for n, record in enumerate(records):
        html = record.get(fields.html_field)
        text = record.get(fields.text_field)
        content, fmt = (text, "text") if isinstance(text, str) else (html, "html")
        doc_id = str(record.get(fields.id_field, n))
        if not isinstance(content, str):
            yield {"id": doc_id, "error": f"field {fields.text_field!r} or {fields.html_field!r} missing"}
            continue
        raw = RawDocument(id=doc_id, source=str(record.get(fields.url_field) or doc_id), content=content,
                          format=fmt, title=record.get(fields.title_field), url=record.get(fields.url_field))
        result = or_error(lambda r: clean_document(r, config), raw)
        yield {"id": doc_id, "error": result} if isinstance(result, str) else document_record(result)
