"""The one-way flow after import: classify -> load -> parts -> weekly volume -> risk -> balance.

The CLI and the app both call :func:`analyse`, so a number on a page and the same number on the
command line always come from the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from stridewise import classify, load, risk, volume
from stridewise.settings import DEFAULT_SETTINGS, AthleteProfile, Settings

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store


@dataclass(frozen=True)
class Analysis:
    """Everything the pages and the CLI show, computed from one sessions table.

    sessions: classified sessions with area, area_reason, rpe_used, load, load_source, trimp.
    parts: one row per session part (session_id, athlete, start, area, seconds).
    weekly: weekly volume per athlete x week x area. risk: daily metrics per athlete.
    balance: last-28-day area balance vs targets per athlete.
    """

    sessions: pd.DataFrame
    parts: pd.DataFrame
    weekly: pd.DataFrame
    risk: pd.DataFrame
    balance: pd.DataFrame


def analyse(sessions: pd.DataFrame, *, settings: Settings = DEFAULT_SETTINGS,
            rules: Sequence[classify.Rule] | None = None,
            profiles: Mapping[str, AthleteProfile] | None = None,
            end: date | pd.Timestamp | None = None,
            niggles: pd.DataFrame | None = None,
            niggle_updates: pd.DataFrame | None = None) -> Analysis:
    """Run the whole analysis on canonical sessions (several athletes allowed).

    ``end`` closes the daily calendar (default: each athlete's last session day). ``niggles`` /
    ``niggle_updates`` (the store's reported niggles) apply the symptom rule of the heuristic
    to the risk table (:func:`stridewise.niggles.apply_symptom_rule`). Does not mutate
    ``sessions``.
    """
    end_ts = pd.Timestamp(end) if end is not None else None
    classified = classify.classify(sessions, rules)
    with_load = load.add_load(classified, profiles)
    parts = classify.session_parts(with_load, rules)
    weekly = volume.weekly_volume(with_load, parts, week_start=settings.week_start, end=end_ts)
    risk_df = risk.risk_table(with_load, parts, settings=settings, end=end_ts)
    if niggles is not None and len(niggles):
        from stridewise.niggles import apply_symptom_rule

        risk_df = apply_symptom_rule(risk_df, niggles, niggle_updates)
    balance = risk.balance(parts, targets=settings.targets, end=end_ts, sessions=with_load)
    return Analysis(with_load, parts, weekly, risk_df, balance)


def profiles_from_roster(athletes: pd.DataFrame) -> dict[str, AthleteProfile]:
    """Per-athlete HR max/rest (bpm) and sex from a store's athletes table."""

    def num(x: object) -> float | None:
        try:
            v = float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return None if v != v else v

    out: dict[str, AthleteProfile] = {}
    for row in athletes.to_dict(orient="records"):
        sex = row.get("sex")
        out[str(row["name"])] = AthleteProfile(
            hr_max=num(row.get("hr_max")), hr_rest=num(row.get("hr_rest")),
            sex=sex if sex in ("male", "female") else None)
    return out


def store_settings(store: Store) -> Settings:
    """The settings saved in ``store`` (defaults for anything not saved)."""
    return Settings.from_dict(store.settings() or {})


def analyse_store(store: Store, athletes: Sequence[str] | None = None, *,
                  settings: Settings | None = None,
                  end: date | pd.Timestamp | None = None,
                  rule_records: Sequence[Mapping[str, object]] | None = None) -> Analysis:
    """:func:`analyse` on stored sessions with the store's settings, the user's classification
    rules (before the shipped defaults) and each athlete's HR profile: the numbers the app shows.
    ``rule_records`` replaces the user's rules (e.g. an athlete's effective rules, see
    :func:`stridewise.plans.effective_rule_records`).
    """
    names = list(athletes) if athletes else None
    sessions = store.sessions(names)
    records = store.rules() or [] if rule_records is None else list(rule_records)
    return analyse(sessions, settings=settings or store_settings(store),
                   rules=classify.with_user_rules(records),  # type: ignore[arg-type]
                   profiles=profiles_from_roster(store.athletes()), end=end,
                   niggles=store.niggles(names), niggle_updates=store.niggle_updates(names))
