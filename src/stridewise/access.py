"""Who may read and change which athlete's data: the acting user and the scoped store.

Stridewise runs in one of two modes (``STRIDEWISE_AUTH``):

* **personal** (unset or ``none``): one runner on a laptop; :meth:`Actor.personal` has every
  right and nothing is audited;
* **club** (``local`` or ``oidc``): every page, download, report and CLI command acts as a
  signed-in :class:`Actor` through a :class:`ScopedStore`, which checks each call against
  :data:`POLICY` before it reaches the :class:`~stridewise.store.Store`.

Rights. An *owner* (personal mode) and an *admin* manage everything. An *athlete* account owns
the athlete of its ``athlete`` name: it reads and changes only that athlete's data. A *coach*
reads the athletes who granted access to them (directly, or to a squad they coach) and edits
the area and RPE of those athletes' sessions (every edit names the coach); an assistant coach
(``Actor.squads`` not empty) sees only athletes granted to those squads.

Every view, export and change of an athlete's data by a club actor writes an audit row
(:mod:`stridewise.accounts` reads them back). Views are recorded at most once per actor,
athlete and :data:`VIEW_AUDIT_INTERVAL_S` per process, so a page rerun does not flood the log.

Adding a ``Store`` method: add one line to :data:`POLICY` (its first parameter is ``athlete``
or ``athletes`` by convention); a method missing from the table is refused.
"""

from __future__ import annotations

import inspect
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

import pandas as pd
import sqlalchemy as sa

from stridewise.errors import StridewiseError
from stridewise.store_schema import T

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

Role = Literal["owner", "admin", "coach", "athlete"]
ROLES: Final[tuple[str, ...]] = ("owner", "admin", "coach", "athlete")
#: Roles that manage everything (every athlete, accounts, settings, backup/restore).
MANAGERS: Final[frozenset[str]] = frozenset({"owner", "admin"})
#: The operator's name in the audit log.
COMMAND_LINE: Final[str] = "command line"
#: A club actor's view of one athlete is logged at most once per this many seconds per process.
VIEW_AUDIT_INTERVAL_S: Final[float] = 300.0

AuthMode = Literal["none", "local", "oidc"]


class AccessDenied(StridewiseError):
    """The acting user may not do this; ``message`` says so in one plain sentence."""


def auth_mode(env: dict[str, str] | None = None) -> AuthMode:
    """The access mode from ``STRIDEWISE_AUTH``: ``none`` (personal, the default), ``local``
    or ``oidc``. Anything else is refused with a sentence (a typo must not open a club's data)."""
    raw = (env if env is not None else os.environ).get("STRIDEWISE_AUTH", "").strip().lower()
    if raw in ("", "none", "personal", "off"):
        return "none"
    if raw in ("local", "oidc"):
        return raw  # type: ignore[return-value]
    raise StridewiseError(f"STRIDEWISE_AUTH={raw!r} is not a mode Stridewise knows; use none "
                          "(personal), local (built-in accounts) or oidc (OpenID Connect).")


@dataclass(frozen=True)
class Actor:
    """The acting user. ``user_id`` None for the built-in actors (personal owner, operator).

    ``athlete``: the athlete an athlete account owns. ``squads``: for a coach, the squads an
    assistant coach is limited to (empty: not limited).
    """

    user_id: int | None
    email: str
    role: Role
    athlete: str | None = None
    squads: tuple[str, ...] = ()

    @classmethod
    def personal(cls) -> Actor:
        """Personal mode: the laptop's owner, with every right and nothing to log in."""
        return cls(None, "", "owner")

    @classmethod
    def operator(cls) -> Actor:
        """Whoever runs the command line with the server's shell and database: admin rights,
        audited as "command line"."""
        return cls(None, COMMAND_LINE, "admin")

    @property
    def manages(self) -> bool:
        """Owner or admin: every athlete, accounts, settings, backup/restore."""
        return self.role in MANAGERS

    @property
    def label(self) -> str:
        """How the audit log and edit rows name this actor."""
        return self.email or "personal"

    @property
    def audited(self) -> bool:
        """Club actors are audited; the personal owner is alone with their data."""
        return self.role != "owner"


# --------------------------------------------------------------------------------- the policy

Kind = Literal["open", "use", "view", "change", "edit", "admin", "note", "plan", "review"]
Target = Literal["none", "athlete", "athletes", "session", "import", "report", "result",
                 "squad"]


@dataclass(frozen=True)
class Access:
    """One line of the policy.

    ``kind``: ``open`` (any signed-in actor; no athlete data), ``use`` (any signed-in actor; a
    harmless write such as a CSV column mapping), ``view`` (read athlete data), ``change``
    (write athlete data: the athlete themself or a manager), ``edit`` (area/RPE of a session:
    also a coach of that athlete), ``admin`` (managers only), ``note`` (anyone who sees the
    athlete writes a note, attributed to them; an athlete's notes are athlete-visible),
    ``plan`` (a plan: managers, and coaches who see the athlete or coach the squad),
    ``review`` (seen marks: anyone who sees the athlete, always in their own name).
    ``target``: where the athletes concerned are found: ``athlete`` / ``athletes`` (the first
    parameter; ``athletes`` None means every visible athlete), ``session`` / ``import`` (the
    first parameter is a session or import id), ``report`` (an import's ``athlete`` or its
    sessions' name), ``result`` (the result is filtered to the visible athletes), ``none``.
    """

    kind: Kind
    target: Target = "none"


#: Every public Store method and what it needs. A method not named here is refused.
POLICY: Final[dict[str, Access]] = {
    "schema_version": Access("open"),
    "version": Access("open"),
    "athletes": Access("view", "result"),
    "upsert_athlete": Access("change", "athlete"),
    "retime_athlete": Access("change", "athlete"),
    "delete_athlete": Access("change", "athlete"),
    "has_demo": Access("open"),
    "clear_demo": Access("admin"),
    "import_reports": Access("change", "report"),
    "import_report": Access("change", "report"),
    "import_parts": Access("view", "athlete"),
    "wellness": Access("view", "athletes"),
    "imports": Access("view", "athletes"),
    "import_detail": Access("view", "import"),
    "remove_import": Access("change", "import"),
    "sessions": Access("view", "athletes"),
    "session_sources": Access("view", "session"),
    "set_override": Access("edit", "session"),
    "clear_override": Access("edit", "session"),
    "overrides": Access("view", "result"),
    "settings": Access("open"),
    "save_settings": Access("admin"),
    "rules": Access("open"),
    "save_rules": Access("admin"),
    "add_rule": Access("admin"),
    "confirm_area": Access("edit", "session"),
    "mapping_profiles": Access("open"),
    "save_mapping_profile": Access("use"),
    "delete_mapping_profile": Access("admin"),
    "athlete_versions": Access("view", "result"),
    "squad_snapshot": Access("view", "result"),
    "weekly_volume": Access("view", "athletes"),
    "daily_metrics": Access("view", "athletes"),
    "table_frames": Access("admin"),
    "backup": Access("admin"),
    "restore": Access("admin"),
    "close": Access("open"),
    # --- the runner's log (sessions logged by hand, routines, batch RPE) ---
    "add_manual_session": Access("change", "athlete"),
    "add_manual_sessions": Access("change", "athlete"),
    "update_manual_session": Access("change", "athlete"),
    "delete_manual_session": Access("change", "athlete"),
    "split_session": Access("change", "athlete"),
    "set_rpes": Access("change", "athlete"),
    "routines": Access("view", "athlete"),
    "save_routine": Access("change", "athlete"),
    "delete_routine": Access("change", "athlete"),
    "weekly_totals": Access("view", "athletes"),
    # --- check-ins and niggles ---
    "checkins": Access("view", "athletes"),
    "save_checkin": Access("change", "athlete"),
    "save_checkins": Access("change", "athlete"),
    "delete_checkin": Access("change", "athlete"),
    "niggles": Access("view", "athletes"),
    "niggle_updates": Access("view", "athletes"),
    "add_niggle": Access("change", "athlete"),
    "update_niggle": Access("change", "athlete"),
    "resolve_niggle": Access("change", "athlete"),
    "delete_niggle": Access("change", "athlete"),
    # --- plans ---
    "plan_versions": Access("view", "athletes"),
    "save_athlete_plan": Access("plan", "athlete"),
    "save_squad_plan": Access("plan", "squad"),
    # --- the coach's review ---
    "add_note": Access("note", "athlete"),
    "edit_note": Access("note", "athlete"),
    "notes": Access("view", "athletes"),
    "mark_seen": Access("review", "athlete"),
    "mark_seen_many": Access("review", "athletes"),
    "review_marks": Access("review", "athletes"),
    "review_version": Access("open"),
    "review_activity": Access("view", "athletes"),
    "last_session_starts": Access("view", "athletes"),
    "secret": Access("admin"),
    "set_secret": Access("admin"),
}

#: Plain attributes of a Store a scoped store passes on (no data behind them).
ATTRIBUTES: Final[frozenset[str]] = frozenset({"display_url", "backend"})

#: Keyword arguments a coach may pass to an ``edit`` method (area and RPE only).
COACH_EDIT_FIELDS: Final[frozenset[str]] = frozenset({"area", "rpe", "session_id", "rule"})


def store_methods(store_cls: type | None = None) -> list[str]:
    """The public methods and properties of ``Store`` (what the policy must cover)."""
    if store_cls is None:
        from stridewise.store import Store as store_cls  # noqa: N813
    return sorted(n for n, _ in inspect.getmembers(store_cls)
                  if not n.startswith("_") and n not in ("from_env",))


# ------------------------------------------------------------------------- database look-ups

def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def visible_athletes(store: Store, actor: Actor) -> set[str] | None:
    """The athletes ``actor`` may see; None = every athlete (owner, admin). Read from the
    database on every call, so a revoked grant takes effect at once."""
    if actor.manages:
        return None
    if actor.role == "athlete":
        return {actor.athlete} if actor.athlete else set()
    if actor.role != "coach":
        return set()
    g, sc = T["grants"], T["squad_coaches"]

    def read(conn: sa.Connection) -> set[str]:
        member = set(conn.execute(sa.select(sc.c.squad).where(
            sc.c.user_id == actor.user_id)).scalars()) if actor.user_id is not None else set()
        squads = member & set(actor.squads) if actor.squads else member
        conds = [sa.and_(g.c.kind == "squad", g.c.grantee.in_(sorted(squads)))] if squads \
            else []
        if not actor.squads:
            conds.append(sa.and_(g.c.kind == "coach", g.c.grantee == actor.email.casefold()))
        if not conds:
            return set()
        return set(conn.execute(sa.select(g.c.athlete).where(sa.or_(*conds))).scalars())

    return store._read(read)


def session_owner(store: Store, session_id: str) -> str | None:
    s = T["sessions"]
    return store._read(lambda c: c.execute(
        sa.select(s.c.athlete).where(s.c.session_id == str(session_id))).scalar())


def import_owner(store: Store, import_id: int) -> str | None:
    imp = T["imports"]
    try:
        iid = int(import_id)
    except (TypeError, ValueError):
        return None
    return store._read(lambda c: c.execute(
        sa.select(imp.c.athlete).where(imp.c.import_id == iid)).scalar())


def write_audit(store: Store, actor: Actor, action: str, athletes: Iterable[str | None],
                detail: str = "") -> None:
    """Append one audit row per athlete (``""`` for an action about no athlete). Never bumps
    the data version (an audit row changes no figure)."""
    names = sorted({a or "" for a in athletes}) or [""]
    log = T["audit_log"]
    now = _utcnow()

    def tx(conn: sa.Connection) -> None:
        top = int(conn.execute(sa.select(sa.func.max(log.c.audit_id))).scalar() or 0)
        conn.execute(sa.insert(log), [
            {"audit_id": top + i + 1, "at": now, "actor": actor.label, "role": actor.role,
             "action": action, "athlete": name, "detail": detail[:500]}
            for i, name in enumerate(names)])

    store._write(tx, bump=False)


class _ViewThrottle:
    """Per process: when each (actor, athlete) view was last written to the audit log."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, ...], float] = {}
        self.lock = threading.Lock()

    def due(self, key: tuple[str, ...], now: float) -> bool:
        with self.lock:
            last = self.seen.get(key)
            if last is not None and now - last < VIEW_AUDIT_INTERVAL_S:
                return False
            if len(self.seen) > 50_000:
                self.seen.clear()
            self.seen[key] = now
            return True


_THROTTLE = _ViewThrottle()


# ------------------------------------------------------------------------------ scoped store

def _report_athlete(report: Any, athlete: str | None) -> str:
    if athlete is not None:
        return str(athlete).strip()
    sessions = getattr(report, "sessions", None)
    if isinstance(sessions, pd.DataFrame) and "athlete" in sessions.columns:
        names = sessions["athlete"].astype(str).unique().tolist()
        if len(names) == 1:
            return names[0].strip()
    return "me"


_SIGNATURES: dict[str, inspect.Signature] = {}


def _signature(store: Store, name: str) -> inspect.Signature:
    if name not in _SIGNATURES:
        _SIGNATURES[name] = inspect.signature(getattr(type(store), name))
    return _SIGNATURES[name]


class ScopedStore:
    """A :class:`~stridewise.store.Store` as seen by one actor: every call is checked against
    :data:`POLICY`, reads of many athletes are limited to the visible ones, writes are checked
    and attributed, and club actors' views, exports and changes are audited.

    Pages, downloads, reports and the CLI use this object only. ``actor`` None is refused.
    """

    def __init__(self, store: Store, actor: Actor | None) -> None:
        if isinstance(store, ScopedStore):
            store = store.raw
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_actor", actor)

    # -- identity -----------------------------------------------------------------------------
    @property
    def raw(self) -> Store:
        """The unscoped store (for the accounts module and tests; never for pages)."""
        return self._store

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise AccessDenied("Log in first: nothing about any athlete is shown before that.")
        return self._actor

    def __repr__(self) -> str:
        who = self._actor.label if self._actor else "nobody"
        return f"ScopedStore({self._store.display_url!r}, {who})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("A scoped store cannot be changed.")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in ATTRIBUTES:
            return getattr(self._store, name)
        rule = POLICY.get(name)
        if rule is None:
            raise AccessDenied(f"'{name}' is not an operation Stridewise allows through an "
                               "account.")

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(name, rule, args, kwargs)

        call.__name__ = name
        return call

    # -- rights -------------------------------------------------------------------------------
    def visible(self) -> set[str] | None:
        """The athletes this actor may see (None: all)."""
        return visible_athletes(self._store, self.actor)

    def visible_names(self) -> list[str]:
        """The visible athletes that exist, sorted."""
        names = self._store.athletes()["name"].tolist()
        vis = self.visible()
        return [n for n in names if vis is None or n in vis]

    def can_view(self, athlete: str) -> bool:
        vis = self.visible()
        return vis is None or athlete in vis

    def _check_view(self, names: Iterable[str]) -> None:
        vis = self.visible()
        if vis is None:
            return
        for n in names:
            if n not in vis:
                raise AccessDenied(f"You have no access to the data of '{n}'; the athlete can "
                                   "grant it on their Account page.")

    def _check_write(self, kind: Kind, names: Iterable[str], fields: Iterable[str] = ()) -> None:
        actor = self.actor
        if actor.manages:
            return
        for n in names:
            if actor.role == "athlete" and actor.athlete is not None and n == actor.athlete:
                continue
            if kind == "edit" and actor.role == "coach":
                self._check_view([n])
                extra = sorted(set(fields) - COACH_EDIT_FIELDS)
                if extra:
                    raise AccessDenied(f"A coach may change the area and RPE of a session, not "
                                       f"its {extra[0]}.")
                continue
            raise AccessDenied(f"Only '{n}' or an admin can change the data of '{n}'.")

    def _audit(self, action: str, names: Iterable[str | None], detail: str) -> None:
        actor = self.actor
        if not actor.audited:
            return
        if action == "view":
            now = time.monotonic()
            where = f"{id(self._store)}:{self._store.display_url}"  # one store object
            names = [n for n in names
                     if _THROTTLE.due((where, actor.label, n or "", detail), now)]
            if not names:
                return
        write_audit(self._store, actor, action, names, detail)

    def record_view(self, athletes: Iterable[str], what: str = "page") -> None:
        """Note that the actor was shown these athletes' data (throttled per process)."""
        names = list(athletes)
        self._check_view(names)
        self._audit("view", names, what)

    def record_export(self, athletes: Iterable[str], what: str) -> None:
        """Note that the actor downloaded these athletes' data (always written)."""
        names = list(athletes)
        self._check_view(names)
        self._audit("export", names, what)

    # -- the call -----------------------------------------------------------------------------
    def _call(self, name: str, rule: Access, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
        actor = self.actor
        store = self._store
        fn: Callable[..., Any] = getattr(store, name)
        if rule.kind == "open" or actor.role == "owner":
            return fn(*args, **kwargs)  # personal mode: every right, nothing audited
        if rule.kind in ("admin",) and not actor.manages:
            raise AccessDenied("Only an admin can do this.")
        if rule.kind == "use":
            return fn(*args, **kwargs)
        if rule.kind == "admin":
            result = fn(*args, **kwargs)
            self._audit("change" if name != "table_frames" and name != "backup" else "export",
                        [None], name)
            return result
        sig = _signature(store, name)
        # partial: the scope is checked before the store complains about a missing argument
        bound = sig.bind_partial(store, *args, **kwargs)
        params = list(sig.parameters)[1:]
        first = params[0] if params else ""
        value = bound.arguments.get(first)
        if rule.kind == "review" and actor.audited:
            bound.arguments["reviewer"] = actor.label  # marks are always the actor's own
        if rule.kind == "note" and actor.audited:
            bound.arguments["author"] = actor.label
            bound.arguments["author_role"] = actor.role
            if actor.role == "athlete":
                bound.arguments["visibility"] = "athlete"
        if rule.target == "squad":
            squad = str(value or "")
            if not (actor.manages or (actor.role == "coach"
                                      and (not actor.squads or squad in actor.squads))):
                raise AccessDenied("Only a coach of that squad or an admin can change its plan.")
            if "changed_by" in sig.parameters and actor.audited:
                bound.arguments["changed_by"] = actor.label
            result = fn(*bound.args[1:], **bound.kwargs)
            self._audit("change", [None], f"{name} {squad}")
            return result
        if rule.kind == "review" and rule.target == "athletes":
            names = [value] if isinstance(value, str) else list(value or ())
            if value is None and self.visible() is not None:
                bound.arguments[first] = sorted(self.visible() or ())
            else:
                self._check_view(names)
            return fn(*bound.args[1:], **bound.kwargs)
        if rule.target == "athletes":
            vis = self.visible()
            narrow = False
            if value is None:
                if vis is not None:
                    if first == "athletes":
                        bound.arguments[first] = sorted(vis)
                    else:  # one optional athlete (e.g. imports): filter what comes back
                        narrow = True
                names = None
            else:
                names = [value] if isinstance(value, str) else list(value)
                self._check_view(names)
            result = fn(*bound.args[1:], **bound.kwargs)
            if narrow and isinstance(result, pd.DataFrame) and "athlete" in result.columns:
                result = result.loc[result["athlete"].isin(sorted(vis or ()))] \
                    .reset_index(drop=True)
            if name == "notes" and actor.audited:
                from stridewise.notes import visible_notes

                role = {"admin": "staff"}.get(actor.role, actor.role)
                viewer = actor.athlete if actor.role == "athlete" and actor.athlete \
                    else actor.label
                mine = result.loc[result["author"].astype(str) == actor.label] \
                    if len(result) else result
                seen = visible_notes(result, role, viewer)
                result = pd.concat([seen, mine]).drop_duplicates(
                    subset=["note_id", "version"]).sort_index() if len(mine) else seen
            if actor.audited:
                self._audit("view", names if names is not None else self._names_in(result),
                            name)
            return result
        if rule.target == "result":
            result = fn(*args, **kwargs)
            return self._filter(name, result)
        if rule.target == "athlete":
            names = [str(value).strip()] if value is not None else []
        elif rule.target == "session":
            owner = session_owner(store, str(value))
            if owner is None:
                return fn(*args, **kwargs)  # the store says there is no such session
            names = [owner]
        elif rule.target == "import":
            owner = import_owner(store, value)
            if owner is None:
                return fn(*args, **kwargs)
            names = [owner]
        elif rule.target == "report":
            reports = value if name == "import_reports" else [value]
            reports = list(reports)
            athlete = bound.arguments.get("athlete")
            names = sorted({_report_athlete(r, athlete) for r in reports})
            if name == "import_reports":
                bound.arguments[first] = reports
        else:  # pragma: no cover - every target is handled above
            raise AccessDenied(f"'{name}' has no access rule.")
        if rule.kind == "view":
            self._check_view(names)
            result = fn(*bound.args[1:], **bound.kwargs)
            self._audit("view", names, name)
            return result
        if rule.kind in ("note", "review"):
            self._check_view(names)  # who sees the athlete may write a note / mark them seen
            result = fn(*bound.args[1:], **bound.kwargs)
            if rule.kind == "note":
                self._audit("change", names, name)
            return result
        if rule.kind == "plan":
            if not (actor.manages or actor.role == "coach"):
                raise AccessDenied("Only a coach of the athlete or an admin can change a plan.")
            self._check_view(names)
            if "changed_by" in sig.parameters and actor.audited:
                bound.arguments["changed_by"] = actor.label
            result = fn(*bound.args[1:], **bound.kwargs)
            self._audit("change", names, name)
            return result
        fields = [k for k, v in bound.arguments.items() if k != "self" and v is not ...
                  and not (k == "rule" and v is None)]
        self._check_write(rule.kind, names, fields)
        if rule.kind == "edit" and "edited_by" in sig.parameters and actor.audited:
            bound.arguments["edited_by"] = actor.label
        if name == "confirm_area" and bound.arguments.get("rule") is not None \
                and not actor.manages:
            raise AccessDenied("Only an admin can add a classification rule for everyone; "
                               "confirm the area without the rule.")
        result = fn(*bound.args[1:], **bound.kwargs)
        self._audit("change", names, name)
        return result

    @staticmethod
    def _names_in(result: Any) -> list[str]:
        if isinstance(result, pd.DataFrame) and "athlete" in result.columns:
            return sorted(set(result["athlete"].astype(str)))
        return []

    def _filter(self, name: str, result: Any) -> Any:
        vis = self.visible()
        if name == "athletes":
            shown = result if vis is None else \
                result.loc[result["name"].isin(sorted(vis))].reset_index(drop=True)
            return shown
        if name == "athlete_versions":
            return result if vis is None else {k: v for k, v in result.items() if k in vis}
        if name == "overrides":
            if vis is None:
                return result
            owners = self._store._read(lambda c: dict(c.execute(sa.select(
                T["sessions"].c.session_id, T["sessions"].c.athlete)).all()))
            keep = result["session_id"].map(owners).isin(sorted(vis))
            return result.loc[keep].reset_index(drop=True)
        if name == "squad_snapshot":
            if vis is None:
                self._audit("view", self._names_in(result.analysis.risk), "squad")
                return result
            a = result.analysis
            parts = {}
            for field in ("sessions", "parts", "weekly", "risk", "balance"):
                df = getattr(a, field)
                if isinstance(df, pd.DataFrame) and "athlete" in df.columns:
                    df = df.loc[df["athlete"].isin(sorted(vis))].reset_index(drop=True)
                parts[field] = df
            self._audit("view", sorted(vis), "squad")
            return replace(result, analysis=type(a)(**parts))
        raise AccessDenied(f"'{name}' has no result filter.")  # pragma: no cover


def scoped(store: Store | ScopedStore, actor: Actor | None) -> ScopedStore:
    """``store`` as seen by ``actor``."""
    return ScopedStore(store if not isinstance(store, ScopedStore) else store.raw, actor)
