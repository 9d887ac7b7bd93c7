"""Weekly volume per athlete x week x area (DESIGN §3/§4).

Counted from session parts (:func:`stridewise.classify.session_parts`), so a mixed gym session
with squats and box jumps adds minutes to both strength and plyometrics. Per row:

* ``sessions``: sessions whose main area this is (a mixed session counts once, in its main area,
  so the areas' sessions add up to the week's sessions);
* ``minutes``: part time (guarded moving time, see :func:`stridewise.load.usable_minutes`);
* ``load``: the session load shared out by part time (AU);
* ``distance_km``: **running** kilometres only (sports in ``schema.RUN_SPORTS``; see
  :func:`stridewise.load.running_km`), so they sit in the endurance row; rides, swims and walks add minutes and load but no distance. This is the
  number behind the weekly running-km line and the running-km ramp of the risk table.

Every athlete has a row for every week from their first to their last session week (or ``end``)
and every area of ``schema.AREAS``; weeks without training are zeros, not gaps.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stridewise.errors import UsageError
from stridewise.load import running_km
from stridewise.schema import AREAS

__all__ = ["WEEKLY_COLUMNS", "weekly_volume", "week_start_of"]

WEEKLY_COLUMNS: Final[list[str]] = [
    "athlete", "week", "area", "sessions", "minutes", "distance_km", "load",
]


def week_start_of(dates: pd.Series | pd.DatetimeIndex,
                  week_start: Literal["monday", "sunday"] = "monday") -> pd.Series:
    """The first day (midnight) of the week holding each date."""
    d = pd.Series(pd.to_datetime(dates)).dt.normalize()
    if week_start == "monday":
        back = d.dt.day_of_week
    elif week_start == "sunday":
        back = (d.dt.day_of_week + 1) % 7
    else:
        raise UsageError(f"The week starts on monday or sunday, not {week_start!r}.")
    return d - pd.to_timedelta(back, unit="D")


def _positions(session_ids: pd.Series, part_ids: pd.Series) -> np.ndarray:
    """Row of each part's session in the sessions table (-1 when missing)."""
    if len(part_ids) == len(session_ids):  # one part per session, same order: no hashing
        try:
            same = pc.all(pc.equal(pa.array(session_ids.astype(str)),
                                   pa.array(part_ids.astype(str)))).as_py()
        except (pa.ArrowException, TypeError, ValueError):
            same = False
        if same:
            return np.arange(len(part_ids))
    ids = pd.Index(session_ids)
    if not ids.is_unique:
        raise UsageError("The sessions table repeats a session_id; each session must appear once.")
    return ids.get_indexer(part_ids)


def _part_table(sessions: pd.DataFrame, parts: pd.DataFrame | None) -> pd.DataFrame:
    """Parts joined with session load and running km, shared out by part seconds."""
    if parts is None:
        from stridewise.classify import session_parts

        parts = session_parts(sessions)
    # join parts to their sessions by position (no string merge)
    pos = _positions(sessions["session_id"], parts["session_id"])
    if (pos < 0).any():
        k = int(np.flatnonzero(pos < 0)[0])
        raise UsageError(f"Part {k} names the session {parts['session_id'].iloc[k]!r}, which is "
                         "not in the sessions table.")
    s_load = (pd.to_numeric(sessions["load"], errors="coerce").to_numpy(dtype=float)
              if "load" in sessions.columns else np.zeros(len(sessions)))
    if "run_km" in sessions.columns:
        s_km = pd.to_numeric(sessions["run_km"], errors="coerce").to_numpy(dtype=float)
    else:
        s_km = running_km(sessions)[0]
    p = parts[["session_id", "athlete", "start", "area", "seconds"]]
    sec = pd.to_numeric(p["seconds"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    codes = pos
    total = np.bincount(codes, weights=sec, minlength=len(sessions))[codes] if len(p) else \
        np.zeros(0)
    count = np.bincount(codes, minlength=len(sessions))[codes] if len(p) else np.zeros(0)
    share = np.where(total > 0, sec / np.where(total > 0, total, 1.0), 1.0 / np.maximum(count, 1))
    p = p.assign(sid=codes)
    p["main"] = _main_part(sessions, codes, p["area"], sec)
    p["minutes"] = sec / 60.0
    p["load"] = np.nan_to_num(s_load[codes]) * share
    p["distance_km"] = np.nan_to_num(s_km[codes]) * share
    return p


def _main_part(sessions: pd.DataFrame, codes: np.ndarray, area: pd.Series,
               sec: np.ndarray) -> np.ndarray:
    """True for the one part per session that carries its session count: the part in the
    session's own (main) area, else its longest part."""
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=bool)
    out = np.bincount(codes)[codes] == 1  # a session of one part: that part
    multi = np.flatnonzero(~out)
    if len(multi) == 0:
        return out
    c = codes[multi]
    if "area" in sessions.columns:
        own = sessions["area"].astype(str).to_numpy(dtype=object)[c]
        match = area.astype(str).to_numpy(dtype=object)[multi] == own
    else:
        match = np.zeros(len(multi), dtype=bool)
    # one part per mixed session: the first part in its main area, else its longest part
    score = np.where(match, np.inf, np.nan_to_num(np.asarray(sec)[multi]))
    order = np.lexsort((np.arange(len(multi)), -score, c))
    first = np.ones(len(multi), dtype=bool)
    first[1:] = c[order][1:] != c[order][:-1]
    out[multi[order[first]]] = True
    return out


def main_parts(sessions: pd.DataFrame, parts: pd.DataFrame) -> np.ndarray:
    """True for the one part of each session that carries its session count (the part in the
    session's main area, else its longest part); False for parts of unknown sessions."""
    pos = pd.Index(sessions["session_id"].astype(str)).get_indexer(
        parts["session_id"].astype(str))
    known = pos >= 0
    out = np.zeros(len(parts), dtype=bool)
    if known.any():
        sec = pd.to_numeric(parts["seconds"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        idx = np.flatnonzero(known)
        out[idx] = _main_part(sessions, pos[idx], parts["area"].iloc[idx], sec[idx])
    return out


def weekly_volume(sessions_with_load: pd.DataFrame, parts: pd.DataFrame | None = None, *,
                  week_start: Literal["monday", "sunday"] = "monday",
                  end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Weekly volume: ``athlete, week, area, sessions, minutes, distance_km, load``.

    ``week`` is the Monday (or Sunday) starting the week, as datetime64. ``end`` (a date) closes
    the calendar: sessions after it are left out and the grid runs to its week. Sorted by
    athlete, week and area in ``schema.AREAS`` order.
    """
    p = _part_table(sessions_with_load, parts)
    if end is not None:
        end_ts = pd.Timestamp(end).normalize()
        p = p[pd.to_datetime(p["start"]).dt.normalize() <= end_ts]
    else:
        end_ts = None
    if len(p) == 0:
        return pd.DataFrame({
            "athlete": pd.Series(dtype=str), "week": pd.Series(dtype="datetime64[ns]"),
            "area": pd.Series(dtype=str), "sessions": pd.Series(dtype="int64"),
            "minutes": pd.Series(dtype=float), "distance_km": pd.Series(dtype=float),
            "load": pd.Series(dtype=float)})
    p = p.assign(week=week_start_of(p["start"], week_start).to_numpy())
    ath_codes, athletes = pd.factorize(p["athlete"], sort=True)
    codes_a, uniq_a = pd.factorize(p["area"])
    area_codes = pd.Index(list(AREAS)).get_indexer(pd.Index(uniq_a))[codes_a].astype(np.int64)
    area_codes = np.where(area_codes < 0, len(AREAS) - 1, area_codes)  # unknown -> other
    week_days = (p["week"].to_numpy().astype("datetime64[D]").astype(np.int64))

    # grid: per athlete, every week from first to last (or end) x every area
    first = np.full(len(athletes), np.iinfo(np.int64).max)
    last = np.full(len(athletes), np.iinfo(np.int64).min)
    np.minimum.at(first, ath_codes, week_days)
    np.maximum.at(last, ath_codes, week_days)
    if end_ts is not None:
        end_week = int(week_start_of(pd.Series([end_ts]), week_start).to_numpy()
                       .astype("datetime64[D]").astype(np.int64)[0])
        last = np.maximum(last, end_week)
    n_weeks = (last - first) // 7 + 1
    offsets = np.concatenate([[0], np.cumsum(n_weeks)[:-1]])
    total_weeks = int(n_weeks.sum())
    n_areas = len(AREAS)

    week_pos = offsets[ath_codes] + (week_days - first[ath_codes]) // 7
    cell = week_pos * n_areas + area_codes
    size = total_weeks * n_areas
    minutes = np.bincount(cell, weights=p["minutes"].to_numpy(dtype=float), minlength=size)
    load = np.bincount(cell, weights=p["load"].to_numpy(dtype=float), minlength=size)
    dist = np.bincount(cell, weights=p["distance_km"].to_numpy(dtype=float), minlength=size)
    # sessions: each session once, in its main area (a mixed session's minutes still split)
    sessions = np.bincount(cell[p["main"].to_numpy(dtype=bool)], minlength=size)

    grid_ath = np.repeat(np.arange(len(athletes)), n_weeks * n_areas)
    week_idx = np.repeat(np.arange(total_weeks), n_areas)
    ath_of_week = np.repeat(np.arange(len(athletes)), n_weeks)
    week_val = first[ath_of_week] + 7 * (np.arange(total_weeks) - offsets[ath_of_week])
    out = pd.DataFrame({
        "athlete": pd.Series(athletes.take(grid_ath), dtype=str),
        "week": week_val[week_idx].astype("datetime64[D]").astype("datetime64[ns]"),
        "area": pd.Series(pd.Categorical.from_codes(np.tile(np.arange(n_areas), total_weeks),
                                                    categories=list(AREAS))).astype(str),
        "sessions": sessions.astype("int64"),
        "minutes": minutes,
        "distance_km": dist,
        "load": load,
    })
    return out


def area_split(parts: pd.DataFrame) -> pd.Series:
    """Per session with more than one part: its minutes per area as text, largest first
    (``"strength 30 min · plyometrics 10 min"``); index session_id. Sessions of one area are
    absent. The text the sessions table shows beside the main area."""
    if len(parts) == 0:
        return pd.Series(dtype=str)
    p = pd.DataFrame({"sid": parts["session_id"].astype(str), "area": parts["area"].astype(str),
                      "min": pd.to_numeric(parts["seconds"], errors="coerce").fillna(0.0) / 60.0})
    p = p.groupby(["sid", "area"], sort=False)["min"].sum().reset_index()
    multi = p["sid"].map(p["sid"].value_counts()) > 1
    p = p[multi].sort_values(["sid", "min"], ascending=[True, False])
    text = p["area"] + " " + p["min"].round(0).astype(int).astype(str) + " min"
    return text.groupby(p["sid"], sort=False).agg(" · ".join)
