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


def days(first: str, n: int, *, hour: int = 7, step_days: int = 1,
         first_day: int = 0) -> list[pd.Timestamp]:
    """``n`` start times, one every ``step_days`` days at ``hour``:00 from ``first`` (+
    ``first_day`` days)."""
    t0 = pd.Timestamp(first) + pd.Timedelta(hours=hour) + pd.Timedelta(days=first_day)
    return [t0 + pd.Timedelta(days=i * step_days) for i in range(n)]


def shifted(starts: Sequence[pd.Timestamp], seconds: float) -> list[pd.Timestamp]:
    return [t + pd.Timedelta(seconds=seconds) for t in starts]


# --------------------------------------------------------------------------- worker processes
# (module-level so that multiprocessing's spawn start method can import them)

N_WORKERS = 8


def concurrent_reports(i: int) -> list[ImportReport]:
    """What worker ``i`` imports: its Strava export (days 20i .. 20i+99, 07:00), a Garmin export
    of some of the same runs (days 20i+50 .. 20i+79, 90 s later, with heart rate) plus evening
    sessions only Garmin has (days 20i .. 20i+29, 18:00), and its neighbour's Strava export
    (the very same file as worker i+1 imports)."""

    def strava(k: int) -> ImportReport:
        return report("ana", "strava_csv", days("2024-01-01", 100, hour=7, first_day=20 * k),
                      file_name=f"strava_{k}.csv", title="Run")

    mornings = [pd.Timestamp("2024-01-01 07:01:30") + pd.Timedelta(days=20 * i + 50 + d)
                for d in range(30)]
    evenings = [pd.Timestamp("2024-01-01 18:00") + pd.Timedelta(days=20 * i + d)
                for d in range(30)]
    garmin = report("ana", "garmin_csv", mornings + evenings, file_name=f"garmin_{i}.csv",
                    sport=["run"] * 30 + ["strength"] * 30, duration_s=3550.0, avg_hr=145.0)
    return [strava(i), garmin, strava((i + 1) % N_WORKERS)]


def concurrent_worker(url: str, i: int, barrier: Any) -> None:
    """Open the store and import worker ``i``'s reports once every worker is ready."""
    from stridewise.store import Store

    reports = concurrent_reports(i)
    barrier.wait(timeout=300)
    store = Store(url)
    for rep in reports:
        store.import_report(rep, athlete="ana")
    store.close()


def crashing_worker(url: str, stage: str) -> None:
    """Import a report and die (os._exit) at ``stage`` inside the transaction."""
    import os

    from stridewise.store import Store

    store = Store(url)

    def die(name: str) -> None:
        if name == stage:
            os._exit(3)

    store.checkpoint = die
    store.import_report(report("ana", "garmin_csv", days("2024-01-01", 40), avg_hr=150.0),
                        athlete="ana")
    os._exit(0)  # pragma: no cover - the import must not get here
