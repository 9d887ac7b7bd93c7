"""Tables of the Stridewise store and the forward migrations that build them.

The store keeps three layers of session data:

* ``source_sessions`` — every session exactly as one source delivered it (one row per source
  session id; the same Strava activity in two overlapping exports is one row);
* ``import_sessions`` — which import brought which source session (a source session brought by
  two imports has two links and survives the removal of either import);
* ``sessions`` — the merged session the app works with: the source sessions that describe the
  same training (e.g. a Strava CSV row and a Garmin FIT file) point at one merged row, rebuilt
  from them whenever they change.

User edits (``overrides``) are keyed by the merged session id and never touched by imports.

Schema versions are applied in order by :func:`migrate`. Version 1 is the first released
layout; version 2 adds the sport family used to find the same session in two sources plus the
list of contributing sources, back-filled from the stored rows; version 3 adds the zone of
UTC-sourced starts (``source_sessions.tz``), so a change of the athlete's zone re-times them.
Version 4 adds ``wellness``
(daily resting heart rate, sleep, HRV, body weight per athlete, e.g. from a Garmin account
export) and ``import_parts`` (which parts of a large archive an import has committed, so that an
interrupted import resumes where it stopped). Version 5 adds the canonical flag
``duration_estimated`` to ``source_sessions`` and ``sessions`` (False for every stored row). A database is always built by running every step
Version 6 adds what keeps the app fast at club scale: an index for the import
path, a per-athlete session count, latest session start and data version kept on ``athletes``,
the number of sessions each import brought kept on ``imports`` (maintained by the writes instead
of recounted on every read), and the derived per-athlete tables ``derived_roster``,
``derived_weekly`` and ``derived_daily`` (see :mod:`stridewise.derived`), built for the stored
athletes by the migration. A database is always built by running every step from an empty
database, so the upgrade path and the fresh path are one path.
Version 7 adds accounts, sharing and the audit log; version 8 ``routines`` (sessions an athlete
saved to log again); version 9 the runner's check-ins, niggles and daily niggle updates;
version 10 weekly plans per squad and athlete, with their history; version 11 the coach's
review: seen marks, notes with history, and secrets kept out of backups.
Version 12 makes the derived rows independent of the day they were computed on: each roster row
holds the daily metrics up to a horizon past its day (``valid_until``) and the recent session
parts instead of a balance fixed to one day, so a new day reads the same rows; the migration
rebuilds them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from stridewise.schema import COLUMNS

#: The schema version this code writes and reads.
SCHEMA_VERSION: Final[int] = 12

#: Sources whose start times arrive in UTC and are converted to the athlete's zone on import
#: (Strava CSV and export zip, FIT, TCX, GPX, Apple Health, Nike JSON). Their stored rows keep
#: the zone they were converted to (``source_sessions.tz``), so they can be re-timed when the
#: athlete's zone changes.
UTC_SOURCES: Final[frozenset[str]] = frozenset(
    {"strava_csv", "strava_zip", "fit", "tcx", "gpx", "apple_health", "nike_json"})

#: Sport families used to recognise the same session from two sources (DESIGN §5): a run and a
#: walk recorded by a watch may be labelled differently by two apps, a ride never looks like a run.
RUN_LIKE: Final[frozenset[str]] = frozenset(
    {"run", "trail_run", "treadmill_run", "track_run", "virtual_run", "walk", "hike"})
RIDE_LIKE: Final[frozenset[str]] = frozenset(
    {"ride", "virtual_ride", "mountain_bike", "gravel_ride", "e_bike"})
SWIM_LIKE: Final[frozenset[str]] = frozenset({"swim", "open_water_swim"})


def sport_family(sport: str) -> str:
    """``run``, ``ride``, ``swim`` or ``other`` for a canonical sport name."""
    if sport in RUN_LIKE:
        return "run"
    if sport in RIDE_LIKE:
        return "ride"
    if sport in SWIM_LIKE:
        return "swim"
    return "other"


def family_case(sport_col: sa.ColumnElement) -> sa.ColumnElement:
    """SQL expression equal to :func:`sport_family` of ``sport_col`` (portable CASE)."""
    return sa.case(
        (sport_col.in_(sorted(RUN_LIKE)), "run"),
        (sport_col.in_(sorted(RIDE_LIKE)), "ride"),
        (sport_col.in_(sorted(SWIM_LIKE)), "swim"),
        else_="other",
    )


#: Canonical fields added after version 1: field -> the schema version that adds it.
_ADDED_IN: Final[dict[str, int]] = {"duration_estimated": 5}


def _canonical_columns(*, id_name: str, version: int) -> list[sa.Column]:
    """Columns for the canonical session fields of schema ``version``; ``session_id`` is named
    ``id_name``."""
    cols: list[sa.Column] = []
    for name, dtype in COLUMNS.items():
        if _ADDED_IN.get(name, 1) > version:
            continue
        if name == "session_id":
            cols.append(sa.Column(id_name, sa.Text, primary_key=True))
        elif name == "start":
            cols.append(sa.Column("start", sa.DateTime, nullable=False))
        elif name == "athlete":
            cols.append(sa.Column("athlete", sa.Text, nullable=False))
        elif dtype == "bool":
            cols.append(sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false()))
        elif dtype == "str":
            cols.append(sa.Column(name, sa.Text, nullable=False,
                                  server_default="[]" if name == "sets" else ""))
        else:
            cols.append(sa.Column(name, sa.Float, nullable=name != "duration_s"))
    return cols


def build_metadata(version: int) -> sa.MetaData:
    """The table layout of schema ``version`` (1 to :data:`SCHEMA_VERSION`)."""
    md = sa.MetaData()
    sa.Table("schema_version", md, sa.Column("version", sa.Integer, nullable=False))
    sa.Table("meta", md,
             sa.Column("key", sa.Text, primary_key=True),
             sa.Column("value", sa.BigInteger, nullable=False))
    sa.Table("athletes", md,
             sa.Column("name", sa.Text, primary_key=True),
             sa.Column("group_name", sa.Text, nullable=False, server_default=""),
             sa.Column("hr_max", sa.Float),
             sa.Column("hr_rest", sa.Float),
             sa.Column("sex", sa.Text),
             sa.Column("tz", sa.Text),
             sa.Column("units", sa.Text),
             sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false()),
             sa.Column("created_at", sa.DateTime, nullable=False),
             *_athlete_summary_columns(version))
    sa.Table("imports", md,
             sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("athlete", sa.Text, nullable=False, index=True),
             sa.Column("file_name", sa.Text, nullable=False),
             sa.Column("content_sha1", sa.Text, nullable=False, server_default=""),
             sa.Column("format", sa.Text, nullable=False, server_default=""),
             sa.Column("units", sa.Text),
             sa.Column("imported_at", sa.DateTime, nullable=False),
             sa.Column("added", sa.Integer, nullable=False, server_default="0"),
             sa.Column("merged", sa.Integer, nullable=False, server_default="0"),
             sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
             sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
             sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
             sa.Column("skipped_json", sa.Text, nullable=False, server_default="[]"),
             sa.Column("assumptions_json", sa.Text, nullable=False, server_default="[]"),
             sa.Column("warnings_json", sa.Text, nullable=False, server_default="[]"),
             *([sa.Column("link_count", sa.Integer, nullable=False, server_default="0")]
               if version >= 6 else []),
             sa.Index("ix_imports_athlete_sha1", "athlete", "content_sha1"))
    source_extra = [sa.Column("tz", sa.Text)] if version >= 3 else []
    sa.Table("source_sessions", md,
             *_canonical_columns(id_name="source_session_id", version=version),
             sa.Column("session_id", sa.Text, nullable=False, index=True),
             sa.Column("first_import_id", sa.Integer, nullable=False),
             *source_extra,
             sa.Index("ix_source_sessions_athlete", "athlete"),
             *([sa.Index("ix_source_sessions_import", "first_import_id", "source")]
               if version >= 6 else []))
    sa.Table("import_sessions", md,
             sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("source_session_id", sa.Text, primary_key=True),
             sa.Index("ix_import_sessions_source", "source_session_id"))
    session_cols = [*_canonical_columns(id_name="session_id", version=version),
                    sa.Column("import_id", sa.Integer)]
    if version >= 2:
        session_cols += [sa.Column("family", sa.Text, nullable=False, server_default="other"),
                         sa.Column("sources", sa.Text, nullable=False, server_default="")]
    sessions = sa.Table("sessions", md, *session_cols,
                        sa.Index("ix_sessions_athlete_start", "athlete", "start"))
    if version >= 2:
        sa.Index("ix_sessions_match", sessions.c.athlete, sessions.c.family, sessions.c.start)
    sa.Table("overrides", md,
             sa.Column("session_id", sa.Text, primary_key=True),
             sa.Column("area", sa.Text),
             sa.Column("rpe", sa.Float),
             sa.Column("notes", sa.Text),
             sa.Column("updated_at", sa.DateTime, nullable=False),
             *([sa.Column("edited_by", sa.Text)] if version >= 7 else []))
    sa.Table("settings", md,
             sa.Column("key", sa.Text, primary_key=True),
             sa.Column("value", sa.Text, nullable=False))
    sa.Table("rules", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("rules", sa.Text, nullable=False),
             sa.Column("updated_at", sa.DateTime, nullable=False))
    sa.Table("mapping_profiles", md,
             sa.Column("signature", sa.Text, primary_key=True),
             sa.Column("mapping", sa.Text, nullable=False),
             sa.Column("updated_at", sa.DateTime, nullable=False))
    if version >= 4:
        _wellness_tables(md)
    if version >= 6:
        _derived_tables(md, version)
    if version >= 7:
        _access_tables(md)
    if version >= 8:
        _routine_tables(md)
    if version >= 9:
        _body_tables(md)
    if version >= 10:
        _plan_tables(md)
    if version >= 11:
        _review_tables(md)
    return md


def _review_tables(md: sa.MetaData) -> None:
    """Version 11: the coach's review (see :mod:`stridewise.review` and :mod:`stridewise.notes`).

    ``review_marks``: a reviewer marked an athlete's week seen, at a time, with the risk level
    and the flag keys shown then (so later flags can be told apart). ``notes``: every version of
    every note (``note_id`` + ``version``; the highest version is the current text), on an
    athlete's week (``week`` = ISO date of its first day) or on one session, with visibility,
    author and role. ``secrets``: values kept out of backups and exports (the SMTP password).
    """
    sa.Table("review_marks", md,
             sa.Column("reviewer", sa.Text, primary_key=True),
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("week", sa.Text, primary_key=True),
             sa.Column("seen_at", sa.DateTime, nullable=False),
             sa.Column("level", sa.Text, nullable=False, server_default=""),
             sa.Column("flag_keys", sa.Text, nullable=False, server_default=""))
    sa.Table("notes", md,
             sa.Column("note_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("athlete", sa.Text, nullable=False),
             sa.Column("week", sa.Text),
             sa.Column("session_id", sa.Text),
             sa.Column("visibility", sa.Text, nullable=False),
             sa.Column("author", sa.Text, nullable=False),
             sa.Column("author_role", sa.Text, nullable=False),
             sa.Column("text", sa.Text, nullable=False),
             sa.Column("created_at", sa.DateTime, nullable=False),
             sa.Index("ix_notes_athlete", "athlete"))
    sa.Table("secrets", md,
             sa.Column("key", sa.Text, primary_key=True),
             sa.Column("value", sa.Text, nullable=False))


def _plan_tables(md: sa.MetaData) -> None:
    """Version 10: weekly plans (see :mod:`stridewise.plans`).

    ``plans``: every saved version of a squad template (``scope`` "squad", ``name`` the group) or
    of an athlete's override (``scope`` "athlete"), valid from the week ``valid_from`` (a week's
    first day) until a later version; ``body`` is the plan as JSON (per-area sessions and minutes,
    key runs, weekly running km, targets, risk thresholds, classification rules). Rows are
    never updated: together they are the change history (who, when, what).
    """
    sa.Table("plans", md,
             sa.Column("plan_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("scope", sa.Text, nullable=False),
             sa.Column("name", sa.Text, nullable=False),
             sa.Column("valid_from", sa.DateTime, nullable=False),
             sa.Column("body", sa.Text, nullable=False, server_default="{}"),
             sa.Column("changed_by", sa.Text, nullable=False, server_default=""),
             sa.Column("changed_at", sa.DateTime, nullable=False),
             sa.Column("summary", sa.Text, nullable=False, server_default=""),
             sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false()),
             sa.Index("ix_plans_scope_name", "scope", "name", "valid_from"))


def _body_tables(md: sa.MetaData) -> None:
    """Version 9: daily check-ins, niggles and their daily updates (see :mod:`stridewise.niggles`
    and :mod:`stridewise.wellness`)."""
    sa.Table("checkins", md,
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("day", sa.DateTime, primary_key=True),
             *[sa.Column(k, sa.Integer) for k in ("sleep", "fatigue", "soreness", "stress",
                                                  "mood")],
             sa.Column("resting_hr_bpm", sa.Float),
             sa.Column("note", sa.Text, nullable=False, server_default=""),
             sa.Column("updated_at", sa.DateTime, nullable=False))
    sa.Table("niggles", md,
             sa.Column("niggle_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("athlete", sa.Text, nullable=False, index=True),
             sa.Column("region", sa.Text, nullable=False),
             sa.Column("side", sa.Text, nullable=False, server_default="none"),
             sa.Column("onset", sa.DateTime, nullable=False),
             sa.Column("resolved", sa.DateTime),
             sa.Column("note", sa.Text, nullable=False, server_default=""),
             sa.Column("created_at", sa.DateTime, nullable=False))
    sa.Table("niggle_updates", md,
             sa.Column("niggle_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("day", sa.DateTime, primary_key=True),
             sa.Column("pain", sa.Float, nullable=False),
             sa.Column("effect", sa.Text, nullable=False),
             sa.Column("note", sa.Text, nullable=False, server_default=""),
             sa.Column("updated_at", sa.DateTime, nullable=False))


def _routine_tables(md: sa.MetaData) -> None:
    """Version 8 (the runner's log): ``routines``, sessions an athlete saved to log again in one
    tap (name, training area, planned minutes and the exercises as JSON; see
    :class:`stridewise.exercises.Routine`). Sessions logged by hand need no table of their own:
    they are source sessions of the source ``manual``."""
    sa.Table("routines", md,
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("name", sa.Text, primary_key=True),
             sa.Column("area", sa.Text, nullable=False),
             sa.Column("minutes", sa.Float, nullable=False),
             sa.Column("items_json", sa.Text, nullable=False, server_default="[]"),
             sa.Column("updated_at", sa.DateTime, nullable=False))


def _wellness_tables(md: sa.MetaData) -> None:
    """Version 3: daily wellness values and the committed parts of large archive imports."""
    sa.Table("wellness", md,
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("day", sa.DateTime, primary_key=True),
             sa.Column("metric", sa.Text, primary_key=True),
             sa.Column("value", sa.Float, nullable=False),
             sa.Column("source_file", sa.Text, nullable=False, server_default=""),
             sa.Column("import_id", sa.Integer))
    sa.Table("import_parts", md,
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("archive_key", sa.Text, primary_key=True),
             sa.Column("part", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("n_parts", sa.Integer, nullable=False),
             sa.Column("import_id", sa.Integer, nullable=False),
             sa.Column("detail", sa.Text, nullable=False, server_default="[]"),
             sa.Column("committed_at", sa.DateTime, nullable=False))


def _athlete_summary_columns(version: int) -> list[sa.Column]:
    """Version 3: per-athlete figures kept up to date by every write (never recounted)."""
    if version < 6:
        return []
    return [sa.Column("session_count", sa.Integer, nullable=False, server_default="0"),
            sa.Column("last_start", sa.DateTime),
            sa.Column("data_version", sa.Integer, nullable=False, server_default="0")]


def _derived_tables(md: sa.MetaData, version: int) -> None:
    """Version 6: derived per-athlete tables (:mod:`stridewise.derived` fills them).

    ``derived_roster``: one row per athlete: the first day its figures hold for (``as_of``) and,
    from version 12, the last (``valid_until``), the basis they were computed on (settings, rules,
    HR profile; a hash), and as Arrow IPC bytes the daily-metrics rows of the last weeks, the
    recent sessions and (version 7) their session parts, or (version 6) the area balance of one
    day.
    ``derived_weekly``: weekly volume per athlete x week x area (the pipeline's weekly table).
    ``derived_daily``: the whole daily-metrics table of one athlete as Arrow IPC bytes.
    """
    kept = ([sa.Column("valid_until", sa.Date, nullable=False),
             sa.Column("parts_recent", sa.LargeBinary, nullable=False)] if version >= 12
            else [sa.Column("balance", sa.LargeBinary, nullable=False)])
    sa.Table("derived_roster", md,
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("as_of", sa.Date, nullable=False),
             sa.Column("basis", sa.Text, nullable=False),
             sa.Column("risk_recent", sa.LargeBinary, nullable=False),
             *kept,
             sa.Column("sessions_recent", sa.LargeBinary, nullable=False),
             sa.Column("computed_at", sa.DateTime, nullable=False))
    sa.Table("derived_weekly", md,
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("week", sa.Date, primary_key=True),
             sa.Column("area", sa.Text, primary_key=True),
             sa.Column("sessions", sa.Float, nullable=False),
             sa.Column("minutes", sa.Float, nullable=False),
             sa.Column("distance_km", sa.Float, nullable=False),
             sa.Column("load", sa.Float, nullable=False),
             sa.Index("ix_derived_weekly_week", "week"))
    sa.Table("derived_daily", md,
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("payload", sa.LargeBinary, nullable=False))


# --- accounts and access (version 7) ---------------------------------------------------------

def _access_tables(md: sa.MetaData) -> None:
    """Version 7: accounts, sharing and the audit log (see :mod:`stridewise.accounts`).

    ``users``: one account per e-mail (role owner/admin/coach/athlete; an athlete account owns
    the athlete of that name; ``squads`` limits an assistant coach, JSON list; the password is
    an Argon2id hash, NULL until set). ``grants``: athlete -> coach (``kind`` "coach", grantee
    the coach's e-mail) or athlete -> squad (``kind`` "squad"). ``squad_coaches``: which coaches
    coach a squad. ``invitations`` and ``auth_sessions`` keep only SHA-256 hashes of their
    tokens. ``login_attempts``: failed logins per account and client (rate limiting across
    processes). ``audit_log``: who viewed, exported or changed which athlete's data.
    """
    sa.Table("users", md,
             sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("email", sa.Text, nullable=False, unique=True),
             sa.Column("role", sa.Text, nullable=False),
             sa.Column("athlete", sa.Text),
             sa.Column("squads", sa.Text, nullable=False, server_default="[]"),
             sa.Column("password_hash", sa.Text),
             sa.Column("created_at", sa.DateTime, nullable=False),
             sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()))
    sa.Table("grants", md,
             sa.Column("athlete", sa.Text, primary_key=True),
             sa.Column("kind", sa.Text, primary_key=True),
             sa.Column("grantee", sa.Text, primary_key=True),
             sa.Column("granted_by", sa.Text, nullable=False, server_default=""),
             sa.Column("granted_at", sa.DateTime, nullable=False),
             sa.Index("ix_grants_grantee", "kind", "grantee"))
    sa.Table("squad_coaches", md,
             sa.Column("squad", sa.Text, primary_key=True),
             sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False))
    sa.Table("invitations", md,
             sa.Column("token_hash", sa.Text, primary_key=True),
             sa.Column("email", sa.Text, nullable=False),
             sa.Column("purpose", sa.Text, nullable=False, server_default="invite"),
             sa.Column("created_by", sa.Text, nullable=False, server_default=""),
             sa.Column("created_at", sa.DateTime, nullable=False),
             sa.Column("expires_at", sa.DateTime, nullable=False),
             sa.Column("used_at", sa.DateTime))
    sa.Table("auth_sessions", md,
             sa.Column("token_hash", sa.Text, primary_key=True),
             sa.Column("user_id", sa.Integer, nullable=False, index=True),
             sa.Column("created_at", sa.DateTime, nullable=False),
             sa.Column("expires_at", sa.DateTime, nullable=False))
    sa.Table("login_attempts", md,
             sa.Column("attempt_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("email", sa.Text, nullable=False),
             sa.Column("client", sa.Text, nullable=False),
             sa.Column("at", sa.DateTime, nullable=False),
             sa.Index("ix_login_attempts_email", "email", "at"),
             sa.Index("ix_login_attempts_client", "client", "at"))
    sa.Table("audit_log", md,
             sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("at", sa.DateTime, nullable=False),
             sa.Column("actor", sa.Text, nullable=False),
             sa.Column("role", sa.Text, nullable=False),
             sa.Column("action", sa.Text, nullable=False),
             sa.Column("athlete", sa.Text, nullable=False, server_default=""),
             sa.Column("detail", sa.Text, nullable=False, server_default=""),
             sa.Index("ix_audit_log_athlete", "athlete", "at"))


#: The current layout; the store codes against these tables.
METADATA: Final[sa.MetaData] = build_metadata(SCHEMA_VERSION)
T = METADATA.tables
#: Tables in dependency-free order for backup/restore (all of them except schema_version).
DATA_TABLES: Final[tuple[str, ...]] = (
    "meta", "athletes", "imports", "source_sessions", "import_sessions", "sessions",
    "overrides", "settings", "rules", "mapping_profiles", "wellness", "import_parts",
    # --- accounts and access (version 7) ---
    "users", "grants", "squad_coaches", "invitations", "auth_sessions", "login_attempts",
    "audit_log",
    # --- the runner's log (version 8) ---
    "routines",
    # --- version 9 ---
    "checkins", "niggles", "niggle_updates",
    # --- version 10 ---
    "plans",
    # --- version 11 ---
    "review_marks", "notes",
)
#: The accounts-and-access tables (version 7): a backup without them leaves them as they are.
ACCESS_TABLES: Final[tuple[str, ...]] = (
    "users", "grants", "squad_coaches", "invitations", "auth_sessions", "login_attempts",
    "audit_log")
#: Tables never backed up nor exported (``secrets``: the SMTP password); restore leaves them.
PRIVATE_TABLES: Final[tuple[str, ...]] = ("secrets",)
#: Tables computed from the data tables (not backed up; rebuilt from the sessions).
DERIVED_TABLES: Final[tuple[str, ...]] = ("derived_roster", "derived_weekly", "derived_daily")


def _step_1(conn: Connection) -> None:
    """Version 1: the first layout."""
    md = build_metadata(1)
    md.create_all(conn)
    conn.execute(sa.insert(md.tables["meta"]).values(key="data_version", value=0))


def _step_2(conn: Connection) -> None:
    """Version 2: sport family + contributing sources on merged sessions, back-filled."""
    conn.execute(sa.text(
        "ALTER TABLE sessions ADD COLUMN family TEXT NOT NULL DEFAULT 'other'"))
    conn.execute(sa.text("ALTER TABLE sessions ADD COLUMN sources TEXT NOT NULL DEFAULT ''"))
    sessions = sa.table("sessions", sa.column("sport"), sa.column("source"),
                        sa.column("family"), sa.column("sources"))
    conn.execute(sa.update(sessions).values(family=family_case(sessions.c.sport),
                                            sources=sessions.c.source))
    index = next(i for i in T["sessions"].indexes if i.name == "ix_sessions_match")
    index.create(conn)


def _step_3(conn: Connection) -> None:
    """Version 3: ``source_sessions.tz``, the zone a UTC-sourced start was converted to (NULL for
    sources that give local wall-clock times). Back-filled with the athlete's stored zone (UTC
    when none), the zone imports have used."""
    conn.execute(sa.text("ALTER TABLE source_sessions ADD COLUMN tz TEXT"))
    ss = sa.table("source_sessions", sa.column("athlete"), sa.column("source"), sa.column("tz"))
    a = sa.table("athletes", sa.column("name"), sa.column("tz"))
    zone = (sa.select(sa.func.coalesce(a.c.tz, "UTC")).where(a.c.name == ss.c.athlete)
            .scalar_subquery())
    conn.execute(sa.update(ss).where(ss.c.source.in_(sorted(UTC_SOURCES)))
                 .values(tz=sa.func.coalesce(zone, "UTC")))


def _step_4(conn: Connection) -> None:
    """Version 4: ``wellness`` and ``import_parts``."""
    md = sa.MetaData()
    _wellness_tables(md)
    md.create_all(conn)


def _step_5(conn: Connection) -> None:
    """Version 5: the canonical flag ``duration_estimated`` on source and merged sessions.
    Rows stored before it were imported without the flag: False (the importers of that time
    kept no estimated durations apart); re-importing such a file sets it where it applies."""
    for table in ("source_sessions", "sessions"):
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN duration_estimated BOOLEAN "
                             "NOT NULL DEFAULT FALSE"))


def _step_6(conn: Connection) -> None:
    """Version 6: import-path index, kept per-athlete summary, derived tables (built here)."""
    md = build_metadata(6)
    for col in ("session_count INTEGER NOT NULL DEFAULT 0", "last_start TIMESTAMP",
                "data_version INTEGER NOT NULL DEFAULT 0"):
        conn.execute(sa.text(f"ALTER TABLE athletes ADD COLUMN {col}"))
    next(i for i in md.tables["source_sessions"].indexes
         if i.name == "ix_source_sessions_import").create(conn)
    # the sessions an import brought: its links, fixed once the import is stored
    conn.execute(sa.text("ALTER TABLE imports ADD COLUMN link_count INTEGER NOT NULL DEFAULT 0"))
    conn.execute(sa.text(
        "UPDATE imports SET link_count = (SELECT count(*) FROM import_sessions "
        "WHERE import_sessions.import_id = imports.import_id)"))
    for name in DERIVED_TABLES:
        md.tables[name].create(conn)
    from stridewise import derived  # the pipeline: imported only when a store is migrated

    derived.recount(conn)  # the derived rows are built by version 12




def _step_7(conn: Connection) -> None:
    """Version 7: accounts, grants, squads, invitations, login sessions and attempts, the audit
    log, and who made each edit (``overrides.edited_by``)."""
    conn.execute(sa.text("ALTER TABLE overrides ADD COLUMN edited_by TEXT"))
    md = sa.MetaData()
    _access_tables(md)
    md.create_all(conn)


def _step_8(conn: Connection) -> None:
    """Version 8: ``routines`` (saved sessions of the runner's log)."""
    md = sa.MetaData()
    _routine_tables(md)
    md.create_all(conn)


def _step_9(conn: Connection) -> None:
    """Version 9: ``checkins``, ``niggles`` and ``niggle_updates`` (empty; nothing to
    back-fill, and the derived rows do not change until a niggle is reported)."""
    md = sa.MetaData()
    _body_tables(md)
    md.create_all(conn)


def _step_10(conn: Connection) -> None:
    """Version 10: ``plans`` (weekly plans per squad and athlete, with their history)."""
    md = sa.MetaData()
    _plan_tables(md)
    md.create_all(conn)


def _step_11(conn: Connection) -> None:
    """Version 11: ``review_marks``, ``notes`` and ``secrets`` (the coach's review)."""
    md = sa.MetaData()
    _review_tables(md)
    md.create_all(conn)


def _step_12(conn: Connection) -> None:
    """Version 12: derived roster rows that hold for a range of days (see :mod:`stridewise.
    derived`); every athlete's derived rows are rebuilt."""
    conn.execute(sa.text("DROP TABLE derived_roster"))
    build_metadata(12).tables["derived_roster"].create(conn)
    from stridewise import derived  # the pipeline: imported only when a store is migrated

    derived.refresh_all(conn)


#: version -> step that brings a database from version-1 to version.
MIGRATIONS: Final[dict[int, Callable[[Connection], None]]] = {
    1: _step_1, 2: _step_2, 3: _step_3, 4: _step_4, 5: _step_5, 6: _step_6,
    7: _step_7, 8: _step_8, 9: _step_9, 10: _step_10, 11: _step_11, 12: _step_12}


def current_version(conn: Connection) -> int:
    """The schema version stored in the database (0 for an empty database)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    v = conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar()
    return int(v or 0)


def migrate(conn: Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply every step above the stored version up to ``target``; returns the old version.

    Runs inside the caller's transaction (which must hold the store's write lock), so a failed
    step leaves the database at its old version.
    """
    old = current_version(conn)
    for v in range(old + 1, target + 1):
        MIGRATIONS[v](conn)
        if v == 1:
            conn.execute(sa.text("INSERT INTO schema_version (version) VALUES (1)"))
        else:
            conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": v})
    return old
