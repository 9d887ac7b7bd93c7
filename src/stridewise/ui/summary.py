"""Small views over an :class:`~stridewise.pipeline.Analysis` that several pages share:
one athlete's assessment, the squad roster. Pure pandas (no streamlit), so they are unit-testable.

Every number here comes from :mod:`stridewise.assessment`; nothing is recomputed.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd

from stridewise import assessment as assess_mod
from stridewise.assessment import Assessment
from stridewise.settings import Settings


def week_start_of(day: date, week_start: str) -> date:
    """First day of the training week holding ``day`` ("monday" or "sunday" weeks)."""
    if week_start == "sunday":
        return day - timedelta(days=(day.weekday() + 1) % 7)
    return day - timedelta(days=day.weekday())


def risk_rows(risk: pd.DataFrame, athlete: str, as_of: date | None = None) -> pd.DataFrame:
    """The daily risk rows of one athlete up to ``as_of`` (sorted by date)."""
    rows = risk.loc[risk["athlete"] == athlete]
    if as_of is not None:
        rows = rows.loc[pd.to_datetime(rows["date"]) <= pd.Timestamp(as_of)]
    return rows.sort_values("date")


def week_summary(analysis: object, athlete: str, as_of: date, settings: Settings) -> Assessment:
    """The assessment of ``athlete`` on ``as_of`` (level, reasons, metrics, last 7 days)."""
    a = analysis
    return assess_mod.assess(risk_rows(a.risk, athlete, as_of),  # type: ignore[attr-defined]
                             athlete=athlete, settings=settings, as_of=as_of,
                             parts=a.parts, sessions=a.sessions)  # type: ignore[attr-defined]


def roster(analysis: object, athletes: pd.DataFrame, as_of: date,
           settings: Settings, plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per athlete for the Squad page, its CSV and its printed report, in the one
    triage order (:data:`stridewise.assessment.TRIAGE_RULE`); ``group`` added after ``athlete``.
    ``plan`` (:func:`stridewise.plans.roster_compliance`) adds the last full week's plan
    columns ``plan_share_pct``, ``plan_status``, ``plan_missed``.
    """
    names = (list(athletes["name"]) if len(athletes)
             else sorted(analysis.risk["athlete"].unique()))  # type: ignore[attr-defined]
    found = assess_mod.assess_all(analysis, settings=settings, as_of=as_of, athletes=names)
    df = assess_mod.roster_frame(found)
    groups = (dict(zip(athletes["name"], athletes["group"].fillna(""), strict=False))
              if len(athletes) else {})
    df.insert(2, "group", [groups.get(n, "") or "" for n in df["athlete"]])
    if plan is not None:  # the plan of the last full week (stridewise.plans)
        p = plan.set_index("athlete")
        for col in ("plan_share_pct", "plan_status", "plan_missed"):
            df[col] = df["athlete"].map(p[col]) if len(p) else None
        df["plan_status"] = df["plan_status"].fillna("no plan")
        df["plan_missed"] = df["plan_missed"].fillna("")
        df["plan_share_pct"] = pd.to_numeric(df["plan_share_pct"], errors="coerce").astype(float)
    return df


def spike_band(spike_pct: float, settings: Settings) -> str:
    """Frandsen et al. 2025 single-run spike band for a spike in % (none/small/moderate/large)."""
    if math.isnan(spike_pct) or spike_pct <= settings.risk.spike_small:
        return "none"
    if spike_pct <= settings.risk.spike_moderate:
        return "small"
    if spike_pct <= settings.risk.spike_large:
        return "moderate"
    return "large"
