"""The stories stage's candidate budget: past it only the names shared by the fewest
documents pair documents, and the run says so; when even those are too many the stage looks
for nothing, says so, and the run goes on; within it the stories are the same."""
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


def test_past_the_budget_the_rarer_names_still_pair_documents(tmp_path):
    output, counts, stories = run(tmp_path, "limited", "max_candidate_pairs = 40")
    assert "stories_skipped" not in counts
    assert "names and figures shared by more than 3 documents paired none" in counts["stories_limited"]
    assert "looked for among rarer names only" in output
    assert "looked for among rarer names only" in (tmp_path / "limited" / "report.html").read_text(encoding="utf-8")
    assert len(stories) == 1
    members = {m["doc"][:3] for m in json.loads(stories[0])["members"]}
    assert {"000", "001", "003"} <= members and "004" not in members


def test_within_the_budget_the_stories_are_found(tmp_path):
    output, counts, stories = run(tmp_path, "default")
    assert "stories_skipped" not in counts and "not looked for" not in output
    assert "stories_limited" not in counts and "rarer names only" not in output
    assert "not looked for" not in (tmp_path / "default" / "report.html").read_text(encoding="utf-8")
    assert len(stories) == 1
    members = {m["doc"][:3] for m in json.loads(stories[0])["members"]}
    assert {"000", "001", "003"} <= members and "004" not in members


def random_names(seed: int, documents: int, vocabulary: int):
    """Evidence of `documents` documents of 12 names each, drawn from `vocabulary`, and its rarity."""
    import numpy as np

    from cleaner.stories import Rarity
    from cleaner.stories.evidence import NAME, Evidence

    rng = np.random.default_rng(seed)
    evidence = []
    for row in rng.choice(np.arange(1, vocabulary, dtype=np.uint64), size=(documents, 12)):
        keys = np.unique(row)
        evidence.append(Evidence.of(keys=keys, kinds=np.full(keys.size, NAME, np.uint8),
                                    lead=np.zeros(keys.size, np.bool_), headline=np.zeros(keys.size, np.bool_),
                                    figure=np.zeros(keys.size, np.bool_), day=None, site=None))
    return evidence, Rarity.count(ev.keys for ev in evidence)


def test_candidates_are_the_pairs_sharing_enough_rare_items_whatever_the_passes(monkeypatch):
    from cleaner.stories import candidates

    evidence, rarity = random_names(seed=5, documents=60, vocabulary=400)
    sets = [set(s.tolist()) for s in candidates.candidate_sets(evidence, rarity, 24, 5)]
    expected = [(i, j) for i in range(60) for j in range(i + 1, 60) if len(sets[i] & sets[j]) >= 2]
    assert expected  # the case has pairs to find
    assert list(candidates.candidate_pairs(evidence, rarity, 24, 2, 5)) == expected
    monkeypatch.setattr(candidates, "PASS_PAIRS", 7)
    assert list(candidates.candidate_pairs(evidence, rarity, 24, 2, 5)) == expected


def test_past_the_budget_the_pairs_are_those_of_the_items_shared_by_few():
    from cleaner.stories import candidates

    evidence, rarity = random_names(seed=7, documents=80, vocabulary=200)
    sets = [set(s.tolist()) for s in candidates.candidate_sets(evidence, rarity, 24, 20)]
    sharing: dict[int, int] = {}
    for s in sets:
        for key in s:
            sharing[key] = sharing.get(key, 0) + 1
    pairs_by_size = {m: sum(1 for n in sharing.values() if n == m) * m * (m - 1) // 2 for m in set(sharing.values())}
    budget = sum(pairs_by_size[m] for m in sorted(pairs_by_size) if m <= 4)  # fits the items of 2-4 documents
    notes = []
    found = list(candidates.candidate_pairs(evidence, rarity, 24, 2, 20, budget, notes.append))
    few = [{k for k in s if sharing[k] <= 4} for s in sets]
    expected = [(i, j) for i in range(80) for j in range(i + 1, 80) if len(few[i] & few[j]) >= 2]
    assert expected and found == expected
    assert len(notes) == 1 and "shared by more than 4 documents paired none" in notes[0]
    assert max(sharing.values()) > 4  # the budget did leave items out
