"""Corpus TCX, GPX and other_formats files: each imports with the right figures or is refused
with its specific message (quirks from corpus/MANIFEST.md)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from stridewise.errors import ImportRefused
from stridewise.ingest import read_path
from stridewise.ingest.base import ReadContext


def _read(corpus_dir: Path, rel: str, tz: str = "UTC"):
    return read_path(corpus_dir / rel, ReadContext(tz=tz))


# --- TCX -------------------------------------------------------------------------------------

def test_tcx_one_line_polar_other_is_a_pool_swim(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "tcx/polar_flow_2015-10-13_sport_Other.tcx")
    s = r.sessions.iloc[0]
    assert (s["sport"], s["distance_m"], s["moving_s"]) == ("swim", 975.0, 3588.0)
    assert any("read as swim" in a for a in r.assumptions)


def test_tcx_bom_and_standalone_no(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "tcx/runalyze_Standard.tcx").sessions.iloc[0]
    assert s["sport"] == "run" and s["distance_m"] == pytest.approx(22224.3, abs=0.1)
    assert s["max_hr"] == 172


def test_tcx_several_activities(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "tcx/runalyze_Multisport.tcx").sessions
    assert s["sport"].tolist() == ["ride", "run", "ride"]
    assert s["start"].is_monotonic_increasing


def test_tcx_lowercase_running(corpus_dir: Path) -> None:
    assert _read(corpus_dir, "tcx/runalyze_Runtastic.tcx").sessions["sport"].iloc[0] == "run"


def test_tcx_swim_without_trackpoint_times_uses_lap_totals(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "tcx/runalyze_Swim-without-time_by-Timekiller.tcx").sessions.iloc[0]
    assert s["duration_s"] == pytest.approx(2165.075)


def test_tcx_missing_distances_on_some_trackpoints(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "tcx/runalyze_missing-distances.tcx").sessions.iloc[0]
    assert s["distance_m"] == pytest.approx(299.0, abs=0.1) and s["duration_s"] == 131.0


def test_tcx_first_point_empty_and_one_line_polar(corpus_dir: Path) -> None:
    assert _read(corpus_dir, "tcx/runalyze_First-point-empty.tcx").n_sessions == 1
    s = _read(corpus_dir, "tcx/runalyze_Polar-one-lap-indoor-with-distance.tcx").sessions
    assert s["distance_m"].iloc[0] == 94.0


def test_tcx_dakota_lap_start_in_wrong_zone_uses_recorded_time(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "tcx/runalyze_Dakota.tcx")
    assert r.sessions["duration_s"].iloc[0] == 1371.0
    assert any("disagrees with its first recorded point" in a for a in r.assumptions)


@pytest.mark.parametrize("name", [
    "runalyze_Indoor-Training.tcx", "runalyze_Treadmill-doubled-cadence.tcx",
    "runalyze_negative-pause.tcx", "runalyze_watt-extension-without-namespace.tcx"])
def test_other_tcx_files_import(corpus_dir: Path, name: str) -> None:
    s = _read(corpus_dir, f"tcx/{name}").sessions
    assert len(s) == 1 and s["duration_s"].iloc[0] > 0


def test_every_tcx_file_is_covered(corpus_dir: Path) -> None:
    for p in sorted((corpus_dir / "tcx").iterdir()):
        assert _read(corpus_dir, f"tcx/{p.name}").n_sessions >= 1


# --- GPX -------------------------------------------------------------------------------------

def test_gpx_strava_numeric_type(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "gpx/strava_bulk_export_run_2017_cairo_1239352777.gpx")
    s = r.sessions.iloc[0]
    assert s["sport"] == "run" and s["title"] == "Night Run" and math.isnan(s["avg_hr"])
    assert any("Strava's code for run" in a for a in r.assumptions)


def test_gpx_garmin_type_running_with_ns3_extension(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "gpx/runalyze_garmin-ns3-extension.gpx").sessions.iloc[0]
    assert s["sport"] == "run" and s["avg_hr"] > 0


def test_gpx_route_only_is_refused(corpus_dir: Path) -> None:
    with pytest.raises(ImportRefused) as err:
        _read(corpus_dir, "gpx/runalyze_Route-only.gpx")
    assert "planned route" in err.value.message and "not a recorded activity" in err.value.message


def test_gpx_segments_with_offsets_and_fractional_seconds(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "gpx/runalyze_break-between-trkseg.gpx").sessions.iloc[0]
    assert s["moving_s"] < s["duration_s"]  # the break between segments is not moving time
    assert s["start"].microsecond == 524000


def test_gpx_hr_only_on_some_points(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "gpx/runalyze_hr-not-always-there.gpx").sessions.iloc[0]
    assert 100 < s["avg_hr"] < 160


def test_gpx_mixed_extension_namespaces(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "gpx/runalyze_Movescount-mixed-extensions.gpx").sessions.iloc[0]
    assert s["avg_hr"] > 100 and s["distance_m"] > 4000


def test_gpx_negative_time_step_at_start(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "gpx/runalyze_runkeeper-negative-time-step-at-start.gpx")
    assert r.sessions["sport"].iloc[0] == "ride"
    assert any("out of time order" in a for a in r.assumptions)


def test_every_other_gpx_file_imports(corpus_dir: Path) -> None:
    for p in sorted((corpus_dir / "gpx").iterdir()):
        if p.name != "runalyze_Route-only.gpx":
            assert _read(corpus_dir, f"gpx/{p.name}").n_sessions == 1


# --- other_formats -----------------------------------------------------------------------------

def test_apple_health_excerpt_one_running_workout(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_formats/apple_health_export_xml_trimmed_excerpt_2016-2019.xml",
              tz="America/Phoenix")  # -0700 all year, as the file
    s = r.sessions.iloc[0]
    assert r.n_sessions == 1 and s["sport"] == "run"
    assert s["start"] == pd.Timestamp("2016-11-14 07:25:41")
    assert s["distance_m"] == pytest.approx(0.4971749504535062 * 1609.344)
    assert s["moving_s"] == pytest.approx(5.19412346680959 * 60)


def test_nike_run_club_5k(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "other_formats/nike_run_club_api_activity_2017_run_5km.json").sessions
    assert s["distance_m"].iloc[0] == pytest.approx(5032.55)
    assert s["title"].iloc[0] == "Sunday Morning Run" and s["moving_s"].iloc[0] == 1372


def test_nike_run_without_metrics_has_no_distance(corpus_dir: Path) -> None:
    r = _read(corpus_dir, "other_formats/nike_run_club_api_activity_tiny_no_metrics.json")
    assert math.isnan(r.sessions["distance_m"].iloc[0]) and r.sessions["moving_s"].iloc[0] == 3287
    assert any("no distance" in w for w in r.warnings)


def test_polar_hrm_corpus(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "other_formats/polar_hrm_12011801.hrm").sessions.iloc[0]
    assert s["start"] == pd.Timestamp("2012-01-18 11:31:40")
    assert s["duration_s"] == pytest.approx(3579.1) and 100 < s["avg_hr"] < 160


def test_polar_personal_trainer_corpus(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "other_formats/polar_personal_trainer_Polar.xml").sessions.iloc[0]
    assert (s["sport"], s["distance_m"], s["avg_hr"], s["max_hr"]) == ("run", 6600, 156, 179)


def test_suunto_sml_corpus(corpus_dir: Path) -> None:
    s = _read(corpus_dir, "other_formats/suunto_ambit_moveslink_reduced.sml").sessions.iloc[0]
    assert s["sport"] == "run" and s["duration_s"] == pytest.approx(3773.1)
    assert s["avg_hr"] == pytest.approx(143) and s["elevation_gain_m"] == 89
