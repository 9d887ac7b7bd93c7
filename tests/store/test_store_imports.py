"""Imports into the store: idempotence, overlap, cross-source merge, overrides, removal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from store_helpers import days, report, shifted

from stridewise.errors import UsageError
from stridewise.ingest.base import SkippedRow
from stridewise.schema import COLUMNS
from stridewise.store import Store


def test_first_import_adds_every_session(store: Store) -> None:
    rep = report("ana", "strava_csv", days("2024-03-01", 12), distance_m=10_000.0)
    res = store.import_report(rep, athlete="ana")
    assert (res.added, res.merged, res.unchanged, res.updated) == (12, 0, 0, 0)
    df = store.sessions()
    assert len(df) == 12
    assert list(df.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert set(df["session_id"]) == set(rep.sessions["session_id"])
    assert df["start"].is_monotonic_increasing
    assert (df["import_id"] == res.import_id).all()
    assert (df["area_override"] == "").all() and (df["notes"] == "").all()
    assert df["distance_m"].eq(10_000.0).all()
    assert "12 new" in res.summary()


def test_same_file_twice_changes_nothing(store: Store) -> None:
    rep = report("ana", "strava_csv", days("2024-03-01", 5))
    first = store.import_report(rep, athlete="ana")
    before = store.table_frames()
    v = store.version()
    again = store.import_report(rep, athlete="ana")
    assert again.already_imported and again.import_id == first.import_id
    assert again.added == 0 and again.unchanged == 5
    assert "already imported" in again.summary()
    assert store.version() == v
    after = store.table_frames()
    for name, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[name], obj=name)


def test_same_content_for_another_athlete_is_a_new_import(store: Store) -> None:
    rep = report("ana", "strava_csv", days("2024-03-01", 5))
    store.import_report(rep, athlete="ana")
    res = store.import_report(rep, athlete="ben")
    assert res.added == 5 and not res.already_imported
    df = store.sessions()
    assert df.groupby("athlete").size().to_dict() == {"ana": 5, "ben": 5}
    assert df["session_id"].is_unique  # ids are per athlete


def test_overlapping_exports_give_no_duplicates(store: Store) -> None:
    old = report("ana", "strava_csv", days("2023-01-01", 300), file_name="2023.csv")
    new = report("ana", "strava_csv", days("2023-06-01", 400), file_name="2025.csv")
    r1 = store.import_report(old, athlete="ana")
    r2 = store.import_report(new, athlete="ana")
    overlap = len(set(old.sessions["session_id"]) & set(new.sessions["session_id"]))
    assert overlap == 300 - 151
    assert (r2.added, r2.unchanged, r2.merged) == (400 - overlap, overlap, 0)
    df = store.sessions()
    assert len(df) == 300 + 400 - overlap
    assert df["session_id"].is_unique
    assert r1.added == 300


def test_changed_values_in_a_newer_export_update_the_session(store: Store) -> None:
    starts = days("2024-01-01", 3)
    store.import_report(report("ana", "strava_csv", starts, title="Run"), athlete="ana")
    res = store.import_report(report("ana", "strava_csv", starts, title=["Run", "Tempo", "Run"],
                                     calories=[np.nan, 500.0, np.nan]), athlete="ana")
    assert (res.updated, res.unchanged, res.added) == (1, 2, 0)
    df = store.sessions()
    assert df["title"].tolist() == ["Run", "Tempo", "Run"]
    assert df["calories"].iloc[1] == 500.0 and np.isnan(df["calories"].iloc[0])


def test_same_session_from_two_sources_is_merged_keeping_richer_fields(store: Store) -> None:
    starts = days("2024-05-01", 6)
    strava = report("ana", "strava_csv", starts, title="Morning Run", distance_m=10_000.0,
                    rpe=6.0, duration_s=3600.0)
    garmin = report("ana", "garmin_csv", shifted(starts, 90), sport="trail_run",
                    title="", distance_m=10_050.0, avg_hr=148.0, max_hr=171.0,
                    duration_s=3620.0, calories=700.0)
    r1 = store.import_report(strava, athlete="ana")
    r2 = store.import_report(garmin, athlete="ana")
    assert r2.merged == 6 and r2.added == 0
    df = store.sessions()
    assert len(df) == 6
    # the merged session keeps its first id, so overrides keep pointing at it
    assert set(df["session_id"]) == set(strava.sessions["session_id"])
    row = df.iloc[0]
    assert row["sources"] == "garmin_csv, strava_csv"
    assert row["source"] == "garmin_csv"  # the source with heart rate leads
    assert row["sport"] == "trail_run" and row["start"] == starts[0] + pd.Timedelta(seconds=90)
    assert row["avg_hr"] == 148.0 and row["calories"] == 700.0 and row["distance_m"] == 10_050.0
    assert row["title"] == "Morning Run"  # non-empty wins over the empty Garmin title
    assert row["rpe"] == 6.0  # only Strava has it
    assert row["import_id"] == r1.import_id


def test_source_with_sets_leads_the_merge(store: Store) -> None:
    start = days("2024-05-01", 1, hour=18)
    sets = '[{"exercise":"squat","category":"squat","reps":8,"weight_kg":60,"seconds":40}]'
    store.import_report(report("ana", "strava_csv", start, sport="strength", title="Gym",
                               avg_hr=110.0, duration_s=2700.0), athlete="ana")
    store.import_report(report("ana", "fit", shifted(start, -30), sport="strength", title="",
                               sets=sets, duration_s=2650.0), athlete="ana")
    df = store.sessions()
    assert len(df) == 1
    assert df["source"].iloc[0] == "fit" and df["sets"].iloc[0] == sets
    assert df["title"].iloc[0] == "Gym" and df["avg_hr"].iloc[0] == 110.0


@pytest.mark.parametrize(("shift_s", "sport", "duration_s", "merged"), [
    (299, "walk", 3600.0 * 1.1, True),    # run family, just inside both limits
    (301, "run", 3600.0, False),          # starts more than 5 minutes apart
    (0, "run", 3600.0 * 1.12, False),     # durations 12 % apart
    (0, "ride", 3600.0, False),           # a ride is never a run
    (0, "strength", 3600.0, False),
])
def test_merge_needs_close_start_same_family_similar_duration(
        store: Store, shift_s: float, sport: str, duration_s: float, merged: bool) -> None:
    start = days("2024-05-01", 1)
    store.import_report(report("ana", "strava_csv", start, duration_s=3600.0), athlete="ana")
    res = store.import_report(report("ana", "garmin_csv", shifted(start, shift_s), sport=sport,
                                     duration_s=duration_s), athlete="ana")
    assert (res.merged, res.added) == ((1, 0) if merged else (0, 1))
    assert len(store.sessions()) == (1 if merged else 2)


def test_sessions_of_one_source_are_never_merged_with_each_other(store: Store) -> None:
    start = days("2024-05-01", 1)
    store.import_report(report("ana", "strava_csv", start), athlete="ana")
    # another Strava activity two minutes later (e.g. a second recording): a separate session
    res = store.import_report(report("ana", "strava_csv", shifted(start, 120)), athlete="ana")
    assert res.added == 1
    # a Garmin copy merges into exactly one of them, the nearer
    res = store.import_report(report("ana", "garmin_csv", shifted(start, 100)), athlete="ana")
    assert res.merged == 1
    df = store.sessions()
    assert len(df) == 2
    assert df["sources"].tolist() == ["strava_csv", "garmin_csv, strava_csv"]


def test_other_athletes_sessions_are_never_merged(store: Store) -> None:
    start = days("2024-05-01", 3)
    store.import_report(report("ana", "strava_csv", start), athlete="ana")
    res = store.import_report(report("ben", "garmin_csv", start), athlete="ben")
    assert res.added == 3 and res.merged == 0


def test_overrides_survive_reimport_and_merges(store: Store) -> None:
    starts = days("2024-05-01", 4)
    strava = report("ana", "strava_csv", starts, rpe=5.0)
    r1 = store.import_report(strava, athlete="ana")
    sid = store.sessions()["session_id"].iloc[1]
    store.set_override(sid, area="strength", rpe=8, notes="felt heavy")
    store.remove_import(r1.import_id)
    assert store.sessions().empty and store.overrides().empty  # removed with the session
    store.import_report(strava, athlete="ana")
    store.set_override(sid, area="strength", rpe=8, notes="felt heavy")
    # same activities again in a newer export with other values, and a Garmin copy
    store.import_report(report("ana", "strava_csv", starts, rpe=3.0, title="x"), athlete="ana")
    store.import_report(report("ana", "garmin_csv", shifted(starts, 30), avg_hr=150.0),
                        athlete="ana")
    df = store.sessions().set_index("session_id")
    assert len(df) == 4
    assert df.loc[sid, "area_override"] == "strength"
    assert df.loc[sid, "rpe"] == 8.0 and df.loc[sid, "rpe_override"] == 8.0
    assert df.loc[sid, "notes"] == "felt heavy"
    others = df.drop(index=sid)
    assert (others["rpe"] == 3.0).all() and (others["area_override"] == "").all()


def test_remove_import_removes_exactly_its_sessions(store: Store) -> None:
    a = report("ana", "strava_csv", days("2024-01-01", 10), file_name="a.csv")
    b = report("ana", "strava_csv", days("2024-01-06", 10), file_name="b.csv")
    other = report("ben", "strava_csv", days("2024-01-01", 10))
    ra = store.import_report(a, athlete="ana")
    rb = store.import_report(b, athlete="ana")
    store.import_report(other, athlete="ben")
    assert store.remove_import(ra.import_id) == 5  # 5 of a's sessions are also in b
    df = store.sessions(["ana"])
    assert set(df["session_id"]) == set(b.sessions["session_id"])
    # the shared sessions now belong to import b
    assert (df["import_id"] == rb.import_id).all()
    assert len(store.sessions(["ben"])) == 10
    assert store.imports()["import_id"].tolist() == [3, rb.import_id]
    assert store.remove_import(rb.import_id) == 10
    assert store.sessions(["ana"]).empty and len(store.sessions()) == 10
    with pytest.raises(UsageError, match="no import number 99"):
        store.remove_import(99)


def test_removing_one_source_of_a_merged_session_rebuilds_it(store: Store) -> None:
    starts = days("2024-05-01", 3)
    rs = store.import_report(report("ana", "strava_csv", starts, title="Tempo"), athlete="ana")
    rg = store.import_report(report("ana", "garmin_csv", shifted(starts, 60), avg_hr=150.0),
                             athlete="ana")
    sid = store.sessions()["session_id"].iloc[0]
    store.set_override(sid, notes="keep me")
    assert store.remove_import(rg.import_id) == 0
    df = store.sessions()
    assert len(df) == 3 and df["avg_hr"].isna().all()
    assert (df["sources"] == "strava_csv").all() and (df["start"] == starts).all()
    assert df.set_index("session_id").loc[sid, "notes"] == "keep me"
    # and the other way round: the Garmin data remain when Strava's import goes
    store.import_report(report("ana", "garmin_csv", shifted(starts, 60), avg_hr=150.0),
                        athlete="ana")
    assert store.remove_import(rs.import_id) == 0
    df = store.sessions()
    assert (df["sources"] == "garmin_csv").all() and (df["avg_hr"] == 150.0).all()
    assert set(df["session_id"]) == set(report("ana", "strava_csv", starts)
                                        .sessions["session_id"])
    # re-importing Strava joins the surviving sessions again (same ids, no duplicates)
    store.import_report(report("ana", "strava_csv", starts, title="Tempo"), athlete="ana")
    df = store.sessions()
    assert len(df) == 3 and (df["sources"] == "garmin_csv, strava_csv").all()
    assert df.set_index("session_id").loc[sid, "notes"] == "keep me"


def test_imports_list_counts_and_detail(store: Store) -> None:
    rep = report("ana", "strava_csv", days("2024-01-01", 4))
    rep.skipped.append(SkippedRow(7, "no date"))
    res = store.import_report(rep, athlete="ana")
    imp = store.imports("ana")
    assert imp.columns.tolist()[:8] == ["import_id", "athlete", "file_name", "content_sha1",
                                        "format", "imported_at", "sessions", "added"]
    row = imp.iloc[0]
    assert row["sessions"] == 4 and row["added"] == 4 and row["skipped"] == 1
    assert row["content_sha1"] == rep.content_sha1 and row["assumptions"] == \
        "strava_csv assumption"
    detail = store.import_detail(res.import_id)
    assert detail["skipped_rows"] == [{"row": 7, "reason": "no date"}]
    assert store.imports("nobody").empty


def test_athlete_argument_renames_and_rederives_ids(store: Store) -> None:
    rep = report("me", "strava_csv", days("2024-01-01", 3))
    store.import_report(rep, athlete="Cara")
    direct = report("Cara", "strava_csv", days("2024-01-01", 3))
    df = store.sessions()
    assert (df["athlete"] == "Cara").all()
    assert set(df["session_id"]) == set(direct.sessions["session_id"])
    assert store.athletes()["name"].tolist() == ["Cara"]


def test_empty_report_is_recorded_and_bad_input_refused(store: Store) -> None:
    rep = report("ana", "strava_csv", [])
    res = store.import_report(rep, athlete="ana")
    assert res.added == 0 and len(store.imports()) == 1
    with pytest.raises(UsageError, match="needs a name"):
        store.import_report(report("ana", "strava_csv", days("2024-01-01", 1)), athlete="  ")
    with pytest.raises(UsageError, match="sessions table"):
        store.import_report(object(), athlete="ana")


def test_import_reports_imports_each(store: Store) -> None:
    reps = [report("ana", "strava_csv", days("2024-01-01", 3)),
            report("ana", "garmin_csv", days("2024-02-01", 2))]
    results = store.import_reports(reps, athlete="ana")
    assert [r.added for r in results] == [3, 2]
    assert len(store.sessions()) == 5


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_merged_content_does_not_depend_on_import_order(store: Store, order: tuple) -> None:
    starts = days("2024-05-01", 8, step_days=2)
    sets = '[{"exercise":"plank","category":"core","reps":null,"weight_kg":null,"seconds":60}]'
    reports = [
        report("ana", "strava_csv", starts, title="Evening", rpe=5.0, distance_m=7000.0),
        report("ana", "garmin_csv", shifted(starts, 65), title="", avg_hr=139.0,
               duration_s=3500.0),
        report("ana", "fit", shifted(starts, -40), title="", sets=sets, max_hr=170.0,
               duration_s=3650.0),
    ]
    for i in order:
        store.import_report(reports[i], athlete="ana")
    df = store.sessions()
    assert len(df) == 8
    assert (df["sources"] == "fit, garmin_csv, strava_csv").all()
    assert (df["source"] == "fit").all() and (df["sets"] == sets).all()
    assert (df["start"] == shifted(starts, -40)).all()
    assert (df["title"] == "Evening").all() and (df["rpe"] == 5.0).all()
    assert (df["avg_hr"] == 139.0).all() and (df["max_hr"] == 170.0).all()
    assert (df["distance_m"] == 7000.0).all() and (df["duration_s"] == 3650.0).all()
    first = reports[order[0]].sessions["session_id"]
    assert set(df["session_id"]) == set(first)  # the first arrival names the session


def test_session_sources_lists_every_contributing_record(store: Store) -> None:
    starts = days("2024-05-01", 2)
    r1 = store.import_report(report("ana", "strava_csv", starts, file_name="a.csv"),
                             athlete="ana")
    r2 = store.import_report(report("ana", "strava_csv", starts, file_name="b.csv",
                                    content="again"), athlete="ana")
    r3 = store.import_report(report("ana", "fit", shifted(starts, 20), avg_hr=141.0,
                                    file_name="x.fit"), athlete="ana")
    sid = store.sessions()["session_id"].iloc[0]
    src = store.session_sources(sid)
    assert src["source"].tolist() == ["fit", "strava_csv"]
    assert src["import_ids"].tolist() == [str(r3.import_id),
                                          f"{r1.import_id}, {r2.import_id}"]
    assert src["source_file"].tolist() == ["x.fit", "a.csv"]  # unchanged: first file kept
    assert src["avg_hr"].iloc[0] == 141.0 and src["start"].iloc[1] == starts[0]
    assert store.session_sources("nope").empty


def test_one_file_holding_two_sources_merges_them(store: Store) -> None:
    """A Strava export zip carries activities.csv rows and the same activities' FIT files."""
    starts = days("2024-05-01", 4)
    csv = report("ana", "strava_csv", starts, title="Run")
    fit = report("ana", "fit", shifted(starts, 2), title="", avg_hr=150.0)
    both = report("ana", "strava_csv", [])
    both.sessions = pd.concat([csv.sessions, fit.sessions], ignore_index=True)
    res = store.import_report(both, athlete="ana")
    assert (res.added, res.merged) == (4, 4)
    df = store.sessions()
    assert len(df) == 4 and (df["sources"] == "fit, strava_csv").all()
    assert (df["avg_hr"] == 150.0).all() and (df["title"] == "Run").all()
    assert store.remove_import(res.import_id) == 4 and store.sessions().empty
