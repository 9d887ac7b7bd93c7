"""Every CSV of the corpus (strava/, garmin_csv/, other_csv/) imports correctly or is refused.

Expected figures were established by reading each file independently (plain pandas/csv, by
hand for the small ones): row counts, total running distance, first and last start, and a few
single values. Files are used by path (never copied).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stridewise.errors import ImportRefused
from stridewise.ingest import ReadContext, read_path
from stridewise.ingest.base import ImportReport
from stridewise.schema import RUN_SPORTS, parse_sets, validate


def _read(corpus: Path, rel: str, **ctx: object) -> ImportReport:
    report = read_path(corpus / rel, ReadContext(**ctx))  # type: ignore[arg-type]
    validate(report.sessions)
    return report


def _run_km(report: ImportReport) -> float:
    s = report.sessions
    return float(s.loc[s["sport"].isin(RUN_SPORTS), "distance_m"].sum() / 1000.0)


def _span(report: ImportReport) -> tuple[str, str]:
    s = report.sessions["start"]
    return str(s.min()), str(s.max())


# --------------------------------------------------------------------------- Strava

STRAVA = [
    # file, sessions, running km (metres column), first start, last start (UTC)
    ("strava/strava_2014-2024_it_localized_headers_types_decimal_comma.csv", 351, 2023.93,
     "2014-08-11 16:27:28", "2024-05-29 15:41:35"),
    ("strava/strava_2018_legacy_lowercase_10col_rides_cairo.csv", 128, 257.05,
     "2014-09-12 16:54:28", "2018-06-13 17:41:27"),
    ("strava/strava_2020_nl_localized_headers_types_decimal_comma.csv", 152, 1030.92,
     "2013-04-13 16:28:08", "2020-07-11 12:20:15"),
    ("strava/strava_2021_79col_en.csv", 143, 879.15, "2020-01-04 14:57:37",
     "2021-07-18 07:59:34"),
    ("strava/strava_2023-11_87col_translation_missing_headers_ptBR_names.csv", 878, 1175.69,
     "2020-02-26 19:24:37", "2023-11-03 22:41:03"),
    ("strava/strava_2024-2025_99col_en_run_swim.csv", 242, 1868.24, "2024-06-03 16:56:38",
     "2025-09-21 14:16:53"),
    ("strava/strava_2025-02_94col_ptBR_names.csv", 1239, 1688.73, "2020-02-26 19:24:37",
     "2025-02-06 21:42:14"),
]


@pytest.mark.parametrize(("rel", "n", "km", "first", "last"), STRAVA,
                         ids=[s[0].split("/")[1][:30] for s in STRAVA])
def test_strava_files(corpus_dir: Path, rel: str, n: int, km: float, first: str,
                      last: str) -> None:
    r = _read(corpus_dir, rel)
    assert r.n_sessions == n
    assert _run_km(r) == pytest.approx(km, abs=0.01)
    assert _span(r) == (first, last)
    assert r.format.startswith("Strava activities.csv")
    assert r.sessions["source"].eq("strava_csv").all()
    assert r.sessions["source_id"].str.fullmatch(r"\d+").all()
    assert "strava_filename" in r.sessions.columns
    assert any("UTC" in a for a in r.assumptions)


def test_strava_79_swim_metres_filename_and_rpe(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "strava/strava_2021_79col_en.csv")
    s = r.sessions
    swims = s[s["sport"] == "swim"]
    assert swims["distance_m"].tolist() == [1025.0, 1025.0]  # first Distance "1,025"
    first = s.iloc[0]
    assert (first["source_id"], first["strava_filename"]) == (
        "2987876185", "activities/3184653380.fit.gz")
    assert first["distance_m"] == pytest.approx(5005.2)
    assert s["rpe"].notna().sum() == 21
    assert s["rpe"].dropna().between(1, 10).all()


def test_strava_99_upload_id_filename_and_manual_rows(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "strava/strava_2024-2025_99col_en_run_swim.csv").sessions
    row = s[s["source_id"] == "11573601446"].iloc[0]
    assert row["strava_filename"] == "activities/12352754193.fit.gz"
    assert row["distance_m"] == pytest.approx(9833.3)
    assert row["moving_s"] == 2950.0 and row["duration_s"] == 5381.0
    assert (s["strava_filename"] == "").sum() == 5
    assert s.loc[s["sport"] == "swim", "distance_m"].iloc[0] == 525.0


def test_strava_italian_swim_dot_thousands(corpus_dir: Path) -> None:
    s = _read(corpus_dir,
              "strava/strava_2014-2024_it_localized_headers_types_decimal_comma.csv").sessions
    assert s.loc[s["source_id"] == "1635761204", "distance_m"].item() == 1050.0
    assert s["sport"].value_counts().to_dict() == {
        "run": 279, "nordic_ski": 25, "hike": 23, "ride": 18, "ski": 3, "swim": 2, "walk": 1}


def test_strava_dutch_absurd_elapsed_uses_moving_time(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "strava/strava_2020_nl_localized_headers_types_decimal_comma.csv")
    assert r.sessions["duration_s"].max() < 7 * 86400
    assert any("23.3 days" in w for w in r.warnings)
    assert set(r.sessions["sport"]) == {"run", "ride"}


def test_strava_timezone_conversion(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "strava/strava_2021_79col_en.csv", tz="Europe/Berlin")
    assert str(r.sessions["start"].iloc[0]) == "2020-01-04 15:57:37"  # 14:57:37 UTC, CET
    assert any("Europe/Berlin" in a for a in r.assumptions)


def test_strava_overlapping_exports_share_session_ids(corpus_dir: Path) -> None:
    old = _read(corpus_dir,
                "strava/strava_2023-11_87col_translation_missing_headers_ptBR_names.csv")
    new = _read(corpus_dir, "strava/strava_2025-02_94col_ptBR_names.csv")
    shared = set(old.sessions["source_id"]) & set(new.sessions["source_id"])
    assert len(shared) == 878
    a = old.sessions.set_index("source_id")["session_id"]
    b = new.sessions.set_index("source_id")["session_id"]
    assert (a[sorted(shared)] == b[sorted(shared)]).all()


# --------------------------------------------------------------------------- Garmin

GARMIN = [
    # file, sessions, running km, first, last, units
    ("garmin_da_2018-2020_running.csv", 41, 220.79, "2018-09-08 14:51:20",
     "2020-03-02 15:05:08", "km"),
    ("garmin_da_2025_swim_strength_hmm_time.csv", 120, 728.90, "2025-08-04 16:53:17",
     "2025-11-01 12:19:11", "km"),
    ("garmin_de_2012_legacy_connect_title_line_leading_spaces.csv", 6, 19.2,
     "2012-05-22 19:29:00", "2012-05-25 20:31:00", "km"),
    ("garmin_de_2021-2022_running_quoted.csv", 60, 245.72, "2021-12-02 07:58:44",
     "2022-04-20 06:08:34", "km"),
    ("garmin_de_2021-2023_running_unquoted.csv", 103, 401.04, "2021-12-02 07:58:44",
     "2023-03-31 08:10:41", "km"),
    ("garmin_en_2021-2022_multisport_dup_cadence_cols.csv", 160, 413.60,
     "2021-11-25 12:55:57", "2022-12-21 10:40:56", "km"),
    ("garmin_en_2021-2022_statute_miles_running_crlf.csv", 144, 426.75 * 1.609344,
     "2021-07-01 09:47:34", "2022-04-18 10:31:59", "mi"),
    ("garmin_en_2023-2025_custom_columns_no_favorite_unquoted.csv", 1978, 5099.59,
     "2019-01-24 18:30:08", "2025-02-11 08:12:19", "km"),
    ("garmin_en_2024-2025_miles_thousands_sep_skiing.csv", 80, 43.56 * 1.609344,
     "2024-12-31 13:38:42", "2025-05-26 17:40:55", "mi"),
    ("garmin_en_excel_resaved_mdy_dates_2018-2020.csv", 303, 1368.41 * 1.609344,
     "2018-03-30 15:18:00", "2020-12-11 11:59:00", "mi"),
    ("garmin_en_headers_decimal_comma_locale_2019-2026_running.csv", 1131, 11564.32,
     "2019-02-01 15:21:47", "2026-01-04 12:38:59", "km"),
    ("garmin_es_2024-2025_running.csv", 136, 989.99, "2024-01-09 17:03:19",
     "2025-11-13 18:35:58", "km"),
    ("garmin_es_2025-2026_strength_swim_yoga_dup_cols.csv", 140, 220.65,
     "2025-11-26 12:18:37", "2026-04-21 16:48:27", "km"),
    ("garmin_fr_2014-2015_legacy_connect_renamed_headers.csv", 294, 3194.0,
     "2014-06-19 05:32:00", "2015-09-07 05:51:00", "km"),
    ("garmin_hu_2021-2024_running_cardio.csv", 678, 2210.28, "2021-12-27 19:19:30",
     "2024-08-09 18:31:09", "km"),
    ("garmin_ptBR_2017-2021_triathlon.csv", 2479, 7343.97, "2017-10-12 11:15:19",
     "2021-10-05 10:04:44", "km"),
]


@pytest.mark.parametrize(("name", "n", "km", "first", "last", "units"), GARMIN,
                         ids=[g[0][:32] for g in GARMIN])
def test_garmin_files(corpus_dir: Path, name: str, n: int, km: float, first: str, last: str,
                      units: str) -> None:
    r = _read(corpus_dir, f"garmin_csv/{name}")
    assert r.n_sessions == n
    assert _run_km(r) == pytest.approx(km, abs=0.05)
    assert _span(r) == (first, last)
    assert r.units == units
    assert r.format.startswith("Garmin Connect")
    assert any(a.startswith("distances read as") for a in r.assumptions)


def test_garmin_units_override(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "garmin_csv/garmin_en_2021-2022_statute_miles_running_crlf.csv",
              units="km")
    assert r.units == "km"
    assert _run_km(r) == pytest.approx(426.75, abs=0.01)
    assert "as you chose" in r.assumptions[0]


def test_garmin_miles_reason_names_the_pace(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "garmin_csv/garmin_en_2021-2022_statute_miles_running_crlf.csv")
    assert "median running pace is 11:09 per unit" in r.assumptions[0]
    first = r.sessions.iloc[0]  # "2.02" mi, ascent "217" ft
    assert first["distance_m"] == pytest.approx(2.02 * 1609.344)
    assert first["elevation_gain_m"] == pytest.approx(217 * 0.3048)


def test_garmin_swims_are_metres_with_thousands(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "garmin_csv/garmin_da_2025_swim_strength_hmm_time.csv").sessions
    pool = s[s["title"] == "Svøm i pool"]
    assert pool["distance_m"].iloc[0] == 1500.0  # "1,500"
    # Tid is h:mm ("0:45"); the elapsed column 00:45:17 is used instead.
    assert pool["duration_s"].iloc[0] == 45 * 60 + 17
    assert pool["moving_s"].iloc[0] == 39 * 60 + 58
    assert (s["sport"] == "strength").sum() == 19


def test_garmin_decimal_comma_and_dot_thousands(corpus_dir: Path) -> None:
    s = _read(corpus_dir,
              "garmin_csv/garmin_en_headers_decimal_comma_locale_2019-2026_running.csv").sessions
    assert s["distance_m"].iloc[0] == pytest.approx(3400.0)  # "3,40"
    assert s["sport"].iloc[0] == "treadmill_run"


def test_garmin_mixed_number_formats_in_one_column(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "garmin_csv/garmin_de_2021-2023_running_unquoted.csv").sessions
    track = s[s["sport"] == "track_run"]
    assert sorted(track["distance_m"].round(1)) == [2000.0, 2810.0]  # "2" and "2,81"


def test_garmin_legacy_german_title_line(corpus_dir: Path) -> None:
    r = _read(corpus_dir,
              "garmin_csv/garmin_de_2012_legacy_connect_title_line_leading_spaces.csv")
    first = r.sessions.sort_values("start").iloc[-1]
    assert str(first["start"]) == "2012-05-25 20:31:00"  # "Fr, 25 Mai 2012 20:31"
    assert first["distance_m"] == pytest.approx(10200.0)  # "10,20"
    assert first["duration_s"] == 3911.0  # 1:05:11
    assert "title line" in r.warnings[0]


def test_garmin_french_legacy_repeated_rows_are_reported(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "garmin_csv/garmin_fr_2014-2015_legacy_connect_renamed_headers.csv")
    assert len(r.skipped) == 20
    assert {s.reason for s in r.skipped} == {"repeats an earlier session of this file"}
    assert r.skipped[0].row == 36


def test_garmin_excel_mdy_dates_assumption(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "garmin_csv/garmin_en_excel_resaved_mdy_dates_2018-2020.csv")
    assert str(r.sessions["start"].iloc[0]) == "2020-12-11 11:59:00"  # "12/11/20 11:59"
    assert any(a.startswith("dates read as month/day/year, as values such as")
               for a in r.assumptions)
    assert r.sessions["duration_s"].iloc[0] == 30 * 60 + 48


def test_garmin_pt_duplicate_row_skipped_with_line(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "garmin_csv/garmin_ptBR_2017-2021_triathlon.csv")
    assert [(s.row, s.reason) for s in r.skipped] == [
        (1020, "repeats an earlier session of this file")]


# --------------------------------------------------------------------------- other apps

def test_healthexport_workouts(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/apple_health_via_HealthExport_app_workouts_2021.csv")
    s = r.sessions
    assert r.n_sessions == 2
    assert str(s["start"].iloc[0]) == "2021-01-02 15:05:17"
    assert s["distance_m"].iloc[0] == pytest.approx(10371.0)
    assert s["sport"].tolist() == ["run", "ride"]


def test_healthexport_daily_totals_refused(corpus_dir: Path) -> None:
    with pytest.raises(ImportRefused, match="cumulative daily totals"):
        read_path(corpus_dir / "other_csv/apple_health_via_HealthExport_app_cumulative_days_"
                               "2020-12.csv")


def test_epson(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/epson_runsense_multisection_ini_like.csv")
    one = r.sessions.iloc[0]
    assert r.n_sessions == 1
    assert (one["distance_m"], one["duration_s"], one["max_hr"]) == (14002.0, 4648.0, 193.0)
    assert str(one["start"]) == "2014-12-19 16:35:29"
    assert one["title"] == "FFRB Damm- und Hainrunde"


def test_fitbit_daily_refused(corpus_dir: Path) -> None:
    with pytest.raises(ImportRefused, match="Fitbit daily activity summary"):
        read_path(corpus_dir / "other_csv/fitbit_fitabase_dailyActivity_merged_2016_multiuser.csv")


def test_fitbod_sets(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/fitbod_strength_workouts_set_level_2018-2019.csv")
    s = r.sessions
    assert r.n_sessions == 142
    assert sum(len(parse_sets(x)) for x in s["sets"]) == 3003
    assert _span(r) == ("2018-05-16 00:00:00", "2019-02-13 00:00:00")
    last = parse_sets(s.loc[s["start"] == s["start"].max(), "sets"].item())
    assert last[0]["exercise"] == "Chin Up" and last[0]["category"] == "pull_up"
    assert any("minutes per set" in a for a in r.assumptions)


def test_hevy_sets(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/hevy_strength_workouts_set_level_2024-2026.csv")
    s = r.sessions
    assert r.n_sessions == 411
    assert sum(len(parse_sets(x)) for x in s["sets"]) == 8650
    first = s.iloc[0]  # "7 Apr 2026, 10:14" - "7 Apr 2026, 11:14"
    assert str(first["start"]) == "2026-04-07 10:14:00" and first["duration_s"] == 3600.0
    sets = parse_sets(first["sets"])
    assert sets[0] == {"exercise": "Paused Bench Press", "category": "bench_press", "reps": 7,
                       "weight_kg": 90.0, "seconds": None}
    # One workout is a single "Running" set (6 Jun 2025, 7.25 km): a run, not strength.
    assert s["sport"].value_counts().to_dict() == {"strength": 410, "run": 1}
    run = s[s["sport"] == "run"].iloc[0]
    assert str(run["start"]) == "2025-06-06 16:26:00" and run["distance_m"] == 7250.0


def test_intervals_activities(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/intervals_icu_activities_2025-2026_bom_cjk_emoji_names.csv")
    s = r.sessions
    assert r.n_sessions == 402
    assert _run_km(r) == pytest.approx(2061.62, abs=0.01)
    assert _span(r) == ("2022-09-21 11:04:19", "2026-03-24 17:11:22")
    assert s["title"].iloc[0] == "☁️ 午后跑步" and s["source_id"].iloc[0] == "i134358513"


def test_intervals_wellness_refused(corpus_dir: Path) -> None:
    with pytest.raises(ImportRefused, match="intervals.icu wellness file"):
        read_path(corpus_dir / "other_csv/intervals_icu_wellness_2026_bom.csv")


def test_manual_german_log_cp1252(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/manual_running_log_de_2012_cp1252_not_utf8.csv")
    s = r.sessions
    assert r.n_sessions == 5
    assert _run_km(r) == pytest.approx(35.3)
    assert str(s["start"].iloc[0]) == "2012-02-18 00:00:00"  # 18.02.12
    assert "Gemütlicher Lauf" in s["title"].iloc[0]  # cp1252 ü decoded
    assert any("Windows-1252" in a for a in r.assumptions)


def test_mapmyrun(corpus_dir: Path) -> None:
    r = _read(corpus_dir,
              "other_csv/mapmyrun_workout_history_2007-2017_miles_ap_style_dates.csv")
    # 117 rows have a distance but 0 s: kept (116 runs, 1 walk) with an estimated duration.
    assert r.n_sessions == 831
    assert r.skipped == []
    assert _run_km(r) == pytest.approx(9305.91, abs=0.01)  # 8085.50 km of timed runs + 1220.41
    assert _span(r) == ("2007-10-22 00:00:00", "2017-06-11 00:00:00")
    est = r.sessions[r.sessions["duration_estimated"].fillna(False).astype(bool)]
    assert len(est) == 117 and (est["duration_s"] > 0).all()
    assert any(w.startswith("117 session(s) have a distance but no recorded time")
               for w in r.warnings)


@pytest.mark.parametrize(("name", "sport", "km", "secs", "start"), [
    ("polar_flow_session_2015-09-06_running_halfmarathon.csv", "run", 21.34, 8168.0,
     "2015-09-06 10:01:07"),
    ("polar_flow_session_2015-11-01_cycling.csv", "ride", 17.96, 3079.0,
     "2015-11-01 14:28:12"),
])
def test_polar_flow(corpus_dir: Path, name: str, sport: str, km: float, secs: float,
                    start: str) -> None:
    r = _read(corpus_dir, f"other_csv/{name}")
    one = r.sessions.iloc[0]
    assert r.n_sessions == 1
    assert (one["sport"], one["duration_s"], str(one["start"])) == (sport, secs, start)
    assert one["distance_m"] == pytest.approx(km * 1000)
    assert one["max_hr"] != 189  # not the profile HR max of the summary line


def test_runkeeper_miles(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/runkeeper_cardioActivities_2011-2013_miles.csv")
    assert r.n_sessions == 178 and r.units == "mi"
    assert _run_km(r) == pytest.approx(1610.26, abs=0.01)
    assert r.sessions["duration_s"].iloc[0] == 26 * 60 + 42  # "26:42" is mm:ss


def test_runkeeper_km(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/runkeeper_cardioActivities_2012-2016_km.csv")
    assert r.n_sessions == 317 and r.units == "km"
    assert _run_km(r) == pytest.approx(371.28 - 2.69, abs=0.01)
    assert [(s.row, s.reason) for s in r.skipped] == [
        (289, "repeats an earlier session of this file")]


def test_trainingpeaks_completed_only(corpus_dir: Path) -> None:
    r = _read(corpus_dir,
              "other_csv/trainingpeaks_workouts_2025-2026_triathlon_hebrew_titles.csv")
    assert r.n_sessions == 113
    reasons = pd.Series([s.reason for s in r.skipped]).value_counts().to_dict()
    assert reasons == {"planned workout with no completed time or distance": 12,
                       "a day off, not a session": 4}
    assert _run_km(r) == pytest.approx(418.15, abs=0.01)
    assert r.sessions["duration_s"].sum() / 3600 == pytest.approx(139.71, abs=0.01)
    assert r.sessions["title"].iloc[0] == "Z2 - לפי דופק"


def test_wahoo(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/wahoo_fitness_app_2016_multisection_samples.csv")
    one = r.sessions.iloc[0]
    assert r.n_sessions == 1 and one["sport"] == "run"
    assert str(one["start"]) == "2016-10-07 17:24:02"
    assert one["moving_s"] == pytest.approx(4618.1, abs=0.1)
    assert one["distance_m"] == pytest.approx(10016.38, abs=0.01)


def test_whoop(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/whoop_workouts_2024.csv")
    assert r.n_sessions == 124
    assert _run_km(r) == pytest.approx(125.59, abs=0.01)
    first = r.sessions.iloc[0]  # 08:08:18 - 08:29:36
    assert first["duration_s"] == 21 * 60 + 18 and first["sport"] == "run"


def test_zepp(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_csv/zepp_life_amazfit_SPORT_2021-2022_bom_numeric_types.csv",
              tz="Europe/Berlin")
    s = r.sessions
    assert r.n_sessions == 202
    assert _run_km(r) == pytest.approx(691.60, abs=0.01)
    assert s["sport"].value_counts().to_dict() == {"run": 197, "ride": 3, "walk": 2}
    assert str(s["start"].iloc[0]) == "2022-08-05 04:18:07"  # 02:18:07+0000 in CEST
