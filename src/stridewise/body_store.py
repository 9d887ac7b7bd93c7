"""Reads and writes of the runner's reports in the store: check-ins, niggles, niggle updates.

Functions on an open connection (the :class:`~stridewise.store.Store` wraps them in its read and
write transactions; :mod:`stridewise.derived` reads the niggles inside a write). Every write
here is followed by the same per-athlete refresh an import does (``derived.touch``), so the
roster and the Athlete page show the same level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from stridewise import niggles as ng
from stridewise import wellness as wl
from stridewise.errors import UsageError
from stridewise.store_schema import T, current_version

__all__ = ["has_body_tables", "read_checkins", "read_niggles", "read_updates", "save_checkin",
           "delete_checkin", "add_niggle", "update_niggle", "resolve_niggle", "delete_niggle"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def has_body_tables(conn: Connection) -> bool:
    """Whether the database has the tables of schema version 7 (not yet during a migration)."""
    return current_version(conn) >= 7


def _day(ts: Any) -> datetime:
    return pd.Timestamp(ts).normalize().to_pydatetime()


def _athlete_exists(conn: Connection, athlete: str) -> None:
    a = T["athletes"]
    if conn.execute(sa.select(a.c.name).where(a.c.name == athlete)).first() is None:
        raise UsageError(f"There is no athlete named '{athlete}'.")


def _in(col: sa.Column, athletes: Sequence[str] | None) -> Any:
    return sa.true() if athletes is None else col.in_(list(athletes))


# ------------------------------------------------------------------------------ reads

def read_checkins(conn: Connection, athletes: Sequence[str] | None = None) -> pd.DataFrame:
    """DataFrame[:data:`wellness.CHECKIN_COLUMNS`], ordered by athlete and date."""
    c = T["checkins"]
    rows = conn.execute(sa.select(c.c.athlete, c.c.day, *[c.c[k] for k in wl.ITEMS],
                                  c.c.resting_hr_bpm, c.c.note)
                        .where(_in(c.c.athlete, athletes)).order_by(c.c.athlete, c.c.day)).all()
    df = pd.DataFrame(rows, columns=["athlete", "date", *wl.ITEMS, wl.RESTING_HR, "note"])
    out = pd.DataFrame({"athlete": df["athlete"].astype(str),
                        "date": pd.to_datetime(df["date"]).astype("datetime64[ns]")})
    for k in wl.ITEMS:
        out[k] = pd.to_numeric(df[k]).astype("Int64")
    out[wl.RESTING_HR] = pd.to_numeric(df[wl.RESTING_HR]).astype(float)
    out["note"] = df["note"].fillna("").astype(str)
    return out


def read_niggles(conn: Connection, athletes: Sequence[str] | None = None) -> pd.DataFrame:
    """DataFrame[:data:`niggles.NIGGLE_COLUMNS`], ordered by athlete, onset and id."""
    n = T["niggles"]
    rows = conn.execute(sa.select(n.c.niggle_id, n.c.athlete, n.c.region, n.c.side,
                                  n.c.onset, n.c.resolved, n.c.note)
                        .where(_in(n.c.athlete, athletes))
                        .order_by(n.c.athlete, n.c.onset, n.c.niggle_id)).all()
    df = pd.DataFrame(rows, columns=ng.NIGGLE_COLUMNS)
    return pd.DataFrame({
        "niggle_id": pd.to_numeric(df["niggle_id"]).astype("int64"),
        "athlete": df["athlete"].astype(str), "region": df["region"].astype(str),
        "side": df["side"].astype(str),
        "onset": pd.to_datetime(df["onset"]).astype("datetime64[ns]"),
        "resolved": pd.to_datetime(df["resolved"]).astype("datetime64[ns]"),
        "note": df["note"].fillna("").astype(str)})


def read_updates(conn: Connection, athletes: Sequence[str] | None = None) -> pd.DataFrame:
    """DataFrame[athlete + :data:`niggles.UPDATE_COLUMNS`], ordered by niggle and date."""
    n, u = T["niggles"], T["niggle_updates"]
    rows = conn.execute(sa.select(n.c.athlete, u.c.niggle_id, u.c.day, u.c.pain, u.c.effect,
                                  u.c.note)
                        .join_from(u, n, u.c.niggle_id == n.c.niggle_id)
                        .where(_in(n.c.athlete, athletes))
                        .order_by(u.c.niggle_id, u.c.day)).all()
    df = pd.DataFrame(rows, columns=["athlete", *ng.UPDATE_COLUMNS])
    return pd.DataFrame({
        "athlete": df["athlete"].astype(str),
        "niggle_id": pd.to_numeric(df["niggle_id"]).astype("int64"),
        "date": pd.to_datetime(df["date"]).astype("datetime64[ns]"),
        "pain": pd.to_numeric(df["pain"]).astype(float), "effect": df["effect"].astype(str),
        "note": df["note"].fillna("").astype(str)})


# ------------------------------------------------------------------------------ writes

def save_checkin(conn: Connection, athlete: str, day: Any, values: Mapping[str, Any],
                 note: str = "") -> None:
    """Insert or replace ``athlete``'s check-in of ``day`` (answers checked first)."""
    _athlete_exists(conn, athlete)
    checked = wl.check_checkin(values)
    d = ng.check_update(day=day, pain=0, effect="none")["date"]
    c = T["checkins"]
    conn.execute(sa.delete(c).where(c.c.athlete == athlete, c.c.day == _day(d)))
    conn.execute(sa.insert(c).values(athlete=athlete, day=_day(d), note=str(note or "").strip(),
                                     updated_at=_now(), **checked))


def delete_checkin(conn: Connection, athlete: str, day: Any) -> int:
    c = T["checkins"]
    return conn.execute(sa.delete(c).where(c.c.athlete == athlete,
                                           c.c.day == _day(day))).rowcount or 0


def add_niggle(conn: Connection, athlete: str, *, region: str, side: str, onset: Any,
               pain: Any, effect: str, note: str = "", resolved: Any = None) -> int:
    """Store a new niggle with its first update on the onset day; returns its id."""
    _athlete_exists(conn, athlete)
    f = ng.check_niggle(region=region, side=side, onset=onset, resolved=resolved)
    first = ng.check_update(day=f["onset"], pain=pain, effect=effect)
    n, u = T["niggles"], T["niggle_updates"]
    new_id = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(n.c.niggle_id), 0)))
                 .scalar() or 0) + 1
    conn.execute(sa.insert(n).values(
        niggle_id=new_id, athlete=athlete, region=f["region"], side=f["side"],
        onset=_day(f["onset"]), resolved=None if f["resolved"] is None else _day(f["resolved"]),
        note=str(note or "").strip(), created_at=_now()))
    conn.execute(sa.insert(u).values(niggle_id=new_id, day=_day(first["date"]),
                                     pain=first["pain"], effect=first["effect"], note="",
                                     updated_at=_now()))
    return new_id


def _niggle(conn: Connection, athlete: str, niggle_id: int) -> Mapping[str, Any]:
    n = T["niggles"]
    row = conn.execute(sa.select(n).where(n.c.niggle_id == int(niggle_id),
                                          n.c.athlete == athlete)).mappings().first()
    if row is None:
        raise UsageError(f"{athlete} has no niggle number {niggle_id}.")
    return row


def update_niggle(conn: Connection, athlete: str, niggle_id: int, *, day: Any, pain: Any,
                  effect: str, note: str = "") -> None:
    """Insert or replace the niggle's update of ``day`` (on or after its onset)."""
    row = _niggle(conn, athlete, niggle_id)
    f = ng.check_update(day=day, pain=pain, effect=effect)
    if f["date"] < pd.Timestamp(row["onset"]).normalize():
        raise UsageError(f"The update of {f['date']:%Y-%m-%d} is before the niggle began "
                         f"({pd.Timestamp(row['onset']):%Y-%m-%d}).")
    u = T["niggle_updates"]
    conn.execute(sa.delete(u).where(u.c.niggle_id == int(niggle_id), u.c.day == _day(f["date"])))
    conn.execute(sa.insert(u).values(niggle_id=int(niggle_id), day=_day(f["date"]),
                                     pain=f["pain"], effect=f["effect"],
                                     note=str(note or "").strip(), updated_at=_now()))


def resolve_niggle(conn: Connection, athlete: str, niggle_id: int, resolved: Any) -> None:
    """Set (or with None clear) the day the niggle was over."""
    row = _niggle(conn, athlete, niggle_id)
    f = ng.check_niggle(region=row["region"], side=row["side"], onset=row["onset"],
                        resolved=resolved)
    n = T["niggles"]
    conn.execute(sa.update(n).where(n.c.niggle_id == int(niggle_id)).values(
        resolved=None if f["resolved"] is None else _day(f["resolved"])))


def delete_niggle(conn: Connection, athlete: str, niggle_id: int) -> None:
    _niggle(conn, athlete, niggle_id)
    n, u = T["niggles"], T["niggle_updates"]
    conn.execute(sa.delete(u).where(u.c.niggle_id == int(niggle_id)))
    conn.execute(sa.delete(n).where(n.c.niggle_id == int(niggle_id)))


def delete_athlete_rows(conn: Connection, athlete: str) -> None:
    """Remove everything the athlete reported (with the athlete)."""
    n, u, c = T["niggles"], T["niggle_updates"], T["checkins"]
    conn.execute(sa.delete(u).where(u.c.niggle_id.in_(
        sa.select(n.c.niggle_id).where(n.c.athlete == athlete))))
    conn.execute(sa.delete(n).where(n.c.athlete == athlete))
    conn.execute(sa.delete(c).where(c.c.athlete == athlete))
