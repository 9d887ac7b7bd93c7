"""AppTest: minutes estimated from a distance (no time recorded) say "estimated" in the
Athlete page's sessions table and in its sessions export."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from apphelpers import no_exception, run_page

NAME = "Mo Estimate"


def _store_two_runs(store) -> None:
    from stridewise.ingest import ImportReport, ReadContext, finish_sessions

    day = pd.Timestamp.now().normalize() - pd.Timedelta(days=2)
    rows = pd.DataFrame({"start": [day + pd.Timedelta(hours=7), day + pd.Timedelta(hours=31)],
                         "sport": ["run", "run"], "title": ["Paced", "Timed"],
                         "duration_s": [3000.0, 2700.0], "distance_m": [10_000.0, 8000.0],
                         "duration_estimated": [True, False]})
    sessions, _ = finish_sessions(rows, ReadContext(athlete=NAME), source="generic_csv",
                                  file_name="log.csv")
    store.upsert_athlete(NAME)
    store.import_report(ImportReport("log.csv", "test rows", sessions), athlete=NAME)


def test_estimated_minutes_are_marked_in_the_sessions_table(demo_db: Path, store) -> None:
    _store_two_runs(store)
    at = run_page("home")
    at.selectbox(key="home_athlete").select(NAME).run()
    run_page("athlete", at=at)
    no_exception(at)
    shown = at.data_editor[0].value.set_index("title")
    assert shown.loc["Paced", "minutes_are"] == "estimated"
    assert shown.loc["Timed", "minutes_are"] == ""
    assert shown.loc["Paced", "minutes"] == 50 and shown.loc["Timed", "minutes"] == 45


def test_estimated_flag_is_in_the_athlete_sessions_export(demo_db: Path, store) -> None:
    from stridewise import pipeline
    from stridewise.settings import DEFAULT_SETTINGS
    from stridewise.ui.athlete_view import export_items

    _store_two_runs(store)
    today = date.today()
    a = pipeline.analyse(store.sessions([NAME]), settings=DEFAULT_SETTINGS, end=today)
    items = export_items(a, NAME, today - timedelta(days=28), today, DEFAULT_SETTINGS)
    csv = next(make() for _, make, name, _ in items if name.endswith("_sessions.csv"))
    got = pd.read_csv(io.BytesIO(csv)).set_index("title")
    assert bool(got.loc["Paced", "duration_estimated"]) is True
    assert bool(got.loc["Timed", "duration_estimated"]) is False
