"""Training-area classification: rules, reasons, sets, overrides, parts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stridewise import classify
from stridewise.classify import Rule
from stridewise.errors import UsageError
from stridewise.schema import AREAS, SPORTS, sets_to_json


def frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    n = len(df)
    df["session_id"] = [f"s{i}" for i in range(n)]
    df["athlete"] = "ann"
    df["start"] = pd.Timestamp("2024-05-06 07:00")
    for col, val in (("title", ""), ("sets", "[]"), ("duration_s", 1800.0)):
        df[col] = df[col].fillna(val) if col in df.columns else val
    df["moving_s"] = df["duration_s"]
    return df


@pytest.mark.parametrize(("sport", "title", "area"), [
    ("other", "Krafttraining", "strength"),
    ("other", "Séance de musculation", "strength"),
    ("other", "Entrenamiento de fuerza", "strength"),
    ("other", "Styrketræning", "strength"),
    ("other", "Erősítő edzés", "strength"),
    ("other", "Treino de musculação", "strength"),
    ("other", "Krachttraining benen", "strength"),
    ("other", "Allenamento forza", "strength"),
    ("other", "Box jumps and bounding", "plyometrics"),
    ("other", "Sprungkraft", "plyometrics"),
    ("other", "Plank challenge", "stability"),
    ("other", "Gainage", "stability"),
    ("other", "Core", "stability"),
    ("other", "Yoga for Runners", "flexibility"),
    ("other", "Pilates", "flexibility"),
    ("other", "Stretching", "flexibility"),
    ("other", "Mobility", "flexibility"),
    ("other", "Dehnen nach dem Lauf", "flexibility"),
    ("other", "Alongamento", "flexibility"),
    ("yoga", "Morning", "flexibility"),
    ("run", "Morning Run", "endurance"),
    ("run", "Run + stretching", "endurance"),  # a run stays a run
    ("walk", "Caminhada de aquecimento", "endurance"),
    ("strength", "Evening workout", "strength"),
    ("elliptical", "Funcional", "strength"),
    ("other", "Hardloopsessie", "endurance"),
    ("other", "Football", "endurance"),
    ("other", "Cali Move", "other"),
    ("strength", "力量训练", "strength"),
    ("other", "瑜伽", "flexibility"),
    ("other", "Strenght workout", "strength"),
    ("ride", "GCN Strength Ramp Power Indoor Cycling", "endurance"),
])
def test_titles_and_sports_in_many_languages(sport, title, area):
    out = classify.classify(frame([{"sport": sport, "title": title}]))
    assert out["area"].iloc[0] == area


def test_reasons_in_plain_words():
    sets = [{"exercise": "Back Squat", "category": "squat"}] * 3 + \
        [{"exercise": "Plank", "category": "plank"}]
    out = classify.classify(frame([
        {"sport": "other", "title": "Box jumps"},
        {"sport": "yoga", "title": "Sunday"},
        {"sport": "strength", "title": "Gym", "sets": sets_to_json(sets)},
        {"sport": "other", "title": "Cali Move"},
    ]))
    assert out["area_reason"].tolist() == [
        "title contains 'box jumps'",
        "sport is yoga",
        "3 of 4 sets are squats/lunges",
        "no rule matches sport other and title 'Cali Move'",
    ]


def test_sets_decide_by_time_when_times_are_known():
    sets = [{"exercise": "Squat", "category": "squat", "seconds": 30}] * 2 + \
        [{"exercise": "Plank", "category": "plank", "seconds": 120}]
    out = classify.classify(frame([{"sport": "strength", "title": "Strength",
                                    "sets": sets_to_json(sets)}]))
    assert out["area"].iloc[0] == "stability"
    assert out["area_reason"].iloc[0] == "1 of 3 sets (67 % of set time) are planks/core"


@pytest.mark.parametrize(("category", "exercise", "area"), [
    ("squat", "", "strength"), ("lunge", "", "strength"), ("deadlift", "", "strength"),
    ("leg_curl", "", "strength"), ("calf_raise", "", "strength"), ("plyo", "", "plyometrics"),
    ("plank", "", "stability"), ("core", "", "stability"), ("hip_stability", "", "stability"),
    ("hip_raise", "", "stability"), ("", "Squat (Barbell)", "strength"),
    ("", "Bulgarian Split Squat", "strength"), ("", "Box Jump", "plyometrics"),
    ("", "Jump Squat", "plyometrics"), ("", "Plank", "stability"),
    ("", "Single Leg Romanian Deadlift", "stability"), ("", "Russian Twist", "stability"),
    ("", "Bench Press (Barbell)", "strength"), ("", "Running - Treadmill", "endurance"),
    ("", "Indoor Rowing", "endurance"),
])
def test_set_categories_and_exercise_names(category, exercise, area):
    sets = sets_to_json([{"exercise": exercise or None, "category": category or None}])
    out = classify.classify(frame([{"sport": "strength", "title": "", "sets": sets}]))
    assert out["area"].iloc[0] == area


def test_override_wins_and_says_so():
    df = frame([{"sport": "run", "title": "Morning Run"}, {"sport": "run", "title": "x"}])
    df["area_override"] = ["stability", ""]
    out = classify.classify(df)
    assert out["area"].tolist() == ["stability", "endurance"]
    assert out["area_reason"].iloc[0] == "set by you"
    parts = classify.session_parts(out)
    assert parts["area"].tolist() == ["stability", "endurance"]


def test_user_rules_come_before_defaults():
    rules = classify.with_user_rules([{"kind": "title", "pattern": "cali move",
                                       "area": "flexibility"}])
    out = classify.classify(frame([{"sport": "other", "title": "Cali Move"}]), rules)
    assert out["area"].iloc[0] == "flexibility"
    assert out["area_reason"].iloc[0] == "title contains 'cali move'"
    # a user's sport rule beats the default endurance rule for runs
    rules = classify.with_user_rules([{"kind": "sport", "pattern": "track_run",
                                       "area": "plyometrics"}])
    out = classify.classify(frame([{"sport": "track_run", "title": "Track"}]), rules)
    assert out["area"].iloc[0] == "plyometrics"


def test_bad_rule_records_are_refused_with_one_sentence():
    with pytest.raises(UsageError, match="Rule 1: .*kind"):
        classify.rules_from_records([{"kind": "colour", "pattern": "x", "area": "strength"}])
    with pytest.raises(UsageError, match="area"):
        classify.rules_from_records([{"kind": "title", "pattern": "x", "area": "speed"}])
    with pytest.raises(UsageError, match="not a known sport"):
        classify.rules_from_records([{"kind": "sport", "pattern": "quidditch",
                                      "area": "other"}])
    with pytest.raises(UsageError, match="needs a pattern"):
        classify.rules_from_records([{"kind": "title", "pattern": " ", "area": "other"}])


def test_records_round_trip():
    rules = classify.default_rules()[:5]
    assert classify.rules_from_records(classify.rules_to_records(rules)) == rules


def test_default_rules_file_is_complete_and_valid():
    rules = classify.default_rules()
    assert len(rules) > 200
    assert {r.area for r in rules} >= set(AREAS) - {"other"}
    assert {r.kind for r in rules} == {"sport", "title", "exercise"}
    for r in rules:
        r.check()
        if r.kind == "sport":
            assert r.pattern in SPORTS
    # every normalised sport has a place (other only for 'other')
    covered = {r.pattern for r in rules if r.kind == "sport"}
    assert set(SPORTS) - covered == {"other"}


def test_wildcards_and_word_boundaries():
    assert Rule("title", "stretch*", "flexibility").regex().search("post run stretching")
    assert not Rule("title", "core", "stability").regex().search("score")
    assert Rule("title", "*core", "stability").regex().search("hardcore")
    assert classify.text_key("HomeWorkout – Styrketræning!") == "home workout styrketraening"


def test_session_parts_split_by_set_time_or_count():
    timed = [{"exercise": "Squat", "category": "squat", "seconds": 90},
             {"exercise": "Box Jump", "category": "plyo", "seconds": 30}]
    counted = [{"exercise": "Squat", "category": "squat"}] * 3 + \
        [{"exercise": "Mystery", "category": "unknown"}] + [{"exercise": "Plank"}]
    out = classify.classify(frame([
        {"sport": "strength", "sets": sets_to_json(timed), "duration_s": 1200.0},
        {"sport": "strength", "sets": sets_to_json(counted), "duration_s": 1600.0},
        {"sport": "run", "duration_s": 3000.0},
    ]))
    parts = classify.session_parts(out)
    assert list(parts.columns) == classify.PARTS_COLUMNS
    got = {(r.session_id, r.area): r.seconds for r in parts.itertuples()}
    assert got == {("s0", "strength"): 900.0, ("s0", "plyometrics"): 300.0,
                   ("s1", "strength"): 1200.0, ("s1", "stability"): 400.0,
                   ("s2", "endurance"): 3000.0}


def test_unclassified_lists_other_for_review():
    out = classify.classify(frame([{"sport": "other", "title": "Cali Move"},
                                   {"sport": "run", "title": "Run"}]))
    review = classify.unclassified(out)
    assert review["title"].tolist() == ["Cali Move"]
    with pytest.raises(UsageError):
        classify.unclassified(frame([{"sport": "run"}]))


def test_input_not_mutated_and_empty_input():
    df = frame([{"sport": "run", "title": "Run"}])
    before = df.copy()
    classify.classify(df)
    pd.testing.assert_frame_equal(df, before)
    empty = classify.classify(df.iloc[:0])
    assert "area" in empty.columns and len(empty) == 0
    assert len(classify.session_parts(empty)) == 0


def test_missing_title_and_nan_sets_are_tolerated():
    df = frame([{"sport": "other"}])
    df["title"] = np.nan
    df["sets"] = np.nan
    out = classify.classify(df)
    assert out["area"].iloc[0] == "other"
    assert out["area_reason"].iloc[0] == "no rule matches sport other (no title)"


def test_parts_follow_an_area_decided_before_the_sets():
    sets = sets_to_json([{"exercise": "Squat", "category": "squat"},
                         {"exercise": "Box Jump", "category": "plyo"}])
    rules = classify.with_user_rules([{"kind": "title", "pattern": "leg day",
                                       "area": "stability"}])
    out = classify.classify(frame([{"sport": "strength", "title": "Leg day", "sets": sets}]),
                            rules)
    assert out["area"].iloc[0] == "stability"
    parts = classify.session_parts(out, rules)
    assert parts["area"].tolist() == ["stability"] and parts["seconds"].sum() == 1800.0


def test_a_tied_mixed_session_goes_to_its_sport_area_and_is_still_split():
    sets = sets_to_json([{"category": "cardio"}, {"category": "triceps_extension"}])
    out = classify.classify(frame([{"sport": "strength", "title": "Strength", "sets": sets,
                                    "duration_s": 1000.0}]))
    assert out["area"].iloc[0] == "strength"
    parts = classify.session_parts(out).set_index("area")["seconds"].to_dict()
    assert parts == pytest.approx({"endurance": 500.0, "strength": 500.0})


def test_sport_rule_records_are_normalised():
    (rule,) = classify.rules_from_records([{"kind": "Sport", "pattern": "Trail run",
                                            "area": "Endurance"}])
    assert rule == Rule("sport", "trail_run", "endurance", "")


# --- precedence, tokens, confidence (issue: every session in the right area) -------------------

@pytest.mark.parametrize(("sport", "title", "area"), [
    ("run", "Drills", "plyometrics"),  # explicit words outrank a running sport
    ("run", "Strides and bounding", "plyometrics"),
    ("track_run", "Plyometrics", "plyometrics"),
    ("run", "Easy run + drills", "endurance"),  # ... unless the title names the run itself
    ("run", "Pre-Run Warm Up", "flexibility"),  # 'pre run' is a time, not a run
    ("run", "Pre Run Mobility", "flexibility"),
    ("strength", "Strength & Core", "stability"),  # strength does not beat core
    ("strength", "Core strength", "stability"),
    ("strength", "Chest, Triceps & Core", "strength"),  # most words name strength
    ("other", "Walking Lunge", "strength"),  # walking is not a walk here
    ("other", "Walking Lunges & Step-ups", "strength"),
    ("ride", "Strength-End Bike", "endurance"),
    ("other", "Strength-End Bike", "endurance"),  # the compound is not 'strength'
    ("swim", "Kick drills", "endurance"),  # a swim's drills are swimming
    ("cardio", "Tabata squats", "strength"),  # the content outranks the format
    ("strength", "HIIT", "endurance"),
    ("other", "Brunch", "other"),  # no 'run' inside another word
    ("other", "Core-Training", "stability"),
    ("other", "Coretraining", "stability"),
    ("other", "Morgonlöpning", "endurance"),
    ("other", "Rumpfstabilitätstraining", "stability"),
    ("other", "Силовая тренировка", "strength"),  # Cyrillic is read, not dropped
    ("other", "Растяжка", "flexibility"),
    ("other", "腹筋とプランク", "stability"),
    ("other", "Score 3-1", "other"),
    ("other", "Gleichgewichtstraining", "stability"),  # a generic head: the modifier decides
    ("other", "Skippings", "plyometrics"),  # not skiing
    ("other", "Intervalos", "endurance"),
    ("run", "Warm up", "endurance"),  # a warm-up jog recorded as a run
    ("run", "Tower Bridge loop", "endurance"),  # a bridge in a place name
    ("run", "Ligornetto-Stabio", "endurance"),  # a town, not stability work
    ("run", "sehr sprunghaft", "endurance"),  # erratic, not a jump
    ("run", "Hoppas det går bra", "endurance"),  # Swedish: hope, not hops
    ("run", "Stabilt lugnt", "endurance"),  # Swedish: steady
    ("trail_run", "Fern Hollow loop", "endurance"),  # a place, not a hollow hold
    ("walk", "Walking - warm up", "endurance"),
    ("other", "🧘‍♀️", "flexibility"),
    ("other", "🏋️‍♀️", "strength"),
    ("other", "🏃", "endurance"),
    ("other", "BodyPump", "strength"),
    ("other", "Orangetheory", "endurance"),
    ("other", "Reformer", "flexibility"),
    ("other", "Cooldown", "other"),  # a cool-down may be a jog or a stretch
    ("e_bike", "摩托骑行", "other"),
])
def test_precedence_and_tokenised_matching(sport, title, area):
    out = classify.classify(frame([{"sport": sport, "title": title}]))
    assert out["area"].iloc[0] == area, out["area_reason"].iloc[0]


def test_sets_outrank_the_title_and_explicit_words():
    runs = sets_to_json([{"exercise": "Running (Treadmill)"}] * 3)
    lifts = sets_to_json([{"exercise": "Bench Press (Barbell)"}, {"exercise": "Squat (Barbell)"}])
    out = classify.classify(frame([{"sport": "strength", "title": "Gym", "sets": runs},
                                   {"sport": "strength", "title": "Core", "sets": lifts}]))
    assert out["area"].tolist() == ["endurance", "strength"]


@pytest.mark.parametrize(("name", "area"), [
    ("Планка", "stability"), ("Sentadilla", "strength"), ("Kniebeuge", "strength"),
    ("Walking Lunge", "strength"), ("Jump Squat", "plyometrics"), ("Jumping Jacks", "plyometrics"),
    ("Child's Pose", "flexibility"), ("Neck Stretch", "flexibility"),
    ("Foam Rolling", "flexibility"), ("Hampelmann", "plyometrics"), ("プランク", "stability"),
    ("跳绳", "plyometrics"), ("Single Leg Romanian Deadlift", "stability"),
    ("Indoor Rowing", "endurance"), ("Seated Cable Row", "strength"),
])
def test_exercise_names_in_many_languages(name, area):
    assert classify.exercise_area(name)[0] == area


def test_exercise_category_alone_and_unknown_names():
    assert classify.exercise_area("", "hip_raise")[0] == "stability"
    assert classify.exercise_area("Mystery move", "") is None
    assert classify.exercise_area("Mystery move", "squat") == ("strength", "squats/lunges")


def test_confidence_per_decision():
    df = frame([{"sport": "run", "title": "Morning Run"}, {"sport": "run", "title": "Drills"},
                {"sport": "other", "title": "Cali Move"}, {"sport": "other", "title": "run"},
                {"sport": "run", "title": "x"}])
    df["area_override"] = ["", "", "", "", "strength"]
    out = classify.classify(df)
    c = out["area_confidence"].tolist()
    assert c[4] == 1.0 and c[2] == 0.0
    assert c[0] > c[1] > c[2]  # agreeing > sport overruled > nothing
    assert 0 < c[3] < c[0]  # only a hint


def test_review_list_has_other_and_low_confidence_not_your_areas():
    df = frame([{"sport": "other", "title": "Cali Move"}, {"sport": "run", "title": "Run"},
                {"sport": "other", "title": "Gym football"}, {"sport": "other", "title": "Zzz"}])
    df["area_override"] = ["", "", "", "strength"]
    out = classify.classify(df)
    review = classify.review_list(out)
    assert review["title"].tolist() == ["Cali Move", "Gym football"]
    assert review["area_confidence"].is_monotonic_increasing


def test_user_rules_in_every_script_still_work():
    rules = classify.with_user_rules([
        {"kind": "title", "pattern": "зарядка", "area": "flexibility"},
        {"kind": "title", "pattern": "太极", "area": "flexibility"},
        {"kind": "title", "pattern": "drills", "area": "endurance"},
        {"kind": "exercise", "pattern": "goblet*", "area": "plyometrics"},
    ])
    sets = sets_to_json([{"exercise": "Goblet Squat"}, {"exercise": "Plank"}])
    out = classify.classify(frame([
        {"sport": "other", "title": "Утренняя зарядка"}, {"sport": "other", "title": "晨练太极拳"},
        {"sport": "run", "title": "Drills"}, {"sport": "strength", "title": "", "sets": sets}]),
        rules)
    assert out["area"].tolist() == ["flexibility", "flexibility", "endurance", "plyometrics"]
    assert out["area_reason"].iloc[0] == "title contains 'зарядка'"
    assert (out["area_confidence"] == 0.9).all()


def test_stored_rule_records_round_trip_with_and_without_tier():
    recs = [{"kind": "title", "pattern": "x", "area": "strength", "label": ""}]
    assert classify.rules_to_records(classify.rules_from_records(recs)) == recs
    shipped = classify.default_rules()
    assert classify.rules_from_records(classify.rules_to_records(shipped)) == shipped


@pytest.mark.parametrize(("name", "area"), [
    ("Rudern vorgebeugt (Langhantel)", "strength"),  # equipment makes 'rudern' a lift
    ("Rudergerät", "endurance"), ("Rowing Machine", "endurance"), ("Stair Machine", "endurance"),
    ("Máquina de Remo", "endurance"), ("Latzug (Kabel)", "strength"),
    ("Elevación de Piernas Colgado", "stability"), ("Sittande rodd", "strength"),
    ("Подъём на носки", "strength"), ("仰卧起坐", "stability"), ("ジャンプスクワット", "plyometrics"),
])
def test_exercise_names_with_equipment_and_phrases(name, area):
    assert classify.exercise_area(name)[0] == area


def test_set_reasons_name_the_exercises():
    sets = sets_to_json([{"exercise": "Rudern vorgebeugt (Langhantel)"}] * 2
                        + [{"exercise": "Plank"}])
    out = classify.classify(frame([{"sport": "strength", "title": "", "sets": sets}]))
    assert out["area_reason"].iloc[0] == "2 of 3 sets are rudern vorgebeugt (langhantel)"


def test_raw_activity_type_names_are_normalised_for_the_decision():
    out = classify.classify(frame([{"sport": "Löpning", "title": "Stockholm"},
                                   {"sport": "Entrenamiento con pesas", "title": ""},
                                   {"sport": "Tredemølle", "title": "Drills"}]))
    assert out["area"].tolist() == ["endurance", "strength", "plyometrics"]
    assert out["sport"].tolist() == ["Löpning", "Entrenamiento con pesas", "Tredemølle"]
    assert out["area_reason"].iloc[0] == "sport is run"


def test_a_title_that_is_a_known_exercise_name():
    out = classify.classify(frame([{"sport": "other", "title": "Press de banca"},
                                   {"sport": "other", "title": "Cali Move"}]))
    assert out["area"].tolist() == ["strength", "other"]
    assert out["area_reason"].iloc[0] == "the title is the exercise 'press de banca'"
    assert out["area_confidence"].iloc[0] == 0.6


def test_an_apps_own_exercise_groups_as_category():
    assert classify.exercise_area("Mystery move", "Abs")[0] == "stability"
    assert classify.exercise_area("Mystery move", "Legs")[0] == "strength"
    assert classify.exercise_area("Mystery move", "Cardio")[0] == "endurance"
    assert classify.exercise_area("Mystery move", "Stretching")[0] == "flexibility"
    assert classify.exercise_area("Mystery move", "Other") is None
