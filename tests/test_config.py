import dataclasses

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
