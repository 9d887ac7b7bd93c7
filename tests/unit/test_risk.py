"""Daily load metrics and the heuristic: hand-worked cases of DESIGN §4."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from stridewise import risk
from stridewise.errors import UsageError
from stridewise.schema import sets_to_json
from stridewise.settings import DEFAULT_SETTINGS, RiskSettings, Settings


def series(loads, start="2024-01-01", **extra) -> pd.DataFrame:
    df = pd.DataFrame({"date": pd.date_range(start, periods=len(loads)), "load": loads})
    for k, v in extra.items():
        df[k] = v
    return df


def test_28_days_at_50_then_7_at_100():
    t = risk.daily_metrics(series([50.0] * 28 + [100.0] * 7))
    last = t.iloc[-1]
    assert last["acute_7d"] == pytest.approx(100.0)
    assert last["chronic_28d"] == pytest.approx(62.5)
    assert last["acwr_coupled"] == pytest.approx(1.6)
    assert last["chronic_21d"] == pytest.approx(50.0)
    assert last["acwr_uncoupled"] == pytest.approx(2.0)


def test_first_ratio_on_day_28_and_acute_from_day_7():
    t = risk.daily_metrics(series(list(np.arange(1.0, 41.0))))
    for col in ("acwr_coupled", "acwr_uncoupled", "acwr_ewma", "chronic_28d", "chronic_21d"):
        assert t[col].iloc[:27].isna().all(), col
        assert np.isfinite(t[col].iloc[27]), col
    assert t["acute_7d"].iloc[:6].isna().all()
    assert t["acute_7d"].iloc[6] == pytest.approx(np.mean(np.arange(1.0, 8.0)))
    # day 28: chronic = mean of days 1..28, uncoupled chronic = mean of days 1..21
    assert t["chronic_28d"].iloc[27] == pytest.approx(np.mean(np.arange(1.0, 29.0)))
    assert t["chronic_21d"].iloc[27] == pytest.approx(np.mean(np.arange(1.0, 22.0)))


def test_constant_week_gives_infinite_monotony_and_strain():
    t = risk.daily_metrics(series([40.0] * 10))
    assert math.isinf(t["monotony"].iloc[6]) and t["monotony"].iloc[6] > 0
    assert math.isinf(t["strain"].iloc[6])
    assert t["monotony"].iloc[:6].isna().all()


def test_all_rest_week_gives_nan_monotony():
    t = risk.daily_metrics(series([30.0] + [0.0] * 13))
    assert np.isnan(t["monotony"].iloc[13]) and np.isnan(t["strain"].iloc[13])


def test_monotony_uses_sample_sd_and_rest_days():
    loads = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 0.0]
    t = risk.daily_metrics(series(loads))
    expected = np.mean(loads) / np.std(loads, ddof=1)
    assert t["monotony"].iloc[6] == pytest.approx(expected)
    assert t["strain"].iloc[6] == pytest.approx(sum(loads) * expected)


def test_ratio_with_zero_chronic_is_inf_and_zero_over_zero_nan():
    t = risk.daily_metrics(series([0.0] * 21 + [10.0] * 7))
    assert math.isinf(t["acwr_uncoupled"].iloc[27])
    assert t["acwr_coupled"].iloc[27] == pytest.approx(4.0)
    z = risk.daily_metrics(series([0.0] * 30))
    assert z["acwr_coupled"].iloc[27:].isna().all()
    assert z["acwr_uncoupled"].iloc[27:].isna().all()


def test_ewma_seeded_with_first_day_and_lambda():
    loads = [100.0, 0.0, 50.0] + [10.0] * 30
    t = risk.daily_metrics(series(loads))
    la, lc = 2 / 8, 2 / 29
    assert t["ewma_acute"].iloc[0] == 100.0 and t["ewma_chronic"].iloc[0] == 100.0
    a1 = la * 0.0 + (1 - la) * 100.0
    assert t["ewma_acute"].iloc[1] == pytest.approx(a1)
    assert t["ewma_acute"].iloc[2] == pytest.approx(la * 50.0 + (1 - la) * a1)
    assert t["ewma_chronic"].iloc[1] == pytest.approx((1 - lc) * 100.0)
    assert t["acwr_ewma"].iloc[27] == pytest.approx(
        t["ewma_acute"].iloc[27] / t["ewma_chronic"].iloc[27])


def test_ctl_atl_tsb_ramp_conventions():
    loads = [100.0, 50.0, 0.0, 80.0, 20.0, 0.0, 60.0, 90.0, 10.0, 0.0]
    t = risk.daily_metrics(series(loads))
    kc, ka = 1 - math.exp(-1 / 42), 1 - math.exp(-1 / 7)
    ctl = atl = 0.0
    ctls, atls = [], []
    for x in loads:
        ctl += (x - ctl) * kc
        atl += (x - atl) * ka
        ctls.append(ctl)
        atls.append(atl)
    assert t["ctl"].to_numpy() == pytest.approx(ctls)
    assert t["atl"].to_numpy() == pytest.approx(atls)
    assert t["tsb"].iloc[0] == 0.0
    assert t["tsb"].iloc[5] == pytest.approx(ctls[4] - atls[4])
    assert t["ramp"].iloc[:6].isna().all()
    assert t["ramp"].iloc[6] == pytest.approx(ctls[6])  # CTL of the day before day 1 is 0
    assert t["ramp"].iloc[9] == pytest.approx(ctls[9] - ctls[2])


def test_calendar_fills_missing_days_sums_repeats_keeps_leading_zeros():
    df = pd.DataFrame({"date": ["2024-03-01", "2024-03-04", "2024-03-04", "2024-03-02"],
                       "load": [0.0, 30.0, 20.0, 10.0]})
    t = risk.daily_metrics(df)
    assert list(t["date"].dt.day) == [1, 2, 3, 4]
    assert list(t["load"]) == [0.0, 10.0, 0.0, 50.0]
    assert list(t.columns[: len(risk.RISK_COLUMNS)]) == risk.RISK_COLUMNS


def test_bad_daily_input_is_one_sentence():
    with pytest.raises(UsageError, match="load of 0 or more"):
        risk.daily_metrics(pd.DataFrame({"date": ["2024-01-01"], "load": [-5.0]}))
    with pytest.raises(UsageError, match="date and load"):
        risk.daily_metrics(pd.DataFrame({"day": ["2024-01-01"], "load": [5.0]}))


def test_running_km_change_in_percent():
    km = [10.0 if d % 7 == 0 else 0.0 for d in range(21)] + [20.0] + [0.0] * 6
    t = risk.daily_metrics(series([50.0] * 28, run_km=km))
    assert t["run_km_7d"].iloc[27] == pytest.approx(20.0)
    assert t["run_km_change_pct"].iloc[27] == pytest.approx(100.0)
    assert t["run_km_change_pct"].iloc[:27].isna().all()
    assert ("running 20.0 km in the last 7 days, 100 % above your usual week (10.0 km a week over the 3 weeks before, flagged above 30 %)"
            in t["reasons"].iloc[27])
    assert t["risk_level"].iloc[27] == "moderate"  # a leading sign on its own: moderate
    miles = risk.daily_metrics(series([50.0] * 28, run_km=km), settings=Settings(units="mi"))
    assert "running 12.4 mi in the last 7 days" in miles["reasons"].iloc[27]
    assert " km" not in miles["reasons"].iloc[27]


@pytest.mark.parametrize(("km", "band"), [(11.0, "none"), (12.0, "small"), (14.0, "moderate"),
                                          (20.0, "moderate"), (20.5, "large")])
def test_single_run_spike_bands(km, band):
    longest = [10.0] + [0.0] * 29 + [km]
    t = risk.daily_metrics(series([50.0] * 31, longest_run_km=longest))
    assert t["spike_pct"].iloc[-1] == pytest.approx(100 * (km / 10.0 - 1))
    assert t["spike_band"].iloc[-1] == band


def test_spike_needs_a_run_in_the_previous_30_days():
    longest = [10.0] + [0.0] * 30 + [12.0]  # the 10 km run is 31 days before
    t = risk.daily_metrics(series([50.0] * 32, longest_run_km=longest))
    assert np.isnan(t["spike_pct"].iloc[-1])


def test_levels_and_plain_word_reasons():
    t = risk.daily_metrics(series([50.0, 40.0, 60.0, 0.0, 55.0, 45.0, 30.0] * 4
                                  + [100.0, 110.0, 90.0, 100.0, 120.0, 80.0, 100.0]))
    assert t["risk_level"].iloc[:27].eq("not enough data").all()
    assert "only 1 day of history, the ratios need 28" == t["reasons"].iloc[0]
    last = t.iloc[-1]
    # the acute:chronic ratio is context: far above its band it gives moderate, never high
    assert last["acwr_uncoupled"] > 1.5
    assert last["risk_level"] == "moderate"
    assert last["reasons"].startswith(
        f"load of the last 7 days {last['acwr_uncoupled']:.2f} times your usual "
        "(acute:chronic 7:21, above 1.5)")
    assert last["reason_keys"].split(";")[0] == "acwr"
    calm = risk.daily_metrics(series([50.0, 40.0, 60.0, 0.0, 55.0, 45.0, 30.0] * 5))
    assert calm["risk_level"].iloc[-1] == "low"
    assert calm["reasons"].iloc[-1] == ""


def test_acwr_band_moderate_and_low_ratio_is_mentioned_only():
    week = [50.0, 40.0, 60.0, 0.0, 55.0, 45.0, 30.0]
    up = risk.daily_metrics(series(week * 4 + [w * 1.4 for w in week]))
    r = up["acwr_uncoupled"].iloc[-1]
    assert 1.3 < r <= 1.5 and up["risk_level"].iloc[-1] == "low"  # raised: mentioned only
    assert "above 1.3" in up["reasons"].iloc[-1]
    down = risk.daily_metrics(series(week * 4 + [w * 0.3 for w in week]))
    assert down["acwr_uncoupled"].iloc[-1] < 0.8
    assert "below 0.8" in down["reasons"].iloc[-1]
    assert down["risk_level"].iloc[-1] == "low"


def test_thresholds_come_from_settings():
    week = [50.0, 40.0, 60.0, 0.0, 55.0, 45.0, 30.0]
    strict = Settings(risk=RiskSettings(acwr_high=1.1, acwr_very_high=1.2))
    t = risk.daily_metrics(series(week * 4 + [w * 1.3 for w in week]), settings=strict)
    assert t["risk_level"].iloc[-1] == "moderate"
    assert "above 1.2" in t["reasons"].iloc[-1]
    coupled = Settings(risk=RiskSettings(acwr_metric="coupled"))
    c = risk.daily_metrics(series(week * 4 + [w * 1.6 for w in week]), settings=coupled)
    assert f"{c['acwr_coupled'].iloc[-1]:.2f} times your usual (acute:chronic 7:28 coupled" \
        in c["reasons"].iloc[-1]


def test_spike_leads_large_is_high_and_spike_with_fast_rise_is_high():
    week = [50.0, 40.0, 60.0, 0.0, 55.0, 45.0, 30.0] * 5
    longest = [0.0] * 10 + [10.0] + [0.0] * 23 + [21.0]
    t = risk.daily_metrics(series(week, longest_run_km=longest))
    assert t["risk_level"].iloc[-1] == "high"
    assert t["reasons"].iloc[-1].startswith("a run today was 110 % longer than your longest")
    small = [0.0] * 10 + [10.0] + [0.0] * 23 + [12.0]
    t = risk.daily_metrics(series(week, longest_run_km=small))
    assert t["risk_level"].iloc[-1] == "moderate"
    km = [10.0 if d % 7 == 3 else 0.0 for d in range(28)] + [0.0] * 6 + [14.0]
    t = risk.daily_metrics(series(week, longest_run_km=km, run_km=km))
    assert t["run_km_change_pct"].iloc[-1] > 30
    assert t["risk_level"].iloc[-1] == "high"  # two leading signs together
    # the next run's limit: longest of the last 30 days + 10 %
    assert t["next_run_limit_km"].iloc[-1] == pytest.approx(15.4)


def test_coverage_floor_gives_not_enough_data():
    loads = [0.0] * 40
    loads[0] = loads[35] = 50.0
    t = risk.daily_metrics(series(loads))
    assert t["risk_level"].iloc[-1] == "not enough data"
    assert "sessions on only 1 of the last 28 days" in t["reasons"].iloc[-1]


def sessions_frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["session_id"] = [f"s{i}" for i in range(len(df))]
    for col, val in (("title", ""), ("sets", "[]"), ("rpe", 5.0), ("distance_m", np.nan),
                     ("avg_hr", np.nan), ("duration_s", 1800.0)):
        df[col] = df[col].fillna(val) if col in df.columns else val
    df["moving_s"] = df["duration_s"]
    df["start"] = pd.to_datetime(df["start"])
    return df


def test_risk_table_per_athlete_calendars_match_daily_metrics():
    rows = [{"athlete": "ann", "start": f"2024-01-{d:02d} 07:00", "sport": "run",
             "distance_m": 8000.0 + 100 * d} for d in range(1, 31)]
    rows += [{"athlete": "bob", "start": f"2024-02-{d:02d} 18:00", "sport": "run",
              "distance_m": 5000.0} for d in range(3, 12, 2)]
    table = risk.risk_table(sessions_frame(rows))
    assert list(table.columns[:22]) == ["athlete", *risk.RISK_COLUMNS]
    ann = table[table["athlete"] == "ann"]
    bob = table[table["athlete"] == "bob"]
    assert len(ann) == 30 and len(bob) == 9
    assert bob["date"].iloc[0] == pd.Timestamp("2024-02-03")
    daily = risk.daily_metrics(pd.DataFrame({"date": ann["date"], "load": ann["load"]}))
    for col in ("acwr_coupled", "ewma_acute", "ctl", "tsb", "monotony"):
        np.testing.assert_allclose(ann[col].to_numpy(), daily[col].to_numpy(), equal_nan=True)
    assert ann["run_km_7d"].iloc[6] == pytest.approx(sum(8.0 + 0.1 * d for d in range(1, 8)))
    assert ann["spike_pct"].iloc[1] == pytest.approx(100 * (8.2 / 8.1 - 1))


def test_risk_table_end_extends_calendar_and_drops_later_sessions():
    rows = [{"athlete": "ann", "start": "2024-01-01", "sport": "run"},
            {"athlete": "ann", "start": "2024-03-01", "sport": "run"}]
    t = risk.risk_table(sessions_frame(rows), end=pd.Timestamp("2024-01-10"))
    assert t["date"].max() == pd.Timestamp("2024-01-10") and len(t) == 10


def test_days_since_area_and_gap_reason():
    rows = [{"athlete": "ann", "start": f"2024-01-{d:02d}", "sport": "run"} for d in range(1, 32)]
    rows.append({"athlete": "ann", "start": "2024-01-05", "sport": "strength",
                 "sets": sets_to_json([{"exercise": "Squat (Barbell)", "category": "squat"}])})
    t = risk.risk_table(sessions_frame(rows))
    last = t.iloc[-1]
    assert last["days_since_strength"] == 26
    assert last["days_since_endurance"] == 0
    assert np.isnan(last["days_since_plyometrics"])
    assert "no strength work for 26 days" in last["reasons"]
    assert "plyometrics" not in last["reasons"]  # never trained: the balance view says so


def test_reason_texts_never_contain_the_separator():
    rng = np.random.default_rng(3)
    loads = rng.gamma(2.0, 30.0, 120) * (rng.random(120) < 0.7)
    km = np.where(loads > 0, rng.uniform(3, 25, 120), 0.0)
    t = risk.daily_metrics(series(list(loads), run_km=km, longest_run_km=km))
    known = ("load of the last 7 days", "monotony", "the same load", "running ", "a run",
             "only ", "sessions on only", "training again")
    for text in t["reasons"]:
        for part in filter(None, text.split("; ")):
            assert any(part.startswith(k) or k in part for k in known), part


def test_latest_assessment():
    t = risk.daily_metrics(series([50.0] * 28 + [100.0] * 7))
    a = risk.latest_assessment(t)
    assert a.level == "moderate" and a.date == pd.Timestamp("2024-02-04")
    assert a.reasons[0].text == ("load of the last 7 days 2.00 times your usual "
                                 "(acute:chronic 7:21, above 1.5)")
    assert a.reasons[0].key == "acwr" and "Impellizzeri" in a.reasons[0].evidence
    assert a.ratio.value == pytest.approx(2.0) and a.ratio.band == "high"
    assert "Impellizzeri" in a.disclaimer and "not a diagnosis" in a.disclaimer
    assert risk.latest_assessment(t.iloc[:0]).level == "not enough data"


def test_balance_against_targets():
    parts = pd.DataFrame({
        "session_id": ["a", "b", "c", "d", "d"],
        "athlete": "ann",
        "start": pd.to_datetime(["2024-01-02", "2024-01-10", "2024-01-20", "2024-01-28",
                                 "2024-01-28"]),
        "area": ["endurance", "endurance", "strength", "strength", "plyometrics"],
        "seconds": [3600.0, 3600.0, 1800.0, 1200.0, 600.0],
    })
    b = risk.balance(parts, targets=DEFAULT_SETTINGS.targets).set_index("area")
    assert list(b.index) == ["endurance", "strength", "plyometrics", "stability", "flexibility"]
    assert b.loc["strength", "sessions"] == 2
    assert b.loc["strength", "sessions_per_week"] == pytest.approx(0.5)
    assert b.loc["strength", "pct_of_target"] == pytest.approx(25.0)
    assert b.loc["endurance", "share_pct"] == pytest.approx(100 * 120 / 180)
    assert b.loc["endurance", "days_since"] == 18
    assert np.isnan(b.loc["stability", "days_since"])


def test_explanations_cover_every_metric_and_state_the_caveats():
    for col in risk.RISK_COLUMNS:
        if col in ("date", "reasons"):
            continue
        assert col in risk.EXPLANATIONS, col
        e = risk.EXPLANATIONS[col]
        assert e.formula and e.source and e.caveat
    text = risk.EXPLANATIONS["acwr_coupled"].caveat
    assert "Impellizzeri" in text and "Lolli" in text
    assert "not a diagnosis" in risk.HEURISTIC_DISCLAIMER


def test_risk_table_tolerates_missing_optional_columns_and_names_required_ones():
    df = pd.DataFrame({"athlete": ["ann"] * 3, "session_id": ["a", "b", "c"],
                       "start": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"]),
                       "duration_s": [1800.0] * 3, "area": ["endurance"] * 3,
                       "load": [100.0, 50.0, 80.0]})
    t = risk.risk_table(df)
    assert len(t) == 5 and t["load"].tolist() == [100.0, 50.0, 0.0, 0.0, 80.0]
    assert t["run_km_7d"].isna().all() or (t["run_km_7d"].fillna(0) == 0).all()
    with pytest.raises(UsageError, match="athlete"):
        risk.risk_table(df.drop(columns=["athlete"]))


def test_risk_level_explanation_follows_the_settings():
    from stridewise.explain import risk_level_explanation

    text = risk_level_explanation(RiskSettings(acwr_very_high=1.7, monotony_high=2.5)).formula
    assert "above 1.7" in text and "monotony above 2.5" in text
    assert "never" not in text or "predicts" not in text
    assert risk.EXPLANATIONS["risk_level"].formula == risk_level_explanation().formula


def test_balance_with_end_and_other_area_and_two_athletes():
    parts = pd.DataFrame({
        "session_id": ["a", "b", "c", "d"],
        "athlete": ["ann", "ann", "bob", "ann"],
        "start": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-01-05", "2024-03-01"]),
        "area": ["stability", "other", "endurance", "stability"],
        "seconds": [600.0, 1200.0, 3600.0, 600.0],
    })
    b = risk.balance(parts, end=pd.Timestamp("2024-01-21"))
    ann = b[b["athlete"] == "ann"].set_index("area")
    assert list(ann.index) == ["endurance", "strength", "plyometrics", "stability",
                               "flexibility", "other"]
    assert ann.loc["stability", "sessions"] == 1 and ann.loc["stability", "days_since"] == 20
    assert ann.loc["other", "minutes"] == 20.0 and np.isnan(ann.loc["other", "pct_of_target"])
    bob = b[b["athlete"] == "bob"].set_index("area")
    assert bob.loc["endurance", "days_since"] == 16 and bob.loc["endurance", "share_pct"] == 100
