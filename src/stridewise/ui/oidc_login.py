"""Club mode with OpenID Connect (``STRIDEWISE_AUTH=oidc``): Streamlit's ``st.login`` /
``st.user`` / ``st.logout``, the role from the provider's groups (:mod:`stridewise.oidc`), the
account provisioned through :meth:`stridewise.accounts.Accounts.ensure_user`, and the admin's
editor for the claim name, the group → role mapping and the e-mail → athlete links.

Before login, and for a user whose groups give no access, the page shows one sentence and a
button, never anything about an athlete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

import pandas as pd
import streamlit as st

from stridewise import oidc
from stridewise.accounts import Accounts
from stridewise.errors import StridewiseError
from stridewise.ui import fmt

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.access import Actor
    from stridewise.store import Store

def _auth_section() -> dict[str, Any]:
    try:
        section = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 - no or unreadable secrets.toml: said by the caller
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section or {})


def _refused(message: str) -> NoReturn:
    """A signed-in user who gets no access: the reason and the way out, nothing else."""
    st.title("Stridewise")
    st.warning(fmt.md_escape(message), icon=":material/lock:")
    if st.button("Log out", key="sw_oidc_logout_refused", icon=":material/logout:"):
        st.session_state.clear()
        st.logout()
    st.stop()


def login_screen(store: Store) -> None:  # noqa: ARG001 - same signature as the local form
    """What an anonymous visitor sees: one sentence and the "Log in" button (``st.login``), or
    the sentence that says what the server's configuration lacks."""
    provider, problem = oidc.provider_from_auth_section(_auth_section())
    if problem:
        st.error(fmt.md_escape(problem))
        return
    st.markdown("Log in with your club account to see your training or your athletes.")
    if st.button("Log in", type="primary", key="sw_oidc_login", icon=":material/login:"):
        try:
            if provider:
                st.login(provider)
            else:
                st.login()
        except Exception as exc:  # noqa: BLE001 - Streamlit's auth errors carry no user sentence
            st.error("The sign-in provider could not be reached or is misconfigured "
                     f"({type(exc).__name__}); the server log has the details.")


def oidc_actor(store: Store) -> Actor | None:
    """The user signed in through the provider, as an actor; None when nobody is signed in (or
    the server lacks its ``[auth]`` configuration: :func:`login_screen` says so). A signed-in
    user whose groups give no access sees why, and the script run stops."""
    _provider, problem = oidc.provider_from_auth_section(_auth_section())
    if problem or not st.user.is_logged_in:
        return None
    claims = {k: v for k, v in st.user.to_dict().items() if k != "tokens"}
    # decided on every run: a changed mapping or a disabled account takes effect at once
    accounts = Accounts(store)
    email = oidc.email_from_claims(claims)
    try:
        settings = store.settings() or {}
        existing = accounts.user(email) if email else None
    except StridewiseError as exc:
        _refused(exc.message)
    decision = oidc.decide(claims, oidc.config_from_settings(settings),
                           admins=oidc.bootstrap_admins(),
                           linked_athlete=existing.athlete if existing else None)
    if not decision.allowed or decision.email is None or decision.role is None:
        _refused(decision.message)
    squads = existing.squads if existing is not None and decision.role == "coach" else ()
    try:
        return accounts.ensure_user(decision.email, decision.role, decision.athlete,
                                    squads=squads)
    except StridewiseError as exc:
        _refused(exc.message)
    return None  # pragma: no cover - _refused stops the run


# --------------------------------------------------------------------------- admin editor


def settings_editor(store: Store, actor: Actor) -> None:
    """The admin's form for the groups claim, the group → role mapping and the e-mail → athlete
    links (saved under the ``oidc`` settings key)."""
    if not actor.manages:
        st.info("Only an admin can change how the sign-in provider's groups map to roles.")
        return
    saved = store.settings() or {}
    cfg = oidc.config_from_settings(saved)
    st.caption("Who gets in through the club's sign-in provider: the claim of the ID token that "
               "lists a user's groups, and the role each group gives (a user in several groups "
               "gets the most powerful). Without a mapping nobody gets in except the addresses "
               f"in {oidc.ADMINS_ENV}.")
    with st.form("sw_oidc_settings"):
        claim = st.text_input("Groups claim", value=cfg.groups_claim,
                              help="groups, roles, realm_access.roles (Keycloak realm roles), "
                                   "email (one address per row below) ...")
        roles = st.data_editor(
            pd.DataFrame(sorted(cfg.group_roles.items()), columns=["group", "role"]),
            num_rows="dynamic", hide_index=True, key="sw_oidc_roles",
            column_config={"group": st.column_config.TextColumn("Group"),
                           "role": st.column_config.SelectboxColumn("Role",
                                                                    options=list(oidc.ROLES))})
        links = st.data_editor(
            pd.DataFrame(sorted(cfg.athlete_emails.items()), columns=["email", "athlete"]),
            num_rows="dynamic", hide_index=True, key="sw_oidc_links",
            column_config={"email": st.column_config.TextColumn("E-mail of an athlete account"),
                           "athlete": st.column_config.TextColumn("Athlete")})
        if not st.form_submit_button("Save sign-in settings"):
            return
    try:
        new = oidc.OidcConfig(
            groups_claim=oidc.validate_claim_name(claim),
            group_roles=oidc.validate_group_roles(roles[["group", "role"]].itertuples(
                index=False, name=None)),
            athlete_emails=oidc.validate_athlete_emails(links[["email", "athlete"]].itertuples(
                index=False, name=None)))
        store.save_settings(oidc.with_config(store.settings() or {}, new))
    except StridewiseError as exc:
        st.error(fmt.md_escape(exc.message))
        return
    st.success(f"Saved: {len(new.group_roles)} group(s) mapped, claim '{new.groups_claim}'.")


def settings_section(store: Store) -> None:
    """On the Settings page in ``oidc`` mode: the sign-in section for the signed-in admin
    (nothing in the other modes)."""
    from stridewise.ui import auth

    actor = st.session_state.get(auth.ACTOR_KEY)
    if auth.mode() != "oidc" or actor is None:
        return
    st.subheader("Sign-in provider: groups and roles")
    settings_editor(store, actor)
