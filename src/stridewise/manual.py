"""Sessions the athlete logs by hand: the RPE scale, the session types, validation of an entry,
and the rule that joins a hand-logged session with the watch file of the same training.

A manual session is a canonical session (``schema.COLUMNS``) whose ``source`` is
:data:`MANUAL_SOURCE`; its sets are set records (exercise, category, reps, weight_kg, seconds,
side). The store keeps it as a source row like any import and merges it with a watch file that
arrives later (:func:`match_manual`): the watch gives the measured start, duration and heart
rate, the athlete's entry keeps its RPE, title, sets and notes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from stridewise.errors import UsageError
from stridewise.schema import AREAS, SPORTS, TEXT_MAX_CHARS
from stridewise.store_schema import sport_family

#: ``source`` of a session logged by hand.
MANUAL_SOURCE: Final = "manual"

#: Borg's CR-10 scale with the worded anchors of Foster's session-RPE version (Foster C. et al.
#: 2001, "A new approach to monitoring exercise training", J Strength Cond Res 15:109-115,
#: table 1; after Borg G. 1982, Med Sci Sports Exerc 14:377-381). Session RPE is asked about
#: 30 minutes after the session: "How was your workout?"
RPE_ANCHORS: Final[dict[int, str]] = {
    0: "Rest", 1: "Very, very easy", 2: "Easy", 3: "Moderate", 4: "Somewhat hard", 5: "Hard",
    6: "", 7: "Very hard", 8: "", 9: "", 10: "Maximal",
}


def rpe_label(value: float) -> str:
    """"5 · Hard" for a CR-10 value (the worded anchor of the nearest whole number; "6" for a
    value the scale leaves without words)."""
    v = int(round(float(value)))
    return f"{v} · {RPE_ANCHORS.get(v, '')}".rstrip(" ·")


@dataclass(frozen=True)
class SessionType:
    """A choice of the quick log: what the athlete did -> (sport, training area)."""

    label: str
    sport: str
    area: str


#: The quick log's session types, most used first (training areas of the seed text).
SESSION_TYPES: Final[tuple[SessionType, ...]] = (
    SessionType("Stability / core", "strength", "stability"),
    SessionType("Strength", "strength", "strength"),
    SessionType("Plyometrics / drills", "strength", "plyometrics"),
    SessionType("Mobility / stretching", "stretching", "flexibility"),
    SessionType("Yoga", "yoga", "flexibility"),
    SessionType("Pilates", "pilates", "flexibility"),
    SessionType("Run", "run", "endurance"),
    SessionType("Walk or hike", "walk", "endurance"),
    SessionType("Ride", "ride", "endurance"),
    SessionType("Swim", "swim", "endurance"),
    SessionType("Other", "other", "other"),
)


def session_type(label: str) -> SessionType:
    """The :data:`SESSION_TYPES` entry with ``label`` (UsageError when there is none)."""
    for t in SESSION_TYPES:
        if t.label == label:
            return t
    raise UsageError(f"'{label}' is not a session type (choose one of "
                     f"{', '.join(t.label for t in SESSION_TYPES)}).")


def type_for_area(area: str) -> SessionType:
    """The first session type of ``area`` (for logging a routine of that area)."""
    for t in SESSION_TYPES:
        if t.area == area:
            return t
    return SESSION_TYPES[-1]


#: Sports one watch or app may record for the same kind of training; a hand-logged session
#: merges only with a file of a compatible sport. Running, riding and swimming use their sport
#: family (``store_schema.sport_family``); gym work and mind-body work are two groups; any other
#: sport is compatible only with itself.
GYM_SPORTS: Final[frozenset[str]] = frozenset({"strength", "hiit", "cardio", "other"})
MIND_BODY_SPORTS: Final[frozenset[str]] = frozenset({"yoga", "pilates", "stretching",
                                                     "mobility"})


def sport_group(sport: str) -> str:
    """The compatibility group of a sport (see :data:`GYM_SPORTS`)."""
    fam = sport_family(sport)
    if fam != "other":
        return fam
    if sport in GYM_SPORTS:
        return "gym"
    if sport in MIND_BODY_SPORTS:
        return "mind_body"
    return f"sport:{sport}"


def compatible(sport_a: str, sport_b: str) -> bool:
    """Whether two sports may describe the same training (same compatibility group)."""
    return sport_group(sport_a) == sport_group(sport_b)


#: Durations of a hand-logged session and a watch file are similar when they differ by at most
#: this share of the longer one, or by at most :data:`MANUAL_DURATION_SLACK_S` (typed durations
#: are rounded: "15 min" for a file of 16:40).
MANUAL_DURATION_FRACTION: Final[float] = 0.25
MANUAL_DURATION_SLACK_S: Final[float] = 300.0


def similar_duration(a_s: float, b_s: float) -> bool:
    """Whether two durations (seconds) are similar in the sense of :data:`MANUAL_DURATION_FRACTION`."""
    if not (math.isfinite(a_s) and math.isfinite(b_s)):
        return False
    diff = abs(a_s - b_s)
    return diff <= max(MANUAL_DURATION_FRACTION * max(a_s, b_s), MANUAL_DURATION_SLACK_S)


def match_manual(new: pd.DataFrame, existing: pd.DataFrame) -> pd.Series:
    """For each row of ``new``, the ``session_id`` of the ``existing`` session it is the same
    training as, under the hand-logged rule, or NA.

    One side of each pair is a hand-logged session and the other is not (the caller passes
    candidates accordingly): same calendar day, compatible sports (:func:`compatible`) and
    similar durations (:func:`similar_duration`). ``new`` has start, sport, duration_s;
    ``existing`` has session_id, start, sport, duration_s. One-to-one: the pair with the
    closest durations first, then the closest starts.
    """
    result = pd.Series(pd.NA, index=new.index, dtype=object)
    if new.empty or existing.empty:
        return result
    ex = existing.reset_index(drop=True)
    e_day = pd.to_datetime(ex["start"]).dt.normalize()
    n_day = pd.to_datetime(new["start"]).dt.normalize()
    pairs = []
    for i, (nd, ns, nsp, ndur) in enumerate(zip(n_day, pd.to_datetime(new["start"]),
                                                 new["sport"], new["duration_s"], strict=True)):
        same = np.flatnonzero((e_day == nd).to_numpy())
        for j in same:
            if not compatible(str(nsp), str(ex["sport"].iat[j])):
                continue
            edur = float(ex["duration_s"].iat[j])
            if not similar_duration(float(ndur), edur):
                continue
            pairs.append((abs(float(ndur) - edur),
                          abs((pd.Timestamp(ex["start"].iat[j]) - ns).total_seconds()), i, j))
    used_n: set[int] = set()
    used_e: set[int] = set()
    for _, _, i, j in sorted(pairs):
        if i in used_n or j in used_e:
            continue
        used_n.add(i)
        used_e.add(j)
        result.iat[i] = ex["session_id"].iat[j]
    return result


# --------------------------------------------------------------------------- an entry

#: Limits of one entry (anything outside gets one sentence, never a silent change).
MAX_SETS: Final = 300
MAX_DURATION_S: Final = 24 * 3600.0
MAX_REPS: Final = 10_000
MAX_WEIGHT_KG: Final = 1000.0
MAX_SET_SECONDS: Final = 4 * 3600.0
SIDES: Final[tuple[str, ...]] = ("both", "left", "right")
#: Pounds per kilogram is 1 / this (international avoirdupois pound, exactly 0.45359237 kg).
KG_PER_LB: Final[float] = 0.45359237


def weight_to_kg(value: float | None, units: str) -> float | None:
    """A weight typed in the athlete's display units (``mi`` -> pounds, else kilograms) in kg."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value) * KG_PER_LB if units == "mi" else float(value)


def kg_to_display(kg: float | None, units: str) -> float | None:
    """Kilograms in the athlete's display weight unit (pounds for ``mi``)."""
    if kg is None or (isinstance(kg, float) and math.isnan(kg)):
        return None
    return float(kg) / KG_PER_LB if units == "mi" else float(kg)


def weight_unit(units: str) -> str:
    return "lb" if units == "mi" else "kg"


def now_local(tz: str | None) -> datetime:
    """The current wall-clock time in the zone ``tz`` (UTC when none or unknown), naive,
    to the minute."""
    try:
        zone = ZoneInfo(tz) if tz else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).replace(tzinfo=None, second=0, microsecond=0)


def _number(v: Any, what: str, lo: float, hi: float, row: int) -> float | None:
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"Set {row}: {what} must be a number, not {v!r}.") from exc
    if not (math.isfinite(x) and lo <= x <= hi):
        raise UsageError(f"Set {row}: {what} = {x:g} is outside {lo:g}–{hi:g}.")
    return x


def clean_sets(sets: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Validated set records: exercise text required (rows without one and without numbers
    are dropped as empty form rows; a row with numbers but no exercise is refused), reps,
    weight_kg and seconds within limits, side one of :data:`SIDES`."""
    out: list[dict[str, Any]] = []
    for k, s in enumerate(sets or [], start=1):
        name = str(s.get("exercise") or "").strip()[:200]
        reps = _number(s.get("reps"), "reps", 0, MAX_REPS, k)
        kg = _number(s.get("weight_kg"), "weight", 0, MAX_WEIGHT_KG, k)
        sec = _number(s.get("seconds"), "seconds", 0, MAX_SET_SECONDS, k)
        if not name:
            if reps is None and kg is None and sec is None:
                continue  # an empty row of the form
            raise UsageError(f"Set {k} has numbers but no exercise; name the exercise.")
        side = s.get("side") or "both"
        if side not in SIDES:
            raise UsageError(f"Set {k}: side must be left, right or both, not {side!r}.")
        out.append({"exercise": name, "category": s.get("category") or None,
                    "reps": None if reps is None else int(round(reps)), "weight_kg": kg,
                    "seconds": sec, "side": side})
    if len(out) > MAX_SETS:
        raise UsageError(f"A session holds at most {MAX_SETS} sets; this one has {len(out)}.")
    return out


def check_entry(*, start: datetime, sport: str, area: str | None, duration_s: float,
                rpe: float | None, title: str, notes: str) -> None:
    """Refuse an entry that cannot be a session, with one sentence."""
    if sport not in SPORTS:
        raise UsageError(f"'{sport}' is not a sport Stridewise knows.")
    if area not in (None, "") and area not in AREAS:
        raise UsageError(f"'{area}' is not a training area (choose one of {', '.join(AREAS)}).")
    try:
        d = float(duration_s)
    except (TypeError, ValueError) as exc:
        raise UsageError("Enter the duration in minutes.") from exc
    if not (math.isfinite(d) and 0 < d <= MAX_DURATION_S):
        raise UsageError("The duration must be more than 0 and at most 24 hours.")
    if rpe is not None and not (0.0 <= float(rpe) <= 10.0):
        raise UsageError(f"RPE must be between 0 and 10, not {float(rpe):g}.")
    if not isinstance(start, datetime) or not 1900 <= start.year <= 2200:
        raise UsageError("Enter the date and time the session started.")
    if len(title) > TEXT_MAX_CHARS or len(notes) > TEXT_MAX_CHARS:
        raise UsageError(f"Title and notes hold at most {TEXT_MAX_CHARS} characters.")


def without_rpe(sessions: pd.DataFrame, athlete: str, as_of: date, *,
                weeks: int = 4) -> pd.DataFrame:
    """``athlete``'s sessions of the ``weeks`` weeks up to ``as_of`` that have no RPE (neither
    recorded nor set by the athlete), newest first: session_id, start, title, sport, area,
    minutes (moving time)."""
    cols = ["session_id", "start", "title", "sport", "area", "minutes"]
    if len(sessions) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    lo = pd.Timestamp(as_of) - pd.Timedelta(weeks=weeks)
    hi = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    s = sessions.loc[(sessions["athlete"] == athlete) & (sessions["start"] >= lo)
                     & (sessions["start"] < hi)]
    rpe = pd.to_numeric(s["rpe"], errors="coerce")
    s = s.loc[rpe.isna()]
    out = pd.DataFrame({
        "session_id": s["session_id"].astype(str), "start": s["start"],
        "title": s["title"].astype(str), "sport": s["sport"].astype(str),
        "area": s["area"].astype(str) if "area" in s else "",
        "minutes": pd.to_numeric(s["moving_s"], errors="coerce") / 60.0})
    return out.sort_values("start", ascending=False).reset_index(drop=True)


def logged_by_hand(sessions: pd.DataFrame, athlete: str) -> pd.DataFrame:
    """``athlete``'s sessions holding an entry logged by hand, newest first (with a flag
    ``merged``: a recording was merged with it)."""
    s = sessions.loc[sessions["athlete"] == athlete]
    srcs = s["sources"].astype(str).str.split(", ")
    mine = srcs.map(lambda xs: MANUAL_SOURCE in xs)
    out = s.loc[mine].copy()
    out["merged"] = srcs.loc[mine].map(len) > 1
    return out.sort_values("start", ascending=False).reset_index(drop=True)
