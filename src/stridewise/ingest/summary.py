"""Session summaries of one activity file, before they become a DataFrame.

The activity-file importers (FIT, TCX, GPX) first produce a :class:`Summary`: plain row dicts
with the canonical fields and ``start`` as naive UTC, plus the notes for the report. ``read``
turns it into an :class:`ImportReport`; the Strava zip reader uses summaries directly to enrich
``activities.csv`` rows without building one DataFrame per file (that is much faster for
exports with thousands of files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from stridewise.ingest.base import ImportReport, ReadContext, finish_sessions, utc_to_local


@dataclass
class Summary:
    """rows: canonical field dicts, ``start`` naive UTC. fmt: human format text."""

    fmt: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def rows_frame(rows: list[dict[str, Any]], tz: str) -> pd.DataFrame:
    """Row dicts (UTC starts) -> a DataFrame with starts on the athlete's wall clock."""
    df = pd.DataFrame(rows)
    df["start"] = utc_to_local(df["start"], tz)
    return df


def to_report(summary: Summary, file_name: str, ctx: ReadContext, source: str) -> ImportReport:
    sessions, skipped = finish_sessions(rows_frame(summary.rows, ctx.tz), ctx, source=source,
                                        file_name=file_name)
    assumptions = list(summary.assumptions)
    if ctx.tz != "UTC":
        assumptions.append(f"start times converted from UTC to {ctx.tz}.")
    return ImportReport(file_name=file_name, format=summary.fmt, sessions=sessions,
                        skipped=skipped, assumptions=assumptions, warnings=list(summary.warnings))
