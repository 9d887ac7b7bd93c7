"""Squad: every athlete in triage order, balance heat map, squad volume, squad report."""

from __future__ import annotations

import streamlit as st

from stridewise import charts
from stridewise.ui import fmt, plots, state, widgets
from stridewise.ui import squad_view as sv

store = widgets.setup_page("Squad", ":material/groups:")

st.title("Squad")
athletes = state.athletes_table(store)
if athletes.empty:
    widgets.empty_state("No athletes yet. Import files for each athlete to see the squad.")
    st.stop()

view = state.squad_view(store)  # roster figures from the derived tables (N rows)
settings = view.settings
groups = sorted({g for g in athletes["group"].fillna("") if g})
fc = st.columns([3, 1], vertical_alignment="bottom")
# Pill labels render Markdown: group names are user text, shown as plain text
chosen = fc[0].pills("Groups", groups, selection_mode="multi", default=None,
                     format_func=fmt.md_escape, key="squad_groups",
                     help="Show only these groups (none chosen = everyone).")
only_flagged = fc[1].toggle("Only moderate or high risk", key="squad_flagged")
members = athletes if not chosen else athletes.loc[athletes["group"].isin(chosen)]

day, window, short = sv.window_control(view)  # last full week by default
roster = state.memo(view, ("roster", tuple(members["name"]), day),
                    lambda: sv.roster_for(view, members, day))
if only_flagged:
    roster = roster.loc[roster["risk_level"].isin(["high", "moderate"])]
st.caption(f"{window}; data as of {view.as_of:%a %d %b %Y}"
           + (" (the latest session; nothing was recorded in the last "
              f"{state.STALE_AFTER_DAYS} days)" if view.stale else "")
           + ". Highest risk first. Click a row to open the athlete.")
sv.counts(roster)
picked = sv.roster_table(roster, settings.units, short)
if picked:
    state.open_athlete(picked)

st.subheader("Balance across the squad")
names = list(roster["athlete"]) if len(roster) else []
drawn = names[:sv.HEATMAP_ATHLETES]  # the first in triage order: a readable heat map
bal = view.analysis.balance
bal = bal.loc[bal["athlete"].isin(drawn)]
bal = bal.assign(_o=bal["athlete"].map({n: i for i, n in enumerate(names)})).sort_values(
    "_o").drop(columns="_o")
event = plots.show(state.memo(view, ("heatmap", tuple(drawn)),
                              lambda: plots.prepare(charts.squad_balance_heatmap(bal))),
                   on_select="rerun", key="squad_heatmap")
clicked = charts.selected_athletes(getattr(event, "selection", None))
if clicked:
    state.open_athlete(clicked[0])
st.caption("Share of each weekly target reached over the last four weeks. Click a cell to "
           "open that athlete." + sv.heatmap_note(len(drawn), len(names)))

# Below the fold: drawn when opened (a closed section costs the visitor nothing)
volume = st.expander("Squad weekly volume", key=sv.VOLUME_SECTION, on_change="rerun",
                     icon=":material/stacked_bar_chart:")
if volume.open:
    with volume:
        vc = st.columns([2, 1, 1], vertical_alignment="bottom")
        metric = vc[0].segmented_control(
            "Volume as", ["minutes", "load", "sessions"], default="minutes", key="squad_metric",
            required=True, format_func=lambda m: {"minutes": "Minutes", "load": "Load (AU)",
                                                  "sessions": "Sessions"}[m])
        per_athlete = vc[1].toggle("Per athlete", key="squad_per_athlete", value=True)
        weeks = vc[2].selectbox("Weeks", [12, 26, 52, 104], index=1, key="squad_weeks")
        plots.show(state.memo(view, ("volume", tuple(names), metric, per_athlete, int(weeks)),
                              lambda: plots.prepare(charts.squad_volume_chart(
                                  sv.weekly_for(view, names, int(weeks), everyone=not chosen
                                                and not only_flagged), metric=metric or "minutes",
                                  per_athlete=per_athlete))),
                   key="squad_volume")

st.subheader("Export")
sv.exports(view, roster, names, " + ".join(chosen) if chosen else "Squad")
