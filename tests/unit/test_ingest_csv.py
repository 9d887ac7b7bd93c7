"""csvfile: decoding, table finding, app recognition, mapping, and bad input (own fixtures)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pandas as pd
import pytest

from stridewise.errors import (
    ImportRefused,
    NeedsMapping,
    StridewiseError,
    UnreadableFile,
    UnsupportedFormat,
)
from stridewise.ingest import ReadContext, csvfile, read_bytes
from stridewise.ingest.csv_apps import exercise_category
from stridewise.schema import validate


@pytest.fixture(scope="module")
def csvdir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "csv"


def _bytes(csvdir: Path, name: str) -> bytes:
    return (csvdir / name).read_bytes()


def read(data: bytes, name: str = "x.csv", **ctx: object) -> object:
    report = csvfile.read(data, name, ReadContext(**ctx))  # type: ignore[arg-type]
    validate(report.sessions)
    return report


# --------------------------------------------------------------------------- Strava

def test_strava_small_utc_to_local_and_fields(csvdir: Path) -> None:
    r = read(_bytes(csvdir, "strava_en_small.csv"), "activities.csv", tz="Europe/Berlin")
    s = r.sessions
    assert r.format == "Strava activities.csv (54 columns, English headers)"
    # 30 Mar 2025 23:30 UTC is 01:30 CEST on the 31st (DST began that morning).
    assert str(s["start"].iloc[0]) == "2025-03-31 01:30:00"
    assert s["sport"].tolist() == ["run", "swim", "strength"]
    assert s["distance_m"].iloc[1] == 1500.0  # swim "1,500" display metres
    assert pd.isna(s["distance_m"].iloc[2])  # 0 km strength -> no distance
    assert s["rpe"].tolist()[0] == 6.0 and s["rpe"].tolist()[2] == 7.0
    assert s["strava_filename"].tolist() == ["activities/2001.fit.gz", "activities/2002.fit.gz",
                                             ""]
    assert s["source_id"].tolist() == ["1001", "1002", "1003"]
    assert (s["moving_s"].iloc[0], s["duration_s"].iloc[0]) == (2900.0, 3000.0)


def test_strava_same_activity_same_session_id(csvdir: Path) -> None:
    a = read(_bytes(csvdir, "strava_en_small.csv"), "2024.csv").sessions
    b = read(_bytes(csvdir, "strava_en_small.csv"), "2025.csv", tz="Asia/Tokyo").sessions
    assert a["session_id"].tolist() == b["session_id"].tolist()


def test_strava_crlf_and_bom(csvdir: Path) -> None:
    raw = _bytes(csvdir, "strava_en_small.csv").replace(b"\n", b"\r\n")
    r = read(b"\xef\xbb\xbf" + raw)
    assert r.n_sessions == 3
    assert r.sessions["title"].iloc[0] == "Late run"


# --------------------------------------------------------------------------- Garmin

def test_garmin_units_inferred_as_miles(csvdir: Path) -> None:
    r = read(_bytes(csvdir, "garmin_en_small_miles.csv"), "Activities.csv")
    s = r.sessions
    assert r.units == "mi"
    assert "10:06 per unit" in r.assumptions[0]
    assert s["distance_m"].iloc[0] == pytest.approx(5 * 1609.344)
    assert s["distance_m"].iloc[2] == 1000.0  # swim "1,000" metres
    assert s["elevation_gain_m"].iloc[0] == pytest.approx(328 * 0.3048)
    assert s["moving_s"].iloc[3] == 2400.0  # "--:--:--" moving falls back to the duration


def test_garmin_units_override(csvdir: Path) -> None:
    r = read(_bytes(csvdir, "garmin_en_small_miles.csv"), units="km")
    assert r.units == "km"
    assert r.sessions["distance_m"].iloc[0] == pytest.approx(5000.0)


def test_garmin_trimmed_columns_still_recognised() -> None:
    text = ("Activity Type,Date,Title,Distance,Time\n"
            "Running,2025-05-01 07:00:00,Run,5.00,00:25:00\n"
            "Running,2025-05-02 07:00:00,Run,8.00,00:41:00\n")
    r = read(text.encode())
    assert r.format.startswith("Garmin Connect") and r.units == "km"
    assert r.sessions["distance_m"].tolist() == [5000.0, 8000.0]


# --------------------------------------------------------------------------- generic + mapping

def test_generic_semicolon_title_line_decimal_comma(csvdir: Path) -> None:
    r = read(_bytes(csvdir, "generic_semicolon_de.csv"), "log.csv")
    s = r.sessions
    assert r.format == "CSV session log (columns recognised by name)"
    assert s["sport"].tolist() == ["run", "ride", "strength"]
    assert s["distance_m"].tolist()[:2] == [8500.0, 42300.0]
    assert str(s["start"].iloc[0]) == "2024-05-03 00:00:00"
    assert any("day-first or month-first" in a for a in r.assumptions)
    assert "title line" in r.warnings[0]


def test_unknown_columns_need_mapping(csvdir: Path) -> None:
    with pytest.raises(NeedsMapping) as info:
        read(_bytes(csvdir, "unknown_columns.csv"), "mine.csv")
    assert info.value.columns == ["when", "what", "how long", "how far"]
    assert info.value.guess == {"date": "when"}
    assert "mine.csv" in info.value.message


MAPPING = {"date": "when", "type": "what", "duration": "how long", "duration_unit": "min",
           "distance": "how far", "distance_unit": "km"}


def test_mapping_from_context(csvdir: Path) -> None:
    r = read(_bytes(csvdir, "unknown_columns.csv"), mapping=MAPPING)
    s = r.sessions
    assert r.format == "CSV session log (columns mapped by you)"
    assert s["duration_s"].tolist() == [1800.0, 3600.0]
    assert s["distance_m"].tolist() == [5000.0, 25000.0]
    assert s["sport"].tolist() == ["run", "ride"]


def test_mapping_profile_reused_by_header_signature(csvdir: Path) -> None:
    sig = csvfile.header_signature(["when", "what", "how long", "how far"])
    r = read(_bytes(csvdir, "unknown_columns.csv"), mapping_profiles={sig: MAPPING})
    assert r.n_sessions == 2
    assert "mapping you saved" in r.assumptions[0]


def test_header_signature_is_stable_and_tolerant() -> None:
    a = csvfile.header_signature(["Datum", "Zeit", "Distanz"])
    assert a == csvfile.header_signature([" datum", "ZEIT ", "Distanz"])
    assert a != csvfile.header_signature(["Zeit", "Datum", "Distanz"])
    assert len(a) == 16


def test_preview_with_mapping(csvdir: Path) -> None:
    df = csvfile.preview_with_mapping(_bytes(csvdir, "unknown_columns.csv"), "m.csv",
                                      ReadContext(), MAPPING)
    assert len(df) == 2 and df["distance_m"].iloc[1] == 25000.0


def test_preview_with_wrong_date_column_says_so(csvdir: Path) -> None:
    with pytest.raises(NeedsMapping, match="holds no dates"):
        csvfile.preview_with_mapping(_bytes(csvdir, "unknown_columns.csv"), "m.csv",
                                     ReadContext(), {"date": "what", "duration": "how long"})


def test_preview_without_duration_says_why(csvdir: Path) -> None:
    with pytest.raises(NeedsMapping, match="row 2: no duration"):
        csvfile.preview_with_mapping(_bytes(csvdir, "unknown_columns.csv"), "m.csv",
                                     ReadContext(), {"date": "when"})


def test_mapping_with_separate_time_and_utc_offsets() -> None:
    text = ("day;clock;mins;sport\n2024-03-31;00:30+00:00;45;Run\n"
            "2024-04-01;18:00+00:00;30;Yoga\n")
    r = read(text.encode(), tz="Europe/Berlin", mapping={
        "date": "day", "time": "clock", "duration": "mins", "duration_unit": "min",
        "type": "sport"})
    # 00:30 UTC is before the 01:00 UTC switch to summer time: 01:30 CET.
    assert [str(t) for t in r.sessions["start"]] == ["2024-03-31 01:30:00",
                                                     "2024-04-01 20:00:00"]
    assert r.sessions["sport"].tolist() == ["run", "yoga"]
    assert any("UTC offsets" in a for a in r.assumptions)


def test_guess_mapping_from_header_names() -> None:
    g = csvfile.guess_mapping(["Datum", "Art", "Distanz in km", "Zeit HH:MM:SS", "HFavg",
                               "Notiz"])
    assert g == {"date": "Datum", "duration": "Zeit HH:MM:SS", "distance": "Distanz in km",
                 "type": "Art", "title": "Notiz", "avg_hr": "HFavg", "distance_unit": "km"}


# --------------------------------------------------------------------------- encodings

def test_cp1252_is_decoded_and_noted() -> None:
    text = "Datum;Art;Distanz (km);Dauer;Notiz\n18.02.12;Lauf;7,4;00:55:30;Gemütlich, 5°C\n"
    r = read(text.encode("cp1252"))
    assert r.sessions["title"].iloc[0] == "Gemütlich, 5°C"
    assert any("Windows-1252" in a for a in r.assumptions)


def test_utf16_is_decoded(csvdir: Path) -> None:
    raw = _bytes(csvdir, "garmin_en_small_miles.csv").decode("utf-8").encode("utf-16")
    assert read(raw).n_sessions == 4


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("data", [b"", b"   \n\r\n  ", b"\x00\x00"])
def test_empty_files(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="empty"):
        csvfile.read(data, "e.csv", ReadContext())


def test_binary_junk_named_csv() -> None:
    junk = bytes(range(256)) * 64
    with pytest.raises(UnreadableFile, match="not a text/CSV file"):
        csvfile.read(junk, "junk.csv", ReadContext())


def test_header_only() -> None:
    with pytest.raises(UnreadableFile, match="no data rows"):
        csvfile.read(b"Date,Type,Duration\n", "h.csv", ReadContext())


def test_truncated_last_row_is_reported(csvdir: Path) -> None:
    raw = _bytes(csvdir, "garmin_en_small_miles.csv").rstrip(b"\n")
    cut = raw[: raw.rfind(b"\n") + 60]  # the last row ends after a few fields
    r = read(cut, "cut.csv")
    assert r.n_sessions == 3
    assert r.skipped[-1].row == 5 and "cut off" in r.skipped[-1].reason
    assert any("cut off" in w for w in r.warnings)


def test_truncated_inside_quotes(csvdir: Path) -> None:
    raw = _bytes(csvdir, "strava_en_small.csv")
    cut = raw[: raw.index(b"Two lines of") + 5]  # inside the quoted description
    with pytest.raises(UnreadableFile, match="cut off"):
        csvfile.read(cut, "cut.csv", ReadContext())


def test_prose_text_is_not_a_table() -> None:
    prose = ("This is a note about my training, written as text, with commas, and more words "
             "than any header of column names would have, clearly not a table at all.\n") * 3
    with pytest.raises(UnsupportedFormat, match="not a CSV table"):
        csvfile.read(prose.encode(), "notes.csv", ReadContext())


def test_json_named_csv_is_refused() -> None:
    with pytest.raises(UnsupportedFormat, match="XML/JSON"):
        csvfile.read(b'{"activities": []}', "a.csv", ReadContext())


def test_fifty_megabytes_of_garbage_text() -> None:
    junk = os.urandom(38 * 1024 * 1024)
    import base64

    text = base64.b64encode(junk)  # ~50 MB, printable, no delimiters
    assert len(text) > 50_000_000
    with pytest.raises(UnreadableFile, match="does not look like a table"):
        csvfile.read(text, "big.csv", ReadContext())


def test_fifty_megabytes_of_binary_garbage_via_dispatcher() -> None:
    junk = os.urandom(50 * 1024 * 1024)
    with pytest.raises(StridewiseError) as info:
        read_bytes(junk, "big.csv", ReadContext())
    assert "Traceback" not in info.value.message and info.value.message.endswith(".")


def test_gzip_wrapped_csv_through_dispatcher(csvdir: Path) -> None:
    data = gzip.compress(_bytes(csvdir, "garmin_en_small_miles.csv"))
    assert read_bytes(data, "Activities.csv.gz").n_sessions == 4


def test_rows_without_dates_are_skipped_with_line_numbers() -> None:
    text = ("Date,Type,Duration,Distance (km)\n2024-01-01,Run,00:30:00,5\n"
            "someday,Run,00:30:00,5\n2024-01-03,Yoga,,\n2024-01-04,Run,,8\n")
    r = read(text.encode())
    assert r.n_sessions == 2  # the run with a distance but no time is kept (estimated)
    assert [(s.row, s.reason) for s in r.skipped] == [(3, "no readable date/time"),
                                                      (4, "no duration")]
    est = r.sessions.set_index("start")["duration_s"]
    assert est[pd.Timestamp("2024-01-04")] == 8 * 360.0  # the file's pace: 6:00 per km


def test_table_without_any_date_column_says_so() -> None:
    text = "colour,shape,size\nred,round,3\nblue,square,5\n"
    with pytest.raises(NeedsMapping, match="none of its columns \\('colour', 'shape', 'size'\\)"):
        csvfile.read(text.encode(), "things.csv", ReadContext())


def test_nothing_importable_is_refused() -> None:
    text = "Date,Type,Duration,Distance (km)\nsomeday,Run,00:30:00,5\n"
    with pytest.raises(NeedsMapping):
        csvfile.read(text.encode(), "x.csv", ReadContext())
    text = "Date,Type,Duration,Distance (km)\n2024-01-01,Run,,5\n2024-01-02,Run,x,5\n"
    with pytest.raises(ImportRefused, match="none of its 2 rows"):
        csvfile.read(text.encode(), "x.csv", ReadContext(mapping={
            "date": "Date", "duration": "Duration"}))


@pytest.mark.parametrize(("header", "kind"), [
    ("Id,ActivityDate,TotalSteps,TotalDistance,VeryActiveMinutes,Calories", "Fitbit"),
    ("date,weight,restingHR,hrv,sleepSecs,ctl,atl", "intervals.icu wellness"),
    ("Date,Active energy burned(kcal),Step count(count)", "Health Export"),
    ("day,sleep score,resting hr,hrv,weight,readiness", "wellness"),
])
def test_refusals_say_what_the_file_is(header: str, kind: str) -> None:
    data = f"{header}\n{','.join(['1'] * len(header.split(',')))}\n".encode()
    with pytest.raises(ImportRefused, match=kind):
        csvfile.read(data, "x.csv", ReadContext())


def test_zero_duration_rows_need_not_crash() -> None:
    text = "Date,Type,Duration,Distance (km)\n2024-01-01,Run,0,5\n2024-01-02,Run,00:20:00,4\n"
    r = read(text.encode())
    assert r.n_sessions == 2  # 0 s is a (odd) duration, kept as recorded


@pytest.mark.parametrize(("name", "cat"), [
    ("Squat (Barbell)", "squat"), ("Box Jump", "plyo"), ("Plank", "plank"),
    ("Dumbbell Lunge", "lunge"), ("Deadlift (Barbell)", "deadlift"), ("Dead Bug", "plank"),
    ("Hip Abduction (Machine)", "hip_stability"), ("Mystery move", ""),
])
def test_exercise_categories(name: str, cat: str) -> None:
    assert exercise_category(name) == cat
