"""Session summaries of one activity file, before they become a DataFrame.

The activity-file importers (FIT, TCX, GPX) first produce a :class:`Summary`: plain row dicts
with the canonical fields and ``start`` as naive UTC, plus the notes for the report. ``read``
turns it into an :class:`ImportReport`; the Strava zip reader uses summaries directly to enrich
``activities.csv`` rows without building one DataFrame per file (that is much faster for
exports with thousands of files).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from stridewise.errors import ImportRefused
from stridewise.ingest.base import (
    DEFAULT_PACE_S_PER_KM,
    ImportReport,
    ReadContext,
    finish_sessions,
    utc_to_local,
)
from stridewise.schema import RANGES


@dataclass
class Summary:
    """rows: canonical field dicts, ``start`` naive UTC. fmt: human format text."""

    fmt: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


#: Times devices and converters write when they have no clock: the most negative 32-bit Unix
#: time, Unix 0, and the FIT epoch (a FIT timestamp of 0).
PLACEHOLDER_TIMES: frozenset[datetime] = frozenset({
    datetime(1901, 12, 13, 20, 45, 52), datetime(1970, 1, 1), datetime(1989, 12, 31)})
#: GPS time starts on 1980-01-06: no satellite-timed recording is older.
GPS_EPOCH = datetime(1980, 1, 6)


def is_real_time(t: datetime | None) -> bool:
    """False for None, placeholder times and anything before the GPS epoch (naive UTC)."""
    return t is not None and t not in PLACEHOLDER_TIMES and GPS_EPOCH <= t and t.year <= 2200


def placeholder_note(t: datetime) -> str:
    """Why a time is not a date: for reports."""
    if t in PLACEHOLDER_TIMES:
        return (f"{t:%Y-%m-%d %H:%M:%S} is the placeholder devices write when they have no "
                "clock time, not a real date")
    return f"{t:%Y-%m-%d %H:%M:%S} lies before GPS time began (1980), so it is not a real date"


def clean_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Drop rows without a usable start or duration; blank implausible optional values.

    Returns the kept rows (copies) and one warning per problem, so that damaged files never
    reach schema validation with impossible numbers.
    """
    kept: list[dict[str, Any]] = []
    warnings: list[str] = []
    lo_d, hi_d = RANGES["duration_s"]
    for row in rows:
        start = row.get("start")
        if not isinstance(start, datetime) or not 1900 <= start.year <= 2200:
            warnings.append("A session without a usable start time was left out.")
            continue
        if not is_real_time(start):
            warnings.append(f"A session was left out: its start, {placeholder_note(start)}, "
                            "and the file holds no other time to date it by.")
            continue
        dur = row.get("duration_s")
        dist = row.get("distance_m")
        no_time = dur is None or (isinstance(dur, (int, float))
                                  and (math.isnan(dur) or dur <= 0))
        pace = DEFAULT_PACE_S_PER_KM.get(str(row.get("sport", "")))
        if no_time and isinstance(dist, (int, float)) and math.isfinite(dist) \
                and 0 < dist <= RANGES["distance_m"][1] and pace is not None:
            # A session with a distance is a session: its duration is estimated and marked.
            dur = dist / 1000.0 * pace
            row = {**row, "duration_s": dur, "moving_s": dur, "duration_estimated": True}
            warnings.append(f"The session starting {start:%Y-%m-%d %H:%M} has a distance but "
                            "no recorded time; it was kept with its duration estimated at a "
                            f"typical {str(row['sport']).replace('_', ' ')} pace "
                            f"({int(pace // 60)}:{int(pace % 60):02d} per km) and marked "
                            "duration_estimated, so its minutes and load are estimates.")
        mov = row.get("moving_s")
        if isinstance(dur, (int, float)) and math.isfinite(dur) and dur > hi_d \
                and isinstance(mov, (int, float)) and math.isfinite(mov) and 0 < mov <= hi_d:
            # A clock that jumped (27 days elapsed, 2 h timer): the timer time is the session.
            warnings.append(f"The session starting {start:%Y-%m-%d %H:%M} has an elapsed time "
                            f"of {dur / 86400:.1f} days, which is not plausible; its moving "
                            f"(timer) time of {mov / 60:.0f} min was used instead.")
            dur = mov
            row = {**row, "duration_s": mov}
        if not isinstance(dur, (int, float)) or not math.isfinite(dur) or not lo_d <= dur <= hi_d:
            warnings.append(f"The session starting {start:%Y-%m-%d %H:%M} has no plausible "
                            "duration and was left out.")
            continue
        out = dict(row)
        for col, (lo, hi) in RANGES.items():
            v = out.get(col)
            if col == "duration_s" or v is None:
                continue
            if not isinstance(v, (int, float)) or (math.isfinite(v) and not lo <= v <= hi) \
                    or math.isinf(v):
                warnings.append(f"The session starting {start:%Y-%m-%d %H:%M} has an "
                                f"implausible {col.replace('_', ' ')} ({v}); it was left empty.")
                out[col] = math.nan
        kept.append(out)
    return kept, warnings


def rows_frame(rows: list[dict[str, Any]], tz: str) -> pd.DataFrame:
    """Row dicts (UTC starts) -> a DataFrame with starts on the athlete's wall clock."""
    df = pd.DataFrame(rows)
    df["start"] = utc_to_local(df["start"], tz)
    return df


def to_report(summary: Summary, file_name: str, ctx: ReadContext, source: str) -> ImportReport:
    """A summary -> the import report (starts converted to ``ctx.tz``, rows validated)."""
    rows, notes = clean_rows(summary.rows)
    if not rows:
        raise ImportRefused(f"{file_name} holds no session with a usable start and duration: "
                            f"{notes[0] if notes else 'it is empty'}", kind="no usable sessions")
    sessions, skipped = finish_sessions(rows_frame(rows, ctx.tz), ctx, source=source,
                                        file_name=file_name)
    assumptions = list(summary.assumptions)
    if ctx.tz != "UTC":
        assumptions.append(f"start times converted from UTC to {ctx.tz}.")
    return ImportReport(file_name=file_name, format=summary.fmt, sessions=sessions,
                        skipped=skipped, assumptions=assumptions,
                        warnings=list(summary.warnings) + notes)
