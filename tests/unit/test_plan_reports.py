"""Plan sections of the printable reports and the plan columns of the roster frame."""

from __future__ import annotations

from datetime import date

import pandas as pd

from stridewise import plans, reports
from stridewise.ui import summary


def _rows() -> pd.DataFrame:
    recs = [
        {"kind": "area", "area": "strength", "label": "Strength", "day": None,
         "planned_sessions": 2.0, "done_sessions": 0.0, "planned_minutes": 60.0,
         "done_minutes": 0.0, "planned_km": None, "done_km": None, "share": 0.0,
         "status": "missed", "session_ids": "", "source": "inherited from squad <b>Road</b>",
         "note": ""},
        {"kind": "key_run", "area": "endurance", "label": "Sunday long run",
         "day": date(2026, 12, 6), "planned_sessions": 1.0, "done_sessions": 1.0,
         "planned_minutes": None, "done_minutes": None, "planned_km": 20.0, "done_km": 19.0,
         "share": 0.95, "status": "done", "session_ids": "s1", "source": "set for Ann",
         "note": ""},
    ]
    df = pd.DataFrame.from_records(recs)
    df.insert(0, "week_start", date(2026, 11, 30))
    df.insert(0, "athlete", "Ann")
    return df[plans.COMPLIANCE_COLUMNS]


def test_athlete_report_prints_planned_vs_done_with_status_colours():
    html = reports.athlete_report_html("Ann", plan_rows=_rows())
    assert "Plan of the week of 30 Nov: planned vs done" in html
    bg, _ = reports.PLAN_STATUS_COLOURS["missed"]
    assert f'background:{bg};' in html and ">missed</td>" in html
    assert "19.0 km" in html and "20.0 km" in html
    assert "<b>Road</b>" not in html and "&lt;b&gt;Road&lt;/b&gt;" in html
    assert "Plan of the" not in reports.athlete_report_html("Ann")


def test_squad_report_prints_the_plan_column_and_compliance():
    roster = pd.DataFrame({"rank": [1, 2], "athlete": ["Ann", "Bo"],
                           "risk_level": ["low", "low"], "top_reason": ["", ""],
                           "plan_share_pct": [75.0, float("nan")],
                           "plan_status": ["partly", "no plan"], "plan_missed": ["strength", ""]})
    comp = pd.DataFrame({"scope": ["athlete", "athlete", "squad"], "name": ["Ann", "Ann", "Road"],
                         "squad": ["Road"] * 3, "area": ["strength", "all", "all"],
                         "planned": [4, 8, 8], "share": [0.5, 0.9, 0.9],
                         "done_weeks": [1, 6, 6], "weeks": [4, 4, 4]})
    html = reports.squad_report_html("Road", roster=roster, compliance=comp)
    assert "<th>Plan last week</th>" in html
    assert "partly 75\u202f%" in html
    assert "Plan compliance per area, last 4 weeks" in html
    assert "Squad Road" in html and ">50\u202f%</td>" in html and ">90\u202f%</td>" in html
    green, _ = reports.PLAN_STATUS_COLOURS["done"]
    amber, _ = reports.PLAN_STATUS_COLOURS["partly"]
    assert f"background:{green};color:#0b3d2e\">90\u202f%" in html
    assert f"background:{amber};color:#4a3300\">50\u202f%" in html


def test_roster_frame_takes_the_plan_columns():
    from stridewise import pipeline
    from stridewise.schema import make_session_id

    starts = pd.date_range("2026-10-01 07:00", periods=40, freq="D")
    s = pd.DataFrame({"athlete": "Ann", "start": starts, "sport": "run", "title": "Run",
                      "duration_s": 3600.0, "moving_s": 3600.0, "distance_m": 10000.0,
                      "rpe": 5.0, "sets": "[]"})
    s["session_id"] = [make_session_id("Ann", t) for t in starts]
    a = pipeline.analyse(s)
    athletes = pd.DataFrame({"name": ["Ann", "Bo"], "group": ["Road", "Road"]})
    plan = pd.DataFrame({"athlete": ["Ann"], "plan_week": [date(2026, 11, 2)],
                         "plan_share_pct": [80.0], "plan_status": ["done"],
                         "plan_missed": [""]})
    from stridewise.settings import Settings

    r = summary.roster(a, athletes, date(2026, 11, 9), Settings(), plan=plan)
    r = r.set_index("athlete")
    assert r.loc["Ann", "plan_status"] == "done" and r.loc["Ann", "plan_share_pct"] == 80.0
    assert r.loc["Bo", "plan_status"] == "no plan" and pd.isna(r.loc["Bo", "plan_share_pct"])
    assert "plan_status" not in summary.roster(a, athletes, date(2026, 11, 9),
                                               Settings()).columns
