"""Stored weekly plans on SQLite and PostgreSQL: versions, history, effective plans read back,
migration from version 6, backup/restore, removal with the athlete and with the demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from store_helpers import report

from stridewise import plans
from stridewise.errors import UsageError
from stridewise.store import Store, resolve_url
from stridewise.store_schema import SCHEMA_VERSION, migrate

SQUAD = {"areas": {"strength": {"sessions": 2, "minutes": 60}},
         "key_runs": [{"kind": "long", "weekday": 6, "distance_km": 18}]}


def _athletes(store: Store) -> None:
    store.upsert_athlete("ana", group="Road")
    store.upsert_athlete("ben", group="Road")


def test_squad_template_override_and_history_round_trip(store: Store) -> None:
    _athletes(store)
    plans.save_plan(store, "squad", "Road", SQUAD, valid_from=date(2026, 11, 2),
                    changed_by="Coach Kim")
    plans.save_plan(store, "athlete", "ben", {"areas": {"strength": {"sessions": 1,
                                                                      "minutes": 30}}},
                    valid_from=date(2026, 11, 16), changed_by="Coach Kim")
    plans.save_plan(store, "squad", "Road", {**SQUAD, "areas": {"strength": {
        "sessions": 3, "minutes": 90}}}, valid_from=date(2026, 11, 23), changed_by="Lee")
    v = store.plan_versions()
    assert v["plan_id"].tolist() == [1, 2, 3]
    assert v["changed_by"].tolist() == ["Coach Kim", "Coach Kim", "Lee"]
    assert v["summary"].iloc[2] == "strength 2 → 3 sessions, 60 → 90 min"
    assert v["body"].iloc[0]["key_runs"][0]["distance_km"] == 18.0
    assert isinstance(v["changed_at"].iloc[0], pd.Timestamp)
    ana = plans.effective_plan(store, "ana", date(2026, 11, 30))
    ben = plans.effective_plan(store, "ben", date(2026, 11, 30))
    assert ana.area("strength").sessions == 3
    assert ben.area("strength").sessions == 1 and ben.source_text("area:strength") == "set for ben"
    assert ben.source_text("key_runs") == "inherited from squad Road"
    old = plans.effective_plan(store, "ana", date(2026, 11, 9))
    assert old.area("strength").sessions == 2  # last month's plan stays last month's
    only_ben = store.plan_versions(athletes=["ben"])
    assert only_ben["scope"].tolist() == ["athlete"]
    assert len(store.plan_versions(athletes=["ana"], squads=["Road"])) == 2


def test_bad_plans_are_not_stored(store: Store) -> None:
    with pytest.raises(UsageError):
        plans.save_plan(store, "squad", "Road", {"areas": {"strength": {"sessions": 99}}},
                        valid_from=date(2026, 11, 2))
    with pytest.raises(UsageError):
        store.save_squad_plan("  ", {}, valid_from=date(2026, 11, 2))
    assert store.plan_versions().empty


def test_plans_survive_backup_and_restore(store: Store, tmp_path: Path) -> None:
    _athletes(store)
    plans.save_plan(store, "squad", "Road", SQUAD, valid_from=date(2026, 11, 2), changed_by="K")
    plans.save_plan(store, "athlete", "ana", {"run_km": 42}, valid_from=date(2026, 11, 9))
    before = store.plan_versions()
    store.backup(tmp_path / "b")
    plans.save_plan(store, "athlete", "ana", {"run_km": 10}, valid_from=date(2026, 11, 9))
    store.restore(tmp_path / "b")
    after = store.plan_versions()
    pd.testing.assert_frame_equal(before, after)
    assert plans.effective_plan(store, "ana", date(2026, 11, 30)).run_km == 42.0
    # a new version after a restore gets a fresh id
    assert plans.save_plan(store, "athlete", "ana", {"run_km": 30},
                           valid_from=date(2026, 11, 30)) == 3


def test_athlete_plans_go_with_the_athlete_and_demo_plans_with_the_demo(store: Store) -> None:
    store.import_report(report("dem", "garmin_csv", ["2026-11-03 07:00"]), athlete="dem",
                        is_demo=True)
    store.upsert_athlete("dem", group="Demo")
    _athletes(store)
    plans.save_plan(store, "squad", "Demo", SQUAD, valid_from=date(2026, 11, 2), is_demo=True)
    plans.save_plan(store, "athlete", "dem", {"run_km": 20}, valid_from=date(2026, 11, 2),
                    is_demo=True)
    plans.save_plan(store, "squad", "Road", SQUAD, valid_from=date(2026, 11, 2))
    plans.save_plan(store, "athlete", "ana", {"run_km": 20}, valid_from=date(2026, 11, 2))
    store.delete_athlete("ana")
    assert set(store.plan_versions()["name"]) == {"Demo", "dem", "Road"}
    store.clear_demo()
    assert store.plan_versions()["name"].tolist() == ["Road"]


def test_version_6_database_gains_the_plans_table(db_url: str) -> None:
    url = resolve_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        migrate(conn, target=6)
    assert "plans" not in sa.inspect(engine).get_table_names()
    engine.dispose()
    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.plan_versions().empty
        store.upsert_athlete("ana", group="Road")
        assert plans.save_plan(store, "squad", "Road", SQUAD, valid_from=date(2026, 11, 2)) == 1
