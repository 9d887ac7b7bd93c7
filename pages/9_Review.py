"""Monday review: what changed since your last review, whom to chase, notes, weekly digest."""

from __future__ import annotations

import streamlit as st

from stridewise.ui import review_monday_view as rv
from stridewise.ui import state, widgets

store = widgets.setup_page("Monday review", ":material/checklist:")

st.title("Monday review")
athletes = state.athletes_table(store)
if athletes.empty:
    widgets.empty_state("No athletes yet. Import files for each athlete to review the squad.")
    st.stop()

view = state.squad_view(store)  # roster figures from the derived tables (N rows)
names = list(athletes["name"])
week = rv.week_picker(view)
since, chase = rv.gather(store, view, names, week)

st.subheader(f"Since your last review ({len(since)} of {len(names)} athletes)")
st.caption("Athletes with something new since you last marked them seen: new sessions, new "
           "flags, a risk level that rose, missed plan items, edits. Highest risk first.")
rv.since_table(since, week)
rv.mark_controls(store, since, week, rv.viewer()[1])

# the rest is drawn when asked for: a new visitor's page holds one table and its controls
section = rv.section_picker(len(chase))
if section == "chase":
    st.subheader("Chase list")
    rv.chase_table(chase)
elif section == "notes":
    st.subheader("Notes")
    rv.notes_panel(store, view, since, names, week)
elif section == "digest":
    st.subheader("Weekly squad digest")
    rv.digest_section(store, view, names)
