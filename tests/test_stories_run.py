"""The stories stage inside `clean run`: evidence from the workers, the decision in the
corpus step, stories.jsonl, the `story` field of corpus.jsonl and `clean stories`."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cleaner import Config, run
from cleaner.cli import main


def test_run_writes_the_seeds_story(seeds_dir, tmp_path):
    out = tmp_path / "out"
    run([str(seeds_dir)], out, Config(workers=1))
    stories = [json.loads(line) for line in (out / "stories.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(stories) == 1
    story = stories[0]
    members = [m["doc"] for m in story["members"]]
    assert {"000", "001", "003"} <= {m[:3] for m in members} and not any(m.startswith("004") for m in members)
    assert story["story"] == members[0]
    assert story["evidence"] and story["passages"]
    for passage in story["passages"]:
        docs = [m["doc"] for m in passage["members"]]
        assert len(docs) == len(set(docs)) >= 2 and set(docs) <= set(members)
        assert all(m["text"] for m in passage["members"])
    records = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"]: r["story"] for r in records} == {r["id"]: (story["story"] if r["id"] in members else None)
                                                      for r in records}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "sha256" in manifest["outputs"]["stories.jsonl"]


def test_clean_stories_lists_them(seeds_dir, tmp_path):
    out = tmp_path / "out"
    run([str(seeds_dir)], out, Config(workers=1))
    runner = CliRunner()
    shown = runner.invoke(main, ["stories", "-o", str(out), "--no-color"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("#1 story 000_") and "001_" in shown.output
    data = json.loads(runner.invoke(main, ["stories", "-o", str(out), "--json"]).output)
    assert [s["index"] for s in data] == [0] and data[0]["members"]


def test_stage_off_writes_no_stories(seeds_dir, tmp_path):
    out = tmp_path / "out"
    run([str(seeds_dir)], out, Config(workers=1, stories={"enabled": False}))
    assert not (out / "stories.jsonl").exists()
    records = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(r["story"] is None for r in records)
    shown = CliRunner().invoke(main, ["stories", "-o", str(out)])
    assert shown.exit_code == 0 and "no stories" in shown.output


def test_pool_workers_verify_the_same_stories(seeds_dir, tmp_path, monkeypatch):
    import shutil

    import cleaner.stories as stories_module
    from test_stories import BRAND_A, BRAND_B, BRAND_OTHER

    inputs = tmp_path / "in"
    shutil.copytree(seeds_dir, inputs)
    for doc in (BRAND_A, BRAND_OTHER, BRAND_B):
        (inputs / f"brand-{doc.id}.txt").write_text("\n\n".join([doc.title, *(p.text for p in doc.paragraphs)]),
                                                    encoding="utf-8")
    monkeypatch.setattr(stories_module, "MIN_SHARED_PAIRS", 1)  # two stories: both to the workers
    monkeypatch.setattr(stories_module, "SCREEN_PAIRS", 1)  # and each candidate pair
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        run([str(inputs)], out, Config(workers=workers))
        outputs[workers] = [(out / name).read_text(encoding="utf-8") for name in ("stories.jsonl", "corpus.jsonl")]
    assert len(outputs[1][0].splitlines()) == 2
    assert outputs[2] == outputs[1]
