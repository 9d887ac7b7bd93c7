"""Agreement with published peers, through the command line (`risk --daily-load FILE.csv`).

../shared/reference holds numbers computed by other tools from the same daily loads:

* Athlytics (R package) sample exposure: 7-day and 28-day rolling means ("atl"/"ctl" there) and
  their ratio. Their loads were rounded to 0.1 after computing, hence tolerances 0.06 on the
  means and 0.003 on the ratio. Their first mean appears on day 7 / day 28, as ours.
* Elevate (browser extension) PMC test: CTL/ATL/TSB floored to 2 decimals on four days; the
  day before the first activity is the seed day with CTL = ATL = 0.
* jorgedelro ACWR training-load file: three athletes x 28 days of loads (no expected values in
  the file): the first coupled ratio falls on day 28 and equals mean(last 7) / mean(28).
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from stridewise.cli import main
from stridewise.risk import RISK_COLUMNS


def run_cli(tmp_path, capsys, dates, loads) -> tuple[pd.DataFrame, str]:
    path = tmp_path / "daily.csv"
    pd.DataFrame({"date": dates, "load": loads}).to_csv(path, index=False)
    code = main(["risk", "--daily-load", str(path), "--format", "csv"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = captured.out
    return pd.read_csv(io.StringIO(text), parse_dates=["date"]), text


def test_athlytics_rolling_means_and_ratio(reference_dir, tmp_path, capsys):
    ref = pd.read_csv(reference_dir / "athlytics_sample_exposure.csv", na_values=["NA"])
    out, _ = run_cli(tmp_path, capsys, ref["date"], ref["daily_load"])
    assert list(out.columns) == RISK_COLUMNS
    assert len(out) == len(ref)
    for ours, theirs, tol in (("acute_7d", "atl", 0.06), ("chronic_28d", "ctl", 0.06),
                              ("acwr_coupled", "acwr", 0.003)):
        a, b = out[ours].to_numpy(), ref[theirs].to_numpy()
        assert (np.isnan(a) == np.isnan(b)).all(), f"{ours}: first values on different days"
        fin = ~np.isnan(b)
        worst = np.max(np.abs(a[fin] - b[fin]))
        assert worst <= tol, f"{ours} differs from Athlytics' {theirs} by up to {worst:.4f}"
    assert out["acute_7d"].first_valid_index() == 6
    assert out["acwr_coupled"].first_valid_index() == 27


def floor2(x: float) -> float:
    return math.floor(round(x * 100, 6)) / 100


def test_elevate_fitness_fatigue_form(reference_dir, tmp_path, capsys):
    daily = pd.read_csv(reference_dir / "elevate_pmc_daily_stress.csv")
    expected = pd.read_csv(reference_dir / "elevate_pmc_expected.csv")
    out, _ = run_cli(tmp_path, capsys, daily["date"], daily["final_stress_score"])
    out = out.set_index("date")
    for row in expected.itertuples():
        day = out.loc[pd.Timestamp(row.date)]
        assert day["load"] == row.final_stress_score
        assert floor2(day["atl"]) == row.atl_floor2, row.date
        assert floor2(day["ctl"]) == row.ctl_floor2, row.date
        assert floor2(day["tsb"]) == row.tsb_floor2, row.date


def test_jorgedelro_three_athletes_first_ratio_on_day_28(reference_dir, tmp_path, capsys):
    ref = pd.read_csv(reference_dir / "jorgedelro_ACWR_training_load.csv")
    assert ref["ID"].nunique() == 3
    for athlete, g in ref.groupby("ID"):
        g = g.sort_values("Day")
        out, _ = run_cli(tmp_path, capsys, g["Training_Date"], g["TL"])
        loads = g["TL"].to_numpy()
        assert len(out) == 28, athlete
        assert out["acwr_coupled"].iloc[:27].isna().all()
        expected = loads[-7:].mean() / loads.mean() if loads.mean() > 0 else np.nan
        assert out["acwr_coupled"].iloc[27] == pytest.approx(expected, abs=1e-6)
        assert out["chronic_21d"].iloc[27] == pytest.approx(loads[:21].mean(), abs=1e-6)


def test_hand_worked_case_and_infinity_through_the_cli(tmp_path, capsys):
    dates = pd.date_range("2024-01-01", periods=35).strftime("%Y-%m-%d")
    out, text = run_cli(tmp_path, capsys, dates, [50.0] * 28 + [100.0] * 7)
    last = out.iloc[-1]
    assert last["acwr_coupled"] == pytest.approx(1.6)
    assert last["chronic_28d"] == pytest.approx(62.5)
    assert last["acwr_uncoupled"] == pytest.approx(2.0)
    assert out["acwr_coupled"].first_valid_index() == 27
    assert math.isinf(last["monotony"])  # a constant week
    lines = text.splitlines()
    assert lines[0] == ",".join(RISK_COLUMNS)
    first = lines[1].split(",")
    assert first[RISK_COLUMNS.index("acwr_coupled")] == ""  # NaN is an empty cell
    assert lines[-1].split(",")[RISK_COLUMNS.index("monotony")] == "inf"
