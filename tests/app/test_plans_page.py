"""AppTest of the Plans page on the demo squad: create a squad plan, override it for one
athlete, last week's planned vs done in colour, a plan check for a long run above the longest
of the last 30 days; the plan section of the Athlete page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from apphelpers import no_exception, run_page

from stridewise import plans


def _table(at, first_column: str) -> pd.DataFrame:
    """The dataframe whose first column is ``first_column`` (AppTest keeps no dataframe keys)."""
    found = [d.value for d in at.dataframe if d.value.columns[0] == first_column]
    assert found, [d.value.columns[0] for d in at.dataframe]
    return found[0]


def _texts(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n" + "\n".join(c.value for c in at.caption)


def test_create_squad_plan_then_override_for_one_athlete(demo_db: Path, store) -> None:
    at = run_page("plans")
    no_exception(at)
    assert at.title[0].value == "Plans"
    at.segmented_control(key="pl_scope").set_value("squad").run()
    at.selectbox(key="pl_squad").set_value("Beginners").run()
    no_exception(at)
    assert "Nothing was planned last week." in _texts(at)
    at.number_input(key="pl_f_s_strength").set_value(2.0)
    at.number_input(key="pl_f_m_strength").set_value(60.0)
    at.number_input(key="pl_f_s_endurance").set_value(3.0)
    at.selectbox(key="pl_f_k0_kind").set_value("long")
    at.selectbox(key="pl_f_k0_day").set_value("Sunday")
    at.number_input(key="pl_f_k0_km").set_value(12.0)
    at.text_input(key="pl_f_by").set_value("Coach Rui")
    at.button[0].click().run()  # the form's "Save plan"
    no_exception(at)
    assert any("Saved squad Beginners" in s.value for s in at.success)
    week = date.fromisoformat(str(at.date_input(key="pl_week").value))
    squad = plans.squad_body_at(store, "Beginners", week)
    assert squad["areas"] == {"strength": {"sessions": 2.0, "minutes": 60.0},
                              "endurance": {"sessions": 3.0, "minutes": 0.0}}
    assert squad["key_runs"] == [{"kind": "long", "weekday": 6, "distance_km": 12.0,
                                  "title": ""}]
    assert "targets" not in squad and "risk" not in squad  # nothing differed from Settings
    hist = _table(at, "Saved")
    assert hist["By"].tolist()[0] == "Coach Rui"
    assert "strength 0 → 2 sessions" in hist["What changed"].tolist()[0]

    # the same plan for one athlete: inherited; change strength only -> an override of it
    at.segmented_control(key="pl_scope").set_value("athlete").run()
    at.selectbox(key="pl_athlete").set_value("Finn O'Brien").run()
    no_exception(at)
    assert at.number_input(key="pl_f_s_strength").value == 2.0
    caps = [c.value for c in at.caption]
    assert caps.count("inherited from squad Beginners") >= 2
    at.number_input(key="pl_f_s_strength").set_value(1.0)
    at.number_input(key="pl_f_m_strength").set_value(30.0)
    at.number_input(key="pl_f_t_strength").set_value(1.0)
    at.button[0].click().run()
    no_exception(at)
    own = plans.athlete_body_at(store, "Finn O'Brien", week)
    assert own == {"areas": {"strength": {"sessions": 1.0, "minutes": 30.0}},
                   "targets": {"strength": 1.0}}
    assert "set for Finn O\\'Brien" in [c.value for c in at.caption]  # escaped Markdown
    eff = plans.effective_plan(store, "Finn O'Brien", week)
    assert eff.area("endurance").sessions == 3.0 and eff.key_runs[0].distance_km == 12.0
    # Jonas, the other Beginner, still follows the squad
    assert plans.effective_plan(store, "Jonas Berg", week).area("strength").sessions == 2.0
    # back to the squad plan: the override goes, the history keeps it
    at.button(key="pl_inherit").click().run()
    no_exception(at)
    assert plans.effective_plan(store, "Finn O'Brien", week).area("strength").sessions == 2.0
    assert len(store.plan_versions(athletes=["Finn O'Brien"])) == 2


def test_last_week_planned_vs_done_in_colour_on_the_demo(demo_db: Path) -> None:
    at = run_page("plans")
    at.segmented_control(key="pl_scope").set_value("squad").run()
    at.selectbox(key="pl_squad").set_value("Road").run()
    no_exception(at)
    matrix = _table(at, "Athlete")
    assert set(matrix["Athlete"]) == {"Ana Silva", "Ben Carter", "Chloe Martin",
                                      "Emma Johansson", "Iris Novak"}
    statuses = set(matrix[["Endurance", "Strength", "Key runs"]].to_numpy().ravel())
    assert statuses <= {"done", "partly", "missed", "unplanned", ""}
    assert "done" in statuses  # the demo trains much of the plan
    ben = matrix.set_index("Athlete").loc["Ben Carter"]
    assert ben["Strength"] == "missed"  # Ben never does strength work
    assert 0 <= ben["Plan met"] < 100
    summary = _table(at, "Athlete or squad")
    assert "Squad Road" in set(summary["Athlete or squad"])

    at.segmented_control(key="pl_scope").set_value("athlete").run()
    at.selectbox(key="pl_athlete").set_value("Ben Carter").run()
    no_exception(at)
    text = _texts(at)
    assert ":red-badge[missed] **Strength**" in text
    assert ":green-badge[done]" in text
    assert "_inherited from squad Road_" in text and "_set for Ben Carter_" in text
    at.segmented_control(key="pl_weeks").set_value(12).run()
    no_exception(at)
    assert "over the 12 full weeks" in _texts(at)


def test_plan_check_names_a_long_run_above_the_30_day_longest(demo_db: Path, store) -> None:
    at = run_page("plans")
    week = date.fromisoformat(str(at.date_input(key="pl_week").value))
    s = store.sessions(["Emma Johansson"])
    saturday = pd.Timestamp(week) + pd.Timedelta(days=5)
    # the 30 days before Saturday, up to the start of the planned week (what is known now)
    window = s.loc[(s["start"] < pd.Timestamp(week))
                   & (s["start"] >= saturday - pd.Timedelta(days=30))
                   & s["sport"].isin(["run", "trail_run"])]
    longest = window["distance_m"].max() / 1000.0
    planned = round(longest * 1.5)
    pct = round(100 * (planned / longest - 1))
    at.segmented_control(key="pl_scope").set_value("athlete").run()
    at.selectbox(key="pl_athlete").set_value("Emma Johansson").run()
    at.selectbox(key="pl_f_k1_kind").set_value("long")
    at.selectbox(key="pl_f_k1_day").set_value("Saturday")
    at.number_input(key="pl_f_k1_km").set_value(float(planned))
    at.selectbox(key="pl_f_k0_kind").set_value("—")  # drop the squad's Tuesday session
    at.button[0].click().run()
    no_exception(at)
    text = _texts(at).replace("\\", "")
    assert (f"Saturday's {planned} km long run is {pct} % above the longest run of the last "
            f"30 days ({longest:.1f} km; moderate spike") in text
    assert plans.athlete_body_at(store, "Emma Johansson", week)["key_runs"] == [
        {"kind": "long", "weekday": 5, "distance_km": float(planned), "title": ""}]


def test_bad_rule_line_is_refused_with_one_sentence(demo_db: Path, store) -> None:
    at = run_page("plans")
    at.segmented_control(key="pl_scope").set_value("squad").run()
    at.selectbox(key="pl_squad").set_value("Trail").run()
    at.text_area(key="pl_f_rules").set_value("hill repeats")
    at.button[0].click().run()
    no_exception(at)
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("Not saved" in e and "words -> area" in e for e in errors), errors
    assert store.plan_versions(squads=["Trail"]).empty


def test_athlete_page_shows_the_plan_section(demo_db: Path) -> None:
    at = run_page("home")
    at.session_state["sw_athlete"] = "Ben Carter"
    at = run_page("athlete", at=at)
    no_exception(at)
    assert "Plan" in [h.value for h in at.subheader]
    text = _texts(at)
    assert ":red-badge[missed] **Strength**" in text
    assert "checks of the plan" in text
    last = date.today() - timedelta(days=date.today().weekday() + 7)
    assert f"Week of {last:%d %b}: planned vs done" in text


def test_squad_roster_has_the_plan_column_and_the_report_prints_it(demo_db: Path) -> None:
    at = run_page("squad")
    no_exception(at)
    roster = _table(at, "#")
    plan = dict(zip(roster["Athlete"], roster["Plan last week"], strict=True))
    assert plan["Lena Fischer"] == "–"  # the Masters squad has no plan
    word, pct = plan["Ben Carter"].split()[:2]
    assert word in {"partly", "missed"} and 0 <= float(pct) < 100
    assert plan["Kai Tanaka"].split()[0] in {"done", "partly", "missed"}


def test_pages_analyse_an_athlete_with_the_squad_templates_targets(demo_db: Path, store) -> None:
    from stridewise.settings import Settings
    from stridewise.ui import state

    s, rules = state.athlete_basis(store, "Ana Silva", Settings())
    assert s.targets["flexibility"] == 2.0  # the demo Road template's target
    assert s.targets["strength"] == Settings().targets["strength"] and rules == ""
    assert state.athlete_basis(store, "Lena Fischer", Settings())[0] == Settings()
    bal = store.squad_snapshot().analysis.balance
    flex = bal.loc[bal["area"] == "flexibility"].set_index("athlete")["target_per_week"]
    assert flex["Ana Silva"] == 2.0 and flex["Lena Fischer"] == Settings().targets["flexibility"]


def test_a_miles_account_plans_in_miles_and_the_store_keeps_km(demo_db: Path, store) -> None:
    from stridewise.settings import KM_PER_MILE

    store.save_settings({**store.settings(), "units": "mi"})
    at = run_page("plans")
    at.segmented_control(key="pl_scope").set_value("squad").run()
    at.selectbox(key="pl_squad").set_value("Beginners").run()
    no_exception(at)
    labels = [n.label for n in at.number_input]
    assert "Distance (mi, 0 = any)" in labels and not any("(km" in x for x in labels)
    assert "Running distance of the week (mi, 0 = not planned)" in labels
    at.selectbox(key="pl_f_k0_kind").set_value("long")
    at.number_input(key="pl_f_k0_km").set_value(10.0)  # 10 miles
    at.number_input(key="pl_f_run_km").set_value(30.0)
    at.button[0].click().run()
    no_exception(at)
    week = date.fromisoformat(str(at.date_input(key="pl_week").value))
    squad = plans.squad_body_at(store, "Beginners", week)
    assert abs(squad["key_runs"][0]["distance_km"] - 10 * KM_PER_MILE) < 1e-6
    assert abs(squad["run_km"] - 30 * KM_PER_MILE) < 1e-6
    # the saved plan comes back in miles, and saving it unchanged for an athlete adds nothing
    assert at.number_input(key="pl_f_k0_km").value == 10.0
    at.segmented_control(key="pl_scope").set_value("athlete").run()
    at.selectbox(key="pl_athlete").set_value("Finn O'Brien").run()
    assert abs(at.number_input(key="pl_f_k0_km").value - 10.0) < 1e-9
    at.button[0].click().run()
    no_exception(at)
    assert not plans.athlete_body_at(store, "Finn O'Brien", week).get("key_runs")
