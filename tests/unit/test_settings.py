"""Settings: defaults with sources, JSON round trip, tolerant loading, validation."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from stridewise.errors import UsageError
from stridewise.schema import TRAINING_AREAS
from stridewise.settings import (
    DEFAULT_SETTINGS,
    DEFAULT_TARGETS,
    RISK_SOURCES,
    TARGET_SOURCES,
    AthleteProfile,
    RiskSettings,
    Settings,
)


def test_defaults_and_cited_sources():
    r = DEFAULT_SETTINGS.risk
    assert (r.acwr_low, r.acwr_high, r.acwr_very_high) == (0.8, 1.3, 1.5)
    assert r.monotony_high == 2.0 and r.run_km_increase_pct == 30.0
    assert (r.spike_small, r.spike_moderate, r.spike_large) == (10, 30, 100)
    assert set(RISK_SOURCES) == {f.name for f in fields(RiskSettings)}
    assert "Gabbett" in RISK_SOURCES["acwr_very_high"]
    assert "Foster" in RISK_SOURCES["monotony_high"]
    assert "Nielsen" in RISK_SOURCES["run_km_increase_pct"]
    assert "Frandsen" in RISK_SOURCES["spike_large"]
    assert set(DEFAULT_TARGETS) == set(TRAINING_AREAS) == set(TARGET_SOURCES)
    assert DEFAULT_TARGETS["strength"] == 2 and DEFAULT_TARGETS["plyometrics"] == 1


def test_round_trip_through_json():
    s = Settings(targets={**DEFAULT_TARGETS, "strength": 3.0},
                 risk=RiskSettings(acwr_high=1.25, acwr_metric="ewma", days_without_area=10),
                 units="mi", week_start="sunday", tz="Europe/Berlin")
    again = Settings.from_dict(json.loads(json.dumps(s.to_dict())))
    assert again == s


def test_missing_and_unknown_keys_are_tolerated():
    s = Settings.from_dict({"risk": {"monotony_high": 2.5, "future_knob": 1},
                            "targets": {"strength": 1, "juggling": 4}, "colour": "red"})
    assert s.risk.monotony_high == 2.5 and s.risk.acwr_high == 1.3
    assert s.targets["strength"] == 1.0 and "juggling" not in s.targets
    assert Settings.from_dict(None) == DEFAULT_SETTINGS
    assert Settings.from_dict({}) == DEFAULT_SETTINGS


@pytest.mark.parametrize("bad", [
    {"units": "furlongs"},
    {"week_start": "friday"},
    {"targets": {"strength": "lots"}},
    {"targets": {"strength": -1}},
    {"risk": {"acwr_high": 2.0}},  # above very high
    {"risk": {"spike_small": 50}},
    {"risk": {"acwr_metric": "median"}},
    {"risk": {"coverage_floor": 140}},
])
def test_bad_values_raise_one_sentence(bad):
    with pytest.raises(UsageError) as exc:
        Settings.from_dict(bad)
    assert exc.value.message.endswith(".")


def test_athlete_profile_hr_reserve():
    assert AthleteProfile(190, 50).has_hr_reserve
    assert not AthleteProfile(190, None).has_hr_reserve
    assert not AthleteProfile(50, 190).has_hr_reserve


def test_settings_are_hashable_for_caches():
    a = Settings.from_dict({"risk": {"acwr_high": 1.25}})
    b = Settings.from_dict({"risk": {"acwr_high": 1.25}})
    assert hash(a) == hash(b) and a == b
    assert hash(a) != hash(DEFAULT_SETTINGS)
