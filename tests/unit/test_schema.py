"""Canonical session schema: normalise, validate, ids, sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stridewise.errors import SchemaError, StridewiseError
from stridewise.schema import (
    AREAS,
    COLUMNS,
    empty_sessions,
    make_session_id,
    normalise,
    parse_sets,
    sets_to_json,
    validate,
)


def _one(**over) -> pd.DataFrame:
    row = {"athlete": "Ana", "session_id": "a1", "start": pd.Timestamp("2025-03-01 07:00"),
           "sport": "run", "title": "Easy run", "duration_s": 1800.0, "distance_m": 5000.0}
    row.update(over)
    return normalise(pd.DataFrame([row]))


def test_empty_sessions_has_every_column_with_its_dtype():
    df = empty_sessions()
    assert list(df.columns) == list(COLUMNS)
    assert df["start"].dtype == np.dtype("datetime64[ns]")
    assert df["duration_s"].dtype == np.float64
    validate(df)


def test_normalise_fills_missing_columns_and_moving_time():
    df = _one()
    assert list(df.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert df.loc[0, "moving_s"] == 1800.0
    assert df.loc[0, "sets"] == "[]"
    assert np.isnan(df.loc[0, "avg_hr"])
    validate(df)


def test_normalise_does_not_mutate_input():
    raw = pd.DataFrame([{"athlete": "A", "session_id": "x", "start": "2025-01-01",
                         "sport": "run", "duration_s": "60"}])
    before = raw.copy()
    normalise(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_normalise_drops_time_zone_keeping_wall_clock():
    df = normalise(pd.DataFrame([{"start": pd.Timestamp("2025-06-01 08:00", tz="Europe/Berlin"),
                                  "athlete": "A", "session_id": "x", "sport": "run",
                                  "duration_s": 60.0}]))
    assert df.loc[0, "start"] == pd.Timestamp("2025-06-01 08:00")


@pytest.mark.parametrize(
    ("over", "column"),
    [
        ({"sport": "quidditch"}, "sport"),
        ({"area": "cardio-ish"}, "area"),
        ({"duration_s": -5.0}, "duration_s"),
        ({"avg_hr": 400.0}, "avg_hr"),
        ({"rpe": 11.0}, "rpe"),
        ({"athlete": ""}, "athlete"),
        ({"start": None}, "start"),
    ],
)
def test_validate_names_offending_column_and_row(over, column):
    df = pd.concat([_one(session_id="ok"), _one(**over)], ignore_index=True)
    with pytest.raises(SchemaError) as info:
        validate(df)
    assert info.value.column == column
    assert info.value.row == 1
    assert column in info.value.message or "Row 1" in info.value.message
    assert isinstance(info.value, StridewiseError)


def test_validate_rejects_missing_column_and_duplicate_ids():
    with pytest.raises(SchemaError, match="lacks the column 'sport'"):
        validate(_one().drop(columns=["sport"]))
    with pytest.raises(SchemaError, match="repeats the session_id"):
        validate(pd.concat([_one(), _one()], ignore_index=True))


def test_validate_rejects_wrong_dtypes():
    df = _one()
    df["duration_s"] = df["duration_s"].astype(str)
    with pytest.raises(SchemaError, match="numeric"):
        validate(df)
    df = _one()
    df["start"] = "2025-01-01"
    with pytest.raises(SchemaError, match="date-times"):
        validate(df)


def test_every_area_is_accepted():
    df = pd.concat([_one(session_id=str(i), area=a) for i, a in enumerate(AREAS)],
                   ignore_index=True)
    validate(df)


def test_session_id_is_stable_and_discriminating():
    a = make_session_id("Ana", "strava_csv", "123")
    assert a == make_session_id(" ana ", "strava_csv", "123")  # case/space of the name
    assert a != make_session_id("Ana", "strava_csv", "124")
    assert a != make_session_id("Ben", "strava_csv", "123")
    assert len(a) == 16


def test_sets_round_trip_and_tolerate_junk():
    sets = [{"exercise": "Back squat", "category": "squat", "reps": 5, "weight_kg": 80.0,
             "seconds": float("nan")}]
    text = sets_to_json(sets)
    back = parse_sets(text)
    assert back == [{"exercise": "Back squat", "category": "squat", "reps": 5,
                     "weight_kg": 80.0, "seconds": None}]
    assert parse_sets("not json") == []
    assert parse_sets(float("nan")) == []
    assert parse_sets('{"a": 1}') == []


def test_duration_estimated_defaults_to_false_and_reads_common_spellings():
    assert COLUMNS["duration_estimated"] == "bool"
    assert empty_sessions()["duration_estimated"].dtype == np.bool_
    assert _one()["duration_estimated"].tolist() == [False]     # absent -> False
    raw = pd.DataFrame({"athlete": "A", "session_id": [f"s{i}" for i in range(8)],
                        "start": "2025-01-01", "sport": "run", "duration_s": 60.0,
                        "duration_estimated": [True, False, None, np.nan, "yes", "False",
                                               1, 0]})
    df = normalise(raw)
    assert df["duration_estimated"].dtype == np.bool_
    assert df["duration_estimated"].tolist() == [True, False, False, False, True, False,
                                                 True, False]
    validate(df)
    num = normalise(raw.assign(duration_estimated=[1.0, 0.0, np.nan, 2.0, 0, 0, 0, 1]))
    assert num["duration_estimated"].tolist() == [True, False, False, True, False, False,
                                                  False, True]


def test_validate_rejects_a_flag_that_is_not_true_or_false():
    df = _one()
    df["duration_estimated"] = "yes"
    with pytest.raises(SchemaError, match="true/false") as info:
        validate(df)
    assert info.value.column == "duration_estimated"
    df["duration_estimated"] = pd.array([pd.NA], dtype="boolean")
    with pytest.raises(SchemaError, match="true/false"):
        validate(df)
