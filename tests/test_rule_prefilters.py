"""The rules' prefilters (boilerplate/prefilter.py) are necessary conditions: a rule never
matches a line its prefilter turns away, so `matching_rule` names exactly what the rules,
tried one by one, would name."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from cleaner.boilerplate.features import squeeze, visible
from cleaner.boilerplate.prefilter import _is_word, derive, fold, line_key
from cleaner.boilerplate.rules import DIGIT, ORDERED, PREFILTERS, RULES, matching_rule

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
CALLS = [(name, call) for name, fn in RULES.items() for call in fn.needs]


def admitted(name: str, text: str) -> bool:
    low = fold(text)
    return PREFILTERS[name].admits(line_key(low), low, DIGIT.search(text) is not None)


@lru_cache(maxsize=1)
def dev_lines() -> list[str]:
    """Every distinct line of the development sets' full-page texts, as the rules see it."""
    files = sorted(EVAL.glob("peer-dev/text/*.txt")) + sorted(EVAL.glob("articles-dev/text/*"))
    lines = {visible(squeeze(line)) for f in files for line in f.read_text("utf-8", "replace").splitlines()}
    return sorted(lines - {""})


def test_every_rule_has_a_prefilter():
    """No rule falls back to running on every line (each needs some key or piece)."""
    assert set(PREFILTERS) == set(RULES)
    assert all(p is not None and (p.keys or p.literals) for p in PREFILTERS.values())


@pytest.mark.skipif(not (EVAL / "peer-dev" / "text").is_dir(), reason="needs the development sets")
def test_prefilters_admit_every_dev_line_a_rule_matches():
    """Over the ~65k distinct lines of peer-dev and articles-dev: whenever a rule matches, one
    of its `needs` calls matches and its prefilter admits the line."""
    lines = dev_lines()
    assert len(lines) > 40_000
    matched = 0
    for text in lines:
        for name, fn in RULES.items():
            if fn.__wrapped__(text):
                matched += 1
                assert any(call(text) for call in fn.needs), (name, text)
                assert admitted(name, text), (name, text)
    assert matched > 5_000  # the rules really ran


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.sampled_from(CALLS).flatmap(lambda nc: st.tuples(st.just(nc), st.from_regex(nc[1].__self__))))
def test_prefilters_admit_strings_generated_from_the_patterns(case):
    """Strings made to match each pattern behind a rule (hypothesis varies case, spacing and
    the characters of every class) pass the prefilter derived from that pattern alone."""
    (name, call), text = case
    assume(call(text))
    low = fold(text)
    assert derive([call]).admits(line_key(low), low, DIGIT.search(text) is not None), (name, text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_matching_rule_is_the_first_rule_that_matches(text):
    plain = next((name for name, fn in ORDERED if fn(text)), None)
    if len(text) > 600 or text.count(" ") > 75:
        plain = None
    assert matching_rule(text) == plain


def _code_points() -> str:
    return "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)


def test_fold_keeps_each_character_and_its_class():
    """Keys are read off the folded line: folding maps every character to one character of
    the same class (`\\w`, `\\d`, other), as `_is_word` and the digit key assume."""
    word, digit = re.compile(r"\w"), re.compile(r"\d")
    for c in _code_points():
        f = fold(c)
        assert len(f) == 1, hex(ord(c))
        assert _is_word(c) == _is_word(f) == bool(word.match(c)), hex(ord(c))
        assert f.isdecimal() == c.isdecimal() == bool(digit.match(c)), hex(ord(c))


def test_every_character_ignorecase_matches_folds_to_the_pattern_character():
    """A pattern character matches (under IGNORECASE) only characters that fold to it, so a
    line a pattern matches holds the folded piece."""
    chars = {c for p in PREFILTERS.values() for s in (*p.keys, *p.literals) for c in s} - {"#"}
    everything = _code_points()
    for c in sorted(chars):
        for m in re.finditer(re.escape(c), everything, re.IGNORECASE):
            assert fold(m.group()) == c, (c, hex(ord(m.group())))
