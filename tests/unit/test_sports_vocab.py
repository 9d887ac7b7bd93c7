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
    assert {r["source"] for r in rows} <= {"garmin", "strava", "both"}
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
