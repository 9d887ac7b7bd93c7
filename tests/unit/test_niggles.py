"""The symptom rule, niggle status and timelines, and the "before this niggle" figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stridewise import niggles as ng
from stridewise import pipeline
from stridewise.errors import UsageError

DAYS = pd.date_range("2026-10-01", periods=60)


def _risk(level: str = "low", reasons: str = "", keys: str = "") -> pd.DataFrame:
    return pd.DataFrame({"athlete": "ana", "date": DAYS, "risk_level": level,
                         "reasons": reasons, "reason_keys": keys})


def _niggle(onset: str, resolved: str | None = None, *, nid: int = 1, region: str = "knee",
            side: str = "left") -> pd.DataFrame:
    return pd.DataFrame({"niggle_id": [nid], "athlete": ["ana"], "region": [region],
                         "side": [side], "onset": [pd.Timestamp(onset)],
                         "resolved": [pd.Timestamp(resolved) if resolved else pd.NaT],
                         "note": [""]})


def _updates(*rows: tuple[str, float, str], nid: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"niggle_id": [nid] * len(rows),
                         "date": [pd.Timestamp(d) for d, _, _ in rows],
                         "pain": [p for _, p, _ in rows], "effect": [e for _, _, e in rows],
                         "note": [""] * len(rows)})


def _on(df: pd.DataFrame, day: str) -> pd.Series:
    return df.loc[df["date"] == pd.Timestamp(day)].iloc[0]


@pytest.mark.parametrize(("pain", "effect", "raised"), [
    (0, "modified", True), (1, "stopped", True), (4, "none", True), (3.5, "none", False),
    (9, "none", True), (2, "none", False)])
def test_modified_stopped_or_pain_4_raise_to_moderate_with_the_reason_first(
        pain, effect, raised) -> None:
    risk = _risk(reasons="no stability work for 20 days", keys="balance")
    out = ng.apply_symptom_rule(risk, _niggle("2026-11-01"),
                                _updates(("2026-11-01", pain, effect)))
    row = _on(out, "2026-11-05")
    texts = row["reasons"].split("; ")
    keys = row["reason_keys"].split(";")
    assert len(texts) == len(keys) == 2
    if raised:
        assert row["risk_level"] == "moderate"
        assert texts[0].startswith("left knee niggle since 01 Nov") and keys[0] == "symptoms"
    else:  # mentioned after the load reasons, level unchanged
        assert row["risk_level"] == "low"
        assert texts == ["no stability work for 20 days", texts[1]] and keys[1] == "symptoms"
    assert _on(out, "2026-10-31")["reasons"] == "no stability work for 20 days"  # before onset
    assert _on(risk, "2026-11-05")["risk_level"] == "low"  # the input is not changed


def test_high_stays_high_and_not_enough_data_becomes_moderate() -> None:
    nig, upd = _niggle("2026-11-01"), _updates(("2026-11-01", 6, "stopped"))
    high = ng.apply_symptom_rule(_risk("high", "a run was 120 % longer", "spike_pct"), nig, upd)
    assert _on(high, "2026-11-02")["risk_level"] == "high"
    assert _on(high, "2026-11-02")["reasons"].split("; ")[0].endswith("(reported symptom)")
    thin = ng.apply_symptom_rule(_risk("not enough data"), nig, upd)
    assert _on(thin, "2026-11-02")["risk_level"] == "moderate"


def test_daily_updates_and_the_resolved_day_bound_the_rule() -> None:
    nig = _niggle("2026-11-01", resolved="2026-11-20")
    upd = _updates(("2026-11-01", 5, "modified"), ("2026-11-08", 1, "none"))
    out = ng.apply_symptom_rule(_risk(), nig, upd)
    assert _on(out, "2026-11-07")["risk_level"] == "moderate"
    assert "pain 5/10" in _on(out, "2026-11-07")["reasons"]
    assert _on(out, "2026-11-08")["risk_level"] == "low"  # the update holds from its day
    assert "pain 1/10" in _on(out, "2026-11-19")["reasons"]
    assert _on(out, "2026-11-20")["reasons"] == ""  # resolved that day: no longer active


def test_two_niggles_worst_first() -> None:
    nig = pd.concat([_niggle("2026-11-01", nid=1, region="foot", side="right"),
                     _niggle("2026-11-03", nid=2, region="lower_back", side="none")])
    upd = pd.concat([_updates(("2026-11-01", 4, "modified"), nid=1),
                     _updates(("2026-11-03", 2, "stopped"), nid=2)])
    row = _on(ng.apply_symptom_rule(_risk(), nig, upd), "2026-11-04")
    texts = row["reasons"].split("; ")
    assert texts[0].startswith("lower back niggle") and texts[1].startswith("right foot niggle")


def test_status_timelines_and_labels() -> None:
    nig = pd.concat([_niggle("2026-11-01", nid=1), _niggle("2026-09-01", "2026-09-10", nid=2,
                                                           region="calf_shin", side="both")])
    upd = pd.concat([_updates(("2026-11-01", 3, "none"), ("2026-11-04", 6, "modified"), nid=1),
                     _updates(("2026-09-01", 2, "none"), nid=2)])
    st = ng.active_on(nig, upd, "2026-11-05", "ana")
    assert st["niggle_id"].tolist() == [1]
    assert (st["pain"].iloc[0], st["effect"].iloc[0], st["days"].iloc[0]) == (6.0, "modified",
                                                                              4.0)
    spans = ng.timeline_spans(nig, upd, athlete="ana", start="2026-08-01", end="2026-11-10")
    by = spans.set_index("niggle_id")
    assert by.loc[2, "label"] == "calf / shin (both sides)" and not by.loc[2, "raises"]
    assert by.loc[2, "x1"] == pd.Timestamp("2026-09-10")
    assert by.loc[1, "raises"] and by.loc[1, "max_pain"] == 6.0
    assert by.loc[1, "x1"] == pd.Timestamp("2026-11-11")  # still active: to the chart's end


def test_bad_niggles_are_refused() -> None:
    with pytest.raises(UsageError, match="resolved date 2026-10-01 is before the onset"):
        ng.check_niggle(region="knee", side="left", onset="2026-11-01", resolved="2026-10-01")
    with pytest.raises(UsageError, match="onset date must be a date"):
        ng.check_niggle(region="knee", side="left", onset="soon")
    with pytest.raises(UsageError, match="effect on training"):
        ng.check_update(day="2026-11-01", pain=2, effect="a bit")


def test_before_onset_reads_the_pipeline_tables() -> None:
    # a runner whose long run doubled 10 days before the onset of a knee niggle
    starts = pd.date_range("2026-08-01 07:00", "2026-10-30 07:00", freq="2D")
    km = np.full(len(starts), 8.0)
    km[starts == pd.Timestamp("2026-10-22 07:00")] = 18.0
    sessions = pd.DataFrame({"athlete": "ana", "session_id": [f"s{i}" for i in
                                                              range(len(starts))],
                             "start": starts, "sport": "run", "title": "Run",
                             "duration_s": km * 330.0, "moving_s": km * 330.0,
                             "distance_m": km * 1000.0, "rpe": 4.0})
    a = pipeline.analyse(sessions, end=pd.Timestamp("2026-11-05"))
    nig = _niggle("2026-11-01").iloc[0].to_dict()
    b = ng.before_onset(nig, risk_rows=a.risk, weekly=a.weekly)
    assert (b.start, b.end) == (pd.Timestamp("2026-09-20"), pd.Timestamp("2026-10-31"))
    assert b.spikes["date"].tolist() == [pd.Timestamp("2026-10-22")]
    assert b.spikes["spike_pct"].iloc[0] == pytest.approx(125.0)
    assert b.spikes["band"].iloc[0] == "large"
    week = b.weekly.set_index("week")
    risk = a.risk.set_index("date")
    for w, row in week.iterrows():  # each week's running km is the pipeline's 7-day figure
        assert row["run_km"] == pytest.approx(risk.loc[w + pd.Timedelta(days=6), "run_km_7d"])
    gaps = b.gaps.set_index("area")
    assert gaps.loc["strength", "longest_gap_days"] >= 42 or \
        np.isnan(gaps.loc["strength", "longest_gap_days"])
