"""The Athlete page's exercise-level section: sets per movement pattern per week, the gaps in
plain words, plyometric foot contacts, and what to do next (a session from the library, logged in
one tap when done). Numbers come from :mod:`stridewise.patterns` and :mod:`stridewise.suggest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from stridewise import manual, patterns, suggest
from stridewise.errors import StridewiseError
from stridewise.pattern_charts import pattern_grid_chart
from stridewise.ui import fmt, plots, state, widgets

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store


def _computed(view: Any, name: str) -> tuple[Any, Any]:
    a = view.analysis
    week_start = view.settings.week_start

    def make() -> tuple[Any, Any]:
        ps = patterns.pattern_sets(a.sessions.loc[a.sessions["athlete"] == name])
        return ps, patterns.weekly_patterns(ps, week_start=week_start)

    return state.memo(view, ("patterns", name), make)


def render(store: Store, view: Any, name: str) -> None:
    """The section: pattern grid, gaps, foot contacts, and the suggestion."""
    st.subheader("Movement patterns")
    psets, weekly = _computed(view, name)
    end = view.as_of
    ws = view.settings.week_start
    grid = patterns.pattern_grid(weekly, name, end, week_start=ws)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        plots.show(pattern_grid_chart(grid), key=f"athlete_patterns_{name}")
        st.caption("Sets per movement pattern from every session's exercise sets (watch "
                   "strength workouts, Hevy/Strong/Fitbod, sessions logged by hand), by the "
                   "exercise library. Unilateral sets count once per side.")
    with right:
        has_any = bool(len(psets)) and (psets["pattern"] != "").any()
        if has_any:
            found = patterns.gaps(psets, name, end)
            if found:
                st.markdown("**Gaps**")
                st.markdown("\n".join(f"- {fmt.md_escape(g.sentence)}" for g in found))
            else:
                st.markdown(f"**No gaps**: every pattern was trained in the last "
                            f"{patterns.GAP_DAYS} days.")
        else:
            st.caption("No exercise sets recorded yet: log a session with sets (Log page) to "
                       "see which movement patterns you train.")
        plan = patterns.contact_plan(weekly, name, end, week_start=ws)
        st.markdown("**Plyometric foot contacts**")
        st.caption(fmt.md_escape(plan.sentence) + " Source: " + patterns.CONTACT_SOURCE + ".")
        unknown = patterns.unknown_names(psets, name)
        if len(unknown):
            with st.expander(f"{len(unknown)} exercise name(s) not recognised"):
                st.dataframe(unknown, hide_index=True, width="stretch")
    next_session(store, view, name, psets, weekly)


def next_session(store: Store, view: Any, name: str, psets: Any, weekly: Any) -> None:
    """What to do next: a concrete session when an area is behind its weekly target."""
    a = view.analysis
    end = view.as_of
    found = patterns.gaps(psets, name, end)
    plan = patterns.contact_plan(weekly, name, end, week_start=view.settings.week_start)
    sg = suggest.suggest(a.balance, a.sessions, name, end, saved=store.routines(name),
                         gaps=found, contacts=plan)
    with st.container(border=True):
        st.markdown("**What to do next**")
        if sg is None:
            st.caption("Every area is at or above its weekly target over the last 4 weeks.")
            return
        r = sg.routine
        st.markdown(f"{fmt.md_escape(sg.why)}  \n**{fmt.md_escape(r.name)}**, about "
                    f"{r.minutes:.0f} min: {fmt.md_escape(suggest.describe(r))}.")
        extra = (f" This routine: {sg.contacts:.0f} foot contacts."
                 if sg.area == "plyometrics" else "")
        st.caption(fmt.md_escape(sg.sized) + extra)
        key = f"athlete_suggest_log_{name}"
        if st.button("Done: log it now", key=key, icon=":material/check:", type="primary"):
            kind = manual.type_for_area(r.area)
            tz = _zone(store, name)
            try:
                store.add_manual_session(name, duration_s=r.minutes * 60.0, sport=kind.sport,
                                         area=r.area, start=manual.now_local(tz), title=r.name,
                                         sets=r.set_records())
            except StridewiseError as exc:
                widgets.show_error(exc)
                return
            state.clear_caches([name])
            st.session_state[f"{key}_done"] = True
            st.rerun()
        if st.session_state.pop(f"{key}_done", False):
            st.success("Logged. Add how hard it was on the Log page (RPE to fill in).",
                       icon=":material/check_circle:")


def _zone(store: Store, name: str) -> str | None:
    t = state.athletes_table(store)
    row = t.loc[t["name"] == name]
    return (row.iloc[0].get("tz") or None) if len(row) else None
