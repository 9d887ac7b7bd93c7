"""The independent classification evaluation set (benchmarks/classify_eval/sessions.csv) is well
formed: the columns the benchmark reads, labels that are areas, a source for every row, no row
counted twice, and the size and spread the evaluation promises. Accuracy is not asserted here;
benchmarks/bench_classify.py measures it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stridewise.schema import AREAS

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT / "benchmarks" / "classify_eval"
COLUMNS = ["id", "language", "source_app", "sport_type", "title", "exercises", "label",
           "label_note", "source", "licence"]
SET_LOG_APPS = {"hevy", "strong", "fitbod", "gymbook", "other_log", "exercise_db", "exercise_list",
                "fit_sets"}
#: Open licences under which rows may be committed (SPDX identifiers). A row's ``licence`` cell
#: starts with one of them; anything after it is attribution ("(declared in the repository
#: README)", "(wger.de, author: ...)").
OPEN_LICENCES = ("MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "CC0-1.0",
                 "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "Unlicense")


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.read_csv(EVAL_DIR / "sessions.csv", dtype=str, keep_default_na=False)


def test_columns_are_the_documented_ones(rows):
    assert list(rows.columns) == COLUMNS


def test_ids_are_unique(rows):
    assert rows["id"].str.fullmatch(r"e\d{4}").all()
    assert rows["id"].is_unique


def test_every_label_is_an_area(rows):
    assert set(rows["label"]) <= set(AREAS)


def test_every_row_names_its_source_and_licence(rows):
    # "owner/name:path@commit" (plus a record number for database rows)
    assert rows["source"].str.match(r"[\w.-]+/[\w.-]+:[^@]+@[0-9a-f]{7,40}").all()
    assert rows["licence"].str.strip().ne("").all()
    assert (EVAL_DIR / "README.md").is_file()


def test_every_committed_row_is_under_an_open_licence(rows):
    # rows quoted from sources without a licence stay outside the repository (README, Sources)
    licence_id = rows["licence"].str.strip().str.split(" ").str[0]
    assert licence_id.isin(OPEN_LICENCES).all(), sorted(set(licence_id) - set(OPEN_LICENCES))
    assert not rows["licence"].str.contains("none found", case=False).any()


def test_no_repository_of_the_corpus_is_used(rows):
    manifest = ROOT.parent / "shared" / "corpus" / "MANIFEST.md"
    if not manifest.is_file():
        pytest.skip("../shared/corpus/MANIFEST.md is not present in this checkout")
    text = manifest.read_text(encoding="utf-8")
    used = set(rows["source"].str.split(":").str[0])
    assert not [repo for repo in used if repo in text]


def test_each_session_counted_once_per_source(rows):
    key = pd.DataFrame({
        "repo": rows["source"].str.split(":").str[0],
        "sport_type": rows["sport_type"].str.casefold(),
        "title": rows["title"].str.casefold(),
        "exercises": rows["exercises"].str.casefold(),
    })
    assert not key.duplicated().any()


def test_every_row_has_something_to_classify(rows):
    has_text = (rows["sport_type"].str.strip() != "") | (rows["title"].str.strip() != "") | (
        rows["exercises"].str.strip() != "")
    assert has_text.all()
    # rows without a sport type come from set logs and carry their exercises
    no_type = rows["sport_type"].str.strip() == ""
    assert rows.loc[no_type, "source_app"].isin(SET_LOG_APPS).all()
    assert (rows.loc[no_type, "exercises"].str.strip() != "").all()


def test_size_and_spread(rows):
    assert len(rows) >= 600
    per_language = rows["language"].value_counts()
    assert (per_language >= 15).sum() >= 12, per_language.to_dict()
    assert set(rows["label"]) == set(AREAS)
    counts = rows["label"].value_counts()
    assert (counts >= 20).all(), counts.to_dict()
    # exercise-name rows (sets without a title) are part of the set
    assert ((rows["title"] == "") & (rows["exercises"] != "")).sum() >= 100
    # localised activity types (no sets) in many languages are part of the set
    activity = rows[rows["exercises"].str.strip() == ""]
    assert (activity["language"].value_counts() >= 10).sum() >= 12
