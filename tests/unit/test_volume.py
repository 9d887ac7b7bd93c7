"""Weekly volume per athlete x week x area."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stridewise import classify, load, volume
from stridewise.schema import AREAS, sets_to_json


def frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["session_id"] = [f"s{i}" for i in range(len(df))]
    df["start"] = pd.to_datetime(df["start"])
    for col, val in (("title", ""), ("sets", "[]"), ("rpe", 5.0), ("distance_m", np.nan),
                     ("duration_s", 3600.0), ("athlete", "ann")):
        df[col] = df[col].fillna(val) if col in df.columns else val
    df["moving_s"] = df["duration_s"]
    return load.add_load(classify.classify(df))


def test_monday_weeks_with_zero_weeks_and_all_areas():
    df = frame([{"start": "2024-01-02 07:00", "sport": "run", "distance_m": 10000.0},
                {"start": "2024-01-15 07:00", "sport": "yoga", "duration_s": 1800.0}])
    w = volume.weekly_volume(df)
    assert list(w.columns) == volume.WEEKLY_COLUMNS
    assert sorted(w["week"].unique()) == list(pd.to_datetime(
        ["2024-01-01", "2024-01-08", "2024-01-15"]))
    assert (w.groupby("week")["area"].apply(list) == [list(AREAS)] * 3).all()
    gap = w[w["week"] == pd.Timestamp("2024-01-08")]
    assert gap[["sessions", "minutes", "distance_km", "load"]].to_numpy().sum() == 0
    e = w[(w["week"] == pd.Timestamp("2024-01-01")) & (w["area"] == "endurance")].iloc[0]
    assert (e["sessions"], e["minutes"], e["distance_km"], e["load"]) == (1, 60.0, 10.0, 300.0)
    f = w[(w["week"] == pd.Timestamp("2024-01-15")) & (w["area"] == "flexibility")].iloc[0]
    assert f["minutes"] == 30.0 and f["distance_km"] == 0.0


def test_sunday_weeks():
    df = frame([{"start": "2024-01-07 07:00", "sport": "run"},  # a Sunday
                {"start": "2024-01-08 07:00", "sport": "run"}])
    monday = volume.weekly_volume(df)
    sunday = volume.weekly_volume(df, week_start="sunday")
    assert monday["week"].nunique() == 2
    assert list(sunday["week"].unique()) == [pd.Timestamp("2024-01-07")]
    assert sunday[sunday["area"] == "endurance"]["sessions"].iloc[0] == 2


def test_distance_counts_running_only():
    df = frame([{"start": "2024-01-02", "sport": "run", "distance_m": 8000.0},
                {"start": "2024-01-03", "sport": "ride", "distance_m": 40000.0},
                {"start": "2024-01-04", "sport": "trail_run", "distance_m": 12000.0}])
    e = volume.weekly_volume(df).query("area == 'endurance'").iloc[0]
    assert e["distance_km"] == pytest.approx(20.0)
    assert e["sessions"] == 3 and e["minutes"] == 180.0


def test_mixed_gym_session_is_split_by_set_time():
    sets = [{"exercise": "Squat (Barbell)", "category": "squat", "seconds": 60},
            {"exercise": "Squat (Barbell)", "category": "squat", "seconds": 60},
            {"exercise": "Box Jump", "category": "plyo", "seconds": 40},
            {"exercise": "Plank", "category": "plank", "seconds": 40}]
    df = frame([{"start": "2024-01-02", "sport": "strength", "duration_s": 2000.0,
                 "sets": sets_to_json(sets)}])
    w = volume.weekly_volume(df).set_index("area")
    assert w.loc["strength", "minutes"] == pytest.approx(2000 / 60 * 0.6)
    assert w.loc["plyometrics", "minutes"] == pytest.approx(2000 / 60 * 0.2)
    assert w.loc["stability", "load"] == pytest.approx(df["load"].iloc[0] * 0.2)
    # a mixed session counts once (in its main area); its minutes split across its areas
    assert w["sessions"].loc[["strength", "plyometrics", "stability"]].tolist() == [1, 0, 0]
    assert w["sessions"].sum() == 1
    assert w["load"].sum() == pytest.approx(df["load"].iloc[0])


def test_end_extends_the_grid_and_drops_later_sessions():
    df = frame([{"start": "2024-01-02", "sport": "run"}, {"start": "2024-03-02", "sport": "run"}])
    w = volume.weekly_volume(df, end=pd.Timestamp("2024-01-20"))
    assert w["week"].max() == pd.Timestamp("2024-01-15")
    assert w["sessions"].sum() == 1


def test_athletes_keep_their_own_calendars():
    df = frame([{"start": "2024-01-02", "sport": "run", "athlete": "ann"},
                {"start": "2024-02-06", "sport": "run", "athlete": "bob"}])
    w = volume.weekly_volume(df)
    assert w[w["athlete"] == "bob"]["week"].nunique() == 1
    assert w[w["athlete"] == "ann"]["week"].nunique() == 1


def test_skipped_load_still_counts_the_session():
    df = frame([{"start": "2024-01-02", "sport": "run", "duration_s": 2_012_530.0,
                 "distance_m": 7700.0}])
    e = volume.weekly_volume(df).query("area == 'endurance'").iloc[0]
    assert e["sessions"] == 1 and e["minutes"] == 0.0 and e["load"] == 0.0
    assert e["distance_km"] == pytest.approx(7.7)


def test_empty_input():
    df = frame([{"start": "2024-01-02", "sport": "run"}]).iloc[:0]
    assert list(volume.weekly_volume(df).columns) == volume.WEEKLY_COLUMNS


def test_filtered_sessions_with_a_gappy_index():
    df = frame([{"start": f"2024-01-0{d}", "sport": "run", "distance_m": 1000.0 * d}
                for d in range(1, 8)])
    sub = df.iloc[::2]  # index 0, 2, 4, 6
    parts = classify.session_parts(sub)
    assert parts["session_id"].tolist() == ["s0", "s2", "s4", "s6"]
    w = volume.weekly_volume(sub, parts)
    assert w.query("area == 'endurance'")["distance_km"].sum() == pytest.approx(1 + 3 + 5 + 7)
