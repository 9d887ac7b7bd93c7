"""The command-line contract of DESIGN §6: commands, columns, formats, exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from stridewise.cli import WEEKLY_COLUMNS, main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
STRAVA_DEMO = DEMO / "ana_silva_strava_activities.csv"
GARMIN_DEMO = DEMO / "ben_carter_garmin_Activities.csv"
DAILY = ROOT / "tests" / "fixtures" / "cli" / "daily_load.csv"
RISK_COLUMNS = ["date", "load", "acute_7d", "chronic_28d", "acwr_coupled", "chronic_21d",
                "acwr_uncoupled", "ewma_acute", "ewma_chronic", "acwr_ewma", "monotony",
                "strain", "ctl", "atl", "tsb", "ramp", "run_km_7d", "run_km_change_pct",
                "spike_pct", "risk_level", "reasons"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", ["sessions", "weekly", "risk", "import", "export",
                                     "backup", "restore"])
def test_help_for_every_command(command, capsys):
    code = main([command, "--help"])
    assert code == 0
    assert "usage:" in capsys.readouterr().out


def test_no_command_and_unknown_option_are_usage_errors(capsys):
    assert main([]) == 2
    assert main(["weekly", "--bogus", str(STRAVA_DEMO)]) == 2
    assert main(["sessions"]) == 2  # PATH is required
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_unknown_time_zone_is_a_usage_error():
    code, out, err = run("sessions", str(STRAVA_DEMO), "--tz", "Mars/Olympus")
    assert code == 2
    assert "time zone" in err and "Traceback" not in err
    assert out == ""


def test_weekly_prints_design_columns_for_a_demo_file():
    code, out, err = run("weekly", str(STRAVA_DEMO), "--athlete", "Ana")
    assert code == 0, err
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns) == WEEKLY_COLUMNS
    assert set(df["area"]) >= {"endurance", "strength"}
    assert (df["athlete"] == "Ana").all()
    weeks = pd.to_datetime(df["week"])
    assert (weeks.dt.day_of_week == 0).all()  # ISO Monday
    assert df["minutes"].sum() > 1000
    assert "sessions imported" in err  # the import report goes to stderr


def test_sessions_json_has_area_reason_and_load():
    code, out, err = run("sessions", str(GARMIN_DEMO), "--format", "json", "--units", "km")
    assert code == 0, err
    records = json.loads(out)
    assert len(records) > 300
    first = records[0]
    for key in ("session_id", "start", "sport", "area", "area_reason", "load", "load_source"):
        assert key in first
    assert {r["area"] for r in records} <= {"endurance", "strength", "plyometrics",
                                            "stability", "flexibility", "other"}


def test_unreadable_file_is_named_and_others_still_count(tmp_path):
    junk = tmp_path / "broken.csv"
    junk.write_bytes(b"\x00\x01\x02\xff\xfe" * 50)
    code, out, err = run("weekly", str(junk), str(STRAVA_DEMO))
    assert code == 1
    assert "broken.csv" in err
    assert "Traceback" not in err
    assert len(pd.read_csv(io.StringIO(out))) > 0


def test_missing_file_exits_1_with_a_sentence():
    code, out, err = run("sessions", "/nonexistent/activities.csv")
    assert code == 1
    assert "activities.csv" in err and "Traceback" not in err


def test_risk_daily_load_columns_and_calendar():
    code, out, err = run("risk", "--daily-load", str(DAILY))
    assert code == 0, err
    df = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(df.columns) == RISK_COLUMNS
    # first to last date, the missing 3 January filled with load 0
    assert list(df["date"]) == ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04",
                                "2025-01-05"]
    assert list(df["load"].astype(float)) == [50.0, 0.0, 0.0, 80.0, 60.0]
    # ratios need 28 days of history: empty cells (NaN) here
    assert (df["acwr_coupled"] == "").all()


def test_risk_daily_load_writes_inf_for_no_base(tmp_path):
    f = tmp_path / "d.csv"
    days = pd.date_range("2025-01-01", periods=35)
    loads = [0.0] * 34 + [100.0]
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "load": loads}).to_csv(f, index=False)
    code, out, err = run("risk", "--daily-load", str(f))
    assert code == 0, err
    last = out.strip().splitlines()[-1].split(",")
    header = out.splitlines()[0].split(",")
    row = dict(zip(header, last, strict=False))
    # coupled: acute 100/7 over chronic 100/28 = 4 (its upper bound); uncoupled: the 21 days
    # before the acute week hold no load, so the ratio has no base: +inf, written `inf`
    assert float(row["acwr_coupled"]) == pytest.approx(4.0)
    assert row["acwr_uncoupled"] == "inf"


def test_risk_daily_load_bad_file_is_explained(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("day,minutes\n2025-01-01,3\n")
    code, out, err = run("risk", "--daily-load", str(f))
    assert code == 1
    assert "date and load" in err


def test_risk_needs_input():
    code, _, err = run("risk")
    assert code == 2
    assert "--daily-load" in err


def test_import_is_idempotent_and_export_round_trips(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "sw.db"))
    code, out, err = run("import", str(STRAVA_DEMO), "--athlete", "Ana")
    assert code == 0, err
    added = int(out.split(":")[1].split("new")[0])
    assert added > 500
    code, out2, err = run("import", str(STRAVA_DEMO), "--athlete", "Ana")
    assert code == 0, err
    assert "already imported" in out2 and "nothing was changed" in out2
    assert f"Ana: {added} sessions in the store" in out2
    code, out3, err = run("export", "--format", "json", "--athlete", "Ana")
    assert code == 0, err
    assert len(json.loads(out3)) == added
    target = tmp_path / "s.parquet"
    code, _, err = run("export", "--format", "parquet", "--output", str(target))
    assert code == 0, err
    assert len(pd.read_parquet(target)) == added
    code, _, err = run("export", "--athlete", "Nobody")
    assert code == 2 and "Nobody" in err


def test_backup_and_restore_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "a.db"))
    assert run("import", str(GARMIN_DEMO), "--athlete", "Ben", "--units", "km")[0] == 0
    code, out, err = run("backup", str(tmp_path / "bk"))
    assert code == 0, err
    n = int(out.split()[2])
    assert n > 300 and (tmp_path / "bk" / "manifest.json").is_file()
    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "b.db"))
    code, out, err = run("restore", str(tmp_path / "bk"))
    assert code == 0, err
    assert f"Restored {n} sessions of 1 athlete from" in out
    code, _, err = run("restore", str(tmp_path / "nothing-here"))
    assert code == 1 and "backup" in err and "Traceback" not in err


def test_import_requires_athlete():
    code, _, err = run("import", str(STRAVA_DEMO))
    assert code == 2
    assert "--athlete" in err


def test_module_entry_point_runs():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-m", "stridewise", "weekly", str(GARMIN_DEMO),
                           "--format", "csv"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == ",".join(WEEKLY_COLUMNS)
    assert "Traceback" not in proc.stderr


def test_export_uses_the_stored_hr_profile(tmp_path, monkeypatch):
    from stridewise.store import Store

    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "p.db"))
    assert run("import", str(GARMIN_DEMO), "--athlete", "Ben", "--units", "km")[0] == 0
    code, out, _ = run("export", "--format", "json")
    before = {r["load_source"] for r in json.loads(out)}
    assert "hr" not in before  # no HR max/rest known yet
    Store.from_env().upsert_athlete("Ben", hr_max=192.0, hr_rest=52.0, sex="male")
    code, out, err = run("export", "--format", "json")
    assert code == 0, err
    records = json.loads(out)
    assert any(r["load_source"] == "hr" for r in records)
    assert any(r["trimp"] is not None for r in records)


def test_estimated_durations_survive_the_store_and_its_export(tmp_path, monkeypatch, corpus_dir):
    # MapMyRun history: 117 rows have a distance but 0 s (see tests/corpus/test_corpus_csv.py)
    path = corpus_dir / "other_csv/mapmyrun_workout_history_2007-2017_miles_ap_style_dates.csv"
    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "est.db"))
    code, _, err = run("import", str(path), "--athlete", "Mo")
    assert code == 0, err
    code, out, err = run("export", "--format", "json", "--athlete", "Mo")
    assert code == 0, err
    records = json.loads(out)
    est = [r for r in records if r["duration_estimated"] is True]
    assert len(est) == 117
    assert {r["duration_estimated"] for r in records} == {True, False}
    assert all(r["duration_s"] > 0 and "estimated" in r["load_note"] for r in est)
    code, out, err = run("export", "--format", "csv", "--athlete", "Mo")
    header = out.splitlines()[0].split(",")
    assert code == 0 and "duration_estimated" in header


def test_checkins_and_niggles_export_and_survive_backup(tmp_path, monkeypatch):
    from stridewise.store import Store

    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "c.db"))
    assert run("import", str(GARMIN_DEMO), "--athlete", "Ben", "--units", "km")[0] == 0
    with Store.from_env() as store:
        store.save_checkin("Ben", "2026-11-30", {"sleep": 2, "mood": 4, "resting_hr_bpm": 49})
        nid = store.add_niggle("Ben", region="hip_groin", side="right", onset="2026-11-28",
                               pain=5, effect="modified")
        store.update_niggle("Ben", nid, day="2026-11-30", pain=2, effect="none")
    code, out, err = run("export", "--checkins")
    assert code == 0, err
    c = pd.read_csv(io.StringIO(out))
    assert (c["athlete"].tolist(), c["sleep"].tolist(), c["resting_hr_bpm"].tolist()) == (
        ["Ben"], [2], [49.0])
    code, out, err = run("export", "--niggles", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["region"], r["pain"], r["effect"]) for r in rows] == [
        ("hip_groin", 5.0, "modified"), ("hip_groin", 2.0, "none")]
    assert run("export", "--niggles", "--checkins")[0] == 2
    assert run("backup", str(tmp_path / "bk"))[0] == 0
    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "d.db"))
    assert run("restore", str(tmp_path / "bk"))[0] == 0
    code, out, _ = run("export", "--niggles", "--format", "json")
    assert [(r["date"], r["pain"]) for r in json.loads(out)] == [
        (rows[0]["date"], 5.0), (rows[1]["date"], 2.0)]
