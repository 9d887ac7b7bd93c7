"""Pieces of the Athlete page: KPI row, risk panel, sessions editor, exports, data slices."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from stridewise import risk as risk_mod
from stridewise.assessment import Assessment
from stridewise.errors import StridewiseError
from stridewise.schema import AREAS, TRAINING_AREAS
from stridewise.settings import Settings
from stridewise.ui import fmt, state, summary, widgets

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

GLOSSARY = """
- **Endurance** — running and other cardio: easy and long runs, intervals, rides, swims, hikes.
- **Strength** — squats, lunges, deadlifts, gym and weight work.
- **Plyometrics** — jump squats, box jumps, bounding, skipping drills.
- **Stability** — single-leg and balance work, planks, core, stability ball.
- **Flexibility** — yoga, Pilates, stretching, mobility.
- **Load (AU)** — session RPE × minutes (Foster's session-RPE). Without a logged RPE the RPE is
  estimated from heart rate when HR max/rest are known, else from a default per area; the
  sessions table says which.
- **Running distance vs your usual week** — running distance of the last 7 days against the
  weekly mean of the 21 days before them.
- **Last 7 days** — the 7 days up to today (rolling), for current figures; **last full week**
  for week-on-week comparisons. The current week is marked "so far" in the charts.
- **Sessions** — a mixed session (for example strength with box jumps) counts once, in its
  main area; its minutes are split across its areas.
"""

#: Keys of the Athlete page's sections drawn only when opened (below the fold).
FITNESS_SECTION = "athlete_fitness_open"
CALENDAR_SECTION = "athlete_calendar_open"

LOAD_SOURCE_LABELS = {"rpe": "your RPE", "hr": "heart rate", "area default": "area default"}


# --- figures, built once per view -------------------------------------------------------------

def chart(view: Any, what: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """The figure ``make()`` builds, prepared for the page (:func:`plots.prepare`) and kept
    under the view's data key and ``what`` (:func:`state.memo`): a rerun (a clicked bar, a
    metric or range switched back) or the next visitor re-sends it instead of rebuilding it.
    ``what`` names everything the figure depends on beyond the view (athlete, range, options,
    :func:`body_key`)."""
    from stridewise.ui import plots

    return state.memo(view, ("athlete_chart", *what), lambda: plots.prepare(make()))


def body_key(frames: Sequence[pd.DataFrame]) -> tuple[Any, ...]:
    """A content key of small frames (the niggle and wellness marks drawn on a timeline)."""
    return tuple((tuple(f.columns), len(f),
                  int(pd.util.hash_pandas_object(f, index=False).sum()) if len(f) else 0)
                 for f in frames)


# --- data slices ---------------------------------------------------------------------------------

def data_span(analysis: Any, athlete: str, as_of: date) -> tuple[date, date]:
    """First session day and the reference day (the range control's bounds)."""
    s = analysis.sessions
    s = s.loc[s["athlete"] == athlete]
    first = pd.Timestamp(s["start"].min()).date() if len(s) else as_of - timedelta(days=27)
    return min(first, as_of), as_of


def weekly_in_range(analysis: Any, athlete: str, start: date, end: date) -> pd.DataFrame:
    w = analysis.weekly
    wk = pd.to_datetime(w["week"])
    ws = pd.Timestamp(start) - pd.Timedelta(days=6)
    return w.loc[(w["athlete"] == athlete) & (wk >= ws) & (wk <= pd.Timestamp(end))]


def risk_in_range(analysis: Any, athlete: str, start: date, end: date) -> pd.DataFrame:
    r = analysis.risk
    d = pd.to_datetime(r["date"])
    return r.loc[(r["athlete"] == athlete) & (d >= pd.Timestamp(start))
                 & (d <= pd.Timestamp(end))].sort_values("date")


def sessions_in_range(analysis: Any, athlete: str, start: date, end: date) -> pd.DataFrame:
    s = analysis.sessions
    return s.loc[(s["athlete"] == athlete) & (s["start"] >= pd.Timestamp(start))
                 & (s["start"] < pd.Timestamp(end) + pd.Timedelta(days=1))]


def in_weeks(sessions: pd.DataFrame, weeks: Sequence[pd.Timestamp],
             week_start: str) -> pd.DataFrame:
    """The sessions whose training week (starting ``week_start``) is one of ``weeks``."""
    if sessions.empty:
        return sessions
    wk = sessions["start"].map(
        lambda t: pd.Timestamp(summary.week_start_of(t.date(), week_start)))
    return sessions.loc[wk.isin([pd.Timestamp(w).normalize() for w in weeks])]


def weekly_run_km(analysis: Any, athlete: str, start: date, end: date,
                  settings: Settings) -> pd.Series:
    """Running km per training week (index: week start) for the weekly chart's line."""
    from stridewise.schema import RUN_SPORTS

    s = sessions_in_range(analysis, athlete, start, end)
    runs = s.loc[s["sport"].isin(sorted(RUN_SPORTS))]
    weeks = runs["start"].map(
        lambda t: pd.Timestamp(summary.week_start_of(t.date(), settings.week_start)))
    km = (pd.to_numeric(runs["distance_m"], errors="coerce").fillna(0.0) / 1000.0)
    out = km.groupby(weeks).sum() if len(runs) else pd.Series(dtype=float)
    w = weekly_in_range(analysis, athlete, start, end)
    all_weeks = pd.to_datetime(w["week"]).drop_duplicates().sort_values()
    return out.reindex(all_weeks, fill_value=0.0) if len(all_weeks) else out


def calendar_days(analysis: Any, athlete: str, start: date | None = None,
                  end: date | None = None) -> pd.DataFrame:
    """Per-session rows (date, load, minutes, area) for the calendar heatmap, within the chosen
    range when given."""
    s = analysis.sessions
    s = s.loc[s["athlete"] == athlete]
    if start is not None and end is not None:
        s = sessions_in_range(analysis, athlete, start, end)
    return pd.DataFrame({
        "date": s["start"].dt.normalize(),
        "load": pd.to_numeric(s["load"], errors="coerce").fillna(0.0),
        "minutes": pd.to_numeric(s["moving_s"], errors="coerce").fillna(
            pd.to_numeric(s["duration_s"], errors="coerce")) / 60.0,
        "area": s["area"].astype(str),
    })


# --- KPI row ---------------------------------------------------------------------------------------

def kpi_row(wk: Assessment, units: str, settings: Settings) -> None:
    """The assessment's tiles (the same pieces as on Home) and the areas of the last 7 days."""
    c = st.columns(4)
    widgets.risk_tile(wk, c[0])
    widgets.running_tile(wk, c[1])
    widgets.ratio_tile(wk, c[2])
    widgets.training_tile(wk, c[3])
    cols = st.columns(len(TRAINING_AREAS))
    for col, area in zip(cols, TRAINING_AREAS, strict=True):
        done = wk.area_sessions_7d.get(area, 0)
        target = wk.targets.get(area, 0.0)
        mins = wk.area_minutes_7d.get(area, 0.0)
        on = target > 0 and done >= target
        col.metric(fmt.area_label(area), fmt.fmt_minutes_short(mins), border=True,
                   height="stretch",
                   delta=f"{done:.0f} of {target:g} sessions" if target else f"{done:.0f} sessions",
                   delta_color="normal" if on else "off", delta_arrow="off",
                   help=f"Last 7 days. Minutes include the {area} part of mixed sessions; "
                        f"sessions count those whose main area is {area}. Target: {target:g} "
                        "sessions a week (Settings).")


# --- risk panel ---------------------------------------------------------------------------------------

#: Explained together under the load chart, the fitness chart and the balance chart.
LOAD_EXPLAINED = ("load", "trimp", "acute_7d", "chronic_28d", "chronic_21d", "ewma_acute",
                  "ewma_chronic", "strain")
FITNESS_EXPLAINED = ("ctl", "atl", "tsb", "ramp")
BALANCE_EXPLAINED = ("balance",)
#: The metrics of the risk panel, in this order.
PANEL_METRICS = ("spike_pct", "run_km_change_pct", "run_km_7d", "acwr", "monotony", "coverage")


def metrics_table(a: Assessment) -> pd.DataFrame:
    """The assessment's metrics as shown: name, value, band, evidence grade."""
    return pd.DataFrame([(a.metrics[k].name, a.metrics[k].text, a.metrics[k].band,
                          a.metrics[k].grade) for k in PANEL_METRICS],
                        columns=["Metric", "Now", "Band", "Evidence"])


def risk_panel(a: Assessment) -> None:
    st.markdown("**Injury-risk signal**")
    widgets.risk_badge(a.level)
    if a.date is None:
        st.caption("No sessions yet.")
        return
    st.caption(f"As of {pd.Timestamp(a.date):%a %d %b %Y} · heuristic version {a.version}")
    widgets.reasons_with_details(a)
    st.dataframe(metrics_table(a), hide_index=True, width="stretch", column_config={
        "Metric": st.column_config.TextColumn(width="medium"),
        "Now": st.column_config.TextColumn(width="small"),
        "Band": st.column_config.TextColumn(width="small"),
        "Evidence": st.column_config.TextColumn(
            width="small", help="How strong the evidence behind the signal is (details under "
            "each reason)")})
    widgets.heuristic_note()
    widgets.acwr_contested_note()
    with st.expander("How is the level decided?", icon=":material/function:"):
        ex = risk_mod.EXPLANATIONS["risk_level"]
        st.markdown(ex.formula)
        st.caption(f"Sources: {ex.source}")
        for key in ("spike_pct", "run_km_change_pct", "acwr", "monotony"):
            st.markdown(f"**{a.metrics[key].name}** — evidence: {a.metrics[key].evidence}.")


def _f(x: object) -> float:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def days_since_table(balance: pd.DataFrame) -> None:
    st.markdown("**Last four weeks by area**")
    if balance.empty:
        st.caption("No sessions in the last four weeks.")
        return
    b = balance.set_index("area")
    rows = []
    for area in TRAINING_AREAS:
        if area not in b.index:
            continue
        rows.append({"Area": fmt.area_label(area),
                     "Last session": fmt.fmt_days(_f(b.loc[area, "days_since"])),
                     "Sessions, 4 wk": int(_f(b.loc[area, "sessions"]) or 0),
                     "% of target": fmt.fmt_pct(_f(b.loc[area, "pct_of_target"]), signed=False)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    behind = [fmt.area_label(a).lower() for a in TRAINING_AREAS
              if a in b.index and _f(b.loc[a, "pct_of_target"]) < 50]
    if behind:
        st.caption("Well under target over four weeks: " + ", ".join(behind) + ".")


def _load_from(s: pd.DataFrame) -> Any:
    """Where each load came from; loads estimated while heart rate sits unused say so."""
    label = s["load_source"].map(lambda v: LOAD_SOURCE_LABELS.get(v, v))
    if "load_note" in s.columns:
        unset = s["load_note"].astype(str).str.contains("HR max and resting HR are not set",
                                                        regex=False)
        label = label.where(~unset, "estimated (HR max/rest not set)")
    return label.to_numpy()


def _estimated(s: pd.DataFrame) -> np.ndarray:
    """True where a session's duration was estimated (no time recorded)."""
    if "duration_estimated" not in s.columns:
        return np.zeros(len(s), dtype=bool)
    return s["duration_estimated"].fillna(False).to_numpy(dtype=bool)


# --- sessions table ------------------------------------------------------------------------------------

EDITOR_GEN = "sw_editor_gen"
#: Sessions the editor shows at first (newest first); a longer range offers "show all".
EDITOR_ROWS = 200
#: Key of the toggle that shows every session of the range in the editor.
EDITOR_ALL = "athlete_editor_all"


def newest(sessions: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The ``limit`` newest of ``sessions`` (all of them when there are no more)."""
    if len(sessions) <= limit:
        return sessions
    return sessions.sort_values("start", ascending=False, kind="stable").head(limit)


def editor_key(athlete: str) -> str:
    return f"sessions_editor_{st.session_state.get(EDITOR_GEN, 0)}"


def sessions_table(sessions: pd.DataFrame, units: str,
                   parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The display table of the sessions editor (one row per session, newest first).

    ``split``: for a mixed session, its minutes per area (from ``parts``). ``minutes_are``:
    "estimated" where the source gave a distance but no time (``duration_estimated``)."""
    from stridewise.volume import area_split

    s = sessions.sort_values("start", ascending=False)
    split = area_split(parts) if parts is not None else pd.Series(dtype=str)
    dist_km = pd.to_numeric(s["distance_m"], errors="coerce") / 1000.0
    return pd.DataFrame({
        "session_id": s["session_id"].to_numpy(),
        "start": s["start"].to_numpy(),
        "sport": s["sport"].str.replace("_", " ").to_numpy(),
        "title": s["title"].to_numpy(),
        "area": s["area"].to_numpy(),
        "split": s["session_id"].astype(str).map(split.astype(object)).astype(object)
        .where(lambda x: x.notna(), "").to_numpy(),
        "why": s["area_reason"].to_numpy() if "area_reason" in s.columns else "",
        "minutes": (pd.to_numeric(s["moving_s"], errors="coerce") / 60.0).round(0).to_numpy(),
        "minutes_are": np.where(_estimated(s), "estimated", ""),
        "distance": (dist_km / fmt.KM_PER_MILE if units == "mi" else dist_km).round(2).to_numpy(),
        "avg_hr": pd.to_numeric(s["avg_hr"], errors="coerce").round(0).to_numpy(),
        "rpe": pd.to_numeric(s["rpe"], errors="coerce").to_numpy(),
        "load": pd.to_numeric(s["load"], errors="coerce").round(0).to_numpy(),
        "load_from": _load_from(s),
    })


def apply_edits(store: Store, ids: Sequence[str], original: pd.DataFrame,
                edits: dict[Any, dict[str, Any]]) -> int:
    """Save data-editor edits (row position -> {column: value}) as overrides; returns count."""
    n = 0
    for pos, change in edits.items():
        i = int(pos)
        if i < 0 or i >= len(ids):
            continue
        sid = ids[i]
        kw: dict[str, Any] = {}
        if "area" in change and change["area"] in AREAS and change["area"] != original.iloc[i]["area"]:
            kw["area"] = change["area"]
        if "rpe" in change:
            rpe = change["rpe"]
            kw["rpe"] = None if fmt.is_missing(rpe) else max(0.0, min(10.0, float(rpe)))
        if kw:
            store.set_override(sid, **kw)
            n += 1
    return n


def sessions_editor(store: Store, analysis: Any, athlete: str, start: date, end: date,
                    picked_weeks: list[pd.Timestamp], settings: Settings) -> None:
    sessions = sessions_in_range(analysis, athlete, start, end)
    if picked_weeks:
        sessions = in_weeks(sessions, picked_weeks, settings.week_start)
        st.caption("Showing the week(s) you clicked: " + ", ".join(
            f"{w:%d %b %Y}" for w in picked_weeks) + ". Click outside the bars to show all.")
    if sessions.empty:
        st.caption("No sessions in this range.")
        return
    total = len(sessions)
    if total > EDITOR_ROWS and not st.toggle(
            f"Show all {total:,} sessions of this range", key=EDITOR_ALL,
            help=f"The table lists the {EDITOR_ROWS} newest at first (a long range sends "
                 "thousands of rows to the browser). Clicking a week's bar lists that week."):
        sessions = newest(sessions, EDITOR_ROWS)
        st.caption(f"The {EDITOR_ROWS} newest of {total:,} sessions in this range. The exports "
                   "below hold every one.")
    table = sessions_table(sessions, settings.units, analysis.parts.loc[
        analysis.parts["session_id"].isin(sessions["session_id"])])
    ids = list(table["session_id"])
    key = editor_key(athlete)
    pending = st.session_state.get(key)
    if isinstance(pending, dict) and pending.get("edited_rows"):
        prev_ids = st.session_state.get(f"{key}_ids", ids)
        prev_table = st.session_state.get(f"{key}_table", table)
        try:
            n = apply_edits(store, prev_ids, prev_table, pending["edited_rows"])
        except StridewiseError as exc:
            widgets.show_error(exc)
            n = 0
        st.session_state[EDITOR_GEN] = st.session_state.get(EDITOR_GEN, 0) + 1
        state.clear_caches()
        if n:
            st.toast(f"Saved {n} change(s). They are kept when you import again.",
                     icon=":material/save:")
        st.rerun()
    st.session_state[f"{key}_ids"] = ids
    st.session_state[f"{key}_table"] = table
    dist_label = f"Distance ({settings.units})"
    st.data_editor(
        table.drop(columns=["session_id"]), key=key, hide_index=True, width="stretch",
        height=min(38 + 35 * len(table), 460), num_rows="fixed", placeholder="–",
        column_order=["start", "title", "area", "split", "rpe", "minutes", "minutes_are",
                      "distance", "avg_hr", "load", "load_from", "sport", "why"],
        disabled=["start", "sport", "title", "split", "why", "minutes", "minutes_are",
                  "distance", "avg_hr", "load", "load_from"],
        column_config={
            "start": st.column_config.DatetimeColumn("Start", format="ddd D MMM YY, HH:mm"),
            "sport": st.column_config.TextColumn("Sport"),
            "title": st.column_config.TextColumn("Title", width="medium"),
            "area": st.column_config.SelectboxColumn(
                "Area ✎", options=list(AREAS), required=True,
                help="Change the training area; your choice is kept on re-import."),
            "why": st.column_config.TextColumn("Why this area"),
            "split": st.column_config.TextColumn(
                "Mixed: minutes per area", help="A mixed session counts once as a session "
                "(in its main area); its minutes are split across its areas."),
            "minutes": st.column_config.NumberColumn("Minutes", format="%d"),
            "minutes_are": st.column_config.TextColumn(
                "Minutes are", width="small",
                help="'estimated': the file gave a distance but no time, so the minutes (and "
                     "the load) were estimated from its pace."),
            "distance": st.column_config.NumberColumn(dist_label, format="%.2f"),
            "avg_hr": st.column_config.NumberColumn("Avg HR", format="%d"),
            "rpe": st.column_config.NumberColumn(
                "RPE ✎", min_value=0, max_value=10, step=0.5, format="%.1f",
                help="Perceived exertion 0–10 (session RPE). Changes the load."),
            "load": st.column_config.NumberColumn("Load (AU)", format="%d"),
            "load_from": st.column_config.TextColumn("Load from"),
        })
    st.caption(f"{len(table)} session(s). Edit **Area ✎** or **RPE ✎**; changes are saved at "
               "once and survive re-imports.")


# --- exports ------------------------------------------------------------------------------------------

def exports(analysis: Any, athlete: str, start: date, end: date, as_of: date,
            settings: Settings) -> None:
    widgets.download_row(export_items(analysis, athlete, start, end, settings),
                         key="athlete_dl", athletes=[athlete])
    st.caption("The report is a one-page HTML file: open it and print to PDF from the browser. "
               "CSV cells that start with = + - @ are neutralised so spreadsheets do not run them.")


def export_items(analysis: Any, athlete: str, start: date, end: date, settings: Settings
                 ) -> list[tuple[str, Any, str, str]]:
    """(label, builder, file name, mime) for the Athlete page's downloads; builders run on
    click."""
    from stridewise import exports as ex
    from stridewise import reports

    store = state.get_store()  # now, in the page run: builders run later, on click
    sessions = sessions_in_range(analysis, athlete, start, end)
    weekly = weekly_in_range(analysis, athlete, start, end)
    daily = risk_in_range(analysis, athlete, start, end)
    out_cols = [c for c in ("athlete", "start", "sport", "title", "area", "area_reason",
                            "duration_s", "moving_s", "distance_m", "elevation_gain_m",
                            "duration_estimated", "avg_hr", "max_hr", "calories", "rpe",
                            "rpe_used", "load", "load_source", "trimp", "source",
                            "source_file", "session_id")
                if c in sessions.columns]
    s_out = sessions[out_cols].sort_values("start")
    base = f"stridewise_{fmt.safe_file_part(athlete)}_{start:%Y%m%d}-{end:%Y%m%d}"
    risk_rows = summary.risk_rows(analysis.risk, athlete, end)
    bal = analysis.balance.loc[analysis.balance["athlete"] == athlete]

    def report() -> str:
        return reports.athlete_report_html(athlete, weekly=weekly, risk=risk_rows, balance=bal,
                                           settings=settings, parts=analysis.parts,
                                           sessions=analysis.sessions,
                                           plan_rows=_plan_rows(store, analysis, athlete,
                                                                end, settings))

    weekly_out = reports.weekly_export(weekly, settings.units)
    if "distance_m" in s_out.columns:
        per = fmt.KM_PER_MILE * 1000.0 if settings.units == "mi" else 1000.0
        s_out = s_out.assign(**{f"distance_{settings.units}": pd.to_numeric(
            s_out["distance_m"], errors="coerce") / per})

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    items = [
        ("Sessions CSV", partial(ex.csv_bytes, s_out), f"{base}_sessions.csv", "text/csv"),
        ("Weekly CSV", partial(ex.csv_bytes, weekly_out), f"{base}_weekly.csv", "text/csv"),
        ("Sessions Parquet", partial(ex.parquet_bytes, s_out), f"{base}_sessions.parquet",
         "application/vnd.apache.parquet"),
        ("Weekly Parquet", partial(ex.parquet_bytes, weekly_out), f"{base}_weekly.parquet",
         "application/vnd.apache.parquet"),
        ("Excel", partial(ex.excel_bytes, {"Sessions": s_out, "Weekly": weekly_out,
                                           "Daily load": daily}), f"{base}.xlsx", xlsx),
        ("Printable report", report, f"{base}_report.html", "text/html"),
    ]
    return items


def _plan_rows(store: Any, analysis: Any, athlete: str, end: date, settings: Settings
               ) -> pd.DataFrame:
    """Planned vs done of the last full week before ``end`` (for the printed report)."""
    from stridewise import plans

    week = plans.week_start_for(end, settings.week_start) - timedelta(days=7)
    plan = plans.effective_plan(store, athlete, week)
    if plan.is_empty:
        return pd.DataFrame()
    return plans.compliance(plan, analysis.sessions, week, parts=analysis.parts,
                            units=settings.units)
