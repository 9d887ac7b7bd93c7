"""Types shared by every importer: the read context, the import report, and the finishing step.

An importer turns file bytes into an :class:`ImportReport` whose ``sessions`` follow the
canonical schema (``stridewise.schema``) with ``area`` left empty for the classifier.
Importers raise only :class:`~stridewise.errors.StridewiseError` subclasses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from stridewise.errors import UsageError
from stridewise.schema import (
    COLUMNS,
    frame_from_arrays,
    normalise_arrays,
    validate_arrays,
)

Units = Literal["km", "mi"]
DateOrder = Literal["DMY", "MDY", "YMD"]
#: progress(fraction 0..1, short text) — called by slow importers (zips, big FIT sets).
Progress = Callable[[float, str], None]

#: Typical moving pace, seconds per km, used when a file has no timed session of a sport to
#: learn the pace from (an easy run, a walk, a steady ride, an easy swim).
DEFAULT_PACE_S_PER_KM: dict[str, float] = {
    "run": 360.0, "trail_run": 420.0, "treadmill_run": 360.0, "track_run": 300.0,
    "virtual_run": 360.0, "walk": 720.0, "hike": 900.0, "ride": 144.0,
    "mountain_bike": 200.0, "gravel_ride": 160.0, "virtual_ride": 135.0, "e_bike": 130.0,
    "swim": 1500.0, "open_water_swim": 1500.0,
}

#: Largest file accepted, in bytes (also the Streamlit upload limit in .streamlit/config.toml).
MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ReadContext:
    """What an importer needs besides the bytes.

    athlete: name the sessions are filed under. tz: IANA zone used to turn UTC times (Strava CSV,
    FIT, GPX) into the athlete's wall clock. units: distance unit where a file does not state it
    (None = infer and report). date_order: for ambiguous numeric dates (None = infer).
    mapping: canonical field -> column name for a generic CSV (from the mapping form).
    mapping_profiles: saved mappings keyed by header signature (see ``header_signature``).
    """

    athlete: str = "me"
    tz: str = "UTC"
    units: Units | None = None
    date_order: DateOrder | None = None
    mapping: Mapping[str, str] | None = None
    mapping_profiles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    progress: Progress | None = None

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise UsageError(f"'{self.tz}' is not a time zone name such as Europe/Berlin.") from exc

    def report_progress(self, fraction: float, text: str) -> None:
        if self.progress is not None:
            self.progress(max(0.0, min(1.0, fraction)), text)


@dataclass(frozen=True)
class SkippedRow:
    """A row (1-based line number in the file, or record number) not imported, and why."""

    row: int | None
    reason: str


@dataclass
class ImportReport:
    """The outcome of reading one file.

    format: human name of what was recognised ("Strava activities.csv, 79 columns, English").
    sessions: canonical sessions (area empty). skipped: rows left out with reasons.
    assumptions: what was assumed ("distances read as miles because ..."). warnings: what was
    lost or odd ("file ends early; the last lap is missing"). units: the distance unit used,
    where the file needed one.
    """

    file_name: str
    format: str
    sessions: pd.DataFrame
    skipped: list[SkippedRow] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    units: Units | None = None
    content_sha1: str = ""

    @property
    def n_sessions(self) -> int:
        return int(len(self.sessions))

    def summary_lines(self) -> list[str]:
        """The report in plain lines, as the CLI prints it."""
        lines = [f"{self.file_name}: {self.format}",
                 f"  sessions imported: {self.n_sessions}"]
        if self.skipped:
            lines.append(f"  rows skipped: {len(self.skipped)}")
            for s in self.skipped[:50]:
                where = f"row {s.row}" if s.row is not None else "record"
                lines.append(f"    {where}: {s.reason}")
            if len(self.skipped) > 50:
                lines.append(f"    ... and {len(self.skipped) - 50} more")
        lines += [f"  assumed: {a}" for a in self.assumptions]
        lines += [f"  note: {w}" for w in self.warnings]
        return lines


def sha1_bytes(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def utc_to_local(times: pd.Series, tz: str) -> pd.Series:
    """Naive UTC date-times -> naive wall-clock date-times in ``tz`` (DST-aware)."""
    t = pd.to_datetime(times, errors="coerce")
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    ZoneInfo(tz) if tz != "UTC" else None  # raises for an unknown zone
    return t.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)


def _session_ids(athlete: str, source: str, cols: dict[str, np.ndarray]) -> np.ndarray:
    """Vectorised :func:`~stridewise.schema.make_session_id` over a file's rows.

    Identity: the source's own id where it has one, else start time + sport + rounded duration.
    """
    sid = cols["source_id"].astype(str)
    keys = sid.astype(object)
    no_id = np.flatnonzero(sid == "")
    if len(no_id):
        start = (pd.Series(cols["start"][no_id]).dt.strftime("%Y-%m-%dT%H:%M:%S")
                 .fillna("NaT").to_numpy(dtype=str))
        dur = cols["duration_s"][no_id]
        dur_text = np.where(np.isnan(dur), "",
                            np.round(np.nan_to_num(dur)).astype(np.int64).astype(str))
        keys[no_id] = start + "\x1f" + cols["sport"][no_id].astype(str) + "\x1f" + dur_text
    # same text as make_session_id(athlete, source, key), hashed in one pass
    prefix = "\x1f".join([athlete.strip().casefold(), source, ""])
    sha1 = hashlib.sha1
    return np.array([sha1((prefix + k).encode("utf-8")).hexdigest()[:16] for k in keys],
                    dtype=object)


def finish_sessions(rows: pd.DataFrame, ctx: ReadContext, *, source: str,
                    file_name: str) -> tuple[pd.DataFrame, list[SkippedRow]]:
    """Turn an importer's rows into validated canonical sessions.

    ``rows`` holds any subset of the canonical columns (``start`` already on the athlete's wall
    clock). Sets ``athlete``, ``source``, ``source_file``; derives ``session_id`` from
    ``source`` + ``source_id`` where the source has an id, else from the start time, sport and
    duration; leaves ``area`` empty; validates. Does not mutate ``rows``.

    An optional ``row_number`` column (the row's line in the file) is used to report rows that
    repeat an earlier session of the same file; those come back as skipped rows, never dropped
    silently. Returns (sessions, skipped).
    """
    cols = normalise_arrays(rows, {"athlete": ctx.athlete, "source": source,
                                   "source_file": file_name, "area": ""})
    ids = _session_ids(ctx.athlete, source, cols)
    cols["session_id"] = ids
    skipped: list[SkippedRow] = []
    keep = ~pd.Series(ids).duplicated(keep="first").to_numpy()
    if not keep.all():
        nums = (rows["row_number"].to_numpy() if "row_number" in rows.columns
                else np.full(len(rows), None))
        for i in np.flatnonzero(~keep):
            n = nums[i]
            skipped.append(SkippedRow(None if pd.isna(n) else int(n),
                                      "repeats an earlier session of this file"))
        cols = {c: v[keep] for c, v in cols.items()}
        rows = rows.loc[keep]
    validate_arrays(cols)
    extras = rows.drop(columns=[c for c in rows.columns
                                if c in COLUMNS or c == "row_number"]).reset_index(drop=True)
    out = frame_from_arrays(cols, extras)
    return out, skipped
