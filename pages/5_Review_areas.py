"""Review areas: sessions in 'other' or placed with low confidence; confirm an area in one click
and, if you like, save a rule after seeing what else it changes."""

from __future__ import annotations

import streamlit as st

from stridewise.ui import review_view, widgets

store = widgets.setup_page("Review areas", ":material/rule:")
st.title("Review areas")
st.caption("Sessions Stridewise could not place in a training area, or placed with little "
           "confidence. Your choice is kept through re-imports.")
review_view.render(store)
