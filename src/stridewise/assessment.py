"""One assessment per athlete and day: the single source of every headline number.

:func:`assess` reads one athlete's rows of the risk table (``risk.risk_table``, which holds the
heuristic's level, reasons and reason keys) and the session parts, and returns an
:class:`Assessment`: the level, the reasons in two layers (a plain sentence, and details with
formula, source and caveat), each metric with its name, value, unit, band, evidence grade and
source, the last-7-days training summary, and the distance of the next run that stays within the
usual range. Home, the Athlete page, the roster, the roster CSV, the printable reports and the
CLI format an assessment; none of them recomputes a number.

Windows are named: "last 7 days" (rolling, ending on the assessment day) for current figures;
"last full week" for week-on-week comparisons.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

from stridewise.explain import (
    EVIDENCE,
    EVIDENCE_GRADE,
    EXPLANATIONS,
    HEURISTIC_DISCLAIMER,
    PLAIN,
    Explanation,
    ratio_explanation,
)
from stridewise.risk import HEURISTIC_VERSION, LEVELS, RATIO_COLUMNS, RATIO_SHORT
from stridewise.schema import TRAINING_AREAS
from stridewise.settings import DEFAULT_SETTINGS, KM_PER_MILE, Settings

__all__ = [
    "Metric", "Reason", "Assessment", "assess", "assess_all", "triage_sort", "TRIAGE_RULE",
    "LEVEL_RANK", "ratio_name", "roster_frame", "ROSTER_COLUMNS", "WINDOW_7D", "WINDOW_FULL_WEEK",
    "HEURISTIC_VERSION",
]

WINDOW_7D: Final[str] = "last 7 days"
WINDOW_FULL_WEEK: Final[str] = "last full week"
#: Triage order: this rank first, then the higher acute:chronic ratio, then the name.
LEVEL_RANK: Final[dict[str, int]] = {"high": 0, "moderate": 1, "low": 2, "not enough data": 3}
TRIAGE_RULE: Final[str] = ("Triage order: high first, then moderate, low, not enough data; "
                           "within a level, the higher acute:chronic ratio first, then by name.")

#: Ratio names for display, one per setting (the short form is what reasons say).
_RATIO_LONG: Final[dict[str, str]] = {
    m: f"Acute:chronic ratio ({short})" for m, short in RATIO_SHORT.items()}


def ratio_name(metric: str, *, short: bool = False) -> str:
    """The display name of the acute:chronic ratio chosen in the settings."""
    return f"acute:chronic {RATIO_SHORT[metric]}" if short else _RATIO_LONG[metric]


@dataclass(frozen=True)
class Metric:
    """One number of the assessment, in the display unit.

    key: the metric (``explain.EXPLANATIONS`` key). band: a plain word (``usual``, ``raised``,
    ``high``, ``low``, ``none``, ``small``, ...). status: ``ok`` / ``watch`` / ``alert`` /
    ``unknown``, for colour. text: the value formatted with its unit (the same everywhere).
    """

    key: str
    name: str
    value: float
    unit: str
    text: str
    band: str
    status: str
    evidence: str
    grade: str
    source: str
    window: str


@dataclass(frozen=True)
class Reason:
    """A reason: one plain sentence, and the details behind it for a coach."""

    text: str
    key: str
    plain: str
    details: Explanation
    evidence: str


@dataclass(frozen=True)
class Assessment:
    """The heuristic and its numbers for one athlete on one day (see the module doc)."""

    athlete: str
    date: pd.Timestamp | None
    level: str
    reasons: tuple[Reason, ...]
    metrics: Mapping[str, Metric]
    units: str
    ratio_metric: str
    next_run_limit: float  # display unit; NaN when no run in the last 30 days
    sessions_7d: int = 0
    minutes_7d: float = 0.0
    area_sessions_7d: Mapping[str, int] = field(default_factory=dict)
    area_minutes_7d: Mapping[str, float] = field(default_factory=dict)
    targets: Mapping[str, float] = field(default_factory=dict)
    hr_unset_pct: float = math.nan
    days_since: Mapping[str, float] = field(default_factory=dict)
    version: str = HEURISTIC_VERSION

    @property
    def disclaimer(self) -> str:
        return HEURISTIC_DISCLAIMER

    @property
    def reason_texts(self) -> list[str]:
        return [r.text for r in self.reasons]

    @property
    def top_reason(self) -> str:
        return self.reasons[0].text if self.reasons else ""

    @property
    def ratio(self) -> Metric:
        return self.metrics["acwr"]

    @property
    def ratio_name(self) -> str:
        return self.metrics["acwr"].name

    @property
    def rank(self) -> int:
        return LEVEL_RANK.get(self.level, 4)

    @property
    def areas_on_target(self) -> int:
        return sum(1 for a in TRAINING_AREAS
                   if self.area_sessions_7d.get(a, 0) >= self.targets.get(a, 0) > 0)

    @property
    def areas_behind(self) -> list[str]:
        return [a for a in TRAINING_AREAS
                if self.targets.get(a, 0) > 0 and self.area_sessions_7d.get(a, 0) < self.targets[a]]

    @property
    def next_run_sentence(self) -> str:
        """The runner's actionable number before the next run."""
        if not _finite(self.next_run_limit):
            return ""
        return (f"Runs up to {self.next_run_limit:.1f} {self.units} stay within your usual "
                "range (10 % over your longest run of the last 30 days).")


# --------------------------------------------------------------------------- helpers

def _f(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _finite(x: float) -> bool:
    return isinstance(x, float | int) and math.isfinite(x)


def _ratio_text(x: float) -> str:
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "no base yet"
    return f"{x:.2f}"


def _pct_text(x: float) -> str:
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "new"
    return f"{x:+.0f} %"


def _ratio_band(x: float, s: Settings) -> tuple[str, str]:
    r = s.risk
    x = round(x, 2) if math.isfinite(x) else x  # compared as shown
    if math.isnan(x):
        return "not yet", "unknown"
    if math.isinf(x):
        return "no base yet", "watch"
    if x > r.acwr_very_high:
        return "high", "alert"
    if x > r.acwr_high:
        return "raised", "watch"
    if x < r.acwr_low:
        return "below usual", "watch"
    return "usual", "ok"


def _spike_band(x: float, s: Settings) -> tuple[str, str]:
    r = s.risk
    if math.isnan(x) or x <= r.spike_small:
        return "none", ("unknown" if math.isnan(x) else "ok")
    if x <= r.spike_moderate:
        return "small", "watch"
    if x <= r.spike_large:
        return "moderate", "watch"
    return "large", "alert"


def _metric(key: str, name: str, value: float, unit: str, text: str, band: tuple[str, str],
            window: str, explanation: Explanation) -> Metric:
    return Metric(key, name, value, unit, text, band[0], band[1], EVIDENCE.get(key, ""),
                  EVIDENCE_GRADE.get(key, ""), explanation.source, window)


def _metrics(row: Mapping[str, Any] | None, s: Settings) -> dict[str, Metric]:
    r = s.risk
    units = s.units
    per = 1.0 / KM_PER_MILE if units == "mi" else 1.0
    get = (lambda c: _f(row.get(c))) if row is not None else (lambda c: math.nan)
    ratio = get(RATIO_COLUMNS[r.acwr_metric])
    change = get("run_km_change_pct")
    run7 = get("run_km_7d") * per
    spike = get("spike_recent_pct")
    if math.isnan(spike) and row is not None and "spike_recent_pct" not in row:
        spike = get("spike_pct")  # a table without the recent-spike column
    mono = get("monotony")
    cov = get("coverage_days_pct")
    if math.isnan(change) or math.isnan(run7) or get("run_km_7d") < 5.0:
        ch_band = ("not flagged" if not math.isnan(change) else "not yet", "unknown")
    elif round(change) > r.run_km_increase_pct:
        ch_band = ("fast rise", "watch")
    else:
        ch_band = ("usual", "ok")
    if math.isnan(mono):
        mono_band = ("not yet", "unknown")
    elif round(mono, 1) > r.monotony_high:
        mono_band = ("monotonous", "watch")
    else:
        mono_band = ("varied", "ok")
    out = {
        "acwr": _metric("acwr", _RATIO_LONG[r.acwr_metric], ratio, "", _ratio_text(ratio),
                        _ratio_band(ratio, s), WINDOW_7D, ratio_explanation(r.acwr_metric)),
        "run_km_7d": _metric("run_km_7d", f"Running, {WINDOW_7D}", run7, units,
                             "—" if math.isnan(run7) else f"{run7:,.1f} {units}",
                             ("", "ok" if not math.isnan(run7) else "unknown"), WINDOW_7D,
                             EXPLANATIONS["run_km_7d"]),
        "run_km_change_pct": _metric("run_km_change_pct", "Running distance vs your usual week",
                                     change, "%", _pct_text(change), ch_band, WINDOW_7D,
                                     EXPLANATIONS["run_km_change_pct"]),
        "spike_pct": _metric("spike_pct", "Largest run spike", spike, "%", _pct_text(spike),
                             _spike_band(spike, s), f"last {r.spike_days} days",
                             EXPLANATIONS["spike_pct"]),
        "monotony": _metric("monotony", "Monotony", mono, "", _ratio_text(mono).replace(
            "no base yet", "all days alike"), mono_band, WINDOW_7D, EXPLANATIONS["monotony"]),
        "coverage": _metric("coverage", "Days with sessions (28 days)", cov, "%",
                            "—" if math.isnan(cov) else f"{cov:.0f} %",
                            ("enough", "ok") if not math.isnan(cov) and cov >= r.coverage_floor
                            else ("too few", "watch"), "last 28 days", EXPLANATIONS["coverage"]),
    }
    return out


def _reasons(row: Mapping[str, Any] | None, s: Settings) -> tuple[Reason, ...]:
    if row is None:
        return (Reason("no sessions recorded yet", "coverage", PLAIN["coverage"],
                       EXPLANATIONS["coverage"], EVIDENCE["coverage"]),)
    texts = [t for t in str(row.get("reasons") or "").split("; ") if t]
    keys = [k for k in str(row.get("reason_keys") or "").split(";") if k]
    keys += ["load"] * (len(texts) - len(keys))
    out = []
    for text, key in zip(texts, keys, strict=False):
        details = (ratio_explanation(s.risk.acwr_metric) if key == "acwr"
                   else EXPLANATIONS.get(key, EXPLANATIONS["risk_level"]))
        out.append(Reason(text, key, PLAIN.get(key, ""), details, EVIDENCE.get(key, "")))
    return tuple(out)


def _window_summary(parts: pd.DataFrame | None, sessions: pd.DataFrame | None, athlete: str,
                    as_of: pd.Timestamp) -> tuple[int, float, dict[str, int], dict[str, float]]:
    """Sessions (each once) and minutes of the last 7 days; per area: sessions by main area,
    minutes by part."""
    lo = as_of.normalize() - pd.Timedelta(days=6)
    hi = as_of.normalize() + pd.Timedelta(days=1)
    area_n: dict[str, int] = {}
    area_min: dict[str, float] = {}
    n = 0
    if sessions is not None and len(sessions):
        s = sessions.loc[(sessions["athlete"] == athlete) & (sessions["start"] >= lo)
                         & (sessions["start"] < hi)]
        n = len(s)
        if "area" in s.columns:
            area_n = {str(k): int(v) for k, v in s["area"].astype(str).value_counts().items()}
    total = 0.0
    if parts is not None and len(parts):
        p = parts.loc[(parts["athlete"] == athlete) & (parts["start"] >= lo)
                      & (parts["start"] < hi)]
        mins = pd.to_numeric(p["seconds"], errors="coerce").fillna(0.0) / 60.0
        area_min = {str(k): float(v) for k, v in mins.groupby(p["area"].astype(str)).sum().items()}
        total = float(mins.sum())
    return n, total, area_n, area_min


def _window_summaries(parts: pd.DataFrame | None, sessions: pd.DataFrame | None,
                      as_of: pd.Timestamp
                      ) -> dict[str, tuple[int, float, dict[str, int], dict[str, float]]]:
    """:func:`_window_summary` of every athlete in ``sessions``/``parts`` on one day, in one
    pass (athlete -> summary; athletes with nothing in the window are left out)."""
    lo = as_of.normalize() - pd.Timedelta(days=6)
    hi = as_of.normalize() + pd.Timedelta(days=1)
    out: dict[str, tuple[int, float, dict[str, int], dict[str, float]]] = {}
    if sessions is not None and len(sessions):
        s = sessions.loc[(sessions["start"] >= lo) & (sessions["start"] < hi)]
        names = s["athlete"].astype(str).to_numpy()
        areas = (s["area"].astype(str).to_numpy() if "area" in s.columns
                 else np.full(len(s), None, dtype=object))
        for name, area in zip(names, areas, strict=True):
            n, total, area_n, area_min = out.setdefault(name, (0, 0.0, {}, {}))
            if area is not None:
                area_n[area] = area_n.get(area, 0) + 1
            out[name] = (n + 1, total, area_n, area_min)
    if parts is not None and len(parts):
        p = parts.loc[(parts["start"] >= lo) & (parts["start"] < hi)]
        mins = (pd.to_numeric(p["seconds"], errors="coerce").fillna(0.0) / 60.0).to_numpy()
        names = p["athlete"].astype(str).to_numpy()
        areas = p["area"].astype(str).to_numpy()
        for name in dict.fromkeys(names):
            m = names == name
            n, _, area_n, _ = out.get(name, (0, 0.0, {}, {}))
            per = pd.Series(mins[m]).groupby(areas[m]).sum()
            out[name] = (n, float(pd.Series(mins[m]).sum()), area_n,
                         {str(k): float(v) for k, v in per.items()})
    return out


# --------------------------------------------------------------------------- public API

def assess(risk_rows: pd.DataFrame, *, athlete: str | None = None,
           settings: Settings = DEFAULT_SETTINGS, as_of: date | pd.Timestamp | None = None,
           parts: pd.DataFrame | None = None,
           sessions: pd.DataFrame | None = None) -> Assessment:
    """The assessment of one athlete on ``as_of`` (default: the last day of ``risk_rows``).

    ``risk_rows``: the athlete's rows of ``risk.risk_table`` (or ``risk.daily_metrics``) computed
    with the same ``settings``. ``parts``/``sessions`` (optional) give the last-7-days summary.
    """
    rows = risk_rows
    if athlete is not None and "athlete" in rows.columns:
        rows = rows.loc[rows["athlete"] == athlete]
    if as_of is not None and len(rows):
        rows = rows.loc[pd.to_datetime(rows["date"]) <= pd.Timestamp(as_of)]
    name = athlete if athlete is not None else (
        str(rows["athlete"].iloc[0]) if "athlete" in rows.columns and len(rows) else "")
    row: Mapping[str, Any] | None = None
    day: pd.Timestamp | None = None
    if len(rows):
        last = rows.iloc[int(np.argmax(pd.to_datetime(rows["date"]).to_numpy()))]
        row = last.to_dict()
        day = pd.Timestamp(last["date"])
    ref = pd.Timestamp(as_of) if as_of is not None else day
    if ref is not None:
        window = _window_summary(parts, sessions, name, ref)
    else:
        window = 0, 0.0, {}, {}
    return _assessment(name, row, day, settings, window)


def _assessment(name: str, row: Mapping[str, Any] | None, day: pd.Timestamp | None,
                settings: Settings,
                window: tuple[int, float, dict[str, int], dict[str, float]]) -> Assessment:
    """The assessment made of one athlete's daily-metrics row of ``day`` (None: no rows) and
    the last-7-days summary (see :func:`_window_summary`)."""
    level = str(row.get("risk_level")) if row is not None else "not enough data"
    if level not in LEVELS:
        level = "not enough data"
    per = 1.0 / KM_PER_MILE if settings.units == "mi" else 1.0
    limit = _f(row.get("next_run_limit_km")) * per if row is not None else math.nan
    n, mins, area_n, area_min = window
    return Assessment(
        athlete=name, date=day, level=level, reasons=_reasons(row, settings),
        metrics=_metrics(row, settings), units=settings.units,
        ratio_metric=settings.risk.acwr_metric, next_run_limit=limit, sessions_7d=n,
        minutes_7d=mins, area_sessions_7d=area_n, area_minutes_7d=area_min,
        targets=dict(settings.targets),
        hr_unset_pct=_f(row.get("coverage_hr_unset_pct")) if row is not None else math.nan,
        days_since={a: _f(row.get(f"days_since_{a}")) if row is not None else math.nan
                    for a in TRAINING_AREAS})


def triage_sort(assessments: Iterable[Assessment]) -> list[Assessment]:
    """Assessments in triage order (see :data:`TRIAGE_RULE`): the one order of every view."""
    def key(a: Assessment) -> tuple[int, float, str]:
        r = a.ratio.value
        r = -1.0 if math.isnan(r) else (1e9 if math.isinf(r) else r)
        return (a.rank, -r, a.athlete)

    return sorted(assessments, key=key)


def assess_all(analysis: Any, *, settings: Settings = DEFAULT_SETTINGS,
               as_of: date | pd.Timestamp | None = None,
               athletes: Sequence[str] | None = None) -> list[Assessment]:
    """One assessment per athlete of a ``pipeline.Analysis`` as of ``as_of``, in triage order.

    ``athletes`` (default: everyone in the risk table) may name athletes without sessions; they
    get "not enough data"."""
    risk_df = analysis.risk
    names = list(athletes) if athletes is not None else sorted(
        risk_df["athlete"].astype(str).unique()) if len(risk_df) else []
    if as_of is None:  # each athlete's own last day: one at a time
        groups = {str(k): v for k, v in risk_df.groupby(risk_df["athlete"].astype(str),
                                                         sort=False)} if len(risk_df) else {}
        out = [assess(groups.get(name, risk_df.iloc[:0]), athlete=name, settings=settings,
                      parts=analysis.parts, sessions=analysis.sessions) for name in names]
        return triage_sort(out)
    # one day for everyone: each athlete's row of that day and last-7-days summary found in
    # one pass over the squad's rows (the same numbers as :func:`assess`, athlete by athlete)
    ref = pd.Timestamp(as_of)
    rows_of: dict[str, dict[str, Any]] = {}
    if len(risk_df):
        r = risk_df.loc[pd.to_datetime(risk_df["date"]) <= ref]
        if len(r):
            dates = pd.to_datetime(r["date"]).to_numpy()
            order = np.lexsort((-dates.astype("datetime64[ns]").astype(np.int64),
                                pd.factorize(r["athlete"].astype(str))[0]))
            r = r.iloc[order]
            first = ~r["athlete"].astype(str).duplicated().to_numpy()
            for rec in r.iloc[np.flatnonzero(first)].to_dict(orient="records"):
                rows_of[str(rec["athlete"])] = rec
    windows = _window_summaries(analysis.parts, analysis.sessions, ref)
    out = []
    for name in names:
        row = rows_of.get(name)
        day = pd.Timestamp(row["date"]) if row is not None else None
        out.append(_assessment(name, row, day, settings,
                               windows.get(name, (0, 0.0, {}, {}))))
    return triage_sort(out)


#: Columns of :func:`roster_frame` (distance columns carry the unit in their name).
def roster_columns(units: str) -> list[str]:
    return ["rank", "athlete", "risk_level", "top_reason", "acwr_name", "acwr", "acwr_band",
            "acwr_status",
            f"run_{units}_7d", "run_change_pct", "spike_pct", "spike_band",
            f"next_run_limit_{units}", *[f"days_since_{a}" for a in TRAINING_AREAS[1:]],
            "coverage_days_pct", "date", "heuristic_version"]


ROSTER_COLUMNS: Final[list[str]] = roster_columns("km")


def roster_frame(assessments: Sequence[Assessment]) -> pd.DataFrame:
    """The roster table (screen, CSV and print) in the order given (use :func:`triage_sort`)."""
    units = assessments[0].units if assessments else "km"
    recs = []
    for i, a in enumerate(assessments, start=1):
        m = a.metrics
        rec: dict[str, Any] = {
            "rank": i, "athlete": a.athlete, "risk_level": a.level, "top_reason": a.top_reason,
            "acwr_name": a.ratio_name, "acwr": m["acwr"].value,
            "acwr_band": m["acwr"].band, "acwr_status": m["acwr"].status,
            f"run_{units}_7d": m["run_km_7d"].value,
            "run_change_pct": m["run_km_change_pct"].value, "spike_pct": m["spike_pct"].value,
            "spike_band": m["spike_pct"].band, f"next_run_limit_{units}": a.next_run_limit,
        }
        for area in TRAINING_AREAS[1:]:
            rec[f"days_since_{area}"] = a.days_since.get(area, math.nan)
        rec.update(coverage_days_pct=m["coverage"].value, date=a.date,
                   heuristic_version=a.version)
        recs.append(rec)
    return pd.DataFrame.from_records(recs, columns=roster_columns(units))
