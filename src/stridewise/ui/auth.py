"""Who is using the app: the acting user of this browser session, the login form, log-out.

* :func:`current_actor` — the :class:`~stridewise.access.Actor` of this session, or None when
  nobody is signed in (club mode). Personal mode (``STRIDEWISE_AUTH`` unset or ``none``) always
  gives :meth:`Actor.personal`. ``local`` reads this session's login token (kept in
  ``st.session_state`` and checked against the store on every run, so an expired or revoked
  session ends at once); ``oidc`` dispatches to :func:`oidc_actor`.
* :func:`login_screen` — what an anonymous visitor sees: the login form (e-mail, password,
  "Log in") or, with ``?invite=TOKEN`` in the address, the form that sets a password.
* :func:`logout_button` — ends the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from stridewise.access import Actor, auth_mode
from stridewise.errors import StridewiseError
from stridewise.ui import fmt

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

TOKEN_KEY = "sw_auth_token"
ACTOR_KEY = "sw_actor"
INVITE_PARAM = "invite"


def mode() -> str:
    """``none`` (personal), ``local`` or ``oidc``."""
    return auth_mode()


def client_id() -> str:
    """The client a login attempt comes from (for rate limiting): the address the request
    came from, or the forwarding proxy's client address."""
    headers = getattr(st.context, "headers", None) or {}
    forwarded = str(headers.get("X-Forwarded-For", "") or "").split(",")[0].strip()
    ip = getattr(st.context, "ip_address", None)
    return forwarded or str(ip or "unknown")


def current_actor(store: Store) -> Actor | None:
    """The acting user of this browser session (None: nobody signed in)."""
    m = mode()
    if m == "none":
        return Actor.personal()
    if m == "oidc":
        return oidc_actor(store)
    from stridewise.accounts import Accounts

    return Accounts(store).session_actor(st.session_state.get(TOKEN_KEY))


# ---------------------------------------------------------------------------- oidc (part B)

def oidc_actor(store: Store) -> Actor | None:
    """The actor signed in through OpenID Connect (``st.login``), or None: the provider's groups
    claim mapped to a role in the settings, the account provisioned on login
    (:mod:`stridewise.ui.oidc_login`)."""
    from stridewise.ui import oidc_login

    return oidc_login.oidc_actor(store)


def oidc_login_screen(store: Store) -> None:
    """The "Log in" button (``st.login``) for an anonymous visitor."""
    from stridewise.ui import oidc_login

    oidc_login.login_screen(store)


# ---------------------------------------------------------------------------- local accounts

def login_screen(store: Store) -> None:
    """The only thing an anonymous visitor sees in club mode."""
    st.title("Stridewise")
    if mode() == "oidc":
        oidc_login_screen(store)
        return
    token = st.query_params.get(INVITE_PARAM)
    if token:
        _invitation_form(store, str(token))
        return
    st.markdown("Log in to see your training or your athletes.")
    with st.form("sw_login", border=True):
        email = st.text_input("E-mail", key="sw_login_email", autocomplete="username")
        password = st.text_input("Password", type="password", key="sw_login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        from stridewise.accounts import Accounts

        try:
            actor = Accounts(store).authenticate(email, password, client_id())
        except StridewiseError as exc:
            st.error(fmt.md_escape(exc.message), icon=":material/lock:")
            return
        sign_in(store, actor)
        st.rerun()
    st.caption("No account yet? Ask your coach or club admin for an invitation link.")


def _invitation_form(store: Store, token: str) -> None:
    from stridewise.accounts import MIN_PASSWORD_LEN, Accounts

    acc = Accounts(store)
    email = acc.invitation_email(token)
    if email is None:
        st.error("This link is not valid any more (used or expired); ask for a new one.")
        return
    st.markdown(f"Choose a password for **{fmt.md_escape(email)}** "
                f"(at least {MIN_PASSWORD_LEN} characters).")
    with st.form("sw_invite", border=True):
        pw = st.text_input("New password", type="password", key="sw_invite_pw",
                           autocomplete="new-password")
        again = st.text_input("Repeat the password", type="password", key="sw_invite_pw2",
                              autocomplete="new-password")
        submitted = st.form_submit_button("Set password and log in", type="primary")
    if submitted:
        if pw != again:
            st.error("The two passwords differ; type the same password twice.")
            return
        try:
            actor = acc.accept_invitation(token, pw)
        except StridewiseError as exc:
            st.error(fmt.md_escape(exc.message))
            return
        sign_in(store, actor)
        st.query_params.clear()
        st.rerun()


def sign_in(store: Store, actor: Actor) -> None:
    """Start a stored login session for ``actor`` in this browser session."""
    from stridewise.accounts import Accounts

    st.session_state[TOKEN_KEY] = Accounts(store).start_session(actor)
    st.session_state[ACTOR_KEY] = actor


def sign_out(store: Store) -> None:
    from stridewise.accounts import Accounts

    Accounts(store).end_session(st.session_state.pop(TOKEN_KEY, None))
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def logout_button(store: Store, actor: Actor) -> None:
    """In the sidebar: who is signed in, and a log-out button (club mode)."""
    if mode() == "none":
        return
    st.caption(f"Signed in as {fmt.md_escape(actor.email)} ({actor.role})")
    if st.button("Log out", key="sw_logout", icon=":material/logout:"):
        if mode() == "oidc":
            st.session_state.clear()
            st.logout()
        sign_out(store)
        st.rerun()
