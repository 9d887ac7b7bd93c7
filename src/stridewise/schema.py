"""The canonical session (DESIGN §2): columns, dtypes, areas, sports, validation.

One row per session. Units inside are SI: seconds, metres. ``start`` is a naive datetime on the
athlete's local wall clock. ``sets`` is a JSON text holding a list of set records (see
:data:`SET_FIELDS`), ``"[]"`` when the source has none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from stridewise.errors import SchemaError

#: Training areas in display order; ``other`` holds what is none of the five.
AREAS: Final[tuple[str, ...]] = (
    "endurance", "strength", "plyometrics", "stability", "flexibility", "other",
)
#: The five training areas of the seed text (``other`` excluded).
TRAINING_AREAS: Final[tuple[str, ...]] = AREAS[:5]

#: Normalised sport names. Importers map every source's activity type onto one of these.
SPORTS: Final[tuple[str, ...]] = (
    "run", "trail_run", "treadmill_run", "track_run", "virtual_run", "walk", "hike",
    "ride", "virtual_ride", "mountain_bike", "gravel_ride", "e_bike",
    "swim", "open_water_swim", "row", "ski", "nordic_ski", "skate", "elliptical",
    "stair", "strength", "yoga", "pilates", "hiit", "cardio", "stretching", "mobility",
    "climb", "team_sport", "racket_sport", "multisport", "other",
)
#: Sports that count as running for running-km metrics.
RUN_SPORTS: Final[frozenset[str]] = frozenset(
    {"run", "trail_run", "treadmill_run", "track_run", "virtual_run"}
)

#: Keys of one strength-set record inside ``sets`` (values may be null).
SET_FIELDS: Final[tuple[str, ...]] = ("exercise", "category", "reps", "weight_kg", "seconds")

STR: Final = "str"
FLOAT: Final = "float64"
DATETIME: Final = "datetime64[ns]"

#: Canonical columns and their dtypes, in order.
COLUMNS: Final[dict[str, str]] = {
    "athlete": STR,
    "session_id": STR,
    "start": DATETIME,
    "sport": STR,
    "title": STR,
    "area": STR,
    "duration_s": FLOAT,
    "moving_s": FLOAT,
    "distance_m": FLOAT,
    "elevation_gain_m": FLOAT,
    "avg_hr": FLOAT,
    "max_hr": FLOAT,
    "calories": FLOAT,
    "rpe": FLOAT,
    "sets": STR,
    "source": STR,
    "source_file": STR,
    "source_id": STR,
}
#: Columns that must never be empty.
REQUIRED: Final[tuple[str, ...]] = ("athlete", "session_id", "start", "sport", "duration_s")

#: Plausible ranges used by :func:`validate` (inclusive); NaN always passes.
RANGES: Final[dict[str, tuple[float, float]]] = {
    "duration_s": (0.0, 7 * 86400.0),
    "moving_s": (0.0, 7 * 86400.0),
    "distance_m": (0.0, 2_000_000.0),
    "elevation_gain_m": (0.0, 50_000.0),
    "avg_hr": (20.0, 260.0),
    "max_hr": (20.0, 260.0),
    "calories": (0.0, 100_000.0),
    "rpe": (0.0, 10.0),
}


def make_session_id(athlete: str, *identity: object) -> str:
    """Stable session id: a short hash of the athlete and the source identity.

    The same athlete and identity parts always give the same id, so re-importing a file gives
    the same ids. ``identity`` should name the session within its source (e.g. Strava activity
    id, or source name + start time).
    """
    text = "\x1f".join([athlete.strip().casefold(), *(str(p) for p in identity)])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def empty_sessions() -> pd.DataFrame:
    """An empty DataFrame with the canonical columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def sets_to_json(sets: Iterable[Mapping[str, Any]] | None) -> str:
    """Serialise set records to the JSON text kept in the ``sets`` column."""
    rows = []
    for s in sets or []:
        rec = {k: s.get(k) for k in SET_FIELDS}
        for k, v in list(rec.items()):
            if isinstance(v, float) and np.isnan(v):
                rec[k] = None
        rows.append(rec)
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def parse_sets(text: object) -> list[dict[str, Any]]:
    """The set records of one ``sets`` cell (``[]`` for empty/NaN/invalid text)."""
    if not isinstance(text, str) or not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every canonical column present, in order, with canonical dtypes.

    Missing optional columns are added (NaN, or ``""`` for text; ``"[]"`` for ``sets``);
    ``moving_s`` falls back to ``duration_s``; extra columns are kept after the canonical ones.
    """
    out = df.copy()
    n = len(out)
    for col, dtype in COLUMNS.items():
        if col not in out.columns:
            if dtype == STR:
                out[col] = "[]" if col == "sets" else ""
            elif dtype == DATETIME:
                out[col] = pd.Series(pd.NaT, index=out.index, dtype=DATETIME)
            else:
                out[col] = np.full(n, np.nan)
    for col, dtype in COLUMNS.items():
        if dtype == STR:
            fill = "[]" if col == "sets" else ""
            out[col] = out[col].astype(object).where(out[col].notna(), fill).astype(str)
        elif dtype == DATETIME:
            s = pd.to_datetime(out[col], errors="coerce")
            if isinstance(s.dtype, pd.DatetimeTZDtype):
                s = s.dt.tz_localize(None)
            out[col] = s.astype(DATETIME)
        else:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(FLOAT)
    out["moving_s"] = out["moving_s"].fillna(out["duration_s"])
    extra = [c for c in out.columns if c not in COLUMNS]
    return out[list(COLUMNS) + extra]


def validate(df: pd.DataFrame) -> None:
    """Check ``df`` against the canonical schema; raise :class:`SchemaError` naming the problem.

    Checks: every canonical column present; dtypes (text, naive datetime, float); required
    values present; ``area`` and ``sport`` from the known sets (``area`` may be empty before
    classification); numbers within :data:`RANGES`; ``session_id`` unique.
    """
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(f"The sessions table lacks the column '{missing[0]}'.", column=missing[0])
    for col, dtype in COLUMNS.items():
        s = df[col]
        if dtype == DATETIME:
            if not pd.api.types.is_datetime64_dtype(s.dtype):
                raise SchemaError(
                    f"Column '{col}' must hold naive date-times, not {s.dtype}.", column=col)
        elif dtype == FLOAT:
            if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
                raise SchemaError(f"Column '{col}' must be numeric, not {s.dtype}.", column=col)
        else:
            bad = s.map(lambda v: not isinstance(v, str))
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise SchemaError(
                    f"Column '{col}' must hold text; row {row} holds {s.iloc[row]!r}.",
                    column=col, row=row)
    for col in REQUIRED:
        s = df[col]
        empty = s.isna() | (s == "") if COLUMNS[col] == STR else s.isna()
        if empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0])
            raise SchemaError(f"Row {row} has no value in the required column '{col}'.",
                              column=col, row=row)
    for col, allowed in (("area", set(AREAS) | {""}), ("sport", set(SPORTS))):
        bad = ~df[col].isin(allowed)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise SchemaError(
                f"Row {row} has the unknown {col} {df[col].iloc[row]!r} "
                f"(known: {', '.join(sorted(allowed - {''}))}).", column=col, row=row)
    for col, (lo, hi) in RANGES.items():
        v = df[col].to_numpy(dtype=float)
        bad = ~np.isnan(v) & ((v < lo) | (v > hi))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"Row {row} has {col} = {v[row]:g}, outside the plausible range {lo:g}–{hi:g}.",
                column=col, row=row)
    dup = df["session_id"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise SchemaError(f"Row {row} repeats the session_id {df['session_id'].iloc[row]!r}.",
                          column="session_id", row=row)
