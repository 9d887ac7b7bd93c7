"""Sessions logged by hand, their merge with a later watch file (and the split that undoes it),
routines and batch RPE: on SQLite and PostgreSQL; the version-7 migration and backup/restore."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from store_helpers import report

from stridewise.errors import UsageError
from stridewise.exercises import Routine, RoutineItem, starter_routines
from stridewise.ingest import ReadContext, read_bytes
from stridewise.schema import parse_sets
from stridewise.store import Store, resolve_url
from stridewise.store_schema import SCHEMA_VERSION, build_metadata, migrate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402

ZONE = "Europe/Berlin"
DAY = datetime(2026, 12, 1)
STABILITY = next(r for r in starter_routines() if r.name == "Stability 15 min")


def _fit_strength(start_utc: datetime, seconds: float, avg_hr: int = 112) -> bytes:
    """A FIT file of one strength-training session (sport training, sub-sport strength)."""
    return fb.activity([{"start": start_utc, "sport": 10, "sub_sport": 20, "elapsed": seconds,
                         "avg_hr": avg_hr, "max_hr": 140, "calories": 90}]).bytes()


def _import_fit(store: Store, data: bytes, name: str = "strength.fit"):
    rep = read_bytes(data, name, ReadContext(athlete="ana", tz=ZONE))
    return store.import_report(rep, athlete="ana", tz=ZONE)


def _log(store: Store, **kw):
    args = {"duration_s": 900.0, "sport": "strength", "area": "stability",
            "start": DAY.replace(hour=18), "rpe": 6.0, "title": "Stability 15 min",
            "notes": "left hip tight", "sets": STABILITY.set_records()}
    args.update(kw)
    return store.add_manual_session("ana", **args)


@pytest.fixture
def ana(store: Store) -> Store:
    store.upsert_athlete("ana", tz=ZONE)
    return store


def test_manual_session_is_stored_with_area_notes_and_sets(ana: Store) -> None:
    res = _log(ana)
    s = ana.sessions(["ana"])
    assert len(s) == 1
    row = s.iloc[0]
    assert row["session_id"] == res.session_id and res.merged_with == ""
    assert row["source"] == "manual" and row["sources"] == "manual"
    assert row["rpe"] == 6.0 and row["area_override"] == "stability"
    assert row["notes"] == "left hip tight" and row["duration_s"] == 900.0
    sets = parse_sets(row["sets"])
    assert len(sets) == len(STABILITY.set_records()) == 15
    assert {x["side"] for x in sets} == {"left", "right", "both"}
    assert ana.athletes().set_index("name").at["ana", "sessions"] == 1


def test_default_start_is_now_in_the_athletes_zone(ana: Store) -> None:
    from stridewise.manual import now_local

    before = now_local(ZONE)
    _log(ana, start=None)
    got = ana.sessions(["ana"])["start"].iloc[0]
    assert abs((got - pd.Timestamp(before)).total_seconds()) < 120


def test_later_fit_file_merges_keeping_rpe_notes_and_sets_and_split_undoes_it(
        ana: Store) -> None:
    manual_id = _log(ana).session_id
    # the watch started at 18:20 Berlin (17:20 UTC) and ran 16:40: same day, similar duration
    res = _import_fit(ana, _fit_strength(datetime(2026, 12, 1, 17, 20), 1000))
    assert (res.added, res.merged) == (0, 1)
    assert res.manual_merged == (manual_id,)
    assert "logged by hand" in res.summary()
    s = ana.sessions(["ana"])
    assert len(s) == 1
    row = s.iloc[0]
    assert row["session_id"] == manual_id
    assert row["sources"] == "fit, manual"
    assert row["start"] == pd.Timestamp("2026-12-01 18:20")  # measured start
    assert row["duration_s"] == 1000.0 and row["avg_hr"] == 112.0  # from the watch
    assert row["rpe"] == 6.0 and row["notes"] == "left hip tight"  # the athlete's word
    assert row["title"] == "Stability 15 min" and row["area_override"] == "stability"
    assert len(parse_sets(row["sets"])) == 15
    assert set(ana.session_sources(manual_id)["source"]) == {"fit", "manual"}

    split = ana.split_session("ana", manual_id)
    s = ana.sessions(["ana"]).set_index("session_id")
    assert len(s) == 2 and split and split[0] in s.index
    assert s.at[manual_id, "sources"] == "manual" and s.at[manual_id, "rpe"] == 6.0
    assert s.at[manual_id, "area_override"] == "stability"
    watch = s.loc[split[0]]
    assert watch["sources"] == "fit" and watch["avg_hr"] == 112.0
    assert pd.isna(watch["rpe"]) and watch["area_override"] == ""
    # the same file again changes nothing: the split stays
    again = _import_fit(ana, _fit_strength(datetime(2026, 12, 1, 17, 20), 1000))
    assert again.already_imported and len(ana.sessions(["ana"])) == 2


def test_manual_logged_after_the_watch_file_joins_it_and_split_moves_the_edits(
        ana: Store) -> None:
    _import_fit(ana, _fit_strength(datetime(2026, 12, 1, 17, 20), 1000))
    watch_id = ana.sessions(["ana"])["session_id"].iloc[0]
    res = _log(ana)
    assert res.session_id == watch_id and "fit" in res.merged_with
    row = ana.sessions(["ana"]).iloc[0]
    assert row["rpe"] == 6.0 and row["area_override"] == "stability"
    (manual_id,) = ana.split_session("ana", watch_id)
    s = ana.sessions(["ana"]).set_index("session_id")
    assert s.at[manual_id, "area_override"] == "stability"
    assert s.at[manual_id, "notes"] == "left hip tight"
    assert s.at[watch_id, "area_override"] == "" and s.at[watch_id, "notes"] == ""


@pytest.mark.parametrize(("start_utc", "seconds", "sub"), [
    (datetime(2026, 12, 2, 17, 20), 1000, 20),   # next day
    (datetime(2026, 12, 1, 17, 20), 3600, 20),   # an hour, not a quarter
    (datetime(2026, 12, 1, 17, 20), 1000, None),  # a run (sport 1), not gym work
])
def test_no_merge_without_same_day_compatible_sport_and_similar_duration(
        ana: Store, start_utc: datetime, seconds: float, sub: int | None) -> None:
    _log(ana)
    data = (_fit_strength(start_utc, seconds) if sub is not None else
            fb.activity([{"start": start_utc, "sport": 1, "elapsed": seconds,
                          "distance": 3000}]).bytes())
    res = _import_fit(ana, data)
    assert (res.added, res.merged, res.manual_merged) == (1, 0, ())
    assert len(ana.sessions(["ana"])) == 2


def test_removing_the_watch_import_leaves_the_manual_entry(ana: Store) -> None:
    manual_id = _log(ana).session_id
    res = _import_fit(ana, _fit_strength(datetime(2026, 12, 1, 17, 20), 1000))
    assert ana.remove_import(res.import_id) == 0
    s = ana.sessions(["ana"])
    assert list(s["session_id"]) == [manual_id] and s["sources"].iloc[0] == "manual"
    assert s["start"].iloc[0] == pd.Timestamp("2026-12-01 18:00")


def test_other_sources_never_merge_two_manual_entries(ana: Store) -> None:
    _log(ana)
    _log(ana, start=DAY.replace(hour=18, minute=30))
    assert len(ana.sessions(["ana"])) == 2


def test_edit_and_delete_a_manual_session(ana: Store) -> None:
    sid = _log(ana).session_id
    ana.update_manual_session("ana", sid, rpe=7.0, duration_s=1200.0, notes="better",
                              sets=[{"exercise": "calf raise", "reps": 15}])
    row = ana.sessions(["ana"]).iloc[0]
    assert (row["rpe"], row["duration_s"], row["notes"]) == (7.0, 1200.0, "better")
    assert [x["exercise"] for x in parse_sets(row["sets"])] == ["calf raise"]
    with pytest.raises(UsageError, match="RPE"):
        ana.update_manual_session("ana", sid, rpe=12)
    assert ana.delete_manual_session("ana", sid) is True
    assert ana.sessions(["ana"]).empty


def test_only_manual_sessions_of_that_athlete_can_be_edited(ana: Store) -> None:
    ana.import_report(report("ana", "strava_csv", ["2026-12-01 07:00"]), athlete="ana")
    sid = ana.sessions(["ana"])["session_id"].iloc[0]
    with pytest.raises(UsageError, match="not logged by hand"):
        ana.update_manual_session("ana", sid, rpe=5)
    mine = _log(ana).session_id
    with pytest.raises(UsageError, match="not logged by hand"):
        ana.delete_manual_session("ben", mine)


@pytest.mark.parametrize(("kw", "words"), [
    ({"duration_s": 0}, "duration"), ({"rpe": 11}, "RPE"), ({"sport": "quidditch"}, "sport"),
    ({"area": "magic"}, "training area"),
    ({"sets": [{"exercise": "", "reps": 10}]}, "no exercise"),
    ({"sets": [{"exercise": "squat", "reps": -1}]}, "reps"),
    ({"sets": [{"exercise": "squat", "side": "up"}]}, "side"),
])
def test_bad_entries_are_refused_in_one_sentence_and_nothing_is_stored(
        ana: Store, kw: dict, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        _log(ana, **kw)
    assert ana.sessions(["ana"]).empty


def test_routines_saved_listed_replaced_and_deleted(ana: Store) -> None:
    version = ana.version()
    ana.save_routine("ana", STABILITY)
    mine = Routine("My calves", "strength", 10.0,
                   (RoutineItem("calf raise", 3, 15), RoutineItem("eccentric heel drop", 3, 15,
                                                                   side="each")))
    ana.save_routine("ana", mine)
    got = ana.routines("ana")
    assert [r.name for r in got] == ["My calves", "Stability 15 min"]
    assert got[0] == mine and got[1] == STABILITY
    ana.save_routine("ana", Routine("My calves", "strength", 12.0, mine.items))
    assert [r.minutes for r in ana.routines("ana")] == [12.0, 15.0]
    ana.delete_routine("ana", "My calves")
    assert [r.name for r in ana.routines("ana")] == ["Stability 15 min"]
    assert ana.routines("ben") == []
    assert ana.version() == version  # routines change no session figure
    with pytest.raises(UsageError):
        ana.save_routine("ana", Routine("", "strength", 10.0, mine.items))
    with pytest.raises(UsageError):
        ana.save_routine("ana", Routine("Empty", "strength", 10.0, ()))


def test_batch_rpe_sets_overrides_in_one_write(ana: Store) -> None:
    ana.import_report(report("ana", "strava_csv", ["2026-12-01 07:00", "2026-12-02 07:00"]),
                      athlete="ana")
    ids = list(ana.sessions(["ana"])["session_id"])
    assert ana.set_rpes("ana", {ids[0]: 4, ids[1]: 7.0}) == 2
    s = ana.sessions(["ana"]).set_index("session_id")
    assert (s.at[ids[0], "rpe_override"], s.at[ids[1], "rpe"]) == (4.0, 7.0)
    with pytest.raises(UsageError):
        ana.set_rpes("ana", {ids[0]: 11})
    with pytest.raises(UsageError, match="no stored session"):
        ana.set_rpes("ben", {ids[0]: 3})
    assert ana.sessions(["ana"]).set_index("session_id").at[ids[0], "rpe"] == 4.0


def test_backup_and_restore_keep_manual_sessions_and_routines(ana: Store,
                                                              tmp_path: Path) -> None:
    manual_id = _log(ana).session_id
    _import_fit(ana, _fit_strength(datetime(2026, 12, 1, 17, 20), 1000))
    ana.save_routine("ana", STABILITY)
    before = ana.table_frames()
    assert len(before["routines"]) == 1
    ana.backup(tmp_path / "bk")
    ana.delete_athlete("ana")
    assert ana.routines("ana") == [] and ana.sessions(["ana"]).empty
    ana.restore(tmp_path / "bk")
    after = ana.table_frames()
    for name in ("routines", "source_sessions", "sessions", "overrides"):
        assert len(after[name]) == len(before[name]), name
    assert ana.routines("ana") == [STABILITY]
    row = ana.sessions(["ana"]).iloc[0]
    assert row["session_id"] == manual_id and row["sources"] == "fit, manual"
    assert ana.split_session("ana", manual_id)


def test_version_6_database_is_upgraded_with_a_routines_table(db_url: str) -> None:
    url = resolve_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        assert migrate(conn, target=6) == 0
        v6 = build_metadata(6).tables
        conn.execute(sa.insert(v6["athletes"]).values(name="ana", group_name="", is_demo=False,
                                                      created_at=DAY))
    assert "routines" not in sa.inspect(engine).get_table_names()
    engine.dispose()
    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert "routines" in sa.inspect(store.engine).get_table_names()
        store.save_routine("ana", STABILITY)
        assert store.routines("ana") == [STABILITY]
        assert list(store.athletes()["name"]) == ["ana"]


def test_deleting_the_athlete_removes_their_routines(ana: Store) -> None:
    ana.save_routine("ana", STABILITY)
    _log(ana)
    ana.delete_athlete("ana")
    assert ana.table_frames()["routines"].empty
