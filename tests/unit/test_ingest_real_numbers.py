"""Wrong numbers on real files (issue 13): distance-only sessions, cardio-only strength-app
workouts, refusals that name the real reason, out-of-range dates, durations ending in :00."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stridewise.errors import ImportRefused, UnsupportedFormat
from stridewise.ingest import ReadContext, csvfile
from stridewise.ingest.base import ImportReport
from stridewise.ingest.values import parse_dates, parse_durations
from stridewise.load import add_load
from stridewise.schema import validate

MILE = 1609.344


def _read(text: str, name: str = "x.csv", **ctx: object) -> ImportReport:
    report = csvfile.read(text.encode("utf-8"), name, ReadContext(**ctx))  # type: ignore[arg-type]
    validate(report.sessions)
    return report


# --------------------------------------------------------------------------- no duration

MAPMYRUN = (
    "Date Submitted,Workout Date,Activity Type,Calories Burned (kCal),Distance (mi),"
    "Workout Time (seconds),Avg Pace (min/mi),Max Pace,Avg Speed (mi/h),Max Speed,"
    "Avg Heart Rate,Steps,Notes,Source,Link\n"
    '"June 11, 2017","June 11, 2017",Run,315,3.00,1800,10,0,6,0,,3626,,,'
    "http://www.mapmyrun.com/workout/101\n"
    '"June 11, 2017","June 8, 2017",Run,400,5.00,3000,10,0,6,0,,6000,,,'
    "http://www.mapmyrun.com/workout/102\n"
    '"June 11, 2017","June 6, 2017",Run,474,4.00,0,0,0,0,0,,6422,,,'
    "http://www.mapmyrun.com/workout/103\n")


def test_mapmyrun_run_with_distance_but_zero_seconds_is_kept() -> None:
    r = _read(MAPMYRUN, "workout_history.csv")
    assert r.n_sessions == 3 and r.skipped == []
    s = r.sessions.set_index("source_id")
    assert s.loc["103", "distance_m"] == pytest.approx(4.00 * MILE)  # its distance counts
    # the file's own pace (10:00 per mile) gives the estimate: 40 minutes
    assert s.loc["103", "duration_s"] == pytest.approx(2400.0)
    assert s.loc["103", "duration_estimated"] == True  # noqa: E712 (numpy bool)
    assert s.loc["101", "duration_estimated"] == False  # noqa: E712
    assert any("distance but no recorded time" in w for w in r.warnings)


def test_estimated_minutes_and_load_are_marked() -> None:
    r = _read(MAPMYRUN, "workout_history.csv")
    loaded = add_load(r.sessions.assign(area="endurance")).set_index("source_id")
    assert loaded.loc["103", "minutes"] == pytest.approx(40.0)
    assert loaded.loc["103", "load_note"].startswith("minutes estimated from the distance")
    assert "estimated" not in loaded.loc["101", "load_note"]


def test_session_without_time_or_distance_is_still_skipped() -> None:
    text = "Date,Type,Duration,Distance (km)\n2024-01-01,Run,00:30:00,5\n2024-01-02,Yoga,,\n"
    r = _read(text)
    assert r.n_sessions == 1 and [(s.row, s.reason) for s in r.skipped] == [(3, "no duration")]


# --------------------------------------------------------------------------- Hevy

HEVY_HEADER = ('"title","start_time","end_time","description","exercise_title","superset_id",'
               '"exercise_notes","set_index","set_type","weight_kg","reps","distance_km",'
               '"duration_seconds","rpe"\n')


def test_hevy_workout_of_only_running_sets_is_a_run() -> None:
    text = HEVY_HEADER + (
        '"Leg day","7 Apr 2026, 10:14","7 Apr 2026, 11:14","","Squat (Barbell)",,"",0,'
        '"normal",100,5,,,\n'
        '"Leg day","7 Apr 2026, 10:14","7 Apr 2026, 11:14","","Running",,"",1,"normal",,,'
        '1.5,600,\n'
        '"Morning run","6 Jun 2025, 16:26","6 Jun 2025, 17:17","","Running",,"",0,"normal",,,'
        '7.25,3060,\n'
        '"Walk","8 Jun 2025, 09:00","8 Jun 2025, 09:40","","Walking",,"",0,"normal",,,'
        '3.1,2400,\n')
    r = _read(text, "workouts.csv")
    s = r.sessions.set_index("title")
    assert s.loc["Leg day", "sport"] == "strength"  # mixed: still strength
    assert s.loc["Morning run", "sport"] == "run"
    assert s.loc["Morning run", "distance_m"] == pytest.approx(7250.0)
    assert s.loc["Walk", "sport"] == "walk"
    assert any("only of cardio exercises" in a for a in r.assumptions)


# --------------------------------------------------------------------------- refusals

def test_garmin_sleep_report_is_refused_as_a_sleep_summary() -> None:
    text = ("Sleep Score 4 Weeks,Score,Resting Heart Rate,Body Battery,Pulse Ox,Respiration,"
            "HRV Status,Quality,Duration,Sleep Need,Bedtime,Wake Time\n"
            "2026-05-19,73,62,34,94.02,18.19,31,Fair,8h 37min,7h 40min,22:10,7:11\n"
            "2026-05-18,79,56,59,--,17.98,32,Fair,9h 3min,7h 0min,22:10,7:33\n")
    with pytest.raises(ImportRefused, match="is a sleep summary") as err:
        csvfile.read(text.encode(), "Sleep.csv", ReadContext())
    assert "map" not in str(err.value) and "match its columns" not in str(err.value)


def test_weekly_sleep_report_is_refused_as_a_sleep_summary() -> None:
    text = ("Date,Avg Score,Avg Quality,Avg Duration,Avg Sleep Need,Avg Bedtime,Avg Wake Time\n"
            "13-19 May,66,Fair,7h 50min,7h 43min,23:12,7:22\n")
    with pytest.raises(ImportRefused, match="is a sleep summary"):
        csvfile.read(text.encode(), "Sleep.csv", ReadContext())


def test_headerless_csv_says_the_header_row_is_missing() -> None:
    text = ("2021-03-04 07:00:00,Morning Run,Run,00:42:10,8.2\n"
            "2021-03-06 08:10:00,Long,Run,01:32:00,16.0\n"
            "2021-03-07 18:00:00,Gym,Strength,00:45:00,0\n")
    with pytest.raises(UnsupportedFormat, match="the header row is missing"):
        csvfile.read(text.encode(), "log.csv", ReadContext())


def test_headerless_numbers_only_csv_says_the_header_row_is_missing() -> None:
    text = "12/03/2021,5.2,31.5,150\n13/03/2021,10.1,55.0,144\n15/03/2021,6.0,33.2,152\n"
    with pytest.raises(UnsupportedFormat, match="the header row is missing"):
        csvfile.read(text.encode(), "log.csv", ReadContext())


def test_a_header_with_names_is_not_taken_for_data() -> None:
    text = "Date,Type,Duration,Distance (km)\n2024-01-01,Run,00:30:00,5\n"
    assert _read(text).n_sessions == 1


# --------------------------------------------------------------------------- dates

def test_runkeeper_out_of_range_date_skips_only_that_row() -> None:
    text = ("Activity Id,Date,Type,Route Name,Distance (km),Duration,Average Pace,"
            "Average Speed (km/h),Calories Burned,Climb (m),Average Heart Rate (bpm),"
            "Friend's Tagged,Notes,GPX File\n"
            "a1,2016-05-01 07:00:00,Running,,5.00,30:00,6:00,10.0,300,20,,,,\n"
            "a2,1677-01-01 07:00:00,Running,,5.00,30:00,6:00,10.0,300,20,,,,\n"
            "a3,2016-05-03 07:00:00,Running,,8.00,48:00,6:00,10.0,500,30,,,,\n")
    r = _read(text, "cardioActivities.csv")
    assert r.n_sessions == 2
    assert r.sessions["distance_m"].sum() == pytest.approx(13000.0)
    assert [s.row for s in r.skipped] == [3]
    assert "1677-01-01 07:00:00" in r.skipped[0].reason
    assert "outside the years 1900-2200" in r.skipped[0].reason


def test_strava_out_of_range_date_skips_only_that_row(fixtures_dir: Path) -> None:
    data = (fixtures_dir / "csv" / "strava_en_small.csv").read_text(encoding="utf-8")
    lines = data.splitlines(keepends=True)
    good = csvfile.read(data.encode(), "activities.csv", ReadContext())
    year = str(good.sessions["start"].iloc[0].year)
    assert lines[1].count(year) >= 1
    lines[1] = lines[1].replace(year, "9999", 1)
    r = _read("".join(lines), "activities.csv")
    assert r.n_sessions == good.n_sessions - 1
    assert [s.row for s in r.skipped] == [2]
    assert "outside the years 1900-2200" in r.skipped[0].reason


@pytest.mark.parametrize(("ok", "text"), [
    ("2020-01-02 10:00:00", "0001-01-01 00:00:00"), ("2020-01-02 10:00:00", "1677-09-21 00:12:43"),
    ("2020-01-02 10:00:00", "9999-12-31 23:59:59"), ("2 Jan 2020, 10:00", "1 Jan 0001, 10:00"),
    ("30.12.2020", "31.12.9999"), ("Jan 4, 2020, 2:57:37 PM", "Jan 4, 9999, 2:57:37 PM")])
def test_parse_dates_out_of_range_is_nat_with_reason(ok: str, text: str) -> None:
    r = parse_dates(pd.Series([ok, text]))
    assert pd.notna(r.values.iloc[0])
    assert pd.isna(r.values.iloc[1])
    assert r.reasons().iloc[1].startswith(f"the date '{text}' is outside")
    assert r.reasons().iloc[0] == ""


# --------------------------------------------------------------------------- durations

def test_durations_ending_in_00_are_not_shifted_into_seconds() -> None:
    s = pd.Series(["00:45:00", "01:10:00", "00:30:00", "00:50:00", "01:05:00", "00:40:00"])
    assert parse_durations(s).tolist() == [2700.0, 4200.0, 1800.0, 3000.0, 3900.0, 2400.0]


def test_excel_mangled_minutes_seconds_are_still_recognised() -> None:
    s = pd.Series(["30:48:00", "34:14:00", "45:01:00", "28:10:00", "31:00:00"])
    assert parse_durations(s).tolist() == [1848.0, 2054.0, 2701.0, 1690.0, 1860.0]
    mm_ss = pd.Series(["07:30:00", "08:12:00", "09:05:00", "06:58:00", "07:44:00"])
    assert parse_durations(mm_ss).iloc[0] == 450.0  # 7 min 30 s, not 7.5 hours


# --------------------------------------------------------------------------- generic units

def test_api_dump_seconds_and_metres_are_inferred() -> None:
    text = ("id,name,type,start_date_local,elapsed_time,distance,average_heartrate\n"
            "1,Morning Run,Run,2024-03-01T07:00:00,1800,5000.0,150\n"
            "2,Long Run,Run,2024-03-03T08:00:00,5400,16000.0,145\n"
            "3,Ride,Ride,2024-03-04T17:00:00,3600,25000.0,130\n"
            "4,Swim,Swim,2024-03-05T06:00:00,2400,1500.0,\n")
    r = _read(text, "dump.csv")
    s = r.sessions.set_index("title")
    assert s.loc["Morning Run", "duration_s"] == 1800.0  # seconds, not 30 hours
    assert s.loc["Morning Run", "distance_m"] == 5000.0  # metres, not 5,000 km
    assert s.loc["Swim", "distance_m"] == 1500.0
    assert s.loc["Long Run", "avg_hr"] == 145.0
    said = next(a for a in r.assumptions if a.startswith("durations in 'elapsed_time'"))
    assert "read as seconds" in said and "as metres" in said and "100% of 4" in said


def test_minutes_and_km_log_stays_minutes_and_km() -> None:
    text = ("Date,Type,Minutes,Distance\n2024-01-01,Run,30,5.1\n2024-01-03,Run,55,10.2\n"
            "2024-01-05,Run,95,18.0\n")
    r = _read(text)
    assert r.sessions["duration_s"].tolist() == [1800.0, 3300.0, 5700.0]
    assert r.sessions["distance_m"].tolist() == pytest.approx([5100.0, 10200.0, 18000.0])
    assert any("as kilometres" in a for a in r.assumptions)


def test_decimal_hours_are_inferred() -> None:
    text = ("Date,Type,Duration,Distance\n2024-01-01,Ride,1.5,40\n2024-01-03,Ride,2.25,62\n"
            "2024-01-05,Run,0.75,8.5\n")
    r = _read(text)
    assert r.sessions["duration_s"].tolist() == [5400.0, 8100.0, 2700.0]
    assert any("read as hours" in a for a in r.assumptions)


def test_clock_durations_with_metre_distances() -> None:
    text = ("Date,Type,Duration,Distance\n2024-01-01,Run,00:30:00,5000\n"
            "2024-01-03,Run,01:00:00,11000\n")
    r = _read(text)
    assert r.sessions["distance_m"].tolist() == [5000.0, 11000.0]
    assert r.sessions["duration_s"].tolist() == [1800.0, 3600.0]


def test_stated_units_are_not_second_guessed() -> None:
    text = ("Date,Type,Duration (min),Distance (km)\n2024-01-01,Run,30,5\n")
    r = _read(text)
    assert r.sessions["duration_s"].iloc[0] == 1800.0
    assert r.sessions["distance_m"].iloc[0] == 5000.0
    assert not any("plausible" in a for a in r.assumptions)


@pytest.mark.parametrize("text", ["1970-01-01 00:00:00", "1901-12-13 20:45:52"])
def test_placeholder_dates_in_csv_rows_are_refused_with_the_reason(text: str) -> None:
    csv_text = ("Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR\n"
                'Running,2022-04-18 10:31:59,false,"A","5.02","246","00:30:15","145"\n'
                f'Running,{text},false,"B","5.02","246","00:30:15","145"\n')
    r = _read(csv_text, "Activities.csv")
    assert r.sessions["title"].tolist() == ["A"]
    assert r.skipped[0].row == 3 and "is a placeholder" in r.skipped[0].reason


def test_hevy_imperial_account_pounds_and_miles() -> None:
    text = HEVY_HEADER.replace('"weight_kg"', '"weight_lbs"').replace(
        '"distance_km"', '"distance_miles"') + (
        '"Push","28 Mar 2025, 17:29","28 Mar 2025, 18:30","","Bench Press (Barbell)",,"",0,'
        '"normal",135,10,,,\n'
        '"Run","29 Mar 2025, 07:00","29 Mar 2025, 07:45","","Running",,"",0,"normal",,,'
        '5.0,2700,\n')
    r = _read(text, "workouts.csv")
    s = r.sessions.set_index("title")
    sets = json.loads(s.loc["Push", "sets"])
    assert sets[0]["weight_kg"] == pytest.approx(135 * 0.45359237, abs=0.001)
    assert s.loc["Run", "sport"] == "run"
    assert s.loc["Run", "distance_m"] == pytest.approx(5.0 * MILE)
    assert any("pounds" in a and "miles" in a for a in r.assumptions)
