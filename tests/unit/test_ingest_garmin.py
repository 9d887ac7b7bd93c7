"""Garmin Connect activity lists: distance unit from gait physics, track runs in metres,
headers in every account language, rows with impossible dates (own fixtures)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from stridewise.ingest import ReadContext, csvfile
from stridewise.ingest.base import ImportReport
from stridewise.ingest.csv_garmin import decide_units, stride_metres_per_unit
from stridewise.schema import validate

MILE = 1609.344


def _read(data: bytes, name: str = "Activities.csv", **ctx: object) -> ImportReport:
    report = csvfile.read(data, name, ReadContext(**ctx))  # type: ignore[arg-type]
    validate(report.sessions)
    return report


def _fixture(fixtures_dir: Path, name: str) -> bytes:
    return (fixtures_dir / "csv" / name).read_bytes()


def _without(data: bytes, column: str) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    i = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:i] + r[i + 1:] for r in rows])
    return out.getvalue().encode("utf-8")


def _by_title(r: ImportReport) -> pd.DataFrame:
    return r.sessions.set_index("title")


# --------------------------------------------------------------------------- unit decision

def test_miles_with_paces_in_the_ambiguous_band_read_as_miles_from_strides(
        fixtures_dir: Path) -> None:
    # Paces 8:00-8:30 per unit fit km and mi alike; cadence x time x stride (m) says miles.
    r = _read(_fixture(fixtures_dir, "garmin_en_miles_ambiguous_pace_track.csv"))
    s = _by_title(r)
    assert r.units == "mi"
    assert s.loc["Tempo Tuesday", "distance_m"] == pytest.approx(5.00 * MILE)
    assert s.loc["Long Run", "distance_m"] == pytest.approx(6.20 * MILE)
    assert s.loc["Easy", "elevation_gain_m"] == pytest.approx(60 * 0.3048)
    decided = r.assumptions[0]
    assert decided.startswith("distances read as miles because steps × stride length")
    assert not any("uncertain" in w or "disagrees" in w for w in r.warnings)


def test_track_run_metres_with_thousands_separator(fixtures_dir: Path) -> None:
    r = _read(_fixture(fixtures_dir, "garmin_en_miles_ambiguous_pace_track.csv"))
    track = _by_title(r).loc["Track Mile Repeats"]
    assert track["sport"] == "track_run"
    assert track["distance_m"] == pytest.approx(1610.0)  # "1,610" metres, not 1,610 mi
    assert any("metres" in w and "row 4" in w for w in r.warnings)


def test_track_run_metres_in_a_km_account_too(fixtures_dir: Path) -> None:
    data = _fixture(fixtures_dir, "garmin_en_miles_ambiguous_pace_track.csv")
    r = _read(data, units="km")
    assert _by_title(r).loc["Track Mile Repeats", "distance_m"] == pytest.approx(1610.0)
    assert _by_title(r).loc["Tempo Tuesday", "distance_m"] == pytest.approx(5000.0)


def test_pace_alone_in_the_band_is_flagged_as_uncertain(fixtures_dir: Path) -> None:
    data = _without(_fixture(fixtures_dir, "garmin_en_miles_ambiguous_pace_track.csv"),
                    "Avg Stride Length")
    r = _read(data)
    assert r.units == "km"  # no physics: the last resort cannot tell, and says so
    assert "plausible per km and per mile" in r.assumptions[0]
    assert any(w.startswith("the distance unit is uncertain") for w in r.warnings)


def test_evidence_that_disagrees_is_flagged(fixtures_dir: Path) -> None:
    # A fast runner in a miles account: 5:00 per unit looks like km, the strides say miles.
    r = _read(_fixture(fixtures_dir, "garmin_en_fast_miles_disagree.csv"))
    assert r.units == "mi"
    assert r.sessions["distance_m"].iloc[0] == pytest.approx(8.0 * MILE)
    assert any(w.startswith("the evidence disagrees") for w in r.warnings)


def test_the_chosen_unit_overrides_the_physics(fixtures_dir: Path) -> None:
    r = _read(_fixture(fixtures_dir, "garmin_en_fast_miles_disagree.csv"), units="km")
    assert r.units == "km" and r.sessions["distance_m"].iloc[0] == pytest.approx(8000.0)
    assert "as you chose" in r.assumptions[0]


def test_stride_physics_per_session() -> None:
    dist = pd.Series([5.0, 5.0, 1610.0, 3.0])
    stride = pd.Series([1.18, 0.74, 1.45, 0.0])
    steps = pd.Series([float("nan")] * 4)
    cadence = pd.Series([170.0, 170.0, 180.0, 170.0])
    secs = pd.Series([2400.0, 2400.0, 370.0, 1500.0])
    mpu = stride_metres_per_unit(dist, stride, steps, cadence, secs)
    assert mpu.iloc[0] == pytest.approx(170 * 40 * 1.18 / 5)  # ~1,605 m: miles
    assert mpu.iloc[1] == pytest.approx(170 * 40 * 0.74 / 5)  # ~1,006 m: km
    assert mpu.iloc[2:].isna().all()  # metres in the column; no stride
    sport = pd.Series(["run"] * 4)
    assert decide_units(sport[:1], dist[:1], secs[:1], mpu[:1]).units == "mi"
    assert decide_units(sport[1:2], dist[1:2], secs[1:2], mpu[1:2]).units == "km"


# --------------------------------------------------------------------------- languages

def test_swedish_export_is_garmin(fixtures_dir: Path) -> None:
    r = _read(_fixture(fixtures_dir, "garmin_sv_small.csv"))
    s = _by_title(r)
    assert r.format == "Garmin Connect Activities.csv (16 columns, Swedish headers)"
    assert r.n_sessions == 4 and r.units == "km"
    assert s.loc["Stockholm Löpning", "distance_m"] == pytest.approx(8040.0)  # "8,04"
    assert s.loc["Långpass", "distance_m"] == pytest.approx(15600.0)
    assert s.loc["Bassäng", "distance_m"] == pytest.approx(1500.0)  # "1 500" m, not km
    assert str(s.loc["Långpass", "start"]) == "2024-09-01 09:12:44"
    assert s.loc["Långpass", "duration_s"] == 3600 + 32 * 60 + 5  # Förfluten tid
    assert s.loc["Långpass", "moving_s"] == 3600 + 31 * 60 + 10  # Tid i rörelse
    assert s.loc["Långpass", "avg_hr"] == 146 and s.loc["Långpass", "calories"] == 1050


def test_chinese_headers_are_garmin() -> None:
    text = ("活动类型,日期,我的最爱,标题,距离,热量消耗,时间,平均心率,最大心率,平均步频,平均步长,"
            "移动时间,全程耗时\n"
            '跑步,2026-08-22 16:14:45,false,"基础训练","6.55","364","00:33:02","155","172",'
            '"172","1.15","00:33:00","00:38:47"\n'
            '跑步,2026-08-20 07:02:10,false,"慢跑","5.10","290","00:30:05","141","160",'
            '"168","1.01","00:30:00","00:30:05"\n')
    r = _read(text.encode("utf-8"))
    assert r.format == "Garmin Connect Activities.csv (13 columns, Chinese headers)"
    s = r.sessions.sort_values("start")
    assert s["distance_m"].tolist() == pytest.approx([5100.0, 6550.0])
    assert s["avg_hr"].tolist() == [141.0, 155.0]
    assert s["duration_s"].iloc[1] == 38 * 60 + 47 and s["moving_s"].iloc[1] == 33 * 60
    assert r.units == "km" and "stride" in r.assumptions[0]


def test_unlisted_language_is_recognised_by_its_layout(fixtures_dir: Path) -> None:
    r = _read(_fixture(fixtures_dir, "garmin_et_unlisted_language.csv"))
    assert r.format.startswith("Garmin Connect Activities.csv")
    assert r.n_sessions == 3
    s = _by_title(r)
    assert s.loc["Pikk jooks", "distance_m"] == pytest.approx(18400.0)
    assert s.loc["Pikk jooks", "duration_s"] == 3600 + 43 * 60 + 20  # elapsed, by position
    assert s.loc["Pikk jooks", "moving_s"] == 3600 + 41 * 60 + 30  # moving, by position
    assert s.loc["Pikk jooks", "calories"] == 1210.0
    assert any("recognised by Garmin's layout" in w for w in r.warnings)


# --------------------------------------------------------------------------- dates

@pytest.mark.parametrize("bad", ["0001-01-01 00:00:00", "1677-09-21 00:12:43",
                                 "9999-12-31 23:59:59"])
def test_one_out_of_range_date_skips_that_row_only(bad: str) -> None:
    text = ("Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR\n"
            'Running,2022-04-18 10:31:59,false,"A","5.02","246","00:30:15","145"\n'
            f'Running,{bad},false,"B","5.02","246","00:30:15","145"\n'
            'Running,2022-04-16 10:31:59,false,"C","6.02","296","00:36:15","145"\n')
    r = _read(text.encode("utf-8"))
    assert r.n_sessions == 2
    assert sorted(r.sessions["title"]) == ["A", "C"]
    assert [s.row for s in r.skipped] == [3]
    assert r.skipped[0].reason.startswith(f"the date '{bad}' is outside the years 1900-2200")


def test_paused_sessions_do_not_turn_kilometres_into_miles() -> None:
    # Steps counted during walk breaks inflate metres per unit (only ever upwards): a km
    # account of run-walk sessions has a few clean sessions near 1,000 m and many above it.
    mpu = pd.Series([1002.0, 998.0, 1005.0, 1350.0, 1420.0, 1480.0, 1390.0, 1310.0])
    n = len(mpu)
    sport = pd.Series(["run"] * n)
    dist = pd.Series([5.0] * n)
    secs = pd.Series([2100.0] * n)  # 7:00 per unit: plausible either way
    d = decide_units(sport, dist, secs, mpu)
    assert d.units == "km" and d.basis == "stride"
    assert "about 1,000 m (a kilometre)" in d.reason and "3 of 8" in d.reason


def test_unknown_type_names_with_a_running_gait_are_runs() -> None:
    text = ("Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg Run Cadence,"
            "Avg Stride Length,Moving Time,Elapsed Time\n"
            'Qwzrt,2024-06-01 07:00:00,false,"A","10.00","700","00:50:00","170","1.18",'
            '"00:50:00","00:50:00"\n'
            'Plmkv,2024-06-02 07:00:00,false,"B","4.00","250","00:50:00","110","0.73",'
            '"00:50:00","00:50:00"\n'
            'Qwzrt,2024-06-03 07:00:00,false,"C","0.00","250","00:50:00","--","--",'
            '"00:50:00","00:50:00"\n')
    r = _read(text.encode())
    s = _by_title(r)
    assert (s.loc["A", "sport"], s.loc["B", "sport"], s.loc["C", "sport"]) == (
        "run", "walk", "other")
    assert any(a.startswith("1 session(s) read as runs and 1 as walks") for a in r.assumptions)


def test_track_run_metres_without_a_time() -> None:
    text = ("Activity Type,Date,Favorite,Title,Distance,Calories,Time\n"
            'Running,2024-06-01 07:00:00,false,"Run","5.00","300","00:30:00"\n'
            'Track Running,2024-06-02 07:00:00,false,"Track","1,610","130","--:--:--"\n')
    s = _by_title(_read(text.encode()))
    assert s.loc["Track", "distance_m"] == pytest.approx(1610.0)  # not 1,610 km
    assert s.loc["Run", "distance_m"] == pytest.approx(5000.0)


def test_unknown_moving_and_elapsed_names_are_found_by_position() -> None:
    # Known type/date/distance names, but the trailing time columns in words not listed.
    text = ("Aktivitetstype,Dato,Favoritt,Tittel,Distanse,Kalorier,Tid,Xtid A,Xtid B,"
            "Xhoyde min,Xhoyde max\n"
            'Løping,2024-06-01 07:00:00,false,"A","10.00","700","00:50:00","00:49:10",'
            '"00:53:20","12","40"\n')
    one = _read(text.encode()).sessions.iloc[0]
    assert one["moving_s"] == 49 * 60 + 10 and one["duration_s"] == 53 * 60 + 20
