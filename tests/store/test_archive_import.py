"""A Garmin account export into the store: sessions once, wellness rows, parts committed with
their import, and an interrupted import that resumes where it stopped with nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from stridewise import archive_import
from stridewise.ingest import stravazip as sz
from stridewise.ingest.base import ReadContext
from stridewise.store import Store

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "garmin"))
import garminbuilder as gb  # noqa: E402

T0 = datetime(2024, 1, 1, 6, 0)


def _big_export(n: int, *, fit_every: int = 1) -> bytes:
    """n daily runs, a FIT file for every ``fit_every``-th one, and a month of wellness."""
    acts, fits = [], {}
    for i in range(n):
        t = T0 + timedelta(days=i, minutes=i % 50)
        acts.append(gb.activity(10_000 + i, t, km=5 + i % 7, minutes=30 + i % 20))
        if i % fit_every == 0:
            fits[f"{gb.USER}_{90_000 + i}.fit"] = gb.fit_for(t, km=5 + i % 7,
                                                             minutes=30 + i % 20,
                                                             avg_hr=140 + i % 15)
    uds = [{"calendarDate": f"2024-01-{d:02d}", "restingHeartRate": 45 + d % 5}
           for d in range(1, 31)]
    return gb.zip_bytes(gb.export_files(acts, fits, uds=uds, per_summary_file=40))


def test_export_import_stores_sessions_once_and_wellness(store: Store) -> None:
    data = _big_export(12, fit_every=2)
    res = archive_import.import_export(store, data, athlete="ana", file_name="g.zip",
                                       part_files=4)
    assert res.n_parts == 3 and len(res.results) == 3 and res.resumed == 0
    s = store.sessions(["ana"])
    assert len(s) == 12 and s["source_id"].is_unique
    assert set(s["source"]) == {"garmin_export"}
    assert s["avg_hr"].notna().sum() == 6  # the six activities with a FIT file
    w = store.wellness(["ana"])
    assert len(w) == 30 and set(w["metric"]) == {"resting_hr_bpm"}
    assert w.loc[w["date"] == pd.Timestamp("2024-01-02"), "value"].tolist() == [47.0]
    assert res.wellness_rows == 30
    parts = store.import_parts("ana", next(iter(_keys(store))))
    assert sorted(parts) == [0, 1, 2]
    assert sum(len(v) for v in parts.values()) == 6  # matched activity ids remembered
    # the same export again: every part is known, nothing changes, nothing is read
    again = archive_import.import_export(store, data, athlete="ana", file_name="g.zip",
                                         part_files=4)
    assert again.resumed == 3 and not again.results
    assert "already imported completely" in again.summary()
    assert len(store.sessions(["ana"])) == 12 and len(store.wellness()) == 30


def _keys(store: Store) -> list[str]:
    return store.table_frames()["import_parts"]["archive_key"].unique().tolist()


def test_removing_an_import_removes_its_wellness_and_part(store: Store) -> None:
    data = _big_export(4, fit_every=2)
    archive_import.import_export(store, data, athlete="ana", file_name="g.zip", part_files=4)
    imports = store.imports("ana")
    last = int(imports["import_id"].max())  # the summaries-and-wellness part
    store.remove_import(last)
    assert store.wellness().empty
    assert sorted(store.import_parts("ana", _keys(store)[0])) == [0]
    assert len(store.sessions()) == 2  # the two that came with their FIT file remain


def test_interrupted_import_resumes_without_rereading_or_doubling(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _big_export(20)
    calls = {"n": 0}
    real = sz._summarise_one

    def counting(args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return real(args)

    monkeypatch.setattr(sz, "_summarise_one", counting)
    commits = {"n": 0}

    def crash(stage: str) -> None:
        if stage == "commit":
            commits["n"] += 1
            if commits["n"] == 3:  # the third part dies just before its commit
                raise KeyboardInterrupt

    store.checkpoint = crash
    with pytest.raises(KeyboardInterrupt):
        archive_import.import_export(store, data, athlete="ana", file_name="g.zip",
                                     part_files=5)
    store.checkpoint = None
    key = _keys(store)[0]
    assert sorted(store.import_parts("ana", key)) == [0, 1]
    assert len(store.sessions()) == 10 and calls["n"] == 15
    calls["n"] = 0
    res = archive_import.import_export(store, data, athlete="ana", file_name="g.zip",
                                       part_files=5)
    assert res.resumed == 2 and len(res.results) == 3
    assert calls["n"] == 10  # only the files of the parts not committed were read again
    s = store.sessions()
    assert len(s) == 20 and s["source_id"].is_unique and s["avg_hr"].notna().all()
    assert res.added == 10 and res.unchanged == 0


def _cli(db: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "STRIDEWISE_DB": str(db), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "stridewise", "import", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_killed_cli_import_resumes_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "garmin_export.zip"
    path.write_bytes(_big_export(160))
    db = tmp_path / "killed.db"
    proc = _cli(db, str(path), "--athlete", "ana", "--part-files", "2")
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "committed part 3 of 81" in line:
                proc.send_signal(signal.SIGKILL)  # a crash, not a clean stop
                break
        else:
            pytest.fail("the import never reported a committed part")
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with Store(str(db)) as store:
        done = len(store.import_parts("ana", _keys(store)[0]))
        assert 3 <= done < 81
        before = len(store.sessions())
    assert before == 2 * done  # whole parts only: nothing half-written
    proc = _cli(db, str(path), "--athlete", "ana", "--part-files", "2")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"resumed: {done} part(s) were committed by an earlier run" in out
    # the result equals one uninterrupted import
    clean_db = tmp_path / "clean.db"
    with Store(str(clean_db)) as clean:
        archive_import.import_export(clean, path, athlete="ana", part_files=40,
                                     ctx=ReadContext(athlete="ana"))
        expected = clean.sessions().drop(columns=["source_file", "import_id"])
    with Store(str(db)) as store:
        got = store.sessions().drop(columns=["source_file", "import_id"])
        assert len(got) == 160 and got["session_id"].is_unique
        pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                      expected.reset_index(drop=True))
        assert len(store.wellness()) == 30


def test_resume_with_another_part_size_loses_nothing(store: Store) -> None:
    data = _big_export(20)
    commits = {"n": 0}

    def crash(stage: str) -> None:
        if stage == "commit":
            commits["n"] += 1
            if commits["n"] == 3:
                raise KeyboardInterrupt

    store.checkpoint = crash
    with pytest.raises(KeyboardInterrupt):
        archive_import.import_export(store, data, athlete="ana", file_name="g.zip",
                                     part_files=2)
    store.checkpoint = None
    # parts of 10 files: a different cut, so nothing is skipped on the strength of the old one
    res = archive_import.import_export(store, data, athlete="ana", file_name="g.zip",
                                       part_files=10)
    assert res.resumed == 0 and len(res.results) == 3
    s = store.sessions()
    assert len(s) == 20 and s["source_id"].is_unique and s["avg_hr"].notna().all()
    assert res.added == 16 and res.unchanged == 4  # the four committed before are known


def test_newer_export_replaces_a_days_wellness_value(store: Store) -> None:
    def export(rhr: float, days: int) -> bytes:
        uds = [{"calendarDate": f"2024-02-{d:02d}", "restingHeartRate": rhr}
               for d in range(1, days + 1)]
        return gb.zip_bytes(gb.export_files([gb.activity(1, T0)], uds=uds))

    archive_import.import_export(store, export(48, 2), athlete="ana", file_name="a.zip")
    archive_import.import_export(store, export(50, 3), athlete="ana", file_name="b.zip")
    w = store.wellness(["ana"])
    assert w["value"].tolist() == [50.0, 50.0, 50.0]  # one value per day and metric
    assert w["date"].dt.day.tolist() == [1, 2, 3]
    assert len(store.sessions()) == 1


def test_cli_exports_the_wellness_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    import io
    import json

    from stridewise.cli import main

    db = tmp_path / "w.db"
    with Store(str(db)) as store:
        archive_import.import_export(store, _big_export(3), athlete="ana", file_name="g.zip")
    monkeypatch.setenv("STRIDEWISE_DB", str(db))
    out = io.StringIO()
    assert main(["export", "--wellness", "--format", "json"], out=out,
                err=io.StringIO()) == 0
    rows = json.loads(out.getvalue())
    assert len(rows) == 30 and rows[0] == {
        "athlete": "ana", "date": "2024-01-01", "metric": "resting_hr_bpm", "value": 46.0,
        "source_file": "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2024-01-01_2024-04-10.json"}
