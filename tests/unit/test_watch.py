"""The watched folder: files dropped in while the watcher runs are imported exactly once;
half-written files wait, duplicates change nothing, unreadable files go to failed/ with the
reason beside them."""

from __future__ import annotations

import queue
import shutil
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest

from stridewise import watch
from stridewise.cli import main
from stridewise.errors import UsageError
from stridewise.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "garmin"))
import garminbuilder as gb  # noqa: E402

RUN_A = gb.fit_for(datetime(2024, 6, 1, 6, 0), km=10, minutes=50, avg_hr=150)
RUN_B = gb.fit_for(datetime(2024, 6, 2, 6, 0), km=7, minutes=35, avg_hr=145)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def store(tmp_path: Path):
    s = Store(str(tmp_path / "db" / "w.db"))
    yield s
    s.close()


def test_half_written_file_waits_until_its_size_is_stable(tmp_path: Path, store: Store) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    clock = FakeClock()
    w = watch.FolderWatcher(inbox, store, "ana", settle_s=2.0, clock=clock)
    (inbox / "b.fit").write_bytes(RUN_B[: len(RUN_B) // 2])
    assert [e.kind for e in w.scan()] == ["seen"]
    clock.t += 1.5
    with (inbox / "b.fit").open("ab") as fh:  # the writer goes on
        fh.write(RUN_B[len(RUN_B) // 2:])
    assert w.scan() == [] and w.pending == ["b.fit"]
    clock.t += 1.9  # unchanged, but not yet for 2 s since the last change
    assert w.scan() == []
    clock.t += 0.2
    (ev,) = w.scan()
    assert ev.kind == "imported" and ev.path == inbox / "imported" / "b.fit"
    s = store.sessions(["ana"])
    assert len(s) == 1 and s["distance_m"].iloc[0] == 7000  # the whole file, not its half
    assert not (inbox / "b.fit").exists() and w.pending == []


def test_partial_download_names_are_ignored(tmp_path: Path, store: Store) -> None:
    clock = FakeClock()
    w = watch.FolderWatcher(tmp_path, store, "ana", settle_s=0.0, clock=clock)
    (tmp_path / "a.fit.crdownload").write_bytes(RUN_A)
    (tmp_path / ".hidden.fit").write_bytes(RUN_A)
    assert w.scan() == [] and w.scan() == []
    assert store.sessions().empty


def test_duplicate_and_failed_files_are_moved_with_a_note(tmp_path: Path, store: Store) -> None:
    clock = FakeClock()
    w = watch.FolderWatcher(tmp_path, store, "ana", settle_s=1.0, clock=clock)
    (tmp_path / "a.fit").write_bytes(RUN_A)
    (tmp_path / "z copy.fit").write_bytes(RUN_A)
    (tmp_path / "notes.fit").write_bytes(b"not a fit file, just text")
    w.scan()
    clock.t += 1.0
    kinds = {e.name: e.kind for e in w.scan()}
    assert kinds == {"a.fit": "imported", "z copy.fit": "duplicate", "notes.fit": "failed"}
    assert len(store.sessions()) == 1
    assert (tmp_path / "imported" / "a.fit").is_file()
    note = (tmp_path / "imported" / "z copy.fit.note.txt").read_text()
    assert "imported before" in note
    reason = (tmp_path / "failed" / "notes.fit.reason.txt").read_text()
    assert "FIT" in reason and reason.strip().endswith(".")
    # the same name arriving again does not overwrite what was moved before
    (tmp_path / "a.fit").write_bytes(RUN_A)
    w.scan()
    clock.t += 1.0
    (ev,) = w.scan()
    assert ev.kind == "duplicate" and ev.path.name == "a (2).fit"
    assert len(store.sessions()) == 1


def test_files_dropped_while_the_watcher_runs_are_imported_exactly_once(
        tmp_path: Path, store: Store) -> None:
    inbox = tmp_path / "sync"
    inbox.mkdir()
    events: queue.Queue[watch.WatchEvent] = queue.Queue()
    w = watch.FolderWatcher(inbox, store, "ana", settle_s=0.5, on_event=events.put)
    stop = threading.Event()
    t = threading.Thread(target=w.run, args=(stop, 0.02), daemon=True)
    t.start()
    try:
        (inbox / "a.fit").write_bytes(RUN_A)
        shutil.copyfile(inbox / "a.fit", inbox / "a (from phone).fit")
        with (inbox / "b.fit").open("wb") as fh:  # a sync tool writing slowly
            fh.write(RUN_B[:100])
            fh.flush()
            seen = _wait(events, lambda e: e.name == "b.fit")
            assert seen.kind == "seen"
            fh.write(RUN_B[100:])
        (inbox / "broken.fit").write_bytes(RUN_B[:60])
        done: dict[str, str] = {}
        while len(done) < 4:
            e = _wait(events, lambda e: e.kind != "seen")
            assert e.name not in done, f"{e.name} handled twice"
            done[e.name] = e.kind
    finally:
        stop.set()
        t.join(5)
    # one copy of A is imported, the other recognised as the same content
    assert sorted([done.pop("a.fit"), done.pop("a (from phone).fit")]) == ["duplicate",
                                                                          "imported"]
    assert done == {"b.fit": "imported", "broken.fit": "failed"}
    s = store.sessions(["ana"]).sort_values("start")
    assert s["distance_m"].tolist() == [10_000, 7000]  # each session exactly once, complete
    assert len(store.imports("ana")) == 2
    assert (inbox / "failed" / "broken.fit.reason.txt").is_file()
    assert sorted(p.name for p in inbox.iterdir()) == ["failed", "imported"]


def _wait(events: queue.Queue, pred, timeout: float = 30.0) -> watch.WatchEvent:
    while True:
        e = events.get(timeout=timeout)
        if pred(e):
            return e


def test_garmin_export_zip_in_the_folder_imports_with_wellness(tmp_path: Path,
                                                              store: Store) -> None:
    t = datetime(2024, 6, 3, 6, 0)
    files = gb.export_files([gb.activity(5, t, km=8, minutes=40)],
                            {"x.fit": gb.fit_for(t, km=8, minutes=40)},
                            uds=[{"calendarDate": "2024-06-03", "restingHeartRate": 44}])
    (tmp_path / "export.zip").write_bytes(gb.zip_bytes(files))
    clock = FakeClock()
    w = watch.FolderWatcher(tmp_path, store, "ana", settle_s=0.0, clock=clock)
    w.scan()
    (ev,) = w.scan()
    assert ev.kind == "imported" and ev.sessions == 1
    assert store.wellness()["value"].tolist() == [44.0]


def test_registry_runs_one_watcher_per_folder(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    folder = tmp_path / "in"
    folder.mkdir()
    try:
        assert watch.ensure_watching(folder, "ana", db, poll_s=0.05) == "started"
        assert watch.ensure_watching(folder, "ana", db, poll_s=0.05) == "running"
        assert watch.ensure_watching(str(folder) + "/", "ana", db) == "running"
        assert len(watch.watching()) == 1
        assert watch.ensure_watching(folder, "ben", db, poll_s=0.05) == "restarted"
        assert watch.watching()[str(folder.resolve())]["athlete"] == "ben"
    finally:
        assert watch.stop_watching(folder)
    assert watch.watching() == {} and not watch.stop_watching(folder)
    with pytest.raises(UsageError, match="not a folder"):
        watch.ensure_watching(tmp_path / "missing", "ana", db)


def test_cli_watch_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setenv("STRIDEWISE_DB", str(tmp_path / "c.db"))
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.fit").write_bytes(RUN_A)
    (inbox / "bad.csv").write_bytes(b"")
    out, err = io.StringIO(), io.StringIO()
    code = main(["watch", str(inbox), "--athlete", "ana", "--once", "--settle", "0",
                 "--poll", "0.01"], out=out, err=err)
    assert code == 1  # one file failed
    assert "imported" in out.getvalue() and "bad.csv" in err.getvalue()
    with Store(str(tmp_path / "c.db")) as s:
        assert len(s.sessions(["ana"])) == 1
    assert main(["watch", str(tmp_path / "nope"), "--athlete", "ana", "--once"],
                out=io.StringIO(), err=(e := io.StringIO())) == 2
    assert "is not a folder" in e.getvalue()


def test_folder_setting_one_folder_feeds_one_athlete(tmp_path: Path, store: Store) -> None:
    store.upsert_athlete("ana")
    store.upsert_athlete("ben")
    store.save_settings({"units": "km"})
    folder = tmp_path / "in"
    folder.mkdir()
    assert watch.save_folder(store, "ana", str(folder)) == str(folder.resolve())
    with pytest.raises(UsageError, match="already watched for ana"):
        watch.save_folder(store, "ben", str(folder))
    with pytest.raises(UsageError, match="no athlete named"):
        watch.save_folder(store, "zoe", str(folder))
    assert store.settings()["units"] == "km"  # other settings are kept
    try:
        assert watch.sync_watchers(store, store.display_url) == {
            str(folder.resolve()): "started"}
        watch.save_folder(store, "ana", "")
        assert watch.sync_watchers(store, store.display_url) == {
            str(folder.resolve()): "stopped"}
    finally:
        watch.stop_watching(folder)
    assert watch.folder_settings(store) == {}


def test_changed_content_under_a_known_name_is_imported_again(tmp_path: Path,
                                                              store: Store) -> None:
    clock = FakeClock()
    w = watch.FolderWatcher(tmp_path, store, "ana", settle_s=0.5, clock=clock)
    (tmp_path / "today.fit").write_bytes(RUN_A)
    w.scan()
    clock.t += 1
    assert [e.kind for e in w.scan()] == ["imported"]
    (tmp_path / "today.fit").write_bytes(RUN_B)  # the phone app re-exports under one name
    w.scan()
    clock.t += 1
    (ev,) = w.scan()
    assert ev.kind == "imported" and ev.path.name == "today (2).fit"
    assert len(store.sessions()) == 2 and len(store.imports()) == 2
