"""FIT reader on FIT bytes built in the test (tests/fixtures/fit/fitbuilder.py)."""

from __future__ import annotations

import gzip
import math
import sys
from datetime import datetime
from pathlib import Path

import pytest

from stridewise.errors import ImportRefused, UnreadableFile
from stridewise.ingest import fit, read_bytes
from stridewise.ingest.base import ReadContext
from stridewise.schema import parse_sets

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402

T0 = datetime(2024, 5, 4, 6, 30, 0)
RUN = {"start": T0, "sport": 1, "sub_sport": 3, "elapsed": 3600.5, "timer": 3400.25,
       "distance": 10012.34, "avg_hr": 151, "max_hr": 178, "calories": 700, "ascent": 120}


def _read(data: bytes, tz: str = "UTC"):
    return fit.read(data, "test.fit", ReadContext(tz=tz))


def test_one_session_all_fields() -> None:
    s = _read(fb.activity([RUN]).bytes()).sessions
    assert len(s) == 1
    row = s.iloc[0]
    assert row["sport"] == "trail_run"
    assert row["start"] == T0
    assert row["duration_s"] == pytest.approx(3600.5)
    assert row["moving_s"] == pytest.approx(3400.25)
    assert row["distance_m"] == pytest.approx(10012.34)
    assert (row["avg_hr"], row["max_hr"], row["calories"], row["elevation_gain_m"]) == (
        151, 178, 700, 120)
    assert row["source"] == "fit" and row["source_id"] == ""
    assert row["title"] == "Running (trail)"


def test_big_endian_definitions_decode_the_same() -> None:
    little = _read(fb.activity([RUN]).bytes()).sessions
    big = _read(fb.activity([RUN], big_endian=True).bytes()).sessions
    cols = ["start", "sport", "duration_s", "moving_s", "distance_m", "avg_hr"]
    assert big[cols].equals(little[cols])


def test_start_time_converted_to_athlete_zone() -> None:
    s = _read(fb.activity([RUN]).bytes(), tz="America/New_York").sessions
    assert s["start"].iloc[0] == datetime(2024, 5, 4, 2, 30, 0)


def test_multisport_gives_one_session_per_session_message() -> None:
    swim = {"start": T0, "sport": 5, "sub_sport": 18, "elapsed": 1800, "distance": 1500}
    ride = {"start": datetime(2024, 5, 4, 7, 5), "sport": 2, "elapsed": 3600, "distance": 40000}
    s = _read(fb.activity([swim, ride, RUN | {"start": datetime(2024, 5, 4, 8, 10)}]).bytes())
    assert s.sessions["sport"].tolist() == ["open_water_swim", "ride", "trail_run"]


def test_sets_are_assigned_to_the_session_they_fall_in() -> None:
    strength = {"start": T0, "sport": 10, "sub_sport": 20, "elapsed": 900}
    run = {"start": datetime(2024, 5, 4, 6, 46), "sport": 1, "elapsed": 600, "distance": 2000}
    sets = [
        {"start": datetime(2024, 5, 4, 6, 31), "seconds": 40, "reps": 12, "weight_kg": 60,
         "category": [28]},
        {"start": datetime(2024, 5, 4, 6, 32), "seconds": 60, "set_type": 0},  # rest
        {"start": datetime(2024, 5, 4, 6, 33), "seconds": 45.5, "reps": 8, "category": [20, 28]},
        {"start": datetime(2024, 5, 4, 6, 50), "seconds": 30, "category": [19]},
    ]
    s = _read(fb.activity([strength, run], sets=sets).bytes()).sessions
    first, second = parse_sets(s["sets"].iloc[0]), parse_sets(s["sets"].iloc[1])
    assert [x["category"] for x in first] == ["squat", "plyo"]
    assert first[0] == {"exercise": "squat", "category": "squat", "reps": 12,
                        "weight_kg": 60.0, "seconds": 40.0}
    assert [x["category"] for x in second] == ["plank"]
    assert s["sport"].tolist() == ["strength", "run"]


def test_sets_carry_the_profile_exercise_name_and_classify_by_it() -> None:
    strength = {"start": T0, "sport": 10, "sub_sport": 20, "elapsed": 900}
    sets = [  # deadlift/14, squat/no name, plank/24 (profile 21.205 exercise names)
        {"start": datetime(2024, 5, 4, 6, 31), "seconds": 40, "reps": 8, "category": [8],
         "subtype": [14]},
        {"start": datetime(2024, 5, 4, 6, 33), "seconds": 40, "reps": 8, "category": [28]},
        {"start": datetime(2024, 5, 4, 6, 35), "seconds": 40, "category": [19],
         "subtype": [24]},
    ]
    s = _read(fb.activity([strength], sets=sets).bytes()).sessions
    got = parse_sets(s["sets"].iloc[0])
    assert [(x["exercise"], x["category"]) for x in got] == [
        ("single leg romanian deadlift with dumbbell", "deadlift"), ("squat", "squat"),
        ("kneeling side plank with leg lift", "plank")]
    from stridewise.classify import exercise_area

    # the name decides where the category alone would say "deadlifts": a single-leg lift
    assert exercise_area(got[0]["exercise"], got[0]["category"])[0] == "stability"
    assert exercise_area("squat", "squat")[0] == "strength"


def test_developer_fields_are_skipped_by_size() -> None:
    plain = _read(fb.activity([RUN], records=30).bytes()).sessions
    dev = _read(fb.activity([RUN], records=30, dev_fields=True).bytes()).sessions
    assert dev["distance_m"].equals(plain["distance_m"])


def test_compressed_timestamp_headers_are_followed() -> None:
    data = fb.activity([RUN], records=200, compressed=True).bytes()
    decoded = fit.decode(data, records=True)
    stamps = [r["timestamp"] for r in decoded.records]
    assert stamps == list(range(stamps[0], stamps[0] + 200))
    assert _read(data).n_sessions == 1


def test_missing_session_distance_comes_from_records() -> None:
    data = fb.activity([RUN | {"distance": None}], records=100).bytes()
    report = _read(data)
    assert report.sessions["distance_m"].iloc[0] == pytest.approx(99 * 3.0)
    assert any("no total distance" in w for w in report.warnings)


def test_chained_files_give_all_sessions() -> None:
    one = fb.activity([RUN]).bytes()
    two = fb.activity([RUN | {"start": datetime(2024, 5, 5, 7, 0)}]).bytes()
    report = _read(one + two)
    assert report.n_sessions == 2
    assert "2 chained FIT files" in report.format


def test_truncated_file_without_session_is_rebuilt_from_records() -> None:
    whole = fb.activity([RUN], records=120).bytes()
    cut = whole[:14 + 60 + 50 * 10]  # header + some records, no session message
    report = _read(cut)
    assert report.n_sessions == 1
    assert any("rebuilt from its" in w for w in report.warnings)
    assert any("damaged" in w and "left out" in w for w in report.warnings)


def test_truncated_before_any_data_is_refused_clearly() -> None:
    whole = fb.activity([RUN]).bytes()
    with pytest.raises(ImportRefused) as err:
        _read(whole[:30])
    assert "damaged FIT file" in err.value.message


def test_wrong_header_data_size_is_read_to_the_real_end() -> None:
    w = fb.activity([RUN])
    data = w.bytes(data_size=len(w.body) + 17)
    report = _read(data)
    assert report.n_sessions == 1
    assert any("wrong data size" in w for w in report.warnings)


@pytest.mark.parametrize(("file_type", "words"), [
    (15, "monitoring file"), (5, "workout plan"), (6, "course"), (2, "settings file")])
def test_non_activity_files_are_refused_with_what_they_are(file_type: int, words: str) -> None:
    data = fb.activity([], file_type=file_type).bytes()
    with pytest.raises(ImportRefused) as err:
        _read(data)
    assert words in err.value.message and "not a recorded activity" in err.value.message


def test_not_fit_bytes_are_unreadable() -> None:
    with pytest.raises(UnreadableFile) as err:
        _read(b"hello world, this is not FIT at all")
    assert ".FIT" in err.value.message


def test_gzipped_fit_through_the_dispatcher() -> None:
    data = gzip.compress(fb.activity([RUN]).bytes())
    report = read_bytes(data, "12345.fit.gz", ReadContext())
    assert report.n_sessions == 1 and report.sessions["source_file"].iloc[0] == "12345.fit.gz"


def test_zero_and_invalid_hr_is_missing() -> None:
    s = _read(fb.activity([RUN | {"avg_hr": 0, "max_hr": 0xFF}]).bytes()).sessions
    assert math.isnan(s["avg_hr"].iloc[0]) and math.isnan(s["max_hr"].iloc[0])


def test_sport_mapping_covers_schema_sports() -> None:
    from stridewise.ingest.fit_profile import SPORT_NAMES, SUB_SPORT_NAMES, canonical_sport
    from stridewise.schema import SPORTS
    for sp in list(SPORT_NAMES) + [None, 200]:
        for sub in list(SUB_SPORT_NAMES) + [None, 255]:
            assert canonical_sport(sp, sub) in SPORTS
    assert canonical_sport(1, 1) == "treadmill_run"
    assert canonical_sport(10, 43) == "yoga"
    assert canonical_sport(2, 58) == "virtual_ride"
    assert canonical_sport(75, 0) == "team_sport"


def test_twelve_byte_header_of_older_files() -> None:
    data = fb.activity([RUN]).bytes()
    old = bytes([12]) + data[1:12] + data[14:]
    assert _read(old).sessions["distance_m"].iloc[0] == pytest.approx(10012.34)
