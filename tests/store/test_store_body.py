"""Check-ins, niggles and niggle updates in the store (SQLite and PostgreSQL): writes, reads,
refusals, the derived roster following a niggle, migration from version 6, backup/restore."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from store_helpers import report

from stridewise.errors import UsageError
from stridewise.store import Store, resolve_url
from stridewise.store_schema import SCHEMA_VERSION, build_metadata, migrate

TODAY = date.today()


def _runner(store: Store, name: str = "ana", days: int = 40) -> None:
    """Easy, steady runs every other day up to today: a low level from the load alone."""
    starts = [datetime.combine(TODAY - timedelta(days=d), datetime.min.time()).replace(hour=7)
              for d in range(days, -1, -2)]
    store.upsert_athlete(name)
    store.import_report(report(name, "strava_csv", starts, distance_m=8000.0, rpe=4.0,
                               duration_s=2700.0), athlete=name)


def _roster_row(store: Store, name: str) -> pd.Series:
    snap = store.squad_snapshot(TODAY)
    risk = snap.analysis.risk
    rows = risk.loc[risk["athlete"] == name]
    return rows.loc[pd.to_datetime(rows["date"]).idxmax()]


def test_checkins_are_saved_replaced_and_kept_apart_from_watch_values(store: Store) -> None:
    store.upsert_athlete("ana")
    v = store.version()
    store.save_checkin("ana", TODAY, {"sleep": 2, "fatigue": 3, "resting_hr_bpm": 51})
    assert store.version() > v
    store.save_checkin("ana", TODAY, {"sleep": 4, "mood": 5}, note="fine")  # same day: replaced
    c = store.checkins(["ana"])
    assert len(c) == 1
    row = c.iloc[0]
    assert (row["sleep"], row["mood"], row["note"]) == (4, 5, "fine")
    assert pd.isna(row["fatigue"]) and pd.isna(row["resting_hr_bpm"])
    assert store.wellness(["ana"]).empty  # the watch table is untouched
    store.delete_checkin("ana", TODAY)
    assert store.checkins(["ana"]).empty


@pytest.mark.parametrize(("values", "message"), [
    ({"sleep": 6}, "Sleep quality must be a whole number from 1 to 5"),
    ({"mood": 2.5}, "Mood must be a whole number from 1 to 5"),
    ({"resting_hr_bpm": 300}, "between 25 and 220 bpm"),
    ({}, "at least one answer"),
])
def test_bad_checkins_are_refused_with_one_sentence(store: Store, values, message) -> None:
    store.upsert_athlete("ana")
    with pytest.raises(UsageError, match=message):
        store.save_checkin("ana", TODAY, values)
    assert store.checkins().empty


def test_niggles_with_daily_updates(store: Store) -> None:
    store.upsert_athlete("ana")
    onset = TODAY - timedelta(days=5)
    nid = store.add_niggle("ana", region="ankle_achilles", side="right", onset=onset, pain=3,
                           effect="none")
    store.update_niggle("ana", nid, day=TODAY - timedelta(days=2), pain=5, effect="modified")
    store.update_niggle("ana", nid, day=TODAY - timedelta(days=2), pain=6, effect="modified")
    n = store.niggles(["ana"])
    assert n[["niggle_id", "region", "side"]].values.tolist() == [[nid, "ankle_achilles",
                                                                    "right"]]
    assert n["onset"].iloc[0] == pd.Timestamp(onset) and pd.isna(n["resolved"].iloc[0])
    u = store.niggle_updates(["ana"])
    assert u["pain"].tolist() == [3.0, 6.0]  # the onset update, then the day's (replaced) one
    assert u["effect"].tolist() == ["none", "modified"]
    store.resolve_niggle("ana", nid, TODAY)
    assert store.niggles()["resolved"].iloc[0] == pd.Timestamp(TODAY)
    with pytest.raises(UsageError, match="before the niggle began"):
        store.update_niggle("ana", nid, day=onset - timedelta(days=1), pain=1, effect="none")
    with pytest.raises(UsageError, match="no niggle number 99"):
        store.update_niggle("ana", 99, day=TODAY, pain=1, effect="none")
    with pytest.raises(UsageError, match="body region"):
        store.add_niggle("ana", region="elbow", side="left", onset=TODAY, pain=1, effect="none")
    with pytest.raises(UsageError, match="Pain must be between 0 and 10"):
        store.add_niggle("ana", region="knee", side="left", onset=TODAY, pain=11,
                         effect="none")
    with pytest.raises(UsageError, match="no athlete named"):
        store.add_niggle("bob", region="knee", side="left", onset=TODAY, pain=1, effect="none")
    store.delete_niggle("ana", nid)
    assert store.niggles().empty and store.niggle_updates().empty


def test_the_roster_follows_a_niggle_at_once(store: Store) -> None:
    _runner(store)
    before = _roster_row(store, "ana")
    assert before["risk_level"] == "low"
    v = store.athlete_versions()["ana"]
    nid = store.add_niggle("ana", region="knee", side="left", onset=TODAY - timedelta(days=1),
                           pain=2, effect="modified")
    assert store.athlete_versions()["ana"] > v  # caches keyed on the athlete are invalid
    row = _roster_row(store, "ana")
    assert row["risk_level"] == "moderate"
    assert row["reasons"].startswith("left knee niggle since")
    assert row["reason_keys"].split(";")[0] == "symptoms"
    # a daily update below both thresholds: mentioned, no longer raising
    store.update_niggle("ana", nid, day=TODAY, pain=1, effect="none")
    row = _roster_row(store, "ana")
    assert row["risk_level"] == "low" and "left knee niggle" in row["reasons"]
    store.update_niggle("ana", nid, day=TODAY, pain=4, effect="none")  # pain alone
    assert _roster_row(store, "ana")["risk_level"] == "moderate"
    store.resolve_niggle("ana", nid, TODAY)  # over today: no longer active
    row = _roster_row(store, "ana")
    assert row["risk_level"] == "low" and "niggle" not in row["reasons"]


def test_deleting_an_athlete_removes_what_they_reported(store: Store) -> None:
    store.upsert_athlete("ana")
    store.upsert_athlete("bo")
    store.save_checkin("ana", TODAY, {"sleep": 3})
    store.add_niggle("ana", region="foot", side="left", onset=TODAY, pain=2, effect="none")
    store.add_niggle("bo", region="foot", side="left", onset=TODAY, pain=2, effect="none")
    store.delete_athlete("ana")
    assert store.checkins().empty
    assert store.niggles()["athlete"].tolist() == ["bo"]
    assert store.niggle_updates()["athlete"].tolist() == ["bo"]


def test_backup_and_restore_include_them(store: Store, tmp_path: Path) -> None:
    _runner(store)
    store.save_checkin("ana", TODAY, {"sleep": 2, "stress": 4, "resting_hr_bpm": 48.5})
    nid = store.add_niggle("ana", region="calf_shin", side="both",
                           onset=TODAY - timedelta(days=3), pain=5, effect="stopped")
    store.update_niggle("ana", nid, day=TODAY, pain=3, effect="modified", note="better")
    frames = store.table_frames()
    for t in ("checkins", "niggles", "niggle_updates"):
        assert len(frames[t]) >= 1, t
    store.backup(tmp_path / "bk")
    store.delete_athlete("ana")
    assert store.niggles().empty
    store.restore(tmp_path / "bk")
    after = store.table_frames()
    for t in ("checkins", "niggles", "niggle_updates"):
        pd.testing.assert_frame_equal(after[t].drop(columns=["updated_at", "created_at"],
                                                    errors="ignore"),
                                      frames[t].drop(columns=["updated_at", "created_at"],
                                                     errors="ignore"), check_dtype=False)
    assert _roster_row(store, "ana")["risk_level"] == "moderate"  # rebuilt with the niggle


def test_a_version_6_database_is_upgraded(db_url: str) -> None:
    url = resolve_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    v6 = build_metadata(6).tables
    with engine.begin() as conn:
        assert migrate(conn, target=6) == 0
        conn.execute(sa.insert(v6["athletes"]).values(name="ana", group_name="", is_demo=False,
                                                      created_at=datetime(2026, 1, 1)))
    assert "niggles" not in sa.inspect(engine).get_table_names()
    engine.dispose()
    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        tables = set(sa.inspect(store.engine).get_table_names())
        assert {"checkins", "niggles", "niggle_updates"} <= tables
        assert store.niggles().empty and store.checkins().empty
        store.add_niggle("ana", region="knee", side="none", onset=TODAY, pain=4, effect="none")
        assert store.niggles()["athlete"].tolist() == ["ana"]
