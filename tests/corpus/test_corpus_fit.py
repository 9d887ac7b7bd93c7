"""Differential test: every corpus FIT file, Stridewise's reader vs garmin-fit-sdk.

For each file, the session summaries (count, sport, start, elapsed and timer time, distance,
average heart rate) and the number of active strength sets must equal what the reference SDK
decodes from the same bytes, within rounding. The SDK reads only the first file of a chained
FIT file, so chained files are split at their headers and each part is decoded on its own.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pandas as pd
import pytest

from stridewise.errors import ImportRefused
from stridewise.ingest import fit
from stridewise.ingest import fit_profile as P
from stridewise.ingest.base import ReadContext

garmin_fit_sdk = pytest.importorskip("garmin_fit_sdk")

CORPUS_FIT = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "fit"
FILES = sorted(p.name for p in CORPUS_FIT.glob("*")) if CORPUS_FIT.is_dir() else []
NON_ACTIVITY = {"fitparse_MonitoringFile.fit": "monitoring file",
                "fitparse_WorkoutIndividualSteps.fit": "workout plan"}
_SPORT_NUM = {v: k for k, v in P.SPORT_NAMES.items()}
_SUB_NUM = {v: k for k, v in P.SUB_SPORT_NAMES.items()}


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _parts(data: bytes) -> list[bytes]:
    """Split chained FIT files at their headers (header size + data size + 2-byte CRC)."""
    parts, pos = [], 0
    while pos + 12 <= len(data) and data[pos + 8:pos + 12] == b".FIT":
        end = min(len(data), pos + data[pos] + int.from_bytes(data[pos + 4:pos + 8], "little") + 2)
        parts.append(data[pos:end])
        pos = end
    return parts or [data]


def _sdk(data: bytes) -> tuple[list[dict], list[dict], list[dict]]:
    sessions, sets, records = [], [], []
    for part in _parts(data):
        stream = garmin_fit_sdk.Stream.from_byte_array(bytearray(part))
        messages, _errors = garmin_fit_sdk.Decoder(stream).read(
            convert_datetimes_to_dates=True, convert_types_to_strings=True)
        sessions += messages.get("session_mesgs", [])
        sets += messages.get("set_mesgs", [])
        records += messages.get("record_mesgs", [])
    return sessions, sets, records


@pytest.fixture(scope="module")
def reference(corpus_dir: Path) -> dict[str, tuple[list[dict], list[dict], list[dict]]]:
    """SDK decode of every corpus FIT file, once per test module."""
    return {name: _sdk(_bytes(corpus_dir / "fit" / name)) for name in FILES}


def _close(ours: float, ref: object, tol: float) -> bool:
    if ref is None or (isinstance(ref, float) and math.isnan(ref)):
        return True  # the SDK has no value; ours may have filled it from the records
    return abs(float(ours) - float(ref)) <= tol


def test_corpus_has_the_37_fit_files(corpus_dir: Path) -> None:
    assert len(list((corpus_dir / "fit").glob("*"))) == 37 == len(FILES)


@pytest.mark.parametrize("name", [f for f in FILES if f not in NON_ACTIVITY])
def test_sessions_match_reference_sdk(name: str, corpus_dir: Path, reference: dict) -> None:
    report = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext(tz="UTC"))
    ref_sessions, ref_sets, ref_records = reference[name]
    ours = report.sessions
    assert len(ours) == len(ref_sessions)
    for (_, row), ref in zip(ours.iterrows(), ref_sessions, strict=True):
        sport = P.canonical_sport(_SPORT_NUM.get(ref.get("sport")), _SUB_NUM.get(ref.get("sub_sport")))
        assert row["sport"] == sport
        assert row["start"] == pd.Timestamp(ref["start_time"]).tz_convert(None)
        assert _close(row["duration_s"], ref.get("total_elapsed_time"), 0.001)
        assert _close(row["moving_s"], ref.get("total_timer_time"), 0.001)
        assert _close(row["distance_m"], ref.get("total_distance"), 0.01)
        ref_hr = ref.get("avg_heart_rate")
        if ref_hr:
            assert row["avg_hr"] == ref_hr
        else:  # no HR in the summary: ours is the mean of the records' HR in the session
            a = pd.Timestamp(ref["start_time"])
            b = a + pd.Timedelta(seconds=ref["total_elapsed_time"])
            hrs = [r["heart_rate"] for r in ref_records if r.get("heart_rate")
                   and r.get("timestamp") is not None and a <= pd.Timestamp(r["timestamp"]) <= b]
            if hrs:
                assert row["avg_hr"] == pytest.approx(sum(hrs) / len(hrs), abs=0.5)
            else:
                assert math.isnan(row["avg_hr"])
    ref_active = [s for s in ref_sets if s.get("set_type") == "active"]
    n_sets = sum(len(fit_sets) for fit_sets in ours["sets"].map(_parse))
    assert n_sets == len(ref_active)


def _parse(text: str) -> list:
    from stridewise.schema import parse_sets
    return parse_sets(text)


@pytest.mark.parametrize("name", sorted(NON_ACTIVITY))
def test_non_activity_fit_files_are_refused_with_what_they_are(name: str, corpus_dir: Path) -> None:
    with pytest.raises(ImportRefused) as err:
        fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext())
    assert NON_ACTIVITY[name] in err.value.message
    assert "not a recorded activity" in err.value.message


def test_strength_sets_carry_categories_reps_and_durations(corpus_dir: Path) -> None:
    name = "garmin_2025_strength_training_with_sets_20474406937.fit"
    sessions = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext()).sessions
    sets = _parse(sessions["sets"].iloc[0])
    assert len(sets) == 38  # 76 set messages, half of them rests
    sit_up = [s for s in sets if s["category"] == "sit_up"]
    assert sit_up[0]["reps"] == 10 and sit_up[0]["seconds"] == pytest.approx(42.221)
    assert sit_up[0]["exercise"] == "sit up"
    assert sessions["sport"].iloc[0] == "strength"


def test_strength_run_strength_file_splits_into_three_sessions(corpus_dir: Path) -> None:
    name = "garmin_2025_multisession_strength_run_strength_20555050352.fit"
    s = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext()).sessions
    assert list(s["sport"]) == ["strength", "run", "strength"]
    assert [len(_parse(x)) for x in s["sets"]] == [4, 0, 16]


def test_chained_fit_reads_all_seven_parts(corpus_dir: Path) -> None:
    name = "fitdecode_garmin-fr935-cr.fit"
    data = _bytes(corpus_dir / "fit" / name)
    decoded = fit.decode(data)
    assert decoded.n_files == 7 == len(_parts(data))
    report = fit.read(data, name, ReadContext())
    assert "7 chained FIT files" in report.format
    assert report.sessions["sport"].tolist() == ["swim"]  # the other six parts hold HR data only


def test_truncated_file_keeps_what_is_whole_and_says_what_was_lost(corpus_dir: Path) -> None:
    name = "fitparse_activity-unexpected-eof.fit"
    report = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext())
    assert report.n_sessions == 1
    assert any("ends in the middle of a message" in w and "left out" in w
               for w in report.warnings)


def test_suunto_missing_session_distance_is_taken_from_records(corpus_dir: Path) -> None:
    name = "runalyze_Suunto-Ambit-3-Peak-without-final-lap.fit"
    report = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext())
    assert 12_000 < report.sessions["distance_m"].iloc[0] < 13_500
    assert any("no total distance" in w for w in report.warnings)


def test_triathlon_gives_five_sessions_in_order(corpus_dir: Path) -> None:
    name = "runalyze_multisport-triathlon-fenix3.fit"
    s = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext()).sessions
    assert s["sport"].tolist() == ["open_water_swim", "other", "ride", "other", "run"]
    assert s["start"].is_monotonic_increasing


def test_start_is_converted_to_the_athletes_zone(corpus_dir: Path) -> None:
    name = "runalyze_Standard.fit"
    utc = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext(tz="UTC")).sessions
    berlin = fit.read(_bytes(corpus_dir / "fit" / name), name,
                      ReadContext(tz="Europe/Berlin")).sessions
    assert berlin["start"].iloc[0] - utc["start"].iloc[0] == pd.Timedelta(hours=1)


def test_heart_rate_from_records_when_the_summary_has_none(corpus_dir: Path) -> None:
    name = "fitparse_activity-small-fenix2-run.fit"
    r = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext())
    assert 150 < r.sessions["avg_hr"].iloc[0] < 160
    assert any("computed from the per-second records" in a for a in r.assumptions)


def test_zero_heart_rate_is_treated_as_missing(corpus_dir: Path) -> None:
    name = "runalyze_hr-only-zeros.fit"
    s = fit.read(_bytes(corpus_dir / "fit" / name), name, ReadContext()).sessions
    assert math.isnan(s["avg_hr"].iloc[0]) and s["sport"].iloc[0] == "virtual_ride"


def test_strava_export_zip_from_corpus_files(corpus_dir: Path, tmp_path: Path) -> None:
    """A real activities.csv with its two real activity files, zipped as Strava does."""
    import zipfile

    from stridewise.ingest import read_path

    zpath = tmp_path / "export_123.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.write(corpus_dir / "strava/strava_2024-2025_99col_en_run_swim.csv", "activities.csv")
        for name in ("strava_bulk_export_run_2024_12352754193.fit.gz",
                     "strava_bulk_export_pool_swim_2025_15141557334.fit.gz"):
            z.write(corpus_dir / "fit" / name, "activities/" + name.rsplit("_", 1)[1])
    report = read_path(zpath, ReadContext(tz="Europe/Budapest"))
    s = report.sessions.set_index("source_id")
    assert len(s) == 242  # all rows, none doubled
    # Filename 12352754193 is the upload id of activity 11573601446: joined by Filename
    assert s.loc["11573601446", "sport"] == "track_run"
    assert s.loc["11573601446", "start"] == pd.Timestamp("2024-06-04 18:39:40")
    assert s.loc["14187119759", "sport"] == "swim"
    assert "2 activity files joined" in report.format
