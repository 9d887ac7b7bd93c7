"""Reusable page pieces: page setup, KPI cards, risk badge and reasons, explanations, date range,
downloads, the demo banner and error display.

Every piece that shows user text (athlete names, titles) escapes it (:func:`fmt.md_escape`) or
uses a widget that renders plain text; nothing here uses ``unsafe_allow_html``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import streamlit as st

from stridewise.errors import StridewiseError
from stridewise.ui import fmt, state

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

APP_NAME = "Stridewise"


def setup_page(title: str, icon: str = ":material/directions_run:") -> Store:
    """Page config + the store (the demo squad is imported into an empty database)."""
    st.set_page_config(page_title=f"{title} · {APP_NAME}", page_icon=icon, layout="wide")
    nav()
    try:
        return state.get_store()
    except StridewiseError as exc:
        st.error(fmt.md_escape(exc.message))
        st.stop()
        raise  # pragma: no cover - st.stop() raises


NAV = (
    (state.HOME_PAGE, "Home", ":material/home:"),
    (state.IMPORT_PAGE, "Import", ":material/upload:"),
    (state.ATHLETE_PAGE, "Athlete", ":material/person:"),
    (state.SQUAD_PAGE, "Squad", ":material/groups:"),
    (state.SETTINGS_PAGE, "Settings", ":material/tune:"),
    ("pages/5_Review_areas.py", "Review areas", ":material/rule:"),
)


def nav() -> None:
    """The sidebar navigation (Streamlit's automatic page list is switched off in config)."""
    with st.sidebar:
        st.markdown(f"### :material/directions_run: {APP_NAME}")
        for page, label, icon in NAV:
            st.page_link(page, label=label, icon=icon)
        st.divider()


def show_error(exc: StridewiseError, *, prefix: str = "") -> None:
    """A user-facing failure: one sentence, never a traceback."""
    st.error(fmt.md_escape(f"{prefix}{exc.message}"), icon=":material/error:")


def risk_badge(level: str) -> None:
    colour, icon, label = fmt.RISK_STYLE.get(level, ("gray", ":material/help:", level))
    st.badge(f"Risk: {label}", color=colour, icon=icon)  # type: ignore[arg-type]


def reasons_list(reasons: Iterable[str], *, empty: str = "Nothing stands out.") -> None:
    items = [r for r in reasons if r]
    if not items:
        st.caption(empty)
        return
    st.markdown("\n".join(f"- {fmt.md_escape(r)}" for r in items))


def heuristic_note() -> None:
    st.caption(
        ":material/info: This risk level is a heuristic built from training-load patterns, "
        "not a diagnosis. It cannot see sleep, illness, pain or life stress: talk to the "
        "athlete, and see a clinician for pain that persists.")


def acwr_contested_note() -> None:
    st.info(
        "The acute:chronic workload ratio (ACWR) is contested. Studies that linked high ratios "
        "to injury (Gabbett 2016) were later criticised for statistical artefacts: the ratio "
        "couples acute and chronic load and can mislead (Impellizzeri et al. 2020; Lolli et al. "
        "2019). Stridewise shows it as one signal among several, never on its own.",
        icon=":material/balance:")


def explanation_expanders(explanations: dict[str, Any], keys: Iterable[str] | None = None) -> None:
    """One "How is … computed?" expander per metric (formula, source, caveat)."""
    for key in (keys if keys is not None else explanations.keys()):
        ex = explanations.get(key)
        if ex is None:
            continue
        title = str(getattr(ex, "title", key))
        # "Injury-risk heuristic" -> "How is the injury-risk heuristic computed?"; acronyms
        # (TRIMP, EWMA) keep their capitals
        if title[1:2].islower():
            title = title[:1].lower() + title[1:]
        with st.expander(f"How is the {title} computed?"):
            formula = getattr(ex, "formula", "")
            if formula:
                st.markdown(f"**Formula.** {formula}")
            source = getattr(ex, "source", "")
            if source:
                st.markdown(f"**Source.** {source}")
            caveat = getattr(ex, "caveat", "")
            if caveat:
                st.markdown(f"**Caveat.** {caveat}")


def explanation_block(explanations: dict[str, Any], keys: Iterable[str], label: str) -> None:
    """One expander explaining several metrics (formula, source, caveat for each)."""
    items = [explanations[k] for k in keys if k in explanations]
    if not items:
        return
    with st.expander(label, icon=":material/function:"):
        for ex in items:
            st.markdown(f"**{getattr(ex, 'title', '')}** — {getattr(ex, 'formula', '')}")
            st.caption(f"Source: {getattr(ex, 'source', '')}  \nCaveat: "
                       f"{getattr(ex, 'caveat', '')}")


RANGE_PRESETS: dict[str, int | None] = {
    "4 weeks": 28, "12 weeks": 84, "6 months": 182, "1 year": 365, "All": None,
}


def date_range_control(first: date, last: date, *, key: str,
                       default: str = "6 months") -> tuple[date, date]:
    """Preset buttons (4 weeks … All) plus a custom from/to; returns (start, end) inclusive."""
    cols = st.columns([3, 2], vertical_alignment="bottom")
    with cols[0]:
        choice = st.segmented_control(
            "Date range", [*RANGE_PRESETS, "Custom"], default=default, key=f"{key}_preset",
            required=True)
    if choice == "Custom":
        with cols[1]:
            picked = st.date_input(
                "From – to", value=(max(first, last - timedelta(days=182)), last),
                min_value=first, max_value=max(last, date.today()), key=f"{key}_custom")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            return picked[0], picked[1]
        if isinstance(picked, tuple | list) and len(picked) == 1:
            return picked[0], last
        if isinstance(picked, date):
            return picked, last
        return first, last
    days = RANGE_PRESETS.get(choice or default)
    start = first if days is None else max(first, last - timedelta(days=days - 1))
    with cols[1]:
        st.caption(f"{start:%d %b %Y} – {last:%d %b %Y}")
    return start, last


def demo_banner(store: Store, *, key: str) -> None:
    """A banner saying the demo squad is loaded, with a one-click clear."""
    if not store.has_demo():
        return
    with st.container(border=True):
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.markdown(
            ":material/science: **You are looking at demo data.** Twelve invented athletes "
            "with two years of training each, so you can explore every page. Clear them when "
            "you import your own files.")
        if c2.button("Clear demo data", key=key, icon=":material/delete:", type="secondary"):
            try:
                n = store.clear_demo()
                store.save_settings({**(store.settings() or {}), state.DEMO_DISMISSED: True})
            except StridewiseError as exc:
                show_error(exc)
            else:
                state.clear_caches()
                st.session_state.pop(state.ATHLETE_KEY, None)
                st.toast(f"Demo data removed ({n} sessions).", icon=":material/delete:")
                st.rerun()


def _deferred(make: Callable[[], bytes | str]) -> Callable[[], bytes | str]:
    """Wrap an export builder so a failure downloads one sentence instead of breaking."""

    def run() -> bytes | str:
        try:
            return make()
        except StridewiseError as exc:
            return f"The export could not be made: {exc.message}\n"

    return run


def download_row(items: list[tuple[str, Callable[[], bytes | str], str, str]], *,
                 key: str) -> None:
    """Download buttons, three to a row so that labels are never cut: (label, builder, file
    name, mime). The file is built only when the button is clicked (Excel for a squad takes
    seconds)."""
    per_row = 3
    for first in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, (label, make, name, mime) in zip(cols, items[first:first + per_row],
                                                  strict=False):
            col.download_button(label, data=_deferred(make), file_name=name, mime=mime,
                                key=f"{key}_{label}", icon=":material/download:",
                                on_click="ignore", width="stretch")


def empty_state(text: str) -> None:
    """What to do when there is nothing to show yet."""
    st.info(text, icon=":material/upload_file:")
    st.page_link(state.IMPORT_PAGE, label="Import training files", icon=":material/upload:")
