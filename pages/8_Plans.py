"""Plans: a weekly plan per squad (template) or athlete (override), its checks before the week,
last week's planned vs done in colour, compliance over 4 and 12 weeks, the change history."""

from __future__ import annotations

import streamlit as st

from stridewise import plans
from stridewise.ui import fmt, state, widgets
from stridewise.ui import plans_view as pv

store = widgets.setup_page("Plans", ":material/event_note:")
st.title("Plans")
athletes = state.athletes_table(store)
if athletes.empty:
    widgets.empty_state("No athletes yet. Import files for each athlete, then plan their weeks.")
    st.stop()

base = state.current_settings(store)
groups = sorted({g for g in athletes["group"].fillna("") if g})
names = list(athletes["name"])
c = st.columns([1, 2, 2], vertical_alignment="bottom")
scope = c[0].segmented_control("Plan for", ["squad", "athlete"], key="pl_scope", required=True,
                               default="squad" if groups else "athlete",
                               format_func=lambda s: "A squad" if s == "squad" else
                               "One athlete")
if scope == "squad" and not groups:
    st.info("No squads yet: give athletes a group on the Settings page, or plan one athlete.")
    st.stop()
if scope == "squad":
    with_plan = set(store.plan_versions(squads=groups)["name"])  # open a planned squad first
    name = c[1].selectbox("Squad", groups, key="pl_squad", format_func=fmt.md_escape,
                          index=next((i for i, g in enumerate(groups) if g in with_plan), 0))
    members = list(athletes.loc[athletes["group"] == name, "name"])
else:
    name = state.athlete_picker(names, key="pl_athlete", container=c[1]) or names[0]
    members = [name]
view = state.analysis(store, members)
this_week = plans.week_start_for(view.as_of, base.week_start)
picked = c[2].date_input("Plan from the week of", value=this_week, key="pl_week",
                         help="The plan holds from this week until a later version.")
week = plans.week_start_for(picked, base.week_start)
pv.flash()
squad_of = str(athletes.loc[athletes["name"] == name, "group"].iloc[0] or "") \
    if scope == "athlete" else name
st.caption(f"Week of {week:%a %d %b %Y}. "
           + (f"Members: {fmt.md_escape(', '.join(members))}." if scope == "squad" else
              (f"Values not set here are inherited from squad {fmt.md_escape(squad_of)}."
               if squad_of else "This athlete has no squad: the plan is their own.")))

pv.plan_form(store, scope, name, week, base)

data = plans.plan_data(store, members)
st.subheader(f"Checks of the week of {week:%d %b}")
st.caption("Each key run against the longest run of the 30 days before it (Frandsen et al. "
           "2025), the week's running against the usual week (Nielsen et al. 2014), the plan "
           "against the weekly targets.")
found = pv.checks_for(data, members, view.analysis, week, base)
if not found:
    st.caption("Nothing planned that week.")
elif scope == "squad":
    pv.squad_findings(found)
else:
    pv.findings_list(found[name])

last = pv.last_full_week(view.as_of, base.week_start)
st.subheader(f"Last week (from {last:%d %b}): planned vs done")
rows = pv.week_rows(store, data, members, view.analysis, last, base.units)
if not rows:
    st.caption("Nothing was planned last week.")
elif scope == "athlete":
    pv.compliance_badges(rows[name], base.units)
else:
    pv.squad_matrix_table(pv.squad_matrix(rows))
    st.caption("Green: done within 20 % of the plan · amber: partly · red: missed · blue: "
               "trained without a plan.")

st.subheader("Compliance over the last weeks")
n_weeks = st.segmented_control("Weeks", [4, 12], default=4, key="pl_weeks", required=True)
summary = state.memo(view, ("plan_summary", tuple(members), int(n_weeks or 4),
                            store.version()),
                     lambda: plans.compliance_summary(
                         data, members, weeks=int(n_weeks or 4), as_of=view.as_of,
                         sessions=view.analysis.sessions, weekly=view.analysis.weekly,
                         week_start=base.week_start))
if scope == "athlete":  # the squad's row needs all its members: see the squad's view
    summary = summary.loc[summary["scope"] == "athlete"]
table = pv.summary_table(summary)
if table.empty:
    st.caption("No plan in those weeks.")
else:
    pv.summary_dataframe(table)
    st.caption(f"Share of the plan met per area over the {n_weeks} full weeks before "
               f"{this_week:%d %b} (a week counts up to 100 %).")

st.subheader("Change history")
pv.history_table(store.plan_versions(athletes=members, squads=[squad_of] if squad_of else []))
