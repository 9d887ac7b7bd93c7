"""The derived-table computation: the pipeline's numbers, closed on the as-of day."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

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


def test_compute_holds_the_pipelines_numbers_for_every_day_up_to_its_horizon():
    s = _sessions()
    before = s.copy()
    as_of = date(2024, 3, 25)
    d = derived.compute(s, settings=Settings(), rules=None, profiles=None, as_of=as_of)
    pd.testing.assert_frame_equal(s, before)  # inputs untouched
    assert d.until == as_of + timedelta(days=derived.HORIZON_DAYS)
    # the calendar runs to the horizon for every athlete, sessions stopping earlier or not
    assert d.daily.groupby("athlete")["date"].max().dt.date.tolist() == [d.until, d.until]
    recent_days = pd.to_datetime(d.risk_recent["date"])
    # a roster row is made of its day's row; two weeks before are kept (the last full week)
    assert recent_days.min() == pd.Timestamp(as_of) - pd.Timedelta(days=derived.ROSTER_BACK_DAYS)
    assert set(d.sessions_recent["athlete"]) == {"bob"}  # ann's last run is older than 42 days
    assert (d.sessions_recent["start"] > pd.Timestamp(as_of)
            - pd.Timedelta(days=derived.RECENT_DAYS)).all()
    # any later day up to the horizon: the stored rows cut at that day are the pipeline's
    # numbers with the calendar closed on it (a day's figures use no later day)
    for day in (as_of, as_of + timedelta(days=1), as_of + timedelta(days=30), d.until):
        full = pipeline.analyse(s, end=pd.Timestamp(day))
        cut = d.daily.loc[d.daily["date"] <= pd.Timestamp(day)].reset_index(drop=True)
        pd.testing.assert_frame_equal(cut, full.risk.reset_index(drop=True))
        weeks = d.weekly.loc[d.weekly["week"] <= pd.Timestamp(day)].reset_index(drop=True)
        pd.testing.assert_frame_equal(weeks, full.weekly.reset_index(drop=True))
        ses = d.sessions_recent.loc[d.sessions_recent["start"] < pd.Timestamp(day)
                                    + pd.Timedelta(days=1)]
        bal = derived.balance_as_of(d.parts_recent, ses, settings=Settings(), as_of=day)
        pd.testing.assert_frame_equal(bal.reset_index(drop=True),
                                      full.balance.reset_index(drop=True))


def test_balance_from_the_kept_parts_counts_days_since_areas_done_long_ago():
    s = _sessions()
    s.loc[5, ["sport", "title"]] = ["strength", "Gym"]  # ann, 6 Jan: long before the window
    as_of = date(2024, 3, 25)
    d = derived.compute(s, settings=Settings(), rules=None, profiles=None, as_of=as_of)
    assert pd.Timestamp("2024-01-06 07:00") in set(d.parts_recent["start"])
    bal = derived.balance_as_of(d.parts_recent, d.sessions_recent, settings=Settings(),
                                as_of=as_of)
    ann = bal.loc[(bal["athlete"] == "ann") & (bal["area"] == "strength")].iloc[0]
    assert ann["days_since"] == (as_of - date(2024, 1, 6)).days and ann["sessions"] == 0
    full = pipeline.analyse(s, end=pd.Timestamp(as_of))
    pd.testing.assert_frame_equal(bal.reset_index(drop=True),
                                  full.balance.reset_index(drop=True))


def test_assess_all_on_one_day_equals_assessing_each_athlete():
    from stridewise import assessment

    s = _sessions()
    s.loc[s.index % 3 == 0, ["sport", "title"]] = ["strength", "Squats and box jumps"]
    a = pipeline.analyse(s, end=pd.Timestamp("2024-03-12"))
    for day in (date(2024, 2, 8), date(2024, 3, 10)):
        got = assessment.assess_all(a, as_of=day, athletes=["ann", "bob", "cy"])
        want = assessment.triage_sort([
            assessment.assess(a.risk, athlete=n, as_of=day, parts=a.parts,
                              sessions=a.sessions) for n in ("ann", "bob", "cy")])
        assert [x.athlete for x in got] == [x.athlete for x in want]
        for x, y in zip(got, want, strict=True):
            for f in dataclasses.fields(x):
                u, v = getattr(x, f.name), getattr(y, f.name)
                if isinstance(u, dict):  # same keys and values (NaN days since: both NaN)
                    u, v = sorted(u.items()), sorted(v.items())
                assert repr(u) == repr(v), f.name
        assert any(x.sessions_7d and x.area_minutes_7d for x in got)  # the window counted
