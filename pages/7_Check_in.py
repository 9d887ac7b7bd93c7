"""Check-in: the daily wellness check-in and the niggle log in one place, phone-first."""

from __future__ import annotations

from datetime import date

import streamlit as st

from stridewise.ui import checkin_view as cv
from stridewise.ui import state, widgets

store = widgets.setup_page("Check-in", ":material/healing:")

st.title("Check-in")
athletes = state.athletes_table(store)
names = list(athletes["name"])
if not names:
    widgets.empty_state("No athletes yet. Import a file or add an athlete first.")
    st.stop()

name = state.athlete_picker(names, key="checkin_page_pick")
assert name is not None
today = date.today()  # the day the assessments are made on

cv.flash()
tab_day, tab_niggles, tab_before = st.tabs(["Today", "Niggles", "Before a niggle"])
with tab_day:
    cv.checkin_form(store, name, today)
    cv.latest_flags_block(store, name, today)
with tab_niggles:
    st.markdown("**Active niggles**")
    cv.active_niggles(store, name, today)
    cv.niggle_form(store, name, today)
    cv.resolved_niggles(store, name)
    st.caption("An active niggle with training modified or stopped, or pain of 4/10 or more, "
               "makes the injury-risk level at least moderate with that reason first. A "
               "heuristic, not a diagnosis: pain that persists belongs with a clinician.")
    st.page_link(state.ATHLETE_PAGE, label="See the risk level on the Athlete page",
                 icon=":material/person:")
with tab_before:
    view = state.analysis(store, [name])
    cv.before_niggle(store, name, view.analysis, view.settings.units)
