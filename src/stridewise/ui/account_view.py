"""The Account page (club mode): what each role manages about access.

* athlete: who has access, grant a coach or a squad, revoke, the audit log about me, download
  everything about me, delete my account and data;
* coach: my athletes, invite an athlete;
* admin: users, invitations, password reset, squads and their coaches, the audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from stridewise.accounts import Accounts
from stridewise.errors import StridewiseError
from stridewise.ui import auth, fmt, widgets

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.access import Actor, ScopedStore


def _flash(text: str) -> None:
    st.session_state["account_flash"] = text


def render(store: ScopedStore) -> None:
    actor = store.actor
    acc = Accounts(store)
    st.title("Account")
    if actor.role == "owner":
        st.info("Stridewise runs in personal mode: there are no accounts, and only this "
                "computer reaches the app. Set STRIDEWISE_AUTH=local to share it with a club.")
        return
    flash = st.session_state.pop("account_flash", None)
    if flash:
        st.success(fmt.md_escape(flash), icon=":material/check:")
    st.caption(f"Signed in as {fmt.md_escape(actor.email)} · role: {actor.role}"
               + (f" · athlete: {fmt.md_escape(actor.athlete)}" if actor.athlete else ""))
    if actor.role == "athlete":
        _athlete(store, acc, actor)
    elif actor.role == "coach":
        _coach(store, acc, actor)
    else:
        _admin(store, acc, actor)


# --------------------------------------------------------------------------- athlete

def _athlete(store: ScopedStore, acc: Accounts, actor: Actor) -> None:
    name = actor.athlete or ""
    st.subheader("Who has access to my data", anchor=False)
    grants = acc.grants(actor, name)
    if grants.empty:
        st.caption("Nobody but you (and the club's admins).")
    for i, row in grants.iterrows():
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        who = "coach" if row["kind"] == "coach" else "squad"
        c1.markdown(f"{who}: **{fmt.md_escape(row['grantee'])}**")
        if c2.button("Revoke", key=f"acct_revoke_{i}", icon=":material/block:"):
            _do(lambda r=row: acc.revoke(name, by=actor, **{r["kind"]: r["grantee"]}),
                f"Access of {row['grantee']} revoked.")
    st.subheader("Grant access", anchor=False)
    with st.form("acct_grant"):
        coaches = acc.coaches()
        kind = st.radio("To", ["a coach", "a squad"], horizontal=True, key="acct_grant_kind")
        coach = st.selectbox("Coach", coaches, key="acct_grant_coach",
                             index=None, placeholder="Pick a coach")
        squads = sorted(set(acc.squads()["squad"]))
        squad = st.selectbox("Squad", squads, key="acct_grant_squad", index=None,
                             placeholder="Pick a squad")
        if st.form_submit_button("Grant access", type="primary"):
            target = {"coach": coach} if kind == "a coach" else {"squad": squad}
            if not next(iter(target.values())):
                st.error("Pick whom to grant access to.")
            else:
                _do(lambda: acc.grant(name, by=actor, **target),
                    f"Access granted to {next(iter(target.values()))}.")
    st.subheader("Everything about me", anchor=False)
    st.download_button("Download everything (zip)", data=lambda: acc.export_everything(actor),
                       file_name="stridewise-my-data.zip", mime="application/zip",
                       key="acct_export", icon=":material/download:", on_click="ignore")
    _audit(acc, actor)
    st.subheader("Delete my account", anchor=False)
    st.caption("Removes your account, every session, edit and import, and who had access. "
               "This cannot be undone.")
    sure = st.checkbox("I understand that all my data will be deleted", key="acct_del_sure")
    if st.button("Delete my account and data", key="acct_delete", disabled=not sure,
                 icon=":material/delete_forever:"):
        try:
            acc.delete_account(actor)
        except StridewiseError as exc:
            widgets.show_error(exc)
            return
        auth.sign_out(store.raw)
        st.rerun()


# --------------------------------------------------------------------------- coach

def _coach(store: ScopedStore, acc: Accounts, actor: Actor) -> None:
    st.subheader("My athletes", anchor=False)
    names = store.visible_names()
    if not names:
        st.info("No athlete has granted you access yet. Athletes grant it on their Account "
                "page (to you, or to a squad you coach).")
    else:
        st.markdown("\n".join(f"- {fmt.md_escape(n)}" for n in names))
    if actor.squads:
        st.caption("You are an assistant coach for: " + ", ".join(actor.squads))
    _invite_form(acc, actor, roles=["athlete"])


# --------------------------------------------------------------------------- admin

def _admin(store: ScopedStore, acc: Accounts, actor: Actor) -> None:
    users_tab, squads_tab, audit_tab = st.tabs(["Users", "Squads", "Audit log"])
    with users_tab:
        st.dataframe(acc.users(actor), hide_index=True, width="stretch")
        _invite_form(acc, actor, roles=["athlete", "coach", "admin"])
        _open_links(acc, actor)
        st.subheader("Password reset", anchor=False)
        with st.form("acct_reset"):
            email = st.text_input("E-mail of the account", key="acct_reset_email")
            if st.form_submit_button("Make a reset link"):
                try:
                    token = acc.reset_link(email, by=actor)
                except StridewiseError as exc:
                    widgets.show_error(exc)
                else:
                    _show_link(token, "Send this one-time link to the user")
    with squads_tab:
        st.dataframe(acc.squads(), hide_index=True, width="stretch")
        with st.form("acct_squad"):
            squad = st.text_input("Squad", key="acct_squad_name")
            coach = st.selectbox("Coach", acc.coaches(), index=None, key="acct_squad_coach")
            on = st.radio("Status", ["coaches this squad", "no longer coaches it"],
                          key="acct_squad_on", horizontal=True, label_visibility="collapsed")
            if st.form_submit_button("Save"):
                _do(lambda: acc.set_squad_coach(squad, coach or "", by=actor,
                                                coaches=on == "coaches this squad"),
                    "Squad saved.")
    with audit_tab:
        _audit(acc, actor)


def _open_links(acc: Accounts, actor: Actor) -> None:
    """Invitation and reset links not yet used and not expired, and a way to withdraw them."""
    st.subheader("Open links", anchor=False)
    links = acc.open_links(actor)
    if links.empty:
        st.caption("No invitation or reset link is waiting to be used.")
        return
    st.caption("Invitation and password-reset links that still work (times in UTC). Withdraw "
               "a link sent to the wrong address or no longer wanted.")
    st.dataframe(links.rename(columns={
        "email": "E-mail", "purpose": "Link", "created_by": "Made by", "created_at": "Made",
        "expires_at": "Works until"}), hide_index=True, width="stretch", key="acct_links")
    with st.form("acct_withdraw"):
        email = st.selectbox("E-mail", sorted(set(links["email"])), key="acct_withdraw_email")
        if st.form_submit_button("Withdraw its links"):
            _do(lambda: acc.withdraw_links(email or "", by=actor),
                f"The open links of {email} no longer work.")


# --------------------------------------------------------------------------- shared

def _audit(acc: Accounts, actor: Actor) -> None:
    st.subheader("Audit log", anchor=False)
    st.caption("Who viewed, exported or changed which athlete's data (newest first).")
    log = acc.audit(actor, limit=500)
    st.dataframe(log, hide_index=True, width="stretch", key="acct_audit")


def _invite_form(acc: Accounts, actor: Actor, roles: list[str]) -> None:
    st.subheader("Invite", anchor=False)
    with st.form("acct_invite"):
        email = st.text_input("E-mail", key="acct_inv_email")
        role = st.selectbox("Role", roles, key="acct_inv_role")
        athlete = st.text_input("Athlete name (for an athlete account)", key="acct_inv_athlete")
        if st.form_submit_button("Make an invitation link"):
            try:
                token = acc.invite(email, role, athlete.strip() or None, by=actor)
            except StridewiseError as exc:
                widgets.show_error(exc)
            else:
                _show_link(token, "Send this one-time invitation link")


def _show_link(token: str, text: str) -> None:
    base = str(getattr(st.context, "url", "") or "").split("?")[0].rstrip("/")
    for page in ("/Account", "/account"):
        if base.endswith(page):
            base = base[: -len(page)]
    st.success(f"{text} (valid for three days):", icon=":material/link:")
    st.code(f"{base or ''}/?{auth.INVITE_PARAM}={token}", language=None)


def _do(fn: object, done: str) -> None:
    try:
        fn()  # type: ignore[operator]
    except StridewiseError as exc:
        widgets.show_error(exc)
        return
    _flash(done)
    st.rerun()
