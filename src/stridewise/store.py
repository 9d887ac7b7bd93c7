"""Persistence: SQLite by default, PostgreSQL by URL, one SQLAlchemy Core code path (DESIGN §5).

``Store()`` opens the database named by its argument or by ``STRIDEWISE_DB`` (a file path or
an SQLAlchemy URL such as ``postgresql+psycopg://user@host/db``); without either it uses the
SQLite file ``data/stridewise.db`` under the current directory, creating it and its folder.

Guarantees:

* every write is one transaction, and writers are serialised (SQLite ``BEGIN IMMEDIATE`` with a
  busy timeout; PostgreSQL a transaction-scoped advisory lock), so concurrent app processes
  neither lose nor double sessions; transient lock/serialisation errors are retried;
* importing the same file twice changes nothing (recognised by its content hash); overlapping
  exports of one source give no duplicates (the session id hashes athlete + source + native id);
  the same session from two sources (start within 5 minutes, same sport family, durations within
  10 %) becomes one merged session keeping the richer fields; user overrides are never touched
  by imports; removing an import removes exactly the sessions that only it brought;
* ``version()`` grows with every write so readers can cache on it.

See :mod:`stridewise.store_schema` for the tables and migrations.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from stridewise import body_store, derived, pipeline
from stridewise.errors import StoreError, StridewiseError, UsageError
from stridewise.manual import MANUAL_SOURCE
from stridewise.schema import (
    AREAS,
    COLUMNS,
    RANGES,
    REQUIRED,
    SPORTS,
    make_session_id,
    normalise,
)
from stridewise.store_manual import ManualLogMixin
from stridewise.store_schema import (
    ACCESS_TABLES,
    DATA_TABLES,
    DERIVED_TABLES,
    SCHEMA_VERSION,
    UTC_SOURCES,
    T,
    current_version,
    family_case,
    migrate,
    sport_family,
)

__all__ = [
    "DEFAULT_DB_PATH", "MATCH_DURATION_FRACTION", "MATCH_WINDOW_S", "SAME_START_S",
    "ArchivePart", "ImportResult", "Store",
    "match_sessions", "merge_source_rows", "resolve_url",
]

#: The default database file, relative to the current directory.
DEFAULT_DB_PATH: Final[str] = "data/stridewise.db"
#: Two sources describe the same session when their starts differ by at most this many seconds,
MATCH_WINDOW_S: Final[float] = 300.0
#: ... their durations differ by at most this fraction of the longer one, and their sports are
#: of one family (see :func:`stridewise.store_schema.sport_family`).
MATCH_DURATION_FRACTION: Final[float] = 0.10
#: A session from a source without native ids that starts within this many seconds of a stored
#: session of the same source and sport family is the same activity in another export.
SAME_START_S: Final[float] = 1.0

_PG_LOCK_KEY: Final[int] = 0x5374726964  # transaction-scoped advisory lock serialising writers
_CHUNK: Final[int] = 500  # ids per IN (...) list
_BUSY_TIMEOUT_S: Final[float] = 60.0
_RETRIES: Final[int] = 12
#: Canonical text fields and numeric fields.
_TEXT: Final[tuple[str, ...]] = tuple(c for c, t in COLUMNS.items() if t == "str")
_NUM: Final[tuple[str, ...]] = tuple(c for c, t in COLUMNS.items() if t == "float64")
#: Canonical flags (stored as BOOLEAN, read back as integers 0/1 on every backend).
_FLAGS: Final[tuple[str, ...]] = tuple(c for c, t in COLUMNS.items() if t == "bool")
#: Fields compared when the same source session arrives again (file name excluded: two
#: overlapping exports have different names but describe the same activity).
_COMPARED: Final[tuple[str, ...]] = tuple(
    c for c in COLUMNS if c not in ("athlete", "session_id", "area", "source_file"))
#: Fields a merged session takes from its primary source as one consistent set.
_FROM_PRIMARY: Final[tuple[str, ...]] = ("start", "sport", "source", "source_file", "source_id")
#: Fields a session logged by hand gives its merged session even when a recording has them.
MANUAL_FIRST: Final[tuple[str, ...]] = ("rpe", "title", "sets")
_ATHLETE_FIELDS: Final[tuple[str, ...]] = (
    "group", "hr_max", "hr_rest", "sex", "tz", "units", "is_demo")

R = TypeVar("R")


_FETCH_ROWS: Final[int] = 8192  # rows per batch when reading sessions back
_FLOAT_KEYS: Final[frozenset[str]] = frozenset(_NUM)
#: Text columns read back as NULL when they hold their commonest value (cheaper to fetch).
_AS_NULL: Final[dict[str, str]] = {"area": "", "sets": "[]"}


@dataclass(frozen=True)
class _RowBatches:
    """What a sessions read fetched: Arrow batches of ``kind``, or raw rows when the values
    did not fit the expected Arrow types (then read the slow, forgiving way)."""

    batches: list[pa.StructArray]
    rows: list[tuple[Any, ...]]
    kind: pa.StructType | None


def _arrow_row_type(keys: list[str], first: tuple[Any, ...]) -> pa.StructType:
    """Arrow type of one sessions row: numbers as float64, ``import_id`` int64, text as text;
    ``start`` is text (SQLite) or a datetime (PostgreSQL), as the first row shows."""
    fields = []
    for k, v in zip(keys, first, strict=True):
        if k in _FLOAT_KEYS:
            t = pa.float64()
        elif k == "import_id" or k in _FLAGS:
            t = pa.int64()
        elif k == "start" and isinstance(v, datetime):
            t = pa.timestamp("us")
        else:
            t = pa.large_string()
        fields.append(pa.field(k, t))
    return pa.struct(fields)


def _struct_rows(batch: pa.StructArray) -> list[tuple[Any, ...]]:
    """Rows of an Arrow batch as Python tuples (for the fallback path)."""
    cols = [batch.field(i).to_pylist() for i in range(batch.type.num_fields)]
    return list(zip(*cols, strict=True))


@dataclass(frozen=True)
class ImportResult:
    """What one import did.

    added: new sessions; merged: sessions of this file joined to a session already stored (the
    same training from another source, or from another export of a source without ids); unchanged: sessions already stored from this source (overlapping export);
    updated: sessions already stored from this source whose values this file changed.
    already_imported: this very file (same content) was imported before for this athlete;
    nothing was written and ``import_id`` names the earlier import.
    """

    import_id: int
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    updated: int = 0
    already_imported: bool = False
    file_name: str = ""
    #: ids of sessions logged by hand that a recording of this import was merged into
    manual_merged: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.added + self.merged + self.unchanged + self.updated

    def summary(self) -> str:
        """One sentence for the user."""
        name = self.file_name or "The file"
        if self.already_imported:
            return (f"{name} was already imported (import {self.import_id}); "
                    "nothing was changed.")
        parts = [f"{self.added} new"]
        if self.merged:
            parts.append(f"{self.merged} merged into sessions already stored")
        if self.manual_merged:
            n = len(self.manual_merged)
            parts.append(f"{n} of them into {'a session' if n == 1 else 'sessions'} you "
                         "logged by hand (keeping your RPE, notes and sets; the session can "
                         "be split again)")
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.unchanged:
            parts.append(f"{self.unchanged} already stored")
        return f"{name}: {', '.join(parts)} (import {self.import_id})."


@dataclass(frozen=True)
class ArchivePart:
    """One part of a large archive import, committed with its import (see
    :meth:`Store.import_parts`): the archive's identity, the part's index and count, and the
    ids the part wants remembered for the parts that follow."""

    archive_key: str
    index: int
    n_parts: int
    matched_ids: Sequence[str] = ()


class _NoChange(Exception):  # noqa: N818 - control flow, never escapes the store
    """Raised inside a write to roll it back and return ``result`` (nothing to write)."""

    def __init__(self, result: Any) -> None:
        super().__init__("no change")
        self.result = result


# --------------------------------------------------------------------------- URL and engine


def resolve_url(url: str | None = None) -> URL:
    """The database URL for ``url``, or ``STRIDEWISE_DB``, or the default SQLite file.

    A value without ``://`` is a file path (relative to the current directory). ``postgres://``
    and ``postgresql://`` URLs are served through psycopg 3.
    """
    raw = url if url is not None else os.environ.get("STRIDEWISE_DB", "")
    raw = raw.strip() or DEFAULT_DB_PATH
    if "://" not in raw:
        if raw == ":memory:":
            return URL.create("sqlite", database=":memory:")
        return URL.create("sqlite", database=str(Path(raw).expanduser().absolute()))
    try:
        u = make_url(raw)
    except ArgumentError as exc:
        raise StoreError(f"'{raw}' is not a database URL or file path Stridewise understands.") \
            from exc
    if u.drivername in ("postgres", "postgresql"):
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"The database '{u.get_backend_name()}' is not supported; use a SQLite "
                         "file or a postgresql+psycopg:// URL.")
    return u


def _sqlite_engine(url: URL) -> Engine:
    db = url.database or ""
    if db and db != ":memory:" and not db.startswith("file:"):
        try:
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"The folder for the database {db} cannot be created: "
                             f"{exc.strerror or exc}.") from exc
    engine = sa.create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Transactions are begun by the "begin" hook below, so writers can take the write lock
        # up front (BEGIN IMMEDIATE) instead of failing on a lock upgrade.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
        if db != ":memory:":
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        # 16 MiB page cache per connection: pages read per-athlete rows and derived tables,
        # not whole histories, and every pooled connection keeps its own cache in memory
        cur.execute("PRAGMA cache_size = -16384")
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("stridewise_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _no_nul(v: Any) -> Any:
    return v.replace("\x00", "") if isinstance(v, str) and "\x00" in v else v


def _nul_free(params: Any) -> Any:
    """Statement parameters without NUL characters in any text (one row or many)."""
    if isinstance(params, dict):
        if any(isinstance(v, str) and "\x00" in v for v in params.values()):
            return {k: _no_nul(v) for k, v in params.items()}
        return params
    if isinstance(params, (list, tuple)):
        if any(isinstance(p, (dict, list, tuple)) for p in params):
            return type(params)(_nul_free(p) for p in params)
        if any(isinstance(v, str) and "\x00" in v for v in params):
            return type(params)(_no_nul(v) for v in params)
    return params


def _strip_nul_on_write(engine: Engine) -> None:
    """Remove NUL characters from every text value sent to the database.

    PostgreSQL text cannot hold NUL (the whole statement fails) while SQLite stores it; both
    back-ends store the same text this way, whatever path (import, edit, restore) wrote it."""

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _before(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                _many: bool) -> tuple[str, Any]:
        return statement, _nul_free(parameters)


def _is_transient(exc: DBAPIError) -> bool:
    """Lock/serialisation conflicts that succeed when the transaction is simply run again."""
    code = getattr(exc.orig, "sqlstate", None)
    if code in {"40001", "40P01", "23505", "55P03"}:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text or "locked" in text


def _reason(exc: BaseException) -> str:
    """The driver's explanation of a database error on one line, without a final full stop."""
    text = str(getattr(exc, "orig", None) or exc)
    text = text.split("\n(Background on this error")[0]
    text = " ".join(text.split())
    return text.rstrip(".?! ") or type(exc).__name__


def _chunks(seq: Sequence[R], n: int = _CHUNK) -> Iterator[Sequence[R]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _column_values(s: pd.Series) -> list[Any]:
    """One column as plain Python values with None for missing (fast paths per dtype)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return [None if pd.isna(v) else v for v in s.dt.to_pydatetime()]
    if pd.api.types.is_float_dtype(s.dtype):
        a = s.to_numpy(dtype=float)
        vals = a.tolist()
        miss = np.isnan(a)
        if miss.any():
            vals = [None if m else v for v, m in zip(vals, miss.tolist(), strict=True)]
        return vals
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_integer_dtype(s.dtype) \
            and not s.isna().any():
        return s.to_numpy().tolist()
    miss = s.isna().to_numpy()
    vals = s.astype(object).tolist()
    if miss.any():
        vals = [None if m else v for v, m in zip(vals, miss.tolist(), strict=True)]
    return vals


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for missing) for executemany."""
    if df.empty:
        return []
    cols = [str(c) for c in df.columns]
    lists = [_column_values(df[c]) for c in df.columns]
    return [dict(zip(cols, row, strict=True)) for row in zip(*lists, strict=True)]


def _frame(result: sa.CursorResult) -> pd.DataFrame:
    """A query result as a DataFrame (built column-wise: much faster than from Row objects)."""
    keys = list(result.keys())
    rows = result.fetchall()
    if not rows:
        return pd.DataFrame({k: pd.Series(dtype=object) for k in keys})
    cols = list(zip(*rows, strict=True))
    return pd.DataFrame({k: list(v) for k, v in zip(keys, cols, strict=True)})


def _to_datetime(values: pd.Series) -> pd.Series:
    """Stored start values (SQLite text or PostgreSQL datetimes) as datetime64[ns]."""
    if values.empty:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    return pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")


def _canonical(sessions: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns of ``sessions`` with canonical dtypes (a copy).

    Skips :func:`stridewise.schema.normalise` when the frame already is canonical (what every
    importer delivers), which matters for big squads.
    """
    cols = list(COLUMNS)
    if list(sessions.columns[: len(cols)]) == cols:
        ok = True
        for col, dtype in COLUMNS.items():
            s = sessions[col]
            if dtype == "str":
                ok = isinstance(s.dtype, pd.StringDtype) and not s.isna().any()
            elif dtype == "float64":
                ok = s.dtype == np.float64
            elif dtype == "bool":
                ok = s.dtype == np.bool_
            else:
                ok = s.dtype == np.dtype("datetime64[ns]")
            if not ok:
                break
        if ok and not sessions["moving_s"].isna().any():
            return sessions[cols].copy()
    return normalise(sessions)[cols]


def _problem(frame: pd.DataFrame) -> str:
    """The first violation of the canonical schema's value rules in a canonical frame, or ""
    (the checks of :func:`stridewise.schema.validate` beyond dtypes, vectorised)."""
    for col in REQUIRED:
        s = frame[col]
        bad = s.isna() | (s == "") if COLUMNS[col] == "str" else s.isna()
        if bad.any():
            return f"row {int(np.flatnonzero(bad.to_numpy())[0])} has no {col}."
    bad = ~frame["sport"].isin(SPORTS)
    if bad.any():
        return f"the sport {frame['sport'][bad].iloc[0]!r} is not one Stridewise knows."
    for col, (lo, hi) in RANGES.items():
        v = frame[col].to_numpy(dtype=float)
        bad_v = ~np.isnan(v) & ((v < lo) | (v > hi))
        if bad_v.any():
            i = int(np.flatnonzero(bad_v)[0])
            return f"row {i} has {col} = {v[i]:g}, outside {lo:g}–{hi:g}."
    dup = frame["session_id"].duplicated()
    if dup.any():
        return f"the session id {frame['session_id'][dup].iloc[0]!r} appears twice."
    return ""


# --------------------------------------------------------------------------- merging (pure)


def match_sessions(new: pd.DataFrame, existing: pd.DataFrame, *,
                   window_s: float = MATCH_WINDOW_S,
                   duration_fraction: float = MATCH_DURATION_FRACTION,
                   same_start_s: float = SAME_START_S) -> pd.Series:
    """For each row of ``new``, the session_id of the ``existing`` session it duplicates, or NA.

    ``new`` has columns start, sport, duration_s, source, source_id; ``existing`` has
    session_id, start, family, duration_s, sources (", "-joined source names). A match from
    another source needs starts within ``window_s``, the same sport family and durations within
    ``duration_fraction`` of the longer one (and the existing session must not hold that source
    yet). A row from a source already in the session matches only as a re-export: no native id,
    the same sport family and starts within ``same_start_s`` (durations may differ: exports
    disagree on elapsed vs moving time). Each existing session takes at most one new row (the
    nearest start wins). Vectorised: candidates come from a binary search on sorted start
    times, so the cost is O((n + m) log m) plus the (few) candidate pairs.
    """
    result = pd.Series(pd.NA, index=new.index, dtype=object)
    if new.empty or existing.empty:
        return result
    ex = existing.sort_values("start", kind="stable").reset_index(drop=True)
    e_t = ex["start"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    n_t = new["start"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    win = np.int64(round(window_s * 1e9))
    lo = np.searchsorted(e_t, n_t - win, side="left")
    hi = np.searchsorted(e_t, n_t + win, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return result
    n_idx = np.repeat(np.arange(len(new)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    e_idx = np.repeat(lo, counts) + offsets
    n_family = np.array([sport_family(s) for s in new["sport"]], dtype=object)
    e_family = ex["family"].to_numpy(dtype=object)
    n_dur = new["duration_s"].to_numpy(dtype=float)[n_idx]
    e_dur = ex["duration_s"].to_numpy(dtype=float)[e_idx]
    dt = np.abs(n_t[n_idx] - e_t[e_idx])
    family = n_family[n_idx] == e_family[e_idx]
    similar = np.abs(n_dur - e_dur) <= duration_fraction * np.maximum(n_dur, e_dur)
    n_src = new["source"].to_numpy(dtype=object)
    e_src = ex["sources"].to_numpy(dtype=object)
    same_source = np.fromiter(
        (n_src[i] in str(e_src[j]).split(", ") for i, j in zip(n_idx, e_idx, strict=True)),
        dtype=bool, count=total)
    # Re-export of a source without native ids: two exports may report different durations
    # (elapsed vs moving time) for the same activity, but never two activities at one second.
    no_id = new["source_id"].to_numpy(dtype=object)[n_idx] == "" if "source_id" in new \
        else np.ones(total, dtype=bool)
    re_export = family & same_source & no_id & (dt <= np.int64(round(same_start_s * 1e9)))
    ok = (family & similar & ~same_source) | re_export
    if not ok.any():
        return result
    pairs = pd.DataFrame({"n": n_idx[ok], "e": e_idx[ok], "dt": dt[ok]})
    pairs = pairs.sort_values(["dt", "n", "e"], kind="stable")
    ids = ex["session_id"].to_numpy(dtype=object)
    # Greedy one-to-one assignment, nearest starts first, in vectorised rounds: each round
    # accepts every row's best pair that is also the best pair of its existing session, then
    # drops what those pairs used. Ends when no free pair is left (a maximal matching).
    while not pairs.empty:
        best = pairs.drop_duplicates("n").drop_duplicates("e")
        result.iloc[best["n"].to_numpy()] = ids[best["e"].to_numpy()]
        pairs = pairs.loc[~pairs["n"].isin(best["n"]) & ~pairs["e"].isin(best["e"])]
    return result


def merge_source_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Merged sessions from their source rows (one output row per ``session_id``).

    ``rows`` holds the canonical columns with ``session_id`` = the merged session's id, plus
    ``first_import_id``. The primary source is the richest one (strength sets first, then heart
    rate, then the number of filled fields; ties go to the earlier import): start, sport and the
    source columns come from it; every other field takes the first non-empty value in that
    order, so no source's information is lost. A session logged by hand (source ``manual``) is
    never the primary when a recording is merged with it, and its RPE, title and sets win
    (:data:`MANUAL_FIRST`). Adds ``family`` and ``sources``.
    """
    if rows.empty:
        out = normalise(rows.iloc[0:0][[c for c in COLUMNS if c in rows.columns]])
        return out.assign(family=pd.Series(dtype=str), sources=pd.Series(dtype=str))
    filled = rows.copy()
    for col in _TEXT:
        empty = "[]" if col == "sets" else ""
        filled[col] = filled[col].where(filled[col] != empty)
    score = (filled["sets"].notna().astype(int) * 1000
             + (filled["avg_hr"].notna() | filled["max_hr"].notna()).astype(int) * 100
             + filled[list(_NUM) + ["title"]].notna().sum(axis=1))
    # A session logged by hand is never the primary of a merge: the recording gives the
    # measured start, duration and heart rate; the athlete's entry keeps its own word below.
    is_manual = filled["source"] == MANUAL_SOURCE
    filled["_score"] = score.where(~is_manual, -1)
    # A duration some source measured wins over one estimated from pace; the merged session's
    # duration is estimated only when every source estimated it.
    est = (filled["duration_estimated"].fillna(False).astype(bool)
           if "duration_estimated" in filled.columns
           else pd.Series(False, index=filled.index))
    any_real = (~est).groupby(filled["session_id"]).transform("any")
    filled.loc[est & any_real, ["duration_s", "moving_s"]] = np.nan
    order = ["session_id", "_score", "first_import_id", "source_session_id"]
    filled = filled.sort_values(order, ascending=[True, False, True, True], kind="stable")
    primary = rows.loc[filled.index].drop_duplicates("session_id").set_index("session_id")
    fill_cols = ["title", "sets", *_NUM]
    firsts = filled.groupby("session_id", sort=False)[fill_cols].first()
    out = pd.DataFrame(index=primary.index)
    out["athlete"] = primary["athlete"]
    for col in _FROM_PRIMARY:
        out[col] = primary[col]
    for col in fill_cols:
        out[col] = firsts[col].reindex(out.index)
    if is_manual.any():  # the athlete's RPE, title and sets win over any recording's
        mine = filled.loc[is_manual].groupby("session_id", sort=False)[list(MANUAL_FIRST)].first()
        for col in MANUAL_FIRST:
            out[col] = mine[col].reindex(out.index).combine_first(out[col])
    out["duration_estimated"] = ~any_real.groupby(filled["session_id"]).first().reindex(
        out.index).to_numpy(dtype=bool)
    out["area"] = ""
    src = rows[["session_id", "source"]].drop_duplicates().sort_values(["session_id", "source"])
    out["sources"] = src.groupby("session_id")["source"].agg(", ".join).reindex(out.index)
    out = normalise(out.reset_index())
    out["family"] = [sport_family(s) for s in out["sport"]]
    return out


# --------------------------------------------------------------------------- the store


class Store(ManualLogMixin):
    """The Stridewise database. Opening it creates/migrates the schema.

    ``url``: a file path or SQLAlchemy URL; None reads ``STRIDEWISE_DB`` (default
    ``data/stridewise.db``). Safe to share between threads; several processes may open the same
    database at once.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url: URL = resolve_url(url)
        self.backend: str = self.url.get_backend_name()
        try:
            if self.backend == "sqlite":
                self.engine = _sqlite_engine(self.url)
            else:
                # pool sizes from STRIDEWISE_DB_POOL_* (see dbpool.py and docs/deploy.md)
                from stridewise.dbpool import pool_settings

                self.engine = sa.create_engine(self.url, pool_pre_ping=True,
                                               **pool_settings().engine_kwargs())
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"The database {self.display_url} cannot be opened: "
                             f"{_reason(exc)}.") from exc
        _strip_nul_on_write(self.engine)
        #: Test seam: called with a stage name at points inside write transactions.
        self.checkpoint: Callable[[str], None] | None = None
        try:
            self._open()
        except BaseException:
            self.engine.dispose()
            raise

    @classmethod
    def from_env(cls) -> Store:
        """The store named by ``STRIDEWISE_DB`` (default ``data/stridewise.db``)."""
        return cls(None)

    @property
    def display_url(self) -> str:
        """The URL without password, for messages."""
        if self.backend == "sqlite":
            return str(self.url.database)
        return self.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"

    # ------------------------------------------------------------------ transactions

    def _stage(self, name: str) -> None:
        if self.checkpoint is not None:
            self.checkpoint(name)

    def _read(self, fn: Callable[[Connection], R], *, snapshot: bool = False) -> R:
        """Run ``fn`` on a read connection. ``snapshot``: every statement of ``fn`` sees the same
        committed state (SQLite read transactions in WAL mode always do; PostgreSQL needs
        REPEATABLE READ for that)."""
        try:
            with self.engine.connect() as conn:
                if snapshot and self.backend == "postgresql":
                    conn.execution_options(isolation_level="REPEATABLE READ")
                return fn(conn)
        except StridewiseError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"The database {self.display_url} could not be read "
                             f"({_reason(exc)}).") from exc

    def _write(self, fn: Callable[[Connection], R], *, bump: bool = True) -> R:
        """Run ``fn`` in one serialised write transaction, retrying transient conflicts."""
        delay = 0.02
        for attempt in range(_RETRIES):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(stridewise_write=True)
                    with conn.begin():
                        if self.backend == "postgresql":
                            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
                        result = fn(conn)
                        if bump:
                            meta = T["meta"]
                            conn.execute(sa.update(meta).where(meta.c.key == "data_version")
                                         .values(value=meta.c.value + 1))
                    return result
            except _NoChange as nc:
                return nc.result
            except DBAPIError as exc:
                if _is_transient(exc) and attempt < _RETRIES - 1:
                    time.sleep(delay * (1 + random.random()))
                    delay = min(delay * 2, 1.0)
                    continue
                raise StoreError(f"The database {self.display_url} could not be written "
                                 f"({_reason(exc)}).") from exc
            except SQLAlchemyError as exc:
                raise StoreError(f"The database {self.display_url} could not be written "
                                 f"({_reason(exc)}).") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _open(self) -> None:
        try:
            version = self._read(current_version)
        except StoreError as exc:
            raise StoreError(f"The database {self.display_url} cannot be opened: "
                             f"{_reason(exc.__cause__ or exc)}.") from exc
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The database {self.display_url} was written by a newer Stridewise (schema "
                f"version {version}, this one reads up to {SCHEMA_VERSION}); upgrade Stridewise.")
        if version < SCHEMA_VERSION:
            self._write(self._migrate_tx)

    @staticmethod
    def _migrate_tx(conn: Connection) -> None:
        if current_version(conn) >= SCHEMA_VERSION:  # another process was first
            raise _NoChange(None)
        migrate(conn)

    def schema_version(self) -> int:
        """The schema version of the open database."""
        return self._read(current_version)

    def version(self) -> int:
        """A counter that grows with every write (cache key for readers)."""
        meta = T["meta"]
        return int(self._read(lambda c: c.execute(
            sa.select(meta.c.value).where(meta.c.key == "data_version")).scalar_one()))

    # ------------------------------------------------------------------ athletes

    def athletes(self) -> pd.DataFrame:
        """DataFrame[name, group, hr_max, hr_rest, sex, tz, units, is_demo, sessions]."""
        a = T["athletes"]
        # the count is kept by every write that changes an athlete's sessions (never recounted)
        q = (sa.select(a.c.name, a.c.group_name.label("group"), a.c.hr_max, a.c.hr_rest,
                       a.c.sex, a.c.tz, a.c.units, a.c.is_demo,
                       a.c.session_count.label("sessions"))
             .order_by(a.c.name))
        df = self._read(lambda c: _frame(c.execute(q)))
        out = pd.DataFrame({
            "name": df["name"].astype(str), "group": df["group"].astype(str),
            "hr_max": pd.to_numeric(df["hr_max"]).astype(float),
            "hr_rest": pd.to_numeric(df["hr_rest"]).astype(float),
            "sex": df["sex"].astype(object), "tz": df["tz"].astype(object),
            "units": df["units"].astype(object), "is_demo": df["is_demo"].astype(bool),
            "sessions": df["sessions"].astype(int)})
        for col in ("sex", "tz", "units"):
            out[col] = out[col].where(out[col].notna(), None)
        return out

    @staticmethod
    def _athlete_values(fields: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(fields) - set(_ATHLETE_FIELDS))
        if unknown:
            raise UsageError(f"'{unknown[0]}' is not an athlete field (known: "
                             f"{', '.join(_ATHLETE_FIELDS)}).")
        vals: dict[str, Any] = {}
        for key, v in fields.items():
            if key == "group":
                vals["group_name"] = "" if v is None else str(v).strip()
            elif key in ("hr_max", "hr_rest"):
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    vals[key] = None
                    continue
                try:
                    x = float(v)
                except (TypeError, ValueError) as exc:
                    raise UsageError(f"{key} must be a number of beats per minute, "
                                     f"not {v!r}.") from exc
                lo, hi = (100.0, 250.0) if key == "hr_max" else (25.0, 120.0)
                if not lo <= x <= hi:
                    raise UsageError(f"{key} = {x:g} bpm is implausible; enter a value "
                                     f"between {lo:g} and {hi:g}.")
                vals[key] = x
            elif key == "sex":
                if v not in (None, "", "male", "female"):
                    raise UsageError(f"sex must be 'male', 'female' or empty, not {v!r}.")
                vals[key] = v or None
            elif key == "units":
                if v not in (None, "", "km", "mi"):
                    raise UsageError(f"units must be 'km' or 'mi', not {v!r}.")
                vals[key] = v or None
            elif key == "tz":
                if v:
                    try:
                        ZoneInfo(str(v))
                    except (ZoneInfoNotFoundError, ValueError) as exc:
                        raise UsageError(f"'{v}' is not a time zone name such as "
                                         "Europe/Berlin.") from exc
                vals[key] = str(v) if v else None
            else:
                vals["is_demo"] = bool(v)
        return vals

    @staticmethod
    def _clean_name(name: object) -> str:
        if not isinstance(name, str) or not name.strip():
            raise UsageError("An athlete needs a name; enter one.")
        return name.strip()

    def upsert_athlete(self, name: str, **fields: Any) -> int:
        """Create the athlete or update the given fields (group, hr_max, hr_rest, sex, tz,
        units, is_demo); fields not given keep their value.

        A new ``tz`` re-times the athlete's stored UTC-sourced sessions (see
        :meth:`retime_athlete`) in the same transaction; returns how many were re-timed."""
        name = self._clean_name(name)
        vals = self._athlete_values(fields)
        a = T["athletes"]

        def tx(conn: Connection) -> int:
            before = conn.execute(sa.select(a.c.hr_max, a.c.hr_rest, a.c.sex)
                                  .where(a.c.name == name)).first()
            self._ensure_athlete(conn, name, bool(vals.get("is_demo", False)))
            if vals:
                conn.execute(sa.update(a).where(a.c.name == name).values(**vals))
            hr_max, hr_rest, sex = conn.execute(sa.select(a.c.hr_max, a.c.hr_rest, a.c.sex)
                                                .where(a.c.name == name)).one()
            if hr_max is not None and hr_rest is not None and hr_rest >= hr_max:
                raise UsageError(f"Resting heart rate ({hr_rest:g} bpm) must be below maximum "
                                 f"heart rate ({hr_max:g} bpm).")
            moved = self._retime(conn, name, vals["tz"]) if vals.get("tz") else 0
            if moved or before is None or tuple(before) != (hr_max, hr_rest, sex):
                derived.touch(conn, [name])  # the HR profile feeds load and TRIMP; re-timed days
            return moved

        return int(self._write(tx))

    # --- time zones ---------------------------------------------------------------------------

    def retime_athlete(self, name: str, tz: str) -> int:
        """Set the athlete's zone to ``tz`` and move every stored session that came as UTC
        (Strava CSV/zip, FIT, TCX, GPX, ...; see ``store_schema.UTC_SOURCES``) to that zone's
        wall clock; merged sessions are rebuilt, so days, weeks and metrics follow. Sessions
        from sources that give local times are left as they are. Returns how many source
        sessions moved (0 when they already were in ``tz``)."""
        return self.upsert_athlete(name, tz=tz)

    def _retime(self, conn: Connection, name: str, tz: str) -> int:
        ss = T["source_sessions"]
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise UsageError(f"'{tz}' is not a time zone name such as Europe/Berlin.") from exc
        q = (sa.select(ss.c.source_session_id, ss.c.session_id,
                       sa.type_coerce(ss.c.start, sa.Text).label("start"), ss.c.tz)
             .where(ss.c.athlete == name, ss.c.tz.is_not(None), ss.c.tz != tz))
        rows = _frame(conn.execute(q))
        if rows.empty:
            return 0
        rows["start"] = _to_datetime(rows["start"])
        moved = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
        for old, part in rows.groupby("tz", sort=False):
            moved.loc[part.index] = retime_starts(part["start"], str(old), tz).to_numpy()
        stmt = (sa.update(ss).where(ss.c.source_session_id == sa.bindparam("b_id"))
                .values(start=sa.bindparam("b_start"), tz=tz))
        conn.execute(stmt, [{"b_id": i, "b_start": pd.Timestamp(t).to_pydatetime()}
                            for i, t in zip(rows["source_session_id"], moved, strict=True)])
        self._rebuild(conn, sorted(set(rows["session_id"])))
        return len(rows)

    def _ensure_athlete(self, conn: Connection, name: str, is_demo: bool) -> None:
        a = T["athletes"]
        if conn.execute(sa.select(a.c.name).where(a.c.name == name)).first() is None:
            conn.execute(sa.insert(a).values(name=name, group_name="", is_demo=is_demo,
                                             created_at=_now()))

    def delete_athlete(self, name: str) -> int:
        """Remove the athlete with all sessions, imports and overrides; returns sessions removed."""
        name = self._clean_name(name)
        a = T["athletes"]

        def tx(conn: Connection) -> int:
            if conn.execute(sa.select(a.c.name).where(a.c.name == name)).first() is None:
                raise UsageError(f"There is no athlete named '{name}'.")
            return self._delete_athletes(conn, [name])

        return self._write(tx)

    def _delete_athletes(self, conn: Connection, names: list[str]) -> int:
        a, s, ss = T["athletes"], T["sessions"], T["source_sessions"]
        imp, links, ov = T["imports"], T["import_sessions"], T["overrides"]
        removed = 0
        for name in names:
            sids = sa.select(s.c.session_id).where(s.c.athlete == name)
            conn.execute(sa.delete(ov).where(ov.c.session_id.in_(sids)))
            removed += conn.execute(sa.delete(s).where(s.c.athlete == name)).rowcount or 0
            iids = sa.select(imp.c.import_id).where(imp.c.athlete == name)
            conn.execute(sa.delete(links).where(links.c.import_id.in_(iids)))
            conn.execute(sa.delete(ss).where(ss.c.athlete == name))
            conn.execute(sa.delete(imp).where(imp.c.athlete == name))
            for extra in (T["wellness"], T["import_parts"], T["routines"]):
                conn.execute(sa.delete(extra).where(extra.c.athlete == name))
            body_store.delete_athlete_rows(conn, name)
            pl = T["plans"]  # the athlete's own plan versions (squad templates stay)
            conn.execute(sa.delete(pl).where((pl.c.scope == "athlete") & (pl.c.name == name)))
            conn.execute(sa.delete(a).where(a.c.name == name))
        derived.refresh(conn, names)  # their derived rows go with them
        return removed

    def has_demo(self) -> bool:
        """Whether demo athletes are stored."""
        a = T["athletes"]
        return self._read(lambda c: c.execute(
            sa.select(a.c.name).where(a.c.is_demo.is_(True)).limit(1)).first() is not None)

    def clear_demo(self) -> int:
        """Remove every demo athlete with their data; returns the number of sessions removed."""
        a = T["athletes"]

        def tx(conn: Connection) -> int:
            names = list(conn.execute(sa.select(a.c.name).where(a.c.is_demo.is_(True))).scalars())
            if not names:
                raise _NoChange(0)
            pl = T["plans"]
            conn.execute(sa.delete(pl).where(pl.c.is_demo.is_(True)))
            return self._delete_athletes(conn, names)

        return self._write(tx)

    # ------------------------------------------------------------------ imports

    def import_reports(self, reports: Iterable[Any], *, athlete: str | None = None,
                       is_demo: bool = False) -> list[ImportResult]:
        """Import several reports, each in its own transaction."""
        return [self.import_report(r, athlete=athlete, is_demo=is_demo) for r in reports]

    def import_report(self, report: Any, *, athlete: str | None = None,
                      is_demo: bool = False, tz: str | None = None,
                      part: ArchivePart | None = None) -> ImportResult:
        """Store the sessions of one :class:`~stridewise.ingest.ImportReport` in one transaction.

        ``athlete`` files them under that name (default: the name in the report's sessions).
        Idempotent: the same file content for the same athlete is recognised and changes nothing.
        Sessions already stored from the same source are linked (and updated if the file has
        new values); sessions that duplicate a stored session from another source are merged
        into it; the rest are added. User overrides are never touched. ``tz``: the zone the
        report's UTC-sourced starts were converted to (default: the athlete's stored zone, else
        UTC); it is kept so that a later zone change can re-time them.

        A report with a ``wellness`` frame (date, metric, value, source_file; e.g. a Garmin
        account export) stores those daily values too (one per athlete, day and metric; the
        newest import wins). ``part`` records, in the same transaction, that this report is
        one committed part of a large archive (see :meth:`import_parts`).
        """
        frame, name = self._prepare(report, athlete)
        sha = str(getattr(report, "content_sha1", "") or "")
        imp = T["imports"]
        file_name = str(getattr(report, "file_name", "") or "")
        if sha:  # fast path without the write lock
            prev = self._read(lambda c: c.execute(
                sa.select(imp.c.import_id).where(imp.c.athlete == name,
                                                  imp.c.content_sha1 == sha)).scalar())
            if prev is not None:
                return ImportResult(int(prev), unchanged=len(frame), already_imported=True,
                                    file_name=file_name)
        return self._write(lambda conn: self._import_tx(conn, frame, report, name, sha,
                                                        is_demo, tz, archive_part=part))

    def _prepare(self, report: Any, athlete: str | None) -> tuple[pd.DataFrame, str]:
        sessions = getattr(report, "sessions", None)
        if not isinstance(sessions, pd.DataFrame):
            raise UsageError("Only an import report holding a sessions table can be stored.")
        frame = _canonical(sessions)
        if athlete is None:
            names = frame["athlete"].unique().tolist()
            athlete = names[0] if len(names) == 1 else "me"
        name = self._clean_name(athlete)
        if (frame["athlete"] != name).any():
            # Filed under another name than the importer used: derive ids for this athlete the
            # way ingest.base.finish_sessions does, so the same file always gives the same ids.
            frame["session_id"] = [
                make_session_id(name, src, sid) if sid else make_session_id(
                    name, src, pd.Timestamp(start).isoformat(), sport, round(float(dur)))
                for src, sid, start, sport, dur in zip(
                    frame["source"], frame["source_id"], frame["start"], frame["sport"],
                    frame["duration_s"], strict=True)]
            frame["athlete"] = name
        frame["area"] = ""
        problem = _problem(frame)
        if problem:
            raise UsageError(f"The sessions of {getattr(report, 'file_name', 'this file')} "
                             f"cannot be stored: {problem}")
        return frame.reset_index(drop=True), name

    def _import_tx(self, conn: Connection, frame: pd.DataFrame, report: Any, name: str,
                   sha: str, is_demo: bool, tz: str | None = None, *,
                   archive_part: ArchivePart | None = None) -> ImportResult:
        imp = T["imports"]
        file_name = str(getattr(report, "file_name", "") or "")
        if sha:
            prev = conn.execute(sa.select(imp.c.import_id).where(
                imp.c.athlete == name, imp.c.content_sha1 == sha)).scalar()
            if prev is not None:
                raise _NoChange(ImportResult(int(prev), unchanged=len(frame),
                                             already_imported=True, file_name=file_name))
        self._ensure_athlete(conn, name, is_demo)
        if tz is None:
            a = T["athletes"]
            tz = conn.execute(sa.select(a.c.tz).where(a.c.name == name)).scalar() or "UTC"
        import_id = int(conn.execute(sa.select(sa.func.max(imp.c.import_id))).scalar() or 0) + 1
        skipped = [{"row": r.row, "reason": r.reason} for r in getattr(report, "skipped", [])]
        conn.execute(sa.insert(imp).values(
            import_id=import_id, athlete=name, file_name=file_name, content_sha1=sha,
            format=str(getattr(report, "format", "") or ""),
            units=getattr(report, "units", None), imported_at=_now(), skipped=len(skipped),
            skipped_json=json.dumps(skipped, ensure_ascii=False),
            assumptions_json=json.dumps(list(getattr(report, "assumptions", [])),
                                        ensure_ascii=False),
            warnings_json=json.dumps(list(getattr(report, "warnings", [])), ensure_ascii=False)))
        self._stage("import-row")

        # One pass per source, so that a file holding two sources (e.g. a Strava export zip
        # with activities.csv and the activities' FIT files) merges them with each other too.
        totals = np.zeros(4, dtype=int)
        manual_hits: list[str] = []
        for source, part in frame.groupby("source", sort=False):
            totals += self._store_rows(conn, part, import_id, name, str(source), str(tz),
                                       manual_hits=manual_hits)
        result = ImportResult(import_id, *(int(x) for x in totals), file_name=file_name,
                              manual_merged=tuple(manual_hits))
        links = T["import_sessions"]
        n_links = conn.execute(sa.select(sa.func.count()).select_from(links)
                               .where(links.c.import_id == import_id)).scalar_one()
        conn.execute(sa.update(imp).where(imp.c.import_id == import_id).values(
            added=result.added, merged=result.merged, unchanged=result.unchanged,
            updated=result.updated, link_count=int(n_links)))
        self._store_wellness(conn, name, getattr(report, "wellness", None), import_id)
        if archive_part is not None:
            ap = archive_part
            conn.execute(sa.insert(T["import_parts"]).values(
                athlete=name, archive_key=ap.archive_key, part=int(ap.index),
                n_parts=int(ap.n_parts), import_id=import_id,
                detail=json.dumps(list(ap.matched_ids)), committed_at=_now()))
        derived.touch(conn, [name])
        self._stage("commit")
        return result

    @staticmethod
    def _store_wellness(conn: Connection, name: str, wellness: Any, import_id: int) -> None:
        """Upsert daily wellness values (one per athlete, day and metric)."""
        if not isinstance(wellness, pd.DataFrame) or wellness.empty:
            return
        w = T["wellness"]
        days = pd.to_datetime(wellness["date"]).dt.normalize()
        recs = [{"athlete": name, "day": d.to_pydatetime(), "metric": str(m),
                 "value": float(v), "source_file": str(f), "import_id": import_id}
                for d, m, v, f in zip(days, wellness["metric"], wellness["value"],
                                      wellness.get("source_file", pd.Series(
                                          [""] * len(wellness))), strict=True)
                if pd.notna(d) and pd.notna(v)]
        for chunk in _chunks(recs, _CHUNK):
            keys = [sa.and_(w.c.day == r["day"], w.c.metric == r["metric"]) for r in chunk]
            conn.execute(sa.delete(w).where(w.c.athlete == name, sa.or_(*keys)))
            conn.execute(sa.insert(w), list(chunk))

    def import_parts(self, athlete: str, archive_key: str) -> dict[int, list[str]]:
        """The committed parts of an archive import for ``athlete``: part index -> the ids the
        part recorded (for a Garmin export: the activities its FIT files matched)."""
        t = T["import_parts"]
        rows = self._read(lambda c: c.execute(
            sa.select(t.c.part, t.c.detail).where(t.c.athlete == athlete,
                                                  t.c.archive_key == archive_key)).all())
        return {int(p): list(json.loads(d or "[]")) for p, d in rows}

    def wellness(self, athletes: Sequence[str] | None = None) -> pd.DataFrame:
        """Daily wellness values: DataFrame[athlete, date, metric, value, source_file,
        import_id], ordered by athlete, date and metric. Metrics and units: ``resting_hr_bpm``,
        ``sleep_s``, ``hrv_ms``, ``weight_kg``."""
        w = T["wellness"]
        q = sa.select(w.c.athlete, w.c.day, w.c.metric, w.c.value, w.c.source_file,
                      w.c.import_id).order_by(w.c.athlete, w.c.day, w.c.metric)
        if athletes is not None:
            q = q.where(w.c.athlete.in_(list(athletes)))
        df = self._read(lambda c: _frame(c.execute(q)))
        return pd.DataFrame({
            "athlete": df["athlete"].astype("str"),
            "date": _to_datetime(df["day"].astype(str) if len(df) else df["day"]),
            "metric": df["metric"].astype("str"),
            "value": pd.to_numeric(df["value"]).astype(float),
            "source_file": df["source_file"].astype("str"),
            "import_id": pd.to_numeric(df["import_id"]).astype("Int64")})

    def _store_rows(self, conn: Connection, frame: pd.DataFrame, import_id: int, name: str,
                    source: str, zone: str = "UTC", *,
                    manual_hits: list[str] | None = None) -> tuple[int, int, int, int]:
        """Store one source's sessions of an import; returns (added, merged, unchanged,
        updated). ``manual_hits`` collects the ids of sessions logged by hand that rows of
        this import were merged into."""
        ss, s, links = T["source_sessions"], T["sessions"], T["import_sessions"]
        # 1. Source sessions already stored (the same activity in an earlier/overlapping export).
        ids = frame["session_id"].tolist()
        known_ids = self._ids_in(conn, ss.c.source_session_id, ids)
        is_known = frame["session_id"].isin(known_ids)
        old = frame.loc[is_known]
        new = frame.loc[~is_known]
        changed_rows, changed_sessions = old.iloc[0:0], set()
        if known_ids:
            known = self._source_rows(conn, ss.c.source_session_id, sorted(known_ids))
            changed_rows, changed_sessions = self._changed(old, known)
        if not changed_rows.empty:
            stmt = (sa.update(ss).where(ss.c.source_session_id == sa.bindparam("b_id"))
                    .values({c: sa.bindparam(f"b_{c}") for c in (*_COMPARED, "source_file")}))
            recs = [{f"b_{k}": v for k, v in r.items()} for r in _records(
                changed_rows[["source_session_id", *_COMPARED, "source_file"]]
                .rename(columns={"source_session_id": "id"}))]
            conn.execute(stmt, recs)

        # 2. New source sessions: the same session from another source, or a new session.
        target = pd.Series(pd.NA, index=new.index, dtype=object)
        if not new.empty:
            # a merged session that kept this id after its own source was removed
            kept = self._ids_in(conn, s.c.session_id, new["session_id"].tolist())
            target = target.where(~new["session_id"].isin(kept), new["session_id"])
            free = new.loc[target.isna()]
            if not free.empty:
                lo = free["start"].min() - pd.Timedelta(seconds=MATCH_WINDOW_S)
                hi = free["start"].max() + pd.Timedelta(seconds=MATCH_WINDOW_S)
                q = (sa.select(s.c.session_id, sa.type_coerce(s.c.start, sa.Text).label("start"),
                               s.c.family, s.c.duration_s, s.c.sources)
                     .where(s.c.athlete == name, s.c.start >= lo.to_pydatetime(),
                            s.c.start <= hi.to_pydatetime()))
                cand = _frame(conn.execute(q))
                cand["start"] = _to_datetime(cand["start"])
                cand = cand.loc[~cand["session_id"].isin(kept)]
                # sessions only logged by hand follow their own rule (same day, below)
                cand = cand.loc[cand["sources"] != MANUAL_SOURCE]
                target.loc[free.index] = match_sessions(free, cand).to_numpy()
                if source != MANUAL_SOURCE:
                    hits = self._match_manual_rows(conn, name, new.loc[target.isna()])
                    target.loc[hits.index] = hits.to_numpy()
                    if manual_hits is not None:
                        manual_hits.extend(str(x) for x in hits.dropna())
        attached = target.notna()
        add = new.loc[~attached]
        src_rows = new.rename(columns={"session_id": "source_session_id"})
        src_rows["session_id"] = target.where(attached, new["session_id"])
        src_rows["first_import_id"] = import_id
        src_rows["tz"] = zone if source in UTC_SOURCES else None
        if not src_rows.empty:
            conn.execute(sa.insert(ss), _records(src_rows))
        self._stage("source-rows")
        if not add.empty:
            # new sessions are their own source rows: copied inside the database
            exprs = {c.name: ss.c[c.name] for c in s.c if c.name in COLUMNS}
            exprs.update(session_id=ss.c.source_session_id, import_id=ss.c.first_import_id,
                         family=family_case(ss.c.sport), sources=ss.c.source)
            sel = sa.select(*exprs.values()).where(
                ss.c.first_import_id == import_id, ss.c.source == source,
                ss.c.session_id == ss.c.source_session_id,
                ~sa.exists().where(s.c.session_id == ss.c.source_session_id))
            conn.execute(sa.insert(s).from_select(list(exprs), sel))
        self._stage("sessions")
        if not new.empty:
            conn.execute(sa.insert(links).from_select(
                ["import_id", "source_session_id"],
                sa.select(ss.c.first_import_id, ss.c.source_session_id)
                .where(ss.c.first_import_id == import_id, ss.c.source == source)))
        if not old.empty:
            conn.execute(sa.insert(links), [{"import_id": import_id, "source_session_id": i}
                                            for i in old["session_id"]])
        self._stage("links")
        touched = set(target.loc[attached].tolist()) | changed_sessions
        self._rebuild(conn, sorted(touched))
        return (len(add), int(attached.sum()), len(old) - len(changed_rows), len(changed_rows))

    def _source_rows(self, conn: Connection, col: sa.Column, ids: Sequence[str]) -> pd.DataFrame:
        ss = T["source_sessions"]
        cols = [c if c.name != "start" else sa.type_coerce(c, sa.Text).label("start")
                for c in ss.c if c.name != "tz"]
        parts = [_frame(conn.execute(sa.select(*cols).where(col.in_(chunk))))
                 for chunk in _chunks(list(ids))]
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=[c.name for c in ss.c])
        df["start"] = _to_datetime(df["start"])
        df = df.rename(columns={"session_id": "_merged"}).rename(
            columns={"source_session_id": "session_id"})
        df = normalise(df)
        return df.rename(columns={"session_id": "source_session_id", "_merged": "session_id"})

    @staticmethod
    def _ids_in(conn: Connection, col: sa.Column, ids: Sequence[str]) -> set[str]:
        """The values of ``ids`` present in the text column ``col``."""
        out: set[str] = set()
        for chunk in _chunks(list(ids)):
            out.update(conn.execute(sa.select(col).where(col.in_(chunk))).scalars())
        return out

    @staticmethod
    def _changed(old: pd.DataFrame, known: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
        """Known source rows whose values the new file changes: (rows to write, sessions)."""
        if old.empty:
            return known.iloc[0:0], set()
        stored = known.set_index("source_session_id").loc[old["session_id"]]
        incoming = old.set_index("session_id")
        stored.index = incoming.index
        upd = stored.copy()
        differs = pd.Series(False, index=incoming.index)
        for col in _COMPARED:
            a, b = incoming[col], stored[col]
            if COLUMNS[col] == "str":
                empty = "[]" if col == "sets" else ""
                take = a != empty
                diff = take & (a != b)
            else:
                take = a.notna()
                if COLUMNS[col] == "float64":
                    diff = take & ~np.isclose(a.to_numpy(float), b.to_numpy(float),
                                              rtol=0, atol=1e-9, equal_nan=False)
                else:
                    diff = take & (a != b)
            upd[col] = b.where(~take, a)
            differs |= diff
        upd["source_file"] = incoming["source_file"]
        rows = upd.loc[differs].reset_index(names="source_session_id")
        return rows, set(stored.loc[differs, "session_id"].tolist())

    def _rebuild(self, conn: Connection, session_ids: Sequence[str]) -> set[str]:
        """Recompute merged sessions from their source rows; returns ids of sessions removed
        because no source row is left (their overrides go with them)."""
        if not session_ids:
            return set()
        s, ss, links, ov = T["sessions"], T["source_sessions"], T["import_sessions"], \
            T["overrides"]
        rows = self._source_rows(conn, ss.c.session_id, session_ids)
        first: dict[str, int] = {}
        for chunk in _chunks(list(session_ids)):
            q = (sa.select(ss.c.session_id, sa.func.min(links.c.import_id))
                 .select_from(ss.join(links, links.c.source_session_id == ss.c.source_session_id))
                 .where(ss.c.session_id.in_(chunk)).group_by(ss.c.session_id))
            first.update({k: int(v) for k, v in conn.execute(q)})
            conn.execute(sa.delete(s).where(s.c.session_id.in_(chunk)))
        gone = set(session_ids) - set(rows["session_id"])
        for chunk in _chunks(sorted(gone)):
            conn.execute(sa.delete(ov).where(ov.c.session_id.in_(chunk)))
        if not rows.empty:
            merged = merge_source_rows(rows)
            merged["import_id"] = merged["session_id"].map(first)
            conn.execute(sa.insert(s), _records(merged))
        return gone

    def imports(self, athlete: str | None = None) -> pd.DataFrame:
        """DataFrame[import_id, athlete, file_name, content_sha1, format, imported_at, sessions,
        added, merged, unchanged, updated, skipped, assumptions, warnings], newest first.

        ``imported_at`` is UTC. ``sessions`` is the number of sessions this import brought that
        are still stored;
        ``assumptions``/``warnings`` are "; "-joined text (see :meth:`import_detail` for lists).
        """
        imp = T["imports"]
        # link_count is written with the import (an import's links never change afterwards:
        # they go only with the import itself), so nothing is counted here
        q = (sa.select(imp.c.import_id, imp.c.athlete, imp.c.file_name, imp.c.content_sha1,
                       imp.c.format, imp.c.imported_at, imp.c.link_count.label("sessions"),
                       imp.c.added, imp.c.merged, imp.c.unchanged, imp.c.updated, imp.c.skipped,
                       imp.c.assumptions_json, imp.c.warnings_json)
             .order_by(imp.c.import_id.desc()))
        if athlete is not None:
            q = q.where(imp.c.athlete == athlete)
        df = self._read(lambda c: _frame(c.execute(q)))
        for col in ("assumptions", "warnings"):
            df[col] = [("; ".join(json.loads(x)) if x else "") for x in df.pop(f"{col}_json")]
        df["imported_at"] = pd.to_datetime(df["imported_at"]).astype("datetime64[ns]")
        for col in ("import_id", "sessions", "added", "merged", "unchanged", "updated",
                    "skipped"):
            df[col] = df[col].astype(int)
        return df

    def import_detail(self, import_id: int) -> dict[str, Any]:
        """One import with its lists: assumptions, warnings, skipped [{row, reason}]."""
        imp = T["imports"]
        row = self._read(lambda c: c.execute(
            sa.select(imp).where(imp.c.import_id == int(import_id))).mappings().first())
        if row is None:
            raise UsageError(f"There is no import number {import_id}.")
        out = {k: v for k, v in row.items() if not k.endswith("_json")}
        for key in ("skipped", "assumptions", "warnings"):
            out[key if key != "skipped" else "skipped_rows"] = json.loads(row[f"{key}_json"])
        return out

    def remove_import(self, import_id: int) -> int:
        """Undo one import: remove the sessions only it brought; returns how many were removed.

        Sessions that another import also brought stay; merged sessions lose this import's
        contribution and are rebuilt from the remaining sources.
        """
        imp, ss, links = T["imports"], T["source_sessions"], T["import_sessions"]
        iid = int(import_id)

        def tx(conn: Connection) -> int:
            if conn.execute(sa.select(imp.c.import_id).where(imp.c.import_id == iid)).first() \
                    is None:
                raise UsageError(f"There is no import number {import_id}.")
            mine = list(conn.execute(sa.select(links.c.source_session_id)
                                     .where(links.c.import_id == iid)).scalars())
            conn.execute(sa.delete(links).where(links.c.import_id == iid))
            affected: set[str] = set()
            for chunk in _chunks(mine):
                still = set(conn.execute(sa.select(links.c.source_session_id)
                                         .where(links.c.source_session_id.in_(chunk))).scalars())
                orphan = [x for x in chunk if x not in still]
                affected.update(conn.execute(sa.select(ss.c.session_id)
                                             .where(ss.c.source_session_id.in_(chunk))).scalars())
                if orphan:
                    conn.execute(sa.delete(ss).where(ss.c.source_session_id.in_(orphan)))
            self._stage("remove")
            gone = self._rebuild(conn, sorted(affected))
            owner = conn.execute(sa.select(imp.c.athlete).where(imp.c.import_id == iid)).scalar()
            for extra in (T["wellness"], T["import_parts"]):
                conn.execute(sa.delete(extra).where(extra.c.import_id == iid))
            conn.execute(sa.delete(imp).where(imp.c.import_id == iid))
            derived.touch(conn, [str(owner)])
            return len(gone)

        return self._write(tx)

    # ------------------------------------------------------------------ sessions & overrides

    def sessions(self, athletes: Sequence[str] | None = None) -> pd.DataFrame:
        """Stored sessions, ordered by athlete and start.

        Canonical columns (``area`` empty: classify decides) plus ``area_override`` ("" if
        none), ``notes`` ("" if none), ``rpe_override`` (NaN if none), ``import_id`` (the first
        import that brought the session) and ``sources``. ``rpe`` is the user's override where
        set, else the recorded value.
        """
        return self._read(lambda conn: read_sessions(conn, athletes), snapshot=True)

    @staticmethod
    def _with_overrides(df: dict[str, Any], over: list[tuple[Any, ...]]) -> pd.DataFrame:
        """The sessions frame from the stored columns plus ``area_override``, ``notes``,
        ``rpe_override`` and the effective ``rpe``."""
        n = len(df["duration_s"])
        area = np.full(n, "", dtype=object)
        notes = np.full(n, "", dtype=object)
        rpe_over = np.full(n, np.nan)
        if over and n:
            pos = pd.Index(df["session_id"]).get_indexer([r[0] for r in over])
            hit = [i for i, p in enumerate(pos.tolist()) if p >= 0]
            at = pos[hit]
            area[at] = ["" if over[i][1] is None else over[i][1] for i in hit]
            notes[at] = ["" if over[i][2] is None else over[i][2] for i in hit]
            rpe_over[at] = np.array([over[i][3] for i in hit], dtype=float)
        rpe = df["rpe"]
        cols = {c: df[c] for c in COLUMNS}
        cols["rpe"] = np.where(np.isnan(rpe_over), rpe, rpe_over)
        return pd.DataFrame({
            **cols,
            "area_override": pd.Series(area, dtype="str"),
            "notes": pd.Series(notes, dtype="str"),
            "rpe_override": rpe_over,
            "import_id": df["import_id"],
            "sources": df["sources"],
        })

    @staticmethod
    def _sessions_arrow(keys: list[str], got: _RowBatches) -> dict[str, Any]:
        """The columns of :meth:`_sessions_frame` from Arrow batches (same dtypes)."""
        assert got.kind is not None
        table = pa.Table.from_batches(
            [pa.RecordBatch.from_struct_array(b) for b in got.batches],
            schema=pa.schema(list(got.kind)))
        col = {k: table.column(i) for i, k in enumerate(keys)}
        out: dict[str, Any] = {}
        for c, dtype in COLUMNS.items():
            if dtype == "str":
                vals = col[c]
                if c in _AS_NULL:
                    vals = vals.fill_null(_AS_NULL[c])
                out[c] = pd.Series(vals, dtype="str")
            elif dtype == "float64":
                out[c] = col[c].to_numpy()
            elif dtype == "bool":
                out[c] = col[c].to_numpy().astype(bool)
            elif pa.types.is_timestamp(col[c].type):
                out[c] = pd.Series(col[c].to_numpy(), dtype="datetime64[ns]")
            else:
                out[c] = _to_datetime(pd.Series(col[c].to_numpy(), dtype=object))
        out["import_id"] = pd.array(col["import_id"], dtype="Int64")
        out["sources"] = pd.Series(pc.coalesce(col["sources"], col["source"]), dtype="str")
        return out

    @staticmethod
    def _sessions_frame(keys: list[str], rows: list[tuple[Any, ...]]) -> dict[str, Any]:
        """Typed columns (Series or arrays) from raw rows (built column-wise; no inference)."""
        cols = dict(zip(keys, zip(*rows, strict=True), strict=True)) if rows else \
            {k: () for k in keys}
        n = len(rows)
        out: dict[str, Any] = {}

        def text(name: str) -> pd.Series:
            vals = cols[name]
            if name in _AS_NULL:
                vals = [_AS_NULL[name] if v is None else v for v in vals]
            elif name == "sources":
                vals = [s if v is None else v for v, s in zip(vals, cols["source"], strict=True)]
            # via Arrow: the quickest way from Python strings to pandas' text dtype
            return pd.Series(pa.array(vals, type=pa.large_string()), dtype="str")

        for col, dtype in COLUMNS.items():
            if dtype == "str":
                out[col] = text(col)
            elif dtype == "float64":
                out[col] = np.array(cols[col], dtype=float) if n else np.empty(0)
            elif dtype == "bool":
                out[col] = np.array(cols[col], dtype=bool) if n else np.empty(0, dtype=bool)
            else:
                out[col] = _to_datetime(pd.Series(list(cols[col]), dtype=object))
        out["import_id"] = pd.array(list(cols["import_id"]), dtype="Int64")
        out["sources"] = text("sources")
        return out

    def session_sources(self, session_id: str) -> pd.DataFrame:
        """Where a stored session came from: one row per source record merged into it.

        Columns: source_session_id, source, source_file, source_id, start, duration_s, avg_hr,
        import_ids (", "-joined numbers of the imports that brought it). Empty for an unknown id.
        """
        ss, links = T["source_sessions"], T["import_sessions"]
        q = (sa.select(ss.c.source_session_id, ss.c.source, ss.c.source_file, ss.c.source_id,
                       ss.c.start, ss.c.duration_s, ss.c.avg_hr, links.c.import_id)
             # outer: a session logged by hand came with no import
             .select_from(ss.outerjoin(links,
                                       links.c.source_session_id == ss.c.source_session_id))
             .where(ss.c.session_id == session_id)
             .order_by(ss.c.source, ss.c.source_session_id, links.c.import_id))
        df = self._read(lambda c: _frame(c.execute(q)))
        keys = ["source_session_id", "source", "source_file", "source_id", "start", "duration_s",
                "avg_hr"]
        if df.empty:
            return pd.DataFrame({k: pd.Series(dtype=object) for k in [*keys, "import_ids"]})
        ids = df.groupby("source_session_id", sort=False)["import_id"].agg(
            lambda s: ", ".join(str(int(x)) for x in s if pd.notna(x)))
        out = df.drop_duplicates("source_session_id")[keys].reset_index(drop=True)
        out["import_ids"] = out["source_session_id"].map(ids)
        out["start"] = pd.to_datetime(out["start"]).astype("datetime64[ns]")
        return out

    def set_override(self, session_id: str, *, area: Any = ..., rpe: Any = ...,
                     notes: Any = ..., edited_by: str | None = None) -> None:
        """Set the user's area, RPE (0-10) and/or notes for a session.

        Arguments left out keep their value; None (or "") clears that one field. Imports never
        change these. ``edited_by`` names who made the edit (kept on the edit row).
        """
        vals: dict[str, Any] = {}
        if area is not ...:
            if area in (None, ""):
                vals["area"] = None
            elif area not in AREAS:
                raise UsageError(f"'{area}' is not a training area (choose one of "
                                 f"{', '.join(AREAS)}).")
            else:
                vals["area"] = area
        if rpe is not ...:
            if rpe is None or rpe == "" or (isinstance(rpe, float) and math.isnan(rpe)):
                vals["rpe"] = None
            else:
                try:
                    x = float(rpe)
                except (TypeError, ValueError) as exc:
                    raise UsageError(f"RPE must be a number from 0 to 10, not {rpe!r}.") from exc
                if not 0.0 <= x <= 10.0:
                    raise UsageError(f"RPE must be between 0 and 10, not {x:g}.")
                vals["rpe"] = x
        if notes is not ...:
            vals["notes"] = (str(notes).strip() or None) if notes is not None else None
        s, ov = T["sessions"], T["overrides"]

        def tx(conn: Connection) -> None:
            if conn.execute(sa.select(s.c.session_id).where(s.c.session_id == session_id)) \
                    .first() is None:
                raise UsageError(f"There is no stored session with the id '{session_id}'.")
            cur = conn.execute(sa.select(ov.c.area, ov.c.rpe, ov.c.notes)
                               .where(ov.c.session_id == session_id)).mappings().first()
            row = {"area": None, "rpe": None, "notes": None, **(dict(cur) if cur else {}),
                   **vals}
            conn.execute(sa.delete(ov).where(ov.c.session_id == session_id))
            if any(v is not None for v in row.values()):
                conn.execute(sa.insert(ov).values(session_id=session_id, updated_at=_now(),
                                                  edited_by=edited_by, **row))
            derived.touch(conn, self._owners(conn, [session_id]))

        self._write(tx)

    def clear_override(self, session_id: str) -> None:
        """Forget the user's area, RPE and notes for a session."""
        ov = T["overrides"]

        def tx(conn: Connection) -> None:
            conn.execute(sa.delete(ov).where(ov.c.session_id == session_id))
            derived.touch(conn, self._owners(conn, [session_id]))

        self._write(tx)

    @staticmethod
    def _owners(conn: Connection, session_ids: Sequence[str]) -> list[str]:
        """The athletes of these stored sessions."""
        s = T["sessions"]
        return sorted(set(conn.execute(sa.select(s.c.athlete)
                                       .where(s.c.session_id.in_(list(session_ids)))).scalars()))

    def overrides(self) -> pd.DataFrame:
        """DataFrame[session_id, area, rpe, notes, updated_at, edited_by] of every user edit
        (``edited_by``: who made it, None when not recorded)."""
        ov = T["overrides"]
        return self._read(lambda c: _frame(c.execute(sa.select(ov).order_by(ov.c.session_id))))

    # ------------------------------------------------------------------ settings & co

    def settings(self) -> dict[str, Any]:
        """The saved settings ({} if none were saved)."""
        st = T["settings"]
        rows = self._read(lambda c: c.execute(sa.select(st.c.key, st.c.value)).all())
        return {k: json.loads(v) for k, v in rows}

    def save_settings(self, values: Mapping[str, Any]) -> None:
        """Replace the saved settings with ``values`` (a JSON-able dict)."""
        st = T["settings"]
        try:
            rows = [{"key": str(k), "value": json.dumps(v, ensure_ascii=False)}
                    for k, v in values.items()]
        except (TypeError, ValueError) as exc:
            raise UsageError(f"These settings cannot be saved: {exc}.") from exc

        def tx(conn: Connection) -> None:
            conn.execute(sa.delete(st))
            if rows:
                conn.execute(sa.insert(st), rows)
            derived.refresh_stale(conn)  # athletes whose figures the change alters, here

        self._write(tx)

    def rules(self) -> list[dict[str, Any]] | None:
        """The user's classification rules, or None when the defaults are in use."""
        r = T["rules"]
        text = self._read(lambda c: c.execute(sa.select(r.c.rules).where(r.c.id == 1)).scalar())
        return None if text is None else json.loads(text)

    def save_rules(self, rules: Sequence[Mapping[str, Any]] | None) -> None:
        """Save the rule list (records as from ``classify.rules_to_records``); None resets to
        the defaults."""
        r = T["rules"]
        text = None if rules is None else json.dumps([dict(x) for x in rules], ensure_ascii=False)

        def tx(conn: Connection) -> None:
            conn.execute(sa.delete(r))
            if text is not None:
                conn.execute(sa.insert(r).values(id=1, rules=text, updated_at=_now()))
            derived.refresh_stale(conn)  # athletes whose figures the change alters, here

        self._write(tx)

    def add_rule(self, rule: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Put one rule record (``{kind, pattern, area[, label]}``) first in the user's rules,
        replacing a rule of the same kind and pattern; returns the saved list. One transaction,
        so two coaches adding rules at once both keep theirs."""
        from stridewise.classify import rules_from_records, rules_to_records

        (new,) = rules_to_records(rules_from_records([rule]))  # a bad record: UsageError
        r = T["rules"]

        def tx(conn: Connection) -> list[dict[str, Any]]:
            text = conn.execute(sa.select(r.c.rules).where(r.c.id == 1)).scalar()
            old = json.loads(text) if text else []
            key = (new["kind"], new["pattern"].casefold())
            rules = [new, *[x for x in old
                            if (str(x.get("kind")), str(x.get("pattern", "")).casefold()) != key]]
            conn.execute(sa.delete(r))
            conn.execute(sa.insert(r).values(id=1, rules=json.dumps(rules, ensure_ascii=False),
                                             updated_at=_now()))
            derived.refresh_stale(conn)  # athletes whose figures the change alters, here
            return rules

        return self._write(tx)

    def confirm_area(self, session_id: str, area: str,
                     rule: Mapping[str, Any] | None = None, *,
                     edited_by: str | None = None) -> None:
        """Set a session's area as the user's (an override) and, with ``rule``, put that rule
        first in the user's rules: both or neither. ``edited_by`` names who made the edit."""
        if area not in AREAS:
            raise UsageError(f"'{area}' is not a training area (choose one of "
                             f"{', '.join(AREAS)}).")
        from stridewise.classify import rules_from_records, rules_to_records

        new = rules_to_records(rules_from_records([rule]))[0] if rule is not None else None
        s, ov, r = T["sessions"], T["overrides"], T["rules"]

        def tx(conn: Connection) -> None:
            if conn.execute(sa.select(s.c.session_id).where(s.c.session_id == session_id)) \
                    .first() is None:
                raise UsageError(f"There is no stored session with the id '{session_id}'.")
            cur = conn.execute(sa.select(ov.c.rpe, ov.c.notes)
                               .where(ov.c.session_id == session_id)).mappings().first()
            conn.execute(sa.delete(ov).where(ov.c.session_id == session_id))
            conn.execute(sa.insert(ov).values(session_id=session_id, updated_at=_now(),
                                              area=area, edited_by=edited_by,
                                              **(dict(cur) if cur else {})))
            if new is not None:
                text = conn.execute(sa.select(r.c.rules).where(r.c.id == 1)).scalar()
                old = json.loads(text) if text else []
                key = (new["kind"], new["pattern"].casefold())
                rules = [new, *[x for x in old if (str(x.get("kind")),
                                                   str(x.get("pattern", "")).casefold()) != key]]
                conn.execute(sa.delete(r))
                conn.execute(sa.insert(r).values(
                    id=1, rules=json.dumps(rules, ensure_ascii=False), updated_at=_now()))
            derived.touch(conn, self._owners(conn, [session_id]))
            if new is not None:
                derived.refresh_stale(conn)  # the rule may change every athlete's figures

        self._write(tx)

    def mapping_profiles(self) -> dict[str, dict[str, str]]:
        """Saved CSV column mappings keyed by header signature."""
        m = T["mapping_profiles"]
        rows = self._read(lambda c: c.execute(sa.select(m.c.signature, m.c.mapping)).all())
        return {k: json.loads(v) for k, v in rows}

    def save_mapping_profile(self, signature: str, mapping: Mapping[str, str]) -> None:
        """Remember the column mapping for CSVs with this header signature."""
        m = T["mapping_profiles"]
        text = json.dumps({str(k): str(v) for k, v in mapping.items()}, ensure_ascii=False)

        def tx(conn: Connection) -> None:
            conn.execute(sa.delete(m).where(m.c.signature == signature))
            conn.execute(sa.insert(m).values(signature=signature, mapping=text,
                                             updated_at=_now()))

        self._write(tx)

    def delete_mapping_profile(self, signature: str) -> None:
        m = T["mapping_profiles"]
        self._write(lambda c: c.execute(sa.delete(m).where(m.c.signature == signature)))

    # ------------------------------------------------------------------ weekly plans

    def _save_plan(self, scope: str, name: str, body: Mapping[str, Any], *,
                   valid_from: date, changed_by: str, summary: str, is_demo: bool) -> int:
        pl = T["plans"]
        try:
            text = json.dumps(dict(body), ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"This plan cannot be saved: {exc}.") from exc
        start = datetime(valid_from.year, valid_from.month, valid_from.day)

        def tx(conn: Connection) -> int:
            top = conn.execute(sa.select(sa.func.max(pl.c.plan_id))).scalar() or 0
            conn.execute(sa.insert(pl).values(
                plan_id=int(top) + 1, scope=scope, name=name, valid_from=start, body=text,
                changed_by=str(changed_by or "")[:200], changed_at=_now(),
                summary=str(summary or "")[:2000], is_demo=bool(is_demo)))
            return int(top) + 1

        return self._write(tx)

    def save_athlete_plan(self, athlete: str, body: Mapping[str, Any], *, valid_from: date,
                          changed_by: str = "", summary: str = "",
                          is_demo: bool = False) -> int:
        """Store a new version of ``athlete``'s plan override (a JSON-able dict, checked by
        :func:`stridewise.plans.clean_body`), valid from the week starting ``valid_from``;
        returns its id. Earlier versions stay (the change history)."""
        name = self._clean_name(athlete)
        return self._save_plan("athlete", name, body, valid_from=valid_from,
                               changed_by=changed_by, summary=summary, is_demo=is_demo)

    def save_squad_plan(self, squad: str, body: Mapping[str, Any], *, valid_from: date,
                        changed_by: str = "", summary: str = "", is_demo: bool = False) -> int:
        """Store a new version of the template of squad (group) ``squad``; see
        :meth:`save_athlete_plan`."""
        name = str(squad or "").strip()
        if not name:
            raise UsageError("A squad plan needs the squad's name (the athletes' group).")
        return self._save_plan("squad", name, body, valid_from=valid_from,
                               changed_by=changed_by, summary=summary, is_demo=is_demo)

    def plan_versions(self, athletes: Sequence[str] | None = None,
                      squads: Sequence[str] | None = None) -> pd.DataFrame:
        """Every saved plan version: DataFrame[plan_id, scope, name, valid_from, body (dict),
        changed_by, changed_at, summary, is_demo], oldest first. ``athletes`` / ``squads``
        limit the rows to those athletes' overrides and those squads' templates (None = all)."""
        pl = T["plans"]
        q = sa.select(pl).order_by(pl.c.plan_id)
        conds = []
        if athletes is not None:
            conds.append((pl.c.scope == "athlete") & pl.c.name.in_(list(athletes)))
        if squads is not None:
            conds.append((pl.c.scope == "squad") & pl.c.name.in_(list(squads)))
        if athletes is not None or squads is not None:
            q = q.where(sa.or_(*conds)) if conds else q
        df = self._read(lambda c: _frame(c.execute(q)))
        cols = [c.name for c in pl.c]
        if df.empty:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        df = df[cols].copy()
        df["body"] = [json.loads(b) if b else {} for b in df["body"]]
        df["valid_from"] = pd.to_datetime(df["valid_from"]).dt.normalize()
        df["changed_at"] = pd.to_datetime(df["changed_at"])
        df["is_demo"] = df["is_demo"].astype(bool)
        return df.reset_index(drop=True)

    # ------------------------------------------------------------------ derived tables

    def athlete_versions(self) -> dict[str, int]:
        """Athlete -> a counter that grows with every write touching that athlete (a cache
        key that is per athlete, unlike :meth:`version`)."""
        return self._read(derived.athlete_versions)

    def squad_snapshot(self, today: date | None = None) -> derived.SquadSnapshot:
        """Every athlete's roster figures from the derived tables (N rows, no session history).

        Rows not current (computed on another day, or before a settings or rule change) are
        recomputed first, in one write transaction, for exactly those athletes.
        """
        day = today or date.today()
        todo, _, _ = self._read(lambda c: derived.stale_athletes(c, day), snapshot=True)
        if todo:
            self._write(lambda c: derived.refresh(c, todo, today=day), bump=False)
        risk, bal, ses, as_of, stale = self._read(lambda c: derived.squad_snapshot(c, day),
                                                  snapshot=True)
        empty = pd.DataFrame()
        return derived.SquadSnapshot(pipeline.Analysis(ses, empty, empty, risk, bal), as_of,
                                     stale, len(todo))

    def weekly_volume(self, athletes: Sequence[str] | None = None,
                      since: date | None = None, until: date | None = None) -> pd.DataFrame:
        """Stored weekly volume of ``athletes`` for the weeks after ``since`` up to the week
        starting on or before ``until`` (derived table; stored weeks run past today)."""
        return self._read(lambda c: derived.weekly_rows(c, athletes, since, until))

    def weekly_totals(self, athletes: Sequence[str] | None, since: date,
                      until: date) -> pd.DataFrame:
        """Weekly volume of ``athletes`` (None = everyone) summed over them per week x area,
        weeks after ``since`` up to ``until`` (derived table, summed by the database)."""
        return self._read(lambda c: derived.weekly_totals(c, athletes, since, until))

    def daily_metrics(self, athletes: Sequence[str], until: date | None = None) -> pd.DataFrame:
        """Stored daily metrics (the risk table) of ``athletes`` up to ``until`` (derived
        table; stored days run past today)."""
        return self._read(lambda c: derived.daily_rows(c, athletes, until))

    # ------------------------------------------------------------------ check-ins and niggles
    # What the runner reports (schema version 7, see stridewise.body_store). Every write
    # refreshes that athlete's derived rows like an import does.

    def checkins(self, athletes: Sequence[str] | None = None) -> pd.DataFrame:
        """Daily check-ins: DataFrame[athlete, date, sleep, fatigue, soreness, stress, mood
        (1-5, Int64), resting_hr_bpm, note]."""
        return self._read(lambda c: body_store.read_checkins(c, athletes))

    def save_checkin(self, athlete: str, day: Any, values: Mapping[str, Any],
                     note: str = "") -> None:
        """Save (or replace) ``athlete``'s check-in of ``day``."""
        def tx(conn: Connection) -> None:
            body_store.save_checkin(conn, athlete, day, values, note)
            derived.touch(conn, [athlete])

        self._write(tx)

    def save_checkins(self, athlete: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Save many check-ins of ``athlete`` at once (each a mapping with ``date``, the answers
        and optionally ``note``); all or none. Returns the number saved."""
        def tx(conn: Connection) -> int:
            for r in rows:
                body_store.save_checkin(conn, athlete, r.get("date"), r, str(r.get("note") or ""))
            derived.touch(conn, [athlete])
            return len(rows)

        return self._write(tx)

    def delete_checkin(self, athlete: str, day: Any) -> None:
        def tx(conn: Connection) -> None:
            if body_store.delete_checkin(conn, athlete, day):
                derived.touch(conn, [athlete])

        self._write(tx)

    def niggles(self, athletes: Sequence[str] | None = None) -> pd.DataFrame:
        """Reported niggles: DataFrame[niggle_id, athlete, region, side, onset, resolved,
        note]."""
        return self._read(lambda c: body_store.read_niggles(c, athletes))

    def niggle_updates(self, athletes: Sequence[str] | None = None) -> pd.DataFrame:
        """Daily pain/effect updates: DataFrame[athlete, niggle_id, date, pain, effect, note]."""
        return self._read(lambda c: body_store.read_updates(c, athletes))

    def add_niggle(self, athlete: str, *, region: str, side: str, onset: Any, pain: Any,
                   effect: str, note: str = "", resolved: Any = None) -> int:
        """Report a niggle (its first pain/effect update is on the onset day); returns its id."""
        def tx(conn: Connection) -> int:
            nid = body_store.add_niggle(conn, athlete, region=region, side=side, onset=onset,
                                        pain=pain, effect=effect, note=note, resolved=resolved)
            derived.touch(conn, [athlete])
            return nid

        return self._write(tx)

    def update_niggle(self, athlete: str, niggle_id: int, *, day: Any, pain: Any, effect: str,
                      note: str = "") -> None:
        """Save the niggle's pain and effect on training of ``day``."""
        def tx(conn: Connection) -> None:
            body_store.update_niggle(conn, athlete, niggle_id, day=day, pain=pain,
                                     effect=effect, note=note)
            derived.touch(conn, [athlete])

        self._write(tx)

    def resolve_niggle(self, athlete: str, niggle_id: int, resolved: Any) -> None:
        """Mark the niggle over on ``resolved`` (None: active again)."""
        def tx(conn: Connection) -> None:
            body_store.resolve_niggle(conn, athlete, niggle_id, resolved)
            derived.touch(conn, [athlete])

        self._write(tx)

    def delete_niggle(self, athlete: str, niggle_id: int) -> None:
        def tx(conn: Connection) -> None:
            body_store.delete_niggle(conn, athlete, niggle_id)
            derived.touch(conn, [athlete])

        self._write(tx)

    # ------------------------------------------------------------------ coach's review
    # Notes, seen marks and secrets (schema version 7; see stridewise.review_store). These
    # writes do not bump the data version: no analysis depends on them.

    def add_note(self, athlete: str, text: str, *, visibility: str, author: str,
                 author_role: str, week: Any = None, session_id: str | None = None) -> int:
        """A new note about ``athlete`` on a week (its first day) or a session; returns its id."""
        from stridewise import review_store as rs

        return self._write(lambda c: rs.add_note(
            c, athlete, text, visibility=visibility, author=author, author_role=author_role,
            week=week, session_id=session_id, now=_now()), bump=False)

    def edit_note(self, athlete: str, note_id: int, text: str, *, visibility: str,
                  author: str, author_role: str) -> int:
        """A new version of a note (every earlier version is kept); returns its number."""
        from stridewise import review_store as rs

        return self._write(lambda c: rs.edit_note(
            c, athlete, note_id, text, visibility=visibility, author=author,
            author_role=author_role, now=_now()), bump=False)

    def notes(self, athletes: Sequence[str] | None = None) -> pd.DataFrame:
        """Every version of every note about ``athletes`` (filter with notes.visible_notes)."""
        from stridewise import review_store as rs

        return self._read(lambda c: rs.read_notes(c, athletes))

    def mark_seen(self, athlete: str, week: Any, *, reviewer: str, level: str = "",
                  flag_keys: Sequence[str] = ()) -> None:
        """Mark ``athlete``'s week seen by ``reviewer`` (with the level and flags shown)."""
        from stridewise import review_store as rs

        self._write(lambda c: rs.mark_seen(c, athlete, week, reviewer=reviewer, level=level,
                                           flag_keys=flag_keys, now=_now()), bump=False)

    def review_version(self) -> int:
        """A counter that grows with every seen mark (cache key for review lists)."""
        from stridewise import review_store as rs

        return self._read(rs.review_version)

    def review_marks(self, athletes: Sequence[str] | None = None, *,
                     reviewer: str) -> pd.DataFrame:
        """The seen marks of ``reviewer`` (one row per athlete-week)."""
        from stridewise import review_store as rs

        return self._read(lambda c: rs.read_marks(c, athletes, reviewer=reviewer))

    def mark_seen_many(self, athletes: Sequence[str], week: Any, *, reviewer: str,
                       levels: Mapping[str, str], flag_keys: Mapping[str, Sequence[str]]
                       ) -> None:
        """Mark several athletes' week seen in one transaction."""
        from stridewise import review_store as rs

        self._write(lambda c: rs.mark_seen_many(c, athletes, week, reviewer=reviewer,
                                                levels=levels, flag_keys=flag_keys,
                                                now=_now()), bump=False)

    def review_activity(self, athletes: Sequence[str] | None = None, *, since: datetime,
                        kinds: Sequence[str] = ("sessions", "edits")
                        ) -> dict[str, pd.DataFrame]:
        """Sessions that arrived and sessions edited after ``since`` (UTC, naive)."""
        from stridewise import review_store as rs

        return self._read(lambda c: rs.activity(c, athletes, since=since, kinds=kinds),
                          snapshot=True)

    def last_session_starts(self, athletes: Sequence[str] | None = None) -> dict[str, Any]:
        """Athlete -> start of the latest session (None when none), kept by every write."""
        from stridewise import review_store as rs

        return self._read(lambda c: rs.last_starts(c, athletes))

    def set_secret(self, key: str, value: str | None) -> None:
        """Keep a value (e.g. the SMTP password) that backups and exports leave out."""
        from stridewise import review_store as rs

        self._write(lambda c: rs.set_secret(c, key, value), bump=False)

    def secret(self, key: str) -> str | None:
        from stridewise import review_store as rs

        return self._read(lambda c: rs.get_secret(c, key))

    # ------------------------------------------------------------------ backup / restore

    def table_frames(self) -> dict[str, pd.DataFrame]:
        """Every data table as a DataFrame sorted by primary key (the whole store's content)."""

        def read(conn: Connection) -> dict[str, pd.DataFrame]:
            out = {}
            for name in DATA_TABLES:
                t = T[name]
                pk = [c for c in t.primary_key.columns] or list(t.c)
                out[name] = _frame(conn.execute(sa.select(t).order_by(*pk)))
            return out

        return self._read(read, snapshot=True)

    def backup(self, directory: str | Path) -> Path:
        """Write the whole store as Parquet files (one per table) + ``manifest.json``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = Path(directory)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"The backup folder {folder} cannot be created: "
                             f"{exc.strerror or exc}.") from exc

        def read(conn: Connection) -> dict[str, pa.Table]:
            out = {}
            for name in DATA_TABLES:
                if name == "meta":
                    continue
                t = T[name]
                pk = list(t.primary_key.columns)
                res = conn.execute(sa.select(t).order_by(*pk))
                rows = res.fetchall()
                arrays, fields = [], []
                for i, col in enumerate(t.c):
                    typ = _arrow_type(col.type)
                    vals = [r[i] for r in rows]
                    arrays.append(pa.array(vals, type=typ))
                    fields.append(pa.field(col.name, typ, nullable=True))
                out[name] = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
            return out

        tables = self._read(read, snapshot=True)
        try:
            for name, tab in tables.items():
                pq.write_table(tab, folder / f"{name}.parquet")
            manifest = {"format": "stridewise-backup", "schema_version": SCHEMA_VERSION,
                        "created_at": _now().isoformat(timespec="seconds"),
                        "tables": {n: {"file": f"{n}.parquet", "rows": t.num_rows}
                                   for n, t in tables.items()}}
            (folder / "manifest.json").write_text(json.dumps(manifest, indent=2),
                                                  encoding="utf-8")
        except OSError as exc:
            raise StoreError(f"The backup could not be written to {folder}: "
                             f"{exc.strerror or exc}.") from exc
        return folder

    def restore(self, directory: str | Path) -> None:
        """Replace the whole store's content with a backup made by :meth:`backup`."""
        import pyarrow.parquet as pq

        folder = Path(directory)
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{folder} holds no readable Stridewise backup (manifest.json is "
                             "missing or damaged).") from exc
        if manifest.get("format") != "stridewise-backup":
            raise StoreError(f"{folder / 'manifest.json'} is not a Stridewise backup manifest.")
        version = int(manifest.get("schema_version", 0))
        if version > SCHEMA_VERSION:
            raise StoreError(f"This backup comes from a newer Stridewise (schema version "
                             f"{version}); upgrade Stridewise to restore it.")
        data: dict[str, list[dict[str, Any]]] = {}
        tables = manifest.get("tables", {})
        if not isinstance(tables, dict):
            raise StoreError(f"{folder / 'manifest.json'} is not a Stridewise backup manifest.")
        for name, info in tables.items():
            if name not in T or name in ("meta", "schema_version"):
                continue
            try:
                path = _backup_member(folder, info)
                tab = pq.read_table(path)
            except (OSError, KeyError, ValueError, TypeError, pa.ArrowException) as exc:
                raise StoreError(f"The backup file for '{name}' in {folder} cannot be read "
                                 f"({exc}).") from exc
            if tab.num_rows != int(info.get("rows", tab.num_rows)):
                raise StoreError(f"The backup file for '{name}' in {folder} is incomplete.")
            cols = [c.name for c in T[name].c]
            recs = tab.select([c for c in tab.column_names if c in cols]).to_pylist()
            if name == "sessions":
                for r in recs:  # derived columns of later schema versions
                    r.setdefault("family", sport_family(str(r.get("sport", ""))))
                    r.setdefault("sources", str(r.get("source", "")))
            _check_restored_rows(name, recs, folder)
            data[name] = recs

        def tx(conn: Connection) -> None:
            a = T["athletes"]
            top = conn.execute(sa.select(sa.func.max(a.c.data_version))).scalar() or 0
            for name in (*reversed(DATA_TABLES), *DERIVED_TABLES):
                if name in ACCESS_TABLES and name not in data:
                    continue  # a backup from before accounts existed keeps today's accounts
                if name != "meta":
                    conn.execute(sa.delete(T[name]))
            for name in DATA_TABLES:
                recs = data.get(name, [])
                for chunk in _chunks(recs, 5000):
                    conn.execute(sa.insert(T[name]), list(chunk))
            # kept per-athlete figures and derived rows, rebuilt here (no reader pays). Every
            # athlete's data version moves past any used before, so no cache entry survives.
            top = max(int(top), int(conn.execute(sa.select(sa.func.max(a.c.data_version)))
                                    .scalar() or 0))
            conn.execute(sa.update(a).values(data_version=top + 1))
            derived.recount(conn)
            derived.refresh_all(conn)

        self._write(tx)


def _backup_member(folder: Path, info: Any) -> Path:
    """The Parquet file a manifest entry names, which must be a plain file name inside the
    backup folder (never a path leading elsewhere, absolute, or through a link outside)."""
    if not isinstance(info, dict) or not isinstance(info.get("file"), str):
        raise ValueError("its manifest entry names no file")
    name = info["file"]
    if Path(name).name != name or name in ("", ".", "..") or "\\" in name:
        raise ValueError(f"the manifest names '{name}', which is not a file inside the folder")
    path = folder / name
    if not path.resolve().is_relative_to(folder.resolve()):
        raise ValueError(f"'{name}' leads outside the backup folder")
    return path


def _check_restored_rows(name: str, recs: list[dict[str, Any]], folder: Path) -> None:
    """Refuse a backup table whose rows do not fit the table: wrong types, missing required
    values, impossible numbers, or sessions the canonical schema rejects."""
    table = T[name]

    def bad(i: int, col: str, what: str) -> StoreError:
        return StoreError(f"The backup in {folder} cannot be restored: row {i + 1} of "
                          f"'{name}' has {what} in '{col}'.")

    for i, r in enumerate(recs):
        for c in table.c:
            v = r.get(c.name)
            if v is None:
                if not c.nullable and c.server_default is None and not (
                        c.primary_key and c.autoincrement is True):
                    raise bad(i, c.name, "no value")
                continue
            t = c.type
            if isinstance(t, sa.Boolean):
                ok = isinstance(v, (bool, np.bool_))
            elif isinstance(t, sa.Integer):
                ok = isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            elif isinstance(t, sa.Float):
                ok = isinstance(v, (int, float, np.number)) and not isinstance(v, bool) \
                    and math.isfinite(float(v))
            elif isinstance(t, sa.DateTime):
                ok = isinstance(v, datetime) and 1900 <= v.year <= 2200
            else:
                ok = isinstance(v, str)
            if not ok:
                raise bad(i, c.name, f"an impossible value ({str(v)[:40]!r})")
    if name == "sessions" and recs:
        from stridewise.schema import normalise as _normalise
        from stridewise.schema import validate as _validate

        try:
            _validate(_normalise(pd.DataFrame(recs)))
        except StridewiseError as exc:
            raise StoreError(f"The backup in {folder} cannot be restored: its sessions do not "
                             f"pass the checks of an import ({exc.message.rstrip('.')}).") \
                from exc


def read_sessions(conn: Connection, athletes: Sequence[str] | None = None) -> pd.DataFrame:
    """:meth:`Store.sessions` on an open connection (e.g. inside a write transaction)."""
    s, ov = T["sessions"], T["overrides"]
    # The commonest values come back as NULL (cheaper to fetch than a string per row) and
    # are put back below: no sets "[]", no area "", contributing sources = the source.
    cols = []
    for c in s.c:
        if c.name == "start":
            cols.append(sa.type_coerce(c, sa.Text).label("start"))
        elif c.name in _AS_NULL:
            cols.append(sa.func.nullif(c, _AS_NULL[c.name]).label(c.name))
        elif c.name in _FLAGS:
            cols.append(sa.cast(c, sa.Integer).label(c.name))
        elif c.name in COLUMNS:
            cols.append(c)
    q = (sa.select(*cols, s.c.import_id, sa.func.nullif(s.c.sources, s.c.source)
                   .label("sources"))
         .order_by(s.c.athlete, s.c.start, s.c.session_id))
    # overrides are few: read on their own and placed by session id (no join per row)
    oq = sa.select(ov.c.session_id, ov.c.area, ov.c.notes, ov.c.rpe)
    if athletes is not None:
        names = [str(a) for a in athletes]
        q = q.where(s.c.athlete.in_(names)) if names else q.where(sa.false())
        oq = (oq.select_from(ov.join(s, s.c.session_id == ov.c.session_id))
              .where(s.c.athlete.in_(names)) if names else oq.where(sa.false()))
    keys = [c.name for c in q.selected_columns]

    def read(conn: Connection) -> tuple[_RowBatches, list[tuple[Any, ...]]]:
        res = conn.execute(q)
        try:
            # Plain tuples straight from the driver (no per-row Row objects): every column
            # here is text, a number or ``start``, so no SQLAlchemy conversion is skipped.
            # Fetched in batches, each packed into Arrow columns at once, so the Python
            # objects are freed while still in the CPU cache.
            batches: list[pa.StructArray] = []
            rows: list[tuple[Any, ...]] = []
            cur = res.cursor
            kind = None
            while cur is not None:
                chunk = cur.fetchmany(_FETCH_ROWS)
                if not chunk:
                    break
                if rows:  # an earlier batch could not be packed: keep raw rows
                    rows.extend(chunk)
                    continue
                if kind is None:
                    kind = _arrow_row_type(keys, chunk[0])
                try:
                    batches.append(pa.array(chunk, type=kind))
                except (pa.ArrowException, TypeError, ValueError, OverflowError):
                    rows = [r for b in batches for r in _struct_rows(b)] + list(chunk)
                    batches = []
        finally:
            res.close()
        over = [tuple(r) for r in conn.execute(oq).all()]
        return _RowBatches(batches, rows, kind), over

    got, over = read(conn)
    if got.rows or got.kind is None:
        df = Store._sessions_frame(keys, got.rows)
    else:
        df = Store._sessions_arrow(keys, got)
    return Store._with_overrides(df, over)


def _arrow_type(t: sa.types.TypeEngine) -> Any:
    import pyarrow as pa

    if isinstance(t, sa.Boolean):
        return pa.bool_()
    if isinstance(t, sa.Integer):
        return pa.int64()
    if isinstance(t, sa.Float):
        return pa.float64()
    if isinstance(t, sa.DateTime):
        return pa.timestamp("us")
    return pa.string()


def retime_starts(starts: pd.Series, old_tz: str, new_tz: str) -> pd.Series:
    """Naive wall-clock ``starts`` in ``old_tz`` -> the same instants on ``new_tz``'s clock.

    The hour repeated when clocks go back is read as the first (summer-time) hour; a time that
    does not exist in ``old_tz`` moves forward to the next valid one."""
    t = pd.to_datetime(starts)
    first = t.dt.tz_localize(old_tz, ambiguous="NaT", nonexistent="shift_forward")
    fallback = t.dt.tz_localize(old_tz, ambiguous=np.ones(len(t), dtype=bool),
                                nonexistent="shift_forward")
    aware = first.where(first.notna(), fallback)
    return aware.dt.tz_convert(new_tz).dt.tz_localize(None)
