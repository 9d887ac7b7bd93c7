"""Settings: weekly targets, risk thresholds, classification rules, units, week start, time
zone, athletes (HR, sex, group)."""

from __future__ import annotations

import streamlit as st

from stridewise.ui import oidc_login, review_monday_view, state, watch_view, widgets
from stridewise.ui import settings_page as sp

store = widgets.setup_page("Settings", ":material/tune:")
watch_view.autostart(store)
st.title("Settings")
settings = state.current_settings(store)

flash = st.session_state.pop("settings_flash", None)
if flash:
    st.success(flash, icon=":material/check:")

general, targets_tab, risk_tab, rules_tab, athletes_tab = st.tabs(
    ["General", "Weekly targets", "Risk thresholds", "Classification rules", "Athletes"])
with general:
    sp.general_tab(store, settings)
    oidc_login.settings_section(store)  # club mode with OpenID Connect: groups → roles
with targets_tab:
    sp.targets_tab(store, settings)
with risk_tab:
    sp.risk_tab(store, settings)
with rules_tab:
    sp.rules_tab(store)
with athletes_tab:
    sp.athletes_tab(store)
    st.divider()
    watch_view.render(store)

# --- the coach's review: chase-list thresholds and the club's mail server -------------------
with st.expander("Review and e-mail digest", icon=":material/mail:"):
    review_monday_view.settings_form(store)
