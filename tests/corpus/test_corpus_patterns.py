"""Movement patterns of real set-level exports (Hevy, Fitbod, Garmin FIT strength files): every
exercise name is recognised or listed as unknown, and the runner-relevant lifts are found."""

from __future__ import annotations

from pathlib import Path

import pytest

from stridewise import patterns
from stridewise.ingest import ReadContext, read_bytes
from stridewise.schema import parse_sets


def _psets(path: Path):
    rep = read_bytes(path.read_bytes(), path.name, ReadContext(athlete="x"))
    return rep.sessions, patterns.pattern_sets(rep.sessions)


@pytest.mark.parametrize("name", ["hevy_strength_workouts_set_level_2024-2026.csv",
                                  "fitbod_strength_workouts_set_level_2018-2019.csv"])
def test_app_exports_names_are_recognised(corpus_dir: Path, name: str) -> None:
    sessions, ps = _psets(corpus_dir / "other_csv" / name)
    n_sets = sum(len(x) for x in sessions["sets"].map(parse_sets))
    assert ps.drop_duplicates(["session_id", "exercise"]).shape[0] > 0
    unknown = ps.loc[ps["how"] == "unknown"]
    assert len(unknown) <= 0.01 * n_sets, unknown["exercise"].value_counts().head()
    found = set(ps["pattern"])
    assert {"squat", "hinge"} <= found
    # every unknown name is listed for the athlete to see
    listed = set(patterns.unknown_names(ps, "x")["exercise"])
    assert listed == set(unknown["exercise"])


def test_fit_strength_sets_are_counted_by_category(corpus_dir: Path) -> None:
    fits = sorted((corpus_dir / "fit").glob("*strength*.fit"))
    assert fits
    hows: set[str] = set()
    for f in fits:
        _, ps = _psets(f)
        hows |= set(ps["how"])
    assert hows & {"library", "category"}
