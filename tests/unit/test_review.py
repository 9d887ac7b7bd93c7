"""Since your last review, the chase list and next actions (pure functions)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from stridewise import review
from stridewise.assessment import Assessment, Metric, Reason
from stridewise.explain import EXPLANATIONS

WEEK = date(2026, 11, 30)


def _assessment(name: str, level: str, keys: tuple[str, ...] = (), ratio: float = 1.0,
                limit: float = math.nan) -> Assessment:
    m = Metric("acwr", "ratio", ratio, "", f"{ratio}", "usual", "ok", "", "", "", "")
    reasons = tuple(Reason(f"reason {k} of {name}", k, "", EXPLANATIONS["coverage"], "")
                    for k in keys)
    return Assessment(name, pd.Timestamp("2026-12-07"), level, reasons, {"acwr": m}, "km",
                      "uncoupled", limit)


def _marks(*rows: tuple[str, str, str, str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["athlete", "week", "seen_at", "level", "flag_keys"])
    df["reviewer"] = "me"
    df["seen_at"] = pd.to_datetime(df["seen_at"])
    return df


def _sessions(*rows: tuple[str, str, str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["athlete", "start", "title"])
    df["start"] = pd.to_datetime(df["start"], format="ISO8601")
    df["distance_m"] = 10000.0
    df["rpe"] = math.nan
    return df


def _inputs(assessments, marks=None, recent=None, arrived=None, edits=None, **kw):
    empty_a = pd.DataFrame(columns=["athlete", "start", "title", "arrived_at"])
    empty_e = pd.DataFrame(columns=["athlete", "start", "title", "area", "rpe", "edited_at"])
    return review.ReviewInputs(
        assessments, marks if marks is not None else _marks(),
        recent if recent is not None else _sessions(),
        arrived if arrived is not None else empty_a,
        edits if edits is not None else empty_e, WEEK, **kw)


def test_review_week_is_the_last_full_week() -> None:
    assert review.review_week(date(2026, 12, 7)) == date(2026, 11, 30)  # a Monday
    assert review.review_week(date(2026, 12, 6)) == date(2026, 11, 23)  # a Sunday
    assert review.review_week(date(2026, 12, 6), "sunday") == date(2026, 11, 29)


def test_never_seen_athletes_show_the_weeks_sessions_and_flags_in_triage_order() -> None:
    a = [_assessment("low1", "low"), _assessment("high1", "high", ("spike_pct",), 1.1),
         _assessment("mod1", "moderate", ("run_km_change_pct",))]
    recent = _sessions(("low1", "2026-12-01 07:00", "Easy"), ("low1", "2026-11-20", "Old"),
                       ("quiet", "2026-12-01", "x"))
    out = review.since_last_review(_inputs(a, recent=recent))
    assert [r.athlete for r in out] == ["high1", "mod1", "low1"]
    assert [c.kind for c in out[0].changes] == ["flag"]
    low = out[2]
    assert low.count("session") == 1 and "Easy, 10.0 km" in low.changes[0].text


def test_marking_seen_shrinks_the_list_until_something_new_arrives() -> None:
    a = [_assessment("ana", "moderate", ("spike_pct",)), _assessment("ben", "low")]
    recent = _sessions(("ana", "2026-12-01", "Run"), ("ben", "2026-12-02", "Run"))
    assert len(review.since_last_review(_inputs(a, recent=recent))) == 2
    marks = _marks(("ana", "2026-11-30", "2026-12-07 08:00", "moderate", "spike_pct"))
    out = review.since_last_review(_inputs(a, marks=marks, recent=recent))
    assert [r.athlete for r in out] == ["ben"]
    # a session that arrives after the mark brings ana back, with only that session
    arrived = pd.DataFrame({"athlete": ["ana", "ana"], "start": pd.to_datetime(
        ["2026-12-07", "2026-12-06"]), "title": ["Late upload", "Before"],
        "distance_m": [5000.0, 1.0], "arrived_at": pd.to_datetime(
        ["2026-12-07 09:00", "2026-12-07 07:00"])})
    out = review.since_last_review(_inputs(a, marks=marks, recent=recent, arrived=arrived))
    ana = next(r for r in out if r.athlete == "ana")
    assert [c.text for c in ana.changes] == ["New session Mon 07 Dec: Late upload, 5.0 km"]


def test_only_flags_that_appeared_after_the_mark_are_new_and_a_rising_level_is_said() -> None:
    marks = _marks(("ana", "2026-11-30", "2026-12-07 08:00", "low", "balance"))
    a = [_assessment("ana", "high", ("balance", "spike_pct"))]
    out = review.since_last_review(_inputs(a, marks=marks))
    kinds = [(c.kind, c.text) for c in out[0].changes]
    assert kinds == [("level", "Risk level rose from low to high"),
                     ("flag", "Reason spike_pct of ana")]


def test_edits_missed_plan_items_and_symptoms_are_changes() -> None:
    marks = _marks(("ana", "2026-11-23", "2026-12-01 08:00", "low", ""))
    edits = pd.DataFrame({"athlete": ["ana"], "start": pd.to_datetime(["2026-11-30"]),
                          "title": ["Gym"], "area": ["strength"], "rpe": [6.0],
                          "edited_at": pd.to_datetime(["2026-12-03"])})
    plan = pd.DataFrame({"athlete": ["ana", "ana", "ana"],
                         "week": pd.to_datetime(["2026-11-23", "2026-11-30", "2026-11-30"]),
                         "item": ["Long run", "Plyometrics", "Strength"],
                         "status": ["missed", "partly", "done"]})
    symptoms = pd.DataFrame({"athlete": ["ana"], "date": pd.to_datetime(["2026-12-02"]),
                             "kind": ["niggle"], "text": ["Niggle: left calf, 4/10"]})
    out = review.since_last_review(_inputs([_assessment("ana", "low")], marks=marks,
                                           edits=edits, plan_status=plan, symptoms=symptoms))
    texts = [c.text for c in out[0].changes]
    assert texts == ["Niggle: left calf, 4/10", "Partly done (week of 30 Nov): Plyometrics",
                     "Edited Mon 30 Nov: Gym, 10.0 km (area set to strength, RPE set to 6)"
                     .replace(", 10.0 km", "")]


def test_a_new_kind_of_change_is_one_function() -> None:
    def birthdays(inputs, athlete, seen):
        return [review.Change(athlete, "birthday", None, "Birthday")] if athlete == "ben" else []

    a = [_assessment("ana", "low"), _assessment("ben", "low")]
    out = review.since_last_review(_inputs(a), sources=(*review.CHANGE_SOURCES, birthdays))
    assert [(r.athlete, [c.kind for c in r.changes]) for r in out] == [("ben", ["birthday"])]


def test_chase_list_names_silence_missing_rpe_and_missing_check_ins() -> None:
    recent = _sessions(("ana", "2026-12-01", "a"), ("ana", "2026-12-02", "b"),
                       ("ben", "2026-12-01", "c"), ("ana", "2026-11-20", "old"))
    recent.loc[recent["athlete"] == "ben", "rpe"] = 5.0
    got = review.chase_list(
        ["ana", "ben", "cy", "dee"], as_of=date(2026, 12, 7), week_start=WEEK,
        last_start={"ana": pd.Timestamp("2026-12-02"), "ben": pd.Timestamp("2026-12-01"),
                    "cy": pd.Timestamp("2026-11-20"), "dee": None},
        recent_sessions=recent,
        last_checkin={"ana": pd.Timestamp("2026-12-06"), "ben": pd.Timestamp("2026-12-06"),
                      "cy": pd.Timestamp("2026-11-25")})
    rows = {r["athlete"]: r["chase"] for r in got.to_dict(orient="records")}
    assert rows == {"dee": "no session ever recorded; no wellness check-in yet",
                    "cy": "no session for 17 days; no wellness check-in for 12 days",
                    "ana": "2 sessions without RPE"}
    assert list(got["athlete"]) == ["dee", "cy", "ana"]
    quiet = review.ReviewSettings(no_session_days=30, chase_missing_rpe=False, no_checkin_days=0)
    got = review.chase_list(["cy"], as_of=date(2026, 12, 7), week_start=WEEK,
                            last_start={"cy": pd.Timestamp("2026-11-20")},
                            recent_sessions=recent, last_checkin={}, settings=quiet)
    assert got.empty


def test_review_settings_from_saved_values_are_bounded() -> None:
    s = review.ReviewSettings.from_settings({"review": {"no_session_days": "10",
                                                        "no_checkin_days": -4}})
    assert (s.no_session_days, s.no_checkin_days, s.chase_missing_rpe) == (10, 0, True)
    assert review.ReviewSettings.from_settings({"review": {"no_session_days": "x"}}) \
        .no_session_days == 7


def test_next_action_follows_the_top_reason() -> None:
    assert "within 22.0 km" in review.next_action(
        _assessment("a", "high", ("spike_pct", "acwr"), limit=22.0))
    assert "RPE" in review.next_action(_assessment("a", "low", ("load",)))
    assert review.next_action(_assessment("a", "low")).startswith("Nothing urgent")
