"""The analysis behind Home and the Athlete page runs once per athlete and day: an archive
(nothing recorded in the last two weeks) is analysed up to its latest session straight away,
with the same figures as before."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

NAME = "Old Archive"


def _store_archive(store, days_ago: int = 60) -> pd.Timestamp:
    """Thirty daily runs of an athlete, the latest ``days_ago`` days ago."""
    from stridewise.ingest import ImportReport, ReadContext, finish_sessions

    last = pd.Timestamp.now().normalize() - pd.Timedelta(days=days_ago) + pd.Timedelta(hours=7)
    starts = [last - pd.Timedelta(days=i) for i in range(30)]
    rows = pd.DataFrame({"start": starts, "sport": ["run"] * 30, "title": ["Easy"] * 30,
                         "duration_s": [2400.0 + 60 * i for i in range(30)],
                         "distance_m": [8000.0 + 100 * i for i in range(30)]})
    sessions, _ = finish_sessions(rows, ReadContext(athlete=NAME), source="generic_csv",
                                  file_name="log.csv")
    store.upsert_athlete(NAME)
    store.import_report(ImportReport("log.csv", "test rows", sessions), athlete=NAME)
    return last


def _counting(monkeypatch):
    from stridewise import pipeline

    calls: list[object] = []
    real = pipeline.analyse_store

    def counted(*args, **kwargs):
        calls.append(kwargs.get("end"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "analyse_store", counted)
    return calls


def test_an_archive_is_analysed_once_up_to_its_latest_session(demo_db: Path, store,
                                                                monkeypatch) -> None:
    import streamlit as st

    from stridewise.ui import state

    last = _store_archive(store)
    calls = _counting(monkeypatch)
    view = state.analysis(state.get_store(), [NAME])
    assert view.stale and view.as_of == last.date()
    assert calls == [pd.Timestamp(last.date())]  # one run, closed on the latest session
    # the same figures as an analysis asked for that day, computed afresh
    st.cache_resource.clear()
    again = state.analysis(state.get_store(), [NAME], end=last.date())
    pd.testing.assert_frame_equal(view.analysis.risk, again.analysis.risk)
    pd.testing.assert_frame_equal(view.analysis.weekly, again.analysis.weekly)


def test_a_current_athlete_is_analysed_once_up_to_today(demo_db: Path, store,
                                                        monkeypatch) -> None:
    from datetime import date

    from stridewise.ui import state

    name = store.athletes()["name"].iloc[0]
    calls = _counting(monkeypatch)
    view = state.analysis(state.get_store(), [name])
    assert not view.stale and view.as_of == date.today()
    assert calls == [pd.Timestamp(date.today())]
