"""AppTest: the Log page. A stability routine with sets is logged in three interactions; it counts
in the week's stability sessions and the balance chart; a later FIT file of the same session,
uploaded on the Import page, merges with it keeping the RPE and sets; the Log page splits it
again. Batch RPE saves edits; the Athlete page shows the pattern section and logs a suggestion."""

from __future__ import annotations

import base64
import json
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from apphelpers import no_exception, run_page

from stridewise import pipeline
from stridewise.schema import parse_sets

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402

LOG = "pages/6_Log.py"
WHO = "Ben Carter"  # the demo runner who never does strength or stability work
ROUTINE = "Stability 15 min · 15 min"
#: the interactions of logging a routine session: routine, RPE, save
MAX_INTERACTIONS = 3


def _open_log(at=None):
    at = run_page("home") if at is None else at
    at.switch_page(LOG).run()
    no_exception(at)
    return at


def _week_stability(store, name: str) -> float:
    a = pipeline.analyse_store(store, [name], end=date.today())
    w = a.weekly
    week = pd.Timestamp(date.today()) - pd.Timedelta(days=date.today().weekday())
    row = w.loc[(w["athlete"] == name) & (w["week"] == week) & (w["area"] == "stability")]
    return float(row["sessions"].sum())


def _balance_value(at, area_label: str) -> tuple[float, str]:
    """(sessions per week done, the bar's label) of ``area_label`` in the balance chart."""
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            if trace.get("type") != "bar" or not str(trace.get("name", "")).startswith("Done"):
                continue
            labels = [str(v) for v in trace["x"]]
            if not labels or not any("<br>last:" in lab for lab in labels):
                continue
            y = trace["y"]
            values = (np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
                      if isinstance(y, dict) else np.asarray(y, dtype=float))
            for lab, v in zip(labels, values, strict=True):
                if lab.startswith(area_label):
                    return float(v), lab
    raise AssertionError("no balance chart on the page")


def _log_stability(at) -> int:
    """The scripted flow; returns the number of interactions."""
    # inside the form a browser sends the RPE with the save (no rerun of its own)
    steps = [
        lambda: at.selectbox(key="log_routine").select(ROUTINE).run(),
        lambda: at.button_group(key="log_rpe").set_value(6),
        lambda: next(b for b in at.button if b.label == "Save session").click().run(),
    ]
    for step in steps:
        step()
        no_exception(at)
    return len(steps)


def test_log_a_stability_session_then_merge_a_later_fit_file_and_split(demo_db, store) -> None:
    at = run_page("home")
    at.session_state["sw_athlete"] = WHO
    run_page("athlete", at=at)
    before_chart, _ = _balance_value(at, "Stability")
    at = _open_log(at)
    assert at.selectbox(key="log_pick").value == WHO
    before_week = _week_stability(store, WHO)
    n = _log_stability(at)
    assert n <= MAX_INTERACTIONS
    assert any("Logged Stability 15 min" in s.value for s in at.success)
    s = store.sessions([WHO])
    mine = s.loc[s["sources"] == "manual"]
    assert len(mine) == 1
    row = mine.iloc[0]
    assert row["rpe"] == 6 and row["area_override"] == "stability"
    assert [x["exercise"] for x in parse_sets(row["sets"])][:2] == ["single-leg squat"] * 2
    # the week's stability count and the balance chart
    assert _week_stability(store, WHO) == before_week + 1
    run_page("athlete", at=at)
    no_exception(at)
    assert at.title[0].value.replace("\\", "") == WHO
    after_chart, label = _balance_value(at, "Stability")
    assert after_chart == before_chart + 0.25  # one more session in 4 weeks
    assert "last: today" in label

    # a later FIT file of the same session (the watch's start, a little longer)
    zone = store.athletes().set_index("name").at[WHO, "tz"]
    local = pd.Timestamp(row["start"]).tz_localize(ZoneInfo(zone))
    start_utc = local.tz_convert("UTC").tz_localize(None).to_pydatetime()
    data = fb.activity([{"start": start_utc, "sport": 10, "sub_sport": 20, "elapsed": 1000,
                         "avg_hr": 118, "max_hr": 150}]).bytes()
    run_page("import", at=at)
    at.file_uploader[0].set_value([("watch.fit", data, "application/octet-stream")]).run()
    at.button(key="import_go").click().run()
    no_exception(at)
    assert any("logged by hand" in i.value for i in at.info), [i.value for i in at.info]
    s = store.sessions([WHO])
    merged = s.loc[s["session_id"] == row["session_id"]].iloc[0]
    assert merged["sources"] == "fit, manual" and merged["avg_hr"] == 118
    assert merged["rpe"] == 6 and len(parse_sets(merged["sets"])) == len(parse_sets(row["sets"]))
    assert _week_stability(store, WHO) == before_week + 1  # one session, not two

    # undo: split on the Log page
    at = _open_log(at)
    at.selectbox(key="log_pick").select(WHO).run()
    assert any("Merged with fit" in i.value for i in at.info)
    next(b for b in at.button if b.label.startswith("Split")).click().run()
    no_exception(at)
    assert any("two sessions again" in m.value for m in at.success)
    assert not any("Merged with fit" in i.value for i in at.info)
    s = store.sessions([WHO])
    assert sorted(s.loc[s["sources"].isin(["fit", "manual"]), "sources"]) == ["fit", "manual"]


def test_batch_rpe_lists_sessions_without_rpe_and_drops_a_rated_one(demo_db, store) -> None:
    # AppTest cannot type into a data editor's cells: the rating is saved with the same
    # store call the page's "Save RPE" button makes (store.set_rpes)
    at = _open_log()
    at.selectbox(key="log_pick").select(WHO).run()
    from stridewise import manual

    view = pipeline.analyse_store(store, [WHO], end=date.today())
    rows = manual.without_rpe(view.sessions, WHO, date.today(), weeks=4)
    assert len(rows) > 0
    assert any(f"{len(rows)} session(s) without RPE" in c.value for c in at.caption)
    assert any(b.label == "Save RPE" for b in at.button)
    store.set_rpes(WHO, {rows["session_id"].iat[0]: 5})
    at.run()
    no_exception(at)
    assert any(f"{len(rows) - 1} session(s) without RPE" in c.value for c in at.caption)


def test_athlete_page_shows_patterns_and_logs_the_suggestion(demo_db, store) -> None:
    at = run_page("home")
    at.session_state["sw_athlete"] = "Finn O'Brien"
    run_page("athlete", at=at)
    no_exception(at)
    texts = [m.value for m in at.markdown]
    assert any("Movement patterns" in h.value for h in at.subheader)
    assert any("What to do next" in t for t in texts)
    before = len(store.sessions(["Finn O'Brien"]))
    at.button(key="athlete_suggest_log_Finn O'Brien").click().run()
    no_exception(at)
    assert len(store.sessions(["Finn O'Brien"])) == before + 1
    assert any("Logged" in s.value for s in at.success)
