"""Garmin Connect's account export ("Export your data"): the zip, or the folder it unpacks to.

Layout (as Garmin delivers it; every JSON file is an array, split into several files by date
range or by count for long histories)::

    DI_CONNECT/DI-Connect-Fitness/<user>_0_summarizedActivities.json
        [{"summarizedActivitiesExport": [ {activity}, ... ]}]
    DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip, ..._Part2.zip, ...
        the original files the watch uploaded (FIT, older TCX/GPX), one per activity
    DI_CONNECT/DI-Connect-Aggregator/UDSFile_<from>_<to>.json     daily summary: restingHeartRate
    DI_CONNECT/DI-Connect-Wellness/<from>_<to>_<id>_sleepData.json
        nightly deepSleepSeconds, lightSleepSeconds, remSleepSeconds, awakeSleepSeconds
    DI_CONNECT/DI-Connect-Wellness/<from>_<to>_<id>_healthStatusData.json
        {"calendarDate", "metrics": [{"type": "HRV", "value": ms}, {"type": "HR", ...}, ...]}
    DI_CONNECT/DI-Connect-Wellness/<id>_userBioMetrics.json
        {"metaData": {"calendarDate"}, "weight": {"weight": grams, "timestampGMT", ...}}

**Units of the activity summaries** (they differ from Garmin's web API; confirmed by several
independent public parsers of real exports): ``distance`` and ``elevationGain`` in centimetres;
``duration`` (timer time), ``elapsedDuration`` and ``movingDuration`` in milliseconds;
``beginTimestamp``/``startTimeGmt`` are Unix epoch milliseconds (UTC) and ``startTimeLocal`` the
same on the athlete's wall clock. The unit of the summaries' ``calories`` is not documented
anywhere we could check (some readers find values ~4.2x the kcal Garmin shows), so it is not
used; the FIT file's calories (kcal by the FIT profile) fill it where the two match.

**Sessions** come from the summaries (one per ``activityId``; a multisport parent whose parts
are listed is left out, the parts count). Each original FIT file is matched to the summary that
starts within :data:`MATCH_S` seconds of it and *enriches* it (strength sets, a more specific
sport, heart rate, moving time, calories, ...): the activity still counts once. FIT files that
match no summary are imported on their own. Resting heart rate, sleep, HRV and body weight
become wellness rows (:data:`WELLNESS_COLUMNS`).

**Limits.** Nested zips are opened one level deep (a zip inside those is refused with its
reason); every member is unpacked through the capped reader of :mod:`.stravazip` (per-member
size), and the whole export shares one budget of unpacked bytes
(:data:`MAX_UNPACKED_BYTES`) and of members (:data:`stravazip.MAX_MEMBERS`).

**Parts.** The FIT files are read in parts of :data:`PART_FILES`; :func:`open_export` yields
one report per part (plus a last one with the summaries no FIT file matched and the wellness
rows), so that a store import can commit part by part and resume after an interruption
(see :mod:`stridewise.archive_import`). :func:`read` returns the whole export as one report.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import posixpath
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from stridewise.errors import ImportRefused, StridewiseError, UnreadableFile
from stridewise.ingest import stravazip as sz
from stridewise.ingest.base import (
    MAX_FILE_BYTES,
    ImportReport,
    ReadContext,
    SkippedRow,
    finish_sessions,
    sha1_bytes,
    utc_to_local,
)
from stridewise.ingest.sports import normalise_sport
from stridewise.ingest.summary import Summary, clean_rows
from stridewise.schema import (
    COLUMNS,
    empty_sessions,
    normalise,
    parse_sets,
    sets_to_json,
    validate,
)

__all__ = [
    "MATCH_S", "MAX_UNPACKED_BYTES", "PART_FILES", "SOURCE", "WELLNESS_COLUMNS",
    "WELLNESS_METRICS", "ExportPart", "ExportReport", "GarminExport", "empty_wellness",
    "is_export_dir", "is_export_file", "is_export_names", "is_export_zip", "open_export", "read",
    "read_path",
]

#: Source name of sessions taken from the activity summaries.
SOURCE: Final = "garmin_export"
#: A FIT file and a summary describe the same activity when their UTC starts differ by at most
#: this many seconds (both are the watch's own start time; seconds apart at most).
MATCH_S: Final = 60.0
#: FIT files read (and committed by a resumable import) per part.
PART_FILES: Final = 500
#: Most bytes unpacked from one export, nested zips and their members included.
MAX_UNPACKED_BYTES: Final = 8 * 1024**3
#: Largest nested zip copied out of the export zip (to a temporary file, never into memory).
MAX_NESTED_ZIP_BYTES: Final = 4 * 1024**3
#: Zips inside the export zip are opened; zips inside those are not.
MAX_NESTING: Final = 1

#: Wellness rows: one per day and metric. ``date`` is the calendar day Garmin files it under.
WELLNESS_COLUMNS: Final = ("date", "metric", "value", "source_file")
#: metric -> (unit text, plausible range); values outside are left out and reported.
WELLNESS_METRICS: Final[dict[str, tuple[str, tuple[float, float]]]] = {
    "resting_hr_bpm": ("bpm", (25.0, 120.0)),
    "sleep_s": ("s", (600.0, 86400.0)),
    "hrv_ms": ("ms", (5.0, 300.0)),
    "weight_kg": ("kg", (20.0, 300.0)),
}

_UNITS_NOTE: Final = (
    "Garmin's export gives distance and ascent in centimetres and times in milliseconds; "
    "they were converted to metres and seconds.")
_CALORIES_NOTE: Final = (
    "calories of the activity summaries are not used (their unit is not documented); they "
    "come from the FIT file where one matches.")


def empty_wellness() -> pd.DataFrame:
    """An empty wellness frame (:data:`WELLNESS_COLUMNS`)."""
    return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                         "metric": pd.Series(dtype="str"), "value": pd.Series(dtype=float),
                         "source_file": pd.Series(dtype="str")})


@dataclass
class ExportReport(ImportReport):
    """An :class:`ImportReport` plus the export's wellness rows and its reading summary.

    merged_files: FIT files joined to a summary activity. unreadable: one sentence per member
    that could not be read (also counted in ``warnings``).
    """

    wellness: pd.DataFrame = field(default_factory=empty_wellness)
    merged_files: int = 0
    unreadable: list[str] = field(default_factory=list)


@dataclass
class ExportPart:
    """One committed unit of an export: ``index`` (0-based), ``last`` (the summaries without
    FIT file and the wellness rows), its report, and the activity ids its FIT files matched."""

    index: int
    n_parts: int
    report: ExportReport
    matched_ids: list[str]

    @property
    def last(self) -> bool:
        return self.index == self.n_parts - 1


# ------------------------------------------------------------------------------ recognising

def _norm(name: str) -> str:
    return sz._norm(name)


def _kind(norm: str) -> str:
    """What a member of the export is: summaries, nested, uds, sleep, health, bio, fit, other."""
    base = posixpath.basename(norm)
    if base.endswith(".json"):
        if "summarizedactivities" in base:
            return "summaries"
        if base.startswith("udsfile_"):
            return "uds"
        if base.endswith("sleepdata.json"):
            return "sleep"
        if base.endswith("healthstatusdata.json"):
            return "health"
        if base.endswith("userbiometrics.json"):
            return "bio"
        return "other"
    if base.endswith(".zip"):
        return "nested"
    if sz._strip_gz(base).endswith(sz.ACTIVITY_EXT):
        return "fit"
    return "other"


def is_export_names(names: Sequence[str]) -> bool:
    """Whether member names look like a Garmin account export (its activity summaries or its
    ``DI_CONNECT`` folders)."""
    for n in names:
        low = _norm(n)
        if "summarizedactivities" in posixpath.basename(low) and low.endswith(".json"):
            return True
        if low.startswith("di_connect/") or "/di_connect/" in low:
            return True
    return False


def is_export_zip(data: bytes) -> bool:
    """Whether zip bytes are a Garmin account export (reads only the zip's directory)."""
    try:
        with zipfile.ZipFile(_BytesReader(data)) as zf:
            return is_export_names(zf.namelist()[: sz.MAX_MEMBERS])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False


def is_export_file(path: str | Path) -> bool:
    """Whether a zip file on disk is a Garmin account export (reads only its directory)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return is_export_names(zf.namelist()[: sz.MAX_MEMBERS])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False


def is_export_dir(path: str | Path) -> bool:
    """Whether a folder is an unpacked Garmin account export (holds ``DI_CONNECT`` or is it)."""
    p = Path(path)
    if not p.is_dir():
        return False
    if p.name.upper() == "DI_CONNECT":
        return True
    return (p / "DI_CONNECT").is_dir() or any(
        c.is_dir() and c.name.upper() == "DI_CONNECT" for c in p.iterdir())


class _BytesReader:
    """A seekable read-only view of bytes without copying them (``io.BytesIO`` copies)."""

    def __init__(self, data: bytes) -> None:
        self._m = memoryview(data)
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        end = len(self._m) if n is None or n < 0 else min(len(self._m), self._pos + n)
        out = self._m[self._pos:end].tobytes()
        self._pos = end
        return out

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._m)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        pass


# ------------------------------------------------------------------------------ archive access

class _OverBudget(UnreadableFile):
    """The export as a whole is too big: stops the whole import (not one member)."""


@dataclass
class _Budget:
    """What the whole export may still unpack: bytes and members."""

    bytes_left: int
    members_left: int
    name: str

    def spend(self, n: int) -> None:
        if n > self.bytes_left:
            raise _OverBudget(
                f"{self.name} unpacks to more than {MAX_UNPACKED_BYTES / 2**30:.0f} GB; "
                "Stridewise stops there. Import the summaries and the uploaded-file zips "
                "in smaller pieces.")
        self.bytes_left -= n

    def count(self, n: int, where: str) -> None:
        if n > self.members_left:
            raise _OverBudget(
                f"{where} brings the export above {sz.MAX_MEMBERS} files, more than "
                "Stridewise reads from one export.")
        self.members_left -= n


@dataclass(frozen=True)
class _Ref:
    """One member: ``container`` is "" for the export itself, else the nested zip's path."""

    container: str
    path: str          # original name inside its container (or relative path in a folder)
    norm: str          # lower-case normalised
    size: int
    crc: int = 0

    @property
    def display(self) -> str:
        return f"{self.container}/{self.path}" if self.container else self.path

    @property
    def base(self) -> str:
        return posixpath.basename(self.path.replace("\\", "/"))


class _Container:
    """A zip (from bytes, a path, or a temporary copy) or a folder, read within the budget."""

    def __init__(self, name: str, budget: _Budget) -> None:
        self.name = name
        self.budget = budget

    def refs(self) -> list[_Ref]:  # pragma: no cover - interface
        raise NotImplementedError

    def read(self, ref: _Ref) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError

    def copy_to(self, ref: _Ref, out: Any, limit: int) -> int:  # pragma: no cover
        raise NotImplementedError


class _ZipContainer(_Container):
    def __init__(self, zf: zipfile.ZipFile, name: str, budget: _Budget, label: str = "") -> None:
        super().__init__(name, budget)
        self.zf = zf
        self.label = label
        self._by_name = {m.info.filename: m for m in sz._members(zf)}

    @staticmethod
    def open(src: bytes | str | Path | Any, name: str, budget: _Budget, label: str = ""
             ) -> _ZipContainer:
        """Open with the same refusals as every other zip (member count, declared size)."""
        try:
            zf = zipfile.ZipFile(_BytesReader(src) if isinstance(src, bytes) else src)
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise UnreadableFile(f"{name} is a damaged zip file and cannot be opened "
                                 f"({exc}).") from exc
        if len(infos) > sz.MAX_MEMBERS:
            zf.close()
            raise UnreadableFile(f"{name} holds {len(infos)} files, more than the "
                                 f"{sz.MAX_MEMBERS} Stridewise reads from one zip.")
        total = sum(i.file_size for i in infos)
        if total > sz.MAX_TOTAL_BYTES:
            zf.close()
            raise UnreadableFile(f"{name} unpacks to {total / 1e9:.1f} GB, more than the "
                                 f"{sz.MAX_TOTAL_BYTES / 1e9:.0f} GB Stridewise accepts.")
        budget.count(len(infos), name)
        return _ZipContainer(zf, name, budget, label)

    def refs(self) -> list[_Ref]:
        return [_Ref(self.label, m.info.filename, m.norm, m.info.file_size, m.info.CRC)
                for m in self._by_name.values()]

    def read(self, ref: _Ref) -> bytes:
        m = self._by_name[ref.path]
        raw = sz._read_member(self.zf, m, self.name)
        self.budget.spend(len(raw))
        return raw

    def copy_to(self, ref: _Ref, out: Any, limit: int) -> int:
        m = self._by_name[ref.path]
        if m.info.flag_bits & 0x1:
            raise UnreadableFile(f"{m.info.filename} in {self.name} is encrypted and cannot "
                                 "be read.")
        if m.info.file_size > limit:
            raise UnreadableFile(f"{m.info.filename} in {self.name} is larger than the "
                                 f"{limit / 2**30:.0f} GB Stridewise unpacks for one zip.")
        n = 0
        try:
            with self.zf.open(m.info) as fh:
                while chunk := fh.read(1 << 20):
                    n += len(chunk)
                    if n > limit:
                        raise UnreadableFile(f"{m.info.filename} in {self.name} unpacks to "
                                             f"more than {limit / 2**30:.0f} GB.")
                    self.budget.spend(len(chunk))
                    out.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise UnreadableFile(f"{m.info.filename} in {self.name} is damaged inside the zip "
                                 f"({exc}).") from exc
        return n

    def close(self) -> None:
        self.zf.close()


class _DirContainer(_Container):
    """An unpacked export folder; symbolic links are not followed."""

    def __init__(self, root: Path, name: str, budget: _Budget) -> None:
        super().__init__(name, budget)
        self.root = root
        files = []
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fn in sorted(filenames):
                p = Path(dirpath) / fn
                if fn.startswith(".") or p.is_symlink() or not p.is_file():
                    continue
                files.append(p)
                if len(files) > sz.MAX_MEMBERS:
                    raise UnreadableFile(f"{name} holds more than {sz.MAX_MEMBERS} files, "
                                         "more than Stridewise reads from one export.")
        budget.count(len(files), name)
        self._files = {p.relative_to(root).as_posix(): p for p in files}

    def refs(self) -> list[_Ref]:
        out = []
        for rel, p in self._files.items():
            try:
                size = p.stat().st_size
            except OSError:
                size = 0
            out.append(_Ref("", rel, _norm(rel), size))
        return out

    def read(self, ref: _Ref) -> bytes:
        p = self._files[ref.path]
        try:
            with p.open("rb") as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise UnreadableFile(f"{ref.path} in {self.name} cannot be opened: "
                                 f"{exc.strerror or exc}.") from exc
        if len(raw) > MAX_FILE_BYTES:
            raise UnreadableFile(f"{ref.path} in {self.name} is larger than the "
                                 f"{MAX_FILE_BYTES // 2**20} MB limit for one file.")
        self.budget.spend(len(raw))
        return raw

    def path_of(self, ref: _Ref) -> Path:
        return self._files[ref.path]

    def close(self) -> None:
        pass


# ------------------------------------------------------------------------------ summaries

def _ms(v: Any) -> float:
    """A JSON number (milliseconds, centimetres, ...) as float; NaN when absent or not numeric."""
    if isinstance(v, bool) or v is None:
        return math.nan
    if isinstance(v, (int, float)):
        x = float(v)
        return x if math.isfinite(x) else math.nan
    if isinstance(v, str):
        try:
            x = float(v)
        except ValueError:
            return math.nan
        return x if math.isfinite(x) else math.nan
    return math.nan


_EPOCH: Final = datetime(1970, 1, 1)


def _epoch_ms(v: Any) -> datetime | None:
    """Epoch milliseconds (number) or an ISO text -> naive datetime (same clock as given)."""
    x = _ms(v)
    if not math.isnan(x):
        if not 0 < x < 7.3e12:  # 1970 .. 2200
            return None
        return _EPOCH + timedelta(milliseconds=x)
    if isinstance(v, str) and v.strip():
        t = pd.to_datetime(v.strip().replace("Z", ""), errors="coerce")
        if pd.isna(t):
            return None
        if t.tzinfo is not None:
            t = t.tz_convert("UTC").tz_localize(None)
        return t.to_pydatetime()
    return None


def _activity_records(payload: Any) -> list[dict[str, Any]]:
    """The activity dicts of one summarizedActivities file, whatever the wrapping."""
    out: list[dict[str, Any]] = []
    items = payload if isinstance(payload, list) else [payload]
    for item in items:
        if isinstance(item, dict) and "summarizedActivitiesExport" in item:
            inner = item["summarizedActivitiesExport"]
            out += [a for a in (inner if isinstance(inner, list) else []) if isinstance(a, dict)]
        elif isinstance(item, dict) and "activityId" in item:
            out.append(item)
    return out


def _type_name(a: dict[str, Any]) -> str:
    t = a.get("activityType")
    if isinstance(t, dict):
        t = t.get("typeKey")
    if isinstance(t, str) and t.strip():
        return t.strip()
    s = a.get("sportType")
    return s.strip() if isinstance(s, str) else ""


def _exercise_sets(value: Any) -> str:
    """``summarizedExerciseSets`` (totals per exercise category) -> set records.

    Each entry gives ``category`` (a FIT exercise category in capitals), ``sets``, ``reps``
    (all sets together), ``duration`` (ms) and ``maxWeight`` (grams); it becomes ``sets``
    records sharing the totals evenly, so that time per category is kept.
    """
    if not isinstance(value, list):
        return "[]"
    out = []
    for e in value:
        if not isinstance(e, dict):
            continue
        cat = str(e.get("category") or "").strip().lower()
        if cat in ("", "unknown"):
            cat = ""
        sub = str(e.get("subCategory") or "").strip().lower()
        n = int(_ms(e.get("sets"))) if not math.isnan(_ms(e.get("sets"))) else 0
        n = max(1, min(n, 200))
        reps, secs, grams = _ms(e.get("reps")), _ms(e.get("duration")), _ms(e.get("maxWeight"))
        if not cat and (math.isnan(reps) or reps <= 0) and (math.isnan(secs) or secs <= 0):
            continue
        rec = {
            "exercise": (sub if sub and sub != "unknown" else cat).replace("_", " "),
            "category": cat,
            "reps": None if math.isnan(reps) or reps <= 0 else round(reps / n, 2),
            "weight_kg": None if math.isnan(grams) or grams <= 0 else round(grams / 1000, 2),
            "seconds": None if math.isnan(secs) or secs <= 0 else round(secs / 1000 / n, 3),
        }
        out += [rec] * n
    return sets_to_json(out)


@dataclass
class _Activity:
    """One summary activity, converted to SI, before it becomes a session row."""

    activity_id: str
    row: dict[str, Any]
    start_utc: datetime | None
    file: str
    children: tuple[str, ...] = ()


def _parse_activity(a: dict[str, Any], file: str, tz: str,
                    ) -> tuple[_Activity | None, str]:
    """An activity dict -> _Activity, or (None, reason it cannot be a session)."""
    aid = a.get("activityId")
    aid_s = str(int(aid)) if isinstance(aid, (int, float)) and not isinstance(aid, bool) \
        and math.isfinite(aid) else (str(aid).strip() if isinstance(aid, str) else "")
    name = a.get("name") if isinstance(a.get("name"), str) else ""
    label = f"activity {aid_s or '?'}" + (f" ({name!r})" if name else "")
    if not aid_s:
        return None, f"{label} has no activityId"
    start_utc = _epoch_ms(a.get("beginTimestamp"))
    if start_utc is None:
        start_utc = _epoch_ms(a.get("startTimeGmt"))
    local = _epoch_ms(a.get("startTimeLocal"))
    if local is None and start_utc is not None:
        local = utc_to_local(pd.Series([start_utc]), tz).iloc[0].to_pydatetime()
    if local is None:
        return None, f"{label} has no start time"
    if start_utc is None:  # only the local time: its UTC instant in the athlete's zone
        t = pd.Timestamp(local).tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        start_utc = None if pd.isna(t) else \
            t.tz_convert("UTC").tz_localize(None).to_pydatetime()
    timer, elapsed = _ms(a.get("duration")), _ms(a.get("elapsedDuration"))
    moving = _ms(a.get("movingDuration"))
    dur = elapsed if not math.isnan(elapsed) and elapsed > 0 else timer
    if math.isnan(dur) or dur <= 0:
        return None, f"{label} has no duration"
    mov = moving if not math.isnan(moving) and moving > 0 else timer
    dist, gain = _ms(a.get("distance")), _ms(a.get("elevationGain"))
    avg_hr, max_hr = _ms(a.get("avgHr")), _ms(a.get("maxHr"))
    row = {
        "start": local, "sport": normalise_sport(_type_name(a)), "title": name,
        "duration_s": dur / 1000.0,
        "moving_s": min(mov, dur) / 1000.0 if not math.isnan(mov) and mov > 0 else dur / 1000.0,
        "distance_m": dist / 100.0 if not math.isnan(dist) and dist > 0 else math.nan,
        "elevation_gain_m": gain / 100.0 if not math.isnan(gain) and gain >= 0 else math.nan,
        "avg_hr": avg_hr if avg_hr > 0 else math.nan,
        "max_hr": max_hr if max_hr > 0 else math.nan,
        "calories": math.nan, "rpe": math.nan,
        "sets": _exercise_sets(a.get("summarizedExerciseSets")),
        "source_id": aid_s,
    }
    kids = a.get("childIds")
    children = tuple(str(int(c)) if isinstance(c, (int, float)) else str(c)
                     for c in kids) if isinstance(kids, list) else ()
    return _Activity(aid_s, row, start_utc, file, children), ""


def _load_json(raw: bytes, name: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UnreadableFile(f"{name} is not readable JSON ({type(exc).__name__}); the export "
                             "may be damaged.") from exc


# ------------------------------------------------------------------------------ wellness

def _wellness_rows(kind: str, payload: Any, file: str) -> tuple[list[dict[str, Any]], int]:
    """Rows (date, metric, value, source_file) of one wellness file and how many records had
    no measurement (0 or missing values, which Garmin writes for days without one)."""
    rows: list[dict[str, Any]] = []
    empty = 0
    items = payload if isinstance(payload, list) else [payload]

    def add(day: Any, metric: str, value: float) -> None:
        nonlocal empty
        d = pd.to_datetime(str(day)[:10], format="%Y-%m-%d", errors="coerce") \
            if day is not None else pd.NaT
        if pd.isna(d) or math.isnan(value) or value <= 0:
            empty += 1
            return
        rows.append({"date": d, "metric": metric, "value": float(value), "source_file": file})

    for r in items:
        if not isinstance(r, dict):
            continue
        if kind == "uds":
            add(r.get("calendarDate"), "resting_hr_bpm", _ms(r.get("restingHeartRate")))
        elif kind == "sleep":
            parts = [_ms(r.get(k)) for k in ("deepSleepSeconds", "lightSleepSeconds",
                                             "remSleepSeconds")]
            known = [p for p in parts if not math.isnan(p)]
            add(r.get("calendarDate"), "sleep_s", sum(known) if known else math.nan)
        elif kind == "health":
            metrics = r.get("metrics")
            hrv = math.nan
            if isinstance(metrics, list):
                for m in metrics:
                    if isinstance(m, dict) and str(m.get("type", "")).upper() == "HRV":
                        hrv = _ms(m.get("value"))
            add(r.get("calendarDate"), "hrv_ms", hrv)
        elif kind == "bio":
            w = r.get("weight")
            meta = r.get("metaData") if isinstance(r.get("metaData"), dict) else {}
            if isinstance(w, dict):
                day = meta.get("calendarDate") or w.get("calendarDate")
                if day is None:
                    ts = _epoch_ms(w.get("timestampGMT"))
                    day = ts.date().isoformat() if ts else None
                grams = _ms(w.get("weight"))
                add(day, "weight_kg", grams / 1000.0 if not math.isnan(grams) else math.nan)
    return rows, empty


def _finish_wellness(rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    """One value per day and metric (the last file wins), implausible values left out."""
    if not rows:
        return empty_wellness(), []
    df = pd.DataFrame(rows)
    notes = []
    keep = np.ones(len(df), dtype=bool)
    for metric, (unit, (lo, hi)) in WELLNESS_METRICS.items():
        sel = (df["metric"] == metric).to_numpy()
        bad = sel & ~df["value"].between(lo, hi).to_numpy()
        if bad.any():
            notes.append(f"{int(bad.sum())} {metric.rsplit('_', 1)[0].replace('_', ' ')} "
                         f"value(s) outside {lo:g}–{hi:g} {unit} were left out.")
        keep &= ~bad
    df = df.loc[keep].drop_duplicates(["date", "metric"], keep="last")
    df = df.sort_values(["date", "metric"]).reset_index(drop=True)
    df["date"] = df["date"].astype("datetime64[ns]")
    df["metric"] = df["metric"].astype("str")
    df["source_file"] = df["source_file"].astype("str")
    return df[list(WELLNESS_COLUMNS)], notes


# ------------------------------------------------------------------------------ the export

@dataclass
class _Plan:
    activities: list[_Activity]
    fit_refs: list[tuple[int, _Ref]]        # (container index, member)
    wellness: pd.DataFrame
    skipped: list[SkippedRow]
    notes: list[str]
    warnings: list[str]
    unreadable: list[str]
    counts: dict[str, int]
    key: str


class GarminExport:
    """An opened export (use :func:`open_export`): its identity ``key``, its ``n_parts``, and
    :meth:`parts` to read it part by part."""

    def __init__(self, name: str, ctx: ReadContext, containers: list[_Container],
                 plan: _Plan, stack: ExitStack) -> None:
        self.name = name
        self.ctx = ctx
        self._containers = containers
        self._plan = plan
        self._stack = stack
        self.part_files = PART_FILES

    @property
    def key(self) -> str:
        """Identity of this export's content (member names, sizes and checksums + summaries)."""
        return self._plan.key

    @property
    def parts_key(self) -> str:
        """Identity of this export cut into parts of :attr:`part_files` (what a resumable
        import records: the same content cut differently is a different list of parts)."""
        return f"{self.key}/{self.part_files}"

    def _part_sha(self, index: int) -> str:
        return sha1_bytes(f"{self.parts_key}:{index}".encode())

    @property
    def n_activities(self) -> int:
        return len(self._plan.activities)

    @property
    def n_files(self) -> int:
        return len(self._plan.fit_refs)

    @property
    def n_parts(self) -> int:
        return math.ceil(len(self._plan.fit_refs) / self.part_files) + 1

    def parts(self, skip: Sequence[int] = (), matched_before: Sequence[str] = (),
              ) -> Iterator[ExportPart]:
        """The parts not in ``skip``, in order. ``matched_before``: activity ids matched by FIT
        files of skipped parts (so the last part does not repeat them without their FIT data).
        """
        plan, ctx = self._plan, self.ctx
        skip_set = set(skip)
        matched: set[str] = set(matched_before)
        by_id = {a.activity_id: a for a in plan.activities}
        starts = sorted((a.start_utc, a.activity_id) for a in plan.activities
                        if a.start_utc is not None)
        start_s = np.array([(t - _EPOCH).total_seconds() for t, _ in starts], dtype=float)
        start_ids = [i for _, i in starts]
        n = self.n_parts
        total_files = max(1, len(plan.fit_refs))
        for index in range(n):
            if index in skip_set:
                continue
            if index == n - 1:
                ctx.report_progress(0.97, "summaries without a FIT file and wellness rows")
                yield self._last_part(index, n, matched, by_id)
                ctx.report_progress(1.0, "done")
                continue
            refs = plan.fit_refs[index * self.part_files:(index + 1) * self.part_files]
            first = index * self.part_files
            span = 0.95 * len(refs) / total_files
            start = 0.02 + 0.95 * first / total_files
            part, ids = self._fit_part(index, n, refs, by_id, start_s, start_ids, start, span)
            matched |= set(ids)
            yield part

    # -- a part of FIT files
    def _fit_part(self, index: int, n: int, refs: list[tuple[int, _Ref]],
                  by_id: dict[str, _Activity], start_s: np.ndarray, start_ids: list[str],
                  start: float, span: float) -> tuple[ExportPart, list[str]]:
        ctx = self.ctx
        jobs: list[tuple[str, bytes]] = []
        readable: list[_Ref] = []
        failures: list[str] = []
        for ci, ref in refs:
            try:
                raw = self._containers[ci].read(ref)
            except _OverBudget:
                raise
            except UnreadableFile as exc:
                failures.append(exc.message)
                continue
            jobs.append((ref.base, raw))
            readable.append(ref)
        enriched: dict[str, dict[str, Any]] = {}
        added_kinds = {"sets": 0, "sport": 0, "heart rate": 0, "moving time": 0,
                       "calories": 0}
        extras: list[tuple[str, str, Summary]] = []
        merged_files = 0
        what = "FIT files" + (f" of part {index + 1} of {n}" if n > 2 else "")
        done = sz._read_jobs(jobs, ctx, what,
                             start, span, sz._summarise_one)
        for i, res in done:
            ref = readable[i]
            if isinstance(res, str):
                failures.append(res if ref.display in res or ref.base in res
                                else f"{ref.display}: {res}")
                continue
            fmt, summary = res
            targets = self._match(summary.rows, start_s, start_ids)
            if not any(targets):
                extras.append((fmt, ref.display, summary))
                continue
            merged_files += 1
            groups: dict[str, list[dict[str, Any]]] = {}
            current = next(t for t in targets if t)
            for row, t in zip(summary.rows, targets, strict=True):
                current = t or current
                groups.setdefault(current, []).append(row)
            for aid, rows in groups.items():
                rec = enriched.get(aid)
                if rec is None:
                    rec = dict(by_id[aid].row)
                    enriched[aid] = rec
                if any(parse_sets(r.get("sets")) for r in rows):
                    # the FIT file's sets are the real ones; the summary only has totals
                    rec["sets"] = "[]"
                for k in sz._enrich(rec, rows):
                    if k in added_kinds:
                        added_kinds[k] += 1
        frames = []
        ids = sorted(enriched)
        if ids:
            frames.append(self._summary_sessions([enriched[i] for i in ids],
                                                 [by_id[i].file for i in ids]))
        extra_n = 0
        if extras:
            extra = sz._extra_sessions(extras, ctx)
            extra["source_file"] = [f"{self.name}/{f}" for f in extra["source_file"]]
            frames.append(extra)
            extra_n = len(extra)
        sessions = _concat(frames)
        assumptions = []
        kinds = [f"{v} with {k}" for k, v in added_kinds.items() if v]
        if kinds:
            assumptions.append("FIT files added " + ", ".join(kinds) + " to the activity "
                               "summaries they match (each activity still counts once).")
        if extra_n:
            assumptions.append(f"{extra_n} session(s) of FIT files that match no activity "
                               "summary were imported on their own.")
        a, b = index * self.part_files + 1, index * self.part_files + len(refs)
        report = ExportReport(
            file_name=f"{self.name} [part {index + 1} of {n}: FIT files {a}-{b}]",
            format=f"Garmin Connect account export, FIT files {a}-{b} of {self.n_files}",
            sessions=sessions, assumptions=assumptions,
            warnings=[f"not read: {f}" for f in failures], merged_files=merged_files,
            unreadable=failures)
        report.content_sha1 = self._part_sha(index)
        return ExportPart(index, n, report, ids), ids

    def _match(self, rows: list[dict[str, Any]], start_s: np.ndarray,
               ids: list[str]) -> list[str]:
        """The activity id each FIT session row belongs to ("" for none)."""
        out = []
        for r in rows:
            t = r.get("start")
            if not isinstance(t, datetime) or not len(start_s):
                out.append("")
                continue
            x = (t.replace(tzinfo=None) - _EPOCH).total_seconds()
            j = int(np.searchsorted(start_s, x))
            best, gap = "", MATCH_S + 1
            for k in (j - 1, j):
                if 0 <= k < len(start_s) and abs(start_s[k] - x) < gap:
                    best, gap = ids[k], abs(start_s[k] - x)
            out.append(best if gap <= MATCH_S else "")
        return out

    def _summary_sessions(self, rows: list[dict[str, Any]], files: list[str]) -> pd.DataFrame:
        df = pd.DataFrame(rows)
        df["row_number"] = range(1, len(df) + 1)
        sessions, _dups = finish_sessions(df, self.ctx, source=SOURCE, file_name="")
        sessions["source_file"] = [f"{self.name}/{f}" for f in files[:len(sessions)]]
        return sessions

    # -- the last part
    def _last_part(self, index: int, n: int, matched: set[str],
                   by_id: dict[str, _Activity]) -> ExportPart:
        plan = self._plan
        rest = [a for a in plan.activities if a.activity_id not in matched]
        sessions = self._summary_sessions([a.row for a in rest], [a.file for a in rest]) \
            if rest else empty_sessions()
        c = plan.counts
        fmt = (f"Garmin Connect account export: {len(plan.activities)} activities in "
               f"{c['summary_files']} summary file(s), {len(plan.fit_refs)} uploaded activity "
               f"file(s) in {c['nested']} zip(s)")
        assumptions = list(plan.notes)
        if len(matched):
            assumptions.append(f"{len(matched & set(by_id))} activities were joined to their "
                               "FIT file in the earlier parts of this import.")
        report = ExportReport(
            file_name=f"{self.name}" + (f" [part {index + 1} of {n}: summaries and wellness]"
                                        if n > 1 else ""),
            format=fmt, sessions=sessions, skipped=list(plan.skipped), assumptions=assumptions,
            warnings=list(plan.warnings) + [f"not read: {f}" for f in plan.unreadable],
            wellness=plan.wellness.copy(), unreadable=list(plan.unreadable))
        report.content_sha1 = self._part_sha(index)
        return ExportPart(index, n, report, [])

    def read_all(self) -> ExportReport:
        """Every part combined into one report (what :func:`read` returns)."""
        parts = list(self.parts())
        last = parts[-1].report
        frames = [p.report.sessions for p in parts if len(p.report.sessions)]
        sessions = _concat(frames)
        dup = sessions["session_id"].duplicated()
        warnings = []
        if dup.any():
            warnings.append(f"{int(dup.sum())} session(s) arrived twice (two uploads of one "
                            "activity) and were imported once.")
            sessions = sessions.loc[~dup].reset_index(drop=True)
        sessions = normalise(sessions)[list(COLUMNS)]
        validate(sessions)
        unreadable = [u for p in parts for u in p.report.unreadable]
        merged = sum(p.report.merged_files for p in parts)
        assumptions = [a for a in last.assumptions if "earlier parts" not in a]
        for p in parts[:-1]:
            assumptions += p.report.assumptions
        if merged:
            assumptions.append(f"{merged} FIT file(s) were merged into the activity summaries "
                               "they match.")
        if not len(sessions) and not len(last.wellness):
            raise ImportRefused(
                f"{self.name} is a Garmin Connect export without any activity or wellness "
                "data Stridewise could read" + (f"; first problem: {unreadable[0]}"
                                                 if unreadable else "."),
                kind="Garmin export without activities")
        report = ExportReport(
            file_name=self.name, format=last.format, sessions=sessions,
            skipped=list(last.skipped), assumptions=_merge_counts(assumptions),
            warnings=warnings + [w for w in last.warnings if not w.startswith("not read: ")]
            + [f"not read: {u}" for u in unreadable],
            wellness=last.wellness, merged_files=merged, unreadable=unreadable)
        return report


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_sessions()
    out = pd.concat(frames, ignore_index=True)
    return normalise(out)[list(COLUMNS)]


def _merge_counts(lines: list[str]) -> list[str]:
    """Repeated per-part sentences kept once (their counts are per part)."""
    return list(dict.fromkeys(lines))


@contextmanager
def open_export(source: bytes | str | Path, ctx: ReadContext, file_name: str = "",
                part_files: int = PART_FILES) -> Iterator[GarminExport]:
    """Open an export (zip bytes, a zip path, or an unpacked folder) and plan its reading.

    Reads the member list, the activity summaries and the wellness files; the FIT files are
    read by :meth:`GarminExport.parts`. Raises ``ImportRefused`` for a zip/folder that is not
    a Garmin export or holds no activity summaries and no uploaded files.
    """
    ctx.zone()
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "export.zip")
    budget = _Budget(MAX_UNPACKED_BYTES, sz.MAX_MEMBERS, name)
    with ExitStack() as stack:
        if isinstance(source, bytes):
            root: _Container = _ZipContainer.open(source, name, budget)
        else:
            p = Path(source)
            if p.is_dir():
                root = _DirContainer(p, name, budget)
            else:
                try:
                    fh = stack.enter_context(p.open("rb"))
                except OSError as exc:
                    raise UnreadableFile(f"{p} cannot be opened: {exc.strerror or exc}.") \
                        from exc
                root = _ZipContainer.open(fh, name, budget)
        if isinstance(root, _ZipContainer):
            stack.callback(root.close)
        plan, containers = _plan(root, name, ctx, stack)
        export = GarminExport(name, ctx, containers, plan, stack)
        export.part_files = max(1, int(part_files))
        yield export


def _plan(root: _Container, name: str, ctx: ReadContext, stack: ExitStack
          ) -> tuple[_Plan, list[_Container]]:
    refs = root.refs()
    if not is_export_names([r.path for r in refs]):
        raise ImportRefused(f"{name} is not a Garmin Connect account export (it has no "
                            "DI_CONNECT folder and no summarizedActivities file).",
                            kind="not a Garmin export")
    containers: list[_Container] = [root]
    unreadable: list[str] = []
    notes: list[str] = []
    warnings: list[str] = []
    ctx.report_progress(0.0, "reading the export's file list")
    fit_refs: list[tuple[int, _Ref]] = []
    by_kind: dict[str, list[_Ref]] = {}
    for r in sorted(refs, key=lambda r: r.norm):
        by_kind.setdefault(_kind(r.norm), []).append(r)
    # nested zips of uploaded files (one level; deeper zips are reported, not opened)
    tmpdir = None
    for r in by_kind.get("nested", []):
        try:
            if isinstance(root, _DirContainer):
                inner = _ZipContainer.open(root.path_of(r), r.display, root.budget, r.path)
            else:
                if tmpdir is None:
                    tmpdir = stack.enter_context(tempfile.TemporaryDirectory(
                        prefix="stridewise-garmin-"))
                fh = stack.enter_context(open(Path(tmpdir) / f"{len(containers)}.zip", "w+b"))
                root.copy_to(r, fh, MAX_NESTED_ZIP_BYTES)
                fh.flush()
                fh.seek(0)
                inner = _ZipContainer.open(fh, f"{r.base} in {name}", root.budget, r.path)
        except _OverBudget:
            raise
        except UnreadableFile as exc:
            unreadable.append(exc.message)
            continue
        stack.callback(inner.close)
        ci = len(containers)
        containers.append(inner)
        for ir in sorted(inner.refs(), key=lambda x: x.norm):
            k = _kind(ir.norm)
            if k == "fit":
                fit_refs.append((ci, ir))
            elif k == "nested":
                unreadable.append(f"{ir.display} is a zip inside a zip inside {name}; "
                                  f"Stridewise opens only {MAX_NESTING} level of zips inside "
                                  "an export.")
    fit_refs += [(0, r) for r in by_kind.get("fit", [])]
    # activity summaries
    seen: dict[str, _Activity] = {}
    skipped: list[SkippedRow] = []
    summary_hash = hashlib.sha1()
    n_records = dups = 0
    for r in by_kind.get("summaries", []):
        try:
            raw = root.read(r)
            payload = _load_json(raw, r.display)
        except _OverBudget:
            raise
        except UnreadableFile as exc:
            unreadable.append(exc.message)
            continue
        summary_hash.update(raw)
        for a in _activity_records(payload):
            n_records += 1
            act, why = _parse_activity(a, r.path, ctx.tz)
            if act is None:
                skipped.append(SkippedRow(n_records, f"{r.base}: {why}, so it was not imported."))
                continue
            if act.activity_id in seen:
                dups += 1
            seen[act.activity_id] = act
    activities = list(seen.values())
    parents = [a for a in activities if a.children and any(c in seen for c in a.children)]
    if parents:
        drop = {a.activity_id for a in parents}
        activities = [a for a in activities if a.activity_id not in drop]
        notes.append(f"{len(parents)} multisport activit{'y' if len(parents) == 1 else 'ies'} "
                     "counted by their parts (the parts are listed as activities).")
    if dups:
        warnings.append(f"{dups} activit{'y' if dups == 1 else 'ies'} listed twice in the "
                        "summaries were imported once.")
    # plausibility (same rules as every importer), per activity
    kept: list[_Activity] = []
    for a in activities:
        rows, problems = clean_rows([a.row])
        if not rows:
            skipped.append(SkippedRow(None, f"activity {a.activity_id}: {problems[0]}"))
            continue
        warnings += [f"activity {a.activity_id}: {p}" for p in problems]
        a.row = rows[0]
        kept.append(a)
    activities = sorted(kept, key=lambda a: (a.row["start"], a.activity_id))
    # wellness
    w_rows: list[dict[str, Any]] = []
    empty: dict[str, int] = {}
    for kind in ("uds", "sleep", "health", "bio"):
        for r in by_kind.get(kind, []):
            try:
                payload = _load_json(root.read(r), r.display)
            except _OverBudget:
                raise
            except UnreadableFile as exc:
                unreadable.append(exc.message)
                continue
            rows, n_empty = _wellness_rows(kind, payload, r.path)
            w_rows += rows
            empty[kind] = empty.get(kind, 0) + n_empty
    wellness, w_notes = _finish_wellness(w_rows)
    warnings += w_notes
    if len(wellness):
        per = wellness["metric"].value_counts()
        label = {"resting_hr_bpm": "day(s) of resting heart rate",
                 "sleep_s": "night(s) of sleep", "hrv_ms": "night(s) of HRV",
                 "weight_kg": "day(s) with body weight"}
        notes.append("wellness context: " + ", ".join(
            f"{int(per[m])} {label[m]}" for m in WELLNESS_METRICS if m in per) + ".")
    if sum(empty.values()):
        notes.append(f"{sum(empty.values())} daily wellness record(s) without a measurement "
                     "(Garmin writes 0 or nothing for those days) were not stored.")
    if not activities and not fit_refs and not len(wellness):
        first = unreadable[0] if unreadable else "it has no summarizedActivities file"
        raise ImportRefused(f"{name} is a Garmin Connect export without any activity or "
                            f"wellness data Stridewise could read; first problem: {first}",
                            kind="Garmin export without activities")
    if activities:
        notes.insert(0, _UNITS_NOTE)
        notes.append(_CALORIES_NOTE)
        notes.append("start times are the local times Garmin recorded for each activity.")
    other = sum(len(v) for k, v in by_kind.items() if k == "other")
    if other:
        notes.append(f"{other} other export file(s) (profile, gear, devices, metrics, ...) hold "
                     "no training sessions and were not read.")
    key = hashlib.sha1()
    for r in sorted(refs, key=lambda r: r.norm):
        key.update(f"{r.norm}\x1f{r.size}\x1f{r.crc}\n".encode())
    key.update(summary_hash.digest())
    ctx.report_progress(0.02, f"{len(activities)} activity summaries, {len(fit_refs)} files")
    return _Plan(activities, fit_refs, wellness, skipped, notes, warnings, unreadable,
                 {"summary_files": len(by_kind.get("summaries", [])),
                  "nested": len(containers) - 1}, key.hexdigest()), containers


# ------------------------------------------------------------------------------ entry points

def read(data: bytes, file_name: str, ctx: ReadContext) -> ExportReport:
    """Read a Garmin export zip (bytes) into one report (sessions + wellness)."""
    with open_export(data, ctx, file_name) as export:
        return export.read_all()


def read_path(path: str | Path, ctx: ReadContext) -> ExportReport:
    """Read a Garmin export zip file or unpacked folder from disk (no size limit on the zip
    itself: it is read member by member, never into memory as a whole)."""
    p = Path(path)
    try:
        with open_export(p, ctx, p.name) as export:
            report = export.read_all()
    except StridewiseError:
        raise
    except (RecursionError, MemoryError) as exc:  # pragma: no cover - pathological input
        raise UnreadableFile(f"{p.name} could not be read: it is too deeply nested or "
                             "large.") from exc
    report.content_sha1 = export.key
    return report


