"""Localised activity-type names (data/vocab/activity_types.csv) -> normalised sports."""

from __future__ import annotations

import pytest

from stridewise.ingest.sports import normalise_sport, sport_key
from stridewise.schema import SPORTS
from stridewise.vocab import read_vocab


def test_every_exact_name_in_the_vocabulary_resolves_to_its_sport():
    rows = read_vocab("activity_types.csv")
    assert len(rows) > 500
    assert {r["sport"] for r in rows} <= set(SPORTS)
    wrong = [(r["name"], r["sport"], normalise_sport(r["name"])) for r in rows
             if r["match"] == "exact" and normalise_sport(r["name"]) != r["sport"]]
    assert wrong == []
    assert {r["source"] for r in rows} <= {"garmin", "strava", "both", "own"}
    assert len({r["lang"] for r in rows}) >= 15


@pytest.mark.parametrize(("name", "sport"), [
    # Garmin Connect in Swedish / Norwegian: the types the normaliser used to miss
    ("Löpning", "run"), ("Löpbandslöpning", "treadmill_run"), ("Bassängsimning", "swim"),
    ("Inomhuscykling", "virtual_ride"), ("Klassisk längdskidåkning", "nordic_ski"),
    ("Inomhusrodd", "row"), ("Kondition", "cardio"), ("Løping", "run"),
    ("Tredemølle", "treadmill_run"), ("Bassengsvømming", "swim"),
    ("Innendørs sykling", "virtual_ride"), ("Langrenn", "nordic_ski"), ("Romaskin", "row"),
    ("Kondisjonstrening", "cardio"), ("Styrketrening", "strength"),
    # Strava types in Spanish and other languages
    ("Entrenamiento con pesas", "strength"), ("Entrenamiento", "other"),
    # compounds and word rules beyond the exact names
    ("Morgonlöpning", "run"), ("Kvällssimning", "swim"), ("Iltalenkki juoksu", "run"),
    ("Jazda na rowerze szosowym", "ride"),
    # other scripts are kept, not dropped
    ("Бег", "run"), ("Плавание в бассейне", "swim"), ("Силовая тренировка", "strength"),
    ("ランニング", "run"), ("筋力トレーニング", "strength"), ("跑步机", "treadmill_run"),
    ("室內騎行", "virtual_ride"), ("달리기", "run"), ("근력 운동", "strength"),
    ("Koşu Bandı", "treadmill_run"),
    # English words that merely contain a stem stay what they are
    ("RowErg", "row"), ("Sloping Hill Walk", "walk"),
])
def test_localised_types(name, sport):
    assert normalise_sport(name) == sport


def test_sport_key_keeps_every_script_and_drops_accents():
    assert sport_key("Löpning") == "lopning"
    assert sport_key("Пла́вание") == "плавание"
    assert sport_key("跑步 机") == "跑步 机"
    assert sport_key("<span>Type</span>") == "type"
    assert sport_key(None) == ""


def test_every_fit_sport_and_sub_sport_has_a_sport_and_an_area():
    from stridewise import classify
    from stridewise.ingest import fit_profile as P

    sport_rules = {r.pattern: r.area for r in classify.default_rules() if r.kind == "sport"}
    assert len(P.SPORT_NAMES) >= 80 and len(P.SUB_SPORT_NAMES) >= 110
    for sport in P.SPORT_NAMES:
        for sub in P.SUB_SPORT_NAMES:
            got = P.canonical_sport(sport, sub)
            assert got in SPORTS
            assert got == "other" or got in sport_rules
    assert P.canonical_sport(5, 56) == "other"  # swimming, apnea diving
    assert P.canonical_sport(10, 87) == "treadmill_run"  # training, indoor wheelchair run
    assert P.canonical_sport(2, 123) == "mountain_bike"  # cycling, enduro
    assert P.canonical_sport(10, 20) == "strength"


def test_every_fit_exercise_category_has_an_area():
    from stridewise.ingest import fit_profile as P

    assert set(P.EXERCISE_CATEGORIES.values()) == set(P.EXERCISE_CATEGORY_AREAS)
    fit_rows = [r for r in read_vocab("exercises.csv") if r["source"].startswith("FIT profile")]
    assert len(fit_rows) > 1500
    assert {r["area"] for r in fit_rows} == {"endurance", "strength", "plyometrics", "stability",
                                             "flexibility"}


def test_fit_exercise_names_decode_every_category_subtype():
    from stridewise import classify
    from stridewise.ingest import fit_profile as P

    assert P.exercise_name(2, 12) == "jumping jacks"  # cardio / jumping_jacks
    assert P.exercise_name(28, 0) == "leg press"  # squat / leg_press
    assert P.exercise_name(None, 3) == "" and P.exercise_name(2, 99999) == ""
    # a set decoded this way lands in the area its name says, not its category's
    assert classify.exercise_area(P.exercise_name(2, 12), "cardio")[0] == "plyometrics"
    rows = read_vocab("fit_exercise_names.csv")
    assert len(rows) > 1800 and {r["category"] for r in rows} <= set(P.EXERCISE_CATEGORY_AREAS)
