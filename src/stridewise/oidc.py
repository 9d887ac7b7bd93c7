"""Club mode with an OpenID Connect provider: from the provider's claims to a Stridewise role.

Pure functions, no Streamlit: ``ui/oidc_login.py`` reads the claims of the logged-in user
(``st.user``) and calls :func:`decide`. The rules:

* The role comes from one claim of the ID token that lists the user's groups (``groups`` by
  default; Keycloak's realm roles are ``realm_access.roles``, Microsoft Entra ID sends group
  object ids in ``groups`` or app roles in ``roles``). The claim name and the group → role
  mapping are settings (key ``oidc``), edited by an admin on the Settings page.
* A user in several mapped groups gets the most powerful of their roles (admin > coach >
  athlete). No mapping, or none of the user's groups mapped: no access, with one sentence that
  says why. The e-mail addresses in ``STRIDEWISE_OIDC_ADMINS`` are admins whatever their groups,
  so that the first admin can log in and write the mapping.
* The account is the user's e-mail address (``email``, else an e-mail-shaped
  ``preferred_username`` or ``upn``, as Microsoft sends). An address the provider marks as not
  verified (``email_verified`` false) is refused: anyone could otherwise claim a coach's address.
* An athlete account is linked to its athlete by the athlete already recorded for that e-mail
  (``users add EMAIL --role athlete --athlete NAME``, or an earlier login), else on the first login
  by the settings' e-mail → athlete mapping.

Group names are compared without case and without a leading ``/`` (Keycloak sends full group
paths such as ``/coaches`` when "Full group path" is on).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stridewise.errors import UsageError

#: The settings key that holds the OpenID Connect configuration.
SETTINGS_KEY = "oidc"
#: Roles a provider group may give, least powerful first.
ROLES: tuple[str, ...] = ("athlete", "coach", "admin")
DEFAULT_GROUPS_CLAIM = "groups"
#: Environment variable: comma-separated e-mail addresses that are admins whatever their groups.
ADMINS_ENV = "STRIDEWISE_OIDC_ADMINS"

_CLAIM_NAME = re.compile(r"^[A-Za-z0-9_.:/\-]{1,200}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class OidcConfig:
    """What the admin set: the claim that lists groups, which group gives which role, and which
    e-mail address belongs to which athlete. Keys of the mappings are normalised."""

    groups_claim: str = DEFAULT_GROUPS_CLAIM
    group_roles: Mapping[str, str] = field(default_factory=dict)
    athlete_emails: Mapping[str, str] = field(default_factory=dict)

    def to_settings(self) -> dict[str, Any]:
        """The JSON-able value stored under :data:`SETTINGS_KEY`."""
        return {"groups_claim": self.groups_claim, "group_roles": dict(self.group_roles),
                "athlete_emails": dict(self.athlete_emails)}


@dataclass(frozen=True)
class Decision:
    """The outcome of one login: ``role`` None means no access, and ``message`` says why."""

    email: str | None
    role: str | None
    groups: tuple[str, ...]
    athlete: str | None
    message: str

    @property
    def allowed(self) -> bool:
        return self.role is not None


# --------------------------------------------------------------------------- normalising


def normalise_group(name: object) -> str:
    """A group name as compared: trimmed, case-folded, without a leading ``/``."""
    return str(name).strip().lstrip("/").strip().casefold()


def normalise_email(email: object) -> str:
    return str(email).strip().casefold()


def validate_claim_name(name: object) -> str:
    """The claim name, trimmed; raises :class:`UsageError` for an empty or odd one."""
    text = str(name or "").strip()
    if not _CLAIM_NAME.match(text):
        raise UsageError(f"'{text}' is not a claim name: use letters, digits and . _ : / - "
                         "(for example groups, roles or realm_access.roles).")
    return text


def validate_group_roles(rows: Iterable[tuple[object, object]]) -> dict[str, str]:
    """A group → role mapping from (group, role) pairs; blank rows are ignored.

    Raises :class:`UsageError` for an unknown role or a group mapped to two different roles.
    """
    out: dict[str, str] = {}
    for group, role in rows:
        g = normalise_group(group if group is not None else "")
        r = str(role if role is not None else "").strip().casefold()
        if not g and not r:
            continue
        if not g:
            raise UsageError(f"A row gives the role '{r}' but names no group.")
        if r not in ROLES:
            raise UsageError(f"'{role}' is not a role for the group '{group}': use one of "
                             f"{', '.join(ROLES)}.")
        if g in out and out[g] != r:
            raise UsageError(f"The group '{group}' is mapped to two roles ({out[g]} and {r}); "
                             "keep one.")
        out[g] = r
    return out


def validate_athlete_emails(rows: Iterable[tuple[object, object]]) -> dict[str, str]:
    """An e-mail → athlete mapping from (e-mail, athlete) pairs; blank rows are ignored."""
    out: dict[str, str] = {}
    for email, athlete in rows:
        e = normalise_email(email if email is not None else "")
        a = str(athlete if athlete is not None else "").strip()
        if not e and not a:
            continue
        if not _EMAIL.match(e):
            raise UsageError(f"'{email}' is not an e-mail address.")
        if not a:
            raise UsageError(f"The e-mail address {e} names no athlete.")
        if e in out and out[e] != a:
            raise UsageError(f"The e-mail address {e} is linked to two athletes ({out[e]} and "
                             f"{a}); keep one.")
        out[e] = a
    return out


def _pairs(value: Any) -> list[tuple[object, object]]:
    return list(value.items()) if isinstance(value, Mapping) else []


def config_from_settings(settings: Mapping[str, Any] | None) -> OidcConfig:
    """The configuration saved in the settings (defaults where absent or unreadable: a settings
    value written by hand must not lock everybody out with a traceback)."""
    raw = (settings or {}).get(SETTINGS_KEY) or {}
    if not isinstance(raw, Mapping):
        return OidcConfig()
    try:
        claim = validate_claim_name(raw.get("groups_claim") or DEFAULT_GROUPS_CLAIM)
    except UsageError:
        claim = DEFAULT_GROUPS_CLAIM
    roles: dict[str, str] = {}
    for g, r in _pairs(raw.get("group_roles")):
        try:
            roles.update(validate_group_roles([(g, r)]))
        except UsageError:
            continue
    emails: dict[str, str] = {}
    for e, a in _pairs(raw.get("athlete_emails")):
        try:
            emails.update(validate_athlete_emails([(e, a)]))
        except UsageError:
            continue
    return OidcConfig(groups_claim=claim, group_roles=roles, athlete_emails=emails)


def with_config(settings: Mapping[str, Any] | None, config: OidcConfig) -> dict[str, Any]:
    """A copy of ``settings`` with ``config`` stored under :data:`SETTINGS_KEY` (other keys
    untouched)."""
    return {**dict(settings or {}), SETTINGS_KEY: config.to_settings()}


def bootstrap_admins(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """The e-mail addresses in ``STRIDEWISE_OIDC_ADMINS`` (comma or space separated)."""
    raw = (os.environ if env is None else env).get(ADMINS_ENV, "") or ""
    return frozenset(normalise_email(p) for p in re.split(r"[,\s;]+", raw) if p.strip())


# --------------------------------------------------------------------------- claims


def _lookup(claims: Mapping[str, Any], name: str) -> Any:
    """The claim ``name``: an exact key first (namespaced claims such as
    ``https://club.example/groups`` contain dots), else a dotted path into nested objects."""
    if name in claims:
        return claims[name]
    node: Any = claims
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _as_names(value: Any) -> list[str]:
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return [text] if text else []
    if isinstance(value, Mapping):  # {"name": ...} objects, or {group: true}
        for key in ("name", "displayName", "display_name", "id", "value"):
            if key in value and isinstance(value[key], (str, int)):
                return _as_names(value[key])
        return [str(k) for k, v in value.items() if v is True]
    if isinstance(value, (list, tuple, set, frozenset)):
        out: list[str] = []
        for item in value:
            out.extend(_as_names(item))
        return out
    return []


def groups_from_claims(claims: Mapping[str, Any], claim: str = DEFAULT_GROUPS_CLAIM) -> tuple[
        str, ...]:
    """The group names in ``claim`` of the ID token, in the provider's spelling, without
    duplicates. A single string is one group; lists of strings or of ``{"name": ...}`` objects
    are read as such; a missing claim gives no groups."""
    seen: set[str] = set()
    out: list[str] = []
    for name in _as_names(_lookup(claims, claim)):
        key = normalise_group(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name.strip())
    return tuple(out)


def email_from_claims(claims: Mapping[str, Any]) -> str | None:
    """The user's e-mail address (normalised), or None when the provider sent none."""
    for key in ("email", "preferred_username", "upn"):
        value = claims.get(key)
        if isinstance(value, str) and _EMAIL.match(value.strip()):
            return normalise_email(value)
    return None


def _email_unverified(claims: Mapping[str, Any]) -> bool:
    flag = claims.get("email_verified")
    if isinstance(flag, str):
        return flag.strip().casefold() in ("false", "0", "no")
    return flag is False


def role_for_groups(groups: Sequence[str], group_roles: Mapping[str, str]) -> str | None:
    """The most powerful role any of ``groups`` is mapped to, or None."""
    ranks = [ROLES.index(group_roles[g]) for g in map(normalise_group, groups)
             if group_roles.get(g) in ROLES]
    return ROLES[max(ranks)] if ranks else None


def decide(claims: Mapping[str, Any], config: OidcConfig, *,
           admins: Iterable[str] = (), linked_athlete: str | None = None) -> Decision:
    """Who the logged-in user is in Stridewise.

    ``claims``: the ID token's claims (``st.user``); ``admins``: bootstrap admin e-mail
    addresses; ``linked_athlete``: the athlete already recorded for this e-mail, if any.
    """
    email = email_from_claims(claims)
    groups = groups_from_claims(claims, config.groups_claim)
    if email is None:
        return Decision(None, None, groups, None,
                        "Your sign-in provider sent no e-mail address, and Stridewise names "
                        "accounts by e-mail: ask the club's admin to add the 'email' scope "
                        "for Stridewise at the provider.")
    if _email_unverified(claims):
        return Decision(email, None, groups, None,
                        f"Your sign-in provider says the address {email} is not verified yet: "
                        "verify it there, then log in again.")
    role = "admin" if email in {normalise_email(a) for a in admins} else None
    if role is None:
        if not config.group_roles:
            return Decision(email, None, groups, None,
                            f"You are signed in as {email}, but nobody gets access through the "
                            "sign-in provider yet: an admin has to map the provider's groups to "
                            "Stridewise roles on the Settings page.")
        role = role_for_groups(groups, config.group_roles)
        if role is None:
            listed = ", ".join(groups) if groups else "none"
            return Decision(email, None, groups, None,
                            f"You are signed in as {email}, but none of your groups gives access "
                            f"to Stridewise (your '{config.groups_claim}' claim lists: {listed}). "
                            "Ask the club's admin to add you to a group that does.")
    athlete = None
    if role == "athlete":
        # an existing account keeps its athlete (accounts.ensure_user); the mapping links a
        # first login
        athlete = (linked_athlete or None) or config.athlete_emails.get(email)
        if not athlete:
            return Decision(email, None, groups, None,
                            f"You are signed in as {email} with an athlete account, but it is "
                            "not linked to an athlete yet: ask your coach or the club's admin "
                            "to link your e-mail address to your name.")
    return Decision(email, role, groups, athlete, f"Signed in as {email} ({role}).")


# --------------------------------------------------------------------------- secrets.toml

#: Keys Streamlit's ``st.login`` needs in ``[auth]`` (or in ``[auth.NAME]`` for a named provider;
#: redirect_uri and cookie_secret always sit in ``[auth]`` itself).
AUTH_KEYS: tuple[str, ...] = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS: tuple[str, ...] = ("client_id", "client_secret", "server_metadata_url")


def provider_from_auth_section(section: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """Which provider ``st.login`` should use, from the ``[auth]`` section of
    ``.streamlit/secrets.toml``: ``(None, None)`` for the provider keys in ``[auth]`` itself,
    ``(NAME, None)`` for exactly one ``[auth.NAME]`` table, or ``(None, sentence)`` saying what is
    missing. Secrets are never echoed."""
    where = "the [auth] section of .streamlit/secrets.toml"
    if not section:
        return None, (f"Club mode with OpenID Connect needs {where} (redirect_uri, "
                      "cookie_secret, client_id, client_secret, server_metadata_url); "
                      "docs/deploy.md shows it for Keycloak, Authentik, Google and Microsoft.")
    missing = [k for k in AUTH_KEYS if not str(section.get(k) or "").strip()]
    if missing:
        return None, f"{where.capitalize()} lacks {', '.join(missing)}; see docs/deploy.md."
    redirect = str(section.get("redirect_uri")).strip()
    if not redirect.endswith("/oauth2callback"):
        return None, (f"The redirect_uri in {where} must end with /oauth2callback (for example "
                      "https://stride.club.example/oauth2callback).")
    named = sorted(k for k, v in section.items() if isinstance(v, Mapping)
                   and k != "client_kwargs")
    if any(str(section.get(k) or "").strip() for k in PROVIDER_KEYS):
        missing = [k for k in PROVIDER_KEYS if not str(section.get(k) or "").strip()]
        if missing:
            return None, f"{where.capitalize()} lacks {', '.join(missing)}; see docs/deploy.md."
        return None, None
    if len(named) == 1:
        sub = section[named[0]]
        missing = [k for k in PROVIDER_KEYS if not str(sub.get(k) or "").strip()]
        if missing:
            return None, (f"The [auth.{named[0]}] section of .streamlit/secrets.toml lacks "
                          f"{', '.join(missing)}; see docs/deploy.md.")
        return named[0], None
    if named:
        return None, (f"{where.capitalize()} names several providers ({', '.join(named)}); "
                      "Stridewise signs in through one: keep one.")
    return None, (f"{where.capitalize()} lacks client_id, client_secret, server_metadata_url; "
                  "see docs/deploy.md.")
