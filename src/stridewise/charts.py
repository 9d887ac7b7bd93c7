"""Plotly figure builders: data in, ``go.Figure`` out.

Every builder is pure: it never mutates its inputs, never imports Streamlit and never raises on
empty data (an empty or all-zero input gives a figure that says "No sessions in this range").
Figures use transparent backgrounds, explicit colours that read on light and dark themes, and
leave fonts and the template to the host (Streamlit's theme adapts them to light/dark).

One colour per training area, used in every chart and report: :data:`AREA_COLOURS`, taken from
the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which stays distinguishable
for the common forms of colour-vision deficiency.

Clicking a bar of :func:`weekly_volume_chart` or :func:`squad_volume_chart`: every bar carries
``customdata = [week ISO date, area, area label, week total]``. With Streamlit::

    event = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key="weekly")
    weeks = charts.selected_weeks(event.selection)   # -> list[pd.Timestamp]

and :func:`squad_balance_heatmap` cells carry ``customdata = [athlete, area]``
(:func:`selected_athletes` reads them back).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from stridewise.errors import UsageError
from stridewise.risk import RATIO_SHORT
from stridewise.schema import AREAS, TRAINING_AREAS

# ---------------------------------------------------------------------------------------------
# Colours and labels
# ---------------------------------------------------------------------------------------------

#: One fixed colour per training area (Okabe–Ito palette; colour-blind safe).
AREA_COLOURS: Final[dict[str, str]] = {
    "endurance": "#0072B2",    # blue
    "strength": "#D55E00",     # vermillion
    "plyometrics": "#E69F00",  # orange
    "stability": "#009E73",    # bluish green
    "flexibility": "#CC79A7",  # reddish purple
    "other": "#999999",        # grey
}
#: Display names of the areas.
AREA_LABELS: Final[dict[str, str]] = {
    "endurance": "Endurance",
    "strength": "Strength",
    "plyometrics": "Plyometrics",
    "stability": "Stability",
    "flexibility": "Flexibility",
    "other": "Other",
}
#: Colour per risk level (traffic-light order, Okabe–Ito hues; always shown with the word too).
RISK_COLOURS: Final[dict[str, str]] = {
    "low": "#009E73",
    "moderate": "#E69F00",
    "high": "#D55E00",
    "not enough data": "#999999",
}
#: Display names of the risk levels.
RISK_LABELS: Final[dict[str, str]] = {
    "low": "Low",
    "moderate": "Moderate",
    "high": "High",
    "not enough data": "Not enough data",
}
#: Colours of the non-area series (chosen to read on white and on near-black backgrounds).
SERIES_COLOURS: Final[dict[str, str]] = {
    "run_km": "#F0E442",     # yellow line with a dark halo over the stacked bars
    "run_km_halo": "rgba(20,20,20,0.85)",
    "load": "rgba(128,128,128,0.45)",
    "acute": "#E69F00",
    "chronic": "#3C8DD6",
    "acwr": "#CC79A7",
    "ctl": "#3C8DD6",
    "atl": "#E69F00",
    "tsb": "#009E73",
}
#: Bands of the ACWR row: sweet spot, caution, high (Gabbett 2016).
BAND_COLOURS: Final[dict[str, str]] = {
    "sweet": "rgba(0,158,115,0.16)",
    "caution": "rgba(230,159,0,0.20)",
    "high": "rgba(213,94,0,0.20)",
}
#: Calendar colour ramp for load (single hue, light → dark; readable for every CVD type).
LOAD_COLOURSCALE: Final[list[list[Any]]] = [
    [0.0, "#C6E48B"], [0.35, "#7BC96F"], [0.7, "#239A3B"], [1.0, "#196127"],
]
#: Balance scale for % of target: far under target = vermillion, on/over target = blue.
BALANCE_COLOURSCALE: Final[list[list[Any]]] = [
    [0.0, "#D55E00"], [0.33, "#E69F00"], [0.6, "#C9DDF0"], [0.8, "#56B4E9"], [1.0, "#0072B2"],
]
#: % of target shown at the top of the balance colour scale (higher values are clipped).
BALANCE_MAX_PCT: Final = 150.0

EMPTY_MESSAGE: Final = "No sessions in this range"
KM_PER_MILE: Final = 1.609344

_TRANSPARENT = "rgba(0,0,0,0)"
_GRID = "rgba(128,128,128,0.22)"
_ZERO = "rgba(128,128,128,0.6)"

Metric = Literal["minutes", "load", "sessions"]
#: metric -> (axis title, unit for hover, d3 number format)
_METRICS: Final[dict[str, tuple[str, str, str]]] = {
    "minutes": ("Minutes per week", "min", ",.0f"),
    "load": ("Training load per week (AU)", "AU", ",.0f"),
    "sessions": ("Sessions per week", "sessions", ",.1~f"),
}
#: variant -> (acute col, chronic col, ratio col, acute label, chronic label, ratio label)
_VARIANTS: Final[dict[str, tuple[str, str, str, str, str, str]]] = {
    "coupled": ("acute_7d", "chronic_28d", "acwr_coupled", "Acute load (7-day mean)",
                "Chronic load (28-day mean)", f"Acute:chronic ratio ({RATIO_SHORT['coupled']})"),
    "uncoupled": ("acute_7d", "chronic_21d", "acwr_uncoupled", "Acute load (7-day mean)",
                  "Chronic load (the 21 days before the last 7)",
                  f"Acute:chronic ratio ({RATIO_SHORT['uncoupled']})"),
    "ewma": ("ewma_acute", "ewma_chronic", "acwr_ewma", "Acute load (EWMA, 7 days)",
             "Chronic load (EWMA, 28 days)", f"Acute:chronic ratio ({RATIO_SHORT['ewma']})"),
}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def area_colour(area: str) -> str:
    """The colour of ``area`` (grey for anything unknown)."""
    return AREA_COLOURS.get(str(area), AREA_COLOURS["other"])


def area_label(area: str) -> str:
    """The display name of ``area`` (the raw text, capitalised, if unknown)."""
    return AREA_LABELS.get(str(area), str(area).replace("_", " ").capitalize())


def plotly_text(text: object) -> str:
    """``text`` made safe for plotly labels: ``& < >`` as entities, so that user text (athlete
    names, titles) is shown literally and never read as plotly's HTML-like markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def risk_colour(level: str) -> str:
    """The colour of a risk level (grey when unknown)."""
    return RISK_COLOURS.get(str(level), RISK_COLOURS["not enough data"])


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def _style(fig: go.Figure, title: str, *, height: int, legend: bool = True) -> go.Figure:
    """House layout: transparent backgrounds, left-aligned title, horizontal legend on top."""
    fig.update_layout(
        # Title pinned to the top of the figure; the legend sits between it and the plot, with
        # room for two rows (narrow Streamlit columns wrap it).
        title={"text": plotly_text(title), "x": 0.0, "xanchor": "left", "xref": "container",
               "y": 0.995, "yanchor": "top", "yref": "container", "pad": {"t": 6, "l": 4}},
        paper_bgcolor=_TRANSPARENT,
        plot_bgcolor=_TRANSPARENT,
        height=height,
        margin={"l": 60, "r": 30, "t": 105 if legend else 56, "b": 50},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0,
                "bgcolor": _TRANSPARENT},
        hoverlabel={"namelength": -1},
    )
    fig.update_xaxes(gridcolor=_GRID, zerolinecolor=_ZERO, linecolor=_GRID)
    fig.update_yaxes(gridcolor=_GRID, zerolinecolor=_ZERO, linecolor=_GRID)
    return fig


def empty_figure(title: str = "", message: str = EMPTY_MESSAGE, *, height: int = 320) -> go.Figure:
    """A figure with no data and one centred sentence (used for empty inputs)."""
    fig = go.Figure()
    fig.add_annotation(text=plotly_text(message), x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": 16})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, title, height=height, legend=False)


def _missing(df: pd.DataFrame | None, columns: Iterable[str]) -> list[str]:
    if df is None:
        return list(columns)
    return [c for c in columns if c not in df.columns]


def _needs(df: pd.DataFrame | None, columns: Sequence[str], title: str,
           height: int) -> go.Figure | None:
    """An explanatory empty figure when ``df`` is empty or lacks columns, else ``None``."""
    if df is None or len(df) == 0:
        return empty_figure(title, height=height)
    miss = _missing(df, columns)
    if miss:
        return empty_figure(title, f"This chart needs the column '{miss[0]}', which the data "
                                   "lacks.", height=height)
    return None


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype(float)


def _dates(s: pd.Series) -> pd.Series:
    out = pd.to_datetime(s, errors="coerce")
    if isinstance(out.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_localize(None)
    return out.dt.normalize()


def _check_choice(name: str, value: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise UsageError(f"The {name} must be one of {', '.join(allowed)}, not {value!r}.")


def _ordered_areas(present: Iterable[str]) -> list[str]:
    present = [str(a) for a in present]
    known = [a for a in AREAS if a in present]
    return known + sorted(a for a in set(present) if a not in AREAS)


def _distance_unit(units: str) -> tuple[str, float]:
    _check_choice("distance unit", units, ("km", "mi"))
    return (units, 1.0) if units == "km" else ("mi", 1.0 / KM_PER_MILE)


# ---------------------------------------------------------------------------------------------
# Weekly volume
# ---------------------------------------------------------------------------------------------


def _stacked_weekly(weekly: pd.DataFrame, metric: str, *, divide_by: float = 1.0
                    ) -> tuple[pd.DataFrame, list[str]]:
    """Week x area table of ``metric`` (summed over athletes), weeks contiguous, areas ordered."""
    df = pd.DataFrame({"week": _dates(weekly["week"]), "area": weekly["area"].astype(str),
                       "value": _num(weekly[metric]).fillna(0.0)})
    df = df[df["week"].notna()]
    table = df.pivot_table(index="week", columns="area", values="value", aggfunc="sum",
                           fill_value=0.0) / divide_by
    if len(table):
        # Weeks without rows get zero bars (weekly_volume already gives them; other inputs may not).
        weeks = pd.date_range(table.index.min(), table.index.max(), freq="7D")
        if set(table.index) <= set(weeks):
            table = table.reindex(weeks, fill_value=0.0)
    areas = [a for a in _ordered_areas(table.columns) if float(table[a].abs().sum()) > 0]
    return table, areas


def _run_km_series(weekly: pd.DataFrame, run_km: bool | pd.Series) -> tuple[pd.Series | None, str]:
    """Weekly running km and the series' name; ``None`` when not shown/unavailable."""
    if isinstance(run_km, pd.Series):
        s = _num(run_km)
        s.index = _dates(pd.Series(run_km.index)).to_numpy()
        return s.groupby(level=0).sum(), "Running distance"
    if not run_km:
        return None, ""
    if "run_km" in weekly.columns:
        s = pd.DataFrame({"week": _dates(weekly["week"]), "v": _num(weekly["run_km"])})
        return s.groupby("week")["v"].sum(min_count=1), "Running distance"
    if "distance_km" in weekly.columns:
        # volume.weekly_volume counts running kilometres only in distance_km (RUN_SPORTS).
        s = pd.DataFrame({"week": _dates(weekly["week"]), "v": _num(weekly["distance_km"])})
        return s.groupby("week")["v"].sum(min_count=1), "Running distance"
    return None, ""


#: Above this many weeks (about 7 months) the volume charts draw months instead of weeks.
MONTHLY_AFTER_WEEKS: Final[int] = 30


def _partial(index: pd.DatetimeIndex, as_of: object, period: str) -> np.ndarray:
    """True for the period (week or month) that is not over on ``as_of``."""
    if as_of is None or len(index) == 0:
        return np.zeros(len(index), dtype=bool)
    day = pd.Timestamp(as_of).normalize()
    if period == "month":
        ends = index + pd.offsets.MonthEnd(0)
    else:
        ends = index + pd.Timedelta(days=6)
    return np.asarray(ends > day) & np.asarray(index <= day)


def _to_months(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Weekly rows summed into calendar months (a week counts in the month it starts in), and
    per month the ISO dates of its weeks (so a click on a month lists its weeks' sessions)."""
    month = table.index.to_period("M").to_timestamp()
    out = table.groupby(month).sum()
    full = pd.date_range(out.index.min(), out.index.max(), freq="MS")
    out = out.reindex(full, fill_value=0.0)
    weeks = pd.Series(table.index.strftime("%Y-%m-%d"), index=month)
    members = [",".join(weeks.loc[[m]]) if m in weeks.index else m.strftime("%Y-%m-%d")
               for m in out.index]
    return out, members


def _period_ticks(fig: go.Figure, index: pd.DatetimeIndex, partial: np.ndarray,
                  period: str) -> None:
    """Ticks on the real period starts (a Monday week is labelled with its Monday), at most
    about 14 labels; the current period is labelled "so far"."""
    n = len(index)
    if n == 0:
        return
    step = max(1, int(np.ceil(n / 14)))
    keep = list(range(n - 1, -1, -step))[::-1]  # always label the latest period
    text = []
    for i in keep:
        d = index[i]
        label = f"{d:%b %Y}" if period == "month" else (
            f"{d:%-d %b %Y}" if (i == keep[0] or d.month == 1 and d.day <= 7) else f"{d:%-d %b}")
        text.append(label + (" (so far)" if partial[i] else ""))
    fig.update_xaxes(tickmode="array", tickvals=list(index[keep]), ticktext=text)


def _weekly_bars(fig: go.Figure, table: pd.DataFrame, areas: list[str], metric: str,
                 secondary: bool | None, *, partial: np.ndarray | None = None,
                 period: str = "week", members: list[str] | None = None) -> None:
    _, unit, fmt = _METRICS[metric]
    totals = table.sum(axis=1).to_numpy()
    iso = np.asarray(members if members is not None else table.index.strftime("%Y-%m-%d"),
                     dtype=object)
    n = len(iso)
    partial = np.zeros(n, dtype=bool) if partial is None else partial
    so_far = np.where(partial, " (so far: not over yet)", "")
    when = "month of %{x|%b %Y}" if period == "month" else "week of %{x|%-d %b %Y}"
    for area in areas:
        custom = np.empty((n, 5), dtype=object)
        custom[:, 0] = iso
        custom[:, 1] = area
        custom[:, 2] = plotly_text(area_label(area))
        custom[:, 3] = totals
        custom[:, 4] = so_far
        trace = go.Bar(
            x=table.index, y=table[area].to_numpy(), name=plotly_text(area_label(area)),
            # per-point opacity only: plotly.js drops stacked bars whose per-point pattern
            # list mixes "" and a shape, so the unfinished period is pale, not hatched
            marker={"color": area_colour(area), "line": {"width": 0},
                    "opacity": np.where(partial, 0.4, 1.0).tolist()},
            customdata=custom, legendgroup=area,
            hovertemplate=(f"<b>%{{customdata[2]}}</b> · {when}%{{customdata[4]}}<br>"
                           f"%{{y:{fmt}}} {unit}<br>Total: %{{customdata[3]:{fmt}}} {unit}"
                           "<extra></extra>"),
        )
        if secondary is None:
            fig.add_trace(trace)
        else:
            fig.add_trace(trace, secondary_y=False)


def weekly_volume_chart(weekly: pd.DataFrame, metric: Metric = "minutes",
                        run_km: bool | pd.Series = True, units: Literal["km", "mi"] = "km", *,
                        title: str | None = None, height: int = 420, as_of: object = None,
                        period: Literal["auto", "week", "month"] = "auto") -> go.Figure:
    """Stacked weekly bars of ``metric`` per training area, with the running distance line.

    ``weekly``: :func:`stridewise.volume.weekly_volume` output (athlete, week, area, sessions,
    minutes, distance_km, load); several athletes are summed. ``metric``: "minutes", "load"
    (AU) or "sessions". ``run_km``: ``True`` draws the weekly running distance on a second axis
    (``run_km`` column when present, else ``distance_km``, which holds running km only); a Series
    indexed by week gives the values directly; ``False`` hides it. ``units``: "km" or "mi" for
    that line. Each bar's ``customdata`` is ``[week ISO date(s), area, area label, total,
    partial note]``. ``as_of``: the current period (not over on that day) is drawn pale and
    labelled "so far". ``period``: "auto" draws months when there are more than
    :data:`MONTHLY_AFTER_WEEKS` weeks (a month bar's customdata lists its weeks, comma-joined).
    Ticks sit on the real period starts.
    """
    _check_choice("metric", metric, _METRICS)
    dist_unit, factor = _distance_unit(units)
    axis_title, _, _ = _METRICS[metric]
    title = title if title is not None else f"Weekly {metric} by training area"
    bad = _needs(weekly, ("week", "area", metric), title, height)
    if bad is not None:
        return bad
    table, areas = _stacked_weekly(weekly, metric)
    km, km_name = _run_km_series(weekly, run_km)
    if km is not None:
        km = km.reindex(table.index) * factor
        if not (km.fillna(0) > 0).any():
            km = None
    if not areas and km is None:
        return empty_figure(title, height=height)
    per = "month" if period == "month" or (period == "auto" and len(table) > MONTHLY_AFTER_WEEKS) \
        else "week"
    members = None
    if per == "month":
        weekly_index = table.index
        table, members = _to_months(table)
        if km is not None:
            km = km.groupby(weekly_index.to_period("M").to_timestamp()).sum().reindex(
                table.index, fill_value=0.0)
            km = km.where(km > 0)  # no line along empty months
    if as_of is None:
        as_of = weekly.attrs.get("as_of")
    partial = _partial(table.index, as_of, per)
    if per == "month":
        axis_title = axis_title.replace("per week", "per month")
    fig = make_subplots(specs=[[{"secondary_y": True}]]) if km is not None else go.Figure()
    _weekly_bars(fig, table, areas, metric, True if km is not None else None, partial=partial,
                 period=per, members=members)
    if km is not None:
        # the period still under way is a hollow point beside the line, not a drop of the line
        y_all = km.to_numpy(dtype=float)
        y = np.where(partial, np.nan, y_all)
        if partial.any():
            fig.add_trace(go.Scatter(
                x=table.index[partial], y=y_all[partial], mode="markers",
                name=f"{km_name} so far ({dist_unit})", legendgroup="run_km",
                marker={"size": 10, "color": SERIES_COLOURS["run_km"], "symbol": "circle-open",
                        "line": {"width": 2.5}},
                hovertemplate=(f"{km_name} so far (not over yet)<br>%{{y:,.1f}} {dist_unit}"
                               "<extra></extra>")), secondary_y=True)
        fig.add_trace(go.Scatter(   # dark halo under the line: readable over bars, any theme
            x=table.index, y=y, mode="lines", line={"color": SERIES_COLOURS["run_km_halo"],
                                                     "width": 6},
            hoverinfo="skip", showlegend=False, connectgaps=False, legendgroup="run_km",
        ), secondary_y=True)
        fig.add_trace(go.Scatter(
            x=table.index, y=y, name=f"{km_name} ({dist_unit})",
            mode="lines+markers" if per == "week" else "lines",
            line={"color": SERIES_COLOURS["run_km"], "width": 2.5}, legendgroup="run_km",
            marker={"size": 6, "color": SERIES_COLOURS["run_km"],
                    "line": {"color": SERIES_COLOURS["run_km_halo"], "width": 1.5}},
            connectgaps=False,
            hovertemplate=(f"{km_name} · " + ("month of %{x|%b %Y}" if per == "month"
                                               else "week of %{x|%-d %b %Y}")
                           + f"<br>%{{y:,.1f}} {dist_unit}<extra></extra>"),
        ), secondary_y=True)
        fig.update_yaxes(title_text=f"{km_name} ({dist_unit})", secondary_y=True,
                         showgrid=False, rangemode="tozero", tickmode="auto")
        fig.update_yaxes(title_text=axis_title, secondary_y=False, rangemode="tozero")
    else:
        fig.update_yaxes(title_text=axis_title, rangemode="tozero")
    fig.update_layout(barmode="stack", bargap=0.15, hovermode="closest", clickmode="event+select")
    fig.update_xaxes(title_text="Month" if per == "month" else "Week (starting)", type="date")
    _period_ticks(fig, table.index, partial, per)
    return _style(fig, title, height=height)


def squad_volume_chart(weekly_all: pd.DataFrame, metric: Metric = "minutes", *,
                       per_athlete: bool = False, title: str | None = None,
                       height: int = 420, as_of: object = None) -> go.Figure:
    """Squad weekly volume by area over time: stacked bars of ``metric`` summed over athletes.

    ``per_athlete=True`` divides by the number of athletes (the squad's average athlete): the
    athletes in ``weekly_all``, or ``weekly_all.attrs["athletes"]`` when it holds totals over
    athletes (no ``athlete`` column).
    Bars carry the same ``customdata`` as :func:`weekly_volume_chart`.
    """
    _check_choice("metric", metric, _METRICS)
    axis_title, _, _ = _METRICS[metric]
    title = title if title is not None else (
        f"Squad weekly {metric} by training area" + (" (per athlete)" if per_athlete else ""))
    bad = _needs(weekly_all, ("week", "area", metric), title, height)
    if bad is not None:
        return bad
    if as_of is None:
        as_of = weekly_all.attrs.get("as_of")  # set by the caller that knows the day
    # rows per athlete, or totals over athletes whose count the caller put in attrs
    n = (weekly_all["athlete"].nunique() if "athlete" in weekly_all.columns
         else int(weekly_all.attrs.get("athletes", 1)))
    table, areas = _stacked_weekly(weekly_all, metric,
                                   divide_by=float(max(n, 1)) if per_athlete else 1.0)
    if not areas:
        return empty_figure(title, height=height)
    fig = go.Figure()
    partial = _partial(table.index, as_of, "week")
    _weekly_bars(fig, table, areas, metric, None, partial=partial)
    fig.update_layout(barmode="stack", bargap=0.15, hovermode="closest", clickmode="event+select")
    fig.update_xaxes(title_text="Week (starting)", type="date")
    _period_ticks(fig, table.index, partial, "week")
    fig.update_yaxes(title_text=axis_title + (" per athlete" if per_athlete else ""),
                     rangemode="tozero")
    return _style(fig, title, height=height)


def selected_weeks(selection: Mapping[str, Any] | None) -> list[pd.Timestamp]:
    """Weeks picked in a weekly bar chart, from a Streamlit selection state (or plain dict).

    Reads ``customdata[0]`` (ISO week date) of every selected point, falling back to ``x``;
    returns sorted unique weeks (empty when nothing usable is selected).
    """
    weeks: set[pd.Timestamp] = set()
    for point in _points(selection):
        raw = None
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom:
            raw = custom[0]
        raw = raw if raw is not None else point.get("x")
        for one in (raw.split(",") if isinstance(raw, str) else [raw]):  # a month: its weeks
            ts = pd.to_datetime(one, errors="coerce") if one is not None else pd.NaT
            if not pd.isna(ts):
                weeks.add(pd.Timestamp(ts).normalize())
    return sorted(weeks)


def selected_athletes(selection: Mapping[str, Any] | None) -> list[str]:
    """Athletes picked in :func:`squad_balance_heatmap` (``customdata[0]`` or ``y``), in order."""
    seen: list[str] = []
    for point in _points(selection):
        custom = point.get("customdata")
        name = custom[0] if isinstance(custom, (list, tuple)) and custom else point.get("y")
        if isinstance(name, str) and name and name not in seen:
            seen.append(name)
    return seen


def _points(selection: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if selection is None:
        return []
    try:
        points = selection["points"]
    except (KeyError, TypeError):
        points = getattr(selection, "points", None)
    if not isinstance(points, (list, tuple)):
        return []
    return [p for p in points if isinstance(p, Mapping)]


# ---------------------------------------------------------------------------------------------
# Load and fitness
# ---------------------------------------------------------------------------------------------


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) index pairs of the True runs in ``mask`` (end inclusive)."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, v in enumerate(mask):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(mask) - 1))
    return runs


# --- long ranges: one point per week -----------------------------------------------------------

#: Days of daily metrics above which the load and fitness charts draw one point per week.
DAILY_POINTS_MAX: Final[int] = 400


def weekly_points(risk_df: pd.DataFrame, week_start: str = "monday") -> pd.DataFrame:
    """The daily metrics of one athlete with one row per training week, for drawing a long
    range: ``load`` is the week's mean daily load (AU/day, the unit of the acute and chronic
    lines), every other column is the value of the week's last day in ``risk_df`` (which
    becomes the row's ``date``). Nothing is recomputed: a rolling, EWMA or fitness value is the
    one stored for that day. ``attrs["weekly"]`` is True. Does not mutate ``risk_df``."""
    if not len(risk_df) or "date" not in risk_df.columns:
        out = risk_df.copy()
        out.attrs["weekly"] = True
        return out
    d = pd.to_datetime(risk_df["date"])
    order = np.argsort(d.to_numpy(), kind="stable")
    df = risk_df.iloc[order]
    d = d.iloc[order]
    shift = 1 if week_start == "sunday" else 0
    week = (d + pd.to_timedelta(shift, unit="D")).dt.to_period("W-SUN").dt.start_time
    last = df.groupby(week.to_numpy(), sort=True).tail(1)
    out = last.reset_index(drop=True)
    if "load" in df.columns:
        mean = pd.to_numeric(df["load"], errors="coerce").fillna(0.0).groupby(
            week.to_numpy(), sort=True).mean()
        out["load"] = mean.to_numpy()
    out.attrs["weekly"] = True
    return out


def load_chart(risk_df: pd.DataFrame, variant: Literal["coupled", "uncoupled", "ewma"] = "coupled",
               thresholds: tuple[float, float, float] = (0.8, 1.3, 1.5), *,
               title: str | None = None, height: int = 560) -> go.Figure:
    """Daily load with acute/chronic lines (top) and the ACWR with shaded bands (bottom).

    ``risk_df`` from :func:`weekly_points` (a long range): one bar per week, the week's mean
    daily load, and the lines' values on each week's last day.

    ``risk_df``: :func:`stridewise.risk.daily_metrics` output (one athlete, one row per day).
    ``variant`` picks the acute/chronic/ratio columns: "coupled" (7:28 rolling), "uncoupled"
    (7:21 rolling) or "ewma". ``thresholds`` = (sweet-spot low, sweet-spot high, high), Gabbett
    2016 defaults. An infinite ratio (acute load over a chronic load of 0) is drawn as a gap
    with the note "no base yet".
    """
    _check_choice("ACWR variant", variant, _VARIANTS)
    low, high, very_high = (float(t) for t in thresholds)
    acute_c, chronic_c, ratio_c, acute_l, chronic_l, ratio_l = _VARIANTS[variant]
    title = title if title is not None else f"Training load and {ratio_l}"
    bad = _needs(risk_df, ("date", "load", acute_c, chronic_c, ratio_c), title, height)
    if bad is not None:
        return bad
    dates = _dates(risk_df["date"])
    keep = dates.notna().to_numpy()
    dates = dates[keep]
    load = _num(risk_df["load"])[keep].fillna(0.0)
    acute = _num(risk_df[acute_c])[keep]
    chronic = _num(risk_df[chronic_c])[keep]
    ratio_raw = _num(risk_df[ratio_c])[keep].to_numpy()
    if len(dates) == 0 or not (load > 0).any():
        return empty_figure(title, height=height)
    inf_mask = np.isinf(ratio_raw)
    ratio = np.where(np.isfinite(ratio_raw), ratio_raw, np.nan)
    level = (risk_df["risk_level"][keep].astype(str).to_numpy()
             if "risk_level" in risk_df.columns else np.full(len(dates), ""))

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4],
                        vertical_spacing=0.06)
    weekly = bool(risk_df.attrs.get("weekly"))
    fig.add_trace(go.Bar(
        x=dates, y=load.to_numpy(),
        name="Mean daily load of the week" if weekly else "Daily load",
        marker={"color": SERIES_COLOURS["load"], "line": {"width": 0}},
        hovertemplate=("Week ending %{x|%a %-d %b %Y}<br>Mean daily load: %{y:,.0f} AU"
                       "<extra></extra>") if weekly else
        "%{x|%a %-d %b %Y}<br>Daily load: %{y:,.0f} AU<extra></extra>",
    ), row=1, col=1)
    for series, name, colour, dash in ((acute, acute_l, SERIES_COLOURS["acute"], "solid"),
                                       (chronic, chronic_l, SERIES_COLOURS["chronic"], "solid")):
        fig.add_trace(go.Scatter(
            x=dates, y=series.to_numpy(), name=name, mode="lines",
            line={"color": colour, "width": 2.5, "dash": dash},
            hovertemplate=f"{name}<br>%{{x|%a %-d %b %Y}}: %{{y:,.0f}} AU/day<extra></extra>",
        ), row=1, col=1)
    fig.add_trace(go.Scatter(
        x=dates, y=ratio, name=ratio_l.replace("Acute:chronic ratio", "Acute:chronic"),
        mode="lines", connectgaps=False,
        line={"color": SERIES_COLOURS["acwr"], "width": 2.5},
        customdata=np.array([RISK_LABELS.get(v, v) for v in level], dtype=object),
        hovertemplate=("%{x|%a %-d %b %Y}<br>Acute:chronic: %{y:.2f}"
                       "<br>Risk level: %{customdata}<extra></extra>"),
    ), row=2, col=1)

    finite = ratio[np.isfinite(ratio)]
    top = max(2.0, float(np.nanmax(finite)) * 1.08 if finite.size else 2.0)
    bands = ((low, high, BAND_COLOURS["sweet"], "usual"),
             (high, very_high, BAND_COLOURS["caution"], "raised"),
             (very_high, top, BAND_COLOURS["high"], "high"))
    # Shapes and notes are collected and set in one layout update (much faster than one
    # add_hrect/add_annotation call each).
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for y0, y1, colour, label in bands:
        shapes.append({"type": "rect", "xref": "x2 domain", "x0": 0, "x1": 1, "yref": "y2",
                       "y0": y0, "y1": y1, "fillcolor": colour, "line": {"width": 0},
                       "layer": "below"})
        # Band names sit in the right margin, beside the band, clear of the data.
        notes.append({"text": label, "x": 1.005, "xref": "x2 domain", "xanchor": "left",
                      "y": (y0 + y1) / 2, "yref": "y2", "showarrow": False, "align": "left",
                      "font": {"size": 10}, "opacity": 0.85})
    runs = _runs(inf_mask)
    for start, end in runs[:4]:
        notes.append({"text": "no base yet", "x": dates.iloc[start], "y": low / 2, "xref": "x2",
                      "yref": "y2", "xanchor": "left", "showarrow": False,
                      "font": {"size": 11}})
        shapes.append({"type": "line", "x0": dates.iloc[start], "x1": dates.iloc[end],
                       "y0": low / 4, "y1": low / 4, "xref": "x2", "yref": "y2",
                       "line": {"color": SERIES_COLOURS["acwr"], "width": 2, "dash": "dot"}})
    if len(runs) > 4:
        notes.append({"text": f"…and {len(runs) - 4} more stretches with no base yet", "x": 0,
                      "xref": "x2 domain", "y": top * 0.95, "yref": "y2", "xanchor": "left",
                      "showarrow": False, "font": {"size": 11}})
    if np.isnan(ratio).all() and not inf_mask.any():
        notes.append({"text": "The ratio needs 28 days of history", "x": 0.5,
                      "xref": "x2 domain", "y": 1.0, "yref": "y2", "showarrow": False,
                      "font": {"size": 12}})
    fig.update_layout(shapes=shapes, annotations=notes)
    fig.update_yaxes(title_text="Load (AU)", rangemode="tozero", row=1, col=1)
    ticks = [0.0, low, high, very_high] + [v for v in (2.0, 3.0, 4.0, 5.0)
                                           if very_high + 0.2 < v <= top]
    fig.update_yaxes(title_text="Acute:chronic", range=[0, top], tickvals=ticks,
                     ticktext=[f"{t:g}" for t in ticks], row=2, col=1)
    fig.update_xaxes(title_text="Date", type="date", row=2, col=1)
    fig.update_layout(bargap=0.1, hovermode="x unified")
    fig = _style(fig, title, height=height)
    fig.update_layout(margin={"r": 80})
    return fig


def fitness_chart(risk_df: pd.DataFrame, *, title: str = "Fitness, fatigue and form",
                  height: int = 420) -> go.Figure:
    """CTL (fitness, 42-day), ATL (fatigue, 7-day) and TSB (form = CTL − ATL of yesterday).

    ``risk_df``: :func:`stridewise.risk.daily_metrics` output. Values are in load units (AU)
    per day; a dashed zero line marks the form boundary.
    """
    bad = _needs(risk_df, ("date", "ctl", "atl", "tsb"), title, height)
    if bad is not None:
        return bad
    dates = _dates(risk_df["date"])
    keep = dates.notna().to_numpy()
    cols = {c: _num(risk_df[c])[keep].to_numpy() for c in ("ctl", "atl", "tsb")}
    if not keep.any() or all(np.nan_to_num(v).max(initial=0) <= 0 for k, v in cols.items()
                             if k != "tsb"):
        return empty_figure(title, height=height)
    dates = dates[keep]
    fig = go.Figure()
    specs = (("tsb", "Form (TSB)", SERIES_COLOURS["tsb"], "solid"),
             ("ctl", "Fitness (CTL, 42-day)", SERIES_COLOURS["ctl"], "solid"),
             ("atl", "Fatigue (ATL, 7-day)", SERIES_COLOURS["atl"], "solid"))
    for col, name, colour, dash in specs:
        fig.add_trace(go.Scatter(
            x=dates, y=cols[col], name=name, mode="lines",
            line={"color": colour, "width": 2.5 if col != "tsb" else 1.5, "dash": dash},
            fill="tozeroy" if col == "tsb" else None,
            fillcolor="rgba(0,158,115,0.12)" if col == "tsb" else None,
            hovertemplate=f"{name}: %{{y:,.1f}} AU/day<extra></extra>",
        ))
    fig.update_layout(shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                               "y0": 0, "y1": 0,
                               "line": {"color": _ZERO, "width": 1, "dash": "dash"}}])
    fig.update_xaxes(title_text="Date", type="date")
    fig.update_yaxes(title_text="Load (AU per day)")
    fig.update_layout(hovermode="x unified")
    return _style(fig, title, height=height)


def acwr_gauge(value: float | None, thresholds: tuple[float, float, float] = (0.8, 1.3, 1.5), *,
               title: str = "Acute:chronic workload ratio", height: int = 220) -> go.Figure:
    """A small gauge of today's ACWR with the sweet-spot / caution / high bands.

    ``None``/NaN shows "not enough data"; +inf shows "no base yet".
    """
    low, high, very_high = (float(t) for t in thresholds)
    top = max(2.0, very_high + 0.5)
    v = None if value is None else float(value)
    if v is None or math.isnan(v) or math.isinf(v):
        text = "no base yet" if v is not None and math.isinf(v) else "not enough data"
        return empty_figure(title, text, height=height)
    fig = go.Figure(go.Indicator(
        mode="gauge+number", value=v, number={"valueformat": ".2f"},
        gauge={"axis": {"range": [0, max(top, v * 1.05)]},
               "bar": {"color": SERIES_COLOURS["acwr"], "thickness": 0.3},
               "bgcolor": _TRANSPARENT, "borderwidth": 0,
               # Stronger than the chart bands: the gauge has no data line to compete with.
               "steps": [{"range": [low, high], "color": "rgba(0,158,115,0.45)"},
                         {"range": [high, very_high], "color": "rgba(230,159,0,0.5)"},
                         {"range": [very_high, max(top, v * 1.05)],
                          "color": "rgba(213,94,0,0.5)"}]},
    ))
    fig = _style(fig, title, height=height, legend=False)
    fig.update_layout(margin={"l": 30, "r": 30, "t": 50, "b": 10})
    return fig


# ---------------------------------------------------------------------------------------------
# Calendar heatmap
# ---------------------------------------------------------------------------------------------


def _dominant_area(daily: pd.DataFrame) -> pd.Series | None:
    """Per-row dominant area from ``area`` or from per-area minute columns (None if neither)."""
    if "area" in daily.columns:
        return daily["area"].astype(str).where(daily["area"].notna(), "")
    cols = {a: c for a in AREAS for c in (a, f"minutes_{a}") if c in daily.columns}
    if not cols:
        return None
    mins = pd.DataFrame({a: _num(daily[c]).fillna(0.0) for a, c in cols.items()})
    best = mins.idxmax(axis=1).astype(str)
    return best.where(mins.max(axis=1) > 0, "")


def calendar_days(risk_df: pd.DataFrame | None, parts: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """The daily table :func:`calendar_heatmap` reads, from one athlete's library tables.

    ``risk_df``: :func:`stridewise.risk.daily_metrics` rows (date, load AU); ``parts``:
    :func:`stridewise.classify.session_parts` rows (start, area, seconds). Returns one row per
    date with ``date, load, minutes, area`` (the area with the most minutes that day, "" on rest
    days) plus one minutes column per area present. Either input may be None or empty.
    """
    frames = []
    if risk_df is not None and len(risk_df) and {"date", "load"} <= set(risk_df.columns):
        frames.append(pd.DataFrame({"date": _dates(risk_df["date"]).to_numpy(),
                                    "load": _num(risk_df["load"]).fillna(0.0).to_numpy()})
                      .groupby("date", as_index=False)["load"].sum())
    area_min = pd.DataFrame()
    if parts is not None and len(parts) and {"start", "area", "seconds"} <= set(parts.columns):
        p = pd.DataFrame({"date": _dates(parts["start"]).to_numpy(),
                          "area": parts["area"].astype(str).to_numpy(),
                          "minutes": (_num(parts["seconds"]).fillna(0.0) / 60).to_numpy()})
        p = p[p["date"].notna()]
        area_min = p.pivot_table(index="date", columns="area", values="minutes",
                                 aggfunc="sum", fill_value=0.0)
        area_min = area_min[_ordered_areas(area_min.columns)]
    if not frames and area_min.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                             "load": pd.Series(dtype=float), "minutes": pd.Series(dtype=float),
                             "area": pd.Series(dtype=str)})
    out = frames[0].set_index("date") if frames else pd.DataFrame(index=area_min.index)
    out = out.join(area_min, how="outer") if not area_min.empty else out
    if "load" not in out.columns:
        out["load"] = 0.0
    areas = [c for c in out.columns if c != "load"]
    mins = out[areas].fillna(0.0) if areas else pd.DataFrame(index=out.index)
    out[areas] = mins
    out["minutes"] = mins.sum(axis=1) if areas else 0.0
    out["area"] = (mins.idxmax(axis=1).astype(str).where(mins.max(axis=1) > 0, "")
                   if areas else "")
    out["load"] = out["load"].fillna(0.0)
    out = out.reset_index().rename(columns={"index": "date"})
    return out[["date", "load", "minutes", "area", *areas]]


def calendar_heatmap(daily: pd.DataFrame, by: Literal["load", "area"] = "load",
                     end: object = None, *, week_start: Literal["monday", "sunday"] = "monday",
                     title: str | None = None, height: int = 240,
                     start: object = None) -> go.Figure:
    """A year of days, GitHub style: weeks as columns, weekdays as rows, month labels on top.

    ``daily``: one row per day (several rows per date are combined) with ``date`` and ``load``
    (AU) and, for ``by="area"``, either ``area`` (the day's dominant area) or minutes per area
    in columns named after the areas (``endurance`` or ``minutes_endurance``, ...); an optional
    ``minutes`` column feeds the hover. ``end``: last day shown (default: the last date in
    ``daily``); the 52 weeks before it are shown, or from ``start`` when that is later (the
    calendar follows the chosen range; a range over a year shows its last 52 weeks). Rest days
    are drawn as faint squares.
    """
    _check_choice("calendar colouring", by, ("load", "area"))
    _check_choice("week start", week_start, ("monday", "sunday"))
    title = title if title is not None else (
        "Training calendar: daily load" if by == "load" else "Training calendar: main area per day")
    bad = _needs(daily, ("date", "load") if by == "load" else ("date",), title, height)
    if bad is not None:
        return bad
    dates = _dates(daily["date"])
    if not dates.notna().any():
        return empty_figure(title, height=height)
    end_ts = (pd.Timestamp(end).normalize() if end is not None and not pd.isna(end)
              else dates.max())
    shift = 0 if week_start == "monday" else 1    # row index = (weekday + shift) % 7
    first_day = end_ts - pd.Timedelta(days=364)
    if start is not None and not pd.isna(start):
        first_day = max(first_day, min(pd.Timestamp(start).normalize(), end_ts))
    grid_start = first_day - pd.Timedelta(days=(first_day.weekday() + shift) % 7)
    days = pd.date_range(grid_start, end_ts, freq="D")

    frame = pd.DataFrame({"date": dates})
    frame["load"] = _num(daily["load"]).fillna(0.0) if "load" in daily.columns else 0.0
    frame["minutes"] = _num(daily["minutes"]).fillna(0.0) if "minutes" in daily.columns else np.nan
    dom = _dominant_area(daily)
    frame["area"] = dom.to_numpy() if dom is not None else ""
    frame = frame[frame["date"].notna()]
    per_day = frame.groupby("date").agg(load=("load", "sum"), minutes=("minutes", "sum"))
    # Dominant area of a date with several rows: the row with the most load (first wins ties).
    frame_sorted = frame[frame["area"] != ""].sort_values("load", ascending=False, kind="stable")
    area_day = frame_sorted.groupby("date")["area"].first()
    per_day = per_day.reindex(days)
    per_day["area"] = area_day.reindex(days).fillna("").to_numpy()
    in_window = np.asarray(days >= first_day)
    if by == "area" and dom is None:
        return empty_figure(title, "This chart needs the column 'area' or minutes per area, "
                                   "which the data lacks.", height=height)
    raw_load = per_day["load"].to_numpy(dtype=float)
    active = (np.isfinite(raw_load) & (raw_load > 0)) | (per_day["area"] != "").to_numpy()
    if not (active & in_window).any():
        return empty_figure(title, height=height)

    n_weeks = len(days) // 7 + (1 if len(days) % 7 else 0)
    col = np.arange(len(days)) // 7
    row = np.arange(len(days)) % 7

    def grid(values: Iterable[Any], fill: Any) -> np.ndarray:
        g = np.full((7, n_weeks), fill, dtype=object)
        for r, c, v in zip(row, col, values, strict=True):
            g[r, c] = v
        return g

    labels = [f"{d:%a %-d %b %Y}" for d in days]
    load_v = per_day["load"].to_numpy(dtype=float)
    load_v = np.where(np.isfinite(load_v), load_v, 0.0)   # NaN/inf load: no colour
    mins_v = per_day["minutes"].to_numpy()
    area_v = per_day["area"].to_numpy()
    hover = []
    for lab, ld, mn, ar, ok in zip(labels, load_v, mins_v, area_v, in_window, strict=True):
        if not ok:
            hover.append("")
            continue
        parts = [f"<b>{lab}</b>"]
        if ld > 0 or ar:
            parts.append(f"Load: {ld:,.0f} AU")
            if not np.isnan(mn) and mn > 0:
                parts.append(f"{mn:,.0f} min")
            if ar:
                parts.append(f"Main area: {plotly_text(area_label(ar))}")
        else:
            parts.append("Rest day")
        hover.append("<br>".join(parts))
    hover_g = grid(hover, "")
    base = grid([1.0 if ok else None for ok in in_window], None)
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=base.astype(float), colorscale=[[0, "rgba(128,128,128,0.16)"],
                                          [1, "rgba(128,128,128,0.16)"]],
        showscale=False, xgap=3, ygap=3, hoverinfo="text", text=hover_g, name="Rest day",
    ))
    if by == "load":
        z = [v if (v > 0 and ok) else None for v, ok in zip(load_v, in_window, strict=True)]
        zmax = float(np.nanpercentile(load_v[load_v > 0], 95)) if (load_v > 0).any() else 1.0
        fig.add_trace(go.Heatmap(
            z=grid(z, None).astype(float), colorscale=LOAD_COLOURSCALE, zmin=0,
            zmax=max(zmax, 1.0), xgap=3, ygap=3, text=hover_g, hoverinfo="text",
            colorbar={"title": {"text": "Load (AU)"}, "thickness": 12, "len": 0.9},
            name="Daily load",
        ))
    else:
        order = _ordered_areas({a for a in area_v if a})
        idx = {a: i for i, a in enumerate(order)}
        n = max(len(order), 1)
        scale: list[list[Any]] = []
        for i, a in enumerate(order):
            scale += [[i / n, area_colour(a)], [(i + 1) / n, area_colour(a)]]
        z = [idx[a] if (a and ok) else None for a, ok in zip(area_v, in_window, strict=True)]
        fig.add_trace(go.Heatmap(
            z=grid(z, None).astype(float), colorscale=scale, zmin=-0.5, zmax=n - 0.5,
            showscale=False, xgap=3, ygap=3, text=hover_g, hoverinfo="text", name="Main area",
        ))
        for a in order:   # legend entries for the area colours
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers",
                                     name=plotly_text(area_label(a)),
                                     marker={"color": area_colour(a), "size": 11,
                                             "symbol": "square"}, hoverinfo="skip"))
    # Month labels (GitHub style): a column is labelled when its first day starts a new month;
    # the first column only when its month has at least two more weeks in view.
    tickvals: list[int] = []
    ticktext: list[str] = []
    prev = None
    for c in range(n_weeks):
        first = max(days[c * 7], first_day)
        key = (first.year, first.month)
        if key != prev and (c > 0 or first.day <= 17):
            tickvals.append(c)
            ticktext.append(f"{first:%b %Y}" if (not ticktext or first.month == 1)
                            else f"{first:%b}")
        prev = key
    weekdays = list(_WEEKDAYS) if week_start == "monday" else ["Sun", *_WEEKDAYS[:6]]
    fig.update_xaxes(tickvals=tickvals, ticktext=ticktext, side="top", showgrid=False, tickangle=0,
                     zeroline=False, range=[-0.5, n_weeks - 0.5], fixedrange=True)
    fig.update_yaxes(tickvals=list(range(7)), ticktext=weekdays, autorange="reversed",
                     showgrid=False, zeroline=False, fixedrange=True, scaleanchor="x",
                     scaleratio=1, constrain="domain")
    fig = _style(fig, title, height=height, legend=by == "area")
    fig.update_layout(margin={"l": 45, "r": 20, "t": 70, "b": 40 if by == "area" else 10})
    if by == "area":
        fig.update_layout(legend={"y": -0.02, "yanchor": "top"})
    return fig


# ---------------------------------------------------------------------------------------------
# Balance
# ---------------------------------------------------------------------------------------------


def _days_since_text(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "none recorded"
    d = int(round(v))
    return "today" if d == 0 else ("1 day ago" if d == 1 else f"{d} days ago")


def balance_chart(balance_df: pd.DataFrame, *, title: str = "Sessions per week vs target "
                  "(last 4 weeks)", height: int = 380) -> go.Figure:
    """Sessions/week per area over the last 4 weeks (bars) against the weekly target (marks).

    ``balance_df``: :func:`stridewise.risk.balance` output for one athlete (several athletes
    are averaged). Areas without a target and without sessions are left out.
    """
    cols = ("area", "sessions_per_week", "target_per_week")
    bad = _needs(balance_df, cols, title, height)
    if bad is not None:
        return bad
    df = pd.DataFrame({
        "area": balance_df["area"].astype(str),
        "spw": _num(balance_df["sessions_per_week"]),
        "target": _num(balance_df["target_per_week"]),
        "days": (_num(balance_df["days_since"]) if "days_since" in balance_df.columns
                 else np.nan),
    })
    g = df.groupby("area", sort=False).agg(spw=("spw", "mean"), target=("target", "mean"),
                                           days=("days", "min"))
    areas = [a for a in _ordered_areas(g.index)
             if (g.at[a, "target"] > 0) or (g.at[a, "spw"] > 0)]
    if not areas or not any(g.at[a, "spw"] > 0 for a in areas):
        return empty_figure(title, height=height)
    g = g.loc[areas]
    labels = [f"{plotly_text(area_label(a))}<br>last: {_days_since_text(d)}"
              for a, d in zip(areas, g["days"], strict=True)]
    pct = np.where(g["target"] > 0, g["spw"] / g["target"] * 100, np.nan)
    text = [f"{p:.0f} % of target" if not np.isnan(p) else "no target" for p in pct]
    custom = np.array([[plotly_text(area_label(a)), "–" if np.isnan(t) else f"{t:.1f}",
                        "–" if np.isnan(p) else f"{p:.0f} %", _days_since_text(d)]
                       for a, t, p, d in zip(areas, g["target"], pct, g["days"], strict=True)],
                      dtype=object)
    fig = go.Figure()
    # Bullet chart: the target as a wide faint bar behind, what was done as a narrow area bar.
    fig.add_trace(go.Bar(
        x=labels, y=g["target"].fillna(0).to_numpy(), name="Target (sessions/week)",
        width=0.8, marker={"color": "rgba(128,128,128,0.22)",
                           "line": {"color": "rgba(128,128,128,0.9)", "width": 1.5}},
        customdata=custom,
        hovertemplate="%{customdata[0]}: target %{y:.1f} sessions/week<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        x=labels, y=g["spw"].fillna(0).to_numpy(), name="Done (sessions/week)", width=0.45,
        showlegend=False,
        marker={"color": [area_colour(a) for a in areas], "line": {"width": 0}},
        text=text, textposition="outside", cliponaxis=False, customdata=custom,
        constraintext="none", textfont={"size": 12},
        hovertemplate=("<b>%{customdata[0]}</b><br>%{y:.1f} sessions/week (target "
                       "%{customdata[1]}, %{customdata[2]})<br>Last session: %{customdata[3]}"
                       "<extra></extra>"),
    ))
    top = float(np.nanmax([g["spw"].max(), g["target"].max(), 1.0])) * 1.2
    fig.update_yaxes(title_text="Sessions per week", range=[0, top])
    fig.update_layout(barmode="overlay")
    return _style(fig, title, height=height)


def squad_balance_heatmap(balance_all: pd.DataFrame, *, areas: Sequence[str] = TRAINING_AREAS,
                          title: str = "Squad balance: % of weekly target (last 4 weeks)",
                          height: int | None = None) -> go.Figure:
    """Athletes (rows, in input order) x areas (columns) coloured by ``pct_of_target``.

    Colour scale: vermillion far under target through blue on/over target (colour-blind safe;
    clipped at 150 %). One heatmap trace and nothing else: the browser draws it as one image,
    so a squad of a thousand athletes costs no more DOM than a squad of ten. Each cell's number
    and detail show on hover, from ``customdata = [athlete, "% of target", sessions/week,
    target/week, last session]`` (the raw athlete name first, so a click can open that athlete;
    Streamlit reports heatmap clicks as points).
    """
    cols = ("athlete", "area", "pct_of_target")
    h = height or 320
    bad = _needs(balance_all, cols, title, h)
    if bad is not None:
        return bad
    df = pd.DataFrame({
        "athlete": balance_all["athlete"].astype(str), "area": balance_all["area"].astype(str),
        "pct": _num(balance_all["pct_of_target"]),
        "spw": (_num(balance_all["sessions_per_week"])
                if "sessions_per_week" in balance_all.columns else np.nan),
        "target": (_num(balance_all["target_per_week"])
                   if "target_per_week" in balance_all.columns else np.nan),
        "days": _num(balance_all["days_since"]) if "days_since" in balance_all.columns else np.nan,
    })
    athletes = list(dict.fromkeys(df["athlete"]))
    areas = [a for a in areas if a in set(df["area"])] or _ordered_areas(set(df["area"]))
    if not athletes or not areas:
        return empty_figure(title, height=h)
    idx = df.drop_duplicates(["athlete", "area"], keep="last").set_index(["athlete", "area"])
    full = pd.MultiIndex.from_product([athletes, areas], names=["athlete", "area"])
    idx = idx.reindex(full)
    shape = (len(athletes), len(areas))
    pct = idx["pct"].to_numpy().reshape(shape)
    text = np.where(np.isnan(pct), "–", np.char.add(np.round(np.nan_to_num(pct)).astype(int)
                                                   .astype(str), " %"))

    def fixed(col: str) -> np.ndarray:
        v = idx[col].to_numpy(dtype=float)
        out = np.full(len(v), "–", dtype=object)
        ok = ~np.isnan(v)
        out[ok] = [f"{x:.1f}" for x in v[ok]]
        return out.reshape(shape)

    days = np.array([_days_since_text(d) for d in idx["days"].to_numpy(dtype=float)],
                    dtype=object).reshape(shape)
    names = np.repeat(np.asarray(athletes, dtype=object), len(areas)).reshape(shape)
    custom = np.stack([names, text.astype(object), fixed("spw"), fixed("target"), days],
                      axis=-1)
    x_labels = [plotly_text(area_label(a)) for a in areas]
    y_labels = [plotly_text(a) for a in athletes]
    fig = go.Figure(go.Heatmap(
        z=np.clip(pct, 0, BALANCE_MAX_PCT), x=x_labels, y=y_labels,
        colorscale=BALANCE_COLOURSCALE, zmin=0, zmax=BALANCE_MAX_PCT,
        customdata=custom, xgap=2, ygap=2, name="% of target",
        hovertemplate=("<b>%{y}</b> · %{x}<br>%{customdata[1]} of target "
                       "(%{customdata[2]} of %{customdata[3]} sessions/week)<br>"
                       "Last session: %{customdata[4]}<extra></extra>"),
        colorbar={"title": {"text": "% of target", "side": "right"}, "thickness": 12,
                  "tickvals": [0, 50, 100, 150], "ticktext": ["0 %", "50 %", "100 %", "≥150 %"]},
    ))
    fig.update_xaxes(side="top", showgrid=False, zeroline=False)
    fig.update_yaxes(showgrid=False, zeroline=False, automargin=True, autorange="reversed")
    height = height or int(min(140 + 28 * len(athletes), 4000))
    fig = _style(fig, title, height=height, legend=False)
    fig.update_layout(margin={"l": 60, "r": 30, "t": 90, "b": 20}, clickmode="event")
    return fig


# --------------------------------------------------------------------------- body marks

#: Colours of the reported-symptom marks on the load timelines.
BODY_COLOURS: Final[dict[str, str]] = {
    "niggle_raises": "rgba(213,94,0,0.16)", "niggle": "rgba(128,128,128,0.14)",
    "niggle_edge": "#D55E00", "flag": "#5E3C99",  # deep purple: apart from the ratio line
}


def add_body_marks(fig: go.Figure, spans: pd.DataFrame | None,
                   flags: pd.DataFrame | None) -> go.Figure:
    """Draw reported niggles and wellness flags on a date-axis timeline (in place; returns it).

    ``spans``: :func:`stridewise.niggles.timeline_spans` (a band from onset to the resolved day
    behind every subplot, vermillion when the symptom rule applied, grey otherwise, and a
    triangle on the onset day with the details on hover). ``flags``:
    :func:`stridewise.wellness.flag_days` (a diamond on each day with a flag, the items on
    hover). Both marks sit on the zero line of the first subplot, so they read at any width."""
    has_grid = getattr(fig, "_grid_ref", None) is not None
    where: dict[str, Any] = {"row": 1, "col": 1} if has_grid else {}
    shapes = list(fig.layout.shapes or [])
    if spans is not None and len(spans):
        x0 = pd.to_datetime(spans["x0"])
        x1 = pd.to_datetime(spans["x1"])
        raises = spans["raises"].astype(bool).to_numpy()
        for a, b, r in zip(x0, x1, raises, strict=True):
            shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": a, "x1": b,
                           "y0": 0, "y1": 1, "layer": "below", "line": {"width": 0},
                           "fillcolor": BODY_COLOURS["niggle_raises" if r else "niggle"]})
        pain = pd.to_numeric(spans["max_pain"], errors="coerce")
        hover = [f"{plotly_text(lab)} niggle from {a:%-d %b}"
                 + (f", pain up to {p:g}/10" if pd.notna(p) else "")
                 + (f", {e}" if e and e != "none" else "")
                 + (" (makes the level at least moderate)" if r else "")
                 for lab, a, p, e, r in zip(spans["label"], x0, pain,
                                            spans["worst_effect"].astype(str).map(
                                                {"modified": "training modified",
                                                 "stopped": "training stopped"}).fillna(""),
                                            raises, strict=True)]
        fig.add_trace(go.Scatter(
            x=x0, y=np.zeros(len(x0)), mode="markers", name="Niggle (reported)",
            marker={"symbol": "triangle-up", "size": 13, "color": BODY_COLOURS["niggle_edge"],
                    "line": {"color": "white", "width": 1}},
            cliponaxis=False, text=hover, hovertemplate="%{text}<extra></extra>"), **where)
    if flags is not None and len(flags):
        d = pd.to_datetime(flags["date"])
        fig.add_trace(go.Scatter(
            x=d, y=np.zeros(len(d)), mode="markers", name="Wellness flag",
            marker={"symbol": "diamond", "size": 10, "color": BODY_COLOURS["flag"],
                    "line": {"color": "white", "width": 1}}, cliponaxis=False,
            text=[f"{t:%a %-d %b}: worse than usual for you: {plotly_text(x)}"
                  for t, x in zip(d, flags["text"], strict=True)],
            hovertemplate="%{text}<extra></extra>"), **where)
    fig.update_layout(shapes=shapes)
    return fig
