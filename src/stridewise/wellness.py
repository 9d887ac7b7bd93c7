"""The daily wellness check-in and its flags against the athlete's own baseline.

**Check-in** (under 15 seconds): five items on 1-5 scales with worded anchors, after the
wellness questionnaire of McLean et al. 2010 (Int J Sports Physiol Perform 5:367), itself
adapted from Hooper & Mackinnon 1995 (Sports Med 20:321): sleep quality, fatigue, muscle
soreness, stress and mood; 5 is always the good end and 1 the bad end. Optionally the morning
resting heart rate (bpm). The anchors below are our own words in that style.

**Flags** compare each answer with the athlete's own baseline: the mean and sample SD of that
item over the :data:`BASELINE_DAYS` days before the day (the day itself not included), once at
least :data:`MIN_BASELINE` answers exist there. z = (value - mean) / max(SD, floor); an answer
:data:`Z_FLAG` SD or more on the bad side of the athlete's own mean is flagged ("worse than
usual for you"). No fixed cut-off, no sum score: every item is shown on its own.

Evidence: subjective self-reported measures reflect acute and chronic training loads with
better sensitivity and consistency than commonly used objective measures (Saw, Main & Gastin
2016, Br J Sports Med 50:281, systematic review). The 1-SD individual threshold is a
practitioner convention for individual monitoring (e.g. Gastin et al. 2013, J Sci Med Sport
16:550, within-athlete z-scores), not an injury study: a flag is context for a conversation, it
never raises the injury-risk level. The SD floor (half a scale point, 2 bpm for resting HR)
keeps a perfectly steady baseline from turning any change into an alarm.

Garmin's daily values (``wellness`` table: ``resting_hr_bpm``, ``sleep_s``) are flagged the same
way as separate metrics, marked with their source, so watch values and check-ins never mix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

from stridewise.errors import UsageError

__all__ = ["ITEMS", "ITEM_LABELS", "ANCHORS", "RESTING_HR", "BASELINE_DAYS", "MIN_BASELINE",
           "Z_FLAG", "CHECKIN_COLUMNS", "Metric", "METRICS", "check_checkin", "long_values",
           "baseline_flags", "latest_flags", "flag_days", "EVIDENCE_TEXT", "FLAG_MEANING"]

#: The five items in the order asked.
ITEMS: Final[tuple[str, ...]] = ("sleep", "fatigue", "soreness", "stress", "mood")
ITEM_LABELS: Final[dict[str, str]] = {
    "sleep": "Sleep quality", "fatigue": "Fatigue", "soreness": "Muscle soreness",
    "stress": "Stress", "mood": "Mood"}
#: Worded anchors, 1 (bad end) .. 5 (good end).
ANCHORS: Final[dict[str, dict[int, str]]] = {
    "sleep": {1: "hardly slept", 2: "restless, woke often", 3: "an average night",
              4: "slept well", 5: "deep, restful sleep"},
    "fatigue": {1: "exhausted", 2: "more tired than usual", 3: "normal",
                4: "fresh", 5: "very fresh"},
    "soreness": {1: "very sore", 2: "sorer or tighter than usual", 3: "normal",
                 4: "hardly sore", 5: "no soreness at all"},
    "stress": {1: "very stressed", 2: "stressed", 3: "normal", 4: "relaxed",
               5: "very relaxed"},
    "mood": {1: "low, irritable", 2: "less keen than usual", 3: "as usual",
             4: "good mood", 5: "very positive"},
}
RESTING_HR: Final[str] = "resting_hr_bpm"
BASELINE_DAYS: Final[int] = 28
MIN_BASELINE: Final[int] = 7
Z_FLAG: Final[float] = 1.0
CHECKIN_COLUMNS: Final[list[str]] = ["athlete", "date", *ITEMS, RESTING_HR, "note"]

EVIDENCE_TEXT: Final[str] = (
    "Self-reported wellness reflects training load more sensitively than most objective "
    "measures (Saw, Main & Gastin 2016, Br J Sports Med, systematic review). The 1-SD personal "
    "threshold is a practitioner convention, not an injury study: context, not a risk level.")
FLAG_MEANING: Final[str] = (
    f"A flag means the answer is at least {Z_FLAG:g} standard deviation worse than your own "
    f"average of the {BASELINE_DAYS} days before (from {MIN_BASELINE} answers on). It is not a "
    "diagnosis and does not change the injury-risk level.")


@dataclass(frozen=True)
class Metric:
    """A flagged wellness metric: label, unit, which direction is bad (+1: higher is worse),
    the SD floor and where the values come from (``check-in`` or ``watch``)."""

    key: str
    label: str
    unit: str
    bad: int
    sd_floor: float
    source: str


METRICS: Final[dict[str, Metric]] = {
    **{k: Metric(k, ITEM_LABELS[k], "/5", -1, 0.5, "check-in") for k in ITEMS},
    RESTING_HR: Metric(RESTING_HR, "Resting HR", "bpm", +1, 2.0, "check-in"),
    "watch_resting_hr_bpm": Metric("watch_resting_hr_bpm", "Resting HR (watch)", "bpm", +1,
                                   2.0, "watch"),
    "watch_sleep_h": Metric("watch_sleep_h", "Sleep (watch)", "h", -1, 0.25, "watch"),
}


def check_checkin(values: Mapping[str, Any]) -> dict[str, Any]:
    """The checked answers of one check-in (raises :class:`UsageError` with one sentence).

    Each item: an integer 1-5 or None (skipped); resting HR: 25-220 bpm or None. At least one
    answer is needed."""
    out: dict[str, Any] = {}
    for k in ITEMS:
        v = values.get(k)
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            out[k] = None
            continue
        try:
            x = float(v)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{ITEM_LABELS[k]} must be a whole number from 1 to 5, "
                             f"not {v!r}.") from exc
        if x != int(x) or not 1 <= x <= 5:
            raise UsageError(f"{ITEM_LABELS[k]} must be a whole number from 1 to 5, not {v!r}.")
        out[k] = int(x)
    hr = values.get(RESTING_HR)
    if hr is None or hr == "" or (isinstance(hr, float) and math.isnan(hr)):
        out[RESTING_HR] = None
    else:
        try:
            h = float(hr)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"Resting heart rate must be a number of beats per minute, "
                             f"not {hr!r}.") from exc
        if not 25 <= h <= 220:
            raise UsageError(f"Resting heart rate must be between 25 and 220 bpm, not {h:g}.")
        out[RESTING_HR] = h
    if all(out[k] is None for k in (*ITEMS, RESTING_HR)):
        raise UsageError("A check-in needs at least one answer.")
    return out


def long_values(checkins: pd.DataFrame | None, watch: pd.DataFrame | None = None
                ) -> pd.DataFrame:
    """One row per athlete, day and metric: ``athlete, date, metric, value, source``.

    ``checkins``: rows of :data:`CHECKIN_COLUMNS` (the store's check-ins). ``watch``: the
    store's daily wellness values (``athlete, date, metric, value``); resting HR and sleep are
    taken as the ``watch_*`` metrics."""
    parts = []
    if checkins is not None and len(checkins):
        c = checkins.assign(date=pd.to_datetime(checkins["date"]).dt.normalize())
        for k in (*ITEMS, RESTING_HR):
            if k not in c.columns:
                continue
            v = pd.to_numeric(c[k], errors="coerce")
            m = v.notna()
            parts.append(pd.DataFrame({"athlete": c.loc[m, "athlete"].astype(str),
                                       "date": c.loc[m, "date"], "metric": k,
                                       "value": v[m].astype(float), "source": "check-in"}))
    if watch is not None and len(watch):
        w = watch.assign(date=pd.to_datetime(watch["date"]).dt.normalize())
        for src, key, scale in (("resting_hr_bpm", "watch_resting_hr_bpm", 1.0),
                                ("sleep_s", "watch_sleep_h", 1.0 / 3600.0)):
            sel = w.loc[w["metric"] == src]
            if len(sel):
                parts.append(pd.DataFrame({
                    "athlete": sel["athlete"].astype(str), "date": sel["date"], "metric": key,
                    "value": pd.to_numeric(sel["value"], errors="coerce") * scale,
                    "source": "watch"}))
    if not parts:
        return pd.DataFrame({"athlete": pd.Series(dtype=str),
                             "date": pd.Series(dtype="datetime64[ns]"),
                             "metric": pd.Series(dtype=str), "value": pd.Series(dtype=float),
                             "source": pd.Series(dtype=str)})
    out = pd.concat(parts, ignore_index=True)
    out = out.loc[out["value"].notna()]
    # one value per athlete, day and metric (the last one given)
    out = out.drop_duplicates(["athlete", "date", "metric"], keep="last")
    return out.sort_values(["athlete", "metric", "date"], kind="stable").reset_index(drop=True)


def _fmt(v: float, m: Metric) -> str:
    if m.unit == "/5":
        return f"{v:.0f}/5"
    if m.unit == "h":
        return f"{v:.1f} h"
    return f"{v:.0f} {m.unit}"


def baseline_flags(values: pd.DataFrame) -> pd.DataFrame:
    """Every value of :func:`long_values` against the athlete's own baseline.

    Columns: ``athlete, date, metric, label, source, value, baseline_mean, baseline_sd,
    baseline_n, z, status, flag, text``. ``status``: ``building baseline`` (fewer than
    :data:`MIN_BASELINE` values in the :data:`BASELINE_DAYS` days before), ``worse than usual``
    (flag), ``better than usual`` (z beyond :data:`Z_FLAG` on the good side) or ``usual``.
    ``z`` is signed so that positive is always worse."""
    cols = ["athlete", "date", "metric", "label", "source", "value", "baseline_mean",
            "baseline_sd", "baseline_n", "z", "status", "flag", "text"]
    if values is None or not len(values):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    frames = []
    for (athlete, metric), g in values.groupby(["athlete", "metric"], sort=True):
        meta = METRICS.get(str(metric))
        if meta is None:
            continue
        s = g.set_index("date")["value"].astype(float).sort_index()
        win = f"{BASELINE_DAYS}D"
        roll = s.rolling(win, closed="left")
        mean, sd, n = roll.mean(), roll.std(ddof=1), roll.count()
        frames.append(pd.DataFrame({
            "athlete": str(athlete), "date": s.index, "metric": str(metric),
            "label": meta.label, "source": meta.source, "value": s.to_numpy(),
            "baseline_mean": mean.to_numpy(), "baseline_sd": sd.to_numpy(),
            "baseline_n": n.fillna(0).astype(int).to_numpy()}))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.concat(frames, ignore_index=True)
    bad = df["metric"].map(lambda k: METRICS[k].bad).to_numpy(dtype=float)
    floor = df["metric"].map(lambda k: METRICS[k].sd_floor).to_numpy(dtype=float)
    sd = np.fmax(df["baseline_sd"].to_numpy(dtype=float), floor)
    enough = df["baseline_n"].to_numpy() >= MIN_BASELINE
    with np.errstate(invalid="ignore"):
        z = np.where(enough, bad * (df["value"].to_numpy(dtype=float)
                                    - df["baseline_mean"].to_numpy(dtype=float)) / sd, np.nan)
    df["z"] = np.round(z, 2) + 0.0  # no "-0.0"
    flag = enough & (df["z"].to_numpy() >= Z_FLAG)
    better = enough & (df["z"].to_numpy() <= -Z_FLAG)
    df["status"] = np.select([~enough, flag, better], ["building baseline", "worse than usual",
                                                       "better than usual"], "usual")
    df["flag"] = flag
    texts = []
    for r in df.itertuples(index=False):
        m = METRICS[r.metric]
        if r.status == "building baseline":
            texts.append(f"{m.label} {_fmt(r.value, m)}: building your baseline "
                         f"({r.baseline_n} of {MIN_BASELINE} answers in the "
                         f"{BASELINE_DAYS} days before)")
        else:
            avg = f"{r.baseline_mean:.1f}/5" if m.unit == "/5" else _fmt(r.baseline_mean, m)
            texts.append(f"{m.label} {_fmt(r.value, m)}: {r.status} for you (your "
                         f"{BASELINE_DAYS}-day average {avg}, z {r.z:+.1f})")
    df["text"] = texts
    return df[cols].sort_values(["athlete", "date", "metric"], kind="stable") \
        .reset_index(drop=True)


def latest_flags(flags: pd.DataFrame, athlete: str, as_of: date | pd.Timestamp,
                 within_days: int = 3) -> pd.DataFrame:
    """The rows of the athlete's latest check-in day on or before ``as_of`` (not older than
    ``within_days``), metrics in the order asked."""
    if flags is None or not len(flags):
        return flags
    d = pd.Timestamp(as_of).normalize()
    f = flags.loc[(flags["athlete"] == athlete) & (pd.to_datetime(flags["date"]) <= d)]
    if not len(f):
        return f
    last = pd.to_datetime(f["date"]).max()
    if (d - last).days > within_days:
        return f.iloc[0:0]
    f = f.loc[pd.to_datetime(f["date"]) == last]
    order = {k: i for i, k in enumerate(METRICS)}
    return f.assign(_o=f["metric"].map(order)).sort_values("_o").drop(columns="_o")


def flag_days(flags: pd.DataFrame, athlete: str, start: date | pd.Timestamp,
              end: date | pd.Timestamp) -> pd.DataFrame:
    """Days with at least one flag in ``start``..``end`` for the timelines: ``date, n, text``
    (the flagged items of that day, joined)."""
    cols = ["date", "n", "text"]
    if flags is None or not len(flags):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    dates = pd.to_datetime(flags["date"])
    f = flags.loc[(flags["athlete"] == athlete) & flags["flag"].astype(bool)
                  & (dates >= lo) & (dates <= hi)]
    if not len(f):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    g = f.groupby(pd.to_datetime(f["date"]))
    return pd.DataFrame({"date": g.size().index, "n": g.size().to_numpy(),
                         "text": g["label"].agg(", ".join).to_numpy()}).reset_index(drop=True)
