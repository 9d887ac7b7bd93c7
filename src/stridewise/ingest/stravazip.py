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
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from stridewise.errors import ImportRefused, StridewiseError, UnreadableFile
from stridewise.ingest.base import MAX_FILE_BYTES, ImportReport, ReadContext, SkippedRow
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


def _read_many(jobs: list[tuple[str, bytes]], ctx: ReadContext, what: str,
               start: float, span: float) -> Iterator[tuple[int, ImportReport | str]]:
    """Read members (sequentially, or in worker processes for many), reporting progress."""
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
                for i, res in enumerate(pool.map(_read_one, args, chunksize=8)):
                    if i % step == 0 or i == n - 1:
                        ctx.report_progress(start + span * (i + 1) / n,
                                            f"read {i + 1} of {n} {what}")
                    yield i, res
            return
        except (OSError, cf.process.BrokenProcessPool, RuntimeError):
            pass  # no worker processes here (sandbox, frozen app): read them one by one
    for i, (name, raw) in enumerate(jobs):
        res = _read_one((name, raw, plain))
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


def _enrich(row: pd.Series, file_sessions: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """CSV row + its activity file's session(s) -> the enriched row and what was added."""
    out = row.copy()
    added: list[str] = []
    fs = file_sessions
    all_sets: list[dict] = []
    for text in fs["sets"]:
        all_sets += parse_sets(text)
    if all_sets and not parse_sets(out["sets"]):
        out["sets"] = sets_to_json(all_sets)
        added.append("sets")
    if len(fs) == 1:
        sport = _better_sport(str(out["sport"]), str(fs["sport"].iloc[0]))
        if sport != out["sport"]:
            out["sport"] = sport
            added.append("sport")
    elif out["sport"] in _GENERIC:
        # several parts (e.g. strength -> run -> strength): the longest part names the sport
        longest = fs.sort_values("duration_s", ascending=False)["sport"].iloc[0]
        if longest not in ("other", ""):
            out["sport"] = longest
            added.append("sport")
    dur = float(fs["duration_s"].sum())
    mov = float(fs["moving_s"].sum())
    if (math.isnan(out["moving_s"]) or out["moving_s"] >= out["duration_s"]) and \
            not math.isnan(mov) and 0 < mov < dur and mov <= out["duration_s"] + 1:
        out["moving_s"] = mov
        added.append("moving time")
    weights = fs["duration_s"].where(fs["avg_hr"].notna(), 0.0)
    if math.isnan(out["avg_hr"]) and weights.sum() > 0:
        out["avg_hr"] = float((fs["avg_hr"].fillna(0) * weights).sum() / weights.sum())
        added.append("heart rate")
    for col in ("max_hr", "calories", "elevation_gain_m", "distance_m"):
        if math.isnan(out[col]):
            v = fs[col].max() if col == "max_hr" else fs[col].sum(min_count=1)
            if not pd.isna(v):
                out[col] = float(v)
                added.append(col.replace("_m", "").replace("_", " "))
    return out, added


def _strava(zf: zipfile.ZipFile, members: list[_Member], csv_member: _Member, file_name: str,
            ctx: ReadContext) -> ImportReport:
    from stridewise.ingest import csvfile

    ctx.report_progress(0.0, "reading activities.csv")
    csv_bytes = _read_member(zf, csv_member, file_name)
    try:
        report = csvfile.read(csv_bytes, "activities.csv", ctx)
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
    jobs: list[tuple[str, bytes]] = []
    failures: list[str] = []
    readable: list[_Member] = []
    for m in order:
        try:
            jobs.append((posixpath.basename(m.info.filename), _read_member(zf, m, file_name)))
            readable.append(m)
        except UnreadableFile as exc:
            failures.append(exc.message)
    enriched = {"sets": 0, "sport": 0, "heart rate": 0, "moving time": 0}
    extra_frames: list[pd.DataFrame] = []
    for i, res in _read_many(jobs, ctx, "activity files", 0.05, 0.93):
        m = readable[i]
        if isinstance(res, str):
            failures.append(res)
            continue
        rows = referenced.get(m.norm)
        if rows is None:
            extra_frames.append(res.sessions)
            continue
        for r in rows:
            new, added = _enrich(sessions.iloc[r], res.sessions)
            for k in added:
                if k in enriched:
                    enriched[k] += 1
            if added:
                for col in COLUMNS:
                    sessions.at[sessions.index[r], col] = new[col]
    ctx.report_progress(0.98, "combining")
    extra_n = dup_n = 0
    if extra_frames:
        extra = pd.concat(extra_frames, ignore_index=True)
        starts = sessions["start"].to_numpy(dtype="datetime64[ns]")
        keep = []
        for _, row in extra.iterrows():
            near = np.abs((starts - np.datetime64(row["start"])).astype("timedelta64[s]")
                          .astype(np.int64)) <= 120 if len(starts) else np.array([], bool)
            same = near.any()
            keep.append(not same)
            dup_n += int(same)
        extra = extra.loc[keep]
        extra = extra.loc[~extra["session_id"].isin(sessions["session_id"])]
        extra = extra.drop_duplicates("session_id")
        extra_n = len(extra)
        sessions = pd.concat([sessions.drop(columns=["strava_filename"]), extra],
                             ignore_index=True)
    else:
        sessions = sessions.drop(columns=["strava_filename"])
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
    media = [m for m in members if m.norm.endswith(MEDIA_EXT)]
    nested = [m for m in members if m.norm.endswith(".zip")]
    if not usable:
        what = f"{len(members)} file(s), none of them an activity file or session log"
        raise ImportRefused(f"{file_name} holds {what} (FIT, TCX, GPX, CSV, ...), so there is "
                            "nothing to import.", kind="zip without activities")
    jobs, readable, failures = [], [], []
    for m in usable:
        try:
            jobs.append((posixpath.basename(m.info.filename), _read_member(zf, m, file_name)))
            readable.append(m)
        except UnreadableFile as exc:
            failures.append(exc.message)
    frames, assumptions, warnings, skipped, formats = [], [], [], [], {}
    for i, res in _read_many(jobs, ctx, "files", 0.0, 0.97):
        name = readable[i].info.filename
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
