"""The coach's review in the store: notes with history, seen marks, activity since a moment,
secrets kept out of backups (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import days, report

from stridewise.errors import UsageError
from stridewise.store import Store
from stridewise.store_schema import DATA_TABLES, PRIVATE_TABLES


def _with_runs(store: Store, athlete: str = "ana", n: int = 5) -> None:
    store.import_report(report(athlete, "strava_csv", days("2026-11-23", n)))


def test_notes_keep_every_version_and_do_not_change_the_data_version(store: Store) -> None:
    _with_runs(store)
    v0 = store.version()
    nid = store.add_note("ana", "  Easy week  ", visibility="athlete", author="coach1",
                         author_role="coach", week="2026-11-23")
    assert store.edit_note("ana", nid, "Easy week, then a long run", visibility="staff",
                           author="coach2", author_role="coach") == 2
    notes = store.notes(["ana"])
    assert list(notes["version"]) == [1, 2]
    assert list(notes["text"]) == ["Easy week", "Easy week, then a long run"]
    assert list(notes["visibility"]) == ["athlete", "staff"]
    assert list(notes["author"]) == ["coach1", "coach2"]
    assert set(notes["week"]) == {"2026-11-23"}
    assert notes["created_at"].notna().all()
    assert store.version() == v0  # notes change no analysis


def test_session_notes_belong_to_the_athletes_own_session(store: Store) -> None:
    _with_runs(store, "ana")
    _with_runs(store, "ben")
    sid = str(store.sessions(["ana"])["session_id"].iloc[0])
    nid = store.add_note("ana", "Felt strong", visibility="coach", author="c", author_role="coach",
                         session_id=sid)
    assert store.notes()["session_id"].tolist() == [sid] and nid == 1
    with pytest.raises(UsageError, match="has no session"):
        store.add_note("ben", "x", visibility="coach", author="c", author_role="coach",
                       session_id=sid)
    with pytest.raises(UsageError, match="no note number"):
        store.edit_note("ben", nid, "x", visibility="coach", author="c", author_role="coach")


@pytest.mark.parametrize("text,vis,msg", [("", "coach", "needs some text"),
                                          ("x", "public", "visibility"),
                                          ("x" * 5001, "coach", "at most")])
def test_bad_notes_are_refused_with_one_sentence(store: Store, text: str, vis: str,
                                                 msg: str) -> None:
    _with_runs(store)
    with pytest.raises(UsageError, match=msg):
        store.add_note("ana", text, visibility=vis, author="c", author_role="coach",
                       week="2026-11-23")
    assert store.notes().empty


def test_seen_marks_are_per_reviewer_and_week_and_replace_themselves(store: Store) -> None:
    _with_runs(store)
    store.mark_seen("ana", "2026-11-23", reviewer="c1", level="moderate", flag_keys=["spike_pct"])
    store.mark_seen("ana", "2026-11-23", reviewer="c1", level="low", flag_keys=[])
    store.mark_seen("ana", "2026-11-30", reviewer="c1", level="low")
    store.mark_seen("ana", "2026-11-23", reviewer="c2", level="high", flag_keys=["a", "b"])
    m1 = store.review_marks(["ana"], reviewer="c1").sort_values("week")
    assert list(m1["week"]) == ["2026-11-23", "2026-11-30"]
    assert list(m1["level"]) == ["low", "low"]
    m2 = store.review_marks(reviewer="c2")
    assert m2["flag_keys"].tolist() == ["a;b"]
    with pytest.raises(UsageError, match="no athlete"):
        store.mark_seen("nobody", "2026-11-23", reviewer="c1")


def test_activity_lists_sessions_that_arrived_and_edits_after_a_moment(store: Store) -> None:
    _with_runs(store, "ana", 3)
    later = datetime.utcnow() + timedelta(seconds=1)
    assert len(store.review_activity(["ana"], since=later - timedelta(days=1))["sessions"]) == 3
    got = store.review_activity(["ana"], since=later)
    assert got["sessions"].empty and got["edits"].empty
    sid = str(store.sessions(["ana"])["session_id"].iloc[0])
    store.set_override(sid, rpe=7)
    edits = store.review_activity(["ana"], since=later - timedelta(seconds=2))["edits"]
    assert edits["session_id"].tolist() == [sid] and edits["rpe"].tolist() == [7.0]


def test_backup_keeps_notes_and_marks_but_never_the_secrets(store: Store, tmp_path: Path) -> None:
    _with_runs(store)
    store.add_note("ana", "kept", visibility="staff", author="c", author_role="coach",
                   week="2026-11-23")
    store.mark_seen("ana", "2026-11-23", reviewer="c", level="low")
    store.set_secret("smtp_password", "hunter2-secret")
    assert "notes" in DATA_TABLES and "review_marks" in DATA_TABLES
    assert "secrets" in PRIVATE_TABLES and "secrets" not in DATA_TABLES
    folder = store.backup(tmp_path / "bk")
    blob = b"".join(p.read_bytes() for p in folder.iterdir())
    assert b"hunter2-secret" not in blob
    assert "secrets" not in store.table_frames()
    store.add_note("ana", "after the backup", visibility="staff", author="c", author_role="coach",
                   week="2026-11-23")
    store.restore(folder)
    assert store.notes()["text"].tolist() == ["kept"]
    assert len(store.review_marks(reviewer="c")) == 1
    assert store.secret("smtp_password") == "hunter2-secret"  # restore leaves it alone
    store.set_secret("smtp_password", None)
    assert store.secret("smtp_password") is None


def test_a_database_from_before_the_review_tables_gains_them(db_url: str) -> None:
    import sqlalchemy as sa

    from stridewise.store import resolve_url
    from stridewise.store_schema import SCHEMA_VERSION, build_metadata, migrate

    first = next(v for v in range(1, SCHEMA_VERSION + 1) if "notes" in build_metadata(v).tables)

    url = resolve_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        migrate(conn, target=first - 1)
    assert "notes" not in sa.inspect(engine).get_table_names()
    engine.dispose()
    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.notes().empty and store.review_marks(reviewer="me").empty
        store.upsert_athlete("ana")
        store.mark_seen("ana", "2026-11-23", reviewer="me")
        assert len(store.review_marks(reviewer="me")) == 1


def test_through_an_account_notes_are_attributed_and_an_athlete_reads_only_hers(
        store: Store) -> None:
    """The scoped store decides: a coach's note names the coach whatever the page passed; the
    athlete reads athlete-visible notes about herself only, never a coach-private or staff
    note; she cannot write a note about another athlete nor mark anyone seen in another name."""
    from stridewise.access import AccessDenied, Actor, ScopedStore

    _with_runs(store, "ana")
    _with_runs(store, "ben")
    admin = ScopedStore(store, Actor(1, "head@club.org", "admin"))
    for vis in ("coach", "staff", "athlete"):
        admin.add_note("ana", f"{vis} note", visibility=vis, author="someone else",
                       author_role="coach", week="2026-11-23")
    admin.add_note("ben", "about ben", visibility="athlete", author="x", author_role="coach",
                   week="2026-11-23")
    assert set(store.notes(["ana"])["author"]) == {"head@club.org"}

    ana = ScopedStore(store, Actor(2, "ana@club.org", "athlete", "ana"))
    mine = ana.notes(None)
    assert list(mine["text"]) == ["athlete note"]  # not the private or staff one, not ben's
    with pytest.raises(AccessDenied):
        ana.notes(["ben"])
    with pytest.raises(AccessDenied):
        ana.add_note("ben", "hi", visibility="athlete", author="ana", author_role="athlete",
                     week="2026-11-23")
    ana.add_note("ana", "felt good", visibility="coach", author="forged", author_role="coach",
                 week="2026-11-23")
    own = store.notes(["ana"]).iloc[-1]
    assert (own["author"], own["author_role"], own["visibility"]) == (
        "ana@club.org", "athlete", "athlete")
    ana.mark_seen("ana", "2026-11-23", reviewer="head@club.org")
    assert store.review_marks(reviewer="head@club.org").empty
    assert len(store.review_marks(reviewer="ana@club.org")) == 1
