"""Import: upload export files for an athlete, see a report per file, map unknown CSVs,
manage past imports."""

from __future__ import annotations

import streamlit as st

from stridewise.errors import StridewiseError
from stridewise.ingest import UPLOAD_TYPES
from stridewise.ui import fmt, import_page, importing, state, widgets

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
import_page.report_section(store, outcomes, zone, tz.strip() or "UTC")
st.subheader("Past imports")
import_page.past_imports(store)
