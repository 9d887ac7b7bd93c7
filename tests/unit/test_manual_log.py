"""Sessions logged by hand: the matching rule, entry validation, units, RPE anchors, the lists
of the Log page; the movement-pattern balance and the suggestion of what to do next."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from stridewise import manual, patterns, suggest
from stridewise.errors import UsageError
from stridewise.exercises import Routine, RoutineItem, starter_routines
from stridewise.schema import sets_to_json

D = pd.Timestamp("2026-12-01 18:00")


def _existing(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"session_id": i, "start": pd.Timestamp(t), "sport": sp,
                          "duration_s": d} for i, t, sp, d in rows])


def _new(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"start": pd.Timestamp(t), "sport": sp, "duration_s": d}
                         for t, sp, d in rows])


def test_match_same_day_compatible_similar_duration() -> None:
    ex = _existing(("m1", "2026-12-01 07:00", "strength", 900.0))
    got = manual.match_manual(_new(("2026-12-01 18:20", "hiit", 1000.0)), ex)
    assert got.iat[0] == "m1"  # hours apart, but the same day; gym sports are compatible


@pytest.mark.parametrize(("start", "sport", "dur"), [
    ("2026-12-02 00:10", "strength", 900.0),   # another day
    ("2026-12-01 18:00", "run", 900.0),        # a run is not gym work
    ("2026-12-01 18:00", "yoga", 900.0),       # mind-body is its own group
    ("2026-12-01 18:00", "strength", 2400.0),  # 40 min is not 15
])
def test_no_match(start: str, sport: str, dur: float) -> None:
    ex = _existing(("m1", "2026-12-01 07:00", "strength", 900.0))
    assert manual.match_manual(_new((start, sport, dur)), ex).isna().all()


def test_match_is_one_to_one_closest_duration_first() -> None:
    ex = _existing(("a", "2026-12-01 07:00", "strength", 1800.0),
                   ("b", "2026-12-01 19:00", "strength", 900.0))
    got = manual.match_manual(_new(("2026-12-01 07:05", "strength", 950.0),
                                   ("2026-12-01 19:05", "strength", 1750.0)), ex)
    assert list(got) == ["b", "a"]


def test_similar_duration_has_a_floor_for_short_sessions() -> None:
    assert manual.similar_duration(600, 880)   # 10 vs ~15 min: within 5 min
    assert not manual.similar_duration(600, 1000)
    assert manual.similar_duration(3600, 4400)  # within 25 %
    assert not manual.similar_duration(3600, 5000)


def test_compatible_groups() -> None:
    assert manual.compatible("run", "trail_run") and manual.compatible("walk", "hike")
    assert manual.compatible("strength", "other") and manual.compatible("yoga", "pilates")
    assert not manual.compatible("strength", "yoga") and not manual.compatible("ride", "run")


def test_pounds_and_kilograms() -> None:
    assert manual.weight_to_kg(100, "mi") == pytest.approx(45.359237)
    assert manual.weight_to_kg(20, "km") == 20
    assert manual.kg_to_display(45.359237, "mi") == pytest.approx(100)
    assert manual.weight_unit("mi") == "lb" and manual.weight_unit("km") == "kg"


def test_rpe_anchors_follow_the_cr10_scale() -> None:
    assert manual.rpe_label(5) == "5 · Hard" and manual.rpe_label(10) == "10 · Maximal"
    assert manual.rpe_label(0) == "0 · Rest" and manual.rpe_label(3.4) == "3 · Moderate"
    assert manual.rpe_label(6) == "6" and manual.rpe_label(7) == "7 · Very hard"
    assert set(manual.RPE_ANCHORS) == set(range(11))


def test_clean_sets_drops_empty_form_rows_and_refuses_bad_ones() -> None:
    got = manual.clean_sets([{"exercise": " squat ", "reps": 10.0, "weight_kg": 40},
                             {"exercise": "", "reps": None}, {"exercise": "plank",
                                                                "seconds": 30, "side": "left"}])
    assert got == [{"exercise": "squat", "category": None, "reps": 10, "weight_kg": 40.0,
                    "seconds": None, "side": "both"},
                   {"exercise": "plank", "category": None, "reps": None, "weight_kg": None,
                    "seconds": 30.0, "side": "left"}]
    for bad, words in (([{"exercise": "squat", "reps": "ten"}], "number"),
                       ([{"exercise": "squat", "weight_kg": 5000}], "weight"),
                       ([{"exercise": "", "seconds": 30}], "no exercise")):
        with pytest.raises(UsageError, match=words):
            manual.clean_sets(bad)
    with pytest.raises(UsageError, match="at most"):
        manual.clean_sets([{"exercise": "squat"}] * (manual.MAX_SETS + 1))


def test_side_is_kept_in_the_sets_json_only_when_given() -> None:
    assert '"side":"left"' in sets_to_json([{"exercise": "lunge", "side": "left"}])
    assert "side" not in sets_to_json([{"exercise": "lunge", "reps": 5}])


def test_session_types_cover_every_training_area() -> None:
    assert {t.area for t in manual.SESSION_TYPES} >= {
        "endurance", "strength", "plyometrics", "stability", "flexibility"}
    assert manual.session_type("Stability / core").area == "stability"
    with pytest.raises(UsageError):
        manual.session_type("Knitting")


def test_without_rpe_lists_recent_sessions_without_any_rpe_newest_first() -> None:
    s = pd.DataFrame({
        "athlete": ["ana"] * 4 + ["ben"], "session_id": list("abcde"),
        "start": pd.to_datetime(["2026-11-01", "2026-11-20", "2026-11-25", "2026-11-28",
                                 "2026-11-28"]),
        "title": list("ABCDE"), "sport": "run", "area": "endurance",
        "moving_s": 1800.0, "rpe": [float("nan"), float("nan"), 5.0, float("nan"),
                                    float("nan")]})
    got = manual.without_rpe(s, "ana", date(2026, 11, 30), weeks=4)
    assert list(got["session_id"]) == ["d", "b"] and got["minutes"].iat[0] == 30.0


# --------------------------------------------------------------------------- patterns

def _sessions(rows: list[tuple[str, str, list[dict]]], sport: str = "strength") -> pd.DataFrame:
    return pd.DataFrame({"athlete": "ana", "session_id": [f"s{i}" for i in range(len(rows))],
                         "start": pd.to_datetime([r[0] for r in rows]),
                         "sport": [r[1] for r in rows],
                         "sets": [sets_to_json(r[2]) for r in rows]})


def test_pattern_sets_from_fit_hevy_and_manual_sets() -> None:
    s = _sessions([
        ("2026-11-02 07:00", "strength", [{"exercise": "", "category": "calf_raise", "reps": 12}]),
        ("2026-11-03 07:00", "strength", [{"exercise": "Squat (Barbell)", "reps": 5},
                                          {"exercise": "Bench Press (Barbell)", "reps": 5},
                                          {"exercise": "Mystery Move", "reps": 5}]),
        ("2026-11-04 07:00", "strength", [{"exercise": "pogo hops", "reps": 20},
                                          {"exercise": "pogo hops", "reps": 20}]),
        ("2026-11-05 07:00", "yoga", []),
        ("2026-11-06 07:00", "run", []),
    ])
    ps = patterns.pattern_sets(s)
    assert set(ps.loc[ps["session_id"] == "s0", "pattern"]) == {"calf_achilles"}
    assert ps.loc[ps["exercise"] == "Mystery Move", "how"].iat[0] == "unknown"
    assert ps.loc[ps["exercise"] == "Bench Press (Barbell)", "pattern"].iat[0] == ""
    assert ps.loc[ps["pattern"] == "hop_contacts", "contacts"].sum() == 40
    assert "mobility" in set(ps.loc[ps["session_id"] == "s3", "pattern"])  # a yoga class
    assert "s4" not in set(ps["session_id"])  # a run has no sets and no pattern
    w = patterns.weekly_patterns(ps)
    wk = w.set_index("pattern")
    assert wk.at["hop_contacts", "sets"] == 2 and wk.at["hop_contacts", "sessions"] == 1
    assert wk.at["hop_contacts", "contacts"] == 40 and wk.at["squat", "sets"] == 1
    assert list(patterns.unknown_names(ps, "ana")["exercise"]) == ["Mystery Move"]


def test_gaps_are_named_in_plain_words() -> None:
    s = _sessions([("2026-11-09 07:00", "strength", [{"exercise": "calf raise", "reps": 15}]),
                   ("2026-11-29 07:00", "strength", [{"exercise": "single-leg squat",
                                                      "reps": 8}])])
    found = {g.pattern: g for g in patterns.gaps(patterns.pattern_sets(s), "ana",
                                                 date(2026, 11, 30))}
    assert found["calf_achilles"].sentence == "No calf loading for 21 days."
    assert found["hop_contacts"].sentence == "No hops or jumps recorded yet."
    assert "single_leg" not in found and "squat" not in found


def test_contact_plan_progresses_gradually_and_starts_low() -> None:
    s = _sessions([("2026-11-24 07:00", "strength", [{"exercise": "pogo hops", "reps": 40},
                                                     {"exercise": "box jump", "reps": 10}])])
    w = patterns.weekly_patterns(patterns.pattern_sets(s))
    plan = patterns.contact_plan(w, "ana", date(2026, 12, 2))  # last full week: 23-29 Nov
    assert (plan.last_week, plan.last_week_sessions, plan.next_week_max) == (50, 1, 55)
    assert "up to 55" in plan.sentence
    empty = patterns.contact_plan(w, "ana", date(2027, 1, 20))
    assert empty.last_week == 0 and empty.next_week_max == 80 and "Start low" in empty.sentence


def test_pattern_grid_holds_the_last_weeks() -> None:
    s = _sessions([("2026-11-24 07:00", "strength", [{"exercise": "squat", "reps": 5}] * 3)])
    grid = patterns.pattern_grid(patterns.weekly_patterns(patterns.pattern_sets(s)), "ana",
                                 date(2026, 12, 2), weeks=4)
    assert list(grid.columns)[-2:] == [pd.Timestamp("2026-11-23"), pd.Timestamp("2026-11-30")]
    assert grid.loc["squat", pd.Timestamp("2026-11-23")] == 3 and grid.to_numpy().sum() == 3


# --------------------------------------------------------------------------- what next

def _balance(**spw: float) -> pd.DataFrame:
    targets = {"endurance": 3, "strength": 2, "plyometrics": 1, "stability": 2,
               "flexibility": 3}
    return pd.DataFrame([{"athlete": "ana", "area": a, "sessions_per_week": spw.get(a, t),
                          "target_per_week": t, "days_since": 3.0} for a, t in targets.items()])


def test_suggestion_for_the_area_furthest_behind_is_the_seed_stability_routine() -> None:
    empty = pd.DataFrame({"athlete": [], "start": pd.to_datetime([]), "area": [],
                          "minutes": []})
    sg = suggest.suggest(_balance(stability=0.25, flexibility=2.5), empty, "ana",
                         date(2026, 12, 1))
    assert sg is not None and sg.area == "stability"
    assert [i.exercise for i in sg.routine.items] == [
        "single-leg squat", "single-leg deadlift", "stability-ball plank"]
    assert sg.routine.minutes == 15 and "first" in sg.sized
    assert "0.2 sessions a week" in sg.why or "0.3 sessions a week" in sg.why


def test_suggestion_is_sized_to_recent_sessions_and_prefers_the_athletes_routine() -> None:
    hist = pd.DataFrame({"athlete": "ana", "area": "stability", "minutes": [30.0, 30.0, 28.0],
                         "start": pd.to_datetime(["2026-11-10", "2026-11-17", "2026-11-20"])})
    sg = suggest.suggest(_balance(stability=0.5), hist, "ana", date(2026, 12, 1))
    assert sg is not None and sg.routine.minutes == 30
    assert [i.sets for i in sg.routine.items] == [6, 6, 6]
    mine = Routine("My stability", "stability", 20.0, (RoutineItem("side plank", 3, None, 30.0,
                                                                    side="each"),))
    sg = suggest.suggest(_balance(stability=0.5), hist, "ana", date(2026, 12, 1), saved=[mine])
    assert sg is not None and sg.routine.name == "My stability"


def test_plyometric_suggestion_is_sized_by_foot_contacts() -> None:
    empty = pd.DataFrame({"athlete": [], "start": pd.to_datetime([]), "area": [],
                          "minutes": []})
    first = suggest.suggest(_balance(plyometrics=0.0), empty, "ana", date(2026, 12, 1))
    assert first is not None and first.area == "plyometrics" and first.contacts == 80
    plan = patterns.ContactPlan(100.0, 1, 110.0, "intermediate")
    more = suggest.suggest(_balance(plyometrics=0.0), empty, "ana", date(2026, 12, 1),
                           contacts=plan)
    assert more is not None and 80 < more.contacts <= 120


def test_no_suggestion_when_every_area_is_on_target() -> None:
    empty = pd.DataFrame({"athlete": [], "start": pd.to_datetime([]), "area": [],
                          "minutes": []})
    assert suggest.suggest(_balance(), empty, "ana", date(2026, 12, 1)) is None
    assert suggest.suggest(_balance(endurance=0.0), empty, "ana", date(2026, 12, 1)) is None


def test_calf_gap_turns_a_strength_suggestion_into_the_calf_routine() -> None:
    empty = pd.DataFrame({"athlete": [], "start": pd.to_datetime([]), "area": [],
                          "minutes": []})
    sg = suggest.suggest(_balance(strength=0.0), empty, "ana", date(2026, 12, 1),
                         gaps=[patterns.Gap("calf_achilles", 30)])
    assert sg is not None and "Calf" in sg.routine.name
    assert starter_routines()  # the routines come from the data file
