"""normalise_sport: activity-type names from every corpus language -> schema.SPORTS."""

from __future__ import annotations

import pandas as pd
import pytest

from stridewise.ingest.sports import normalise_sport, normalise_sports, sport_key
from stridewise.schema import SPORTS

CASES = {
    # Strava types (CamelCase and spaced), localised Strava types
    "Run": "run", "VirtualRun": "virtual_run", "TrailRun": "trail_run", "Ride": "ride",
    "VirtualRide": "virtual_ride", "EBikeRide": "e_bike", "WeightTraining": "strength",
    "Weight Training": "strength", "StairStepper": "stair", "Workout": "other",
    "Football (Soccer)": "team_sport", "Hardloopsessie": "run", "Fietsrit": "ride",
    "Corsa": "run", "Sci nordico": "nordic_ski", "Escursione": "hike", "Nuotata": "swim",
    "Camminata": "walk", "Sci alpino": "ski",
    # Garmin English
    "Running": "run", "Treadmill Running": "treadmill_run", "Trail Running": "trail_run",
    "Pool Swimming": "swim", "Open Water Swimming": "open_water_swim",
    "Strength Training": "strength", "Indoor Cycling": "virtual_ride",
    "Mountain Biking": "mountain_bike", "Resort Skiing/Snowboarding": "ski",
    "Indoor Rowing": "row", "Incident Detected": "other", "Yoga": "yoga", "HIIT": "hiit",
    "Cardio": "cardio", "Elliptical": "elliptical", "Multisport": "multisport",
    # Danish, German, Spanish, French, Hungarian, Portuguese
    "Løb": "run", "Løb terræn": "trail_run", "Styrketræning": "strength",
    "Svøm i pool": "swim", "Svømning i åbent vand": "open_water_swim",
    "Cykling på grusveje": "gravel_ride", "Laufen": "run", "Laufbandtraining": "treadmill_run",
    "Laufen auf der Bahn": "track_run", "Carrera": "run", "Entrenamiento en cinta":
    "treadmill_run", "Entreno de fuerza": "strength", "Ciclismo en sala": "virtual_ride",
    "Multideporte": "multisport", "Course à pied": "run", "Randonnée pédestre": "hike",
    "Futás": "run", "Beltéri futás": "treadmill_run", "Erősítő edzés": "strength",
    "Kardió": "cardio", "Szobakerékpározás": "virtual_ride", "Nyíltvízi úszás":
    "open_water_swim", "Corrida": "run", "Corrida em esteira": "treadmill_run",
    "Natação em piscina": "swim", "Natação em alto mar": "open_water_swim",
    "Ciclismo na montanha": "mountain_bike", "Corrida em trilhas": "trail_run",
    # more Garmin languages
    "Course sur tapis roulant": "treadmill_run", "Entraînement en force": "strength",
    "Corsa su tapis roulant": "treadmill_run", "Loopband": "treadmill_run",
    "Erőnléti edzés": "strength", "Andar": "walk", "Indendørs cykling": "virtual_ride",
    # other apps
    "Indoor Run / Jog": "treadmill_run", "Machine Workout": "cardio", "Bike Ride": "ride",
    "Functional Fitness": "hiit", "Hiking/Rucking": "hike", "Weightlifting": "strength",
    "RUNNING": "run", "CYCLING": "ride", "HKWorkoutActivityTypeRunning": "run",
    "HKWorkoutActivityTypeTraditionalStrengthTraining": "strength",
}


@pytest.mark.parametrize(("name", "sport"), list(CASES.items()))
def test_known_names(name: str, sport: str) -> None:
    assert normalise_sport(name) == sport


def test_every_answer_is_a_schema_sport() -> None:
    assert {normalise_sport(n) for n in CASES} <= set(SPORTS)


@pytest.mark.parametrize("value", ["", None, float("nan"), "9", "Zorbing deluxe", 12])
def test_unknown_is_other(value: object) -> None:
    assert normalise_sport(value) == "other"


def test_compound_words_and_free_text() -> None:
    assert normalise_sport("Nachmittagslauf") == "run"
    assert normalise_sport("Bergwandern") == "hike"
    assert normalise_sport("Evening indoor run") == "treadmill_run"
    assert normalise_sport("Ciclismo de montaña") == "mountain_bike"


def test_key_strips_case_accents_and_html() -> None:
    assert sport_key('<span class="x">Natação</span> em  Piscina') == "natacao em piscina"


def test_vectorised_matches_scalar() -> None:
    s = pd.Series(["Run", "Løb", None, "Run"])
    assert normalise_sports(s).tolist() == ["run", "run", "other", "run"]
