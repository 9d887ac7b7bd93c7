"""Derived per-athlete tables kept in the store (DESIGN §5): what pages read instead of history.

One library function, :func:`compute`, turns one or more athletes' stored sessions into the
derived figures by calling the pipeline (:func:`stridewise.pipeline.analyse`: classification,
load, weekly volume, daily metrics and the risk heuristic, balance). Nothing here recomputes a
metric, so when the pipeline changes what it returns, the derived tables follow.

The figures do not depend on "today": the daily metrics of a day use only that day and the days
before it, so the pipeline is run with the calendar closed :data:`HORIZON_DAYS` days past the
day of computation (or past the athlete's latest session), and a later day reads the stored rows
up to it. A day change therefore reads the same rows; only an athlete whose horizon has passed
(no write touched it for :data:`HORIZON_DAYS` days) is computed again. The area balance of a
day is computed when read, by :func:`stridewise.risk.balance`, from the stored recent session
parts (one call for the whole squad).

The store keeps, per athlete (tables of schema version 7, see :mod:`stridewise.store_schema`):

* ``derived_roster``: the days the figures hold for (``as_of`` to ``valid_until``), the basis
  they were computed on (a hash of the settings, the classification rules and the athlete's HR
  profile), the daily-metrics rows from ``as_of`` to ``valid_until``, the sessions and session
  parts from :data:`RECENT_DAYS` days before ``as_of`` on plus the latest part of each area
  before them (everything a roster row and the balance are made of), as Arrow IPC bytes;
* ``derived_weekly``: weekly volume per week x area (one SQL row each, so a page reads only
  the weeks it draws);
* ``derived_daily``: the athlete's whole daily-metrics table (Arrow IPC bytes).

Weekly and daily rows run to ``valid_until``: readers ask for the days up to their as-of day.

:func:`refresh` recomputes them for the athletes a write touches, inside that write's
transaction (imports, removed imports, session edits, HR-profile changes); a settings or rule
change recomputes the athletes whose basis it changed inside its own write
(:func:`refresh_stale`), so a reader never pays for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from stridewise import classify, pipeline
from stridewise.schema import AREAS
from stridewise.settings import AthleteProfile, Settings
from stridewise.store_schema import T

__all__ = ["DERIVED_FORMAT", "HORIZON_DAYS", "RECENT_DAYS", "STALE_AFTER_DAYS", "Derived",
           "SquadSnapshot", "compute", "squad_as_of", "refresh", "refresh_all", "refresh_stale",
           "squad_snapshot", "weekly_rows", "daily_rows", "athlete_versions", "effective_bases"]

#: Bumped when what :func:`compute` stores changes shape: every stored row is then recomputed.
DERIVED_FORMAT: Final[int] = 3
#: Days past the day of computation (or the latest session) that stored rows hold for.
HORIZON_DAYS: Final[int] = 91
#: Days of daily metrics and sessions kept for the roster (a week plus a 28-day window).
RECENT_DAYS: Final[int] = 42
#: Daily rows kept before the as-of day in a roster row and the squad snapshot: the roster can
#: show the last full week, which ends at most 7 days before the as-of day (two weeks kept).
ROSTER_BACK_DAYS: Final[int] = 14
#: Days without any session after which "now" is the latest session instead of today (so an
#: archive of old data still shows its last real week).
STALE_AFTER_DAYS: Final[int] = 14
#: Athletes computed together in one pipeline call when many rows are (re)built.
BATCH: Final[int] = 50


@dataclass(frozen=True)
class Derived:
    """The derived figures of some athletes for the days ``as_of`` to ``until`` (frames hold
    every athlete given; daily and weekly rows run to ``until``)."""

    as_of: date
    until: date
    weekly: pd.DataFrame
    daily: pd.DataFrame
    risk_recent: pd.DataFrame
    parts_recent: pd.DataFrame
    sessions_recent: pd.DataFrame


def compute(sessions: pd.DataFrame, *, settings: Settings,
            rules: Sequence[classify.Rule] | None,
            profiles: Mapping[str, AthleteProfile] | None, as_of: date,
            niggles: pd.DataFrame | None = None,
            niggle_updates: pd.DataFrame | None = None) -> Derived:
    """The derived figures of the athletes in ``sessions`` for every day from ``as_of`` to
    :data:`HORIZON_DAYS` days past the later of ``as_of`` and their latest session (the
    pipeline's numbers; a day's figures use only that day and the days before it). Does not
    mutate ``sessions``. Reported niggles apply the symptom rule."""
    latest = pd.to_datetime(sessions["start"]).max() if len(sessions) else None
    last_day = as_of if latest is None or pd.isna(latest) else max(as_of, latest.date())
    until = last_day + timedelta(days=HORIZON_DAYS)
    a = pipeline.analyse(sessions, settings=settings, rules=rules, profiles=profiles,
                         end=pd.Timestamp(until), niggles=niggles,
                         niggle_updates=niggle_updates)
    since = pd.Timestamp(as_of) - pd.Timedelta(days=RECENT_DAYS)
    risk = a.risk
    # a roster row is made of the daily row of its day: the days as_of .. until, and the
    # :data:`ROSTER_BACK_DAYS` before (the roster can open on the last full week)
    risk_recent = risk.loc[pd.to_datetime(risk["date"]) >= pd.Timestamp(as_of)
                           - pd.Timedelta(days=ROSTER_BACK_DAYS)] if len(risk) else risk
    s = a.sessions
    recent = s.loc[s["start"] > since] if len(s) else s
    p = a.parts
    if len(p):
        older = p.loc[pd.to_datetime(p["start"]) <= since]
        # the latest part of each area before the window: days since an area stay exact
        last = older.sort_values("start", kind="stable").groupby(
            ["athlete", "area"], sort=False, observed=True).tail(1)
        p = pd.concat([last, p.loc[pd.to_datetime(p["start"]) > since]]).sort_values(
            ["athlete", "start"], kind="stable")
    return Derived(as_of, until, a.weekly, risk, risk_recent, p, recent)


def balance_as_of(parts: pd.DataFrame, sessions: pd.DataFrame, *, settings: Settings,
                  as_of: date) -> pd.DataFrame:
    """The area balance of the 28 days ending ``as_of`` (:func:`stridewise.risk.balance`) from
    stored recent parts and sessions (see :func:`compute`)."""
    from stridewise import risk

    return risk.balance(parts, targets=settings.targets, end=pd.Timestamp(as_of),
                        sessions=sessions)


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


def _from_ipc(blobs: Sequence[bytes],
              keep: Callable[[pa.Table], pa.Table] | None = None) -> pd.DataFrame:
    """The frames stored as ``blobs`` as one frame; ``keep`` selects each one's rows or
    columns first (only what is kept is ever held together)."""
    tables = [pa.ipc.open_stream(pa.py_buffer(b)).read_all() for b in blobs]
    if keep is not None:
        tables = [keep(t) for t in tables]
    # an athlete without rows adds nothing (and its empty frame may have other column types)
    tables = [t for t in tables if t.num_rows] or tables[:1]
    if not tables:
        return pd.DataFrame()
    try:  # the same columns for every athlete (the usual case): no type unification
        table = pa.concat_tables(tables)
    except pa.ArrowInvalid:
        table = pa.concat_tables(tables, promote_options="permissive")
    # one chunk per column: pandas columns backed by an array of one chunk per athlete make
    # every later row selection walk all the chunks
    table = table.combine_chunks()
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
    transaction) from the squad's current day on; returns that day. Athletes no longer stored
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
              for k, df in (("risk", d.risk_recent), ("parts", d.parts_recent),
                            ("ses", d.sessions_recent), ("daily", d.daily))}
        empty = {"risk": d.risk_recent.iloc[0:0], "parts": d.parts_recent.iloc[0:0],
                 "ses": d.sessions_recent.iloc[0:0], "daily": d.daily.iloc[0:0]}

        def part(kind: str, name: str) -> pd.DataFrame:
            return by[kind].get(name, empty[kind])  # noqa: B023 - used inside the loop only

        prof = roster.set_index("name")
        conn.execute(sa.insert(dr), [{
            "athlete": n, "as_of": as_of, "valid_until": d.until,
            "basis": _basis(prefixes[n], prof.loc[n].to_dict()),
            "risk_recent": _ipc(part("risk", n)), "parts_recent": _ipc(part("parts", n)),
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

    return Derived(as_of, min(p.until for p in parts), cat([p.weekly for p in parts]),
                   cat([p.daily for p in parts]), cat([p.risk_recent for p in parts]),
                   cat([p.parts_recent for p in parts]), cat([p.sessions_recent for p in parts]))


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
    (``sessions`` = the recent sessions' :data:`SNAPSHOT_SESSION_COLUMNS`, ``risk`` = each
    athlete's daily row of the day, ``balance``) for every athlete of the store, as of one
    day."""

    analysis: pipeline.Analysis
    as_of: date
    stale: bool
    refreshed: int  # athletes whose rows were recomputed for this read


def stale_athletes(conn: Connection, today: date) -> tuple[list[str], date, bool]:
    """(athletes whose derived rows are missing, computed on another basis or not holding for
    the squad's as-of day, as-of day, stale flag)."""
    as_of, stale = squad_as_of(_latest_start(conn), today)
    settings, rule_recs = _settings(conn), _rule_records(conn)
    prefix = _basis_prefix(settings, rule_recs)
    bases = effective_bases(conn, None, settings, rule_recs, as_of)
    own = {n: _basis_prefix(*b) for n, b in bases.items()
           if b[0] is not settings or b[1] is not rule_recs}
    dr = T["derived_roster"]
    have = {n: (lo, hi, b) for n, lo, hi, b in conn.execute(
        sa.select(dr.c.athlete, dr.c.as_of, dr.c.valid_until, dr.c.basis))}
    todo = []
    for row in _profiles(conn).to_dict(orient="records"):
        got = have.get(row["name"])
        if got is None or not (pd.Timestamp(got[0]).date() <= as_of
                               <= pd.Timestamp(got[1]).date()) \
                or got[2] != _basis(own.get(row["name"], prefix), row):
            todo.append(row["name"])
    return todo, as_of, stale


def refresh_stale(conn: Connection, today: date | None = None) -> int:
    """Recompute, inside the caller's write transaction, the athletes whose rows do not hold for
    the current basis and day (after a settings or rule change); returns how many."""
    todo, as_of, _ = stale_athletes(conn, today or date.today())
    if todo:
        refresh(conn, todo, as_of=as_of)
    return len(todo)


#: The session columns a roster row, the balance, the plan compliance and the review's chase
#: list are made of (the squad snapshot holds only these: a few thousand recent sessions of
#: every column, sets and notes included, would take tens of MB per process).
SNAPSHOT_SESSION_COLUMNS: Final[tuple[str, ...]] = (
    "session_id", "athlete", "start", "area", "sport", "family", "title", "distance_m",
    "duration_s", "rpe", "rpe_used", "load", "run_km")


def _session_columns(t: pa.Table) -> pa.Table:
    have = set(t.schema.names)
    return t.select([c for c in SNAPSHOT_SESSION_COLUMNS if c in have])


def squad_snapshot(conn: Connection, today: date) -> tuple[pd.DataFrame, pd.DataFrame,
                                                           pd.DataFrame, date, bool]:
    """(risk, balance, sessions_recent) of every athlete as of the squad's day with that day
    and the stale flag, read from ``derived_roster`` (N rows; call :func:`stale_athletes` and
    :func:`refresh` first so that they are current). The frames are what the pipeline gives
    with the calendar closed on the as-of day: each athlete's daily rows of the
    :data:`ROSTER_BACK_DAYS` days up to that day (a roster row is made of one of them), the
    sessions of the last :data:`RECENT_DAYS` days up to it (the
    :data:`SNAPSHOT_SESSION_COLUMNS`), and the balance of the 28 days ending it."""
    as_of, stale = squad_as_of(_latest_start(conn), today)
    dr = T["derived_roster"]
    rows = conn.execute(sa.select(dr.c.risk_recent, dr.c.parts_recent, dr.c.sessions_recent)
                        .order_by(dr.c.athlete)).all()
    day = pa.scalar(pd.Timestamp(as_of).as_unit("ns").to_pydatetime(), type=pa.timestamp("ns"))
    first = pa.scalar((pd.Timestamp(as_of) - pd.Timedelta(days=ROSTER_BACK_DAYS - 1))
                      .as_unit("ns").to_pydatetime(), type=pa.timestamp("ns"))

    lo, hi = np.datetime64(first.value, "ns"), np.datetime64(day.value, "ns")

    def of_the_day(t: pa.Table) -> pa.Table:
        if not t.num_rows or "date" not in t.schema.names:
            return t
        d = pc.cast(t["date"], pa.timestamp("ns"))
        if d.null_count == 0:
            v = d.to_numpy()
            if len(v) < 2 or bool((v[1:] >= v[:-1]).all()):  # one athlete's days, in order:
                a, b = np.searchsorted(v, lo, "left"), np.searchsorted(v, hi, "right")
                return t.slice(int(a), int(b - a))  # a view, nothing copied
        return t.filter(pc.and_(pc.greater_equal(d, first), pc.less_equal(d, day)))

    risk = _from_ipc([r[0] for r in rows], of_the_day)
    parts = _from_ipc([r[1] for r in rows])
    ses = _from_ipc([r[2] for r in rows], _session_columns)
    since = pd.Timestamp(as_of) - pd.Timedelta(days=RECENT_DAYS)
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    if len(risk):
        d = pd.to_datetime(risk["date"])
        risk = risk.loc[(d <= pd.Timestamp(as_of)) & (d > pd.Timestamp(as_of) - pd.Timedelta(
            days=ROSTER_BACK_DAYS))].reset_index(drop=True)
    if len(ses):
        ses = ses.loc[(ses["start"] > since) & (ses["start"] < end)].reset_index(drop=True)
    if len(parts):
        parts = parts.loc[pd.to_datetime(parts["start"]) < end].reset_index(drop=True)
    settings = _settings(conn)
    bases = effective_bases(conn, None, settings, _rule_records(conn), as_of)
    # each athlete's balance against their own targets (squad template / plan override)
    by_targets: dict[str, list[str]] = {}
    for n, (own, _) in bases.items():
        if own.targets != settings.targets:
            by_targets.setdefault(json.dumps(own.targets, sort_keys=True), []).append(n)
    if not by_targets:
        bal = balance_as_of(parts, ses, settings=settings, as_of=as_of)
    else:
        special = {n for names in by_targets.values() for n in names}

        def of(frame: pd.DataFrame, names: Sequence[str] | set[str], keep: bool) -> pd.DataFrame:
            if not len(frame):
                return frame
            inside = frame["athlete"].isin(sorted(names))
            return frame.loc[inside if keep else ~inside]

        pieces = [balance_as_of(of(parts, special, False), of(ses, special, False),
                                settings=settings, as_of=as_of)]
        for names in by_targets.values():
            own = bases[names[0]][0]
            pieces.append(balance_as_of(of(parts, names, True), of(ses, names, True),
                                        settings=own, as_of=as_of))
        kept = [b for b in pieces if len(b)] or pieces[:1]
        bal = pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0]
    return risk, bal, ses, as_of, stale


def weekly_rows(conn: Connection, athletes: Sequence[str] | None = None,
                since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """Stored weekly volume (``athlete, week, area, sessions, minutes, distance_km, load``)
    of ``athletes`` (None = all) for weeks starting after ``since`` and on or before ``until``
    (None = no bound; stored weeks run past today, see :data:`HORIZON_DAYS`)."""
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
    if until is not None:
        q = q.where(dw.c.week <= until)
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


def weekly_totals(conn: Connection, athletes: Sequence[str] | None, since: date,
                  until: date) -> pd.DataFrame:
    """The weekly volume of ``athletes`` (None = everyone) summed over them, per week x area,
    for the weeks after ``since`` up to the week starting on or before ``until``, summed by the
    database (``week, area, sessions, minutes, distance_km, load``; one row per week x area,
    not per athlete). ``attrs["athletes"]`` is the number of athletes with rows in those
    weeks (the squad chart's per-athlete divisor)."""
    dw = T["derived_weekly"]
    cond = [dw.c.week > since, dw.c.week <= until]
    if athletes is not None:
        cond.append(dw.c.athlete.in_(list(athletes)))
    q = (sa.select(sa.type_coerce(dw.c.week, sa.Text).label("week"), dw.c.area,
                   sa.func.sum(dw.c.sessions), sa.func.sum(dw.c.minutes),
                   sa.func.sum(dw.c.distance_km), sa.func.sum(dw.c.load))
         .where(*cond).group_by(dw.c.week, dw.c.area))
    rows = conn.execute(q).all()
    n = conn.execute(sa.select(sa.func.count(sa.distinct(dw.c.athlete))).where(*cond)).scalar()
    df = pd.DataFrame(rows, columns=["week", "area", "sessions", "minutes", "distance_km",
                                     "load"])
    out = pd.DataFrame({
        "week": pd.to_datetime(df["week"].astype(str).str.slice(0, 10), format="%Y-%m-%d")
        .astype("datetime64[ns]"),
        "area": df["area"].astype(str), "sessions": df["sessions"].astype(float),
        "minutes": df["minutes"].astype(float), "distance_km": df["distance_km"].astype(float),
        "load": df["load"].astype(float)})
    order = out["area"].map({a: i for i, a in enumerate(AREAS)}).fillna(len(AREAS))
    out = out.assign(_o=order).sort_values(["week", "_o"], kind="stable").drop(columns="_o")
    out = out.reset_index(drop=True)
    out.attrs["athletes"] = int(n or 0)
    return out


def daily_rows(conn: Connection, athletes: Sequence[str],
               until: date | None = None) -> pd.DataFrame:
    """The stored daily-metrics tables of ``athletes``, one frame, up to ``until`` (None: every
    stored day; they run past today, see :data:`HORIZON_DAYS`)."""
    dd = T["derived_daily"]
    blobs = [] if not athletes else list(conn.execute(
        sa.select(dd.c.payload).where(dd.c.athlete.in_(list(athletes)))
        .order_by(dd.c.athlete)).scalars())
    out = _from_ipc(blobs)
    if until is not None and len(out):
        out = out.loc[pd.to_datetime(out["date"]) <= pd.Timestamp(until)].reset_index(drop=True)
    return out


def athlete_versions(conn: Connection) -> dict[str, int]:
    """Athlete -> data version (grows with every write touching that athlete)."""
    a = T["athletes"]
    return {n: int(v) for n, v in conn.execute(sa.select(a.c.name, a.c.data_version))}
