"""The Log page: the quick log (phone-first: one column, big targets, a routine session logged in
three taps), RPE for many sessions at once, and the sessions logged by hand (edit, delete, split
a merge). Every number and rule comes from the library (``manual``, ``exercises``,
``store_manual``); this module only wires widgets to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from stridewise import exercises, manual
from stridewise.errors import StridewiseError
from stridewise.exercises import Routine, RoutineItem
from stridewise.manual import RPE_ANCHORS, SESSION_TYPES, rpe_label
from stridewise.ui import fmt, state, widgets

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

LOG_PAGE = "pages/6_Log.py"
CUSTOM = "Something else"
_K = "log_"  # widget key prefix
SIDE_LABELS = {"both": "both", "left": "L", "right": "R"}
RPE_HELP = ("Session RPE on Borg's CR-10 scale as Foster et al. (2001) use it: how hard was the "
            "whole session, about 30 minutes after it? 0 rest · 1 very, very easy · 2 easy · "
            "3 moderate · 4 somewhat hard · 5 hard · 7 very hard · 10 maximal. Load = RPE × "
            "minutes.")


def _athlete_info(store: Store, name: str) -> dict[str, Any]:
    t = state.athletes_table(store)
    row = t.loc[t["name"] == name]
    return row.iloc[0].to_dict() if len(row) else {"tz": None, "units": None}


def routine_choices(store: Store, athlete: str) -> dict[str, Routine]:
    """The athlete's saved routines first, then the starter routines (label -> routine)."""
    out: dict[str, Routine] = {}
    for r in store.routines(athlete):
        out[f"{r.name} · {r.minutes:.0f} min"] = r
    for r in exercises.starter_routines():
        label = f"{r.name} · {r.minutes:.0f} min"
        out.setdefault(label, r)
    return out


def sets_frame(records: list[dict[str, Any]], units: str) -> pd.DataFrame:
    """Set records -> the editor's rows (weight in the display unit)."""
    rows = [{"exercise": r.get("exercise") or "", "reps": r.get("reps"),
             "weight": manual.kg_to_display(r.get("weight_kg"), units),
             "seconds": r.get("seconds"), "side": r.get("side") or "both"} for r in records]
    df = pd.DataFrame(rows, columns=["exercise", "reps", "weight", "seconds", "side"])
    return df.astype({"exercise": "object", "reps": "float64", "weight": "float64",
                      "seconds": "float64", "side": "object"})


def frame_sets(df: pd.DataFrame, units: str) -> list[dict[str, Any]]:
    """The editor's rows -> set records (weight in kg)."""
    out = []
    for r in df.to_dict(orient="records"):
        def num(v: Any) -> float | None:
            return None if v is None or (isinstance(v, float) and v != v) else float(v)
        out.append({"exercise": r.get("exercise") or "", "reps": num(r.get("reps")),
                    "weight_kg": manual.weight_to_kg(num(r.get("weight")), units),
                    "seconds": num(r.get("seconds")), "side": r.get("side") or "both"})
    return out


def _apply_routine(choices: dict[str, Routine], units: str) -> None:
    """Callback: a routine was picked -> fill type, minutes, title and sets."""
    label = st.session_state.get(f"{_K}routine")
    r = choices.get(label) if label else None
    if r is None:
        return
    st.session_state[f"{_K}type"] = manual.type_for_area(r.area).label
    st.session_state[f"{_K}minutes"] = float(r.minutes)
    st.session_state[f"{_K}title"] = r.name
    st.session_state[f"{_K}sets_data"] = sets_frame(r.set_records(), units)
    st.session_state[f"{_K}sets_v"] = st.session_state.get(f"{_K}sets_v", 0) + 1


def render(store: Store) -> None:
    names = list(state.athletes_table(store)["name"])
    st.title("Log a session")
    if not names:
        widgets.empty_state("No athletes yet. Import a file or add an athlete on Settings.")
        return
    name = state.athlete_picker(names, key=f"{_K}pick")
    assert name is not None
    info = _athlete_info(store, name)
    units = str(info.get("units") or state.current_settings(store).units)
    tz = info.get("tz") or None
    tab_log, tab_rpe, tab_mine = st.tabs(["Log", "RPE to fill in", "Logged by hand"])
    with tab_log:
        quick_log(store, name, units, tz)
    with tab_rpe:
        batch_rpe(store, name)
    with tab_mine:
        my_log(store, name, units)


def quick_log(store: Store, name: str, units: str, tz: str | None) -> None:
    """Routine -> how hard -> save. Everything else has a default."""
    choices = routine_choices(store, name)
    if f"{_K}type" not in st.session_state:
        st.session_state[f"{_K}type"] = SESSION_TYPES[0].label
        st.session_state[f"{_K}minutes"] = 30.0
        st.session_state[f"{_K}title"] = ""
        st.session_state[f"{_K}sets_data"] = sets_frame([], units)
        st.session_state[f"{_K}sets_v"] = 0
    st.selectbox("Routine", list(choices), index=None, key=f"{_K}routine",
                 placeholder="Pick a routine (fills everything below)",
                 on_change=_apply_routine, args=(choices, units))
    done = st.session_state.pop(f"{_K}saved", None)
    if done:
        st.success(fmt.md_escape(done), icon=":material/check_circle:")
    now = manual.now_local(tz)
    with st.form(f"{_K}form", border=False):
        rpe = st.pills("How hard was it? (RPE)", list(RPE_ANCHORS), format_func=rpe_label,
                       key=f"{_K}rpe", help=RPE_HELP)
        st.selectbox("Type", [t.label for t in SESSION_TYPES], key=f"{_K}type")
        st.number_input("Minutes", min_value=1.0, max_value=24 * 60.0, step=5.0,
                        key=f"{_K}minutes")
        with st.expander(f"When: now ({now:%a %d %b %H:%M}) — change"):
            day = st.date_input("Date", value=now.date(), key=f"{_K}date")
            at = st.time_input("Start time", value=now.time(), key=f"{_K}time", step=300)
        st.caption(f"Sets (optional; weight in {manual.weight_unit(units)}, side L/R/both)")
        edited = st.data_editor(
            st.session_state[f"{_K}sets_data"], num_rows="dynamic", hide_index=True,
            width="stretch", key=f"{_K}sets_{st.session_state[f'{_K}sets_v']}",
            column_config={
                "exercise": st.column_config.SelectboxColumn(
                    "Exercise", options=exercises.names(), required=True, width="medium"),
                "reps": st.column_config.NumberColumn("Reps", min_value=0, step=1),
                "weight": st.column_config.NumberColumn(
                    f"Weight ({manual.weight_unit(units)})", min_value=0.0, step=0.5),
                "seconds": st.column_config.NumberColumn("Seconds", min_value=0, step=5),
                "side": st.column_config.SelectboxColumn(
                    "Side", options=list(manual.SIDES), required=True)})
        st.text_input("Title", key=f"{_K}title", placeholder="e.g. Stability after the run")
        notes = st.text_area("Notes", key=f"{_K}notes", height=68,
                             placeholder="How it felt, what to change")
        keep = st.checkbox("Also save as a routine (log it again in one tap)",
                           key=f"{_K}keep")
        saved = st.form_submit_button("Save session", type="primary", width="stretch",
                                      icon=":material/check:")
    if not saved:
        return
    kind = manual.session_type(st.session_state[f"{_K}type"])
    minutes = float(st.session_state[f"{_K}minutes"])
    title = str(st.session_state.get(f"{_K}title") or "") or kind.label
    when = datetime.combine(day, at) if (day, at) != (now.date(), now.time()) else now
    try:
        sets = frame_sets(edited, units)
        result = store.add_manual_session(
            name, duration_s=minutes * 60.0, sport=kind.sport, area=kind.area, start=when,
            rpe=None if rpe is None else float(rpe), title=title, notes=notes or "",
            sets=sets)
        if keep:
            store.save_routine(name, routine_from_entry(title, kind.area, minutes, sets))
    except StridewiseError as exc:
        widgets.show_error(exc)
        return
    state.clear_caches([name])
    what = (f"Logged {title}: {when:%a %d %b %H:%M}, {minutes:.0f} min"
            + (f", RPE {rpe_label(rpe)}" if rpe is not None else ", RPE still to fill in")
            + (f", {len(sets)} sets" if sets else "") + "."
            + (f" {result.summary()}" if result.merged_with else ""))
    st.session_state[f"{_K}saved"] = what
    for k in ("rpe", "notes", "routine", "keep"):
        st.session_state.pop(f"{_K}{k}", None)
    st.rerun()


def routine_from_entry(title: str, area: str, minutes: float,
                       sets: list[dict[str, Any]]) -> Routine:
    """A routine from the sets of an entry: consecutive sets of one exercise become one item."""
    items: list[RoutineItem] = []
    clean = manual.clean_sets(sets)
    for s in clean:
        side = "each" if s["side"] in ("left", "right") else "both"
        last = items[-1] if items else None
        if last and last.exercise == s["exercise"] and last.reps == s["reps"] and \
                last.seconds == s["seconds"] and last.side == side:
            if side == "each" and s["side"] == "right":
                continue  # the right side of a left/right pair
            items[-1] = RoutineItem(last.exercise, last.sets + 1, last.reps, last.seconds,
                                    last.weight_kg, side)
        else:
            items.append(RoutineItem(s["exercise"], 1, s["reps"], s["seconds"], s["weight_kg"],
                                     side))
    if not items:
        items = [RoutineItem(title, 1, None, minutes * 60.0)]
    return Routine(title, area, minutes, tuple(items))


def batch_rpe(store: Store, name: str) -> None:
    """The last weeks' sessions without RPE, filled in one table and saved as edits."""
    view = state.analysis(store, [name])
    weeks = st.segmented_control("Sessions of the last", [2, 4, 8], default=4,
                                 format_func=lambda w: f"{w} weeks", key=f"{_K}rpe_weeks",
                                 required=True)
    todo = manual.without_rpe(view.analysis.sessions, name, view.as_of, weeks=int(weeks or 4))
    if todo.empty:
        st.success("Every session of these weeks has an RPE.", icon=":material/check_circle:")
        return
    st.caption(f"{len(todo)} session(s) without RPE. Type each one's RPE (0–10) in the last "
               "column and save; leave a row empty to skip it. " + RPE_HELP)
    table = pd.DataFrame({"When": todo["start"], "Session": todo["title"],
                          "Area": todo["area"].map(fmt.area_label),
                          "Min": todo["minutes"].round(0), "RPE": pd.Series(
                              [float("nan")] * len(todo), dtype="float64")})
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key=f"{_K}rpe_table",
        disabled=["When", "Session", "Area", "Min"],
        column_config={"When": st.column_config.DatetimeColumn("When", format="ddd D MMM HH:mm"),
                       "RPE": st.column_config.NumberColumn("RPE", min_value=0, max_value=10,
                                                            step=1)})
    if st.button("Save RPE", type="primary", key=f"{_K}rpe_save", icon=":material/save:"):
        vals = {sid: float(v) for sid, v in zip(todo["session_id"], edited["RPE"], strict=True)
                if pd.notna(v)}
        if not vals:
            st.info("Type an RPE in at least one row first.")
            return
        try:
            n = store.set_rpes(name, vals)
        except StridewiseError as exc:
            widgets.show_error(exc)
            return
        state.clear_caches([name])
        st.session_state[f"{_K}rpe_done"] = n
        st.rerun()
    n_done = st.session_state.pop(f"{_K}rpe_done", None)
    if n_done:
        st.success(f"Saved the RPE of {n_done} session(s).")


def my_log(store: Store, name: str, units: str) -> None:
    """Sessions logged by hand: merges shown (and split), RPE / minutes / notes edited, delete."""
    if st.session_state.pop(f"{_K}split_done", False):
        st.success("Split: the recording and your entry are two sessions again.",
                   icon=":material/call_split:")
    sessions = store.sessions([name])
    mine = manual.logged_by_hand(sessions, name).head(50)
    if mine.empty:
        st.caption("Nothing logged by hand yet.")
        return
    labels = {sid: (f"{t:%a %d %b %H:%M} · {title} · {m / 60:.0f} min"
                    + (" · merged with a recording" if merged else ""))
              for sid, t, title, m, merged in zip(mine["session_id"], mine["start"],
                                                   mine["title"], mine["moving_s"],
                                                   mine["merged"], strict=True)}
    sid = st.selectbox("Session", list(labels), format_func=lambda s: labels[s],
                       key=f"{_K}mine_pick")
    row = mine.loc[mine["session_id"] == sid].iloc[0]
    sets = manual_sets(row["sets"])
    if row["merged"]:
        src = store.session_sources(sid)
        files = ", ".join(f"{s} ({f})" if f else s for s, f in zip(
            src["source"], src["source_file"], strict=True) if s != manual.MANUAL_SOURCE)
        st.info(f"Merged with {fmt.md_escape(files)}: start, duration and heart rate come from "
                "the recording; your RPE, notes and sets are kept.", icon=":material/merge:")
        if st.button("Split: keep them apart", key=f"{_K}split_{sid}", icon=":material/call_split:"):
            try:
                store.split_session(name, sid)
            except StridewiseError as exc:
                widgets.show_error(exc)
                return
            state.clear_caches([name])
            st.session_state[f"{_K}split_done"] = True
            st.rerun()
    if sets:
        st.dataframe(sets_frame(sets, units), hide_index=True, width="stretch")
    with st.form(f"{_K}edit_{sid}", border=True):
        rpe_now = row["rpe"]
        rpe = st.pills("RPE", list(RPE_ANCHORS), format_func=rpe_label,
                       default=int(rpe_now) if pd.notna(rpe_now) else None,
                       key=f"{_K}edit_rpe_{sid}")
        minutes = st.number_input("Minutes", min_value=1.0, max_value=24 * 60.0,
                                  value=round(float(row["moving_s"]) / 60.0, 1), step=5.0,
                                  key=f"{_K}edit_min_{sid}")
        notes = st.text_area("Notes", value=str(row.get("notes") or ""), height=68,
                             key=f"{_K}edit_notes_{sid}")
        if st.form_submit_button("Save changes", width="stretch"):
            try:
                store.update_manual_session(name, sid, rpe=None if rpe is None else float(rpe),
                                            duration_s=minutes * 60.0, notes=notes)
            except StridewiseError as exc:
                widgets.show_error(exc)
                return
            state.clear_caches([name])
            st.rerun()
    if st.button("Delete this entry", key=f"{_K}delete_{sid}", icon=":material/delete:"):
        try:
            store.delete_manual_session(name, sid)
        except StridewiseError as exc:
            widgets.show_error(exc)
            return
        state.clear_caches([name])
        st.rerun()


def manual_sets(text: object) -> list[dict[str, Any]]:
    from stridewise.schema import parse_sets

    return parse_sets(text)
