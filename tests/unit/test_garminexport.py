"""Garmin Connect account exports (zip and unpacked folder), built in the test by
tests/fixtures/garmin/garminbuilder.py in the layout and units Garmin delivers."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import pytest

from stridewise.errors import ImportRefused, UnreadableFile
from stridewise.ingest import garminexport as ge
from stridewise.ingest import read_bytes, read_path, sniff_format
from stridewise.ingest import stravazip as sz
from stridewise.ingest.base import ReadContext
from stridewise.schema import parse_sets

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "garmin"))
import garminbuilder as gb  # noqa: E402

T1 = datetime(2024, 3, 1, 6, 0)   # UTC
T2 = datetime(2024, 3, 2, 17, 0)
T3 = datetime(2024, 3, 3, 7, 0)
T_FIT_ONLY = datetime(2024, 3, 5, 7, 0)
SQUATS = [{"start": T2, "seconds": 40, "reps": 10, "category": [28]},
          {"start": T2, "seconds": 30, "reps": 12, "category": [20]}]


def _export(**kw) -> dict[str, bytes]:
    acts = [gb.activity(1001, T1, km=10, minutes=50),
            gb.activity(1002, T2, "strength_training", km=None, minutes=40, name="Gym",
                        sets=[{"category": "SQUAT", "sets": 3, "reps": 30, "duration": 180000,
                               "maxWeight": 40000}]),
            gb.activity(1003, T3, km=5, minutes=28, avg_hr=140, manualActivity=True)]
    fits = {"runner_example_501.fit": gb.fit_for(T1, km=10, minutes=50, avg_hr=151),
            "runner_example_502.fit": gb.fit_for(T2, "strength_training", km=None, minutes=40,
                                                 avg_hr=112, sets=SQUATS),
            "runner_example_509.fit": gb.fit_for(T_FIT_ONLY, km=3, minutes=20),
            "runner_example_510.fit": b"this is not a FIT file at all"}
    return gb.export_files(
        acts, fits,
        uds=[{"calendarDate": "2024-03-01", "restingHeartRate": 48},
             {"calendarDate": "2024-03-02", "restingHeartRate": 0},
             {"calendarDate": "2024-03-03", "restingHeartRate": 47}],
        sleep=[{"calendarDate": "2024-03-01", "deepSleepSeconds": 5400,
                "lightSleepSeconds": 14400, "remSleepSeconds": 5400, "awakeSleepSeconds": 600}],
        health=[{"calendarDate": "2024-03-01",
                 "metrics": [{"type": "HRV", "value": 62}, {"type": "HR", "value": 50}]}],
        bio=[{"metaData": {"calendarDate": "2024-03-01"}, "weight": {"weight": 71500.0}},
             {"metaData": {"calendarDate": "2024-03-02"}, "weight": {"weight": 5000.0}}],
        **kw)


def test_zip_is_recognised_and_sessions_come_from_summaries_enriched_by_fit() -> None:
    data = gb.zip_bytes(_export())
    assert sniff_format(data, "x.zip") == "garminexport"
    r = read_bytes(data, "garmin.zip", ReadContext(athlete="ana"))
    s = r.sessions
    assert len(s) == 4  # three summaries + one FIT file without a summary
    assert s["session_id"].is_unique
    by_id = s.set_index("source_id")
    run = by_id.loc["1001"]
    # centimetres and milliseconds -> metres and seconds; Garmin's own local start time
    assert run["distance_m"] == 10_000 and run["duration_s"] == 3000
    assert run["moving_s"] == 2700 and run["elevation_gain_m"] == 42
    assert run["start"] == datetime(2024, 3, 1, 7, 0)
    assert run["avg_hr"] == 151 and run["calories"] == 321  # from the matching FIT file
    assert run["source"] == "garmin_export"
    gym = by_id.loc["1002"]
    assert gym["sport"] == "strength"
    assert [x["category"] for x in parse_sets(gym["sets"])] == ["squat", "plyo"]  # FIT sets
    manual = by_id.loc["1003"]
    assert manual["avg_hr"] == 140 and pd_isna(manual["calories"])
    fit_only = s[s["source"] == "fit"]
    assert len(fit_only) == 1 and fit_only["distance_m"].iloc[0] == 3000
    # the run of T1 counts once although it came as a summary and as a FIT file
    assert (s["start"].dt.date == T1.date()).sum() == 1
    assert r.merged_files == 2
    assert len(r.unreadable) == 1 and "runner_example_510.fit" in r.unreadable[0]
    assert any(w.startswith("not read: ") and "not a FIT file" in w for w in r.warnings)
    assert any("2 FIT file(s) were merged" in a for a in r.assumptions)
    assert any("calories of the activity summaries are not used" in a for a in r.assumptions)


def pd_isna(v: object) -> bool:
    return v != v  # NaN


def test_summary_sets_are_used_when_no_fit_file_matches() -> None:
    acts = [gb.activity(7, T2, "strength_training", km=None, minutes=40, name="Gym",
                        sets=[{"category": "LUNGE", "sets": 2, "reps": 20, "duration": 120000,
                               "maxWeight": 20000}])]
    r = read_bytes(gb.zip_bytes(gb.export_files(acts)), "g.zip", ReadContext())
    sets = parse_sets(r.sessions["sets"].iloc[0])
    assert [x["category"] for x in sets] == ["lunge", "lunge"]
    assert sets[0]["reps"] == 10 and sets[0]["seconds"] == 60 and sets[0]["weight_kg"] == 20


def test_wellness_rows_with_units_and_refusals() -> None:
    r = read_bytes(gb.zip_bytes(_export()), "garmin.zip", ReadContext())
    w = r.wellness.set_index(["metric", "date"])["value"]
    day = datetime(2024, 3, 1)
    assert w[("resting_hr_bpm", day)] == 48
    assert w[("sleep_s", day)] == 25_200  # deep + light + REM, awake time excluded
    assert w[("hrv_ms", day)] == 62
    assert w[("weight_kg", day)] == 71.5  # grams in the export
    assert ("resting_hr_bpm", datetime(2024, 3, 2)) not in w.index  # 0 = not measured
    assert ("weight_kg", datetime(2024, 3, 2)) not in w.index  # 5 kg is implausible
    assert len(r.wellness) == 5
    assert any("weight value(s) outside 20–300 kg were left out" in x for x in r.warnings)


def test_unpacked_folder_reads_like_the_zip(tmp_path: Path) -> None:
    files = _export()
    folder = gb.write_folder(tmp_path / "export", files)
    zipped = read_bytes(gb.zip_bytes(files), "garmin.zip", ReadContext())
    unpacked = read_path(folder, ReadContext())
    assert sorted(unpacked.sessions["session_id"]) == sorted(zipped.sessions["session_id"])
    assert unpacked.wellness["value"].tolist() == zipped.wellness["value"].tolist()
    # and the zip on disk takes the same path without loading it whole
    p = tmp_path / "garmin.zip"
    p.write_bytes(gb.zip_bytes(files))
    from_file = read_path(p, ReadContext())
    assert sorted(from_file.sessions["session_id"]) == sorted(zipped.sessions["session_id"])


def test_activities_that_cannot_be_sessions_are_skipped_with_reasons() -> None:
    acts = [gb.activity(1, T1), gb.activity(2, T2, km=3)]
    del acts[1]["beginTimestamp"], acts[1]["startTimeGmt"], acts[1]["startTimeLocal"]
    acts.append(gb.activity(3, T3, elapsedDuration=None, duration=None))
    r = read_bytes(gb.zip_bytes(gb.export_files(acts)), "g.zip", ReadContext())
    assert r.sessions["source_id"].tolist() == ["1"]
    reasons = [s.reason for s in r.skipped]
    assert any("activity 2" in x and "no start time" in x for x in reasons)
    assert any("activity 3" in x and "no duration" in x for x in reasons)


def test_multisport_parent_is_left_out_when_its_parts_are_listed() -> None:
    acts = [gb.activity(10, T1, "multi_sport", minutes=90, childIds=[11, 12]),
            gb.activity(11, T1, "cycling", minutes=60, km=30),
            gb.activity(12, datetime(2024, 3, 1, 7, 0), "running", minutes=30, km=6)]
    r = read_bytes(gb.zip_bytes(gb.export_files(acts)), "g.zip", ReadContext())
    assert sorted(r.sessions["source_id"]) == ["11", "12"]
    assert any("multisport" in a for a in r.assumptions)


def test_damaged_summary_file_is_reported_and_the_rest_imported() -> None:
    files = _export(extra={f"{gb.FITNESS}/{gb.USER}_1_summarizedActivities.json": b"[{broken"})
    r = read_bytes(gb.zip_bytes(files), "g.zip", ReadContext())
    assert len(r.sessions) == 4
    assert any("summarizedActivities.json is not readable JSON" in u for u in r.unreadable)


def test_export_without_any_data_is_refused() -> None:
    files = {"DI_CONNECT/DI-Connect-User/x_user_profile.json": b"{}"}
    with pytest.raises(ImportRefused, match="Garmin Connect export without any activity"):
        read_bytes(gb.zip_bytes(files), "empty.zip", ReadContext())


def test_zip_that_is_not_a_garmin_export_goes_to_the_zip_reader() -> None:
    data = gb.zip_bytes({"runs/a.fit": gb.fit_for(T1)})
    assert sniff_format(data, "x.zip") == "stravazip"
    with pytest.raises(ImportRefused, match="not a Garmin Connect account export"):
        ge.read(data, "x.zip", ReadContext())


def test_progress_is_reported_to_the_end() -> None:
    seen: list[tuple[float, str]] = []
    read_bytes(gb.zip_bytes(_export()), "g.zip",
               ReadContext(progress=lambda f, t: seen.append((f, t))))
    fracs = [f for f, _ in seen]
    assert fracs[-1] == 1.0 and fracs == sorted(fracs)
    assert any("FIT files" in t for _, t in seen)


# ------------------------------------------------------------------ the archive limits

def test_zip_inside_a_nested_zip_is_not_opened() -> None:
    inner = gb.zip_bytes({"deeper/x.fit": gb.fit_for(T_FIT_ONLY)})
    fits = {"runner_example_501.fit": gb.fit_for(T1, km=10, minutes=50), "deeper.zip": inner}
    files = gb.export_files([gb.activity(1001, T1, km=10, minutes=50)], fits)
    r = read_bytes(gb.zip_bytes(files), "g.zip", ReadContext())
    assert len(r.sessions) == 1
    assert any("deeper.zip is a zip inside a zip" in u for u in r.unreadable)


def test_total_unpacked_budget_stops_the_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ge, "MAX_UNPACKED_BYTES", 3000)
    with pytest.raises(UnreadableFile, match="unpacks to more than"):
        read_bytes(gb.zip_bytes(_export()), "g.zip", ReadContext())


def test_member_count_counts_nested_zips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sz, "MAX_MEMBERS", 9)  # the export has 8 files, its nested zip 4
    with pytest.raises(UnreadableFile, match="above 9 files"):
        read_bytes(gb.zip_bytes(_export()), "g.zip", ReadContext())


def test_one_oversized_member_is_refused_and_the_rest_imported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    big = gb.fit_for(T_FIT_ONLY, km=3, minutes=20) + b"\0" * 5000
    files = gb.export_files([gb.activity(1001, T1, km=10, minutes=50)],
                            {"runner_example_501.fit": gb.fit_for(T1, km=10, minutes=50),
                             "huge.fit": big})
    monkeypatch.setattr(sz, "MAX_FILE_BYTES", 4000)
    r = read_bytes(gb.zip_bytes(files), "g.zip", ReadContext())
    assert r.sessions["source_id"].tolist() == ["1001"]
    assert any("huge.fit" in u and "larger than" in u for u in r.unreadable)


def test_nested_zip_declaring_a_huge_size_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sz, "MAX_TOTAL_BYTES", 20_000)
    fits = {f"f{i}.fit": b"\0" * 8000 for i in range(3)}  # 24 kB unpacked, tiny packed
    files = gb.export_files([gb.activity(1001, T1)], fits)
    r = read_bytes(gb.zip_bytes(files), "g.zip", ReadContext())
    assert r.sessions["source_id"].tolist() == ["1001"]
    assert any("UploadedFiles_0-_Part1.zip" in u and "unpacks to" in u for u in r.unreadable)


# ------------------------------------------------------------------ parts (for resuming)

def test_parts_skip_and_resume_give_the_same_sessions() -> None:
    data = gb.zip_bytes(_export())
    ctx = ReadContext(athlete="ana")
    with ge.open_export(data, ctx, "g.zip", part_files=1) as export:
        assert export.n_parts == 5  # 4 uploaded files one per part + summaries/wellness
        whole = export.read_all()
        first = list(export.parts(skip=[2, 3, 4]))
    matched = [i for p in first for i in p.matched_ids]
    with ge.open_export(data, ctx, "g.zip", part_files=1) as export:
        rest = list(export.parts(skip=[0, 1], matched_before=matched))
    ids = [x for p in first + rest for x in p.report.sessions["session_id"]]
    assert sorted(ids) == sorted(whole.sessions["session_id"])  # nothing doubled or lost
    assert rest[-1].last and len(rest[-1].report.wellness) == 5
    keys = {p.report.content_sha1 for p in first + rest}
    assert len(keys) == 5


def test_export_key_depends_on_content() -> None:
    a = gb.zip_bytes(_export())
    b_files = _export()
    name = next(n for n in b_files if n.endswith("summarizedActivities.json"))
    payload = json.loads(b_files[name])
    payload[0]["summarizedActivitiesExport"][0]["name"] = "Renamed"
    b_files[name] = json.dumps(payload).encode()
    keys = []
    for data in (a, a, gb.zip_bytes(b_files)):
        with ge.open_export(data, ReadContext(), "g.zip") as export:
            keys.append(export.key)
    assert keys[0] == keys[1] != keys[2]


def test_cli_reads_an_unpacked_export_folder_as_one_export(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from stridewise.cli import main

    folder = gb.write_folder(tmp_path / "my garmin data", _export())
    out, err = io.StringIO(), io.StringIO()
    assert main(["sessions", str(folder), "--format", "json"], out=out, err=err) == 0
    rows = json.loads(out.getvalue())
    assert sorted(r["source_id"] for r in rows if r["source_id"]) == ["1001", "1002", "1003"]
    assert len(rows) == 4
    assert "Garmin Connect account export" in err.getvalue()
    # import into the store: parts, the report and the wellness rows
    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "cli.db"))
    out, err = io.StringIO(), io.StringIO()
    assert main(["import", str(folder), "--athlete", "ana", "--part-files", "2"],
                out=out, err=err) == 0
    assert "committed part 3 of 3" in err.getvalue()
    assert "not read: " in err.getvalue() and "runner_example_510.fit" in err.getvalue()
    assert ("4 new session(s), 5 wellness value(s), 1 file(s) could not be read; 3 of 3 "
            "part(s) committed") in out.getvalue()
    assert main(["import", str(folder), "--athlete", "ana", "--part-files", "0"],
                out=io.StringIO(), err=(e := io.StringIO())) == 2
    assert "--part-files must be 1 or more" in e.getvalue()


def test_summary_with_only_a_local_start_still_meets_its_fit_file() -> None:
    act = gb.activity(1001, T1, km=10, minutes=50, offset_h=2.0)
    del act["beginTimestamp"], act["startTimeGmt"]
    files = gb.export_files([act], {"a.fit": gb.fit_for(T1, km=10, minutes=50, avg_hr=151)})
    # 08:00 local in Athens (UTC+2 in March) is the FIT file's 06:00 UTC
    r = read_bytes(gb.zip_bytes(files), "g.zip", ReadContext(tz="Europe/Athens"))
    assert len(r.sessions) == 1 and r.merged_files == 1
    assert r.sessions["avg_hr"].iloc[0] == 151


def test_encrypted_member_is_refused_with_its_reason() -> None:
    inner = bytearray(gb.zip_bytes({"secret.fit": gb.fit_for(T_FIT_ONLY),
                                    "runner_example_501.fit": gb.fit_for(T1, km=10,
                                                                         minutes=50)}))
    cd = inner.index(b"PK\x01\x02")  # central directory entry of the first member
    inner[cd + 8] |= 0x01  # general purpose flag: encrypted
    files = gb.export_files([gb.activity(1001, T1, km=10, minutes=50)])
    files[f"{gb.UPLOADS}/UploadedFiles_0-_Part1.zip"] = bytes(inner)
    r = read_bytes(gb.zip_bytes(files), "g.zip", ReadContext())
    assert r.sessions["source_id"].tolist() == ["1001"] and r.merged_files == 1
    assert any("secret.fit" in u and "encrypted" in u for u in r.unreadable)
