"""User-adjustable settings: weekly area targets, risk thresholds, units, week start.

Every default threshold names its source. Settings are frozen dataclasses; :meth:`Settings.to_dict`
gives a JSON-able dict for the store and :meth:`Settings.from_dict` reads one back, tolerating
missing or unknown keys (a settings file saved by an older version still loads).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Final, Literal

from stridewise.errors import UsageError
from stridewise.schema import TRAINING_AREAS

__all__ = [
    "DEFAULT_TARGETS", "TARGET_SOURCES", "RiskSettings", "RISK_SOURCES", "Settings",
    "AthleteProfile", "DEFAULT_SETTINGS", "KM_PER_MILE",
]

#: Default weekly targets in sessions per week per area.
#: endurance 3: the usual minimum for a recreational runner's week. strength 2: muscle-strengthening
#: on 2+ days a week (WHO 2020 guidelines; ACSM, Garber et al. 2011). plyometrics 1: runner
#: plyometric programmes typically use 1-3 short sessions a week (e.g. Saunders et al. 2006,
#: Ramirez-Campillo et al. 2014); 1 is the conservative start. stability 2: neuromuscular /
#: balance work 2-3 days a week (ACSM, Garber et al. 2011). flexibility 3: flexibility exercise
#: 2-3 days a week, daily being most effective (ACSM, Garber et al. 2011).
DEFAULT_TARGETS: Final[dict[str, float]] = {
    "endurance": 3.0, "strength": 2.0, "plyometrics": 1.0, "stability": 2.0, "flexibility": 3.0,
}

TARGET_SOURCES: Final[dict[str, str]] = {
    "endurance": "common minimum for a recreational runner's week",
    "strength": "WHO 2020 physical-activity guidelines; ACSM (Garber et al. 2011): 2+ days/week",
    "plyometrics": "runner plyometric programmes (Saunders et al. 2006): 1-3 short sessions/week",
    "stability": "ACSM (Garber et al. 2011): neuromotor/balance work 2-3 days/week",
    "flexibility": "ACSM (Garber et al. 2011): flexibility exercise 2-3 days/week",
}

AcwrMetric = Literal["coupled", "uncoupled", "ewma"]

#: Kilometres in a statute mile (exact, international mile 1959).
KM_PER_MILE: Final[float] = 1.609344


@dataclass(frozen=True)
class RiskSettings:
    """Thresholds of the injury-risk heuristic (see :data:`RISK_SOURCES` for each default's source).

    acwr_low / acwr_high / acwr_very_high: acute:chronic workload ratio bands (Gabbett 2016:
    0.8-1.3 "sweet spot", above 1.5 "danger zone"). acwr_metric: which ratio drives the level.
    monotony_high: Foster 1998 (monotony above 2.0 with high load preceded illness/injury).
    run_km_increase_pct: weekly running-km increase vs the previous 3 weeks' mean (Nielsen et al.
    2014: over 30 % a week linked to distance-related injuries). spike_small / spike_moderate /
    spike_large: single-run spike bands in % above the longest run of the previous 30 days
    (Frandsen et al. 2025, BJSM). spike_days: how many days a spike keeps counting.
    coverage_floor: minimum % of the last 28 days with a recorded session; below it the level is
    "not enough data". min_history_days: days of history needed before any level (the 28-day
    ratios). rpe_hr_floor: below this % of sessions with RPE or heart rate the reasons say that
    loads are estimated from duration only (informational). days_without_area: a gap in an area
    the athlete does train (strength, stability, ...) is mentioned after this many days.
    """

    acwr_low: float = 0.8
    acwr_high: float = 1.3
    acwr_very_high: float = 1.5
    acwr_metric: AcwrMetric = "uncoupled"
    monotony_high: float = 2.0
    run_km_increase_pct: float = 30.0
    spike_small: float = 10.0
    spike_moderate: float = 30.0
    spike_large: float = 100.0
    spike_days: int = 7
    coverage_floor: float = 20.0
    min_history_days: int = 28
    rpe_hr_floor: float = 50.0
    days_without_area: int = 14

    def validate(self) -> None:
        """Raise :class:`UsageError` when the thresholds contradict each other."""
        if not (0 < self.acwr_low < self.acwr_high <= self.acwr_very_high):
            raise UsageError("The acute:chronic thresholds must rise: low < high <= very high.")
        if not (0 <= self.spike_small < self.spike_moderate < self.spike_large):
            raise UsageError("The run-spike bands must rise: small < moderate < large.")
        if self.acwr_metric not in ("coupled", "uncoupled", "ewma"):
            raise UsageError("The ratio for the risk level must be coupled, uncoupled or ewma.")
        if not (0 <= self.coverage_floor <= 100 and 0 <= self.rpe_hr_floor <= 100):
            raise UsageError("Coverage floors are percentages between 0 and 100.")
        if self.monotony_high <= 0 or self.run_km_increase_pct <= 0:
            raise UsageError("The monotony and running-km thresholds must be above 0.")
        if self.days_without_area < 1 or self.spike_days < 1 or self.min_history_days < 1:
            raise UsageError("Day counts in the risk settings must be at least 1.")


RISK_SOURCES: Final[dict[str, str]] = {
    "acwr_low": "Gabbett 2016, Br J Sports Med 50:273 (ACWR below 0.8: under-prepared)",
    "acwr_high": "Gabbett 2016 (0.8-1.3 'sweet spot')",
    "acwr_very_high": "Gabbett 2016 (above 1.5 'danger zone')",
    "acwr_metric": "uncoupled 7:21 rolling average: the acute week is not part of the chronic "
                   "base, which avoids the coupling artefact (Lolli et al. 2019; Windt & "
                   "Gabbett 2019)",
    "monotony_high": "Foster 1998, Med Sci Sports Exerc 30:1164 (monotony above 2.0)",
    "run_km_increase_pct": "Nielsen et al. 2014, J Orthop Sports Phys Ther 44:739 (over 30 %/week)",
    "spike_small": "Frandsen et al. 2025, Br J Sports Med (single-run spike +10-30 %: small)",
    "spike_moderate": "Frandsen et al. 2025 (+30-100 %: moderate)",
    "spike_large": "Frandsen et al. 2025 (over +100 %: large)",
    "spike_days": "Stridewise choice: a spike is reported for a week",
    "coverage_floor": "Stridewise choice: about 1.5 recorded days a week",
    "min_history_days": "the 28-day chronic window of the ratios",
    "rpe_hr_floor": "Stridewise choice",
    "days_without_area": "Stridewise choice: two weeks",
}


@dataclass(frozen=True)
class AthleteProfile:
    """Per-athlete physiology used for load estimates. hr_max / hr_rest in beats per minute."""

    hr_max: float | None = None
    hr_rest: float | None = None
    sex: Literal["male", "female"] | None = None

    @property
    def has_hr_reserve(self) -> bool:
        """True when both HR max and HR rest are known and max > rest."""
        return (self.hr_max is not None and self.hr_rest is not None
                and float(self.hr_max) > float(self.hr_rest) > 0)


WeekStart = Literal["monday", "sunday"]


@dataclass(frozen=True)
class Settings:
    """All user settings. targets: sessions per week per area. units: display distance unit.
    week_start: first day of a training week. tz: default time zone for new athletes."""

    targets: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    risk: RiskSettings = field(default_factory=RiskSettings)
    units: Literal["km", "mi"] = "km"
    week_start: WeekStart = "monday"
    tz: str = "UTC"

    def __hash__(self) -> int:  # targets is a dict: hash the JSON-able form
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (see :meth:`from_dict`)."""
        return {
            "targets": {a: float(self.targets.get(a, DEFAULT_TARGETS[a])) for a in TRAINING_AREAS},
            "risk": asdict(self.risk),
            "units": self.units,
            "week_start": self.week_start,
            "tz": self.tz,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> Settings:
        """Settings from a dict as written by :meth:`to_dict`; missing keys take the defaults,
        unknown keys are ignored; a value of the wrong kind raises :class:`UsageError`."""
        d = dict(d or {})
        base = cls()
        targets = dict(DEFAULT_TARGETS)
        for area, value in dict(d.get("targets") or {}).items():
            if area in targets:
                targets[area] = _number(value, f"the weekly target for {area}", minimum=0.0)
        risk_in = dict(d.get("risk") or {})
        risk_kw: dict[str, Any] = {}
        for f in fields(RiskSettings):
            if f.name in risk_in and risk_in[f.name] is not None:
                default = getattr(base.risk, f.name)
                value = risk_in[f.name]
                if isinstance(default, str):
                    risk_kw[f.name] = str(value)
                elif isinstance(default, int) and not isinstance(default, bool):
                    risk_kw[f.name] = int(_number(value, f"the setting {f.name}"))
                else:
                    risk_kw[f.name] = _number(value, f"the setting {f.name}")
        risk = replace(base.risk, **risk_kw)
        risk.validate()
        units = str(d.get("units") or base.units)
        if units not in ("km", "mi"):
            raise UsageError(f"Units must be km or mi, not {units!r}.")
        week_start = str(d.get("week_start") or base.week_start).lower()
        if week_start not in ("monday", "sunday"):
            raise UsageError(f"The week starts on monday or sunday, not {week_start!r}.")
        tz = str(d.get("tz") or base.tz)
        return cls(targets=targets, risk=risk, units=units,  # type: ignore[arg-type]
                   week_start=week_start, tz=tz)  # type: ignore[arg-type]


def _number(value: Any, what: str, minimum: float | None = None) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{what.capitalize()} must be a number, not {value!r}.") from None
    if out != out or (minimum is not None and out < minimum):
        raise UsageError(f"{what.capitalize()} must be a number of at least {minimum:g}.")
    return out


#: The settings used when the user has saved none.
DEFAULT_SETTINGS: Final[Settings] = Settings()
