"""The stories stage's candidate budget: past it the stage looks for nothing, says so, and
the run goes on; within it the stories are the same."""
from __future__ import annotations

import json

from click.testing import CliRunner

from cleaner.cli import main
from conftest import SEEDS


def run(tmp_path, name: str, *config_lines: str):
    out = tmp_path / name
    args = ["run", str(SEEDS), "-o", str(out), "-w", "1"]
    if config_lines:
        config = tmp_path / f"{name}.toml"
        config.write_text("[stories]\n" + "\n".join(config_lines) + "\n", encoding="utf-8")
        args += ["--config", str(config)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    counts = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]
    stories = (out / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    return result.output, counts, stories


def test_over_the_budget_the_stage_is_skipped_and_the_run_says_so(tmp_path):
    output, counts, stories = run(tmp_path, "tight", "max_candidate_pairs = 1")
    assert stories == []
    assert "more than 1 pairs of documents sharing a rare name among 5 documents" in counts["stories_skipped"]
    assert "stories: not looked for" in output and "stories.max_candidate_pairs" in output
    report = (tmp_path / "tight" / "report.html").read_text(encoding="utf-8")
    assert "not looked for: more than 1 pairs of documents" in report


def test_within_the_budget_the_stories_are_found(tmp_path):
    output, counts, stories = run(tmp_path, "default")
    assert "stories_skipped" not in counts and "not looked for" not in output
    assert "not looked for" not in (tmp_path / "default" / "report.html").read_text(encoding="utf-8")
    assert len(stories) == 1
    members = {m["doc"][:3] for m in json.loads(stories[0])["members"]}
    assert {"000", "001", "003"} <= members and "004" not in members


def test_candidates_are_the_pairs_sharing_enough_rare_items_whatever_the_passes(monkeypatch):
    import numpy as np

    from cleaner.stories import Rarity, candidates
    from cleaner.stories.evidence import NAME, Evidence

    rng = np.random.default_rng(5)
    names = rng.choice(np.arange(1, 400, dtype=np.uint64), size=(60, 12))
    evidence = []
    for row in names:
        keys = np.unique(row)
        evidence.append(Evidence.of(keys=keys, kinds=np.full(keys.size, NAME, np.uint8),
                                 lead=np.zeros(keys.size, np.bool_), headline=np.zeros(keys.size, np.bool_),
                                 figure=np.zeros(keys.size, np.bool_), day=None, site=None))
    rarity = Rarity.count(ev.keys for ev in evidence)
    sets = [set(s.tolist()) for s in candidates.candidate_sets(evidence, rarity, 24, 5)]
    expected = [(i, j) for i in range(60) for j in range(i + 1, 60) if len(sets[i] & sets[j]) >= 2]
    assert expected  # the case has pairs to find
    assert list(candidates.candidate_pairs(evidence, rarity, 24, 2, 5)) == expected
    monkeypatch.setattr(candidates, "PASS_PAIRS", 7)
    assert list(candidates.candidate_pairs(evidence, rarity, 24, 2, 5)) == expected
