"""Property tests: real corpus rows, mutated, never make a CSV importer raise anything but a
typed StridewiseError with a one-sentence message; whatever imports passes schema validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stridewise.errors import StridewiseError
from stridewise.ingest import ReadContext, csvfile
from stridewise.schema import validate

FILES = [
    "strava/strava_2021_79col_en.csv",
    "strava/strava_2018_legacy_lowercase_10col_rides_cairo.csv",
    "strava/strava_2020_nl_localized_headers_types_decimal_comma.csv",
    "garmin_csv/garmin_en_2021-2022_multisport_dup_cadence_cols.csv",
    "garmin_csv/garmin_de_2012_legacy_connect_title_line_leading_spaces.csv",
    "garmin_csv/garmin_da_2025_swim_strength_hmm_time.csv",
    "other_csv/runkeeper_cardioActivities_2011-2013_miles.csv",
    "other_csv/trainingpeaks_workouts_2025-2026_triathlon_hebrew_titles.csv",
    "other_csv/hevy_strength_workouts_set_level_2024-2026.csv",
    "other_csv/manual_running_log_de_2012_cp1252_not_utf8.csv",
    "other_csv/whoop_workouts_2024.csv",
    "other_csv/zepp_life_amazfit_SPORT_2021-2022_bom_numeric_types.csv",
]
NASTY = ["", "--", "1,500", "9" * 40, "NaN", "-1", '"', "\n", "\x00", "2020-13-45",
         "99:99:99", "ÿ", "1e308", "-0", "Run", "=1+1", "0:00", "--:--:--", ";", "\t", "💥"]


@pytest.fixture(scope="module")
def samples(corpus_dir: Path) -> dict[str, list[bytes]]:
    """Header + up to 12 data lines of each file (line-based; quoted newlines may split)."""
    out = {}
    for rel in FILES:
        lines = (corpus_dir / rel).read_bytes().splitlines(keepends=True)
        out[rel] = lines[:14]
    return out


mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 4000), st.integers(1, 200)),
    st.tuples(st.just("insert"), st.integers(0, 4000), st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("cell"), st.integers(1, 13), st.integers(0, 60), st.sampled_from(NASTY)),
    st.tuples(st.just("truncate"), st.integers(0, 4000)),
    st.tuples(st.just("dupline"), st.integers(0, 13)),
    st.tuples(st.just("delim"), st.sampled_from([b";", b"\t", b"|"])),
)


def _apply(lines: list[bytes], muts: list[tuple]) -> bytes:
    lines = list(lines)
    for m in muts:
        if m[0] == "cell" and m[1] < len(lines):
            cells = lines[m[1]].split(b",")
            if cells:
                cells[m[2] % len(cells)] = m[3].encode("utf-8")
                lines[m[1]] = b",".join(cells)
        elif m[0] == "dupline" and lines:
            i = m[1] % len(lines)
            lines.insert(i, lines[i])
        elif m[0] == "delim":
            lines = [ln.replace(b",", m[1]) for ln in lines]
    data = b"".join(lines)
    for m in muts:
        if m[0] == "delete" and data:
            i = m[1] % len(data)
            data = data[:i] + data[i + m[2]:]
        elif m[0] == "insert":
            i = m[1] % (len(data) + 1)
            data = data[:i] + m[2] + data[i:]
        elif m[0] == "truncate" and data:
            data = data[: m[1] % len(data)]
    return data


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(which=st.sampled_from(FILES), muts=st.lists(mutation, min_size=1, max_size=4),
       tz=st.sampled_from(["UTC", "Europe/Berlin", "America/Sao_Paulo"]),
       units=st.sampled_from([None, "km", "mi"]))
def test_mutated_corpus_rows_only_raise_typed_errors(
        samples: dict[str, list[bytes]], which: str, muts: list[tuple], tz: str,
        units: str | None) -> None:
    data = _apply(samples[which], muts)
    try:
        report = csvfile.read(data, "mutated.csv", ReadContext(tz=tz, units=units))
    except StridewiseError as exc:
        assert exc.message.strip().endswith(".")
        assert "Traceback" not in exc.message
        assert "could not be read as a CSV session log (" not in exc.message, exc.message
        return
    validate(report.sessions)
    assert report.n_sessions >= 1
    for s in report.skipped:
        assert s.reason


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_only_raise_typed_errors(data: bytes) -> None:
    try:
        report = csvfile.read(data, "random.csv", ReadContext())
    except StridewiseError as exc:
        assert "could not be read as a CSV session log (" not in exc.message, exc.message
        return
    validate(report.sessions)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from(NASTY + ["2024-01-01", "00:30:00", "5,2", "Run",
                                                 "Date", "Distance", "Time", "Type"]),
                         min_size=2, max_size=6), min_size=2, max_size=8))
def test_arbitrary_small_tables_only_raise_typed_errors(rows: list[list[str]]) -> None:
    data = "\n".join(",".join(r) for r in rows).encode("utf-8")
    try:
        report = csvfile.read(data, "table.csv", ReadContext())
    except StridewiseError as exc:
        assert "could not be read as a CSV session log (" not in exc.message, exc.message
        return
    validate(report.sessions)
