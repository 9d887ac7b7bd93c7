"""Derived per-athlete tables kept in the store (DESIGN §5): what pages read instead of history.

One library function, :func:`compute`, turns one or more athletes' stored sessions into the
derived figures by calling the pipeline (:func:`stridewise.pipeline.analyse`: classification,
load, weekly volume, daily metrics and the risk heuristic, balance). Nothing here recomputes a
metric, so when the pipeline changes what it returns, the derived tables follow.

The store keeps, per athlete (tables of schema version 3, see :mod:`stridewise.store_schema`):

* ``derived_roster``: the day the figures are *as of*, the basis they were computed on (a hash
  of the settings, the classification rules and the athlete's HR profile), the daily-metrics
  rows of the last :data:`RECENT_DAYS` days, the area balance and the sessions of the last
  :data:`RECENT_DAYS` days (everything a roster row is made of), as Arrow IPC bytes;
* ``derived_weekly``: weekly volume per week x area (one SQL row each, so a page reads only
  the weeks it draws);
* ``derived_daily``: the athlete's whole daily-metrics table (Arrow IPC bytes).

:func:`refresh` recomputes them for the athletes a write touches, inside that write's
transaction (imports, removed imports, session edits, HR-profile changes). A settings or rule
change alters every athlete's basis; their rows are then recomputed at the next read
(:func:`squad_snapshot` finds rows whose as-of day or basis is not the current one and
refreshes exactly those), as are rows computed on an earlier day.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from stridewise import classify, pipeline
from stridewise.schema import AREAS
from stridewise.settings import AthleteProfile, Settings
from stridewise.store_schema import T

__all__ = ["DERIVED_FORMAT", "RECENT_DAYS", "STALE_AFTER_DAYS", "Derived", "SquadSnapshot",
           "compute", "squad_as_of", "refresh", "refresh_all", "squad_snapshot",
           "weekly_rows", "daily_rows", "athlete_versions", "effective_bases"]

#: Bumped when what :func:`compute` stores changes shape: every stored row is then recomputed.
DERIVED_FORMAT: Final[int] = 1
#: Days of daily metrics and sessions kept for the roster (a week plus a 28-day window).
RECENT_DAYS: Final[int] = 42
#: Days without any session after which "now" is the latest session instead of today (so an
#: archive of old data still shows its last real week).
STALE_AFTER_DAYS: Final[int] = 14
#: Athletes computed together in one pipeline call when many rows are (re)built.
BATCH: Final[int] = 50


@dataclass(frozen=True)
class Derived:
    """The derived figures of some athletes as of one day (frames hold every athlete given)."""

    as_of: date
    weekly: pd.DataFrame
    daily: pd.DataFrame
    risk_recent: pd.DataFrame
    balance: pd.DataFrame
    sessions_recent: pd.DataFrame


def compute(sessions: pd.DataFrame, *, settings: Settings,
            rules: Sequence[classify.Rule] | None,
            profiles: Mapping[str, AthleteProfile] | None, as_of: date,
            niggles: pd.DataFrame | None = None,
            niggle_updates: pd.DataFrame | None = None) -> Derived:
    """The derived figures of the athletes in ``sessions`` as of ``as_of`` (the pipeline's
    numbers with the calendar closed on that day; reported niggles apply the symptom rule).
    Does not mutate ``sessions``."""
    a = pipeline.analyse(sessions, settings=settings, rules=rules, profiles=profiles,
                         end=pd.Timestamp(as_of), niggles=niggles,
                         niggle_updates=niggle_updates)
    since = pd.Timestamp(as_of) - pd.Timedelta(days=RECENT_DAYS)
    risk = a.risk
    risk_recent = risk.loc[pd.to_datetime(risk["date"]) > since] if len(risk) else risk
    s = a.sessions
    recent = s.loc[(s["start"] > since)
                   & (s["start"] < pd.Timestamp(as_of) + pd.Timedelta(days=1))] if len(s) else s
    return Derived(as_of, a.weekly, risk, risk_recent, a.balance, recent)


def squad_as_of(latest_start: datetime | pd.Timestamp | None, today: date) -> tuple[date, bool]:
    """(as-of day, stale): today, or the latest session's day when nothing was recorded in the
    last :data:`STALE_AFTER_DAYS` days (stale = True)."""
    if latest_start is None or pd.isna(latest_start):
        return today, False
    latest = pd.Timestamp(latest_start).date()
    if (today - latest).days <= STALE_AFTER_DAYS:
        return today, False
    return latest, True


# ------------------------------------------------------------------------------ store glue

def _ipc(df: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def _from_ipc(blobs: Sequence[bytes]) -> pd.DataFrame:
    tables = [pa.ipc.open_stream(pa.py_buffer(b)).read_all() for b in blobs]
    # an athlete without rows adds nothing (and its empty frame may have other column types)
    tables = [t for t in tables if t.num_rows] or tables[:1]
    if not tables:
        return pd.DataFrame()
    table = pa.concat_tables(tables, promote_options="permissive")
    return table.to_pandas()


def _settings(conn: Connection) -> Settings:
    st = T["settings"]
    rows = conn.execute(sa.select(st.c.key, st.c.value)).all()
    return Settings.from_dict({k: json.loads(v) for k, v in rows})


def _rule_records(conn: Connection) -> list[dict[str, Any]]:
    r = T["rules"]
    text = conn.execute(sa.select(r.c.rules).where(r.c.id == 1)).scalar()
    return [] if text is None else json.loads(text)


def _profiles(conn: Connection, names: Sequence[str] | None = None) -> pd.DataFrame:
    a = T["athletes"]
    q = sa.select(a.c.name, a.c.hr_max, a.c.hr_rest, a.c.sex, a.c.last_start)
    if names is not None:
        q = q.where(a.c.name.in_(list(names)))
    rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=["name", "hr_max", "hr_rest", "sex", "last_start"])


def _basis_prefix(settings: Settings, rules: list[dict[str, Any]]) -> str:
    """The part of every athlete's basis that settings and rules make (computed once)."""
    return json.dumps([DERIVED_FORMAT, settings.to_dict(), rules], sort_keys=True, default=str)


def _plan_versions(conn: Connection, names: Sequence[str] | None) -> tuple[pd.DataFrame,
                                                                            dict[str, str]]:
    """The stored plan versions of ``names`` (None = all) and their squads, plus each athlete's
    squad: what their effective targets, thresholds and rules are made of (empty before the
    plans table exists, e.g. while older schema steps run)."""
    a = T["athletes"]
    q = sa.select(a.c.name, a.c.group_name)
    if names is not None:
        q = q.where(a.c.name.in_(list(names)))
    groups = {str(n): str(g or "") for n, g in conn.execute(q)}
    if not sa.inspect(conn).has_table("plans"):
        return pd.DataFrame(), groups
    pl = T["plans"]
    cond = sa.or_((pl.c.scope == "athlete") & pl.c.name.in_(list(groups)),
                  (pl.c.scope == "squad") & pl.c.name.in_(sorted(set(groups.values()) - {""})))
    rows = conn.execute(sa.select(pl.c.plan_id, pl.c.scope, pl.c.name, pl.c.valid_from,
                                  pl.c.body).where(cond)).all()
    df = pd.DataFrame(rows, columns=["plan_id", "scope", "name", "valid_from", "body"])
    if len(df):
        df["body"] = [json.loads(b) if b else {} for b in df["body"]]
        df["valid_from"] = pd.to_datetime(df["valid_from"]).dt.normalize()
    return df, groups


def effective_bases(conn: Connection, names: Sequence[str] | None, settings: Settings,
                    rule_recs: list[dict[str, Any]], as_of: date
                    ) -> dict[str, tuple[Settings, list[dict[str, Any]]]]:
    """Per athlete the settings and rule records they are analysed with as of ``as_of``: the
    saved ones with their squad template's and own plan's targets, thresholds and rules on top
    (:func:`stridewise.plans.effective_settings`). Athletes without such items get the saved
    settings and rules themselves."""
    from stridewise import plans

    versions, groups = _plan_versions(conn, names)
    out: dict[str, tuple[Settings, list[dict[str, Any]]]] = {}
    if versions.empty:
        return {n: (settings, rule_recs) for n in groups}
    data = plans.PlanData(versions, groups)
    week = plans.week_start_for(as_of, settings.week_start)
    for n in groups:
        plan = plans.effective_plan(data, n, week)
        out[n] = (plans.effective_settings(settings, plan),
                  plans.effective_rule_records(rule_recs, plan) if plan.body.get("rules")
                  else rule_recs)
    return out


def _basis(prefix: str, profile: Mapping[str, Any]) -> str:
    """A hash of everything besides the sessions that an athlete's derived figures depend on:
    settings, rules (``prefix``) and the athlete's HR profile."""
    def num(x: Any) -> float | None:
        return None if x is None or pd.isna(x) else float(x)

    sex = profile.get("sex")
    text = prefix + json.dumps([num(profile.get("hr_max")), num(profile.get("hr_rest")),
                                sex if isinstance(sex, str) else None])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _latest_start(conn: Connection) -> Any:
    a = T["athletes"]
    return conn.execute(sa.select(sa.func.max(a.c.last_start))).scalar()


def refresh(conn: Connection, athletes: Sequence[str], *, today: date | None = None,
            as_of: date | None = None) -> date:
    """Recompute the derived rows of ``athletes`` on ``conn`` (inside the caller's write
    transaction) as of the squad's current day; returns that day. Athletes no longer stored
    lose their rows."""
    from stridewise import body_store
    from stridewise.store import read_sessions

    names = sorted({str(x) for x in athletes})
    if as_of is None:
        as_of = squad_as_of(_latest_start(conn), today or date.today())[0]
    if not names:
        return as_of
    settings = _settings(conn)
    rule_recs = _rule_records(conn)
    roster = _profiles(conn, names)
    profiles = pipeline.profiles_from_roster(roster)
    # each athlete's own targets, thresholds and rules (squad template / plan override)
    bases = effective_bases(conn, names, settings, rule_recs, as_of)
    prefixes = {n: _basis_prefix(*bases.get(n, (settings, rule_recs))) for n in names}
    dr, dw, dd = T["derived_roster"], T["derived_weekly"], T["derived_daily"]
    now = datetime.now(UTC).replace(tzinfo=None)
    for i in range(0, len(names), BATCH):
        chunk = names[i:i + BATCH]
        conn.execute(sa.delete(dr).where(dr.c.athlete.in_(chunk)))
        conn.execute(sa.delete(dw).where(dw.c.athlete.in_(chunk)))
        conn.execute(sa.delete(dd).where(dd.c.athlete.in_(chunk)))
        present = [n for n in chunk if n in set(roster["name"])]
        if not present:
            continue
        sessions = read_sessions(conn, present)
        nig = upd = None
        if body_store.has_body_tables(conn):  # not yet while older schema steps run
            nig = body_store.read_niggles(conn, present)
            upd = body_store.read_updates(conn, present)
        d = _compute_by_basis(sessions, present, prefixes, bases, (settings, rule_recs),
                              profiles, as_of, niggles=nig, niggle_updates=upd)
        by = {k: dict(tuple(df.groupby("athlete", sort=False))) if len(df) else {}
              for k, df in (("risk", d.risk_recent), ("bal", d.balance),
                            ("ses", d.sessions_recent), ("daily", d.daily))}
        empty = {"risk": d.risk_recent.iloc[0:0], "bal": d.balance.iloc[0:0],
                 "ses": d.sessions_recent.iloc[0:0], "daily": d.daily.iloc[0:0]}

        def part(kind: str, name: str) -> pd.DataFrame:
            return by[kind].get(name, empty[kind])  # noqa: B023 - used inside the loop only

        prof = roster.set_index("name")
        conn.execute(sa.insert(dr), [{
            "athlete": n, "as_of": as_of,
            "basis": _basis(prefixes[n], prof.loc[n].to_dict()),
            "risk_recent": _ipc(part("risk", n)), "balance": _ipc(part("bal", n)),
            "sessions_recent": _ipc(part("ses", n)), "computed_at": now} for n in present])
        conn.execute(sa.insert(dd), [{"athlete": n, "payload": _ipc(part("daily", n))}
                                     for n in present])
        w = d.weekly
        if len(w):
            recs = pd.DataFrame({
                "athlete": w["athlete"].astype(str),
                "week": pd.to_datetime(w["week"]).dt.date,
                "area": w["area"].astype(str),
                "sessions": w["sessions"].astype(float), "minutes": w["minutes"].astype(float),
                "distance_km": w["distance_km"].astype(float), "load": w["load"].astype(float),
            }).to_dict(orient="records")
            for j in range(0, len(recs), 5000):
                conn.execute(sa.insert(dw), recs[j:j + 5000])
    return as_of


def _compute_by_basis(sessions: pd.DataFrame, names: list[str], prefixes: Mapping[str, str],
                      bases: Mapping[str, tuple[Settings, list[dict[str, Any]]]],
                      default: tuple[Settings, list[dict[str, Any]]],
                      profiles: Mapping[str, AthleteProfile], as_of: date, *,
                      niggles: pd.DataFrame | None = None,
                      niggle_updates: pd.DataFrame | None = None) -> Derived:
    """:func:`compute` once per group of athletes sharing settings and rules, frames joined."""
    def only(frame: pd.DataFrame | None, members: list[str]) -> pd.DataFrame | None:
        if frame is None or "athlete" not in frame.columns:
            return frame
        return frame.loc[frame["athlete"].isin(members)]

    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(prefixes[n], []).append(n)
    if len(groups) == 1:
        s, recs = bases.get(names[0], default)
        return compute(sessions, settings=s, rules=classify.with_user_rules(recs),
                       profiles=profiles, as_of=as_of, niggles=niggles,
                       niggle_updates=niggle_updates)
    parts = []
    for members in groups.values():
        s, recs = bases.get(members[0], default)
        mine = sessions.loc[sessions["athlete"].isin(members)]
        parts.append(compute(mine, settings=s, rules=classify.with_user_rules(recs),
                             profiles=profiles, as_of=as_of, niggles=only(niggles, members),
                             niggle_updates=only(niggle_updates, members)))

    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        kept = [f for f in frames if len(f)] or frames[:1]
        return pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0]

    return Derived(as_of, cat([p.weekly for p in parts]), cat([p.daily for p in parts]),
                   cat([p.risk_recent for p in parts]), cat([p.balance for p in parts]),
                   cat([p.sessions_recent for p in parts]))


def refresh_all(conn: Connection, *, today: date | None = None) -> None:
    """Build the derived rows of every stored athlete (used by the schema migration)."""
    a = T["athletes"]
    names = list(conn.execute(sa.select(a.c.name).order_by(a.c.name)).scalars())
    refresh(conn, names, today=today)


def touch(conn: Connection, athletes: Sequence[str]) -> None:
    """After a write that changed the sessions or profile of ``athletes``: keep their session
    count, latest start and data version, then recompute their derived rows."""
    names = sorted({str(x) for x in athletes})
    if not names:
        return
    a, s = T["athletes"], T["sessions"]
    for i in range(0, len(names), 500):
        chunk = names[i:i + 500]
        stats = {n: (int(c), m) for n, c, m in conn.execute(
            sa.select(s.c.athlete, sa.func.count(), sa.func.max(s.c.start))
            .where(s.c.athlete.in_(chunk)).group_by(s.c.athlete))}
        for n in chunk:
            count, last = stats.get(n, (0, None))
            conn.execute(sa.update(a).where(a.c.name == n).values(
                session_count=count, last_start=last, data_version=a.c.data_version + 1))
    refresh(conn, names)


def recount(conn: Connection) -> None:
    """Session count and latest start of every athlete and the sessions of every import,
    counted afresh (after a restore)."""
    conn.execute(sa.text(
        "UPDATE imports SET link_count = (SELECT count(*) FROM import_sessions "
        "WHERE import_sessions.import_id = imports.import_id)"))
    conn.execute(sa.text(
        "UPDATE athletes SET session_count = (SELECT count(*) FROM sessions "
        "WHERE sessions.athlete = athletes.name), last_start = (SELECT max(start) FROM sessions "
        "WHERE sessions.athlete = athletes.name)"))


@dataclass(frozen=True)
class SquadSnapshot:
    """What the squad pages draw, read from the derived tables: an analysis-shaped object
    (``sessions`` = the recent sessions, ``risk`` = the recent daily rows, ``balance``) for
    every athlete of the store, as of one day."""

    analysis: pipeline.Analysis
    as_of: date
    stale: bool
    refreshed: int  # athletes whose rows were recomputed for this read


def stale_athletes(conn: Connection, today: date) -> tuple[list[str], date, bool]:
    """(athletes whose derived rows are missing or not current, as-of day, stale flag)."""
    as_of, stale = squad_as_of(_latest_start(conn), today)
    settings, rule_recs = _settings(conn), _rule_records(conn)
    prefix = _basis_prefix(settings, rule_recs)
    bases = effective_bases(conn, None, settings, rule_recs, as_of)
    own = {n: _basis_prefix(*b) for n, b in bases.items()
           if b[0] is not settings or b[1] is not rule_recs}
    dr = T["derived_roster"]
    have = {n: (d, b) for n, d, b in conn.execute(sa.select(dr.c.athlete, dr.c.as_of,
                                                            dr.c.basis))}
    todo = []
    for row in _profiles(conn).to_dict(orient="records"):
        got = have.get(row["name"])
        basis = _basis(own.get(row["name"], prefix), row)
        if got is None or pd.Timestamp(got[0]).date() != as_of or got[1] != basis:
            todo.append(row["name"])
    return todo, as_of, stale


def squad_snapshot(conn: Connection, today: date) -> tuple[pd.DataFrame, pd.DataFrame,
                                                           pd.DataFrame, date, bool]:
    """(risk_recent, balance, sessions_recent) of every athlete with the as-of day and stale
    flag, read from ``derived_roster`` (N rows; call :func:`stale_athletes` and
    :func:`refresh` first so that they are current)."""
    as_of, stale = squad_as_of(_latest_start(conn), today)
    dr = T["derived_roster"]
    rows = conn.execute(sa.select(dr.c.risk_recent, dr.c.balance, dr.c.sessions_recent)
                        .order_by(dr.c.athlete)).all()
    risk = _from_ipc([r[0] for r in rows])
    bal = _from_ipc([r[1] for r in rows])
    ses = _from_ipc([r[2] for r in rows])
    return risk, bal, ses, as_of, stale


def weekly_rows(conn: Connection, athletes: Sequence[str] | None = None,
                since: date | None = None) -> pd.DataFrame:
    """Stored weekly volume (``athlete, week, area, sessions, minutes, distance_km, load``)
    of ``athletes`` (None = all) for weeks starting after ``since`` (None = all weeks)."""
    dw = T["derived_weekly"]
    q = sa.select(dw.c.athlete, sa.type_coerce(dw.c.week, sa.Text).label("week"), dw.c.area,
                  dw.c.sessions, dw.c.minutes, dw.c.distance_km, dw.c.load)
    names = None if athletes is None else list(athletes)
    # Few athletes: their rows by the primary key. Many (a squad): the weeks by the week index,
    # athletes picked afterwards (an IN list of every athlete would walk each one's history).
    by_week = since is not None and (names is None or len(names) > 50)
    if names is not None and not by_week:
        q = q.where(dw.c.athlete.in_(names))
    if since is not None:
        q = q.where(dw.c.week > since)
    res = conn.execute(q)
    try:  # plain tuples from the driver: no per-row conversion
        rows = res.cursor.fetchall() if res.cursor is not None else []
    finally:
        res.close()
    df = pd.DataFrame(rows, columns=["athlete", "week", "area", "sessions", "minutes",
                                     "distance_km", "load"])
    if names is not None and by_week:
        df = df.loc[df["athlete"].isin(names)]
    df["week"] = pd.to_datetime(df["week"].astype(str).str.slice(0, 10), format="%Y-%m-%d")
    out = pd.DataFrame({
        "athlete": df["athlete"].astype(str), "week": pd.to_datetime(df["week"]).astype(
            "datetime64[ns]"), "area": df["area"].astype(str),
        "sessions": df["sessions"].astype("int64"), "minutes": df["minutes"].astype(float),
        "distance_km": df["distance_km"].astype(float), "load": df["load"].astype(float)})
    # the pipeline's order: athlete, week, area in schema.AREAS order
    order = out["area"].map({a: i for i, a in enumerate(AREAS)}).fillna(len(AREAS))
    out = out.assign(_o=order).sort_values(["athlete", "week", "_o"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def daily_rows(conn: Connection, athletes: Sequence[str]) -> pd.DataFrame:
    """The stored daily-metrics tables of ``athletes``, one frame."""
    dd = T["derived_daily"]
    blobs = [] if not athletes else list(conn.execute(
        sa.select(dd.c.payload).where(dd.c.athlete.in_(list(athletes)))
        .order_by(dd.c.athlete)).scalars())
    return _from_ipc(blobs)


def athlete_versions(conn: Connection) -> dict[str, int]:
    """Athlete -> data version (grows with every write touching that athlete)."""
    a = T["athletes"]
    return {n: int(v) for n, v in conn.execute(sa.select(a.c.name, a.c.data_version))}
