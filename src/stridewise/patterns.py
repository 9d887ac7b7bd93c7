"""Exercise-level balance: sets per movement pattern per week, the gaps in plain words and the
plyometric foot contacts per week, from every session's sets (FIT strength sets, Hevy / Strong /
Fitbod exports, sets logged by hand).

Each set's exercise name is looked up in the exercise library (:func:`stridewise.exercises.lookup`).
A session without sets whose sport is itself a library exercise (yoga, Pilates, stretching)
counts as one set of that exercise. Names nothing recognises stay *unknown* and are listed,
never guessed.

Foot-contact guidance: plyometric volume is counted in foot contacts per session; the NSCA
guidance for a beginner is 80-100 contacts per session, intermediate 100-120, advanced 120-140
(Potach D.H. & Chu D.A., "Program design and technique for plyometric training", in NSCA's
Essentials of Strength Training and Conditioning; after Chu D.A. 1998, Jumping into
Plyometrics). Start low and progress gradually (the seed text): the suggested next week adds at
most :data:`CONTACT_STEP` to the last full week, a cautious progression convention, not a
threshold from a study.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import pandas as pd

from stridewise import exercises
from stridewise.exercises import PATTERN_WORDS, PATTERNS
from stridewise.schema import parse_sets

#: Foot contacts per session, NSCA guidance (see the module docstring): level -> (low, high).
CONTACT_GUIDANCE: Final[dict[str, tuple[int, int]]] = {
    "beginner": (80, 100), "intermediate": (100, 120), "advanced": (120, 140)}
CONTACT_SOURCE: Final = ("NSCA guidance for plyometric volume per session (Potach & Chu, "
                         "NSCA's Essentials of Strength Training and Conditioning; Chu 1998)")
#: Largest suggested week-on-week increase of foot contacts (a share of the last full week).
CONTACT_STEP: Final[float] = 0.10
#: A pattern not trained for this many days is named as a gap.
GAP_DAYS: Final[int] = 14
#: Patterns whose gaps are named (core and hip are counted and shown, gaps not named: many
#: routines hold them without saying so).
GAP_PATTERNS: Final[tuple[str, ...]] = (
    "calf_achilles", "single_leg", "hinge", "squat", "hop_contacts", "balance", "mobility")

_SETS_COLS = ["athlete", "session_id", "start", "exercise", "how", "pattern", "contacts"]


def pattern_sets(sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per (set, pattern) of ``sessions``: athlete, session_id, start, exercise, how
    (library, category, words, no runner pattern, unknown), pattern ("" when none), contacts
    (foot contacts of the set on its hop_contacts row, else 0; NaN when a hop set has no reps).

    ``sessions`` needs athlete, session_id, start, sport, sets.
    """
    rows: list[tuple[object, ...]] = []
    if len(sessions) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _SETS_COLS})
    sport = sessions["sport"].astype(str) if "sport" in sessions else pd.Series(
        "", index=sessions.index)
    for ath, sid, start, sp, text in zip(sessions["athlete"], sessions["session_id"],
                                         sessions["start"], sport, sessions["sets"],
                                         strict=True):
        sets = parse_sets(text)
        if not sets:
            lk = exercises.lookup(sp.replace("_", " "))
            if lk.how == exercises.HOW_LIBRARY:  # a yoga class, a stretching session
                sets = [{"exercise": sp}]
            else:
                continue
        for s in sets:
            name = s.get("exercise") or ""
            cat = s.get("category") or ""
            lk = exercises.lookup(name if name else str(cat), cat)
            label = name or str(cat) or "(no name)"
            if not lk.patterns:
                rows.append((ath, sid, start, label, lk.how, "", 0.0))
                continue
            contacts = exercises.foot_contacts(label, s.get("reps"), cat)
            for p in lk.patterns:
                rows.append((ath, sid, start, label, lk.how, p,
                             contacts if p == "hop_contacts" else 0.0))
    out = pd.DataFrame(rows, columns=_SETS_COLS)
    out["start"] = pd.to_datetime(out["start"]).astype("datetime64[ns]")
    out["contacts"] = out["contacts"].astype(float)
    return out


def _first_weekday(week_start: str) -> int:
    """0 for weeks starting on Monday, 6 for Sunday (``Settings.week_start``)."""
    return 6 if week_start == "sunday" else 0


def _week(day: pd.Series, week_start: str) -> pd.Series:
    d = pd.to_datetime(day).dt.normalize()
    return d - pd.to_timedelta((d.dt.day_of_week - _first_weekday(week_start)) % 7, unit="D")


def weekly_patterns(psets: pd.DataFrame, *, week_start: str = "monday") -> pd.DataFrame:
    """Per athlete, week (first day) and pattern: ``sets``, ``sessions`` and ``contacts``
    (foot contacts; hop_contacts rows only). Only patterns that occur are listed."""
    cols = ["athlete", "week", "pattern", "sets", "sessions", "contacts"]
    df = psets.loc[psets["pattern"] != ""] if len(psets) else psets
    if len(df) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = df.assign(week=_week(df["start"], week_start))
    g = df.groupby(["athlete", "week", "pattern"], sort=True)
    out = pd.DataFrame({"sets": g.size(), "sessions": g["session_id"].nunique(),
                        "contacts": g["contacts"].sum(min_count=1).fillna(0.0)}).reset_index()
    return out[cols]


@dataclass(frozen=True)
class Gap:
    """A pattern not trained lately: days since its last set (None: never in the data)."""

    pattern: str
    days: int | None

    @property
    def sentence(self) -> str:
        what = PATTERN_WORDS[self.pattern]
        if self.days is None:
            return f"No {what} recorded yet."
        return f"No {what} for {self.days} days."


def gaps(psets: pd.DataFrame, athlete: str, as_of: date, *,
         min_days: int = GAP_DAYS) -> list[Gap]:
    """The patterns of :data:`GAP_PATTERNS` ``athlete`` has not trained for ``min_days`` days or
    more before ``as_of`` (never trained first, then the longest gap first)."""
    df = psets.loc[(psets["athlete"] == athlete) & (psets["pattern"] != "")] if len(psets) \
        else psets
    cut = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    last = {}
    if len(df):
        df = df.loc[df["start"] < cut]
        last = df.groupby("pattern")["start"].max().to_dict()
    out = []
    for p in GAP_PATTERNS:
        t = last.get(p)
        if t is None or pd.isna(t):
            out.append(Gap(p, None))
            continue
        days = (as_of - pd.Timestamp(t).date()).days
        if days >= min_days:
            out.append(Gap(p, days))
    return sorted(out, key=lambda g: (g.days is not None, -(g.days or 0)))


def unknown_names(psets: pd.DataFrame, athlete: str) -> pd.DataFrame:
    """Exercise names of ``athlete``'s sets that nothing recognises: exercise, sets."""
    df = psets.loc[(psets["athlete"] == athlete) & (psets["how"] == exercises.HOW_UNKNOWN)] \
        if len(psets) else psets
    if len(df) == 0:
        return pd.DataFrame({"exercise": pd.Series(dtype=str), "sets": pd.Series(dtype=int)})
    return (df.groupby("exercise").size().rename("sets").sort_values(ascending=False)
            .reset_index())


@dataclass(frozen=True)
class ContactPlan:
    """Foot contacts of the last full week and a suggestion for the next one."""

    last_week: float
    last_week_sessions: int
    next_week_max: float
    level: str

    @property
    def sentence(self) -> str:
        lo, hi = CONTACT_GUIDANCE[self.level]
        if self.last_week <= 0:
            return (f"No foot contacts last full week. Start low: one session of about {lo} "
                    f"contacts (the {self.level} range is {lo}–{hi} per session).")
        return (f"Last full week: {self.last_week:.0f} foot contacts in "
                f"{self.last_week_sessions} session{'s' if self.last_week_sessions != 1 else ''}"
                f". Next week: up to {self.next_week_max:.0f} (at most "
                f"+{CONTACT_STEP:.0%}), keeping each session within {lo}–{hi} contacts "
                f"({self.level} range).")


def contact_plan(weekly: pd.DataFrame, athlete: str, as_of: date, *,
                 week_start: str = "monday") -> ContactPlan:
    """The foot contacts of ``athlete``'s last full week before ``as_of`` and the suggested
    maximum for the next week (+:data:`CONTACT_STEP`; a first week starts at the low end of
    the beginner range). The level follows the largest weekly total of the last 8 weeks."""
    this_week = pd.Timestamp(week_of(as_of, week_start))
    last_week = this_week - pd.Timedelta(days=7)
    df = weekly.loc[(weekly["athlete"] == athlete) & (weekly["pattern"] == "hop_contacts")] \
        if len(weekly) else weekly
    row = df.loc[df["week"] == last_week] if len(df) else df
    c = float(row["contacts"].sum()) if len(row) else 0.0
    n = int(row["sessions"].sum()) if len(row) else 0
    recent = df.loc[(df["week"] >= last_week - pd.Timedelta(weeks=7)) & (df["week"] <= last_week)] \
        if len(df) else df
    per_session = (recent["contacts"] / recent["sessions"].clip(lower=1)).max() if len(recent) \
        else 0.0
    level = "beginner"
    if per_session >= CONTACT_GUIDANCE["advanced"][0]:
        level = "advanced"
    elif per_session >= CONTACT_GUIDANCE["intermediate"][0]:
        level = "intermediate"
    nxt = c * (1 + CONTACT_STEP) if c > 0 else float(CONTACT_GUIDANCE["beginner"][0])
    return ContactPlan(c, n, math.floor(nxt), level)


def pattern_grid(weekly: pd.DataFrame, athlete: str, end: date, *, weeks: int = 8,
                 week_start: str = "monday") -> pd.DataFrame:
    """Sets per pattern (rows, :data:`PATTERNS` order) and week (columns, the ``weeks`` weeks
    ending with the week of ``end``), zeros where nothing was done."""
    this_week = pd.Timestamp(week_of(end, week_start))
    cols = [this_week - pd.Timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    df = weekly.loc[weekly["athlete"] == athlete] if len(weekly) else weekly
    grid = pd.DataFrame(0, index=list(PATTERNS), columns=cols, dtype=float)
    for p, w, n in zip(df.get("pattern", []), df.get("week", []), df.get("sets", []),
                       strict=True):
        if w in grid.columns and p in grid.index:
            grid.loc[p, w] = float(n)
    return grid


def week_of(day: date, week_start: str = "monday") -> date:
    """The first day of the week holding ``day``."""
    return day - timedelta(days=(day.weekday() - _first_weekday(week_start)) % 7)

