"""The `clean` command: a thin layer over `cleaner.run`.

Exit codes: 0 every input was fine; 1 the run finished but needs a look (failed inputs,
skipped records, no documents) or a worker died; 2 usage error (bad option, bad config
file, an input path that does not exist, an output folder that is not cleaner's);
130 interrupted by Ctrl-C (SIGINT), 143 stopped by SIGTERM.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import sys
import time
from pathlib import Path

import click

from . import views
from .config import Config
from .engine.local import WorkerDied
from .ingest import unmatched
from .interrupts import Stopped, quiet_teardown
from .pipeline import run as run_pipeline
from .parquet import ParquetUnavailable
from .stories.semantic import SemanticUnavailable
from .report import plural
from .write import EmptyRun, NotAnOutputFolder, OutputLocked

EXIT_CODES = """\b
Exit codes:
  0  every input was cleaned (or skipped as empty)
  1  some inputs failed or records were skipped (the outputs were still written),
     the inputs held no documents, or a worker process died (nothing was written)
  2  usage error: bad option or config file, an input path that does not exist,
     an output folder that is busy, unusable, or not a cleaner output folder
  130  interrupted (Ctrl-C): the previous output is left as it was
  143  stopped by SIGTERM: the previous output is left as it was"""


@click.group(epilog=EXIT_CODES)
@click.version_option(package_name="cleaner")
def main() -> None:
    """Clean scraped news into a de-duplicated corpus, and show the work."""


@main.command(epilog=EXIT_CODES)
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--out", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Output folder.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="TOML config file; CLI flags override it.")
@click.option("-w", "--workers", type=click.IntRange(min=0), help="Worker processes (0 = one per core).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0, min_open=True),
              help="Similarity from which documents are near-duplicates: containment of the shorter in the longer (dedup.measure = \"jaccard\" for plain Jaccard).")
@click.option("--num-perm", type=click.IntRange(min=16), help="MinHash permutations.")
@click.option("--drop-duplicates/--keep-duplicates", default=None,
              help="Leave non-representative duplicates out of corpus.jsonl (they stay in the manifest and report).")
@click.option("--drop-repeated-passages/--keep-repeated-passages", default=None,
              help="Drop passages already seen in an earlier document.")
@click.option("--representative", type=click.Choice(["earliest", "longest", "most-complete"]),
              help="Which member of a duplicate cluster is kept as its representative.")
@click.option("--index", help="Persistent index of earlier runs (their duplicates and stories): a file path or "
                               "redis://host:port/db.")
@click.option("--no-dedup", is_flag=True, default=False, help="Skip duplicate detection.")
@click.option("--text-field", help="JSONL field holding plain text.")
@click.option("--html-field", help="JSONL field holding HTML.")
@click.option("--id-field", help="JSONL field holding the document id.")
@click.option("--format", "formats", metavar="jsonl,parquet",
              help="Corpus format(s), comma-separated: jsonl (corpus.jsonl, the default), parquet "
                   "(corpus.parquet and duplicates.parquet; needs pip install 'cleaner[parquet]'), or both.")
@click.option("--engine", type=click.Choice(["local", "dask"]), help="Execution engine.")
@click.option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786.")
@click.option("--allow-empty", is_flag=True,
              help="Write the output even when the inputs hold no documents, replacing a previous run's.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
def run(paths, out, config_file, workers, threshold, num_perm, drop_duplicates, drop_repeated_passages,
        representative, index, no_dedup, text_field, html_field, id_field, formats, engine, scheduler, allow_empty,
        quiet):
    """Clean PATHS (files, folders or globs) and write the corpus to OUT.

    OUT is cleaner's: a run replaces what the previous run wrote there, and refuses a
    folder that holds other files.
    """
    overrides = {
        "workers": workers, "engine": engine, "scheduler": scheduler,
        "dedup.threshold": threshold, "dedup.num_perm": num_perm,
        "dedup.drop_duplicates": drop_duplicates, "dedup.drop_repeated_passages": drop_repeated_passages,
        "dedup.representative": representative, "dedup.index": index,
        "dedup.enabled": False if no_dedup else None,
        "ingest.text_field": text_field, "ingest.html_field": html_field, "ingest.id_field": id_field,
        "output.formats": tuple(f.strip().lower() for f in formats.split(",") if f.strip()) if formats else None,
    }
    try:
        config = Config.load(config_file, overrides)
    except (ValueError, OSError) as exc:
        raise click.UsageError(f"bad config: {exc}") from None
    missing = unmatched(paths)
    if missing:
        raise click.UsageError("; ".join(f"{path}: {why}" for path, why in missing)
                               + f" (nothing was run; {out} was not touched)")
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.UsageError(f"cannot use {out!r} as the output folder: {exc.strerror or exc}") from None
    started = time.monotonic()
    previous_handlers = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            with _progress(quiet) as progress:
                result = run_pipeline(paths, out=out, config=config, progress=progress, keep_documents=False,
                                      replace_with_empty=allow_empty)
        except (OutputLocked, NotAnOutputFolder, ParquetUnavailable, SemanticUnavailable) as exc:
            raise click.UsageError(str(exc)) from None
        except EmptyRun as exc:
            click.echo(f"error: {exc}; check the input paths, or pass --allow-empty to write an empty output",
                       err=True)
            sys.exit(1)
        except WorkerDied as exc:
            click.echo(f"error: {exc}; nothing was written: {out} keeps its last complete run", err=True)
            sys.exit(1)
        _print_summary(result, time.monotonic() - started)
    except KeyboardInterrupt as exc:  # the handler stays until the end: a late signal is still this
        signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
        what = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
        click.echo(f"{what}: unfinished output discarded; {out} keeps its last complete run", err=True)
        # Everything of the run is closed by now (outputs, workers, a Dask cluster): end
        # here, without the exit hooks of libraries that would wait on what was stopped.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signum)
    finally:
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)
    code = result.exit_code or (0 if result.summary["documents"] or allow_empty else 1)
    # The process ends here: interpreter shutdown would walk every live object in a
    # garbage collection first (65-90 ms after 10k documents); frozen, they are left to the OS.
    gc.freeze()
    sys.exit(code)


VIEW_EXIT = """\b
Exit codes:
  0  shown
  1  the output folder or the document was not found"""

_out_option = click.option("-o", "--out", default="output", show_default=True,
                           type=click.Path(file_okay=False), help="Output folder of a finished run.")
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead.")
_color_option = click.option("--color/--no-color", default=None,
                             help="Colour the output (default: only when writing to a terminal).")


def _show(lines: list[str], data, as_json: bool, color: bool | None) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(lines), color=color)


def _view(fn, *args):
    try:
        return fn(*args)
    except views.ViewError as exc:
        raise click.ClickException(str(exc)) from None


@main.command(epilog=VIEW_EXIT)
@click.argument("doc_id", metavar="ID")
@_out_option
@_json_option
@_color_option
def diff(doc_id, out, as_json, color):
    """Show document ID as a diff: removed paragraphs with their reason, repairs before/after.

    Pipe to `less -R` with --color to page with colours.
    """
    doc = _view(views.document, out, doc_id)
    _show([] if as_json else views.format_diff(doc), doc, as_json, color)


@main.command(epilog=VIEW_EXIT)
@_out_option
@click.option("--level", type=click.Choice(["document", "passage"]), help="Only clusters of this level.")
@_json_option
@_color_option
def dups(out, level, as_json, color):
    """List the duplicate clusters of a run."""
    items = _view(views.clusters, out, level)
    _show([] if as_json else views.format_clusters(items), items, as_json, color)


@main.command(epilog=VIEW_EXIT)
@_out_option
@_json_option
@_color_option
def stories(out, as_json, color):
    """List the stories of a run: documents that report one event, and why."""
    items = _view(views.stories, out)
    _show([] if as_json else views.format_stories(items), items, as_json, color)


@main.command(epilog=VIEW_EXIT)
@_out_option
@_json_option
@_color_option
def stats(out, as_json, color):
    """Show the summary figures of a run."""
    s = _view(views.stats, out)
    _show([] if as_json else views.format_stats(s), s, as_json, color)
def _interrupt(signum, frame):
    """Ctrl-C and SIGTERM stop the run: its staged output is removed, its workers ended,
    and the errors of the work they cut off are not reported."""
    quiet_teardown()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


class _progress:
    """A rich progress display on stderr, shown only on a terminal."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), transient=True, console=_stderr_console())
        self.bar.start()
        self.tasks: dict[str, int] = {}
        return self.update

    def update(self, phase: str, done: int, total: int | None) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.bar.add_task(phase, total=total)
        self.bar.update(self.tasks[phase], completed=done, total=total)

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()
        return False


def _stderr_console():
    from rich.console import Console
    return Console(stderr=True)


def _print_summary(result, seconds: float) -> None:
    s = result.summary
    click.echo(f"cleaned {plural(s['documents'], 'document')} from {plural(s['inputs'], 'input')} in {seconds:.1f}s")
    titles = s.get("titles", s["paragraphs"] - s["kept"] - s["removed"])
    titled = f", {plural(titles, 'title')}" if titles else ""
    click.echo(f"  paragraphs: {s['kept']} kept, {s['removed']} removed{titled}; {s['repaired']} repaired")
    for reason, n in s["removed_by_reason"].items():
        click.echo(f"    {reason:<24} {n}")
    clusters = s["duplicate_clusters"]
    moot = s.get("passage_clusters_only_removed", 0)
    click.echo(f"  duplicates: {plural(s['duplicates'], 'document')} flagged; "
               f"{plural(clusters.get('document', 0), 'document cluster')}, "
               f"{plural(clusters.get('passage', 0), 'passage cluster')}"
               + (f" ({moot} only among lines removed anyway)" if moot else ""))
    if s.get("stories_skipped"):
        click.echo(f"  stories: not looked for: {s['stories_skipped']}; raise it to look (docs/stories.md)")
    if s.get("stories_limited"):
        click.echo(f"  stories: looked for among rarer names only: {s['stories_limited']} (docs/stories.md)")
    for line in problem_lines(s, result.inputs, result.out):
        click.echo(line)
    click.echo(f"  output: {result.out}/")
    if not s["documents"]:
        click.echo(f"warning: the inputs held no documents; {result.out} holds an empty run", err=True)


def problem_lines(summary: dict, inputs, out, limit: int = 10) -> list[str]:
    """What went wrong, for the terminal: failed and skipped inputs, skipped records and
    renamed ids, each counted, a few shown, and where to find them all."""
    failed = [f for f in inputs if f.status.value == "failed"]
    problems = [(f.path, p) for f in inputs for p in f.problems]
    lines = []
    if failed or summary.get("skipped"):
        lines.append(f"  inputs: {summary.get('failed', len(failed))} failed, {summary.get('skipped', 0)} skipped "
                     f"(all in {out}/manifest.json, `inputs`)")
        lines += [f"    {f.path}: {f.error}" for f in failed[:limit]]
    skipped = summary.get("records_skipped", sum(f.skipped_records for f in inputs))
    if problems:
        noted = len(problems) - skipped
        lines.append(f"  records: {plural(skipped, 'record')} skipped"
                     + (f", {plural(noted, 'note')} on records kept" if noted else "")
                     + f" (all in {out}/manifest.json, `inputs[].problems`, and the report)")
        lines += [f"    {path}: {problem}" for path, problem in problems[:limit]]
        if len(problems) > limit:
            lines.append(f"    ... and {len(problems) - limit} more")
    renamed = summary.get("renamed") or 0
    if renamed:
        lines.append(f"  ids: {plural(renamed, 'document')} written under another file name "
                     f"(repeated or unsafe ids; {out}/manifest.json, `renamed`)")
    return lines


if __name__ == "__main__":
    main()
