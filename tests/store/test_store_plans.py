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


def test_squad_and_athlete_targets_thresholds_and_rules_reach_the_derived_tables(
        store: Store) -> None:
    from store_helpers import days

    from stridewise import pipeline
    from stridewise.settings import Settings

    today = date(2024, 2, 20)
    for name in ("ana", "ben"):
        store.upsert_athlete(name, group="Road")
        # 10 km a day for 30 days, then an 11.5 km run: +15 % over the 30-day longest (small)
        store.import_report(report(name, "strava_csv", days("2024-01-20", 30), sport="run",
                                   distance_m=10_000.0, rpe=5.0), athlete=name)
        store.import_report(report(name, "strava_csv", ["2024-02-19 07:00"], sport="run",
                                   distance_m=11_500.0, rpe=5.0, title="Hill reps"),
                            athlete=name)
    snap = store.squad_snapshot(today)
    risk = snap.analysis.risk

    def last_reasons(who: str, frame: pd.DataFrame) -> str:
        rows = frame.loc[frame["athlete"] == who].sort_values("date")
        return str(rows["reasons"].iloc[-1])

    assert "small spike" in last_reasons("ana", risk)
    week = date(2024, 2, 12)
    plans.save_plan(store, "squad", "Road", {"targets": {"strength": 4.0},
                                             "risk": {"spike_small": 20.0,
                                                      "spike_moderate": 40.0}},
                    valid_from=week)
    plans.save_plan(store, "athlete", "ben", {"risk": {"spike_small": 10.0},
                                              "rules": [{"kind": "title", "pattern": "hill",
                                                         "area": "strength"}]},
                    valid_from=week)
    snap = store.squad_snapshot(today)
    assert snap.refreshed == 2  # both bases changed with the plans
    risk, bal = snap.analysis.risk, snap.analysis.balance
    assert "spike" not in last_reasons("ana", risk)  # 15 % is under the squad's 20 %
    # ben's own threshold (back to 10 %) overrides the squad's: his spike counts again
    assert "small spike" in last_reasons("ben", risk)
    strength = bal.loc[bal["area"] == "strength"].set_index("athlete")
    assert strength.loc["ana", "target_per_week"] == 4.0
    assert strength.loc["ben", "target_per_week"] == 4.0
    # ben's own rule makes his "Hill reps" strength work; ana keeps it a run
    assert strength.loc["ben", "sessions"] == 1 and strength.loc["ana", "sessions"] == 0
    # the same numbers as the pipeline with each athlete's effective settings and rules
    for who in ("ana", "ben"):
        s = plans.settings_for(store, who, snap.as_of, Settings())
        plan = plans.effective_plan(store, who, plans.week_start_for(snap.as_of))
        full = pipeline.analyse_store(store, [who], settings=s, end=pd.Timestamp(snap.as_of),
                                      rule_records=plans.effective_rule_records([], plan))
        pd.testing.assert_frame_equal(store.daily_metrics([who], until=snap.as_of),
                                      full.risk.reset_index(drop=True), check_dtype=False)
    assert store.squad_snapshot(today).refreshed == 0
