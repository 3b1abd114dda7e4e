import dataclasses
import re

import pytest

from cleaner import Config


def test_defaults_are_frozen():
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.workers = 3  # type: ignore[misc]


def test_toml_then_overrides(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('workers = 2\n[dedup]\nthreshold = 0.9\nrepresentative = "longest"\n'
                    '[boilerplate]\ndisabled_rules = ["caption"]\n')
    config = Config.load(toml, {"dedup.threshold": 0.5, "ingest.text_field": "body"})
    assert config.workers == 2
    assert config.dedup.threshold == 0.5  # the flag wins over the file
    assert config.dedup.representative == "longest"
    assert config.boilerplate.disabled_rules == ("caption",)
    assert config.ingest.text_field == "body"


def test_none_override_keeps_value():
    assert Config().with_overrides({"dedup.threshold": None}).dedup.threshold == Config().dedup.threshold


@pytest.mark.parametrize("bad", [{"nope": 1}, {"dedup.nope": 1}, {"dedup.threshold": "high"},
                                 {"dedup.enabled": "yes"}, {"dedup": 3}])
def test_bad_keys_and_types_are_rejected(bad):
    with pytest.raises(ValueError):
        Config().with_overrides(bad)


def test_int_is_accepted_for_float():
    assert Config().with_overrides({"dedup.threshold": 1}).dedup.threshold == 1.0


def test_round_trips_through_dict():
    d = Config().to_dict()
    assert d["dedup"]["num_perm"] == Config().dedup.num_perm
    assert Config().with_overrides(d) == Config()


def test_sections_may_be_plain_dicts():
    config = Config(boilerplate={"disabled_rules": ["caption"]}, dedup={"threshold": 1, "num-perm": 64})
    assert config.boilerplate.disabled_rules == ("caption",)
    assert config.dedup.threshold == 1.0 and config.dedup.num_perm == 64
    assert config == Config().with_overrides({"boilerplate.disabled_rules": ["caption"], "dedup.threshold": 1.0,
                                              "dedup.num_perm": 64})


@pytest.mark.parametrize("kwargs, field", [
    ({"boilerplate": {"disabled_rule": ["caption"]}}, "boilerplate.disabled_rule"),
    ({"boilerplate": ["caption"]}, "boilerplate"),
    ({"boilerplate": {"disabled_rules": [3]}}, "boilerplate.disabled_rules"),
    ({"workers": "2"}, "workers"),
    ({"workers": True}, "workers"),
    ({"dedup": {"threshold": "high"}}, "dedup.threshold"),
    ({"dedup": {"enabled": 1}}, "dedup.enabled"),
    ({"ingest": {"text_field": None}}, "ingest.text_field"),
])
def test_a_wrong_type_fails_when_built_naming_the_field(kwargs, field):
    from cleaner.config import ConfigError
    with pytest.raises(TypeError, match=re.escape(repr(field))) as caught:
        Config(**kwargs)
    assert isinstance(caught.value, ConfigError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize("kwargs, field", [
    ({"engine": "spark"}, "engine"), ({"workers": -1}, "workers"),
    ({"dedup": {"representative": "newest"}}, "dedup.representative"),
    ({"dedup": {"threshold": 1.5}}, "dedup.threshold"),
])
def test_a_wrong_value_fails_when_built_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=re.escape(repr(field))):
        Config(**kwargs)


def test_a_config_of_dicts_runs(tmp_path, seeds_dir):
    from cleaner import run
    result = run([seeds_dir], out=tmp_path / "out", config=Config(workers=1, boilerplate={"disabled_rules": ["caption"]}))
    assert result.summary["documents"] == 5 and "caption" not in result.summary["removed_by_reason"]
