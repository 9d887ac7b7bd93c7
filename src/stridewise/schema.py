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
#: Optional keys of a set record, kept only when given: ``side`` (left, right or both) of a set
#: logged by hand.
OPTIONAL_SET_FIELDS: Final[tuple[str, ...]] = ("side",)

STR: Final = "str"
FLOAT: Final = "float64"
DATETIME: Final = "datetime64[ns]"
BOOL: Final = "bool"

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
    # True when the source gave a distance but no time and ``duration_s``/``moving_s`` were
    # estimated (e.g. from the file's pace): the minutes and the load are estimates.
    "duration_estimated": BOOL,
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
        # optional keys, written only when set (sets logged by hand: the side worked)
        for k in OPTIONAL_SET_FIELDS:
            if s.get(k) not in (None, ""):
                rec[k] = s.get(k)
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


#: Longest text kept in a text column (title, athlete, ...), in characters. Longer text is cut
#: at import: every later step (classification, exports, pages) reads these texts.
TEXT_MAX_CHARS: Final = 10_000


def clean_text(v: str, limit: int = TEXT_MAX_CHARS) -> str:
    """``v`` without NUL characters (PostgreSQL text cannot hold them) and cut to ``limit``."""
    if "\x00" in v:
        v = v.replace("\x00", "")
    return v if len(v) <= limit else v[:limit]


def _clean_texts(vals: np.ndarray, limit: int | None) -> np.ndarray:
    """Text values with NUL characters removed and (unless ``limit`` is None) cut to ``limit``;
    a copy only when something changes."""
    bad = [i for i, v in enumerate(vals)
           if "\x00" in v or (limit is not None and len(v) > limit)]
    if not bad:
        return vals
    vals = vals.copy()
    for i in bad:
        vals[i] = clean_text(vals[i], limit if limit is not None else len(vals[i]))
    return vals


def _text_column(s: pd.Series | None, n: int, fill: str, limit: int | None = TEXT_MAX_CHARS
                 ) -> np.ndarray:
    if s is None:
        return np.full(n, fill, dtype=object)
    if isinstance(s.dtype, pd.StringDtype) and not s.hasnans:
        return _clean_texts(s.to_numpy(dtype=object), limit)
    vals = s.to_numpy(dtype=object).copy()
    mask = pd.isna(vals)
    vals[mask] = fill
    if pd.api.types.infer_dtype(vals, skipna=False) != "string":
        vals = np.array([v if isinstance(v, str) else str(v) for v in vals], dtype=object)
    return _clean_texts(vals, limit)


def _float_column(s: pd.Series | None, n: int) -> np.ndarray:
    if s is None:
        return np.full(n, np.nan)
    if s.dtype == np.float64:
        return s.to_numpy(copy=True)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


_TRUE_TEXT: Final[frozenset[str]] = frozenset({"true", "t", "yes", "y", "1"})


def _bool_column(s: pd.Series | None, n: int) -> np.ndarray:
    """A flag column as a bool array: missing values are False; text "true"/"yes"/"1" (any
    case) is True; numbers are True when non-zero."""
    if s is None:
        return np.zeros(n, dtype=bool)
    if s.dtype == np.bool_:
        return s.to_numpy(copy=True)
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return ~np.isnan(v) & (v != 0)
    return np.array([v.strip().casefold() in _TRUE_TEXT if isinstance(v, str)
                     else bool(v is True or v == 1) for v in s.to_numpy(dtype=object)],
                    dtype=bool)


def _datetime_column(s: pd.Series | None, n: int) -> np.ndarray:
    if s is None:
        return np.full(n, np.datetime64("NaT"), dtype=DATETIME)
    if s.dtype == np.dtype(DATETIME):
        return s.to_numpy(copy=True)
    t = pd.to_datetime(s, errors="coerce")
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_localize(None)
    return t.to_numpy(dtype=DATETIME)


def normalise_arrays(df: pd.DataFrame, constants: Mapping[str, object] | None = None,
                     ) -> dict[str, np.ndarray]:
    """The canonical columns of ``df`` as numpy arrays (text as object arrays of str).

    ``constants`` sets whole columns to one value (e.g. the athlete's name). Missing optional
    columns become NaN / ``""`` / ``"[]"``; ``moving_s`` falls back to ``duration_s``. Text
    loses NUL characters and is cut to :data:`TEXT_MAX_CHARS` (see :func:`clean_text`).
    """
    n = len(df)
    const = dict(constants or {})
    cols: dict[str, np.ndarray] = {}
    for col, dtype in COLUMNS.items():
        if col in const:
            value = const[col]
            value = clean_text(value) if isinstance(value, str) else value
            cols[col] = np.full(n, value, dtype=object if dtype == STR else dtype)
            continue
        s = df[col] if col in df.columns else None
        if dtype == STR:
            # JSON of the sets is never cut (it would stop being JSON); NULs go everywhere
            cols[col] = _text_column(s, n, "[]" if col == "sets" else "",
                                     None if col == "sets" else TEXT_MAX_CHARS)
        elif dtype == DATETIME:
            cols[col] = _datetime_column(s, n)
        elif dtype == BOOL:
            cols[col] = _bool_column(s, n)
        else:
            cols[col] = _float_column(s, n)
    moving, duration = cols["moving_s"], cols["duration_s"]
    cols["moving_s"] = np.where(np.isnan(moving), duration, moving)
    return cols


def frame_from_arrays(cols: Mapping[str, np.ndarray], df: pd.DataFrame | None = None,
                      ) -> pd.DataFrame:
    """A canonical DataFrame from :func:`normalise_arrays` output; extra columns of ``df`` (if
    given) are kept after the canonical ones, with ``df``'s index."""
    data: dict[str, object] = {
        c: (pd.array(cols[c], dtype=STR) if t == STR else cols[c]) for c, t in COLUMNS.items()}
    if df is not None:
        for extra in df.columns:
            if extra not in COLUMNS:
                data[extra] = df[extra]
    return pd.DataFrame(data, index=df.index if df is not None else None)


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every canonical column present, in order, with canonical dtypes.

    Missing optional columns are added (NaN, or ``""`` for text; ``"[]"`` for ``sets``; False
    for flags);
    ``moving_s`` falls back to ``duration_s``; extra columns are kept after the canonical ones.
    Built column by column from numpy arrays: cheap for the one-row tables of activity files
    and for the ten-thousand-row tables of bulk exports alike.
    """
    return frame_from_arrays(normalise_arrays(df), df)


def validate(df: pd.DataFrame) -> None:
    """Check ``df`` against the canonical schema; raise :class:`SchemaError` naming the problem.

    Checks: every canonical column present; dtypes (text, naive datetime, float, bool); required
    values present; ``area`` and ``sport`` from the known sets (``area`` may be empty before
    classification); numbers within :data:`RANGES`; ``session_id`` unique.
    """
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(f"The sessions table lacks the column '{missing[0]}'.", column=missing[0])
    arrays: dict[str, np.ndarray] = {}
    for col, dtype in COLUMNS.items():
        s = df[col]
        if dtype == DATETIME:
            if not pd.api.types.is_datetime64_dtype(s.dtype):
                raise SchemaError(
                    f"Column '{col}' must hold naive date-times, not {s.dtype}.", column=col)
            arrays[col] = s.to_numpy()
        elif dtype == BOOL:
            if not pd.api.types.is_bool_dtype(s.dtype) or s.isna().any():
                raise SchemaError(f"Column '{col}' must hold true/false, not {s.dtype}.",
                                  column=col)
            arrays[col] = s.to_numpy(dtype=bool)
        elif dtype == FLOAT:
            if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
                raise SchemaError(f"Column '{col}' must be numeric, not {s.dtype}.", column=col)
            arrays[col] = s.to_numpy(dtype=float, na_value=np.nan)
        else:
            arrays[col] = s.to_numpy(dtype=object)
    validate_arrays(arrays)


_AREA_SET = frozenset(AREAS) | {""}
_SPORT_SET = frozenset(SPORTS)


def validate_arrays(cols: Mapping[str, np.ndarray]) -> None:
    """:func:`validate` on the arrays of :func:`normalise_arrays` (all canonical columns)."""
    for col, dtype in COLUMNS.items():
        if dtype != STR:
            continue
        v = cols[col]
        if pd.api.types.infer_dtype(v, skipna=False) not in ("string", "empty"):
            row = next(i for i, x in enumerate(v) if not isinstance(x, str))
            raise SchemaError(f"Column '{col}' must hold text; row {row} holds {v[row]!r}.",
                              column=col, row=row)
    for col in REQUIRED:
        v = cols[col]
        if COLUMNS[col] == STR:
            empty = v == ""
        else:
            empty = np.isnat(v) if COLUMNS[col] == DATETIME else np.isnan(v)
        if empty.any():
            row = int(np.flatnonzero(empty)[0])
            raise SchemaError(f"Row {row} has no value in the required column '{col}'.",
                              column=col, row=row)
    for col, allowed in (("area", _AREA_SET), ("sport", _SPORT_SET)):
        v = cols[col]
        if set(pd.unique(v)) <= allowed:
            continue
        for row, x in enumerate(v):
            if x not in allowed:
                raise SchemaError(
                    f"Row {row} has the unknown {col} {x!r} "
                    f"(known: {', '.join(sorted(allowed - {''}))}).", column=col, row=row)
    for col, (lo, hi) in RANGES.items():
        v = cols[col]
        bad = ~np.isnan(v) & ((v < lo) | (v > hi))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"Row {row} has {col} = {v[row]:g}, outside the plausible range {lo:g}–{hi:g}.",
                column=col, row=row)
    ids = cols["session_id"]
    if len(ids) > 1:
        dup = pd.Series(ids).duplicated().to_numpy()
        if dup.any():
            row = int(np.flatnonzero(dup)[0])
            raise SchemaError(f"Row {row} repeats the session_id {ids[row]!r}.",
                              column="session_id", row=row)
