"""Athlete: one athlete's week, volume by area, load and risk with reasons, calendar, balance,
every session (editable), exports."""

from __future__ import annotations

import streamlit as st

from stridewise import charts
from stridewise.risk import EXPLANATIONS
from stridewise.ui import athlete_view as av
from stridewise.ui import checkin_view as cv
from stridewise.ui import fmt, link_view, patterns_view, plans_view, plots, state, summary, widgets

store = widgets.setup_page("Athlete", ":material/person:")

athletes = state.athletes_table(store)
names = list(athletes["name"])
if not names:
    st.title("Athlete")
    widgets.empty_state("No athletes yet. Import a file and it appears here.")
    st.stop()

link = link_view.read(names)  # ?athlete=&week=&range= (bookmarkable)
with st.sidebar:
    name = state.athlete_picker(names, key="athlete_page_pick")
assert name is not None

base = state.analysis(store, [name])
first, last = av.data_span(base.analysis, name, base.as_of)

st.title(fmt.md_escape(name))
info = athletes.loc[athletes["name"] == name].iloc[0]
group = str(info.get("group") or "")
st.caption(" · ".join(p for p in (f"Group: {fmt.md_escape(group)}" if group else "",
                                    "demo athlete" if bool(info.get("is_demo")) else "") if p)
           or "Training balance, load and injury-risk signals.")

link_view.apply(link, first, last)
start, end = widgets.date_range_control(first, last, key="athlete_range")
link_view.write(name, start, end)
view = base if end == base.as_of else state.analysis(store, [name], end=end)
a = view.analysis
settings = view.settings
units = settings.units
wk = summary.week_summary(a, name, view.as_of, settings)

# --- KPI row --------------------------------------------------------------------------------
st.subheader("Last 7 days")
st.caption(f"The 7 days up to {view.as_of:%a %d %b %Y}"
           + (f" (the latest session: nothing was recorded in the last "
              f"{state.STALE_AFTER_DAYS} days)" if view.stale else "")
           + ". Week-on-week comparisons use the last full week.")
widgets.hr_prompt(store, a, name, wk, athletes)
av.kpi_row(wk, units, settings)
cv.athlete_lines(store, name, view.as_of)
body = cv.marks(store, name, start, end)  # niggles and wellness flags on every timeline

# --- Weekly volume + risk panel ----------------------------------------------------------------
left, right = st.columns([3, 2], gap="medium")
with left:
    metric = st.segmented_control(
        "Weekly volume as", ["minutes", "load", "sessions"], default="minutes",
        format_func=lambda m: {"minutes": "Minutes", "load": "Load (AU)",
                               "sessions": "Sessions"}[m],
        key="athlete_metric", required=True)
    fig = av.chart(view, ("weekly", name, start, end, metric, av.body_key(body)), lambda: (
        charts.add_body_marks(charts.weekly_volume_chart(
            av.weekly_in_range(a, name, start, end), metric=metric or "minutes",
            run_km=av.weekly_run_km(a, name, start, end, settings), units=units,
            title="Weekly volume by training area", as_of=view.as_of), *body)))
    event = plots.show(fig, on_select="rerun", key=f"athlete_weekly_{name}")
    picked_weeks = (charts.selected_weeks(getattr(event, "selection", None))
                    or link_view.linked_week(start, end))
    st.caption("Click a bar to list that week's sessions below. Each colour is one training "
               "area, the line is the weekly running distance.")
    bal = a.balance.loc[a.balance["athlete"] == name]
    plots.show(av.chart(view, ("balance", name), lambda: charts.balance_chart(bal)),
               key="athlete_balance")
    av.days_since_table(bal)
    widgets.explanation_block(EXPLANATIONS, av.BALANCE_EXPLAINED, "How is balance computed?")
with right:
    with st.container(border=True):
        av.risk_panel(wk)

# --- Plan: last week planned vs done, this week's checks -------------------------------------
st.subheader("Plan")
plans_view.athlete_section(store, a, name, view.as_of, settings)

patterns_view.render(store, view, name)  # movement patterns, gaps, what to do next

# --- Load, fitness ----------------------------------------------------------------------------
st.subheader("Training load")
rows = av.risk_in_range(a, name, start, end)
if len(rows) > charts.DAILY_POINTS_MAX:  # a long range: one point per week
    rows = charts.weekly_points(rows, settings.week_start)
plots.show(av.chart(view, ("load", name, start, end, av.body_key(body)), lambda: (
    charts.add_body_marks(charts.load_chart(rows, variant=settings.risk.acwr_metric, thresholds=(
        settings.risk.acwr_low, settings.risk.acwr_high, settings.risk.acwr_very_high)), *body))),
    key="athlete_load_chart")
st.caption(f"The line is the {wk.ratio_name.lower()}, the one ratio shown everywhere (change it "
           "on Settings). Context only: the ratio is contested."
           + (" Over this long range each point is a week: the bar is its mean daily load, the "
              "lines their values on its last day." if rows.attrs.get("weekly") else ""))
widgets.explanation_block(EXPLANATIONS, av.LOAD_EXPLAINED,
                          "How are load, acute and chronic load computed?")
# Below the fold: drawn when opened (a closed section costs the visitor nothing)
fitness = st.expander("Fitness, fatigue and form", key=av.FITNESS_SECTION, on_change="rerun",
                      icon=":material/show_chart:")
if fitness.open:
    with fitness:
        plots.show(charts.add_body_marks(charts.fitness_chart(rows), *body),
                   key="athlete_fitness_chart")
        st.caption("Fitness (CTL) is the 42-day load average, fatigue (ATL) the 7-day; form "
                   "(TSB) is yesterday's fitness minus fatigue. Negative form means you are "
                   "carrying fatigue.")
        widgets.explanation_block(EXPLANATIONS, av.FITNESS_EXPLAINED,
                                  "How are fitness, fatigue and form computed?")

# --- Calendar ----------------------------------------------------------------------------------
calendar = st.expander("Calendar", key=av.CALENDAR_SECTION, on_change="rerun",
                       icon=":material/calendar_month:")
if calendar.open:
    with calendar:
        cal_by = st.segmented_control(
            "Colour the calendar by", ["load", "area"], default="load",
            format_func=lambda b: "Daily load" if b == "load" else "Main training area",
            key="athlete_cal_by", required=True)
        plots.show(charts.calendar_heatmap(
            av.calendar_days(a, name, start, end), by=cal_by or "load", start=start, end=end,
            week_start=settings.week_start), key="athlete_calendar")

# --- Sessions table -----------------------------------------------------------------------------
st.subheader("Sessions")
av.sessions_editor(store, a, name, start, end, picked_weeks, settings)

# --- Exports --------------------------------------------------------------------------------------
st.subheader("Export")
av.exports(a, name, start, end, view.as_of, settings)

with st.expander("What the training areas and numbers mean"):
    st.markdown(av.GLOSSARY)
