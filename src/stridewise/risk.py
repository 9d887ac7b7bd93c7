"""Daily load metrics and the explained injury-risk heuristic (DESIGN §4), vectorised.

Every metric is computed for all athletes at once on a days x athletes grid (numpy sliding
windows and pandas ``ewm(adjust=False)``; no per-day Python loops). Conventions (exact):

* calendar: one row per day from the athlete's first session day to the last (or ``end``);
  rest days have load 0; a day's load is the sum of its sessions.
* rolling ACWR, coupled: acute = mean of the 7 days ending today, chronic = mean of the 28 days
  ending today; uncoupled: chronic = mean of days t-27 ... t-7. Ratios NaN before day 28.
  ``acute_7d`` appears from day 7, the chronic means from day 28.
* EWMA (Williams 2017): lambda = 2/(N+1), N = 7 and 28, seeded with the first day's load; ratio
  NaN before day 28.
* ratio x/0 -> +inf ("no base yet"), 0/0 -> NaN.
* monotony = mean / SD (ddof 1) of the 7 days ending today; SD 0 -> +inf if mean > 0 else NaN;
  strain = 7-day sum x monotony.
* CTL/ATL: X_d = X_{d-1} + (L_d - X_{d-1}) (1 - e^(-1/tau)), tau 42 / 7, both 0 on the day before
  the first day; TSB_d = CTL_{d-1} - ATL_{d-1}; ramp = CTL_d - CTL_{d-7} (from day 7, CTL of the
  day before the first day being 0).
* running km: 7-day sum vs the mean week of days t-27 ... t-7, in %; single-run spike: the day's
  longest run vs the longest run of the 30 days before, in % (Frandsen et al. 2025 bands).

The heuristic turns these into ``risk_level`` (low / moderate / high / not enough data) with
plain-word ``reasons`` joined by "; ". See :data:`EXPLANATIONS` and ``explain.HEURISTIC_DISCLAIMER``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.lib.stride_tricks import sliding_window_view

from stridewise.errors import UsageError
from stridewise.explain import EXPLANATIONS, HEURISTIC_DISCLAIMER, Explanation
from stridewise.schema import AREAS, TRAINING_AREAS
from stridewise.settings import DEFAULT_SETTINGS, KM_PER_MILE, RiskSettings, Settings

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.assessment import Assessment

__all__ = [
    "RISK_COLUMNS", "EXTRA_COLUMNS", "LEVELS", "daily_metrics", "risk_table", "balance",
    "Assessment", "latest_assessment", "EXPLANATIONS", "Explanation", "HEURISTIC_DISCLAIMER",
    "spike_band",
]

RISK_COLUMNS: Final[list[str]] = [
    "date", "load", "acute_7d", "chronic_28d", "acwr_coupled", "chronic_21d", "acwr_uncoupled",
    "ewma_acute", "ewma_chronic", "acwr_ewma", "monotony", "strain", "ctl", "atl", "tsb", "ramp",
    "run_km_7d", "run_km_change_pct", "spike_pct", "risk_level", "reasons",
]
#: Further columns of :func:`risk_table` (after ``athlete`` + RISK_COLUMNS).
EXTRA_COLUMNS: Final[list[str]] = [
    "history_days", "coverage_days_pct", "coverage_rpe_hr_pct", "spike_band",
    *[f"days_since_{a}" for a in TRAINING_AREAS],
    "reason_keys", "coverage_hr_unset_pct", "run_km_prev_week", "next_run_limit_km",
    "spike_recent_pct", "spike_recent_days_ago",
]
#: Version of the heuristic (the rules that turn the metrics into a level and reasons). Printed
#: on reports and in the CLI output; raise it whenever a rule or default threshold changes.
#: 2.1: reported symptoms (an active niggle with training modified or stopped, or pain >= 4/10)
#: make the level at least moderate with that reason first (see stridewise.niggles).
HEURISTIC_VERSION: Final[str] = "2.1 (2026-12)"
#: Column of the risk table holding each acute:chronic ratio setting.
RATIO_COLUMNS: Final[dict[str, str]] = {
    "coupled": "acwr_coupled", "uncoupled": "acwr_uncoupled", "ewma": "acwr_ewma"}
#: Short names of the ratios, as printed everywhere ("acute:chronic 7:21").
RATIO_SHORT: Final[dict[str, str]] = {
    "coupled": "7:28 coupled", "uncoupled": "7:21", "ewma": "EWMA 7/28"}
LEVELS: Final[tuple[str, ...]] = ("low", "moderate", "high", "not enough data")

TAU_CTL: Final[float] = 42.0
TAU_ATL: Final[float] = 7.0
#: Areas whose gaps the reasons mention (endurance gaps show up in the load itself).
GAP_AREAS: Final[tuple[str, ...]] = ("strength", "plyometrics", "stability", "flexibility")
#: Weekly running-km changes are not flagged while this week's running is below this (km).
RUN_KM_MIN_WEEK: Final[float] = 5.0


# --------------------------------------------------------------------------- window helpers

def _windows(mat: np.ndarray, w: int, lag: int = 0) -> np.ndarray:
    """View (A, L, w): row t holds days t-lag-w+1 ... t-lag of each athlete (zeros before day 0)."""
    a, n = mat.shape
    pad = np.zeros((a, w - 1 + lag), dtype=mat.dtype)
    return sliding_window_view(np.concatenate([pad, mat], axis=1), w, axis=1)[:, :n]


def _count_window(mat: np.ndarray, w: int) -> np.ndarray:
    """Exact rolling sums of integer counts over the w days ending each day (cumulative sums)."""
    c = np.cumsum(np.asarray(mat, dtype=np.int64), axis=1)
    lagged = np.concatenate([np.zeros((c.shape[0], w), dtype=np.int64), c], axis=1)[:, :c.shape[1]]
    return (c - lagged).astype(float)


def _codes(values: pd.Series, categories: object) -> np.ndarray:
    """Integer codes of ``values`` in ``categories`` (-1 when absent), hashing each value once."""
    codes, uniques = pd.factorize(values)
    lookup = pd.Index(list(categories)).get_indexer(pd.Index(uniques))
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1).astype(np.int64)


def _ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x / y with y 0: +inf when x > 0, NaN when x is 0 (NaN stays NaN)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = np.where(y > 0, x / np.where(y > 0, y, 1.0), np.where(x > 0, np.inf, np.nan))
    return np.where(np.isnan(x) | np.isnan(y), np.nan, r)


def _ewm(mat: np.ndarray, alpha: float, seed_zero: bool = False) -> np.ndarray:
    """EWMA along days (axis 1) per athlete: y_t = y_{t-1} + alpha (x_t - y_{t-1}).

    seed_zero=False: y_0 = x_0 (Williams 2017). seed_zero=True: y_{-1} = 0 (CTL/ATL)."""
    frame = pd.DataFrame(mat.T)
    if seed_zero:
        frame = pd.concat([pd.DataFrame(np.zeros((1, mat.shape[0]))), frame], ignore_index=True)
    out = frame.ewm(alpha=alpha, adjust=False).mean().to_numpy().T
    return out[:, 1:] if seed_zero else out


@dataclass
class _Grid:
    """Days x athletes grid: athlete names, first day per athlete, days per athlete."""

    athletes: np.ndarray
    first: np.ndarray  # datetime64[D] per athlete
    n_days: np.ndarray  # int per athlete

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.athletes), int(self.n_days.max()) if len(self.n_days) else 0

    def valid(self) -> np.ndarray:
        a, n = self.shape
        return np.arange(n)[None, :] < self.n_days[:, None]


def _metrics(grid: _Grid, load: np.ndarray, rs: RiskSettings, *,
             run_km: np.ndarray | None = None, longest_run: np.ndarray | None = None,
             spike_in: np.ndarray | None = None, sessions_n: np.ndarray | None = None,
             rpe_hr_n: np.ndarray | None = None, hr_unset_n: np.ndarray | None = None,
             area_days: Mapping[str, np.ndarray] | None = None,
             units: str = "km") -> pd.DataFrame:
    """All metrics on (A, L) matrices; returns the flat table (athlete-major, by day)."""
    a, n = grid.shape
    valid = grid.valid()
    load = np.where(valid, load, 0.0)
    pos = np.broadcast_to(np.arange(n)[None, :], (a, n))
    nan = np.nan

    w7 = _windows(load, 7)
    sum7 = w7.sum(axis=-1)
    sum28 = _windows(load, 28).sum(axis=-1)
    sum21_lag7 = _windows(load, 21, lag=7).sum(axis=-1)
    acute = np.where(pos >= 6, sum7 / 7.0, nan)
    chronic28 = np.where(pos >= 27, sum28 / 28.0, nan)
    chronic21 = np.where(pos >= 27, sum21_lag7 / 21.0, nan)
    ready = pos >= 27
    acwr_c = np.where(ready, _ratio(acute, chronic28), nan)
    acwr_u = np.where(ready, _ratio(acute, chronic21), nan)

    ew_a = _ewm(load, 2.0 / (7 + 1))
    ew_c = _ewm(load, 2.0 / (28 + 1))
    acwr_e = np.where(ready, _ratio(ew_a, ew_c), nan)

    sd = w7.std(axis=-1, ddof=1)
    constant = w7.max(axis=-1) == w7.min(axis=-1)
    sd = np.where(constant, 0.0, sd)
    mean7 = sum7 / 7.0
    monotony = np.where(pos >= 6, _ratio(mean7, sd), nan)
    with np.errstate(invalid="ignore"):
        strain = np.where(np.isnan(monotony), nan,
                          np.where(np.isinf(monotony), np.where(sum7 > 0, np.inf, nan),
                                   sum7 * np.nan_to_num(monotony, posinf=0.0)))

    ctl = _ewm(load, 1.0 - np.exp(-1.0 / TAU_CTL), seed_zero=True)
    atl = _ewm(load, 1.0 - np.exp(-1.0 / TAU_ATL), seed_zero=True)
    ctl_prev = np.concatenate([np.zeros((a, 1)), ctl[:, :-1]], axis=1)
    atl_prev = np.concatenate([np.zeros((a, 1)), atl[:, :-1]], axis=1)
    tsb = ctl_prev - atl_prev
    ctl_lag7 = np.concatenate([np.zeros((a, 7)), ctl], axis=1)[:, :n]  # CTL_{d-7}, 0 at d-7=-1
    ramp = np.where(pos >= 6, ctl - ctl_lag7, nan)

    if run_km is not None:
        run_km = np.where(valid, np.nan_to_num(run_km), 0.0)
        run7 = np.where(pos >= 6, _windows(run_km, 7).sum(axis=-1), nan)
        prev_week = _windows(run_km, 21, lag=7).sum(axis=-1) / 3.0
        run_change = np.where(ready, 100.0 * (_ratio(run7, prev_week) - 1.0), nan)
    else:
        run7 = np.full((a, n), nan)
        prev_week = np.full((a, n), nan)
        run_change = np.full((a, n), nan)

    if spike_in is not None:
        spike = np.where(valid, spike_in, nan)
    elif longest_run is not None:
        longest = np.where(valid, np.nan_to_num(longest_run), 0.0)
        prev_longest = _windows(longest, 30, lag=1).max(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            spike = np.where((longest > 0) & (prev_longest > 0),
                             np.round(100.0 * (longest / np.where(prev_longest > 0,
                                                                  prev_longest, 1.0) - 1.0),
                                      9), nan)  # rounding: 11 km vs 10 km is +10 %, not more
    else:
        spike = np.full((a, n), nan)

    # coverage
    days_with = (sessions_n > 0) if sessions_n is not None else (load > 0)
    days_with = np.where(valid, days_with, False)
    window_len = np.minimum(pos + 1, 28)
    cov_days = 100.0 * _count_window(days_with, 28) / window_len
    if sessions_n is not None and rpe_hr_n is not None:
        s28 = _count_window(np.where(valid, sessions_n, 0), 28)
        q28 = _count_window(np.where(valid, rpe_hr_n, 0), 28)
        cov_rpe = np.where(s28 > 0, 100.0 * q28 / np.where(s28 > 0, s28, 1.0), nan)
    else:
        cov_rpe = np.full((a, n), nan)
    if sessions_n is not None and hr_unset_n is not None:
        h28 = _count_window(np.where(valid, hr_unset_n, 0), 28)
        hr_unset = np.where(s28 > 0, 100.0 * h28 / np.where(s28 > 0, s28, 1.0), nan)
    else:
        hr_unset = np.full((a, n), nan)

    days_since: dict[str, np.ndarray] = {}
    for area in TRAINING_AREAS:
        ind = None if area_days is None else area_days.get(area)
        if ind is None:
            days_since[area] = np.full((a, n), nan)
            continue
        idx = np.where(np.where(valid, ind, False), pos, -1)
        last = np.maximum.accumulate(idx, axis=1)
        days_since[area] = np.where(last >= 0, pos - last, nan)

    # the longest run of the 30 days ending today: the next run's +spike_small limit
    if longest_run is not None:
        longest30 = _windows(np.where(valid, np.nan_to_num(longest_run), 0.0), 30).max(axis=-1)
        next_limit = np.where(longest30 > 0, longest30 * (1.0 + rs.spike_small / 100.0), nan)
    else:
        next_limit = np.full((a, n), nan)

    band = _spike_band_codes(spike, rs)
    spike_recent, spike_ago = _recent_spike(spike, pos, rs.spike_days)
    level, reasons, keys = _heuristic(
        rs, pos=pos, acwr={"coupled": acwr_c, "uncoupled": acwr_u, "ewma": acwr_e}[rs.acwr_metric],
        monotony=monotony, run7=run7, prev_week=prev_week, run_change=run_change,
        spike=(spike_recent, spike_ago), cov_days=cov_days, cov_rpe=cov_rpe, hr_unset=hr_unset,
        days_since=days_since, units=units, ratio_name=RATIO_SHORT[rs.acwr_metric])

    flat = valid.ravel()
    dates = (grid.first[:, None] + np.arange(n)[None, :].astype("timedelta64[D]"))

    def f(m: np.ndarray) -> np.ndarray:
        return np.asarray(m).ravel()[flat]

    out = pd.DataFrame({
        "athlete": _dict_str(np.repeat(np.arange(a), grid.n_days), grid.athletes),
        "date": f(dates).astype("datetime64[ns]"),
        "load": f(load), "acute_7d": f(acute), "chronic_28d": f(chronic28),
        "acwr_coupled": f(acwr_c), "chronic_21d": f(chronic21), "acwr_uncoupled": f(acwr_u),
        "ewma_acute": f(ew_a), "ewma_chronic": f(ew_c), "acwr_ewma": f(acwr_e),
        "monotony": f(monotony), "strain": f(strain), "ctl": f(ctl), "atl": f(atl),
        "tsb": f(tsb), "ramp": f(ramp), "run_km_7d": f(run7),
        "run_km_change_pct": f(run_change), "spike_pct": f(spike),
        "risk_level": _dict_str(f(level), LEVELS),
        "reasons": pd.Series(reasons.filter(pa.array(flat)), dtype="str"),
        "history_days": f(pos + 1).astype("int64"),
        "coverage_days_pct": f(cov_days), "coverage_rpe_hr_pct": f(cov_rpe),
        "spike_band": _dict_str(f(band), _BANDS),
        "reason_keys": pd.Series(keys.filter(pa.array(flat)), dtype="str"),
        "coverage_hr_unset_pct": f(hr_unset),
        "run_km_prev_week": f(prev_week),
        "next_run_limit_km": f(next_limit),
        "spike_recent_pct": f(spike_recent),
        "spike_recent_days_ago": f(spike_ago).astype("int64"),
    })
    for area in TRAINING_AREAS:
        out[f"days_since_{area}"] = f(days_since[area])
    return out


_BANDS: Final[tuple[str, ...]] = ("", "none", "small", "moderate", "large")


def _dict_str(codes: np.ndarray, categories: object) -> pd.Series:
    """A text column from integer codes into ``categories`` (fast for few distinct values)."""
    cats = pa.array([str(c) for c in categories], type=pa.string())
    arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), cats)
    return pd.Series(arr.cast(pa.string()), dtype="str")


def _spike_band_codes(spike_pct: np.ndarray, rs: RiskSettings) -> np.ndarray:
    s = np.asarray(spike_pct, dtype=float)
    return np.select([np.isnan(s), s <= rs.spike_small, s <= rs.spike_moderate,
                      s <= rs.spike_large], [0, 1, 2, 3], default=4)


def spike_band(spike_pct: np.ndarray | float, rs: RiskSettings | None = None) -> np.ndarray:
    """Frandsen et al. 2025 band per spike %: "" (no run to compare), none, small, moderate, large."""
    rs = rs or RiskSettings()
    s = np.asarray(spike_pct, dtype=float)
    return np.select(
        [np.isnan(s), s <= rs.spike_small, s <= rs.spike_moderate, s <= rs.spike_large],
        ["", "none", "small", "moderate"], default="large").astype(object)


# --------------------------------------------------------------------------- heuristic

def _fixed(values: np.ndarray, decimals: int) -> pa.Array:
    """Numbers as text with a fixed number of decimals (vectorised; NaN/inf -> "0")."""
    v = np.nan_to_num(np.asarray(values, dtype=float).ravel(), nan=0.0, posinf=0.0,
                      neginf=0.0)
    if decimals == 0:
        return pc.cast(pa.array(np.round(v).astype(np.int64)), pa.string())
    scale = 10 ** decimals
    h = np.round(np.abs(v) * scale).astype(np.int64)
    whole = pc.cast(pa.array(h // scale), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(h % scale), pa.string()), decimals, "0")
    if (v < 0).any():
        sign = pa.array(np.where((v < 0) & (h > 0), "-", ""))
        return pc.binary_join_element_wise(sign, whole, ".", frac, "")
    return pc.binary_join_element_wise(whole, ".", frac, "")


#: A reason piece: literal text, or (values, decimals) formatted per row, or a function of the
#: flagged rows' flat indices returning text.
_Piece = str | tuple[np.ndarray, int] | Callable[[np.ndarray], pa.Array]


_LOOKUP_MAX: Final[int] = 200_000


def _render(idx: np.ndarray, pieces: tuple[_Piece, ...]) -> pa.Array:
    numeric = [p for p in pieces if isinstance(p, tuple)]
    if len(numeric) == 1 and all(isinstance(p, (str, tuple)) for p in pieces):
        # one number in literal text: format each distinct value once, then look rows up
        values, decimals = numeric[0]
        v = np.nan_to_num(np.asarray(values, dtype=float).ravel()[idx], nan=0.0, posinf=0.0,
                          neginf=0.0)
        scaled = np.round(v * 10 ** decimals).astype(np.int64)
        lo, hi = (int(scaled.min()), int(scaled.max())) if len(scaled) else (0, 0)
        if hi - lo <= _LOOKUP_MAX:
            steps = np.arange(lo, hi + 1)
            texts = _fixed(steps / 10 ** decimals, decimals)
            joined = pc.binary_join_element_wise(
                *[texts if isinstance(p, tuple) else p for p in pieces], "")
            return joined.take(pa.array(scaled - lo))
    parts: list[str | pa.Array] = []
    for p in pieces:
        if isinstance(p, str):
            parts.append(p)
        elif isinstance(p, tuple):
            parts.append(_fixed(p[0].ravel()[idx], p[1]))
        else:
            parts.append(p(idx))
    if all(isinstance(p, str) for p in parts):
        return pa.array(["".join(parts)] * len(idx), type=pa.string())  # type: ignore[arg-type]
    return pc.binary_join_element_wise(*parts, "")


def _join_reasons(size: int, found: list[tuple[np.ndarray, pa.Array]],
                  sep: str = "; ") -> pa.Array:
    """One "; "-joined text per row from (row indices, texts) lists given in display order."""
    if not found:
        return pa.array([""] * size, type=pa.string())
    rows = np.concatenate([r for r, _ in found])
    texts = pa.concat_arrays([t.cast(pa.string()) for _, t in found])
    order = np.argsort(rows, kind="stable")
    counts = np.bincount(rows, minlength=size)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), texts.take(pa.array(order)))
    return pc.binary_join(lists, sep)


def _recent_spike(spike: np.ndarray, pos: np.ndarray, days: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The largest single-run spike (%) of the last ``days`` days and how many days ago it was
    (NaN / -1 when none): the spike the heuristic and every view report."""
    sp = np.where(np.isnan(spike), -np.inf, spike)
    win = _windows(sp, days)
    k = win.argmax(axis=-1)
    best = np.take_along_axis(win, k[..., None], axis=-1)[..., 0]
    ago = np.minimum(days - 1 - k, pos)
    none = ~np.isfinite(best)
    return np.where(none, np.nan, best), np.where(none, -1, ago)


def _heuristic(rs: RiskSettings, *, pos: np.ndarray, acwr: np.ndarray, monotony: np.ndarray,
               run7: np.ndarray, prev_week: np.ndarray, run_change: np.ndarray,
               spike: tuple[np.ndarray, np.ndarray], cov_days: np.ndarray,
               cov_rpe: np.ndarray, hr_unset: np.ndarray, days_since: Mapping[str, np.ndarray],
               units: str = "km", ratio_name: str = "7:21"
               ) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Level code per athlete-day (index into LEVELS, shape of ``pos``), reasons and reason keys.

    Heuristic version :data:`HEURISTIC_VERSION`. What may raise the level follows the evidence
    (see ``explain.EVIDENCE``):

    * leading signs: the single-run spike (Frandsen et al. 2025: large = high, small or moderate =
      moderate) and the weekly running-distance change (Nielsen et al. 2014; over the threshold =
      moderate). Both together (a spike on top of a fast weekly rise) = high.
    * context: the acute:chronic ratio (contested) raises the level to moderate at most, only
      above its "very high" band or when training resumes after three weeks without load;
      monotony and strain are mentioned, never raise the level.
    * mentioned only: gaps in an area, loads estimated without RPE or usable heart rate.

    Each reason has a key (a metric of ``explain.EXPLANATIONS``); reasons are joined with "; "
    (no reason text contains "; "), keys with ";" in the same order.
    """
    size = pos.size
    severity = np.zeros(size, dtype=np.int8)
    found: dict[int, list[tuple[np.ndarray, pa.Array, str]]] = {3: [], 2: [], 1: [], 0: []}
    per_unit = 1.0 / KM_PER_MILE if units == "mi" else 1.0
    unit = "mi" if units == "mi" else "km"

    def flag(sev: int, key: str, mask: np.ndarray, *pieces: _Piece) -> None:
        idx = np.flatnonzero(np.asarray(mask).ravel())
        if len(idx):
            found[sev].append((idx, _render(idx, pieces), key))
            if 0 < sev < 3:
                severity[idx] = np.maximum(severity[idx], sev)

    with np.errstate(invalid="ignore"):
        # leading sign 1: single-run spike; the largest of the last `spike_days` days counts
        best, ago = spike[0].ravel(), spike[1].ravel()

        def ago_text(idx: np.ndarray) -> pa.Array:
            d = ago[idx]
            return pc.if_else(pa.array(d <= 0), " today", pc.if_else(
                pa.array(d == 1), " yesterday",
                pc.binary_join_element_wise(" ", _fixed(d, 0), " days ago", "")))

        spiked = np.isfinite(best) & (best > rs.spike_small)
        for sev, lo, hi, word in ((2, rs.spike_large, np.inf, "large"),
                                  (1, rs.spike_moderate, rs.spike_large, "moderate"),
                                  (1, rs.spike_small, rs.spike_moderate, "small")):
            flag(sev, "spike_pct", np.isfinite(best) & (best > lo) & (best <= hi),
                 "a run", ago_text, " was ", (best, 0), " % longer than your longest in the "
                 f"30 days before ({word} spike)")

        # leading sign 2: weekly running-distance change
        # thresholds compare the numbers as shown (a ratio of 0.7996 reads 0.80, not "below 0.8")
        rc = np.round(run_change.ravel(), 0)
        r7, pw = run7.ravel() * per_unit, prev_week.ravel() * per_unit
        base = np.isfinite(r7) & (run7.ravel() >= RUN_KM_MIN_WEEK)
        ramp = base & np.isfinite(rc) & (rc > rs.run_km_increase_pct)
        both = ramp & spiked
        severity[np.flatnonzero(both)] = 2  # two leading signs together
        flag(1, "run_km_change_pct", ramp, "running ", (r7, 1), f" {unit} in the last 7 days, ",
             (rc, 0), " % above your usual week (", (pw, 1),
             f" {unit} a week over the 3 weeks before, flagged above "
             f"{rs.run_km_increase_pct:g} %)")
        flag(1, "run_km_change_pct", base & np.isposinf(rc), "running ", (r7, 1),
             f" {unit} in the last 7 days after three weeks without running")

        # context: the acute:chronic ratio (never high on its own)
        r = np.round(acwr.ravel(), 2)
        fin = np.isfinite(r)
        flag(1, "acwr", fin & (r > rs.acwr_very_high), "load of the last 7 days ", (r, 2),
             f" times your usual (acute:chronic {ratio_name}, above {rs.acwr_very_high:g})")
        flag(0, "acwr", fin & (r > rs.acwr_high) & (r <= rs.acwr_very_high),
             "load of the last 7 days ", (r, 2),
             f" times your usual (acute:chronic {ratio_name}, above {rs.acwr_high:g})")
        flag(0, "acwr", fin & (r < rs.acwr_low), "load of the last 7 days ", (r, 2),
             f" times your usual (acute:chronic {ratio_name}, below {rs.acwr_low:g}): "
             "build back gradually")
        flag(1, "acwr", np.isposinf(r), "training again after three weeks without load: "
             "no base yet, build up gradually")

        # context: monotony (mentioned only)
        mono = np.round(monotony.ravel(), 1)
        flag(0, "monotony", np.isfinite(mono) & (mono > rs.monotony_high),
             "similar load day after day (monotony ", (mono, 1),
             f", above {rs.monotony_high:.1f}): vary hard and easy days")
        flag(0, "monotony", np.isposinf(mono), "the same load every day for 7 days: "
             "vary hard and easy days")

        for area in GAP_AREAS:
            ds = days_since[area].ravel()
            flag(0, "balance", np.isfinite(ds) & (ds > rs.days_without_area),
                 f"no {area} work for ", (ds, 0), " days")

        hu = hr_unset.ravel()
        hr_gap = np.isfinite(hu) & (hu > 0)
        flag(0, "hr_profile", hr_gap, "heart rate recorded on ", (hu, 0),
             " % of sessions but HR max and resting HR are not set: those loads are estimated "
             "from a default effort per area")
        cr = cov_rpe.ravel()
        flag(0, "load", ~hr_gap & np.isfinite(cr) & (cr < rs.rpe_hr_floor),
             "loads estimated from duration only for ", (100.0 - cr, 0),
             " % of sessions (no RPE or heart rate)")

    history = (pos.ravel() + 1).astype(float)
    cov = cov_days.ravel()
    short = history < rs.min_history_days
    thin = ~short & (cov < rs.coverage_floor)
    enough = ~short & ~thin
    flag(3, "coverage", short & (history == 1), f"only 1 day of history, the ratios need "
         f"{rs.min_history_days}")
    flag(3, "coverage", short & (history > 1), "only ", (history, 0),
         f" days of history, the ratios need {rs.min_history_days}")
    n_days = np.round(cov * np.minimum(history, 28) / 100.0)
    flag(3, "coverage", thin, "sessions on only ", (n_days, 0),
         f" of the last 28 days (below {rs.coverage_floor:g} %, missing uploads?)")
    ordered = [f for s in (3, 2, 1, 0) for f in found[s]]
    reasons = _join_reasons(size, [(i, t) for i, t, _ in ordered])
    keys = _join_reasons(size, [(i, pa.array([key] * len(i), type=pa.string()))
                                for i, _, key in ordered], sep=";")
    level_code = np.where(~enough, 3, severity.astype(np.int64))
    return level_code.reshape(pos.shape), reasons, keys


# --------------------------------------------------------------------------- public API

def daily_metrics(daily: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Daily metrics of one load series: ``RISK_COLUMNS`` (+ the coverage/extra columns).

    ``daily``: columns ``date`` and ``load`` (AU, >= 0); optional ``run_km`` (running km that day),
    ``longest_run_km`` (the day's longest run) or ``spike_pct``. The calendar runs from the first
    to the last date; missing dates have load 0; repeated dates are summed. Coverage counts days
    with load > 0 as days with a session.
    """
    if "date" not in daily.columns or "load" not in daily.columns:
        raise UsageError("Daily loads need the columns date and load.")
    if len(daily) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in RISK_COLUMNS})
    dates = pd.to_datetime(daily["date"], errors="coerce")
    loads = pd.to_numeric(daily["load"], errors="coerce")
    bad = dates.isna() | loads.isna() | (loads < 0)
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise UsageError(f"Row {k + 1} of the daily loads needs a date and a load of 0 or more "
                         f"(it has {daily['date'].iloc[k]!r}, {daily['load'].iloc[k]!r}).")
    day = dates.dt.normalize().to_numpy().astype("datetime64[D]")
    first = day.min()
    n = int((day.max() - first).astype(int)) + 1
    idx = (day - first).astype(int)

    def accumulate(col: str, how: str = "sum") -> np.ndarray | None:
        if col not in daily.columns:
            return None
        v = pd.to_numeric(daily[col], errors="coerce").to_numpy(dtype=float)
        if how == "sum":
            out = np.zeros(n)
            np.add.at(out, idx, np.nan_to_num(v))
        else:
            out = np.full(n, np.nan)
            np.fmax.at(out, idx, v)
        return out[None, :]

    load = np.zeros(n)
    np.add.at(load, idx, loads.to_numpy(dtype=float))
    grid = _Grid(np.asarray(["" ], dtype=object), np.asarray([first]), np.asarray([n]))
    table = _metrics(grid, load[None, :], settings.risk, run_km=accumulate("run_km"),
                     longest_run=accumulate("longest_run_km", "max"),
                     spike_in=accumulate("spike_pct", "max"), units=settings.units)
    return table.drop(columns=["athlete"])[RISK_COLUMNS + EXTRA_COLUMNS]


def _prepare(sessions: pd.DataFrame) -> pd.DataFrame:
    df = sessions
    missing = [c for c in ("athlete", "start", "session_id") if c not in df.columns]
    if missing:
        raise UsageError(f"The sessions table lacks the column '{missing[0]}'.")
    if "sport" not in df.columns:
        df = df.assign(sport="other")
    if "distance_m" not in df.columns:
        df = df.assign(distance_m=np.nan)
    if "area" not in df.columns or "load" not in df.columns:
        from stridewise.classify import classify
        from stridewise.load import add_load

        if "area" not in df.columns or (df["area"].astype(str) == "").any():
            df = classify(df)
        if "load" not in df.columns:
            df = add_load(df)
    return df


def _hr_area(df: pd.DataFrame) -> np.ndarray:
    """Sessions whose load could come from heart rate (endurance and other work)."""
    if "area" not in df.columns:
        return np.ones(len(df), dtype=bool)
    return df["area"].astype(str).isin(["endurance", "other", ""]).to_numpy(dtype=bool)


def risk_table(sessions_with_load: pd.DataFrame, parts: pd.DataFrame | None = None, *,
               settings: Settings = DEFAULT_SETTINGS,
               end: date | pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per athlete per day: ``athlete`` + ``RISK_COLUMNS`` + ``EXTRA_COLUMNS``.

    Each athlete's calendar runs from their first session day to their last (or ``end``; sessions
    after ``end`` are left out). Day load = sum of session loads (sessions whose load could not be
    counted add 0). Running km and the single-run spike use sports in ``schema.RUN_SPORTS``;
    days since each area come from ``parts`` (default: :func:`classify.session_parts`).
    """
    df = _prepare(sessions_with_load)
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in ["athlete", *RISK_COLUMNS,
                                                               *EXTRA_COLUMNS]})
    if len(df) == 0:
        return empty
    day = pd.to_datetime(df["start"]).dt.normalize().to_numpy().astype("datetime64[D]")
    keep = ~np.isnat(day)
    end_day = None
    if end is not None:
        end_day = np.datetime64(pd.Timestamp(end).normalize().date(), "D")
        keep &= day <= end_day
    df = df[keep]
    day = day[keep]
    if len(df) == 0:
        return empty
    ath_codes, athletes = pd.factorize(df["athlete"], sort=True)
    n_ath = len(athletes)
    dnum = day.astype(np.int64)
    first = np.full(n_ath, np.iinfo(np.int64).max)
    last = np.full(n_ath, np.iinfo(np.int64).min)
    np.minimum.at(first, ath_codes, dnum)
    np.maximum.at(last, ath_codes, dnum)
    if end_day is not None:
        last = np.maximum(last, end_day.astype(np.int64))
    n_days = last - first + 1
    grid = _Grid(np.asarray(athletes.astype(object)), first.astype("datetime64[D]"), n_days)
    a, n = grid.shape
    col = dnum - first[ath_codes]

    cell = ath_codes.astype(np.int64) * n + col

    def acc(values: np.ndarray, how: str = "sum") -> np.ndarray:
        if how == "sum":
            return np.bincount(cell, weights=values, minlength=a * n).reshape(a, n)
        mat = np.zeros(a * n)
        np.maximum.at(mat, cell, values)
        return mat.reshape(a, n)

    load = acc(np.nan_to_num(pd.to_numeric(df["load"], errors="coerce").to_numpy(dtype=float)))
    if "run_km" in df.columns:
        km = np.nan_to_num(pd.to_numeric(df["run_km"], errors="coerce").to_numpy(dtype=float))
    else:
        from stridewise.load import running_km

        km = running_km(df)[0]
    run_km = acc(km)
    longest = acc(km, "max")
    sessions_n = acc(np.ones(len(df)))
    has_q = (df["load_source"].isin(["rpe", "hr"]).to_numpy(dtype=bool)
             if "load_source" in df.columns else np.zeros(len(df), dtype=bool))
    rpe_hr_n = acc(has_q.astype(float))
    # heart rate recorded but unusable for the load (HR max / rest not set)
    if "avg_hr" in df.columns:
        hr_seen = (pd.to_numeric(df["avg_hr"], errors="coerce").fillna(0.0).to_numpy() > 0)
        hr_unset_n = acc((hr_seen & ~has_q & _hr_area(df)).astype(float))
    else:
        hr_unset_n = None

    if parts is None:
        from stridewise.classify import session_parts

        parts = session_parts(df)
    p_day = pd.to_datetime(parts["start"]).dt.normalize().to_numpy().astype("datetime64[D]")
    p_ath = _codes(parts["athlete"], athletes)
    ok = (p_ath >= 0) & ~np.isnat(p_day)
    p_col = np.where(ok, p_day.astype(np.int64) - first[np.maximum(p_ath, 0)], -1)
    ok &= (p_col >= 0) & (p_col < n_days[np.maximum(p_ath, 0)])
    p_area = _codes(parts["area"], AREAS)
    area_days: dict[str, np.ndarray] = {}
    for code, area in enumerate(AREAS):
        m = ok & (p_area == code)
        mat = np.zeros((a, n), dtype=bool)
        mat[p_ath[m], p_col[m]] = True
        area_days[area] = mat

    table = _metrics(grid, load, settings.risk, run_km=run_km, longest_run=longest,
                     sessions_n=sessions_n, rpe_hr_n=rpe_hr_n, hr_unset_n=hr_unset_n,
                     area_days=area_days, units=settings.units)
    return table[["athlete", *RISK_COLUMNS, *EXTRA_COLUMNS]]


def latest_assessment(risk_for_one_athlete: pd.DataFrame,
                      settings: Settings = DEFAULT_SETTINGS) -> Assessment:
    """The assessment of the last day of one athlete's risk table (see ``assessment.assess``)."""
    from stridewise.assessment import assess

    if "athlete" in risk_for_one_athlete.columns and \
            risk_for_one_athlete["athlete"].nunique() > 1:
        raise UsageError("latest_assessment takes the risk table of one athlete.")
    return assess(risk_for_one_athlete, settings=settings)


def __getattr__(name: str) -> object:  # risk.Assessment: the one class of assessment.py
    if name == "Assessment":
        from stridewise.assessment import Assessment

        return Assessment
    raise AttributeError(name)


def balance(parts_or_sessions: pd.DataFrame, *, targets: Mapping[str, float] | None = None,
            end: date | pd.Timestamp | None = None, days: int = 28,
            sessions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Area balance over the ``days`` days ending ``end`` (default: each athlete's last day).

    Returns ``athlete, area, sessions, minutes, share_pct, sessions_per_week, target_per_week,
    pct_of_target, days_since`` for the five training areas (and ``other`` when present).
    Takes session parts (``session_id, athlete, start, area, seconds``) or classified sessions.
    share_pct = share of minutes; days_since counts from the window's last day (NaN: never).
    With ``sessions`` (the classified sessions of the parts), a mixed session counts once, in its
    main area, as everywhere else (minutes and days since still come from every part); without
    it a session counts in each area it has a part in.
    """
    from stridewise.settings import DEFAULT_TARGETS

    targets = dict(DEFAULT_TARGETS if targets is None else targets)
    cols = ["athlete", "area", "sessions", "minutes", "share_pct", "sessions_per_week",
            "target_per_week", "pct_of_target", "days_since"]
    df = parts_or_sessions
    if len(df) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    if "seconds" not in df.columns:
        from stridewise.classify import session_parts

        df = session_parts(df)
    n = len(df)
    ath_codes, athletes = pd.factorize(df["athlete"], sort=True)
    area_codes = _codes(df["area"], AREAS)
    area_codes = np.where(area_codes < 0, len(AREAS) - 1, area_codes)
    sid_codes = (pd.factorize(df["session_id"])[0] if "session_id" in df.columns
                 else np.arange(n))
    counts_session = np.ones(n, dtype=bool)
    if sessions is not None and "session_id" in df.columns and len(sessions):
        from stridewise.volume import main_parts

        counts_session = main_parts(sessions, df)
    day = pd.to_datetime(df["start"]).dt.normalize().to_numpy().astype("datetime64[D]") \
        .astype(np.int64)
    seconds = np.nan_to_num(pd.to_numeric(df["seconds"], errors="coerce").to_numpy(dtype=float))
    n_ath, n_area = len(athletes), len(AREAS)
    if end is not None:
        end_day = np.full(n_ath, np.datetime64(pd.Timestamp(end).normalize().date(), "D")
                          .astype(np.int64))
    else:
        end_day = np.full(n_ath, np.iinfo(np.int64).min)
        np.maximum.at(end_day, ath_codes, day)
    upto = day <= end_day[ath_codes]
    inwin = upto & (day > end_day[ath_codes] - days)
    cell = ath_codes * n_area + area_codes
    size = n_ath * n_area
    last_seen = np.full(size, np.iinfo(np.int64).min)
    np.maximum.at(last_seen, cell[upto], day[upto])
    secs = np.bincount(cell[inwin], weights=seconds[inwin], minlength=size)
    width = int(sid_codes.max()) + 1 if n else 1
    counted = inwin & counts_session
    key = np.sort(cell[counted].astype(np.int64) * width + sid_codes[counted])
    key = key[np.concatenate([[True], np.diff(key) != 0])] if len(key) else key
    count = np.bincount(key // width, minlength=size)
    areas = list(TRAINING_AREAS) + (["other"] if (area_codes[upto] == n_area - 1).any() else [])
    keep_area = np.array([AREAS.index(x) for x in areas])
    grid_ath = np.repeat(np.arange(n_ath), len(areas))
    grid_cell = grid_ath * n_area + np.tile(keep_area, n_ath)
    out = pd.DataFrame({
        "athlete": pd.Series(athletes.take(grid_ath), dtype=str),
        "area": pd.Series(np.tile(np.asarray(areas, dtype=object), n_ath), dtype=str),
        "sessions": count[grid_cell].astype("int64"),
        "minutes": secs[grid_cell] / 60.0,
    })
    total = np.bincount(grid_ath, weights=out["minutes"].to_numpy(), minlength=n_ath)[grid_ath]
    out["share_pct"] = np.where(total > 0, 100.0 * out["minutes"] / np.where(total > 0, total, 1),
                                0.0)
    out["sessions_per_week"] = out["sessions"] / (days / 7.0)
    target = np.array([float(targets.get(x, 0.0)) for x in areas])[np.tile(
        np.arange(len(areas)), n_ath)]
    out["target_per_week"] = target
    out["pct_of_target"] = np.where(target > 0, 100.0 * out["sessions_per_week"]
                                    / np.where(target > 0, target, 1.0), np.nan)
    seen = last_seen[grid_cell]
    out["days_since"] = np.where(seen > np.iinfo(np.int64).min,
                                 (end_day[grid_ath] - seen).astype(float), np.nan)
    return out[cols]
