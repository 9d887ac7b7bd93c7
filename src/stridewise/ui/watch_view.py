"""Watched folders on the Settings page: a folder per athlete whose new files import themselves.

The watchers run in this app process (one per folder, on daemon threads kept in the library's
registry, so reruns never start a second one); :func:`autostart` starts the saved ones once per
process and database. Personal mode: the one user sets them for every athlete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from stridewise import watch
from stridewise.errors import StridewiseError
from stridewise.ui import fmt, state, widgets

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

_KINDS = {"imported": "Imported", "duplicate": "Already imported", "failed": "Failed",
          "seen": "Waiting"}


def autostart(store: Store) -> None:
    """Start the watchers of the saved folders (once per process and database)."""
    _started(state.db_url())


@st.cache_resource(show_spinner=False, max_entries=4)
def _started(url: str) -> bool:
    try:
        from stridewise.access import Actor, ScopedStore

        # the server's own folders: started by the app process, acting as its operator
        watch.sync_watchers(ScopedStore(state.raw_store(), Actor.operator()), url or None)
    except StridewiseError:
        return False
    return True


def render(store: Store) -> None:
    """The watched-folder section: pick an athlete, set or clear the folder, see activity."""
    actor = getattr(store, "actor", None)
    if actor is not None and not actor.manages:
        return  # folders on the server: an admin's business
    st.subheader("Watched folders", anchor=False)
    st.caption("Point Garmin Express, your phone's sync folder or a shared club drive at a "
               "folder: every new file that appears there is imported once, as soon as it is "
               "completely written. Imported files move to its 'imported' sub-folder, files "
               "that cannot be read to 'failed' with the reason beside them. The folder is "
               "watched while Stridewise runs (or run `python -m stridewise watch DIR "
               "--athlete NAME`).")
    names = list(store.athletes()["name"])
    if not names:
        widgets.empty_state("Add an athlete first (import a file on the Import page).")
        return
    saved = watch.folder_settings(store)
    running = watch.watching()
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    who = c1.selectbox("Athlete", names, key="watch_athlete")
    folder = c2.text_input("Folder on this computer", value=saved.get(who, ""),
                           key=f"watch_folder_{who}", max_chars=500,
                           placeholder="/home/me/Garmin/Activities")
    b1, b2 = st.columns([1, 5])
    if b1.button("Save", type="primary", icon=":material/save:", key="watch_save"):
        _save(store, who, folder)
    if who in saved and b2.button("Stop watching", icon=":material/stop_circle:",
                                  key="watch_clear"):
        _save(store, who, "")
    if saved:
        rows = []
        for athlete, path in sorted(saved.items()):
            info = running.get(path, {})
            status = ("watching" if info.get("alive") else
                      info.get("error") or "not running in this app process")
            last = info.get("events", [])
            rows.append({"Athlete": athlete, "Folder": path, "Status": status,
                         "Last file": last[-1].name if last else "",
                         "What happened": _KINDS.get(last[-1].kind, "") if last else ""})
        st.dataframe(rows, hide_index=True, width="stretch")
        recent = [e for info in running.values() for e in info.get("events", [])
                  if e.kind != "seen"][-20:]
        if recent:
            with st.expander(f"Recent files ({len(recent)})"):
                for e in reversed(recent):
                    st.markdown(f"- **{_KINDS[e.kind]}**: {fmt.md_escape(e.message)}")


def _save(store: Store, athlete: str, folder: str) -> None:
    try:
        watch.save_folder(store, athlete, folder)
        outcome = watch.sync_watchers(store, state.db_url() or None)
    except StridewiseError as exc:
        widgets.show_error(exc)
        return
    problems = [v for v in outcome.values() if v not in (
        "started", "running", "restarted", "stopped")]
    if problems:
        st.warning(fmt.md_escape(problems[0]))
    else:
        st.success(fmt.md_escape(f"Saved: {athlete}'s folder is "
                                 + ("watched now." if folder.strip() else "no longer watched.")),
                   icon=":material/check:")
