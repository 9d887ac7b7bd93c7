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

from stridewise import classify, load, risk, volume
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
        "run_km": np.where(kind == 0, km, 0.0),
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
    steps = (
        ("parts", lambda: classify.session_parts(sessions)),
        ("weekly", lambda: volume.weekly_volume(sessions, parts, week_start="monday")),
        ("risk", lambda: risk.risk_table(sessions, parts, settings=DEFAULT_SETTINGS)),
        ("balance", lambda: risk.balance(parts, targets=DEFAULT_SETTINGS.targets)),
    )
    parts = classify.session_parts(sessions)
    results: dict[str, pd.DataFrame] = {}
    for _ in range(args.repeat):
        for name, fn in steps:
            c0, t0 = time.process_time(), time.perf_counter()
            results[name] = fn()
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            best[name] = min(best.get(name, np.inf), wall)
            best[name + " cpu"] = min(best.get(name + " cpu", np.inf), cpu)
    weekly, table, bal = results["weekly"], results["risk"], results["balance"]
    best["total"] = sum(best[n] for n, _ in steps)
    best["total cpu"] = sum(best[n + " cpu"] for n, _ in steps)
    # for information: classification and load from raw canonical sessions (not in the target)
    raw = sessions.drop(columns=["area", "minutes", "rpe_used", "load", "load_source", "run_km"])
    titles = np.array(["Morning Run", "Krafttraining", "Yoga for Runners", "Core", "Box jumps",
                       "Treino academia", "Stretching", "Intervals 6x800", "Long run", ""])
    raw["title"] = titles[np.arange(len(raw)) % len(titles)]
    c0 = time.process_time()
    t0 = time.perf_counter()
    load.add_load(classify.classify(raw))
    prep_wall, prep_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"weekly rows {len(weekly):,}, daily rows {len(table):,}, balance rows {len(bal):,}")
    print("levels:", table["risk_level"].value_counts().to_dict())
    print(f"{'step':8s} {'wall s':>8s} {'CPU s':>8s}   (best of {args.repeat})")
    for name, _ in steps:
        print(f"{name:8s} {best[name]:8.3f} {best[name + ' cpu']:8.3f}")
    print(f"(classify + add_load from raw sessions, not in the target: {prep_wall:.3f} s wall, "
          f"{prep_cpu:.3f} s CPU)")
    core, core_cpu = best["weekly"] + best["risk"], best["weekly cpu"] + best["risk cpu"]
    print(f"weekly volume + all daily metrics: {core:.3f} s wall, {core_cpu:.3f} s CPU; "
          f"with parts and balance: {best['total']:.3f} s wall, {best['total cpu']:.3f} s CPU "
          f"(target <= 1 s). Wall times grow when other processes share the cores; "
          f"load average now {os.getloadavg()[0]:.1f}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
