"""Figure builders: traces, colours, axis titles, empty data, no mutation of inputs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stridewise import charts
from stridewise.errors import UsageError
from stridewise.schema import AREAS

RISK_COLUMNS = ["date", "load", "acute_7d", "chronic_28d", "acwr_coupled", "chronic_21d",
                "acwr_uncoupled", "ewma_acute", "ewma_chronic", "acwr_ewma", "monotony",
                "strain", "ctl", "atl", "tsb", "ramp", "run_km_7d", "run_km_change_pct",
                "spike_pct", "risk_level", "reasons"]


def make_weekly(athlete: str = "Ann", weeks: int = 6, start: str = "2026-01-05",
                seed: int = 0) -> pd.DataFrame:
    """volume.weekly_volume-shaped rows: every area every week, some zero."""
    rng = np.random.default_rng(seed)
    rows = []
    for week in pd.date_range(start, periods=weeks, freq="7D"):
        for area in AREAS:
            n = 0 if area == "other" else int(rng.integers(1, 4))
            minutes = float(n * 30)
            rows.append({"athlete": athlete, "week": week, "area": area, "sessions": n,
                         "minutes": minutes,
                         "distance_km": minutes / 6 if area == "endurance" else 0.0,
                         "load": minutes * 5})
    return pd.DataFrame(rows)


def make_risk(days: int = 60, start: str = "2026-01-01") -> pd.DataFrame:
    """risk.daily_metrics-shaped rows with simple numbers (not the real formulas)."""
    dates = pd.date_range(start, periods=days, freq="D")
    load = np.where(np.arange(days) % 3 == 0, 0.0, 300.0)
    acute = pd.Series(load).rolling(7, min_periods=1).mean().to_numpy()
    chronic = pd.Series(load).rolling(28, min_periods=1).mean().to_numpy()
    ratio = np.divide(acute, chronic, out=np.full(days, np.nan), where=chronic > 0)
    ratio[:27] = np.nan
    return pd.DataFrame({
        "date": dates, "load": load, "acute_7d": acute, "chronic_28d": chronic,
        "acwr_coupled": ratio, "chronic_21d": chronic, "acwr_uncoupled": ratio,
        "ewma_acute": acute * 1.1, "ewma_chronic": chronic * 0.9, "acwr_ewma": ratio * 1.2,
        "monotony": 1.4, "strain": 2000.0, "ctl": chronic, "atl": acute,
        "tsb": chronic - acute, "ramp": 1.0, "run_km_7d": 30.0, "run_km_change_pct": 5.0,
        "spike_pct": 0.0, "risk_level": ["not enough data" if i < 27 else "low" for i in range(days)],
        "reasons": "",
    })[RISK_COLUMNS]


def make_balance(athletes: tuple[str, ...] = ("Ann",)) -> pd.DataFrame:
    targets = {"endurance": 3.0, "strength": 2.0, "plyometrics": 1.0, "stability": 2.0,
               "flexibility": 3.0, "other": np.nan}
    rows = []
    for k, ath in enumerate(athletes):
        for i, area in enumerate(AREAS):
            spw = 0.0 if area == "other" else 0.5 * (i + 1) + k
            t = targets[area]
            rows.append({"athlete": ath, "area": area, "sessions": spw * 4,
                         "minutes": spw * 120, "share_pct": 10.0, "sessions_per_week": spw,
                         "target_per_week": t,
                         "pct_of_target": spw / t * 100 if t == t else np.nan,
                         "days_since": float(i * 3) if spw else np.nan})
    return pd.DataFrame(rows)


def annotation_texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def is_empty_figure(fig: go.Figure) -> bool:
    return any("No sessions in this range" in t for t in annotation_texts(fig))


# --------------------------------------------------------------------------- palette


def test_area_colours_cover_every_area_and_are_distinct_hex():
    assert set(charts.AREA_COLOURS) == set(AREAS)
    assert set(charts.AREA_LABELS) == set(AREAS)
    values = list(charts.AREA_COLOURS.values())
    assert len(set(values)) == len(values)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in values)


def test_risk_colours_cover_every_level():
    assert set(charts.RISK_COLOURS) == {"low", "moderate", "high", "not enough data"}
    assert charts.risk_colour("nonsense") == charts.RISK_COLOURS["not enough data"]


# --------------------------------------------------------------------------- weekly volume


def test_weekly_volume_chart_stacks_areas_in_their_colours():
    weekly = make_weekly()
    fig = charts.weekly_volume_chart(weekly)
    bars = [t for t in fig.data if t.type == "bar"]
    # "other" is zero in every week and is left out
    assert [b.name for b in bars] == ["Endurance", "Strength", "Plyometrics", "Stability",
                                      "Flexibility"]
    for bar, area in zip(bars, AREAS[:5], strict=True):
        assert bar.marker.color == charts.AREA_COLOURS[area]
    assert fig.layout.barmode == "stack"
    assert fig.layout.yaxis.title.text == "Minutes per week"
    assert fig.layout.yaxis2.title.text == "Running distance (km)"
    line = [t for t in fig.data if t.type == "scatter" and t.showlegend is not False][0]
    assert np.allclose(line.y, weekly.groupby("week")["distance_km"].sum())
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
    endurance = bars[0]
    expected = weekly[weekly["area"] == "endurance"]["minutes"].to_numpy()
    assert np.allclose(endurance.y, expected)
    fig.to_json()


def test_weekly_volume_chart_customdata_carries_iso_week_and_total():
    weekly = make_weekly(weeks=3)
    fig = charts.weekly_volume_chart(weekly, run_km=False)
    bar = fig.data[0]
    assert [row[0] for row in bar.customdata] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    totals = weekly.groupby("week")["minutes"].sum().to_numpy()
    assert np.allclose([row[3] for row in bar.customdata], totals)
    assert all(t.type == "bar" for t in fig.data)


def test_weekly_volume_chart_metrics_have_units_in_axis_titles():
    weekly = make_weekly()
    load = charts.weekly_volume_chart(weekly, "load", run_km=False)
    assert load.layout.yaxis.title.text == "Training load per week (AU)"
    assert "AU" in load.data[0].hovertemplate
    sessions = charts.weekly_volume_chart(weekly, "sessions", run_km=False)
    assert sessions.layout.yaxis.title.text == "Sessions per week"


def test_weekly_volume_chart_run_km_column_and_miles():
    weekly = make_weekly(weeks=2).assign(run_km=0.0)
    weekly.loc[weekly["area"] == "endurance", "run_km"] = 16.09344
    fig = charts.weekly_volume_chart(weekly, units="mi")
    line = [t for t in fig.data if t.type == "scatter" and t.showlegend is not False][0]
    assert line.name == "Running distance (mi)"
    assert np.allclose(line.y, [10.0, 10.0])
    assert fig.layout.yaxis2.title.text == "Running distance (mi)"


def test_weekly_volume_chart_run_km_series_and_off():
    weekly = make_weekly(weeks=2)
    series = pd.Series([5.0, 7.0], index=pd.to_datetime(["2026-01-05", "2026-01-12"]))
    fig = charts.weekly_volume_chart(weekly, run_km=series)
    line = [t for t in fig.data if t.type == "scatter" and t.showlegend is not False][0]
    assert list(line.y) == [5.0, 7.0]
    off = charts.weekly_volume_chart(weekly, run_km=False)
    assert not any(t.type == "scatter" for t in off.data)


def test_weekly_volume_chart_fills_missing_weeks_with_zero():
    weekly = make_weekly(weeks=4)
    gap = weekly[weekly["week"] != pd.Timestamp("2026-01-12")]
    fig = charts.weekly_volume_chart(gap, run_km=False)
    assert len(fig.data[0].x) == 4
    assert fig.data[0].y[1] == 0


def test_weekly_volume_chart_two_years_is_one_bar_per_week_when_asked():
    weekly = make_weekly(weeks=104)
    fig = charts.weekly_volume_chart(weekly, period="week")
    assert all(len(t.x) == 104 for t in fig.data)
    assert len(fig.to_json()) > 1000


def test_long_ranges_are_drawn_as_months_and_a_month_click_lists_its_weeks():
    weekly = make_weekly(weeks=104)  # 5 Jan 2026 ... 28 Dec 2027
    fig = charts.weekly_volume_chart(weekly)
    bars = [t for t in fig.data if t.type == "bar"]
    assert all(len(t.x) == 24 for t in bars)  # Jan 2026 ... Dec 2027
    line = [t for t in fig.data if t.type == "scatter" and t.name][0]
    assert line.mode == "lines"  # no markers on a long history
    jan = bars[0].customdata[0][0].split(",")
    assert jan == ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]
    picked = charts.selected_weeks({"points": [{"customdata": [bars[0].customdata[0][0]]}]})
    assert picked == [pd.Timestamp(d) for d in jan]
    # months of equal content sum the weeks that start in them
    minutes = weekly[weekly["week"].dt.month.eq(1) & weekly["week"].dt.year.eq(2026)
                     & weekly["area"].eq("strength")]["minutes"].sum()
    strength = [t for t in bars if t.legendgroup == "strength"][0]
    assert strength.y[0] == minutes


def test_weekly_ticks_sit_on_the_monday_of_each_week():
    weekly = make_weekly(weeks=6, start="2026-11-02")  # Mondays
    fig = charts.weekly_volume_chart(weekly, as_of="2026-12-07")
    ticks = [pd.Timestamp(t) for t in fig.layout.xaxis.tickvals]
    assert ticks and all(t.day_name() == "Monday" for t in ticks)
    assert pd.Timestamp("2026-11-23") in ticks
    text = dict(zip(ticks, fig.layout.xaxis.ticktext, strict=True))
    assert text[pd.Timestamp("2026-11-23")].startswith("23 Nov")
    sunday = make_weekly(weeks=6, start="2026-11-01")  # Sunday weeks keep their Sundays
    ticks = [pd.Timestamp(t) for t in charts.weekly_volume_chart(sunday).layout.xaxis.tickvals]
    assert all(t.day_name() == "Sunday" for t in ticks)


def test_the_current_partial_week_is_marked_in_every_volume_chart():
    weekly = make_weekly(weeks=6, start="2026-11-02")  # last week: Mon 7 Dec 2026
    fig = charts.weekly_volume_chart(weekly, as_of="2026-12-07")
    bar = [t for t in fig.data if t.type == "bar"][0]
    assert list(bar.marker.opacity) == [1, 1, 1, 1, 1, 0.4]
    assert "so far" in bar.customdata[-1][4] and bar.customdata[0][4] == ""
    assert fig.layout.xaxis.ticktext[-1] == "7 Dec (so far)"
    # the running line stops before the unfinished week; its value so far is a hollow point
    line = [t for t in fig.data if t.type == "scatter" and t.mode == "lines+markers"][0]
    assert np.isnan(line.y[-1]) and not np.isnan(line.y[-2])
    so_far = [t for t in fig.data if t.type == "scatter" and "so far" in (t.name or "")][0]
    assert len(so_far.x) == 1 and so_far.marker.symbol == "circle-open"
    done = charts.weekly_volume_chart(weekly, as_of="2026-12-13")  # Sunday: the week is over
    assert set([t for t in done.data if t.type == "bar"][0].marker.opacity) == {1}
    squad = charts.squad_volume_chart(weekly, as_of="2026-12-07")
    assert list(squad.data[0].marker.opacity)[-1] == 0.4


def test_weekly_volume_chart_does_not_mutate_input():
    weekly = make_weekly()
    before = weekly.copy()
    charts.weekly_volume_chart(weekly, "load", units="mi")
    charts.squad_volume_chart(weekly, "minutes")
    pd.testing.assert_frame_equal(weekly, before)


@pytest.mark.parametrize("frame", [
    make_weekly().iloc[0:0],
    make_weekly().assign(minutes=0.0, distance_km=0.0),
    None,
])
def test_weekly_volume_chart_empty_says_no_sessions(frame):
    fig = charts.weekly_volume_chart(frame)
    assert is_empty_figure(fig)
    assert len(fig.data) == 0
    fig.to_json()


def test_weekly_volume_chart_missing_column_is_explained():
    fig = charts.weekly_volume_chart(make_weekly().drop(columns=["minutes"]))
    assert any("'minutes'" in t for t in annotation_texts(fig))


def test_weekly_volume_chart_rejects_unknown_metric_and_unit():
    with pytest.raises(UsageError):
        charts.weekly_volume_chart(make_weekly(), "furlongs")
    with pytest.raises(UsageError):
        charts.weekly_volume_chart(make_weekly(), units="yards")


def test_squad_volume_chart_sums_and_averages_athletes():
    both = pd.concat([make_weekly("Ann"), make_weekly("Bob")])
    total = charts.squad_volume_chart(both)
    single = charts.weekly_volume_chart(make_weekly("Ann"), run_km=False)
    assert np.allclose(total.data[0].y, np.asarray(single.data[0].y) * 2)
    avg = charts.squad_volume_chart(both, per_athlete=True)
    assert np.allclose(avg.data[0].y, single.data[0].y)
    assert "per athlete" in avg.layout.yaxis.title.text
    assert is_empty_figure(charts.squad_volume_chart(both.iloc[0:0]))


def test_selected_weeks_reads_customdata_or_x():
    selection = {"points": [
        {"customdata": ["2026-01-12", "strength", "Strength", 300.0], "x": "2026-01-12"},
        {"x": "2026-01-05"},
        {"customdata": ["2026-01-12"]},
        "junk",
    ]}
    assert charts.selected_weeks(selection) == [pd.Timestamp("2026-01-05"),
                                                pd.Timestamp("2026-01-12")]
    assert charts.selected_weeks(None) == []
    assert charts.selected_weeks({"points": []}) == []
    assert charts.selected_weeks({"nothing": 1}) == []


# --------------------------------------------------------------------------- load / fitness


def test_load_chart_has_bars_lines_and_acwr_with_bands():
    risk = make_risk()
    fig = charts.load_chart(risk)
    kinds = [(t.type, t.name) for t in fig.data]
    assert kinds == [("bar", "Daily load"), ("scatter", "Acute load (7-day mean)"),
                     ("scatter", "Chronic load (28-day mean)"),
                     ("scatter", "Acute:chronic (7:28 coupled)")]
    assert fig.data[3].yaxis == "y2"
    assert fig.layout.yaxis.title.text == "Load (AU)"
    assert fig.layout.yaxis2.title.text == "Acute:chronic"
    bands = [(s.y0, s.y1) for s in fig.layout.shapes if s.type == "rect"]
    assert bands[:2] == [(0.8, 1.3), (1.3, 1.5)]
    assert bands[2][0] == 1.5 and bands[2][1] >= 2.0
    assert {"usual", "raised", "high"} <= set(annotation_texts(fig))  # the assessment's bands
    assert list(fig.layout.yaxis2.tickvals[:4]) == [0.0, 0.8, 1.3, 1.5]
    assert "AU" in fig.data[0].hovertemplate
    fig.to_json()


def test_load_chart_variants_pick_their_columns():
    risk = make_risk()
    ewma = charts.load_chart(risk, "ewma")
    assert np.allclose(ewma.data[1].y, risk["ewma_acute"])
    assert np.allclose(ewma.data[3].y[30:], risk["acwr_ewma"][30:])
    unc = charts.load_chart(risk, "uncoupled")
    assert "21 days" in unc.data[2].name
    with pytest.raises(UsageError):
        charts.load_chart(risk, "weekly")


def test_load_chart_custom_thresholds_move_the_bands():
    fig = charts.load_chart(make_risk(), thresholds=(0.7, 1.2, 1.6))
    bands = [(s.y0, s.y1) for s in fig.layout.shapes if s.type == "rect"]
    assert bands[:2] == [(0.7, 1.2), (1.2, 1.6)]


def test_load_chart_infinite_ratio_is_a_gap_with_no_base_yet_note():
    risk = make_risk()
    risk.loc[30:32, "acwr_coupled"] = np.inf
    fig = charts.load_chart(risk)
    y = np.asarray(fig.data[3].y, dtype=float)
    assert np.isnan(y[30:33]).all()
    assert np.isfinite(y[33])
    assert "no base yet" in annotation_texts(fig)
    assert np.isinf(risk.loc[30, "acwr_coupled"])   # input untouched


def test_load_chart_does_not_mutate_and_empty_is_friendly():
    risk = make_risk()
    before = risk.copy()
    charts.load_chart(risk, "ewma")
    charts.fitness_chart(risk)
    pd.testing.assert_frame_equal(risk, before)
    assert is_empty_figure(charts.load_chart(risk.iloc[0:0]))
    assert is_empty_figure(charts.load_chart(risk.assign(load=0.0)))
    assert is_empty_figure(charts.fitness_chart(risk.iloc[0:0]))


def test_load_chart_before_28_days_says_ratio_needs_history():
    fig = charts.load_chart(make_risk(days=20))
    assert any("28 days" in t for t in annotation_texts(fig))


def test_fitness_chart_traces_and_zero_line():
    fig = charts.fitness_chart(make_risk())
    assert [t.name for t in fig.data] == ["Form (TSB)", "Fitness (CTL, 42-day)",
                                          "Fatigue (ATL, 7-day)"]
    assert any(s.type == "line" and s.y0 == 0 and s.y1 == 0 for s in fig.layout.shapes)
    assert fig.layout.yaxis.title.text == "Load (AU per day)"
    assert "AU/day" in fig.data[1].hovertemplate


def test_acwr_gauge_value_and_missing():
    fig = charts.acwr_gauge(1.1)
    assert fig.data[0].value == 1.1
    assert "not enough data" in annotation_texts(charts.acwr_gauge(float("nan")))
    assert "no base yet" in annotation_texts(charts.acwr_gauge(float("inf")))


# --------------------------------------------------------------------------- calendar


def test_calendar_heatmap_places_days_by_weekday_and_week():
    daily = pd.DataFrame({"date": pd.to_datetime(["2026-03-02", "2026-03-04"]),
                          "load": [100.0, 250.0]})
    fig = charts.calendar_heatmap(daily, end="2026-03-08")
    load = fig.data[1]
    z = np.asarray(load.z, dtype=float)
    assert z.shape[0] == 7 and z.shape[1] in (53, 54)
    last_col = z[:, -1]
    assert last_col[0] == 100.0 and last_col[2] == 250.0   # Monday, Wednesday
    assert np.isnan(last_col[1])                            # rest day: no colour
    assert fig.layout.yaxis.ticktext[0] == "Mon"
    assert "Mar" in fig.layout.xaxis.ticktext
    assert load.colorbar.title.text == "Load (AU)"


def test_calendar_heatmap_sunday_week_start():
    daily = pd.DataFrame({"date": pd.to_datetime(["2026-03-01"]), "load": [100.0]})
    fig = charts.calendar_heatmap(daily, end="2026-03-07", week_start="sunday")
    z = np.asarray(fig.data[1].z, dtype=float)
    assert z[0, -1] == 100.0
    assert fig.layout.yaxis.ticktext[0] == "Sun"


def test_calendar_heatmap_by_area_uses_area_colours():
    daily = pd.DataFrame({"date": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-04"]),
                          "load": [100.0, 80.0, 60.0],
                          "area": ["endurance", "strength", "endurance"]})
    fig = charts.calendar_heatmap(daily, by="area")
    colours = {c for _, c in fig.data[1].colorscale}
    assert colours == {charts.AREA_COLOURS["endurance"], charts.AREA_COLOURS["strength"]}
    legend = [t.name for t in fig.data if t.type == "scatter"]
    assert legend == ["Endurance", "Strength"]


def test_calendar_heatmap_dominant_area_from_minutes_columns():
    daily = pd.DataFrame({"date": pd.to_datetime(["2026-03-02"]), "load": [100.0],
                          "endurance": [20.0], "stability": [45.0]})
    fig = charts.calendar_heatmap(daily, by="area")
    assert [t.name for t in fig.data if t.type == "scatter"] == ["Stability"]


def test_calendar_heatmap_empty_and_missing_area():
    empty = pd.DataFrame({"date": pd.to_datetime([]), "load": []})
    assert is_empty_figure(charts.calendar_heatmap(empty))
    rest = pd.DataFrame({"date": pd.date_range("2026-01-01", periods=10), "load": 0.0})
    assert is_empty_figure(charts.calendar_heatmap(rest))
    no_area = pd.DataFrame({"date": pd.to_datetime(["2026-03-02"]), "load": [1.0]})
    fig = charts.calendar_heatmap(no_area, by="area")
    assert any("'area'" in t for t in annotation_texts(fig))


def test_calendar_heatmap_does_not_mutate():
    risk = make_risk()
    before = risk.copy()
    charts.calendar_heatmap(risk)
    pd.testing.assert_frame_equal(risk, before)


# --------------------------------------------------------------------------- balance


def test_balance_chart_bars_against_targets():
    bal = make_balance()
    fig = charts.balance_chart(bal)
    target, done = fig.data
    assert target.name == "Target (sessions/week)"
    assert list(target.y) == [3.0, 2.0, 1.0, 2.0, 3.0]
    assert list(done.y) == [0.5, 1.0, 1.5, 2.0, 2.5]
    assert list(done.marker.color) == [charts.AREA_COLOURS[a] for a in AREAS[:5]]
    assert done.text[0] == "17 % of target"
    assert "last: today" in done.x[0]
    assert fig.layout.yaxis.title.text == "Sessions per week"


def test_balance_chart_empty_and_no_mutation():
    bal = make_balance()
    before = bal.copy()
    charts.balance_chart(bal)
    pd.testing.assert_frame_equal(bal, before)
    assert is_empty_figure(charts.balance_chart(bal.assign(sessions_per_week=0.0)))
    assert is_empty_figure(charts.balance_chart(bal.iloc[0:0]))


def test_squad_balance_heatmap_cells_hover_and_order():
    bal = make_balance(("Zed", "Ann"))
    fig = charts.squad_balance_heatmap(bal)
    assert len(fig.data) == 1                           # one trace: no overlays, no markers
    heat = fig.data[0]
    assert heat.texttemplate is None and heat.text is None
    assert list(heat.y) == ["Zed", "Ann"]               # input order kept
    assert list(heat.x) == ["Endurance", "Strength", "Plyometrics", "Stability",
                            "Flexibility"]
    z = np.asarray(heat.z, dtype=float)
    assert z.shape == (2, 5)
    custom = np.asarray(heat.customdata, dtype=object)
    assert custom.shape == (2, 5, 5)
    assert custom[0][0][1] == "17 %"
    assert z.max() <= charts.BALANCE_MAX_PCT            # clipped for the colour scale
    assert custom[1][2][1] == "250 %"                   # the number is not clipped
    assert custom[0][0][0] == "Zed" and custom[1][3][0] == "Ann"
    assert charts.selected_athletes({"points": [{"customdata": list(custom[1][2])}]}) \
        == ["Ann"]
    fig.to_json()


def test_squad_balance_heatmap_escapes_names_for_plotly_markup():
    name = "<img src=x onerror=alert(1)>"
    fig = charts.squad_balance_heatmap(make_balance((name,)))
    assert fig.data[0].y[0] == "&lt;img src=x onerror=alert(1)&gt;"
    assert fig.data[0].customdata[0][0][0] == name     # raw name for the page's selection
    assert "%{y}" in fig.data[0].hovertemplate         # the hover shows the escaped label


def test_titles_are_escaped_for_plotly():
    fig = charts.weekly_volume_chart(make_weekly(), title="Ann <b>& co</b>")
    assert fig.layout.title.text == "Ann &lt;b&gt;&amp; co&lt;/b&gt;"


def test_squad_balance_heatmap_empty():
    assert is_empty_figure(charts.squad_balance_heatmap(make_balance().iloc[0:0]))


def test_charts_accept_repeated_index_labels():
    risk = pd.concat([make_risk(30), make_risk(30, start="2026-01-31")])
    assert not risk.index.is_unique
    fig = charts.load_chart(risk)
    assert len(fig.data[0].x) == 60
    assert len(charts.calendar_heatmap(risk).data) == 2
    bal = pd.concat([make_balance(("Ann",)), make_balance(("Bob",))])
    assert np.asarray(charts.squad_balance_heatmap(bal).data[0].z).shape == (2, 5)


def test_calendar_days_combines_daily_load_and_area_minutes():
    risk = make_risk(days=3, start="2026-03-02")
    parts = pd.DataFrame({
        "session_id": ["a", "b", "c"], "athlete": "Ann",
        "start": pd.to_datetime(["2026-03-02 07:00", "2026-03-02 18:00", "2026-03-03 07:00"]),
        "area": ["endurance", "stability", "strength"], "seconds": [1800.0, 2700.0, 600.0],
    })
    before = parts.copy()
    days = charts.calendar_days(risk, parts)
    pd.testing.assert_frame_equal(parts, before)
    assert days["date"].tolist() == list(pd.date_range("2026-03-02", periods=3))
    assert days["area"].tolist() == ["stability", "strength", ""]
    assert days["minutes"].tolist() == [75.0, 10.0, 0.0]
    assert days["load"].tolist() == risk["load"].tolist()
    fig = charts.calendar_heatmap(days, by="area")
    assert [t.name for t in fig.data if t.type == "scatter"] == ["Strength", "Stability"]
    assert len(charts.calendar_days(None, None)) == 0
    only_parts = charts.calendar_days(None, parts)
    assert only_parts["load"].tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- robustness


_values = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32),
                    st.just(0.0), st.just(-1.0))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from([*AREAS, "weird <b>", ""]),
                          _values, _values), max_size=25),
       st.sampled_from(["minutes", "load", "sessions"]))
def test_weekly_and_squad_charts_never_raise(rows, metric):
    weekly = pd.DataFrame({
        "athlete": "Ann",
        "week": [pd.Timestamp("2026-01-05") + pd.Timedelta(days=7 * r[0]) for r in rows],
        "area": [r[1] for r in rows], "sessions": [r[2] for r in rows],
        "minutes": [r[2] for r in rows], "load": [r[3] for r in rows],
        "distance_km": [r[3] for r in rows],
    })
    for fig in (charts.weekly_volume_chart(weekly, metric),
                charts.squad_volume_chart(weekly, metric)):
        assert isinstance(fig, go.Figure)
        fig.to_json()


@settings(max_examples=15, deadline=None)
@given(st.lists(_values, min_size=0, max_size=40), st.sampled_from(["coupled", "ewma"]))
def test_load_fitness_and_calendar_never_raise(loads, variant):
    risk = make_risk(days=max(len(loads), 1))
    if loads:
        risk["load"] = loads
        risk["acwr_coupled"] = loads
        risk["acwr_ewma"] = loads[::-1]
        risk["ctl"] = loads
    for fig in (charts.load_chart(risk, variant), charts.fitness_chart(risk),
                charts.calendar_heatmap(risk), charts.calendar_heatmap(
                    risk.assign(area="strength"), by="area")):
        assert isinstance(fig, go.Figure)
        fig.to_json()


def test_body_marks_draw_niggle_bands_and_flag_days_on_the_timelines() -> None:
    from stridewise.charts import BODY_COLOURS, add_body_marks, load_chart

    days = pd.date_range("2026-10-01", periods=60)
    risk = pd.DataFrame({"date": days, "load": np.arange(60) * 10.0 + 5,
                         "acute_7d": 50.0, "chronic_21d": 40.0, "acwr_uncoupled": 1.2,
                         "risk_level": "low"})
    fig = load_chart(risk, variant="uncoupled")
    n_shapes = len(fig.layout.shapes)
    spans = pd.DataFrame({"niggle_id": [1, 2], "label": ["left knee", "lower back"],
                          "x0": [days[10], days[40]], "x1": [days[20], days[59]],
                          "raises": [False, True], "max_pain": [2.0, 6.0],
                          "worst_effect": ["none", "modified"]})
    flags = pd.DataFrame({"date": [days[45]], "n": [2], "text": ["Sleep quality, Mood"]})
    add_body_marks(fig, spans, flags)
    bands = list(fig.layout.shapes)[n_shapes:]
    assert [(pd.Timestamp(b.x0), pd.Timestamp(b.x1)) for b in bands] == [
        (days[10], days[20]), (days[40], days[59])]
    assert [b.fillcolor for b in bands] == [BODY_COLOURS["niggle"],
                                            BODY_COLOURS["niggle_raises"]]
    onset = next(t for t in fig.data if t.name == "Niggle (reported)")
    assert [pd.Timestamp(x) for x in onset.x] == [days[10], days[40]]
    assert "pain up to 6/10, training modified" in onset.text[1]
    flag = next(t for t in fig.data if t.name == "Wellness flag")
    assert [pd.Timestamp(x) for x in flag.x] == [days[45]] and "Sleep quality, Mood" in flag.text[0]
    assert flag.marker.color != next(t for t in fig.data if t.name.startswith(
        "Acute:chronic")).line.color


# --- long ranges: one point per week ---------------------------------------------------------

def test_weekly_points_mean_daily_load_and_last_day_values():
    # 2026-01-05 is a Monday: weeks Mon 5-11, 12-18, and a partial week of 3 days
    risk = make_risk(days=17, start="2026-01-05")
    before = risk.copy()
    out = charts.weekly_points(risk)
    pd.testing.assert_frame_equal(risk, before)  # not mutated
    assert list(pd.to_datetime(out["date"])) == list(pd.to_datetime(
        ["2026-01-11", "2026-01-18", "2026-01-21"]))
    # the bar: the mean daily load of the week's days (rest days count as 0)
    assert out["load"].tolist() == pytest.approx([
        risk["load"].iloc[0:7].mean(), risk["load"].iloc[7:14].mean(),
        risk["load"].iloc[14:17].mean()])
    # every other column: the stored value of the week's last day
    for col in ("acute_7d", "chronic_28d", "ctl", "atl", "tsb", "risk_level"):
        assert out[col].tolist() == risk[col].iloc[[6, 13, 16]].tolist()
    assert out.attrs["weekly"] is True


def test_weekly_points_sunday_weeks_and_unsorted_input():
    risk = make_risk(days=14, start="2026-01-04")  # a Sunday
    out = charts.weekly_points(risk.iloc[::-1], week_start="sunday")
    assert list(pd.to_datetime(out["date"])) == list(pd.to_datetime(
        ["2026-01-10", "2026-01-17"]))
    assert out["load"].tolist() == pytest.approx([risk["load"].iloc[0:7].mean(),
                                                  risk["load"].iloc[7:14].mean()])


def test_load_chart_of_a_long_range_draws_a_point_per_week():
    risk = make_risk(days=5 * 365)
    assert len(risk) > charts.DAILY_POINTS_MAX
    fig = charts.load_chart(charts.weekly_points(risk))
    assert all(len(t.x) <= 5 * 53 + 1 for t in fig.data)
    assert fig.data[0].name == "Mean daily load of the week"
    assert "Week ending" in fig.data[0].hovertemplate
    assert charts.load_chart(risk).data[0].name == "Daily load"
