"""Small views over an :class:`~stridewise.pipeline.Analysis` that several pages share:
one athlete's week, the squad roster. Pure pandas (no streamlit), so they are unit-testable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from stridewise.schema import TRAINING_AREAS
from stridewise.settings import Settings


def week_start_of(day: date, week_start: str) -> date:
    """First day of the training week holding ``day`` ("monday" or "sunday" weeks)."""
    if week_start == "sunday":
        return day - timedelta(days=(day.weekday() + 1) % 7)
    return day - timedelta(days=day.weekday())


def _f(x: object) -> float:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return v


@dataclass
class WeekSummary:
    """One athlete's current training week and latest risk assessment."""

    athlete: str
    as_of: date
    week_start: date
    level: str = "not enough data"
    reasons: list[str] = field(default_factory=list)
    run_km_7d: float = math.nan
    run_km_change_pct: float = math.nan
    acwr_ewma: float = math.nan
    monotony: float = math.nan
    area_sessions: dict[str, float] = field(default_factory=dict)
    area_minutes: dict[str, float] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    total_minutes: float = 0.0
    total_sessions: float = 0.0

    @property
    def areas_on_target(self) -> int:
        return sum(1 for a in TRAINING_AREAS
                   if self.area_sessions.get(a, 0) >= self.targets.get(a, 0) > 0)

    @property
    def areas_behind(self) -> list[str]:
        return [a for a in TRAINING_AREAS
                if self.targets.get(a, 0) > 0 and self.area_sessions.get(a, 0) < self.targets[a]]


def risk_rows(risk: pd.DataFrame, athlete: str, as_of: date | None = None) -> pd.DataFrame:
    """The daily risk rows of one athlete up to ``as_of`` (sorted by date)."""
    rows = risk.loc[risk["athlete"] == athlete]
    if as_of is not None:
        rows = rows.loc[pd.to_datetime(rows["date"]) <= pd.Timestamp(as_of)]
    return rows.sort_values("date")


def week_summary(analysis: object, athlete: str, as_of: date, settings: Settings) -> WeekSummary:
    """This week's numbers for ``athlete``: area sessions/minutes, running km, risk."""
    ws = week_start_of(as_of, settings.week_start)
    out = WeekSummary(athlete, as_of, ws, targets=dict(settings.targets))
    weekly = analysis.weekly  # type: ignore[attr-defined]
    if len(weekly):
        wk = weekly.loc[(weekly["athlete"] == athlete)
                        & (pd.to_datetime(weekly["week"]) == pd.Timestamp(ws))]
        for row in wk.itertuples(index=False):
            out.area_sessions[str(row.area)] = _f(row.sessions)
            out.area_minutes[str(row.area)] = _f(row.minutes)
        out.total_minutes = float(wk["minutes"].sum()) if len(wk) else 0.0
    sessions = analysis.sessions  # type: ignore[attr-defined]
    if len(sessions):
        s = sessions.loc[(sessions["athlete"] == athlete)
                         & (sessions["start"] >= pd.Timestamp(ws))
                         & (sessions["start"] < pd.Timestamp(as_of) + pd.Timedelta(days=1))]
        out.total_sessions = float(len(s))
    rows = risk_rows(analysis.risk, athlete, as_of)  # type: ignore[attr-defined]
    if len(rows):
        from stridewise import risk as risk_mod

        a = risk_mod.latest_assessment(rows)
        out.level = a.level
        out.reasons = list(a.reasons)
        last = rows.iloc[-1]
        out.run_km_7d = _f(last.get("run_km_7d"))
        out.run_km_change_pct = _f(last.get("run_km_change_pct"))
        out.acwr_ewma = _f(last.get("acwr_ewma"))
        out.monotony = _f(last.get("monotony"))
    return out


ROSTER_AREAS = ("strength", "plyometrics", "stability", "flexibility")


def roster(analysis: object, athletes: pd.DataFrame, as_of: date,
           settings: Settings) -> pd.DataFrame:
    """One row per athlete for the Squad page, in triage order (high risk first).

    Columns: athlete, group, risk_level, top_reason, acwr_ewma, run_km_week, run_km_change_pct,
    spike, days_since_<area> for strength/plyometrics/stability/flexibility, coverage_pct,
    sessions_28d, risk_rank.
    """
    risk = analysis.risk  # type: ignore[attr-defined]
    sessions = analysis.sessions  # type: ignore[attr-defined]
    balance = analysis.balance  # type: ignore[attr-defined]
    ws = pd.Timestamp(week_start_of(as_of, settings.week_start))
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    recs = []
    groups = dict(zip(athletes["name"], athletes["group"].fillna(""), strict=False)) \
        if len(athletes) else {}
    names = list(athletes["name"]) if len(athletes) else sorted(sessions["athlete"].unique())
    r_upto = risk.loc[pd.to_datetime(risk["date"]) <= pd.Timestamp(as_of)] if len(risk) else risk
    latest = (r_upto.sort_values("date").groupby("athlete", sort=False).tail(1)
              .set_index("athlete")) if len(r_upto) else pd.DataFrame()
    if len(sessions):
        starts = sessions["start"]
        runs = sessions.loc[sessions["sport"].isin(_run_sports()) & (starts >= ws) & (starts < end)]
        run_km = (pd.to_numeric(runs["distance_m"], errors="coerce").fillna(0.0)
                  .groupby(runs["athlete"]).sum() / 1000.0)
        recent = sessions.loc[(starts >= end - pd.Timedelta(days=28)) & (starts < end)]
        n28 = recent.groupby("athlete").size()
    else:
        run_km = pd.Series(dtype=float)
        n28 = pd.Series(dtype=int)
    bal = balance.set_index(["athlete", "area"])["days_since"] if len(balance) else None
    for name in names:
        rec: dict[str, object] = {"athlete": name, "group": groups.get(name, "") or ""}
        band = None
        if name in latest.index:
            row = latest.loc[name]
            level = str(row.get("risk_level", "not enough data"))
            reasons = [r for r in str(row.get("reasons", "") or "").split("; ") if r]
            rec.update(risk_level=level, top_reason=reasons[0] if reasons else "",
                       acwr_ewma=_f(row.get("acwr_ewma")),
                       run_km_change_pct=_f(row.get("run_km_change_pct")),
                       spike_pct=_f(row.get("spike_pct")),
                       coverage_pct=_f(row.get("coverage_days_pct")))
            for area in ROSTER_AREAS:
                rec[f"days_since_{area}"] = _f(row.get(f"days_since_{area}"))
            band = row.get("spike_band")
        else:
            rec.update(risk_level="not enough data", top_reason="no sessions yet",
                       acwr_ewma=math.nan, run_km_change_pct=math.nan, spike_pct=math.nan,
                       coverage_pct=math.nan)
            for area in ROSTER_AREAS:
                rec[f"days_since_{area}"] = math.nan
        if bal is not None:
            for area in ROSTER_AREAS:
                if math.isnan(_f(rec[f"days_since_{area}"])) and (name, area) in bal.index:
                    rec[f"days_since_{area}"] = _f(bal.loc[(name, area)])
        rec["run_km_week"] = float(run_km.get(name, 0.0))
        rec["sessions_28d"] = int(n28.get(name, 0))
        rec["spike"] = (str(band) if isinstance(band, str) and band
                        else spike_band(_f(rec.get("spike_pct")), settings))
        recs.append(rec)
    df = pd.DataFrame.from_records(recs)
    if df.empty:
        return df
    order = {"high": 0, "moderate": 1, "low": 2, "not enough data": 3}
    df["risk_rank"] = df["risk_level"].map(order).fillna(4).astype(int)
    acwr = df["acwr_ewma"].replace([np.inf], np.nan).fillna(-1)
    df = df.assign(_acwr=acwr).sort_values(
        ["risk_rank", "_acwr", "athlete"], ascending=[True, False, True]).drop(columns="_acwr")
    return df.reset_index(drop=True)


def spike_band(spike_pct: float, settings: Settings) -> str:
    """Frandsen et al. 2025 single-run spike band for a spike in % (none/small/moderate/large)."""
    if math.isnan(spike_pct) or spike_pct <= settings.risk.spike_small:
        return "none"
    if spike_pct <= settings.risk.spike_moderate:
        return "small"
    if spike_pct <= settings.risk.spike_large:
        return "moderate"
    return "large"


def _run_sports() -> list[str]:
    from stridewise.schema import RUN_SPORTS

    return sorted(RUN_SPORTS)
