"""Synthetic import reports for the store tests (canonical sessions built like an importer)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from stridewise.ingest.base import ImportReport, ReadContext, finish_sessions

SOURCES_WITH_IDS = {"strava_csv", "strava_zip"}


def report(athlete: str, source: str, starts: Sequence[Any], *, file_name: str | None = None,
           sport: str | Sequence[str] = "run", duration_s: float | Sequence[float] = 3600.0,
           source_ids: Sequence[str] | None = None, content: str | None = None,
           **columns: Any) -> ImportReport:
    """An ImportReport of ``source`` sessions starting at ``starts``.

    Sources with native ids (Strava) get ids derived from the start minute, so the same
    activity in two "exports" has the same id. ``columns`` adds canonical columns (scalars or
    sequences). ``content`` names the file's content for the content hash (default: the rows).
    """
    st = pd.to_datetime(pd.Series(list(starts), dtype=object)).astype("datetime64[ns]")
    rows = pd.DataFrame({"start": st, "sport": sport, "duration_s": duration_s})
    if source_ids is not None:
        rows["source_id"] = list(source_ids)
    elif source in SOURCES_WITH_IDS:
        rows["source_id"] = [str(int(t.timestamp()) // 60) for t in st]
    for k, v in columns.items():
        rows[k] = v if np.isscalar(v) or v is None else list(v)
    if "title" not in rows:
        rows["title"] = [f"{source} {t:%Y-%m-%d %H:%M}" for t in st]
    name = file_name or f"{source}.csv"
    sessions, skipped = finish_sessions(rows, ReadContext(athlete=athlete), source=source,
                                        file_name=name)
    text = content if content is not None else sessions.drop(columns=["source_file"]).to_csv()
    sha = hashlib.sha1(f"{source}\n{text}".encode()).hexdigest()
    return ImportReport(name, f"test {source}", sessions, skipped=skipped,
                        assumptions=[f"{source} assumption"], warnings=[], content_sha1=sha)


def days(first: str, n: int, *, hour: int = 7, step_days: int = 1) -> list[pd.Timestamp]:
    """``n`` start times, one every ``step_days`` days at ``hour``:00 from ``first``."""
    t0 = pd.Timestamp(first) + pd.Timedelta(hours=hour)
    return [t0 + pd.Timedelta(days=i * step_days) for i in range(n)]


def shifted(starts: Sequence[pd.Timestamp], seconds: float) -> list[pd.Timestamp]:
    return [t + pd.Timedelta(seconds=seconds) for t in starts]
