"""Parquet twins of the JSONL outputs (corpus.parquet, duplicates.parquet), through pyarrow.

The Arrow schema is derived from the output record types in `cleaner.models`
(`CorpusRecord`, `DuplicateRecord`): nested records become structs, lists become lists,
`X | None` and `NotRequired` fields are nullable, the rest are not.  A field added to a
record type reaches the Parquet file with no change here; a field written to the JSONL
lines but missing from its record type stops the run with an error that names it.

The rows are the JSONL lines themselves, parsed by pyarrow's JSON reader against that
schema, so a Parquet row holds exactly what its JSON line holds.  Lines are gathered into
batches of about `BATCH_BYTES`; each batch becomes one row group, parsed and written in a
thread of its own while the run goes on (pyarrow releases the GIL), at most one batch
waiting behind the one being written: memory stays flat however many documents come.

pyarrow is an optional dependency (`pip install 'cleaner[parquet]'`); without it,
asking for Parquet is an error before the run starts (`check_available`).  It is imported
only when the first lines come, in the write pass: the run's workers, forked before, do
not map its 50 MB.
"""
from __future__ import annotations

import io
import types
import typing
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

BATCH_BYTES = 16 * 1024 * 1024
"""JSON lines per row group, in bytes (~3,500 documents of the synthetic news corpus)."""
COMPRESSION = "zstd"


class ParquetUnavailable(RuntimeError):
    """Parquet output was asked for and pyarrow is not installed."""


def check_available() -> None:
    """Raise `ParquetUnavailable` unless pyarrow can be imported (without importing it)."""
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        raise ParquetUnavailable("Parquet output needs pyarrow: pip install 'cleaner[parquet]'")


def require_pyarrow():
    """pyarrow, or a `ParquetUnavailable` that says how to install it."""
    try:
        import pyarrow
        import pyarrow.json  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ParquetUnavailable("Parquet output needs pyarrow: pip install 'cleaner[parquet]'") from None
    return pyarrow


def arrow_type(annotation):
    """The Arrow type of a record field's annotation: str, int, float, bool, list[...],
    a TypedDict (a struct); `X | None` is X (nullability is the field's, `schema_of`)."""
    pa = require_pyarrow()
    annotation, _ = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        inner, nullable = _unwrap(item)
        return pa.list_(pa.field("item", arrow_type(inner), nullable=nullable))
    if typing.is_typeddict(annotation):
        return pa.struct(_fields(annotation))
    scalars = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    if annotation in scalars:
        return scalars[annotation]
    raise TypeError(f"no Arrow type for {annotation!r}")


def schema_of(record_type):
    """The Arrow schema of a TypedDict record type (`CorpusRecord`, `DuplicateRecord`)."""
    pa = require_pyarrow()
    return pa.schema(_fields(record_type))


def _fields(record_type) -> list:
    pa = require_pyarrow()
    hints = typing.get_type_hints(record_type, include_extras=True)
    fields = []
    for name, annotation in hints.items():
        inner, nullable = _unwrap(annotation)
        fields.append(pa.field(name, arrow_type(inner), nullable=nullable))
    return fields


def _unwrap(annotation) -> tuple[object, bool]:
    """(the type inside NotRequired[...] and `| None`, whether None or absence is allowed)."""
    nullable = False
    if typing.get_origin(annotation) is typing.NotRequired:
        (annotation,) = typing.get_args(annotation)
        nullable = True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != len(typing.get_args(annotation)):
            nullable = True
        if len(args) == 1:
            annotation = args[0]
    return annotation, nullable


class ParquetLines:
    """JSON lines in, a Parquet file out: one row group per `batch_bytes` of lines.  pyarrow
    is imported and the file opened when the first batch is written (or at `close`)."""

    def __init__(self, path: str | Path, record_type, batch_bytes: int = BATCH_BYTES) -> None:
        check_available()
        self.path = Path(path)
        self.record_type = record_type
        self._writer = None
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._limit = batch_bytes
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="parquet")
        self._writing: Future | None = None

    def add(self, lines: bytes) -> None:
        """JSON lines, UTF-8, each ending in a newline."""
        if not lines:
            return
        self._batch.append(lines)
        self._batch_bytes += len(lines)
        if self._batch_bytes >= self._limit:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        data = b"".join(self._batch)
        self._batch, self._batch_bytes = [], 0
        if self._writing is not None:
            self._writing.result()  # one batch written at a time: memory stays bounded
        self._writing = self._thread.submit(self._write, data)

    def _open(self):
        """The file's writer, opened the first time (in the writing thread)."""
        if self._writer is None:
            pa = require_pyarrow()
            import pyarrow.json as pj
            import pyarrow.parquet as pq

            self.schema = schema_of(self.record_type)
            self._pa, self._pj = pa, pj
            self._parse = pj.ParseOptions(explicit_schema=self.schema, unexpected_field_behavior="error")
            self._writer = pq.ParquetWriter(str(self.path), self.schema, compression=COMPRESSION)
        return self._writer

    def _write(self, data: bytes) -> None:
        writer = self._open()
        options = self._pj.ReadOptions(block_size=len(data) + 1, use_threads=False)
        try:
            table = self._pj.read_json(io.BytesIO(data), read_options=options, parse_options=self._parse)
        except self._pa.ArrowInvalid as exc:
            raise ValueError(f"{self.path.name}: a JSON line does not fit its record type ({exc}); "
                             "add new fields to the record types in cleaner/models.py") from None
        writer.write_table(table.select(self.schema.names).cast(self.schema), row_group_size=len(table))

    def close(self) -> None:
        """Write what is left and finish the file (its footer; a file of no rows has one too)."""
        try:
            self._flush()
            if self._writing is not None:
                self._writing.result()
            self._open().close()
        finally:
            self._thread.shutdown()

    def abort(self) -> None:
        """Stop without finishing the file (the run is being thrown away)."""
        self._batch = []
        self._thread.shutdown(wait=True, cancel_futures=True)
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001 - the file is discarded with its staging folder
                pass
