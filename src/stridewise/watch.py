"""A watched folder: export files that appear in it import themselves, once each.

Point Garmin Express, a phone app's sync folder or a shared club drive at a folder and run
``python -m stridewise watch DIR --athlete NAME`` (or set the folder on the app's Settings
page). Every regular file directly in ``DIR`` is handled once:

* it is imported only when it is complete: its size and modification time have not changed
  for :data:`SETTLE_S` seconds (files still being written, and names that downloaders and sync
  tools use for partial files such as ``*.part``/``*.crdownload``/``*.tmp``, wait);
* imported files move to ``DIR/imported/``; a file whose content was imported before (the
  same file arriving twice, under any name) moves there too with a ``.note.txt`` saying so,
  and changes nothing (the store recognises content by its hash);
* files that cannot be imported move to ``DIR/failed/`` with ``<name>.reason.txt`` beside them
  holding the one-sentence reason;
* a Garmin account export zip is imported part by part and resumes after an interruption
  (:mod:`stridewise.archive_import`).

Sub-folders are not entered. One watcher per folder per process (:func:`ensure_watching`),
each on a daemon thread with its own store connection; :func:`stop_watching` ends it.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from stridewise.errors import StridewiseError, UsageError

__all__ = [
    "DONE_DIR", "FAILED_DIR", "SETTINGS_KEY", "SETTLE_S", "FolderWatcher", "WatchEvent",
    "ensure_watching", "folder_settings", "save_folder", "stop_watching", "sync_watchers",
    "watching",
]

#: Seconds a file's size and modification time must stay unchanged before it is imported.
SETTLE_S: Final = 2.0
#: Seconds between two looks at the folder.
POLL_S: Final = 1.0
DONE_DIR: Final = "imported"
FAILED_DIR: Final = "failed"
#: Endings of files still being written by browsers, sync tools and copy programs.
PARTIAL_SUFFIXES: Final = (".part", ".partial", ".crdownload", ".download", ".tmp", ".temp",
                           ".filepart", ".!sync", ".sb-", "~")

EventKind = Literal["seen", "imported", "duplicate", "failed"]


@dataclass(frozen=True)
class WatchEvent:
    """What happened to one file: ``seen`` (first noticed, waiting until complete),
    ``imported``, ``duplicate`` (content imported before) or ``failed``. ``path`` is where
    the file is now; ``message`` one sentence."""

    kind: EventKind
    name: str
    path: Path
    message: str
    sessions: int = 0


@dataclass
class _Pending:
    size: int
    mtime_ns: int
    since: float


class FolderWatcher:
    """Watches ``folder`` for ``athlete``; :meth:`scan` looks once, :meth:`run` loops.

    ``clock`` (seconds, monotonic) and ``on_event`` are seams for tests and the app.
    """

    def __init__(self, folder: str | Path, store: Any, athlete: str, *, tz: str = "UTC",
                 units: str | None = None, settle_s: float = SETTLE_S,
                 clock: Callable[[], float] = time.monotonic,
                 on_event: Callable[[WatchEvent], None] | None = None) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise UsageError(f"{self.folder} is not a folder; create it or pick another one.")
        if not str(athlete or "").strip():
            raise UsageError("A watched folder needs the athlete its files belong to.")
        self.store = store
        self.athlete = athlete.strip()
        self.tz = tz
        self.units = units
        self.settle_s = float(settle_s)
        self.clock = clock
        self.on_event = on_event
        self._pending: dict[str, _Pending] = {}
        self._handled: dict[str, tuple[int, int]] = {}  # name -> (size, mtime) left in place

    # ------------------------------------------------------------------ one look
    def scan(self) -> list[WatchEvent]:
        """Look at the folder once: note new files, import those that are complete."""
        events: list[WatchEvent] = []
        now = self.clock()
        present: set[str] = set()
        try:
            entries = sorted(os.scandir(self.folder), key=lambda e: e.name)
        except OSError as exc:
            raise UsageError(f"The watched folder {self.folder} cannot be read: "
                             f"{exc.strerror or exc}.") from exc
        for entry in entries:
            name = entry.name
            if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES) \
                    or name.endswith((".reason.txt", ".note.txt")):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            present.add(name)
            sig = (st.st_size, st.st_mtime_ns)
            if self._handled.get(name) == sig:
                continue
            seen = self._pending.get(name)
            if seen is None or (seen.size, seen.mtime_ns) != sig:
                first = seen is None
                self._pending[name] = _Pending(st.st_size, st.st_mtime_ns, now)
                if first:
                    events.append(self._emit(WatchEvent(
                        "seen", name, Path(entry.path),
                        f"{name}: waiting until it is completely written.")))
                continue
            if now - seen.since < self.settle_s:
                continue
            del self._pending[name]
            events.append(self._emit(self._import(Path(entry.path), sig)))
        for gone in set(self._pending) - present:
            del self._pending[gone]
        for gone in set(self._handled) - present:
            del self._handled[gone]
        return events

    @property
    def pending(self) -> list[str]:
        """Names noticed but not yet imported (still being written, or waiting to settle)."""
        return sorted(self._pending)

    def _emit(self, event: WatchEvent) -> WatchEvent:
        if self.on_event is not None:
            self.on_event(event)
        return event

    # ------------------------------------------------------------------ importing one file
    def _import(self, path: Path, sig: tuple[int, int]) -> WatchEvent:
        from stridewise.archive_import import import_export
        from stridewise.ingest import ReadContext, read_path
        from stridewise.ingest.garminexport import is_export_file

        ctx = ReadContext(athlete=self.athlete, tz=self.tz, units=self.units)  # type: ignore
        try:
            if self.athlete not in set(self.store.athletes()["name"]):
                self.store.upsert_athlete(self.athlete, tz=self.tz, units=self.units or "km")
            if path.suffix.lower() == ".zip" and is_export_file(path):
                res = import_export(self.store, path, athlete=self.athlete, ctx=ctx)
                duplicate = res.resumed == res.n_parts
                n = res.added + res.merged
                text = res.summary()
            else:
                report = read_path(path, ctx)
                result = self.store.import_report(report, athlete=self.athlete)
                duplicate = result.already_imported
                n = result.added + result.merged
                text = result.summary()
        except StridewiseError as exc:
            return self._move(path, FAILED_DIR, "failed", exc.message, ".reason.txt", sig)
        except Exception as exc:  # noqa: BLE001 - one file must never stop the watcher
            msg = (f"{path.name} could not be imported because of a problem inside Stridewise "
                   f"({type(exc).__name__}: {exc}).")
            return self._move(path, FAILED_DIR, "failed", msg, ".reason.txt", sig)
        if duplicate:
            return self._move(path, DONE_DIR, "duplicate",
                              f"{path.name}: the same content was imported before; nothing "
                              "was changed.", ".note.txt", sig)
        return self._move(path, DONE_DIR, "imported", text, "", sig, sessions=n)

    def _move(self, path: Path, sub: str, kind: EventKind, message: str, note: str,
              sig: tuple[int, int], sessions: int = 0) -> WatchEvent:
        target_dir = self.folder / sub
        try:
            target_dir.mkdir(exist_ok=True)
            target = _free_name(target_dir, path.name)
            os.replace(path, target)
            if note:
                target.with_name(target.name + note).write_text(message + "\n",
                                                                encoding="utf-8")
        except OSError as exc:
            # cannot move (read-only share): leave it, remember it, say so
            self._handled[path.name] = sig
            return WatchEvent(kind, path.name, path, f"{message} (It stays in place: "
                              f"{exc.strerror or exc}.)", sessions)
        return WatchEvent(kind, path.name, target, message, sessions)

    # ------------------------------------------------------------------ the loop
    def run(self, stop: threading.Event, poll_s: float = POLL_S) -> None:
        """Scan every ``poll_s`` seconds until ``stop`` is set."""
        while not stop.is_set():
            self.scan()
            stop.wait(poll_s)

    def run_until_idle(self, poll_s: float = POLL_S, limit_s: float = 600.0) -> list[WatchEvent]:
        """Scan until every file present has been handled (for ``watch --once``)."""
        events = self.scan()
        start = self.clock()
        while self._pending and self.clock() - start < limit_s:
            time.sleep(poll_s)
            events += self.scan()
        return events


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    i = 2
    while target.exists():
        target = folder / f"{stem} ({i}){suffix}"
        i += 1
    return target


# ---------------------------------------------------------------------- one watcher per folder

@dataclass
class _Running:
    athlete: str
    thread: threading.Thread
    stop: threading.Event
    events: deque[WatchEvent] = field(default_factory=lambda: deque(maxlen=50))
    error: str = ""


_LOCK = threading.Lock()
_RUNNING: dict[str, _Running] = {}


def _key(folder: str | Path) -> str:
    return str(Path(folder).expanduser().resolve())


def ensure_watching(folder: str | Path, athlete: str, db_url: str | None = None, *,
                    tz: str = "UTC", units: str | None = None, settle_s: float = SETTLE_S,
                    poll_s: float = POLL_S) -> str:
    """Start watching ``folder`` for ``athlete`` in this process unless already doing so.

    Returns "started", "running" (the same athlete already watches it) or "restarted" (the
    folder was watched for another athlete). The watcher runs on a daemon thread with its own
    store (``db_url``, default ``STRIDEWISE_DB``). Raises UsageError for a missing folder.
    """
    from stridewise.access import Actor, ScopedStore
    from stridewise.store import Store

    key = _key(folder)
    if not Path(key).is_dir():
        raise UsageError(f"{folder} is not a folder; create it or pick another one.")
    with _LOCK:
        cur = _RUNNING.get(key)
        if cur is not None and cur.thread.is_alive() and not cur.stop.is_set():
            if cur.athlete == athlete:
                return "running"
            cur.stop.set()
            outcome = "restarted"
        else:
            outcome = "started"
        stop = threading.Event()
        running = _Running(athlete, threading.Thread(), stop)

        def loop() -> None:
            try:
                # the server's own folder, set by its admin: imports act as the operator
                store = ScopedStore(Store(db_url), Actor.operator())
            except StridewiseError as exc:
                running.error = exc.message
                return
            try:
                watcher = FolderWatcher(key, store, athlete, tz=tz, units=units,
                                        settle_s=settle_s, on_event=running.events.append)
                watcher.run(stop, poll_s)
            except StridewiseError as exc:
                running.error = exc.message
            finally:
                store.close()

        running.thread = threading.Thread(target=loop, name=f"stridewise-watch {key}",
                                          daemon=True)
        _RUNNING[key] = running
        running.thread.start()
        return outcome


def stop_watching(folder: str | Path, timeout_s: float = 5.0) -> bool:
    """Stop the watcher of ``folder`` (True when one was running)."""
    with _LOCK:
        cur = _RUNNING.pop(_key(folder), None)
    if cur is None:
        return False
    cur.stop.set()
    cur.thread.join(timeout_s)
    return True


def watching() -> dict[str, dict[str, Any]]:
    """The folders watched in this process: folder -> {athlete, alive, error, events}."""
    with _LOCK:
        items = list(_RUNNING.items())
    return {k: {"athlete": r.athlete, "alive": r.thread.is_alive(), "error": r.error,
                "events": list(r.events)} for k, r in items}


# ---------------------------------------------------------------------- the app's folder setting

#: Settings key holding {athlete: folder} (personal mode: the one user sets it per athlete).
SETTINGS_KEY: Final = "watch_folders"


def folder_settings(store: Any) -> dict[str, str]:
    """The watched folder saved for each athlete ({} when none)."""
    raw = (store.settings() or {}).get(SETTINGS_KEY) or {}
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str) and v.strip()} \
        if isinstance(raw, dict) else {}


def save_folder(store: Any, athlete: str, folder: str | None) -> str | None:
    """Save (or, with an empty ``folder``, remove) the athlete's watched folder; returns the
    folder saved (absolute). Raises UsageError for a folder that does not exist or that another
    athlete already uses (one folder feeds one athlete)."""
    current = folder_settings(store)
    if athlete not in set(store.athletes()["name"]):
        raise UsageError(f"There is no athlete named '{athlete}'.")
    text = (folder or "").strip()
    if not text:
        current.pop(athlete, None)
        saved = None
    else:
        p = Path(text).expanduser()
        if not p.is_dir():
            raise UsageError(f"{text} is not a folder on this computer; create it first or "
                             "pick another one.")
        saved = str(p.resolve())
        other = next((a for a, f in current.items() if f == saved and a != athlete), None)
        if other is not None:
            raise UsageError(f"{saved} is already watched for {other}; one folder feeds one "
                             "athlete.")
        current[athlete] = saved
    store.save_settings({**(store.settings() or {}), SETTINGS_KEY: current})
    return saved


def sync_watchers(store: Any, db_url: str | None) -> dict[str, str]:
    """Make this process watch exactly the saved folders: start missing watchers, stop those
    whose folder is no longer saved. Returns folder -> outcome ("started", "running",
    "restarted", "stopped", or the one-sentence reason it cannot run)."""
    wanted = {}
    for athlete, folder in folder_settings(store).items():
        wanted[_key(folder)] = athlete
    out: dict[str, str] = {}
    tz_of = {}
    try:
        ath = store.athletes()
        tz_of = dict(zip(ath["name"], ath["tz"], strict=True))
    except StridewiseError:
        pass
    for folder, athlete in wanted.items():
        try:
            out[folder] = ensure_watching(folder, athlete, db_url,
                                          tz=tz_of.get(athlete) or "UTC")
        except UsageError as exc:
            out[folder] = exc.message
    for folder in set(watching()) - set(wanted):
        stop_watching(folder)
        out[folder] = "stopped"
    return out
