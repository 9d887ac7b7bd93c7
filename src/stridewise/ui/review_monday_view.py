"""Pieces of the Monday review page (pages/9_Review.py): since your last review, the chase
list, notes on an athlete's week or session, and the weekly squad digest (download, e-mail).

Every number comes from the library (:mod:`stridewise.review`, :mod:`stridewise.digest`,
:mod:`stridewise.notes`); user text is shown escaped or in widgets that render plain text.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from stridewise import digest, mailer, review
from stridewise.assessment import Assessment, assess_all
from stridewise.errors import StridewiseError
from stridewise.notes import (
    VISIBILITIES,
    VISIBILITY_LABELS,
    current_notes,
    note_history,
    visible_notes,
)
from stridewise.ui import fmt, state, widgets
from stridewise.ui.state import View

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

USER_KEY = "sw_user"  # {"name": ..., "role": ...} when club-mode sign-in has set it
WEEK_KEY = "review_week"
_SEEN_NONCE = "review_seen_nonce"
_ATHLETE_KEPT = "review_athlete_kept"
DETAILS_KEY = "review_details"
#: Who reads an e-mailed digest: the squad's staff (coach-private notes stay out of it).
EMAIL_READER = ("staff", "")


def viewer() -> tuple[str, str]:
    """(role, id) of the person reading: the signed-in account in club mode, else the single
    user of personal mode."""
    user = st.session_state.get(USER_KEY)
    if isinstance(user, dict) and user.get("name") and user.get("role"):
        return str(user["role"]), str(user["name"])
    return "personal", review.PERSONAL_REVIEWER


def assessments(view: View, names: list[str]) -> list[Assessment]:
    """Every athlete's current assessment (memoised on the squad view)."""
    return state.memo(view, ("review_assess", tuple(names)), lambda: assess_all(
        view.analysis, settings=view.settings, as_of=view.as_of, athletes=names))


def week_picker(view: View) -> date:
    """The week under review: the last full week by default, or ``?week=`` from the URL."""
    last = review.review_week(view.as_of, view.settings.week_start)
    weeks = [last - timedelta(days=7 * i) for i in range(0, 12)]
    raw = st.query_params.get(state.QP_WEEK)
    if raw and st.session_state.get("review_week_applied") != raw:
        st.session_state["review_week_applied"] = raw
        try:
            wk = date.fromisoformat(raw[:10])
            wk = wk - timedelta(days=(wk - last).days % 7)
            if wk not in weeks and wk <= last:
                weeks.append(wk)
            if wk in weeks:
                st.session_state[WEEK_KEY] = wk
        except ValueError:
            st.warning(fmt.md_escape(f"The link's week {raw!r} is not a date (YYYY-MM-DD)."))
    if st.session_state.get(WEEK_KEY) not in weeks:
        st.session_state[WEEK_KEY] = last
    week = st.selectbox("Week under review", weeks, key=WEEK_KEY,
                        format_func=lambda w: f"{w:%a %d %b} – {w + timedelta(days=6):%a %d %b %Y}"
                        + (" (last full week)" if w == last else ""))
    st.session_state["review_week_applied"] = week.isoformat()
    if st.query_params.get(state.QP_WEEK) != week.isoformat():
        st.query_params[state.QP_WEEK] = week.isoformat()
    return week


def _athlete_url(name: str, week: date) -> str:
    from urllib.parse import urlencode

    return "Athlete?" + urlencode(state.link_params(name, week))


def _summary(r: review.AthleteReview) -> str:
    parts = []
    for kind, one, many in (("level", "risk level rose", "risk level rose"),
                            ("flag", "new flag", "new flags"),
                            ("niggle", "niggle", "niggles"), ("wellness", "wellness flag",
                                                              "wellness flags"),
                            ("missed", "plan item not done", "plan items not done"),
                            ("session", "new session", "new sessions"),
                            ("edit", "edit", "edits")):
        n = r.count(kind)
        if n:
            parts.append(one if kind == "level" else f"{n} {one if n == 1 else many}")
    return ", ".join(parts)


def since_table(found: list[review.AthleteReview], week: date) -> None:
    """The athletes with changes, in triage order, each with a link to their page and week.
    Each change written out ("What changed", tall rows of wrapped text) is shown on request;
    a new visitor's table holds one line per athlete with the changes counted."""
    if not found:
        st.success("Nothing new since your last review.", icon=":material/done_all:")
        return
    details = st.toggle("Show every change", key=DETAILS_KEY)
    data = {
        "Athlete": [r.athlete for r in found],
        "Risk": [fmt.risk_label(r.assessment.level) for r in found],
        "Since": [f"{r.last_seen.seen_at:%d %b %H:%M} UTC" if r.last_seen else "never reviewed"
                  for r in found],
        "Changes": [_summary(r) for r in found],
    }
    if details:
        data["What changed"] = [" · ".join(c.text for c in r.changes[:6])
                                + (f" · and {len(r.changes) - 6} more" if len(r.changes) > 6
                                   else "") for r in found]
    data["Open"] = [_athlete_url(r.athlete, week) for r in found]
    row = 76 if details else 35
    st.dataframe(pd.DataFrame(data), hide_index=True, width="stretch", row_height=row,
                 key="review_since", height=min(40 + (row + 1) * len(found), 620),
                 column_config={
                     "Athlete": st.column_config.TextColumn(pinned=True, width="medium"),
                     "Risk": st.column_config.TextColumn(width="small"),
                     "Since": st.column_config.TextColumn(
                         width="small", help="Your last seen mark of this athlete"),
                     "Changes": st.column_config.TextColumn(
                         width="medium" if details else "large"),
                     "What changed": st.column_config.TextColumn(width="large"),
                     "Open": st.column_config.LinkColumn(
                         display_text="Open week", width="small",
                         help="The athlete's page on this week (a link you can bookmark)")})


def mark_controls(store: Store, found: list[review.AthleteReview], week: date,
                  reviewer: str) -> None:
    """Mark some or all of the listed athletes seen for the week."""
    if not found:
        return
    names = [r.athlete for r in found]
    nonce = st.session_state.get(_SEEN_NONCE, 0)
    cols = st.columns([4, 1, 1], vertical_alignment="bottom")
    picked = cols[0].multiselect("Mark seen", names, key=f"review_pick_{nonce}",
                                 placeholder="Choose athletes you have reviewed")
    one = cols[1].button("Mark seen", key="review_mark", disabled=not picked,
                         icon=":material/visibility:", width="stretch")
    every = cols[2].button("Mark all seen", key="review_mark_all", width="stretch",
                           icon=":material/done_all:")
    chosen = names if every else (picked if one else [])
    if chosen:
        by = {r.athlete: r.assessment for r in found}
        try:
            store.mark_seen_many(chosen, week, reviewer=reviewer,
                                 levels={n: by[n].level for n in chosen},
                                 flag_keys={n: review.flag_keys(by[n]) for n in chosen})
        except StridewiseError as exc:
            widgets.show_error(exc)
            return
        st.session_state[_SEEN_NONCE] = nonce + 1
        st.toast(f"Marked {len(chosen)} athlete{'s' if len(chosen) != 1 else ''} seen.",
                 icon=":material/visibility:")
        st.rerun()


#: The review's sections below "since your last review" (section key -> label); one is drawn
#: at a time, when chosen, and ``?section=`` of the URL opens one.
SECTIONS: dict[str, str] = {"chase": "Chase list", "notes": "Notes",
                            "digest": "Weekly squad digest"}
SECTION_KEY = "review_section"
QP_SECTION = "section"


def section_picker(n_chase: int) -> str | None:
    """Which section to draw (None: none yet). The chase list's label carries its count, so the
    number is read without opening it."""
    raw = st.query_params.get(QP_SECTION)
    if raw and st.session_state.get("review_section_applied") != raw:
        st.session_state["review_section_applied"] = raw
        if raw in SECTIONS:
            st.session_state[SECTION_KEY] = raw
        else:
            st.warning(fmt.md_escape(f"The link's section {raw!r} is not one of "
                                     f"{', '.join(SECTIONS)}; none is opened."))
    picked = st.segmented_control(
        "Open", list(SECTIONS), key=SECTION_KEY, label_visibility="collapsed",
        format_func=lambda k: f"{SECTIONS[k]} ({n_chase})" if k == "chase" else SECTIONS[k])
    st.session_state["review_section_applied"] = picked or ""
    if picked and st.query_params.get(QP_SECTION) != picked:
        st.query_params[QP_SECTION] = picked
    elif not picked and QP_SECTION in st.query_params:
        del st.query_params[QP_SECTION]
    if picked is None:
        st.caption("Open the chase list, notes on an athlete's week, or the weekly squad "
                   "digest (download or e-mail).")
    return picked


def chase_table(chase: pd.DataFrame) -> None:
    if chase.empty:
        st.success("Nobody to chase.", icon=":material/done_all:")
        return
    st.dataframe(pd.DataFrame({
        "Athlete": chase["athlete"], "Why": chase["chase"],
        "Last session": chase["last_session"].map(
            lambda t: "—" if t is None or pd.isna(t) else f"{pd.Timestamp(t):%a %d %b}"),
        "Last check-in": chase["last_checkin"].map(
            lambda t: "—" if t is None or pd.isna(t) else f"{pd.Timestamp(t):%a %d %b}"),
    }), hide_index=True, width="stretch", key="review_chase", row_height=66,
        column_config={"Why": st.column_config.TextColumn(width="large")})


# ------------------------------------------------------------------------------ notes

def _week_sessions(view: View, name: str, week: date) -> pd.DataFrame:
    s = view.analysis.sessions
    if s.empty:
        return s
    starts = pd.to_datetime(s["start"])
    lo = pd.Timestamp(week)
    return s.loc[(s["athlete"] == name) & (starts >= lo) & (starts < lo + pd.Timedelta(days=7))]


def _session_label(r: dict[str, Any]) -> str:
    return f"{pd.Timestamp(r['start']):%a %d %b %H:%M} · {r.get('title') or r.get('sport')}"


def notes_panel(store: Store, view: View, found: list[review.AthleteReview], names: list[str],
                week: date) -> None:
    """One athlete's changes, the notes the reader may see on that week, and a note form."""
    role, me = viewer()
    listed = [r.athlete for r in found]
    order = listed + [n for n in names if n not in listed]
    # the choice outlives a visit to another section (a widget not drawn forgets its value)
    kept = st.session_state.get(_ATHLETE_KEPT)
    if "review_athlete" not in st.session_state and kept in order:
        st.session_state["review_athlete"] = kept
    name = st.selectbox("Athlete", order, key="review_athlete", index=None,
                        placeholder="Choose an athlete to see their week and notes",
                        format_func=lambda n: n + ("  •" if n in listed else ""))
    st.session_state[_ATHLETE_KEPT] = name
    if name is None:  # nothing drawn until asked: the page opens fast for 50 athletes
        st.caption("Athletes marked • have something new since your last review.")
        return
    st.page_link(state.ATHLETE_PAGE, label=f"Open {name}'s page on this week",
                 icon=":material/open_in_new:", query_params=state.link_params(name, week))
    entry = next((r for r in found if r.athlete == name), None)
    if entry is not None:
        st.markdown("\n".join(f"- {fmt.md_escape(c.text)}" for c in entry.changes))
    sessions = _week_sessions(view, name, week)
    ids = set(sessions["session_id"]) if len(sessions) else set()
    try:
        every = store.notes([name])
    except StridewiseError as exc:
        widgets.show_error(exc)
        return
    mine = visible_notes(every, role, me)
    on_week = mine.loc[(mine["week"].astype(str).str.slice(0, 10) == week.isoformat())
                       | mine["session_id"].isin(ids)] if len(mine) else mine
    cur = current_notes(on_week)
    labels = {r["session_id"]: _session_label(r) for r in sessions.to_dict(orient="records")}
    if cur.empty:
        st.caption("No notes on this week yet.")
    for r in cur.to_dict(orient="records"):
        where = labels.get(r["session_id"], "session") if r["session_id"] else "the week"
        hist = note_history(mine, int(r["note_id"]))
        with st.container(border=True):
            st.caption(f"{VISIBILITY_LABELS.get(r['visibility'], r['visibility'])} · on "
                       f"{fmt.md_escape(where)} · {fmt.md_escape(str(r['author']))}, "
                       f"{pd.Timestamp(r['created_at']):%d %b %Y %H:%M} UTC"
                       + (f" · edited ({len(hist)} versions)" if len(hist) > 1 else ""))
            st.text(str(r["text"]))
            if role == "personal" or str(r["author"]) == me or r["visibility"] != "coach":
                _edit_form(store, name, r, role, me)
            if len(hist) > 1:
                with st.expander("History"):
                    for h in hist.to_dict(orient="records"):
                        st.caption(f"Version {h['version']} · "
                                   f"{VISIBILITY_LABELS.get(h['visibility'], '')} · "
                                   f"{fmt.md_escape(str(h['author']))}, "
                                   f"{pd.Timestamp(h['created_at']):%d %b %Y %H:%M} UTC")
                        st.text(str(h["text"]))
    _add_form(store, name, week, labels, role, me)


def _vis_radio(key: str, value: str = "coach") -> str:
    return str(st.radio("Who may read it", list(VISIBILITIES), index=VISIBILITIES.index(value),
                        format_func=lambda v: VISIBILITY_LABELS[v], horizontal=True, key=key))


def _add_form(store: Store, name: str, week: date, labels: dict[str, str], role: str,
              me: str) -> None:
    with st.form(f"note_add_{name}", clear_on_submit=True, border=True):
        st.markdown("**Add a note**")
        target = st.selectbox("On", [None, *labels], key=f"note_on_{name}",
                              format_func=lambda s: "The week" if s is None else labels[s])
        text = st.text_area("Note", key=f"note_text_{name}", max_chars=5000,
                            placeholder="What you want to remember or tell the athlete")
        vis = _vis_radio(f"note_vis_{name}")
        if st.form_submit_button("Save note", icon=":material/save:"):
            try:
                store.add_note(name, text, visibility=vis, author=me, author_role=role,
                               week=None if target else week, session_id=target)
            except StridewiseError as exc:
                widgets.show_error(exc)
            else:
                st.toast("Note saved.", icon=":material/check:")
                st.rerun()


def _edit_form(store: Store, name: str, r: dict[str, Any], role: str, me: str) -> None:
    with st.expander("Edit"):
        with st.form(f"note_edit_{r['note_id']}", border=False):
            text = st.text_area("Note", value=str(r["text"]), max_chars=5000,
                                key=f"note_edit_text_{r['note_id']}")
            vis = _vis_radio(f"note_edit_vis_{r['note_id']}", str(r["visibility"]))
            if st.form_submit_button("Save new version", icon=":material/history_edu:"):
                try:
                    store.edit_note(name, int(r["note_id"]), text, visibility=vis, author=me,
                                    author_role=role)
                except StridewiseError as exc:
                    widgets.show_error(exc)
                else:
                    st.toast("Note updated; the earlier version is kept.",
                             icon=":material/check:")
                    st.rerun()


# ------------------------------------------------------------------------------ digest

def compliance(store: Store, view: View, names: list[str], weeks: int = 4) -> pd.DataFrame:
    """Compliance with the plan per area, athlete and squad over the last ``weeks`` full weeks
    (the plans' summary), read when a digest is made."""
    from stridewise import plans

    first = review.review_week(view.as_of, view.settings.week_start) - timedelta(
        days=7 * (weeks - 1))
    return plans.compliance_summary(
        store, names, weeks=weeks, as_of=view.as_of, sessions=view.analysis.sessions,
        weekly=state.squad_weekly(view, names, first - timedelta(days=1)),
        week_start=view.settings.week_start)


def digest_section(store: Store, view: View, names: list[str]) -> None:
    """Download the digest (HTML, PDF) and send it through the club's SMTP server."""
    role, me = viewer()

    def make(reader: tuple[str, str] = (role, me)) -> digest.Digest:
        return digest.squad_digest(store, view.analysis, as_of=view.as_of,
                                   settings=view.settings, reader_role=reader[0],
                                   reader_id=reader[1],
                                   compliance=compliance(store, view, names))

    name = f"stridewise_digest_{review.review_week(view.as_of):%Y%m%d}"
    widgets.download_row([
        ("Digest (printable HTML)", lambda: digest.digest_html(make()), f"{name}.html",
         "text/html"),
        ("Digest (PDF)", lambda: digest.digest_pdf(make()), f"{name}.pdf", "application/pdf"),
    ], key="review_digest")
    try:
        config = mailer.SmtpConfig.from_settings(store.settings())
    except mailer.MailError as exc:
        widgets.show_error(exc)
        return
    if not config.configured:
        st.caption("To send the digest by e-mail, set the club's mail server on the Settings "
                   "page (Review and e-mail digest).")
        return
    if st.button("Send the digest by e-mail", key="review_send", icon=":material/send:"):
        try:
            with st.spinner("Sending…"):
                # the recipients read it as staff: no one's coach-private notes
                messages, skipped = digest.digest_messages(config, make(EMAIL_READER))
                n = mailer.send(config, messages, password=mailer.password_for(store))
        except StridewiseError as exc:
            widgets.show_error(exc)
        else:
            st.success(f"Sent the digest of {n} squad{'s' if n != 1 else ''}."
                       + (f" No recipients set for: {', '.join(skipped)}." if skipped else ""),
                       icon=":material/send:")


# ------------------------------------------------------------------------------ settings

def settings_form(store: Store) -> None:
    """Chase-list thresholds and the club's SMTP server (Settings page; admins only)."""
    actor = getattr(store, "actor", None)
    if actor is not None and not actor.manages:
        st.caption("The club's admins set the chase-list thresholds and the mail server.")
        return
    saved = store.settings() or {}
    rs = review.ReviewSettings.from_settings(saved)
    try:
        cfg = mailer.SmtpConfig.from_settings(saved)
    except mailer.MailError as exc:
        widgets.show_error(exc)
        cfg = mailer.SmtpConfig()
    with st.form("review_settings"):
        st.markdown("**Chase list**")
        c = st.columns(3)
        days = c[0].number_input("No session for (days)", 0, 365, rs.no_session_days,
                                 key="rs_days", help="0 = never chase for silence")
        checkin = c[1].number_input("No wellness check-in for (days)", 0, 365,
                                    rs.no_checkin_days, key="rs_checkin", help="0 = off")
        rpe = c[2].toggle("Chase sessions without RPE", rs.chase_missing_rpe, key="rs_rpe")
        st.markdown("**Mail server for the digest**")
        c = st.columns([3, 1, 1])
        host = c[0].text_input("SMTP host", cfg.host, key="smtp_host")
        port = c[1].number_input("Port", 1, 65535, cfg.port, key="smtp_port")
        sec = c[2].selectbox("Security", list(mailer.SECURITY),
                             index=mailer.SECURITY.index(cfg.security), key="smtp_security",
                             format_func=lambda s: {"starttls": "STARTTLS", "ssl": "SSL/TLS",
                                                    "none": "None"}[s])
        c = st.columns(3)
        user = c[0].text_input("User", cfg.user, key="smtp_user")
        password = c[1].text_input("Password", type="password", key="smtp_password",
                                   placeholder="unchanged" if store.secret(
                                       mailer.PASSWORD_KEY) else "",
                                   help="Kept in the database, never in a backup or export.")
        sender = c[2].text_input("From", cfg.sender, key="smtp_sender")
        rec = st.text_area(
            "Recipients per squad (one line each: Squad: a@club.org, b@club.org; "
            "* = every squad)", "\n".join(f"{k}: {', '.join(v)}"
                                          for k, v in cfg.recipients.items()),
            key="smtp_recipients")
        if st.form_submit_button("Save", icon=":material/save:"):
            recipients = {k.strip(): v.strip() for k, _, v in
                          (line.partition(":") for line in rec.splitlines() if line.strip())}
            new = {"host": host, "port": int(port), "security": sec, "user": user,
                   "sender": sender, "recipients": recipients}
            try:
                checked = mailer.SmtpConfig.from_settings({"smtp": new})
                store.save_settings({**saved, "smtp": checked.to_dict(),
                                     "review": review.ReviewSettings(
                                         int(days), bool(rpe), int(checkin)).to_dict()})
                if password:
                    store.set_secret(mailer.PASSWORD_KEY, password)
            except StridewiseError as exc:
                widgets.show_error(exc)
            else:
                st.success("Saved.", icon=":material/check:")


# ------------------------------------------------------------------------------ data

def gather(store: Store, view: View, names: list[str], week: date
           ) -> tuple[list[review.AthleteReview], pd.DataFrame]:
    """(since your last review, chase list) for the reader, memoised on the squad view (its
    key holds the data version: sessions, edits, settings, wellness) and the store's review
    version (every seen mark moves it)."""
    _, me = viewer()
    return state.memo(view, ("review", tuple(names), week, me, store.review_version()),
                      lambda: _gather(store, view, names, week, me))


def _gather(store: Store, view: View, names: list[str], week: date, me: str
            ) -> tuple[list[review.AthleteReview], pd.DataFrame]:
    found = assessments(view, names)
    weekly = state.squad_weekly(view, names, week - timedelta(days=1))
    plan = state.memo(view, ("review_plan", tuple(names), week), lambda: review.plan_items(
        store, names, week, sessions=view.analysis.sessions, weekly=weekly))
    inputs = review.inputs_from_store(store, found, view.analysis.sessions, week_start=week,
                                      reviewer=me, units=view.settings.units,
                                      plan_status=plan)
    since = review.since_last_review(inputs)
    # the chase list does not depend on seen marks: kept across them (marking is a rerun)
    chase = state.memo(view, ("review_chase", tuple(names), week), lambda: review.chase_list(
        names, as_of=view.as_of, week_start=week, last_start=store.last_session_starts(names),
        recent_sessions=view.analysis.sessions,
        last_checkin=review.last_checkins(store.wellness(names)),
        settings=review.ReviewSettings.from_settings(store.settings())))
    return since, chase
