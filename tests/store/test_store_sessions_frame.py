"""The exact frame ``Store.sessions()`` returns: columns, dtypes, order and values.

Pinned on a small mixed store (two sources merged into one session, user overrides including a
cleared one, missing values, an estimated duration, sets JSON, fractional seconds, a tie on start broken by session id)
so that any change to how sessions are read back shows up here, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from store_helpers import report

import stridewise.store as store_module
from stridewise.schema import sets_to_json
from stridewise.store import Store

NAN = np.nan
SETS = sets_to_json([
    {"exercise": "Squat", "category": "squat", "reps": 5, "weight_kg": 80.0, "seconds": None},
    {"exercise": "Plank", "category": "core", "reps": None, "weight_kg": None, "seconds": 60.0},
])
DTYPES = {
    "athlete": "str", "session_id": "str", "start": "datetime64[ns]", "sport": "str",
    "title": "str", "area": "str", "duration_s": "float64", "moving_s": "float64",
    "distance_m": "float64", "elevation_gain_m": "float64", "avg_hr": "float64",
    "max_hr": "float64", "calories": "float64", "rpe": "float64", "sets": "str",
    "source": "str", "source_file": "str", "source_id": "str", "duration_estimated": "bool", "area_override": "str",
    "notes": "str", "rpe_override": "float64", "import_id": "Int64", "sources": "str",
}
EXPECTED = {
    "athlete": ["ana", "ana", "ana", "ana", "ben", "ben"],
    "session_id": ["5486238e3d30a52b", "4fc0fc71918a08c1", "712bd82ed51c2d62",
                   "7ec843e2db6fca78", "1888c6096ca5d50d", "a4f38746cc02c3b5"],
    "start": ["2024-03-01 07:01:30", "2024-03-02 07:00:00.5", "2024-03-03 18:30:00",
              "2024-03-04 17:00:00", "2024-03-01 06:00:00", "2024-03-01 06:00:00"],
    "sport": ["run", "run", "run", "strength", "swim", "ride"],
    "title": ["Run", "Tempo – 5×1 km", "Évening", "Gym", "fit 2024-03-01 06:00",
              "fit 2024-03-01 06:00"],
    "area": ["", "", "", "", "", ""],
    "duration_s": [3550.0, 3600.0, 3600.0, 1800.0, 1200.0, 5400.0],
    "moving_s": [3550.0, 3600.0, 3600.0, 1800.0, 1200.0, 5400.0],
    "distance_m": [10000.0, NAN, 5000.0, NAN, NAN, NAN],
    "elevation_gain_m": [NAN, NAN, NAN, NAN, NAN, 350.0],
    "avg_hr": [145.0, NAN, NAN, NAN, NAN, NAN],
    "max_hr": [171.0, NAN, NAN, NAN, NAN, NAN],
    "calories": [700.0, NAN, 300.0, NAN, NAN, NAN],
    "rpe": [7.0, NAN, 6.0, NAN, 4.0, NAN],
    "sets": ["[]", "[]", "[]", SETS, "[]", "[]"],
    "source": ["garmin_csv", "strava_csv", "strava_csv", "garmin_csv", "fit", "fit"],
    "source_file": ["garmin_csv.csv", "strava_csv.csv", "strava_csv.csv", "garmin_csv.csv",
                    "fit.csv", "fit.csv"],
    "source_id": ["", "28489380", "28491510", "", "", ""],
    "duration_estimated": [False, False, True, False, False, False],
    "area_override": ["plyometrics", "", "", "", "", ""],
    "notes": ["", "felt good", "", "", "", "pool"],
    "rpe_override": [7.0, NAN, NAN, NAN, 4.0, NAN],
    "import_id": [1, 1, 1, 2, 3, 3],
    "sources": ["garmin_csv, strava_csv", "strava_csv", "strava_csv", "garmin_csv", "fit",
                "fit"],
}


def expected_frame(rows: slice = slice(None)) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(v[rows], dtype=DTYPES[c]) if c != "start" else
                       pd.Series([pd.Timestamp(t) for t in v[rows]], dtype=DTYPES[c])
                       for c, v in EXPECTED.items()})
    return df.reset_index(drop=True)


def fill(store: Store) -> None:
    starts = [pd.Timestamp(t) for t in
              ("2024-03-01 07:00", "2024-03-02 07:00:00.5", "2024-03-03 18:30")]
    store.import_report(report("ana", "strava_csv", starts,
                               title=["Morning run", "Tempo – 5×1 km", "Évening"],
                               distance_m=[10000.0, NAN, 5000.0], rpe=[5.0, NAN, 6.0],
                               calories=[700.0, NAN, 300.0],
                               duration_estimated=[False, False, True]), athlete="ana")
    # the first run again from Garmin 90 s later (merged, primary: Garmin) plus a gym session
    store.import_report(report("ana", "garmin_csv", ["2024-03-01 07:01:30", "2024-03-04 17:00:00"],
                               sport=["run", "strength"], duration_s=[3550.0, 1800.0],
                               avg_hr=[145.0, NAN], max_hr=[171.0, NAN], sets=["[]", SETS],
                               title=["Run", "Gym"]), athlete="ana")
    # two sessions with the same start: ordered by session id
    store.import_report(report("ben", "fit", ["2024-03-01 06:00", "2024-03-01 06:00"],
                               sport=["ride", "swim"], duration_s=[5400.0, 1200.0],
                               elevation_gain_m=[350.0, NAN], rpe=[NAN, 3.0]), athlete="ben")
    ids = EXPECTED["session_id"]
    store.set_override(ids[0], area="plyometrics", rpe=7)
    store.set_override(ids[1], notes="felt good")
    store.set_override(ids[4], rpe=4)
    store.set_override(ids[5], area="stability")
    store.set_override(ids[5], area=None, notes="pool")  # cleared area: an empty override row


def check(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(DTYPES)
    assert {c: str(t) for c, t in got.dtypes.items()} == DTYPES
    assert isinstance(got.index, pd.RangeIndex) and got.index.start == 0
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True)


def test_sessions_frame_is_pinned(store: Store) -> None:
    fill(store)
    check(store.sessions(), expected_frame())
    check(store.sessions(["ben"]), expected_frame(slice(4, 6)))
    check(store.sessions(["ben", "ana", "nobody"]), expected_frame())
    check(store.sessions(["ana"]), expected_frame(slice(0, 4)))


@pytest.mark.parametrize("athletes", [None, [], ["nobody"]])
def test_empty_sessions_frame_has_the_same_columns_and_dtypes(
        store: Store, athletes: list[str] | None) -> None:
    if athletes is not None:
        fill(store)
    check(store.sessions(athletes), expected_frame(slice(0, 0)))


def test_sessions_frame_is_the_same_in_small_batches(store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fill(store)
    monkeypatch.setattr(store_module, "_FETCH_ROWS", 2)  # three batches of two rows
    check(store.sessions(), expected_frame())


def test_values_that_do_not_fit_arrow_types_are_read_the_forgiving_way(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(store)
    real = store_module._arrow_row_type

    def wrong(keys: list[str], first: tuple[object, ...]) -> pa.StructType:
        # sets as numbers: the first three rows (no sets: read as NULL) pack, the fourth (the
        # gym session's sets) does not, so the packed rows are unpacked again and everything
        # is read as raw rows
        kind = real(keys, first)
        return pa.struct([pa.field(f.name, pa.int64()) if f.name == "sets" else f
                          for f in kind])

    monkeypatch.setattr(store_module, "_arrow_row_type", wrong)
    monkeypatch.setattr(store_module, "_FETCH_ROWS", 1)
    raw: list[int] = []
    slow = Store._sessions_frame

    def counted(keys: list[str], rows: list[tuple[object, ...]]) -> dict[str, object]:
        raw.append(len(rows))
        return slow(keys, rows)

    monkeypatch.setattr(Store, "_sessions_frame", staticmethod(counted))
    check(store.sessions(), expected_frame())
    assert raw == [6]  # all six rows went the forgiving way
