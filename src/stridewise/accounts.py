"""Accounts for club mode: users, passwords, invitations, login sessions, grants, audit log.

Everything lives in the store (tables of schema version 7), so several app processes on one
PostgreSQL share accounts, login sessions and rate limits.

* Passwords are hashed with Argon2id (``argon2-cffi``; RFC 9106 parameters of that library).
* Invitation / password-reset links and login-session tokens are random (``secrets``); only their
  SHA-256 hashes are stored, and each has an expiry. An invitation link works once.
* Failed logins are counted per account and per client over :data:`ATTEMPT_WINDOW`; past
  :data:`MAX_FAILS_PER_ACCOUNT` / :data:`MAX_FAILS_PER_CLIENT` further attempts are refused
  (before the password is checked) until the window has passed.
* Grants: an athlete grants a coach (by e-mail) or a squad access; coaches coach squads; revoking
  takes effect on the next read (every read asks the database, see
  :func:`stridewise.access.visible_athletes`).

Every function that acts on behalf of someone takes ``by``: the acting :class:`Actor`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import zipfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
import sqlalchemy as sa

from stridewise.access import (
    ROLES,
    AccessDenied,
    Actor,
    ScopedStore,
    _utcnow,
    write_audit,
)
from stridewise.errors import UsageError
from stridewise.store_schema import T

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

#: How long a login lasts (also the cookie-less session token's life).
SESSION_TTL: Final[timedelta] = timedelta(hours=12)
#: How long an invitation or password-reset link works.
INVITE_TTL: Final[timedelta] = timedelta(days=3)
#: Window and limits of failed login attempts.
ATTEMPT_WINDOW: Final[timedelta] = timedelta(minutes=15)
MAX_FAILS_PER_ACCOUNT: Final[int] = 5
MAX_FAILS_PER_CLIENT: Final[int] = 20
MIN_PASSWORD_LEN: Final[int] = 10

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class LoginRefused(AccessDenied):
    """Wrong e-mail or password, or too many attempts (``message`` says which, never which
    accounts exist)."""


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # Argon2id, RFC 9106 "low memory" profile


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_email(email: object) -> str:
    """Lower-case, trimmed; refuses what is not an e-mail address."""
    text = str(email or "").strip().casefold()
    if not _EMAIL.match(text):
        raise UsageError(f"'{str(email)[:80]}' is not an e-mail address.")
    return text


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LEN:
        raise UsageError(f"A password needs at least {MIN_PASSWORD_LEN} characters.")
    if len(password) > 1024:
        raise UsageError("A password may have at most 1024 characters.")
    return password


def _actor(row: Any) -> Actor:
    return Actor(int(row["user_id"]), str(row["email"]), row["role"], row["athlete"],
                 tuple(json.loads(row["squads"] or "[]")))


def _manager(by: Actor, what: str = "manage accounts") -> None:
    if not by.manages:
        raise AccessDenied(f"Only an admin can {what}.")


class Accounts:
    """Account operations on one store (the raw store or a scoped one)."""

    def __init__(self, store: Store | ScopedStore) -> None:
        self.store: Store = store.raw if isinstance(store, ScopedStore) else store

    # ------------------------------------------------------------------ users
    def _user_row(self, conn: sa.Connection, email: str) -> Any:
        u = T["users"]
        return conn.execute(sa.select(u).where(u.c.email == email)).mappings().first()

    def user(self, email: str) -> Actor | None:
        """The account of ``email`` as an actor, or None."""
        e = str(email or "").strip().casefold()
        row = self.store._read(lambda c: self._user_row(c, e))
        return None if row is None or row["disabled"] else _actor(row)

    def create_user(self, email: str, role: str, athlete: str | None = None,
                    password: str | None = None, *, squads: Sequence[str] = (),
                    by: Actor | None = None) -> Actor:
        """Create an account (``by`` defaults to the operator). An athlete account owns the
        athlete ``athlete`` (default: the part of the e-mail before the @); the athlete is
        created when missing. ``password`` None: the user sets one through an invitation."""
        by = by or Actor.operator()
        email = normalise_email(email)
        if role not in ROLES or role == "owner":
            raise UsageError(f"'{role}' is not a role; use admin, coach or athlete.")
        if not (by.manages or (by.role == "coach" and role == "athlete")):
            raise AccessDenied(f"Only an admin can create {role} accounts.")
        if role == "athlete":
            athlete = (athlete or email.split("@")[0]).strip()
            if not athlete:
                raise UsageError("An athlete account needs an athlete name.")
        elif athlete:
            raise UsageError("Only an athlete account owns an athlete; leave --athlete out.")
        pw_hash = _hasher().hash(check_password(password)) if password is not None else None
        u = T["users"]
        squads_json = json.dumps(sorted({str(s).strip() for s in squads if str(s).strip()}))

        def tx(conn: sa.Connection) -> int:
            if self._user_row(conn, email) is not None:
                raise UsageError(f"There is already an account for {email}.")
            if role == "athlete":
                taken = conn.execute(sa.select(u.c.email).where(
                    u.c.athlete == athlete, u.c.role == "athlete")).scalar()
                if taken:
                    raise UsageError(f"The athlete '{athlete}' already belongs to {taken}.")
            uid = int(conn.execute(sa.select(sa.func.max(u.c.user_id))).scalar() or 0) + 1
            conn.execute(sa.insert(u).values(
                user_id=uid, email=email, role=role, athlete=athlete, squads=squads_json,
                password_hash=pw_hash, created_at=_utcnow(), disabled=False))
            return uid

        uid = self.store._write(tx, bump=False)
        if role == "athlete" and athlete is not None:
            known = set(self.store.athletes()["name"])
            if athlete not in known:
                self.store.upsert_athlete(athlete)
        write_audit(self.store, by, "account", [athlete if role == "athlete" else None],
                    f"created {role} account {email}")
        return Actor(uid, email, role, athlete, tuple(json.loads(squads_json)))  # type: ignore[arg-type]

    def ensure_user(self, email: str, role: str, athlete: str | None = None,
                    squads: Sequence[str] = ()) -> Actor:
        """The account of ``email``, created (without a password) when missing: for sign-in
        through an OpenID Connect provider, whose groups decide the role. An existing account
        keeps its athlete; its role and squads follow the provider."""
        email = normalise_email(email)
        found = self.user(email)
        if found is None:
            row = self.store._read(lambda c: self._user_row(c, email))
            if row is not None:  # disabled
                raise AccessDenied(f"The account {email} is disabled; ask an admin.")
            return self.create_user(email, role, athlete, None, squads=squads)
        if (found.role, found.squads) != (role, tuple(sorted(squads))) and role != "owner":
            u = T["users"]
            self.store._write(lambda c: c.execute(sa.update(u).where(u.c.email == email).values(
                role=role, squads=json.dumps(sorted(squads)))), bump=False)
            return Actor(found.user_id, email, role, found.athlete,  # type: ignore[arg-type]
                         tuple(sorted(squads)))
        return found

    def users(self, by: Actor) -> pd.DataFrame:
        """DataFrame[user_id, email, role, athlete, squads, has_password, disabled, created_at]."""
        _manager(by)
        u = T["users"]
        rows = self.store._read(lambda c: c.execute(sa.select(u).order_by(u.c.email))
                                .mappings().all())
        return pd.DataFrame(
            [{"user_id": r["user_id"], "email": r["email"], "role": r["role"],
              "athlete": r["athlete"] or "", "squads": ", ".join(json.loads(r["squads"])),
              "has_password": r["password_hash"] is not None, "disabled": bool(r["disabled"]),
              "created_at": r["created_at"]} for r in rows],
            columns=["user_id", "email", "role", "athlete", "squads", "has_password",
                     "disabled", "created_at"])

    def set_password(self, email: str, password: str, *, by: Actor) -> None:
        """Set a password: one's own, or anyone's by an admin. Ends that user's sessions."""
        email = normalise_email(email)
        if by.email.casefold() != email:
            _manager(by, "reset someone else's password")
        pw_hash = _hasher().hash(check_password(password))
        u, s = T["users"], T["auth_sessions"]

        def tx(conn: sa.Connection) -> None:
            row = self._user_row(conn, email)
            if row is None:
                raise UsageError(f"There is no account for {email}.")
            conn.execute(sa.update(u).where(u.c.email == email).values(password_hash=pw_hash))
            conn.execute(sa.delete(s).where(s.c.user_id == row["user_id"]))

        self.store._write(tx, bump=False)
        write_audit(self.store, by, "account", [None], f"password set for {email}")

    # ------------------------------------------------------------------ login
    def _fails(self, conn: sa.Connection, col: sa.Column, value: str, now: datetime) -> int:
        la = T["login_attempts"]
        return int(conn.execute(sa.select(sa.func.count()).select_from(la).where(
            col == value, la.c.at > now - ATTEMPT_WINDOW)).scalar_one())

    def authenticate(self, email: str, password: str, client: str = "") -> Actor:
        """The actor for a correct e-mail and password; :class:`LoginRefused` otherwise.

        Refused without checking the password once the account or the client (an address or
        browser id) had too many failed attempts in the last :data:`ATTEMPT_WINDOW`."""
        e = str(email or "").strip().casefold()[:320]
        client = str(client or "unknown")[:200]
        la, u = T["login_attempts"], T["users"]
        now = _utcnow()
        per_account, per_client = self.store._read(lambda c: (
            self._fails(c, la.c.email, e, now), self._fails(c, la.c.client, client, now)))
        minutes = int(ATTEMPT_WINDOW.total_seconds() // 60)
        if per_account >= MAX_FAILS_PER_ACCOUNT or per_client >= MAX_FAILS_PER_CLIENT:
            raise LoginRefused(f"Too many failed logins; wait {minutes} minutes and try "
                               "again, or ask an admin to reset your password.")
        row = self.store._read(lambda c: self._user_row(c, e))
        ok = False
        if row is not None and row["password_hash"] and not row["disabled"]:
            from argon2.exceptions import InvalidHashError, VerificationError

            try:
                ok = _hasher().verify(row["password_hash"], str(password or ""))
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _hasher().hash("timing-equaliser")  # the same work whether the account exists
        if not ok:
            def fail(conn: sa.Connection) -> None:
                top = int(conn.execute(sa.select(sa.func.max(la.c.attempt_id))).scalar() or 0)
                conn.execute(sa.insert(la).values(attempt_id=top + 1, email=e, client=client,
                                                  at=now))
                conn.execute(sa.delete(la).where(la.c.at < now - 4 * ATTEMPT_WINDOW))

            self.store._write(fail, bump=False)
            raise LoginRefused("Wrong e-mail or password.")
        self.store._write(lambda c: c.execute(sa.delete(la).where(la.c.email == e)),
                          bump=False)
        if _hasher().check_needs_rehash(row["password_hash"]):
            new = _hasher().hash(str(password))
            self.store._write(lambda c: c.execute(sa.update(u).where(u.c.email == e)
                                                  .values(password_hash=new)), bump=False)
        return _actor(row)

    def start_session(self, actor: Actor, ttl: timedelta = SESSION_TTL) -> str:
        """A new login-session token for ``actor`` (stored hashed; expires after ``ttl``)."""
        if actor.user_id is None:
            raise UsageError("Only an account can have a login session.")
        token = secrets.token_urlsafe(32)
        s = T["auth_sessions"]
        now = _utcnow()

        def tx(conn: sa.Connection) -> None:
            conn.execute(sa.delete(s).where(s.c.expires_at < now))
            conn.execute(sa.insert(s).values(token_hash=_token_hash(token),
                                             user_id=actor.user_id, created_at=now,
                                             expires_at=now + ttl))

        self.store._write(tx, bump=False)
        return token

    def session_actor(self, token: str | None) -> Actor | None:
        """The actor of a live login-session token (None when unknown, expired, or the
        account is gone or disabled). Read from the database each time."""
        if not token:
            return None
        s, u = T["auth_sessions"], T["users"]
        q = (sa.select(u).select_from(s.join(u, u.c.user_id == s.c.user_id))
             .where(s.c.token_hash == _token_hash(str(token)), s.c.expires_at > _utcnow(),
                    u.c.disabled.is_(False)))
        row = self.store._read(lambda c: c.execute(q).mappings().first())
        return None if row is None else _actor(row)

    def end_session(self, token: str | None) -> None:
        if token:
            s = T["auth_sessions"]
            self.store._write(lambda c: c.execute(
                sa.delete(s).where(s.c.token_hash == _token_hash(str(token)))), bump=False)

    # ------------------------------------------------------------------ invitations
    def invite(self, email: str, role: str = "athlete", athlete: str | None = None, *,
               by: Actor, ttl: timedelta = INVITE_TTL) -> str:
        """Create the account (when missing) and a one-time link token to set its password.
        An admin invites anyone; a coach invites athletes."""
        if not by.manages and not (by.role == "coach" and role == "athlete"):
            raise AccessDenied("Only an admin (or a coach, for athletes) can invite.")
        email = normalise_email(email)
        if self.user(email) is None:
            self.create_user(email, role, athlete, None,
                             by=by if by.manages else Actor.operator())
        return self._link(email, "invite", by, ttl)

    def reset_link(self, email: str, *, by: Actor, ttl: timedelta = INVITE_TTL) -> str:
        """A one-time password-reset link token for ``email`` (admins only)."""
        _manager(by, "reset passwords")
        email = normalise_email(email)
        if self.user(email) is None:
            raise UsageError(f"There is no account for {email}.")
        return self._link(email, "reset", by, ttl)

    def _link(self, email: str, purpose: str, by: Actor, ttl: timedelta) -> str:
        token = secrets.token_urlsafe(32)
        inv = T["invitations"]
        now = _utcnow()
        self.store._write(lambda c: c.execute(sa.insert(inv).values(
            token_hash=_token_hash(token), email=email, purpose=purpose, created_by=by.label,
            created_at=now, expires_at=now + ttl)), bump=False)
        write_audit(self.store, by, "account", [None], f"{purpose} link for {email}")
        return token

    def invitation_email(self, token: str) -> str | None:
        """The e-mail a live (unused, unexpired) link is for, else None."""
        inv = T["invitations"]
        return self.store._read(lambda c: c.execute(sa.select(inv.c.email).where(
            inv.c.token_hash == _token_hash(str(token or "")), inv.c.used_at.is_(None),
            inv.c.expires_at > _utcnow())).scalar())

    def open_links(self, by: Actor) -> pd.DataFrame:
        """The invitation and password-reset links that still work (unused, unexpired), newest
        first, for admins: DataFrame[email, purpose, created_by, created_at, expires_at] (UTC;
        purpose "invitation" or "password reset"). The links themselves are not kept."""
        _manager(by, "see open links")
        inv = T["invitations"]
        rows = self.store._read(lambda c: c.execute(
            sa.select(inv.c.email, inv.c.purpose, inv.c.created_by, inv.c.created_at,
                      inv.c.expires_at)
            .where(inv.c.used_at.is_(None), inv.c.expires_at > _utcnow())
            .order_by(inv.c.created_at.desc(), inv.c.email)).all())
        words = {"invite": "invitation", "reset": "password reset"}
        return pd.DataFrame(
            [{"email": r[0], "purpose": words.get(r[1], r[1]), "created_by": r[2],
              "created_at": r[3], "expires_at": r[4]} for r in rows],
            columns=["email", "purpose", "created_by", "created_at", "expires_at"])

    def withdraw_links(self, email: str, *, by: Actor) -> int:
        """Make every open link of ``email`` unusable (admins only); returns how many."""
        _manager(by, "withdraw links")
        email = normalise_email(email)
        inv = T["invitations"]
        n = self.store._write(lambda c: c.execute(
            sa.update(inv).where(inv.c.email == email, inv.c.used_at.is_(None),
                                 inv.c.expires_at > _utcnow())
            .values(used_at=_utcnow())).rowcount, bump=False)
        if n:
            write_audit(self.store, by, "account", [None], f"withdrew {n} link(s) for {email}")
        return int(n or 0)

    def accept_invitation(self, token: str, password: str) -> Actor:
        """Set the password through a one-time link; returns the signed-in actor."""
        check_password(password)
        pw_hash = _hasher().hash(password)
        inv, u, s = T["invitations"], T["users"], T["auth_sessions"]
        th = _token_hash(str(token or ""))
        now = _utcnow()

        def tx(conn: sa.Connection) -> Any:
            email = conn.execute(sa.select(inv.c.email).where(
                inv.c.token_hash == th, inv.c.used_at.is_(None),
                inv.c.expires_at > now)).scalar()
            if email is None:
                raise AccessDenied("This link is not valid any more (used or expired); ask "
                                   "for a new one.")
            conn.execute(sa.update(inv).where(inv.c.token_hash == th).values(used_at=now))
            row = self._user_row(conn, email)
            if row is None:
                raise AccessDenied("The account of this link no longer exists.")
            conn.execute(sa.update(u).where(u.c.email == email).values(password_hash=pw_hash))
            conn.execute(sa.delete(s).where(s.c.user_id == row["user_id"]))
            return self._user_row(conn, email)

        return _actor(self.store._write(tx, bump=False))

    # ------------------------------------------------------------------ grants and squads
    def _may_share(self, by: Actor, athlete: str) -> None:
        if by.manages or (by.role == "athlete" and by.athlete == athlete):
            return
        raise AccessDenied(f"Only '{athlete}' or an admin can share the data of '{athlete}'.")

    def grant(self, athlete: str, *, coach: str | None = None, squad: str | None = None,
              by: Actor) -> None:
        """Give a coach (by e-mail) or a squad access to ``athlete``'s data."""
        athlete = str(athlete or "").strip()
        self._may_share(by, athlete)
        kind, grantee = self._grantee(coach, squad)
        if kind == "coach":
            target = self.user(grantee)
            if target is None or target.role not in ("coach", "admin"):
                raise UsageError(f"There is no coach account for {grantee}.")
        if athlete not in set(self.store.athletes()["name"]):
            raise UsageError(f"There is no athlete named '{athlete}'.")
        g = T["grants"]

        def tx(conn: sa.Connection) -> None:
            conn.execute(sa.delete(g).where(g.c.athlete == athlete, g.c.kind == kind,
                                            g.c.grantee == grantee))
            conn.execute(sa.insert(g).values(athlete=athlete, kind=kind, grantee=grantee,
                                             granted_by=by.label, granted_at=_utcnow()))

        self.store._write(tx, bump=False)
        write_audit(self.store, by, "grant", [athlete], f"{kind} {grantee}")

    def revoke(self, athlete: str, *, coach: str | None = None, squad: str | None = None,
               by: Actor) -> bool:
        """Withdraw a grant (at once); False when there was none."""
        athlete = str(athlete or "").strip()
        self._may_share(by, athlete)
        kind, grantee = self._grantee(coach, squad)
        g = T["grants"]
        n = self.store._write(lambda c: c.execute(sa.delete(g).where(
            g.c.athlete == athlete, g.c.kind == kind, g.c.grantee == grantee)).rowcount,
            bump=False)
        write_audit(self.store, by, "revoke", [athlete], f"{kind} {grantee}")
        return bool(n)

    @staticmethod
    def _grantee(coach: str | None, squad: str | None) -> tuple[str, str]:
        if (coach is None) == (squad is None):
            raise UsageError("Name either a coach's e-mail or a squad.")
        if coach is not None:
            return "coach", normalise_email(coach)
        name = str(squad).strip()
        if not name:
            raise UsageError("A squad needs a name.")
        return "squad", name

    def grants(self, by: Actor, athlete: str | None = None) -> pd.DataFrame:
        """DataFrame[athlete, kind, grantee, granted_by, granted_at]: who has access to
        ``athlete`` (None: every athlete the actor may share, i.e. all for an admin)."""
        if athlete is None and not by.manages:
            athlete = by.athlete or ""
        if athlete is not None:
            self._may_share(by, athlete)
        g = T["grants"]
        q = sa.select(g.c.athlete, g.c.kind, g.c.grantee, g.c.granted_by, g.c.granted_at) \
            .order_by(g.c.athlete, g.c.kind, g.c.grantee)
        if athlete is not None:
            q = q.where(g.c.athlete == athlete)
        rows = self.store._read(lambda c: c.execute(q).all())
        return pd.DataFrame([tuple(r) for r in rows],
                            columns=["athlete", "kind", "grantee", "granted_by", "granted_at"])

    def set_squad_coach(self, squad: str, email: str, *, by: Actor,
                        coaches: bool = True) -> None:
        """Make the coach ``email`` a coach of ``squad`` (``coaches=False``: no longer)."""
        _manager(by, "assign coaches to squads")
        squad = str(squad or "").strip()
        if not squad:
            raise UsageError("A squad needs a name.")
        coach = self.user(email)
        if coach is None or coach.role not in ("coach", "admin"):
            raise UsageError(f"There is no coach account for {email}.")
        sc = T["squad_coaches"]

        def tx(conn: sa.Connection) -> None:
            conn.execute(sa.delete(sc).where(sc.c.squad == squad,
                                             sc.c.user_id == coach.user_id))
            if coaches:
                conn.execute(sa.insert(sc).values(squad=squad, user_id=coach.user_id))

        self.store._write(tx, bump=False)
        write_audit(self.store, by, "account", [None],
                    f"{coach.email} {'coaches' if coaches else 'no longer coaches'} {squad}")

    def squads(self) -> pd.DataFrame:
        """DataFrame[squad, coach]: every squad with a coach (names only; no athlete data)."""
        sc, u = T["squad_coaches"], T["users"]
        rows = self.store._read(lambda c: c.execute(
            sa.select(sc.c.squad, u.c.email).select_from(sc.join(u, u.c.user_id == sc.c.user_id))
            .order_by(sc.c.squad, u.c.email)).all())
        return pd.DataFrame([tuple(r) for r in rows], columns=["squad", "coach"])

    def coaches(self) -> list[str]:
        """E-mails of the coach accounts (for an athlete's "grant to" picker)."""
        u = T["users"]
        return list(self.store._read(lambda c: c.execute(
            sa.select(u.c.email).where(u.c.role == "coach", u.c.disabled.is_(False))
            .order_by(u.c.email)).scalars()))

    # ------------------------------------------------------------------ audit log
    def audit(self, by: Actor, athlete: str | None = None, limit: int = 1000) -> pd.DataFrame:
        """DataFrame[at, actor, role, action, athlete, detail], newest first: an athlete reads
        the rows about themself, an admin every row (or those about ``athlete``)."""
        if not by.manages:
            if by.role != "athlete" or not by.athlete:
                raise AccessDenied("Only an athlete (about themself) or an admin can read the "
                                   "audit log.")
            if athlete not in (None, by.athlete):
                raise AccessDenied("You can read the audit log about yourself only.")
            athlete = by.athlete
        log = T["audit_log"]
        q = sa.select(log.c.at, log.c.actor, log.c.role, log.c.action, log.c.athlete,
                      log.c.detail).order_by(log.c.audit_id.desc()).limit(max(1, int(limit)))
        if athlete is not None:
            q = q.where(log.c.athlete == athlete)
        rows = self.store._read(lambda c: c.execute(q).all())
        return pd.DataFrame([tuple(r) for r in rows],
                            columns=["at", "actor", "role", "action", "athlete", "detail"])

    # ------------------------------------------------------------------ my data
    def export_everything(self, by: Actor) -> bytes:
        """A zip of everything about the athlete account ``by``: sessions (with notes and
        edits), the edit rows, imports, wellness, the athlete's settings, who has access, and
        the audit log about them. Recorded in the audit log."""
        from stridewise import exports

        if by.role != "athlete" or not by.athlete:
            raise AccessDenied("Only an athlete account has data of its own to download.")
        name = by.athlete
        ss = ScopedStore(self.store, by)
        sessions = ss.sessions([name])
        edits = ss.overrides()
        athlete = ss.athletes()
        files = {
            "sessions.csv": sessions, "edits.csv": edits, "imports.csv": ss.imports(name),
            "wellness.csv": ss.wellness([name]), "athlete.csv": athlete,
            "access.csv": self.grants(by, name), "audit_log.csv": self.audit(by),
        }
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for fname, df in files.items():
                zf.writestr(fname, exports.csv_bytes(df.reset_index(drop=True)))
            zf.writestr("account.json", json.dumps(
                {"email": by.email, "role": by.role, "athlete": name,
                 "exported_at": _utcnow().isoformat(timespec="seconds")}, indent=2))
        write_audit(self.store, by, "export", [name], "everything about me (zip)")
        return buf.getvalue()

    def delete_account(self, by: Actor, email: str | None = None) -> int:
        """Delete an account; for an athlete account also the athlete's data, grants and the
        audit rows about them. ``email`` None: ``by``'s own account. Returns sessions removed."""
        target = self.user(email) if email else self.user(by.email)
        if target is None:
            raise UsageError(f"There is no account for {email or by.email}.")
        if target.email != by.email:
            _manager(by, "delete other accounts")
        removed = 0
        athlete = target.athlete if target.role == "athlete" else None
        if athlete and athlete in set(self.store.athletes()["name"]):
            removed = self.store.delete_athlete(athlete)
        u, s, g, sc, log = (T["users"], T["auth_sessions"], T["grants"], T["squad_coaches"],
                            T["audit_log"])

        def tx(conn: sa.Connection) -> None:
            conn.execute(sa.delete(s).where(s.c.user_id == target.user_id))
            conn.execute(sa.delete(sc).where(sc.c.user_id == target.user_id))
            conn.execute(sa.delete(g).where(g.c.kind == "coach", g.c.grantee == target.email))
            if athlete:
                conn.execute(sa.delete(g).where(g.c.athlete == athlete))
                conn.execute(sa.delete(log).where(log.c.athlete == athlete))
            conn.execute(sa.delete(u).where(u.c.user_id == target.user_id))

        self.store._write(tx, bump=False)
        write_audit(self.store, by, "account", [None], f"deleted the account {target.email}")
        return removed

