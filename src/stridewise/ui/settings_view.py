"""Logic behind the Settings page: saving settings, previewing a classification-rule change,
saving athlete details. Everything goes through the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from stridewise import classify
from stridewise.settings import RiskSettings, Settings

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store


def save_settings(store: Store, settings: Settings) -> Settings:
    """Validate (``Settings.from_dict`` raises ``UsageError``) and store; returns what was saved."""
    checked = Settings.from_dict(settings.to_dict())
    # keep keys that are not settings proper (e.g. that the demo squad was dismissed)
    store.save_settings({**(store.settings() or {}), **checked.to_dict()})
    return checked


def with_targets(settings: Settings, targets: Mapping[str, float]) -> Settings:
    return replace(settings, targets=dict(targets))


def with_risk(settings: Settings, values: Mapping[str, Any]) -> Settings:
    return replace(settings, risk=replace(settings.risk, **dict(values)))


def default_risk() -> dict[str, Any]:
    return asdict(RiskSettings())


def rule_records(rules: Sequence[classify.Rule]) -> list[dict[str, Any]]:
    return list(classify.rules_to_records(list(rules)))


def add_rule(rules: Sequence[classify.Rule], kind: str, pattern: str,
             area: str) -> list[classify.Rule]:
    """A new rule placed first (user rules win over the defaults), duplicates removed."""
    new = classify.rules_from_records([{"kind": kind, "pattern": pattern.strip(), "area": area,
                                        "label": "your rule"}])
    key = (new[0].kind, new[0].pattern.casefold())
    rest = [r for r in rules if (r.kind, r.pattern.casefold()) != key]
    return [*new, *rest]


def rule_change_preview(sessions: pd.DataFrame, old: Sequence[classify.Rule],
                        new: Sequence[classify.Rule]) -> pd.DataFrame:
    """Sessions whose area would change from ``old`` user rules to ``new`` user rules (each
    followed by the shipped defaults).

    Columns: athlete, start, sport, title, area_now, area_new, reason_new. Sessions with an
    area you set by hand keep it and are not listed.
    """
    if sessions.empty:
        return pd.DataFrame(columns=["athlete", "start", "sport", "title", "area_now",
                                     "area_new", "reason_new"])
    defaults = classify.default_rules()
    a = classify.classify(sessions, [*old, *defaults])
    b = classify.classify(sessions, [*new, *defaults])
    changed = a["area"].to_numpy() != b["area"].to_numpy()
    out = pd.DataFrame({
        "athlete": a["athlete"], "start": a["start"], "sport": a["sport"], "title": a["title"],
        "area_now": a["area"], "area_new": b["area"],
        "reason_new": b["area_reason"] if "area_reason" in b.columns else "",
    }).loc[changed]
    return out.sort_values("start", ascending=False).reset_index(drop=True)


def unplaced_titles(classified: pd.DataFrame, top: int = 30) -> pd.DataFrame:
    """The most frequent (sport, title) pairs of sessions classified as ``other``."""
    if classified.empty or "area" not in classified.columns:
        return pd.DataFrame(columns=["sport", "title", "sessions"])
    o = classified.loc[classified["area"] == "other"]
    if o.empty:
        return pd.DataFrame(columns=["sport", "title", "sessions"])
    return (o.groupby(["sport", "title"]).size().rename("sessions").reset_index()
            .sort_values("sessions", ascending=False).head(top).reset_index(drop=True))


ATHLETE_FIELDS = ("group", "hr_max", "hr_rest", "sex", "tz")


def save_athletes(store: Store, before: pd.DataFrame, after: pd.DataFrame) -> int:
    """Write changed athlete fields (group, HR max/rest, sex, time zone); returns rows saved.
    A changed time zone re-times the athlete's UTC-sourced sessions (see
    :func:`retimed_note` for what to tell the user)."""
    return save_athletes_detail(store, before, after)[0]


def save_athletes_detail(store: Store, before: pd.DataFrame, after: pd.DataFrame
                         ) -> tuple[int, dict[str, int]]:
    """As :func:`save_athletes`; also returns athlete -> sessions re-timed to a new zone."""
    n = 0
    retimed: dict[str, int] = {}
    b = before.set_index("name")
    for row in after.itertuples(index=False):
        name = str(row.name)
        if name not in b.index:
            continue
        fields: dict[str, Any] = {}
        for f in ATHLETE_FIELDS:
            new = getattr(row, f)
            old = b.at[name, f]
            if _same(old, new):
                continue
            if f in ("hr_max", "hr_rest"):
                fields[f] = None if _blank(new) else float(new)
            elif f == "sex":
                fields[f] = new if new in ("male", "female") else None
            else:
                fields[f] = "" if _blank(new) else str(new).strip()
        if fields:
            moved = store.upsert_athlete(name, **fields)
            if "tz" in fields:
                retimed[name] = int(moved or 0)
            n += 1
    return n, retimed


def retimed_note(retimed: dict[str, int], after: pd.DataFrame) -> str:
    """One sentence per zone change: how many stored sessions moved, or why none did."""
    zones = dict(zip(after["name"], after["tz"], strict=False))
    parts = []
    for name, k in retimed.items():
        zone = zones.get(name) or "UTC"
        parts.append(f"{name}: {k} session(s) recorded in UTC (Strava, FIT, TCX, GPX) re-timed "
                     f"to {zone}; days, weeks and metrics follow" if k else
                     f"{name}: no stored session needed re-timing to {zone} (sessions from "
                     "local-time sources keep their clock)")
    return ". ".join(parts) + ("." if parts else "")


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip())


def _same(a: Any, b: Any) -> bool:
    if _blank(a) and _blank(b):
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)
