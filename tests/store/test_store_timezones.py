"""Changing an athlete's time zone re-times stored sessions that came as UTC; local-time
sources stay; days, weeks and metrics follow (schema version 3, ``source_sessions.tz``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from stridewise import pipeline
from stridewise.errors import UsageError
from stridewise.ingest import ReadContext, read_bytes
from stridewise.store import Store, retime_starts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"
STRAVA = FIXTURES / "strava_en_small.csv"     # "Late run": Mar 30 2025, 11:30 PM UTC
GARMIN = FIXTURES / "garmin_en_small_miles.csv"  # local wall-clock times


def _import(store: Store, path: Path, athlete: str, tz: str) -> None:
    report = read_bytes(path.read_bytes(), path.name, ReadContext(athlete=athlete, tz=tz,
                                                                   units="mi"))
    store.import_report(report, athlete=athlete)


def _start(store: Store, title: str) -> pd.Timestamp:
    s = store.sessions(["ann"])
    return pd.Timestamp(s.loc[s["title"] == title, "start"].iloc[0])


def test_zone_change_moves_an_evening_run_to_the_right_day(store: Store) -> None:
    store.upsert_athlete("ann")  # a new athlete without a zone: imports use UTC
    _import(store, STRAVA, "ann", "UTC")
    _import(store, GARMIN, "ann", "UTC")
    assert _start(store, "Late run") == pd.Timestamp("2025-03-30 23:30")
    garmin_before = _start(store, "Morning Run")

    # Budapest switched to summer time (UTC+2) at 01:00 UTC that night: 01:30 on 31 March
    moved = store.upsert_athlete("ann", tz="Europe/Budapest")
    assert moved >= 3  # every Strava row; Garmin's local times are not touched
    assert _start(store, "Late run") == pd.Timestamp("2025-03-31 01:30")
    assert _start(store, "Morning Run") == garmin_before
    assert store.athletes().set_index("name").loc["ann", "tz"] == "Europe/Budapest"

    # days and metrics follow: the run's load is on the 31st now
    a = pipeline.analyse_store(store, ["ann"])
    risk = a.risk.set_index("date")
    load = a.sessions.loc[a.sessions["title"] == "Late run", "load"].iloc[0]
    assert risk.loc[pd.Timestamp("2025-03-31"), "load"] >= load > 0
    assert pd.Timestamp("2025-03-30") not in risk.index  # the first training day is the 31st

    # from Budapest to New York: the same instant, 19:30 on the 30th (EDT, UTC-4)
    store.retime_athlete("ann", "America/New_York")
    assert _start(store, "Late run") == pd.Timestamp("2025-03-30 19:30")
    assert store.retime_athlete("ann", "America/New_York") == 0  # already there

    # re-importing the file in the new zone gives the same starts: nothing to change
    before = store.sessions(["ann"]).sort_values("session_id").reset_index(drop=True)
    _import(store, STRAVA, "ann", "America/New_York")
    after = store.sessions(["ann"]).sort_values("session_id").reset_index(drop=True)
    pd.testing.assert_series_equal(before["start"], after["start"])


def test_import_records_the_zone_it_converted_to(store: Store) -> None:
    store.upsert_athlete("bo", tz="Asia/Tokyo")
    report = read_bytes(STRAVA.read_bytes(), STRAVA.name,
                        ReadContext(athlete="bo", tz="Asia/Tokyo"))
    store.import_report(report, athlete="bo")
    with store.engine.connect() as conn:
        zones = {z for (z,) in conn.execute(sa.text(
            "SELECT DISTINCT tz FROM source_sessions WHERE athlete = 'bo'"))}
    assert zones == {"Asia/Tokyo"}
    s = store.sessions(["bo"])
    assert pd.Timestamp(s.loc[s["title"] == "Late run", "start"].iloc[0]) == \
        pd.Timestamp("2025-03-31 08:30")


def test_unknown_zone_is_refused_in_one_sentence(store: Store) -> None:
    store.upsert_athlete("cy")
    with pytest.raises(UsageError, match="not a time zone name"):
        store.retime_athlete("cy", "Mars/Olympus")


def test_retime_starts_handles_the_repeated_autumn_hour() -> None:
    # 02:30 on 26 Oct 2025 happens twice in Berlin; read as the first (summer-time) one
    out = retime_starts(pd.Series(pd.to_datetime(["2025-10-26 02:30", "2025-06-01 12:00"])),
                        "Europe/Berlin", "UTC")
    assert list(out) == [pd.Timestamp("2025-10-26 00:30"), pd.Timestamp("2025-06-01 10:00")]
