"""Stridewise home: what it answers, pick an athlete, this week's three key numbers, quick links."""

from __future__ import annotations

import streamlit as st

from stridewise.ui import fmt, state, summary, watch_view, widgets

store = widgets.setup_page("Home", ":material/directions_run:")
watch_view.autostart(store)  # the saved watched folders start with the app

st.title("Stridewise")
st.markdown(
    "Training balance, load and injury-risk signals for runners and their coaches. "
    "Drop in the files your watch or app exports; Stridewise sorts every session into the five "
    "areas that keep runners healthy — **endurance, strength, plyometrics, stability and "
    "flexibility** — and shows where the week stands.")

widgets.demo_banner(store, key="home_clear_demo")

q1, q2, q3 = st.columns(3)
with q1.container(border=True, height="stretch"):
    st.markdown("**Am I training all five areas?**")
    st.caption("Sessions and minutes per area each week against your targets, and days since "
               "the last strength, plyometrics, stability and flexibility work.")
with q2.container(border=True, height="stretch"):
    st.markdown("**Is my load ramping too fast?**")
    st.caption("Single-run spikes and the weekly running change lead; the acute:chronic ratio "
               "and monotony add context. Each says how strong its evidence is.")
with q3.container(border=True, height="stretch"):
    st.markdown("**Who in the squad needs attention?**")
    st.caption("A roster in triage order: highest risk first, with the reason in plain words.")

athletes = state.athletes_table(store)
if athletes.empty:
    widgets.empty_state(
        "No training data yet. Import a Strava export, Garmin Connect's Activities.csv or any "
        "FIT, TCX or GPX file to see your first week.")
    st.stop()

st.subheader("Last 7 days")
groups = sorted({g for g in athletes["group"].fillna("") if g})
pick_cols = st.columns([1, 2]) if groups else [None, st.container()]
names = list(athletes["name"])
if groups:
    options = [state.ALL_GROUPS, *groups]
    group = pick_cols[0].selectbox("Squad", options, key="home_group")
    if group != state.ALL_GROUPS:
        names = list(athletes.loc[athletes["group"] == group, "name"])
name = state.athlete_picker(names, key="home_athlete", container=pick_cols[1])
if name is None:
    st.info("This squad has no athletes yet.")
    st.stop()

view = state.analysis(store, [name])
wk = summary.week_summary(view.analysis, name, view.as_of, view.settings)
if view.stale:
    st.caption(f"No sessions in the last {state.STALE_AFTER_DAYS} days; showing the 7 days up to "
               f"the latest session ({view.as_of:%a %d %b %Y}).")
else:
    st.caption(f"The 7 days up to {view.as_of:%a %d %b %Y} (rolling); week-on-week "
               "comparisons use the last full week.")

c1, c2, c3, c4 = st.columns(4)
widgets.risk_tile(wk, c1)
widgets.running_tile(wk, c2)
widgets.ratio_tile(wk, c3)
with c4.container(border=True, height="stretch"):
    st.metric("Areas on target, last 7 days", f"{wk.areas_on_target} of 5",
              help="Areas whose sessions of the last 7 days reach the weekly target set on "
                   "Settings.")
    behind = wk.areas_behind
    st.caption("Still to do: " + ", ".join(
        f"{fmt.area_label(a).lower()} ({wk.area_sessions_7d.get(a, 0):.0f}/{wk.targets[a]:g})"
        for a in behind) if behind else "Every area is on target. Well balanced.")

if st.button(f"Open the dashboard of {fmt.md_escape(name)}", icon=":material/monitoring:", type="primary",
             key="home_open"):
    state.open_athlete(name)

st.subheader("Go to")
l1, l2, l3, l4 = st.columns(4)
with l1.container(border=True, height="stretch"):
    st.page_link(state.IMPORT_PAGE, label="Import", icon=":material/upload:")
    st.caption("Strava, Garmin, FIT, TCX, GPX, zips and any CSV log.")
with l2.container(border=True, height="stretch"):
    st.page_link(state.ATHLETE_PAGE, label="Athlete", icon=":material/person:")
    st.caption("Weekly areas, load, risk reasons, calendar and every session.")
with l3.container(border=True, height="stretch"):
    st.page_link(state.SQUAD_PAGE, label="Squad", icon=":material/groups:")
    st.caption("Triage roster, balance heat map and squad volume.")
with l4.container(border=True, height="stretch"):
    st.page_link(state.SETTINGS_PAGE, label="Settings", icon=":material/tune:")
    st.caption("Targets, thresholds, classification rules, units, athletes.")
