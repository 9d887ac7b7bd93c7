"""Strava export zips and other zips, built in the test from FIT bytes we write ourselves."""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from stridewise.errors import ImportRefused, UnreadableFile
from stridewise.ingest import read_bytes, stravazip
from stridewise.ingest.base import ReadContext
from stridewise.schema import parse_sets

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402

CSV = (b"id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
       b"101,2024-05-04 06:30:00,Gym,Workout,,900,0,false,,activities/5001.fit.gz\n"
       b"102,2024-05-05 07:00:00,Trail,Run,,3600,10010.0,false,,activities/5002.fit\n"
       b"103,2024-05-06 07:00:00,Manual,Run,,1800,5000,false,,\n"
       b"104,2024-05-07 07:00:00,Lost,Run,,1800,5000,false,,activities/missing.gpx\n")
STRENGTH = fb.activity(
    [{"start": datetime(2024, 5, 4, 6, 30), "sport": 10, "sub_sport": 20, "elapsed": 900,
      "avg_hr": 110}],
    sets=[{"start": datetime(2024, 5, 4, 6, 31), "seconds": 40, "reps": 10, "category": [28]},
          {"start": datetime(2024, 5, 4, 6, 33), "seconds": 30, "reps": 12, "category": [20]}],
).bytes()
TRAIL = fb.activity([{"start": datetime(2024, 5, 5, 7, 0), "sport": 1, "sub_sport": 3,
                      "elapsed": 3600, "timer": 3300, "distance": 10010, "avg_hr": 150}]).bytes()
UNLISTED = fb.activity([{"start": datetime(2024, 5, 9, 7, 0), "sport": 2, "elapsed": 3000,
                         "distance": 25000}]).bytes()


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _export(**extra: bytes) -> bytes:
    return _zip({"export_7/activities.csv": CSV,
                 "export_7/activities/5001.fit.gz": gzip.compress(STRENGTH),
                 "export_7/activities/5002.fit": TRAIL,
                 "export_7/media/photo.jpg": b"\xff\xd8jpeg",
                 "export_7/profile.csv": b"Athlete ID,Email\n1,x\n", **extra})


def test_strava_export_joins_rows_to_files_and_enriches_them() -> None:
    progress: list[tuple[float, str]] = []
    ctx = ReadContext(progress=lambda f, t: progress.append((f, t)))
    r = read_bytes(_export(), "export.zip", ctx)
    s = r.sessions.set_index("source_id")
    assert len(s) == 4  # every listed activity exactly once
    assert s.loc["101", "sport"] == "strength"  # Workout + FIT strength_training
    assert [x["category"] for x in parse_sets(s.loc["101", "sets"])] == ["squat", "plyo"]
    assert s.loc["101", "avg_hr"] == 110
    assert s.loc["102", "sport"] == "trail_run"
    assert s.loc["102", "moving_s"] == 3300 and s.loc["102", "avg_hr"] == 150
    assert s.loc["103", "sport"] == "run" and parse_sets(s.loc["103", "sets"]) == []
    assert set(s["source"]) == {"strava_zip"}
    assert any("1 photo/video" in a for a in r.assumptions)
    assert any("name a file that is not in the zip" in w for w in r.warnings)
    assert progress and progress[-1][0] == 1.0
    assert all(0.0 <= f <= 1.0 for f, _ in progress)


def test_zip_and_csv_alone_give_the_same_session_ids() -> None:
    alone = read_bytes(CSV, "activities.csv", ReadContext()).sessions
    zipped = read_bytes(_export(), "export.zip", ReadContext()).sessions
    assert sorted(alone["session_id"]) == sorted(zipped["session_id"])


def test_unlisted_files_are_read_on_their_own_and_duplicates_dropped() -> None:
    dup_of_102 = TRAIL  # same activity under another name, not referenced by the CSV
    r = read_bytes(_export(**{"export_7/activities/9999.fit": UNLISTED,
                              "export_7/activities/copy.fit": dup_of_102}), "e.zip")
    assert len(r.sessions) == 5
    extra = r.sessions[r.sessions["source"] == "fit"]
    assert extra["sport"].tolist() == ["ride"]
    assert any("not imported again" in w for w in r.warnings)


def test_unreadable_activity_file_keeps_the_csv_row() -> None:
    bad = _zip({"activities.csv": CSV, "activities/5002.fit": TRAIL[:20] + b"\x00" * 5})
    r = read_bytes(bad, "e.zip")
    assert "102" in set(r.sessions["source_id"])
    assert any("could not be read" in w for w in r.warnings)


def test_parallel_path_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"activities.csv": CSV, "activities/5001.fit.gz": gzip.compress(STRENGTH),
             "activities/5002.fit": TRAIL}
    for i in range(60):
        files[f"other/{i}.fit"] = fb.activity(
            [{"start": datetime(2023, 1, 1 + i % 28, 6 + i // 28), "sport": 1,
              "elapsed": 1000 + i, "distance": 3000}]).bytes()
    data = _zip(files)
    monkeypatch.setattr(stravazip, "PARALLEL_MIN_FILES", 10**9)
    serial = read_bytes(data, "e.zip").sessions
    monkeypatch.setattr(stravazip, "PARALLEL_MIN_FILES", 10)
    parallel = read_bytes(data, "e.zip").sessions
    assert len(serial) == 4 + 60
    assert serial.equals(parallel)


def test_any_zip_reads_every_supported_member() -> None:
    r = read_bytes(_zip({"a/run.fit": TRAIL, "b/ride.fit.gz": gzip.compress(UNLISTED),
                         "notes.pdf": b"%PDF", "pic.png": b"png"}), "mine.zip")
    assert sorted(r.sessions["sport"]) == ["ride", "trail_run"]
    assert r.sessions["source_file"].str.startswith("mine.zip/").all()
    assert "zip of 2 files" in r.format


def test_any_zip_reports_failures_and_same_file_twice() -> None:
    r = read_bytes(_zip({"a.fit": TRAIL, "copy/a.fit": TRAIL, "bad.gpx": b"<gpx><rte/></gpx>"}),
                   "z.zip")
    assert len(r.sessions) == 1
    assert any("more than one file" in w for w in r.warnings)
    assert any("bad.gpx" in w and "route" in w for w in r.warnings)


def test_zip_without_activity_files_is_refused() -> None:
    with pytest.raises(ImportRefused) as err:
        read_bytes(_zip({"readme.pdf": b"%PDF-1"}), "docs.zip")
    assert "nothing to import" in err.value.message


def test_damaged_zip_is_unreadable() -> None:
    data = _export()
    with pytest.raises(UnreadableFile) as err:
        read_bytes(data[: len(data) // 2], "cut.zip")
    assert "damaged zip" in err.value.message


def test_multi_part_file_stays_one_listed_activity_with_all_sets() -> None:
    parts = fb.activity(
        [{"start": datetime(2024, 5, 4, 6, 30), "sport": 10, "sub_sport": 20, "elapsed": 300},
         {"start": datetime(2024, 5, 4, 6, 36), "sport": 1, "elapsed": 600, "distance": 2000},
         {"start": datetime(2024, 5, 4, 6, 47), "sport": 10, "sub_sport": 20, "elapsed": 420}],
        sets=[{"start": datetime(2024, 5, 4, 6, 31), "seconds": 40, "reps": 10, "category": [17]},
              {"start": datetime(2024, 5, 4, 6, 48), "seconds": 45, "reps": 8, "category": [19]}],
    ).bytes()
    csv = (b"id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
           b"101,2024-05-04 06:30:00,Brick,Workout,,1320,2000,false,,activities/7.bin.gz\n")
    r = read_bytes(_zip({"activities.csv": csv, "activities/7.bin.gz": gzip.compress(parts)}),
                   "e.zip")
    assert r.n_sessions == 1  # counted once, as Strava lists it
    s = r.sessions.iloc[0]
    assert s["sport"] == "strength"  # 720 s of strength vs 600 s of running
    assert [x["category"] for x in parse_sets(s["sets"])] == ["lunge", "plank"]
    assert s["duration_s"] == 1320 and s["distance_m"] == 2000


def test_gzip_bomb_member_is_refused_and_the_row_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stravazip, "MAX_FILE_BYTES", 10_000)
    bomb = gzip.compress(b"\x00" * 1_000_000)
    r = read_bytes(_zip({"activities.csv": CSV, "activities/5002.fit": bomb}), "e.zip")
    assert "102" in set(r.sessions["source_id"])
    assert any("more than the" in w and "limit for one file" in w for w in r.warnings)


def test_total_unpacked_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stravazip, "MAX_READ_BYTES", 100)
    with pytest.raises(UnreadableFile) as err:
        read_bytes(_export(), "big.zip")
    assert "split the export" in err.value.message
