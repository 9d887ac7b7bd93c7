"""Per-session training load (DESIGN §4): session-RPE load, estimated RPE, Banister TRIMP.

* ``load`` (arbitrary units, AU) = RPE (CR-10) x minutes (Foster et al. 2001, session-RPE);
  minutes are moving time where known, else elapsed time.
* Without an RPE the RPE is estimated: from the heart-rate reserve when the athlete's HR max and
  HR rest are known and the session is endurance (or other) work, else from an area default.
  ``load_source`` says which: ``"rpe"``, ``"hr"`` or ``"area default"``.
* ``trimp`` = Banister TRIMP, average-HR form, where average HR and the athlete's HR max/rest are
  known; a separate number, never added to ``load``.
* Absurd times are not allowed to poison the load: a session recorded as 23 days long (a watch
  left running; such a row exists in a real Strava export) gets ``minutes`` and ``load`` NaN and a
  plain-word ``load_note`` saying why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from stridewise.settings import AthleteProfile

__all__ = [
    "AREA_DEFAULT_RPE", "HRR_TO_RPE", "MAX_SESSION_HOURS", "MAX_RUN_KMH", "add_load",
    "usable_minutes", "running_km", "rpe_from_hrr", "banister_trimp", "estimate_hr_profile",
    "HR_REST_TYPICAL",
]

#: RPE (CR-10) assumed for a session without RPE or usable heart rate, by area. A Stridewise
#: choice in the range of typical session RPEs: easy-to-moderate running 3-5, resistance
#: training 5-6, plyometrics 6-7, mobility/stretching 1-2 (cf. Foster et al. 2001; Day et al.
#: 2004 for resistance training).
AREA_DEFAULT_RPE: Final[dict[str, float]] = {
    "endurance": 4.0, "strength": 5.0, "plyometrics": 6.0, "stability": 3.0,
    "flexibility": 2.0, "other": 3.0,
}

#: Heart-rate reserve fraction -> RPE (CR-10), interpolated linearly between the anchors.
#: Anchors follow the ACSM intensity table (Garber et al. 2011, Med Sci Sports Exerc 43:1334,
#: Table 2): < 30 % HRR very light, 30-39 % light, 40-59 % moderate, 60-89 % vigorous,
#: >= 90 % near-maximal, with the Borg 6-20 ranges given there (< 9, 9-11, 12-13, 14-17, >= 18)
#: placed on the CR-10 scale (very light 1, light 2, moderate 3, hard 5, very hard 8, max 10).
HRR_TO_RPE: Final[tuple[tuple[float, ...], tuple[float, ...]]] = (
    (0.0, 0.30, 0.40, 0.60, 0.90, 1.00),
    (1.0, 2.0, 3.0, 5.0, 8.0, 10.0),
)

#: A single session longer than this many hours is treated as a recording error.
MAX_SESSION_HOURS: Final[float] = 48.0
#: Sessions over 6 h whose average speed is below this (km/h) are treated as recording errors.
MIN_PLAUSIBLE_KMH: Final[float] = 1.0
#: A "run" faster than this on average (km/h) was most likely a ride saved as a run (or a GPS
#: glitch): its distance is not counted as running km (the world-record marathon pace is ~21 km/h).
MAX_RUN_KMH: Final[float] = 30.0

# Areas whose effort heart rate reflects; resistance work is under-read by HR (the reason
# session-RPE exists, Foster et al. 2001), so those areas use their default instead.
_HR_AREAS: Final[frozenset[str]] = frozenset({"endurance", "other", ""})


def rpe_from_hrr(hrr: np.ndarray | float) -> np.ndarray:
    """RPE (CR-10) from a heart-rate-reserve fraction (clipped to 0..1); see :data:`HRR_TO_RPE`."""
    x = np.clip(np.asarray(hrr, dtype=float), 0.0, 1.0)
    return np.interp(x, HRR_TO_RPE[0], HRR_TO_RPE[1])


def banister_trimp(minutes: np.ndarray | float, hrr: np.ndarray | float,
                   female: np.ndarray | bool = False) -> np.ndarray:
    """Banister TRIMP (average-HR form): minutes x HRr x 0.64 x e^(1.92 HRr) for men,
    0.86 x e^(1.67 HRr) for women (Banister 1991; Morton, Fitz-Clarke & Banister 1990)."""
    m = np.asarray(minutes, dtype=float)
    x = np.clip(np.asarray(hrr, dtype=float), 0.0, 1.0)
    fem = np.asarray(female, dtype=bool)
    weight = np.where(fem, 0.86 * np.exp(1.67 * x), 0.64 * np.exp(1.92 * x))
    return m * x * weight


def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float)


def usable_minutes(sessions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(minutes, note) per session: moving time where known, else elapsed time, in minutes.

    Recording errors give NaN minutes and a note: longer than :data:`MAX_SESSION_HOURS`, or longer
    than 6 h at under :data:`MIN_PLAUSIBLE_KMH` average speed. When the moving time is absurd but
    the elapsed time is plausible, the elapsed time is used (and the other way round).
    """
    moving = _col(sessions, "moving_s")
    elapsed = _col(sessions, "duration_s")
    dist_m = _col(sessions, "distance_m")

    def plausible(sec: np.ndarray) -> np.ndarray:
        ok = np.isfinite(sec) & (sec >= 0) & (sec <= MAX_SESSION_HOURS * 3600)
        slow = (np.isfinite(dist_m) & (dist_m > 0) & (sec > 6 * 3600)
                & (dist_m / np.where(sec > 0, sec, np.nan) * 3.6 < MIN_PLAUSIBLE_KMH))
        return ok & ~slow

    ok_m, ok_e = plausible(moving), plausible(elapsed)
    sec = np.where(ok_m, moving, np.where(ok_e, elapsed, np.nan))
    note = np.full(len(sessions), "", dtype=object)
    bad = ~ok_m & ~ok_e & (np.isfinite(moving) | np.isfinite(elapsed))
    if bad.any():
        worst = np.where(np.isfinite(elapsed), elapsed, moving)
        for k in np.flatnonzero(bad):
            hours = worst[k] / 3600.0
            km = dist_m[k] / 1000.0 if np.isfinite(dist_m[k]) else np.nan
            what = (f"{hours:,.0f} h for {km:.1f} km" if np.isfinite(km) and km > 0
                    else f"{hours:,.0f} h")
            note[k] = (f"recorded time of {what} is implausible for one session "
                       f"(a watch left running?); time and load not counted")
    missing = ~np.isfinite(moving) & ~np.isfinite(elapsed)
    note[missing] = "no duration recorded; time and load not counted"
    return sec / 60.0, note


def running_km(sessions: pd.DataFrame,
               minutes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(km, note) per session: the distance of runs (``schema.RUN_SPORTS``) in km, 0 for other
    sports; a run faster than :data:`MAX_RUN_KMH` on average counts 0 km with a note."""
    from stridewise.schema import RUN_SPORTS

    n = len(sessions)
    if "sport" not in sessions.columns:
        return np.zeros(n), np.full(n, "", dtype=object)
    is_run = sessions["sport"].isin(RUN_SPORTS).to_numpy(dtype=bool)
    km = np.where(is_run, np.nan_to_num(_col(sessions, "distance_m")) / 1000.0, 0.0)
    if minutes is None:
        minutes = usable_minutes(sessions)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        kmh = km / (minutes / 60.0)
    fast = is_run & (km > 0) & np.isfinite(kmh) & (kmh > MAX_RUN_KMH)
    note = np.full(n, "", dtype=object)
    for k in np.flatnonzero(fast):
        note[k] = (f"{km[k]:.1f} km at {kmh[k]:.0f} km/h is too fast for a run (a ride saved as "
                   f"a run?); not counted as running km")
    return np.where(fast, 0.0, km), note


def _profile_arrays(athletes: pd.Series,
                    profiles: Mapping[str, Any] | None) -> tuple[np.ndarray, ...]:
    """(hr_max, hr_rest, female) per session, looked up by athlete in one pass.

    Each distinct athlete name is resolved once; sessions pick their row by index
    (``pd.factorize``), so the cost grows with sessions + athletes, not their product.
    """
    n = len(athletes)
    hr_max = np.full(n, np.nan)
    hr_rest = np.full(n, np.nan)
    female = np.zeros(n, dtype=bool)
    if not profiles or n == 0:
        return hr_max, hr_rest, female
    codes, uniques = pd.factorize(athletes.astype(str), sort=False)
    k = len(uniques)
    u_max = np.full(k + 1, np.nan)  # slot k: sessions without an athlete (code -1)
    u_rest = np.full(k + 1, np.nan)
    u_female = np.zeros(k + 1, dtype=bool)
    for j, name in enumerate(uniques):
        prof = profiles.get(name)
        if isinstance(prof, Mapping):
            prof = AthleteProfile(prof.get("hr_max"), prof.get("hr_rest"), prof.get("sex"))
        if prof is None:
            continue
        if prof.has_hr_reserve:
            u_max[j] = float(prof.hr_max)  # type: ignore[arg-type]
            u_rest[j] = float(prof.hr_rest)  # type: ignore[arg-type]
        u_female[j] = (str(prof.sex or "").lower() == "female")
    idx = np.where(codes < 0, k, codes)
    return u_max[idx], u_rest[idx], u_female[idx]


def add_load(sessions: pd.DataFrame,
             profiles: Mapping[str, AthleteProfile] | None = None) -> pd.DataFrame:
    """A copy of ``sessions`` with ``minutes``, ``rpe_used``, ``load`` (AU), ``load_source``,
    ``trimp``, ``run_km`` (running km, see :func:`running_km`) and ``load_note``.

    ``profiles`` maps athlete -> :class:`AthleteProfile` (HR max/rest, sex) for the HR-based RPE
    estimate and TRIMP. Uses ``area`` for the defaults ("" counts as other); classify first.
    """
    out = sessions.copy()
    n = len(out)
    minutes, note = usable_minutes(out)
    rpe = _col(out, "rpe")
    rpe = np.where((rpe >= 0) & (rpe <= 10), rpe, np.nan)
    avg_hr = _col(out, "avg_hr")
    area = (out["area"].astype(object).where(out["area"].notna(), "").astype(str).to_numpy()
            if "area" in out.columns else np.full(n, "", dtype=object))
    athletes = out["athlete"] if "athlete" in out.columns else pd.Series([""] * n)
    hr_max, hr_rest, female = _profile_arrays(athletes, profiles)
    with np.errstate(invalid="ignore", divide="ignore"):
        hrr = (avg_hr - hr_rest) / (hr_max - hr_rest)
    has_hr = np.isfinite(hrr) & (avg_hr > 0)
    hr_ok = has_hr & np.isin(area, list(_HR_AREAS))
    default = np.array([AREA_DEFAULT_RPE.get(a, AREA_DEFAULT_RPE["other"]) for a in area],
                       dtype=float) if n else np.zeros(0)
    has_rpe = np.isfinite(rpe)
    rpe_used = np.where(has_rpe, rpe, np.where(hr_ok, rpe_from_hrr(np.nan_to_num(hrr)), default))
    source = np.where(has_rpe, "rpe", np.where(hr_ok, "hr", "area default"))
    out["minutes"] = minutes
    out["rpe_used"] = np.round(rpe_used, 2)
    out["load"] = out["rpe_used"].to_numpy(dtype=float) * minutes
    out["load_source"] = pd.Series(source, index=out.index, dtype=str)
    out["trimp"] = np.where(has_hr, banister_trimp(minutes, np.nan_to_num(hrr), female), np.nan)
    run_km, km_note = running_km(out, minutes)
    out["run_km"] = run_km
    note = np.where(note == "", km_note, np.where(km_note == "", note, note + "; " + km_note))
    # heart rate recorded but unusable without HR max / rest: say the load is estimated
    hr_unset = (avg_hr > 0) & ~np.isfinite(hrr) & ~has_rpe & np.isin(area, list(_HR_AREAS))
    hr_text = "estimated: heart rate recorded but HR max and resting HR are not set"
    note = np.where(hr_unset, np.where(note == "", hr_text, note + "; " + hr_text), note)
    if "duration_estimated" in out.columns:  # set by the importer for distance-only sessions
        est = out["duration_estimated"].fillna(False).to_numpy(dtype=bool)
        text = "minutes estimated from the distance (no time was recorded)"
        note = np.where(est, np.where(note == "", text, text + "; " + note), note)
    out["load_note"] = pd.Series(note, index=out.index, dtype=str)
    return out


#: Plausible bounds (bpm) for an estimated HR max; readings outside are sensor glitches.
HR_MAX_PLAUSIBLE: Final[tuple[float, float]] = (120.0, 230.0)
#: Resting heart rate offered when none is set: a typical adult value (normal range 60-100 bpm,
#: American Heart Association; trained runners are often lower). The user confirms or edits it.
HR_REST_TYPICAL: Final[float] = 60.0


def estimate_hr_profile(sessions: pd.DataFrame, athlete: str,
                        as_of: pd.Timestamp | None = None) -> dict[str, float] | None:
    """HR max / rest (bpm) to offer an athlete whose sessions have heart rate but no profile.

    hr_max: the highest heart rate (session max, else session average) of the 12 months ending
    ``as_of``, ignoring readings outside :data:`HR_MAX_PLAUSIBLE`. hr_rest:
    :data:`HR_REST_TYPICAL`. ``sessions_with_hr``: how many sessions carry heart rate. None when
    no session of the athlete in that window has a plausible heart rate.
    """
    if len(sessions) == 0 or "athlete" not in sessions.columns:
        return None
    s = sessions.loc[sessions["athlete"] == athlete]
    if len(s) == 0:
        return None
    start = pd.to_datetime(s["start"])
    end = pd.Timestamp(as_of) if as_of is not None else start.max()
    s = s.loc[(start > end - pd.Timedelta(days=365)) & (start < end + pd.Timedelta(days=1))]
    lo, hi = HR_MAX_PLAUSIBLE
    peak = _col(s, "max_hr")
    avg = _col(s, "avg_hr")
    seen = np.where(np.isfinite(peak) & (peak > 0), peak, avg)
    ok = np.isfinite(seen) & (seen >= lo) & (seen <= hi)
    if not ok.any():
        return None
    with_hr = int((np.isfinite(avg) & (avg > 0)).sum())
    return {"hr_max": float(np.round(seen[ok].max())), "hr_rest": HR_REST_TYPICAL,
            "sessions_with_hr": float(with_hr)}
