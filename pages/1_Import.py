"""Import: upload export files for an athlete, see a report per file, map unknown CSVs,
manage past imports."""

from __future__ import annotations

import streamlit as st

from stridewise.errors import StridewiseError
from stridewise.ingest import UPLOAD_TYPES, ReadContext
from stridewise.ui import fmt, importing, state, widgets

store = widgets.setup_page("Import", ":material/upload:")

st.title("Import training files")
st.caption(
    "Strava's bulk export (the whole zip or activities.csv), Garmin Connect's Activities.csv, "
    "FIT (also .fit.gz), TCX, GPX, Apple Health export.xml, Polar, Suunto and Nike files, or "
    "any CSV log. Importing the same file twice changes nothing; overlapping exports are merged.")
widgets.demo_banner(store, key="import_clear_demo")

athletes = state.athletes_table(store)
names = list(athletes["name"])
NEW = "+ New athlete…"

with st.container(border=True):
    c1, c2, c3 = st.columns([2, 2, 1])
    pending = st.session_state.pop("import_pending_choice", None)
    if pending in names:
        st.session_state["import_athlete_choice"] = pending
    default = st.session_state.get(state.ATHLETE_KEY)
    options = [*names, NEW]
    choice = c1.selectbox("Athlete", options,
                          index=options.index(default) if default in names else
                          (0 if names else len(options) - 1),
                          key="import_athlete_choice",
                          help="The sessions in these files are filed under this athlete.")
    athlete = choice
    if choice == NEW:
        athlete = c1.text_input("Name of the new athlete", key="import_new_athlete",
                                max_chars=80, placeholder="e.g. Sam Runner").strip()
    row = athletes.loc[athletes["name"] == athlete] if athlete in names else None
    settings = state.current_settings(store)
    tz_default = (str(row["tz"].iloc[0]) if row is not None and len(row) and row["tz"].iloc[0]
                  else settings.tz)
    zones = state.time_zones()
    tz = c2.selectbox("Time zone of the athlete", zones,
                      index=zones.index(tz_default) if tz_default in zones else
                      zones.index("UTC"), key=f"import_tz_{athlete}",
                      help="Strava and FIT store UTC times; they are shown on the athlete's "
                           "local clock.")
    units_choice = c3.selectbox(
        "Distance unit", ["Detect", "km", "mi"], key="import_units",
        help="Garmin's CSV does not say whether distances are km or miles. 'Detect' infers "
             "it and tells you what it assumed.")

    gen = st.session_state.setdefault("import_uploader_gen", 0)
    uploads = st.file_uploader(
        "Drop files here", type=UPLOAD_TYPES, accept_multiple_files=True,
        key=f"import_files_{gen}",
        help="Up to 200 MB per file. A Strava bulk export zip brings its activity files along.")
    n_up = len(uploads or [])
    go = st.button(f"Import {n_up} file{'' if n_up == 1 else 's'}" if n_up else "Import",
                   type="primary",
                   icon=":material/upload:", disabled=not uploads or not athlete,
                   key="import_go")
    if uploads and not athlete:
        st.warning("Enter the new athlete's name first.")

if go and uploads and athlete:
    stored_tz = (str(row["tz"].iloc[0]) if row is not None and len(row) and row["tz"].iloc[0]
                 else None)
    try:
        zone_change = (importing.apply_zone(store, athlete, tz, stored=stored_tz or tz_default,
                                            exists=athlete in names)
                       if athlete not in names or tz != tz_default else None)
    except StridewiseError as exc:
        widgets.show_error(exc)
        st.stop()
    bar = st.progress(0.0, text="Starting…")
    files = [(u.name, u.getvalue()) for u in uploads]
    n = len(files)

    where = {"i": 0, "name": ""}

    def _on_file(i: int, total: int, name: str) -> None:
        where.update(i=i, name=fmt.md_escape(name))
        bar.progress(i / total, text=f"Reading {where['name']} ({i + 1} of {total})")

    def _within(fraction: float, text: str) -> None:
        bar.progress(min(1.0, (where["i"] + fraction) / n),
                     text=f"{where['name']}: {fmt.md_escape(text)}")

    outcomes = importing.import_files(
        store, files, athlete=athlete, tz=tz.strip() or "UTC",
        units=None if units_choice == "Detect" else units_choice, on_file=_on_file,
        progress=_within)
    bar.progress(1.0, text=f"Done: {n} file(s) read.")
    st.session_state["import_outcomes"] = outcomes
    st.session_state["import_zone_change"] = zone_change
    st.session_state["import_uploader_gen"] = gen + 1
    st.session_state["import_pending_choice"] = athlete
    state.set_athlete(athlete)
    state.clear_caches()
    st.rerun()

outcomes: list[importing.FileOutcome] = st.session_state.get("import_outcomes", [])
zone: importing.ZoneChange | None = st.session_state.get("import_zone_change")


def _report(i: int, o: importing.FileOutcome) -> None:
    name = fmt.md_escape(o.file_name)
    if o.status == "refused":
        with st.container(border=True):
            st.markdown(f":material/block: **{name}** — not imported")
            st.error(fmt.md_escape(o.message), icon=":material/error:")
        return
    if o.status == "needs_mapping":
        _mapping_form(i, o)
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
                new = importing.reread(store, o, units=other, tz=tz.strip() or "UTC")
                outcomes[i] = new
                state.clear_caches()
                st.rerun()
        if o.skipped:
            with st.expander(f"{len(o.skipped)} row(s) skipped — why"):
                import pandas as pd

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


def _mapping_form(i: int, o: importing.FileOutcome) -> None:
    from stridewise.ingest import csv_generic, csvfile

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
        ctx = ReadContext(athlete=o.athlete, tz=tz.strip() or "UTC")
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
            outcomes[i] = importing.reread(store, o, mapping=mapping, tz=tz.strip() or "UTC")
            state.clear_caches()
            st.rerun()


if outcomes:
    st.subheader("Import report")
    total_new = sum(o.added for o in outcomes if o.status == "imported")
    ok = sum(1 for o in outcomes if o.status == "imported")
    st.caption(f"{ok} of {len(outcomes)} file(s) imported, {total_new} new session(s).")
    if zone is not None:
        st.info(fmt.md_escape(zone.sentence(total_new)), icon=":material/schedule:")
    for i, o in enumerate(outcomes):
        _report(i, o)
    if ok:
        st.page_link(state.ATHLETE_PAGE, label="See the athlete's dashboard",
                     icon=":material/monitoring:")

st.subheader("Past imports")
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
