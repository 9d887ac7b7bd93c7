"""The assessment: a mixed session counts once, HR without a profile is said plainly and
offered estimates, windows and evidence are named, the triage order is one rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from stridewise import assessment, pipeline, volume
from stridewise.load import HR_REST_TYPICAL, estimate_hr_profile
from stridewise.schema import sets_to_json
from stridewise.settings import AthleteProfile

DAY = pd.Timestamp("2026-12-07")  # a Monday


def _sessions(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["session_id"] = [f"s{i}" for i in range(len(df))]
    defaults = {"title": "", "sets": "[]", "rpe": np.nan, "distance_m": np.nan,
                "avg_hr": np.nan, "max_hr": np.nan, "duration_s": 1800.0, "athlete": "ann"}
    for col, val in defaults.items():
        df[col] = df[col].fillna(val) if col in df.columns else val
    df["moving_s"] = df["duration_s"]
    df["start"] = pd.to_datetime(df["start"])
    return df


def _history(hr: bool) -> list[dict]:
    rows = []
    for d in range(40):
        day = DAY - pd.Timedelta(days=40 - d)
        rows.append({"start": day + pd.Timedelta(hours=7), "sport": "run",
                     "distance_m": 8000.0, "avg_hr": 150.0 if hr else np.nan,
                     "max_hr": 176.0 + (d == 30) * 9 if hr else np.nan})
    return rows


def test_a_mixed_session_counts_once_and_its_minutes_split() -> None:
    sets = [{"exercise": "Squat (Barbell)", "category": "squat", "seconds": 1200},
            {"exercise": "Box Jump", "category": "plyo", "seconds": 600}]
    rows = _history(hr=False) + [
        {"start": DAY + pd.Timedelta(hours=18), "sport": "strength", "duration_s": 1800.0,
         "sets": sets_to_json(sets), "title": "Legs and jumps"}]
    a = pipeline.analyse(_sessions(rows), end=DAY)
    got = assessment.assess(a.risk, athlete="ann", as_of=DAY, parts=a.parts,
                            sessions=a.sessions)
    # last 7 days: 6 runs + 1 mixed gym session = 7 sessions, each counted once
    assert got.sessions_7d == 7
    assert sum(got.area_sessions_7d.values()) == got.sessions_7d
    assert got.area_sessions_7d.get("plyometrics", 0) == 0
    assert got.area_minutes_7d["strength"] == pytest.approx(20.0)
    assert got.area_minutes_7d["plyometrics"] == pytest.approx(10.0)
    assert got.minutes_7d == pytest.approx(sum(got.area_minutes_7d.values()))
    # weekly volume agrees: the week holds one session, split in minutes
    wk = a.weekly.loc[pd.to_datetime(a.weekly["week"]) == DAY].set_index("area")
    assert wk["sessions"].sum() == 1
    assert wk.loc["plyometrics", "minutes"] == pytest.approx(10.0)
    # the balance view counts it once too; its plyometrics minutes still show
    bal = a.balance.set_index("area")
    assert bal.loc["strength", "sessions"] == 1 and bal.loc["plyometrics", "sessions"] == 0
    assert bal.loc["plyometrics", "minutes"] == pytest.approx(10.0)
    assert bal.loc["plyometrics", "days_since"] == 0
    # the sessions table shows the split of the mixed session only
    split = volume.area_split(a.parts)
    sid = a.sessions.loc[a.sessions["title"] == "Legs and jumps", "session_id"].iloc[0]
    assert split.to_dict() == {sid: "strength 20 min · plyometrics 10 min"}


def test_heart_rate_without_profile_is_said_plainly_and_estimates_are_offered() -> None:
    df = _sessions(_history(hr=True))
    a = pipeline.analyse(df, end=DAY)
    got = assessment.assess(a.risk, athlete="ann", as_of=DAY)
    assert got.hr_unset_pct == pytest.approx(100.0)
    texts = got.reason_texts
    assert any("heart rate recorded on 100 % of sessions but HR max and resting HR are not "
               "set" in t for t in texts)
    assert not any("no RPE or heart rate" in t for t in texts)  # the false sentence is gone
    assert [r for r in got.reasons if r.key == "hr_profile"][0].details.title == \
        "Heart-rate profile"
    # the loads say they are estimated
    assert a.sessions["load_note"].str.contains("HR max and resting HR are not set").all()
    guess = estimate_hr_profile(a.sessions, "ann", DAY)
    assert guess == {"hr_max": 185.0, "hr_rest": HR_REST_TYPICAL, "sessions_with_hr": 40.0}
    # once confirmed (a profile), the prompt's reason is gone and loads come from HR
    b = pipeline.analyse(df, end=DAY, profiles={"ann": AthleteProfile(185.0, 60.0)})
    again = assessment.assess(b.risk, athlete="ann", as_of=DAY)
    assert again.hr_unset_pct == 0.0
    assert not any(r.key == "hr_profile" for r in again.reasons)
    assert (b.sessions["load_source"] == "hr").all()


def test_hr_estimate_ignores_glitches_and_old_sessions() -> None:
    df = _sessions([
        {"start": DAY - pd.Timedelta(days=400), "sport": "run", "avg_hr": 150.0,
         "max_hr": 199.0},   # older than 12 months
        {"start": DAY - pd.Timedelta(days=10), "sport": "run", "avg_hr": 150.0,
         "max_hr": 251.0},   # a sensor glitch
        {"start": DAY - pd.Timedelta(days=5), "sport": "run", "avg_hr": 160.0},
    ])
    assert estimate_hr_profile(df, "ann", DAY)["hr_max"] == 160.0
    assert estimate_hr_profile(df.assign(avg_hr=np.nan, max_hr=np.nan), "ann", DAY) is None


def test_metrics_carry_name_unit_band_evidence_and_window() -> None:
    a = pipeline.analyse(_sessions(_history(hr=False)), end=DAY)
    got = assessment.assess(a.risk, athlete="ann", as_of=DAY)
    ratio = got.ratio
    assert ratio.name == "Acute:chronic ratio (7:21)" and ratio.window == "last 7 days"
    assert ratio.grade == "contested" and "Impellizzeri" in ratio.evidence
    assert got.metrics["spike_pct"].grade == "cohort study"
    assert "Frandsen" in got.metrics["spike_pct"].source
    assert "not statistically significant" in got.metrics["run_km_change_pct"].evidence
    assert got.metrics["monotony"].grade == "convention"
    assert got.metrics["run_km_7d"].text == "48.0 km" and got.metrics["run_km_7d"].unit == "km"
    # before the next run: the longest of the last 30 days (8 km) + 10 %
    assert got.next_run_limit == pytest.approx(8.8)
    assert got.next_run_sentence.startswith("Runs up to 8.8 km stay within your usual range")
    assert got.version == assessment.HEURISTIC_VERSION
    for r in got.reasons:
        assert r.details.formula and r.details.source and r.details.caveat
        assert "predict" not in r.text


def test_plain_explanations_have_no_developer_notation() -> None:
    from stridewise.explain import EXPLANATIONS

    for key, ex in EXPLANATIONS.items():
        for text in (ex.formula, ex.caveat):
            for jargon in ("NaN", "ddof", "lambda", "t-27"):
                assert jargon not in text, (key, jargon)


def test_triage_order_is_one_rule() -> None:
    def fake(name: str, level: str, ratio: float) -> assessment.Assessment:
        base = assessment.assess(pd.DataFrame({"date": []}), athlete=name)
        metrics = dict(base.metrics)
        metrics["acwr"] = assessment.Metric("acwr", "r", ratio, "", "", "", "", "", "", "", "")
        return assessment.Assessment(name, None, level, (), metrics, "km", "uncoupled",
                                     math.nan)

    order = assessment.triage_sort([
        fake("Cleo", "low", 1.0), fake("Ann", "high", 1.2), fake("Bob", "high", 1.6),
        fake("Dee", "not enough data", math.nan), fake("Eve", "moderate", math.inf),
        fake("Fay", "moderate", math.nan)])
    assert [a.athlete for a in order] == ["Bob", "Ann", "Eve", "Fay", "Cleo", "Dee"]
