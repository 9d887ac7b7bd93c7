"""Reusable page pieces: page setup, KPI cards, risk badge and reasons, explanations, date range,
downloads, the demo banner and error display.

Every piece that shows user text (athlete names, titles) escapes it (:func:`fmt.md_escape`) or
uses a widget that renders plain text; nothing here uses ``unsafe_allow_html``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from stridewise.errors import StridewiseError
from stridewise.ui import fmt, state

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.access import Actor, ScopedStore
    from stridewise.store import Store

APP_NAME = "Stridewise"


def setup_page(title: str, icon: str = ":material/directions_run:") -> ScopedStore:
    """Page config + the store as the signed-in user sees it (the demo squad is imported into
    an empty database). Club mode: a visitor who is not signed in sees only the login form."""
    st.set_page_config(page_title=f"{title} · {APP_NAME}", page_icon=icon, layout="wide")
    try:
        # --- access gate (club mode): nothing about any athlete before login ---
        from stridewise.ui import auth

        raw = state.raw_store()
        actor = auth.current_actor(raw)
        if actor is None:
            st.session_state.pop(auth.ACTOR_KEY, None)
            auth.login_screen(raw)
            st.stop()
        st.session_state[auth.ACTOR_KEY] = actor
        nav(actor)
        with st.sidebar:
            auth.logout_button(raw, actor)
        store = state.get_store()
        if not st.session_state.get("sw_zone_checked") and actor.manages:
            st.session_state["sw_zone_checked"] = True
            if adopt_browser_zone(store, getattr(st.context, "timezone", None)):
                state.clear_caches()
        return store
    except StridewiseError as exc:
        st.error(fmt.md_escape(exc.message))
        st.stop()
        raise  # pragma: no cover - st.stop() raises


def adopt_browser_zone(store: Store, zone: str | None) -> bool:
    """The first time a browser reports its time zone and none was ever saved, make it the
    default zone for new athletes (instead of UTC). Returns True when it saved one."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not zone:
        return False
    saved = store.settings() or {}
    if saved.get("tz"):
        return False
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    store.save_settings({**saved, "tz": str(zone)})
    return True


NAV = (
    (state.HOME_PAGE, "Home", ":material/home:"),
    (state.IMPORT_PAGE, "Import", ":material/upload:"),
    (state.ATHLETE_PAGE, "Athlete", ":material/person:"),
    (state.SQUAD_PAGE, "Squad", ":material/groups:"),
    (state.SETTINGS_PAGE, "Settings", ":material/tune:"),
    ("pages/5_Review_areas.py", "Review areas", ":material/rule:"),
    ("pages/6_Log.py", "Log", ":material/edit_note:"),
    ("pages/7_Check_in.py", "Check-in", ":material/healing:"),
    ("pages/8_Plans.py", "Plans", ":material/event_note:"),
    ("pages/9_Review.py", "Monday review", ":material/checklist:"),
)


ACCOUNT_PAGE = "pages/10_Account.py"


def nav(actor: Actor | None = None) -> None:
    """The sidebar navigation (Streamlit's automatic page list is switched off in config);
    the Account page for a signed-in club user."""
    with st.sidebar:
        st.markdown(f"### :material/directions_run: {APP_NAME}")
        for page, label, icon in NAV:
            st.page_link(page, label=label, icon=icon)
        if actor is not None and actor.role != "owner":
            st.page_link(ACCOUNT_PAGE, label="Account", icon=":material/account_circle:")
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
        ":material/info: This risk level is a heuristic built from training-load patterns "
        "and the niggles you report, not a diagnosis. It cannot see illness or life stress, "
        "and pain only as far as it is reported: talk to the athlete, and see a clinician for "
        "pain that persists.")


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


def _deferred(make: Callable[[], bytes | str], audit: Callable[[], None] | None = None,
              ) -> Callable[[], bytes | str]:
    """Wrap an export builder so a failure downloads one sentence instead of breaking;
    ``audit`` runs first (records the export; refuses one out of the user's scope)."""

    actor = st.session_state.get("sw_actor")  # this session's actor, for the click-time run

    def run() -> bytes | str:
        token = state.DEFERRED_ACTOR.set(actor)
        try:
            if audit is not None:
                audit()
            return make()
        except StridewiseError as exc:
            return f"The export could not be made: {exc.message}\n"
        finally:
            state.DEFERRED_ACTOR.reset(token)

    return run


def download_row(items: list[tuple[str, Callable[[], bytes | str], str, str]], *,
                 key: str, athletes: Iterable[str] = ()) -> None:
    """Download buttons, three to a row so that labels are never cut: (label, builder, file
    name, mime). The file is built only when the button is clicked (Excel for a squad takes
    seconds). ``athletes``: whose data the files hold (each download is audited)."""
    store = state.get_store()
    names = list(athletes)

    def auditor(what: str) -> Callable[[], None]:
        return lambda: store.record_export(names, what)

    per_row = 3
    for first in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, (label, make, name, mime) in zip(cols, items[first:first + per_row],
                                                  strict=False):
            col.download_button(label, data=_deferred(make, auditor(name)), file_name=name,
                                mime=mime,
                                key=f"{key}_{label}", icon=":material/download:",
                                on_click="ignore", width="stretch")


def empty_state(text: str) -> None:
    """What to do when there is nothing to show yet (a coach: wait for a grant)."""
    actor = st.session_state.get("sw_actor")
    if actor is not None and getattr(actor, "role", "") == "coach":
        st.info("No athlete has granted you access yet. Athletes share their data with you "
                "on their Account page (with you, or with a squad you coach).",
                icon=":material/lock:")
        return
    st.info(text, icon=":material/upload_file:")
    st.page_link(state.IMPORT_PAGE, label="Import training files", icon=":material/upload:")


# --- the assessment: one set of tiles, one reasons list, on every page -------------------------

def risk_tile(a: Any, container: Any = None) -> None:
    """The injury-risk tile: level, the top reason and the next run's limit."""
    where = container or st
    with where.container(border=True, height="stretch"):
        st.metric("Injury-risk signal", fmt.risk_label(a.level),
                  icon=fmt.RISK_STYLE.get(a.level, ("", ":material/help:", ""))[1],
                  help="A heuristic from load patterns, not a diagnosis (version "
                       f"{a.version}). Every reason and how it is computed is on the "
                       "Athlete page.")
        st.caption(fmt.md_escape(a.top_reason) if a.reasons else
                   "No warning signs in the data.")
        if a.next_run_sentence:
            st.caption(fmt.md_escape(a.next_run_sentence))


def running_tile(a: Any, container: Any = None) -> None:
    """Running distance of the last 7 days and its change against the usual week."""
    where = container or st
    m = a.metrics
    change = m["run_km_change_pct"]
    where.metric(
        m["run_km_7d"].name, m["run_km_7d"].text, border=True, height="stretch",
        delta=None if change.text in ("—", "new") else f"{change.text} vs your usual week",
        delta_color="inverse" if change.status == "watch" else "off",
        help="Running distance of the last 7 days against the weekly mean of the 21 days "
             "before them. Evidence: " + change.evidence + ".")


def ratio_tile(a: Any, container: Any = None) -> None:
    """The one named acute:chronic ratio, coloured against its bands."""
    where = container or st
    m = a.ratio
    colour = {"alert": "red", "watch": "orange", "ok": "green"}.get(m.status, "gray")
    with where.container(border=True, height="stretch"):
        st.metric(m.name.replace("Acute:chronic ratio", "Acute:chronic"), m.text,
                  help="Load of the last 7 days against the usual load. Context, never a "
                       "leading sign: " + m.evidence + ".")
        st.badge(m.band, color=colour)  # type: ignore[arg-type]


def training_tile(a: Any, container: Any = None) -> None:
    """Minutes and sessions of the last 7 days (a mixed session counts once)."""
    where = container or st
    where.metric("Training, last 7 days", fmt.fmt_minutes(a.minutes_7d), border=True,
                 height="stretch", delta=f"{a.sessions_7d} sessions", delta_color="off",
                 delta_arrow="off",
                 help="Each session counts once; a mixed session's minutes are split across "
                      "its areas in the area tiles.")


def reasons_with_details(a: Any) -> None:
    """Each reason as a plain sentence; formula, source, evidence and caveat behind 'details'."""
    if not a.reasons:
        st.caption("Nothing stands out.")
    for r in a.reasons:
        st.markdown(f"- {fmt.md_escape(r.text)}")
        with st.expander("details", icon=":material/info:"):
            if r.plain:
                st.markdown(fmt.md_escape(r.plain))
            st.markdown(f"**How.** {r.details.formula}")
            if r.evidence:
                st.markdown(f"**Evidence.** {r.evidence}.")
            st.markdown(f"**Source.** {r.details.source}")
            st.markdown(f"**Caveat.** {r.details.caveat}")
    if a.next_run_sentence:
        st.markdown(f":material/straighten: {fmt.md_escape(a.next_run_sentence)}")


def hr_prompt(store: Store, analysis: Any, athlete: str, a: Any, athletes: Any) -> None:
    """When sessions have heart rate but the athlete has no HR max/rest: say so, offer values
    estimated from the athlete's own data, and save them once the user confirms."""
    import math

    from stridewise.load import estimate_hr_profile

    if not (isinstance(a.hr_unset_pct, float) and math.isfinite(a.hr_unset_pct)
            and a.hr_unset_pct > 0):
        return
    guess = estimate_hr_profile(analysis.sessions, athlete, a.date)
    with st.container(border=True):
        st.markdown(
            f":material/monitor_heart: **Heart rate is recorded on {a.hr_unset_pct:.0f} % of "
            f"{fmt.md_escape(athlete)}'s recent sessions, but HR max and resting HR are not "
            "set.** Until they are, those loads are estimated from a default effort per "
            "training area.")
        if guess is None:
            st.caption("Set them on Settings → Athletes.")
            return
        st.caption("Suggested from the data: HR max = the highest heart rate of the last 12 "
                   "months; resting HR = a typical value (measure yours on waking). Check them "
                   "before saving.")
        c = st.columns([1, 1, 1], vertical_alignment="bottom")
        hr_max = c[0].number_input("HR max (bpm)", 100, 240, int(guess["hr_max"]),
                                   key=f"hrp_max_{athlete}")
        hr_rest = c[1].number_input("Resting HR (bpm)", 25, 120, int(guess["hr_rest"]),
                                    key=f"hrp_rest_{athlete}")
        if c[2].button("Use these values", key=f"hrp_save_{athlete}", type="primary"):
            if hr_max <= hr_rest:
                st.error("HR max must be above the resting heart rate.")
                return
            store.upsert_athlete(athlete, hr_max=float(hr_max), hr_rest=float(hr_rest))
            state.clear_caches()
            st.toast("Saved. Loads now use the heart-rate reserve.", icon=":material/save:")
            st.rerun()


def rule_changes_table(changes: pd.DataFrame) -> None:
    """The sessions a proposed classification rule would move (``rule_preview`` output)."""
    st.dataframe(changes.head(200), hide_index=True, width="stretch",
                 column_config={
                     "athlete": "Athlete", "start": st.column_config.DatetimeColumn(
                         "Start", format="D MMM YYYY"),
                     "sport": "Sport", "title": "Title", "area_now": "Area now",
                     "area_new": "Area with the rule", "reason_new": "Why"})
