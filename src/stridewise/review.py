"""The coach's Monday review: what changed since the last review, and whom to chase.

"Since your last review" lists, per athlete, the changes since the reviewer last marked one of
the athlete's weeks seen (:func:`since_last_review`), in the one triage order
(:func:`stridewise.assessment.triage_sort`). A change comes from a *change source*: a function
``(inputs, athlete, last_seen) -> list[Change]``. :data:`CHANGE_SOURCES` holds the sources
(new sessions, session edits, new flags, a risk level that rose, missed plan items, niggles and
wellness flags when their rows are given); a new kind of event is one more function there.

An athlete never marked seen counts from the first day of the week under review. A seen mark
keeps the risk level and flag keys shown at that moment, so only flags that appeared later
count as new.

The chase list (:func:`chase_list`) names athletes with no session recorded for N days,
sessions of the week under review without RPE, or no wellness check-in for N days.

Times: ``seen_at``/``arrived_at``/``edited_at`` are UTC (naive); session starts are the
athlete's wall clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Final

import pandas as pd

from stridewise.assessment import LEVEL_RANK, Assessment, triage_sort

__all__ = ["Change", "LastSeen", "ReviewInputs", "AthleteReview", "ReviewSettings",
           "CHANGE_SOURCES", "since_last_review", "last_seen", "review_week", "seen_in_week",
           "flag_keys", "chase_list", "CHASE_COLUMNS", "next_action", "earliest_cutoff",
           "PERSONAL_REVIEWER"]

#: The reviewer id of personal mode (one user, no accounts).
PERSONAL_REVIEWER: Final[str] = "me"


@dataclass(frozen=True)
class Change:
    """One thing that changed for an athlete: ``kind`` (session, edit, flag, level, missed,
    niggle, wellness, ...), when it happened (None when not known) and one plain sentence."""

    athlete: str
    kind: str
    when: pd.Timestamp | None
    text: str


@dataclass(frozen=True)
class LastSeen:
    """The reviewer's latest seen mark of an athlete: when, which week, what was shown."""

    seen_at: pd.Timestamp
    week: date
    level: str
    flag_keys: frozenset[str]


@dataclass(frozen=True)
class ReviewInputs:
    """Everything the change sources read (frames are never mutated).

    ``assessments``: the current assessment of each athlete. ``marks``: the reviewer's seen
    marks (``Store.review_marks``). ``recent_sessions``: the squad's recent sessions (derived
    snapshot: athlete, session_id, start, title, sport, distance_m, rpe). ``arrived`` and
    ``edits``: ``Store.review_activity`` since :func:`earliest_cutoff`. ``week_start``: the
    first day of the week under review. ``plan_status``: rows ``athlete, week, item, status``
    (status ``missed`` counts), e.g. from the plans' compliance. ``symptoms``: rows ``athlete,
    date, kind, text`` (niggles, wellness flags) when recorded.
    """

    assessments: Sequence[Assessment]
    marks: pd.DataFrame
    recent_sessions: pd.DataFrame
    arrived: pd.DataFrame
    edits: pd.DataFrame
    week_start: date
    units: str = "km"
    plan_status: pd.DataFrame | None = None
    symptoms: pd.DataFrame | None = None


@dataclass(frozen=True)
class AthleteReview:
    """One athlete's entry in "since your last review"."""

    assessment: Assessment
    changes: tuple[Change, ...]
    last_seen: LastSeen | None

    @property
    def athlete(self) -> str:
        return self.assessment.athlete

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


@dataclass(frozen=True)
class ReviewSettings:
    """Chase-list thresholds (settings key ``review``): days without a session, whether
    sessions without RPE count, days without a wellness check-in (0 = not chased)."""

    no_session_days: int = 7
    chase_missing_rpe: bool = True
    no_checkin_days: int = 7

    @classmethod
    def from_settings(cls, saved: Mapping[str, Any] | None) -> ReviewSettings:
        raw = dict((saved or {}).get("review") or {})
        base = cls()

        def days(key: str, default: int) -> int:
            try:
                v = int(raw.get(key, default))
            except (TypeError, ValueError):
                return default
            return min(max(v, 0), 365)

        return cls(no_session_days=days("no_session_days", base.no_session_days),
                   chase_missing_rpe=bool(raw.get("chase_missing_rpe", base.chase_missing_rpe)),
                   no_checkin_days=days("no_checkin_days", base.no_checkin_days))

    def to_dict(self) -> dict[str, Any]:
        return {"no_session_days": self.no_session_days,
                "chase_missing_rpe": self.chase_missing_rpe,
                "no_checkin_days": self.no_checkin_days}


# ------------------------------------------------------------------------------ helpers

def review_week(as_of: date, week_start: str = "monday") -> date:
    """The first day of the last full week before ``as_of`` (the week a Monday review looks at).
    ``week_start``: "monday" or "sunday" weeks."""
    offset = (as_of.weekday() + 1) % 7 if week_start == "sunday" else as_of.weekday()
    this_week = as_of - timedelta(days=offset)
    return this_week - timedelta(days=7)


def flag_keys(a: Assessment) -> list[str]:
    """The flags an assessment shows (its reason keys), as kept with a seen mark."""
    return [r.key for r in a.reasons]


def last_seen(marks: pd.DataFrame, athlete: str) -> LastSeen | None:
    """The reviewer's latest seen mark of ``athlete`` (None when never seen)."""
    if marks.empty:
        return None
    rows = marks.loc[marks["athlete"] == athlete]
    if rows.empty:
        return None
    r = rows.sort_values("seen_at").iloc[-1]
    keys = frozenset(k for k in str(r["flag_keys"] or "").split(";") if k)
    return LastSeen(pd.Timestamp(r["seen_at"]), pd.Timestamp(r["week"]).date(),
                    str(r["level"] or ""), keys)


def seen_in_week(marks: pd.DataFrame, athlete: str, week: date) -> bool:
    """True when the reviewer marked ``athlete``'s ``week`` seen."""
    if marks.empty:
        return False
    return bool(((marks["athlete"] == athlete)
                 & (marks["week"].astype(str) == week.isoformat())).any())


def earliest_cutoff(marks: pd.DataFrame, week_start: date) -> datetime:
    """The earliest moment any change source needs activity from (for
    ``Store.review_activity``): the oldest seen mark, or the week under review."""
    start = datetime.combine(week_start, datetime.min.time())
    if marks.empty:
        return start
    return min(start, pd.Timestamp(marks["seen_at"].min()).to_pydatetime())


def _cutoff(seen: LastSeen | None, week_start: date) -> pd.Timestamp:
    return seen.seen_at if seen is not None else pd.Timestamp(week_start)


def _km(distance_m: Any, units: str) -> str:
    try:
        d = float(distance_m)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(d) or d <= 0:
        return ""
    return f", {d / (1609.344 if units == 'mi' else 1000.0):.1f} {units}"


def _session_text(r: Mapping[str, Any], units: str) -> str:
    title = str(r.get("title") or r.get("sport") or "session").strip() or "session"
    start = pd.Timestamp(r["start"])
    return f"{start:%a %d %b}: {title}{_km(r.get('distance_m'), units)}"


# ------------------------------------------------------------------------------ sources

ChangeSource = Callable[[ReviewInputs, str, LastSeen | None], list[Change]]


def new_sessions(inputs: ReviewInputs, athlete: str, seen: LastSeen | None) -> list[Change]:
    """Sessions that arrived since the last review (never seen: recorded since the week under
    review began)."""
    if seen is None:
        s = inputs.recent_sessions
        if s.empty:
            return []
        rows = s.loc[(s["athlete"] == athlete)
                     & (pd.to_datetime(s["start"]) >= pd.Timestamp(inputs.week_start))]
        when_col = "start"
    else:
        s = inputs.arrived
        if s.empty:
            return []
        rows = s.loc[(s["athlete"] == athlete) & (s["arrived_at"] > seen.seen_at)]
        when_col = "arrived_at"
    if rows.empty:
        return []
    rows = rows.sort_values("start")
    return [Change(athlete, "session", pd.Timestamp(r[when_col]),
                   "New session " + _session_text(r, inputs.units))
            for r in _records(rows, ("start", "title", "sport", "distance_m", when_col))]


def session_edits(inputs: ReviewInputs, athlete: str, seen: LastSeen | None) -> list[Change]:
    """Sessions whose area or RPE was edited since the last review."""
    e = inputs.edits
    if e.empty:
        return []
    cut = _cutoff(seen, inputs.week_start)
    rows = e.loc[(e["athlete"] == athlete) & (e["edited_at"] > cut)].sort_values("edited_at")
    out = []
    for r in rows.to_dict(orient="records"):
        what = []
        if isinstance(r.get("area"), str) and r["area"]:
            what.append(f"area set to {r['area']}")
        rpe = r.get("rpe")
        if rpe is not None and not pd.isna(rpe):
            what.append(f"RPE set to {float(rpe):g}")
        out.append(Change(athlete, "edit", pd.Timestamp(r["edited_at"]),
                          "Edited " + _session_text(r, inputs.units)
                          + (f" ({', '.join(what)})" if what else "")))
    return out


def _assessment(inputs: ReviewInputs, athlete: str) -> Assessment | None:
    return next((a for a in inputs.assessments if a.athlete == athlete), None)


def new_flags(inputs: ReviewInputs, athlete: str, seen: LastSeen | None) -> list[Change]:
    """Reasons of the current assessment that were not shown at the last review."""
    a = _assessment(inputs, athlete)
    if a is None:
        return []
    known = seen.flag_keys if seen is not None else frozenset()
    return [Change(athlete, "flag", a.date, r.text[:1].upper() + r.text[1:])
            for r in a.reasons if r.key not in known]


def level_rose(inputs: ReviewInputs, athlete: str, seen: LastSeen | None) -> list[Change]:
    """The risk level is higher than at the last review."""
    a = _assessment(inputs, athlete)
    if a is None or seen is None or seen.level not in LEVEL_RANK:
        return []
    if a.level in ("moderate", "high") and seen.level != "not enough data" \
            and LEVEL_RANK[a.level] < LEVEL_RANK[seen.level]:
        return [Change(athlete, "level", a.date,
                       f"Risk level rose from {seen.level} to {a.level}")]
    return []


def missed_plan_items(inputs: ReviewInputs, athlete: str,
                      seen: LastSeen | None) -> list[Change]:
    """Planned items missed or only partly done in weeks the reviewer has not marked seen, up
    to the week under review."""
    p = inputs.plan_status
    if p is None or p.empty:
        return []
    weeks = pd.to_datetime(p["week"])
    lo = pd.Timestamp(seen.week) if seen is not None else pd.Timestamp(inputs.week_start)
    rows = p.loc[(p["athlete"] == athlete) & p["status"].isin(["missed", "partly"])
                 & (weeks <= pd.Timestamp(inputs.week_start))
                 & ((weeks > lo) if seen is not None else (weeks >= lo))]
    return [Change(athlete, "missed", pd.Timestamp(r["week"]),
                   f"{'Missed' if r['status'] == 'missed' else 'Partly done'} "
                   f"(week of {pd.Timestamp(r['week']):%d %b}): {r['item']}")
            for r in rows.to_dict(orient="records")]


def symptoms(inputs: ReviewInputs, athlete: str, seen: LastSeen | None) -> list[Change]:
    """Niggles and wellness flags recorded since the last review (rows: athlete, date, kind,
    text)."""
    s = inputs.symptoms
    if s is None or s.empty:
        return []
    cut = _cutoff(seen, inputs.week_start)
    rows = s.loc[(s["athlete"] == athlete) & (pd.to_datetime(s["date"]) > cut)]
    return [Change(athlete, str(r["kind"]), pd.Timestamp(r["date"]), str(r["text"]))
            for r in rows.sort_values("date").to_dict(orient="records")]


#: The change feed: every source is asked about every athlete (order = order shown).
CHANGE_SOURCES: Final[tuple[ChangeSource, ...]] = (
    level_rose, new_flags, symptoms, missed_plan_items, new_sessions, session_edits)


def since_last_review(inputs: ReviewInputs,
                      sources: Sequence[ChangeSource] = CHANGE_SOURCES) -> list[AthleteReview]:
    """The athletes with at least one change since the reviewer last marked them seen, in
    triage order, each with their changes."""
    # every frame split by athlete once: each source then reads one athlete's few rows
    recent = inputs.recent_sessions
    if len(recent):
        starts = pd.to_datetime(recent["start"])  # parsed once, not once per athlete
        keep = (starts >= pd.Timestamp(inputs.week_start)).to_numpy()
        recent = recent.loc[keep, [c for c in _SESSION_COLUMNS if c in recent.columns]].assign(
            start=starts[keep])
    frames = {"marks": inputs.marks, "recent_sessions": recent, "arrived": inputs.arrived,
              "edits": inputs.edits, "plan_status": inputs.plan_status,
              "symptoms": inputs.symptoms}
    split = {k: _by_athlete(v) for k, v in frames.items()}
    out = []
    for a in triage_sort(inputs.assessments):
        one = replace(inputs, assessments=(a,), **{
            k: split[k][0].get(a.athlete, split[k][1]) for k, v in frames.items()
            if v is not None})
        seen = last_seen(one.marks, a.athlete)
        changes = [c for src in sources for c in src(one, a.athlete, seen)]
        if changes:
            out.append(AthleteReview(a, tuple(changes), seen))
    return out


_SESSION_COLUMNS = ("athlete", "session_id", "start", "sport", "title", "distance_m", "rpe")


def _records(df: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """``df``'s rows as dicts of the named columns that it has (a cheaper
    ``to_dict(orient="records")`` for the few rows of one athlete)."""
    cols = list(dict.fromkeys(c for c in columns if c in df.columns))
    return [dict(zip(cols, vals, strict=True))
            for vals in zip(*(df[c].tolist() for c in cols), strict=True)]


def _by_athlete(df: pd.DataFrame | None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame | None]:
    """(athlete -> that athlete's rows, an empty frame of the same columns)."""
    if df is None:
        return {}, None
    if df.empty:
        return {}, df
    return ({str(k): g for k, g in df.groupby("athlete", sort=False)}, df.iloc[0:0])


# ------------------------------------------------------------------------------ chase list

CHASE_COLUMNS: Final[list[str]] = [
    "athlete", "last_session", "days_without_session", "sessions_without_rpe",
    "last_checkin", "chase"]


def chase_list(athletes: Sequence[str], *, as_of: date, week_start: date,
               last_start: Mapping[str, Any], recent_sessions: pd.DataFrame,
               last_checkin: Mapping[str, Any],
               settings: ReviewSettings = ReviewSettings()) -> pd.DataFrame:
    """Athletes to chase, one row each (:data:`CHASE_COLUMNS`), longest silence first.

    ``last_start``: athlete -> latest session start (None: none ever). ``recent_sessions``: the
    squad's recent sessions (athlete, start, rpe). ``last_checkin``: athlete -> latest wellness
    day. Sessions without RPE are counted in the week under review (``week_start`` + 7 days).
    """
    day = pd.Timestamp(as_of)
    wk_lo = pd.Timestamp(week_start)
    wk_hi = wk_lo + pd.Timedelta(days=7)
    missing: dict[str, int] = {}
    s = recent_sessions
    if settings.chase_missing_rpe and not s.empty:
        starts = pd.to_datetime(s["start"])
        inweek = s.loc[(starts >= wk_lo) & (starts < wk_hi)]
        no_rpe = inweek.loc[pd.to_numeric(inweek["rpe"], errors="coerce").isna()]
        missing = {str(k): int(v) for k, v in no_rpe["athlete"].value_counts().items()}
    recs = []
    for name in athletes:
        last = last_start.get(name)
        last_ts = None if last is None or pd.isna(last) else pd.Timestamp(last)
        gap = (day.normalize() - last_ts.normalize()).days if last_ts is not None else math.nan
        ck = last_checkin.get(name)
        ck_ts = None if ck is None or pd.isna(ck) else pd.Timestamp(ck)
        why = []
        if settings.no_session_days and (last_ts is None or gap >= settings.no_session_days):
            why.append("no session ever recorded" if last_ts is None
                       else f"no session for {gap} days")
        n_rpe = missing.get(name, 0)
        if n_rpe:
            why.append(f"{n_rpe} session{'s' if n_rpe != 1 else ''} without RPE")
        if settings.no_checkin_days:
            if ck_ts is None:
                why.append("no wellness check-in yet")
            elif (day.normalize() - ck_ts.normalize()).days >= settings.no_checkin_days:
                why.append(f"no wellness check-in for "
                           f"{(day.normalize() - ck_ts.normalize()).days} days")
        if why:
            recs.append({"athlete": name, "last_session": last_ts, "days_without_session": gap,
                         "sessions_without_rpe": n_rpe, "last_checkin": ck_ts,
                         "chase": "; ".join(why)})
    df = pd.DataFrame.from_records(recs, columns=CHASE_COLUMNS)
    if len(df):
        df = df.sort_values(["days_without_session", "sessions_without_rpe", "athlete"],
                            ascending=[False, False, True], na_position="first", kind="stable")
    return df.reset_index(drop=True)


# ------------------------------------------------------------------------------ actions

#: A suggested next action per reason key (the top reason decides); plain, not prescriptive.
_ACTIONS: Final[dict[str, str]] = {
    "niggle": "Talk to the athlete about the niggle before the next hard session; modify "
              "training, and suggest a clinician if pain persists.",
    "spike_pct": "Keep the next long run within {limit} and check how the legs feel.",
    "run_km_change_pct": "Hold this week's running distance at last week's level or lower.",
    "acwr": "Talk through the week's load: ease off after a sharp rise, build back gradually "
            "after a dip.",
    "monotony": "Vary the week: make easy days easier and keep a rest day.",
    "balance": "Put the missing area back into this week's plan (two short sessions).",
    "coverage": "Ask the athlete to upload every session so the numbers mean something.",
    "load": "Ask the athlete to log RPE after each session.",
}
_DEFAULT_ACTION: Final[str] = "Nothing urgent: a short check-in is enough."


def next_action(a: Assessment) -> str:
    """A suggested next action for the coach from the athlete's top reason."""
    if not a.reasons:
        return _DEFAULT_ACTION
    text = _ACTIONS.get(a.reasons[0].key, "Talk to the athlete about: " + a.reasons[0].text)
    limit = a.next_run_limit
    lim = f"{limit:.1f} {a.units}" if isinstance(limit, float) and math.isfinite(limit) \
        else "10 % over the longest run of the last 30 days"
    return text.replace("{limit}", lim)



# ------------------------------------------------------------------------------ from a store

def inputs_from_store(store: Any, assessments: Sequence[Assessment], recent_sessions: pd.DataFrame,
                      *, week_start: date, reviewer: str, units: str = "km",
                      plan_status: pd.DataFrame | None = None,
                      symptoms: pd.DataFrame | None = None) -> ReviewInputs:
    """The :class:`ReviewInputs` of ``assessments``' athletes read from a ``Store``: the
    reviewer's marks, and the sessions that arrived or were edited since the earliest cutoff."""
    names = [a.athlete for a in assessments]
    marks = store.review_marks(names, reviewer=reviewer)
    edits = store.review_activity(names, since=earliest_cutoff(marks, week_start),
                                  kinds=("edits",))["edits"]
    # arrivals count only for athletes seen before (the others count the week's sessions)
    seen = sorted(set(marks["athlete"])) if len(marks) else []
    arrived = store.review_activity(
        seen, since=pd.Timestamp(marks["seen_at"].min()).to_pydatetime(),
        kinds=("sessions",))["sessions"] if seen else pd.DataFrame(
        columns=["athlete", "session_id", "start", "sport", "title", "rpe", "distance_m",
                 "arrived_at"])
    return ReviewInputs(assessments, marks, recent_sessions, arrived, edits,
                        week_start, units, plan_status, symptoms)


def last_checkins(wellness: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Athlete -> the latest day with any wellness value (a check-in) from ``Store.wellness``."""
    if wellness.empty:
        return {}
    return {str(k): pd.Timestamp(v)
            for k, v in wellness.groupby("athlete")["date"].max().items()}


def plan_items(source: Any, athletes: Sequence[str], week: date, *,
               sessions: pd.DataFrame | None, weekly: pd.DataFrame | None) -> pd.DataFrame:
    """The plan items of ``week`` that were missed or only partly done, per athlete (rows
    ``athlete, week, item, status`` with status missed | partly; the
    :func:`missed_plan_items` source reads them), from the
    plans' own compliance (:func:`stridewise.plans.compliance`). ``source``: a Store or the
    plans' PlanData."""
    from stridewise import plans

    data = plans.plan_data(source, list(athletes)) if not isinstance(
        source, plans.PlanData) else source
    recs = []
    empty = pd.DataFrame(columns=["athlete", "session_id", "start", "sport"])
    for name in athletes:
        plan = plans.effective_plan(data, name, week)
        if plan.is_empty:
            continue
        mine = sessions.loc[sessions["athlete"] == name] if sessions is not None \
            and len(sessions) else empty
        rows = plans.compliance(plan, mine, week, weekly=weekly)
        for r in rows.loc[rows["status"].isin(["missed", "partly"])].to_dict(orient="records"):
            recs.append({"athlete": name, "week": pd.Timestamp(week), "item": str(r["label"]),
                         "status": str(r["status"])})
    return pd.DataFrame.from_records(recs, columns=["athlete", "week", "item", "status"])
