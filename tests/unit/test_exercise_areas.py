"""Exercise names -> areas: single-leg work, FIT categories, names in many languages."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from stridewise.classify import exercise_area, one_leg_balance
from stridewise.vocab import read_vocab


@pytest.mark.parametrize(("name", "single_leg_balance"), [
    ("Single Leg Barbell Deadlift", True), ("Romanian deadlift, single leg", True),
    ("One-legged squat", True), ("Einbeinige Kniebeuge", True), ("single leg balance", True),
    ("Calf raises, one legged", False), ("Single Leg Extension", False),
    ("Single-leg hip thrust", False), ("Back squat", False), ("", False), (None, False),
])
def test_single_leg_squats_and_deadlifts_are_the_seed_texts_stability_work(
        name: object, single_leg_balance: bool) -> None:
    assert one_leg_balance(name) is single_leg_balance
    if single_leg_balance:
        assert exercise_area(name)[0] == "stability"


@pytest.mark.parametrize(("name", "category", "area"), [
    # the FIT core/crunch categories hold core exercises even when a lift or a stretch is named
    ("rowing 1 with weights", "core", "stability"), ("single leg stretch", "core", "stability"),
    ("leg extensions", "crunch", "stability"), ("swimming", "core", "stability"),
    # yoga poses stay poses ("bound angle" is not a bound)
    ("bound angle", "pose", "flexibility"),
    # a single-leg calf raise is a calf raise; a machine hip abduction is a lift
    ("single leg standing calf raise", "calf_raise", "strength"),
    ("Machine Hip Abduction", "", "strength"), ("Side Lying Hip Abduction", "", "stability"),
    # the same exercise in other languages and scripts
    ("Istumaannousu", "", "stability"), ("Подъем корпуса", "", "stability"),
    ("윗몸 일으키기", "", "stability"), ("Άρση ποδιού", "", "stability"),
    ("تمرين رفع الساق", "", "stability"), ("Бурпі", "", "plyometrics"),
    ("Sjipning", "", "plyometrics"), ("Kuitoptrekken (rechts)", "", "strength"),
])
def test_exercise_names(name: str, category: str, area: str) -> None:
    got = exercise_area(name, category)
    assert got is not None and got[0] == area


def test_the_shipped_table_follows_its_rules() -> None:
    rows = read_vocab("exercises.csv")
    assert len(rows) > 3000
    for r in rows:
        if one_leg_balance(r["name"]):
            assert r["area"] == "stability", r
        if r["source"].startswith("FIT profile core_exercise_name"):
            assert r["area"] in ("stability", "flexibility", "plyometrics"), r
    # the build script's rules and the shipped table agree (run with --reapply to rebuild)
    root = Path(__file__).resolve().parents[2]
    with (root / "src/stridewise/data/vocab/exercises.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh))[:3] == ["name", "area", "label"]


def _session(sport: str, title: str, exercises: list[tuple[str, str]]):
    import pandas as pd

    from stridewise.schema import sets_to_json

    sets = sets_to_json([{"exercise": e, "category": c} for e, c in exercises])
    return pd.DataFrame({"session_id": ["s"], "athlete": ["a"], "start": [pd.Timestamp("2024-01-01")],
                         "sport": [sport], "title": [title], "sets": [sets],
                         "duration_s": [1800.0], "moving_s": [1800.0]})


def test_without_a_majority_of_sets_the_title_names_the_area() -> None:
    from stridewise.classify import classify, session_parts

    sets = [("plank", "plank"), ("dead bug", "hip_stability"), ("cat cow", "core"),
            ("hip stretch", "move"), ("child's pose", "pose"), ("squat", "squat")]
    core = classify(_session("pilates", "Core blast", sets))
    assert core["area"].iloc[0] == "stability"
    assert "the title names it" in core["area_reason"].iloc[0]
    # the same sets without a title: the most sets (flexibility) decide
    plain = classify(_session("pilates", "Evening", sets))
    assert plain["area"].iloc[0] == "flexibility"
    # a majority is never overruled by the title
    lifts = [("squat", "squat"), ("deadlift", "deadlift"), ("plank", "plank")]
    assert classify(_session("strength", "Core day", lifts))["area"].iloc[0] == "strength"
    # the session is still split by its sets
    parts = session_parts(core)
    assert set(parts["area"]) == {"stability", "flexibility", "strength"}
    assert parts["seconds"].sum() == 1800.0


def test_a_conditioning_class_titled_with_core_work_is_core_work() -> None:
    import pandas as pd

    from stridewise.classify import classify

    df = pd.DataFrame({"sport": ["cardio", "cardio", "walk", "cardio"],
                       "title": ["SkiErg + Mage", "5 min SkiErg + Gym", "Walk, then stretching",
                                 "SkiErg intervals"]})
    assert classify(df)["area"].tolist() == ["stability", "strength", "endurance", "endurance"]


def test_bracketed_equipment_is_read_apart_from_the_exercise() -> None:
    assert exercise_area("Iso-Lateral Row (Machine)")[0] == "strength"
    assert exercise_area("Rowing Machine")[0] == "endurance"
    assert exercise_area("Plank (Weighted)")[0] == "stability"


def test_crossfit_is_strength_work() -> None:
    from stridewise.ingest.sports import normalise_sport

    assert normalise_sport("CrossFit") == "strength"
    assert normalise_sport("Cross Training") != "strength"


def test_a_fit_name_that_says_another_sport_keeps_its_fit_area_only_in_its_category() -> None:
    assert exercise_area("swimming", "core")[0] == "stability"  # the Pilates move
    assert exercise_area("Swimming")[0] == "endurance"  # a set-log cardio entry
    assert exercise_area("Side Bend (Dumbbell)")[0] == "stability"  # "side bend" + equipment


# Set-log exercise libraries (Hevy/Strong style names) and the same exercises as people log
# them in other languages, labelled by the house conventions (DESIGN §3, seed text).
_LIBRARY = """Ab Wheel|stability;Back Extension (Hyperextension)|strength;Bicycle Crunch|stability
Bird Dog|stability;Box Jump|plyometrics;Bulgarian Split Squat|strength;Burpee|plyometrics
Dead Bug|stability;Hanging Leg Raise|stability;Hip Thrust (Barbell)|strength
Jump Rope|plyometrics;Jumping Lunge|plyometrics;Kettlebell Swing|strength
Lateral Box Jump|plyometrics;Leg Press (Machine)|strength;Mountain Climber|stability
Pallof Press|stability;Pistol Squat|stability;Russian Twist (Weighted)|stability
Single Leg Romanian Deadlift (Dumbbell)|stability;Toes to Bar|stability;Wall Sit|strength
Foam Rolling|flexibility;Pigeon Pose|flexibility;World's Greatest Stretch|flexibility
Rowing Machine|endurance;Stair Machine|endurance;Bosu Ball Squat|stability
Stability Ball Plank|stability;Monster Walk|stability;Turkish Get Up|stability
Sentadilla con barra|strength;Plancha lateral|stability;Saltos al cajón|plyometrics
Kniebeugen|strength;Seitstütz|stability;Hampelmann|plyometrics;Faszienrolle|flexibility
Développé couché|strength;Gainage latéral|stability;Sauts sur box|plyometrics
Stacco da terra|strength;Polichinelo|plyometrics;Alongamento|flexibility
Становая тяга|strength;Боковая планка|stability;Прыжки на тумбу|plyometrics
Marklyft|strength;Sidoplanka|stability;Boxhopp|plyometrics;Venyttely|flexibility
Martwy ciąg|strength;Brzuszki|stability;Rozciąganie|flexibility
デッドリフト|strength;サイドプランク|stability;ボックスジャンプ|plyometrics;ストレッチ|flexibility
硬拉|strength;侧平板支撑|stability;跳箱|plyometrics;拉伸|flexibility
데드리프트|strength;사이드 플랭크|stability;박스 점프|plyometrics;스트레칭|flexibility
Şınav|strength;Mekik|stability;Sklapovačky|stability;Hasprés|stability;Tøyning|flexibility"""


@pytest.mark.parametrize(("name", "area"), [
    tuple(item.split("|")) for line in _LIBRARY.splitlines() for item in line.split(";")])
def test_exercise_libraries_in_many_languages(name: str, area: str) -> None:
    got = exercise_area(name)
    assert got is not None and got[0] == area


@pytest.mark.parametrize(("name", "area"), [
    ("Lying Glute", "flexibility"), ("Overhead Lat", "flexibility"), ("Hip Adductor", "strength"),
    ("On Your Side Quad Stretch", "flexibility"), ("Chest", None), ("Lying Leg Curl", "strength"),
    ("Kettlebell Turkish Get-Up (Squat style)", "stability"), ("Stomach Vacuum", "stability"),
])
def test_exercise_database_names(name: str, area: str | None) -> None:
    got = exercise_area(name)
    assert (got[0] if got else None) == area
