"""Weekly plans per squad and athlete, planned vs done, and checks of a plan before its week.

A **plan** says what a week should hold: per training area a number of sessions and minutes,
key runs (the long run, quality sessions) on days of the week, optionally the week's running
distance, and the settings the athlete is analysed with (weekly area targets, risk thresholds,
classification rules). A squad (the athletes' group) has a **template**; an athlete may
**override** any item of it. :func:`effective_plan` merges the two and records where each item
comes from ("inherited from squad Road" or "set for Ana Silva").

Plans are stored as versions (:meth:`stridewise.store.Store.save_squad_plan`,
``save_athlete_plan``): a version holds from its week (``valid_from``) until a later version, so
last month's compliance is measured against last month's plan, and the versions are the change
history (who, when, what).

**Compliance** (:func:`compliance`): per area, the sessions and minutes done in the week are the
numbers of the weekly volume (:func:`stridewise.volume.weekly_volume`: a session counts once, in
its main area, its minutes split by part), so the plan view and the volume chart agree. Key runs
are matched to runs (``schema.RUN_SPORTS``) on the planned day ±1 by distance. Status: ``done``
when the plan is met within ±20 % (more counts as done, with a note), ``partly`` when something
but less was done, ``missed`` when nothing was, ``unplanned`` for an area trained without a plan,
and ``open`` for what is still to come in a week that is not over.

**Checks** (:func:`check_plan`): the planned runs are put after the athlete's real history and
run through the risk table (:func:`stridewise.risk.risk_table`), so a planned long run is judged
by exactly the single-run spike the assessment uses (Frandsen et al. 2025) and the planned week's
running distance by the weekly change (Nielsen et al. 2014; Damsted et al. 2019), with the
athlete's effective thresholds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from stridewise.errors import UsageError
from stridewise.schema import RUN_SPORTS, TRAINING_AREAS
from stridewise.settings import KM_PER_MILE, RiskSettings, Settings

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

__all__ = [
    "AreaPlan", "KeyRun", "Plan", "PlanData", "Finding", "KEY_KINDS", "WEEKDAYS", "STATUSES",
    "TOLERANCE", "COMPLIANCE_COLUMNS", "clean_body", "merge_bodies", "plan_data",
    "effective_plan", "effective_settings", "effective_rule_records", "compliance",
    "compliance_summary", "roster_compliance", "check_plan", "describe_change", "save_plan",
    "week_start_for", "override_of", "squad_template_of", "parse_rule_lines", "rule_lines",
    "week_share", "findings_frame", "settings_for", "athlete_body_at", "status_counts", "squad_body_at",
]

#: Kinds of key runs.
KEY_KINDS: Final[tuple[str, ...]] = ("long", "quality")
KEY_LABELS: Final[dict[str, str]] = {"long": "long run", "quality": "quality session"}
WEEKDAYS: Final[tuple[str, ...]] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                    "Saturday", "Sunday")
#: Statuses of a compliance row ("open": not due yet in a week that is not over).
STATUSES: Final[tuple[str, ...]] = ("done", "partly", "missed", "unplanned", "open")
#: Done within ±20 % of the plan counts as done.
TOLERANCE: Final[float] = 0.20
#: A key run may be run this many days before or after its planned day.
DAY_SLACK: Final[int] = 1
#: Sanity bounds of a plan's numbers.
MAX_SESSIONS: Final[float] = 21.0
MAX_MINUTES: Final[float] = 3000.0
MAX_KM: Final[float] = 1000.0
MAX_RUN_KM: Final[float] = 250.0

COMPLIANCE_COLUMNS: Final[list[str]] = [
    "athlete", "week_start", "kind", "area", "label", "day", "planned_sessions",
    "done_sessions", "planned_minutes", "done_minutes", "planned_km", "done_km", "share",
    "status", "session_ids", "source", "note",
]


# --------------------------------------------------------------------------------- plan model

@dataclass(frozen=True)
class AreaPlan:
    """Planned sessions and minutes per week of one area; ``source`` where it comes from
    ("squad <name>" or "athlete")."""

    area: str
    sessions: float
    minutes: float
    source: str = "athlete"


@dataclass(frozen=True)
class KeyRun:
    """A key run: kind (long | quality), weekday (0 = Monday), distance in km (None: any)."""

    kind: str
    weekday: int
    distance_km: float | None = None
    title: str = ""
    source: str = "athlete"

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {KEY_LABELS.get(self.kind, self.kind)}"


@dataclass(frozen=True)
class Plan:
    """The effective plan of one athlete for the week starting ``week_start``.

    ``run_km``: the week's planned running distance (km) or None. ``provenance``: item key
    ("area:strength", "key_runs", "run_km", "targets:strength", "risk:spike_small", "rules")
    -> "squad <name>" or "athlete". ``body``: the merged plan as stored (a dict).
    """

    athlete: str
    squad: str
    week_start: date
    areas: tuple[AreaPlan, ...] = ()
    key_runs: tuple[KeyRun, ...] = ()
    run_km: float | None = None
    body: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.athlete, self.week_start, repr(sorted(self.provenance.items())),
                     self.areas, self.key_runs, self.run_km))

    @property
    def is_empty(self) -> bool:
        """True when nothing is planned (no area, no key run, no running distance)."""
        return not any(a.sessions > 0 or a.minutes > 0 for a in self.areas) \
            and not self.key_runs and not self.run_km

    def area(self, name: str) -> AreaPlan | None:
        return next((a for a in self.areas if a.area == name), None)

    def source_text(self, key: str) -> str:
        """Plain words for where an item comes from."""
        src = self.provenance.get(key, "")
        if src.startswith("squad "):
            return f"inherited from squad {src[6:]}"
        if src == "athlete":
            return f"set for {self.athlete}"
        return "not planned"


@dataclass(frozen=True)
class Finding:
    """One check of a plan: ``level`` info | caution | warning, ``key`` the metric it is about
    (spike_pct, run_km_change_pct, targets, ...), ``day`` the day concerned (or None), ``text``
    one plain sentence."""

    key: str
    level: str
    text: str
    day: date | None = None


# --------------------------------------------------------------------------------- bodies

def _num(value: Any, what: str, lo: float, hi: float) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{what} must be a number, not {value!r}.") from None
    if not math.isfinite(out) or out < lo or out > hi:
        raise UsageError(f"{what} must be between {lo:g} and {hi:g}, not {value!r}.")
    return out


def _weekday(value: Any) -> int:
    if isinstance(value, str) and not value.strip().isdigit():
        key = value.strip().lower()
        for i, name in enumerate(WEEKDAYS):
            if name.lower().startswith(key[:3]) and len(key) >= 3:
                return i
        raise UsageError(f"{value!r} is not a day of the week.")
    return int(_num(value, "A key run's weekday (0 = Monday)", 0, 6))


def clean_body(body: Mapping[str, Any] | None) -> dict[str, Any]:
    """A plan body checked and normalised; raises :class:`UsageError` with one sentence.

    Keys (all optional): ``areas`` {area: {sessions, minutes}}, ``key_runs`` [{kind, weekday,
    distance_km, title}], ``run_km`` (weekly running km), ``targets`` {area: sessions per
    week}, ``risk`` {threshold: value} (fields of :class:`RiskSettings`), ``rules`` (rule
    records as :func:`stridewise.classify.rules_from_records` reads them).
    """
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        raise UsageError("A plan must be a mapping of its items.")
    known = {"areas", "key_runs", "run_km", "targets", "risk", "rules"}
    unknown = sorted(set(body) - known)
    if unknown:
        raise UsageError(f"'{unknown[0]}' is not part of a plan (known: {', '.join(sorted(known))}).")
    out: dict[str, Any] = {}
    if body.get("areas") is not None:
        areas: dict[str, dict[str, float]] = {}
        for area, v in dict(body["areas"]).items():
            if area not in TRAINING_AREAS:
                raise UsageError(f"'{area}' is not a training area (one of "
                                 f"{', '.join(TRAINING_AREAS)}).")
            v = dict(v or {})
            areas[area] = {
                "sessions": _num(v.get("sessions", 0) or 0, f"Planned {area} sessions", 0,
                                 MAX_SESSIONS),
                "minutes": _num(v.get("minutes", 0) or 0, f"Planned {area} minutes", 0,
                                MAX_MINUTES)}
        out["areas"] = areas
    if body.get("key_runs") is not None:
        runs = []
        for i, r in enumerate(list(body["key_runs"]), start=1):
            r = dict(r or {})
            kind = str(r.get("kind", "")).strip().lower()
            if kind not in KEY_KINDS:
                raise UsageError(f"Key run {i}: the kind must be long or quality, not {kind!r}.")
            dist = r.get("distance_km")
            if dist is not None and not (isinstance(dist, float) and math.isnan(dist)):
                dist = _num(dist, f"Key run {i}'s distance (km)", 0.1, MAX_RUN_KM)
            else:
                dist = None
            runs.append({"kind": kind, "weekday": _weekday(r.get("weekday", 0)),
                         "distance_km": dist, "title": str(r.get("title", "") or "")[:80]})
        out["key_runs"] = sorted(runs, key=lambda x: (x["weekday"], x["kind"]))
    if body.get("run_km") is not None:
        out["run_km"] = _num(body["run_km"], "The week's running distance (km)", 0, MAX_KM)
    if body.get("targets") is not None:
        targets = {}
        for area, v in dict(body["targets"]).items():
            if area not in TRAINING_AREAS:
                raise UsageError(f"'{area}' is not a training area (one of "
                                 f"{', '.join(TRAINING_AREAS)}).")
            targets[area] = _num(v, f"The weekly target for {area}", 0, MAX_SESSIONS)
        out["targets"] = targets
    if body.get("risk") is not None:
        names = {f.name for f in fields(RiskSettings)}
        risk = dict(body["risk"])
        bad = sorted(set(risk) - names)
        if bad:
            raise UsageError(f"'{bad[0]}' is not a risk threshold.")
        Settings.from_dict({"risk": risk})  # raises on wrong kinds or contradictions
        out["risk"] = {k: risk[k] for k in sorted(risk)}
    if body.get("rules") is not None:
        from stridewise.classify import rules_from_records, rules_to_records

        out["rules"] = rules_to_records(rules_from_records(list(body["rules"])))
    return out


def merge_bodies(squad: str, squad_body: Mapping[str, Any] | None,
                 athlete_body: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The effective body and its provenance: the athlete's items override the squad's per
    area (areas, targets), per threshold (risk), as a whole (key runs, running km); the
    athlete's rules come before the squad's."""
    sb, ab = dict(squad_body or {}), dict(athlete_body or {})
    body: dict[str, Any] = {}
    prov: dict[str, str] = {}
    sq = f"squad {squad}"
    for key in ("areas", "targets", "risk"):
        merged: dict[str, Any] = {}
        for src, b in ((sq, sb), ("athlete", ab)):
            for item, v in dict(b.get(key) or {}).items():
                merged[item] = v
                prov[f"{key[:-1] if key == 'areas' else key}:{item}"] = src
        if merged:
            body[key] = merged
    for key in ("key_runs", "run_km"):
        if ab.get(key) is not None:
            body[key], prov[key] = ab[key], "athlete"
        elif sb.get(key) is not None:
            body[key], prov[key] = sb[key], sq
    rules = list(ab.get("rules") or []) + list(sb.get("rules") or [])
    if rules:
        body["rules"] = rules
        prov["rules"] = "athlete" if ab.get("rules") else sq
    return body, prov


def describe_change(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> str:
    """What changed between two bodies of one scope, in plain words ("strength 2 -> 3
    sessions; key runs changed")."""
    old = dict(old or {})
    bits: list[str] = []
    oa, na = dict(old.get("areas") or {}), dict(new.get("areas") or {})
    for area in TRAINING_AREAS:
        o, n = oa.get(area), na.get(area)
        if o == n:
            continue
        if n is None:
            bits.append(f"{area}: back to the squad")
            continue
        o = o or {"sessions": 0.0, "minutes": 0.0}
        bits.append(f"{area} {o['sessions']:g} → {n['sessions']:g} sessions, "
                    f"{o['minutes']:g} → {n['minutes']:g} min")
    if old.get("key_runs") != new.get("key_runs"):
        runs = new.get("key_runs")
        bits.append("key runs: " + (", ".join(
            f"{WEEKDAYS[r['weekday']][:3]} {r['kind']}"
            + (f" {r['distance_km']:g} km" if r.get("distance_km") else "") for r in runs)
            if runs else "none") if runs is not None else "key runs: back to the squad")
    if old.get("run_km") != new.get("run_km"):
        bits.append(f"weekly running {old.get('run_km') or '–'} → {new.get('run_km') or '–'} km")
    for key, word in (("targets", "targets"), ("risk", "risk thresholds"),
                      ("rules", "classification rules")):
        if old.get(key) != new.get(key):
            bits.append(f"{word} changed")
    return "; ".join(bits) or "no change"


def _areas_nonzero(body: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    return {a: dict(v) for a, v in dict(body.get("areas") or {}).items()
            if float(v.get("sessions", 0) or 0) > 0 or float(v.get("minutes", 0) or 0) > 0}


def override_of(squad_body: Mapping[str, Any] | None, wanted: Mapping[str, Any],
                base: Settings | None = None) -> dict[str, Any]:
    """The athlete override that turns the squad template ``squad_body`` into the plan
    ``wanted`` (both as :func:`clean_body` reads them): only the items that differ (an area
    planned by the squad and not wanted is overridden with zeros). Targets and risk thresholds
    are compared with the squad's, else with ``base`` (the saved settings). ``wanted``'s
    ``rules`` are the athlete's own rules."""
    sb, w = clean_body(squad_body), clean_body(wanted)
    out: dict[str, Any] = {}
    s_areas, w_areas = _areas_nonzero(sb), _areas_nonzero(w)
    areas = {a: v for a, v in w_areas.items() if s_areas.get(a) != v}
    areas.update({a: {"sessions": 0.0, "minutes": 0.0} for a in s_areas if a not in w_areas})
    if areas:
        out["areas"] = areas
    if (w.get("key_runs") or []) != (sb.get("key_runs") or []):
        out["key_runs"] = w.get("key_runs") or []
    if (w.get("run_km") or 0.0) != (sb.get("run_km") or 0.0):
        out["run_km"] = w.get("run_km") or 0.0
    b = (base or Settings()).to_dict()
    for key in ("targets", "risk"):
        ref = {**b[key], **dict(sb.get(key) or {})}
        diff = {k: v for k, v in dict(w.get(key) or {}).items() if ref.get(k) != v}
        if diff:
            out[key] = diff
    if w.get("rules"):
        out["rules"] = w["rules"]
    return out


def squad_template_of(wanted: Mapping[str, Any], base: Settings | None = None) -> dict[str, Any]:
    """A squad template from the plan ``wanted``: areas with something planned, key runs,
    running km, and the targets and thresholds that differ from ``base`` (the saved settings)."""
    w = clean_body(wanted)
    out: dict[str, Any] = {}
    if _areas_nonzero(w):
        out["areas"] = _areas_nonzero(w)
    if w.get("key_runs"):
        out["key_runs"] = w["key_runs"]
    if w.get("run_km"):
        out["run_km"] = w["run_km"]
    b = (base or Settings()).to_dict()
    for key in ("targets", "risk"):
        diff = {k: v for k, v in dict(w.get(key) or {}).items() if b[key].get(k) != v}
        if diff:
            out[key] = diff
    if w.get("rules"):
        out["rules"] = w["rules"]
    return out


def parse_rule_lines(text: str) -> list[dict[str, str]]:
    """Classification rules written one per line as ``title words -> area`` (``sport: name ->
    area`` for a sport rule); blank lines ignored. Raises :class:`UsageError` naming the line."""
    out = []
    for i, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        if "->" not in line:
            raise UsageError(f"Rule line {i} needs the form 'words -> area'.")
        left, area = (x.strip() for x in line.rsplit("->", 1))
        kind = "title"
        if left.lower().startswith("sport:"):
            kind, left = "sport", left[6:].strip()
        out.append({"kind": kind, "pattern": left, "area": area.lower()})
    from stridewise.classify import rules_from_records

    rules_from_records(out)
    return out


def rule_lines(records: Sequence[Mapping[str, Any]] | None) -> str:
    """The text form of :func:`parse_rule_lines`."""
    return "\n".join((f"sport: {r['pattern']}" if r.get("kind") == "sport" else str(r["pattern"]))
                     + f" -> {r['area']}" for r in records or [])


# --------------------------------------------------------------------------------- sources

@dataclass(frozen=True)
class PlanData:
    """What effective plans are made of: every plan version (``Store.plan_versions``) and the
    athletes' groups (athlete -> squad name, "" for none)."""

    versions: pd.DataFrame
    groups: Mapping[str, str]
    #: (scope, name) -> [(valid_from, plan_id, body)] in the order they take effect
    index: dict[tuple[str, str], list[tuple[pd.Timestamp, int, Any]]] = field(
        default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        v = self.versions
        if v is None or v.empty:
            return
        idx: dict[tuple[str, str], list[tuple[pd.Timestamp, int, Any]]] = {}
        for scope, name, valid, pid, body in zip(
                v["scope"], v["name"], pd.to_datetime(v["valid_from"]), v["plan_id"],
                v["body"], strict=True):
            idx.setdefault((str(scope), str(name)), []).append((valid, int(pid), body))
        for rows in idx.values():
            rows.sort(key=lambda r: (r[0], r[1]))
        self.index.update(idx)


def plan_data(store: Store, athletes: Sequence[str] | None = None) -> PlanData:
    """The plan versions of ``athletes`` (None = all) and of their squads, read once."""
    roster = store.athletes()
    groups = {str(n): str(g or "") for n, g in zip(roster["name"], roster["group"], strict=False)}
    if athletes is None:
        return PlanData(store.plan_versions(), groups)
    names = [str(a) for a in athletes]
    squads = sorted({groups.get(n, "") for n in names} - {""})
    return PlanData(store.plan_versions(names, squads), groups)


def _source(source: Store | PlanData, athletes: Sequence[str] | None = None) -> PlanData:
    return source if isinstance(source, PlanData) else plan_data(source, athletes)


def week_start_for(day: date, week_start: str = "monday") -> date:
    """The first day of the training week holding ``day`` ("monday" or "sunday" weeks)."""
    if week_start == "sunday":
        return day - timedelta(days=(day.weekday() + 1) % 7)
    return day - timedelta(days=day.weekday())


def _version_body(versions: pd.DataFrame | PlanData, scope: str, name: str,
                  week: date) -> dict[str, Any] | None:
    """The body of the version of (scope, name) in force in the week starting ``week``."""
    data = versions if isinstance(versions, PlanData) else PlanData(versions, {})
    if not name:
        return None
    found = None
    day = pd.Timestamp(week)
    for valid_from, _pid, body in data.index.get((scope, name), ()):
        if valid_from > day:
            break
        found = body
    return None if found is None else dict(found or {})


def squad_body_at(source: Store | PlanData, squad: str, week_start: date) -> dict[str, Any]:
    """The squad template in force in the week starting ``week_start`` ({} when none)."""
    data = source if isinstance(source, PlanData) else PlanData(
        source.plan_versions(squads=[squad]), {})
    return _version_body(data, "squad", squad, pd.Timestamp(week_start).date()) or {}


def athlete_body_at(source: Store | PlanData, athlete: str, week_start: date) -> dict[str, Any]:
    """The athlete's own override in force in the week starting ``week_start`` ({} when none)."""
    data = source if isinstance(source, PlanData) else PlanData(
        source.plan_versions(athletes=[athlete]), {})
    return _version_body(data, "athlete", athlete,
                         pd.Timestamp(week_start).date()) or {}


def effective_plan(source: Store | PlanData, athlete: str, week_start: date) -> Plan:
    """The plan of ``athlete`` for the week starting ``week_start``: the squad's template
    version valid that week, overridden item by item by the athlete's version valid that week
    (an empty plan when neither exists)."""
    data = _source(source, [athlete])
    week = pd.Timestamp(week_start).date()
    squad = data.groups.get(athlete, "")
    sb = _version_body(data, "squad", squad, week)
    ab = _version_body(data, "athlete", athlete, week)
    body, prov = merge_bodies(squad, sb, ab)
    areas = tuple(AreaPlan(a, float(v.get("sessions", 0) or 0), float(v.get("minutes", 0) or 0),
                           prov.get(f"area:{a}", "athlete"))
                  for a, v in sorted(dict(body.get("areas") or {}).items(),
                                     key=lambda kv: TRAINING_AREAS.index(kv[0])))
    runs = tuple(KeyRun(str(r["kind"]), int(r["weekday"]),
                        None if r.get("distance_km") is None else float(r["distance_km"]),
                        str(r.get("title") or ""), prov.get("key_runs", "athlete"))
                 for r in body.get("key_runs") or [])
    run_km = body.get("run_km")
    return Plan(athlete, squad, week, areas, runs,
                None if run_km is None else float(run_km), body, prov)


def effective_settings(base: Settings, plan: Plan | None) -> Settings:
    """``base`` (the saved settings) with the plan's targets and risk thresholds on top: the
    settings an athlete is analysed with (one set of numbers on every page)."""
    if plan is None or not (plan.body.get("targets") or plan.body.get("risk")):
        return base
    d = base.to_dict()
    d["targets"] = {**d["targets"], **dict(plan.body.get("targets") or {})}
    d["risk"] = {**d["risk"], **dict(plan.body.get("risk") or {})}
    return Settings.from_dict(d)


def settings_for(store: Store, athlete: str, day: date | None = None,
                 base: Settings | None = None) -> Settings:
    """The settings ``athlete`` is analysed with on ``day`` (default today): the saved settings
    with the targets and thresholds of their squad template and own override on top."""
    base = base or Settings.from_dict(store.settings() or {})
    week = week_start_for(day or date.today(), base.week_start)
    return effective_settings(base, effective_plan(store, athlete, week))


def effective_rule_records(base: Sequence[Mapping[str, Any]] | None,
                           plan: Plan | None) -> list[dict[str, Any]]:
    """The user's classification rules with the plan's (athlete's, then squad's) before them."""
    own = [dict(r) for r in (plan.body.get("rules") or [])] if plan is not None else []
    return own + [dict(r) for r in (base or [])]


def save_plan(store: Store, scope: str, name: str, body: Mapping[str, Any] | None, *,
              valid_from: date, changed_by: str = "", is_demo: bool = False) -> int:
    """Check ``body`` and store it as the new version of the squad template (scope "squad") or
    the athlete override (scope "athlete") ``name`` from the week ``valid_from``; the change
    summary is worked out against the version in force that week. Returns the version id."""
    clean = clean_body(body)
    if scope not in ("squad", "athlete"):
        raise UsageError(f"A plan belongs to a squad or an athlete, not to {scope!r}.")
    if scope == "squad":
        old = _version_body(store.plan_versions(squads=[name]), "squad", name, valid_from)
        return store.save_squad_plan(name, clean, valid_from=valid_from, changed_by=changed_by,
                                     summary=describe_change(old, clean), is_demo=is_demo)
    old = _version_body(store.plan_versions(athletes=[name]), "athlete", name, valid_from)
    return store.save_athlete_plan(name, clean, valid_from=valid_from, changed_by=changed_by,
                                   summary=describe_change(old, clean), is_demo=is_demo)


# --------------------------------------------------------------------------------- compliance

#: Session columns the key-run matching reads.
_KEY_RUN_COLUMNS: Final[tuple[str, ...]] = (
    "athlete", "session_id", "start", "sport", "title", "area", "distance_m", "duration_s",
    "moving_s", "run_km", "rpe_used", "load")


def _status(share: float, due: bool, any_done: bool | None = None) -> str:
    """done within the tolerance; else open before the item is due; else partly when
    something was done (``any_done``, default: share above 0), missed when nothing was."""
    if share >= 1.0 - TOLERANCE - 1e-9:
        return "done"
    if not due:
        return "open"
    return "partly" if (share > 0 if any_done is None else any_done) else "missed"


def _local_starts(sessions: pd.DataFrame, tz: str | None) -> pd.Series:
    """Session starts as naive local wall-clock times (aware starts converted to ``tz``)."""
    s = sessions["start"]
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert(tz or "UTC").dt.tz_localize(None)
    return pd.to_datetime(s)


def _week_volume(sessions: pd.DataFrame, parts: pd.DataFrame | None, week: pd.Timestamp,
                 week_start: str) -> pd.DataFrame:
    from stridewise import volume

    if len(sessions) == 0:
        return pd.DataFrame(columns=["area", "sessions", "minutes", "distance_km"])
    wk = volume.weekly_volume(sessions, parts, week_start=week_start)  # type: ignore[arg-type]
    return wk.loc[pd.to_datetime(wk["week"]) == week]


def _prepared(sessions: pd.DataFrame) -> pd.DataFrame:
    if "area" in sessions.columns and "load" in sessions.columns and (
            sessions["area"].astype(str) != "").all():
        return sessions
    from stridewise import classify, load

    return load.add_load(classify.classify(sessions))


def compliance(plan: Plan, sessions: pd.DataFrame, week_start: date | None = None, *,
               parts: pd.DataFrame | None = None, as_of: date | None = None,
               tz: str | None = None, weekly: pd.DataFrame | None = None,
               units: str = "km") -> pd.DataFrame:
    """Planned vs done of one athlete's week (columns :data:`COMPLIANCE_COLUMNS`).

    ``sessions``: that athlete's sessions (canonical or classified; other athletes' rows are
    ignored; naive starts are local wall-clock times, aware ones are converted to ``tz``).
    ``parts``: their session parts (default: worked out). ``weekly``: the stored weekly volume,
    used for the area rows instead of recounting when given. ``as_of``: the day the week is
    seen from (default: after the week) — items not yet due are ``open``. One row per planned
    area, per area trained without a plan (``unplanned``) and per key run; ``share`` is done /
    planned (minutes when planned, else sessions; key runs: distance, or 1 when run).
    """
    week = pd.Timestamp(week_start or plan.week_start).normalize()
    week_end = week + pd.Timedelta(days=7)
    seen = (pd.Timestamp(as_of).normalize() if as_of is not None
            else week_end + pd.Timedelta(days=DAY_SLACK))
    ws = "sunday" if week.day_of_week == 6 else "monday"
    s = sessions
    if weekly is not None and len(s):  # area figures come from ``weekly``: key-run columns only
        s = s[[c for c in _KEY_RUN_COLUMNS if c in s.columns]]
    if "athlete" in s.columns and len(s):
        s = s.loc[s["athlete"].astype(str) == plan.athlete]
    if len(s):
        s = s.assign(start=_local_starts(s, tz))
        s = s.loc[(s["start"] >= week - pd.Timedelta(days=DAY_SLACK))
                  & (s["start"] < week_end + pd.Timedelta(days=DAY_SLACK))
                  & (s["start"] < seen + pd.Timedelta(days=1))]
    s = _prepared(s) if len(s) else s
    in_week = s.loc[(s["start"] >= week) & (s["start"] < week_end)] if len(s) else s
    if weekly is not None:
        vol = weekly.loc[(weekly["athlete"].astype(str) == plan.athlete)
                         & (pd.to_datetime(weekly["week"]) == week)]
    else:
        p = None
        if parts is not None and len(in_week):
            p = parts.loc[parts["session_id"].isin(in_week["session_id"])]
        vol = _week_volume(in_week, p, week, ws)
    done = {str(r["area"]): r for r in vol.to_dict(orient="records")}
    week_over = seen >= week_end
    recs: list[dict[str, Any]] = []
    per_unit = 1.0 / KM_PER_MILE if units == "mi" else 1.0

    def row(**kw: Any) -> None:
        base = {c: None for c in COMPLIANCE_COLUMNS}
        base.update(athlete=plan.athlete, week_start=week.date(), session_ids="", note="")
        base.update(kw)
        recs.append(base)

    for area in TRAINING_AREAS:
        ap = plan.area(area)
        d = done.get(area, {})
        ds, dm = float(d.get("sessions", 0) or 0), float(d.get("minutes", 0) or 0)
        ps, pm = (ap.sessions, ap.minutes) if ap is not None else (0.0, 0.0)
        if ps <= 0 and pm <= 0:
            if (ds > 0 or dm > 0) and not (area == "endurance" and plan.key_runs):
                row(kind="area", area=area, label=area.capitalize(), planned_sessions=0.0,
                    done_sessions=ds, planned_minutes=0.0, done_minutes=dm, share=math.nan,
                    status="unplanned", source="", note="trained without a plan")
            continue
        ratios = [x for x in ((dm / pm) if pm > 0 else None, (ds / ps) if ps > 0 else None)
                  if x is not None]
        share = min(ratios)
        status = _status(share, week_over, ds > 0 or dm > 0)
        note = ""
        if share > 1.0 + TOLERANCE + 1e-9:
            note = f"more than planned ({100 * share:.0f} %)"
        row(kind="area", area=area, label=area.capitalize(), planned_sessions=ps,
            done_sessions=ds, planned_minutes=pm, done_minutes=dm, share=share, status=status,
            source=plan.source_text(f"area:{area}"), note=note)

    # key runs: runs on the planned day +-1, long runs first, each run used once
    if len(s) and "sport" in s.columns and plan.key_runs:
        runs = s.loc[s["sport"].astype(str).isin(RUN_SPORTS)]
    else:
        runs = s.iloc[:0] if len(s) else pd.DataFrame(columns=["session_id", "start"])
    if len(runs) and "run_km" in runs.columns:  # the pipeline's running km (load.running_km)
        run_km = pd.to_numeric(runs["run_km"], errors="coerce").fillna(0.0).to_numpy(float)
    elif len(runs):
        from stridewise.load import running_km

        run_km = np.asarray(running_km(runs)[0], dtype=float)
    else:
        run_km = np.zeros(0)
    run_day = (pd.to_datetime(runs["start"]).dt.normalize().to_numpy("datetime64[D]")
               if len(runs) else np.zeros(0, dtype="datetime64[D]"))
    run_ids = runs["session_id"].astype(str).to_numpy() if len(runs) else np.zeros(0, object)
    run_eff = _effort(runs).to_numpy(float) if len(runs) else np.zeros(0)
    free = np.ones(len(runs), dtype=bool)
    order = sorted(range(len(plan.key_runs)),
                   key=lambda i: (plan.key_runs[i].kind != "long", plan.key_runs[i].weekday))
    key_rows: dict[int, dict[str, Any]] = {}
    for i in order:
        kr = plan.key_runs[i]
        day = week + pd.Timedelta(days=(kr.weekday - week.day_of_week) % 7)
        gap = np.abs((run_day - np.datetime64(day.date(), "D")).astype(int))
        cand = np.flatnonzero(free & (gap <= DAY_SLACK))
        pick = None
        if len(cand):
            if kr.distance_km:  # closest distance, then nearest day
                keys = (gap[cand], np.abs(run_km[cand] - kr.distance_km))
            elif kr.kind == "long":  # longest, then nearest day
                keys = (gap[cand], -run_km[cand])
            else:  # a quality session: nearest day, then the hardest run (effort)
                keys = (-run_eff[cand], gap[cand])
            pick = int(cand[np.lexsort(keys)[0]])
        due = seen > day + pd.Timedelta(days=DAY_SLACK)
        if pick is not None:
            free[pick] = False
            km = float(run_km[pick])
            share = km / kr.distance_km if kr.distance_km else 1.0
            status = _status(share, True, True)  # run: done, or partly when too short
            note = ""
            if kr.distance_km and share > 1.0 + TOLERANCE + 1e-9:
                note = f"longer than planned (+{100 * (share - 1):.0f} %)"
            key_rows[i] = dict(kind="key_run", area="endurance", label=kr.label,
                               day=day.date(), planned_sessions=1.0, done_sessions=1.0,
                               planned_km=kr.distance_km, done_km=km, share=share,
                               status=status, session_ids=str(run_ids[pick]),
                               source=plan.source_text("key_runs"), note=note)
        else:
            key_rows[i] = dict(kind="key_run", area="endurance", label=kr.label,
                               day=day.date(), planned_sessions=1.0, done_sessions=0.0,
                               planned_km=kr.distance_km, done_km=0.0, share=0.0,
                               status="missed" if due else "open",
                               source=plan.source_text("key_runs"))
    for i in range(len(plan.key_runs)):
        row(**key_rows[i])
    out = pd.DataFrame.from_records(recs, columns=COMPLIANCE_COLUMNS)
    for c in ("planned_sessions", "done_sessions", "planned_minutes", "done_minutes",
              "planned_km", "done_km", "share"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    if per_unit != 1.0:
        out["planned_km"] = out["planned_km"] * per_unit
        out["done_km"] = out["done_km"] * per_unit
    return out


def _effort(runs: pd.DataFrame) -> pd.Series:
    """How hard each run was: the RPE used for its load where known, else load per minute,
    else 0 (then the nearest run is taken)."""
    if "rpe_used" in runs.columns:
        return pd.to_numeric(runs["rpe_used"], errors="coerce").fillna(0.0)
    if "load" in runs.columns and "duration_s" in runs.columns:
        minutes = pd.to_numeric(runs["duration_s"], errors="coerce") / 60.0
        return (pd.to_numeric(runs["load"], errors="coerce") / minutes).fillna(0.0)
    return pd.Series(0.0, index=runs.index)


def _by_athlete(frame: pd.DataFrame | None, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The rows of each athlete of ``names`` (one pass over the frame)."""
    if frame is None or len(frame) == 0 or "athlete" not in frame.columns:
        return {}
    col = frame["athlete"].astype(str)
    frame = frame.loc[col.isin(list(names))]
    return {str(k): g for k, g in frame.groupby(col.loc[frame.index], sort=False)}


def _capped(df: pd.DataFrame) -> pd.Series:
    return df["share"].clip(upper=1.0).fillna(0.0)


def week_share(rows: pd.DataFrame) -> float:
    """Share of one week's plan met (0..1): the mean over planned items of min(share, 1);
    NaN when nothing was planned."""
    planned = rows.loc[rows["status"] != "unplanned"] if len(rows) else rows
    if planned.empty:
        return math.nan
    return float(_capped(planned).mean())


def compliance_summary(source: Store | PlanData, athletes: Sequence[str], *, weeks: int = 4,
                       as_of: date | None = None, sessions: pd.DataFrame | None = None,
                       weekly: pd.DataFrame | None = None, week_start: str = "monday",
                       store: Store | None = None) -> pd.DataFrame:
    """Share of plan met per athlete and per squad, per area (and key runs), over the last
    ``weeks`` full weeks before ``as_of`` (default today).

    Columns: ``scope`` (athlete | squad), ``name``, ``squad``, ``area`` (a training area,
    "key runs" or "all"), ``planned`` (item-weeks planned), ``share`` (0..1: the mean of
    min(done / planned, 1) over the planned item-weeks), ``done_weeks`` (item-weeks done within
    ±20 %), ``weeks``. Area figures come from ``weekly`` (e.g. ``Store.weekly_volume``; read
    from ``source`` when it is a store and ``weekly`` is None); key runs need ``sessions``.
    """
    if weeks < 1:
        raise UsageError("The compliance window needs at least one week.")
    names = [str(a) for a in athletes]
    data = _source(source, names)
    day = as_of or date.today()
    this_week = week_start_for(day, week_start)
    first = this_week - timedelta(days=7 * weeks)
    st = store if store is not None else (None if isinstance(source, PlanData) else source)
    if weekly is None and st is not None:
        weekly = st.weekly_volume(names, first - timedelta(days=1))
    if weekly is None:
        weekly = pd.DataFrame(columns=["athlete", "week", "area", "sessions", "minutes"])
    empty_sessions = pd.DataFrame(columns=["athlete", "session_id", "start", "sport"])
    recs = []
    by_athlete = _by_athlete(sessions, names)
    weekly_by = _by_athlete(weekly, names)
    for name in names:
        mine = by_athlete.get(name, empty_sessions)
        mine_weekly = weekly_by.get(name, weekly.iloc[0:0])
        for w in range(weeks):
            wk = first + timedelta(days=7 * w)
            plan = effective_plan(data, name, wk)
            if plan.is_empty:
                continue
            if sessions is None:  # key runs cannot be matched without sessions
                plan = Plan(plan.athlete, plan.squad, plan.week_start, plan.areas, (),
                            plan.run_km, plan.body, plan.provenance)
            rows = compliance(plan, mine, wk, weekly=mine_weekly)
            rows = rows.loc[rows["status"] != "unplanned"]
            for r in rows.to_dict(orient="records"):
                recs.append({"athlete": name, "squad": plan.squad, "week": wk,
                             "area": r["area"] if r["kind"] == "area" else "key runs",
                             "share": min(float(r["share"]), 1.0),
                             "done": r["status"] == "done"})
    cols = ["scope", "name", "squad", "area", "planned", "share", "done_weeks", "weeks"]
    if not recs:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame.from_records(recs)
    out = []
    for scope, keys in (("athlete", ["athlete", "squad"]), ("squad", ["squad"])):
        d = df if scope == "athlete" else df.loc[df["squad"] != ""]
        if d.empty:
            continue
        per = d.groupby([*keys, "area"], sort=True).agg(
            planned=("share", "size"), share=("share", "mean"), done_weeks=("done", "sum"))
        per = per.reset_index()
        tot = d.groupby(keys, sort=True).agg(planned=("share", "size"), share=("share", "mean"),
                                             done_weeks=("done", "sum")).reset_index()
        tot["area"] = "all"
        both = pd.concat([per, tot], ignore_index=True)
        both["scope"] = scope
        both["name"] = both["athlete"] if scope == "athlete" else both["squad"]
        if scope == "squad":
            both["athlete"] = ""
        out.append(both)
    res = pd.concat(out, ignore_index=True)
    res["weeks"] = weeks
    area_order = {a: i for i, a in enumerate([*TRAINING_AREAS, "key runs", "all"])}
    res = res.assign(_o=res["area"].map(area_order)).sort_values(
        ["scope", "name", "_o"]).drop(columns="_o")
    res["done_weeks"] = res["done_weeks"].astype(int)
    res["planned"] = res["planned"].astype(int)
    return res[cols].reset_index(drop=True)


def roster_compliance(source: Store | PlanData, athletes: Sequence[str], week: date, *,
                      sessions: pd.DataFrame | None = None,
                      weekly: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per athlete for the roster: ``athlete``, ``plan_week`` (the week's first day),
    ``plan_share_pct`` (share of that week's plan met, %, NaN without a plan), ``plan_status``
    (done | partly | missed | no plan) and ``plan_missed`` (the items not done, plain words)."""
    names = [str(a) for a in athletes]
    data = _source(source, names)
    recs = []
    empty = pd.DataFrame(columns=["athlete", "session_id", "start", "sport"])
    by_athlete = _by_athlete(sessions, names)
    weekly_by = _by_athlete(weekly, names) if weekly is not None else {}
    for name in names:
        plan = effective_plan(data, name, week)
        if plan.is_empty:
            recs.append({"athlete": name, "plan_week": week, "plan_share_pct": math.nan,
                         "plan_status": "no plan", "plan_missed": ""})
            continue
        mine = by_athlete.get(name, empty)
        rows = compliance(plan, mine, week, weekly=None if weekly is None else weekly_by.get(
            name, weekly.iloc[0:0]))
        share = week_share(rows)
        planned = rows.loc[rows["status"] != "unplanned"]
        status = "done" if (planned["status"] == "done").all() else (
            "missed" if share == 0 else "partly")
        missed = ", ".join(planned.loc[planned["status"].isin(["missed", "partly"]),
                                       "label"].str.lower())
        recs.append({"athlete": name, "plan_week": week,
                     "plan_share_pct": round(100.0 * share, 0), "plan_status": status,
                     "plan_missed": missed})
    return pd.DataFrame.from_records(
        recs, columns=["athlete", "plan_week", "plan_share_pct", "plan_status", "plan_missed"])


# --------------------------------------------------------------------------------- checks

def check_plan(plan: Plan, history: pd.DataFrame, *, settings: Settings | None = None
               ) -> list[Finding]:
    """Check a plan before its week against the rules the assessment uses; plain sentences.

    ``history``: the athlete's sessions (canonical or classified); only those before the week
    count. Each key run with a distance is added on its day and judged by the single-run spike
    of :func:`stridewise.risk.risk_table` (its longest run vs the longest of the 30 days before,
    Frandsen et al. 2025 bands from the effective thresholds); the week's planned running
    distance (``run_km``, else the key runs' sum) by the weekly change against the mean week of
    the 3 weeks before (Nielsen et al. 2014: flagged above ``run_km_increase_pct``). Areas
    planned below the weekly targets are named too.
    """
    from stridewise import risk

    s = effective_settings(settings or Settings(), plan)
    rs = s.risk
    units = s.units
    per_unit = 1.0 / KM_PER_MILE if units == "mi" else 1.0
    unit = "mi" if units == "mi" else "km"
    week = pd.Timestamp(plan.week_start).normalize()
    week_end = week + pd.Timedelta(days=6)
    h = history
    if "athlete" in h.columns and len(h):
        h = h.loc[h["athlete"].astype(str) == plan.athlete]
    if len(h):
        h = h.assign(start=_local_starts(h, None))
        h = h.loc[h["start"] < week]
        h = _prepared(h) if len(h) else h
    findings: list[Finding] = []
    dated = [(week + pd.Timedelta(days=(kr.weekday - week.day_of_week) % 7), kr)
             for kr in plan.key_runs]
    planned = pd.DataFrame({
        "athlete": plan.athlete,
        "session_id": [f"plan:{i}" for i in range(len(dated))],
        "start": [d + pd.Timedelta(hours=8) for d, _ in dated],
        "sport": "run", "title": [kr.title or kr.label for _, kr in dated],
        "area": "endurance", "duration_s": 3600.0, "moving_s": 3600.0,
        "distance_m": [1000.0 * (kr.distance_km or 0.0) for _, kr in dated],
        "load": 0.0, "load_source": "planned", "run_km": [kr.distance_km or 0.0 for _, kr in dated],
    })
    if len(h):
        from stridewise.load import running_km

        h = h.assign(run_km=running_km(h)[0])
        keep = [c for c in planned.columns if c in h.columns]
        both = pd.concat([h[keep], planned[keep]], ignore_index=True) if len(planned) else h[keep]
    else:
        both = planned
    table = risk.risk_table(both, settings=s, end=week_end) if len(both) else pd.DataFrame()
    by_day = table.set_index(pd.to_datetime(table["date"])) if len(table) else table

    for day, kr in sorted(dated, key=lambda x: x[0]):
        if not kr.distance_km:
            continue
        dist = kr.distance_km * per_unit
        name = f"{WEEKDAYS[day.day_of_week]}'s {dist:.0f} {unit} {KEY_LABELS[kr.kind]}"
        if len(by_day) == 0 or day not in by_day.index:
            continue
        r = by_day.loc[day]
        pct = float(r["spike_pct"])
        if not math.isfinite(pct):
            findings.append(Finding("spike_pct", "caution", (
                f"{name} has no run in the 30 days before it to compare with: build up "
                "gradually."), day.date()))
            continue
        band = str(risk.spike_band(pct, rs).item())
        if band in ("small", "moderate", "large"):
            level = "warning" if band in ("moderate", "large") else "caution"
            prev = dist / (1.0 + pct / 100.0)
            findings.append(Finding("spike_pct", level, (
                f"{name} is {pct:.0f} % above the longest run of the last 30 days "
                f"({prev:.1f} {unit}; {band} spike, Frandsen et al. 2025)."), day.date()))
    total = plan.run_km if plan.run_km else sum(k.distance_km or 0.0 for k in plan.key_runs)
    if total and len(by_day) and week_end in by_day.index:
        prev = float(by_day.loc[week_end]["run_km_prev_week"])
        at_least = "" if plan.run_km else "at least "
        if prev > 0 and total >= risk.RUN_KM_MIN_WEEK:
            change = round(100.0 * (total / prev - 1.0), 0)
            if change > rs.run_km_increase_pct:
                findings.append(Finding("run_km_change_pct", "warning", (
                    f"The week plans {at_least}{total * per_unit:.0f} {unit} of running, "
                    f"{change:.0f} % above the usual week ({prev * per_unit:.1f} {unit} a "
                    f"week over the 3 weeks before; flagged above {rs.run_km_increase_pct:g} "
                    "%, Nielsen et al. 2014).")))
        elif prev <= 0 and total >= risk.RUN_KM_MIN_WEEK:
            findings.append(Finding("run_km_change_pct", "caution", (
                f"The week plans {at_least}{total * per_unit:.0f} {unit} of running after "
                "three weeks without running: build up gradually.")))
    for area in TRAINING_AREAS[1:]:
        target = float(s.targets.get(area, 0.0))
        ap = plan.area(area)
        have = ap.sessions if ap is not None else 0.0
        if target > 0 and have < target and plan.areas:
            findings.append(Finding("targets", "info", (
                f"The plan has {have:g} {area} session{'s' if have != 1 else ''}, below the "
                f"weekly target of {target:g}.")))
    rank = {"warning": 0, "caution": 1, "info": 2}
    return sorted(findings, key=lambda f: (rank[f.level], f.day or date.max))


def findings_frame(findings: Sequence[Finding]) -> pd.DataFrame:
    """Findings as a table (level, day, text, key)."""
    return pd.DataFrame({"level": [f.level for f in findings],
                         "day": [f.day for f in findings],
                         "text": [f.text for f in findings],
                         "key": [f.key for f in findings]})


def status_counts(rows: pd.DataFrame) -> dict[str, int]:
    """How many rows of a compliance table have each status."""
    vc = rows["status"].value_counts() if len(rows) else pd.Series(dtype=int)
    return {k: int(vc.get(k, 0)) for k in STATUSES}

