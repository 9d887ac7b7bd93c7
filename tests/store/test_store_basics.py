"""Opening the store, the version counter, athletes, overrides, settings, rules, mappings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_helpers import days, report

from stridewise.errors import StoreError, UsageError
from stridewise.store import DEFAULT_DB_PATH, Store, resolve_url


def test_default_database_is_created_under_cwd_in_wal_mode(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STRIDEWISE_DB", raising=False)
    with Store.from_env() as store:
        assert store.backend == "sqlite"
        assert store.schema_version() == 3
    db = tmp_path / DEFAULT_DB_PATH
    assert db.is_file()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_env_accepts_a_path_or_a_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "a" / "b" / "x.db"))
    assert resolve_url().database == str(tmp_path / "a" / "b" / "x.db")
    monkeypatch.setenv("STRIDEWISE_DB", f"sqlite:///{tmp_path / 'y.db'}")
    with Store.from_env() as store:
        store.upsert_athlete("ana")
    assert (tmp_path / "y.db").is_file()
    monkeypatch.setenv("STRIDEWISE_DB", "postgresql://u:secret@db.example/club")
    url = resolve_url()
    assert url.drivername == "postgresql+psycopg" and url.database == "club"


def test_unusable_urls_get_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not supported"):
        Store("mysql://u@h/db")
    with pytest.raises(StoreError, match="cannot be opened") as exc:
        Store("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in exc.value.message
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot be created"):
        Store(str(blocker / "sub" / "db.sqlite"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        Store(str(junk))


def test_reopening_keeps_data_and_version(db_url: str) -> None:
    with Store(db_url) as s:
        s.import_report(report("ana", "strava_csv", days("2024-01-01", 3)), athlete="ana")
        v = s.version()
    with Store(db_url) as s:
        assert s.version() == v
        assert len(s.sessions()) == 3


def test_version_grows_with_every_write(store: Store) -> None:
    seen = [store.version()]

    def wrote() -> None:
        seen.append(store.version())
        assert seen[-1] > seen[-2]

    store.upsert_athlete("ana", group="Elite")
    wrote()
    store.import_report(report("ana", "strava_csv", days("2024-01-01", 2)), athlete="ana")
    wrote()
    store.set_override(store.sessions()["session_id"].iloc[0], rpe=4)
    wrote()
    store.save_settings({"units": "mi"})
    wrote()
    store.save_rules([{"kind": "sport", "pattern": "run", "area": "endurance"}])
    wrote()
    store.save_mapping_profile("sig", {"start": "Date"})
    wrote()
    store.remove_import(1)
    wrote()
    before = store.version()
    store.sessions()
    store.athletes()
    assert store.version() == before  # reads do not count


def test_athletes_upsert_validate_delete(store: Store) -> None:
    store.upsert_athlete("ana", group="Juniors", hr_max=190, hr_rest=50, sex="female",
                         tz="Europe/Berlin", units="km")
    store.upsert_athlete("ben")
    store.upsert_athlete("ana", hr_rest=48)
    store.import_report(report("ana", "strava_csv", days("2024-01-01", 3)), athlete="ana")
    a = store.athletes().set_index("name")
    assert a.columns.tolist() == ["group", "hr_max", "hr_rest", "sex", "tz", "units", "is_demo",
                                  "sessions"]
    assert a.loc["ana", "group"] == "Juniors" and a.loc["ana", "hr_rest"] == 48.0
    assert a.loc["ana", "hr_max"] == 190.0 and a.loc["ana", "tz"] == "Europe/Berlin"
    assert a.loc["ana", "sessions"] == 3 and a.loc["ben", "sessions"] == 0
    assert a.loc["ben", "sex"] is None and not a.loc["ben", "is_demo"]
    for bad, msg in [({"hr_max": 400}, "implausible"), ({"sex": "x"}, "sex must be"),
                     ({"tz": "Mars/Base"}, "time zone"), ({"units": "yd"}, "units must"),
                     ({"weight": 60}, "not an athlete field"), ({"hr_max": "abc"}, "number"),
                     ({"hr_max": 110, "hr_rest": 115}, "below maximum"),
                     ({"hr_rest": 100, "hr_max": 100}, "below maximum")]:
        with pytest.raises(UsageError, match=msg):
            store.upsert_athlete("ana", **bad)
    assert store.athletes().set_index("name").loc["ana", "hr_max"] == 190.0  # rolled back
    assert store.delete_athlete("ana") == 3
    assert store.athletes()["name"].tolist() == ["ben"]
    with pytest.raises(UsageError, match="no athlete named 'ana'"):
        store.delete_athlete("ana")
    assert store.sessions().empty and store.imports().empty


def test_demo_athletes_are_flagged_and_cleared(store: Store) -> None:
    assert not store.has_demo()
    assert store.clear_demo() == 0
    store.import_report(report("Demo Runner", "strava_csv", days("2024-01-01", 4)),
                        athlete="Demo Runner", is_demo=True)
    store.import_report(report("ana", "strava_csv", days("2024-01-01", 2)), athlete="ana")
    assert store.has_demo()
    assert store.clear_demo() == 4
    assert not store.has_demo()
    assert store.athletes()["name"].tolist() == ["ana"] and len(store.sessions()) == 2


def test_overrides_set_partially_and_clear(store: Store) -> None:
    store.import_report(report("ana", "strava_csv", days("2024-01-01", 2), rpe=5.0),
                        athlete="ana")
    sid = store.sessions()["session_id"].iloc[0]
    store.set_override(sid, area="stability")
    store.set_override(sid, rpe=7.5)
    store.set_override(sid, notes="  windy  ")
    row = store.sessions().set_index("session_id").loc[sid]
    assert (row["area_override"], row["rpe"], row["notes"]) == ("stability", 7.5, "windy")
    store.set_override(sid, area=None)
    row = store.sessions().set_index("session_id").loc[sid]
    assert row["area_override"] == "" and row["rpe"] == 7.5
    store.clear_override(sid)
    row = store.sessions().set_index("session_id").loc[sid]
    assert row["rpe"] == 5.0 and row["notes"] == "" and store.overrides().empty
    with pytest.raises(UsageError, match="not a training area"):
        store.set_override(sid, area="cardio")
    with pytest.raises(UsageError, match="between 0 and 10"):
        store.set_override(sid, rpe=11)
    with pytest.raises(UsageError, match="no stored session"):
        store.set_override("nope", rpe=3)


def test_settings_rules_and_mapping_profiles(store: Store) -> None:
    assert store.settings() == {} and store.rules() is None and store.mapping_profiles() == {}
    cfg = {"units": "mi", "targets": {"strength": 2.5}, "risk": {"acwr_high": 1.3}}
    store.save_settings(cfg)
    assert store.settings() == cfg
    store.save_settings({"units": "km"})
    assert store.settings() == {"units": "km"}
    rules = [{"kind": "title", "pattern": "força|forza", "area": "strength"}]
    store.save_rules(rules)
    assert store.rules() == rules
    store.save_rules(None)
    assert store.rules() is None
    store.save_mapping_profile("abc", {"start": "Datum", "duration_s": "Dauer"})
    store.save_mapping_profile("abc", {"start": "Date"})
    store.save_mapping_profile("def", {"sport": "Typ"})
    assert store.mapping_profiles() == {"abc": {"start": "Date"}, "def": {"sport": "Typ"}}
    store.delete_mapping_profile("def")
    assert list(store.mapping_profiles()) == ["abc"]
    with pytest.raises(UsageError, match="cannot be saved"):
        store.save_settings({"x": object()})


def test_sessions_filter_by_athlete(store: Store) -> None:
    for name, n in (("ana", 3), ("ben", 2), ("cy", 1)):
        store.import_report(report(name, "strava_csv", days("2024-01-01", n)), athlete=name)
    assert len(store.sessions(["ana", "cy"])) == 4
    assert store.sessions([]).empty
    assert store.sessions()["athlete"].tolist() == ["ana"] * 3 + ["ben"] * 2 + ["cy"]
