"""Streamlit state shared by every page: the store, cached analysis, the selected athlete.

* :func:`get_store` — one :class:`~stridewise.store.Store` per database URL and process
  (``st.cache_resource``); on first use of an empty database the demo squad is imported.
* :func:`analysis` — the pipeline result for some athletes, cached with ``st.cache_data`` and
  keyed on the database URL, ``store.version()`` (which changes on every write, including
  settings, rules and overrides) and the settings themselves.
* The selected athlete lives in ``st.session_state["sw_athlete"]`` (a plain key, not a widget
  key, so it survives page switches); :func:`open_athlete` selects one and switches to the
  Athlete page.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from stridewise import classify, pipeline
from stridewise.errors import StridewiseError
from stridewise.settings import AthleteProfile, Settings

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.pipeline import Analysis
    from stridewise.store import Store

ATHLETE_KEY = "sw_athlete"
GROUP_KEY = "sw_group"
ATHLETE_PAGE = "pages/2_Athlete.py"
IMPORT_PAGE = "pages/1_Import.py"
SQUAD_PAGE = "pages/3_Squad.py"
SETTINGS_PAGE = "pages/4_Settings.py"
HOME_PAGE = "app.py"
ALL_GROUPS = "All athletes"

#: Days without any session after which "this week" is taken at the latest session instead
#: of today (so an archive of old data still shows its last real week).
STALE_AFTER_DAYS = 14


def db_url() -> str:
    """The database the app uses: env ``STRIDEWISE_DB`` ("" = the store's default)."""
    return os.environ.get("STRIDEWISE_DB", "")


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> Store:
    from stridewise import demo
    from stridewise.store import Store

    store = Store.from_env() if not url else Store(url)
    try:
        demo.ensure_demo(store)
    except StridewiseError:
        # An unreadable demo must not keep the app from starting; the empty-state texts guide
        # the user to the Import page instead.
        pass
    return store


def get_store() -> Store:
    """The store for the current ``STRIDEWISE_DB`` (created, and demo-filled, on first use)."""
    return _store_for(db_url())


def current_settings(store: Store) -> Settings:
    return Settings.from_dict(store.settings() or {})


def user_rules(store: Store) -> list[classify.Rule]:
    """The user's own classification rules (tried before the shipped defaults)."""
    return classify.rules_from_records(store.rules() or [])


def current_rules(store: Store) -> list[classify.Rule]:
    """The full rule list to classify with: the user's rules, then the defaults."""
    return classify.with_user_rules(store.rules() or [])


def athletes_table(store: Store) -> pd.DataFrame:
    return _athletes_cached(db_url(), store.version())


@st.cache_data(show_spinner=False, max_entries=16)
def _athletes_cached(url: str, version: int) -> pd.DataFrame:
    df = get_store().athletes()
    return df.sort_values("name", key=lambda s: s.str.casefold()).reset_index(drop=True)


def profiles(athletes: pd.DataFrame) -> dict[str, AthleteProfile]:
    """Per-athlete HR max/rest and sex from the athletes table (for HR-based load/TRIMP)."""
    out: dict[str, AthleteProfile] = {}
    for row in athletes.itertuples(index=False):
        hr_max = _num(getattr(row, "hr_max", None))
        hr_rest = _num(getattr(row, "hr_rest", None))
        sex = getattr(row, "sex", None)
        out[str(row.name)] = AthleteProfile(
            hr_max=hr_max, hr_rest=hr_rest,
            sex=sex if sex in ("male", "female") else None)
    return out


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


@dataclass(frozen=True)
class View:
    """The analysis for a set of athletes, as of a reference day ("this week" ends there)."""

    analysis: Analysis
    as_of: date
    stale: bool  # True when as_of is the latest session, not today
    settings: Settings


@st.cache_data(show_spinner=False, max_entries=24)
def _analysis_cached(url: str, version: int, settings_json: str, athletes: tuple[str, ...],
                     end: date) -> Analysis:
    store = get_store()
    settings = Settings.from_dict(json.loads(settings_json))
    sessions = store.sessions(list(athletes) if athletes else None)
    roster = store.athletes()
    return pipeline.analyse(sessions, settings=settings, rules=current_rules(store),
                            profiles=profiles(roster), end=pd.Timestamp(end))


@st.cache_data(show_spinner=False, max_entries=24)
def _latest_cached(url: str, version: int, athletes: tuple[str, ...]) -> date | None:
    sessions = get_store().sessions(list(athletes) if athletes else None)
    if sessions.empty:
        return None
    return pd.Timestamp(sessions["start"].max()).date()


def reference_day(store: Store, athletes: list[str] | None,
                  today: date | None = None) -> tuple[date, bool]:
    """The day that ends "this week": today, or the latest session when data stopped earlier."""
    today = today or date.today()
    latest = _latest_cached(db_url(), store.version(), tuple(athletes or ()))
    if latest is not None and (today - latest).days > STALE_AFTER_DAYS:
        return latest, True
    return today, False


def analysis(store: Store, athletes: list[str] | None = None,
             end: date | None = None) -> View:
    """The cached pipeline result for ``athletes`` (None = everyone), up to ``end``."""
    settings = current_settings(store)
    stale = False
    if end is None:
        end, stale = reference_day(store, athletes)
    result = _analysis_cached(db_url(), store.version(), json.dumps(settings.to_dict(),
                              sort_keys=True, default=str), tuple(athletes or ()), end)
    return View(result, end, stale, settings)


def week_start_of(day: date, settings: Settings) -> date:
    """First day of the training week that holds ``day`` (Monday or Sunday per settings)."""
    if settings.week_start == "sunday":
        return day - timedelta(days=(day.weekday() + 1) % 7)
    return day - timedelta(days=day.weekday())


def clear_caches() -> None:
    """Drop cached data (after writes the version key changes anyway; this frees memory)."""
    _analysis_cached.clear()
    _latest_cached.clear()
    _athletes_cached.clear()


# --- the selected athlete -------------------------------------------------------------------

def selected_athlete(names: list[str]) -> str | None:
    """The athlete chosen on any page (kept across pages), defaulting to the first one."""
    if not names:
        return None
    current = st.session_state.get(ATHLETE_KEY)
    if current not in names:
        current = names[0]
        st.session_state[ATHLETE_KEY] = current
    return current


def set_athlete(name: str) -> None:
    st.session_state[ATHLETE_KEY] = name


def open_athlete(name: str) -> None:
    """Select ``name`` and open the Athlete page."""
    set_athlete(name)
    st.switch_page(ATHLETE_PAGE)


def athlete_picker(names: list[str], *, key: str, label: str = "Athlete",
                   container: Any = None) -> str | None:
    """A selectbox bound to the shared selected athlete."""
    where = container or st
    if not names:
        return None
    current = selected_athlete(names)

    def _changed() -> None:
        st.session_state[ATHLETE_KEY] = st.session_state[key]

    if st.session_state.get(key) != current:
        st.session_state[key] = current
    where.selectbox(label, names, key=key, on_change=_changed)
    return st.session_state[ATHLETE_KEY]
