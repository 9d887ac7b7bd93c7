"""Pieces of the Squad page: roster (triage order), counts, volume slice, exports."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from stridewise.assessment import TRIAGE_RULE
from stridewise.ui import fmt, state, summary, widgets
from stridewise.ui.state import View

SPIKE_LABELS = {"none": "–", "small": "small", "moderate": "moderate", "large": "large"}


def roster_for(view: View, members: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """The roster as of ``as_of`` (default: the view's day), with the 6-week trends."""
    day = as_of or view.as_of
    roster = summary.roster(view.analysis, members, day, view.settings,
                            plan=plan_for(view, list(members["name"])))
    trends = trends_for(view, list(roster["athlete"]), day)
    return roster.merge(trends, on="athlete", how="left")


# --- window and 6-week trends -----------------------------------------------------------------

WINDOWS = ("full_week", "last_7")
WINDOW_LABELS = {"full_week": "Last full week", "last_7": "Last 7 days"}
TREND_WEEKS = 6


def window_control(view: View) -> tuple[date, str, str]:
    """Last full week (default) or the last 7 days: (the roster's day, a caption, the window's
    short name for column headers)."""
    from stridewise.review import review_week

    choice = st.segmented_control("Window", list(WINDOWS), default="full_week",
                                  format_func=WINDOW_LABELS.get, key="squad_window",
                                  required=True)
    if choice == "last_7":
        return view.as_of, f"The 7 days up to {view.as_of:%a %d %b %Y}", "last 7 days"
    first = review_week(view.as_of, view.settings.week_start)
    end = first + timedelta(days=6)
    return end, f"The last full week, {first:%a %d %b} – {end:%a %d %b %Y}", "last full week"


def trends_for(view: View, names: list[str], as_of: date) -> pd.DataFrame:
    """Per athlete the running distance (display unit) and load of the last
    :data:`TREND_WEEKS` weeks up to ``as_of``'s week, oldest first, read from the stored weekly
    rows (``run_trend``, ``load_trend``: lists of floats)."""
    from stridewise.settings import KM_PER_MILE
    from stridewise.ui.summary import week_start_of

    last = week_start_of(as_of, view.settings.week_start)
    weeks = [pd.Timestamp(last - timedelta(days=7 * i)) for i in range(TREND_WEEKS - 1, -1, -1)]
    w = state.squad_weekly(view, names, (weeks[0] - pd.Timedelta(days=1)).date())
    per = 1.0 / KM_PER_MILE if view.settings.units == "mi" else 1.0
    if len(w):
        w = w.loc[pd.to_datetime(w["week"]).isin(weeks)]
    # athlete x week sums over areas, one grouping for both figures (0: nothing recorded)
    sums = (w.groupby(["athlete", "week"])[["distance_km", "load"]].sum() if len(w)
            else pd.DataFrame(columns=["distance_km", "load"], dtype=float))

    def grid(col: str) -> list[list[float]]:
        """athletes x weeks of ``col``."""
        if not len(sums):
            return [[0.0] * len(weeks) for _ in names]
        table = sums[col].unstack("week").reindex(index=names, columns=weeks).fillna(0.0)
        return table.to_numpy(dtype=float).tolist()

    run = [[round(v * per, 1) for v in row] for row in grid("distance_km")]
    load = [[round(v, 0) for v in row] for row in grid("load")]
    return pd.DataFrame({"athlete": names, "run_trend": run, "load_trend": load})


#: Session-state key of the open/closed "Squad weekly volume" section (drawn only when open)
VOLUME_SECTION = "squad_volume_open"

#: Rows of the balance heat map: the athletes first in the roster's triage order (a map of
#: hundreds of rows has no readable row, and costs the browser a label per row)
HEATMAP_ATHLETES = 60


def heatmap_note(drawn: int, of: int) -> str:
    """What the heat map leaves out, in words ("" when it shows everyone)."""
    if drawn >= of:
        return ""
    return (f" It shows the {drawn} athletes first in the roster's order, of {of}: choose "
            "groups or \"Only moderate or high risk\" above to see others, or open an athlete "
            "from the roster.")


def plan_for(view: View, names: list[str]) -> pd.DataFrame:
    """Last full week's plan vs done per athlete (library figures: stridewise.plans), from the
    squad's recent sessions and stored weekly volume."""
    from stridewise import plans

    week = plans.week_start_for(view.as_of, view.settings.week_start) - timedelta(days=7)
    weekly = state.squad_weekly(view, names, week - timedelta(days=1))
    return plans.roster_compliance(state.get_store(), names, week,
                                   sessions=view.analysis.sessions, weekly=weekly)


def counts(roster: pd.DataFrame) -> None:
    if roster.empty:
        return
    c = st.columns(4)
    for col, level in zip(c, ("high", "moderate", "low", "not enough data"), strict=True):
        n = int((roster["risk_level"] == level).sum())
        col.metric(fmt.risk_label(level), n, border=True,
                   help=f"Athletes whose risk signal is {level}.")


def ratio_column(roster: pd.DataFrame) -> str:
    """The header of the acute:chronic column: the ratio's own name (one name everywhere)."""
    name = str(roster["acwr_name"].iloc[0]) if len(roster) else "Acute:chronic ratio"
    return name.replace("Acute:chronic ratio", "Acute:chronic")


def roster_display(roster: pd.DataFrame, units: str, window: str = "last 7 days"
                   ) -> pd.DataFrame:
    """The roster as shown: readable risk label; every number as the assessment holds it."""
    out = pd.DataFrame({
        "#": roster["rank"],
        "Athlete": roster["athlete"],
        "Group": roster["group"],
        "Risk": roster["risk_level"].map(fmt.risk_label),
        "Top reason": roster["top_reason"],
        ratio_column(roster): roster["acwr"].replace([float("inf")], float("nan")),
        f"Running {units}, {window}": roster[f"run_{units}_7d"],
        "vs usual week": roster["run_change_pct"].replace([float("inf")], float("nan")).round(0)
        + 0.0,  # + 0.0 turns -0 into 0
        "Run spike": roster["spike_band"].map(SPIKE_LABELS).fillna("–"),
        f"Next run up to ({units})": roster[f"next_run_limit_{units}"],
        "Strength": roster["days_since_strength"],
        "Plyometrics": roster["days_since_plyometrics"],
        "Stability": roster["days_since_stability"],
        "Flexibility": roster["days_since_flexibility"],
        "Days recorded (28 d)": roster["coverage_days_pct"],
        **({f"Running {units}, 6 weeks": roster["run_trend"], "Load, 6 weeks":
            roster["load_trend"]} if "run_trend" in roster.columns else {}),
    })
    if "plan_status" in roster.columns:  # last full week's plan, beside the risk
        out.insert(out.columns.get_loc("Risk") + 1, "Plan last week",
                   [plan_text(st_, pct) for st_, pct in zip(
                       roster["plan_status"], roster["plan_share_pct"], strict=True)])
    return out


def plan_text(status: str, pct: float) -> str:
    """The roster's plan cell: the status word and the share of the plan met."""
    if status == "no plan" or fmt.is_missing(pct):
        return "–"
    return f"{status} {pct:.0f} %"



#: Rows tall enough for the top reason to wrap onto three lines (the grid wraps text in rows
#: taller than 4rem) instead of being cut.
ROW_HEIGHT = 78
_RISK_STYLE = {"high": "background-color: rgba(213,94,0,0.35)",
               "moderate": "background-color: rgba(230,159,0,0.28)",
               "low": "background-color: rgba(0,158,115,0.18)",
               "not enough data": "background-color: rgba(128,128,128,0.15)"}

_STATUS_STYLE = {"alert": "background-color: rgba(213,94,0,0.35)",
                 "watch": "background-color: rgba(230,159,0,0.25)",
                 "ok": "background-color: rgba(0,158,115,0.18)"}


def roster_table(roster: pd.DataFrame, units: str, window: str = "last 7 days") -> str | None:
    """The sortable roster; returns the athlete whose row was clicked (or None)."""
    if roster.empty:
        st.info("No athlete matches these filters.")
        return None
    shown = roster_display(roster, units, window)
    ratio = ratio_column(roster)
    status = list(roster["acwr_status"]) if "acwr_status" in roster.columns else []
    levels = list(roster["risk_level"])
    data: Any = shown.style.apply(
        lambda col: [_RISK_STYLE.get(x, "") for x in levels], subset=["Risk"])
    if status:
        data = data.apply(
            lambda col: [_STATUS_STYLE.get(x, "") for x in status], subset=[ratio])
    if "plan_status" in roster.columns:
        from stridewise.ui.plans_view import STATUS_BG

        plan_st = list(roster["plan_status"])
        data = data.apply(
            lambda col: [STATUS_BG.get(x, "") for x in plan_st], subset=["Plan last week"])
    days = {"format": "%d d", "help": "Days since the last session of this area"}
    event = st.dataframe(
        data, hide_index=True, width="stretch", on_select="rerun",
        selection_mode="single-row", key="squad_roster", row_height=ROW_HEIGHT,
        height=min(38 + (ROW_HEIGHT + 1) * len(shown), 760),
        column_config={
            "Athlete": st.column_config.TextColumn("Athlete", pinned=True),
            "#": st.column_config.NumberColumn(
                "#", pinned=True, width=40, help=TRIAGE_RULE
                + " Sort by this column to get back to it."),
            "Risk": st.column_config.TextColumn("Risk", help="Injury-risk signal (heuristic)"),
            "Top reason": st.column_config.TextColumn(
                "Top reason", width="large", help="The first reason of the risk signal"),
            f"Running {units}, 6 weeks": st.column_config.LineChartColumn(
                width="small", y_min=0, help="Running distance per week, the last 6 weeks "
                "(the roster's week last)"),
            "Load, 6 weeks": st.column_config.BarChartColumn(
                width="small", y_min=0, help="Training load (AU) per week, the last 6 weeks"),
            ratio: st.column_config.NumberColumn(
                format="%.2f", help="Load of the last 7 days against the usual load; coloured "
                "against its bands. Context only: contested (Impellizzeri 2020; Lolli 2019)."),
            f"Running {units}, {window}": st.column_config.NumberColumn(format="%.1f"),
            "vs usual week": st.column_config.NumberColumn(
                format="%+.0f%%", help="Running distance of the last 7 days vs the weekly mean "
                "of the 21 days before"),
            "Run spike": st.column_config.TextColumn(
                help="Longest run of the last week vs the longest of the 30 days before "
                     "(Frandsen et al. 2025)"),
            f"Next run up to ({units})": st.column_config.NumberColumn(
                format="%.1f", help="10 % over the longest run of the last 30 days"),
            "Strength": st.column_config.NumberColumn(**days),
            "Plyometrics": st.column_config.NumberColumn(**days),
            "Stability": st.column_config.NumberColumn(**days),
            "Flexibility": st.column_config.NumberColumn(**days),
            "Days recorded (28 d)": st.column_config.ProgressColumn(
                min_value=0, max_value=100, format="%.0f%%",
                help="Share of the last 28 days with a recorded session"),
            "Plan last week": st.column_config.TextColumn(
                help="Share of last full week's plan met (Plans page): done within 20 %, "
                     "partly, missed"),
        })
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows:
        return str(shown.iloc[int(rows[0])]["Athlete"])
    return None


def roster_export(roster: pd.DataFrame) -> pd.DataFrame:
    """The roster CSV: the roster's own columns (units in the headers), minus display helpers."""
    return roster.drop(columns=["acwr_status", "run_trend", "load_trend"], errors="ignore")


def weekly_for(view: View, names: list[str], weeks: int, everyone: bool = False
               ) -> pd.DataFrame:
    """The squad's weekly volume of the last ``weeks`` weeks up to the view's day, summed over
    ``names`` per week x area by the store (only the weeks drawn; ``everyone``: all stored
    athletes); ``attrs["as_of"]`` tells the volume chart which week is still under way,
    ``attrs["athletes"]`` how many athletes the sums hold."""
    since = (pd.Timestamp(view.as_of) - pd.Timedelta(weeks=weeks)).date()
    w = state.squad_weekly_totals(view, names, since, everyone)
    out = w.copy()
    out.attrs["as_of"] = pd.Timestamp(view.as_of)
    out.attrs["athletes"] = w.attrs.get("athletes", 0)
    return out


def exports(view: View, roster: pd.DataFrame, names: list[str], title: str = "Squad") -> None:
    if roster.empty:
        return
    widgets.download_row(export_items(view, roster, names, title), key="squad_dl",
                         athletes=names)


def export_items(view: View, roster: pd.DataFrame, names: list[str], title: str = "Squad"
                 ) -> list[tuple[str, Any, str, str]]:
    """(label, builder, file name, mime) of the Squad page's downloads; builders run on click.
    The roster CSV and the printed report take the page's own roster (same rows, same order)."""
    from stridewise import exports as ex
    from stridewise import reports

    a: Any = view.analysis
    units = view.settings.units
    balance = a.balance.loc[a.balance["athlete"].isin(names)]

    def weekly() -> pd.DataFrame:  # every stored week, read only when a file is asked for
        w = state.squad_weekly(view, names, None)
        return w.loc[pd.to_datetime(w["week"]) <= pd.Timestamp(view.as_of)]
    base = f"stridewise_squad_{view.as_of:%Y%m%d}"

    def report() -> str:
        daily = state.squad_daily(view, names)
        risk_all = daily.loc[pd.to_datetime(daily["date"]) <= pd.Timestamp(view.as_of)] \
            if len(daily) else daily
        from stridewise import plans

        compliance = plans.compliance_summary(
            state.get_store(), names, weeks=4, as_of=view.as_of,
            week_start=view.settings.week_start, weekly=weekly())
        return reports.squad_report_html(title, risk_all=risk_all, balance_all=balance,
                                         weekly_all=weekly(), roster=roster,
                                         settings=view.settings, compliance=compliance)

    def weekly_out() -> pd.DataFrame:
        return reports.weekly_export(weekly(), units)

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    items = [
        ("Roster CSV", partial(ex.csv_bytes, roster_export(roster)), f"{base}_roster.csv", "text/csv"),
        ("Weekly CSV", lambda: ex.csv_bytes(weekly_out()), f"{base}_weekly.csv", "text/csv"),
        ("Weekly Parquet", lambda: ex.parquet_bytes(weekly_out()), f"{base}_weekly.parquet",
         "application/vnd.apache.parquet"),
        ("Excel", lambda: ex.excel_bytes({"Roster": roster_export(roster), "Weekly": weekly_out(),
                                          "Balance": balance}), f"{base}.xlsx", xlsx),
        ("Printable squad report", report, f"{base}_report.html", "text/html"),
    ]
    return items
