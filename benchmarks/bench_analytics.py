"""Benchmark: weekly volume and all daily risk metrics for a synthetic squad.

200 athletes x 5 years (about 330,000 sessions: runs on most days, strength, stability,
plyometrics and yoga sessions in between). Times session parts + weekly volume + the daily risk
table (every metric of DESIGN §4 and the heuristic with its reasons) + area balance, i.e. what
the Squad page needs after classification and load. Target: <= 1 s on a 2-core machine.

Run: ``PYTHONPATH=src python benchmarks/bench_analytics.py [--athletes 200] [--years 5]``
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from stridewise import classify, risk, volume
from stridewise.settings import DEFAULT_SETTINGS


def synthetic_sessions(athletes: int, years: int, seed: int = 7) -> pd.DataFrame:
    """Deterministic sessions with area and load already set (as after classify + add_load)."""
    rng = np.random.default_rng(seed)
    days = 365 * years
    start_day = np.datetime64("2020-01-06")
    # about 6 sessions a week per athlete
    per_day = rng.random((athletes, days)) < 0.86
    ath, day = np.nonzero(per_day)
    n = len(ath)
    kind = rng.choice(6, size=n, p=[0.62, 0.12, 0.05, 0.09, 0.07, 0.05])
    sport = np.array(["run", "strength", "other", "other", "yoga", "ride"], dtype=object)[kind]
    area = np.array(["endurance", "strength", "plyometrics", "stability", "flexibility",
                     "endurance"], dtype=object)[kind]
    minutes = np.where(kind == 0, rng.gamma(6.0, 8.0, n), rng.uniform(15, 60, n))
    km = np.where(kind == 0, minutes / rng.uniform(4.5, 6.5, n), np.where(kind == 5, minutes / 2.2,
                                                                          np.nan))
    rpe = np.clip(rng.normal(4.5, 1.5, n), 1, 10).round()
    start = (start_day + day.astype("timedelta64[D]")).astype("datetime64[ns]") + \
        rng.integers(6 * 3600, 20 * 3600, n).astype("timedelta64[s]")
    return pd.DataFrame({
        "athlete": pd.Series([f"athlete {a:03d}" for a in ath], dtype=str),
        "session_id": pd.Series(np.char.add("s", np.arange(n).astype(str)), dtype=str),
        "start": start,
        "sport": pd.Series(sport, dtype=str),
        "title": "",
        "area": pd.Series(area, dtype=str),
        "duration_s": minutes * 60.0,
        "moving_s": minutes * 60.0,
        "distance_m": km * 1000.0,
        "rpe": rpe,
        "sets": "[]",
        "minutes": minutes,
        "rpe_used": rpe,
        "load": rpe * minutes,
        "load_source": "rpe",
    })


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=200)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    sessions = synthetic_sessions(args.athletes, args.years)
    print(f"{args.athletes} athletes x {args.years} years: {len(sessions):,} sessions, "
          f"{os.cpu_count()} CPUs")
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        parts = classify.session_parts(sessions)
        t1 = time.perf_counter()
        weekly = volume.weekly_volume(sessions, parts, week_start="monday")
        t2 = time.perf_counter()
        table = risk.risk_table(sessions, parts, settings=DEFAULT_SETTINGS)
        t3 = time.perf_counter()
        bal = risk.balance(parts, targets=DEFAULT_SETTINGS.targets)
        t4 = time.perf_counter()
        best["cpu total"] = min(best.get("cpu total", np.inf), time.process_time() - c0)
        for k, v in (("parts", t1 - t0), ("weekly", t2 - t1), ("risk", t3 - t2),
                     ("balance", t4 - t3), ("total", t4 - t0)):
            best[k] = min(best.get(k, np.inf), v)
    print(f"weekly rows {len(weekly):,}, daily rows {len(table):,}, balance rows {len(bal):,}")
    print("levels:", table["risk_level"].value_counts().to_dict())
    for k, v in best.items():
        print(f"{k:8s} {v:6.3f} s (best of {args.repeat})")
    core = best["weekly"] + best["risk"]
    print(f"weekly volume + daily metrics: {core:.3f} s wall; everything incl. parts and "
          f"balance: {best['total']:.3f} s wall, {best['cpu total']:.3f} s CPU (target <= 1 s; "
          f"wall times suffer when other processes share the 2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
