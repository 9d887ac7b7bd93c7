"""What to do next: when a training area is behind its weekly target, a concrete session from the
exercise library, sized to the athlete's recent history, ready to log in one tap when done.

The area furthest behind its target (sessions per week over the balance window, see
:func:`stridewise.risk.balance`) is chosen among strength, plyometrics, stability and
flexibility (endurance is the running plan's business). The session is the athlete's own saved
routine of that area when there is one, else the starter routine (built from the seed text's
exercises); a calf gap turns a strength suggestion into the calf and Achilles routine. Sizing:
the routine is scaled to the median minutes of the athlete's sessions in that area over the last
8 weeks (between half and twice the routine; a first session is the routine as it stands);
plyometrics are sized by foot contacts (:func:`stridewise.patterns.contact_plan`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from stridewise import exercises
from stridewise.exercises import Routine, RoutineItem
from stridewise.patterns import CONTACT_GUIDANCE, ContactPlan, Gap

#: Areas a suggestion may be for (endurance is planned elsewhere).
SUGGEST_AREAS: tuple[str, ...] = ("strength", "plyometrics", "stability", "flexibility")
#: Weeks of history the sizing looks at.
HISTORY_WEEKS: int = 8


@dataclass(frozen=True)
class Suggestion:
    """A session to do next: the routine (already sized), why, and how it was sized."""

    area: str
    routine: Routine
    why: str
    sized: str

    @property
    def contacts(self) -> float:
        return exercises.contacts_of_sets(self.routine.set_records())


def describe(routine: Routine) -> str:
    """"single-leg squat 3×8 each side, stability-ball plank 3×30 s" for a routine."""
    parts = []
    for it in routine.items:
        dose = f"{it.reps}" if it.reps else (f"{it.seconds:g} s" if it.seconds else "")
        side = " each side" if it.side == "each" else ""
        parts.append(f"{it.exercise} {it.sets}×{dose}{side}" if dose else
                     f"{it.exercise} ×{it.sets}")
    return ", ".join(parts)


def scale(routine: Routine, factor: float) -> Routine:
    """``routine`` with every item's sets (and the minutes) multiplied by ``factor`` (at least
    one set each)."""
    items = tuple(replace(i, sets=max(1, int(round(i.sets * factor)))) for i in routine.items)
    total = sum(i.sets for i in routine.items) or 1
    real = sum(i.sets for i in items) / total
    return replace(routine, items=items, minutes=max(5.0, round(routine.minutes * real)))


def _behind(balance: pd.DataFrame) -> pd.DataFrame:
    b = balance.loc[balance["area"].isin(SUGGEST_AREAS)].copy()
    b = b.loc[(b["target_per_week"] > 0) & (b["sessions_per_week"] < b["target_per_week"])]
    b["_pct"] = b["sessions_per_week"] / b["target_per_week"]
    b["_days"] = b["days_since"].fillna(10_000)
    return b.sort_values(["_pct", "_days"], ascending=[True, False])


def _base_routine(area: str, saved: Sequence[Routine], gap_patterns: set[str]) -> Routine:
    own = [r for r in saved if r.area == area]
    if own:
        return own[0]
    starters = [r for r in exercises.starter_routines() if r.area == area]
    if area == "strength" and "calf_achilles" in gap_patterns:
        calf = [r for r in starters if any("calf_achilles" in exercises.get(i.exercise).patterns
                                           for i in r.items)]
        if calf:
            return calf[0]
    return starters[0]


def suggest(balance: pd.DataFrame, sessions: pd.DataFrame, athlete: str, as_of: date, *,
            saved: Sequence[Routine] = (), gaps: Sequence[Gap] = (),
            contacts: ContactPlan | None = None) -> Suggestion | None:
    """The session to suggest for ``athlete`` on ``as_of``, or None when no area of
    :data:`SUGGEST_AREAS` is behind its target.

    ``balance``: rows of :func:`stridewise.risk.balance` (area, sessions_per_week,
    target_per_week, days_since). ``sessions``: classified sessions with athlete, start, area
    and ``minutes`` (or moving_s). ``saved``: the athlete's routines.
    """
    bal = balance.loc[balance["athlete"] == athlete] if "athlete" in balance else balance
    behind = _behind(bal)
    if behind.empty:
        return None
    row = behind.iloc[0]
    area = str(row["area"])
    base = _base_routine(area, saved, {g.pattern for g in gaps})
    why = (f"{area.capitalize()} is behind its target: {row['sessions_per_week']:.1f} "
           f"sessions a week over the last 4 weeks, target {row['target_per_week']:g}.")
    if area == "plyometrics":
        return _size_plyo(area, base, why, contacts)
    s = sessions.loc[(sessions["athlete"] == athlete) & (sessions["area"] == area)]
    lo = pd.Timestamp(as_of) - pd.Timedelta(weeks=HISTORY_WEEKS)
    s = s.loc[(s["start"] >= lo) & (s["start"] < pd.Timestamp(as_of) + pd.Timedelta(days=1))]
    mins = (pd.to_numeric(s["minutes"], errors="coerce") if "minutes" in s
            else pd.to_numeric(s["moving_s"], errors="coerce") / 60.0).dropna()
    mins = mins.loc[mins > 0]
    if mins.empty:
        return Suggestion(area, base, why, f"A first {area} session: about {base.minutes:.0f} "
                                           "minutes, as the routine stands.")
    typical = float(mins.median())
    factor = min(2.0, max(0.5, typical / base.minutes))
    sized = scale(base, factor)
    return Suggestion(area, sized, why,
                      f"Sized like your recent {area} sessions (typically {typical:.0f} min "
                      f"over the last {HISTORY_WEEKS} weeks).")


def _size_plyo(area: str, base: Routine, why: str, plan: ContactPlan | None) -> Suggestion:
    per = exercises.contacts_of_sets(base.set_records()) or 1.0
    lo, hi = CONTACT_GUIDANCE[plan.level if plan else "beginner"]
    if plan is None or plan.last_week <= 0:
        goal = float(lo)
        how = f"Start low: about {lo} foot contacts (beginner range {lo}–{hi} per session)."
    else:
        goal = min(float(hi), max(20.0, plan.next_week_max / max(plan.last_week_sessions, 1)))
        how = (f"About {goal:.0f} foot contacts: last full week {plan.last_week:.0f} in "
               f"{plan.last_week_sessions} session(s), progressing by at most 10 % a week.")
    sized = scale(base, goal / per)
    got = exercises.contacts_of_sets(sized.set_records())
    if got > goal * 1.15 and not math.isclose(got, goal):
        sized = scale(base, goal / per * 0.85)
    return Suggestion(area, sized, why, how)


def routine_item_text(item: RoutineItem) -> str:
    """One item as text for a list."""
    return describe(Routine("", "other", 1.0, (item,)))
