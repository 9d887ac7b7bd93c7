"""The Import page's sections: per-file report cards, the column-mapping form for unknown CSVs,
and the list of past imports. Widgets only; reading and storing is :mod:`stridewise.ui.importing`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from stridewise.errors import StridewiseError
from stridewise.ingest import ReadContext, csv_generic, csvfile
from stridewise.ui import fmt, importing, state, widgets

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store


def file_report(store: Store, i: int, o: importing.FileOutcome,
                outcomes: list[importing.FileOutcome], zone: importing.ZoneChange | None,
                tz: str) -> None:
    """One file's card: refused, a column-mapping form, or what was imported and assumed."""
    name = fmt.md_escape(o.file_name)
    if o.status == "refused":
        with st.container(border=True):
            st.markdown(f":material/block: **{name}** — not imported")
            st.error(fmt.md_escape(o.message), icon=":material/error:")
        return
    if o.status == "needs_mapping":
        mapping_form(store, i, o, outcomes, tz)
        return
    with st.container(border=True):
        st.markdown(f":material/check_circle: **{name}** — {fmt.md_escape(o.format)}")
        if o.already_imported:
            st.caption(fmt.md_escape(importing.already_imported_note(
                o, zone if zone is not None and zone.athlete == o.athlete else None)))
        m = st.columns(4)
        m[0].metric("Sessions in file", o.sessions)
        m[1].metric("New", o.added)
        m[2].metric("Merged with existing", o.merged)
        m[3].metric("Already imported", o.unchanged)
        if o.manual_merged:
            st.info(f"{o.manual_merged} session(s) merged with what you logged by hand: the "
                    "recording gives start, duration and heart rate; your RPE, notes and sets "
                    "are kept. To undo, split it on the Log page (Logged by hand).",
                    icon=":material/merge:")
        for a in o.assumptions:
            st.info(f"Assumed: {fmt.md_escape(a)}", icon=":material/lightbulb:")
        for w in o.warnings:
            st.warning(fmt.md_escape(w))
        if o.units and o.data is not None:
            other = "mi" if o.units == "km" else "km"
            cc = st.columns([3, 1], vertical_alignment="center")
            cc[0].caption(f"Distances were read as **{o.units}**. If that is wrong, read the "
                          f"file again in {other}.")
            if cc[1].button(f"Re-read as {other}", key=f"import_reread_{i}",
                            icon=":material/sync:"):
                new = importing.reread(store, o, units=other, tz=tz)
                outcomes[i] = new
                state.clear_caches()
                st.rerun()
        if o.skipped:
            with st.expander(f"{len(o.skipped)} row(s) skipped — why"):
                st.dataframe(pd.DataFrame(
                    [{"row": r if r is not None else "", "reason": why} for r, why in o.skipped]),
                    hide_index=True, width="stretch")


MAP_LABELS = {
    "date": "Date *", "time": "Clock time (if separate)", "duration": "Duration *",
    "moving": "Moving time", "distance": "Distance", "type": "Activity type",
    "title": "Title", "rpe": "RPE (0-10)", "avg_hr": "Average HR", "max_hr": "Max HR",
    "calories": "Calories", "elevation": "Elevation gain",
}
MAP_OPTIONS = {
    "distance_unit": ("Distance unit", {"": "Detect", "km": "km", "mi": "miles", "m": "metres"}),
    "duration_unit": ("Duration written as", {"": "Detect", "hms": "h:mm:ss", "s": "seconds",
                                              "min": "minutes", "h": "hours"}),
    "date_order": ("Date order", {"": "Detect", "DMY": "day/month/year",
                                  "MDY": "month/day/year", "YMD": "year-month-day"}),
}


def mapping_form(store: Store, i: int, o: importing.FileOutcome,
                 outcomes: list[importing.FileOutcome], tz: str) -> None:
    """Which column holds what, for a CSV no reader recognised; previews, saves, imports."""
    with st.container(border=True):
        st.markdown(f":material/table_chart: **{fmt.md_escape(o.file_name)}** — "
                    "which column holds what?")
        st.caption(fmt.md_escape(o.message))
        none = "— not in this file —"
        mapping: dict[str, str] = {}
        cols = st.columns(4)
        for j, f in enumerate(csv_generic.FIELDS):
            opts = [none, *o.columns]
            guess = o.guess.get(f)
            pick = cols[j % 4].selectbox(
                MAP_LABELS.get(f, f.replace("_", " ")), opts,
                index=opts.index(guess) if guess in opts else 0, key=f"map_{i}_{f}")
            if pick != none:
                mapping[f] = pick
        ocols = st.columns(len(MAP_OPTIONS))
        for col, (opt, (label, choices)) in zip(ocols, MAP_OPTIONS.items(), strict=True):
            keys = list(choices)
            guess = o.guess.get(opt, "")
            pick = col.selectbox(label, keys, format_func=choices.get,
                                 index=keys.index(guess) if guess in keys else 0,
                                 key=f"map_{i}_{opt}")
            if pick:
                mapping[opt] = pick
        if "date" not in mapping or not ({"duration", "distance"} & set(mapping)):
            st.warning("Choose the date column and a duration or distance column.")
            return
        ctx = ReadContext(athlete=o.athlete, tz=tz)
        try:
            preview = csvfile.preview_with_mapping(o.data or b"", o.file_name, ctx, mapping)
        except StridewiseError as exc:
            widgets.show_error(exc)
            return
        st.caption("Preview of the first sessions with this mapping:")
        st.dataframe(preview[["start", "sport", "title", "duration_s", "distance_m", "avg_hr",
                              "rpe"]].head(10), hide_index=True, width="stretch")
        if st.button("Save this mapping and import", key=f"map_go_{i}", type="primary",
                     icon=":material/save:"):
            try:
                store.save_mapping_profile(csvfile.header_signature(o.columns), mapping)
            except StridewiseError as exc:
                widgets.show_error(exc)
                return
            outcomes[i] = importing.reread(store, o, mapping=mapping, tz=tz)
            state.clear_caches()
            st.rerun()


def report_section(store: Store, outcomes: list[importing.FileOutcome],
                   zone: importing.ZoneChange | None, tz: str) -> None:
    """The report of the last import: totals, the zone change, one card per file."""
    if not outcomes:
        return
    st.subheader("Import report")
    total_new = sum(o.added for o in outcomes if o.status == "imported")
    ok = sum(1 for o in outcomes if o.status == "imported")
    st.caption(f"{ok} of {len(outcomes)} file(s) imported, {total_new} new session(s).")
    if zone is not None:
        st.info(fmt.md_escape(zone.sentence(total_new)), icon=":material/schedule:")
    for i, o in enumerate(outcomes):
        file_report(store, i, o, outcomes, zone, tz)
    if ok:
        st.page_link(state.ATHLETE_PAGE, label="See the athlete's dashboard",
                     icon=":material/monitoring:")


def past_imports(store: Store) -> None:
    """Every stored import, with removal (confirmed) of one."""
    past = store.imports()
    if past.empty:
        st.caption("Nothing imported yet.")
    else:
        show = past.copy()
        show["imported_at"] = show["imported_at"].astype(str).str.slice(0, 16)
        st.dataframe(
            show[["athlete", "file_name", "sessions", "skipped", "imported_at", "format"]],
            hide_index=True, width="stretch",
            column_config={
                "athlete": "Athlete", "file_name": "File", "format": "Format",
                "sessions": st.column_config.NumberColumn("Sessions"),
                "skipped": st.column_config.NumberColumn("Rows skipped"),
                "imported_at": "Imported at"})
        labels = {r.import_id: f"{r.file_name} · {r.athlete} · {str(r.imported_at)[:16]}"
                  for r in past.itertuples(index=False)}
        rc = st.columns([3, 1], vertical_alignment="bottom")
        target = rc[0].selectbox("Remove an import (its sessions go with it)", list(labels),
                                 format_func=lambda k: labels[k], key="import_remove_pick")
        if rc[1].button("Remove", key="import_remove_go", icon=":material/delete:"):
            st.session_state["import_confirm"] = target
        if st.session_state.get("import_confirm") in labels:
            tid = st.session_state["import_confirm"]
            st.warning(f"Remove {fmt.md_escape(labels[tid])} and its sessions? Your edits to those "
                       "sessions go too.")
            cc = st.columns([1, 1, 4])
            if cc[0].button("Yes, remove", key="import_remove_yes", type="primary"):
                try:
                    n = store.remove_import(tid)
                except StridewiseError as exc:
                    widgets.show_error(exc)
                else:
                    st.session_state.pop("import_confirm", None)
                    state.clear_caches()
                    st.toast(f"Removed {n} session(s).")
                    st.rerun()
            if cc[1].button("Cancel", key="import_remove_no"):
                st.session_state.pop("import_confirm", None)
                st.rerun()
