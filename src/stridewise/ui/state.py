"""Streamlit state shared by every page: the store, cached analysis, the selected athlete.

* :func:`get_store` — one :class:`~stridewise.store.Store` per database URL and process
  (``st.cache_resource``); on first use of an empty database the demo squad is imported.
* :func:`analysis` — the pipeline result for some athletes, cached and keyed on the database
  URL, the data version of exactly those athletes (a write touching one athlete leaves every
  other athlete's cached analysis valid), the settings and the classification rules.
* :func:`squad_view` — the whole squad's roster figures read from the store's derived tables
  (one row per athlete, no session history), and :func:`squad_weekly` the weeks a chart draws.
* The selected athlete lives in ``st.session_state["sw_athlete"]`` (a plain key, not a widget
  key, so it survives page switches); :func:`open_athlete` selects one and switches to the
  Athlete page.
"""

from __future__ import annotations

import contextvars
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import streamlit as st

from stridewise import classify, derived, pipeline
from stridewise.errors import StridewiseError
from stridewise.settings import Settings
from stridewise.ui import memory

memory.tune()  # the server process's allocators (see stridewise.ui.memory)

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.access import ScopedStore
    from stridewise.pipeline import Analysis
    from stridewise.store import Store

T = TypeVar("T")

#: Settings key set when the user clears the demo squad: it is not imported again on restart.
DEMO_DISMISSED = "demo_dismissed"
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
STALE_AFTER_DAYS = derived.STALE_AFTER_DAYS


def db_url() -> str:
    """The database the app uses: env ``STRIDEWISE_DB`` ("" = the store's default)."""
    return os.environ.get("STRIDEWISE_DB", "")


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> Store:
    from stridewise import demo
    from stridewise.store import Store

    store = Store.from_env() if not url else Store(url)
    try:
        if not (store.settings() or {}).get(DEMO_DISMISSED):
            demo.ensure_demo(store)
    except StridewiseError:
        # An unreadable demo must not keep the app from starting; the empty-state texts guide
        # the user to the Import page instead.
        pass
    return store


def raw_store() -> Store:
    """The unscoped store for the current ``STRIDEWISE_DB`` (created, and demo-filled, on
    first use). Only the login gate and the accounts module use it; pages use
    :func:`get_store`."""
    return _store_for(db_url())


# --- access: the store as the signed-in user sees it ----------------------------------------

#: The actor a download builder runs for: set by ``widgets`` around a builder that runs on
#: click, outside the page run that knew the session's actor (captured when the button was
#: drawn, so it is always that session's own actor).
DEFERRED_ACTOR: contextvars.ContextVar[Any] = contextvars.ContextVar("sw_deferred_actor",
                                                                    default=None)


def get_store() -> ScopedStore:
    """The store as this session's actor sees it (set by ``widgets.setup_page``; personal
    mode: the owner). In club mode before login every call is refused."""
    from stridewise.access import Actor, ScopedStore, auth_mode

    try:
        actor = st.session_state.get("sw_actor")
    except Exception:  # noqa: BLE001 - no session here (a download builder run on click)
        actor = None
    if actor is None:
        actor = DEFERRED_ACTOR.get()  # the actor of the page that made the download button
    if actor is None and auth_mode() == "none":
        actor = Actor.personal()
    return ScopedStore(raw_store(), actor)


def scope_key(store: Any) -> tuple[Any, ...]:
    """Part of every cache key over several athletes: what this actor may see ("all" for an
    owner/admin, else the sorted visible athletes), so no cached result crosses actors."""
    visible = getattr(store, "visible", None)
    if visible is None:
        return ("all",)
    vis = visible()
    return ("all",) if vis is None else ("only", *sorted(vis))


def current_settings(store: Store) -> Settings:
    return Settings.from_dict(store.settings() or {})


@st.cache_resource(show_spinner=False)
def time_zones() -> list[str]:
    """IANA time-zone names for pickers, sorted."""
    from zoneinfo import available_timezones

    return sorted(available_timezones())


def user_rules(store: Store) -> list[classify.Rule]:
    """The user's own classification rules (tried before the shipped defaults)."""
    return classify.rules_from_records(store.rules() or [])


def current_rules(store: Store) -> list[classify.Rule]:
    """The full rule list to classify with: the user's rules, then the defaults."""
    return classify.with_user_rules(store.rules() or [])


def athletes_table(store: Store) -> pd.DataFrame:
    """The athletes this session may see, sorted by name."""
    return _athletes_cached(db_url(), store.version(), scope_key(store))


@st.cache_data(show_spinner=False, max_entries=16)
def _athletes_cached(url: str, version: int, scope: tuple[Any, ...]) -> pd.DataFrame:
    df = get_store().athletes()
    return df.sort_values("name", key=lambda s: s.str.casefold()).reset_index(drop=True)


@dataclass(frozen=True)
class View:
    """The analysis for a set of athletes, as of a reference day ("this week" ends there).

    ``key`` identifies the data behind it (database, data version, settings, athletes, day):
    anything derived from the view can be memoised under it (see :func:`memo`).
    """

    analysis: Analysis
    as_of: date
    stale: bool  # True when as_of is the latest session, not today
    settings: Settings
    key: tuple[Any, ...] = ()


class _LRU:
    """A small thread-safe least-recently-used map shared by all sessions of the process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_make(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        value = make()
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


@st.cache_resource(show_spinner=False)
def _derived() -> _LRU:
    return _LRU(96)


def memo(view: View, what: tuple[Any, ...], make: Callable[[], T]) -> T:
    """``make()`` memoised under the view's data key and ``what`` (e.g. a chart and its options).

    For derived tables and figures that are only read afterwards: a warm rerun after a widget
    change then only re-sends them instead of recomputing them.
    """
    return _derived().get_or_make((*view.key, *what), make)


# cache_resource, not cache_data: the result (tens of MB for a squad) is shared read-only
# instead of being unpickled on every rerun, which keeps warm reruns fast. Callers never
# mutate it (pandas copy-on-write turns any accidental write into a private copy).
@st.cache_resource(show_spinner=False, max_entries=24)
def _analysis_cached(url: str, version: Any, settings_json: str, athletes: tuple[str, ...],
                     end: date, rules_json: str = "") -> Analysis:
    settings = Settings.from_dict(json.loads(settings_json))
    return pipeline.analyse_store(get_store(), list(athletes) or None, settings=settings,
                                  end=pd.Timestamp(end),
                                  rule_records=json.loads(rules_json) if rules_json else None)


def analysis(store: Store, athletes: list[str] | None = None,
             end: date | None = None) -> View:
    """The cached pipeline result for ``athletes`` (None = everyone), up to ``end``.

    Without ``end`` the view ends today, or at the latest session when nothing was recorded in
    the last :data:`STALE_AFTER_DAYS` days (an archive still shows its last real week). One
    athlete is analysed with their effective settings and rules (:func:`athlete_basis`).
    """
    settings = current_settings(store)
    rules_json = ""
    if athletes is not None and len(athletes) == 1:
        settings, rules_json = athlete_basis(store, athletes[0], settings)
    settings_json = json.dumps(settings.to_dict(), sort_keys=True, default=str)
    if hasattr(store, "record_view"):
        if not athletes and scope_key(store) != ("all",):
            athletes = list(scope_key(store)[1:])  # "everyone" = everyone this actor sees
        if athletes:
            store.record_view(athletes, "analysis")  # refused for an athlete out of scope
    scope = ("named",) if athletes else scope_key(store)
    base = (db_url(), (*_data_key(store, athletes), scope), settings_json,
            tuple(athletes or ()))
    if rules_json:
        return _analysis_view(base, store, settings, rules_json, end)
    stale = False
    if end is None:
        today = date.today()
        archive = _archive_view(store, athletes, settings, lambda day: (*base, day))
        if archive is not None:
            return archive
        result = _analysis_cached(*base, today)
        latest = _latest_day(result)
        if latest is None or (today - latest).days <= STALE_AFTER_DAYS:
            return View(result, today, False, settings, (*base, today))
        end, stale = latest, True
    key = (*base, end)
    return View(_analysis_cached(*key), end, stale, settings, key)


def _archive_view(store: Store, athletes: list[str] | None, settings: Settings,
                  key_of: Callable[[date], tuple[Any, ...]]) -> View | None:
    """An archive (its latest stored session more than :data:`STALE_AFTER_DAYS` ago) analysed
    once, up to that session, under the cache key ``key_of(day)``; None when ``athletes`` are
    no archive (or the stored day disagrees with the analysis: then the caller's path runs)."""
    hint = _stored_latest(store, athletes)
    if hint is None or (date.today() - hint).days <= STALE_AFTER_DAYS:
        return None
    key = key_of(hint)
    result = _analysis_cached(*key)
    return View(result, hint, True, settings, key) if _latest_day(result) == hint else None


def _latest_day(result: Analysis) -> date | None:
    """The day of the latest session an analysis holds (None: no sessions)."""
    starts = result.sessions["start"]
    return pd.Timestamp(starts.max()).date() if len(starts) else None


def _stored_latest(store: Store, athletes: list[str] | None) -> date | None:
    """The day of the latest session of ``athletes`` (None = everyone) as the store keeps it
    (no session read): which day an analysis ends on is then known before it runs. None when
    unknown (no session, or a store without the kept value)."""
    getter = getattr(store, "last_session_starts", None)
    if getter is None:
        return None
    try:
        starts = [s for s in getter(athletes).values() if s is not None and not pd.isna(s)]
    except StridewiseError:
        return None
    return pd.Timestamp(max(starts)).date() if starts else None


def athlete_basis(store: Store, athlete: str, base: Settings) -> tuple[Settings, str]:
    """The settings ``athlete`` is analysed with today and their own classification rules as
    JSON ("" when they have none beyond the saved ones): squad template and plan override on top
    of the saved settings (:mod:`stridewise.plans`), as the derived tables use them."""
    from stridewise import plans

    week = plans.week_start_for(date.today(), base.week_start)
    plan = plans.effective_plan(store, athlete, week)
    rules = (json.dumps(plans.effective_rule_records(store.rules() or [], plan), sort_keys=True)
             if plan.body.get("rules") else "")
    return plans.effective_settings(base, plan), rules


def _analysis_view(base: tuple[Any, ...], store: Store, settings: Settings, rules_json: str,
                   end: date | None) -> View:
    """:func:`analysis` for an athlete with rules of their own."""
    day = end or date.today()
    if end is None:
        archive = _archive_view(store, list(base[3]) or None, settings,
                                lambda d: (*base, d, rules_json))
        if archive is not None:
            return archive
    key = (*base, day, rules_json)
    result = _analysis_cached(*key)
    latest = _latest_day(result)
    if end is None and latest is not None and (day - latest).days > STALE_AFTER_DAYS:
        key = (*base, latest, rules_json)
        return View(_analysis_cached(*key), latest, True, settings, key)
    return View(result, day, False, settings, key)


def _data_key(store: Store, athletes: list[str] | None) -> tuple[Any, ...]:
    """What the analysis of ``athletes`` depends on besides the settings: the data version of
    each of them (None = everyone: the store's version) and the classification rules."""
    rules = json.dumps(store.rules(), sort_keys=True, default=str)
    if not athletes:
        return (store.version(), rules)
    versions = store.athlete_versions()
    return (tuple(versions.get(a, -1) for a in athletes), rules)


@st.cache_resource(show_spinner=False, max_entries=4)
def _squad_cached(url: str, version: int, settings_json: str, today: date,
                  scope: tuple[Any, ...] = ("all",)) -> Any:
    return get_store().squad_snapshot(today)


def squad_view(store: Store) -> View:
    """Every athlete's roster figures, balance and recent sessions as of the squad's day, read
    from the store's derived tables (N rows). ``analysis.weekly`` is empty: read the weeks a
    chart draws with :func:`squad_weekly`; :func:`squad_daily` gives whole daily tables."""
    settings = current_settings(store)
    settings_json = json.dumps(settings.to_dict(), sort_keys=True, default=str)
    key = (db_url(), store.version(), settings_json, date.today(), scope_key(store))
    snap = _squad_cached(*key)
    if hasattr(store, "record_view"):
        store.record_view(sorted(set(snap.analysis.risk.get("athlete", []))), "squad")
    return View(snap.analysis, snap.as_of, snap.stale, settings, (*key, "squad"))


def squad_weekly(view: View, names: list[str], since: date | None) -> pd.DataFrame:
    """Stored weekly volume of ``names`` for the weeks after ``since`` (None = all weeks) up to
    the view's day."""
    return memo(view, ("weekly", tuple(names), since),
                lambda: get_store().weekly_volume(names, since, view.as_of))


def squad_weekly_totals(view: View, names: list[str], since: date,
                        everyone: bool) -> pd.DataFrame:
    """Weekly volume of ``names`` summed over them (``everyone``: the whole store, no name
    list sent) for the weeks after ``since`` up to the view's day."""
    return memo(view, ("weekly_totals", tuple(names), since, everyone),
                lambda: get_store().weekly_totals(None if everyone else names, since,
                                                  view.as_of))


def squad_daily(view: View, names: list[str]) -> pd.DataFrame:
    """Stored daily metrics of ``names`` up to the view's day (for reports; read when asked
    for)."""
    return get_store().daily_metrics(names, view.as_of)


def clear_caches(athletes: list[str] | None = None) -> None:
    """After a write: drop the cached athlete list. Cached analyses need no clearing: they are
    keyed on each athlete's own data version, so only the athletes a write touched are
    computed again (``athletes`` is accepted for callers that know whom they changed)."""
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


# --- linkable pages: ?athlete=NAME&week=YYYY-MM-DD&range=PRESET ----------------------------
# A coach can bookmark or send the link of an athlete's page and week. The URL is applied
# when it changes (a link opened, a bookmark); widgets changed on the page write it back.

QP_ATHLETE, QP_WEEK, QP_RANGE = "athlete", "week", "range"
_LINK_APPLIED = "sw_link_applied"
REVIEW_PAGE = "pages/9_Review.py"


@dataclass(frozen=True)
class Link:
    """What a page's URL asks for (None = not given or not valid); ``problem``: one sentence
    about a value that could not be used."""

    athlete: str | None = None
    week: date | None = None
    range: str | None = None
    problem: str = ""


def parse_link(params: Any, names: list[str], presets: list[str],
               week_start: str = "monday") -> Link:
    """The athlete, week (snapped to its first day) and range preset a URL's query parameters
    name; an unknown athlete, an unreadable week or an unknown range gives ``problem``."""
    from stridewise.ui.summary import week_start_of

    athlete = params.get(QP_ATHLETE) or None
    week_txt = params.get(QP_WEEK) or None
    rng = params.get(QP_RANGE) or None
    problems = []
    if athlete is not None and athlete not in names:
        problems.append(f"The link names an athlete who is not here ({athlete!r}).")
        athlete = None
    week = None
    if week_txt is not None:
        try:
            week = week_start_of(date.fromisoformat(str(week_txt)[:10]), week_start)
        except ValueError:
            problems.append(f"The link's week {week_txt!r} is not a date (YYYY-MM-DD).")
    if rng is not None and rng not in presets:
        problems.append(f"The link's range {rng!r} is not one of {', '.join(presets)}.")
        rng = None
    return Link(athlete, week, rng, " ".join(problems))


def read_link(names: list[str], presets: list[str], week_start: str = "monday") -> Link | None:
    """The URL's link when it differs from the one last applied or written in this session
    (None otherwise), remembered as applied."""
    qp = st.query_params
    raw = (qp.get(QP_ATHLETE), qp.get(QP_WEEK), qp.get(QP_RANGE))
    if raw == st.session_state.get(_LINK_APPLIED) or raw == (None, None, None):
        return None
    st.session_state[_LINK_APPLIED] = raw
    link = parse_link(qp, names, presets, week_start)
    if link.athlete is not None:
        set_athlete(link.athlete)
    return link


def write_link(athlete: str | None = None, week: date | None = None,
               range_: str | None = None) -> None:
    """Put the page's current athlete, week and range into the URL (bookmarkable)."""
    want = {QP_ATHLETE: athlete, QP_WEEK: week.isoformat() if week else None, QP_RANGE: range_}
    for k, v in want.items():
        if v is None:
            if k in st.query_params:
                del st.query_params[k]
        elif st.query_params.get(k) != v:
            st.query_params[k] = v
    st.session_state[_LINK_APPLIED] = (athlete, want[QP_WEEK], range_)


def link_params(athlete: str, week: date | None = None,
                range_: str | None = None) -> dict[str, str]:
    """Query parameters of an athlete's page (for st.page_link / st.switch_page)."""
    out = {QP_ATHLETE: athlete}
    if week is not None:
        out[QP_WEEK] = week.isoformat()
    if range_ is not None:
        out[QP_RANGE] = range_
    return out
