"""Mistakes a user makes at the terminal: each gets a clear message and an exit code, and a
good previous output is never harmed by them."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from conftest import SEEDS, snapshot, write


def clean(*args: str):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


@pytest.fixture
def previous(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding a good run of the seeds, and its files."""
    out = tmp_path / "out"
    result = clean("run", SEEDS, "-o", out, "-w", "1", "-q")
    assert result.exit_code == 0, result.output
    return out, snapshot(out)


def test_a_mistyped_path_is_a_usage_error_and_touches_nothing(previous, tmp_path):
    out, before = previous
    result = clean("run", tmp_path / "seedz", "-o", out, "-w", "1")
    assert result.exit_code == 2
    assert "seedz: no such file or directory" in result.output and "was not touched" in result.output
    assert snapshot(out) == before
    fresh = tmp_path / "fresh"
    assert clean("run", SEEDS, tmp_path / "nope*.txt", "-o", fresh).exit_code == 2
    assert not fresh.exists()  # not even made


def test_an_empty_input_folder_does_not_replace_a_run(previous, tmp_path):
    out, before = previous
    (tmp_path / "empty").mkdir()
    result = clean("run", tmp_path / "empty", "-o", out, "-w", "1")
    assert result.exit_code == 1
    assert "held no documents" in result.output and "keeps its previous run (5 documents)" in result.output
    assert "--allow-empty" in result.output
    assert snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith((".staging-", ".old-"))]
    # asked for, it does; and an empty run says so, with exit 1
    result = clean("run", tmp_path / "empty", "-o", out, "-w", "1", "--allow-empty")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text())["counts"]["documents"] == 0
    result = clean("run", tmp_path / "empty", "-o", tmp_path / "new", "-w", "1")
    assert result.exit_code == 1 and "the inputs held no documents" in result.output


def test_files_of_a_user_in_clean_are_never_deleted(previous):
    out, before = previous
    mine = write(out / "clean" / "my-notes.txt", "my own notes")
    result = clean("run", SEEDS, "-o", out, "-w", "1")
    assert result.exit_code == 2
    assert "clean holds files the last run did not write (clean/my-notes.txt)" in result.output
    assert snapshot(out) == {**before, "clean/my-notes.txt": b"my own notes"}
    mine.unlink()
    assert clean("run", SEEDS, "-o", out, "-w", "1", "-q").exit_code == 0


def test_a_folder_that_is_not_an_output_is_refused(tmp_path):
    folder = tmp_path / "documents"
    write(folder / "thesis.txt", "years of work")
    write(folder / "clean" / "a.txt", "more work")
    before = snapshot(folder)
    result = clean("run", SEEDS, "-o", folder, "-w", "1")
    assert result.exit_code == 2
    assert "is not empty (clean, thesis.txt) and holds no manifest.json" in result.output
    assert snapshot(folder) == before and sorted(p.name for p in folder.iterdir()) == ["clean", "thesis.txt"]
    hidden_only = tmp_path / "hidden"
    write(hidden_only / ".DS_Store", "x")  # hidden files are not a user's outputs: the folder counts as empty
    assert clean("run", SEEDS, "-o", hidden_only, "-w", "1", "-q").exit_code == 0


def test_skipped_records_and_renamed_ids_are_told_and_exit_1(tmp_path):
    body = "The council approved the new budget on Tuesday after a long debate about schools and roads."
    shard = write(tmp_path / "in" / "shard.jsonl", "\n".join([
        json.dumps({"id": "a", "text": f"Budget passes\n{body}"}),
        json.dumps({"id": "a", "text": f"Budget passes again\n{body} Again."}),
        '{"id": "b", "text": "unterminated',
        json.dumps({"id": "c", "body": "no text field"}),
        "not json",
    ]) + "\n")
    out = tmp_path / "out"
    result = clean("run", shard, "-o", out, "-w", "1")
    assert result.exit_code == 1
    assert "records: 3 records skipped" in result.output and "manifest.json" in result.output
    assert "line 4: field 'text' or 'html' missing" in result.output
    assert "ids: 1 document written under another file name" in result.output
    stats = clean("stats", "-o", out)
    assert stats.exit_code == 0
    assert "skipped     3 records" in stats.output and "line 3: invalid JSON" in stats.output
    assert "renamed     1 ids" in stats.output and "a~2 -> clean/" in stats.output
    data = json.loads(clean("stats", "-o", out, "--json").output)
    assert data["records_skipped"] == 3 and len(data["problems"]) == 3 and list(data["renamed_ids"]) == ["a~2"]
    assert data["renamed"] == 1


def test_a_note_on_a_record_that_was_kept_is_not_a_skip(tmp_path):
    body = "The council approved the new budget on Tuesday after a long debate about schools and roads."
    shard = write(tmp_path / "in" / "shard.jsonl",
                  json.dumps({"id": "a", "text": f"Budget passes\n{body}"}) + "\n"
                  + '{"id": "b", "text": "Budget \\ud800 passes\\n' + body + '"}\n')
    result = clean("run", shard, "-o", tmp_path / "out", "-w", "1")
    assert result.exit_code == 0, result.output  # the lone surrogate was replaced: both records cleaned
    assert "records: 0 records skipped, 1 note on records kept" in result.output


def test_one_document_is_one_document(tmp_path):
    result = clean("run", SEEDS / "000_c0ac4585be19e560.txt", "-o", tmp_path / "out", "-w", "1")
    assert result.exit_code == 0 and result.output.startswith("cleaned 1 document from 1 input in ")


def test_a_config_of_the_wrong_type_is_a_usage_error_naming_the_key(previous, tmp_path):
    out, before = previous
    toml = write(tmp_path / "c.toml", '[boilerplate]\ndisabled_rules = "caption"\n[dedup]\nthreshold = "high"\n')
    result = clean("run", SEEDS, "-o", out, "--config", toml)
    assert result.exit_code == 2 and "bad config: config key 'dedup.threshold' must be a number" in result.output
    assert snapshot(out) == before


@pytest.mark.parametrize("given", ["000_c0ac4585be19e560", "000", "000_c0ac4585be19e560.txt",
                                   "clean/000_c0ac4585be19e560.txt", "SEEDS/000_c0ac4585be19e560.txt",
                                   "OUT/clean/000_c0ac4585be19e560.txt"])
def test_diff_takes_an_id_a_file_name_a_path_or_a_prefix(previous, given):
    out, _ = previous
    given = given.replace("SEEDS", str(SEEDS)).replace("OUT", str(out))
    result = clean("diff", given, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("--- 000_c0ac4585be19e560 ")


def test_diff_of_an_unknown_id_lists_the_closest(previous):
    out, _ = previous
    result = clean("diff", "000_c0ac4585be19e561", "-o", out)  # a typo in the last character
    assert result.exit_code == 1
    assert "no document '000_c0ac4585be19e561'" in result.output and "closest ids: 000_c0ac4585be19e560" in result.output
    result = clean("diff", "00", "-o", out)
    assert result.exit_code == 1 and "'00' matches 5 documents" in result.output


def test_diff_finds_renamed_and_jsonl_documents(tmp_path):
    body = "The council approved the new budget on Tuesday after a long debate about schools and roads."
    shard = write(tmp_path / "in" / "shard.jsonl", "\n".join(
        json.dumps({"id": doc_id, "text": f"Headline {n}\n{body} {n}."}) for n, doc_id in enumerate(["a/b", "x", "x"])))
    out = tmp_path / "out"
    assert clean("run", shard, "-o", out, "-w", "1", "-q").exit_code == 0
    renamed = json.loads((out / "manifest.json").read_text())["renamed"]
    for doc_id in ("a/b", "x~2"):
        result = clean("diff", out / renamed[doc_id], "-o", out)
        assert result.exit_code == 0 and result.output.startswith(f"--- {doc_id} "), result.output
    result = clean("diff", f"{shard}:3", "-o", out)  # a JSONL document's source
    assert result.exit_code == 0 and result.output.startswith("--- x~2 "), result.output


def test_a_finished_run_copied_elsewhere_is_still_an_output_folder(previous, tmp_path):
    out, _ = previous
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert clean("run", SEEDS, "-o", copy, "-w", "1", "-q").exit_code == 0
