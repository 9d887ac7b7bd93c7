"""A small hand-labelled sanity set (tests/fixtures/classify/sanity_set.csv, written for these
tests: titles, activity types and exercise names in 18 languages and emoji). Prints recall per
area and accuracy per language; asserts the overall figure and every area's recall."""

from __future__ import annotations

import pandas as pd

from stridewise import classify
from stridewise.ingest.sports import normalise_sports
from stridewise.schema import AREAS, sets_to_json


def load(fixtures_dir) -> pd.DataFrame:
    df = pd.read_csv(fixtures_dir / "classify" / "sanity_set.csv", dtype=str,
                     keep_default_na=False, comment="#")
    assert set(df["expected_area"]) == set(AREAS)
    return df


def run(df: pd.DataFrame) -> pd.DataFrame:
    sets = df["sets"].map(lambda s: sets_to_json([{"exercise": x} for x in s.split("|") if x]))
    sessions = pd.DataFrame({
        "session_id": [f"k{i}" for i in range(len(df))], "athlete": "sanity",
        "start": pd.Timestamp("2025-01-01"), "sport": normalise_sports(df["sport_type"]),
        "title": df["title"], "sets": sets, "duration_s": 1800.0})
    got = classify.classify(sessions)
    return df.assign(got=got["area"].to_numpy(), why=got["area_reason"].to_numpy(),
                     conf=got["area_confidence"].to_numpy(), sport=sessions["sport"].to_numpy())


def test_sanity_set_per_area_and_language(fixtures_dir, capsys):
    df = run(load(fixtures_dir))
    df["ok"] = df["got"] == df["expected_area"]
    lines = [f"sanity set: {df['ok'].mean():.1%} of {len(df)}"]
    for area in AREAS:
        g = df[df["expected_area"] == area]
        p = df[df["got"] == area]
        lines.append(f"  {area:12s} recall {g['ok'].mean():6.1%} ({g['ok'].sum()}/{len(g)})"
                     f"  precision {p['ok'].mean() if len(p) else float('nan'):6.1%}")
    for lang, g in df.groupby("lang"):
        lines.append(f"  {lang:6s} {g['ok'].mean():6.1%} ({g['ok'].sum()}/{len(g)})")
    for r in df[~df["ok"]].itertuples():
        lines.append(f"  miss: {r.sport} / {r.title!r} / {r.sets!r} -> {r.got} ({r.why}); "
                     f"labelled {r.expected_area}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert df["ok"].mean() >= 0.95, "\n".join(lines)
    for area in AREAS:
        assert df.loc[df["expected_area"] == area, "ok"].mean() >= 0.9, "\n".join(lines)


def test_confidence_is_lower_where_sport_and_title_disagree(fixtures_dir):
    df = run(load(fixtures_dir))
    assert df["conf"].between(0, 1).all()
    agree = df[(df["title"] == "Styrketrening") | (df["title"] == "Hike")]["conf"]
    disagree = df[df["title"].isin(["Drills", "Strength & Core"])]["conf"]
    nothing = df[df["title"] == "Morning Workout"]["conf"]
    assert agree.min() > disagree.max() > nothing.max() == 0.0
