"""Schema versions: built from empty, upgraded from version 1 with data, newer refused."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import report

from stridewise.errors import StoreError
from stridewise.store import Store, resolve_url
from stridewise.store_schema import METADATA, SCHEMA_VERSION, build_metadata, migrate


def _layout(engine: sa.Engine) -> dict[str, tuple[set[str], set[str]]]:
    insp = sa.inspect(engine)
    return {t: ({c["name"] for c in insp.get_columns(t)},
                {i["name"] for i in insp.get_indexes(t)}) for t in insp.get_table_names()}


def test_empty_database_gets_the_current_layout(db_url: str) -> None:
    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION == 3
        layout = _layout(store.engine)
    assert set(layout) == set(METADATA.tables)
    for name, table in METADATA.tables.items():
        cols, idx = layout[name]
        assert cols == {c.name for c in table.c}, name
        assert {i.name for i in table.indexes} <= idx, name


def test_version_1_database_with_data_is_upgraded(db_url: str) -> None:
    url = resolve_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    v1 = build_metadata(1).tables
    t0 = datetime(2024, 4, 2, 7, 0)
    with engine.begin() as conn:
        assert migrate(conn, target=1) == 0
        conn.execute(sa.insert(v1["athletes"]).values(name="ana", group_name="", is_demo=False,
                                                      created_at=t0))
        conn.execute(sa.insert(v1["imports"]).values(import_id=1, athlete="ana",
                                                     file_name="old.csv", imported_at=t0))
        row = {"athlete": "ana", "start": t0, "sport": "trail_run", "title": "Hills",
               "area": "", "duration_s": 3600.0, "moving_s": 3500.0, "distance_m": 9000.0,
               "sets": "[]", "source": "strava_csv", "source_file": "old.csv",
               "source_id": "77"}
        conn.execute(sa.insert(v1["source_sessions"]).values(
            source_session_id="s1", session_id="s1", first_import_id=1, **row))
        conn.execute(sa.insert(v1["import_sessions"]).values(import_id=1, source_session_id="s1"))
        conn.execute(sa.insert(v1["sessions"]).values(session_id="s1", import_id=1, **row))
        conn.execute(sa.text("UPDATE meta SET value = 5 WHERE key = 'data_version'"))
    assert "family" not in _layout(engine)["sessions"][0]
    engine.dispose()

    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.version() == 6  # the upgrade is a write
        layout = _layout(store.engine)
        assert {"family", "sources"} <= layout["sessions"][0]
        assert "ix_sessions_match" in layout["sessions"][1]
        df = store.sessions()
        assert df["session_id"].tolist() == ["s1"] and df["sources"].tolist() == ["strava_csv"]
        assert df["title"].tolist() == ["Hills"] and df["moving_s"].tolist() == [3500.0]
        with store.engine.connect() as conn:
            fam = conn.execute(sa.text("SELECT family FROM sessions")).scalar_one()
        assert fam == "run"  # back-filled from the sport
        # the back-filled columns drive cross-source merging of new imports
        res = store.import_report(report("ana", "garmin_csv", [t0], sport="run", title="",
                                         avg_hr=140.0), athlete="ana")
        assert res.merged == 1
        df = store.sessions()
        assert len(df) == 1 and df["sources"].iloc[0] == "garmin_csv, strava_csv"
        assert df["avg_hr"].iloc[0] == 140.0 and df["title"].iloc[0] == "Hills"
        assert store.remove_import(1) == 0 and len(store.sessions()) == 1


def test_newer_database_is_refused(db_url: str) -> None:
    with Store(db_url) as store:
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE schema_version SET version = 99"))
    with pytest.raises(StoreError, match="newer Stridewise"):
        Store(db_url)


def test_opening_twice_migrates_once(db_url: str) -> None:
    with Store(db_url) as a:
        v = a.version()
    with Store(db_url) as b:
        assert b.version() == v and b.schema_version() == SCHEMA_VERSION
        with b.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar() == 1
