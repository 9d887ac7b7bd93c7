"""Concurrency (8 processes at once), crash safety, and backup/restore round trips."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from store_helpers import (
    N_WORKERS,
    concurrent_worker,
    crashing_worker,
    days,
    report,
    shifted,
)

from stridewise.errors import StoreError
from stridewise.store import Store
from stridewise.store_schema import SCHEMA_VERSION

STAGES = ["import-row", "source-rows", "sessions", "links", "commit"]


def _run(ctx: mp.context.BaseContext, target, args_list: list[tuple]) -> list[int | None]:
    procs = [ctx.Process(target=target, args=args) for args in args_list]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    codes = [p.exitcode for p in procs]
    for p in procs:
        if p.is_alive():  # pragma: no cover - only on a hang
            p.kill()
    return codes


def test_eight_processes_importing_overlapping_files_lose_and_double_nothing(db_url: str) -> None:
    # Eight separate processes, each opening the store itself. They are forked from a fresh
    # server process that has imported the store once (never opened a database), instead of
    # eight interpreters each importing pandas, Arrow and SQLAlchemy: same race, less start-up.
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["store_helpers", "stridewise.store"])
    else:  # pragma: no cover - platforms without fork
        ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(N_WORKERS)
    # the workers also race to create the schema: nobody opened this database before
    codes = _run(ctx, concurrent_worker, [(db_url, i, barrier) for i in range(N_WORKERS)])
    assert codes == [0] * N_WORKERS
    with Store(db_url) as store:
        df = store.sessions()
        # Strava days 0..239 (each one session, Garmin's copy of days 50..219 merged into it)
        # plus Garmin-only evening sessions on days 0..169
        assert len(df) == 240 + 170
        assert df["session_id"].is_unique
        morning = df[df["start"].dt.hour == 7]
        assert len(morning) == 240
        both = morning["sources"] == "garmin_csv, strava_csv"
        assert both.sum() == 170 and (morning.loc[~both, "sources"] == "strava_csv").all()
        assert (morning.loc[both, "avg_hr"] == 145.0).all()
        assert (df[df["start"].dt.hour == 18]["sources"] == "garmin_csv").sum() == 170
        imports = store.imports()
        assert len(imports) == 2 * N_WORKERS  # each neighbour file recognised as imported
        assert imports["content_sha1"].is_unique
        assert imports["sessions"].sum() == N_WORKERS * (100 + 60)
        tables = store.table_frames()
        assert len(tables["source_sessions"]) == 240 + 170 + 170
        assert set(tables["source_sessions"]["session_id"]) == set(df["session_id"])
        assert store.version() == 1 + 2 * N_WORKERS  # schema creation + one per import


@pytest.mark.parametrize("stage", STAGES)
def test_failed_import_leaves_the_store_exactly_as_before(store: Store, stage: str) -> None:
    starts = days("2024-01-01", 20)
    store.import_report(report("ana", "strava_csv", starts), athlete="ana")
    store.set_override(store.sessions()["session_id"].iloc[3], area="strength")
    before, version = store.table_frames(), store.version()

    def boom(name: str) -> None:
        if name == stage:
            raise RuntimeError(f"simulated crash at {name}")

    store.checkpoint = boom
    rep = report("ana", "garmin_csv", shifted(starts[5:] + days("2024-02-01", 10), 45),
                 avg_hr=150.0)
    with pytest.raises(RuntimeError, match="simulated crash"):
        store.import_report(rep, athlete="ana")
    after = store.table_frames()
    for name, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[name], obj=name)
    assert store.version() == version
    store.checkpoint = None
    res = store.import_report(rep, athlete="ana")  # the file is not "already imported"
    assert (res.merged, res.added) == (15, 10)


def test_failed_removal_leaves_the_store_exactly_as_before(store: Store) -> None:
    starts = days("2024-01-01", 5)
    store.import_report(report("ana", "strava_csv", starts), athlete="ana")
    rg = store.import_report(report("ana", "garmin_csv", shifted(starts, 30), avg_hr=140.0),
                             athlete="ana")
    before = store.table_frames()

    def boom(name: str) -> None:
        if name == "remove":
            raise RuntimeError("simulated crash")

    store.checkpoint = boom
    with pytest.raises(RuntimeError):
        store.remove_import(rg.import_id)
    after = store.table_frames()
    for name, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[name], obj=name)


@pytest.mark.parametrize("stage", ["source-rows", "commit"])
def test_process_killed_mid_import_leaves_the_store_as_before(db_url: str, stage: str) -> None:
    with Store(db_url) as store:
        store.import_report(report("ana", "strava_csv", days("2024-01-01", 30)), athlete="ana")
        before, version = store.table_frames(), store.version()
    codes = _run(mp.get_context("spawn"), crashing_worker, [(db_url, stage)])
    assert codes == [3]  # died inside the transaction
    with Store(db_url) as store:
        after = store.table_frames()
        for name, frame in before.items():
            pd.testing.assert_frame_equal(frame, after[name], obj=name)
        assert store.version() == version
        assert len(store.sessions()) == 30


def _fill(store: Store) -> None:
    starts = days("2024-01-01", 25)
    sets = '[{"exercise":"box jump","category":"plyo","reps":10,"weight_kg":null,"seconds":30}]'
    store.upsert_athlete("ana", group="Elite", hr_max=188, hr_rest=44, sex="female",
                         tz="Europe/Lisbon", units="mi")
    store.import_report(report("ana", "strava_csv", starts, title="Corrida ção",
                               distance_m=8000.5, rpe=6.0), athlete="ana")
    store.import_report(report("ana", "fit", shifted(starts[:10], 20), sets=sets,
                               avg_hr=151.0), athlete="ana")
    store.import_report(report("Demo", "garmin_csv", days("2023-05-01", 7)), athlete="Demo",
                        is_demo=True)
    sid = store.sessions()["session_id"].iloc[2]
    store.set_override(sid, area="plyometrics", rpe=9, notes="🔥 hard")
    store.save_settings({"units": "mi", "targets": {"strength": 2}})
    store.save_rules([{"kind": "title", "pattern": "corrida", "area": "endurance"}])
    store.save_mapping_profile("sig1", {"start": "Data"})


def _comparable(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = {}
    for name, df in frames.items():
        if name == "meta":
            continue
        df = df.copy()
        if name == "athletes":  # a cache counter like meta's data_version: grows on restore
            df = df.drop(columns=["data_version"])
        for col in df.columns:
            if df[col].map(lambda v: hasattr(v, "isoformat")).any():
                df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
        out[name] = df.reset_index(drop=True)
    return out


def test_backup_and_restore_round_trip(store: Store, tmp_path: Path) -> None:
    _fill(store)
    original = _comparable(store.table_frames())
    sessions = store.sessions()
    folder = store.backup(tmp_path / "backup")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["tables"]["sessions"]["rows"] == len(sessions) == 32
    assert (folder / "sessions.parquet").is_file() and (folder / "overrides.parquet").is_file()

    # into a fresh SQLite store (from PostgreSQL too: the backup is backend-neutral)
    with Store(str(tmp_path / "copy.db")) as copy:
        copy.restore(folder)
        restored = _comparable(copy.table_frames())
        for name, frame in original.items():
            pd.testing.assert_frame_equal(frame, restored[name], check_dtype=False, obj=name)
        pd.testing.assert_frame_equal(sessions, copy.sessions())
        assert copy.has_demo() and copy.settings() == store.settings()

    # restoring over changed content brings the backed-up state back; the version still grows
    store.clear_demo()
    store.save_settings({})
    v = store.version()
    store.restore(folder)
    assert store.version() > v
    pd.testing.assert_frame_equal(sessions, store.sessions())
    for name, frame in original.items():
        pd.testing.assert_frame_equal(frame, _comparable(store.table_frames())[name],
                                      check_dtype=False, obj=name)


def test_restore_refuses_what_is_not_a_backup(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no readable Stridewise backup"):
        store.restore(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"format": "stridewise-backup", "schema_version": 99, "tables": {}}))
    with pytest.raises(StoreError, match="newer Stridewise"):
        store.restore(tmp_path)
    store.import_report(report("ana", "strava_csv", days("2024-01-01", 3)), athlete="ana")
    folder = store.backup(tmp_path / "b")
    (folder / "sessions.parquet").write_bytes(b"broken")
    with pytest.raises(StoreError, match="cannot be read"):
        store.restore(folder)
    assert len(store.sessions()) == 3  # untouched


def test_database_is_not_locked_for_readers_during_a_write(db_url: str) -> None:
    with Store(db_url) as writer, Store(db_url) as reader:
        writer.import_report(report("ana", "strava_csv", days("2024-01-01", 3)), athlete="ana")

        def read_inside(name: str) -> None:
            if name == "commit":
                # another connection reads the old state while the import is uncommitted
                assert len(reader.sessions()) == 3
                assert reader.version() == version

        version = writer.version()
        writer.checkpoint = read_inside
        writer.import_report(report("ana", "strava_csv", days("2024-02-01", 4)), athlete="ana")
        assert len(reader.sessions()) == 7 and reader.version() == version + 1
        with writer.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM sessions")).scalar() == 7


def test_a_transient_conflict_is_retried_and_applied_once(store: Store) -> None:
    """A writer that loses a lock race (SQLite "database is locked", PostgreSQL serialisation
    failure or unique violation) runs its whole transaction again; nothing is doubled."""
    import sqlite3

    import psycopg.errors

    v = store.version()
    raised: list[str] = []

    def conflict(name: str) -> None:
        if name == "links" and len(raised) < 2:
            orig: Exception = (sqlite3.OperationalError("database is locked")
                               if store.backend == "sqlite" else
                               (psycopg.errors.SerializationFailure() if not raised
                                else psycopg.errors.UniqueViolation()))
            raised.append(type(orig).__name__)
            raise sa.exc.OperationalError("INSERT ...", {}, orig)

    store.checkpoint = conflict
    res = store.import_report(report("ana", "strava_csv", days("2024-01-01", 6)), athlete="ana")
    assert len(raised) == 2 and res.added == 6 and res.import_id == 1
    assert len(store.sessions()) == 6 and len(store.imports()) == 1
    assert len(store.table_frames()["import_sessions"]) == 6
    assert store.version() == v + 1


def test_a_lasting_database_error_becomes_one_sentence(store: Store) -> None:
    import sqlite3

    def broken(name: str) -> None:
        if name == "sessions":
            raise sa.exc.OperationalError("INSERT ...", {}, sqlite3.OperationalError("disk I/O error"))

    store.checkpoint = broken
    with pytest.raises(StoreError, match="could not be written .disk I/O error.") as exc:
        store.import_report(report("ana", "strava_csv", days("2024-01-01", 2)), athlete="ana")
    assert "\n" not in exc.value.message
    assert store.sessions().empty


def test_a_backup_from_schema_version_1_restores(store: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    store.import_report(report("ana", "strava_csv", days("2024-01-01", 3), sport="hike"),
                        athlete="ana")
    folder = store.backup(tmp_path / "b")
    # what version 1 wrote: no family / sources columns on sessions
    tab = pq.read_table(folder / "sessions.parquet").drop_columns(["family", "sources"])
    pq.write_table(tab, folder / "sessions.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with Store(str(tmp_path / "fresh.db")) as fresh:
        fresh.restore(folder)
        df = fresh.sessions()
        assert len(df) == 3 and (df["sources"] == "strava_csv").all()
        with fresh.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT DISTINCT family FROM sessions")).scalars().all() \
                == ["run"]
        res = fresh.import_report(report("ana", "garmin_csv", shifted(days("2024-01-01", 3), 9),
                                         sport="walk"), athlete="ana")
        assert res.merged == 3
