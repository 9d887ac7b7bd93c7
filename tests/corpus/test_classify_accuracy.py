"""Classification accuracy on real session titles and types, labelled by hand.

tests/fixtures/classify/labelled_sessions.csv holds sessions taken from the corpus files
(Strava and Garmin CSV titles and types, other apps' exports, FIT sessions and the strength-set
exercises of Hevy/Fitbod/FIT workouts), one per distinct (sport, title, sets), with the sport
normalised to schema.SPORTS and the expected area decided by a person reading the title and sets
(rows naming private people were left out). ``sets_categories`` lists ``name:count`` per
exercise or FIT set category. The test prints accuracy per area and asserts >= 95 % overall.
"""

from __future__ import annotations

import re

import pandas as pd

from stridewise import classify
from stridewise.schema import AREAS, SPORTS, sets_to_json


def sets_json(text: str) -> str:
    sets = []
    for item in filter(None, str(text).split("|")):
        name, _, count = item.rpartition(":")
        key = "category" if re.fullmatch(r"[a-z_]+", name) else "exercise"
        sets.extend([{key: name}] * int(count))
    return sets_to_json(sets)


def load_labelled(fixtures_dir) -> pd.DataFrame:
    df = pd.read_csv(fixtures_dir / "classify" / "labelled_sessions.csv", keep_default_na=False,
                     dtype=str)
    assert set(df.columns) >= {"sport", "title", "sets_categories", "expected_area",
                               "source_file"}
    return df


def test_labelled_set_is_large_and_well_formed(fixtures_dir):
    df = load_labelled(fixtures_dir)
    assert len(df) >= 300
    assert set(df["sport"]) <= set(SPORTS)
    assert set(df["expected_area"]) <= set(AREAS)
    assert not df.duplicated(["sport", "title", "sets_categories"]).any()
    assert df["source_file"].str.match(r"(strava|garmin_csv|other_csv|fit)/").all()


def test_accuracy_per_area_and_overall(fixtures_dir, capsys):
    df = load_labelled(fixtures_dir)
    sessions = pd.DataFrame({
        "session_id": [f"l{i}" for i in range(len(df))],
        "athlete": "labelled",
        "start": pd.Timestamp("2024-01-01"),
        "sport": df["sport"],
        "title": df["title"],
        "sets": df["sets_categories"].map(sets_json),
        "duration_s": 1800.0,
    })
    got = classify.classify(sessions)
    df = df.assign(got=got["area"].to_numpy(), reason=got["area_reason"].to_numpy())
    df["ok"] = df["got"] == df["expected_area"]
    lines = ["classification accuracy on the hand-labelled corpus sessions:"]
    for area in AREAS:
        g = df[df["expected_area"] == area]
        if len(g):
            lines.append(f"  {area:12s} {g['ok'].mean():7.1%}  ({g['ok'].sum()}/{len(g)})")
        else:
            lines.append(f"  {area:12s}     n/a  (no labelled session in the corpus)")
    overall = df["ok"].mean()
    lines.append(f"  {'overall':12s} {overall:7.1%}  ({df['ok'].sum()}/{len(df)})")
    wrong = df[~df["ok"]]
    for r in wrong.itertuples():
        lines.append(f"  miss: {r.sport} / {r.title!r} -> {r.got} ({r.reason}); "
                     f"labelled {r.expected_area}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert overall >= 0.95, "\n".join(lines)
