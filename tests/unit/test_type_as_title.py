"""An activity type the sport normaliser does not know is kept as the title of an untitled
session, so the classifier can read it (own fixtures)."""

from __future__ import annotations

import pandas as pd

from stridewise.classify import classify
from stridewise.ingest import ReadContext, csvfile
from stridewise.ingest.sports import title_or_type


def test_unknown_type_becomes_the_title_only_when_there_is_none() -> None:
    types = pd.Series(["push-ups", "Planking", "Running", "Räckhäv", None])
    titles = pd.Series(["", "Core block", "", None, ""])
    out = title_or_type(titles, types)
    assert out.tolist() == ["push-ups", "Core block", "", "Räckhäv", ""]
    # the caller's normalised sports are respected (a type the caller resolved keeps no title)
    assert title_or_type(["", ""], ["push-ups", "x"], ["strength", "other"]).tolist() == ["", "x"]
    assert title_or_type(None, ["sit-ups"]).tolist() == ["sit-ups"]


def test_garmin_rows_whose_type_is_an_exercise_land_in_its_area() -> None:
    text = ("Activity Type,Date,Favorite,Title,Distance,Calories,Time\n"
            'Planking,2024-06-01 07:00:00,false,"","0","30","00:05:00"\n'
            'Pull-ups,2024-06-02 07:00:00,false,"","0","30","00:10:00"\n'
            'Running,2024-06-03 07:00:00,false,"Easy","5.00","300","00:30:00"\n')
    s = csvfile.read(text.encode(), "Activities.csv", ReadContext()).sessions
    assert s["title"].tolist() == ["Planking", "Pull-ups", "Easy"]
    assert s["sport"].tolist() == ["other", "other", "run"]
    assert classify(s)["area"].tolist() == ["stability", "strength", "endurance"]


def test_localised_types_and_exercise_names_land_in_their_area() -> None:
    # types the sport normaliser now knows, exercise names given as the type, things that are
    # not training; Garmin's versioned type keys
    rows = [("Stepmaskine", "endurance"), ("Tyngdlyftning", "strength"),
            ("Калистеника", "strength"), ("Πιλάτες", "flexibility"), ("اليوغا", "flexibility"),
            ("仰卧起坐", "stability"), ("Istumaannousu", "stability"), ("Бурпі", "plyometrics"),
            ("motorcykel", "other"), ("windsurfing_v2", "endurance"), ("jump_rope", "plyometrics"),
            ("biketoruntransition_v2", "other"), ("Räckhäv", "strength"), ("Core", "stability")]
    from stridewise.ingest.sports import normalise_sports

    types = pd.Series([t for t, _ in rows])
    sport = normalise_sports(types)
    s = pd.DataFrame({"sport": sport, "title": title_or_type(None, types, sport)})
    got = classify(s)["area"].tolist()
    assert list(zip(types, got, strict=True)) == [(t, a) for t, a in rows]
