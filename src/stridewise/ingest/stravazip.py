"""Zips: a Strava bulk export (``activities.csv`` + one file per activity), or any zip of files.

**Strava export.** ``activities.csv`` is the list of activities (one session per row, read by
:mod:`stridewise.ingest.csvfile`, which keeps each row's ``Filename`` as ``strava_filename`` and
the Activity ID as ``source_id``). Each row is joined to its activity file through that
``Filename`` (in newer exports the number in the file name is the *upload* id, not the activity
id, so the id cannot be used). The file then *enriches* the row: strength sets, a more specific
sport (trail/track/treadmill run, strength from a generic workout), heart rate, calories, ascent
and moving time where the CSV lacks them. The row stays one session with its Strava identity, so
an activity is never counted twice, and importing the zip or only its ``activities.csv`` gives
the same session ids. Activity files that no row refers to are read on their own (and dropped
as duplicates if they start at the same time as a listed activity). Media and the other export
files (profile, gear, comments, ...) are ignored and counted in the report.

**Any other zip.** Every supported member is read and the reports are combined into one.

Large zips are read on all CPU cores; progress goes to ``ctx.report_progress``.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import math
import multiprocessing
import os
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from stridewise.errors import ImportRefused, StridewiseError, UnreadableFile, UnsupportedFormat
from stridewise.ingest.base import (
    MAX_FILE_BYTES,
    ImportReport,
    ReadContext,
    SkippedRow,
    finish_sessions,
)
from stridewise.ingest.safeio import gunzip_capped, is_gzip
from stridewise.ingest.summary import Summary, clean_rows, rows_frame
from stridewise.schema import COLUMNS, RUN_SPORTS, normalise, parse_sets, sets_to_json, validate

__all__ = ["read", "PARALLEL_MIN_FILES"]

ACTIVITY_EXT = (".fit", ".gpx", ".tcx")
MEDIA_EXT = (".jpg", ".jpeg", ".png", ".gif", ".heic", ".mp4", ".mov", ".webp", ".m4v")
SUPPORTED_EXT = (".csv", ".txt", ".fit", ".gpx", ".tcx", ".xml", ".json", ".hrm", ".sml")
#: Zips with at least this many activity files are read in worker processes.
PARALLEL_MIN_FILES = 48
#: Most members / total unpacked bytes accepted (zip-bomb guard).
MAX_MEMBERS = 100_000
MAX_TOTAL_BYTES = 8 * 1024**3
#: Most bytes actually unpacked from one zip, members and gzip inside them together, across all
#: worker processes (declared sizes can lie).
MAX_READ_BYTES = 2 * 1024**3

_FAMILIES = [
    frozenset(RUN_SPORTS),
    frozenset({"ride", "virtual_ride", "mountain_bike", "gravel_ride", "e_bike"}),
    frozenset({"swim", "open_water_swim"}),
    frozenset({"walk", "hike"}),
]
_GENERIC = frozenset({"other", "cardio", "hiit", "multisport"})
_GENERIC_PARENTS = {"run", "ride", "swim", "walk"}


def _norm(name: str) -> str:
    n = name.replace("\\", "/").strip()
    while n.startswith("./"):
        n = n[2:]
    return n.strip("/").lower()


def _strip_gz(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


@dataclass
class _Member:
    info: zipfile.ZipInfo
    norm: str  # lower-case normalised path

    @property
    def base(self) -> str:
        return posixpath.basename(self.norm)


def _open(data: bytes, file_name: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile(f"{file_name} is a damaged zip file and cannot be opened "
                             f"({exc}).") from exc
    if len(infos) > MAX_MEMBERS:
        raise UnreadableFile(f"{file_name} holds {len(infos)} files, more than the "
                             f"{MAX_MEMBERS} Stridewise reads from one zip.")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise UnreadableFile(f"{file_name} unpacks to {total / 1e9:.1f} GB, more than the "
                             f"{MAX_TOTAL_BYTES / 1e9:.0f} GB Stridewise accepts.")
    return zf


def _members(zf: zipfile.ZipFile) -> list[_Member]:
    out = []
    for info in zf.infolist():
        if info.is_dir():
            continue
        n = _norm(info.filename)
        parts = n.split("/")
        if "__macosx" in parts or posixpath.basename(n).startswith("._"):
            continue
        out.append(_Member(info, n))
    return out


class _OverBudget(UnreadableFile):
    """The whole zip unpacks past :data:`MAX_READ_BYTES`."""


class _Budget:
    """Bytes the whole zip may still unpack: members and the gzip inside them together.

    In worker processes the count lives in shared memory (``shared``), so the budget holds for
    the zip as a whole, not per process."""

    def __init__(self, shared: Any = None) -> None:
        self.left = MAX_READ_BYTES
        self.shared = shared

    def spend(self, n: int, zip_name: str) -> None:
        if self.shared is None:
            ok = n <= self.left
            self.left -= n if ok else 0
        else:
            with self.shared.get_lock():
                ok = n <= self.shared.value
                if ok:
                    self.shared.value -= n
                else:
                    self.shared.value = -1  # exhausted: every later member stops at once
        if not ok:
            raise _OverBudget(f"{zip_name} unpacks to more than {MAX_READ_BYTES // 2**30} GB; "
                              "split the export into smaller zips.")


def _unpack(zf: zipfile.ZipFile, m: _Member, zip_name: str, budget: _Budget
            ) -> tuple[str, bytes]:
    """(name, bytes) of one member, gzip inside it unpacked too, every byte paid from
    ``budget``. Raises UnreadableFile (this member) or _OverBudget (the whole zip)."""
    name = posixpath.basename(m.info.filename)
    raw = _read_member(zf, m, zip_name)
    budget.spend(len(raw), zip_name)
    if is_gzip(raw):
        raw = gunzip_capped(raw, name, MAX_FILE_BYTES)
        budget.spend(len(raw), zip_name)
        name = name[:-3] if name.lower().endswith(".gz") else name
    return name, raw


def _read_member(zf: zipfile.ZipFile, m: _Member, zip_name: str) -> bytes:
    if m.info.flag_bits & 0x1:
        raise UnreadableFile(f"{m.info.filename} in {zip_name} is encrypted and cannot be read.")
    if m.info.file_size > MAX_FILE_BYTES:
        raise UnreadableFile(f"{m.info.filename} in {zip_name} is larger than the "
                             f"{MAX_FILE_BYTES // 2**20} MB limit for one file.")
    try:
        with zf.open(m.info) as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise UnreadableFile(f"{m.info.filename} in {zip_name} is damaged inside the zip "
                             f"({exc}).") from exc


# ---------------------------------------------------------------------------------- workers

def _read_one(args: tuple[str, bytes, ReadContext]) -> ImportReport | str:
    """Read one member's bytes; a failure comes back as its one-sentence message."""
    from stridewise.ingest import read_bytes  # local: the dispatcher imports this module

    name, raw, ctx = args
    try:
        return read_bytes(raw, name, ctx)
    except StridewiseError as exc:
        return exc.message


def _summarise_one(args: tuple[str, bytes, ReadContext]) -> tuple[str, Summary] | str:
    """Summarise one activity file (FIT/TCX/GPX, gzipped or not): (source, summary) or a
    one-sentence failure. No DataFrame per file: that is what keeps big exports fast."""
    from stridewise.ingest import fit, gpx, sniff_format, tcx

    name, raw, _ctx = args
    try:
        data = raw
        if is_gzip(data):
            data = gunzip_capped(data, name, MAX_FILE_BYTES)
        inner = name[:-3] if name.lower().endswith(".gz") else name
        if not data.strip():
            raise UnreadableFile(f"{name} is empty: there is nothing to import.")
        fmt = sniff_format(data, inner)
        module = {"fit": fit, "tcx": tcx, "gpx": gpx}.get(fmt)
        if module is None:
            raise UnsupportedFormat(f"{name} is not a FIT, TCX or GPX activity file.")
        summary = module.summarise(data, name)
        summary.rows, notes = clean_rows(summary.rows)
        summary.warnings += notes
        if not summary.rows:
            raise ImportRefused(f"{name} holds no session with a usable start and duration.")
        return fmt, summary
    except StridewiseError as exc:
        return exc.message
    except (ValueError, TypeError, KeyError, IndexError, ArithmeticError, RecursionError) as exc:
        return f"{name} could not be read ({type(exc).__name__}: {exc})."


#: What forked worker processes read, per running import (several may run at once in the app's
#: threads): token -> (zip, members, zip name, budget), set before the workers start.
_SHARED: dict[int, tuple[zipfile.ZipFile, list[_Member], str, _Budget]] = {}
_OVER, _FAILED, _DONE = 0, 1, 2


def _zip_job(args: tuple[Callable[[Any], Any], int, int, ReadContext]) -> tuple[int, Any]:
    """In a worker process: unpack member ``index`` of the shared zip and read it."""
    worker, token, index, ctx = args
    zf, members, zip_name, budget = _SHARED[token]
    try:
        name, raw = _unpack(zf, members[index], zip_name, budget)
    except _OverBudget as exc:
        return _OVER, exc.message
    except UnreadableFile as exc:
        return _FAILED, exc.message
    return _DONE, worker((name, raw, ctx))


def _read_many(zf: zipfile.ZipFile, members: list[_Member], zip_name: str, ctx: ReadContext,
               what: str, start: float, span: float,
               worker: Callable[[Any], Any] = _read_one) -> Iterator[tuple[_Member, Any]]:
    """Unpack and read ``members`` one by one, or in worker processes for many; yields
    (member, result or failure sentence) in the members' order, reporting progress.

    Worker processes are forked with the zip already in memory and unpack their members
    themselves, so only member numbers and results cross between processes; each holds one
    member at a time. One budget in shared memory bounds what all of them unpack together;
    passing it refuses the whole zip (no partial import)."""
    plain = replace(ctx, progress=None)
    n = len(members)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(cpus or 1, 8)
    step = max(1, n // 100)

    def progress(done: int) -> None:
        if done % step == 0 or done == n:
            ctx.report_progress(start + span * done / max(n, 1), f"read {done} of {n} {what}")

    budget = _Budget()
    done = 0
    if (n >= PARALLEL_MIN_FILES and workers > 1
            and "fork" in multiprocessing.get_all_start_methods()):
        fork = multiprocessing.get_context("fork")
        shared = fork.Value("q", MAX_READ_BYTES)
        budget = _Budget(shared)
        token = id(budget)
        _SHARED[token] = (zf, members, zip_name, budget)
        pool = None
        try:
            pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=fork)
            args = ((worker, token, i, plain) for i in range(n))
            for status, res in pool.map(_zip_job, args, chunksize=8):
                if status == _OVER:
                    raise UnreadableFile(res)
                done += 1
                progress(done)
                yield members[done - 1], res
            return
        except (OSError, cf.process.BrokenProcessPool, RuntimeError):
            pass  # no worker processes here (sandbox, frozen app): read the rest one by one
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            _SHARED.pop(token, None)
        budget = _Budget()
        budget.left = max(0, shared.value)  # what the workers left of the budget
    for m in members[done:]:
        try:
            name, raw = _unpack(zf, m, zip_name, budget)
        except _OverBudget as exc:
            raise UnreadableFile(exc.message) from None
        except UnreadableFile as exc:
            res: Any = exc.message
        else:
            res = worker((name, raw, plain))
            del raw
        done += 1
        progress(done)
        yield m, res


def _read_jobs(jobs: list[tuple[str, bytes]], ctx: ReadContext, what: str,
               start: float, span: float, worker: Callable[[Any], Any] = _read_one
               ) -> Iterator[tuple[int, Any]]:
    """Read (name, bytes) pairs already unpacked by the caller (who paid them from its own
    budget), sequentially or in worker processes for many; yields (index, result or failure
    sentence) in order, reporting progress."""
    plain = replace(ctx, progress=None)
    n = len(jobs)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(cpus or 1, 8)
    step = max(1, n // 100)
    if n >= PARALLEL_MIN_FILES and workers > 1:
        try:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            with cf.ProcessPoolExecutor(max_workers=workers,
                                        mp_context=multiprocessing.get_context(method)) as pool:
                args = ((name, raw, plain) for name, raw in jobs)
                for i, res in enumerate(pool.map(worker, args, chunksize=8)):
                    if i % step == 0 or i == n - 1:
                        ctx.report_progress(start + span * (i + 1) / n,
                                            f"read {i + 1} of {n} {what}")
                    yield i, res
            return
        except (OSError, cf.process.BrokenProcessPool, RuntimeError):
            pass  # no worker processes here (sandbox, frozen app): read them one by one
    for i, (name, raw) in enumerate(jobs):
        res = worker((name, raw, plain))
        if i % step == 0 or i == n - 1:
            ctx.report_progress(start + span * (i + 1) / n, f"read {i + 1} of {n} {what}")
        yield i, res


# ---------------------------------------------------------------------------------- joining

def _family(sport: str) -> frozenset[str] | None:
    for fam in _FAMILIES:
        if sport in fam:
            return fam
    return None


def _better_sport(csv_sport: str, file_sport: str) -> str:
    """The more specific of the CSV's and the file's sport (never a different family)."""
    if file_sport == csv_sport or file_sport in ("other", ""):
        return csv_sport
    if csv_sport in _GENERIC:
        return file_sport
    fam = _family(csv_sport)
    if fam is not None and file_sport in fam and csv_sport in _GENERIC_PARENTS:
        return file_sport
    return csv_sport


def _isnan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _enrich(row: dict[str, Any], parts: list[dict[str, Any]]) -> list[str]:
    """Fill ``row`` (a listed activity) from its file's session(s); return what was added."""
    added: list[str] = []
    all_sets: list[dict] = []
    for p in parts:
        all_sets += parse_sets(p.get("sets"))
    if all_sets and not parse_sets(row["sets"]):
        row["sets"] = sets_to_json(all_sets)
        added.append("sets")
    if len(parts) == 1:
        sport = _better_sport(str(row["sport"]), str(parts[0].get("sport", "")))
    elif row["sport"] in _GENERIC:
        # several parts (e.g. strength -> run -> strength): the sport with the most time
        per_sport: dict[str, float] = {}
        for p in parts:
            key = str(p.get("sport", ""))
            per_sport[key] = per_sport.get(key, 0.0) + (p.get("duration_s") or 0.0)
        main = max(per_sport, key=lambda k: per_sport[k])
        sport = main if main not in ("other", "") else row["sport"]
    else:
        sport = row["sport"]
    if sport != row["sport"]:
        row["sport"] = sport
        added.append("sport")
    dur = sum(p.get("duration_s") or 0.0 for p in parts)
    movs = [p.get("moving_s") for p in parts]
    mov = math.nan if any(_isnan(m) for m in movs) else sum(movs)
    if (_isnan(row["moving_s"]) or row["moving_s"] >= row["duration_s"]) and \
            not math.isnan(mov) and 0 < mov < dur and mov <= row["duration_s"] + 1:
        row["moving_s"] = mov
        added.append("moving time")
    hr_parts = [(p["avg_hr"], p.get("duration_s") or 0.0) for p in parts
                if not _isnan(p.get("avg_hr"))]
    weight = sum(w for _, w in hr_parts)
    if _isnan(row["avg_hr"]) and weight > 0:
        row["avg_hr"] = sum(h * w for h, w in hr_parts) / weight
        added.append("heart rate")
    for col in ("max_hr", "calories", "elevation_gain_m", "distance_m"):
        vals = [p[col] for p in parts if not _isnan(p.get(col))]
        if _isnan(row[col]) and vals:
            row[col] = float(max(vals) if col == "max_hr" else sum(vals))
            added.append(col.replace("_m", "").replace("_", " "))
    return added


def _extra_sessions(extras: list[tuple[str, str, Summary]], ctx: ReadContext) -> pd.DataFrame:
    """Canonical sessions of activity files that no activities.csv row refers to."""
    frames = []
    for source in sorted({src for src, _, _ in extras}):
        rows, names = [], []
        for src, name, summary in extras:
            if src == source:
                rows += summary.rows
                names += [name] * len(summary.rows)
        df = rows_frame(rows, ctx.tz)
        df["row_number"] = range(1, len(df) + 1)
        sessions, _dups = finish_sessions(df, ctx, source=source, file_name="")
        frames.append(sessions.assign(source_file=[names[i] for i in range(len(sessions))]))
    return pd.concat(frames, ignore_index=True)


def _strava(zf: zipfile.ZipFile, members: list[_Member], csv_member: _Member, file_name: str,
            ctx: ReadContext) -> ImportReport:
    from stridewise.ingest import csvfile

    ctx.report_progress(0.0, "reading activities.csv")
    csv_bytes = _read_member(zf, csv_member, file_name)
    try:
        report = csvfile.read(csv_bytes, "activities.csv", replace(
            ctx, progress=lambda f, t: ctx.report_progress(0.05 * f, t)))
    except (UnreadableFile, ImportRefused) as exc:
        raise UnreadableFile(
            f"The activities.csv in {file_name} cannot be read: {exc.message}") from exc
    sessions = report.sessions.copy()
    if "strava_filename" not in sessions.columns:
        sessions["strava_filename"] = ""
    by_path = {m.norm: m for m in members}
    by_base: dict[str, list[_Member]] = {}
    for m in members:
        by_base.setdefault(m.base, []).append(m)

    def find(fn: str) -> _Member | None:
        n = _norm(fn)
        if not n:
            return None
        if n in by_path:
            return by_path[n]
        cands = by_base.get(posixpath.basename(n), [])
        if len(cands) == 1:
            return cands[0]
        return None

    referenced: dict[str, list[int]] = {}
    missing_files = 0
    for i, fn in enumerate(sessions["strava_filename"].astype(str)):
        if not fn.strip():
            continue
        m = find(fn)
        if m is None:
            missing_files += 1
            continue
        referenced.setdefault(m.norm, []).append(i)
    activity_members = [m for m in members
                        if _strip_gz(m.norm).endswith(ACTIVITY_EXT) or m.norm in referenced]
    unreferenced = [m for m in activity_members if m.norm not in referenced]
    media = [m for m in members if m.norm.endswith(MEDIA_EXT)]
    others = [m for m in members if m not in activity_members and m not in media
              and m is not csv_member]
    warnings = list(report.warnings)
    assumptions = list(report.assumptions)
    skipped = list(report.skipped)

    order = [by_path[n] for n in referenced] + unreferenced
    failures: list[str] = []
    enriched = {"sets": 0, "sport": 0, "heart rate": 0, "moving time": 0}
    records = sessions[list(COLUMNS)].to_dict("records")
    extras: list[tuple[str, str, Summary]] = []
    for m, res in _read_many(zf, order, file_name, ctx, "activity files", 0.05, 0.90,
                             _summarise_one):
        if isinstance(res, str):
            failures.append(res)
            continue
        source, summary = res
        rows = referenced.get(m.norm)
        if rows is None:
            extras.append((source, posixpath.basename(m.info.filename), summary))
            continue
        for r in rows:
            for k in _enrich(records[r], summary.rows):
                if k in enriched:
                    enriched[k] += 1
    ctx.report_progress(0.96, "combining")
    for col in ("sets", "sport", "moving_s", "avg_hr", "max_hr", "calories",
                "elevation_gain_m", "distance_m"):
        sessions[col] = [rec[col] for rec in records]
    sessions = sessions.drop(columns=["strava_filename"])
    extra_n = dup_n = 0
    if extras:
        extra = _extra_sessions(extras, ctx)
        starts = sessions["start"].to_numpy(dtype="datetime64[s]").astype(np.int64)
        keep = []
        for t in extra["start"].to_numpy(dtype="datetime64[s]").astype(np.int64):
            same = bool(len(starts)) and bool((np.abs(starts - t) <= 120).any())
            keep.append(not same)
            dup_n += int(same)
        extra = extra.loc[keep]
        extra = extra.loc[~extra["session_id"].isin(sessions["session_id"])]
        extra = extra.drop_duplicates("session_id")
        extra_n = len(extra)
        sessions = pd.concat([sessions, extra], ignore_index=True)
    sessions["source"] = np.where(sessions["source"] == "strava_csv", "strava_zip",
                                  sessions["source"])
    sessions["source_file"] = [f"{file_name}/{sf}" for sf in sessions["source_file"]]
    sessions = normalise(sessions)[list(COLUMNS)]
    validate(sessions)
    n_rows = len(report.sessions)
    fmt = (f"Strava export zip: {report.format}, {n_rows} activities, "
           f"{len(referenced)} activity files joined")
    parts = [f"{v} with {k}" for k, v in enriched.items() if v]
    if parts:
        assumptions.append("activity files added " + ", ".join(parts) + " to the listed "
                           "activities (each activity still counts once).")
    if extra_n:
        assumptions.append(f"{extra_n} activity file(s) not listed in activities.csv were "
                           "imported on their own.")
    if dup_n:
        warnings.append(f"{dup_n} unlisted activity file(s) start within two minutes of a "
                        "listed activity and were not imported again.")
    if missing_files:
        warnings.append(f"{missing_files} activities name a file that is not in the zip; they "
                        "were imported from activities.csv alone.")
    if failures:
        warnings.append(f"{len(failures)} activity file(s) could not be read; the listed "
                        "activities were imported from activities.csv alone. First: "
                        f"{failures[0]}")
    if media:
        assumptions.append(f"{len(media)} photo/video file(s) were ignored.")
    if others:
        assumptions.append(f"{len(others)} other export file(s) (profile, gear, comments, ...) "
                           "hold no training sessions and were not read.")
    ctx.report_progress(1.0, "done")
    return ImportReport(file_name=file_name, format=fmt, sessions=sessions, skipped=skipped,
                        assumptions=assumptions, warnings=warnings, units=report.units)


def _any_zip(zf: zipfile.ZipFile, members: list[_Member], file_name: str,
             ctx: ReadContext) -> ImportReport:
    usable = [m for m in members if _strip_gz(m.norm).endswith(SUPPORTED_EXT)]
    notes: list[str] = []
    if any(m.base == "export.xml" for m in usable) and any(
            "workout-routes/" in m.norm or m.base == "export_cda.xml" for m in usable):
        # Apple Health export: the workouts are in export.xml; the route GPX files repeat them
        routes = [m for m in usable if "workout-routes/" in m.norm or m.base == "export_cda.xml"]
        usable = [m for m in usable if m not in routes]
        notes.append(f"Apple Health export: the {len(routes)} workout-route/clinical file(s) "
                     "repeat workouts of export.xml and were not imported again.")
    media = [m for m in members if m.norm.endswith(MEDIA_EXT)]
    nested = [m for m in members if m.norm.endswith(".zip")]
    if not usable:
        what = f"{len(members)} file(s), none of them an activity file or session log"
        raise ImportRefused(f"{file_name} holds {what} (FIT, TCX, GPX, CSV, ...), so there is "
                            "nothing to import.", kind="zip without activities")
    failures: list[str] = []
    frames, warnings, skipped, formats = [], [], [], {}
    assumptions = list(notes)
    for m, res in _read_many(zf, usable, file_name, ctx, "files", 0.0, 0.97):
        name = m.info.filename
        if isinstance(res, str):
            failures.append(res)
            continue
        res.sessions["source_file"] = f"{file_name}/{name}"
        frames.append(res.sessions)
        formats[res.format.split(" (")[0].split(",")[0]] = formats.get(
            res.format.split(" (")[0].split(",")[0], 0) + 1
        assumptions += [f"{name}: {a}" for a in res.assumptions]
        warnings += [f"{name}: {w}" for w in res.warnings]
        skipped += [SkippedRow(s.row, f"{name}: {s.reason}") for s in res.skipped]
    if not frames:
        raise ImportRefused(f"None of the {len(usable)} files in {file_name} could be imported; "
                            f"first problem: {failures[0]}", kind="zip without activities")
    sessions = pd.concat(frames, ignore_index=True)
    dup = sessions["session_id"].duplicated()
    if dup.any():
        warnings.append(f"{int(dup.sum())} session(s) appear in more than one file of the zip "
                        "and were imported once.")
        sessions = sessions.loc[~dup].reset_index(drop=True)
    sessions = normalise(sessions)[list(COLUMNS)]
    validate(sessions)
    warnings += [f"not imported: {f}" for f in failures]
    if media:
        assumptions.append(f"{len(media)} photo/video file(s) were ignored.")
    if nested:
        warnings.append(f"{len(nested)} zip file(s) inside the zip were not opened; "
                        "upload them separately.")
    kinds = ", ".join(f"{n} {k}" for k, n in formats.items())
    ctx.report_progress(1.0, "done")
    return ImportReport(file_name=file_name, format=f"zip of {len(frames)} files ({kinds})",
                        sessions=sessions, skipped=skipped, assumptions=list(dict.fromkeys(
                            assumptions)), warnings=warnings)


def read(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    """Read a zip: a Strava bulk export if it holds ``activities.csv``, else any zip of files."""
    with _open(data, file_name) as zf:
        members = _members(zf)
        if not members:
            raise ImportRefused(f"{file_name} is an empty zip file: there is nothing to import.",
                                kind="empty zip")
        csvs = sorted((m for m in members if m.base == "activities.csv"),
                      key=lambda m: m.norm.count("/"))
        if csvs:
            return _strava(zf, members, csvs[0], file_name, ctx)
        return _any_zip(zf, members, file_name, ctx)
