"""The canonical flag ``duration_estimated`` in the store: kept on import, upgraded from schema
version 4, chosen well when sources merge, kept by backup/restore and exports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from store_helpers import days, report

from stridewise.ingest import ReadContext, read_bytes
from stridewise.store import Store, resolve_url
from stridewise.store_schema import SCHEMA_VERSION, build_metadata, migrate

MAPMYRUN = "other_csv/mapmyrun_workout_history_2007-2017_miles_ap_style_dates.csv"


def _flags(store: Store, athlete: str) -> pd.Series:
    df = store.sessions([athlete])
    return df.set_index("session_id")["duration_estimated"]


def test_flag_is_kept_on_import_and_read_back_as_bool(store: Store) -> None:
    starts = days("2024-03-04", 3)
    store.import_report(report("ann", "generic_csv", starts, distance_m=10_000.0,
                               duration_estimated=[True, False, True]), athlete="ann")
    df = store.sessions(["ann"]).sort_values("start")
    assert df["duration_estimated"].dtype == bool
    assert df["duration_estimated"].tolist() == [True, False, True]
    # the same file again changes nothing; the flag is part of the compared values
    again = store.import_report(report("ann", "generic_csv", starts, distance_m=10_000.0,
                                       duration_estimated=[True, False, True]), athlete="ann")
    assert again.added == 0
    assert store.sessions(["ann"]).sort_values("start")["duration_estimated"].tolist() == \
        [True, False, True]


def test_a_measured_duration_from_another_source_wins_over_an_estimate(store: Store) -> None:
    t = days("2024-05-06", 2)
    store.import_report(report("bo", "generic_csv", t, duration_s=3000.0, distance_m=10_000.0,
                               duration_estimated=True), athlete="bo")
    # a watch file recorded the first run's time (3100 s, within the match window)
    store.import_report(report("bo", "garmin_csv", t[:1], duration_s=3100.0, avg_hr=150.0),
                        athlete="bo")
    df = store.sessions(["bo"]).sort_values("start")
    assert len(df) == 2
    first, second = df.iloc[0], df.iloc[1]
    assert "garmin_csv" in first["sources"] and "generic_csv" in first["sources"]
    assert first["duration_s"] == 3100.0 and not first["duration_estimated"]
    assert first["distance_m"] == 10_000.0  # the distance still comes from the other source
    assert second["duration_s"] == 3000.0 and second["duration_estimated"]


def test_version_4_database_is_upgraded_with_the_flag_false(db_url: str) -> None:
    url = resolve_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    v4 = build_metadata(4).tables
    assert "duration_estimated" not in v4["sessions"].c
    t0 = datetime(2024, 4, 2, 7, 0)
    with engine.begin() as conn:
        assert migrate(conn, target=4) == 0
        conn.execute(sa.insert(v4["athletes"]).values(name="ana", group_name="", is_demo=False,
                                                      created_at=t0))
        conn.execute(sa.insert(v4["imports"]).values(import_id=1, athlete="ana",
                                                     file_name="old.csv", imported_at=t0))
        row = {"athlete": "ana", "start": t0, "sport": "run", "title": "Easy", "area": "",
               "duration_s": 3600.0, "moving_s": 3600.0, "distance_m": 10_000.0,
               "sets": "[]", "source": "generic_csv", "source_file": "old.csv",
               "source_id": ""}
        conn.execute(sa.insert(v4["source_sessions"]).values(
            source_session_id="s1", session_id="s1", first_import_id=1, **row))
        conn.execute(sa.insert(v4["import_sessions"]).values(import_id=1, source_session_id="s1"))
        conn.execute(sa.insert(v4["sessions"]).values(session_id="s1", import_id=1, family="run",
                                                      sources="generic_csv", **row))
    engine.dispose()

    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 5
        cols = {t: {c["name"] for c in sa.inspect(store.engine).get_columns(t)}
                for t in ("sessions", "source_sessions")}
        assert all("duration_estimated" in c for c in cols.values())
        df = store.sessions()
        assert df["session_id"].tolist() == ["s1"]
        assert df["duration_estimated"].tolist() == [False]
        assert df["title"].tolist() == ["Easy"]
        # new imports into the upgraded database keep their flag
        store.import_report(report("ana", "generic_csv", [datetime(2024, 4, 3, 7, 0)],
                                   distance_m=5000.0, duration_estimated=True), athlete="ana")
        assert store.sessions().sort_values("start")["duration_estimated"].tolist() == \
            [False, True]


def test_backup_and_restore_keep_the_flag(store: Store, db_url: str, tmp_path: Path) -> None:
    store.import_report(report("cy", "generic_csv", days("2024-06-03", 2), distance_m=8000.0,
                               duration_estimated=[False, True]), athlete="cy")
    before = _flags(store, "cy")
    folder = store.backup(tmp_path / "backup")
    store.delete_athlete("cy")
    assert store.sessions(["cy"]).empty
    store.restore(folder)
    after = _flags(store, "cy")
    assert after.sort_index().tolist() == before.sort_index().tolist()
    assert sorted(after.tolist()) == [False, True]


def test_real_distance_only_runs_stay_marked_after_an_import(store: Store,
                                                             corpus_dir: Path) -> None:
    path = corpus_dir / MAPMYRUN
    rep = read_bytes(path.read_bytes(), path.name, ReadContext(athlete="mm", tz="UTC"))
    read_flags = rep.sessions.set_index("session_id")["duration_estimated"].astype(bool)
    store.import_report(rep, athlete="mm")
    stored = _flags(store, "mm")
    assert int(stored.sum()) == int(read_flags.sum()) > 0
    assert stored.reindex(read_flags.index).tolist() == read_flags.tolist()
