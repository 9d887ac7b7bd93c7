"""An activity type the sport normaliser does not know is kept as the title of an untitled
session, so the classifier can read it (own fixtures)."""

from __future__ import annotations

import pandas as pd

from stridewise.classify import classify
from stridewise.ingest import ReadContext, csvfile
from stridewise.ingest.sports import title_or_type


def test_unknown_type_becomes_the_title_only_when_there_is_none() -> None:
    types = pd.Series(["push-ups", "Planking", "Running", "Stepmaskine", None])
    titles = pd.Series(["", "Core block", "", None, ""])
    out = title_or_type(titles, types)
    assert out.tolist() == ["push-ups", "Core block", "", "Stepmaskine", ""]
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
