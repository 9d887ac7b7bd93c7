"""Access control in the library, on SQLite and PostgreSQL: every public Store method is in the
policy and refuses an unscoped or out-of-scope call; accounts, grants, login sessions, rate
limits and the audit log live in the store (so several processes share them); the tables of
schema version 7 are migrated and backed up."""

from __future__ import annotations

import inspect
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from store_helpers import days, report

from stridewise import accounts as accounts_mod
from stridewise.access import (
    ATTRIBUTES,
    POLICY,
    AccessDenied,
    Actor,
    ScopedStore,
    store_methods,
)
from stridewise.accounts import Accounts, LoginRefused
from stridewise.store import Store, resolve_url
from stridewise.store_schema import ACCESS_TABLES, SCHEMA_VERSION, migrate

PW = "correct horse battery"


@pytest.fixture
def club(store: Store):
    """Two athletes with sessions, an athlete account for Ana, a coach, an admin."""
    store.import_report(report("Ana", "strava_csv", days("2026-03-02", 20)), athlete="Ana")
    store.import_report(report("Ben", "strava_csv", days("2026-03-02", 15, hour=9)),
                        athlete="Ben")
    acc = Accounts(store)
    ana = acc.create_user("ana@club.org", "athlete", "Ana", PW)
    coach = acc.create_user("coach@club.org", "coach", None, PW)
    admin = acc.create_user("admin@club.org", "admin", None, PW)
    return store, acc, ana, coach, admin


def _ids(store: Store, athlete: str) -> tuple[str, int]:
    s = store.sessions([athlete])
    imp = store.imports(athlete)
    return str(s["session_id"].iloc[0]), int(imp["import_id"].iloc[0])


def _args(store: Store, name: str, target: str, other: str) -> tuple[list, dict]:
    """Arguments for ``name`` that concern the athlete ``other``; other required parameters
    get None (the scope check comes first)."""
    sig = inspect.signature(getattr(Store, name))
    params = [p for p in list(sig.parameters.values())[1:]
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)]
    sid, iid = _ids(store, other)
    first = {"athlete": other, "athletes": [other], "session": sid, "import": iid,
             "report": report(other, "garmin_csv", days("2026-05-01", 2))}.get(target)
    args = [first] + [None for p in params[1:] if p.default is p.empty]
    kwargs = {"athlete": other} if target == "report" else {}
    if name == "import_reports":
        args[0] = [first]
    return args, kwargs


def test_every_public_store_method_is_in_the_policy() -> None:
    missing = [m for m in store_methods() if m not in POLICY and m not in ATTRIBUTES]
    assert missing == [], f"add these Store methods to access.POLICY: {missing}"
    assert [m for m in POLICY if m not in store_methods()] == []


def test_every_method_refuses_an_unscoped_call(club) -> None:
    store, *_ = club
    nobody = ScopedStore(store, None)
    for name in POLICY:
        with pytest.raises(AccessDenied, match="Log in first"):
            getattr(nobody, name)()
    with pytest.raises(AccessDenied):
        nobody.record_view(["Ana"])
    with pytest.raises(AccessDenied):
        ScopedStore(store, Actor(7, "x@y.org", "athlete", "Ana")).engine  # noqa: B018


def test_every_method_refuses_an_out_of_scope_athlete(club) -> None:
    """Ana's account reaching for Ben: every athlete-specific read and write is refused, every
    many-athlete read is narrowed to Ana, every admin operation refused."""
    store, acc, ana, coach, _ = club
    before = store.table_frames()
    me = ScopedStore(store, ana)
    nothing_personal = {"schema_version", "version", "has_demo", "settings", "rules",
                        "mapping_profiles", "save_mapping_profile", "close", "review_version"}
    for name, rule in POLICY.items():
        if name in nothing_personal:
            assert rule.kind in ("open", "use") and rule.target == "none", name
            continue
        if rule.target == "result":
            continue  # narrowed to the visible athletes, checked below
        args, kwargs = _args(store, name, rule.target, "Ben")
        with pytest.raises(AccessDenied):
            getattr(me, name)(*args, **kwargs)
    # a coach without a grant is refused the same way
    cs = ScopedStore(store, coach)
    for name in ("sessions", "wellness", "weekly_volume", "daily_metrics", "imports",
                 "session_sources", "set_override", "import_detail", "upsert_athlete"):
        args, kwargs = _args(store, name, POLICY[name].target, "Ana")
        with pytest.raises(AccessDenied):
            getattr(cs, name)(*args, **kwargs)
    after = store.table_frames()
    for t in ("sessions", "overrides", "athletes", "imports", "settings", "rules"):
        pd.testing.assert_frame_equal(before[t], after[t], obj=t)


def test_reads_of_many_athletes_show_only_the_visible_ones(club) -> None:
    store, acc, ana, coach, admin = club
    me = ScopedStore(store, ana)
    assert me.athletes()["name"].tolist() == ["Ana"]
    assert set(me.sessions()["athlete"]) == {"Ana"}
    assert set(me.sessions(None)["athlete"]) == {"Ana"}
    assert set(me.imports()["athlete"]) == {"Ana"}
    assert set(me.weekly_volume()["athlete"]) == {"Ana"}
    assert set(me.athlete_versions()) == {"Ana"}
    snap = me.squad_snapshot()
    assert set(snap.analysis.risk["athlete"]) == {"Ana"}
    assert set(snap.analysis.sessions["athlete"]) <= {"Ana"}
    ben_sid, _ = _ids(store, "Ben")
    store.set_override(ben_sid, rpe=3)
    assert ben_sid not in set(me.overrides()["session_id"])
    cs = ScopedStore(store, coach)
    assert cs.athletes().empty and cs.sessions().empty and cs.athlete_versions() == {}
    assert ScopedStore(store, admin).athletes()["name"].tolist() == ["Ana", "Ben"]


def test_grant_revoke_and_attributed_coach_edits(club) -> None:
    store, acc, ana, coach, _ = club
    cs = ScopedStore(store, coach)
    acc.grant("Ana", coach="coach@club.org", by=ana)
    assert cs.athletes()["name"].tolist() == ["Ana"]
    sid, _ = _ids(store, "Ana")
    cs.set_override(sid, area="strength", rpe=6)
    row = store.overrides().set_index("session_id").loc[sid]
    assert (row["area"], row["rpe"], row["edited_by"]) == ("strength", 6.0, "coach@club.org")
    with pytest.raises(AccessDenied, match="notes"):
        cs.set_override(sid, notes="my note")
    with pytest.raises(AccessDenied):
        cs.delete_athlete("Ana")
    with pytest.raises(AccessDenied):  # Ben never granted anything
        cs.sessions(["Ben"])
    with pytest.raises(AccessDenied):  # only Ana (or an admin) shares Ana's data
        acc.grant("Ana", coach="coach@club.org", by=coach)
    acc.revoke("Ana", coach="coach@club.org", by=ana)
    assert cs.athletes().empty  # at once, same scoped object
    with pytest.raises(AccessDenied):
        cs.sessions(["Ana"])


def test_squad_grants_and_assistant_coaches(club) -> None:
    store, acc, ana, coach, admin = club
    op = Actor.operator()
    assistant = acc.create_user("assist@club.org", "coach", None, PW, squads=["Juniors"])
    acc.set_squad_coach("Seniors", "coach@club.org", by=admin)
    acc.set_squad_coach("Seniors", "assist@club.org", by=admin)
    acc.set_squad_coach("Juniors", "assist@club.org", by=admin)
    acc.grant("Ana", squad="Seniors", by=ana)
    acc.grant("Ben", squad="Juniors", by=op)
    acc.grant("Ben", coach="assist@club.org", by=op)
    assert ScopedStore(store, coach).visible_names() == ["Ana"]
    # the assistant is limited to Juniors: Seniors and direct grants do not count
    assert ScopedStore(store, assistant).visible_names() == ["Ben"]
    acc.revoke("Ben", squad="Juniors", by=op)
    assert ScopedStore(store, assistant).visible_names() == []


def test_athlete_writes_only_their_own_data(club) -> None:
    store, acc, ana, *_ = club
    me = ScopedStore(store, ana)
    res = me.import_report(report("Ana", "garmin_csv", days("2026-06-01", 3)), athlete="Ana")
    assert res.added + res.merged == 3
    with pytest.raises(AccessDenied):
        me.import_report(report("Ana", "garmin_csv", days("2026-06-10", 3)), athlete="Ben")
    with pytest.raises(AccessDenied):
        me.save_settings({"tz": "UTC"})
    with pytest.raises(AccessDenied):
        me.confirm_area(_ids(store, "Ana")[0], "strength",
                        {"kind": "title", "pattern": "hills", "area": "strength"})
    me.upsert_athlete("Ana", hr_max=190)
    assert store.athletes().set_index("name").loc["Ana", "hr_max"] == 190


def test_audit_log_records_views_exports_and_changes(club) -> None:
    store, acc, ana, coach, admin = club
    acc.grant("Ana", coach="coach@club.org", by=ana)
    cs = ScopedStore(store, coach)
    cs.sessions(["Ana"])
    cs.record_export(["Ana"], "squad.csv")
    sid, _ = _ids(store, "Ana")
    cs.set_override(sid, rpe=4)
    log = acc.audit(ana)
    mine = log.loc[log["actor"] == "coach@club.org"]
    assert {"view", "export", "change"} <= set(mine["action"])
    assert set(log["athlete"]) == {"Ana"}  # Ana reads the rows about herself only
    with pytest.raises(AccessDenied):
        acc.audit(ana, "Ben")
    with pytest.raises(AccessDenied):
        acc.audit(coach)
    assert len(acc.audit(admin)) >= len(log)
    # personal mode writes nothing
    n = len(acc.audit(admin))
    ScopedStore(store, Actor.personal()).sessions()
    assert len(acc.audit(admin)) == n


def test_login_rate_limit_sessions_and_invitations(club) -> None:
    store, acc, ana, *_ = club
    assert acc.authenticate("ANA@club.org ", PW, "10.0.0.1").athlete == "Ana"
    for _ in range(accounts_mod.MAX_FAILS_PER_ACCOUNT):
        with pytest.raises(LoginRefused, match="Wrong"):
            acc.authenticate("ana@club.org", "wrong password", "10.0.0.2")
    with pytest.raises(LoginRefused, match="Too many"):  # even the right password now
        acc.authenticate("ana@club.org", PW, "10.0.0.3")
    # per client: one address trying many accounts
    for i in range(accounts_mod.MAX_FAILS_PER_CLIENT):
        with pytest.raises(LoginRefused):
            acc.authenticate(f"guess{i}@club.org", "x", "10.9.9.9")
    with pytest.raises(LoginRefused, match="Too many"):
        acc.authenticate("admin@club.org", PW, "10.9.9.9")
    assert acc.authenticate("admin@club.org", PW, "10.0.0.4").role == "admin"
    # a second handle (another app process) shares the limits and sessions
    other = Accounts(Store(store.url.render_as_string(hide_password=False)))
    with pytest.raises(LoginRefused, match="Too many"):
        other.authenticate("ana@club.org", PW, "10.0.0.5")
    token = acc.start_session(ana)
    assert other.session_actor(token) == ana
    expired = acc.start_session(ana, ttl=timedelta(seconds=-1))
    assert acc.session_actor(expired) is None
    acc.end_session(token)
    assert other.session_actor(token) is None
    other.store.close()
    # invitation: one use, hashed at rest
    link = acc.invite("new@club.org", "athlete", "Newbie", by=Actor.operator())
    assert acc.invitation_email(link) == "new@club.org"
    raw = store.table_frames()
    assert link not in raw["invitations"].to_string()
    assert PW not in raw["users"].to_string()
    assert raw["users"]["password_hash"].dropna().str.startswith("$argon2id$").all()
    who = acc.accept_invitation(link, "a new long password")
    assert who.athlete == "Newbie"
    with pytest.raises(AccessDenied, match="not valid"):
        acc.accept_invitation(link, "another long password")
    assert acc.authenticate("new@club.org", "a new long password", "c").email == "new@club.org"


def test_export_everything_and_delete_account(club) -> None:
    store, acc, ana, coach, admin = club
    acc.grant("Ana", coach="coach@club.org", by=ana)
    data = acc.export_everything(ana)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        sessions = pd.read_csv(zf.open("sessions.csv"))
        access = pd.read_csv(zf.open("access.csv"))
    assert {"sessions.csv", "edits.csv", "athlete.csv", "access.csv", "audit_log.csv"} <= names
    assert set(sessions["athlete"]) == {"Ana"} and len(sessions) == 20
    assert access["grantee"].tolist() == ["coach@club.org"]
    with pytest.raises(AccessDenied):
        acc.export_everything(coach)
    with pytest.raises(AccessDenied):
        acc.delete_account(ana, "admin@club.org")
    removed = acc.delete_account(ana)
    assert removed == 20
    assert "Ana" not in set(store.athletes()["name"]) and acc.user("ana@club.org") is None
    assert acc.grants(admin).empty
    assert "Ana" not in set(acc.audit(admin)["athlete"])
    assert len(store.sessions(["Ben"])) == 15


def test_backup_and_restore_keep_accounts(club, tmp_path: Path) -> None:
    store, acc, ana, coach, admin = club
    acc.grant("Ana", coach="coach@club.org", by=ana)
    ScopedStore(store, coach).sessions(["Ana"])
    before = store.table_frames()
    store.backup(tmp_path / "bk")
    acc.revoke("Ana", coach="coach@club.org", by=ana)
    acc.delete_account(admin, "coach@club.org")
    store.restore(tmp_path / "bk")
    after = store.table_frames()
    for t in ACCESS_TABLES:
        assert len(before[t]) == len(after[t]), t
        pd.testing.assert_frame_equal(before[t].reset_index(drop=True),
                                      after[t].reset_index(drop=True), obj=t,
                                      check_dtype=False)
    assert ScopedStore(store, coach).visible_names() == ["Ana"]


def test_version_6_database_upgrades_with_its_data(db_url: str) -> None:
    url = resolve_url(db_url)
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        migrate(conn, target=6)
    engine.dispose()
    assert SCHEMA_VERSION >= 7
    with Store(db_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        store.import_report(report("Ana", "strava_csv", days("2026-03-02", 3)), athlete="Ana")
        acc = Accounts(store)
        ana = acc.create_user("ana@club.org", "athlete", "Ana", PW)
        sid = store.sessions(["Ana"])["session_id"].iloc[0]
        ScopedStore(store, ana).set_override(sid, rpe=5)
        assert store.overrides()["edited_by"].tolist() == ["ana@club.org"]
        assert set(ACCESS_TABLES) <= set(sa.inspect(store.engine).get_table_names())


def test_open_links_are_listed_for_admins_and_can_be_withdrawn(club) -> None:
    store, acc, ana, coach, admin = club
    invite = acc.invite("late@club.org", "athlete", "Late", by=admin)
    reset = acc.reset_link("ana@club.org", by=admin)
    used = acc.invite("done@club.org", "athlete", "Done", by=admin)
    acc.accept_invitation(used, "a long enough password")
    old = acc.invite("old@club.org", "athlete", "Old", by=admin, ttl=timedelta(seconds=-1))
    links = acc.open_links(admin)
    assert sorted(zip(links["email"], links["purpose"], strict=True)) == [
        ("ana@club.org", "password reset"), ("late@club.org", "invitation")]
    assert (links["created_by"] == admin.label).all()
    shown = links.to_string()
    assert all(t not in shown for t in (invite, reset, used, old))  # never the link itself
    for who in (ana, coach):
        with pytest.raises(AccessDenied):
            acc.open_links(who)
        with pytest.raises(AccessDenied):
            acc.withdraw_links("late@club.org", by=who)
    assert acc.withdraw_links(" LATE@club.org", by=admin) == 1
    assert acc.invitation_email(invite) is None
    with pytest.raises(AccessDenied, match="not valid"):
        acc.accept_invitation(invite, "a long enough password")
    assert list(acc.open_links(admin)["email"]) == ["ana@club.org"]
    assert acc.withdraw_links("late@club.org", by=admin) == 0  # nothing open any more
    log = acc.audit(admin)
    assert log["detail"].astype(str).str.contains("withdrew 1 link").any()
