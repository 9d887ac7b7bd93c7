"""Derived per-athlete tables: the same numbers as the pipeline, kept per athlete by every write,
built by the migration for stores of an earlier schema; session counts kept, not recounted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from store_helpers import days, report

from stridewise import pipeline
from stridewise.settings import Settings
from stridewise.store import Store, resolve_url
from stridewise.store_schema import SCHEMA_VERSION, build_metadata, migrate
from stridewise.ui import summary

TODAY = date(2024, 4, 30)  # more than 14 days after the last session: an archive


def _fill(store: Store) -> None:
    store.upsert_athlete("ana", group="Road", hr_max=190.0, hr_rest=50.0, sex="female")
    store.upsert_athlete("bo", group="Track")
    store.import_report(report("ana", "strava_csv", days("2024-01-01", 60), sport="run",
                               distance_m=10_000.0, avg_hr=150.0, rpe=5.0), athlete="ana")
    store.import_report(report("ana", "garmin_csv", days("2024-01-03", 20, hour=18,
                                                          step_days=3),
                               sport="strength", duration_s=2400.0), athlete="ana")
    store.import_report(report("bo", "strava_csv", days("2024-02-01", 50), sport="run",
                               distance_m=8_000.0), athlete="bo")
    store.upsert_athlete("cy")  # an athlete without sessions


def _expected(store: Store, as_of: date) -> pipeline.Analysis:
    return pipeline.analyse_store(store, end=pd.Timestamp(as_of))


def test_derived_tables_hold_the_pipelines_numbers(store: Store) -> None:
    _fill(store)
    snap = store.squad_snapshot(TODAY)
    last = pd.Timestamp(store.sessions()["start"].max()).date()
    assert (snap.as_of, snap.stale) == (last, True)  # an archive: nothing in the last 14 days
    full = _expected(store, snap.as_of)
    settings = Settings()
    athletes = store.athletes()
    got = summary.roster(snap.analysis, athletes, snap.as_of, settings)
    want = summary.roster(full, athletes, snap.as_of, settings)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
    assert set(got["athlete"]) == {"ana", "bo", "cy"}
    pd.testing.assert_frame_equal(store.weekly_volume(until=snap.as_of),
                                  full.weekly.reset_index(drop=True))
    since = date(2024, 3, 1)
    w = store.weekly_volume(["bo"], since, snap.as_of)
    assert set(w["athlete"]) == {"bo"} and (w["week"] > pd.Timestamp(since)).all()
    pd.testing.assert_frame_equal(
        w, full.weekly.loc[(full.weekly["athlete"] == "bo")
                           & (full.weekly["week"] > pd.Timestamp(since))].reset_index(drop=True))
    daily = store.daily_metrics(["ana"], snap.as_of)
    pd.testing.assert_frame_equal(daily, full.risk.loc[full.risk["athlete"] == "ana"]
                                  .reset_index(drop=True), check_dtype=False)


def test_a_write_recomputes_only_the_athletes_it_touches(store: Store) -> None:
    _fill(store)
    store.squad_snapshot(TODAY)
    before = store.athlete_versions()
    with store.engine.connect() as conn:
        stamp = dict(conn.execute(sa.text("SELECT athlete, computed_at FROM derived_roster")).all())
    # evening runs inside bo's span (the squad's latest session, its as-of day, stays put)
    store.import_report(report("bo", "strava_csv", days("2024-03-10", 3, hour=19), sport="run",
                               distance_m=30_000.0), athlete="bo")
    after = store.athlete_versions()
    assert after["bo"] > before["bo"]
    assert after["ana"] == before["ana"] and after["cy"] == before["cy"]
    with store.engine.connect() as conn:
        now = dict(conn.execute(sa.text("SELECT athlete, computed_at FROM derived_roster")).all())
    assert now["ana"] == stamp["ana"] and now["bo"] != stamp["bo"]
    snap = store.squad_snapshot(TODAY)
    assert snap.refreshed == 0  # already current: computed inside the import's transaction
    full = _expected(store, snap.as_of)
    assert store.daily_metrics(["bo"], snap.as_of)["load"].sum() == full.risk.loc[
        full.risk["athlete"] == "bo", "load"].sum()
    pd.testing.assert_frame_equal(store.weekly_volume(until=snap.as_of),
                                  full.weekly.reset_index(drop=True))


def test_edits_profile_changes_and_settings_reach_the_derived_tables(store: Store) -> None:
    _fill(store)
    snap = store.squad_snapshot(TODAY)
    sid = store.sessions(["ana"])["session_id"].iloc[-1]
    v = store.athlete_versions()["ana"]
    store.set_override(sid, area="flexibility")
    assert store.athlete_versions()["ana"] == v + 1
    w = store.weekly_volume(["ana"], until=snap.as_of)
    full = _expected(store, snap.as_of)
    pd.testing.assert_frame_equal(w, full.weekly.loc[full.weekly["athlete"] == "ana"]
                                  .reset_index(drop=True))
    assert w.loc[w["area"] == "flexibility", "sessions"].sum() == 1
    store.upsert_athlete("bo", hr_max=195.0, hr_rest=45.0)
    assert store.squad_snapshot(TODAY).refreshed == 0
    daily = store.daily_metrics(["bo"], snap.as_of)
    full = _expected(store, snap.as_of)
    pd.testing.assert_frame_equal(daily, full.risk.loc[full.risk["athlete"] == "bo"]
                                  .reset_index(drop=True), check_dtype=False)
    # a settings change alters every athlete's basis: all are recomputed inside the save, so
    # the next reader finds them current
    store.save_settings({"targets": {"strength": 3}})
    snap = store.squad_snapshot(TODAY)
    assert snap.refreshed == 0
    full = _expected(store, snap.as_of)
    got = summary.roster(snap.analysis, store.athletes(), snap.as_of,
                         Settings.from_dict(store.settings()))
    want = summary.roster(full, store.athletes(), snap.as_of, Settings.from_dict(store.settings()))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
    assert (snap.analysis.balance.loc[snap.analysis.balance["area"] == "strength",
                                      "target_per_week"] == 3).all()


def test_session_counts_are_kept_by_every_write(store: Store) -> None:
    _fill(store)
    counts = dict(zip(store.athletes()["name"], store.athletes()["sessions"], strict=True))
    assert counts == {"ana": 80, "bo": 50, "cy": 0}
    res = store.import_report(report("cy", "strava_csv", days("2024-01-01", 4)), athlete="cy")
    assert dict(zip(store.athletes()["name"], store.athletes()["sessions"],
                    strict=True))["cy"] == 4
    store.remove_import(res.import_id)
    assert dict(zip(store.athletes()["name"], store.athletes()["sessions"],
                    strict=True))["cy"] == 0
    store.delete_athlete("bo")
    assert store.athletes()["name"].tolist() == ["ana", "cy"]
    with store.engine.connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM derived_weekly WHERE athlete = 'bo'"))
        assert left.scalar() == 0
    assert set(store.squad_snapshot(TODAY).analysis.balance["athlete"]) == {"ana"}


def test_version_2_store_gets_counts_and_derived_tables(db_url: str) -> None:
    url = resolve_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    v2 = build_metadata(2).tables
    t0 = datetime(2024, 4, 2, 7, 0)
    with engine.begin() as conn:
        migrate(conn, target=2)
        conn.execute(sa.insert(v2["athletes"]).values(name="ana", group_name="", is_demo=False,
                                                      created_at=t0))
        conn.execute(sa.insert(v2["imports"]).values(import_id=1, athlete="ana",
                                                     file_name="old.csv", imported_at=t0))
        for k in range(3):
            row = {"athlete": "ana", "start": t0 + pd.Timedelta(days=k), "sport": "run",
                   "title": "Run", "area": "", "duration_s": 3600.0, "moving_s": 3500.0,
                   "distance_m": 9000.0, "sets": "[]", "source": "strava_csv",
                   "source_file": "old.csv", "source_id": str(k)}
            conn.execute(sa.insert(v2["source_sessions"]).values(
                source_session_id=f"s{k}", session_id=f"s{k}", first_import_id=1, **row))
            conn.execute(sa.insert(v2["import_sessions"]).values(import_id=1,
                                                                 source_session_id=f"s{k}"))
            conn.execute(sa.insert(v2["sessions"]).values(session_id=f"s{k}", import_id=1,
                                                          family="run", sources="strava_csv",
                                                          **row))
    engine.dispose()
    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.athletes()["sessions"].tolist() == [3]
        with store.engine.connect() as conn:
            n = conn.execute(sa.text("SELECT count(*) FROM derived_roster")).scalar()
            idx = {i["name"] for i in sa.inspect(conn).get_indexes("source_sessions")}
        assert n == 1 and "ix_source_sessions_import" in idx
        assert store.squad_snapshot(date(2024, 4, 30)).refreshed == 0  # built by the migration
        w = store.weekly_volume(["ana"])
        assert w.loc[w["area"] == "endurance", "sessions"].sum() == 3


def test_a_new_day_reads_the_stored_rows_until_their_horizon(store: Store) -> None:
    from stridewise.derived import HORIZON_DAYS

    _fill(store)
    last = pd.Timestamp(store.sessions()["start"].max()).date()
    # the imports computed the rows from the squad's day of then (its latest session) on
    settings = Settings()
    athletes = store.athletes()
    for k in (2, 5, 14):  # later days, the squad still current (not stale): no recomputation
        day = last + pd.Timedelta(days=k).to_pytimedelta()
        snap = store.squad_snapshot(day)
        assert (snap.as_of, snap.stale, snap.refreshed) == (day, False, 0)
        full = _expected(store, day)
        got = summary.roster(snap.analysis, athletes, day, settings)
        want = summary.roster(full, athletes, day, settings)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
        pd.testing.assert_frame_equal(snap.analysis.balance.reset_index(drop=True),
                                      full.balance.reset_index(drop=True))
        pd.testing.assert_frame_equal(store.weekly_volume(until=day),
                                      full.weekly.reset_index(drop=True))
    # past the horizon the rows are computed again, once
    with store.engine.connect() as conn:
        until = dict(conn.execute(sa.text("SELECT athlete, valid_until FROM derived_roster"))
                     .all())
    until = {k: pd.Timestamp(v).date() for k, v in until.items()}
    horizon = pd.Timedelta(days=HORIZON_DAYS).to_pytimedelta()
    assert all(u >= last - pd.Timedelta(days=60).to_pytimedelta() + horizon
               for u in until.values())
    later = max(until.values()) + pd.Timedelta(days=5).to_pytimedelta()
    store.import_report(report("bo", "strava_csv", days(str(later), 1, hour=6), sport="run",
                               distance_m=5_000.0), athlete="bo")  # bo: computed by the import
    snap = store.squad_snapshot(later + pd.Timedelta(days=1).to_pytimedelta())
    assert snap.refreshed == 2 and not snap.stale  # ana and cy, whose rows ended before
    assert store.squad_snapshot(later + pd.Timedelta(days=2).to_pytimedelta()).refreshed == 0


def test_weekly_totals_are_the_stored_weeks_summed_over_athletes(store: Store) -> None:
    from stridewise import charts

    _fill(store)
    snap = store.squad_snapshot(TODAY)
    since = date(2024, 1, 20)
    rows = store.weekly_volume(["ana", "bo"], since, snap.as_of)
    want = rows.groupby(["week", "area"], sort=False, as_index=False)[
        ["sessions", "minutes", "distance_km", "load"]].sum()
    for who in (None, ["ana", "bo", "cy"]):
        got = store.weekly_totals(who, since, snap.as_of)
        assert got.attrs["athletes"] == 2  # cy has no sessions, so no weeks
        assert len(got) == len(want) and (got["week"] > pd.Timestamp(since)).all()
        merged = got.merge(want, on=["week", "area"], suffixes=("", "_want"))
        assert len(merged) == len(want)
        for c in ("sessions", "minutes", "distance_km", "load"):
            assert (merged[c] - merged[c + "_want"]).abs().max() < 1e-9
    only_bo = store.weekly_totals(["bo"], since, snap.as_of)
    assert only_bo.attrs["athletes"] == 1
    # the squad chart of the totals draws what it draws from the per-athlete rows
    a = charts.squad_volume_chart(rows, per_athlete=True)
    b = charts.squad_volume_chart(store.weekly_totals(None, since, snap.as_of), per_athlete=True)
    assert [len(t.y) for t in a.data] == [len(t.y) for t in b.data]
    assert [float(y) for t in a.data for y in t.y] == pytest.approx(
        [float(y) for t in b.data for y in t.y])
    assert [t.name for t in a.data] == [t.name for t in b.data]
