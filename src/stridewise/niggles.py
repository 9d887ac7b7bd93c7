"""Niggles and injuries the runner reports, and the symptom rule of the risk heuristic.

A *niggle* is one reported problem: a body region (:data:`REGIONS`), a side (:data:`SIDES`), an
onset day and, once it is over, a resolved day. Its course is a history of daily *updates*: pain
on a 0-10 numeric rating scale and the effect on training (:data:`EFFECTS`: none / modified /
stopped). The niggle's first update is the one given on its onset day; an update holds until the
next one.

**Symptom rule** (heuristic version 2.1, :data:`stridewise.risk.HEURISTIC_VERSION`): on every day
a niggle is active (onset <= day < resolved day), if its latest update says training was
modified or stopped, or pain >= :data:`PAIN_AT_LEAST` / 10, the level is at least *moderate*
and that reason comes first, whatever the load figures say (also when the log is too short for
the load figures: "not enough data" becomes moderate). An active niggle below both thresholds
is mentioned after the load reasons without raising the level.

Rationale: a reported symptom is a direct observation of the tissue, while every load figure
is an indirect, population-level association. The OSTRC overuse-injury questionnaire counts a
problem that reduces training volume or performance as a *substantial* problem (Clarsen,
Myklebust & Bahr 2013, Br J Sports Med 47:495), which is what "training modified or stopped"
records. The pain threshold follows the pain-monitoring model used in running-injury
rehabilitation, where pain up to about 3-5/10 during and after loading is accepted and more
calls for reducing the load (Thomee 1997, Phys Ther 77:1690; Silbernagel et al. 2007, Am J
Sports Med 35:897); 4/10 takes the cautious end. The rule says "reported symptoms", never a
diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd

from stridewise.errors import UsageError

__all__ = ["REGIONS", "SIDES", "EFFECTS", "PAIN_AT_LEAST", "SYMPTOM_KEY", "NIGGLE_COLUMNS",
           "UPDATE_COLUMNS", "region_label", "niggle_label", "check_niggle", "check_update",
           "status_on", "active_on", "symptom_rows", "apply_symptom_rule", "timeline_spans",
           "BeforeOnset", "before_onset", "BEFORE_WEEKS", "niggle_table"]

#: Body regions of the picker: key -> label.
REGIONS: Final[dict[str, str]] = {
    "foot": "foot", "ankle_achilles": "ankle / Achilles", "calf_shin": "calf / shin",
    "knee": "knee", "thigh_front": "thigh (front)", "thigh_back": "thigh (back)",
    "hip_groin": "hip / groin", "lower_back": "lower back", "other": "other",
}
#: Sides: key -> label ("" = no side, e.g. lower back).
SIDES: Final[dict[str, str]] = {"left": "left", "right": "right", "both": "both sides",
                                "none": ""}
#: Effect on training: key -> label, in order of severity.
EFFECTS: Final[dict[str, str]] = {
    "none": "training as planned", "modified": "training modified (shorter, easier or "
    "different)", "stopped": "training stopped"}
#: Pain (0-10) from which an active niggle makes the level at least moderate.
PAIN_AT_LEAST: Final[float] = 4.0
#: Reason key of the symptom reasons (see ``explain.EXPLANATIONS``).
SYMPTOM_KEY: Final[str] = "symptoms"
#: Weeks shown by the "before this niggle" view.
BEFORE_WEEKS: Final[int] = 6

NIGGLE_COLUMNS: Final[list[str]] = ["niggle_id", "athlete", "region", "side", "onset",
                                    "resolved", "note"]
UPDATE_COLUMNS: Final[list[str]] = ["niggle_id", "date", "pain", "effect", "note"]
_EFFECT_RANK: Final[dict[str, int]] = {"none": 0, "modified": 1, "stopped": 2}


def region_label(region: str) -> str:
    return REGIONS.get(region, str(region))


def niggle_label(region: str, side: str) -> str:
    """'left knee', 'lower back', 'calf / shin (both sides)'."""
    r = region_label(region)
    s = SIDES.get(side, "")
    if not s:
        return r
    return f"{r} ({s})" if side == "both" else f"{s} {r}"


def _day(x: Any, what: str) -> pd.Timestamp:
    try:
        t = pd.Timestamp(x)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"The {what} must be a date such as 2026-12-07, not {x!r}.") from exc
    if pd.isna(t) or not 1900 <= t.year <= 2200:
        raise UsageError(f"The {what} must be a date such as 2026-12-07, not {x!r}.")
    return t.normalize()


def check_pain(pain: Any) -> float:
    try:
        p = float(pain)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"Pain must be a number from 0 to 10, not {pain!r}.") from exc
    if not 0.0 <= p <= 10.0:
        raise UsageError(f"Pain must be between 0 and 10, not {p:g}.")
    return p


def check_effect(effect: Any) -> str:
    if effect not in EFFECTS:
        raise UsageError(f"The effect on training must be one of {', '.join(EFFECTS)}, "
                         f"not {effect!r}.")
    return str(effect)


def check_niggle(*, region: Any, side: Any, onset: Any, resolved: Any = None,
                 today: date | None = None) -> dict[str, Any]:
    """The checked fields of a niggle (raises :class:`UsageError` with one sentence)."""
    if region not in REGIONS:
        raise UsageError(f"The body region must be one of {', '.join(REGIONS)}, not {region!r}.")
    if side not in SIDES:
        raise UsageError(f"The side must be one of {', '.join(SIDES)}, not {side!r}.")
    on = _day(onset, "onset date")
    limit = pd.Timestamp(today or date.today()) + pd.Timedelta(days=1)
    if on > limit:
        raise UsageError(f"The onset date {on:%Y-%m-%d} lies in the future.")
    res = None
    if resolved is not None and not (isinstance(resolved, str) and not resolved.strip()) \
            and not pd.isna(resolved):
        res = _day(resolved, "resolved date")
        if res < on:
            raise UsageError(f"The resolved date {res:%Y-%m-%d} is before the onset "
                             f"{on:%Y-%m-%d}.")
    return {"region": str(region), "side": str(side), "onset": on, "resolved": res}


def check_update(*, day: Any, pain: Any, effect: Any) -> dict[str, Any]:
    """The checked fields of a daily update."""
    return {"date": _day(day, "date"), "pain": check_pain(pain), "effect": check_effect(effect)}


# --------------------------------------------------------------------------- status

def _updates_for(updates: pd.DataFrame, ids: Sequence[int]) -> pd.DataFrame:
    u = updates.loc[updates["niggle_id"].isin(list(ids))] if len(updates) else updates
    return u.assign(date=pd.to_datetime(u["date"]).dt.normalize()).sort_values(
        ["niggle_id", "date"], kind="stable")


def status_on(niggles: pd.DataFrame, updates: pd.DataFrame, day: date | pd.Timestamp
              ) -> pd.DataFrame:
    """Each niggle's state on ``day``: the niggle columns + ``active`` (onset <= day < resolved),
    ``pain`` and ``effect`` (the latest update on or before ``day``; NaN / "" before any),
    ``days`` (days since onset) and ``last_update`` (date of that update)."""
    d = pd.Timestamp(day).normalize()
    n = niggles.copy()
    if len(n) == 0:
        return n.assign(active=pd.Series(dtype=bool), pain=pd.Series(dtype=float),
                        effect=pd.Series(dtype=str), days=pd.Series(dtype=float),
                        last_update=pd.Series(dtype="datetime64[ns]"))
    onset = pd.to_datetime(n["onset"]).dt.normalize()
    resolved = pd.to_datetime(n["resolved"]).dt.normalize()
    u = _updates_for(updates, n["niggle_id"].tolist())
    u = u.loc[u["date"] <= d]
    last = u.groupby("niggle_id", sort=False).tail(1).set_index("niggle_id")
    n["active"] = (onset <= d) & (resolved.isna() | (d < resolved))
    n["pain"] = n["niggle_id"].map(last["pain"]).astype(float)
    n["effect"] = n["niggle_id"].map(last["effect"]).fillna("").astype(str)
    n["days"] = (d - onset).dt.days.astype(float)
    n["last_update"] = n["niggle_id"].map(last["date"])
    return n


def active_on(niggles: pd.DataFrame, updates: pd.DataFrame, day: date | pd.Timestamp,
              athlete: str | None = None) -> pd.DataFrame:
    """The niggles active on ``day`` (of ``athlete`` when given), worst first."""
    st = status_on(niggles, updates, day)
    if athlete is not None and len(st):
        st = st.loc[st["athlete"] == athlete]
    st = st.loc[st["active"]] if len(st) else st
    if not len(st):
        return st
    order = st["effect"].map(_EFFECT_RANK).fillna(0) * 100 + st["pain"].fillna(0)
    return st.assign(_o=-order).sort_values(["_o", "onset"], kind="stable").drop(columns="_o")


def _qualifies(pain: np.ndarray, effect: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isin(effect, ["modified", "stopped"]) | (np.nan_to_num(pain, nan=-1.0)
                                                           >= PAIN_AT_LEAST)


def _reason_text(region: str, side: str, onset: pd.Timestamp, pain: float, effect: str) -> str:
    what = niggle_label(region, side)
    pain_text = "pain not rated" if np.isnan(pain) else f"pain {pain:g}/10"
    eff = {"modified": "training modified", "stopped": "training stopped",
           "none": "training as planned"}.get(effect, "training not reported")
    return f"{what} niggle since {onset:%d %b}: {eff}, {pain_text} (reported symptom)"


def symptom_rows(niggles: pd.DataFrame, updates: pd.DataFrame, days: pd.DataFrame
                 ) -> pd.DataFrame:
    """For each (athlete, date) row of ``days`` with an active niggle: ``athlete, date,
    raises`` (bool: the symptom rule applies), ``first`` (the reasons that come first, joined by
    "; "), ``last`` (active niggles below the thresholds, mentioned after the load reasons)."""
    cols = ["athlete", "date", "raises", "first", "last"]
    if len(niggles) == 0 or len(days) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    grid = pd.DataFrame({"athlete": days["athlete"].astype(str).to_numpy(),
                         "date": pd.to_datetime(days["date"]).dt.normalize().to_numpy()})
    grid = grid.drop_duplicates().sort_values("date", kind="stable").reset_index(drop=True)
    u = _updates_for(updates, niggles["niggle_id"].tolist())
    pieces = []
    for nig in niggles.to_dict(orient="records"):
        onset = pd.Timestamp(nig["onset"]).normalize()
        res = nig.get("resolved")
        g = grid.loc[(grid["athlete"] == str(nig["athlete"])) & (grid["date"] >= onset)]
        if res is not None and not pd.isna(res):
            g = g.loc[g["date"] < pd.Timestamp(res).normalize()]
        if not len(g):
            continue
        hist = u.loc[u["niggle_id"] == nig["niggle_id"], ["date", "pain", "effect"]]
        if len(hist):
            g = pd.merge_asof(g, hist.astype({"pain": float}), on="date", direction="backward")
        else:
            g = g.assign(pain=np.nan, effect="")
        pain = g["pain"].to_numpy(dtype=float)
        effect = g["effect"].fillna("").astype(str).to_numpy()
        texts = [_reason_text(str(nig["region"]), str(nig["side"]), onset, p, e)
                 for p, e in zip(pain, effect, strict=True)]
        rank = np.vectorize(lambda e: _EFFECT_RANK.get(e, 0))(effect) if len(effect) else []
        pieces.append(pd.DataFrame({
            "athlete": g["athlete"].to_numpy(), "date": g["date"].to_numpy(),
            "raises": _qualifies(pain, effect), "text": texts,
            "order": -(np.asarray(rank, dtype=float) * 100 + np.nan_to_num(pain))}))
    if not pieces:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    allp = pd.concat(pieces, ignore_index=True).sort_values(["athlete", "date", "order"],
                                                            kind="stable")
    first = allp.loc[allp["raises"]].groupby(["athlete", "date"])["text"].agg("; ".join)
    last = allp.loc[~allp["raises"]].groupby(["athlete", "date"])["text"].agg("; ".join)
    out = allp.groupby(["athlete", "date"])["raises"].any().to_frame()
    out["first"] = first.reindex(out.index).fillna("")
    out["last"] = last.reindex(out.index).fillna("")
    return out.reset_index()[cols]


def apply_symptom_rule(risk_df: pd.DataFrame, niggles: pd.DataFrame | None,
                       updates: pd.DataFrame | None) -> pd.DataFrame:
    """The risk table with the symptom rule applied (see the module doc); a new frame,
    ``risk_df`` is not changed. Rows without an active niggle keep their level and reasons."""
    if niggles is None or len(niggles) == 0 or len(risk_df) == 0 or "athlete" not in risk_df:
        return risk_df
    ups = updates if updates is not None else pd.DataFrame(columns=UPDATE_COLUMNS)
    sym = symptom_rows(niggles, ups, risk_df[["athlete", "date"]])
    if not len(sym):
        return risk_df
    key = pd.MultiIndex.from_arrays([risk_df["athlete"].astype(str),
                                     pd.to_datetime(risk_df["date"]).dt.normalize()])
    s = sym.set_index(["athlete", "date"]).reindex(key)
    hit = s["raises"].fillna(False).astype(bool).to_numpy()
    first = s["first"].fillna("").astype(str).to_numpy()
    last = s["last"].fillna("").astype(str).to_numpy()
    reasons = risk_df["reasons"].fillna("").astype(str).to_numpy()
    keys = risk_df["reason_keys"].fillna("").astype(str).to_numpy() \
        if "reason_keys" in risk_df.columns else np.full(len(risk_df), "", dtype=object)

    def n_texts(t: np.ndarray) -> np.ndarray:
        return np.array([0 if not x else x.count("; ") + 1 for x in t])

    def join(a: np.ndarray, b: np.ndarray, sep: str) -> np.ndarray:
        return np.array([x + sep + y if x and y else x or y for x, y in zip(a, b, strict=True)],
                        dtype=object)

    kf = np.array([";".join([SYMPTOM_KEY] * k) for k in n_texts(first)], dtype=object)
    kl = np.array([";".join([SYMPTOM_KEY] * k) for k in n_texts(last)], dtype=object)
    new_reasons = join(join(first, reasons, "; "), last, "; ")
    new_keys = join(join(kf, keys, ";"), kl, ";")
    level = risk_df["risk_level"].astype(str).to_numpy()
    raised = np.where(hit & np.isin(level, ["low", "not enough data"]), "moderate", level)
    out = risk_df.copy()
    out["risk_level"] = raised
    out["reasons"] = new_reasons
    if "reason_keys" in out.columns:
        out["reason_keys"] = new_keys
    return out


def niggle_table(niggles: pd.DataFrame, updates: pd.DataFrame) -> pd.DataFrame:
    """One row per daily update with its niggle's fields (for exports): ``athlete,
    niggle_id, region, side, onset, resolved, date, pain, effect, note``."""
    u = updates.drop(columns=["athlete"], errors="ignore").rename(columns={"note": "update_note"})
    out = niggles.merge(u, on="niggle_id", how="left")
    cols = ["athlete", "niggle_id", "region", "side", "onset", "resolved", "date", "pain",
            "effect", "update_note", "note"]
    return out[cols].sort_values(["athlete", "niggle_id", "date"], kind="stable") \
        .reset_index(drop=True)


# --------------------------------------------------------------------------- timelines

def timeline_spans(niggles: pd.DataFrame, updates: pd.DataFrame, *, athlete: str,
                   start: date | pd.Timestamp, end: date | pd.Timestamp) -> pd.DataFrame:
    """The athlete's niggles overlapping ``start``..``end`` as bands for the load timelines:
    ``niggle_id, label, x0, x1`` (x1 = resolved day, or the day after ``end`` when still
    active), ``raises`` (the symptom rule applied on some day of the band), ``max_pain``,
    ``worst_effect``."""
    cols = ["niggle_id", "label", "x0", "x1", "raises", "max_pain", "worst_effect"]
    n = niggles.loc[niggles["athlete"] == athlete] if len(niggles) else niggles
    if not len(n):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    u = _updates_for(updates, n["niggle_id"].tolist())
    recs = []
    for nig in n.to_dict(orient="records"):
        x0 = pd.Timestamp(nig["onset"]).normalize()
        res = nig.get("resolved")
        x1 = pd.Timestamp(res).normalize() if res is not None and not pd.isna(res) \
            else hi + pd.Timedelta(days=1)
        if x1 <= lo or x0 > hi:
            continue
        h = u.loc[(u["niggle_id"] == nig["niggle_id"]) & (u["date"] < x1)]
        pain = h["pain"].to_numpy(dtype=float)
        eff = h["effect"].astype(str).to_numpy()
        worst = max(eff, key=lambda e: _EFFECT_RANK.get(e, 0)) if len(eff) else ""
        recs.append({"niggle_id": int(nig["niggle_id"]),
                     "label": niggle_label(str(nig["region"]), str(nig["side"])),
                     "x0": max(x0, lo), "x1": min(x1, hi + pd.Timedelta(days=1)),
                     "raises": bool(_qualifies(pain, eff).any()) if len(h) else False,
                     "max_pain": float(np.nanmax(pain)) if len(pain) else float("nan"),
                     "worst_effect": worst})
    return pd.DataFrame.from_records(recs, columns=cols)


# --------------------------------------------------------------------------- before onset

@dataclass(frozen=True)
class BeforeOnset:
    """The six weeks before a niggle's onset, from the library's computed tables.

    start/end: the window (end = the day before onset). spikes: runs whose single-run spike was
    above the small band (date, spike_pct, band). weekly: per training week ``week,
    run_km, sessions`` and one ``<area>_sessions`` column per area. gaps: per area the longest
    run of days without it in the window and the days since it on the onset day. wellness:
    check-in flags in the window (``date, metric, label, value, z, text``)."""

    niggle_id: int
    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    spikes: pd.DataFrame
    weekly: pd.DataFrame
    gaps: pd.DataFrame
    wellness: pd.DataFrame
    load_7d_at_onset: float
    run_km_change_pct_at_onset: float


def before_onset(niggle: Mapping[str, Any], *, risk_rows: pd.DataFrame,
                 weekly: pd.DataFrame, flags: pd.DataFrame | None = None,
                 weeks: int = BEFORE_WEEKS) -> BeforeOnset:
    """The "before this niggle" figures of one niggle (a row of the niggles table).

    ``risk_rows``: the athlete's daily risk table (pipeline), ``weekly``: the athlete's weekly
    volume table (pipeline), ``flags``: :func:`stridewise.wellness.baseline_flags` rows of the
    athlete. Nothing is recomputed: the figures are read from those tables."""
    from stridewise.schema import TRAINING_AREAS

    onset = pd.Timestamp(niggle["onset"]).normalize()
    start = onset - pd.Timedelta(days=7 * weeks)
    end = onset - pd.Timedelta(days=1)
    r = risk_rows.assign(date=pd.to_datetime(risk_rows["date"]).dt.normalize()) \
        if len(risk_rows) else risk_rows
    win = r.loc[(r["date"] >= start) & (r["date"] <= end)] if len(r) else r
    if len(win) and "spike_pct" in win.columns:
        sp = pd.to_numeric(win["spike_pct"], errors="coerce")
        band = win["spike_band"].astype(str) if "spike_band" in win.columns \
            else pd.Series("", index=win.index)
        keep = sp.notna() & ~band.isin(["none", "", "nan"])
        spikes = pd.DataFrame({"date": win.loc[keep, "date"], "spike_pct": sp[keep],
                               "band": band[keep]}).reset_index(drop=True)
    else:
        spikes = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"),
                               "spike_pct": pd.Series(dtype=float),
                               "band": pd.Series(dtype=str)})
    w = weekly.assign(week=pd.to_datetime(weekly["week"])) if len(weekly) else weekly
    if len(w):
        w = w.loc[(w["week"] > start - pd.Timedelta(days=7)) & (w["week"] <= end)]
    if len(w):
        # running km of each week: the rolling 7-day running km on the week's last day
        rk = r.set_index("date")["run_km_7d"] if len(r) and "run_km_7d" in r.columns \
            else pd.Series(dtype=float)
        ses = w.pivot_table(index="week", columns="area", values="sessions", aggfunc="sum",
                            fill_value=0)
        table = pd.DataFrame(index=ses.index)
        table["run_km"] = pd.to_numeric(rk.reindex(ses.index + pd.Timedelta(days=6)),
                                        errors="coerce").to_numpy()
        table["sessions"] = ses.sum(axis=1)
        for a in TRAINING_AREAS:
            table[f"{a}_sessions"] = ses[a] if a in ses.columns else 0
        weekly_out = table.reset_index()
    else:
        weekly_out = pd.DataFrame(columns=["week", "run_km", "sessions",
                                           *[f"{a}_sessions" for a in TRAINING_AREAS]])
    gap_recs = []
    for a in TRAINING_AREAS[1:]:
        col = f"days_since_{a}"
        vals = pd.to_numeric(win[col], errors="coerce") if len(win) and col in win.columns \
            else pd.Series(dtype=float)
        last_row = r.loc[r["date"] <= end] if len(r) else r
        at = float(pd.to_numeric(last_row[col], errors="coerce").iloc[-1]) \
            if len(last_row) and col in last_row.columns else float("nan")
        gap_recs.append({"area": a, "longest_gap_days": float(vals.max()) if len(vals) else
                         float("nan"), "days_since_at_onset": at})
    gaps = pd.DataFrame.from_records(gap_recs, columns=["area", "longest_gap_days",
                                                        "days_since_at_onset"])
    if flags is not None and len(flags):
        f = flags.assign(date=pd.to_datetime(flags["date"]).dt.normalize())
        f = f.loc[(f["date"] >= start) & (f["date"] <= end) & f["flag"]]
        wl = f[["date", "metric", "label", "value", "z", "text"]].reset_index(drop=True)
    else:
        wl = pd.DataFrame(columns=["date", "metric", "label", "value", "z", "text"])
    last_row = r.loc[r["date"] <= end] if len(r) else r

    def at(col: str) -> float:
        if not len(last_row) or col not in last_row.columns:
            return float("nan")
        return float(pd.to_numeric(last_row[col], errors="coerce").iloc[-1])

    return BeforeOnset(int(niggle["niggle_id"]), niggle_label(str(niggle["region"]),
                                                              str(niggle["side"])),
                       start, end, spikes, weekly_out, gaps, wl, at("acute_7d") * 7.0,
                       at("run_km_change_pct"))
