"""Weekly plans: merging squad templates and overrides, planned vs done, plan checks."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from stridewise import classify, load, plans
from stridewise.errors import UsageError
from stridewise.plans import KeyRun, Plan, PlanData
from stridewise.schema import sets_to_json
from stridewise.settings import Settings

WEEK = date(2026, 11, 30)  # a Monday


def frame(rows, athlete: str = "ann") -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["session_id"] = [f"s{i}" for i in range(len(df))]
    df["start"] = pd.to_datetime(df["start"])
    for col, val in (("title", ""), ("sets", "[]"), ("rpe", 5.0), ("distance_m", np.nan),
                     ("duration_s", 3600.0), ("athlete", athlete)):
        df[col] = df[col].fillna(val) if col in df.columns else val
    df["moving_s"] = df["duration_s"]
    return load.add_load(classify.classify(df))


def versions(*rows) -> pd.DataFrame:
    recs = [{"plan_id": i, "scope": sc, "name": n, "valid_from": pd.Timestamp(v), "body": b,
             "changed_by": "", "changed_at": pd.Timestamp("2026-11-01"), "summary": "",
             "is_demo": False} for i, (sc, n, v, b) in enumerate(rows, start=1)]
    return pd.DataFrame.from_records(recs)


SQUAD_BODY = {"areas": {"endurance": {"sessions": 3, "minutes": 180},
                        "strength": {"sessions": 2, "minutes": 60}},
              "key_runs": [{"kind": "long", "weekday": 6, "distance_km": 20.0}]}


def data(athlete_body=None, squad_body=SQUAD_BODY) -> PlanData:
    rows = [("squad", "Road", "2026-11-02", plans.clean_body(squad_body))]
    if athlete_body is not None:
        rows.append(("athlete", "ann", "2026-11-16", plans.clean_body(athlete_body)))
    return PlanData(versions(*rows), {"ann": "Road", "bob": "Road", "cy": ""})


def simple_plan(**kw) -> Plan:
    base = dict(athlete="ann", squad="", week_start=WEEK,
                areas=(plans.AreaPlan("strength", 2, 60),), key_runs=())
    base.update(kw)
    return Plan(**base)


# ------------------------------------------------------------------ effective plans

def test_override_replaces_one_area_and_the_rest_is_inherited_with_its_source():
    p = plans.effective_plan(data({"areas": {"strength": {"sessions": 1, "minutes": 30}}}),
                             "ann", WEEK)
    assert (p.area("strength").sessions, p.area("strength").minutes) == (1, 30)
    assert p.area("endurance").sessions == 3
    assert p.source_text("area:endurance") == "inherited from squad Road"
    assert p.source_text("area:strength") == "set for ann"
    assert p.source_text("key_runs") == "inherited from squad Road"
    assert p.key_runs == (KeyRun("long", 6, 20.0, "", "squad Road"),)


def test_a_version_holds_from_its_week_only():
    d = data({"key_runs": [{"kind": "long", "weekday": "sat", "distance_km": 12}]})
    before = plans.effective_plan(d, "ann", date(2026, 11, 9))
    after = plans.effective_plan(d, "ann", date(2026, 11, 16))
    assert before.key_runs[0].distance_km == 20.0 and before.key_runs[0].weekday == 6
    assert after.key_runs[0].distance_km == 12.0 and after.key_runs[0].weekday == 5
    assert plans.effective_plan(d, "ann", date(2026, 10, 26)).is_empty


def test_athlete_without_squad_or_plan_gets_an_empty_plan():
    p = plans.effective_plan(data(), "cy", WEEK)
    assert p.is_empty and p.squad == ""
    assert plans.effective_plan(data(), "bob", WEEK).area("strength").sessions == 2


@pytest.mark.parametrize("body, words", [
    ({"areas": {"swimming": {"sessions": 1}}}, "not a training area"),
    ({"areas": {"strength": {"sessions": -1}}}, "between 0"),
    ({"key_runs": [{"kind": "tempo", "weekday": 1}]}, "long or quality"),
    ({"key_runs": [{"kind": "long", "weekday": "Funday"}]}, "not a day of the week"),
    ({"key_runs": [{"kind": "long", "weekday": 2, "distance_km": 900}]}, "between"),
    ({"risk": {"spike_small": 50, "spike_moderate": 30}}, "must rise"),
    ({"rules": [{"kind": "title", "pattern": "hill", "area": "nowhere"}]}, "Rule 1"),
    ({"colour": "red"}, "not part of a plan"),
])
def test_bad_plans_are_refused_with_one_sentence(body, words):
    with pytest.raises(UsageError) as e:
        plans.clean_body(body)
    assert words in e.value.message and "\n" not in e.value.message


def test_effective_settings_and_rules_follow_the_override():
    d = data({"targets": {"strength": 3}, "risk": {"spike_small": 5.0},
              "rules": [{"kind": "title", "pattern": "hills", "area": "strength"}]},
             squad_body={**SQUAD_BODY, "targets": {"stability": 4, "strength": 1}})
    p = plans.effective_plan(d, "ann", WEEK)
    s = plans.effective_settings(Settings(), p)
    assert s.targets["strength"] == 3 and s.targets["stability"] == 4
    assert s.targets["flexibility"] == Settings().targets["flexibility"]
    assert s.risk.spike_small == 5.0 and s.risk.spike_moderate == Settings().risk.spike_moderate
    assert p.source_text("targets:stability") == "inherited from squad Road"
    recs = plans.effective_rule_records([{"kind": "title", "pattern": "x", "area": "other"}], p)
    assert [r["pattern"] for r in recs] == ["hills", "x"]
    # without targets or thresholds the saved settings stand as they are
    assert plans.effective_settings(Settings(), plans.effective_plan(data(), "cy", WEEK)) \
        == Settings()


def test_describe_change_names_what_changed():
    text = plans.describe_change(plans.clean_body(SQUAD_BODY), plans.clean_body(
        {**SQUAD_BODY, "areas": {"endurance": {"sessions": 3, "minutes": 180},
                                 "strength": {"sessions": 3, "minutes": 90}}}))
    assert text == "strength 2 → 3 sessions, 60 → 90 min"
    assert plans.describe_change(SQUAD_BODY, SQUAD_BODY) == "no change"


# ------------------------------------------------------------------ compliance

def test_area_within_twenty_percent_is_done_less_is_partly_none_is_missed():
    s = frame([{"start": "2026-12-01 07:00", "sport": "strength", "duration_s": 1500.0},
               {"start": "2026-12-03 07:00", "sport": "strength", "duration_s": 1500.0},
               {"start": "2026-12-02 07:00", "sport": "yoga", "duration_s": 1800.0}])
    p = simple_plan(areas=(plans.AreaPlan("strength", 2, 60), plans.AreaPlan("stability", 1, 20),
                           plans.AreaPlan("plyometrics", 2, 0)))
    c = plans.compliance(p, s, WEEK).set_index("area")
    assert c.loc["strength", "status"] == "done"  # 50 of 60 min: within 20 %
    assert c.loc["strength", "share"] == pytest.approx(50 / 60)
    assert c.loc["stability", "status"] == "missed"
    assert c.loc["flexibility", "status"] == "unplanned"
    assert math.isnan(c.loc["flexibility", "share"])
    s2 = frame([{"start": "2026-12-01 07:00", "sport": "strength", "duration_s": 1500.0},
                {"start": "2026-12-03 07:00", "sport": "strength", "duration_s": 1500.0},
                {"start": "2026-12-04 07:00", "sport": "strength", "duration_s": 600.0}])
    c2 = plans.compliance(simple_plan(areas=(plans.AreaPlan("strength", 4, 0),)), s2, WEEK)
    assert c2.iloc[0]["status"] == "partly" and c2.iloc[0]["share"] == pytest.approx(0.75)


def test_sessions_outside_the_week_and_of_other_athletes_do_not_count():
    s = pd.concat([frame([{"start": "2026-11-29 23:30", "sport": "strength"},
                          {"start": "2026-12-07 00:10", "sport": "strength"}]),
                   frame([{"start": "2026-12-01 07:00", "sport": "strength"}], athlete="bob")],
                  ignore_index=True)
    c = plans.compliance(simple_plan(), s, WEEK)
    assert c["status"].tolist() == ["missed"] and c["done_sessions"].tolist() == [0.0]


def test_time_zones_aware_starts_count_in_the_athletes_local_week():
    # 23:30 UTC on Sunday 6 Dec is Monday 7 Dec in Tokyo (next week); 16:00 UTC on Sunday
    # 29 Nov is Monday 30 Nov 01:00 in Tokyo (this week)
    s = frame([{"start": "2026-11-29 16:00", "sport": "strength"},
               {"start": "2026-12-06 23:30", "sport": "strength"}])
    s["start"] = s["start"].dt.tz_localize("UTC")
    p = simple_plan(areas=(plans.AreaPlan("strength", 1, 0),))
    tokyo = plans.compliance(p, s, WEEK, tz="Asia/Tokyo")
    utc = plans.compliance(p, s, WEEK, tz="UTC")
    assert tokyo.iloc[0]["done_sessions"] == 1.0
    assert utc.iloc[0]["done_sessions"] == 1.0  # only the Sunday 6 Dec one in UTC
    la = plans.compliance(p, s, WEEK, tz="America/Los_Angeles")
    assert la.iloc[0]["done_sessions"] == 1.0  # 6 Dec 15:30 in LA; 29 Nov is 08:00 in LA


def test_mixed_session_counts_once_in_its_main_area_with_minutes_split():
    sets = [{"exercise": "Squat", "category": "squat", "seconds": 60},
            {"exercise": "Squat", "category": "squat", "seconds": 60},
            {"exercise": "Box Jump", "category": "plyo", "seconds": 40},
            {"exercise": "Plank", "category": "plank", "seconds": 40}]
    s = frame([{"start": "2026-12-02 18:00", "sport": "strength", "duration_s": 3000.0,
                "sets": sets_to_json(sets)}])
    p = simple_plan(areas=(plans.AreaPlan("strength", 1, 30), plans.AreaPlan("plyometrics", 1, 10)))
    c = plans.compliance(p, s, WEEK, parts=classify.session_parts(s)).set_index("area")
    assert c.loc["strength", "done_sessions"] == 1 and c.loc["strength", "status"] == "done"
    assert c.loc["plyometrics", "done_minutes"] == pytest.approx(10.0)
    # minutes planned and met, but the jumps were part of another session: partly
    assert c.loc["plyometrics", "status"] == "partly"
    assert c.loc["stability", "status"] == "unplanned"


def test_key_runs_match_on_the_day_plus_minus_one_by_distance():
    s = frame([{"start": "2026-12-06 08:00", "sport": "run", "distance_m": 8000.0},
               {"start": "2026-12-05 08:00", "sport": "run", "distance_m": 17000.0},
               {"start": "2026-12-01 08:00", "sport": "run", "distance_m": 10000.0,
                "title": "Intervals 6x800"}])
    p = simple_plan(areas=(), key_runs=(KeyRun("long", 6, 18.0), KeyRun("quality", 1, None),
                                        KeyRun("quality", 3, 12.0)))
    c = plans.compliance(p, s, WEEK)
    long_ = c.loc[c["label"] == "Sunday long run"].iloc[0]
    assert long_["session_ids"] == "s1" and long_["status"] == "done"  # Saturday, 17 of 18 km
    assert long_["done_km"] == pytest.approx(17.0)
    q = c.loc[c["label"] == "Tuesday quality session"].iloc[0]
    assert q["session_ids"] == "s2" and q["status"] == "done"
    # Thursday: nothing within a day (the Tuesday run is taken, Saturday's too far)
    assert c.loc[c["label"] == "Thursday quality session", "status"].item() == "missed"


def test_a_short_long_run_is_partly_and_a_much_longer_one_is_done_with_a_note():
    p = simple_plan(areas=(), key_runs=(KeyRun("long", 6, 20.0),))
    short = plans.compliance(p, frame([{"start": "2026-12-06 08:00", "sport": "run",
                                        "distance_m": 12000.0}]), WEEK)
    assert short.iloc[0]["status"] == "partly"
    long_ = plans.compliance(p, frame([{"start": "2026-12-06 08:00", "sport": "run",
                                        "distance_m": 30000.0}]), WEEK)
    assert long_.iloc[0]["status"] == "done" and "+50 %" in long_.iloc[0]["note"]


def test_partial_week_leaves_what_is_not_due_open():
    s = frame([{"start": "2026-12-01 07:00", "sport": "strength", "duration_s": 1800.0}])
    p = simple_plan(key_runs=(KeyRun("long", 6, 20.0), KeyRun("quality", 0, None)))
    c = plans.compliance(p, s, WEEK, as_of=date(2026, 12, 3))
    by = c.set_index("label")["status"]
    assert by["Strength"] == "open"  # 1 of 2 sessions, week not over
    assert by["Sunday long run"] == "open"
    assert by["Monday quality session"] == "missed"  # its day and the day after are gone
    # a session after as_of (a future-dated entry) is not counted yet
    later = frame([{"start": "2026-12-05 07:00", "sport": "strength", "duration_s": 1800.0}])
    c2 = plans.compliance(simple_plan(), later, WEEK, as_of=date(2026, 12, 3))
    assert c2.iloc[0]["done_sessions"] == 0


def test_compliance_from_stored_weekly_volume_equals_the_recount():
    s = frame([{"start": "2026-12-01 07:00", "sport": "strength", "duration_s": 1800.0},
               {"start": "2026-12-02 07:00", "sport": "run", "distance_m": 8000.0}])
    from stridewise import volume

    weekly = volume.weekly_volume(s)
    p = simple_plan(areas=(plans.AreaPlan("strength", 2, 60), plans.AreaPlan("endurance", 1, 60)))
    a = plans.compliance(p, s, WEEK)
    b = plans.compliance(p, s, WEEK, weekly=weekly)
    pd.testing.assert_frame_equal(a, b)


def test_compliance_summary_per_athlete_and_squad_caps_each_week():
    rows = []
    for wk in ("2026-11-16", "2026-11-23"):
        day = pd.Timestamp(wk) + pd.Timedelta(days=1)
        rows += [{"start": day, "sport": "strength", "duration_s": 1800.0},
                 {"start": day + pd.Timedelta(days=1), "sport": "strength",
                  "duration_s": 1800.0}]
    ann = frame(rows)
    bob = frame([{"start": "2026-11-24 07:00", "sport": "strength", "duration_s": 1800.0}],
                athlete="bob")
    s = pd.concat([ann, bob], ignore_index=True)
    d = PlanData(versions(("squad", "Road", "2026-11-02",
                           plans.clean_body({"areas": {"strength": {"sessions": 2,
                                                                    "minutes": 60}}}))),
                 {"ann": "Road", "bob": "Road"})
    from stridewise import volume

    out = plans.compliance_summary(d, ["ann", "bob"], weeks=2, as_of=date(2026, 12, 2),
                                   weekly=volume.weekly_volume(s), sessions=s)
    ath = out.loc[(out["scope"] == "athlete") & (out["area"] == "strength")].set_index("name")
    assert ath.loc["ann", "share"] == 1.0 and ath.loc["ann", "done_weeks"] == 2
    assert ath.loc["bob", "share"] == pytest.approx(0.25)  # 0 and half of the plan
    squad = out.loc[(out["scope"] == "squad") & (out["area"] == "strength")].iloc[0]
    assert squad["share"] == pytest.approx(0.625) and squad["planned"] == 4
    assert set(out["weeks"]) == {2}
    with pytest.raises(UsageError):
        plans.compliance_summary(d, ["ann"], weeks=0)


def test_roster_compliance_names_the_missed_items():
    s = frame([{"start": "2026-12-01 07:00", "sport": "run", "distance_m": 8000.0,
                "duration_s": 2400.0}])
    d = data()
    r = plans.roster_compliance(d, ["ann", "cy"], WEEK, sessions=s).set_index("athlete")
    assert r.loc["cy", "plan_status"] == "no plan" and math.isnan(r.loc["cy", "plan_share_pct"])
    assert r.loc["ann", "plan_status"] == "partly"
    assert "strength" in r.loc["ann", "plan_missed"]
    assert "sunday long run" in r.loc["ann", "plan_missed"]


# ------------------------------------------------------------------ checks

def history(longest_km: float, weekly_km: float = 30.0) -> pd.DataFrame:
    """Four weeks before WEEK: easy runs adding to weekly_km with one run of longest_km in
    the last week."""
    rows = []
    for w in range(4, 0, -1):
        first = pd.Timestamp(WEEK) - pd.Timedelta(days=7 * w)
        rest = weekly_km - (longest_km if w == 1 else 10.0)
        rows.append({"start": first + pd.Timedelta(days=6, hours=8), "sport": "run",
                     "distance_m": 1000.0 * (longest_km if w == 1 else 10.0),
                     "duration_s": 6000.0})
        for d in (1, 3):
            rows.append({"start": first + pd.Timedelta(days=d, hours=7), "sport": "run",
                         "distance_m": 500.0 * rest, "duration_s": 2400.0})
    return frame(rows)


def test_long_run_above_the_30_day_longest_is_a_moderate_spike():
    p = simple_plan(areas=(), key_runs=(KeyRun("long", 5, 24.0),))
    found = plans.check_plan(p, history(18.0))
    spike = [f for f in found if f.key == "spike_pct"]
    assert len(spike) == 1 and spike[0].level == "warning"
    assert spike[0].text.startswith("Saturday's 24 km long run is 33 % above the longest run "
                                    "of the last 30 days")
    assert "moderate spike" in spike[0].text and spike[0].day == date(2026, 12, 5)


def test_long_run_within_ten_percent_passes_and_thresholds_come_from_the_plan():
    p = simple_plan(areas=(), key_runs=(KeyRun("long", 6, 19.5),))
    assert not [f for f in plans.check_plan(p, history(18.0)) if f.key == "spike_pct"]
    strict = Plan("ann", "", WEEK, (), (KeyRun("long", 6, 19.5),), None,
                  {"risk": {"spike_small": 5.0}}, {"risk:spike_small": "athlete"})
    found = [f for f in plans.check_plan(strict, history(18.0)) if f.key == "spike_pct"]
    assert found and "small spike" in found[0].text


def test_sessions_in_the_planned_week_do_not_count_as_history():
    h = pd.concat([history(18.0), frame([{"start": "2026-12-01 07:00", "sport": "run",
                                          "distance_m": 30000.0}])], ignore_index=True)
    p = simple_plan(areas=(), key_runs=(KeyRun("long", 5, 24.0),))
    assert any("33 %" in f.text for f in plans.check_plan(p, h))


def test_weekly_running_jump_is_flagged_and_no_history_is_said_plainly():
    p = simple_plan(areas=(), key_runs=(), run_km=50.0)
    found = plans.check_plan(p, history(12.0, weekly_km=30.0))
    week = [f for f in found if f.key == "run_km_change_pct"]
    assert len(week) == 1 and "67 % above the usual week" in week[0].text
    assert "Nielsen" in week[0].text
    lonely = plans.check_plan(simple_plan(areas=(), key_runs=(KeyRun("long", 6, 15.0),)),
                              frame([{"start": "2026-10-01 07:00", "sport": "yoga"}]))
    assert any("no run in the 30 days before" in f.text for f in lonely)


def test_miles_settings_speak_miles():
    p = simple_plan(areas=(), key_runs=(KeyRun("long", 5, 24.0),))
    found = plans.check_plan(p, history(18.0), settings=Settings(units="mi"))
    assert "Saturday's 15 mi long run is 33 % above" in found[0].text


def test_plan_below_targets_is_mentioned():
    p = simple_plan(areas=(plans.AreaPlan("strength", 1, 30),))
    texts = [f.text for f in plans.check_plan(p, history(18.0)) if f.key == "targets"]
    assert "The plan has 1 strength session, below the weekly target of 2." in texts
