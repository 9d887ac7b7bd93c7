"""The derived-table computation: the pipeline's numbers, closed on the as-of day."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from stridewise import derived, pipeline
from stridewise.settings import Settings


def _sessions() -> pd.DataFrame:
    starts = pd.date_range("2024-01-01 07:00", periods=70, freq="D")
    n = len(starts)
    return pd.DataFrame({
        "athlete": ["ann"] * 40 + ["bob"] * 30, "session_id": [f"s{i}" for i in range(n)],
        "start": starts, "sport": ["run"] * n, "title": ["Run"] * n, "area": [""] * n,
        "duration_s": [3600.0] * n, "moving_s": [3500.0] * n,
        "distance_m": np.linspace(5000, 15000, n), "elevation_gain_m": np.nan,
        "avg_hr": np.nan, "max_hr": np.nan, "calories": np.nan, "rpe": [5.0] * n,
        "sets": ["[]"] * n, "source": ["strava_csv"] * n, "source_file": ["a.csv"] * n,
        "source_id": [str(i) for i in range(n)]})


def test_as_of_is_today_unless_nothing_was_recorded_for_two_weeks():
    assert derived.squad_as_of(None, date(2024, 5, 1)) == (date(2024, 5, 1), False)
    last = datetime(2024, 4, 20, 18, 30)
    assert derived.squad_as_of(last, date(2024, 5, 4)) == (date(2024, 5, 4), False)  # 14 days
    assert derived.squad_as_of(last, date(2024, 5, 5)) == (date(2024, 4, 20), True)  # 15 days


def test_compute_returns_the_pipelines_tables_and_the_recent_window():
    s = _sessions()
    before = s.copy()
    as_of = date(2024, 3, 25)
    d = derived.compute(s, settings=Settings(), rules=None, profiles=None, as_of=as_of)
    pd.testing.assert_frame_equal(s, before)  # inputs untouched
    full = pipeline.analyse(s, end=pd.Timestamp(as_of))
    pd.testing.assert_frame_equal(d.weekly, full.weekly)
    pd.testing.assert_frame_equal(d.daily, full.risk)
    # the calendar runs to the as-of day for every athlete, sessions stopping earlier or not
    assert d.daily.groupby("athlete")["date"].max().dt.date.tolist() == [as_of, as_of]
    recent_days = pd.to_datetime(d.risk_recent["date"])
    assert recent_days.min() > pd.Timestamp(as_of) - pd.Timedelta(days=derived.RECENT_DAYS)
    assert set(d.sessions_recent["athlete"]) == {"bob"}  # ann's last run is older than 42 days
    assert (d.sessions_recent["start"] > pd.Timestamp(as_of)
            - pd.Timedelta(days=derived.RECENT_DAYS)).all()
