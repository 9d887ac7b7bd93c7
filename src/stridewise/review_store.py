"""Reads and writes of the coach's review on an open connection (tables of schema version 7).

:class:`stridewise.store.Store` wraps these in its read and write transactions; the pure rules
live in :mod:`stridewise.notes` and :mod:`stridewise.review`. Every function that touches one
athlete's data takes the athlete first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from stridewise.errors import UsageError
from stridewise.notes import NOTE_COLUMNS, check_note
from stridewise.store_schema import T

__all__ = ["add_note", "edit_note", "read_notes", "mark_seen", "read_marks", "activity",
           "set_secret", "get_secret", "MARK_COLUMNS"]

MARK_COLUMNS = ["reviewer", "athlete", "week", "seen_at", "level", "flag_keys"]


def _rows(conn: Connection, q: Any, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(q).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _week_text(week: object) -> str | None:
    if week is None or week == "":
        return None
    try:
        return pd.Timestamp(week).date().isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{week!r} is not a date.") from exc


def _athlete_exists(conn: Connection, athlete: str) -> None:
    a = T["athletes"]
    if conn.execute(sa.select(a.c.name).where(a.c.name == athlete)).first() is None:
        raise UsageError(f"There is no athlete called {athlete!r}.")


def add_note(conn: Connection, athlete: str, text: str, *, visibility: str, author: str,
             author_role: str, week: object = None, session_id: str | None = None,
             now: datetime) -> int:
    """Store a new note (version 1); returns its id."""
    body, vis = check_note(text, visibility, week=week, session_id=session_id)
    _athlete_exists(conn, athlete)
    n = T["notes"]
    if session_id:
        s = T["sessions"]
        owner = conn.execute(sa.select(s.c.athlete).where(s.c.session_id == session_id)).scalar()
        if owner != athlete:
            raise UsageError(f"{athlete!r} has no session {session_id!r}.")
    note_id = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(n.c.note_id), 0)))
                  .scalar_one()) + 1
    conn.execute(sa.insert(n).values(
        note_id=note_id, version=1, athlete=athlete, week=_week_text(week),
        session_id=session_id or None, visibility=vis, author=str(author),
        author_role=str(author_role), text=body, created_at=now))
    return note_id


def edit_note(conn: Connection, athlete: str, note_id: int, text: str, *, visibility: str,
              author: str, author_role: str, now: datetime) -> int:
    """Add a version to note ``note_id`` of ``athlete`` (the older versions stay); returns the
    new version number."""
    n = T["notes"]
    last = conn.execute(sa.select(n).where(n.c.note_id == int(note_id))
                        .order_by(n.c.version.desc()).limit(1)).mappings().first()
    if last is None or last["athlete"] != athlete:
        raise UsageError(f"{athlete!r} has no note number {note_id}.")
    body, vis = check_note(text, visibility, week=last["week"], session_id=last["session_id"])
    version = int(last["version"]) + 1
    conn.execute(sa.insert(n).values(
        note_id=int(note_id), version=version, athlete=athlete, week=last["week"],
        session_id=last["session_id"], visibility=vis, author=str(author),
        author_role=str(author_role), text=body, created_at=now))
    return version


def read_notes(conn: Connection, athletes: Sequence[str] | None = None) -> pd.DataFrame:
    """Every version of the notes about ``athletes`` (None = all), in :data:`NOTE_COLUMNS`."""
    n = T["notes"]
    q = sa.select(*[n.c[c] for c in NOTE_COLUMNS]).order_by(n.c.note_id, n.c.version)
    if athletes is not None:
        q = q.where(n.c.athlete.in_(list(athletes)))
    df = _rows(conn, q, NOTE_COLUMNS)
    df["note_id"] = df["note_id"].astype("int64")
    df["version"] = df["version"].astype("int64")
    df["created_at"] = pd.to_datetime(df["created_at"])
    return df


REVIEW_VERSION_KEY = "review_version"


def review_version(conn: Connection) -> int:
    """A counter that grows with every seen mark (a cache key for review lists)."""
    meta = T["meta"]
    v = conn.execute(sa.select(meta.c.value).where(meta.c.key == REVIEW_VERSION_KEY)).scalar()
    return int(v or 0)


def _bump_review(conn: Connection) -> None:
    meta = T["meta"]
    done = conn.execute(sa.update(meta).where(meta.c.key == REVIEW_VERSION_KEY)
                        .values(value=meta.c.value + 1)).rowcount
    if not done:
        conn.execute(sa.insert(meta).values(key=REVIEW_VERSION_KEY, value=1))


def mark_seen(conn: Connection, athlete: str, week: object, *, reviewer: str, level: str,
              flag_keys: Sequence[str], now: datetime) -> None:
    """Mark ``athlete``'s ``week`` seen by ``reviewer`` now, with the level and flags shown."""
    _athlete_exists(conn, athlete)
    _bump_review(conn)
    m = T["review_marks"]
    wk = _week_text(week)
    conn.execute(sa.delete(m).where(m.c.reviewer == reviewer, m.c.athlete == athlete,
                                    m.c.week == wk))
    conn.execute(sa.insert(m).values(reviewer=reviewer, athlete=athlete, week=wk, seen_at=now,
                                     level=str(level), flag_keys=";".join(flag_keys)))


def mark_seen_many(conn: Connection, athletes: Sequence[str], week: object, *, reviewer: str,
                   levels: Mapping[str, str], flag_keys: Mapping[str, Sequence[str]],
                   now: datetime) -> None:
    """:func:`mark_seen` for several athletes in one transaction."""
    for name in athletes:
        mark_seen(conn, name, week, reviewer=reviewer, level=levels.get(name, ""),
                  flag_keys=flag_keys.get(name, ()), now=now)


def read_marks(conn: Connection, athletes: Sequence[str] | None, *,
               reviewer: str) -> pd.DataFrame:
    """The seen marks of ``reviewer`` for ``athletes`` (None = all), in :data:`MARK_COLUMNS`."""
    m = T["review_marks"]
    q = sa.select(*[m.c[c] for c in MARK_COLUMNS]).where(m.c.reviewer == reviewer)
    if athletes is not None:
        q = q.where(m.c.athlete.in_(list(athletes)))
    df = _rows(conn, q, MARK_COLUMNS)
    df["seen_at"] = pd.to_datetime(df["seen_at"])
    return df


def activity(conn: Connection, athletes: Sequence[str] | None, *, since: datetime,
             kinds: Sequence[str] = ("sessions", "edits")) -> dict[str, pd.DataFrame]:
    """What was written about ``athletes`` after ``since`` (UTC): ``sessions`` that arrived
    (athlete, session_id, start, sport, title, rpe, distance_m, arrived_at) and session
    ``edits`` (athlete, session_id, start, title, area, rpe, edited_at); ``kinds`` picks which
    are read (the other comes back empty)."""
    s, i, o = T["sessions"], T["imports"], T["overrides"]
    q = (sa.select(s.c.athlete, s.c.session_id, s.c.start, s.c.sport, s.c.title, s.c.rpe,
                   s.c.distance_m, i.c.imported_at)
         .join(i, i.c.import_id == s.c.import_id).where(i.c.imported_at > since))
    e = (sa.select(s.c.athlete, s.c.session_id, s.c.start, s.c.title, o.c.area, o.c.rpe,
                   o.c.updated_at)
         .join(o, o.c.session_id == s.c.session_id).where(o.c.updated_at > since))
    if athletes is not None:
        q = q.where(s.c.athlete.in_(list(athletes)))
        e = e.where(s.c.athlete.in_(list(athletes)))
    none = sa.false()
    ses = _rows(conn, q if "sessions" in kinds else q.where(none),
                ["athlete", "session_id", "start", "sport", "title", "rpe", "distance_m",
                 "arrived_at"])
    edits = _rows(conn, e if "edits" in kinds else e.where(none),
                  ["athlete", "session_id", "start", "title", "area", "rpe", "edited_at"])
    for df, cols in ((ses, ("start", "arrived_at")), (edits, ("start", "edited_at"))):
        for c in cols:
            df[c] = pd.to_datetime(df[c])
    return {"sessions": ses, "edits": edits}


def set_secret(conn: Connection, key: str, value: str | None) -> None:
    """Keep (or with None forget) a value that never leaves the database in a backup."""
    t = T["secrets"]
    conn.execute(sa.delete(t).where(t.c.key == key))
    if value:
        conn.execute(sa.insert(t).values(key=key, value=value))


def get_secret(conn: Connection, key: str) -> str | None:
    t = T["secrets"]
    return conn.execute(sa.select(t.c.value).where(t.c.key == key)).scalar()


def last_starts(conn: Connection, athletes: Sequence[str] | None = None) -> dict[str, Any]:
    """Athlete -> start of their latest session (None: no session), as kept on ``athletes``."""
    a = T["athletes"]
    q = sa.select(a.c.name, a.c.last_start)
    if athletes is not None:
        q = q.where(a.c.name.in_(list(athletes)))
    return {str(n): (None if s is None else pd.Timestamp(s)) for n, s in conn.execute(q)}
