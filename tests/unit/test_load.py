"""Per-session load: sRPE, estimated RPE, TRIMP and guards against absurd recorded times."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from stridewise import load
from stridewise.settings import AthleteProfile


def sessions(**cols) -> pd.DataFrame:
    n = max(len(v) for v in cols.values() if isinstance(v, list))
    base = {"athlete": ["ann"] * n, "area": ["endurance"] * n, "sport": ["run"] * n,
            "duration_s": [1800.0] * n, "moving_s": [1800.0] * n, "distance_m": [np.nan] * n,
            "avg_hr": [np.nan] * n, "rpe": [np.nan] * n}
    base.update(cols)
    return pd.DataFrame(base)


PROFILE = {"ann": AthleteProfile(hr_max=190.0, hr_rest=50.0, sex="female")}


def test_srpe_is_rpe_times_moving_minutes():
    df = sessions(rpe=[6.0], duration_s=[2400.0], moving_s=[1800.0])
    out = load.add_load(df)
    assert out["minutes"].iloc[0] == 30.0
    assert out["load"].iloc[0] == 180.0
    assert out["load_source"].iloc[0] == "rpe"
    assert out["rpe_used"].iloc[0] == 6.0
    assert "load" not in df.columns  # input untouched


def test_elapsed_time_used_when_moving_time_is_missing():
    out = load.add_load(sessions(rpe=[4.0], moving_s=[np.nan], duration_s=[3000.0]))
    assert out["load"].iloc[0] == pytest.approx(200.0)


def test_rpe_estimated_from_heart_rate_reserve():
    # HRR = (148 - 50) / (190 - 50) = 0.7: between 0.6 (RPE 5) and 0.9 (RPE 8) -> 6
    out = load.add_load(sessions(avg_hr=[148.0]), PROFILE)
    assert out["rpe_used"].iloc[0] == pytest.approx(6.0)
    assert out["load_source"].iloc[0] == "hr"
    assert out["load"].iloc[0] == pytest.approx(180.0)
    assert load.rpe_from_hrr(np.array([0.0, 0.4, 1.2])).tolist() == [1.0, 3.0, 10.0]


def test_area_default_without_rpe_or_profile_and_for_strength():
    out = load.add_load(sessions(avg_hr=[148.0, 148.0], area=["endurance", "strength"]))
    assert out["load_source"].tolist() == ["area default", "area default"]
    assert out["rpe_used"].tolist() == [load.AREA_DEFAULT_RPE["endurance"],
                                        load.AREA_DEFAULT_RPE["strength"]]
    # heart rate under-reads resistance work: strength keeps its default even with a profile
    out = load.add_load(sessions(avg_hr=[100.0], area=["strength"]), PROFILE)
    assert out["load_source"].iloc[0] == "area default"


def test_trimp_banister_average_hr_form():
    out = load.add_load(sessions(avg_hr=[148.0], athlete=["ann"]), PROFILE)
    hrr = 0.7
    assert out["trimp"].iloc[0] == pytest.approx(30 * hrr * 0.86 * math.exp(1.67 * hrr))
    men = load.add_load(sessions(avg_hr=[148.0]),
                        {"ann": AthleteProfile(190.0, 50.0, "male")})
    assert men["trimp"].iloc[0] == pytest.approx(30 * hrr * 0.64 * math.exp(1.92 * hrr))
    # TRIMP is its own column: never added to the load
    assert men["load"].iloc[0] == pytest.approx(6.0 * 30)
    assert np.isnan(load.add_load(sessions(avg_hr=[np.nan]), PROFILE)["trimp"].iloc[0])
    assert np.isnan(load.add_load(sessions(avg_hr=[148.0]))["trimp"].iloc[0])


def test_absurd_elapsed_time_does_not_poison_the_load():
    # a real Strava row: 7.7 km with 2,012,530 s elapsed and no usable moving time
    df = sessions(rpe=[5.0, 5.0], duration_s=[2_012_530.0, 2_012_530.0],
                  moving_s=[np.nan, 2700.0], distance_m=[7700.0, 7700.0])
    out = load.add_load(df)
    assert np.isnan(out["minutes"].iloc[0]) and np.isnan(out["load"].iloc[0])
    assert "implausible" in out["load_note"].iloc[0] and "7.7 km" in out["load_note"].iloc[0]
    # a plausible moving time is used, the note stays empty
    assert out["minutes"].iloc[1] == 45.0 and out["load_note"].iloc[1] == ""


def test_slow_long_recording_is_skipped_but_an_ultra_is_not():
    df = sessions(rpe=[5.0, 5.0], duration_s=[30 * 3600.0, 30 * 3600.0],
                  moving_s=[30 * 3600.0, 30 * 3600.0], distance_m=[7700.0, 160_000.0])
    out = load.add_load(df)
    assert np.isnan(out["load"].iloc[0])
    assert out["load"].iloc[1] == pytest.approx(5.0 * 1800)


def test_rpe_outside_scale_is_ignored():
    out = load.add_load(sessions(rpe=[15.0]))
    assert out["load_source"].iloc[0] == "area default"


def test_profiles_may_be_plain_dicts():
    out = load.add_load(sessions(avg_hr=[148.0]), {"ann": {"hr_max": 190, "hr_rest": 50}})
    assert out["load_source"].iloc[0] == "hr"


def test_a_ride_saved_as_a_run_adds_no_running_km():
    df = sessions(rpe=[5.0, 5.0], sport=["run", "run"], distance_m=[40000.0, 10000.0],
                  moving_s=[3600.0, 3000.0])
    out = load.add_load(df)
    assert out["run_km"].tolist() == [0.0, 10.0]
    assert "too fast for a run" in out["load_note"].iloc[0]
    assert out["load"].iloc[0] == pytest.approx(300.0)  # the session itself still counts
    rides = load.add_load(sessions(sport=["ride"], distance_m=[40000.0]))
    assert rides["run_km"].iloc[0] == 0.0 and rides["load_note"].iloc[0] == ""


def test_each_session_gets_its_own_athletes_profile_among_many():
    # interleaved athletes, one without a profile, one with HR but no sex, one female
    names = ["ann", "bob", "cat", "ann", "dan", "bob", "cat"]
    profiles = {"ann": AthleteProfile(hr_max=190.0, hr_rest=50.0, sex="female"),
                "bob": AthleteProfile(hr_max=200.0, hr_rest=60.0, sex=None),
                "cat": {"hr_max": None, "hr_rest": None, "sex": "female"}}
    df = sessions(athlete=names, avg_hr=[148.0] * 7)
    out = load.add_load(df, profiles)
    hrr = {"ann": (148 - 50) / 140, "bob": (148 - 60) / 140}
    for name, src, trimp in zip(out["athlete"], out["load_source"], out["trimp"], strict=True):
        if name in hrr:
            female = name == "ann"
            expected = load.banister_trimp(30.0, hrr[name], female)
            assert src == "hr" and trimp == pytest.approx(float(expected))
        else:
            assert src == "area default" and math.isnan(trimp)
