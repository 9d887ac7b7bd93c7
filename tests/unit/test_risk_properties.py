"""Property tests of the daily metrics (hypothesis): causality, scale invariance, bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from stridewise import risk

NUMERIC = [c for c in risk.RISK_COLUMNS if c not in ("date", "risk_level", "reasons")]
RATIOS = ["acwr_coupled", "acwr_uncoupled", "acwr_ewma", "monotony", "run_km_change_pct"]

loads_st = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=2000.0, allow_nan=False)),
    min_size=1, max_size=80)


def frame(loads: list[float], km: list[float] | None = None) -> pd.DataFrame:
    df = pd.DataFrame({"date": pd.date_range("2023-05-01", periods=len(loads)), "load": loads})
    if km is not None:
        df["run_km"] = km
        df["longest_run_km"] = km
    return df


@settings(max_examples=80, deadline=None)
@given(loads=loads_st, future=st.lists(st.floats(min_value=0.0, max_value=2000.0,
                                                 allow_nan=False), min_size=1, max_size=40))
def test_appending_future_days_never_changes_earlier_values(loads, future):
    km = [x / 100.0 for x in loads]
    before = risk.daily_metrics(frame(loads, km))
    after = risk.daily_metrics(frame(loads + future, km + [x / 100.0 for x in future]))
    head = after.iloc[: len(loads)]
    for col in NUMERIC + ["coverage_days_pct", "days_since_strength"]:
        np.testing.assert_array_equal(before[col].to_numpy(), head[col].to_numpy(), err_msg=col)
    assert before["risk_level"].tolist() == head["risk_level"].tolist()
    assert before["reasons"].tolist() == head["reasons"].tolist()


@settings(max_examples=80, deadline=None)
@given(loads=loads_st, scale=st.floats(min_value=0.01, max_value=1000.0))
def test_ratios_do_not_change_when_all_loads_are_scaled(loads, scale):
    km = [x / 50.0 for x in loads]
    a = risk.daily_metrics(frame(loads, km))
    b = risk.daily_metrics(frame([x * scale for x in loads], [x * scale for x in km]))
    for col in RATIOS + ["spike_pct"]:
        x, y = a[col].to_numpy(), b[col].to_numpy()
        assert (np.isnan(x) == np.isnan(y)).all(), col
        assert (np.isinf(x) == np.isinf(y)).all(), col
        fin = np.isfinite(x)
        np.testing.assert_allclose(x[fin], y[fin], rtol=1e-6, atol=1e-6, err_msg=col)


@settings(max_examples=100, deadline=None)
@given(loads=loads_st)
def test_coupled_ratio_never_exceeds_four(loads):
    t = risk.daily_metrics(frame(loads))
    r = t["acwr_coupled"].to_numpy()
    fin = r[np.isfinite(r)]
    assert (fin <= 4.0 + 1e-9).all()
    assert not np.isinf(r).any()  # the acute week is inside the chronic month
    assert set(t["risk_level"]) <= set(risk.LEVELS)
