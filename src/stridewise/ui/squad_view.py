"""Pieces of the Squad page: roster (triage order), counts, volume slice, exports."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from stridewise.ui import fmt, state, summary, widgets
from stridewise.ui.state import View

SPIKE_LABELS = {"none": "–", "small": "small", "moderate": "moderate", "large": "large"}


def roster_for(view: View, members: pd.DataFrame) -> pd.DataFrame:
    return summary.roster(view.analysis, members, view.as_of, view.settings)


def counts(roster: pd.DataFrame) -> None:
    if roster.empty:
        return
    c = st.columns(4)
    for col, level in zip(c, ("high", "moderate", "low", "not enough data"), strict=True):
        n = int((roster["risk_level"] == level).sum())
        col.metric(fmt.risk_label(level), n, border=True,
                   help=f"Athletes whose risk signal is {level}.")


def roster_display(roster: pd.DataFrame, units: str) -> pd.DataFrame:
    """The roster as shown: readable risk label, distances in the display unit."""
    run = roster["run_km_week"].astype(float)
    return pd.DataFrame({
        "#": range(1, len(roster) + 1),
        "Athlete": roster["athlete"],
        "Group": roster["group"],
        "Risk": roster["risk_level"].map(fmt.risk_label),
        "Top reason": roster["top_reason"],
        "ACWR (EWMA)": roster["acwr_ewma"].replace([float("inf")], float("nan")),
        f"Running {units} this week": run / fmt.KM_PER_MILE if units == "mi" else run,
        "Change": roster["run_km_change_pct"].replace([float("inf")], float("nan")).round(0)
        + 0.0,  # + 0.0 turns -0 into 0
        "Run spike": roster["spike"].map(SPIKE_LABELS),
        "Strength": roster["days_since_strength"],
        "Plyometrics": roster["days_since_plyometrics"],
        "Stability": roster["days_since_stability"],
        "Flexibility": roster["days_since_flexibility"],
        "Days recorded (28 d)": roster["coverage_pct"],
    })


def roster_table(roster: pd.DataFrame, units: str) -> str | None:
    """The sortable roster; returns the athlete whose row was clicked (or None)."""
    if roster.empty:
        st.info("No athlete matches these filters.")
        return None
    shown = roster_display(roster, units)
    days = {"format": "%d d", "help": "Days since the last session of this area"}
    event = st.dataframe(
        shown, hide_index=True, width="stretch", on_select="rerun",
        selection_mode="single-row", key="squad_roster",
        height=min(38 + 35 * len(shown), 720),
        column_config={
            "Athlete": st.column_config.TextColumn("Athlete", pinned=True),
            "#": st.column_config.NumberColumn(
                "#", pinned=True, width=40, help="Triage order: high risk first, then by acute:chronic ratio. "
                          "Sort by this column to get back to it."),
            "Risk": st.column_config.TextColumn("Risk", help="Injury-risk signal (heuristic)"),
            "Top reason": st.column_config.TextColumn("Top reason", width="medium"),
            "ACWR (EWMA)": st.column_config.NumberColumn(format="%.2f"),
            f"Running {units} this week": st.column_config.NumberColumn(format="%.1f"),
            "Change": st.column_config.NumberColumn(
                format="%+.0f%%", help="Last 7 days vs the weekly mean of the 21 days before"),
            "Run spike": st.column_config.TextColumn(
                help="Longest run of the last week vs the longest of the 30 days before "
                     "(Frandsen et al. 2025)"),
            "Strength": st.column_config.NumberColumn(**days),
            "Plyometrics": st.column_config.NumberColumn(**days),
            "Stability": st.column_config.NumberColumn(**days),
            "Flexibility": st.column_config.NumberColumn(**days),
            "Days recorded (28 d)": st.column_config.ProgressColumn(
                min_value=0, max_value=100, format="%.0f%%",
                help="Share of the last 28 days with a recorded session"),
        })
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows:
        return str(shown.iloc[int(rows[0])]["Athlete"])
    return None


def weekly_for(view: View, names: list[str], weeks: int) -> pd.DataFrame:
    """Weekly volume of ``names`` for the last ``weeks`` weeks up to the view's day, read from
    the store's derived table (only the weeks drawn)."""
    since = (pd.Timestamp(view.as_of) - pd.Timedelta(weeks=weeks)).date()
    w = state.squad_weekly(view, names, since)
    return w.loc[pd.to_datetime(w["week"]) <= pd.Timestamp(view.as_of)]


def exports(view: View, roster: pd.DataFrame, names: list[str], title: str = "Squad") -> None:
    from stridewise import exports as ex
    from stridewise import reports

    if roster.empty:
        return
    a: Any = view.analysis
    balance = a.balance.loc[a.balance["athlete"].isin(names)]

    def weekly() -> pd.DataFrame:  # every stored week, read only when a file is asked for
        w = state.squad_weekly(view, names, None)
        return w.loc[pd.to_datetime(w["week"]) <= pd.Timestamp(view.as_of)]
    base = f"stridewise_squad_{view.as_of:%Y%m%d}"
    units = view.settings.units

    def report() -> str:
        daily = state.squad_daily(view, names)
        risk_all = daily.loc[pd.to_datetime(daily["date"]) <= pd.Timestamp(view.as_of)] \
            if len(daily) else daily
        return reports.squad_report_html(title, risk_all=risk_all, balance_all=balance,
                                         weekly_all=weekly(), units=units)

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    items = [
        ("Roster CSV", partial(ex.csv_bytes, roster), f"{base}_roster.csv", "text/csv"),
        ("Weekly CSV", lambda: ex.csv_bytes(weekly()), f"{base}_weekly.csv", "text/csv"),
        ("Weekly Parquet", lambda: ex.parquet_bytes(weekly()), f"{base}_weekly.parquet",
         "application/vnd.apache.parquet"),
        ("Excel", lambda: ex.excel_bytes({"Roster": roster, "Weekly": weekly(),
                                          "Balance": balance}), f"{base}.xlsx", xlsx),
        ("Printable squad report", report, f"{base}_report.html", "text/html"),
    ]
    widgets.download_row(items, key="squad_dl")
