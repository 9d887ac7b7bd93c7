"""The Check-in page: a niggle with training modified raises the level everywhere with that
reason first (Athlete page, Squad roster, CLI), and a saved check-in is flagged against the
athlete's own baseline."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
import pytest
from apphelpers import no_exception, run_page

from stridewise import cli, pipeline
from stridewise.assessment import assess_all
from stridewise.ui import fmt


def _truth(store, name: str):
    today = date.today()
    settings = pipeline.store_settings(store)
    analysis = pipeline.analyse_store(store, settings=settings, end=pd.Timestamp(today))
    found = assess_all(analysis, settings=settings, as_of=today,
                       athletes=list(store.athletes()["name"]))
    return {a.athlete: a for a in found}[name]


def _calm_athlete(store) -> str:
    today = date.today()
    settings = pipeline.store_settings(store)
    analysis = pipeline.analyse_store(store, settings=settings, end=pd.Timestamp(today))
    found = assess_all(analysis, settings=settings, as_of=today,
                       athletes=list(store.athletes()["name"]))
    calm = [a.athlete for a in found if a.level == "low"
            and not (store.niggles([a.athlete]).shape[0])]
    assert calm, "the demo squad has an athlete at low risk"
    return calm[0]


def test_a_modified_niggle_raises_the_level_on_every_view(demo_db, store) -> None:
    name = _calm_athlete(store)
    at = run_page("home")
    at.session_state["sw_athlete"] = name
    at = run_page("checkin", at=at)
    no_exception(at)
    at.selectbox(key="niggle_region").select("knee")
    at.radio(key="niggle_side").set_value("left")
    at.slider(key="niggle_pain").set_value(2)  # low pain: the effect alone must count
    at.radio(key="niggle_effect").set_value("modified")
    at.button(key="FormSubmitter:niggle_form-Save niggle").click()
    at.run()
    no_exception(at)
    assert any("niggle saved" in s.value for s in at.success)
    n = store.niggles([name])
    assert list(n["region"]) == ["knee"] and list(n["side"]) == ["left"]

    truth = _truth(store, name)
    assert truth.level == "moderate"
    assert truth.reasons[0].key == "symptoms"
    assert truth.top_reason.startswith("left knee niggle since")
    assert "training modified" in truth.top_reason

    # Athlete page: the tile, the first reason and the niggle line
    page = run_page("athlete", at=at)
    no_exception(page)
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Injury-risk signal"] == fmt.risk_label("moderate")
    listed = [m.value[2:].replace("\\", "") for m in page.markdown if m.value.startswith("- ")]
    assert listed[0] == truth.top_reason
    assert any("Left knee" in m.value and "at least moderate" in m.value for m in page.markdown)

    # Squad roster (derived tables refreshed by the write)
    squad = run_page("squad", at=page)
    no_exception(squad)
    squad.segmented_control(key="squad_window").set_value("last_7").run()  # today, not last week
    no_exception(squad)
    roster = squad.dataframe[0].value
    row = roster.loc[roster["Athlete"] == name].iloc[0]
    assert row["Risk"] == fmt.risk_label("moderate")
    assert row["Top reason"] == truth.top_reason

    # CLI risk --store --latest
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["risk", "--store", "--latest", "--as-of", date.today().isoformat()],
                    out=out, err=err) == 0, err.getvalue()
    got = pd.read_csv(io.StringIO(out.getvalue()), keep_default_na=False)
    row = got.loc[got["athlete"] == name].iloc[0]
    assert row["risk_level"] == "moderate"
    assert row["top_reason"] == truth.top_reason


def test_a_checkin_is_saved_and_flagged_against_the_baseline(demo_db, store) -> None:
    name = _calm_athlete(store)
    today = date.today()
    for k in range(1, 15):  # two steady weeks: sleep 4 or 5, fatigue 3
        store.save_checkin(name, today - timedelta(days=k),
                           {"sleep": 4 + (k % 2), "fatigue": 3, "soreness": 3, "stress": 3,
                            "mood": 4})
    at = run_page("home")
    at.session_state["sw_athlete"] = name
    at = run_page("checkin", at=at)
    no_exception(at)
    at.select_slider(key="checkin_sleep").set_value(1)
    at.select_slider(key="checkin_mood").set_value(4)
    at.button(key="FormSubmitter:checkin_form-Save check-in").click()
    at.run()
    no_exception(at)
    saved = store.checkins([name])
    last = saved.loc[saved["date"] == pd.Timestamp(today)].iloc[0]
    assert (last["sleep"], last["fatigue"], last["mood"]) == (1, 3, 4)
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any(w.startswith("Sleep quality 1/5: worse than usual for you") for w in warnings)
    assert not any(w.startswith("Fatigue") for w in warnings)  # 3 as always: no flag
    table = [d.value for d in at.dataframe if "Your 28-day average" in d.value.columns][0]
    sleep = table.set_index("Item").loc["Sleep quality"]
    assert sleep["Your 28-day average"] == "4.5/5"
    assert sleep["Status"] == "worse than usual"
    # the flag is context: the level is the load's level
    assert _truth(store, name).level == "low"


def test_the_demo_shows_a_niggle_and_the_weeks_before_it(demo_db, store) -> None:
    from stridewise import demo
    from stridewise import niggles as ng

    name = demo.NIGGLE_ATHLETE
    truth = _truth(store, name)
    assert truth.level == "moderate" and truth.reasons[0].key == "symptoms"
    assert "training modified" in truth.top_reason
    at = run_page("home")
    at.session_state["sw_athlete"] = name
    at = run_page("checkin", at=at)
    no_exception(at)
    texts = [m.value.replace("\\", "") for m in at.markdown]
    assert any(t.startswith("Left calf / shin · since") and "at least moderate" in t
               for t in texts)
    # "Before a niggle": the library's figures, formatted
    nig = store.niggles([name]).iloc[0].to_dict()
    settings = pipeline.store_settings(store)
    a = pipeline.analyse_store(store, [name], settings=settings, end=pd.Timestamp(date.today()))
    b = ng.before_onset(nig, risk_rows=a.risk, weekly=a.weekly)
    weekly = [d.value for d in at.dataframe if "Running km" in d.value.columns][0]
    assert len(weekly) == len(b.weekly)
    assert weekly["Running km"].tolist() == pytest.approx(
        [round(x, 1) for x in b.weekly["run_km"]])
    assert weekly["Sessions"].tolist() == b.weekly["sessions"].astype(int).tolist()
