"""Store speed: import a squad's history and read it back as the Squad page does.

Default workload: 200 athletes x 5 years x ~5 sessions/week (about 260,000 sessions), one
Strava-like export per athlete imported in its own transaction; then ``Store.sessions()`` for
everyone (what the Squad page loads). Also times a Garmin export of one athlete's whole history
that merges into the stored sessions, and re-importing an overlapping export.

Runs on SQLite (a temp file) and on PostgreSQL: ``--pg-url URL``, else ``STRIDEWISE_TEST_PG_URL``,
else a throwaway server from scripts/pg_for_tests.sh (skipped with a note if that fails).

    PYTHONPATH=src python benchmarks/bench_store.py [--athletes 200] [--years 5] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stridewise.ingest.base import ImportReport  # noqa: E402
from stridewise.schema import make_session_id, normalise  # noqa: E402
from stridewise.store import Store  # noqa: E402

SPORTS = np.array(["run", "run", "run", "trail_run", "ride", "strength", "yoga", "swim"])


def athlete_sessions(name: str, years: int, per_week: float, seed: int,
                     source: str = "strava_csv", shift_s: float = 0.0) -> pd.DataFrame:
    """A deterministic canonical history for one athlete."""
    rng = np.random.default_rng(seed)
    days = int(years * 365.25)
    n = int(round(days / 7 * per_week))
    day = np.sort(rng.choice(days, size=n, replace=True))
    minute = rng.integers(6 * 60, 20 * 60, size=n)
    start = (pd.Timestamp("2020-01-01") + pd.to_timedelta(day, unit="D")
             + pd.to_timedelta(minute, unit="min") + pd.Timedelta(seconds=shift_s))
    # one session per start minute (two sessions in the same minute are one recording)
    keep = ~pd.Series(start).duplicated().to_numpy()
    start, n = start[keep], int(keep.sum())
    sport = SPORTS[rng.integers(0, len(SPORTS), size=n)]
    duration = rng.uniform(1200, 7200, size=n).round()
    ids = [str(10_000_000 + seed * 100_000 + i) for i in range(n)]
    df = pd.DataFrame({
        "athlete": name, "start": start, "sport": sport, "title": [f"{s} {i}" for i, s in
                                                                   enumerate(sport)],
        "duration_s": duration, "moving_s": duration * 0.95,
        "distance_m": np.where(np.isin(sport, ["strength", "yoga"]), np.nan, duration * 2.8),
        "avg_hr": rng.uniform(110, 165, size=n).round(),
        "rpe": np.where(rng.random(n) < 0.3, rng.integers(2, 9, size=n), np.nan),
        "source": source, "source_file": f"{source}_{name}.csv",
        "source_id": ids if source == "strava_csv" else "",
    })
    df = normalise(df)
    if source == "strava_csv":
        df["session_id"] = [make_session_id(name, source, i) for i in ids]
    else:
        df["session_id"] = [make_session_id(name, source, t.isoformat(), s, round(d))
                            for t, s, d in zip(df["start"], df["sport"], df["duration_s"],
                                               strict=True)]
    return df


def report(df: pd.DataFrame, tag: str) -> ImportReport:
    return ImportReport(file_name=str(df["source_file"].iloc[0]), format="benchmark",
                        sessions=df, content_sha1=f"{tag}-{uuid.uuid4().hex}")


def run(url: str, label: str, athletes: int, years: int, per_week: float) -> None:
    names = [f"Athlete {i:03d}" for i in range(athletes)]
    t = time.perf_counter()
    reports = [report(athlete_sessions(n, years, per_week, seed=i), "strava")
               for i, n in enumerate(names)]
    total = sum(r.n_sessions for r in reports)
    print(f"[{label}] generated {total:,} sessions for {athletes} athletes in "
          f"{time.perf_counter() - t:.1f} s (not part of the figures)")

    store = Store(url)
    t = time.perf_counter()
    for i, r in enumerate(reports):
        store.import_report(r, athlete=names[i])
    dt_import = time.perf_counter() - t
    print(f"[{label}] import: {dt_import:.1f} s for {total:,} sessions "
          f"({total / dt_import:,.0f} sessions/s, {dt_import / athletes * 1000:.0f} ms per "
          "athlete export)")

    for attempt in (1, 2):
        t = time.perf_counter()
        df = store.sessions()
        dt_read = time.perf_counter() - t
        print(f"[{label}] Squad read sessions() #{attempt}: {dt_read:.2f} s for {len(df):,} rows")
    assert len(df) == total, (len(df), total)

    t = time.perf_counter()
    one = store.sessions([names[0]])
    print(f"[{label}] one athlete's sessions(): {time.perf_counter() - t:.3f} s "
          f"({len(one):,} rows)")

    garmin = athlete_sessions(names[1], years, per_week, seed=1, source="garmin_csv",
                              shift_s=75)
    t = time.perf_counter()
    res = store.import_report(report(garmin, "garmin"), athlete=names[1])
    print(f"[{label}] Garmin copy of one athlete's history ({len(garmin):,} sessions) merged "
          f"in {time.perf_counter() - t:.2f} s: {res.merged:,} merged, {res.added} added")

    again = report(reports[2].sessions, "strava-again")
    t = time.perf_counter()
    res = store.import_report(again, athlete=names[2])
    print(f"[{label}] overlapping re-export of one athlete ({again.n_sessions:,} sessions) in "
          f"{time.perf_counter() - t:.2f} s: {res.unchanged:,} unchanged, {res.added} added")
    t = time.perf_counter()
    v = store.version()
    print(f"[{label}] version(): {1000 * (time.perf_counter() - t):.1f} ms (value {v})")
    store.close()


def _pg_url(explicit: str | None) -> tuple[str | None, str | None]:
    """(URL of an empty database, server folder to stop afterwards)."""
    base = explicit or os.environ.get("STRIDEWISE_TEST_PG_URL")
    folder = None
    if not base:
        folder = tempfile.mkdtemp(prefix="stridewise-bench-pg-")
        proc = subprocess.run(["bash", str(ROOT / "scripts" / "pg_for_tests.sh"), "start",
                               folder], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"[postgres] not available: {proc.stderr.strip()[-300:]}")
            shutil.rmtree(folder, ignore_errors=True)
            return None, None
        base = proc.stdout.strip().splitlines()[-1]
    u = sa.make_url(base)
    name = f"sw_bench_{uuid.uuid4().hex[:8]}"
    eng = sa.create_engine(u, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    eng.dispose()
    return u.set(database=name).render_as_string(hide_password=False), folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--athletes", type=int, default=200)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--per-week", type=float, default=5.0)
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--pg-url", default=None)
    args = ap.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "sqlite" in backends:
        folder = Path(tempfile.mkdtemp(prefix="stridewise-bench-"))
        try:
            run(str(folder / "bench.db"), "sqlite", args.athletes, args.years, args.per_week)
            size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            print(f"[sqlite] database files: {size:.0f} MB")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if "postgres" in backends:
        url, server = _pg_url(args.pg_url)
        if url:
            try:
                run(url, "postgres", args.athletes, args.years, args.per_week)
            finally:
                if server:
                    subprocess.run(["bash", str(ROOT / "scripts" / "pg_for_tests.sh"), "stop",
                                    server], capture_output=True)
                    shutil.rmtree(server, ignore_errors=True)


if __name__ == "__main__":
    main()
